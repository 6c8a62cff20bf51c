"""ELU: ``f(x) = x`` for x > 0, ``alpha * (e^x - 1)`` below (``keras.activations.elu``)."""
from __future__ import annotations

from minitf.keras import activations
from minitf.keras.layers.layer import Layer

__all__ = ["ELU"]


class ELU(Layer):
    """``activations.elu(x, alpha)``. Output shape = input shape."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
