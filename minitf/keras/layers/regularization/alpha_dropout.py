"""AlphaDropout: dropout for self-normalizing networks (SELU activations, Klambauer et al. 2017).

Zeroing a SELU unit would move its mean and variance; instead a dropped unit is set to SELU's
negative saturation value ``alpha' = -scale * alpha`` and the result is rescaled by an affine map
that restores zero mean and unit variance (for inputs that had them). With keep mask m and
keep probability q = 1 - rate:

    x' = x * m + alpha' * (1 - m)
    y  = a * x' + b,   a = (q * (1 + rate * alpha'^2)) ** -0.5,   b = -a * alpha' * rate
    dy/dx = a * m

Drawn with ``keras.random.uniform`` and the layer's own SeedGenerator (kept where the draw is
>= rate), in Keras's order of operations, so a seeded layer gives Keras's numbers. At inference
the identity.
"""
from __future__ import annotations

from minitf.keras import random as keras_random
from minitf.keras.layers.regularization.dropout import Dropout
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S

__all__ = ["AlphaDropout"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Dropout):
    """Dropout's arguments, seed generator and config; only the training-mode formula differs."""

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        shape = tuple(inputs.shape) if self.noise_shape is None else \
            tuple(d if n is None else n for d, n in zip(tuple(inputs.shape), self.noise_shape))
        alpha_p = -SELU_ALPHA * SELU_SCALE
        kept = S.cast(E.greater_equal(keras_random.uniform(shape, seed=self.seed_generator), self.rate),
                      inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return a * x + b
