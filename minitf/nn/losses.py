"""``tf.nn``'s plain losses: ``l2_loss``, the weight-decay term of TF1-era code.

    l2_loss(t) = sum(t^2) / 2          d/dt = t
"""
from __future__ import annotations

from typing import Any

from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.tensor import Tensor

TensorLike = Any


def l2_loss(t: TensorLike, name: str | None = None) -> Tensor:
    """Half the sum of squares, each square halved before the sum, as TF's kernel computes it."""
    x = E.float_operand("L2Loss", t)
    return R.reduce_sum(E.square(x) * 0.5)
