"""Slicing by begin/size and by TF's strided-slice masks, gathers with batch dimensions, and
scatters (``tf.slice``, ``tf.strided_slice``, ``tf.gather(batch_dims=)``, ``tf.scatter_nd``,
``tf.tensor_scatter_nd_update/add/sub/min/max``), each with its gradient.

Coordinates: ``indices`` of shape ``[..., d]`` address the first ``d`` axes of the tensor, each
row one element (or one slice, when ``d`` < rank): ``updates`` has shape
``indices.shape[:-1] + shape[d:]``.
"""
from __future__ import annotations

import builtins

import numpy as np

from minitf import array_backend as B
from minitf._tf_compat import NO_KERNEL_FOR_BOOL
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError, NotFoundError
from minitf.ops import creation as C
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["slice", "strided_slice", "gather_batch", "scatter_nd", "tensor_scatter_nd_update",
           "tensor_scatter_nd_add", "tensor_scatter_nd_sub", "tensor_scatter_nd_min", "tensor_scatter_nd_max"]


def _ints(op: str, value, name: str) -> list[int]:
    if isinstance(value, Tensor):
        value = value.numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "iu" or array.ndim > 1:
        raise InvalidArgumentTypeError(f"{op}: {name} must be a vector of integers, got {value!r}", op)
    return [int(v) for v in array.reshape(-1)]


# ---------------------------------------------------------------------------------------------
def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001 (TF's name)
    """``input_[begin[0]:begin[0]+size[0], ...]``; a size of -1 takes the rest of that axis."""
    x = convert_to_tensor(input_)
    begin, size = _ints("Slice", begin, "begin"), _ints("Slice", size, "size")
    if len(begin) != x.ndim or len(size) != x.ndim:
        raise InvalidArgumentError(f"Slice: expected begin and size of length {x.ndim} (the rank of the input, "
                                   f"shape {list(x.shape)}), got begin={begin}, size={size}", "Slice")
    key = []
    for axis, (b, s, n) in enumerate(zip(begin, size, x.shape)):
        end = n if s == -1 else b + s
        if b < 0 or s < -1 or b > end or end > n:
            raise InvalidArgumentError(f"Slice: expected 0 <= begin[{axis}] <= begin[{axis}] + size[{axis}] <= "
                                       f"{n}, got begin={b}, size={s} for input shape {list(x.shape)}", "Slice")
        key.append(builtins.slice(b, end))
    return S.StridedSlice.apply(x, key=tuple(key))


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0, var=None, name=None) -> Tensor:
    """``input_[begin:end:strides]`` per axis, with TF's bit masks: bit i of ``begin_mask`` /
    ``end_mask`` ignores begin[i] / end[i] (the whole range), of ``ellipsis_mask`` makes entry i
    an ``...``, of ``new_axis_mask`` a ``tf.newaxis``, of ``shrink_axis_mask`` takes the one
    element begin[i] and drops the axis."""
    x = convert_to_tensor(input_)
    begin, end = _ints("StridedSlice", begin, "begin"), _ints("StridedSlice", end, "end")
    strides = [1] * len(begin) if strides is None else _ints("StridedSlice", strides, "strides")
    if not len(begin) == len(end) == len(strides):
        raise InvalidArgumentError(f"StridedSlice: begin, end and strides must have the same length, got "
                                   f"{len(begin)}, {len(end)}, {len(strides)}", "StridedSlice")
    if 0 in strides:
        raise InvalidArgumentError("StridedSlice: strides must be non-zero", "StridedSlice")
    key = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            if s != 1:
                raise InvalidArgumentError(f"StridedSlice: only stride 1 allowed on non-range indexing (axis {i} is "
                                           f"shrunk, with stride {s})", "StridedSlice")
            key.append(b)
        else:
            key.append(builtins.slice(None if begin_mask & bit else b, None if end_mask & bit else e, s))
    return S.getitem(x, tuple(key)) if var is None else S.getitem(var, tuple(key))


