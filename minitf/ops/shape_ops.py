"""Ops that move, select or copy elements: reshape, transpose, concat, slicing, gather ...

Their gradients move dy back to where each element came from: a reshape is undone by a
reshape, a transpose by the inverse transpose, a gather by a scatter-add (an element
gathered twice gets both gradients). Many of these kernels return a view of their input
(``view = True``): no data is copied, which is safe because no array is ever written into.
"""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf._tf_compat import nan_top_k_order
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError, UnimplementedError
from minitf.ops.creation import is_traced, shape_tensor
from minitf.ops.elementwise import cast, unbroadcast
from minitf.ops.op import Op
from minitf.tensor import Tensor, Variable, VariableSlice, convert_to_tensor

TensorLike = Any


def _int_list(value) -> list[int]:
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, (int, np.integer)):
        return [int(value)]
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(v) for v in np.asarray(value).reshape(-1)]


def host_scalar(out):
    """A kernel's result as an array: NumPy hands out one element of an object array (a string
    tensor) as the bare ``bytes``, where a number comes as a NumPy scalar that has a shape."""
    return np.array(out, dtype=object) if type(out) is bytes else out


def _axis(op: str, axis, ndim: int) -> int:
    if isinstance(axis, float) or isinstance(axis, Tensor) and not axis.dtype.is_integer:
        raise InvalidArgumentTypeError(f"{op}: axis must be an integer, got {axis!r}", op)
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise InvalidArgumentError(f"{op}: axis {axis} is out of range for rank {ndim}; expected [{-ndim}, {ndim})", op)
    return axis % ndim


# --- shape changes ------------------------------------------------------------------
class Reshape(Op):
    """Same elements, new shape (one dimension may be -1).   Gradient: dy reshaped back."""

    view = True
    grad_reads_inputs = grad_reads_outputs = False  # ReshapeLike reads only the input's shape

    def forward(x, shape):
        return x.reshape(shape)

    def backward(ctx, dy):
        return ReshapeLike.apply(dy, ctx.inputs[0])

    def shape(x_shape, shape):
        return tuple(None if d == -1 else d for d in shape)

    @classmethod
    def invalid(cls, inputs, attrs, error):
        x = inputs[0]
        return InvalidArgumentError(
            f"Reshape: cannot reshape a tensor with {x._value.size} elements (shape {list(x.shape)}) "
            f"to shape {list(attrs['shape'])}", "Reshape")


class ReshapeLike(Op):
    """x reshaped to ``like``'s shape, read when the op runs (the gradient of a reshape).
    Gradient: dy reshaped to x's shape."""

    view = True

    def forward(x, like):
        return x.reshape(like.shape)

    def backward(ctx, dy):
        return ReshapeLike.apply(dy, ctx.inputs[0]), None

    def shape(x_shape, like_shape):
        return like_shape


