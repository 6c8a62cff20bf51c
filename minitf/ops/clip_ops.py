"""Clipping by norm (``tf.clip_by_norm``, ``tf.clip_by_global_norm``, ``tf.linalg.global_norm``),
written as TF writes them, from ops (so the gradients are the ops' gradients, as in TF):

    clip_by_norm(t, c)          = t * c / max(||t||_2, c)        (the norm over ``axes``, kept)
    global_norm([t1, t2, ...])  = sqrt(sum_i ||t_i||_2^2)       (computed as TF: sqrt(2 * sum l2_loss))
    clip_by_global_norm(ts, c)  = [t * c * min(1/g, 1/c) for t in ts], g   (NaN everywhere if g is inf)
"""
from __future__ import annotations

from typing import Any

from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.creation import ones_like
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["clip_by_norm", "clip_by_global_norm", "global_norm"]


def clip_by_norm(t: Any, clip_norm: Any, axes=None, name=None) -> Tensor:
    """``t`` scaled down so its L2 norm (over ``axes``) is at most ``clip_norm``."""
    t = convert_to_tensor(t)
    clip_norm = convert_to_tensor(clip_norm, dtype=t.dtype)
    l2sum = R.reduce_sum(E.multiply(t, t), axis=axes, keepdims=True)
    positive = E.greater(l2sum, convert_to_tensor(0, dtype=t.dtype))
    # the norm is taken only where it is positive, so that the gradient at 0 is not NaN (TF's way)
    l2sum_safe = E.where(positive, l2sum, ones_like(l2sum))
    l2norm = E.where(positive, E.sqrt(l2sum_safe), l2sum)
    return E.divide(E.multiply(t, clip_norm), E.maximum(l2norm, clip_norm))


def global_norm(t_list, name=None) -> Tensor:
    """sqrt(sum of every tensor's squared L2 norm); None entries are skipped, as in TF."""
    tensors = [convert_to_tensor(t) for t in t_list if t is not None]
    if not tensors:
        raise ValueError("global_norm: t_list holds no tensors")
    half_squares = [E.divide(R.reduce_sum(E.multiply(t, t)), convert_to_tensor(2, dtype=t.dtype)) for t in tensors]
    total = R.reduce_sum(S.stack(half_squares))
    return E.sqrt(E.multiply(total, convert_to_tensor(2, dtype=total.dtype)))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None) -> tuple[list, Tensor]:
    """(the tensors scaled by clip_norm / max(global_norm, clip_norm), the global norm)."""
    if not isinstance(t_list, (list, tuple)):
        raise TypeError("clip_by_global_norm: t_list should be a sequence of tensors")
    norm = global_norm(t_list) if use_norm is None else convert_to_tensor(use_norm)
    clip = convert_to_tensor(clip_norm, dtype=norm.dtype)
    one = convert_to_tensor(1.0, dtype=norm.dtype)
    scale = E.multiply(clip, E.minimum(E.divide(one, norm), E.divide(one, clip)))
    scale = E.add(scale, E.subtract(norm, norm))  # NaN when the norm is inf, as TF
    clipped = []
    for t in t_list:
        t = None if t is None else convert_to_tensor(t)
        clipped.append(None if t is None else E.multiply(t, E.cast(scale, t.dtype)))
    return clipped, norm
