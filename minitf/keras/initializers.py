"""Initializers (``tf.keras.initializers``): the starting values of a layer's weights.

``initializer(shape, dtype=None)`` returns a Tensor of that shape (float32 by default).
Random initializers draw from ``minitf.random.global_numpy_rng()`` -- so ``minitf.random.set_seed``
makes them repeatable -- or, given ``seed=<int>``, from their own fresh stream (the same
values on every call, as Keras 3 does with an integer seed). The numbers are not TF's (no
NumPy engine can reproduce TF's generators): to compare with TF, copy the weights.

Fans (``compute_fans``), as Keras computes them:
    shape (n,)                  fan_in = fan_out = n
    shape (in, out)             fan_in = in, fan_out = out                (Dense kernel)
    shape (*k, in, out)         fan_in = prod(k) * in, fan_out = prod(k) * out   (Conv kernel)

VarianceScaling(scale, mode, distribution): n = fan_in, fan_out or their mean (``mode``), then
    "uniform":            U(-limit, limit), limit = sqrt(3 scale / n)
    "truncated_normal":   N(0, s) cut at 2 s, s = sqrt(scale / n) / 0.8796... (the cut's std correction)
    "untruncated_normal": N(0, sqrt(scale / n))
glorot_* = (1, fan_avg), he_* = (2, fan_in), lecun_* = (1, fan_in). Glorot uniform's limit is thus
sqrt(6 / (fan_in + fan_out)).
"""
from __future__ import annotations

import inspect
import math
from typing import Any, Callable

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf import random as mt_random
from minitf.keras.naming import to_snake_case
from minitf.keras.saving.serialization import (deserialize_from_table, get_keras_object, serialize_instance,
                                               serialize_keras_object)
