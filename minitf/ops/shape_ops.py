"""Ops that move, select or copy elements: reshape, transpose, concat, slicing, gather ...

Their gradients move dy back to where each element came from: a reshape is
undone by a reshape, a transpose by the inverse transpose, a gather by a
scatter-add (an element gathered twice gets both gradients).
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from minitf import backend as B
from minitf import dtypes
from minitf.autodiff import record
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError, UnimplementedError
from minitf.ops.elementwise import unbroadcast
from minitf.tensor import Tensor, TensorShape, Variable, VariableSlice, convert_to_tensor

TensorLike = Any


def _int_list(value) -> list[int]:
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, (int, np.integer)):
        return [int(value)]
    return [int(v) for v in np.asarray(value).reshape(-1)] if not isinstance(value, (list, tuple)) else [int(v) for v in value]


def _axis(op: str, axis, ndim: int) -> int:
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise InvalidArgumentError(f"{op}: axis {axis} is out of range for rank {ndim}; expected [{-ndim}, {ndim})", op)
    return axis % ndim


# --- shape changes ------------------------------------------------------------------
def reshape(tensor: TensorLike, shape, name: str | None = None) -> Tensor:
    """Same elements, new shape (one dimension may be -1).   Gradient: dy reshaped back."""
    x = convert_to_tensor(tensor)
    new_shape = tuple(_int_list(shape))
    try:
        y = Tensor(x._value.reshape(new_shape))
    except ValueError:
        raise InvalidArgumentError(
            f"Reshape: cannot reshape a tensor with {x._value.size} elements (shape {list(x.shape)}) "
            f"to shape {list(new_shape)}", "Reshape") from None
    return record("Reshape", (x,), y, lambda dy: (reshape(dy, x.shape),))


def transpose(a: TensorLike, perm=None, conjugate: bool = False, name: str | None = None) -> Tensor:
    """Permute axes (default: reverse them).   Gradient: dy permuted back by the inverse perm."""
    x = convert_to_tensor(a)
    perm = list(range(x.ndim))[::-1] if perm is None else _int_list(perm)
    if sorted(p % max(x.ndim, 1) for p in perm) != list(range(x.ndim)):
        raise InvalidArgumentError(
            f"Transpose: perm {perm} is not a permutation of the axes of a rank-{x.ndim} tensor "
            f"(shape {list(x.shape)})", "Transpose")
    y = Tensor(B.xp.transpose(x._value, perm))
    inverse = [int(i) for i in np.argsort(perm)]
    return record("Transpose", (x,), y, lambda dy: (transpose(dy, inverse),))


def expand_dims(input: TensorLike, axis: int, name: str | None = None) -> Tensor:  # noqa: A002
    """Insert a size-1 axis at ``axis`` (a reshape)."""
    x = convert_to_tensor(input)
    if not -x.ndim - 1 <= int(axis) <= x.ndim:  # the new axis may go anywhere in [-rank-1, rank]
        raise InvalidArgumentError(
            f"ExpandDims: axis {int(axis)} is out of range for a tensor of rank {x.ndim} (shape {list(x.shape)}); "
            f"expected an axis in [{-x.ndim - 1}, {x.ndim}]", "ExpandDims")
    a = _axis("ExpandDims", axis, x.ndim + 1)
    return reshape(x, tuple(x.shape[:a]) + (1,) + tuple(x.shape[a:]))


def squeeze(input: TensorLike, axis=None, name: str | None = None) -> Tensor:  # noqa: A002
    """Remove size-1 axes (all of them, or those in ``axis``; a reshape)."""
    x = convert_to_tensor(input)
    if axis is None:
        axes = [i for i, n in enumerate(x.shape) if n == 1]
    else:
        axes = [_axis("Squeeze", a, x.ndim) for a in _int_list(axis)]
        for a in axes:
            if x.shape[a] != 1:
                raise InvalidArgumentError(
                    f"Squeeze: cannot squeeze axis {a} of size {x.shape[a]} (shape {list(x.shape)}); "
                    "only size-1 axes can be squeezed", "Squeeze")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


def broadcast_to(input: TensorLike, shape, name: str | None = None) -> Tensor:  # noqa: A002
    """Repeat along size-1 (or missing) axes to ``shape``.   Gradient: dy summed back (unbroadcast)."""
    x = convert_to_tensor(input)
    shape = tuple(_int_list(shape))
    try:
        y = Tensor(B.xp.broadcast_to(x._value, shape))
    except ValueError:
        raise InvalidArgumentError(f"BroadcastTo: cannot broadcast shape {list(x.shape)} to {list(shape)}",
                                   "BroadcastTo") from None
    return record("BroadcastTo", (x,), y, lambda dy: (unbroadcast(dy, x.shape),))


# --- joining and splitting ------------------------------------------------------------
def _same_dtype(op: str, tensors: list[Tensor]) -> None:
    first = tensors[0]._value.dtype
    for i, t in enumerate(tensors):
        if t._value.dtype != first:
            raise InvalidArgumentTypeError(
                f"{op}: all values must have one dtype; value 0 is {tensors[0].dtype.name}, "
                f"value {i} is {t.dtype.name}", op)


def concat(values: Sequence[TensorLike], axis: int, name: str | None = None) -> Tensor:
    """Join tensors along an existing axis.   Gradient: dy split back into the pieces."""
    xs = [convert_to_tensor(v) for v in values]
    if not xs:
        raise ValueError("concat: values must not be empty")
    xs = [convert_to_tensor(v, dtype_hint=xs[0].dtype) for v in xs]
    _same_dtype("ConcatV2", xs)
    a = _axis("ConcatV2", axis, xs[0].ndim)
    try:
        y = Tensor(B.xp.concatenate([x._value for x in xs], axis=a))
    except ValueError:
        raise InvalidArgumentError(
            f"ConcatV2: shapes {[list(x.shape) for x in xs]} must match in every dimension but axis {a}",
            "ConcatV2") from None
    sizes = [x.shape[a] for x in xs]
    return record("ConcatV2", tuple(xs), y, lambda dy: tuple(split(dy, sizes, axis=a)))


def stack(values: Sequence[TensorLike], axis: int = 0, name: str | None = None) -> Tensor:
    """Join same-shaped tensors along a new axis.   Gradient: dy unstacked."""
    xs = [convert_to_tensor(v) for v in values]
    if not xs:
        raise ValueError("stack: values must not be empty")
    xs = [convert_to_tensor(v, dtype_hint=xs[0].dtype) for v in xs]
    _same_dtype("Pack", xs)
    for i, x in enumerate(xs):
        if tuple(x.shape) != tuple(xs[0].shape):
            raise InvalidArgumentError(
                f"Pack: shapes of all inputs must match: values[0].shape = {list(xs[0].shape)} != "
                f"values[{i}].shape = {list(x.shape)}", "Pack")
    a = _axis("Pack", axis, xs[0].ndim + 1)
    y = Tensor(B.xp.stack([x._value for x in xs], axis=a))
    return record("Pack", tuple(xs), y, lambda dy: tuple(unstack(dy, axis=a)))


def unstack(value: TensorLike, num: int | None = None, axis: int = 0, name: str | None = None) -> list[Tensor]:
    """Split along ``axis`` into tensors of one rank less.   Gradient: the dys stacked."""
    x = convert_to_tensor(value)
    a = _axis("Unpack", axis, x.ndim)
    if num is not None and num != x.shape[a]:
        raise InvalidArgumentError(f"Unpack: num={num} but axis {a} has size {x.shape[a]}", "Unpack")
    outs = tuple(Tensor(B.xp.take(x._value, i, axis=a)) for i in range(x.shape[a]))
    return list(record("Unpack", (x,), outs, lambda dys: (stack(list(dys), axis=a),)))


def split(value: TensorLike, num_or_size_splits, axis: int = 0, num=None, name: str | None = None) -> list[Tensor]:
    """Cut along ``axis`` into equal parts (an int) or parts of given sizes.   Gradient: dys concatenated."""
    x = convert_to_tensor(value)
    a = _axis("Split", axis, x.ndim)
    n = x.shape[a]
    if isinstance(num_or_size_splits, (int, np.integer)):
        parts = int(num_or_size_splits)
        if parts <= 0 or n % parts:
            raise InvalidArgumentError(
                f"Split: axis {a} of size {n} cannot be split into {parts} equal parts", "Split")
        sizes = [n // parts] * parts
    else:
        sizes = _int_list(num_or_size_splits)
        if -1 in sizes:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        if sum(sizes) != n:
            raise InvalidArgumentError(f"Split: sizes {sizes} do not add up to axis {a}'s size {n}", "SplitV")
    bounds = np.cumsum([0] + sizes)
    index = [slice(None)] * x.ndim
    outs = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        index[a] = slice(int(lo), int(hi))
        outs.append(Tensor(x._value[tuple(index)]))
    return list(record("Split", (x,), tuple(outs), lambda dys: (concat(list(dys), axis=a),)))


def tile(input: TensorLike, multiples, name: str | None = None) -> Tensor:  # noqa: A002
    """Repeat the whole tensor ``multiples[i]`` times along axis i.

    Gradient: each input element appears once per tile, so its gradient is the
    sum of dy over the tiles: view dy as (m0, d0, m1, d1, ...) and sum the m axes.
    """
    x = convert_to_tensor(input)
    reps = _int_list(multiples)
    if len(reps) != x.ndim:
        raise InvalidArgumentError(
            f"Tile: multiples has {len(reps)} entries but the input has rank {x.ndim} (shape {list(x.shape)})", "Tile")
    y = Tensor(B.xp.tile(x._value, reps))

    def backward(dy):
        from minitf.ops.reductions import reduce_sum
        interleaved = [d for pair in zip(reps, x.shape) for d in pair]
        return (reduce_sum(reshape(dy, interleaved), axis=tuple(range(0, 2 * x.ndim, 2))),)

    return record("Tile", (x,), y, backward)


def reverse(tensor: TensorLike, axis, name: str | None = None) -> Tensor:
    """Reverse the order of elements along the given axes.   Gradient: dy reversed the same way."""
    x = convert_to_tensor(tensor)
    axes = tuple(_axis("ReverseV2", a, x.ndim) for a in _int_list(axis))
    y = Tensor(B.xp.flip(x._value, axes))
    return record("ReverseV2", (x,), y, lambda dy: (reverse(dy, axes),))


def pad(tensor: TensorLike, paddings, mode: str = "CONSTANT", constant_values=0, name: str | None = None) -> Tensor:
    """Pad with ``paddings[i] = [before, after]`` cells on axis i.

    CONSTANT fills with ``constant_values``; its gradient is dy with the padding
    sliced off. REFLECT and SYMMETRIC copy cells from inside the tensor, so they
    are gathers, and their gradient is a scatter-add (via ``gather``).
    """
    x = convert_to_tensor(tensor)
    pads = np.asarray(paddings.numpy() if isinstance(paddings, Tensor) else paddings, dtype=np.int64)
    if pads.shape != (x.ndim, 2) or (pads < 0).any():
        raise InvalidArgumentError(
            f"Pad: paddings must be non-negative, of shape [{x.ndim}, 2] for an input of shape "
            f"{list(x.shape)}; got {pads.tolist()}", "Pad")
    mode = mode.upper()
    if mode == "CONSTANT":
        y = Tensor(B.xp.pad(x._value, [tuple(p) for p in pads.tolist()], constant_values=constant_values))
        inner = tuple(slice(int(lo), int(lo) + n) for (lo, _), n in zip(pads, x.shape))
        return record("Pad", (x,), y, lambda dy: (dy[inner],))
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise InvalidArgumentError(f"Pad: mode must be CONSTANT, REFLECT or SYMMETRIC, got {mode!r}", "Pad")
    out = x
    for axis, (lo, hi) in enumerate(pads.tolist()):
        limit = x.shape[axis] - (1 if mode == "REFLECT" else 0)
        if lo > limit or hi > limit:
            raise InvalidArgumentError(
                f"Pad: {mode} padding of {max(lo, hi)} on axis {axis} needs at most {limit} "
                f"(the axis has size {x.shape[axis]})", "MirrorPad")
        if lo or hi:
            index = np.pad(np.arange(x.shape[axis]), (lo, hi), mode="reflect" if mode == "REFLECT" else "symmetric")
            out = gather(out, index, axis=axis)
    return out


# --- indexing -----------------------------------------------------------------------
def _index_key(x: Tensor, key) -> tuple:
    """A NumPy basic-indexing key from TF's: ints, slices, newaxis (None), Ellipsis."""
    key = key if isinstance(key, tuple) else (key,)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            if k.ndim != 0 or not k.dtype.is_integer:
                raise TypeError(
                    f"StridedSlice: only integer scalar tensors can index, got {k.dtype.name} of shape "
                    f"{list(k.shape)}; for many indices use tf.gather, for a mask tf.boolean_mask")
            k = int(k)
        if isinstance(k, slice):
            k = slice(*(int(v) if isinstance(v, (Tensor, np.integer)) else v for v in (k.start, k.stop, k.step)))
        elif isinstance(k, (bool, np.bool_)) or not (k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice))):
            raise TypeError(
                f"StridedSlice: index {k!r} is not supported: use ints, slices, tf.newaxis and ...; "
                "for a list of indices use tf.gather, for a boolean mask tf.boolean_mask")
        out.append(k)
    return tuple(out)


