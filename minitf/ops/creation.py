"""Tensors made from nothing but a shape: zeros, ones, ranges, identity matrices.

They depend on no differentiable input, so none of them records anything.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import backend as B
from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.tensor import Tensor, convert_to_tensor


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, Tensor):
        shape = shape.numpy().tolist()
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    shape = tuple(int(d) for d in shape)
    if any(d < 0 for d in shape):
        raise InvalidArgumentError(f"shape {list(shape)} has a negative dimension")
    return shape


def _np_dtype(dtype, default=np.float32):
    return np.dtype(default) if dtype is None else dtypes.as_dtype(dtype)._np


def zeros(shape, dtype=dtypes.float32, name: str | None = None) -> Tensor:
    return Tensor(B.xp.zeros(_shape(shape), dtype=_np_dtype(dtype)))


def ones(shape, dtype=dtypes.float32, name: str | None = None) -> Tensor:
    return Tensor(B.xp.ones(_shape(shape), dtype=_np_dtype(dtype)))


def zeros_like(input: Any, dtype=None, name: str | None = None) -> Tensor:  # noqa: A002
    x = convert_to_tensor(input)
    return Tensor(B.xp.zeros(x._value.shape, dtype=_np_dtype(dtype, x._value.dtype)))


def ones_like(input: Any, dtype=None, name: str | None = None) -> Tensor:  # noqa: A002
    x = convert_to_tensor(input)
    return Tensor(B.xp.ones(x._value.shape, dtype=_np_dtype(dtype, x._value.dtype)))


def fill(dims, value, name: str | None = None) -> Tensor:
    v = convert_to_tensor(value)
    return Tensor(B.xp.full(_shape(dims), v._value, dtype=v._value.dtype))


def range(start, limit=None, delta=1, dtype=None, name: str = "range") -> Tensor:  # noqa: A001 (TF's name)
    """[start, start+delta, ...) up to ``limit`` (TF's tf.range: int32 for ints, float32 for floats)."""
    if limit is None:
        start, limit = 0, start
    values = [float(v) if isinstance(v, Tensor) and v.dtype.is_floating else v for v in (start, limit, delta)]
    values = [int(v) if isinstance(v, Tensor) else v for v in values]
    if values[2] == 0:
        raise InvalidArgumentError("Range: delta must not be 0", "Range")
    is_float = any(isinstance(v, (float, np.floating)) for v in values)
    default = np.float32 if is_float else np.int32
    return Tensor(B.xp.arange(*values, dtype=np.float64 if is_float else np.int64).astype(_np_dtype(dtype, default)))


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
