"""Array helpers shared by the metrics: rank alignment, top-k filtering, confusion-matrix counting.

All of them work on backend arrays (no tape), following ``keras/src/metrics/metrics_utils.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import backend as B
from minitf.ops import elementwise as E
from minitf.ops.op import Op
from minitf.tensor import convert_to_tensor

NEG_INF = -1e10
EPSILON = 1e-7

TRUE_POSITIVES, FALSE_POSITIVES, TRUE_NEGATIVES, FALSE_NEGATIVES = "tp", "fp", "tn", "fn"


def squeeze_or_expand(x1, x2, expand_rank_1: bool = True):
    """``losses.squeeze_or_expand_to_same_rank`` on arrays: (N,) against (N, 1) lines up as (N, 1)."""
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
    """Entries outside each row's top k become NEG_INF (ties: lower index first, as tf.math.top_k)."""
    xp = B.xp
    rows = x.reshape(-1, x.shape[-1])
    order = xp.argsort(-rows, axis=-1, kind="stable")[:, :k]
    mask = xp.zeros(rows.shape, dtype=x.dtype)
    mask[xp.arange(rows.shape[0])[:, None], order] = 1
    mask = mask.reshape(x.shape)
    return x * mask + x.dtype.type(NEG_INF) * (x.dtype.type(1) - mask)


def update_confusion_matrix_variables(variables: dict, y_true, y_pred, thresholds, top_k: int | None = None,
                                      class_id: int | None = None, sample_weight=None, multi_label: bool = False,
                                      label_weights=None, thresholds_distributed_evenly: bool = False) -> None:
    """Add this batch's weighted TP/FP/TN/FN counts, one per threshold, into ``variables``.

    A prediction counts as positive at threshold t when y_pred > t (strictly); a label is
    positive when it is nonzero. ``variables`` maps "tp"/"fp"/"tn"/"fn" to Variables of shape
    (num_thresholds,) (or (num_thresholds, num_labels) with ``multi_label``).
    """
    xp = B.xp
    dtype = next(iter(variables.values()))._value.dtype
    y_true = y_true.astype(dtype)
    y_pred = y_pred.astype(dtype)
    thresholds_with_epsilon = False
    if thresholds_distributed_evenly:
        thresholds_with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    thresholds = np.asarray(thresholds, dtype=dtype)
    y_pred, y_true = squeeze_or_expand(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = sample_weight.astype(dtype)[..., None]
        _, sample_weight = squeeze_or_expand(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(f"When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                             f"num_classes), found shape: {tuple(y_pred.shape)}")
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if y_true.shape != y_pred.shape:
        try:
            y_true = xp.broadcast_to(y_true, y_pred.shape)
        except ValueError:
            raise ValueError(f"y_true of shape {tuple(y_true.shape)} does not match y_pred of shape "
                             f"{tuple(y_pred.shape)}") from None
    weights = None
    if sample_weight is not None:
        weights = xp.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None and not multi_label:
        lw = xp.broadcast_to(xp.asarray(label_weights, dtype=dtype)[None], y_pred.shape)
        weights = lw if weights is None else weights * lw

    if thresholds_distributed_evenly:
        _update_by_buckets(variables, y_true, y_pred, thresholds, weights, multi_label, thresholds_with_epsilon)
        return

    th = xp.asarray(thresholds)
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
    for key, variable in variables.items():
        label, pred = conditions[key]
        both = label & pred
        if w is None:
            counts = xp.sum(both.astype(dtype), axis=1)
        else:
            counts = xp.sum(xp.where(both, w, xp.zeros((), dtype)), axis=1)
        variable._value = variable._value + counts.astype(dtype)


def _update_by_buckets(variables: dict, y_true, y_pred, thresholds, weights, multi_label: bool,
                       thresholds_with_epsilon: bool) -> None:
    """Evenly spaced thresholds: drop each prediction into its bucket ceil(p (T-1)) - 1, then count
    positives above each threshold with a reversed cumulative sum (Keras's optimized path)."""
    xp = B.xp
    dtype = y_pred.dtype
    n = len(thresholds)
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
        values = xp.broadcast_to(values, buckets.shape)
        if multi_label:  # one histogram per label column
            labels = buckets.shape[1]
            flat = (buckets + n * xp.arange(labels)[None, :]).reshape(-1)
            counts = xp.bincount(flat, weights=values.reshape(-1), minlength=n * labels)
            return counts.reshape(labels, n).T.astype(dtype)
        return xp.bincount(buckets, weights=values, minlength=n).astype(dtype)

    tp = xp.cumsum(bucket_sums(true_labels)[::-1], axis=0)[::-1]
    fp = xp.cumsum(bucket_sums(false_labels)[::-1], axis=0)[::-1]
    total_true = xp.sum(xp.broadcast_to(true_labels, buckets.shape), axis=0).astype(dtype)
    total_false = xp.sum(xp.broadcast_to(false_labels, buckets.shape), axis=0).astype(dtype)
    updates = {TRUE_POSITIVES: tp, FALSE_POSITIVES: fp, TRUE_NEGATIVES: total_false - fp,
               FALSE_NEGATIVES: total_true - tp}
    for key, variable in variables.items():
        variable._value = variable._value + updates[key]


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


