"""``tf.nn``'s plain losses: ``l2_loss`` (the weight-decay term of TF1-era code), the weighted sigmoid
crossentropy, the Poisson loss, and the distributed-training averages (one replica here).

    l2_loss(t) = sum(t^2) / 2          d/dt = t
"""
from __future__ import annotations

import math
from typing import Any

from minitf.nn.activations import relu
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops.creation import zeros_like
from minitf.ops.nan_safe import divide_no_nan
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def l2_loss(t: TensorLike, name: str | None = None) -> Tensor:
    """Half the sum of squares, each square halved before the sum, as TF's kernel computes it."""
    x = E.float_operand("L2Loss", t)
    return R.reduce_sum(E.square(x) * 0.5)


def weighted_cross_entropy_with_logits(labels: TensorLike, logits: TensorLike, pos_weight, name: str | None = None
                                       ) -> Tensor:
    """Sigmoid crossentropy with the positive term weighted by ``pos_weight`` (q), per element:

        (1 - z) x + (1 + (q - 1) z) (log(1 + e^-|x|) + max(-x, 0))      z the label, x the logit

    (TF's form of -q z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)), stable for any x)."""
    logits = E.float_operand("WeightedCrossEntropy", logits)
    labels = convert_to_tensor(labels, dtype=logits.dtype)
    if tuple(labels.shape) != tuple(logits.shape):
        raise ValueError(f"`logits` and `labels` must have the same shape, received ({tuple(logits.shape)} vs "
                         f"{tuple(labels.shape)}).")
    log_weight = 1 + (pos_weight - 1) * labels
    return (1 - labels) * logits + log_weight * (E.log1p(E.exp(-E.abs(logits))) + relu(-logits))


def log_poisson_loss(targets: TensorLike, log_input: TensorLike, compute_full_loss: bool = False,
                     name: str | None = None) -> Tensor:
    """The Poisson negative log-likelihood with the rate given as its log c: e^c - c t, plus (with
    ``compute_full_loss``) Stirling's approximation of log(t!), t log t - t + log(2 pi t) / 2, where t > 1."""
    log_input = E.float_operand("LogPoissonLoss", log_input)
    targets = convert_to_tensor(targets, dtype=log_input.dtype)
    if tuple(targets.shape) != tuple(log_input.shape):
        raise ValueError(f"`log_input` and `targets` must have the same shape, received ({tuple(log_input.shape)} vs "
                         f"{tuple(targets.shape)}).")
    result = E.exp(log_input) - log_input * targets
    if compute_full_loss:
        half, two_pi = convert_to_tensor(0.5, dtype=targets.dtype), convert_to_tensor(2 * math.pi, dtype=targets.dtype)
        stirling = (targets * E.log(targets)) - targets + (half * E.log(two_pi * targets))
        zeros = zeros_like(targets)
        result = result + E.where(E.logical_and(targets >= 0, targets <= 1), zeros, stirling)
    return result


def compute_average_loss(per_example_loss: TensorLike, sample_weight=None, global_batch_size=None) -> Tensor:
    """sum(loss * sample_weight) / global_batch_size (default: the loss's first dimension; one replica), 0 for
    an empty batch (TF divides with divide_no_nan)."""
    loss = convert_to_tensor(per_example_loss)
    if loss.ndim == 0:
        raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor with at least rank 1.")
    if sample_weight is not None:
        loss = loss * convert_to_tensor(sample_weight, dtype=loss.dtype)
    if global_batch_size is None:
        global_batch_size = loss.shape[0] if loss.ndim else 1
    return divide_no_nan(R.reduce_sum(loss), convert_to_tensor(global_batch_size, dtype=loss.dtype))  # (0 for none)


def scale_regularization_loss(regularization_loss: TensorLike) -> Tensor:
    """The summed regularization losses divided by the number of replicas (one here)."""
    return R.reduce_sum(convert_to_tensor(regularization_loss))
