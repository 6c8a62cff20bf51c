"""Helpers shared by the metrics: rank alignment, top-k filtering, confusion-matrix counting.

Following ``keras/src/metrics/metrics_utils.py``. The counting is an op (``ConfusionCounts``: one
array kernel, no gradient) and the state changes by ``assign_add``, so that a traced step counts
every batch; ``squeeze_or_expand`` works on tensors and arrays alike.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf._tf_compat import eigen_sum_array
from minitf.keras.metrics.metric import as_tensor
from minitf.ops import elementwise as E
from minitf.ops.op import Op
from minitf.tensor import convert_to_tensor

NEG_INF = -1e10
EPSILON = 1e-7

TRUE_POSITIVES, FALSE_POSITIVES, TRUE_NEGATIVES, FALSE_NEGATIVES = "tp", "fp", "tn", "fn"


def squeeze_or_expand(x1, x2, expand_rank_1: bool = True):
    """``losses.squeeze_or_expand_to_same_rank`` (tensors or arrays): (N,) against (N, 1) lines up as (N, 1)."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def divide_no_nan(a, b):
    """a / b, 0 where b == 0 (tensors)."""
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    zero = E.equal(b, 0)
    return E.where(zero, 0, a / E.where(zero, 1, b))


def parse_init_thresholds(thresholds: Any, default_threshold: float = 0.5) -> list:
    if thresholds is not None:
        values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
        bad = [t for t in values if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
        return values
    return [default_threshold]


def is_evenly_distributed_thresholds(thresholds) -> bool:
    """True for [0, 1/(n-1), ..., 1] (n >= 3): then a bucket count replaces n comparisons per value."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=EPSILON))


def filter_top_k(x, k: int):
    """Entries outside each row's top k become NEG_INF (ties: lower index first, as tf.math.top_k). Arrays."""
    xp = B.xp
    rows = x.reshape(-1, x.shape[-1])
    order = xp.argsort(-rows, axis=-1, kind="stable")[:, :k]
    mask = xp.zeros(rows.shape, dtype=x.dtype)
    mask[xp.arange(rows.shape[0])[:, None], order] = 1
    mask = mask.reshape(x.shape)
    return x * mask + x.dtype.type(NEG_INF) * (x.dtype.type(1) - mask)


class ConfusionCounts(Op):
    """This batch's weighted confusion counts at each threshold t, for the ``keys`` asked for:

        TP[t] = sum w [y != 0 and p > t]      FP[t] = sum w [y == 0 and p > t]
        TN[t] = sum w [y == 0 and p <= t]     FN[t] = sum w [y != 0 and p <= t]

    summed over every entry (shape (T,)), or per label column with ``multi_label`` (shape (T, L)).
    Before counting: ``top_k`` keeps each row's k largest predictions (the rest become -1e10),
    ``class_id`` keeps one column, ``label_weights`` multiply the weights. With evenly spaced
    thresholds (``evenly``) each prediction is dropped into its bucket ceil(p (T-1)) - 1 and the
    counts above each threshold are a reversed cumulative sum (Keras's optimized path, the same
    counts). Inputs y_true, y_pred[, sample_weight] of the counts' dtype; no gradient.
    """

    def forward(y_true, y_pred, *sample_weight, keys, thresholds, top_k, class_id, multi_label, label_weights,
                evenly, thresholds_with_epsilon):
        xp = B.xp
        dtype = y_pred.dtype
        y_pred, y_true = squeeze_or_expand(y_pred, y_true)
        weights = None
        if sample_weight:
            _, weights = squeeze_or_expand(y_true, sample_weight[0][..., None], expand_rank_1=False)
        if top_k is not None:
            y_pred = filter_top_k(y_pred, top_k)
        if class_id is not None:
            y_true = y_true[..., class_id, None]
            y_pred = y_pred[..., class_id, None]
        y_true = xp.broadcast_to(y_true, y_pred.shape)
        if weights is not None:
            weights = xp.broadcast_to(weights, y_pred.shape)
        if label_weights is not None and not multi_label:
            lw = xp.broadcast_to(xp.asarray(label_weights, dtype=dtype)[None], y_pred.shape)
            weights = lw if weights is None else weights * lw
        if evenly:
            counts = _counts_by_buckets(y_true, y_pred, len(thresholds), weights, multi_label, thresholds_with_epsilon)
            return tuple(counts[key] for key in keys)
        th = xp.asarray(np.asarray(thresholds, dtype=dtype))
        if multi_label:  # (T, N, L)
            preds = y_pred[None]
            labels = (y_true != 0)[None]
            th = th.reshape(-1, 1, 1)
            w = None if weights is None else weights[None]
        else:  # (T, N*L)
            preds = y_pred.reshape(1, -1)
            labels = (y_true != 0).reshape(1, -1)
            th = th.reshape(-1, 1)
            w = None if weights is None else weights.reshape(1, -1)
        pred_is_pos = preds > th
        conditions = {TRUE_POSITIVES: (labels, pred_is_pos), FALSE_NEGATIVES: (labels, ~pred_is_pos),
                      FALSE_POSITIVES: (~labels, pred_is_pos), TRUE_NEGATIVES: (~labels, ~pred_is_pos)}
        out = []
        for key in keys:
            label, pred = conditions[key]
            both = label & pred
            if w is None:
                counts = xp.sum(both.astype(dtype), axis=1)
            else:
                counts = xp.sum(xp.where(both, w, xp.zeros((), dtype)), axis=1)
            out.append(counts.astype(dtype))
        return tuple(out)


def update_confusion_matrix_variables(variables: dict, y_true, y_pred, thresholds, top_k: int | None = None,
                                      class_id: int | None = None, sample_weight=None, multi_label: bool = False,
                                      label_weights=None, thresholds_distributed_evenly: bool = False) -> None:
    """Add this batch's weighted TP/FP/TN/FN counts, one per threshold, into ``variables`` (ops).

    A prediction counts as positive at threshold t when y_pred > t (strictly); a label is
    positive when it is nonzero. ``variables`` maps "tp"/"fp"/"tn"/"fn" to Variables of shape
    (num_thresholds,) (or (num_thresholds, num_labels) with ``multi_label``). See ``ConfusionCounts``.
    """
    dtype = next(iter(variables.values())).dtype
    y_true = as_tensor(y_true, dtype)
    y_pred = as_tensor(y_pred, dtype)
    thresholds_with_epsilon = False
    if thresholds_distributed_evenly:
        thresholds_with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    # The shape checks, on the static shapes (the kernel lines the arrays up the same way).
    pred_shape, true_shape = _aligned_shapes(tuple(y_pred.shape), tuple(y_true.shape))
    if class_id is not None:
        if len(pred_shape) == 1:
            raise ValueError(f"When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                             f"num_classes), found shape: {pred_shape}")
        true_shape, pred_shape = true_shape[:-1] + (1,), pred_shape[:-1] + (1,)
    if not _broadcastable(true_shape, pred_shape):
        raise ValueError(f"y_true of shape {true_shape} does not match y_pred of shape {pred_shape}")
    weights = () if sample_weight is None else (as_tensor(sample_weight, dtype),)
    counts = ConfusionCounts.apply(
        y_true, y_pred, *weights, keys=tuple(variables), thresholds=tuple(float(t) for t in thresholds),
        top_k=top_k, class_id=class_id, multi_label=bool(multi_label),
        label_weights=None if label_weights is None else tuple(np.asarray(label_weights).ravel().tolist()),
        evenly=bool(thresholds_distributed_evenly), thresholds_with_epsilon=bool(thresholds_with_epsilon))
    for variable, count in zip(variables.values(), counts):
        variable.assign_add(count)


def _aligned_shapes(a: tuple, b: tuple) -> tuple[tuple, tuple]:
    """``squeeze_or_expand`` on static shapes."""
    if len(a) == len(b) + 1 and a[-1] == 1:
        return (a, b + (1,)) if len(b) == 1 else (a[:-1], b)
    if len(b) == len(a) + 1 and b[-1] == 1:
        return (a + (1,), b) if len(a) == 1 else (a, b[:-1])
    return a, b


def _broadcastable(a: tuple, b: tuple) -> bool:
    """Does shape ``a`` broadcast to shape ``b`` (None: any size)?"""
    if len(a) > len(b):
        return False
    return all(x is None or y is None or x == 1 or x == y for x, y in zip(reversed(a), reversed(b)))


def _counts_by_buckets(y_true, y_pred, n: int, weights, multi_label: bool, thresholds_with_epsilon: bool) -> dict:
    """Evenly spaced thresholds: drop each prediction into its bucket ceil(p (T-1)) - 1, then count
    positives above each threshold with a reversed cumulative sum (Keras's optimized path). Arrays."""
    xp = B.xp
    dtype = y_pred.dtype
    weights = dtype.type(1.0) if weights is None else weights
    y_pred = xp.clip(y_pred, dtype.type(0.0), dtype.type(1.0))
    y_true = (y_true != 0).astype(dtype)
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
        if not np.isscalar(weights):
            weights = weights.reshape(-1)
    true_labels = y_true * weights
    false_labels = (dtype.type(1.0) - y_true) * weights
    buckets = xp.ceil(y_pred * (dtype.type(n) - dtype.type(1))) - dtype.type(1)
    if thresholds_with_epsilon:
        buckets = xp.maximum(buckets, dtype.type(0))
    buckets = buckets.astype(np.int32)

    def bucket_sums(values):
        # Each bucket sums its values one after another in the metric's dtype, as TF's
        # unsorted_segment_sum does (a float64 bincount would round weighted sums otherwise).
        values = xp.broadcast_to(values, buckets.shape)
        if multi_label:  # one histogram per label column
            labels = buckets.shape[1]
            flat = (buckets + n * xp.arange(labels)[None, :]).reshape(-1)
            counts = xp.zeros(n * labels, dtype)
            B.scatter_add(counts, flat, values.reshape(-1))
            return counts.reshape(labels, n).T
        counts = xp.zeros(n, dtype)
        B.scatter_add(counts, buckets, values)
        return counts

    tp = xp.cumsum(bucket_sums(true_labels)[::-1], axis=0)[::-1]
    fp = xp.cumsum(bucket_sums(false_labels)[::-1], axis=0)[::-1]
    if multi_label:
        total_true = xp.sum(xp.broadcast_to(true_labels, buckets.shape), axis=0).astype(dtype)
        total_false = xp.sum(xp.broadcast_to(false_labels, buckets.shape), axis=0).astype(dtype)
    else:  # one total each, summed in TF's order (Keras: ops.sum)
        total_true = eigen_sum_array(xp.broadcast_to(true_labels, buckets.shape)).astype(dtype)
        total_false = eigen_sum_array(xp.broadcast_to(false_labels, buckets.shape)).astype(dtype)
    return {TRUE_POSITIVES: tp, FALSE_POSITIVES: fp, TRUE_NEGATIVES: total_false - fp,
            FALSE_NEGATIVES: total_true - tp}


class InTopK(Op):
    """True where predictions[i, targets[i]] is among the k largest of row i (ties count as in, as TF's
    ``in_top_k``; a non-finite target value is never in)."""

    def forward(targets, predictions, k):
        xp = B.xp
        target_values = xp.take_along_axis(predictions, targets.astype(np.int64)[:, None], axis=1)
        greater = xp.sum(predictions > target_values, axis=1)
        return (greater < k) & xp.isfinite(target_values[:, 0])


def in_top_k(targets, predictions, k: int):
    """``InTopK`` on tensors."""
    return InTopK.apply(targets, predictions, k=int(k))