class ReshapeToTensor(Op):
    """``Reshape`` to a shape computed in a traced function (``tf.reshape(x, tf.shape(y))``), read
    when the op runs.   Gradient: dy reshaped back."""

    name = "Reshape"
    view = True
    shape_value_inputs = (1,)  # while tracing, the output's shape is what is known of the shape's value

    def forward(x, shape):
        return x.reshape(tuple(int(d) for d in B.to_numpy(shape).tolist()))

    def backward(ctx, dy):
        return ReshapeLike.apply(dy, ctx.inputs[0]), None

    def shape(x_shape, dims):
        if dims is None:
            return None
        dims = tuple(dims)
        known = None not in x_shape and None not in dims
        size = math.prod(x_shape) if None not in x_shape else None
        rest = math.prod(d for d in dims if d != -1) if None not in dims else None
        if known and (size != rest if -1 not in dims else rest == 0 or size % rest):
            raise ValueError(f"Cannot reshape a tensor with {size} elements to shape {list(dims)}")  # TF, tracing
        if -1 in dims:
            dims = tuple((size // rest if size is not None and rest else None) if d == -1 else d for d in dims)
        return dims

    @classmethod
    def invalid(cls, inputs, attrs, error):
        from minitf.graph import static_value
        x, dims = inputs[0], static_value(inputs[1])
        wanted = f"shape {list(dims)}" if dims is not None else "the shape given"
        return InvalidArgumentError(f"Reshape: cannot reshape a tensor with {x._value.size} elements (shape "
                                    f"{list(x.shape)}) to {wanted}", "Reshape")


def reshape(tensor: TensorLike, shape, name: str | None = None) -> Tensor:
    x = convert_to_tensor(tensor)
    if is_traced(shape):
        dims = shape_tensor(shape)
        if not dims.dtype.is_integer:
            raise InvalidArgumentTypeError(f"Reshape: shape must be integers, got {dims.dtype.name}", "Reshape")
        return ReshapeToTensor.apply(x, dims)
    if isinstance(shape, Tensor) and not shape.dtype.is_integer or any(
            isinstance(d, (float, np.floating)) for d in (shape if isinstance(shape, (list, tuple)) else ())):
        raise InvalidArgumentTypeError(f"Reshape: shape must be integers, got {shape!r}", "Reshape")
    new_shape = tuple(_int_list(shape))
    if sum(d == -1 for d in new_shape) > 1 or any(d < -1 for d in new_shape):
        raise InvalidArgumentError(f"Reshape: shape {list(new_shape)} may hold one -1 and no other negative size",
                                   "Reshape")
    return Reshape.apply(x, shape=new_shape)


class Transpose(Op):
    """Permute axes.   Gradient: dy permuted back by the inverse permutation."""

    view = True

    def forward(x, perm):
        return B.module_of(x).transpose(x, perm)

    def backward(ctx, dy):
        return transpose(dy, [int(i) for i in np.argsort(ctx.perm)])

    def shape(x_shape, perm):
        return tuple(x_shape[p] for p in perm)


def transpose(a: TensorLike, perm=None, conjugate: bool = False, name: str | None = None) -> Tensor:
    """Permute axes (default: reverse them)."""
    x = convert_to_tensor(a)
    perm = list(range(x.ndim))[::-1] if perm is None else _int_list(perm)
    if sorted(p % max(x.ndim, 1) for p in perm) != list(range(x.ndim)):
        raise InvalidArgumentError(
            f"Transpose: perm {perm} is not a permutation of the axes of a rank-{x.ndim} tensor "
            f"(shape {list(x.shape)})", "Transpose")
    return Transpose.apply(x, perm=tuple(p % max(x.ndim, 1) for p in perm))


def expand_dims(input: TensorLike, axis: int, name: str | None = None) -> Tensor:  # noqa: A002
    """Insert a size-1 axis at ``axis`` (a reshape)."""
    x = convert_to_tensor(input)
    if isinstance(axis, float) or not -x.ndim - 1 <= int(axis) <= x.ndim:
        raise InvalidArgumentError(
            f"ExpandDims: axis {axis} is out of range for a tensor of rank {x.ndim} (shape {list(x.shape)}); "
            f"expected an integer in [{-x.ndim - 1}, {x.ndim}]", "ExpandDims")
    a = _axis("ExpandDims", axis, x.ndim + 1)
    return ExpandDims.apply(x, axis=a)


class ExpandDims(Op):
    """A size-1 axis inserted at ``axis``.   Gradient: dy reshaped back."""

    view = True
    grad_reads_inputs = grad_reads_outputs = False  # ReshapeLike reads only the input's shape

    def forward(x, axis):
        return B.module_of(x).expand_dims(x, axis)

    def backward(ctx, dy):
        return ReshapeLike.apply(dy, ctx.inputs[0])

    def shape(x_shape, axis):
        return tuple(x_shape[:axis]) + (1,) + tuple(x_shape[axis:])


class Squeeze(Op):
    """Size-1 axes removed.   Gradient: dy reshaped back."""

    view = True
    grad_reads_inputs = grad_reads_outputs = False  # ReshapeLike reads only the input's shape

    def forward(x, axis):
        return B.module_of(x).squeeze(x, axis)

    def backward(ctx, dy):
        return ReshapeLike.apply(dy, ctx.inputs[0])

    def shape(x_shape, axis):
        return tuple(n for i, n in enumerate(x_shape) if i not in axis)


def squeeze(input: TensorLike, axis=None, name: str | None = None) -> Tensor:  # noqa: A002
    """Remove size-1 axes (all of them, or those in ``axis``)."""
    x = convert_to_tensor(input)
    if axis is None:
        if None in x.shape:
            raise InvalidArgumentError(
                f"Squeeze: the shape {x.shape} has unknown sizes; name the axes to squeeze", "Squeeze")
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    else:
        axes = tuple(sorted({_axis("Squeeze", a, x.ndim) for a in _int_list(axis)}))
        for a in axes:
            if x.shape[a] not in (1, None):
                raise InvalidArgumentError(
                    f"Squeeze: cannot squeeze axis {a} of size {x.shape[a]} (shape {list(x.shape)}); "
                    "only size-1 axes can be squeezed", "Squeeze")
    return Squeeze.apply(x, axis=axes)


class BroadcastTo(Op):
    """Repeat along size-1 (or missing) axes to ``shape``.   Gradient: dy summed back (unbroadcast)."""

    view = True

    def forward(x, shape):
        return B.module_of(x).broadcast_to(x, shape)

    def backward(ctx, dy):
        return unbroadcast(dy, ctx.inputs[0])

    def shape(x_shape, shape):
        return shape

    @classmethod
    def invalid(cls, inputs, attrs, error):
        return InvalidArgumentError(f"BroadcastTo: cannot broadcast shape {list(inputs[0].shape)} to "
                                    f"{list(attrs['shape'])}", "BroadcastTo")


def broadcast_to(input: TensorLike, shape, name: str | None = None) -> Tensor:  # noqa: A002
    return BroadcastTo.apply(convert_to_tensor(input), shape=tuple(_int_list(shape)))


# --- joining and splitting ------------------------------------------------------------
def _same_dtype(op: str, tensors: list[Tensor]) -> None:
    first = tensors[0]._value.dtype
    for i, t in enumerate(tensors):
        if t._value.dtype != first:
            raise InvalidArgumentTypeError(
                f"{op}: all values must have one dtype; value 0 is {tensors[0].dtype.name}, "
                f"value {i} is {t.dtype.name}", op)


def _as_tensors(op: str, values) -> list[Tensor]:
    xs = [convert_to_tensor(v) for v in values]
    if not xs:
        raise ValueError(f"{op}: values must not be empty")
    xs = [x if isinstance(x, Tensor) and x.dtype == xs[0].dtype else convert_to_tensor(v, dtype_hint=xs[0].dtype)
          for x, v in zip(xs, values)]
    _same_dtype(op, xs)
    return xs


class ConcatV2(Op):
    """Tensors joined along an existing axis.   Gradient: dy split back into the pieces."""

    def forward(*xs, axis):
        return B.module_of(xs[0]).concatenate(xs, axis=axis)

    def backward(ctx, dy):
        return tuple(SplitLike.apply(dy, *ctx.inputs, axis=ctx.axis))

    def shape(*shapes, axis):
        sizes = [s[axis] for s in shapes]
        out = list(shapes[0])
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    @classmethod
    def invalid(cls, inputs, attrs, error):
        return InvalidArgumentError(
            f"ConcatV2: shapes {[list(x.shape) for x in inputs]} must match in every dimension but axis "
            f"{attrs['axis']}", "ConcatV2")


class SplitLike(Op):
    """x cut along ``axis`` into pieces as long as each of ``likes`` (the gradient of concat).
    Gradient: the dys concatenated."""

    view = True

    def forward(x, *likes, axis):
        bounds = np.cumsum([0] + [like.shape[axis] for like in likes])
        index = [slice(None)] * x.ndim
        out = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            index[axis] = slice(int(lo), int(hi))
            out.append(x[tuple(index)])
        return tuple(out)

    def backward(ctx, dys):
        return (ConcatV2.apply(*dys, axis=ctx.axis),) + (None,) * (len(ctx.inputs) - 1)

    def shape(x_shape, *like_shapes, axis):
        return [tuple(x_shape[:axis]) + (s[axis],) + tuple(x_shape[axis + 1:]) for s in like_shapes]


def concat(values: Sequence[TensorLike], axis: int, name: str | None = None) -> Tensor:
    """Join tensors along an existing axis."""
    xs = _as_tensors("ConcatV2", values)
    if len(xs) == 1:  # as TF: one tensor is returned as it is, its axis unchecked (a scalar too)
        return identity(xs[0])
    a = _axis("ConcatV2", axis, xs[0].ndim)
    return ConcatV2.apply(*xs, axis=a)


class Pack(Op):
    """Same-shaped tensors joined along a new axis.   Gradient: dy unstacked."""

    def forward(*xs, axis):
        return B.module_of(xs[0]).stack(xs, axis=axis)

    def backward(ctx, dy):
        return tuple(unstack(dy, axis=ctx.axis))

    def shape(*shapes, axis):
        return tuple(shapes[0][:axis]) + (len(shapes),) + tuple(shapes[0][axis:])


def stack(values: Sequence[TensorLike], axis: int = 0, name: str | None = None) -> Tensor:
    if axis == 0 and isinstance(values, (list, tuple)) and not values:  # as TF: [] converts to a float32 (0,)
        return convert_to_tensor([])
    xs = _as_tensors("Pack", values)
    for i, x in enumerate(xs):
        if tuple(x.shape) != tuple(xs[0].shape):
            raise InvalidArgumentError(
                f"Pack: shapes of all inputs must match: values[0].shape = {list(xs[0].shape)} != "
                f"values[{i}].shape = {list(x.shape)}", "Pack")
    a = _axis("Pack", axis, xs[0].ndim + 1)
    return Pack.apply(*xs, axis=a)


class Unpack(Op):
    """Slices along ``axis``, each one rank less.   Gradient: the dys stacked."""

    view = True

    def forward(x, axis):
        if axis == 0:  # x[i]: a view, and contiguous when x is (an RNN's time steps, unstacked)
            return tuple(host_scalar(x[i]) for i in range(x.shape[0]))
        return tuple(host_scalar(B.module_of(x).take(x, i, axis=axis)) for i in range(x.shape[axis]))

    def backward(ctx, dys):
        return Pack.apply(*dys, axis=ctx.axis)

    def shape(x_shape, axis):
        return [tuple(x_shape[:axis]) + tuple(x_shape[axis + 1:])] * x_shape[axis]


def unstack(value: TensorLike, num: int | None = None, axis: int = 0, name: str | None = None) -> list[Tensor]:
    x = convert_to_tensor(value)
    a = _axis("Unpack", axis, x.ndim)
    if x.shape[a] is None:
        raise InvalidArgumentError(f"Unpack: axis {a} has an unknown size (shape {x.shape})", "Unpack")
    if num is not None and num != x.shape[a]:
        raise InvalidArgumentError(f"Unpack: num={num} but axis {a} has size {x.shape[a]}", "Unpack")
    if x.shape[a] == 0:
        return []
    return list(Unpack.apply(x, axis=a))


class Split(Op):
    """Pieces of the given sizes along ``axis``.   Gradient: the dys concatenated."""

    view = True

    def forward(x, sizes, axis):
        bounds = np.cumsum((0,) + sizes)
        index = [slice(None)] * x.ndim
        out = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            index[axis] = slice(int(lo), int(hi))
            out.append(x[tuple(index)])
        return tuple(out)

    def backward(ctx, dys):
        return ConcatV2.apply(*dys, axis=ctx.axis)

    def shape(x_shape, sizes, axis):
        return [tuple(x_shape[:axis]) + (n,) + tuple(x_shape[axis + 1:]) for n in sizes]


def split(value: TensorLike, num_or_size_splits, axis: int = 0, num=None, name: str | None = None) -> list[Tensor]:
    """Cut along ``axis`` into equal parts (an int) or parts of given sizes."""
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
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise InvalidArgumentError(f"Split: sizes {sizes} do not add up to axis {a}'s size {n}", "SplitV")
    return list(Split.apply(x, sizes=tuple(sizes), axis=a))


class Tile(Op):
    """The whole tensor repeated ``multiples[i]`` times along axis i.

    Gradient: each input element appears once per tile, so its gradient is the sum of dy
    over the tiles: view dy as (m0, d0, m1, d1, ...) and sum the m axes.
    """

    def forward(x, multiples):
        return B.module_of(x).tile(x, multiples)

    def backward(ctx, dy):
        from minitf.ops.reductions import reduce_sum
        x = ctx.inputs[0]
        interleaved = [d for pair in zip(ctx.multiples, x.shape) for d in pair]
        return reduce_sum(reshape(dy, interleaved), axis=tuple(range(0, 2 * x.ndim, 2)))

    def shape(x_shape, multiples):
        return tuple(None if n is None else n * m for n, m in zip(x_shape, multiples))


def tile(input: TensorLike, multiples, name: str | None = None) -> Tensor:  # noqa: A002
    x = convert_to_tensor(input)
    reps = _int_list(multiples)
    if len(reps) != x.ndim:
        raise InvalidArgumentError(
            f"Tile: multiples has {len(reps)} entries but the input has rank {x.ndim} (shape {list(x.shape)})", "Tile")
    if any(r < 0 for r in reps):
        raise InvalidArgumentError(f"Tile: multiples {reps} must be non-negative", "Tile")
    return Tile.apply(x, multiples=tuple(reps))


class ReverseV2(Op):
    """Elements in reverse order along ``axis``.   Gradient: dy reversed the same way."""

    view = True

    def forward(x, axis):
        return B.module_of(x).flip(x, axis)

    def backward(ctx, dy):
        return ReverseV2.apply(dy, axis=ctx.axis)

    def shape(x_shape, axis):
        return x_shape


def reverse(tensor: TensorLike, axis, name: str | None = None) -> Tensor:
    x = convert_to_tensor(tensor)
    if x.ndim == 0:  # as TF's kernel: a scalar comes back as it is, whatever the axes
        return identity(x)
    return ReverseV2.apply(x, axis=tuple(_axis("ReverseV2", a, x.ndim) for a in _int_list(axis)))


class Roll(Op):
    """x shifted by ``shifts[i]`` cells along ``axes[i]``, the cells pushed off one end coming back at
    the other (a shift of 1: [a, b, c] -> [c, a, b]).   Gradient: dy rolled back, by -shifts."""

    def forward(x, shifts, axes):
        return B.module_of(x).roll(x, shifts, axes)

    def backward(ctx, dy):
        return Roll.apply(dy, shifts=tuple(-s for s in ctx.shifts), axes=ctx.axes)

    def shape(x_shape, shifts, axes):
        return x_shape


def roll(input: TensorLike, shift, axis, name: str | None = None) -> Tensor:  # noqa: A002
    """``tf.roll``: ``shift`` and ``axis`` are ints or equal-length lists (shifts of one axis add up)."""
    x = convert_to_tensor(input)
    shifts, axes = _int_list(shift), _int_list(axis)
    if len(shifts) != len(axes):
        raise InvalidArgumentError(f"Roll: shift and axis must have the same size, got {len(shifts)} shift(s) and "
                                   f"{len(axes)} axis", "Roll")
    if x.ndim == 0:
        raise InvalidArgumentError("Roll: input must be 1-D or higher, got a scalar", "Roll")
    return Roll.apply(x, shifts=tuple(shifts), axes=tuple(_axis("Roll", a, x.ndim) for a in axes))


def repeat(input: TensorLike, repeats, axis=None, name: str | None = None) -> Tensor:  # noqa: A002
    """``tf.repeat``: each slice along ``axis`` (axis None: each element of the flattened input)
    repeated ``repeats`` times, an int or one count per slice: [a, b] with repeats [2, 1] -> [a, a, b].

    A gather of the repeated indices, so the gradient (gather's) adds up the copies of each slice."""
    x = convert_to_tensor(input)
    if axis is None:
        x, axis = reshape(x, [-1]), 0
    if x.ndim == 0:  # as TF: a scalar is taken as a vector of one
        x = reshape(x, [1])
    a = _axis("Repeat", axis, x.ndim)
    counts = _int_list(repeats)
    n = x.shape[a]
    if len(counts) == 1:
        counts = counts * n
    elif len(counts) != n:
        raise InvalidArgumentError(f"Repeat: repeats has {len(counts)} counts for {n} slices along axis {a} "
                                   f"(shape {list(x.shape)}): expected one count, or one per slice", "Repeat")
    if any(c < 0 for c in counts):
        raise InvalidArgumentError(f"Repeat: repeats must not be negative, got {counts}", "Repeat")
    index = np.repeat(np.arange(n, dtype=np.int64), counts)
    return GatherV2.apply(x, convert_to_tensor(index), axis=a)


def meshgrid(*args, **kwargs) -> list:
    """``tf.meshgrid``: N vectors of sizes (n0, n1, ...) -> N grids of shape (n1, n0, ...) for
    ``indexing="xy"`` (the default: the first two axes swapped, as NumPy's) or (n0, n1, ...) for "ij".
    As TF: each vector reshaped to lie along its axis, times ones of the grid's shape (so the gradient
    of a grid sums it over the other axes)."""
    from minitf._tf_compat import meshgrid_product
    from minitf.ops.creation import ones
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Invalid keywords argument(s): {list(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got '{indexing}'")
    ndim = len(args)
    if not ndim:
        return []
    vectors = [convert_to_tensor(a) for a in args]
    output = [reshape(v, (1,) * i + (-1,) + (1,) * (ndim - i - 1)) for i, v in enumerate(vectors)]
    shapes = [int(np.prod(v.shape, dtype=np.int64)) for v in vectors]
    if indexing == "xy" and ndim > 1:
        output[0] = reshape(output[0], (1, -1) + (1,) * (ndim - 2))
        output[1] = reshape(output[1], (-1, 1) + (1,) * (ndim - 2))
        shapes[0], shapes[1] = shapes[1], shapes[0]
    factor = ones(shapes, vectors[0].dtype)
    return [meshgrid_product(t, factor) for t in output]  # t * factor, as TF's operator computes it


def sequence_mask(lengths: TensorLike, maxlen=None, dtype=dtypes.bool, name: str | None = None) -> Tensor:
    """``mask[..., j] = j < lengths[...]`` for j < maxlen (default: the largest length), as TF builds it:
    ``range(maxlen) < lengths[..., None]`` (the lengths cast to maxlen's type), then cast to ``dtype``."""
    from minitf.ops.creation import range as range_
    from minitf.ops.elementwise import less, maximum
    from minitf.ops.reductions import reduce_max
    lengths = convert_to_tensor(lengths)
    if maxlen is None:
        maxlen = reduce_max(lengths)
        maxlen = maximum(cast(0, maxlen.dtype), maxlen)
    else:
        maxlen = convert_to_tensor(maxlen)
    if maxlen.ndim != 0:
        raise ValueError(f"Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = {maxlen}")
    result = less(range_(maxlen), cast(expand_dims(lengths, -1), maxlen.dtype))
    return result if dtypes.as_dtype(dtype) == dtypes.bool else cast(result, dtype)


class Unique(Op):
    """The distinct values of a vector in the order they first appear, and for each element the
    index of its value among them: x = y[idx]. No gradient (as TF)."""

    def forward(x, out_idx):
        values = B.to_numpy(x)
        _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # the sorted distinct values, by first appearance
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return (B.module_of(x).asarray(values[np.sort(first)]),
                B.module_of(x).asarray(rank[inverse.reshape(-1)].astype(out_idx)))

    def shape(x_shape, out_idx):
        return [(None,), x_shape]


class UniqueResult(tuple):
    """``tf.unique``'s result: the pair (y, idx), also as attributes."""

    @property
    def y(self):
        return self[0]

    @property
    def idx(self):
        return self[1]


def unique(x: TensorLike, out_idx=dtypes.int32, name: str | None = None) -> UniqueResult:
    t = convert_to_tensor(x)
    if t.ndim != 1:
        raise InvalidArgumentError(f"Unique: unique expects a 1D vector, got shape {list(t.shape)}", "Unique")
    idx_dtype = dtypes.as_dtype(out_idx)
    if idx_dtype not in (dtypes.int32, dtypes.int64):
        raise InvalidArgumentTypeError(f"Unique: out_idx must be int32 or int64, got {idx_dtype.name}", "Unique")
    return UniqueResult(Unique.apply(t, out_idx=idx_dtype._np))


def ensure_shape(x: TensorLike, shape, name: str | None = None) -> Tensor:
    """``x`` itself, after checking that its shape fits ``shape`` (None: any size), as TF's EnsureShape
    (an InvalidArgumentError naming both shapes)."""
    t = convert_to_tensor(x)
    expected = None if shape is None else list(shape.as_list() if hasattr(shape, "as_list") else shape)
    if expected is not None:
        fits = len(expected) == t.ndim and all(e is None or a is None or int(e) == a
                                              for e, a in zip(expected, t.shape))
        if not fits:
            raise InvalidArgumentError(f"EnsureShape: Shape of tensor {list(t.shape)} is not compatible with "
                                       f"expected shape {expected}.", "EnsureShape")
    return identity(t)


class SearchSorted(Op):
    """For each value, the index where it would go in its row of ``sorted_sequence`` (the innermost
    axis; the leading axes are batch axes): before equal entries (``side="left"``) or after them. No
    gradient (as TF)."""

    def forward(sorted_sequence, values, side, out_type):
        seq, vals = B.to_numpy(sorted_sequence), B.to_numpy(values)
        rows_seq, rows_val = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
        out = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(rows_seq, rows_val)]) if len(rows_seq) \
            else np.zeros(rows_val.shape, np.int64)
        return B.module_of(values).asarray(out.reshape(vals.shape).astype(out_type))

    def shape(sorted_shape, values_shape, side, out_type):
        return values_shape


def searchsorted(sorted_sequence: TensorLike, values: TensorLike, side: str = "left", out_type=dtypes.int32,
                 name: str | None = None) -> Tensor:
    """``tf.searchsorted``: indices that keep each row of ``sorted_sequence`` sorted if ``values`` went in."""
    seq, vals = convert_to_tensor(sorted_sequence), convert_to_tensor(values)
    if side not in ("left", "right"):
        raise ValueError(f"side must be either 'right' or 'left'.  Saw: {side}.")
    if seq.ndim == 0 or vals.ndim == 0 or seq.shape[:-1] != vals.shape[:-1]:
        raise InvalidArgumentError(f"SearchSorted: sorted_sequence {list(seq.shape)} and values {list(vals.shape)} "
                                   "must be at least 1-D with the same leading (batch) dimensions", "LowerBound")
    if seq.dtype != vals.dtype:
        raise InvalidArgumentError(f"SearchSorted: sorted_sequence ({seq.dtype.name}) and values ({vals.dtype.name}) "
                                   "need the same dtype", "LowerBound")
    return SearchSorted.apply(seq, vals, side=side, out_type=dtypes.as_dtype(out_type)._np)


class Pad(Op):
    """Constant padding: ``paddings[i] = (before, after)`` cells of ``value`` on axis i.
    Gradient: dy with the padding sliced off."""

    def forward(x, paddings, value):
        if x.dtype.kind == "O":  # strings: pad with b"" as plain bytes (np.pad would write np.bytes_)
            out = np.full(tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, paddings)), value, dtype=object)
            out[tuple(slice(lo, lo + n) for n, (lo, hi) in zip(x.shape, paddings))] = x
            return out
        return B.xp.pad(x, paddings, constant_values=value)

    def backward(ctx, dy):
        return StridedSlice.apply(dy, key=tuple(slice(lo, -hi if hi else None) for lo, hi in ctx.paddings))

    def shape(x_shape, paddings, value):
        return tuple(None if n is None else n + lo + hi for n, (lo, hi) in zip(x_shape, paddings))


