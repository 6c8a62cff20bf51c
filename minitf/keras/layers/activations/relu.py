"""ReLU: the generalised rectifier as a layer, ``ReLU(max_value=None, negative_slope=0.0, threshold=0.0)``.

    f(x) = max_value                          for x >= max_value
         = x                                  for threshold <= x < max_value
         = negative_slope * (x - threshold)   otherwise

(``keras.activations.relu``, with Keras's choice of TF ops for each case.)
"""
from __future__ import annotations

from minitf.keras import activations
from minitf.keras.layers.layer import Layer

__all__ = ["ReLU"]


class ReLU(Layer):
    """``activations.relu`` with the layer's settings. Output shape = input shape."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be None or a negative value. Received: "
                             f"negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be None or a negative value. Received: "
                             f"threshold={threshold}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config
