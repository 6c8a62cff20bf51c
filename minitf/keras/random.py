"""``keras.random``: Keras 3's random ops, seeded by ``SeedGenerator``s, with Keras's numbers.

Keras on TensorFlow draws every number with a *stateless* op (``tf.random.stateless_normal`` ...),
whose values depend only on a seed of two ints:

* ``seed=42`` (an int): the seed ``[42, 0]``, so the same numbers on every call;
* ``seed=SeedGenerator(42)``: a variable holding ``[42, 0]``; each draw takes its value and adds 1
  to the second int, so every call (and every replay of a traced step) draws anew, in a sequence
  fixed by the generator's seed. A layer keeps one (``self.seed_generator = SeedGenerator(1337)``);
* ``seed=None``: a global SeedGenerator (seeded from Python's ``random``, which
  ``keras.utils.set_random_seed`` seeds), stepped by ``(state + 1) * 5387 % 933199``.

Before the draw the seed is folded into int32 as Keras does (``floormod(seed, 2**31 - 2)``).
minitf reproduces TF's stateless streams (``minitf/_philox.py``), so the same seed gives Keras's
numbers (checked in parity_tests/test_keras_random_parity.py).
"""
from __future__ import annotations

import random as python_random

import numpy as np

from minitf import dtypes
from minitf import random as tf_random
from minitf.keras.backend import floatx
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.ops.creation import zeros_like
from minitf.tensor import Tensor, Variable, convert_to_tensor

__all__ = ["SeedGenerator", "normal", "uniform", "randint", "truncated_normal", "dropout", "shuffle", "categorical",
           "gamma", "binomial", "beta"]

_INT32_MAX = 2**31 - 1
_global = {"generator": None}
_names: dict[str, int] = {}


class SeedGenerator:
    """A seed that moves on with each draw (see the module docstring): ``state`` is an int64 variable
    ``[seed, 0]``; ``next()`` returns its value and steps it."""

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        if name is None:
            count = _names.get("seed_generator", 0)
            _names["seed_generator"] = count + 1
            name = "seed_generator" if count == 0 else f"seed_generator_{count}"
        self.name = name
        self._initial_seed = seed
        if seed is None:
            seed = python_random.randint(1, int(1e9))  # Keras's make_default_seed
        if not isinstance(seed, int):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self.state = Variable(np.array([seed, 0], dtype=np.int64), trainable=False, name="seed_generator_state")

    def next(self, ordered: bool = True) -> Tensor:
        value = self.state.read_value()
        if ordered:
            self.state.assign(value + convert_to_tensor(np.array([0, 1], dtype=np.int64)))
        else:  # a sequence of near-unique numbers below 933199 (the global generator's steps)
            self.state.assign((value + 1) * 5387 % 933199)
        return value

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "SeedGenerator":
        return cls(**config)


def global_seed_generator() -> SeedGenerator:
    """The generator of draws with ``seed=None`` (made anew by ``keras.utils.set_random_seed``)."""
    if _global["generator"] is None:
        _global["generator"] = SeedGenerator()
    return _global["generator"]


def reset_global_seed_generator() -> None:
    _global["generator"] = None


def layer_seed_generator(seed: int | None) -> SeedGenerator:
    """A layer's own SeedGenerator (Dropout, GaussianNoise, a recurrent cell ...).

    Given a seed, Keras's. Without one, a deliberate difference from Keras 3 (which takes the seed
    from Python's ``random``): minitf takes it from its global stream, so that ``tf.random.set_seed``,
    the course's way to repeat a run, repeats a model's dropout masks too, as it did in TF 2's
    Keras. ``keras.utils.set_random_seed`` seeds that stream as well."""
    if seed is None:
        seed = int(tf_random.global_numpy_rng().integers(1, int(1e9)))
    return SeedGenerator(seed)