def pad(tensor: TensorLike, paddings, mode: str = "CONSTANT", constant_values=0, name: str | None = None) -> Tensor:
    """Pad with ``paddings[i] = [before, after]`` cells on axis i.

    CONSTANT fills with ``constant_values``; REFLECT and SYMMETRIC copy cells from inside the
    tensor, so they are gathers, and their gradient is a scatter-add (via ``gather``).
    """
    x = convert_to_tensor(tensor)
    pads = np.asarray(paddings.numpy() if isinstance(paddings, Tensor) else paddings, dtype=np.int64)
    if pads.shape != (x.ndim, 2) or (pads < 0).any():
        raise InvalidArgumentError(
            f"Pad: paddings must be non-negative, of shape [{x.ndim}, 2] for an input of shape "
            f"{list(x.shape)}; got {pads.tolist()}", "Pad")
    mode = mode.upper()
    pairs = tuple((int(lo), int(hi)) for lo, hi in pads.tolist())
    if mode == "CONSTANT":
        if x._value.dtype.kind == "O":  # strings: TF pads with b"" for the default 0 ("the zero of the dtype")
            zero = isinstance(constant_values, (int, float)) and constant_values == 0
            value = b"" if zero else convert_to_tensor(constant_values, dtype=x.dtype).numpy()
            return Pad.apply(x, paddings=pairs, value=value)
        if not isinstance(constant_values, Tensor) and np.ndim(constant_values) == 0 and constant_values == 0:
            return Pad.apply(x, paddings=pairs, value=x._value.dtype.type(0).item())  # TF: a zero of any type
        fill = constant_values if isinstance(constant_values, Tensor) else convert_to_tensor(constant_values, dtype=x.dtype)
        if fill._value.dtype != x._value.dtype:
            raise InvalidArgumentTypeError(f"Pad: constant_values is {fill.dtype.name} but the tensor is {x.dtype.name}",
                                           "Pad")
        value = fill._value.item()
        return Pad.apply(x, paddings=pairs, value=value)
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise InvalidArgumentError(f"Pad: mode must be CONSTANT, REFLECT or SYMMETRIC, got {mode!r}", "Pad")
    out = x
    for axis, (lo, hi) in enumerate(pairs):
        limit = x.shape[axis] - (1 if mode == "REFLECT" else 0)
        if lo > limit or hi > limit:
            raise InvalidArgumentError(
                f"Pad: {mode} padding of {max(lo, hi)} on axis {axis} needs at most {limit} "
                f"(the axis has size {x.shape[axis]})", "MirrorPad")
        if lo or hi:
            index = np.pad(np.arange(x.shape[axis]), (lo, hi), mode="reflect" if mode == "REFLECT" else "symmetric")
            out = gather(out, Tensor(B.xp.asarray(index)), axis=axis)
    return out


