"""GaussianNoise: in training, ``x + N(0, stddev^2)`` noise (a regularizer for real-valued inputs); at
inference the identity. The noise comes from ``keras.random.normal`` with the layer's own
SeedGenerator, so a seeded layer draws Keras's numbers."""
from __future__ import annotations

from minitf.keras import random as keras_random
from minitf.keras.layers.layer import Layer

__all__ = ["GaussianNoise"]


class GaussianNoise(Layer):
    def __init__(self, stddev: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev <= 1:
            raise ValueError("Invalid value received for argument `stddev`. Expected a float value between 0 and 1. "
                             f"Received: stddev={stddev}")
        self.stddev, self.seed = stddev, seed
        if stddev > 0:
            self.seed_generator = keras_random.layer_seed_generator(seed)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + keras_random.normal(tuple(inputs.shape), mean=0.0, stddev=self.stddev,
                                                dtype=inputs.dtype, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
