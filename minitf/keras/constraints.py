"""Constraints (``tf.keras.constraints``): projections applied to a weight after each optimizer step.

``constraint(w)`` returns the projected weight; the optimizer assigns it back
(``variable.assign(variable.constraint(variable))``). With norms taken along ``axis``
(0 = over the inputs of a Dense kernel, i.e. one norm per unit) and eps = 1e-7:

    MaxNorm(m):            w * clip(n, 0, m) / (eps + n)
    MinMaxNorm(lo, hi, r): w * (r * clip(n, lo, hi) + (1 - r) * n) / (eps + n)
    UnitNorm():            w / (eps + n)
    NonNeg():              max(w, 0)
"""
from __future__ import annotations

from typing import Any

from minitf.keras.saving.serialization import deserialize_from_table, get_keras_object, serialize_instance
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.tensor import Tensor, convert_to_tensor

EPSILON = 1e-7


def _norms(w: Tensor, axis) -> Tensor:
    return E.sqrt(R.reduce_sum(E.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: the identity projection."""

    def __call__(self, w: Any) -> Tensor:
        return convert_to_tensor(w)

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescale each slice along ``axis`` whose L2 norm exceeds ``max_value`` down to it."""

    def __init__(self, max_value: float = 2, axis: int | list = 0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w: Any) -> Tensor:
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = E.clip_by_value(norms, 0.0, float(self.max_value))
        return w * (desired / (EPSILON + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative entries become 0."""

    def __call__(self, w: Any) -> Tensor:
        return E.maximum(convert_to_tensor(w), 0.0)


class UnitNorm(Constraint):
    """Each slice along ``axis`` rescaled to unit L2 norm."""

    def __init__(self, axis: int | list = 0):
        self.axis = axis

    def __call__(self, w: Any) -> Tensor:
        w = convert_to_tensor(w)
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Norms moved into [min_value, max_value], at ``rate`` (1 = all the way)."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: int | list = 0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w: Any) -> Tensor:
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = (self.rate * E.clip_by_value(norms, float(self.min_value), float(self.max_value))
                   + (1 - self.rate) * norms)
        return w * (desired / (EPSILON + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm

ALL_OBJECTS_DICT: dict[str, type] = {
    "Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
    "constraint": Constraint, "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}


def serialize(constraint: Constraint) -> dict:
    return serialize_instance(constraint, Constraint, "constraint")


def deserialize(config: Any, custom_objects: dict | None = None) -> Constraint:
    return deserialize_from_table(config, "constraint", ALL_OBJECTS_DICT, custom_objects)


def get(identifier: Any):
    """A constraint from a name ("max_norm", "NonNeg"), a config dict, a class, an instance or a callable."""
    return get_keras_object(identifier, "constraint", ALL_OBJECTS_DICT, deserialize)