# --- indexing -----------------------------------------------------------------------
def _index_key(key) -> tuple:
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
        elif isinstance(k, np.integer):
            k = int(k)
        elif isinstance(k, (bool, np.bool_)) or not (k is None or k is Ellipsis or isinstance(k, (int, slice))):
            raise TypeError(
                f"StridedSlice: index {k!r} is not supported: use ints, slices, tf.newaxis and ...; "
                "for a list of indices use tf.gather, for a boolean mask tf.boolean_mask")
        out.append(k)
    return tuple(out)


class StridedSlice(Op):
    """``x[key]`` with TF's strided-slice rules.   Gradient: dy placed back, zeros elsewhere."""

    view = True

    def forward(x, key):
        return host_scalar(x[key])

    def backward(ctx, dy):
        return StridedSliceGrad.apply(dy, ctx.inputs[0], key=ctx.key)

    def shape(x_shape, key):
        return _sliced_shape(tuple(x_shape), key if isinstance(key, tuple) else (key,))

    @classmethod
    def invalid(cls, inputs, attrs, error):
        return InvalidArgumentError(f"StridedSlice: index {attrs['key']} is out of bounds for shape "
                                    f"{list(inputs[0].shape)} ({error})", "StridedSlice")


def _sliced_shape(shape: tuple, key: tuple) -> tuple:
    """The static shape of ``x[key]`` (ints, slices, None and Ellipsis), None where unknown."""
    explicit = sum(1 for k in key if k is not None and k is not Ellipsis)
    rest = (slice(None),) * (len(shape) - explicit)
    if Ellipsis in key:
        at = key.index(Ellipsis)
        key = key[:at] + rest + key[at + 1:]
    else:
        key = key + rest
    out, axis = [], 0
    for k in key:
        if k is None:
            out.append(1)
        elif isinstance(k, slice):
            size = shape[axis]
            out.append(None if size is None else len(range(*k.indices(size))))
            axis += 1
        elif isinstance(k, (int, np.integer)):
            axis += 1
        else:
            return (None,) * len(shape)  # an array index: no static rule
    return tuple(out)


