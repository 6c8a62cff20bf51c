"""Regression metrics: means of the loss functions, RMSE, cosine similarity, R^2.

    MeanSquaredError / MeanAbsoluteError / MeanAbsolutePercentageError / MeanSquaredLogarithmicError:
        the running mean of the per-sample loss (``minitf.keras.losses``)
    RootMeanSquaredError:  sqrt(sum w (y_pred - y_true)^2 / sum w), squared errors averaged per sample
    CosineSimilarity:      mean of cos(y_true, y_pred) along ``axis`` (+1 = same direction)
    R2Score:               1 - SS_res / SS_tot per output column, then averaged
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import backend as B
from minitf.keras import losses
from minitf.keras.metrics.metric import Metric, as_array
from minitf.keras.metrics.metrics_utils import squeeze_or_expand
from minitf.keras.metrics.reduction_metrics import Mean, MeanMetricWrapper
from minitf.tensor import Tensor


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of mean((y_true - y_pred)^2, axis=-1)."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=losses.mean_squared_error, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of mean(|y_true - y_pred|, axis=-1)."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=losses.mean_absolute_error, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Running mean of 100 * mean(|(y_true - y_pred) / y_true|, axis=-1)."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(fn=losses.mean_absolute_percentage_error, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Running mean of mean((log(y_pred + 1) - log(y_true + 1))^2, axis=-1)."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(fn=losses.mean_squared_logarithmic_error, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class LogCoshError(MeanMetricWrapper):
    """Running mean of mean(log(cosh(y_pred - y_true)), axis=-1)."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(fn=losses.log_cosh, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class RootMeanSquaredError(Mean):
    """sqrt of the running (weighted) mean of the squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true = as_array(y_true, self._np_dtype)
        y_pred = as_array(y_pred, self._np_dtype)
        y_true, y_pred = squeeze_or_expand(y_true, y_pred)
        error = y_pred - y_true
        super().update_state(error * error, sample_weight=sample_weight)

    def result(self) -> Tensor:
        return Tensor(B.xp.sqrt(super().result()._value))


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): +1 for parallel vectors."""
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine between y_true and y_pred along ``axis``."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(fn=cosine_similarity, name=name, dtype=dtype, axis=axis)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class R2Score(Metric):
    """Coefficient of determination 1 - sum w (y - p)^2 / sum w (y - mean_w(y))^2, per output column.

    ``class_aggregation``: "uniform_average" (mean over columns), "variance_weighted_average",
    or None (one score per column). Inputs must be 2-D: (batch, outputs).
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of (None, "
                             f"'uniform_average', 'variance_weighted_average'). Received: "
                             f"class_aggregation={class_aggregation!r}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable(shape=(), name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}.")
        n = y_pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(n,), name="squared_sum")
        self.sum = self.add_variable(shape=(n,), name="sum")
        self.total_mse = self.add_variable(shape=(n,), name="residual")
        self.count = self.add_variable(shape=(n,), name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        xp = B.xp
        y_true = as_array(y_true, self._np_dtype)
        y_pred = as_array(y_pred, self._np_dtype)
        y_true, y_pred = squeeze_or_expand(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        w = xp.ones((), self._np_dtype) if sample_weight is None else as_array(sample_weight, self._np_dtype)
        if w.ndim == 1:
            w = w[:, None]
        w = xp.broadcast_to(w, y_true.shape)
        weighted = y_true * w
        self.sum._value = self.sum._value + xp.sum(weighted, axis=0)
        self.squared_sum._value = self.squared_sum._value + xp.sum(y_true * weighted, axis=0)
        self.total_mse._value = self.total_mse._value + xp.sum((y_true - y_pred) ** 2 * w, axis=0)
        self.count._value = self.count._value + xp.sum(w, axis=0)
        self.num_samples._value = self.num_samples._value + self._np_dtype.type(y_true.size)

    def result(self) -> Tensor:
        xp = B.xp
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum._value / self.count._value
            total = self.squared_sum._value - self.sum._value * mean
            raw = 1 - self.total_mse._value / total
        raw = xp.where(xp.isinf(raw), xp.zeros((), raw.dtype), raw)
        if self.class_aggregation == "uniform_average":
            score = xp.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = xp.sum(total * raw) / xp.sum(total)
        else:
            score = raw
        n, p = float(self.num_samples._value), float(self.num_regressors)
        if self.num_regressors != 0 and p < n - 1:
            score = 1 - (1 - score) * (n - 1) / (n - p - 1)
        return Tensor(xp.asarray(score, dtype=self._np_dtype))

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
