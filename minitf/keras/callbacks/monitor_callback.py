"""MonitorCallback: the shared "is this value an improvement?" logic of EarlyStopping,
ReduceLROnPlateau and ModelCheckpoint, exactly as Keras decides it.

``mode="min"``: improvement means ``current - min_delta < best``; ``"max"``: ``current +
min_delta > best``; ``"auto"``: min for a loss (``loss``/``val_loss``), else the metric's own
direction (accuracy-like metrics go up, error-like ones down), or a ValueError asking for
``mode``. With no best yet, anything is an improvement.
"""
from __future__ import annotations

import operator
import warnings

import numpy as np

from minitf.keras.callbacks.callback import Callback

# Directions of minitf's metrics when a metric object does not say (Keras keeps `_direction` on each).
_UP = ("Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
       "SparseTopKCategoricalAccuracy", "AUC", "Precision", "Recall", "F1Score", "FBetaScore", "R2Score",
       "CosineSimilarity")
_DOWN = ("MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
         "RootMeanSquaredError", "LogCoshError", "BinaryCrossentropy", "CategoricalCrossentropy",
         "SparseCategoricalCrossentropy", "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge")


def metric_direction(metric) -> str | None:
    """"up", "down" or None for a compiled metric object."""
    direction = getattr(metric, "_direction", None)
    if direction in ("up", "down"):
        return direction
    name = type(metric).__name__
    if name in _UP:
        return "up"
    if name in _DOWN:
        return "down"
    if name == "MeanMetricWrapper":
        fn = getattr(getattr(metric, "_fn", None), "__name__", "")
        if "accuracy" in fn:
            return "up"
        if fn:
            return "down"
    return None


class MonitorCallback(Callback):
    """Base class: ``monitor``, ``mode``, ``baseline``/best and ``min_delta``."""

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline: float | None = None,
                 min_delta: float = 0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = operator.lt
            compiled = getattr(self.model, "_compile_metrics", None)
            for m in (compiled.metrics if compiled is not None and compiled.built else []):
                if m.name == name:
                    direction = metric_direction(m)
                    if direction is not None:
                        self.monitor_op = operator.gt if direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(f"{type(self).__name__} callback received monitor={self.monitor}, but Keras isn't "
                                 "able to automatically determine whether that metric should be maximized or "
                                 "minimized. Pass `mode='max'` in order to monitor based on the highest metric value, "
                                 "or pass `mode='min'` in order to use the lowest value.")
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value, reference_value) -> bool:
        if reference_value is None:
            return True
        # Keras compares with keras.ops, i.e. as float32 tensors.
        return bool(self.monitor_op(np.float32(monitor_value - self.min_delta), np.float32(reference_value)))