class StridedSliceGrad(Op):
    """Zeros of ``like``'s shape with dy written at ``key`` (the slice's gradient; linear in dy).
    Gradient: ddy sliced at key."""

    def forward(dy, like, key):
        out = B.xp.zeros(like.shape, dtype=dy.dtype)
        out[key] = dy
        return out

    def backward(ctx, ddy):
        return StridedSlice.apply(ddy, key=ctx.key), None

    def shape(dy_shape, like_shape, key):
        return like_shape


def getitem(tensor: Tensor, key) -> Tensor:
    """``x[key]``; a slice of a Variable can be assigned to (``v[0].assign(7)``), as in TF."""
    x = convert_to_tensor(tensor)
    if _has_traced_index(key):
        return _getitem_traced_index(x, key)
    y = StridedSlice.apply(x, key=_index_key(key))
    if isinstance(x, Variable) and type(y) is Tensor:
        y.__class__, y._meta = VariableSlice, (x, _index_key(key))  # remembers where it came from
    return y


def _has_traced_index(key) -> bool:
    from minitf.graph import GraphTensor
    return any(isinstance(k, GraphTensor) for k in (key if isinstance(key, tuple) else (key,)))


def _getitem_traced_index(x: Tensor, key) -> Tensor:
    """``x[i]`` where ``i`` is a scalar integer tensor of a trace (its value is known only when the
    graph runs, e.g. the counter of a converted ``for i in tf.range(n)``): the other parts of the
    key slice first, then each such index gathers along its axis (negative indices count from the
    end, as in TF)."""
    from minitf.ops.elementwise import where
    key = key if isinstance(key, tuple) else (key,)
    if any(k is None or k is Ellipsis for k in key):
        raise TypeError("StridedSlice: an index known only when a traced function runs cannot be combined with "
                        "tf.newaxis or ... in minitf; index in two steps")
    basic, traced, axis = [], [], 0  # traced: (axis in the sliced result, index)
    for k in key:
        if isinstance(k, Tensor) and not isinstance(k, Variable) and _has_traced_index(k):
            if k.ndim != 0 or not k.dtype.is_integer:
                raise TypeError(
                    f"StridedSlice: only integer scalar tensors can index, got {k.dtype.name} of shape "
                    f"{list(k.shape)}; for many indices use tf.gather, for a mask tf.boolean_mask")
            basic.append(slice(None))
            traced.append((axis, k))
            axis += 1
        else:
            basic.append(k)
            axis += 0 if isinstance(k, (int, np.integer, Tensor)) else 1
    out = getitem(x, tuple(basic))
    for at, k in reversed(traced):
        size = shape(out, out_type=k.dtype)[at]
        out = gather(out, where(k < 0, k + size, k), axis=at)
    return out


