"""Dropout: in training, zero each input with probability ``rate`` and scale the rest by 1/(1 - rate).

This is *inverted* dropout: the expected value of each output equals its input, so at
inference the layer is simply the identity (nothing to rescale). With keep mask m (a constant):

    y = x * m / (1 - rate)          dy/dx = m / (1 - rate)

The mask is drawn (a random op: a traced step draws a new one every call) from the layer's own
stream, seeded by ``seed=``, or without one from the global stream when the layer is made (so
``minitf.random.set_seed`` repeats it), as Keras gives each layer its own SeedGenerator. Its own
stream, not the global one: a model built on its first (traced or eager) step draws its initial
weights from the global stream, and mask draws in between would make the two runs differ.
Not TF's numbers: parity tests check dropout statistically, never mask for mask.
"""
from __future__ import annotations

import numpy as np

from minitf import random as mt_random
from minitf.keras.layers.layer import Layer
from minitf.ops import elementwise as E
from minitf.tensor import convert_to_tensor


class Dropout(Layer):
    """Randomly zeroes a fraction ``rate`` of the inputs during training (``training=True``)."""

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) or not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._rng = np.random.default_rng(seed if seed is not None else mt_random.global_numpy_rng().integers(2**62))
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = tuple(inputs.shape)
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for n, s in zip(self.noise_shape, shape))
        if self.rate >= 1:
            return inputs * 0.0
        keep = mt_random.uniform_from(self._rng, shape, dtype=inputs.dtype) >= self.rate
        scale = convert_to_tensor(1.0 / (1.0 - self.rate), dtype=inputs.dtype)
        return inputs * E.where(keep, scale, E.zeros_like_scalar(scale))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config
