"""How tf.data reads the scalar arguments of its methods: sizes, counts, seeds and flags.

TF converts each argument to a tensor of a fixed dtype before the op looks at its value, so
one set of rules, and one set of error classes, holds for every ``Dataset`` method:

* an int64 argument (``batch_size``, ``count``, ``buffer_size``, ``start``, ``seed`` ...) takes a
  Python int (a bool counts as 0/1), a NumPy integer scalar or 0-d array, or an int64 tensor.
  A Python float (even ``2.0``), a string or bytes raise **TypeError**; ``None``, a tensor of
  another dtype, or an int outside int64 raise **ValueError**; an array or list of rank >= 1
  raises **InvalidArgumentError** ("must be a scalar").
* TF casts NumPy float scalars (``np.float32(2.5)`` becomes 2); minitf takes integral ones
  (``np.float32(2.0)``) and refuses the others with TypeError rather than truncate in silence.
* a bool argument (``drop_remainder``) takes a Python or NumPy bool or a bool tensor; anything
  else is a TypeError ("Cannot convert 1 to EagerTensor of dtype bool"), ``None`` a ValueError.

The op then checks the value (a batch size must be > 0 ...), with InvalidArgumentError.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.tensor import Tensor

_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1


def _unwrap_tensor(where: str, value: Any, dtype) -> Any:
    """A tensor argument as its NumPy value, if it has ``dtype``; TF's ValueErrors for None and for a
    tensor of another dtype. Other values pass through."""
    if value is None:
        raise ValueError(f"{where} is None: Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    if isinstance(value, Tensor):
        if value.dtype != dtype:
            raise ValueError(f"{where}: Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                             f"{value.dtype.name}: {value!r}")
        return value.numpy()
    return value


def int64_scalar(op: str, name: str, value: Any) -> int:
    """``value`` read as tf.data reads an int64 scalar argument; ``op``/``name`` go into the errors."""
    where = f"{op}: `{name}`"
    value = _unwrap_tensor(where, value, dtypes.int64)
    if isinstance(value, (bool, int, np.bool_, np.integer)):
        number = int(value)
        if not _INT64_MIN <= number <= _INT64_MAX:
            raise ValueError(f"{where}: Can't convert Python sequence with out-of-range integer to Tensor "
                             f"(got {number}, int64 holds -2**63 to 2**63 - 1).")
        return number
    if isinstance(value, np.floating) and np.isfinite(value) and float(value).is_integer():
        return int(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            array = np.asarray(value)
        except ValueError:
            raise ValueError(f"{where}: Can't convert non-rectangular Python sequence to Tensor: {value!r:.60}") \
                from None
        if array.dtype.kind in "biu" or (array.dtype.kind == "f" and isinstance(value, np.ndarray)):
            if array.ndim != 0:
                raise InvalidArgumentError(f"{where} must be a scalar, got shape {list(array.shape)}", op=op)
            return int64_scalar(op, name, array[()])
    raise TypeError(f"{where}: Cannot convert {value!r:.60} to EagerTensor of dtype int64 (an integer is needed)")


def optional_int64_scalar(op: str, name: str, value: Any) -> int | None:
    """None stays None (the argument's default meaning); anything else as ``int64_scalar``."""
    return None if value is None else int64_scalar(op, name, value)


def bool_scalar(op: str, name: str, value: Any) -> bool:
    """``value`` read as tf.data reads a bool scalar argument."""
    value = _unwrap_tensor(f"{op}: `{name}`", value, dtypes.bool)
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype == np.bool_
                                               and value.ndim == 0):
        return bool(value)
    raise TypeError(f"{op}: `{name}`: Cannot convert {value!r:.60} to EagerTensor of dtype bool (True or False "
                    "is needed)")


def check_callable(op: str, fn: Any) -> None:
    """tf.data's refusal of a function argument that is not callable (a ValueError in TF)."""
    if not callable(fn):
        raise ValueError(f"{op}: Argument `func` must be a callable. Received func={fn!r:.60} "
                         f"(of type {type(fn)})")


def parallel_calls(op: str, value: Any) -> int | None:
    """``num_parallel_calls``: None, AUTOTUNE (-1) or a positive count (minitf runs calls one by one anyway)."""
    number = optional_int64_scalar(op, "num_parallel_calls", value)
    if number is not None and number != -1 and number < 1:
        raise InvalidArgumentError(f"{op}: num_parallel_calls must be greater than zero (or "
                                   f"tf.data.AUTOTUNE, -1), got {number}", op=op)
    return number