def _check_indices(op: str, indices, size: int, axis: int, shape) -> None:
    """TF's CPU kernels refuse an index out of range; so does minitf on the host. On a GPU, TF
    checks nothing (reading the indices back would stop the device every step): see
    ``_in_range_on_device``."""
    if B.xp is not np:
        return
    if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= size):
        bad = int(indices.min()) if int(indices.min()) < 0 else int(indices.max())
        raise InvalidArgumentError(
            f"{op}: indices contain {bad}, which is not in [0, {size}) for axis {axis} of params "
            f"with shape {list(shape)}", op)


def _in_range_on_device(params, indices, axis: int):
    """TF's GPU gather: an index out of range gives zeros (CuPy's ``take`` would wrap it around)."""
    valid = (indices >= 0) & (indices < params.shape[axis])
    gathered = B.xp.take(params, B.xp.where(valid, indices, 0), axis=axis)
    mask = valid.reshape((1,) * axis + valid.shape + (1,) * (params.ndim - axis - 1))
    return B.xp.where(mask, gathered, params.dtype.type(0))


class GatherV2(Op):
    """Slices of ``params`` along ``axis`` at ``indices``; shape
    params.shape[:axis] + indices.shape + params.shape[axis+1:].
    Gradient: each dy slice added back at the index it came from (a scatter-add)."""

    def forward(params, indices, axis):
        _check_indices("GatherV2", indices, params.shape[axis], axis, params.shape)
        if params.dtype.kind == "O":  # strings live on the host: so do the indices that pick them
            return host_scalar(np.take(params, B.to_numpy(indices), axis=axis))
        if B.xp is not np:
            return _in_range_on_device(params, indices, axis)
        return B.xp.take(params, indices, axis=axis)

    def backward(ctx, dy):
        params, indices = ctx.inputs
        return GatherGrad.apply(dy, indices, params, axis=ctx.axis), None

    def shape(params_shape, indices_shape, axis):
        return tuple(params_shape[:axis]) + tuple(indices_shape) + tuple(params_shape[axis + 1:])


class GatherGrad(Op):
    """Zeros of ``like``'s shape with dy added at ``indices`` along ``axis``.   Gradient: a gather of ddy."""

    fresh_output = True

    def forward(dy, indices, like, axis):
        shape = like.shape
        out = B.xp.zeros(shape, dtype=dy.dtype)
        moved = B.xp.moveaxis(out, axis, 0)  # a view: adding into it fills ``out``
        d = dy.reshape(shape[:axis] + (indices.size,) + shape[axis + 1:])
        B.scatter_add(moved, indices.reshape(-1), B.xp.moveaxis(d, axis, 0))
        return out

    def backward(ctx, ddy):
        dy, indices, like = ctx.inputs
        return GatherV2.apply(ddy, indices, axis=ctx.axis), None, None

    def shape(dy_shape, indices_shape, like_shape, axis):
        return like_shape


def gather(params: TensorLike, indices: TensorLike, validate_indices=None, axis=None, batch_dims: int = 0,
           name: str | None = None) -> Tensor:
    """Pick slices of ``params`` along ``axis`` (default 0) at ``indices``."""
    x = convert_to_tensor(params)
    idx = convert_to_tensor(indices)
    if not idx.dtype.is_integer:
        raise InvalidArgumentTypeError(f"GatherV2: indices must be integers, got {idx.dtype.name}", "GatherV2")
    if batch_dims != 0:
        from minitf.ops.scatter_ops import gather_batch
        return gather_batch(x, idx, axis, int(batch_dims))
    a = _axis("GatherV2", 0 if axis is None else axis, x.ndim)
    return GatherV2.apply(x, idx, axis=a)