def getitem(tensor: Tensor, key) -> Tensor:
    """``x[key]`` with TF's strided-slice rules.   Gradient: dy placed back, zeros elsewhere."""
    x = convert_to_tensor(tensor)
    key = _index_key(x, key)
    try:
        value = x._value[key]
    except IndexError as e:
        raise InvalidArgumentError(f"StridedSlice: index {key} is out of bounds for shape {list(x.shape)} ({e})",
                                   "StridedSlice") from None
    y = VariableSlice(value, x, key) if isinstance(x, Variable) else Tensor(value)  # v[0].assign(7)
    return record("StridedSlice", (x,), y, lambda dy: (_scatter_slice(dy, tuple(x.shape), key),))


def _scatter_slice(dy: Tensor, shape: tuple, key: tuple) -> Tensor:
    """Zeros of ``shape`` with dy written at ``key`` (the slice's gradient; linear in dy)."""
    out = B.xp.zeros(shape, dtype=dy._value.dtype)
    out[key] = dy._value
    return record("StridedSliceGrad", (dy,), Tensor(out), lambda ddy: (ddy[key],))


Tensor.__getitem__ = getitem


def _check_indices(op: str, indices, size: int, axis: int, shape) -> None:
    if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= size):
        bad = int(indices.min()) if int(indices.min()) < 0 else int(indices.max())
        raise InvalidArgumentError(
            f"{op}: indices contain {bad}, which is not in [0, {size}) for axis {axis} of params "
            f"with shape {list(shape)}", op)


