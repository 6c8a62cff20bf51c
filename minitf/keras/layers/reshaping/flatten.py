"""Flatten: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...), row-major (C order), as Keras.

An image of shape (H, W, C) becomes the vector [x[0,0,0], x[0,0,1], ..., x[0,1,0], ...]: the
channel index moves fastest. A (batch,) input becomes (batch, 1). The gradient is the
upstream gradient reshaped back (from the Reshape op).
"""
from __future__ import annotations

import math

from minitf.keras.layers.layer import Layer
from minitf.ops import shape_ops as S


class Flatten(Layer):
    """Flattens all but the batch axis. ``data_format`` is accepted; only "channels_last" is supported."""

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"Flatten: minitf supports data_format='channels_last' only, got {data_format!r}")
        self.data_format = "channels_last"

    def call(self, inputs):
        batch = inputs.shape[0] if inputs.ndim else 1
        if inputs.ndim == 1:
            return S.reshape(inputs, (-1, 1))
        rest = inputs.shape[1:]
        if batch is None and None not in rest:  # traced with an unknown batch size: the rest is known
            return S.reshape(inputs, (-1, math.prod(rest)))
        return S.reshape(inputs, (batch, -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if not rest:
            return (input_shape[0], 1)
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
