"""Rearranging by index: ``tf.unravel_index``, ``invert_permutation``, ``dynamic_partition`` and
``dynamic_stitch``, ``reverse_sequence``.

    dynamic_partition(data, p, n)[k] = the rows of data with p = k, in order
    dynamic_stitch(indices, data)[indices[m][i]] = data[m][i]      (a later write wins)
    reverse_sequence(x, lengths)[b, :lengths[b]] = reversed x[b, :lengths[b]], the rest kept

Partition and stitch are each other's gradient (a row moved forward, its gradient moved back), and
the gradient of reversing a prefix is reversing it again.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def _host_ints(op: str, value: TensorLike) -> np.ndarray:
    t = convert_to_tensor(value)
    if not t.dtype.is_integer:
        raise InvalidArgumentError(f"{op}: expected an integer tensor, got {t.dtype.name}", op)
    return B.to_numpy(t._value)


def unravel_index(indices: TensorLike, dims: TensorLike, name: str | None = None) -> Tensor:
    """The coordinates of flat ``indices`` in an array of shape ``dims``: one row per dimension."""
    flat, shape = _host_ints("UnravelIndex", indices), _host_ints("UnravelIndex", dims)
    size = int(np.prod(shape))
    if flat.size and (flat.min() < 0 or flat.max() >= size):
        raise InvalidArgumentError(f"UnravelIndex: index out of bounds as (dims) is {shape.tolist()}: "
                                   f"{flat.tolist()}", "UnravelIndex")
    return convert_to_tensor(np.array(np.unravel_index(flat, tuple(shape)), dtype=flat.dtype))


def invert_permutation(x: TensorLike, name: str | None = None) -> Tensor:
    """y with y[x[i]] = i (x a permutation of 0 .. n-1)."""
    perm = _host_ints("InvertPermutation", x)
    if perm.ndim != 1 or sorted(perm.tolist()) != list(range(perm.size)):
        raise InvalidArgumentError(f"InvertPermutation: x must be a permutation of 0 .. {perm.size - 1}, got "
                                   f"{perm.tolist()}", "InvertPermutation")
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.size, dtype=perm.dtype)
    return convert_to_tensor(inverse)


def dynamic_partition(data: TensorLike, partitions: TensorLike, num_partitions: int,
                      name: str | None = None) -> list[Tensor]:
    """The rows of ``data`` split by ``partitions`` (a prefix of data's shape) into ``num_partitions``
    tensors, each keeping the rows' order. Gradient: the rows' gradients stitched back."""
    data = convert_to_tensor(data)
    parts = _host_ints("DynamicPartition", partitions)
    if tuple(data.shape[:parts.ndim]) != parts.shape:
        raise InvalidArgumentError(f"DynamicPartition: data.shape {list(data.shape)} must start with "
                                   f"partitions.shape {list(parts.shape)}", "DynamicPartition")
    if parts.size and (parts.min() < 0 or parts.max() >= num_partitions):
        raise InvalidArgumentError(f"DynamicPartition: partitions must be in [0, {num_partitions}), got "
                                   f"{parts.reshape(-1).tolist()}", "DynamicPartition")
    rows = S.reshape(data, [-1] + list(data.shape[parts.ndim:]))
    flat = parts.reshape(-1)
    return [S.gather(rows, np.flatnonzero(flat == k).astype(np.int64)) for k in range(int(num_partitions))]


class DynamicStitch(Op):
    """out[indices[m][...]] = data[m][...] for every m in turn (a later write wins)."""

    def forward(*args, count):
        indices, data = args[:count], args[count:]
        flat = [B.xp.asarray(i).reshape(-1) for i in indices]
        tail = data[0].shape[indices[0].ndim:]
        size = int(max((int(B.to_numpy(f).max()) + 1 for f in flat if f.size), default=0))
        out = B.xp.zeros((size,) + tail, dtype=data[0].dtype)
        for f, d in zip(flat, data):
            out[f] = d.reshape((-1,) + tail)
        return out

    def backward(ctx, dy):
        count = ctx.count
        indices = ctx.inputs[:count]
        # each data row gets dy at its index (TF's gradient: also a row a later write overwrote)
        return tuple([None] * count + [S.gather(dy, i) for i in indices])

    def shape(*shapes, count):
        return (None,) + tuple(shapes[count][len(shapes[0]):])


def dynamic_stitch(indices: list, data: list, name: str | None = None) -> Tensor:
    """One tensor from pieces: ``out[indices[m][i]] = data[m][i]``, the size the largest index + 1."""
    indices = [convert_to_tensor(i) for i in indices]
    data = [convert_to_tensor(d) for d in data]
    if len(indices) != len(data) or not data:
        raise InvalidArgumentError(f"DynamicStitch: needs as many data tensors as index tensors, got "
                                   f"{len(indices)} and {len(data)}", "DynamicStitch")
    for i, d in zip(indices, data):
        if tuple(d.shape[:i.ndim]) != tuple(i.shape):
            raise InvalidArgumentError(f"DynamicStitch: data.shape {list(d.shape)} must start with indices.shape "
                                       f"{list(i.shape)}", "DynamicStitch")
    return DynamicStitch.apply(*indices, *data, count=len(indices))


class ReverseSequence(Op):
    """Each slice along ``batch_axis`` with its first ``lengths[b]`` elements along ``seq_axis`` reversed."""

    def forward(x, lengths, seq_axis, batch_axis):
        xp = B.xp
        out = x.copy()
        lengths = B.to_numpy(lengths)
        for b, n in enumerate(lengths.tolist()):
            source = [slice(None)] * x.ndim
            source[batch_axis], source[seq_axis] = b, slice(int(n) - 1, None, -1) if n else slice(0, 0)
            target = [slice(None)] * x.ndim
            target[batch_axis], target[seq_axis] = b, slice(0, int(n))
            out[tuple(target)] = x[tuple(source)]
        return xp.asarray(out)

    def backward(ctx, dy):
        return ReverseSequence.apply(dy, ctx.inputs[1], seq_axis=ctx.seq_axis, batch_axis=ctx.batch_axis), None

    def shape(x_shape, lengths_shape, seq_axis, batch_axis):
        return x_shape


def reverse_sequence(input: TensorLike, seq_lengths: TensorLike, seq_axis: int | None = None,  # noqa: A002
                     batch_axis: int | None = None, name: str | None = None) -> Tensor:
    x = convert_to_tensor(input)
    lengths = convert_to_tensor(seq_lengths)
    if x.ndim < 2 or not -x.ndim <= int(seq_axis) < x.ndim or not -x.ndim <= int(batch_axis or 0) < x.ndim:
        raise InvalidArgumentError(f"ReverseSequence: seq_axis {seq_axis} and batch_axis {batch_axis} must be axes of "
                                   f"the input, of rank at least 2 (got shape {list(x.shape)})", "ReverseSequence")
    seq_axis, batch_axis = int(seq_axis) % x.ndim, int(batch_axis or 0) % x.ndim
    values = _host_ints("ReverseSequence", lengths)
    bad = values.size and (values.min() < 0 or values.max() > x.shape[seq_axis])
    if values.shape != (x.shape[batch_axis],) or bad:
        raise InvalidArgumentError(f"ReverseSequence: seq_lengths must hold one length in [0, {x.shape[seq_axis]}] "
                                   f"per batch entry ({x.shape[batch_axis]}), got {values.tolist()}", "ReverseSequence")
    return ReverseSequence.apply(x, lengths, seq_axis=seq_axis, batch_axis=batch_axis)
