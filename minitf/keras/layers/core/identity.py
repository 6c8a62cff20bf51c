"""Identity: returns its input unchanged (a placeholder where a model needs a layer and no operation)."""
from __future__ import annotations

from minitf.keras.layers.layer import Layer

__all__ = ["Identity"]


class Identity(Layer):
    """``inputs`` as they are (a tensor, or a nested structure of them); a mask passes through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