# ---------------------------------------------------------------------------------------------
def _batch_index(indices, params_shape: tuple, axis: int, batch_dims: int) -> tuple:
    """The NumPy index tuple for params[b..., m..., indices[b..., j...], r...] (broadcast grids)."""
    batch = params_shape[:batch_dims]
    middle = params_shape[batch_dims:axis]
    inner = indices.shape[batch_dims:]
    xp = B.xp
    grids = []
    for i, n in enumerate(batch):
        shape = [1] * (len(batch) + len(middle) + len(inner))
        shape[i] = n
        grids.append(xp.arange(n).reshape(shape))
    for i, n in enumerate(middle):
        shape = [1] * (len(batch) + len(middle) + len(inner))
        shape[len(batch) + i] = n
        grids.append(xp.arange(n).reshape(shape))
    grids.append(indices.reshape(tuple(batch) + (1,) * len(middle) + tuple(inner)))
    return tuple(grids)


class GatherBatch(Op):
    """``tf.gather`` with ``batch_dims`` b: out[b..., m..., j..., r...] = params[b..., m..., indices[b..., j...], r...].
    Gradient: dy added back where each element came from."""

    name = "GatherV2"

    def forward(params, indices, axis, batch_dims):
        S._check_indices("GatherV2", indices, params.shape[axis], axis, params.shape)
        return params[_batch_index(indices, params.shape, axis, batch_dims)]

    def backward(ctx, dy):
        params, indices = ctx.inputs
        return GatherBatchGrad.apply(dy, indices, params, axis=ctx.axis, batch_dims=ctx.batch_dims), None

    def shape(params_shape, indices_shape, axis, batch_dims):
        return tuple(params_shape[:axis]) + tuple(indices_shape[batch_dims:]) + tuple(params_shape[axis + 1:])


class GatherBatchGrad(Op):
    """Zeros of ``like``'s shape with dy added at the gathered positions.   Gradient: the gather of ddy."""

    def forward(dy, indices, like, axis, batch_dims):
        out = B.xp.zeros(like.shape, dtype=dy.dtype)
        B.scatter_add(out, _batch_index(indices, like.shape, axis, batch_dims), dy)
        return out

    def backward(ctx, ddy):
        return GatherBatch.apply(ddy, ctx.inputs[1], axis=ctx.axis, batch_dims=ctx.batch_dims), None, None

    def shape(dy_shape, indices_shape, like_shape, axis, batch_dims):
        return like_shape


def gather_batch(x: Tensor, idx: Tensor, axis, batch_dims: int) -> Tensor:
    """``tf.gather(x, idx, axis=axis, batch_dims=batch_dims)`` for batch_dims != 0 (checked here)."""
    if batch_dims < 0:
        batch_dims += idx.ndim
    if not 0 <= batch_dims <= idx.ndim:
        raise InvalidArgumentError(f"GatherV2: batch_dims must be in [-{idx.ndim}, {idx.ndim}] (the rank of indices), "
                                   f"got {batch_dims}", "GatherV2")
    a = S._axis("GatherV2", batch_dims if axis is None else axis, x.ndim)
    if a < batch_dims:
        raise InvalidArgumentError(f"GatherV2: batch_dims ({batch_dims}) must be less than or equal to axis ({a})",
                                   "GatherV2")
    if tuple(x.shape[:batch_dims]) != tuple(idx.shape[:batch_dims]):
        raise InvalidArgumentError(f"GatherV2: params.shape[:{batch_dims}] = {list(x.shape[:batch_dims])} must equal "
                                   f"indices.shape[:{batch_dims}] = {list(idx.shape[:batch_dims])}", "GatherV2")
    return GatherBatch.apply(x, idx, axis=a, batch_dims=batch_dims)