class GatherNd(Op):
    """Elements (or slices) of ``params`` at the coordinates in the last axis of ``indices``.
    Gradient: dy added back at those coordinates."""

    def forward(params, indices):
        coords = tuple(indices[..., i] for i in range(indices.shape[-1]))
        for i, c in enumerate(coords):
            _check_indices("GatherNd", c, params.shape[i], i, params.shape)
        if params.dtype.kind == "O":  # strings live on the host: so do the indices that pick them
            return host_scalar(params[tuple(B.to_numpy(c) for c in coords)])
        return params[coords]

    def backward(ctx, dy):
        params, indices = ctx.inputs
        return GatherNdGrad.apply(dy, indices, params), None

    def shape(params_shape, indices_shape):
        return tuple(indices_shape[:-1]) + tuple(params_shape[indices_shape[-1]:])


class GatherNdGrad(Op):
    """Zeros of ``like``'s shape with dy added at the coordinates.   Gradient: a gather_nd of ddy."""

    def forward(dy, indices, like):
        out = B.xp.zeros(like.shape, dtype=dy.dtype)
        B.scatter_add(out, tuple(indices[..., i] for i in range(indices.shape[-1])), dy)
        return out

    def backward(ctx, ddy):
        return GatherNd.apply(ddy, ctx.inputs[1]), None, None

    def shape(dy_shape, indices_shape, like_shape):
        return like_shape


def gather_nd(params: TensorLike, indices: TensorLike, batch_dims: int = 0, name: str | None = None) -> Tensor:
    x = convert_to_tensor(params)
    idx = convert_to_tensor(indices)
    if not idx.dtype.is_integer:
        raise InvalidArgumentTypeError(f"GatherNd: indices must be integers, got {idx.dtype.name}", "GatherNd")
    if batch_dims != 0:
        raise UnimplementedError("GatherNd: batch_dims other than 0 is not implemented in minitf", "GatherNd")
    depth = idx.shape[-1]
    if depth > x.ndim:
        raise InvalidArgumentError(
            f"GatherNd: index depth {depth} (indices.shape[-1]) exceeds the rank {x.ndim} of params", "GatherNd")
    return GatherNd.apply(x, idx)


def boolean_mask(tensor: TensorLike, mask: TensorLike, axis=None, name: str | None = None) -> Tensor:
    """The elements (or slices) of ``tensor`` where ``mask`` is true, flattened over the mask's axes.

    A gather of the true positions, so the gradient is gather's.
    """
    from minitf.ops.elementwise import where
    x = convert_to_tensor(tensor)
    m = convert_to_tensor(mask)
    if m._value.dtype != np.bool_:
        raise InvalidArgumentTypeError(f"boolean_mask: mask must be bool, got {m.dtype.name}", "boolean_mask")
    a = 0 if axis is None else _axis("boolean_mask", axis, x.ndim)
    if not all(d1 is None or d2 is None or d1 == d2 for d1, d2 in zip(x.shape[a:a + m.ndim], m.shape)) \
            or m.ndim > x.ndim - a:
        raise InvalidArgumentError(
            f"boolean_mask: mask of shape {list(m.shape)} does not match tensor shape {list(x.shape)} "
            f"at axes {a}..{a + m.ndim - 1}", "boolean_mask")
    masked = -1 if None in m.shape else math.prod(m.shape)  # -1 only when traced with unknown sizes
    flat = reshape(x, tuple(-1 if d is None else d for d in x.shape[:a]) + (masked,) + tuple(x.shape[a + m.ndim:]))
    positions = reshape(where(reshape(m, (-1,))), (-1,))
    return gather(flat, positions, axis=a)


class TakeAlongAxis(Op):
    """out[..., i, ...] = x[..., indices[..., i, ...], ...] along ``axis`` (sort and top_k use it).
    Gradient: dy added back along the axis at the indices."""

    def forward(x, indices, axis):
        return B.xp.take_along_axis(x, indices, axis=axis)

    def backward(ctx, dy):
        x, indices = ctx.inputs
        return TakeAlongAxisGrad.apply(dy, indices, x, axis=ctx.axis), None

    def shape(x_shape, indices_shape, axis):
        return indices_shape


class TakeAlongAxisGrad(Op):
    """Zeros of ``like``'s shape with dy added at the indices along ``axis``.   Gradient: take_along_axis."""

    def forward(dy, indices, like, axis):
        out = B.xp.zeros(like.shape, dtype=dy.dtype)
        grid = list(B.xp.ogrid[tuple(slice(n) for n in indices.shape)])
        grid[axis] = indices
        B.scatter_add(out, tuple(grid), dy)
        return out

    def backward(ctx, ddy):
        return TakeAlongAxis.apply(ddy, ctx.inputs[1], axis=ctx.axis), None, None

    def shape(dy_shape, indices_shape, like_shape, axis):
        return like_shape


def take_along_axis(x: TensorLike, indices: TensorLike, axis: int) -> Tensor:
    x = convert_to_tensor(x)
    idx = convert_to_tensor(indices)
    return TakeAlongAxis.apply(x, idx, axis=_axis("TakeAlongAxis", axis, x.ndim))


class OneHot(Op):
    """A ``depth``-long vector per index: ``on`` at the index, ``off`` elsewhere (no gradient)."""

    def forward(indices, depth, on, off, axis, dtype):
        hot = indices[..., None] == B.xp.arange(depth)
        if dtype.kind == "O":  # strings (host only): NumPy would make fixed-width bytes of them
            out = np.empty(hot.shape, dtype=object)
            out[...] = off
            out[B.to_numpy(hot)] = on
            return out if axis == -1 else np.moveaxis(out, -1, axis)
        out = B.xp.where(hot, dtype.type(on), dtype.type(off))  # scalars: kernel arguments, no upload
        return out if axis == -1 else B.xp.moveaxis(out, -1, axis)

    def shape(indices, depth, on, off, axis, dtype):
        out = list(indices) + [depth]
        if axis != -1:
            out.insert(axis, out.pop())
        return tuple(out)


def one_hot(indices: TensorLike, depth: int, on_value=None, off_value=None, axis: int | None = None,
            dtype=None, name: str | None = None) -> Tensor:
    """One-hot vectors (indices outside [0, depth) give all off_value)."""
    idx = convert_to_tensor(indices)
    if not idx.dtype.is_integer:
        raise InvalidArgumentTypeError(f"OneHot: indices must be integers, got {idx.dtype.name}", "OneHot")
    if dtype is not None:
        dt = dtypes.as_dtype(dtype)._np
    elif on_value is not None or off_value is not None:  # TF: the dtype of on_value (or off_value)
        dt = convert_to_tensor(on_value if on_value is not None else off_value)._value.dtype
    else:
        dt = np.dtype(np.float32)
    on = 1 if on_value is None else _scalar_value(on_value)
    off = 0 if off_value is None else _scalar_value(off_value)
    return OneHot.apply(idx, depth=int(depth), on=on, off=off, axis=-1 if axis is None else int(axis), dtype=dt)


