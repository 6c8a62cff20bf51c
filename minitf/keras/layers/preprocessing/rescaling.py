"""Rescaling: ``y = x * scale + offset``, e.g. ``Rescaling(1/255)`` for 8-bit images.

Integer inputs (uint8 pixels) are cast to the layer's float type first. Gradient: dy * scale.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf.keras.layers.layer import Layer
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor


class Rescaling(Layer):
    """Multiply by ``scale`` and add ``offset`` (scalars, or arrays broadcast over the last axes)."""

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        x = S.cast(inputs, self.compute_dtype) if inputs.dtype != self.compute_dtype else inputs
        scale = Tensor(B.xp.asarray(np.asarray(self.scale, dtype=self._np_dtype)))
        offset = Tensor(B.xp.asarray(np.asarray(self.offset, dtype=self._np_dtype)))
        return x * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"scale": np.asarray(self.scale).tolist(), "offset": np.asarray(self.offset).tolist()})
        return config
