"""ActivityRegularization: the identity, adding ``l1 * sum(|x|) + l2 * sum(x^2)`` of what passes
through to the model's losses (an activity regularizer, as a layer of its own)."""
from __future__ import annotations

from minitf.keras import regularizers
from minitf.keras.layers.layer import Layer

__all__ = ["ActivityRegularization"]


class ActivityRegularization(Layer):
    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1, self.l2 = l1, l2
        self._build_at_init()

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
