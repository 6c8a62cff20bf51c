"""Activation functions (``tf.nn.relu`` ...), each with its derivative beside it."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitf import backend as B
from minitf.autodiff import record
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.elementwise import float_operand, sigmoid, tanh  # noqa: F401 (tf.nn.sigmoid, tf.nn.tanh)
from minitf.tensor import Tensor

TensorLike = Any


def _times_mask(dy: Tensor, mask: Any) -> Tensor:
    """dy * mask, the mask a constant 0/1 array: TF's ReluGrad multiplies too (so a NaN in dy
    stays NaN), and a product is ~10x faster than a select on large activations."""
    return E.multiply(dy, Tensor(mask.astype(dy._value.dtype)))


def relu(features: TensorLike, name: str | None = None) -> Tensor:
    """max(x, 0).   dy/dx = 1 where x > 0, else 0."""
    x = float_operand("Relu", features)
    y = Tensor(B.xp.maximum(x._value, 0))
    return record("Relu", (x,), y, lambda dy: (_times_mask(dy, y._value > 0),))


def relu6(features: TensorLike, name: str | None = None) -> Tensor:
    """min(max(x, 0), 6).   dy/dx = 1 where 0 < x < 6."""
    x = float_operand("Relu6", features)
    y = Tensor(B.xp.clip(x._value, 0, 6))
    return record("Relu6", (x,), y, lambda dy: (_times_mask(dy, (x._value > 0) & (x._value < 6)),))


def leaky_relu(features: TensorLike, alpha: float = 0.2, name: str | None = None) -> Tensor:
    """x if x > 0 else alpha * x.   dy/dx = 1 or alpha."""
    x = float_operand("LeakyRelu", features)
    y = Tensor(B.xp.where(x._value > 0, x._value, x._value * x._value.dtype.type(alpha)))
    return record("LeakyRelu", (x,), y, lambda dy: (E.where(x > 0, dy, dy * alpha),))


def elu(features: TensorLike, name: str | None = None) -> Tensor:
    """x if x > 0 else e^x - 1.   dy/dx = 1, or e^x = y + 1 where x <= 0."""
    x = float_operand("Elu", features)
    with np.errstate(over="ignore"):
        y = Tensor(B.xp.where(x._value > 0, x._value, B.xp.expm1(B.xp.minimum(x._value, 0))))
    return record("Elu", (x,), y, lambda dy: (E.where(x > 0, dy, dy * (y + 1)),))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(features: TensorLike, name: str | None = None) -> Tensor:
    """scale * (x if x > 0 else alpha (e^x - 1)), the self-normalising constants.

    dy/dx = scale where x >= 0 (TF's choice at 0), else y + scale * alpha.
    """
    x = float_operand("Selu", features)
    v = x._value
    with np.errstate(over="ignore"):
        y = Tensor(_SELU_SCALE * B.xp.where(v > 0, v, _SELU_ALPHA * B.xp.expm1(B.xp.minimum(v, 0))))
    return record("Selu", (x,), y,
                  lambda dy: (E.where(x < 0, dy * (y + _SELU_SCALE * _SELU_ALPHA), dy * _SELU_SCALE),))


def gelu(features: TensorLike, approximate: bool = False, name: str | None = None) -> Tensor:
    """x * Phi(x) (Phi the normal CDF), or its tanh approximation; composed of other ops."""
    x = float_operand("Gelu", features)
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + E.tanh(inner))
    return 0.5 * x * (1 + E.erf(x / math.sqrt(2)))


def softplus(features: TensorLike, name: str | None = None) -> Tensor:
    """log(1 + e^x), without overflow.   dy/dx = sigmoid(x)."""
    x = float_operand("Softplus", features)
    with np.errstate(invalid="ignore", over="ignore"):  # nan/inf inputs, quietly as in TF
        y = Tensor(B.xp.logaddexp(x._value, 0).astype(x._value.dtype, copy=False))
    return record("Softplus", (x,), y, lambda dy: (dy * sigmoid(x),))


def softsign(features: TensorLike, name: str | None = None) -> Tensor:
    """x / (1 + |x|).   dy/dx = 1 / (1 + |x|)^2."""
    x = float_operand("Softsign", features)
    y = Tensor(x._value / (1 + B.xp.abs(x._value)))
    return record("Softsign", (x,), y, lambda dy: (dy / E.square(1 + E.abs(x)),))


def silu(features: TensorLike, beta: float = 1.0, name: str | None = None) -> Tensor:
    """x * sigmoid(beta x) (also called swish); composed of other ops."""
    x = float_operand("Silu", features)
    return x * sigmoid(beta * x)


swish = silu


def softmax(logits: TensorLike, axis: int = -1, name: str | None = None) -> Tensor:
    """e^x / sum(e^x) along ``axis`` (shifted by the max, so nothing overflows).

    Jacobian-vector product: dx = y * (dy - sum(dy * y)), the softmax gradient
    folded into one line.
    """
    x = float_operand("Softmax", logits)
    a = S._axis("Softmax", axis, x.ndim)
    shifted = x._value - B.xp.max(x._value, axis=a, keepdims=True)
    e = B.xp.exp(shifted)
    y = Tensor(e / B.xp.sum(e, axis=a, keepdims=True))
    return record("Softmax", (x,), y,
                  lambda dy: (y * (dy - R.reduce_sum(dy * y, axis=a, keepdims=True)),))


def log_softmax(logits: TensorLike, axis: int = -1, name: str | None = None) -> Tensor:
    """x - logsumexp(x) along ``axis``.   dx = dy - softmax(x) * sum(dy)."""
    x = float_operand("LogSoftmax", logits)
    a = S._axis("LogSoftmax", axis, x.ndim)
    shifted = x._value - B.xp.max(x._value, axis=a, keepdims=True)
    y = Tensor(shifted - B.xp.log(B.xp.sum(B.xp.exp(shifted), axis=a, keepdims=True)))
    return record("LogSoftmax", (x,), y,
                  lambda dy: (dy - E.exp(y) * R.reduce_sum(dy, axis=a, keepdims=True),))
