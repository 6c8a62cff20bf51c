"""Segment reductions: ``tf.math.segment_*`` and ``unsorted_segment_*``, each with its gradient.

Row i of ``data`` belongs to segment ``segment_ids[i]``; the output has one row per segment, the rows
of that segment reduced (summed, multiplied, maxed ...). ``segment_*`` takes sorted ids (1-D,
non-decreasing) and makes ``ids[-1] + 1`` segments; ``unsorted_segment_*`` takes ids in any order
(their shape a prefix of data's) and ``num_segments``, and drops rows whose id is negative.

    sum:   out[s] = sum of data[i] with ids[i] = s          d data[i] = dy[ids[i]]
    prod:  out[s] = product of those rows                   d data[i] = dy[ids[i]] * (product of the others)
    max:   out[s] = their max (min alike)                   d data[i] = dy[ids[i]] / (ties) where data[i] won
    mean:  sum / count                                     d data[i] = dy[ids[i]] / count
    sqrt_n: sum / sqrt(count)   (unsorted_segment_mean and _sqrt_n: compositions of sum, as TF writes them)

A segment with no rows holds: 0 for sum and mean, 1 for prod; for max and min, 0 in ``segment_*`` and
the dtype's lowest (max) or highest (min) in ``unsorted_segment_*``, as TF's kernels leave them.
Rows are added into their segment in order (``ufunc.at``), as TF's CPU kernels add them, except where
TF's sorted kernel reduces a long segment in Eigen's order (``_as_tf_sorted_kernel``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.ops.scatter_ops import _combined_at
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any

def _start_value(dtype, reduction: str):
    """What a segment starts from before its rows come in (and keeps if none does)."""
    if reduction in ("sum", "mean", "prod"):
        return int(reduction == "prod")
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    return info.min if reduction == "max" else info.max


class SegmentReduce(Op):
    """out[s] = reduction of the rows of ``data`` whose id is s (ids of any order; negative ids dropped;
    ``sorted_ids``: an empty segment's max or min is 0, as TF's sorted kernels leave it)."""

    def forward(data, ids, num_segments, reduction, sorted_ids):
        kept = ids >= 0
        flat_ids, rows = ids[kept], data[kept]  # one row (of data.shape[ids.ndim:]) per kept id
        out = B.xp.full((num_segments,) + data.shape[ids.ndim:], _start_value(data.dtype, reduction), data.dtype)
        if reduction in ("sum", "mean"):
            B.scatter_add(out, flat_ids, rows)
        elif reduction != "prod" and rows.dtype.kind == "f" and bool(B.xp.isnan(rows).any()):
            out = _nan_max_or_min(out, flat_ids, rows, reduction)
        else:
            ufunc = {"prod": B.xp.multiply, "max": B.xp.maximum, "min": B.xp.minimum}[reduction]
            out = _combined_at(out, flat_ids[:, None], rows, ufunc)
        if sorted_ids:
            out = _as_tf_sorted_kernel(out, flat_ids, rows, reduction)
        if reduction == "mean":
            counts = B.xp.maximum(B.xp.bincount(flat_ids, minlength=num_segments), 1).astype(out.dtype)
            counts = counts.reshape((-1,) + (1,) * (out.ndim - 1))
            if out.dtype.kind == "f":
                out /= counts
            else:  # integers: C++'s division, truncating toward zero
                out = B.xp.where(out < 0, -(-out // counts), out // counts).astype(out.dtype)
        return out

    def backward(ctx, dy):
        data, ids = ctx.inputs
        return _segment_grad(ctx.reduction, data, ids, ctx.output, dy, ctx.num_segments), None

    def shape(data_shape, ids_shape, num_segments, reduction, sorted_ids):
        return (num_segments,) + tuple(data_shape[len(ids_shape):])


def _nan_max_or_min(out, ids, rows, reduction: str):
    """Max or min with NaN, as TF's kernels take it: each row in turn replaces the running value unless it
    is smaller (max) or larger (min), which NaN never is; so a NaN holds until the next row (the max of
    [2, NaN, 1] is 1, of [1, NaN] NaN). Row by row: NaN input is the rare case."""
    for segment, row in zip(B.to_numpy(ids).tolist(), rows):
        current = out[segment]
        keep = row < current if reduction == "max" else row > current
        out[segment] = B.xp.where(keep, current, row)
    return out


def _as_tf_sorted_kernel(out, ids, rows, reduction: str):
    """What TF's sorted-segment CPU kernel does differently from adding rows in turn: a segment of one
    row is that row (its -0.0 kept), an empty max or min is 0, and a sum or product of 16 rows or more
    runs in Eigen's order on the columns that fill a SIMD packet (8 float32, 4 float64): four
    accumulators take every fourth row, are joined in order, then take the rows left. (Not the mean:
    Eigen's mean reducer counts as it goes, so it adds the rows in turn.)"""
    counts = B.xp.bincount(ids, minlength=out.shape[0])
    if reduction in ("max", "min"):
        out[counts == 0] = 0
    single = counts[ids] == 1
    out[ids[single]] = rows[single]
    if reduction in ("sum", "prod") and rows.dtype.kind == "f":
        lanes = 32 // rows.dtype.itemsize
        flat = rows.reshape(len(rows), -1)
        packed = flat.shape[1] // lanes * lanes
        combine = B.xp.add if reduction == "sum" else B.xp.multiply
        starts = B.xp.concatenate([B.xp.zeros(1, counts.dtype), B.xp.cumsum(counts)])
        for segment in B.to_numpy(B.xp.flatnonzero(counts >= 16)).tolist() if packed else ():
            block = flat[int(starts[segment]):int(starts[segment + 1]), :packed]
            unrolled = len(block) // 4 * 4
            accumulators = [B.xp.full(packed, 0 if reduction == "sum" else 1, rows.dtype) for _ in range(4)]
            for j in range(0, unrolled, 4):
                for k in range(4):
                    accumulators[k] = combine(accumulators[k], block[j + k])
            total = combine(combine(combine(accumulators[0], accumulators[1]), accumulators[2]), accumulators[3])
            for j in range(unrolled, len(block)):
                total = combine(total, block[j])
            out.reshape(out.shape[0], -1)[segment, :packed] = total
    return out


def _gather_rows(values: Tensor, ids: Tensor, data: Tensor) -> tuple[Tensor, Tensor]:
    """values[ids] (shaped like data), 0 where an id is negative; and that mask, broadcastable to data."""
    kept = E.greater_equal(ids, 0)
    picked = S.gather(values, E.maximum(ids, 0))
    mask = S.reshape(kept, list(ids.shape) + [1] * (data.ndim - ids.ndim))
    return E.where(mask, picked, E.cast(0, values.dtype)), mask


def _segment_grad(reduction: str, data: Tensor, ids: Tensor, output: Tensor, dy: Tensor, num_segments: int):
    """TF's gradients (math_grad.py: _UnsortedSegmentSumGrad, _SegmentMinOrMaxGrad, _SegmentProdGrad)."""
    if reduction == "sum":
        return _gather_rows(dy, ids, data)[0]
    if reduction == "mean":
        ones = E.cast(E.greater_equal(ids, 0), dy.dtype)
        counts = SegmentReduce.apply(ones, ids, num_segments=num_segments, reduction="sum", sorted_ids=False)
        counts = S.reshape(E.maximum(counts, E.cast(1, dy.dtype)), [-1] + [1] * (dy.ndim - 1))
        return _gather_rows(dy / counts, ids, data)[0]
    if reduction in ("max", "min"):
        winner_values, kept = _gather_rows(output, ids, data)
        won = E.logical_and(E.equal(data, winner_values), kept)
        ties = SegmentReduce.apply(E.cast(won, dy.dtype), ids, num_segments=num_segments, reduction="sum",
                                   sorted_ids=False)
        return E.where(won, _gather_rows(dy / ties, ids, data)[0], E.cast(0, dy.dtype))
    # prod: the product of the others, also where a row is 0 (then it is the product of the non-zero rows,
    # and nothing at all when the segment holds two zeros)
    zero = E.equal(data, 0)
    zeros_in_segment = SegmentReduce.apply(E.cast(zero, dy.dtype), ids, num_segments=num_segments,
                                           reduction="sum", sorted_ids=False)
    dy = E.where(zeros_in_segment > 1, E.cast(0, dy.dtype), dy)
    non_zero = E.where(zero, E.cast(1, data.dtype), data)
    non_zero_product = SegmentReduce.apply(non_zero, ids, num_segments=num_segments, reduction="prod",
                                           sorted_ids=False)
    others = E.where(zero, _gather_rows(non_zero_product, ids, data)[0], _gather_rows(output, ids, data)[0] / non_zero)
    return _gather_rows(dy, ids, data)[0] * others


# --- the public functions ---------------------------------------------------------------------------
def _ids(op: str, data: Tensor, segment_ids: TensorLike) -> Tensor:
    ids = convert_to_tensor(segment_ids)
    if not ids.dtype.is_integer:
        raise InvalidArgumentError(f"{op}: segment_ids must be integers, got {ids.dtype.name}", op)
    if tuple(data.shape[:ids.ndim]) != tuple(ids.shape):
        raise InvalidArgumentError(f"{op}: segment_ids.shape {list(ids.shape)} must be a prefix of data.shape "
                                   f"{list(data.shape)}", op)
    return ids


def _sorted(op: str, reduction: str, data: TensorLike, segment_ids: TensorLike) -> Tensor:
    data = E.numeric_operand(op, data)
    ids = _ids(op, data, segment_ids)
    if ids.ndim != 1:
        raise InvalidArgumentError(f"{op}: segment_ids should be a vector, got shape {list(ids.shape)}", op)
    values = B.to_numpy(ids._value)
    if values.size and (values[0] < 0 or (np.diff(values) < 0).any()):
        raise InvalidArgumentError(f"{op}: segment ids are not increasing (and must be >= 0): "
                                   f"{values.tolist()[:20]}", op)
    count = int(values[-1]) + 1 if values.size else 0
    return SegmentReduce.apply(data, ids, num_segments=count, reduction=reduction, sorted_ids=True)


def _unsorted(op: str, reduction: str, data: TensorLike, segment_ids: TensorLike, num_segments) -> Tensor:
    data = E.numeric_operand(op, data)
    ids = _ids(op, data, segment_ids)
    count = int(num_segments.numpy() if isinstance(num_segments, Tensor) else num_segments)
    values = B.to_numpy(ids._value).reshape(-1)
    if values.size and values.max() >= count:
        at = int(np.argmax(values >= count))
        raise InvalidArgumentError(f"{op}: segment_ids[{at}] = {values[at]} is out of range [0, {count})", op)
    return SegmentReduce.apply(data, ids, num_segments=count, reduction=reduction, sorted_ids=False)


def segment_sum(data: TensorLike, segment_ids: TensorLike, name: str | None = None) -> Tensor:
    return _sorted("SegmentSum", "sum", data, segment_ids)


def segment_prod(data: TensorLike, segment_ids: TensorLike, name: str | None = None) -> Tensor:
    return _sorted("SegmentProd", "prod", data, segment_ids)


def segment_max(data: TensorLike, segment_ids: TensorLike, name: str | None = None) -> Tensor:
    return _sorted("SegmentMax", "max", data, segment_ids)


def segment_min(data: TensorLike, segment_ids: TensorLike, name: str | None = None) -> Tensor:
    return _sorted("SegmentMin", "min", data, segment_ids)


def segment_mean(data: TensorLike, segment_ids: TensorLike, name: str | None = None) -> Tensor:
    """The mean of each segment's rows (0 for an empty segment): their sum, in order, over their count."""
    return _sorted("SegmentMean", "mean", data, segment_ids)


def unsorted_segment_sum(data: TensorLike, segment_ids: TensorLike, num_segments, name: str | None = None) -> Tensor:
    return _unsorted("UnsortedSegmentSum", "sum", data, segment_ids, num_segments)


def unsorted_segment_prod(data: TensorLike, segment_ids: TensorLike, num_segments, name: str | None = None) -> Tensor:
    return _unsorted("UnsortedSegmentProd", "prod", data, segment_ids, num_segments)


def unsorted_segment_max(data: TensorLike, segment_ids: TensorLike, num_segments, name: str | None = None) -> Tensor:
    return _unsorted("UnsortedSegmentMax", "max", data, segment_ids, num_segments)


def unsorted_segment_min(data: TensorLike, segment_ids: TensorLike, num_segments, name: str | None = None) -> Tensor:
    return _unsorted("UnsortedSegmentMin", "min", data, segment_ids, num_segments)


def _segment_count(data: Tensor, segment_ids: TensorLike, num_segments) -> Tensor:
    """How many rows each segment has (at least 1), shaped to divide the segment sums (TF's _unsorted_segment_N)."""
    ids = convert_to_tensor(segment_ids)
    ones = E.cast(E.greater_equal(ids, -1), data.dtype)  # (all ones: negative ids are dropped by the sum)
    count = unsorted_segment_sum(ones, ids, num_segments)
    return S.reshape(E.maximum(count, E.cast(1, data.dtype)), [-1] + [1] * (data.ndim - ids.ndim))


def unsorted_segment_mean(data: TensorLike, segment_ids: TensorLike, num_segments, name: str | None = None) -> Tensor:
    """sum / count per segment (0 for an empty segment); integers divide as ``divide`` does (to float64)."""
    data = E.numeric_operand("UnsortedSegmentMean", data)
    return E.divide(unsorted_segment_sum(data, segment_ids, num_segments),
                    _segment_count(data, segment_ids, num_segments))


def unsorted_segment_sqrt_n(data: TensorLike, segment_ids: TensorLike, num_segments,
                            name: str | None = None) -> Tensor:
    """sum / sqrt(count) per segment (0 for an empty segment)."""
    data = E.float_operand("UnsortedSegmentSqrtN", data)
    return unsorted_segment_sum(data, segment_ids, num_segments) / E.sqrt(
        _segment_count(data, segment_ids, num_segments))