def gather(params: TensorLike, indices: TensorLike, validate_indices=None, axis=None, batch_dims: int = 0,
           name: str | None = None) -> Tensor:
    """Pick slices of ``params`` along ``axis`` (default 0) at ``indices``.

    Output shape: params.shape[:axis] + indices.shape + params.shape[axis+1:].
    Gradient: each dy slice is added back at the index it came from.
    """
    x = convert_to_tensor(params)
    idx = convert_to_tensor(indices)
    if not idx.dtype.is_integer:
        raise InvalidArgumentTypeError(f"GatherV2: indices must be integers, got {idx.dtype.name}", "GatherV2")
    if batch_dims != 0:
        raise UnimplementedError("GatherV2: batch_dims other than 0 is not implemented in minitf", "GatherV2")
    a = _axis("GatherV2", 0 if axis is None else axis, x.ndim)
    _check_indices("GatherV2", idx._value, x.shape[a], a, x.shape)
    y = Tensor(B.xp.take(x._value, idx._value, axis=a))
    return record("GatherV2", (x,), y, lambda dy: (_scatter_gather(dy, idx, a, tuple(x.shape)),))


def _scatter_gather(dy: Tensor, idx: Tensor, axis: int, shape: tuple) -> Tensor:
    """The gradient of gather: zeros of ``shape`` with dy added at ``idx`` along ``axis``."""
    out = B.xp.zeros(shape, dtype=dy._value.dtype)
    moved = B.xp.moveaxis(out, axis, 0)  # a view: adding into it fills ``out``
    d = dy._value.reshape(shape[:axis] + (idx._value.size,) + shape[axis + 1:])
    B.scatter_add(moved, idx._value.reshape(-1), B.xp.moveaxis(d, axis, 0))
    return record("GatherGrad", (dy,), Tensor(out), lambda ddy: (gather(ddy, idx, axis=axis),))


