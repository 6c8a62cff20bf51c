"""``tf.debugging``: checks that stop a program where its numbers go wrong.

Each ``assert_*`` compares elementwise (with broadcasting) and raises InvalidArgumentError naming the
condition and the first values where it fails, eagerly at once and, inside a traced function, every
time the function runs (an ``Assert`` op of the graph). ``check_numerics`` (``assert_all_finite``)
returns its tensor, and fails on a NaN or an inf. ``assert_rank`` and ``assert_type`` check what is
known before running: a ValueError and a TypeError, as TF raises them.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops.control_flow import Assert
from minitf.ops.elementwise import is_finite, is_inf, is_nan  # noqa: F401 (tf.debugging names)
from minitf.ops.shape_ops import identity
from minitf.tensor import Tensor, convert_to_tensor


def _symbolic(t) -> bool:
    return getattr(t, "_graph", None) is not None


def _check(holds: Tensor, condition: str, message, x: Tensor, y: Tensor | None) -> None:
    """Raise (or, while tracing, add the Assert op that raises) when ``holds`` is not all true."""
    everywhere = R.reduce_all(holds)
    head = f"{message}\n" if message else ""
    if _symbolic(everywhere):
        Assert.apply(everywhere, message=f"{head}Condition {condition} did not hold element-wise")
        return
    if bool(everywhere.numpy()):
        return
    failed = np.argwhere(~np.broadcast_to(holds.numpy(), holds.shape))[:3]
    text = f"{head}Condition {condition} did not hold element-wise. Indices of first {len(failed)} failing " \
           f"values: {failed.tolist()}; x (shape={tuple(x.shape)} dtype={x.dtype.name}) = {x.numpy().ravel()[:6]}"
    if y is not None:
        text += f"; y (shape={tuple(y.shape)} dtype={y.dtype.name}) = {y.numpy().ravel()[:6]}"
    raise InvalidArgumentError(text, "Assert")


def _comparison(symbol: str, compare: Callable) -> Callable:
    def assertion(x, y, message=None, summarize=None, name=None):
        x, y = convert_to_tensor(x), convert_to_tensor(y, dtype=convert_to_tensor(x).dtype)
        _check(compare(x, y), f"x {symbol} y", message, x, y)
    assertion.__name__ = assertion.__qualname__ = {"==": "assert_equal", "!=": "assert_none_equal",
                                                   "<": "assert_less", "<=": "assert_less_equal",
                                                   ">": "assert_greater", ">=": "assert_greater_equal"}[symbol]
    assertion.__doc__ = f"Fails unless x {symbol} y everywhere (broadcast)."
    return assertion


assert_equal = _comparison("==", E.equal)
assert_none_equal = _comparison("!=", E.not_equal)
assert_less = _comparison("<", E.less)
assert_less_equal = _comparison("<=", E.less_equal)
assert_greater = _comparison(">", E.greater)
assert_greater_equal = _comparison(">=", E.greater_equal)


def _sign(symbol: str, compare: Callable, name: str) -> Callable:
    def assertion(x, message=None, summarize=None, name=None):
        x = convert_to_tensor(x)
        _check(compare(x, E.zeros_like_scalar(x)), f"x {symbol} 0", message, x, None)
    assertion.__name__ = assertion.__qualname__ = name
    assertion.__doc__ = f"Fails unless x {symbol} 0 everywhere."
    return assertion


assert_positive = _sign(">", E.greater, "assert_positive")
assert_negative = _sign("<", E.less, "assert_negative")
assert_non_negative = _sign(">=", E.greater_equal, "assert_non_negative")
assert_non_positive = _sign("<=", E.less_equal, "assert_non_positive")


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Fails unless |x - y| <= atol + rtol * |y| everywhere; both tolerances default to 10 epsilons of
    the dtype, as TF's."""
    x = convert_to_tensor(x)
    y = convert_to_tensor(y, dtype=x.dtype)
    eps = float(np.finfo(x.dtype._np).eps) if x.dtype.is_floating else 0.0
    rtol = 10 * eps if rtol is None else rtol
    atol = 10 * eps if atol is None else atol
    tolerance = E.add(convert_to_tensor(atol, dtype=x.dtype), E.multiply(convert_to_tensor(rtol, dtype=x.dtype),
                                                                          E.abs(y)))
    _check(E.less_equal(E.abs(E.subtract(x, y)), tolerance), "|x - y| <= atol + rtol * |y|", message, x, y)


def check_numerics(tensor, message: str, name=None) -> Tensor:
    """``tensor`` itself; an InvalidArgumentError ``<message> : Tensor had NaN values`` (or Inf) first."""
    t = convert_to_tensor(tensor)
    if not t.dtype.is_floating:
        raise TypeError(f"check_numerics: the tensor must be a float, got {t.dtype.name}")
    finite = R.reduce_all(is_finite(t))
    if _symbolic(finite):
        Assert.apply(finite, message=f"{message} : Tensor had NaN or Inf values")
        return identity(t)
    if not bool(finite.numpy()):
        kind = "NaN" if bool(R.reduce_any(is_nan(t)).numpy()) else "Inf"
        raise InvalidArgumentError(f"{message} : Tensor had {kind} values", "CheckNumerics")
    return identity(t)


def assert_all_finite(t, msg: str, name=None) -> Tensor:
    return check_numerics(t, msg)


def assert_rank(x, rank, message=None, name=None) -> None:
    """A ValueError unless ``x`` has rank ``rank`` (TF knows it before running, so checks at once)."""
    x = convert_to_tensor(x)
    if x.ndim != int(rank):
        raise ValueError(f"{message + ' ' if message else ''}Tensor must have rank {int(rank)}. Received rank "
                         f"{x.ndim}, shape {tuple(x.shape)}")


def assert_type(tensor, tf_type, message=None, name=None) -> None:
    """A TypeError unless ``tensor`` has dtype ``tf_type``."""
    t = convert_to_tensor(tensor)
    expected = dtypes.as_dtype(tf_type)
    if t.dtype != expected:
        raise TypeError(f"{message + ' ' if message else ''}tensor must be of type tf.{expected.name}; got "
                        f"tf.{t.dtype.name}")


__all__ = ["assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
           "assert_greater_equal", "assert_positive", "assert_negative", "assert_non_negative",
           "assert_non_positive", "assert_near", "check_numerics", "assert_all_finite", "assert_rank",
           "assert_type", "is_nan", "is_inf", "is_finite"]