def draw_seed(seed) -> Tensor:
    """The two-int seed of one draw, as int32 (Keras's ``draw_seed`` then ``_cast_seed``)."""
    if isinstance(seed, SeedGenerator):
        value = seed.next()
    elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        value = convert_to_tensor(np.array([int(seed), 0], dtype=np.int64))  # int64 seeds, as Keras on TF
    elif seed is None:
        value = global_seed_generator().next(ordered=False)
    else:
        raise ValueError("Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
                         f"Received: seed={seed} (of type {type(seed)})")
    return S.cast(E.floormod(value, convert_to_tensor(np.int64(_INT32_MAX - 1))), dtypes.int32)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    return tf_random.stateless_normal(shape, draw_seed(seed), mean=mean, stddev=stddev, dtype=dtype or floatx())


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    dtype = dtype or floatx()
    return tf_random.stateless_uniform(shape, draw_seed(seed), minval=S.cast(minval, dtype),
                                       maxval=S.cast(maxval, dtype), dtype=dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None) -> Tensor:
    """Integers in [minval, maxval)."""
    drawn = "int64" if dtypes.as_dtype(dtype).name not in ("int32", "int64") else dtype
    return S.cast(tf_random.stateless_uniform(shape, draw_seed(seed), minval=minval, maxval=maxval, dtype=drawn),
                  dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Normal values, those beyond two standard deviations drawn again."""
    return tf_random.stateless_truncated_normal(shape, draw_seed(seed), mean=mean, stddev=stddev,
                                                dtype=dtype or floatx())


def dropout(inputs, rate, noise_shape=None, seed=None) -> Tensor:
    """Each value zeroed with probability ``rate``, the others scaled by 1 / (1 - rate): TF's
    ``stateless_dropout`` (a cell is kept where its uniform draw is >= rate)."""
    x = convert_to_tensor(inputs)
    if rate == 1.0:
        return zeros_like(x)
    if rate == 0.0:
        return x
    seed = draw_seed(seed)
    shape = tuple(x.shape) if noise_shape is None else \
        tuple(d if n is None else n for d, n in zip(tuple(x.shape), noise_shape))
    if None in shape:  # a trace whose signature leaves a size open: that size is read when it runs
        sizes = S.shape(x)
        shape = [sizes[i] if d is None else d for i, d in enumerate(shape)]
    kept = E.greater_equal(tf_random.stateless_uniform(shape, seed, dtype=x.dtype), S.cast(rate, x.dtype))
    scaled = E.multiply(x, S.cast(1.0 / (1.0 - rate), x.dtype))
    return E.where(kept, scaled, zeros_like(scaled))


def shuffle(x, axis: int = 0, seed=None) -> Tensor:
    """``x`` with its slices along ``axis`` in a random order (the argsort of uniform draws)."""
    x = convert_to_tensor(x)
    order = S.argsort(tf_random.stateless_uniform([x.shape[axis]], draw_seed(seed)))
    return S.gather(x, order, axis=axis)


def categorical(logits, num_samples, dtype="int32", seed=None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (batch, classes), with probabilities
    softmax(row): TF's stateless categorical (int64), cast to ``dtype``."""
    if len(convert_to_tensor(logits).shape) != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                         f"Received: logits={logits}")
    return S.cast(tf_random.stateless_categorical(logits, num_samples, seed=draw_seed(seed)), dtype)


def gamma(shape, alpha, dtype=None, seed=None) -> Tensor:
    """Gamma(alpha, 1) values (mean alpha)."""
    return tf_random.stateless_gamma(shape, draw_seed(seed), alpha=alpha, dtype=dtype or floatx())


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> Tensor:
    """Binomial(counts, probabilities) values, as ``dtype`` (floatx by default)."""
    return tf_random.stateless_binomial(shape, draw_seed(seed), counts=counts, probs=probabilities,
                                        output_dtype=dtype or floatx())


def beta(shape, alpha, beta, dtype=None, seed=None) -> Tensor:  # noqa: A002 (Keras's name)
    """Beta(alpha, beta) values: ``X / (X + Y)`` for X ~ Gamma(alpha), Y ~ Gamma(beta), as Keras on
    TF draws them: Y's seed is X's plus 12 (both ints), the parameters broadcast to ``shape``."""
    dtype = dtype or floatx()
    seed_x = draw_seed(seed)
    seed_y = E.add(seed_x, convert_to_tensor(np.int32(12)))
    alpha = S.broadcast_to(convert_to_tensor(alpha, dtype=dtype), shape)
    beta = S.broadcast_to(convert_to_tensor(beta, dtype=dtype), shape)
    x = tf_random.stateless_gamma(shape, seed_x, alpha=alpha, dtype=dtype)
    y = tf_random.stateless_gamma(shape, seed_y, alpha=beta, dtype=dtype)
    return E.divide(x, E.add(x, y))
