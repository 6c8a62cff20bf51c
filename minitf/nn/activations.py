"""Activation functions (``tf.nn.relu`` ...), each with its derivative beside it."""
from __future__ import annotations

import math
from typing import Any

from minitf import array_backend as B
from minitf.errors import InvalidArgumentTypeError
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.elementwise import float_operand, sigmoid, tanh  # noqa: F401 (tf.nn.sigmoid, tf.nn.tanh)
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


class Relu(Op):
    """max(x, 0).   dy/dx = 1 where x > 0, else 0."""

    elementwise = True
    grad_reads_inputs = False  # ReluGrad reads the output

    def forward(x):
        return B.xp.maximum(x, 0)

    def backward(ctx, dy):
        return ReluGrad.apply(dy, ctx.output)


class ReluGrad(Op):
    """dy * (y > 0), a product with a 0/1 mask as TF's ReluGrad (a NaN in dy stays NaN; ~10x
    faster than a select on large activations). The mask is made 1.0/0.0 in dy's dtype first:
    NumPy multiplies a bool mask through a slower mixed-type loop (measured 1.1-1.3x slower, from
    a 32x10 batch to 32x222x222x10).   Its gradient: the same mask on g, none for y."""

    elementwise = True

    def forward(dy, y):
        return dy * (y > 0).astype(dy.dtype)

    def backward(ctx, g):
        return ReluGrad.apply(g, ctx.inputs[1]), None


class Relu6(Op):
    """min(max(x, 0), 6).   dy/dx = 1 where 0 < x < 6."""

    elementwise = True

    def forward(x):
        return B.xp.clip(x, 0, 6)

    def backward(ctx, dy):
        return Relu6Grad.apply(dy, ctx.inputs[0])


class Relu6Grad(Op):
    """dy * (0 < x < 6).   Its gradient: the same mask on g."""

    elementwise = True

    def forward(dy, x):
        return dy * ((x > 0) & (x < 6)).astype(dy.dtype)

    def backward(ctx, g):
        return Relu6Grad.apply(g, ctx.inputs[1]), None


class LeakyRelu(Op):
    """x if x > 0 else alpha * x.   dy/dx = 1 or alpha."""

    elementwise = True

    def forward(x, alpha):
        return B.xp.where(x > 0, x, x * x.dtype.type(alpha))

    def backward(ctx, dy):
        x = ctx.inputs[0]
        return E.where(x > 0, dy, dy * ctx.alpha)


class Elu(Op):
    """x if x > 0 else e^x - 1.   dy/dx = 1, or e^x = y + 1 where x <= 0."""

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return B.xp.where(x > 0, x, B.xp.expm1(B.xp.minimum(x, 0)))

    def backward(ctx, dy):
        return E.where(ctx.inputs[0] > 0, dy, dy * (ctx.output + 1))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class Selu(Op):
    """scale * (x if x > 0 else alpha (e^x - 1)), the self-normalising constants.

    dy/dx = scale where x >= 0 (TF's choice at 0), else y + scale * alpha.
    """

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return _SELU_SCALE * B.xp.where(x > 0, x, _SELU_ALPHA * B.xp.expm1(B.xp.minimum(x, 0)))

    def backward(ctx, dy):
        return E.where(ctx.inputs[0] < 0, dy * (ctx.output + _SELU_SCALE * _SELU_ALPHA), dy * _SELU_SCALE)


class Softplus(Op):
    """log(1 + e^x), without overflow.   dy/dx = sigmoid(x)."""

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return B.xp.logaddexp(x, 0).astype(x.dtype, copy=False)  # nan/inf inputs, quietly as in TF

    def backward(ctx, dy):
        return dy * sigmoid(ctx.inputs[0])


class Softsign(Op):
    """x / (1 + |x|).   dy/dx = 1 / (1 + |x|)^2."""

    elementwise = True

    def forward(x):
        return x / (1 + B.xp.abs(x))

    def backward(ctx, dy):
        return dy / E.square(1 + E.abs(ctx.inputs[0]))


def _real_operand(op: str, features: TensorLike) -> Tensor:
    """A float or integer tensor (TF's relu family takes both), not bool."""
    x = convert_to_tensor(features)
    if x._value.dtype.kind not in "fiu":
        raise InvalidArgumentTypeError(f"{op}: expected a float or integer tensor, got {x.dtype.name} {list(x.shape)}",
                                       op)
    return x


