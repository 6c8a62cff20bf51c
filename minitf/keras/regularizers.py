"""Regularizers (``tf.keras.regularizers``): penalties on the weights, added to the loss.

``regularizer(weight)`` returns a scalar Tensor, built from recorded ops so that its gradient
reaches the weight:

    L1(l1):        l1 * sum(|w|)                  d/dw = l1 * sign(w)
    L2(l2):        l2 * sum(w^2)   (no 1/2!)      d/dw = 2 * l2 * w
    L1L2(l1, l2):  both

Keras's defaults: ``L1()`` and ``L2()`` use 0.01; ``L1L2()`` uses 0 for both. A layer's
``kernel_regularizer="l2"`` means ``L2(0.01)``; the model adds the sum of these penalties to the
loss it reports and differentiates.
"""
from __future__ import annotations

import math
from typing import Any

from minitf.keras.saving.serialization import deserialize_from_table, get_keras_object, serialize_instance
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor


def _validate(value, name: str) -> float:
    if (isinstance(value, bool) or not isinstance(value, (float, int)) or math.isinf(value)
            or math.isnan(value) or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


class Regularizer:
    """Base class: ``__call__(weight) -> scalar Tensor``; ``get_config``/``from_config``."""

    def __call__(self, x: Tensor) -> Tensor:
        return convert_to_tensor(0.0)

    def get_config(self) -> dict:
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


def _float(x) -> Tensor:
    x = convert_to_tensor(x)
    return x if x._value.dtype.kind == "f" else S.cast(x, "float32")


class L1L2(Regularizer):
    """l1 * sum(|w|) + l2 * sum(w^2)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _validate(0.0 if l1 is None else l1, "l1")
        self.l2 = _validate(0.0 if l2 is None else l2, "l2")

    def __call__(self, x) -> Tensor:
        x = _float(x)
        penalty = convert_to_tensor(0.0, dtype=x.dtype)
        if self.l1 != 0.0:
            penalty = penalty + self.l1 * R.reduce_sum(E.abs(x))
        if self.l2 != 0.0:
            penalty = penalty + self.l2 * R.reduce_sum(E.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """l1 * sum(|w|)."""

    def __init__(self, l1: float = 0.01):
        self.l1 = _validate(0.01 if l1 is None else l1, "l1")

    def __call__(self, x) -> Tensor:
        x = _float(x)
        return self.l1 * R.reduce_sum(E.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 * sum(w^2) -- weight decay in the loss (no factor 1/2)."""

    def __init__(self, l2: float = 0.01):
        self.l2 = _validate(0.01 if l2 is None else l2, "l2")

    def __call__(self, x) -> Tensor:
        x = _float(x)
        return self.l2 * R.reduce_sum(E.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


# Keras's lower-case names are the classes: regularizers.l2(0.001).
l1, l2, l1_l2 = L1, L2, L1L2

ALL_OBJECTS_DICT: dict[str, type] = {"Regularizer": Regularizer, "L1": L1, "L2": L2, "L1L2": L1L2,
                                     "regularizer": Regularizer, "l1": L1, "l2": L2, "l1_l2": L1L2,
                                     "l1l2": L1L2}


def serialize(regularizer: Regularizer) -> dict:
    return serialize_instance(regularizer, Regularizer, "regularizer")


def deserialize(config: Any, custom_objects: dict | None = None) -> Regularizer:
    return deserialize_from_table(config, "regularizer", ALL_OBJECTS_DICT, custom_objects)


def get(identifier: Any):
    """A regularizer from a name ("l2" = L2(0.01)), config dict, class, instance or callable."""
    return get_keras_object(identifier, "regularizer", ALL_OBJECTS_DICT, deserialize)
