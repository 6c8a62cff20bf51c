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

from minitf import backend as B
from minitf.keras import losses as losses_module
from minitf.keras.metrics.metric import Metric, as_array
from minitf.keras.metrics.metrics_utils import divide_no_nan, squeeze_or_expand
from minitf.tensor import Tensor, convert_to_tensor


def reduce_to_samplewise_values(values, sample_weight, reduce_fn: Callable, dtype):
    """(values reduced to one per sample and weighted, the weights reduced likewise)."""
    values = values.astype(dtype, copy=False)
    if sample_weight is not None:
        sample_weight = as_array(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.ndim, values.ndim
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        try:
            sample_weight = B.xp.broadcast_to(sample_weight, values.shape)
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
        values, _ = reduce_to_samplewise_values(as_array(values), sample_weight, B.xp.sum, self._np_dtype)
        self.total._value = self.total._value + B.xp.sum(values)

    def result(self) -> Tensor:
        return Tensor(self.total._value.astype(self._np_dtype))


class Mean(Metric):
    """The running (weighted) mean of the values: total / count."""

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")
        self.count = self.add_variable(shape=(), name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, sample_weight = reduce_to_samplewise_values(as_array(values), sample_weight, B.xp.mean,
                                                            self._np_dtype)
        self.total._value = self.total._value + B.xp.sum(values)
        if sample_weight is not None:
            num_samples = B.xp.sum(sample_weight)
        else:
            num_samples = values.shape[0] if values.ndim >= 1 else 1
        self.count._value = self.count._value + self._np_dtype.type(num_samples)

    def result(self) -> Tensor:
        return Tensor(divide_no_nan(self.total._value, self.count._value))


def _untracked(x: Any) -> Any:
    """``x`` as a tensor no tape tracks (keeping a sigmoid/softmax output's logits mark)."""
    if not isinstance(x, Tensor):
        return x
    y = Tensor(x._value)
    logits = losses_module.logits_of(x)
    if logits is not None:
        losses_module.register_logits(y, Tensor(convert_to_tensor(logits)._value))
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
        super().update_state(as_array(values), sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = getattr(self._fn, "__name__", repr(self._fn))
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "MeanMetricWrapper":
        config = dict(config)
        fn = config.pop("fn", None)
        if isinstance(fn, str):
            from minitf.keras import metrics
            fn = metrics.get(fn)
        return cls(fn, **config)
