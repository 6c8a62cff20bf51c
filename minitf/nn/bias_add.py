"""``tf.nn.bias_add``: a bias vector added along the channel axis.

    y[..., c] = x[..., c] + bias[c]          dx = dy,   dbias[c] = sum of dy[..., c]

It is ``x + bias`` with broadcasting (whose gradient sums dy over the other axes, as TF's
BiasAddGrad does), plus TF's checks: a 1-D bias, as long as the channel axis, which is the last
one, or the second with ``data_format="NCHW"`` (any "NC..." format).
"""
from __future__ import annotations

from typing import Any

from minitf.errors import InvalidArgumentError
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor

TensorLike = Any


def bias_add(value: TensorLike, bias: TensorLike, data_format: str | None = None, name: str | None = None) -> Tensor:
    x, b = E.numeric_operands("BiasAdd", value, bias)
    channels_first = bool(data_format) and data_format.startswith("NC")
    if b.ndim != 1 or x.ndim < 2:
        raise InvalidArgumentError(f"BiasAdd: bias must be 1-D and value at least 2-D, got bias {list(b.shape)} and "
                                   f"value {list(x.shape)}", "BiasAdd")
    channels = x.shape[1] if channels_first else x.shape[-1]
    if channels is not None and b.shape[0] is not None and channels != b.shape[0]:
        where = "second" if channels_first else "last"
        raise InvalidArgumentError(f"BiasAdd: Must provide as many biases as the {where} dimension of the input "
                                   f"tensor: {list(b.shape)} vs. {list(x.shape)}", "BiasAdd")
    if channels_first:
        b = S.reshape(b, [-1] + [1] * (x.ndim - 2))
    return E.add(x, b)
