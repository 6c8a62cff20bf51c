"""Hinge losses as metrics (``keras.metrics.Hinge``, ``SquaredHinge``, ``CategoricalHinge``): the running
mean of the per-sample loss of ``minitf.keras.losses``."""
from __future__ import annotations

from minitf.keras import losses
from minitf.keras.metrics.reduction_metrics import FixedFunctionMean


class Hinge(FixedFunctionMean):
    """Running mean of mean(max(1 - y p, 0)), labels 0/1 taken as -1/1."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fn=losses.hinge, name=name, dtype=dtype)


class SquaredHinge(FixedFunctionMean):
    """Running mean of mean(max(1 - y p, 0)^2)."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fn=losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(FixedFunctionMean):
    """Running mean of max(0, 1 + max over wrong classes of p - p of the right class)."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fn=losses.categorical_hinge, name=name, dtype=dtype)
