"""LeakyReLU: ``f(x) = x`` for x >= 0, ``negative_slope * x`` below (Keras's default slope: 0.3).

``alpha`` (Keras 2's name for the slope) is still taken, with Keras's deprecation warning.
"""
from __future__ import annotations

import warnings

from minitf.keras import activations
from minitf.keras.layers.layer import Layer

__all__ = ["LeakyReLU"]


class LeakyReLU(Layer):
    """``activations.leaky_relu(x, negative_slope)``. Output shape = input shape."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                             f"Expected a float. Received: negative_slope={negative_slope}")
        self.negative_slope = negative_slope
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config