def gather_nd(params: TensorLike, indices: TensorLike, batch_dims: int = 0, name: str | None = None) -> Tensor:
    """Pick elements (or slices) of ``params`` at the coordinates in the last axis of ``indices``."""
    x = convert_to_tensor(params)
    idx = convert_to_tensor(indices)
    if batch_dims != 0:
        raise UnimplementedError("GatherNd: batch_dims other than 0 is not implemented in minitf", "GatherNd")
    depth = idx.shape[-1]
    if depth > x.ndim:
        raise InvalidArgumentError(
            f"GatherNd: index depth {depth} (indices.shape[-1]) exceeds the rank {x.ndim} of params", "GatherNd")
    coords = tuple(idx._value[..., i] for i in range(depth))
    for i, c in enumerate(coords):
        _check_indices("GatherNd", c, x.shape[i], i, x.shape)
    return _gather_coords(x, coords)


def _scatter_nd_grad(dy: Tensor, coords: tuple, shape: tuple) -> Tensor:
    out = B.xp.zeros(shape, dtype=dy._value.dtype)
    B.scatter_add(out, coords, dy._value)
    return record("GatherNdGrad", (dy,), Tensor(out), lambda ddy: (_gather_coords(ddy, coords),))


def _gather_coords(x: Tensor, coords: tuple) -> Tensor:
    y = Tensor(x._value[coords])
    return record("GatherNd", (x,), y, lambda dy: (_scatter_nd_grad(dy, coords, tuple(x.shape)),))