from minitf.tensor import Tensor, convert_to_tensor


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` (see the module doc)."""
    shape = tuple(int(d) for d in shape)
    if input_axes is not None and output_axes is not None:
        return (int(np.prod([shape[a] for a in input_axes])), int(np.prod([shape[a] for a in output_axes])))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = int(np.prod(shape[:-2]))
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _dtype(dtype) -> np.dtype:
    return np.dtype(np.float32) if dtype is None else dtypes.as_dtype(dtype)._np


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _tensor(values: np.ndarray, dtype) -> Tensor:
    return Tensor(B.xp.asarray(np.asarray(values).astype(_dtype(dtype), copy=False)))


class Initializer:
    """Base class: ``__call__(shape, dtype=None)`` -> Tensor; ``get_config()`` -> dict."""

    def __call__(self, shape, dtype=None) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype=None)")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)

    def clone(self) -> "Initializer":
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# --- constants ---------------------------------------------------------------------------------------
class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None) -> Tensor:
        return Tensor(B.xp.zeros(_shape(shape), dtype=_dtype(dtype)))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None) -> Tensor:
        return Tensor(B.xp.ones(_shape(shape), dtype=_dtype(dtype)))


class Constant(Initializer):
    """Every element ``value`` (a scalar)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None) -> Tensor:
        value = B.to_numpy(convert_to_tensor(self.value)._value) if isinstance(self.value, Tensor) else self.value
        return Tensor(B.xp.full(_shape(shape), np.asarray(value).astype(_dtype(dtype)), dtype=_dtype(dtype)))

    def get_config(self) -> dict:
        value = self.value
        if isinstance(value, (np.ndarray, np.generic, Tensor)):
            value = np.asarray(value).tolist()
        return {"value": value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        return _tensor(self.gain * np.eye(*shape), dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain}


# --- random ---------------------------------------------------------------------------------------------
class RandomInitializer(Initializer):
    """Draws from the global stream, or from ``np.random.default_rng(seed)`` if ``seed`` is an int."""

    def __init__(self, seed: int | None = None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"`seed` argument should be an integer (or None). Received: seed={seed!r}")
        self.seed = seed

    def _rng(self) -> np.random.Generator:
        return mt_random.global_numpy_rng() if self.seed is None else np.random.default_rng(int(self.seed))

    def get_config(self) -> dict:
        return {"seed": self.seed}


def _truncated_normal(rng: np.random.Generator, shape: tuple, mean: float, stddev: float) -> np.ndarray:
    """N(0, 1) redrawn until within 2 standard deviations, then scaled (TF's truncated normal)."""
    values = rng.standard_normal(shape)
    bad = np.abs(values) > 2.0
    while bad.any():
        values[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(values) > 2.0
    return values * stddev + mean


class RandomNormal(RandomInitializer):
    """N(mean, stddev)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        return _tensor(self._rng().normal(self.mean, self.stddev, _shape(shape)), dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """N(mean, stddev), values beyond 2 stddev redrawn."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        return _tensor(_truncated_normal(self._rng(), _shape(shape), self.mean, self.stddev), dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """U(minval, maxval)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.minval, self.maxval = minval, maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        return _tensor(self._rng().uniform(self.minval, self.maxval, _shape(shape)), dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Scale the spread to the fans so activations keep their variance (see the module doc)."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: int | None = None, input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of 'fan_in', 'fan_out', 'fan_avg'")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. Please use one of "
                             f"'uniform', 'truncated_normal', 'untruncated_normal'")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            values = _truncated_normal(rng, shape, 0.0, math.sqrt(scale) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            values = rng.uniform(-limit, limit, shape)
        return _tensor(values, dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


class _VarianceScalingPreset(VarianceScaling):
    _preset: tuple = ()

    def __init__(self, seed: int | None = None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._preset
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self) -> dict:
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_VarianceScalingPreset):
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)) -- the Dense/Conv default."""

    _preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_VarianceScalingPreset):
    """Truncated N(0, sqrt(2 / (fan_in + fan_out)))."""

    _preset = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_VarianceScalingPreset):
    """U(-limit, limit), limit = sqrt(6 / fan_in) -- for ReLU layers."""

    _preset = (2.0, "fan_in", "uniform")


class HeNormal(_VarianceScalingPreset):
    """Truncated N(0, sqrt(2 / fan_in))."""

    _preset = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_VarianceScalingPreset):
    """U(-limit, limit), limit = sqrt(3 / fan_in)."""

    _preset = (1.0, "fan_in", "uniform")


class LecunNormal(_VarianceScalingPreset):
    """Truncated N(0, sqrt(1 / fan_in)) -- for SELU networks."""

    _preset = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (times ``gain``): Q of the QR of a normal matrix, Q * sign(diag R).

    Shapes of rank > 2 are flattened to (prod(shape[:-1]), shape[-1]) first. Used for the
    recurrent kernels of LSTM/GRU/SimpleRNN.
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: "
                             f"shape={shape} of rank {len(shape)}.")
        num_rows, num_cols = int(np.prod(shape[:-1])), shape[-1]
        a = self._rng().normal(0.0, 1.0, (max(num_rows, num_cols), min(num_rows, num_cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))  # makes the distribution uniform over orthogonal matrices
        if num_rows < num_cols:
            q = q.T
        return _tensor(self.gain * q.reshape(shape), dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "gain": self.gain}


# --- look-up and (de)serialization ---------------------------------------------------------------------
_CLASSES = (Initializer, Zeros, Ones, Constant, Identity, RandomNormal, TruncatedNormal, RandomUniform,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
            Orthogonal)
ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({"IdentityInitializer": Identity, "normal": RandomNormal, "one": Ones,
                         "OrthogonalInitializer": Orthogonal, "uniform": RandomUniform, "zero": Zeros})

# Keras's lower-case aliases are the classes themselves: initializers.glorot_uniform(seed=1)(shape).
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, truncated_normal, random_uniform = RandomNormal, TruncatedNormal, RandomUniform
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


def serialize(initializer: Initializer) -> dict:
    if inspect.isfunction(initializer):  # a plain function (``kernel_initializer=tf.random.normal``): by name, as Keras
        return serialize_keras_object(initializer)
    return serialize_instance(initializer, Initializer, "initializer")


def deserialize(config: Any, custom_objects: dict | None = None) -> Initializer:
    return deserialize_from_table(config, "initializer", ALL_OBJECTS_DICT, custom_objects)


def get(identifier: Any) -> Callable | None:
    """An initializer from a name ("glorot_uniform", "GlorotUniform", "zeros"), a config dict,
    a class, an instance, a callable ``f(shape, dtype=None)``, or an array (used as the value).
    """
    if isinstance(identifier, (Tensor, np.ndarray, np.generic)) or B.is_array(identifier):
        value = identifier

        def initialize_fn(shape, dtype=None) -> Tensor:
            if tuple(_shape(shape)) != tuple(np.shape(B.to_numpy(getattr(value, "_value", value)))):
                raise ValueError(f"Expected `shape` to be {tuple(np.shape(value))} for direct tensor as "
                                 f"initializer. Received shape={tuple(shape)}")
            return _tensor(B.to_numpy(getattr(value, "_value", value)), dtype)

        return initialize_fn
    return get_keras_object(identifier, "initializer", ALL_OBJECTS_DICT, deserialize)
