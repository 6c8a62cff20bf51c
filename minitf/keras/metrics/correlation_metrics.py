"""Correlation metrics (``keras.metrics.PearsonCorrelation``, ``ConcordanceCorrelation``): the running
mean of a per-sample correlation between y_true and y_pred along ``axis``, as Keras 3.15 computes it.

    pearson:      mean(a * b) with a, b = (y - mean(y)) / std(y - mean(y))     (population std)
    concordance:  mean(2 (t - mean(p)) (p - mean(p)) / (var(t) + var(p) + (mean(t) - mean(p))^2 + eps))

(The concordance numerator is Keras's: t - mean(p), where Lin's coefficient has t - mean(t).)
"""
from __future__ import annotations

from typing import Any

from minitf.keras.losses import EPSILON, squeeze_or_expand_to_same_rank
from minitf.keras.metrics.reduction_metrics import MeanMetricWrapper
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.tensor import Tensor, convert_to_tensor


def _pair(y_true: Any, y_pred: Any) -> tuple[Tensor, Tensor]:
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true, dtype=y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    true_centred = y_true - R.reduce_mean(y_true, axis=axis, keepdims=True)
    pred_centred = y_pred - R.reduce_mean(y_pred, axis=axis, keepdims=True)
    true_centred = true_centred / R.reduce_std(true_centred, axis=axis, keepdims=True)
    pred_centred = pred_centred / R.reduce_std(pred_centred, axis=axis, keepdims=True)
    return R.reduce_mean(true_centred * pred_centred, axis=axis)


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = R.reduce_mean(y_true, axis=axis, keepdims=True)
    pred_mean = R.reduce_mean(y_pred, axis=axis, keepdims=True)
    true_var = R.reduce_variance(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = R.reduce_variance(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + E.square(true_mean - pred_mean)
    return R.reduce_mean(2 * covariance / (norm + EPSILON), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """Running mean of ``pearson_correlation`` per sample."""

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """Running mean of ``concordance_correlation`` per sample."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
