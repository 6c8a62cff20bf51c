"""Reshape: (batch, ...) -> (batch, *target_shape); one entry of target_shape may be -1.

The batch axis is kept; the elements of each sample keep their row-major order.
"""
from __future__ import annotations

import math

from minitf.keras.layers.layer import Layer
from minitf.ops import shape_ops as S


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (a tuple without the batch size)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = (target_shape,) if isinstance(target_shape, int) else tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target_shape) > 1 or any(d < -1 or d == 0 for d in target_shape):
            raise ValueError(f"Reshape: target_shape may hold positive sizes and at most one -1, "
                             f"got target_shape={target_shape}")
        self.target_shape = target_shape

    def _resolved(self, input_shape) -> tuple:
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(self._error(input_shape))
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(self._error(input_shape))
        return self.target_shape

    def _error(self, input_shape) -> str:
        return (f"Layer '{self.name}' (Reshape): the input of shape {tuple(input_shape)} has "
                f"{math.prod(d for d in input_shape[1:] if d is not None)} values per sample, which cannot be "
                f"reshaped to target_shape={self.target_shape}")

    def call(self, inputs):
        shape = (inputs.shape[0],) + self._resolved(tuple(inputs.shape))
        return S.reshape(inputs, shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolved(tuple(input_shape))

    def get_config(self) -> dict:
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Reshape":
        config = dict(config)
        config["target_shape"] = tuple(config["target_shape"])
        return cls(**config)
