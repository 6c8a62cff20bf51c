"""ThresholdedReLU (tf.keras's legacy layer, still exported by TF 2.21's ``tf.keras.layers``):

    f(x) = x   for x > theta
         = 0   otherwise                  df/dx = 1 where x > theta, else 0

Computed as Keras does, ``x * cast(x > theta)`` with theta in the layer's compute dtype.
"""
from __future__ import annotations

import numpy as np

from minitf.keras.layers.layer import Layer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S

__all__ = ["ThresholdedReLU"]


class ThresholdedReLU(Layer):
    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError(f"Theta of a Thresholded ReLU layer cannot be None, expecting a float. Received: {theta}")
        if theta < 0:
            raise ValueError(f"The theta value of a Thresholded ReLU layer should be >=0. Received: {theta}")
        self.theta = float(np.asarray(theta).astype(self.compute_dtype))  # as Keras: theta in the compute dtype
        self.supports_masking = True  # (the legacy class is not built at init: built on its first call)

    def call(self, inputs):
        theta = S.cast(self.theta, self.compute_dtype)
        return inputs * S.cast(E.greater(inputs, theta), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "theta": self.theta}