def boolean_mask(tensor: TensorLike, mask: TensorLike, axis=None, name: str | None = None) -> Tensor:
    """The elements (or slices) of ``tensor`` where ``mask`` is true, flattened over the mask's axes.

    A gather of the true positions, so the gradient is gather's.
    """
    x = convert_to_tensor(tensor)
    m = convert_to_tensor(mask)
    if m._value.dtype != np.bool_:
        raise InvalidArgumentTypeError(f"boolean_mask: mask must be bool, got {m.dtype.name}", "boolean_mask")
    a = 0 if axis is None else _axis("boolean_mask", axis, x.ndim)
    if tuple(x.shape[a:a + m.ndim]) != tuple(m.shape):
        raise InvalidArgumentError(
            f"boolean_mask: mask of shape {list(m.shape)} does not match tensor shape {list(x.shape)} "
            f"at axes {a}..{a + m.ndim - 1}", "boolean_mask")
    flat = reshape(x, tuple(x.shape[:a]) + (-1,) + tuple(x.shape[a + m.ndim:]))
    positions = B.xp.nonzero(m._value.reshape(-1))[0]
    return gather(flat, Tensor(positions), axis=a)


def take_along_axis(x: TensorLike, indices: TensorLike, axis: int) -> Tensor:
    """out[..., i, ...] = x[..., indices[..., i, ...], ...] along ``axis`` (used by sort and top_k)."""
    x = convert_to_tensor(x)
    idx = convert_to_tensor(indices)
    a = _axis("TakeAlongAxis", axis, x.ndim)
    y = Tensor(B.xp.take_along_axis(x._value, idx._value, axis=a))
    return record("TakeAlongAxis", (x,), y, lambda dy: (_scatter_along_axis(dy, idx, a, tuple(x.shape)),))


def _scatter_along_axis(dy: Tensor, idx: Tensor, axis: int, shape: tuple) -> Tensor:
    out = B.xp.zeros(shape, dtype=dy._value.dtype)
    grid = list(B.xp.ogrid[tuple(slice(n) for n in idx.shape)])
    grid[axis] = idx._value
    B.scatter_add(out, tuple(grid), dy._value)
    return record("TakeAlongAxisGrad", (dy,), Tensor(out), lambda ddy: (take_along_axis(ddy, idx, axis),))


def one_hot(indices: TensorLike, depth: int, on_value=None, off_value=None, axis: int | None = None,
            dtype=None, name: str | None = None) -> Tensor:
    """A ``depth``-long one-hot vector per index (indices outside [0, depth) give all off_value)."""
    idx = convert_to_tensor(indices)
    if not idx.dtype.is_integer:
        raise InvalidArgumentTypeError(f"OneHot: indices must be integers, got {idx.dtype.name}", "OneHot")
    if dtype is not None:
        dt = dtypes.as_dtype(dtype)._np
    elif on_value is not None or off_value is not None:  # TF: the dtype of on_value (or off_value)
        dt = convert_to_tensor(on_value if on_value is not None else off_value)._value.dtype
    else:
        dt = np.dtype(np.float32)
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    hot = idx._value[..., None] == B.xp.arange(int(depth))
    out = B.xp.where(hot, B.xp.asarray(on, dtype=dt), B.xp.asarray(off, dtype=dt))
    if axis is not None and axis != -1:
        out = B.xp.moveaxis(out, -1, axis)
    return Tensor(out)


