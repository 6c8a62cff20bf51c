"""Regression metrics: means of the loss functions, RMSE, cosine similarity, R^2.

    MeanSquaredError / MeanAbsoluteError / MeanAbsolutePercentageError / MeanSquaredLogarithmicError:
        the running mean of the per-sample loss (``minitf.keras.losses``)
    RootMeanSquaredError:  sqrt(sum w (y_pred - y_true)^2 / sum w), squared errors averaged per sample
    CosineSimilarity:      mean of cos(y_true, y_pred) along ``axis`` (+1 = same direction)
    R2Score:               1 - SS_res / SS_tot per output column, then averaged
"""
from __future__ import annotations

from typing import Any

from minitf.keras import losses
from minitf.keras.metrics.metric import Metric, as_tensor
from minitf.keras.metrics.metrics_utils import squeeze_or_expand
from minitf.keras.metrics.reduction_metrics import FixedFunctionMean, Mean, MeanMetricWrapper
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor


class MeanSquaredError(FixedFunctionMean):
    """Running mean of mean((y_true - y_pred)^2, axis=-1)."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(FixedFunctionMean):
    """Running mean of mean(|y_true - y_pred|, axis=-1)."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=losses.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(FixedFunctionMean):
    """Running mean of 100 * mean(|(y_true - y_pred) / y_true|, axis=-1)."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(fn=losses.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(FixedFunctionMean):
    """Running mean of mean((log(y_pred + 1) - log(y_true + 1))^2, axis=-1)."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(fn=losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(FixedFunctionMean):
    """Running mean of mean(log(cosh(y_pred - y_true)), axis=-1)."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(fn=losses.log_cosh, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """sqrt of the running (weighted) mean of the squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true = as_tensor(y_true, self.dtype)
        y_pred = as_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand(y_true, y_pred)
        error = y_pred - y_true
        super().update_state(error * error, sample_weight=sample_weight)

    def result(self) -> Tensor:
        return E.sqrt(super().result())


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): +1 for parallel vectors."""
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine between y_true and y_pred along ``axis``."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(fn=cosine_similarity, name=name, dtype=dtype, axis=axis)

    def get_config(self) -> dict:
        # Keras 3.15's config is name and dtype only (a saved axis=0 metric comes back as axis=-1); minitf
        # keeps axis, which Keras's from_config takes.
        return {"name": self.name, "dtype": self.dtype, "axis": self._fn_kwargs["axis"]}


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
        y_true = as_tensor(y_true, self.dtype)
        y_pred = as_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        w = as_tensor(1.0 if sample_weight is None else sample_weight, self.dtype)
        if w.ndim == 1:
            w = S.expand_dims(w, 1)
        w = S.broadcast_to(w, tuple(y_true.shape))
        weighted = y_true * w
        self.sum.assign_add(R.reduce_sum(weighted, axis=0))
        self.squared_sum.assign_add(R.reduce_sum(y_true * weighted, axis=0))
        self.total_mse.assign_add(R.reduce_sum(E.square(y_true - y_pred) * w, axis=0))
        self.count.assign_add(R.reduce_sum(w, axis=0))
        self.num_samples.assign_add(S.cast(S.size(y_true), self.dtype))

    def result(self) -> Tensor:
        mean = self.sum.value() / self.count.value()
        total = self.squared_sum.value() - self.sum.value() * mean
        raw = 1.0 - self.total_mse.value() / total
        raw = E.where(E.is_inf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = R.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = R.reduce_sum(total * raw) / R.reduce_sum(total)
        else:
            score = raw
        if self.num_regressors != 0:  # the adjusted R^2, where n - p - 1 > 0
            n, p = self.num_samples.value(), float(self.num_regressors)
            adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
            score = E.where(p < n - 1.0, adjusted, score)
        return score

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
