"""Sum, Mean and MeanMetricWrapper: the metrics that average a per-sample value over batches.

``Mean.update_state(values, sample_weight)`` (Keras 3's ``reduce_to_samplewise_values``):
values are first averaged down to one per sample (all axes after the first), the weights
broadcast to them, then

    total += sum(values * w);   count += sum(w)   (or the number of samples, unweighted)
    result = total / count      (0 when count is 0)

``MeanMetricWrapper(fn)`` is a Mean of ``fn(y_true, y_pred)`` -- how "mae", "accuracy" or any
per-sample function becomes a metric.
"""
from __future__ import annotations

from typing import Any, Callable

from minitf.keras import losses as losses_module
from minitf.keras.metrics.metric import Metric, as_tensor
from minitf.keras.metrics.metrics_utils import divide_no_nan, squeeze_or_expand
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor


def reduce_to_samplewise_values(values: Tensor, sample_weight, reduce_fn: Callable, dtype):
    """(values reduced to one per sample and weighted, the weights reduced likewise)."""
    values = as_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.ndim, values.ndim
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        try:
            sample_weight = S.broadcast_to(sample_weight, tuple(values.shape))
        except ValueError:
            raise ValueError(f"sample_weight of shape {tuple(sample_weight.shape)} does not match the values of "
                             f"shape {tuple(values.shape)} (expected one weight per sample)") from None
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The running (weighted) sum of the values."""

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = reduce_to_samplewise_values(values, sample_weight, R.reduce_sum, self._np_dtype)
        self.total.assign_add(R.reduce_sum(values))

    def result(self) -> Tensor:
        return S.cast(self.total.value(), self.dtype)


class Mean(Metric):
    """The running (weighted) mean of the values: total / count."""

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")
        self.count = self.add_variable(shape=(), name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, R.reduce_mean, self._np_dtype)
        self.total.assign_add(R.reduce_sum(values))
        if sample_weight is not None:
            num_samples = R.reduce_sum(sample_weight)
        else:
            num_samples = S.cast(S.size(values) if values.ndim >= 1 else 1, self.dtype)
        self.count.assign_add(S.cast(num_samples, self.dtype))

    def result(self) -> Tensor:
        return divide_no_nan(self.total.value(), self.count.value())


def _untracked(x: Any) -> Any:
    """``x`` as a tensor no tape tracks (keeping a sigmoid/softmax output's logits mark)."""
    if not isinstance(x, Tensor):
        return x
    y = S.stop_gradient(x)
    logits = losses_module.logits_of(x)
    if logits is not None:
        losses_module.register_logits(y, S.stop_gradient(logits))
    return y


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen."""

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        # Metrics are not differentiated: detach the inputs so that no op is recorded on a tape.
        values = self._fn(_untracked(y_true), _untracked(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        from minitf.keras.saving.serialization import serialize_keras_object
        config = super().get_config()
        config["fn"] = serialize_keras_object(self._fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict) -> "MeanMetricWrapper":
        # Subclasses (Accuracy, TopKCategoricalAccuracy ...) save no "fn": their __init__ knows it.
        config = dict(config)
        if "fn" in config:
            from minitf.keras import metrics
            from minitf.keras.saving.serialization import deserialize_keras_object
            config["fn"] = deserialize_keras_object(config["fn"], module_objects=metrics._FUNCTIONS,
                                                    what="metric function")
        return cls(**config)


class FixedFunctionMean(MeanMetricWrapper):
    """A MeanMetricWrapper whose class fixes the function (MeanSquaredError, Accuracy, ...): its
    config is the name and dtype alone, as Keras writes it (the class says which function)."""

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}
