"""Convolution as matrix products: im2col, then ``patches @ kernel`` (``tf.nn.conv2d`` ...).

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

Block by block. The patch matrix holds KH*KW copies of the input (9x for a 3x3
kernel: 557 MB for 32 images of 224x224x10), so it is never built whole:
``correlate`` takes a block of output rows at a time (``row_blocks``: whole
images when they are small, a few rows of one image when they are large), pads
just the input rows that block reads, copies its windows into a small patch
matrix and multiplies. Each block is still in the CPU's cache when its product
reads it, and memory stays bounded whatever the batch and the image size.

Gradients, for patches P = im2col(x) and upstream dy (N*OH*OW, F):

    dw = P^T @ dy      summed over the same blocks            (Conv2DBackpropFilter)
    dx = dy correlated with the flipped kernel                 (Conv2DBackpropInput)

The input gradient is a forward-style product too. With stride 1, input cell h
receives dy[h + pad - d*a] @ w[a]^T from every tap a: a correlation of dy
(padded by (KH - 1)*d - pad in front) with the kernel read backwards, w[::-1],
its channel axes swapped (C <-> F)::

    dy (padded)   0  0  y0 y1 y2 ...      dx[0] = w2 0  + w1 0  + w0 y0     (KH = 3, pad 0,
    window at 0   w2 w1 w0                dx[1] = w2 0  + w1 y0 + w0 y1      w_a^T times
    window at 1      w2 w1 w0             dx[2] = w2 y0 + w1 y1 + w0 y2      each y)

With stride s the input cells fall into s phases h = s*q + rho, and each phase
is reached by its own subset of the taps (``input_gradient_phase``): s_h*s_w
such correlations, each with a part of the kernel, so the input gradient costs
what the forward costs. (The textbook scatter, adding every dy @ w^T block back
onto the windows' cells, reads and writes the whole input once per tap.)

Which kernel. The forward pass is im2col's: each output pixel one dot product over (a, b, c)
in that order, which on OpenBLAS's AVX-512 kernels gives the very bits of TF's conv2d for the
course's layers (``parity_tests/test_conv_pool_parity.py``), so that minitf's training curves
follow TF's closely. The gradients' sums differ from TF's in the last bits anyway, and may take a
cheaper path where the copy dominates (``use_row_taps``): ROW patches, one kernel row's window
per pixel (KW*C numbers, a third of im2col's for a 3x3 kernel), times each kernel row, added up.
(Row taps in the forward too measured 1.2x faster there, but moved lesson 08's losses 60-100x further
from TF's.) ``correlate_shifted`` serves many input channels against few output ones.

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

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError, UnimplementedError
from minitf.ops import shape_ops as S
from minitf.parallel import (even_chunks, map_blocks, matmul_in_pieces, piece_rows, row_pieces, small_kernel_pieces,
                             sum_blocks, transposed_matmul_in_pieces, transposed_matmuls_in_pieces)
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


# --- padding and window views on raw arrays ------------------------------------------------
def pad_spatial(x, geom: WindowGeometry, value=0):
    """(N, H, W, C) -> (N, H + pt + pb, W + pl + pr, C), filled with ``value``."""
    (pt, pb), (pl, pr) = geom.pads
    if not (pt or pb or pl or pr):
        return x
    return B.xp.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=value)


def windows(padded, kernel, strides, dilations, out_hw):
    """A view (N, OH, OW, KH, KW, C) of every window of a padded (N, Hp, Wp, C) array (only read:
    windows overlap, so a write through it would land in several windows).

    view[n, i, j, a, b, c] = padded[n, s_h*i + d_h*a, s_w*j + d_w*b, c]: no copy, only strides.
    """
    n, _, _, c = padded.shape
    (oh, ow), (kh, kw) = out_hw, kernel
    (sh, sw), (dh, dw) = strides, dilations
    bn, bh, bw, bc = padded.strides
    return B.xp.lib.stride_tricks.as_strided(
        padded, (n, oh, ow, kh, kw, c), (bn, bh * sh, bw * sw, bh * dh, bw * dw, bc))


def im2col(padded, geom: WindowGeometry):
    """``windows`` with a conv's or a pool's geometry."""
    return windows(padded, geom.kernel, geom.strides, geom.dilations, geom.out_hw)


def padded_rows(x, images: slice, rows: range, pads, value=0):
    """Rows ``rows`` (counted in the padded image) of ``x[images]`` padded by ((top, bottom),
    (left, right)) cells of ``value``; a negative pad crops instead.

    A view of x when the rows need no padding; otherwise a copy of just these rows.
    """
    (pt, _), (pl, pr) = pads
    h, w = x.shape[1:3]
    x = x[images, :, max(-pl, 0):w - max(-pr, 0)]  # negative column pads crop
    pl, pr = max(pl, 0), max(pr, 0)
    first, stop = max(rows.start - pt, 0), min(rows.stop - pt, h)  # the rows of x inside
    if pl == pr == 0 and first == rows.start - pt and stop == rows.stop - pt:
        return x[:, first:stop]
    slab = B.xp.full((x.shape[0], len(rows), x.shape[2] + pl + pr, x.shape[3]), value, dtype=x.dtype)
    if stop > first:
        slab[:, first + pt - rows.start:stop + pt - rows.start, pl:pl + x.shape[2]] = x[:, first:stop]
    return slab


# --- blocks: a few output rows at a time --------------------------------------------------------
# A full patch matrix holds KH*KW copies of the input: 557 MB for 32 images of 224x224x10 and a
# 3x3 kernel. Built a block of output rows at a time, each block is still in the CPU's cache when
# its matmul reads it, and memory stays bounded whatever the batch and image size.
# NumPy: 4 MiB of patches a block. With OpenBLAS's AVX-512 kernels the products of 1 MiB blocks were
# too small to run at full speed: 4 MiB made the MNIST CNN's conv layer 14-18% faster and its
# training step 6-8% faster against the hand-written NumPy CNN (benchmarks case cnn_step).
BLOCK_BYTES = 4 << 20
GPU_BLOCK_BYTES = 64 << 20  # CuPy: few, large kernel launches


def block_budget() -> int:
    """Bytes of patches (or of scattered window values) per block on the current backend."""
    return BLOCK_BYTES if B.xp is np else GPU_BLOCK_BYTES


def row_blocks(n: int, oh: int, row_bytes: int):
    """(images, i0, i1): slices of whole images, or rows i0:i1 of one image, whose patch
    matrices take at most the block budget (``row_bytes`` per output row; at least one row).

    The blocks are as even as the budget allows (``even_chunks``): 108 rows that fit 107 at a time
    are two blocks of 54, not 107 and a lone row whose product runs at a fraction of full speed
    (that tail made a 110x110x10 convolution twice as slow as a 108x108 one)."""
    budget = block_budget()
    image_bytes = max(oh * row_bytes, 1)
    if image_bytes <= budget:
        for n0, n1 in even_chunks(n, budget // image_bytes):
            yield slice(n0, n1), 0, oh
    else:
        chunks = list(even_chunks(oh, max(budget // max(row_bytes, 1), 1)))
        for n0 in range(n):
            for i0, i1 in chunks:
                yield slice(n0, n0 + 1), i0, i1


_FEW_FILTERS = 32


def copy_bound_work(patch_bytes: int, columns: int, out_channels: int) -> int:
    """The work a conv kernel reports to ``map_blocks``: its patch bytes when the products are
    narrow (at most 32 output columns), cut into small pieces (``piece_rows``), or when the BLAS
    has no small-matrix kernels at all; else 0 (the blocks then run one after the other).

    Per output pixel, im2col copies KH*KW*C values and the product multiplies them by F columns.
    With few columns the copy is most of the cost, and only threads can share it out (the 224x224
    TinyVGG, 10 filters: the kernels took half the time on two threads). With many, the product is:
    on OpenBLAS's AVX-512 builds, which spread one block's product over the cores themselves, the
    blocks held to one BLAS thread each measured 1.4x slower (28x28 images, 128 filters). Between
    the two, a product that those small-matrix kernels take in pieces of rows runs faster one piece
    after another on each thread (28x28 images, 32 -> 64 channels: 1.2x) than spread over the cores
    in one call. A BLAS without them (OpenBLAS on AVX2 CPUs) gains nothing from spreading a block's
    product over the cores: there the copies run on one core while the BLAS's other threads wait
    for the next product, and the pool, which copies and multiplies on every core, took 0.8x the
    CPU time of TinyVGG's training step at 56x56 with 64 filters (AMD EPYC, 2 cores, AVX2) and
    was level at 28x28 with 128."""
    if out_channels <= _FEW_FILTERS or piece_rows(columns, out_channels) or not small_kernel_pieces():
        return patch_bytes
    return 0


def correlate(x, w, strides, dilations, pads, out, epilogue=None, row_taps=False):
    """out[n, i, j, :] = sum_{a, b, c} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * w[a, b, c, :]

    for x (N, H, W, C) padded by ``pads`` ((top, bottom), (left, right); negative: cropped) and
    w (KH, KW, C, F), into ``out`` (N, OH, OW, F): ``correlate_shifted`` for stride 1 and many
    input channels against few output ones (``use_shifted_products``); with ``row_taps`` (the input
    gradient), ``correlate_row_taps`` where ``use_row_taps`` says it is faster; else
    ``correlate_im2col``, whose sums are TF's (see "Which kernel" at the top of this module).

    ``epilogue`` (the replay's, ``minitf/compiler.py``): called with each block's index into out,
    (images, rows), as soon as the block is written, on the thread that wrote it. The replay runs
    the elementwise ops that follow the convolution there (bias, ReLU), while the block is still
    in the cache, instead of in a second pass over the whole output.
    """
    n, oh, ow, f = out.shape
    if not (n and oh and ow):
        return out  # nothing to compute (an empty batch, or a kernel larger than the padded input)
    if use_shifted_products(strides, w.shape[2], f):
        return correlate_shifted(x, w, dilations, pads, out, epilogue)
    if row_taps and use_row_taps(strides, w.shape[0], w.shape[2], f):
        return correlate_row_taps(x, w, strides, dilations, pads, out, epilogue)
    return correlate_im2col(x, w, strides, dilations, pads, out, epilogue)


def correlate_im2col(x, w, strides, dilations, pads, out, epilogue=None):
    """``correlate`` block by block (``row_blocks``): the block's windows copied into a patch
    matrix (im2col: rows = output pixels, columns (a, b, c)), times w as a (KH*KW*C, F) matrix,
    written into the block's output rows."""
    n, oh, ow, f = out.shape
    kh, kw, c, _ = w.shape
    w_matrix = w.reshape(kh * kw * c, f)

    def block(rows):
        images, i0, i1 = rows
        patches = block_patches(x, rows, (kh, kw), strides, dilations, pads, ow)
        target = out[images, i0:i1]
        if target.flags.c_contiguous:
            matmul_in_pieces(patches, w_matrix, target.reshape(-1, f))  # (minitf/parallel.py)
        else:  # a strided output (one phase of an input gradient)
            target[...] = B.xp.matmul(patches, w_matrix).reshape(target.shape)
        if epilogue is not None:
            epilogue((images, slice(i0, i1)))

    row_bytes = ow * kh * kw * c * x.itemsize
    map_blocks(block, row_blocks(n, oh, row_bytes), copy_bound_work(n * oh * row_bytes, kh * kw * c, f))
    return out


_FEW_CHANNELS = 4  # an image's 1 or 3 channels: the patch matrix is built transposed (see below)


def use_shifted_products(strides, in_channels: int, out_channels: int) -> bool:
    """Whether ``correlate_shifted`` beats ``correlate_im2col``: stride 1, and at least 16 input
    channels and three times as many as it writes. There im2col's copy of KH*KW*C values per pixel
    costs more than the shifted products' KH*KW - 1 additions of F values (measured with 3x3
    kernels from 28x28 to 222x222 images, 4 to 64 channels: 10-25% less CPU time in that region,
    up to 2x more where F >= C; ``benchmarks`` case conv2d_flops)."""
    return tuple(strides) == (1, 1) and in_channels >= 16 and in_channels >= 3 * out_channels


def sum_of_shifted_products(src, shifts: list, matrices, dtype):
    """grid[p] = sum_k src[p + shifts[k]] @ matrices[k], in the order of k, for every row p of src
    whose shifted rows all lie in src (the rows after them are left unwritten): each product reads
    a contiguous slice of src (a view). The core of ``correlate_shifted`` and ``correlate_row_taps``.

    A piece of rows at a time (``row_pieces``): all of a piece's products
    read nearly the same rows of src, so only the first reads them from beyond the core's L2 cache,
    and the piece's grid and term stay in the cache between the products and the additions (one
    whole product per k before: the same sums, the same bits). Measured in one process, the two
    ways in alternation (median of 20 pairs): the input gradient of 32 images of 222x222x10 -> 10
    filters, by row taps, 2.1x faster; at 108x108 1.05x; TinyVGG 224's traced step, with the filter
    gradient's pieces (``row_taps_term``), 1.06x faster, at 112x112 1.02x."""
    size = src.shape[0] - max(shifts)
    grid = B.xp.empty((src.shape[0], matrices[0].shape[-1]), dtype=dtype)
    pieces = row_pieces(size, *matrices[0].shape)  # (minitf/parallel.py)
    term = B.xp.empty((max(stop - start for start, stop in pieces), grid.shape[1]), dtype=dtype)
    for start, stop in pieces:
        for k, shift in enumerate(shifts):
            target = grid[start:stop] if k == 0 else term[:stop - start]
            B.xp.matmul(src[start + shift:stop + shift], matrices[k], out=target)
            if k:
                grid[start:stop] += target
    return grid


def correlate_shifted(x, w, dilations, pads, out, epilogue=None):
    """``correlate`` with stride 1 as a sum of KH*KW shifted matrix products, without im2col.

    Lay the padded input out flat, one row per pixel: src[p] = x_pad[n, r, q] at p = (n*Hp + r)*Wp + q.
    Kernel tap (a, b) then reads every window's cell at one fixed distance, o_ab = d_h*a*Wp + d_w*b,
    so ONE product of the shifted rows with that tap's (C, F) slice serves all output pixels::

        grid[p] = sum_{a, b} src[p + o_ab] @ w[a, b]        out[n, i, j] = grid[(n*Hp + i)*Wp + j]

    The grid has a row for every pixel of the padded input; the rows whose windows would cross the
    right edge or the bottom (j >= OW, i >= OH) are computed and dropped. Each product reads a
    contiguous slice of src (a view, no copy), where im2col copies KH*KW*C values per output pixel;
    the price is KH*KW - 1 additions of F values per pixel (``use_shifted_products`` says when
    that is cheaper). Block by block as in ``correlate_im2col``: a few padded rows (or whole
    images) at a time, so the grid stays in the cache.
    """
    n, oh, ow, f = out.shape
    kh, kw, c, _ = w.shape
    dh, dw = dilations
    span_h = dh * (kh - 1)  # the extra padded rows a block of output rows reads
    wp = ow + dw * (kw - 1)  # the padded width
    taps = w.reshape(kh * kw, c, f)
    shifts = [dh * a * wp + dw * b for a in range(kh) for b in range(kw)]  # tap (a, b)'s distance o_ab

    def block(rows_of_block):
        images, i0, i1 = rows_of_block
        slab = B.xp.ascontiguousarray(padded_rows(x, images, range(i0, i1 + span_h), pads))
        m, rows = slab.shape[:2]
        grid = sum_of_shifted_products(slab.reshape(-1, c), shifts, taps, out.dtype)
        out[images, i0:i1] = grid.reshape(m, rows, wp, f)[:, :i1 - i0, :ow]
        if epilogue is not None:
            epilogue((images, slice(i0, i1)))

    row_bytes = wp * (c + f) * x.itemsize
    map_blocks(block, row_blocks(n, oh, row_bytes), copy_bound_work(n * oh * row_bytes, c, f))
    return out


_ROW_TAP_CHANNELS = 32  # row taps for 4 to 31 input channels (see use_row_taps)


def use_row_taps(strides, kernel_height: int, in_channels: int, out_channels: int) -> bool:
    """Whether row taps (``correlate_row_taps``, ``row_taps_term``) beat im2col for a gradient: a
    vertical stride of 1, a kernel more than one row high, 4 to 31 input channels and at most
    twice as many output channels. There im2col's copy of KH*KW*C numbers per pixel is most of
    the cost; row taps copy KW*C and add KH - 1 partial results of F numbers instead.

    Measured on the kernels alone (3x3 kernels, batch 32, 2 threads, best of 7; input gradient /
    filter gradient): 222x222 and 110x110, 10 -> 10 channels 1.18-1.22x / 1.30-1.33x faster;
    64x64, 16 -> 16 1.11x / 1.12x; 150x150, 16 -> 32 1.01x / 1.17x; 56x56, 32 -> 32 level. More
    output channels make the additions cost more than the copy saves (64x64, 8 -> 64: 0.89x for
    the filter gradient; 28x28, 16 -> 64: 0.65x). TinyVGG 224's training step: 280 vs 309 ms.
    NumPy only: measured on a CPU; on a GPU the copy is cheap and each addition a kernel launch."""
    return (B.xp is np and strides[0] == 1 and kernel_height > 1
            and _FEW_CHANNELS <= in_channels < _ROW_TAP_CHANNELS and out_channels <= 2 * in_channels)


def correlate_row_taps(x, w, strides, dilations, pads, out, epilogue=None):
    """``correlate`` with a vertical stride of 1 as KH matrix products, one per kernel row, of a
    patch matrix with KW*C columns: one kernel ROW's window per output pixel, a third of im2col's
    copy for a 3x3 kernel. (The input gradient's; the forward keeps im2col's sums, TF's.)

    ``row_patches`` lays a block's padded input rows out flat, one row per (input row r, output
    column j): rp[(n*R + r)*OW + j] = the KW*C numbers x_pad[n, r, s_w*j + d_w*b, c] (b, c). Kernel
    row a reads the row patches d_h*a input rows further down, a fixed distance d_h*a*OW in rp, so

        grid[p] = sum_a rp[p + d_h*a*OW] @ w[a]        out[n, i, j] = grid[(n*R + i)*OW + j]

    with w[a] the kernel's row a as a (KW*C, F) matrix: each product reads a contiguous slice of
    rp (a view). As in ``correlate_shifted``, grid rows whose window rows run past an image's
    block (i >= i1 - i0) are computed and dropped; the price is KH - 1 additions of F numbers per
    pixel (``use_row_taps`` says where that is cheaper than im2col's copy).
    """
    n, oh, ow, f = out.shape
    kh, kw, c, _ = w.shape
    kernel_rows = w.reshape(kh, kw * c, f)
    shifts = [dilations[0] * a * ow for a in range(kh)]  # kernel row a: d_h*a input rows further down

    def block(rows_of_block):
        images, i0, i1 = rows_of_block
        patches = row_patches(x, rows_of_block, (kh, kw), strides, dilations, pads, ow)
        m, r = patches.shape[:2]
        grid = sum_of_shifted_products(patches.reshape(-1, kw * c), shifts, kernel_rows, out.dtype)
        out[images, i0:i1] = grid.reshape(m, r, ow, f)[:, :i1 - i0]
        if epilogue is not None:
            epilogue((images, slice(i0, i1)))

    row_bytes = ow * kw * c * x.itemsize
    map_blocks(block, row_blocks(n, oh, row_bytes), copy_bound_work(n * oh * row_bytes, kw * c, f))
    return out


def row_patches(x, rows_of_block, kernel, strides, dilations, pads, ow: int):
    """The row patches of ``correlate_row_taps`` for one block (images, i0, i1) of output rows:
    the padded input rows i0 .. i1 - 1 + d_h*(KH - 1) its windows read, each cut into the OW
    windows of one kernel row, as an array (images, rows, OW, KW*C) (one copy)."""
    images, i0, i1 = rows_of_block
    (kh, kw), (_, sw), (dh, dw) = kernel, strides, dilations
    slab = padded_rows(x, images, range(i0, i1 + dh * (kh - 1)), pads)
    m, r, _, c = slab.shape
    return windows(slab, (1, kw), (1, sw), (1, dw), (r, ow)).reshape(m, r, ow, kw * c)


def row_taps_term(x, dy, rows_of_block, geom, dtype):
    """One block's term of the filter gradient from its row patches (``correlate_row_taps``), as a
    (F, KH*KW*C) matrix: im2col's columns of kernel row a are the row patches d_h*a input rows
    further down, so that part of the term is sum_p dy[p]^T rp[p + d_h*a*OW] over the block's
    output pixels p, image by image (a product never pairs dy with rows of the next image)."""
    images, i0, i1 = rows_of_block
    kh, dh, f = geom.kernel[0], geom.dilations[0], dy.shape[-1]
    patches = row_patches(x, rows_of_block, geom.kernel, geom.strides, geom.dilations, geom.pads, dy.shape[2])
    m, _, ow, width = patches.shape
    size = (i1 - i0) * ow
    dy_block = dy[images, i0:i1]
    term = B.xp.empty((f, kh * width), dtype=dtype)
    for k in range(m):
        flat = patches[k].reshape(-1, width)
        dy_rows = dy_block[k].reshape(-1, f)
        parts = transposed_matmuls_in_pieces(dy_rows, [flat[dh * a * ow:dh * a * ow + size] for a in range(kh)])
        for a, part in enumerate(parts):
            if k == 0:
                term[:, a * width:(a + 1) * width] = part
            else:
                term[:, a * width:(a + 1) * width] += part
    return term


def block_patches(x, rows_of_block, kernel, strides, dilations, pads, ow: int):
    """The patch matrix of one block of output rows, (images, i0, i1) from ``row_blocks``: the
    padded input rows its windows read, through ``patch_matrix``."""
    images, i0, i1 = rows_of_block
    (kh, _), (sh, _), (dh, _) = kernel, strides, dilations
    slab = padded_rows(x, images, range(sh * i0, sh * (i1 - 1) + dh * (kh - 1) + 1), pads)
    return patch_matrix(slab, kernel, strides, dilations, (i1 - i0, ow))


def patch_matrix(slab, kernel, strides, dilations, out_hw):
    """im2col: the windows of a padded slab as a (N*OH*OW, KH*KW*C) matrix, rows = output pixels
    (the one copy: KH*KW times the slab's size, which ``row_blocks`` keeps small).

    Copying the window view moves one window row (KW*C numbers, or C with a stride) at a time:
    fine from 4 channels on, slow for an image's 1 or 3. Then the matrix is built transposed, one
    kernel tap at a time, from the slab laid out one plane per channel (C, N, H, W): each tap is
    then a copy of whole stretches of one plane's rows (2.7x faster than gathering every C-th
    number), and the matrix is handed out as the transpose view: the same numbers, and BLAS reads
    either layout.
    """
    (kh, kw), c = kernel, slab.shape[-1]
    if c >= _FEW_CHANNELS:
        return windows(slab, kernel, strides, dilations, out_hw).reshape(-1, kh * kw * c)
    (oh, ow), (sh, sw), (dh, dw) = out_hw, strides, dilations
    planes = B.xp.ascontiguousarray(slab.transpose(3, 0, 1, 2))  # (C, N, Hp, Wp)
    transposed = B.xp.empty((kh, kw, c, slab.shape[0], oh, ow), dtype=slab.dtype)  # rows (a, b, c) like w's
    for a in range(kh):
        for b in range(kw):
            transposed[a, b] = planes[:, :, dh * a:dh * a + sh * (oh - 1) + 1:sh, dw * b:dw * b + sw * (ow - 1) + 1:sw]
    return transposed.reshape(kh * kw * c, -1).T


def input_gradient_phase(rho: int, n_in: int, n_out: int, pad: int, k: int, s: int, d: int):
    """One axis of the input gradient, for the input cells h = s*q + rho (q = 0, 1, ...).

    Cell h (h + pad in the padded input) is hit by output i through kernel tap a when
    s*i + d*a = h + pad, so only taps with s | (rho + pad - d*a) reach this phase, and then
    i = q + (rho + pad - d*a) / s. Taken in descending order, those taps meet dy at rows
    q + first, q + first + dil, ... : a stride-1 correlation of dy (padded by -first rows in
    front) with the flipped taps, dilation dil = d / gcd(d, s).
    Returns (taps, dil, (front, back) pads of dy), or None when no tap reaches the phase.
    """
    taps = [a for a in range(k - 1, -1, -1) if (rho + pad - d * a) % s == 0]
    cells = len(range(rho, n_in, s))
    if not taps or not cells:
        return None
    first = (rho + pad - d * taps[0]) // s  # the dy row that q = 0 reads through the first tap
    dil = d // math.gcd(d, s)
    needed = cells + dil * (len(taps) - 1)  # rows of the padded dy the correlation reads
    return taps, dil, (-first, needed - n_out + first)


def _as_slice(taps: list) -> slice:
    """The evenly spaced, descending taps as a slice: a view of the kernel, where a list index would
    copy it (and, on a GPU, upload the list every step)."""
    step = taps[1] - taps[0] if len(taps) > 1 else -1
    stop = taps[-1] + step
    return slice(taps[0], None if stop < 0 else stop, step)


def scatter_input_gradient(dy, w, geom: WindowGeometry):
    """dx for an image's 1 or 3 channels: each window's dy @ w^T (KH*KW*C numbers) added back onto
    the cells it came from (col2im), a block of images at a time.

    A correlation would copy KH*KW*F numbers of dy per cell to compute C: for C = 1 that is mostly
    copying. The scatter reads F numbers per output pixel and adds KH*KW*C, one slice-add per tap.
    """
    n, oh, ow, f = dy.shape
    kh, kw, c, _ = w.shape
    (sh, sw), (dh, dw) = geom.strides, geom.dilations
    (pt, _), (pl, _), (h, wd) = *geom.pads, geom.in_hw
    if not (oh and ow):
        return B.xp.zeros((n, h, wd, c), dtype=dy.dtype)  # no window: no gradient
    dx = B.xp.empty((n, h, wd, c), dtype=dy.dtype)
    w_rows = w.reshape(kh * kw * c, f)  # rows (a, b, c)
    step = max(1, block_budget() // max(oh * ow * kh * kw * c * dy.itemsize, 1))  # whole images
    for n0 in range(0, n, step):
        images = slice(n0, min(n, n0 + step))
        m = dy[images].shape[0]
        taps = B.xp.matmul(w_rows, dy[images].reshape(-1, f).T).reshape(kh, kw, c, m, oh, ow)
        padded = B.xp.zeros((m, *geom.padded_hw, c), dtype=dy.dtype)
        for a in range(kh):
            for b in range(kw):
                padded[:, a * dh:a * dh + sh * (oh - 1) + 1:sh, b * dw:b * dw + sw * (ow - 1) + 1:sw] += \
                    taps[a, b].transpose(1, 2, 3, 0)
        dx[images] = padded[:, pt:pt + h, pl:pl + wd]
    return dx


# --- the three ops (NHWC), each the others' gradient ------------------------------------------
class Conv2D(Op):
    """y[n, i, j, f] = sum_{a, b, c} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * w[a, b, c, f]
    (``correlate``: im2col and one matmul per block of output rows).

    dx = Conv2DBackpropInput(dy, w) (skipped when no tape wants it: the first layer's input),
    dw = Conv2DBackpropFilter(x, dy).
    """

    fresh_output = True
    grad_reads_outputs = False  # dx and dw need x, w and dy
    takes_epilogue = True  # the replay may pass out= and epilogue= (see ``correlate``)

    def forward(x, w, geom, out=None, epilogue=None):
        if out is None:
            out = B.xp.empty((x.shape[0], *geom.out_hw, w.shape[-1]), dtype=x.dtype)
        return correlate(x, w, geom.strides, geom.dilations, geom.pads, out, epilogue)

    def shape(x, w, geom):
        return (x[0], *geom.out_hw, w[-1])

    def backward(ctx, dy):
        x, w = ctx.inputs
        dx = Conv2DBackpropInput.apply(dy, w, geom=ctx.geom) if ctx.needs_input_grad[0] else None
        dw = Conv2DBackpropFilter.apply(x, dy, geom=ctx.geom) if ctx.needs_input_grad[1] else None
        return dx, dw


class Conv2DBackpropInput(Op):
    """dx[n, h, w, c] = sum over (i, j, a, b) with s_h*i + d_h*a = h + pad_top and
    s_w*j + d_w*b = w + pad_left of sum_f dy[n, i, j, f] * w[a, b, c, f]; also conv2d_transpose.

    Computed as forward-style correlations (no scatter-add): with stride 1, dx is dy padded by
    (KH - 1)*d_h - pad_top rows in front (and so on) correlated with the kernel flipped
    (w[::-1, ::-1]) and transposed (c <-> f). With stride s, the input cells split into s_h*s_w
    phases h = s_h*q + rho_h: each phase is such a correlation with the taps that reach it
    (``input_gradient_phase``), so the cost is the forward's, never s_h*s_w times it.
    For 1 to 3 input channels (an image) ``scatter_input_gradient`` is cheaper.

    Gradients: d(dy) = Conv2D(g, w), dw = Conv2DBackpropFilter(g, dy).
    """

    fresh_output = True

    def forward(dy, w, geom):
        n, oh, ow, _ = dy.shape
        kh, kw, c, _ = w.shape
        (h, wd), (sh, sw), (dh, dw) = geom.in_hw, geom.strides, geom.dilations
        (pt, _), (pl, _) = geom.pads
        if c < _FEW_CHANNELS:
            return scatter_input_gradient(dy, w, geom)
        dx = B.xp.empty((n, h, wd, c), dtype=dy.dtype)
        for rho_h in range(sh):
            rows = input_gradient_phase(rho_h, h, oh, pt, kh, sh, dh)
            for rho_w in range(sw):
                cols = input_gradient_phase(rho_w, wd, ow, pl, kw, sw, dw)
                phase = dx[:, rho_h::sh, rho_w::sw]
                if rows is None or cols is None or n == 0:
                    phase[...] = 0  # no kernel tap reaches these cells
                    continue
                (taps_h, dil_h, pads_h), (taps_w, dil_w, pads_w) = rows, cols
                flipped = w[_as_slice(taps_h)][:, _as_slice(taps_w)].transpose(0, 1, 3, 2)  # (taps_h, taps_w, F, C)
                correlate(dy, flipped, (1, 1), (dil_h, dil_w), (pads_h, pads_w), phase, row_taps=True)
        return dx

    def shape(dy, w, geom):
        return (dy[0], *geom.in_hw, w[2])

    def backward(ctx, g):
        dy, w = ctx.inputs
        return (Conv2D.apply(g, w, geom=ctx.geom) if ctx.needs_input_grad[0] else None,
                Conv2DBackpropFilter.apply(g, dy, geom=ctx.geom) if ctx.needs_input_grad[1] else None)


class Conv2DBackpropFilter(Op):
    """dw[a, b, c, f] = sum_{n, i, j} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * dy[n, i, j, f],

    i.e. im2col(x)^T @ dy, summed block by block (the same blocks as ``correlate``; where it uses
    row taps, from the row patches, ``row_taps_term``).

    Gradients: dx = Conv2DBackpropInput(dy, g), d(dy) = Conv2D(x, g).
    """

    fresh_output = True

    def forward(x, dy, geom):
        n, oh, ow, f = dy.shape
        (kh, kw), c = geom.kernel, x.shape[-1]
        # the blocks' partial sums add up in float32 at least (float16 would lose the small ones)
        dw_t = B.xp.zeros((f, kh * kw * c), dtype=np.promote_types(x.dtype, np.float32))
        row_taps = use_row_taps(geom.strides, kh, c, f)

        def block(rows_of_block):  # this block's term of the sum
            images, i0, i1 = rows_of_block
            if row_taps:
                return row_taps_term(x, dy, rows_of_block, geom, dw_t.dtype)
            patches = block_patches(x, rows_of_block, geom.kernel, geom.strides, geom.dilations, geom.pads, ow)
            dy_rows = dy[images, i0:i1].reshape(-1, f)
            # dot, not matmul: NumPy's matmul keeps Python's lock through a product whose result has
            # at most 500 numbers (a 3x3 kernel's 27 x 10), so the pool's threads took turns
            if patches.T.flags.c_contiguous:  # built transposed (an image's few channels, ``patch_matrix``)
                # (patches^T @ dy)^T: the same sums, with both operands in the order OpenBLAS reads
                # fastest (1.8x faster for 3 channels than dy^T @ patches on the transposed patches)
                term = transposed_matmul_in_pieces(patches, dy_rows).T
            else:
                term = transposed_matmul_in_pieces(dy_rows, patches)
            return term.astype(dw_t.dtype, copy=False)

        columns = kw * c if row_taps else kh * kw * c  # of the patch matrix (the same blocks as ``correlate``)
        row_bytes = ow * columns * x.itemsize
        sum_blocks(block, row_blocks(n, oh, row_bytes), dw_t,
                   copy_bound_work(n * oh * row_bytes, columns, f))  # a fixed order
        return B.xp.ascontiguousarray(dw_t.T.reshape(kh, kw, c, f), dtype=x.dtype)  # (fresh_output: C order)

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


def _fold_batch_axes(op: str, x: Tensor, inner_rank: int) -> Tensor:
    """(B1, ..., Bk, *inner) -> (B1 * ... * Bk, *inner): the extra leading batch axes TF's conv2d and
    conv1d accept, folded into one batch axis (TF's ``squeeze_batch_dims``)."""
    if None in x.shape[-inner_rank:] or list(x.shape[:-inner_rank]).count(None) > 1:
        raise UnimplementedError(
            f"{op}: an input with extra batch axes needs known sizes except one batch axis, got shape "
            f"{tuple(x.shape)}", op)
    return S.reshape(x, [-1, *x.shape[-inner_rank:]])


def _unfold_batch_axes(y: Tensor, x: Tensor, inner_rank: int) -> Tensor:
    """The result of a folded convolution with ``x``'s leading batch axes back (an unknown one as -1)."""
    return S.reshape(y, [-1 if b is None else b for b in x.shape[:-inner_rank]] + list(y.shape[1:]))


# --- public functions --------------------------------------------------------------------------------
def conv2d(input: TensorLike, filters: TensorLike, strides, padding, data_format: str = "NHWC",  # noqa: A002
           dilations=None, name: str | None = None) -> Tensor:
    """2-D convolution (``tf.nn.conv2d``): (N, H, W, C) * (KH, KW, C, F) -> (N, OH, OW, F).

    y[n, i, j, f] = sum_{a, b, c} x[n, s_h*i + d_h*a - pad_top, s_w*j + d_w*b - pad_left, c] * w[a, b, c, f]

    ``strides``/``dilations``: an int or a list of 1, 2 or 4 ints. ``padding``:
    "VALID", "SAME", or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].
    OH = (H + top + bottom - ((KH - 1) * d_h + 1)) // s_h + 1 (SAME: ceil(H / s_h)).
    ``data_format="NCHW"`` is accepted (by transposing), though TF on CPU refuses it.
    An input of rank > 4 has extra leading batch axes, as in TF: (B1, B2, H, W, C) -> (B1, B2, OH, OW, F).
    """
    op = "Conv2D"
    x, w = _float_pair(op, input, filters)
    if x.ndim > 4:
        y = conv2d(_fold_batch_axes(op, x, 3), w, strides, padding, data_format, dilations)
        return _unfold_batch_axes(y, x, 3)
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


def _output_shape(op: str, output_shape, rank: int) -> list:
    """A transposed convolution's ``output_shape`` (a list, tuple or 1-D tensor) as ``rank`` ints."""
    out = [int(v) for v in (output_shape.numpy().tolist() if isinstance(output_shape, Tensor) else output_shape)]
    if len(out) != rank:
        raise InvalidArgumentError(f"{op}: output_shape must have {rank} entries, got {output_shape!r}", op)
    return out


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
    out = _output_shape(op, output_shape, 4)
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
    An input of rank > 3 has extra leading batch axes, as in TF: (B1, B2, W, C) -> (B1, B2, OW, F).
    """
    op = "conv1d"
    x, w = _float_pair(op, input, filters)
    if x.ndim > 3:
        y = conv1d(_fold_batch_axes(op, x, 2), w, stride, padding, data_format, dilations)
        return _unfold_batch_axes(y, x, 2)
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
    out = _output_shape(op, output_shape, 3)
    stride = spatial_sequence(op, "strides", strides, 1, not first)
    dilation = spatial_sequence(op, "dilations", 1 if dilations is None else dilations, 1, not first)
    padding = parse_padding(op, padding, 1, not first, explicit_ok=False)
    if first:
        dy, out = _to_last(dy), [out[0], out[2], out[1]]
    y = conv2d_transpose(S.expand_dims(dy, 1), S.expand_dims(w, 0), [out[0], 1, out[1], out[2]],
                         (1,) + stride, padding, dilations=(1,) + dilation)
    y = S.squeeze(y, axis=1)
    return _to_first(y) if first else y

