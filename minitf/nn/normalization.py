"""Moments (and their sufficient statistics), batch normalization, dropout and zero_fraction as functions
(``tf.nn.*``); composed of other ops."""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def moments(x: TensorLike, axes, shift=None, keepdims: bool = False, name: str | None = None) -> tuple[Tensor, Tensor]:
    """Mean and (biased) variance over ``axes``, as TF computes them: float16 in float32 (cast back
    at the end), integers in integer arithmetic (an integer mean)."""
    x = E.numeric_operand("moments", x)
    y = S.cast(x, "float32") if x._value.dtype == np.float16 else x
    mean = R.reduce_mean(y, axis=axes, keepdims=True)
    variance = R.reduce_mean(E.squared_difference(y, S.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = S.squeeze(mean, axis=axes), S.squeeze(variance, axis=axes)
    if x._value.dtype == np.float16:
        mean, variance = S.cast(mean, "float16"), S.cast(variance, "float16")
    return mean, variance


def batch_normalization(x: TensorLike, mean: TensorLike, variance: TensorLike, offset: TensorLike,
                        scale: TensorLike, variance_epsilon: float, name: str | None = None) -> Tensor:
    """(x - mean) / sqrt(variance + eps) * scale + offset (scale/offset may be None), computed as TF
    does: inv = rsqrt(variance + eps) * scale, then x * inv + (offset - mean * inv), both terms cast
    to x's dtype."""
    x = convert_to_tensor(x)
    inv = E.rsqrt(E.add(variance, variance_epsilon))
    if scale is not None:
        inv = inv * scale
    shift = offset - mean * inv if offset is not None else -mean * inv
    return x * S.cast(inv, x.dtype) + S.cast(shift, x.dtype)


def dropout(x: TensorLike, rate: float, noise_shape=None, seed: int | None = None, name: str | None = None) -> Tensor:
    """Zero each element with probability ``rate`` and scale the rest by 1/(1 - rate) (inverted dropout).

    The kept/dropped mask is a constant, so the gradient is dy * mask / (1 - rate).
    """
    from minitf import random
    x = E.float_operand("dropout", x)
    if not 0 <= float(rate) < 1:
        raise InvalidArgumentError(f"dropout: rate must be in [0, 1), got {rate}", "dropout")
    if rate == 0:
        return x
    shape = tuple(x.shape) if noise_shape is None else tuple(int(d) for d in noise_shape)
    keep = random.uniform(shape, seed=seed, dtype=x.dtype) >= rate
    scale = Tensor(B.xp.asarray(1.0 / (1.0 - rate), dtype=x._value.dtype))
    return x * E.where(keep, scale, E.zeros_like_scalar(scale))


def sufficient_statistics(x: TensorLike, axes, shift=None, keepdims: bool = False, name: str | None = None):
    """(count, sum of x - shift, sum of (x - shift)^2, shift) over ``axes``: what ``normalize_moments``
    turns into a mean and variance (the one-pass algorithm; a shift near the mean keeps it accurate)."""
    x = convert_to_tensor(x)
    axes = [int(a) for a in (axes if isinstance(axes, (list, tuple)) else [axes])]
    if any(not -x.ndim <= a < x.ndim for a in axes):  # (TF indexes the shape's dims: an IndexError)
        raise IndexError(f"sufficient_statistics: axes {axes} out of range for a tensor of rank {x.ndim}")
    axes = [a % x.ndim for a in axes]
    counts = convert_to_tensor(int(np.prod([x.shape[a] for a in axes])), dtype=x.dtype)
    if shift is not None:
        shift = convert_to_tensor(shift)  # (a Python float is float32: with float64 x the subtraction refuses, as TF's)
        m_ss, v_ss = x - shift, E.squared_difference(x, shift)
    else:
        m_ss, v_ss = x, E.square(x)
    return (counts, R.reduce_sum(m_ss, axes, keepdims=keepdims), R.reduce_sum(v_ss, axes, keepdims=keepdims),
            shift)


def normalize_moments(counts: TensorLike, mean_ss: TensorLike, variance_ss: TensorLike, shift=None,
                      name: str | None = None):
    """(mean, variance) from ``sufficient_statistics``: mean = mean_ss / count (+ shift), variance =
    variance_ss / count - (mean_ss / count)^2."""
    divisor = E.reciprocal(convert_to_tensor(counts))
    shifted_mean = convert_to_tensor(mean_ss) * divisor
    mean = shifted_mean + shift if shift is not None else shifted_mean
    return mean, convert_to_tensor(variance_ss) * divisor - E.square(shifted_mean)


def zero_fraction(value: TensorLike, name: str | None = None) -> Tensor:
    """The fraction of the elements that are zero, as float32 (nan for no elements)."""
    value = convert_to_tensor(value)
    size = int(np.prod(value.shape))
    zeros = E.cast(size - R.count_nonzero(value, dtype="int64"), "float32")
    return E.divide(zeros, np.float32(size))
