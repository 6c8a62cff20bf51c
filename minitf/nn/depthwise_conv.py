"""Depthwise and separable convolution (``tf.nn.depthwise_conv2d``, ``tf.nn.separable_conv2d``).

A conv2d mixes every input channel into every output channel: a (KH, KW, C, F) kernel,
KH*KW*C*F weights. A DEPTHWISE convolution slides each input channel over its own small
kernels and never mixes channels: a (KH, KW, C, M) kernel gives each channel c its M
"channel multiplier" kernels, and output channel c*M + m (TF's order: channel-major) is
input channel c correlated with kernel w[:, :, c, m]::

    y[n, i, j, c*M + m] = sum_{a, b} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * w[a, b, c, m]

That is lesson 08's conv2d formula without the sum over c. Each kernel tap (a, b) then adds
one strided slice of the padded input, times w[a, b] (a (C, M) table), to the output: KH*KW
elementwise products instead of im2col and one matrix product (there is no matrix to multiply:
the channels stay apart). The taps are added in (a, b) order onto zeros, as TF's CPU kernel
adds them, so the forward has TF's bits.

A SEPARABLE convolution is a depthwise one followed by a 1x1 ("pointwise") conv2d that mixes
the C*M channels into F: KH*KW*C*M + C*M*F weights instead of KH*KW*C*F (MobileNet, Xception)::

    z[n, i, j, f] = sum_k y[n, i, j, k] * p[0, 0, k, f]

Gradients, with dy (N, OH, OW, C*M) seen as (N, OH, OW, C, M):

    dx[n, h, w, c] = sum over taps (a, b) and outputs (i, j) with s_h*i + d_h*a = h + pad_top
                     and s_w*j + d_w*b = w + pad_left of sum_m dy[n, i, j, c, m] * w[a, b, c, m]
    dw[a, b, c, m] = sum_{n, i, j} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * dy[n, i, j, c, m]

The input gradient scatters each tap's sum_m dy * w[a, b] back onto the cells the tap read
(the strided slice of the forward, now written to); the filter gradient is, per tap, the
products of that slice with dy summed over the batch and the positions. The three ops are
bilinear and each one's gradient is made of the others (as conv.py's three), so every gradient
is itself differentiable:

    Native(x, w) = y                  -> dx = BackpropInput(dy, w),  dw = BackpropFilter(x, dy)
    BackpropInput(dy, w) = dx         -> d(dy) = Native(g, w),       dw = BackpropFilter(g, dy)
    BackpropFilter(x, dy) = dw        -> dx = BackpropInput(dy, g),  d(dy) = Native(x, g)

Padding and output sizes are conv2d's (``window_geometry``, shared with conv.py): SAME gives
ceil(H / s) rows, the odd padded cell after; VALID (H - (KH - 1)*d - 1) // s + 1.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf._tf_compat import atrous_input_checks
from minitf.errors import InvalidArgumentError
from minitf.nn.conv import (_channels_first, _check_rank, _float_pair, _output_shape, _to_first, _to_last, conv2d,
                            pad_spatial, parse_padding, spatial_sequence, window_geometry, windows)
from minitf.ops.elementwise import sum_over_axes
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


# --- the kernels, on arrays (NHWC) -----------------------------------------------------------
def _tap_slice(start: int, stride: int, count: int) -> slice:
    """The cells a kernel tap reads along one padded axis: start, start + s, ..., count of them."""
    return slice(start, start + stride * (count - 1) + 1, stride)


def depthwise_correlate(x, w, geom):
    """y[n, i, j, c*M + m] = sum_{a, b} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * w[a, b, c, m].

    ``windows`` gives every window of the padded input as a view (N, OH, OW, KH, KW, C); tap
    (a, b) of it is one strided slice. Each tap's product is added onto zeros in (a, b) order.
    """
    n, c = x.shape[0], x.shape[3]
    kh, kw, _, m = w.shape
    oh, ow = geom.out_hw
    out = B.xp.zeros((n, oh, ow, c, m), dtype=x.dtype)
    if out.size:
        taps = windows(pad_spatial(x, geom), geom.kernel, geom.strides, geom.dilations, geom.out_hw)
        term = B.xp.empty_like(out)
        for a in range(kh):
            for b in range(kw):
                B.xp.multiply(taps[:, :, :, a, b, :, None], w[a, b], out=term)  # (N, OH, OW, C, 1) * (C, M)
                out += term
    return out.reshape(n, oh, ow, c * m)


def depthwise_input_gradient(dy, w, geom):
    """dx: each tap's sum_m dy[..., c, m] * w[a, b, c, m] added back onto the padded cells the tap
    read, then the padding cut off. The sum over m is written out, so every CPU adds alike."""
    n, oh, ow, _ = dy.shape
    kh, kw, c, m = w.shape
    (sh, sw), (dh, dw) = geom.strides, geom.dilations
    (pt, _), (pl, _) = geom.pads
    h, wd = geom.in_hw
    padded = B.xp.zeros((n, *geom.padded_hw, c), dtype=dy.dtype)
    if not (oh and ow and n and c and m):  # nothing reaches the input: a zero gradient
        return B.xp.ascontiguousarray(padded[:, pt:pt + h, pl:pl + wd])
    dy = dy.reshape(n, oh, ow, c, m)
    term = B.xp.empty((n, oh, ow, c), dtype=dy.dtype)
    for a in range(kh):
        for b in range(kw):
            B.xp.multiply(dy[..., 0], w[a, b, :, 0], out=term)
            for q in range(1, m):
                term += dy[..., q] * w[a, b, :, q]
            padded[:, _tap_slice(a * dh, sh, oh), _tap_slice(b * dw, sw, ow)] += term
    return B.xp.ascontiguousarray(padded[:, pt:pt + h, pl:pl + wd])


def depthwise_filter_gradient(x, dy, geom):
    """dw[a, b] = sum over n, i, j of (tap (a, b)'s slice of x_pad)[..., c] * dy[..., c, m]:
    a (C, M) table per tap (sums in float32 at least, as conv.py's filter gradient)."""
    n, oh, ow, cm = dy.shape
    (kh, kw), c = geom.kernel, x.shape[3]
    m = cm // c if c else 0
    acc = np.promote_types(x.dtype, np.float32)
    dw = B.xp.zeros((kh, kw, c, m), dtype=acc)
    if not (n and oh and ow and c and m):
        return dw.astype(x.dtype)
    taps = windows(pad_spatial(x, geom), geom.kernel, geom.strides, geom.dilations, geom.out_hw)
    dy = dy.reshape(n * oh * ow, c, m).astype(acc, copy=False)
    for a in range(kh):
        for b in range(kw):
            tap = taps[:, :, :, a, b, :].reshape(n * oh * ow, c, 1)
            dw[a, b] = sum_over_axes(tap * dy, (0,))  # in blocks of rows (elementwise.sum_over_axes)
    return dw.astype(x.dtype)


# --- the three ops, each the others' gradient -----------------------------------------------------
class DepthwiseConv2dNative(Op):
    """y[n, i, j, c*M + m] = sum_{a, b} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * w[a, b, c, m]

    (N, H, W, C) and (KH, KW, C, M) -> (N, OH, OW, C*M), ``depthwise_correlate``.
    dx = DepthwiseConv2dNativeBackpropInput(dy, w), dw = DepthwiseConv2dNativeBackpropFilter(x, dy).
    """

    fresh_output = True
    grad_reads_outputs = False  # dx and dw need x, w and dy

    def forward(x, w, geom):
        return depthwise_correlate(x, w, geom)

    def shape(x, w, geom):
        return (x[0], *geom.out_hw, None if w[2] is None or w[3] is None else w[2] * w[3])

    def backward(ctx, dy):
        x, w = ctx.inputs
        dx = DepthwiseConv2dNativeBackpropInput.apply(dy, w, geom=ctx.geom) if ctx.needs_input_grad[0] else None
        dw = DepthwiseConv2dNativeBackpropFilter.apply(x, dy, geom=ctx.geom) if ctx.needs_input_grad[1] else None
        return dx, dw


class DepthwiseConv2dNativeBackpropInput(Op):
    """dx[n, h, w, c] = sum over (i, j, a, b) with s_h*i + d_h*a = h + pad_top and
    s_w*j + d_w*b = w + pad_left of sum_m dy[n, i, j, c*M + m] * w[a, b, c, m]

    (``depthwise_input_gradient``: each tap's products scattered back where the tap read).
    Gradients: d(dy) = DepthwiseConv2dNative(g, w), dw = DepthwiseConv2dNativeBackpropFilter(g, dy).
    """

    fresh_output = True
    grad_reads_outputs = False

    def forward(dy, w, geom):
        return depthwise_input_gradient(dy, w, geom)

    def shape(dy, w, geom):
        return (dy[0], *geom.in_hw, w[2])

    def backward(ctx, g):
        dy, w = ctx.inputs
        return (DepthwiseConv2dNative.apply(g, w, geom=ctx.geom) if ctx.needs_input_grad[0] else None,
                DepthwiseConv2dNativeBackpropFilter.apply(g, dy, geom=ctx.geom) if ctx.needs_input_grad[1] else None)


class DepthwiseConv2dNativeBackpropFilter(Op):
    """dw[a, b, c, m] = sum_{n, i, j} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * dy[n, i, j, c*M + m]

    (``depthwise_filter_gradient``: per tap, a slice of x times dy, summed over n, i, j).
    Gradients: dx = DepthwiseConv2dNativeBackpropInput(dy, g), d(dy) = DepthwiseConv2dNative(x, g).
    """

    fresh_output = True
    grad_reads_outputs = False

    def forward(x, dy, geom):
        return depthwise_filter_gradient(x, dy, geom)

    def shape(x, dy, geom):
        c = x[-1]
        return (*geom.kernel, c, None if c is None or dy[-1] is None or c == 0 else dy[-1] // c)

    def backward(ctx, g):
        x, dy = ctx.inputs
        return (DepthwiseConv2dNativeBackpropInput.apply(dy, g, geom=ctx.geom) if ctx.needs_input_grad[0] else None,
                DepthwiseConv2dNative.apply(x, g, geom=ctx.geom) if ctx.needs_input_grad[1] else None)


# --- public functions ---------------------------------------------------------------------------------
def depthwise_conv2d(input: TensorLike, filter: TensorLike, strides, padding,  # noqa: A002
                     data_format: str | None = None, dilations=None, name: str | None = None) -> Tensor:
    """Depthwise 2-D convolution (``tf.nn.depthwise_conv2d``): (N, H, W, C) with a
    (KH, KW, C, M) filter -> (N, OH, OW, C*M), each channel c convolved with its own M kernels:

        y[n, i, j, c*M + m] = sum_{a, b} x[n, s_h*i + d_h*a - pad_top, s_w*j + d_w*b - pad_left, c] * w[a, b, c, m]

    ``strides``: [1, s_h, s_w, 1] (TF's form; an int or [s_h, s_w] is also taken). ``dilations``:
    [d_h, d_w] (or an int); as in TF, dilations > 1 need strides 1 (TF only warns, then computes
    something that is not a strided dilated convolution: minitf refuses it). ``padding``: "VALID",
    "SAME" or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].
    ``data_format="NCHW"`` is computed by transposing (TF's oneDNN CPU build, its default on x86,
    accepts it too; its plain Eigen CPU kernel raises UnimplementedError).
    """
    op = "DepthwiseConv2dNative"
    first = _channels_first(op, data_format, ("NHWC", "NCHW"))
    if not isinstance(strides, (int, np.integer, Tensor)) and len(strides) == 4 and \
            (strides[0], strides[1 if first else 3]) != (1, 1):
        raise InvalidArgumentError(f"{op}: strides {list(strides)} move along the batch or channel axis; like TF, "
                                   f"depthwise_conv2d slides only over height and width (those entries must be 1)", op)
    strides = spatial_sequence(op, "strides", strides, 2, not first)
    dilations = spatial_sequence(op, "dilations", 1 if dilations is None else dilations, 2, not first)
    padding = parse_padding(op, padding, 2, not first)
    x, w = convert_to_tensor(input), convert_to_tensor(filter)
    atrous_input_checks(op, x, w.shape[:2], dilations, padding)
    x, w = _float_pair(op, x, w)
    _check_rank(op, "input", x, "batch, channels, height, width" if first else "batch, height, width, channels")
    _check_rank(op, "filter", w, "filter_height, filter_width, in_channels, channel_multiplier")
    if max(dilations) > 1 and max(strides) > 1:
        raise InvalidArgumentError(
            f"{op}: when a dilation rate is greater than 1, all strides must be 1 (TF's rule); got strides "
            f"{list(strides)} and dilations {list(dilations)}. (keras.layers.DepthwiseConv2D takes both: it "
            f"computes the dilated convolution with stride 1 and keeps every s-th output.)", op)
    if first:
        x = _to_last(x)
    y = depthwise_nhwc(op, x, w, strides, dilations, padding)
    return _to_first(y) if first else y


def depthwise_nhwc(op: str, x: Tensor, w: Tensor, strides, dilations, padding) -> Tensor:
    """The op on an NHWC input once the arguments are checked. It takes any strides with any
    dilations (the Keras layers, which allow both, call it: their result is the dilated
    convolution's every s-th output, as Keras computes it)."""
    if w.shape[2] != x.shape[3]:
        raise InvalidArgumentError(
            f"{op}: input and filter must have the same depth: input has {x.shape[3]} channels (input shape "
            f"{tuple(x.shape)} as NHWC) but the filter {tuple(w.shape)} = (kh, kw, in_channels, "
            f"channel_multiplier) expects {w.shape[2]}", op)
    geom = window_geometry(op, x.shape[1:3], w.shape[:2], strides, dilations, padding)
    return DepthwiseConv2dNative.apply(x, w, geom=geom)


def separable_conv2d(input: TensorLike, depthwise_filter: TensorLike, pointwise_filter: TensorLike,  # noqa: A002
                     strides, padding, data_format: str | None = None, dilations=None,
                     name: str | None = None) -> Tensor:
    """Depthwise then pointwise convolution (``tf.nn.separable_conv2d``), as TF composes it:

        y = depthwise_conv2d(x, depthwise_filter, strides, padding, dilations)      (N, OH, OW, C*M)
        z[n, i, j, f] = sum_k y[n, i, j, k] * pointwise_filter[0, 0, k, f]          conv2d 1x1, VALID

    depthwise_filter (KH, KW, C, M), pointwise_filter (1, 1, C*M, F); ``strides`` apply to the
    depthwise step only.
    """
    op = "separable_conv2d"
    pw = convert_to_tensor(pointwise_filter)
    if pw.ndim != 4 or tuple(pw.shape[:2]) != (1, 1):
        raise ValueError(
            f"{op}: pointwise_filter must have shape (1, 1, in_channels * channel_multiplier, out_channels), "
            f"got {tuple(pw.shape)}")
    y = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format=data_format, dilations=dilations)
    return conv2d(y, pw, [1, 1, 1, 1], "VALID", data_format="NHWC" if data_format is None else data_format)


def _backprop_args(op: str, data_format: str, strides, dilations, padding):
    first = _channels_first(op, data_format, ("NHWC", "NCHW"))
    strides = spatial_sequence(op, "strides", strides, 2, not first)
    dilations = spatial_sequence(op, "dilations", 1 if dilations is None else dilations, 2, not first)
    return first, strides, dilations, parse_padding(op, padding, 2, not first)


def _check_backprop_shapes(op: str, x_shape, w_shape, dy: Tensor, geom) -> None:
    """x (N, H, W, C), w (KH, KW, C, M) and dy (N, OH, OW, C*M) must belong to one convolution."""
    expected = (x_shape[0], *geom.out_hw, w_shape[2] * w_shape[3])
    if x_shape[3] != w_shape[2] or tuple(dy.shape) != expected:
        raise InvalidArgumentError(
            f"{op}: shapes do not fit one depthwise convolution: input {tuple(x_shape)}, filter {tuple(w_shape)} "
            f"= (kh, kw, in_channels, channel_multiplier), out_backprop {tuple(dy.shape)} (all as NHWC); "
            f"expected input channels == filter[2] and out_backprop of shape {expected}", op)


def depthwise_conv2d_backprop_input(input_sizes, filter: TensorLike, out_backprop: TensorLike, strides,  # noqa: A002
                                    padding, data_format: str = "NHWC", dilations=None,
                                    name: str | None = None) -> Tensor:
    """The input gradient of ``depthwise_conv2d`` (``tf.nn.depthwise_conv2d_backprop_input``): dx of shape
    ``input_sizes`` (N, H, W, C) for the filter (KH, KW, C, M) and the upstream ``out_backprop``
    (N, OH, OW, C*M); the formula is DepthwiseConv2dNativeBackpropInput's. (TF's stock CPU kernel takes
    no dilations and equal strides only; minitf takes any.)"""
    op = "DepthwiseConv2dNativeBackpropInput"
    dy, w = _float_pair(op, out_backprop, filter)
    first, strides, dilations, padding = _backprop_args(op, data_format, strides, dilations, padding)
    _check_rank(op, "out_backprop", dy, "batch, channels, height, width" if first else "batch, height, width, channels")
    _check_rank(op, "filter", w, "filter_height, filter_width, in_channels, channel_multiplier")
    sizes = _output_shape(op, input_sizes, 4)
    if first:
        dy, sizes = _to_last(dy), [sizes[0], sizes[2], sizes[3], sizes[1]]
    geom = window_geometry(op, sizes[1:3], w.shape[:2], strides, dilations, padding)
    _check_backprop_shapes(op, sizes, w.shape, dy, geom)
    dx = DepthwiseConv2dNativeBackpropInput.apply(dy, w, geom=geom)
    return _to_first(dx) if first else dx


def depthwise_conv2d_backprop_filter(input: TensorLike, filter_sizes, out_backprop: TensorLike, strides,  # noqa: A002
                                     padding, data_format: str = "NHWC", dilations=None,
                                     name: str | None = None) -> Tensor:
    """The filter gradient of ``depthwise_conv2d`` (``tf.nn.depthwise_conv2d_backprop_filter``): dw of shape
    ``filter_sizes`` (KH, KW, C, M) for the input (N, H, W, C) and the upstream ``out_backprop``
    (N, OH, OW, C*M); the formula is DepthwiseConv2dNativeBackpropFilter's."""
    op = "DepthwiseConv2dNativeBackpropFilter"
    x, dy = _float_pair(op, input, out_backprop)
    first, strides, dilations, padding = _backprop_args(op, data_format, strides, dilations, padding)
    layout = "batch, channels, height, width" if first else "batch, height, width, channels"
    _check_rank(op, "input", x, layout)
    _check_rank(op, "out_backprop", dy, layout)
    sizes = _output_shape(op, filter_sizes, 4)
    if first:
        x, dy = _to_last(x), _to_last(dy)
    geom = window_geometry(op, x.shape[1:3], sizes[:2], strides, dilations, padding)
    _check_backprop_shapes(op, x.shape, sizes, dy, geom)
    return DepthwiseConv2dNativeBackpropFilter.apply(x, dy, geom=geom)