# ---------------------------------------------------------------------------------------------
def _coords(indices) -> tuple:
    return tuple(indices[..., i] for i in range(indices.shape[-1]))


def _check_coords(op: str, indices, shape: tuple) -> None:
    for axis, c in enumerate(_coords(indices)):
        if c.size and (int(c.min()) < 0 or int(c.max()) >= shape[axis]):
            bad = int(c.min()) if int(c.min()) < 0 else int(c.max())
            raise InvalidArgumentError(f"{op}: indices[...,{axis}] = {bad} does not index into shape {list(shape)}", op)


class ScatterNd(Op):
    """Zeros of ``shape`` with ``updates`` added at ``indices`` (repeated indices add up).
    Gradient: d updates = gather_nd(dy, indices)."""

    def forward(indices, updates, shape):
        _check_coords("ScatterNd", indices, shape)
        out = B.xp.zeros(shape, dtype=updates.dtype)
        B.scatter_add(out, _coords(indices), updates)
        return out

    def backward(ctx, dy):
        return None, S.GatherNd.apply(dy, ctx.inputs[0])

    def shape(indices_shape, updates_shape, shape):
        return tuple(shape)


class TensorScatterUpdate(Op):
    """``tensor`` with the elements at ``indices`` replaced by ``updates``.
    Gradient: d tensor = dy with zeros where updates went; d updates = gather_nd(dy, indices)."""

    def forward(tensor, indices, updates):
        _check_coords("TensorScatterUpdate", indices, tensor.shape)
        out = tensor.copy()
        out[_coords(indices)] = updates
        return out

    def backward(ctx, dy):
        tensor, indices, updates = ctx.inputs
        keep = TensorScatterUpdate.apply(C.ones_like(dy), indices, S.GatherNd.apply(C.zeros_like(dy), indices))
        return dy * keep, None, S.GatherNd.apply(dy, indices)

    def shape(tensor_shape, indices_shape, updates_shape):
        return tensor_shape


class TensorScatterAdd(Op):
    """``tensor`` plus ``updates`` added at ``indices``.   Gradient: dy; gather_nd(dy, indices)."""

    def forward(tensor, indices, updates):
        _check_coords("TensorScatterAdd", indices, tensor.shape)
        out = tensor.copy()
        B.scatter_add(out, _coords(indices), updates)
        return out

    def backward(ctx, dy):
        return dy, None, S.GatherNd.apply(dy, ctx.inputs[1])

    def shape(tensor_shape, indices_shape, updates_shape):
        return tensor_shape


class TensorScatterSub(Op):
    """``tensor`` minus ``updates`` at ``indices``.   Gradient: dy; -gather_nd(dy, indices)."""

    def forward(tensor, indices, updates):
        _check_coords("TensorScatterSub", indices, tensor.shape)
        out = tensor.copy()
        B.scatter_add(out, _coords(indices), -updates)
        return out

    def backward(ctx, dy):
        return dy, None, -S.GatherNd.apply(dy, ctx.inputs[1])

    def shape(tensor_shape, indices_shape, updates_shape):
        return tensor_shape


def _min_max_backward(ctx, dy):
    """TF's gradient of TensorScatterMin/Max: dy goes to whichever of tensor and updates won,
    shared equally between ties."""
    x, indices, y = ctx.inputs
    output = ctx.output
    x_won = S.cast(E.equal(x, output), dy.dtype)
    y_won = S.cast(E.equal(y, S.GatherNd.apply(output, indices)), dy.dtype)
    winners = x_won + ScatterNd.apply(indices, y_won, shape=tuple(x.shape))
    return dy * x_won / winners, None, S.GatherNd.apply(dy / winners, indices) * y_won


class TensorScatterMin(Op):
    """``tensor`` with each element at ``indices`` the minimum of itself and the update there."""

    def forward(tensor, indices, updates):
        _check_coords("TensorScatterMin", indices, tensor.shape)
        return _combined_at(tensor, indices, updates, B.xp.minimum)

    backward = _min_max_backward

    def shape(tensor_shape, indices_shape, updates_shape):
        return tensor_shape


