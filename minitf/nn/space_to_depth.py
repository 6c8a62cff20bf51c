"""``tf.nn.space_to_depth`` and ``depth_to_space``: blocks of pixels moved into channels and back.

With block size b, an (N, H, W, C) image becomes (N, H/b, W/b, b*b*C): each b x b block of pixels
becomes one pixel whose channels are the block's pixels in row order, each with its C channels
(TF's NHWC layout):

    out[n, i, j, (bi * b + bj) * C + c] = x[n, i * b + bi, j * b + bj, c]

``depth_to_space`` is the inverse (a sub-pixel convolution's upsampling). Both are a reshape, a
transpose and a reshape, so gradients flow through.
"""
from __future__ import annotations

from typing import Any

from minitf.errors import InvalidArgumentError
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def _checked(op: str, x: Any, block_size: int, data_format: str) -> tuple[Tensor, int]:
    x = convert_to_tensor(x)
    if data_format != "NHWC":
        raise InvalidArgumentError(f"{op}: only data_format='NHWC' is supported on the CPU (got {data_format!r})", op)
    if x.ndim != 4:
        raise InvalidArgumentError(f"{op}: input rank should be 4 instead of {x.ndim} (shape {list(x.shape)})", op)
    block = int(block_size)
    if block < 2:
        raise InvalidArgumentError(f"{op}: Value for attr 'block_size' of {block} must be at least 2", op)
    return x, block


def space_to_depth(input: TensorLike, block_size: int, data_format: str = "NHWC",  # noqa: A002
                   name: str | None = None) -> Tensor:
    x, b = _checked("SpaceToDepth", input, block_size, data_format)
    n, h, w, c = x.shape
    if h % b or w % b:
        raise InvalidArgumentError(f"SpaceToDepth: Image width {w} and height {h} should be divisible by "
                                   f"block_size: {b}", "SpaceToDepth")
    blocks = S.reshape(x, [n, h // b, b, w // b, b, c])
    return S.reshape(S.transpose(blocks, [0, 1, 3, 2, 4, 5]), [n, h // b, w // b, b * b * c])


def depth_to_space(input: TensorLike, block_size: int, data_format: str = "NHWC",  # noqa: A002
                   name: str | None = None) -> Tensor:
    x, b = _checked("DepthToSpace", input, block_size, data_format)
    n, h, w, c = x.shape
    if c % (b * b):
        raise InvalidArgumentError(f"DepthToSpace: Input depth dimension {c} should be divisible by: {b * b}",
                                   "DepthToSpace")
    blocks = S.reshape(x, [n, h, w, b, b, c // (b * b)])
    return S.reshape(S.transpose(blocks, [0, 1, 3, 2, 4, 5]), [n, h * b, w * b, c // (b * b)])