# --- dtype, identity, gradient barriers --------------------------------------------------
def cast(x: TensorLike, dtype, name: str | None = None) -> Tensor:
    """Convert to ``dtype`` (floats to ints truncate toward zero, as in TF).

    Gradient: cast back, between float dtypes; none across to or from integers.
    """
    x = convert_to_tensor(x)
    target = dtypes.as_dtype(dtype)._np
    if x._value.dtype == target:
        return x
    with np.errstate(over="ignore", invalid="ignore"):  # 1e30 -> float16 is inf, nan -> int is junk: quietly, as TF
        y = Tensor(x._value.astype(target))
    if x._value.dtype.kind == "f" and target.kind == "f":
        return record("Cast", (x,), y, lambda dy: (cast(dy, x.dtype),))
    return y


def identity(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    """A new tensor with the same value.   Gradient: dy."""
    x = convert_to_tensor(input)
    y = Tensor(x._value)
    return record("Identity", (x,), y, lambda dy: (dy,))


def stop_gradient(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    """The same value, but no gradient flows back through it (nothing is recorded)."""
    return Tensor(convert_to_tensor(input)._value)


# --- sorting --------------------------------------------------------------------------
def argsort(values: TensorLike, axis: int = -1, direction: str = "ASCENDING", stable: bool = False,
            name: str | None = None) -> Tensor:
    """Indices that sort ``values`` along ``axis`` (int32); equal values keep their order."""
    x = convert_to_tensor(values)
    a = _axis("ArgSort", axis, x.ndim)
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"argsort: direction must be 'ASCENDING' or 'DESCENDING', got {direction!r}")
    keys = x._value if direction == "ASCENDING" else -x._value
    return Tensor(B.xp.argsort(keys, axis=a, kind="stable").astype(np.int32))


def sort(values: TensorLike, axis: int = -1, direction: str = "ASCENDING", name: str | None = None) -> Tensor:
    """``values`` sorted along ``axis``: a take_along_axis of argsort, so it has a gradient."""
    x = convert_to_tensor(values)
    return take_along_axis(x, argsort(x, axis=axis, direction=direction), axis)


TopKV2 = namedtuple("TopKV2", ["values", "indices"])


def top_k(input: TensorLike, k: int = 1, sorted: bool = True, name: str | None = None) -> TopKV2:  # noqa: A002
    """The k largest entries of the last axis and their indices (ties: lower index first)."""
    x = convert_to_tensor(input)
    if not 0 <= k <= x.shape[-1]:
        raise InvalidArgumentError(f"TopKV2: k={k} must be in [0, {x.shape[-1]}] (last axis of {list(x.shape)})", "TopKV2")
    order = argsort(x, axis=-1, direction="DESCENDING")
    indices = Tensor(order._value[..., :k])
    return TopKV2(take_along_axis(x, indices, -1), indices)


# --- shape as data ------------------------------------------------------------------------
def shape(input: TensorLike, out_type=None, name: str | None = None) -> Tensor:  # noqa: A002
    dt = np.int32 if out_type is None else dtypes.as_dtype(out_type)._np
    return Tensor(B.xp.asarray(convert_to_tensor(input)._value.shape, dtype=dt))


def size(input: TensorLike, out_type=None, name: str | None = None) -> Tensor:  # noqa: A002
    dt = np.int32 if out_type is None else dtypes.as_dtype(out_type)._np
    return Tensor(B.xp.asarray(convert_to_tensor(input)._value.size, dtype=dt))


def rank(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    return Tensor(B.xp.asarray(convert_to_tensor(input)._value.ndim, dtype=np.int32))


__all__ = [n for n in dir() if not n.startswith("_") and n not in
           ("annotations", "namedtuple", "Any", "Sequence", "np", "B", "dtypes", "record", "Tensor",
            "TensorShape", "convert_to_tensor", "unbroadcast", "InvalidArgumentError",
            "InvalidArgumentTypeError", "UnimplementedError", "TensorLike")]
