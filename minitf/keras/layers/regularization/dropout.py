"""Dropout: in training, zero each input with probability ``rate`` and scale the rest by 1/(1 - rate).

This is *inverted* dropout: the expected value of each output equals its input, so at
inference the layer is simply the identity (nothing to rescale). With keep mask m (a constant):

    y = x * m / (1 - rate)          dy/dx = m / (1 - rate)

The mask is ``keras.random.dropout`` drawn with the layer's own SeedGenerator, as in Keras: a
cell is kept where its uniform draw is >= rate, and each draw steps the generator's state, so a
traced training step draws a new mask every call. A layer given ``seed=`` draws Keras's masks bit
for bit; without one, its seed is drawn when the layer is made, from the stream that
``tf.random.set_seed`` resets (``keras.random.layer_seed_generator``).
"""
from __future__ import annotations

import numpy as np

from minitf.keras import random as keras_random
from minitf.keras.layers.layer import Layer

__all__ = ["Dropout"]


def check_rate(rate) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating, np.integer)) or not 0 <= rate <= 1:
        raise ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                         f"Received: rate={rate}")
    return rate


def check_noise_shape(noise_shape) -> tuple | None:
    """Keras's checks: an iterable of positive ints or None (None: the input's size on that axis)."""
    if noise_shape is None:
        return None
    prefix = "Invalid value received for argument `noise_shape`. "
    if isinstance(noise_shape, str):
        raise ValueError(f"{prefix}Expected a tuple or list of integers. Received: noise_shape={noise_shape}")
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError(f"{prefix}Expected an iterable of integers (e.g., a tuple or list). "
                         f"Received: noise_shape={noise_shape}") from None
    for i, dim in enumerate(noise_shape):
        if dim is None:
            continue
        if not isinstance(dim, int):
            raise ValueError(f"{prefix}Expected all elements to be integers or None. "
                             f"Received element at index {i}: {dim} (type: {type(dim).__name__})")
        if dim <= 0:
            raise ValueError(f"{prefix}Expected all dimensions to be positive integers or None. "
                             f"Received negative or zero value at index {i}: {dim}")
    return noise_shape


class Dropout(Layer):
    """Randomly zeroes a fraction ``rate`` of the inputs during training (``training=True``)."""

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(rate)
        self.seed = seed
        self.noise_shape = check_noise_shape(noise_shape)
        if rate > 0:
            self.seed_generator = keras_random.layer_seed_generator(seed)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return keras_random.dropout(inputs, self.rate, noise_shape=self.noise_shape, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape}
