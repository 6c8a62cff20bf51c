"""Convolution as one matrix product: im2col, then ``patches @ kernel`` (``tf.nn.conv2d`` ...).

A conv2d output pixel is a dot product of one window of the input with the
kernel. im2col ("image to columns") lays every window out as one row of a
matrix, so that ALL output pixels come from ONE matrix product.
Example: a 1-channel 4x4 input, a 3x3 kernel, stride 1, VALID (output 2x2)::

      input x (H=4, W=4)          patches: one row per output pixel (N*OH*OW rows,
                                   KH*KW*C columns, in (kh, kw, c) order)
      a b c d
      e f g h      window (0,0) -> [ a b c  e f g  i j k ]
      i j k l      window (0,1) -> [ b c d  f g h  j k l ]      @  kernel (KH*KW*C, F)
      m n o p      window (1,0) -> [ e f g  i j k  m n o ]         = y (N*OH*OW, F)
                   window (1,1) -> [ f g h  j k l  n o p ]         -> reshape (N, OH, OW, F)

    y[n, i, j, f] = sum_{di, dj, c} x[n, s_h*i + d_h*di, s_w*j + d_w*dj, c] * w[di, dj, c, f]

The patches are never built with Python loops: ``as_strided`` gives a view of
shape (N, OH, OW, KH, KW, C) on the (padded) input whose strides step by the
stride between windows and by the dilation inside one window; reshaping that
view to (N*OH*OW, KH*KW*C) is one C-level copy. (CuPy has the same function.)

Gradients, for patches P = im2col(x) and upstream dy (N*OH*OW, F):

    dw = P^T @ dy                         (Conv2DBackpropFilter)
    dx = col2im(dy @ w^T)                 (Conv2DBackpropInput)

col2im is im2col run backwards: every patch value is added back onto the input
cell it was copied from (cells in several windows collect several
contributions). It loops over the KH*KW kernel offsets (a, b): offset (a, b)
of all windows is the block dy @ w[a, b]^T of shape (N, OH, OW, C), and it
lands on the input cells x[:, d*a + s*i, d*b + s*j, :], one slice-add::

    dx (padded)                     offset (0,0) adds here, offset (0,1) one column right, ...
    + . + . +                        '+' = cells hit by offset (0,0) with stride 2
    . . . . .
    + . + . +

KH*KW Python steps, each over all pixels at once: never one per pixel, and
much faster than ``np.add.at``.

The three ops are bilinear and each one's gradient is made of the others, so
every gradient is itself recorded and differentiable again:

    Conv2D(x, w) = y                  -> dx = BackpropInput(dy, w),  dw = BackpropFilter(x, dy)
    BackpropInput(dy, w) = dx         -> d(dy) = Conv2D(g, w),       dw = BackpropFilter(g, dy)
    BackpropFilter(x, dy) = dw        -> dx = BackpropInput(dy, g),  d(dy) = Conv2D(x, g)

``conv2d_transpose`` is BackpropInput itself; ``conv1d`` is conv2d with H = 1
(as TF computes it).

SAME padding is TF's: out = ceil(H / s); total = max((out - 1) * s + (k - 1) * d + 1 - H, 0);
before = total // 2 and the extra cell, if any, goes after (bottom/right).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from minitf import backend as B
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError, UnimplementedError
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


# --- window geometry: where the windows land --------------------------------------------
@dataclass(frozen=True)
class WindowGeometry:
    """Where KH x KW windows land on an H x W input: all that im2col and col2im need.

    ``pads`` is ((top, bottom), (left, right)); ``out_hw`` the number of window
    positions; the padded input is (H + top + bottom, W + left + right).
    """

    in_hw: tuple[int, int]
    kernel: tuple[int, int]
    strides: tuple[int, int]
    dilations: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    out_hw: tuple[int, int]

    @property
    def padded_hw(self) -> tuple[int, int]:
        return tuple(n + lo + hi for n, (lo, hi) in zip(self.in_hw, self.pads))


def spatial_sequence(op: str, what: str, value, n: int, channels_last: bool = True) -> tuple[int, ...]:
    """TF's int-or-list arguments (strides, dilations, ksize) as ``n`` spatial ints.

    Accepts an int, or a list of length 1, ``n`` or ``n + 2``; in the last form
    the batch and channel entries must be 1.
    """
    if isinstance(value, Tensor):
        value = value.numpy().tolist()
    if isinstance(value, (int, np.integer)):
        values = [int(value)] * n
    else:
        values = [int(v) for v in value]
        if len(values) == 1:
            values = values * n
        elif len(values) == n + 2:
            outer = (values[0], values[-1]) if channels_last else (values[0], values[1])
            if outer != (1, 1):
                raise UnimplementedError(
                    f"{op}: {what} {values} move along the batch or channel axis; minitf (like TF on CPU) "
                    f"only slides windows over the {n} spatial axes, so those entries must be 1", op)
            values = values[1:-1] if channels_last else values[2:]
        elif len(values) != n:
            raise InvalidArgumentError(
                f"{op}: {what} must be an int or a list of 1, {n} or {n + 2} ints, got {value!r}", op)
    if any(v < 1 for v in values):
        raise InvalidArgumentError(f"{op}: {what} must be positive, got {value!r}", op)
    return tuple(values)


def parse_padding(op: str, padding, n: int, channels_last: bool = True, explicit_ok: bool = True):
    """``"VALID"``, ``"SAME"`` or an explicit per-axis list -> "VALID"/"SAME" or n (before, after) pairs."""
    if isinstance(padding, str):
        mode = padding.upper()
        if mode not in ("VALID", "SAME"):
            raise InvalidArgumentError(
                f"{op}: padding must be 'VALID' or 'SAME' (or explicit pairs), got {padding!r}", op)
        return mode
    if not explicit_ok:
        raise InvalidArgumentError(f"{op}: padding must be the string 'VALID' or 'SAME', got {padding!r}", op)
    pairs = np.asarray(padding.numpy() if isinstance(padding, Tensor) else padding)
    if pairs.shape != (n + 2, 2) or pairs.dtype.kind not in "iu" or (pairs < 0).any():
        layout = ("[[0, 0], " + ", ".join(["[before, after]"] * n) + ", [0, 0]]" if channels_last
                  else "[[0, 0], [0, 0], " + ", ".join(["[before, after]"] * n) + "]")
        raise InvalidArgumentError(
            f"{op}: explicit padding must be {n + 2} pairs of non-negative ints, {layout}; got {padding!r}", op)
    outer = [0, n + 1] if channels_last else [0, 1]
    if pairs[outer].any():
        raise InvalidArgumentError(
            f"{op}: explicit padding of the batch and channel axes must be 0, got {padding!r}", op)
    spatial = pairs[1:-1] if channels_last else pairs[2:]
    return tuple((int(lo), int(hi)) for lo, hi in spatial)


def window_geometry(op: str, in_hw: Sequence[int], kernel: Sequence[int], strides: Sequence[int],
                    dilations: Sequence[int], padding) -> WindowGeometry:
    """Pads and output size for each spatial axis (TF's rules)."""
    pads, out = [], []
    for axis, (n, k, s, d) in enumerate(zip(in_hw, kernel, strides, dilations)):
        span = (k - 1) * d + 1  # the dilated kernel's extent
        if padding == "SAME":
            size = -(-n // s)  # ceil(n / s)
            total = max((size - 1) * s + span - n, 0)
            lo, hi = total // 2, total - total // 2
        else:
            lo, hi = (0, 0) if padding == "VALID" else padding[axis]
            size = int((n + lo + hi - span + s) / s)  # TF's C++ formula: truncated toward zero
            if size < 0:  # a kernel one cell larger than the input gives an empty output; more is an error
                raise InvalidArgumentError(
                    f"{op}: Computed output size would be negative: {size} [input_size: {n + lo + hi}, "
                    f"effective_filter_size: {span}, stride: {s}] on spatial axis {axis}: the kernel (size {k}"
                    f"{f', dilation {d}' if d > 1 else ''}) is larger than the padded input", op)
        pads.append((lo, hi))
        out.append(size)
    return WindowGeometry(tuple(in_hw), tuple(kernel), tuple(strides), tuple(dilations), tuple(pads), tuple(out))


# --- im2col and col2im on raw arrays -------------------------------------------------------
def pad_spatial(x, geom: WindowGeometry, value=0):
    """(N, H, W, C) -> (N, H + pt + pb, W + pl + pr, C), filled with ``value``."""
    (pt, pb), (pl, pr) = geom.pads
    if not (pt or pb or pl or pr):
        return x
    return B.xp.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=value)


def im2col(padded, geom: WindowGeometry):
    """A read-only view (N, OH, OW, KH, KW, C) of every window of a padded (N, Hp, Wp, C) array.

    view[n, i, j, a, b, c] = padded[n, s_h*i + d_h*a, s_w*j + d_w*b, c]: no copy, only strides.
    """
    n, _, _, c = padded.shape
    (oh, ow), (kh, kw) = geom.out_hw, geom.kernel
    (sh, sw), (dh, dw) = geom.strides, geom.dilations
    bn, bh, bw, bc = padded.strides
    return B.xp.lib.stride_tricks.as_strided(
        padded, (n, oh, ow, kh, kw, c), (bn, bh * sh, bw * sw, bh * dh, bw * dw, bc))


def col2im(block, geom: WindowGeometry, batch: int, channels: int, dtype):
    """im2col backwards: add each window cell's value back onto the input cell it came from.

    ``block(a, b)`` gives the (N, OH, OW, C) values of kernel offset (a, b) in
    every window; they land on the padded input at rows s_h*i + d_h*a and columns
    s_w*j + d_w*b. One slice-add per kernel offset (KH*KW Python steps, each over
    all pixels at once; much faster than ``np.add.at``). Returns (N, H, W, C),
    the padding cropped off (gradient sent to padding goes nowhere).
    """
    (oh, ow), (kh, kw) = geom.out_hw, geom.kernel
    (sh, sw), (dh, dw) = geom.strides, geom.dilations
    hp, wp = geom.padded_hw
    out = B.xp.zeros((batch, hp, wp, channels), dtype=dtype)
    for a in range(kh if oh and ow else 0):
        rows = slice(a * dh, a * dh + sh * (oh - 1) + 1, sh)
        for b in range(kw):
            out[:, rows, b * dw:b * dw + sw * (ow - 1) + 1:sw, :] += block(a, b)
    (pt, _), (pl, _) = geom.pads
    h, w = geom.in_hw
    return out[:, pt:pt + h, pl:pl + w, :]


_FEW_CHANNELS = 4  # an image's 1 or 3 channels: im2col is built transposed (see below)


def _patch_matrix(x, geom: WindowGeometry):
    """im2col(x) as an (N*OH*OW, KH*KW*C) matrix (rows: output pixels), copied out of the view.

    Copying the 6-D window view moves C numbers at a time: fine for C >= 4, slow for an
    image's 1 or 3 channels. Then the matrix is built transposed instead, one kernel offset at
    a time (each a plain slab copy), and handed out as the transpose view: the same numbers,
    and BLAS reads either layout.
    """
    padded = pad_spatial(x, geom)
    n, c = x.shape[0], x.shape[-1]
    (kh, kw), (oh, ow) = geom.kernel, geom.out_hw
    if c >= _FEW_CHANNELS:
        return im2col(padded, geom).reshape(-1, kh * kw * c)
    (sh, sw), (dh, dw) = geom.strides, geom.dilations
    transposed = B.xp.empty((kh, kw, c, n, oh, ow), dtype=x.dtype)  # rows (a, b, c) like w's
    for a in range(kh):
        for b in range(kw):
            window_cells = padded[:, a * dh:a * dh + sh * (oh - 1) + 1:sh, b * dw:b * dw + sw * (ow - 1) + 1:sw, :]
            transposed[a, b] = window_cells.transpose(3, 0, 1, 2)
    return transposed.reshape(kh * kw * c, n * oh * ow).T


# --- the three ops (NHWC), each the others' gradient ------------------------------------------
class Conv2D(Op):
    """y = im2col(x) @ w, reshaped to (N, OH, OW, F).

    dx = Conv2DBackpropInput(dy, w) (skipped when no tape wants it: the first layer's input),
    dw = Conv2DBackpropFilter(x, dy).
    """

    def forward(x, w, geom):
        f = w.shape[-1]
        patches = _patch_matrix(x, geom)
        return B.xp.matmul(patches, w.reshape(-1, f)).reshape(x.shape[0], *geom.out_hw, f)

    def shape(x, w, geom):
        return (x[0], *geom.out_hw, w[-1])

    def backward(ctx, dy):
        x, w = ctx.inputs
        dx = Conv2DBackpropInput.apply(dy, w, geom=ctx.geom) if ctx.needs_input_grad[0] else None
        dw = Conv2DBackpropFilter.apply(x, dy, geom=ctx.geom) if ctx.needs_input_grad[1] else None
        return dx, dw


class Conv2DBackpropInput(Op):
    """dx = col2im(dy @ w^T); also conv2d_transpose.

    Gradients: d(dy) = Conv2D(g, w), dw = Conv2DBackpropFilter(g, dy).
    """

    def forward(dy, w, geom):
        n, oh, ow, f = dy.shape
        c = w.shape[2]
        dy_rows = dy.reshape(-1, f)
        # Kernel offset (a, b) of every window receives dy @ w[a, b]^T; col2im adds those blocks back.
        # KH*KW matmuls of (N*OH*OW, F) @ (F, C): the same FLOPs as one big one, and each block is
        # contiguous, which makes the slice-adds ~3x faster than reading a strided (.., KH, KW, C)
        # array. For an image's 1 or 3 channels those would be matrix-vector products each reading
        # all of dy: one product, w^T's rows (a, b, c) laid out first, gives contiguous blocks too.
        if c < _FEW_CHANNELS:
            blocks = B.xp.matmul(w.reshape(-1, f), dy_rows.T).reshape(*geom.kernel, c, n, oh, ow)
            block = lambda a, b: blocks[a, b].transpose(1, 2, 3, 0)  # noqa: E731
        else:
            block = lambda a, b: B.xp.matmul(dy_rows, w[a, b].T).reshape(n, oh, ow, c)  # noqa: E731
        return col2im(block, geom, n, c, dy.dtype)

    def shape(dy, w, geom):
        return (dy[0], *geom.in_hw, w[2])

    def backward(ctx, g):
        dy, w = ctx.inputs
        return (Conv2D.apply(g, w, geom=ctx.geom) if ctx.needs_input_grad[0] else None,
                Conv2DBackpropFilter.apply(g, dy, geom=ctx.geom) if ctx.needs_input_grad[1] else None)


class Conv2DBackpropFilter(Op):
    """dw = im2col(x)^T @ dy, reshaped to (KH, KW, C, F).

    Gradients: dx = Conv2DBackpropInput(dy, g), d(dy) = Conv2D(x, g).
    """

    def forward(x, dy, geom):
        f = dy.shape[-1]
        patches = _patch_matrix(x, geom)
        return B.xp.matmul(patches.T, dy.reshape(-1, f)).reshape(*geom.kernel, x.shape[-1], f)

    def shape(x, dy, geom):
        return (*geom.kernel, x[-1], dy[-1])

    def backward(ctx, g):
        x, dy = ctx.inputs
        return (Conv2DBackpropInput.apply(dy, g, geom=ctx.geom) if ctx.needs_input_grad[0] else None,
                Conv2D.apply(x, g, geom=ctx.geom) if ctx.needs_input_grad[1] else None)


# --- argument checks shared by the public functions ---------------------------------------------
def _float_pair(op: str, input: TensorLike, filters: TensorLike) -> tuple[Tensor, Tensor]:  # noqa: A002
    x, w = convert_to_tensor(input), convert_to_tensor(filters)
    for name, t in (("input", x), ("filters", w)):
        if t._value.dtype.kind != "f":
            raise InvalidArgumentTypeError(
                f"{op}: {name} must be floating point (float16/32/64), got {t.dtype.name} of shape "
                f"{tuple(t.shape)}; cast it first, e.g. tf.cast(x, tf.float32)", op)
    if x._value.dtype != w._value.dtype:
        raise InvalidArgumentTypeError(
            f"{op}: input and filters must have one dtype, got input {x.dtype.name} and filters {w.dtype.name}", op)
    return x, w


def _check_rank(op: str, name: str, t: Tensor, layout: str) -> None:
    if t.ndim != len(layout.split(", ")):
        raise InvalidArgumentError(
            f"{op}: {name} must be {len(layout.split(', '))}-D ({layout}), got shape {tuple(t.shape)} "
            f"(rank {t.ndim})", op)


def _channels_first(op: str, data_format: str | None, allowed: tuple[str, str]) -> bool:
    fmt = allowed[0] if data_format is None else data_format
    if fmt not in allowed:
        raise InvalidArgumentError(
            f"{op}: data_format must be {allowed[0]!r} or {allowed[1]!r}, got {data_format!r}", op)
    return fmt == allowed[1]


def _to_last(x: Tensor) -> Tensor:   # NCHW -> NHWC (also NCW -> NWC)
    return S.transpose(x, [0] + list(range(2, x.ndim)) + [1])


def _to_first(x: Tensor) -> Tensor:  # NHWC -> NCHW
    return S.transpose(x, [0, x.ndim - 1] + list(range(1, x.ndim - 1)))


# --- public functions --------------------------------------------------------------------------------
def conv2d(input: TensorLike, filters: TensorLike, strides, padding, data_format: str = "NHWC",  # noqa: A002
           dilations=None, name: str | None = None) -> Tensor:
    """2-D convolution (``tf.nn.conv2d``): (N, H, W, C) * (KH, KW, C, F) -> (N, OH, OW, F).

    y[n, i, j, f] = sum_{a, b, c} x[n, s_h*i + d_h*a - pad_top, s_w*j + d_w*b - pad_left, c] * w[a, b, c, f]

    ``strides``/``dilations``: an int or a list of 1, 2 or 4 ints. ``padding``:
    "VALID", "SAME", or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].
    OH = (H + top + bottom - ((KH - 1) * d_h + 1)) // s_h + 1 (SAME: ceil(H / s_h)).
    ``data_format="NCHW"`` is accepted (by transposing), though TF on CPU refuses it.
    """
    op = "Conv2D"
    x, w = _float_pair(op, input, filters)
    first = _channels_first(op, data_format, ("NHWC", "NCHW"))
    _check_rank(op, "input", x, "batch, channels, height, width" if first else "batch, height, width, channels")
    _check_rank(op, "filters", w, "filter_height, filter_width, in_channels, out_channels")
    strides = spatial_sequence(op, "strides", strides, 2, not first)
    dilations = spatial_sequence(op, "dilations", 1 if dilations is None else dilations, 2, not first)
    padding = parse_padding(op, padding, 2, not first)
    if first:
        x = _to_last(x)
    n, h, wd, c = x.shape
    if w.shape[2] != c:
        raise InvalidArgumentError(
            f"{op}: input has {c} channels (input shape {tuple(x.shape)} as NHWC) but filters expect "
            f"{w.shape[2]} (filters shape {tuple(w.shape)} = (kh, kw, in_channels, out_channels))", op)
    geom = window_geometry(op, (h, wd), w.shape[:2], strides, dilations, padding)
    y = Conv2D.apply(x, w, geom=geom)
    return _to_first(y) if first else y


def conv2d_transpose(input: TensorLike, filters: TensorLike, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format: str = "NHWC", dilations=None, name: str | None = None) -> Tensor:
    """The transpose (gradient) of conv2d (``tf.nn.conv2d_transpose``).

    input (N, OH, OW, F) with filters (KH, KW, C, F) -> ``output_shape`` (N, H, W, C):
    the x-gradient of ``conv2d(x, filters, strides, padding)`` for x of shape
    output_shape, with ``input`` as the upstream gradient. Each input pixel
    spreads its F values, times the kernel, over a KH x KW block of the output.
    """
    op = "Conv2DBackpropInput"
    dy, w = _float_pair(op, input, filters)
    first = _channels_first(op, data_format, ("NHWC", "NCHW"))
    _check_rank(op, "input", dy, "batch, channels, height, width" if first else "batch, height, width, channels")
    _check_rank(op, "filters", w, "filter_height, filter_width, out_channels, in_channels")
    out = [int(v) for v in (output_shape.numpy().tolist() if isinstance(output_shape, Tensor) else output_shape)]
    if len(out) != 4:
        raise InvalidArgumentError(f"{op}: output_shape must have 4 entries, got {output_shape!r}", op)
    strides = spatial_sequence(op, "strides", strides, 2, not first)
    dilations = spatial_sequence(op, "dilations", 1 if dilations is None else dilations, 2, not first)
    padding = parse_padding(op, padding, 2, not first)
    if first:
        dy, out = _to_last(dy), [out[0], out[2], out[3], out[1]]
    if out[0] != dy.shape[0] or out[3] != w.shape[2] or dy.shape[3] != w.shape[3]:
        raise InvalidArgumentError(
            f"{op}: shapes do not fit: input {tuple(dy.shape)} (as NHWC), filters {tuple(w.shape)} = "
            f"(kh, kw, out_channels, in_channels), output_shape {tuple(out)} (as NHWC); expected input "
            f"channels == filters[3], output channels == filters[2] and equal batch sizes", op)
    geom = window_geometry(op, out[1:3], w.shape[:2], strides, dilations, padding)
    if tuple(dy.shape[1:3]) != geom.out_hw:
        raise InvalidArgumentError(
            f"{op}: input spatial size {tuple(dy.shape[1:3])} does not match output_shape {tuple(out)}: "
            f"a conv2d of a {tuple(out[1:3])} image with this kernel, strides {strides} and padding "
            f"{padding} gives {geom.out_hw}", op)
    y = Conv2DBackpropInput.apply(dy, w, geom=geom)
    return _to_first(y) if first else y


def conv1d(input: TensorLike, filters: TensorLike, stride, padding, data_format: str = "NWC",  # noqa: A002
           dilations=None, name: str | None = None) -> Tensor:
    """1-D convolution (``tf.nn.conv1d``): (N, W, C) * (K, C, F) -> (N, OW, F).

    Computed as TF does: conv2d of (N, 1, W, C) with a (1, K, C, F) kernel.
    ``padding``: "VALID" or "SAME" (minitf also takes [[0, 0], [left, right], [0, 0]]).
    """
    op = "conv1d"
    x, w = _float_pair(op, input, filters)
    first = _channels_first(op, data_format, ("NWC", "NCW"))
    _check_rank(op, "input", x, "batch, channels, width" if first else "batch, width, channels")
    _check_rank(op, "filters", w, "filter_width, in_channels, out_channels")
    stride = spatial_sequence(op, "stride", stride, 1, not first)
    dilation = spatial_sequence(op, "dilations", 1 if dilations is None else dilations, 1, not first)
    padding = parse_padding(op, padding, 1, not first)
    padding2d = padding if isinstance(padding, str) else [[0, 0], [0, 0], list(padding[0]), [0, 0]]
    if first:
        x = _to_last(x)
    y = conv2d(S.expand_dims(x, 1), S.expand_dims(w, 0), (1,) + stride, padding2d, dilations=(1,) + dilation)
    y = S.squeeze(y, axis=1)
    return _to_first(y) if first else y


def conv1d_transpose(input: TensorLike, filters: TensorLike, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format: str = "NWC", dilations=None, name: str | None = None) -> Tensor:
    """The transpose of conv1d (``tf.nn.conv1d_transpose``): (N, OW, F), (K, C, F) -> output_shape (N, W, C)."""
    op = "conv1d_transpose"
    dy, w = _float_pair(op, input, filters)
    first = _channels_first(op, data_format, ("NWC", "NCW"))
    _check_rank(op, "input", dy, "batch, channels, width" if first else "batch, width, channels")
    _check_rank(op, "filters", w, "filter_width, out_channels, in_channels")
    out = [int(v) for v in (output_shape.numpy().tolist() if isinstance(output_shape, Tensor) else output_shape)]
    if len(out) != 3:
        raise InvalidArgumentError(f"{op}: output_shape must have 3 entries, got {output_shape!r}", op)
    stride = spatial_sequence(op, "strides", strides, 1, not first)
    dilation = spatial_sequence(op, "dilations", 1 if dilations is None else dilations, 1, not first)
    padding = parse_padding(op, padding, 1, not first, explicit_ok=False)
    if first:
        dy, out = _to_last(dy), [out[0], out[2], out[1]]
    y = conv2d_transpose(S.expand_dims(dy, 1), S.expand_dims(w, 0), [out[0], 1, out[1], out[2]],
                         (1,) + stride, padding, dilations=(1,) + dilation)
    y = S.squeeze(y, axis=1)
    return _to_first(y) if first else y

