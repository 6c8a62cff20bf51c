"""Counting: ``tf.math.bincount``, ``tf.histogram_fixed_width``, ``tf.unique_with_counts`` and
``tf.math.in_top_k``. Counts have no gradient (as in TF)."""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def bincount(arr: TensorLike, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None,
             axis=None, binary_output: bool = False) -> Tensor:
    """How often each value 0, 1, ... occurs in ``arr`` (non-negative integers): out[v] = count (or the
    sum of the ``weights`` at v, or 1 if v occurs with ``binary_output``). Length max(arr) + 1, at least
    ``minlength``, values from ``maxlength`` on left out. ``axis=-1``: one count per row of a 2-D arr."""
    values = convert_to_tensor(arr)
    if not values.dtype.is_integer:
        raise InvalidArgumentError(f"Bincount: arr must be integers, got {values.dtype.name}", "Bincount")
    counts = np.asarray(values.numpy())
    if counts.size and counts.min() < 0:
        raise InvalidArgumentError(f"Bincount: Input arr must be non-negative, got {int(counts.min())}", "Bincount")
    length = int(counts.max()) + 1 if counts.size else 0
    length = max(length, int(minlength or 0))
    length = min(length, int(maxlength)) if maxlength is not None else length
    w = None if weights is None else np.asarray(convert_to_tensor(weights).numpy())
    out_dtype = dtypes.as_dtype(w.dtype.name if w is not None else dtype)._np
    if axis in (-1, 1) and counts.ndim == 2:
        rows = [_count(row, None if w is None else w[i], length, binary_output, out_dtype)
                for i, row in enumerate(counts)]
        return convert_to_tensor(np.stack(rows) if rows else np.zeros((0, length), out_dtype))
    if axis not in (None, 0):
        raise InvalidArgumentError(f"Bincount: axis must be None, 0 or -1 (for a 2-D arr), got {axis}", "Bincount")
    return convert_to_tensor(_count(counts.reshape(-1), None if w is None else w.reshape(-1), length,
                                    binary_output, out_dtype))


def _count(values, weights, length, binary, dtype):
    kept = values < length
    out = np.bincount(values[kept], weights=None if weights is None else weights[kept], minlength=length)
    return (out > 0).astype(dtype) if binary else out.astype(dtype)


def histogram_fixed_width(values: TensorLike, value_range, nbins: int = 100, dtype=dtypes.int32,
                          name: str | None = None) -> Tensor:
    """Counts in ``nbins`` equal bins over ``value_range`` [lo, hi); values below lo count in the first
    bin, values from hi on in the last."""
    x = np.asarray(convert_to_tensor(values).numpy())
    lo, hi = (float(v) for v in np.asarray(convert_to_tensor(value_range).numpy()).reshape(-1))
    if nbins <= 0:
        raise InvalidArgumentError(f"HistogramFixedWidth: nbins should be a positive number, but got {nbins}",
                                   "HistogramFixedWidth")
    if hi <= lo:
        raise InvalidArgumentError(f"HistogramFixedWidth: value_range should satisfy value_range[0] < "
                                   f"value_range[1], but got [{lo}, {hi}]", "HistogramFixedWidth")
    scaled = (x.reshape(-1).astype(np.float64) - lo) / (hi - lo)
    bins = np.clip(np.floor(scaled * nbins), 0, nbins - 1).astype(np.int64)
    return convert_to_tensor(np.bincount(bins, minlength=nbins).astype(dtypes.as_dtype(dtype)._np))


def unique_with_counts(x: TensorLike, out_idx=dtypes.int32, name: str | None = None):
    """``tf.unique``'s (y, idx) and, for each value of y, how often it occurs."""
    y, idx = S.unique(x, out_idx=out_idx)
    counts = np.bincount(np.asarray(idx.numpy()), minlength=int(y.shape[0])).astype(dtypes.as_dtype(out_idx)._np)
    return UniqueWithCountsResult((y, idx, convert_to_tensor(counts)))


class UniqueWithCountsResult(tuple):
    """``tf.unique_with_counts``'s result: (y, idx, count), also as attributes."""

    y = property(lambda self: self[0])
    idx = property(lambda self: self[1])
    count = property(lambda self: self[2])


def in_top_k(targets: TensorLike, predictions: TensorLike, k: int, name: str | None = None) -> Tensor:
    """Whether each row's target class is among its k largest predictions: fewer than k predictions
    are strictly larger than the target's (so ties at the boundary are in), and it is finite."""
    predictions = E.float_operand("InTopKV2", predictions)
    targets = convert_to_tensor(targets)
    if predictions.ndim != 2 or targets.ndim != 1 or targets.shape[0] != predictions.shape[0]:
        raise InvalidArgumentError(f"InTopKV2: predictions must be (batch, classes) and targets (batch,), got "
                                   f"{list(predictions.shape)} and {list(targets.shape)}", "InTopKV2")
    target_values = S.gather(predictions, targets, batch_dims=1)
    larger = R.reduce_sum(E.cast(E.greater(predictions, S.expand_dims(target_values, 1)), "int32"), axis=1)
    return E.logical_and(E.less(larger, int(k)), E.is_finite(target_values))
