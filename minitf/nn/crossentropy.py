"""Crossentropy from logits, the numerically safe way, with TF's gradients.

Each is one op whose gradient is the famous simple form (e.g. softmax - labels)
rather than the chain of exp/log/divide it would otherwise be.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError
from minitf.nn.activations import log_softmax, log_softmax_array, softmax
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


class SigmoidCrossEntropyWithLogits(Op):
    """-[y log sigmoid(z) + (1-y) log(1 - sigmoid(z))] = max(z, 0) - z y + log(1 + e^-|z|).

    d/dz = sigmoid(z) - y;   d/dy = -z.
    """

    elementwise = True

    def forward(y, z):
        return B.xp.maximum(z, 0) - z * y + B.xp.log1p(B.xp.exp(-B.xp.abs(z)))

    def backward(ctx, d):
        y, z = ctx.inputs
        return d * -z, d * (E.sigmoid(z) - y)


def sigmoid_cross_entropy_with_logits(labels: TensorLike = None, logits: TensorLike = None,
                                      name: str | None = None) -> Tensor:
    z = E.float_operand("SigmoidCrossEntropyWithLogits", logits)
    y = labels if isinstance(labels, Tensor) else convert_to_tensor(labels, dtype_hint=z.dtype)
    if tuple(y.shape) != tuple(z.shape):
        raise InvalidArgumentError(
            f"sigmoid_cross_entropy_with_logits: logits and labels must have the same shape, got "
            f"logits {list(z.shape)} and labels {list(y.shape)}", "SigmoidCrossEntropyWithLogits")
    if y._value.dtype != z._value.dtype:  # TF multiplies them: a Mul of two dtypes is refused
        raise InvalidArgumentTypeError(
            f"sigmoid_cross_entropy_with_logits: labels are {y.dtype.name} but logits are {z.dtype.name}; "
            f"cast the labels first, e.g. tf.cast(labels, {z.dtype!r})", "SigmoidCrossEntropyWithLogits")
    return SigmoidCrossEntropyWithLogits.apply(y, z)


class SoftmaxCrossEntropyWithLogits(Op):
    """-sum(y * log softmax(z)) along ``axis``.   d/dz = softmax(z) - y;  d/dy = -log softmax(z)."""

    def forward(y, z, axis):
        if z.shape[axis] == 0:  # no classes: a sum of nothing, 0 (as TF)
            return B.xp.zeros(tuple(d for i, d in enumerate(z.shape) if i != axis % z.ndim), z.dtype)
        return -(y * log_softmax_array(z, axis)).sum(axis=axis)

    def shape(y, z, axis):
        return tuple(d for i, d in enumerate(z) if i != axis % len(z))

    def backward(ctx, d):
        y, z = ctx.inputs
        d = S.expand_dims(d, ctx.axis)
        return d * -log_softmax(z, axis=ctx.axis), d * (softmax(z, axis=ctx.axis) - y)


def softmax_cross_entropy_with_logits(labels: TensorLike, logits: TensorLike, axis: int = -1,
                                      name: str | None = None) -> Tensor:
    z = E.float_operand("SoftmaxCrossEntropyWithLogits", logits)
    y = S.cast(convert_to_tensor(labels, dtype_hint=z.dtype), z.dtype)
    if tuple(y.shape) == tuple(z.shape) and z.ndim:
        return SoftmaxCrossEntropyWithLogits.apply(y, z, axis=S._axis("SoftmaxCrossEntropyWithLogits", axis, z.ndim))
    # Otherwise as TF's kernel: both as matrices (rows x classes, the class axis last), broadcast
    # against each other, one loss per row of the logits.
    if z.ndim == 0 or y.ndim == 0:
        raise InvalidArgumentError(f"softmax_cross_entropy_with_logits: logits and labels need a class axis, got "
                                   f"logits {list(z.shape)} and labels {list(y.shape)}", "SoftmaxCrossEntropyWithLogits")
    if axis not in (-1, z.ndim - 1):
        z = S.transpose(z, [i for i in range(z.ndim) if i != axis % z.ndim] + [axis % z.ndim])
        y = S.transpose(y, [i for i in range(y.ndim) if i != axis % y.ndim] + [axis % y.ndim])
    z2, y2 = S.reshape(z, (-1, z.shape[-1])), S.reshape(y, (-1, y.shape[-1]))
    try:
        both = E.broadcast_static("SoftmaxCrossEntropyWithLogits", z2.shape, y2.shape)
    except InvalidArgumentError:
        raise InvalidArgumentError(
            f"softmax_cross_entropy_with_logits: logits and labels must be broadcastable: logits_size="
            f"{list(z2.shape)} labels_size={list(y2.shape)}", "SoftmaxCrossEntropyWithLogits") from None
    loss = SoftmaxCrossEntropyWithLogits.apply(S.broadcast_to(y2, both), S.broadcast_to(z2, both), axis=1)
    return S.reshape(loss, z.shape[:-1])


class SparseSoftmaxCrossEntropyWithLogits(Op):
    """-log softmax(z)[label] for integer labels.   d/dz = softmax(z) - one_hot(label)."""

    def forward(z, labels):
        classes = z.shape[-1]
        if B.xp is not np:  # TF's GPU kernel checks nothing (no sync): a label out of range gives NaN
            valid = (labels >= 0) & (labels < classes)
            logp = log_softmax_array(z, -1)
            picked = B.xp.take_along_axis(logp, B.xp.where(valid, labels, 0)[..., None].astype(np.int64), axis=-1)
            return B.xp.where(valid, -picked[..., 0], z.dtype.type(np.nan))
        if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= classes):
            bad = int(labels.max()) if int(labels.max()) >= classes else int(labels.min())
            raise InvalidArgumentError(
                f"sparse_softmax_cross_entropy_with_logits: received a label value of {bad} which is "
                f"outside the valid range of [0, {classes})", "SparseSoftmaxCrossEntropyWithLogits")
        logp = log_softmax_array(z, -1)
        return -B.xp.take_along_axis(logp, labels[..., None].astype(np.int64), axis=-1)[..., 0]

    def shape(z, labels):
        return tuple(z[:-1])

    def backward(ctx, d):
        z, labels = ctx.inputs
        one_hot = S.one_hot(labels, z.shape[-1], dtype=z.dtype)
        return S.expand_dims(d, -1) * (softmax(z) - one_hot), None


def sparse_softmax_cross_entropy_with_logits(labels: TensorLike, logits: TensorLike,
                                             name: str | None = None) -> Tensor:
    z = E.float_operand("SparseSoftmaxCrossEntropyWithLogits", logits)
    y = convert_to_tensor(labels)
    if not y.dtype.is_integer:
        raise InvalidArgumentTypeError(
            f"sparse_softmax_cross_entropy_with_logits: labels must be integer class indices, got "
            f"{y.dtype.name}; for one-hot or probability labels use softmax_cross_entropy_with_logits",
            "SparseSoftmaxCrossEntropyWithLogits")
    if tuple(y.shape) != tuple(z.shape[:-1]):
        raise InvalidArgumentError(
            f"sparse_softmax_cross_entropy_with_logits: labels shape {list(y.shape)} must equal logits "
            f"shape without its last axis {list(z.shape[:-1])} (logits {list(z.shape)})",
            "SparseSoftmaxCrossEntropyWithLogits")
    return SparseSoftmaxCrossEntropyWithLogits.apply(z, y)


def l2_normalize(x: TensorLike, axis=None, epsilon: float = 1e-12, name: str | None = None) -> Tensor:
    """x / sqrt(max(sum(x^2), epsilon)) along ``axis``; composed of other ops."""
    x = E.float_operand("l2_normalize", x)
    squares = R.reduce_sum(E.square(x), axis=axis, keepdims=True)
    return x * E.rsqrt(E.maximum(squares, epsilon))
