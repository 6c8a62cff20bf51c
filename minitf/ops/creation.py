"""Tensors made from nothing but a shape: zeros, ones, ranges, identity matrices.

None of them has a gradient. Those that read a tensor (``zeros_like``, a ``range`` whose limit is
a tensor) are ops, so that a traced function computes them when it runs; the others are
constants.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, Tensor):
        shape = shape.numpy().tolist()
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if any(d is None for d in shape):  # a static shape from a trace, with a size its signature leaves open
        raise unknown_size_error(tuple(shape))
    shape = tuple(int(d) for d in shape)
    if any(d < 0 for d in shape):
        raise InvalidArgumentError(f"shape {list(shape)} has a negative dimension")
    return shape


def unknown_size_error(shape) -> ValueError:
    """The error for a shape with a size a trace's signature leaves open (None), asked to make an array
    (ones, zeros, a random draw): such a size is known only when the function runs."""
    return ValueError(f"a shape with an unknown size, {shape}, cannot make an array: inside a traced function "
                      "(a TensorSpec of shape [None, ...] takes a batch of any size), pass tf.shape(x) (the "
                      "sizes of this call) instead of x.shape")


def _np_dtype(dtype, default=np.float32):
    return np.dtype(default) if dtype is None else dtypes.as_dtype(dtype)._np


def is_traced(value) -> bool:
    """True for a shape given as a tensor of a function being traced (known only when it runs), or
    as a list holding one (``[tf.shape(x)[0], 2]``)."""
    if isinstance(value, (list, tuple)):
        return any(is_traced(v) for v in value)
    return isinstance(value, Tensor) and getattr(value, "_graph", None) is not None


def shape_tensor(shape) -> Tensor:
    """A traced shape as one int32 vector (the shape input of ``Fill`` and ``Reshape``)."""
    if isinstance(shape, Tensor):
        return shape
    from minitf.ops.elementwise import cast
    from minitf.ops.shape_ops import stack
    return stack([cast(convert_to_tensor(d), dtypes.int32) for d in shape])


class Fill(Op):
    """A tensor of shape ``dims`` (an int tensor) filled with ``value``."""

    shape_value_inputs = (0,)  # while tracing, the output's shape is what is known of dims' value

    def forward(dims, value):
        return B.module_of(value).full(tuple(int(d) for d in B.to_numpy(dims).tolist()), value, dtype=value.dtype)

    def shape(dims, value_shape):
        return dims


def zeros(shape, dtype=dtypes.float32, name: str | None = None) -> Tensor:
    if is_traced(shape):
        return Fill.apply(shape_tensor(shape), Tensor(B.zeros((), _np_dtype(dtype))))
    return Tensor(B.zeros(_shape(shape), _np_dtype(dtype)))  # (empty strings for tf.string, as TF)


def ones(shape, dtype=dtypes.float32, name: str | None = None) -> Tensor:
    if _np_dtype(dtype).kind == "O":
        raise InvalidArgumentError("Ones: Value for attr 'T' of string is not in the list of allowed values: tf.ones "
                                   "makes numbers (tf.fill([...], 'text') makes strings)", "Ones")
    if is_traced(shape):
        return Fill.apply(shape_tensor(shape), Tensor(B.xp.ones((), dtype=_np_dtype(dtype))))
    return Tensor(B.xp.ones(_shape(shape), dtype=_np_dtype(dtype)))


class ZerosLike(Op):
    shape_only = True  # reads only the input's shape: a constant once the shape is known

    def forward(x, dtype):
        return B.zeros(x.shape, dtype)  # (empty strings for tf.string, as TF)

    def shape(x_shape, dtype):
        return x_shape


class OnesLike(Op):
    shape_only = True  # reads only the input's shape: a constant once the shape is known

    def forward(x, dtype):
        return B.xp.ones(x.shape, dtype=dtype)

    def shape(x_shape, dtype):
        return x_shape


def zeros_like(input: Any, dtype=None, name: str | None = None) -> Tensor:  # noqa: A002
    x = convert_to_tensor(input)
    return ZerosLike.apply(x, dtype=_np_dtype(dtype, x._value.dtype))


def ones_like(input: Any, dtype=None, name: str | None = None) -> Tensor:  # noqa: A002
    x = convert_to_tensor(input)
    if _np_dtype(dtype, x._value.dtype).kind == "O":
        from minitf.ops.elementwise import refuse_strings
        raise refuse_strings("OnesLike", x)
    return OnesLike.apply(x, dtype=_np_dtype(dtype, x._value.dtype))


def fill(dims, value, name: str | None = None) -> Tensor:
    v = convert_to_tensor(value)
    if is_traced(dims) or is_traced(v):
        return Fill.apply(shape_tensor(dims) if isinstance(dims, (list, tuple)) else convert_to_tensor(dims), v)
    return Tensor(B.module_of(v._value).full(_shape(dims), v._value, dtype=v._value.dtype))


class Range(Op):
    """[start, start+delta, ...) up to ``limit`` (scalars given as tensors)."""

    shape_value_inputs = (0, 1, 2)  # the trace reads the bounds' values where it knows them (ints)

    def forward(start, limit, delta, dtype):
        return B.xp.arange(start.item(), limit.item(), delta.item()).astype(dtype)

    def shape(start, limit, delta, dtype):
        """ceil((limit - start) / delta) values, or unknown (None) when a bound is (tf.shape(x)[1] of an
        unknown size: not the size the first call happened to have)."""
        if not all(isinstance(v, int) for v in (start, limit, delta)) or delta == 0:
            return (None,)
        return (max(0, -((start - limit) // delta)),)


def range(start, limit=None, delta=1, dtype=None, name: str = "range") -> Tensor:  # noqa: A001 (TF's name)
    """[start, start+delta, ...) up to ``limit`` (TF's tf.range: int32 for ints, float32 for floats)."""
    if limit is None:
        start, limit = 0, start
    bounds = (start, limit, delta)
    is_float = any(isinstance(v, (float, np.floating)) or isinstance(v, Tensor) and v.dtype.is_floating
                   for v in bounds)
    if any(isinstance(v, (str, bytes)) for v in bounds):
        raise TypeError(f"range: start, limit and delta must be numbers, got {bounds}")
    out = _np_dtype(dtype, np.float32 if is_float else np.int32)
    if any(is_traced(v) for v in bounds):
        tensors = [convert_to_tensor(v) for v in bounds]
        return Range.apply(*tensors, dtype=out)
    values = [float(v) if isinstance(v, Tensor) and v.dtype.is_floating else v for v in bounds]
    values = [int(v) if isinstance(v, Tensor) else v for v in values]
    if values[2] == 0:
        raise InvalidArgumentError("Range: delta must not be 0", "Range")
    if (values[1] - values[0]) * values[2] < 0:
        raise InvalidArgumentError(
            f"Range: requires start <= limit when delta > 0, and start >= limit when delta < 0: "
            f"got start={values[0]}, limit={values[1]}, delta={values[2]}", "Range")
    return Tensor(B.xp.arange(*values, dtype=np.float64 if is_float else np.int64).astype(out))


def linspace(start, stop, num: int, name: str | None = None, axis: int = 0) -> Tensor:
    """``num`` evenly spaced values from start to stop, both included (float32)."""
    s, e = convert_to_tensor(start), convert_to_tensor(stop)
    dt = s._value.dtype if s._value.dtype.kind == "f" else np.dtype(np.float32)
    return Tensor(B.xp.linspace(s._value.astype(np.float64), e._value.astype(np.float64), int(num), axis=axis).astype(dt))


def eye(num_rows: int, num_columns: int | None = None, batch_shape=None, dtype=dtypes.float32,
        name: str | None = None) -> Tensor:
    m = B.xp.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=_np_dtype(dtype))
    if batch_shape is not None:
        m = B.xp.broadcast_to(m, _shape(batch_shape) + m.shape).copy()
    return Tensor(m)