def _scalar_value(value) -> Any:
    """A Python scalar from a scalar value (``bytes`` for a string, which NumPy gives as it is)."""
    value = convert_to_tensor(value).numpy()
    return value.item() if hasattr(value, "item") else value


# --- identity, gradient barriers ---------------------------------------------------------
class Identity(Op):
    """The same value (the same array: tensors are immutable).   Gradient: dy."""

    view = True

    def forward(x):
        return x

    def backward(ctx, dy):
        return dy

    def shape(x):
        return x


class StopGradient(Op):
    """The same value, but no gradient flows back through it."""

    view = True

    def forward(x):
        return x

    def shape(x):
        return x


def identity(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    return Identity.apply(convert_to_tensor(input))


def stop_gradient(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    return StopGradient.apply(convert_to_tensor(input))


# --- sorting --------------------------------------------------------------------------
class ArgSort(Op):
    """Indices that sort along ``axis`` (int32); equal values keep their order. TF sorts as a top_k
    (of -x when ascending), so a row holding NaN is ordered as its top_k (``nan_top_k_order``)."""

    def forward(x, axis, descending):
        keys = x if descending else -x
        order = B.xp.argsort(-keys, axis=axis, kind="stable").astype(np.int32)
        if x.dtype.kind == "f" and B.xp.isnan(x).any():
            moved = B.xp.moveaxis(keys, axis, -1)
            order = B.xp.moveaxis(nan_top_k_order(moved, moved.shape[-1]), -1, axis)
        return order

    def shape(x, axis, descending):
        return x


def argsort(values: TensorLike, axis: int = -1, direction: str = "ASCENDING", stable: bool = False,
            name: str | None = None) -> Tensor:
    x = _sortable("ArgSort", values)
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"argsort: direction must be 'ASCENDING' or 'DESCENDING', got {direction!r}")
    return ArgSort.apply(x, axis=_axis("ArgSort", axis, x.ndim), descending=direction == "DESCENDING")


def _sortable(op: str, values: TensorLike) -> Tensor:
    x = convert_to_tensor(values)
    if x._value.dtype.kind == "b":
        raise InvalidArgumentTypeError(f"{op}: cannot order a bool tensor {list(x.shape)} (TF's {op} takes numbers); "
                                       "cast it first, e.g. tf.cast(x, tf.int32)", op)
    return x


def sort(values: TensorLike, axis: int = -1, direction: str = "ASCENDING", name: str | None = None) -> Tensor:
    """``values`` sorted along ``axis``: a take_along_axis of argsort, so it has a gradient."""
    x = _sortable("Sort", values)
    return take_along_axis(x, argsort(x, axis=axis, direction=direction), axis)


TopKV2 = namedtuple("TopKV2", ["values", "indices"])


class TopKIndices(Op):
    """Indices of the k largest entries of the last axis (ties: lower index first).

    A row holding NaN is ordered as TF's kernel orders it (``_tf_compat.nan_top_k_order``).
    """

    def forward(x, k):
        keys = -x if x.dtype.kind != "u" else x.max() - x
        order = B.xp.argsort(keys, axis=-1, kind="stable")[..., :k].astype(np.int32)
        if x.dtype.kind == "f" and B.xp.isnan(x).any():
            order = nan_top_k_order(x, k)
        return order

    def shape(x, k):
        return (*x[:-1], k)


def top_k(input: TensorLike, k: int = 1, sorted: bool = True, name: str | None = None) -> TopKV2:  # noqa: A002
    """The k largest entries of the last axis and their indices."""
    x = _sortable("TopKV2", input)
    if x.ndim == 0:
        raise InvalidArgumentError(f"TopKV2: input must be >= 1-D, got shape {list(x.shape)}", "TopKV2")
    if not 0 <= k <= x.shape[-1]:
        raise InvalidArgumentError(f"TopKV2: k={k} must be in [0, {x.shape[-1]}] (last axis of {list(x.shape)})",
                                   "TopKV2")
    indices = TopKIndices.apply(x, k=int(k))
    return TopKV2(take_along_axis(x, indices, -1), indices)


# --- shape as data ------------------------------------------------------------------------
class Shape(Op):
    """The shape of ``x`` as a 1-D int tensor (read when the op runs)."""

    shape_only = True  # reads only the input's shape: a constant once the shape is known

    def forward(x, dtype):
        return B.xp.asarray(x.shape, dtype=dtype)

    def shape(x_shape, dtype):
        return (len(x_shape),)


class Size(Op):
    shape_only = True  # reads only the input's shape: a constant once the shape is known

    def forward(x, dtype):
        return B.xp.asarray(x.size, dtype=dtype)

    def shape(x_shape, dtype):
        return ()


class Rank(Op):
    shape_only = True  # reads only the input's shape: a constant once the shape is known

    def forward(x):
        return B.xp.asarray(x.ndim, dtype=np.int32)

    def shape(x_shape):
        return ()


def shape(input: TensorLike, out_type=None, name: str | None = None) -> Tensor:  # noqa: A002
    dt = np.dtype(np.int32) if out_type is None else dtypes.as_dtype(out_type)._np
    return Shape.apply(convert_to_tensor(input), dtype=dt)


def shape_n(input: list, out_type=None, name: str | None = None) -> list[Tensor]:  # noqa: A002
    """The shape of each tensor of ``input``."""
    return [shape(x, out_type) for x in input]


def get_static_value(tensor: Any, partial: bool = False) -> Any:
    """The NumPy value of ``tensor`` where it is known without running anything: an eager tensor's value
    (a copy), None for a tensor of a function being traced; anything that is not a tensor, as it is."""
    if not isinstance(tensor, Tensor):
        return tensor
    try:
        return tensor.numpy()
    except Exception:  # a symbolic tensor of a trace: its value is not known yet
        return None


def size(input: TensorLike, out_type=None, name: str | None = None) -> Tensor:  # noqa: A002
    dt = np.dtype(np.int32) if out_type is None else dtypes.as_dtype(out_type)._np
    return Size.apply(convert_to_tensor(input), dtype=dt)


def rank(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    return Rank.apply(convert_to_tensor(input))


__all__ = ["searchsorted", "ensure_shape", "meshgrid", "repeat", "roll", "sequence_mask", "unique", "argsort", "boolean_mask", "broadcast_to", "cast", "concat", "expand_dims", "gather", "gather_nd",
           "getitem", "identity", "one_hot", "pad", "rank", "reshape", "reverse", "shape", "size", "sort", "split",
           "squeeze", "stack", "stop_gradient", "take_along_axis", "tile", "top_k", "transpose", "unstack"]