def relu(features: TensorLike, name: str | None = None) -> Tensor:
    return Relu.apply(_real_operand("Relu", features))


def crelu(features: TensorLike, axis: int = -1, name: str | None = None) -> Tensor:
    """Concatenated ReLU: relu of [x, -x] joined along ``axis`` (twice the channels, both signs kept)."""
    x = convert_to_tensor(features)
    return relu(S.concat([x, -x], axis))


def relu6(features: TensorLike, name: str | None = None) -> Tensor:
    return Relu6.apply(_real_operand("Relu6", features))


def leaky_relu(features: TensorLike, alpha: float = 0.2, name: str | None = None) -> Tensor:
    x = _real_operand("LeakyRelu", features)
    if x._value.dtype.kind != "f":  # as TF: integers are computed in float32
        x = S.cast(x, "float32")
    return LeakyRelu.apply(x, alpha=float(alpha))


def elu(features: TensorLike, name: str | None = None) -> Tensor:
    return Elu.apply(float_operand("Elu", features))


def selu(features: TensorLike, name: str | None = None) -> Tensor:
    return Selu.apply(float_operand("Selu", features))


def gelu(features: TensorLike, approximate: bool = False, name: str | None = None) -> Tensor:
    """x * Phi(x) (Phi the normal CDF), or its tanh approximation; composed of other ops."""
    x = float_operand("Gelu", features)
    if approximate:  # TF's very ops and order (x**3 as pow), so that values and gradients round alike
        inner = 0.7978845608028654 * (x + 0.044715 * E.pow(x, 3.0))
        return 0.5 * x * (1.0 + E.tanh(inner))
    return 0.5 * x * (1 + E.erf(x / math.sqrt(2)))


def softplus(features: TensorLike, name: str | None = None) -> Tensor:
    return Softplus.apply(float_operand("Softplus", features))


def log_sigmoid(x: TensorLike, name: str | None = None) -> Tensor:
    """log(1 / (1 + e^-x)) = -softplus(-x), as TF composes it (no overflow for very negative x)."""
    return -softplus(-float_operand("LogSigmoid", x))


def softsign(features: TensorLike, name: str | None = None) -> Tensor:
    return Softsign.apply(float_operand("Softsign", features))


def silu(features: TensorLike, beta: float = 1.0, name: str | None = None) -> Tensor:
    """x * sigmoid(beta x) (also called swish); composed of other ops."""
    x = float_operand("Silu", features)
    return x * sigmoid(beta * x)


swish = silu


def softmax_array(x, axis: int):
    """e^x / sum(e^x) along ``axis``, on arrays, shifted by the max so that nothing overflows."""
    e = B.xp.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax_array(x, axis: int):
    """x - logsumexp(x) along ``axis``, on arrays (shifted by the max)."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - B.xp.log(B.xp.exp(shifted).sum(axis=axis, keepdims=True))


class Softmax(Op):
    """e^x / sum(e^x) along ``axis``.

    Jacobian-vector product: dx = y * (dy - sum(dy * y)), the softmax gradient folded into one line.
    """

    quiet = True  # inf - inf is nan, as in TF: no warning

    def forward(x, axis):
        if x.shape[axis] == 0:
            return x.copy()
        return softmax_array(x, axis)

    def shape(x, axis):
        return x

    def backward(ctx, dy):
        y = ctx.output
        return y * (dy - R.reduce_sum(dy * y, axis=ctx.axis, keepdims=True))


class LogSoftmax(Op):
    """x - logsumexp(x) along ``axis``.   dx = dy - softmax(x) * sum(dy)."""

    quiet = True  # inf - inf is nan, as in TF: no warning

    def forward(x, axis):
        if x.shape[axis] == 0:
            return x.copy()
        return log_softmax_array(x, axis)

    def shape(x, axis):
        return x

    def backward(ctx, dy):
        return dy - E.exp(ctx.output) * R.reduce_sum(dy, axis=ctx.axis, keepdims=True)


def softmax(logits: TensorLike, axis: int = -1, name: str | None = None) -> Tensor:
    x = float_operand("Softmax", logits)
    return Softmax.apply(x, axis=S._axis("Softmax", axis, x.ndim))


def log_softmax(logits: TensorLike, axis: int = -1, name: str | None = None) -> Tensor:
    x = float_operand("LogSoftmax", logits)
    return LogSoftmax.apply(x, axis=S._axis("LogSoftmax", axis, x.ndim))
