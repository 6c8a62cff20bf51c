"""GaussianDropout: in training, ``x * N(1, rate / (1 - rate))`` multiplicative noise (the variance of
dropout's scaling, without zeros); at inference the identity. Drawn with ``keras.random.normal``
and the layer's own SeedGenerator, as Keras."""
from __future__ import annotations

import math

from minitf.keras import random as keras_random
from minitf.keras.layers.layer import Layer

__all__ = ["GaussianDropout"]


class GaussianDropout(Layer):
    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate, self.seed = rate, seed
        if rate > 0:
            self.seed_generator = keras_random.layer_seed_generator(seed)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * keras_random.normal(tuple(inputs.shape), mean=1.0, stddev=stddev, dtype=inputs.dtype,
                                                seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
