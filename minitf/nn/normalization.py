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
from minitf.ops.creation import zeros_like
from minitf.ops.linalg import matmul
from minitf.ops.nan_safe import divide_no_nan
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


def weighted_moments(x: TensorLike, axes, frequency_weights: TensorLike, keepdims: bool = False,
                     name: str | None = None) -> tuple[Tensor, Tensor]:
    """Mean and variance over ``axes`` with each element counted ``frequency_weights`` times (weights
    broadcast against x), TF's two passes:

        mean = sum(w x) / sum(w),      variance = sum(w (x - mean)^2) / sum(w)      (0 where sum(w) = 0)

    float16 is computed in float32 and cast back, as TF does."""
    x = E.float_operand("weighted_moments", x)
    y = S.cast(x, "float32") if x._value.dtype == np.float16 else x
    w = S.cast(convert_to_tensor(frequency_weights), y.dtype)
    weighted_sum = R.reduce_sum(w * y, axis=axes, keepdims=True)
    total_weight = R.reduce_sum(w + zeros_like(y), axis=axes, keepdims=True)  # w broadcast to x's shape first
    mean = divide_no_nan(weighted_sum, total_weight)
    variance = divide_no_nan(R.reduce_sum(w * E.squared_difference(y, mean), axis=axes, keepdims=True),
                               total_weight)
    if not keepdims:
        mean, variance = S.squeeze(mean, axis=axes), S.squeeze(variance, axis=axes)
    if x._value.dtype == np.float16:
        mean, variance = S.cast(mean, "float16"), S.cast(variance, "float16")
    return mean, variance


def local_response_normalization(input: TensorLike, depth_radius: int = 5, bias: float = 1.0,  # noqa: A002
                                 alpha: float = 1.0, beta: float = 0.5, name: str | None = None) -> Tensor:
    """AlexNet's local response normalization (Krizhevsky et al., 2012) of (batch, h, w, channels):
    each value divided by its neighbourhood's energy across channels,

        y[..., d] = x[..., d] / (bias + alpha * sum_{|d' - d| <= depth_radius} x[..., d']^2) ^ beta

    The neighbourhood sums are one product with a band matrix of ones, as TF computes them (so, as
    in TF, a NaN or inf in one channel reaches every channel of its pixel: 0 * inf is NaN).
    minitf also computes float64, which TF's kernel does not take."""
    x = E.float_operand("LRN", input)
    if x.ndim != 4:
        raise InvalidArgumentError(f"LRN: in must be 4-dimensional (batch, height, width, channels), got shape "
                                   f"{list(x.shape)}", "LRN")
    channels = x.shape[-1]
    offsets = np.arange(channels)
    band = (np.abs(offsets[:, None] - offsets[None, :]) <= int(depth_radius)).astype(x.dtype.as_numpy_dtype)
    window_sum = S.reshape(matmul(S.reshape(E.square(x), [-1, channels]), convert_to_tensor(band)), S.shape(x))
    return x * E.pow(bias + alpha * window_sum, -beta)


lrn = local_response_normalization


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