class TensorScatterMax(Op):
    """``tensor`` with each element at ``indices`` the maximum of itself and the update there."""

    def forward(tensor, indices, updates):
        _check_coords("TensorScatterMax", indices, tensor.shape)
        return _combined_at(tensor, indices, updates, B.xp.maximum)

    backward = _min_max_backward

    def shape(tensor_shape, indices_shape, updates_shape):
        return tensor_shape


def _combined_at(tensor, indices, updates, fn):
    """A copy of ``tensor`` with each element at ``indices`` set to fn(element, update), repeated
    indices applied in turn (``fn.at``; one pass per index where the array module has no ufunc.at)."""
    out = tensor.copy()
    if B.xp is np:
        fn.at(out, _coords(indices), updates)
    else:
        _at(out, indices, updates, fn)
    return out


def _at(out, indices, updates, fn) -> None:
    """``fn.at`` for array modules without ufunc.at: one pass per repeated index."""
    flat = indices.reshape(-1, indices.shape[-1])
    upd = updates.reshape((flat.shape[0],) + updates.shape[indices.ndim - 1:])
    for row in range(flat.shape[0]):
        key = tuple(int(v) for v in flat[row])
        out[key] = fn(out[key], upd[row])


def _scatter_args(op: str, indices, updates, shape: tuple, dtype=None):
    idx = convert_to_tensor(indices)
    if not idx.dtype.is_integer:
        raise InvalidArgumentTypeError(f"{op}: indices must be integers, got {idx.dtype.name}", op)
    upd = convert_to_tensor(updates, dtype=dtype)
    if idx.ndim == 0:
        raise InvalidArgumentError(f"{op}: indices must have at least 1 dimension, got a scalar", op)
    depth = idx.shape[-1]
    expected = tuple(idx.shape[:-1]) + tuple(shape[depth:])
    if depth > len(shape) or tuple(upd.shape) != expected:
        raise InvalidArgumentError(f"{op}: updates of shape {list(upd.shape)} do not fit indices of shape "
                                   f"{list(idx.shape)} into a tensor of shape {list(shape)}: expected updates of "
                                   f"shape {list(expected)}", op)
    return idx, upd


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """A new tensor of ``shape``: zeros, with ``updates`` added at ``indices``."""
    shape = tuple(_ints("ScatterNd", shape, "shape"))
    idx, upd = _scatter_args("ScatterNd", indices, updates, shape)
    return ScatterNd.apply(idx, upd, shape=shape)


def _tensor_scatter(op_class, tensor, indices, updates) -> Tensor:
    t = convert_to_tensor(tensor)
    if t.dtype == "bool" and op_class.__name__ in NO_KERNEL_FOR_BOOL:
        raise NotFoundError(f"{op_class.__name__}: no kernel for bool tensors (Could not find device for node: "
                            f"{op_class.__name__}[T=DT_BOOL])", op_class.__name__)
    idx, upd = _scatter_args(op_class.__name__, indices, updates, tuple(t.shape), dtype=t.dtype)
    return op_class.apply(t, idx, upd)


def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    return _tensor_scatter(TensorScatterUpdate, tensor, indices, updates)


def tensor_scatter_nd_add(tensor, indices, updates, name=None) -> Tensor:
    return _tensor_scatter(TensorScatterAdd, tensor, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None) -> Tensor:
    return _tensor_scatter(TensorScatterSub, tensor, indices, updates)


def tensor_scatter_nd_min(tensor, indices, updates, name=None) -> Tensor:
    return _tensor_scatter(TensorScatterMin, tensor, indices, updates)


def tensor_scatter_nd_max(tensor, indices, updates, name=None) -> Tensor:
    return _tensor_scatter(TensorScatterMax, tensor, indices, updates)
