"""``tf.image.extract_patches``: every window of an image, laid out along the channel axis.

The windows are a convolution's (``minitf/nn/conv.py``): the patch matrix of im2col, kept as an
image of patches instead of a matrix. For sizes (KH, KW), strides (s_h, s_w) and rates (r_h, r_w)::

    patches[n, i, j, (a*KW + b)*C + c] = x_pad[n, s_h*i + r_h*a, s_w*j + r_w*b, c]

so each output pixel holds one window, row by row, each cell's C channels together. SAME pads
with zeros, as a convolution does (the extra cell, if any, after); VALID reads real cells only.
A Vision Transformer cuts its image into tokens this way (sizes = strides = the patch size).

Gradient (ExtractImagePatchesGrad): each window cell's gradient added back onto the input cell
it came from, ``col2im`` (``minitf/nn/pooling.py``), where windows overlap summed. That op is
linear, and its gradient is ExtractImagePatches again, so both are differentiable twice.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError, NotFoundError, OutOfRangeError, UnimplementedError
from minitf.nn.conv import WindowGeometry, im2col, pad_spatial, window_geometry
from minitf.nn.pooling import col2im
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


class ExtractImagePatches(Op):
    """patches[n, i, j, (a*KW + b)*C + c] = x_pad[n, s_h*i + r_h*a, s_w*j + r_w*b, c] (one copy of
    the window view). Gradient: ExtractImagePatchesGrad."""

    fresh_output = True

    def forward(x, geom):
        n, c = x.shape[0], x.shape[-1]
        (oh, ow), (kh, kw) = geom.out_hw, geom.kernel
        patches = B.xp.empty((n, oh, ow, kh * kw * c), dtype=x.dtype)
        # one copy, always (a reshape of the view would be x itself for 1x1 windows)
        patches.reshape(n, oh, ow, kh, kw, c)[...] = im2col(pad_spatial(x, geom), geom)
        return patches

    def shape(x, geom):
        return (x[0], *geom.out_hw, geom.kernel[0] * geom.kernel[1] * x[-1])

    def backward(ctx, g):
        return ExtractImagePatchesGrad.apply(g, geom=ctx.geom)


class ExtractImagePatchesGrad(Op):
    """dx[n, h, w, c] = the sum of g over every window cell that read x[n, h, w, c] (``col2im``).
    Linear in g: its gradient is ExtractImagePatches. (With SAME padding the result is the inside of
    a larger array: not ``fresh_output``'s C-ordered array.)"""

    def forward(g, geom):
        n, oh, ow, depth = g.shape
        (kh, kw), c = geom.kernel, depth // (geom.kernel[0] * geom.kernel[1])
        cells = g.reshape(n, oh, ow, kh, kw, c)
        return col2im(lambda a, b: cells[:, :, :, a, b, :], geom, n, c, g.dtype)

    def shape(g, geom):
        return (g[0], *geom.in_hw, g[-1] // (geom.kernel[0] * geom.kernel[1]))

    def backward(ctx, h):
        return ExtractImagePatches.apply(h, geom=ctx.geom)


def _window_attr(what: str, values) -> tuple[int, int]:
    """TF's [1, rows, cols, 1] attribute (sizes, strides or rates) as (rows, cols), with TF's errors."""
    if isinstance(values, Tensor):
        values = values.numpy().tolist()
    values = [int(v) for v in np.ravel(values)]
    if len(values) < 4:
        raise InvalidArgumentError(
            f"extract_patches: {what} must be a list of 4 ints [1, rows, cols, 1], got {values} "
            f"(length {len(values)})", "ExtractImagePatches")
    if any(v < 1 for v in values[:4]):
        raise OutOfRangeError(f"extract_patches: {what} must be positive, got {values}", "ExtractImagePatches")
    if values[0] != 1 or values[3] != 1:
        raise UnimplementedError(
            f"extract_patches: {what} {values} move along the batch or channel axis; only windows across "
            "space are supported (entries 0 and 3 must be 1), as in TF", "ExtractImagePatches")
    return values[1], values[2]


def _geometry(x: Tensor, sizes, strides, rates, padding) -> WindowGeometry:
    kernel, steps, dilations = (_window_attr(what, v) for what, v in
                                (("sizes", sizes), ("strides", strides), ("rates", rates)))
    if padding not in ("SAME", "VALID"):
        raise InvalidArgumentError(f"extract_patches: padding must be \"SAME\" or \"VALID\", got {padding!r}",
                                   "ExtractImagePatches")
    if x.ndim != 4:
        raise InvalidArgumentError(
            f"extract_patches: images must be 4-D (batch, rows, cols, depth), got shape {list(x.shape)}",
            "ExtractImagePatches")
    return window_geometry("extract_patches", tuple(x.shape[1:3]), kernel, steps, dilations, padding)


def extract_patches(images: TensorLike, sizes, strides, rates, padding, name=None) -> Tensor:  # noqa: ARG001
    """``tf.image.extract_patches``: (batch, out_rows, out_cols, size_rows * size_cols * depth).

    ``sizes``, ``strides`` and ``rates`` are [1, rows, cols, 1]; ``rates`` spaces a window's cells
    (a dilation); ``padding`` is "SAME" or "VALID". Any real dtype; a gradient for float ones."""
    x = convert_to_tensor(images)
    if x.dtype.name in ("bool", "string"):
        raise NotFoundError(f"extract_patches: no kernel for dtype {x.dtype.name} (TF has one for numbers only); "
                            f"images of shape {list(x.shape)}", "ExtractImagePatches")
    return ExtractImagePatches.apply(x, geom=_geometry(x, sizes, strides, rates, padding))
