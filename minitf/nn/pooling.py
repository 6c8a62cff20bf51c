"""Max and average pooling (``tf.nn.max_pool2d`` ...), on the same window views as conv.

Pooling reduces each window to one number per channel. im2col (see conv.py)
gives every window as a read-only strided view, without a copy::

      input (H=4, W=4), 2x2 windows, stride 2        windows (N, OH, OW, KH, KW, C)

      1 2 | 3 4                                       window (0,0) = [[1 2] [5 6]]  -> max 6, mean 3.5
      5 6 | 7 8                                       window (0,1) = [[3 4] [7 8]]  -> max 8, mean 5.5
      ----+----                                       window (1,0) = [[9 a] [d e]]  ...
      9 a | b c                                       window (1,1) = [[b c] [f g]]
      d e | f g

    max_pool: y = windows.max(axis=(KH, KW))   (NaN, -inf and tied zeros: _tf_compat.window_max)
    avg_pool: y = windows.sum(axis=(KH, KW)) / count

SAME padding, TF's way (same split as conv: the extra cell after):
- max pool pads with -inf, so a padded cell never wins;
- avg pool pads with 0 and divides by ``count``, the number of REAL cells in
  each window (padded cells are excluded from the mean).

Gradients (``col2im`` below adds window values back onto the input cells they came from):
- max: dy goes to the cell that won its window; on ties, to the FIRST max in
  row-major window order (what TF's CPU kernel does). The winner (the argmax)
  is found only when a gradient is asked for: each kernel offset's cells are
  compared with the max, and the first match wins. MaxPoolGrad is linear in
  dy; its gradient (MaxPoolGradGrad) gathers the upstream values at the
  winners, and that op's gradient is MaxPoolGrad again.
- avg: each window cell gets dy / count (AvgPoolGrad); the gradient of that
  linear op is AvgPool again. So both pools are differentiable twice.

1-D pooling is 2-D pooling with H = 1, as in TF.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf._tf_compat import holds_negative_zero, positive_zeros_, window_max
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError
from minitf.nn.conv import (WindowGeometry, block_budget, im2col, pad_spatial, parse_padding, row_blocks,
                            spatial_sequence, window_geometry)
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.parallel import map_blocks
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def col2im(block, geom: WindowGeometry, batch: int, channels: int, dtype):
    """Add each window cell's value back onto the input cell it came from (``block(a, b)``:
    the (N, OH, OW, C) values of window offset (a, b)); returns (N, H, W, C), padding cropped."""
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


# --- max pooling ----------------------------------------------------------------------------
def _lowest(dtype):
    """The pad value that never wins a max: -inf for floats, the minimum for integers."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _tiles_exactly(geom: WindowGeometry) -> bool:
    """True when the windows tile the input exactly: no padding, stride == window, no dilation, and
    H, W multiples of the window (the common 2x2/stride-2 pool). Then every cell is in exactly one window."""
    return (geom.pads == ((0, 0), (0, 0)) and geom.strides == geom.kernel and geom.dilations == (1, 1)
            and all(o * k == i for o, k, i in zip(geom.out_hw, geom.kernel, geom.in_hw)))


def _tiles(x, geom: WindowGeometry):
    """For exactly tiling windows: (N, H, W, C) as a (N, OH, KH, OW, KW, C) view (a reshape, no copy)."""
    (oh, ow), (kh, kw) = geom.out_hw, geom.kernel
    return x.reshape(x.shape[0], oh, kh, ow, kw, x.shape[-1])


class MaxPool(Op):
    """y[n, i, j, c] = max over the window of x (padding never wins; NaN, -inf and a tie of 0.0 and
    -0.0 as TF has them: ``_tf_compat.window_max``). Gradient: MaxPoolGrad, dy sent to each window's
    (first) maximum."""

    fresh_output = True

    def forward(x, geom):
        # A running elementwise maximum over the KH*KW window offsets: ~3x faster than a reduction
        # over two strided axes of the window view.
        kh, kw = geom.kernel
        if _tiles_exactly(geom):  # the offsets' cells are a reshape of x: no padding, no window view
            n, (oh, ow), c = x.shape[0], geom.out_hw, x.shape[-1]
            y = B.xp.empty((n, oh, ow, c), dtype=x.dtype)

            def block(rows):  # output rows i0:i1 of some images come from input rows KH*i0:KH*i1
                images, i0, i1 = rows
                x_rows = x[images, kh * i0:kh * i1]
                tiles = x_rows.reshape(-1, i1 - i0, kh, ow, kw, c)
                if holds_negative_zero(x_rows):  # TF's scan, cell by cell in window order
                    window_max((tiles[:, :, a, :, b, :] for a in range(kh) for b in range(kw)), x.dtype,
                               out=y[images, i0:i1])
                else:  # the max of the window's rows first (one fmax per whole input row), then across
                    row_max = _row_max(tiles)
                    window_max((row_max[..., b, :] for b in range(kw)), x.dtype, out=y[images, i0:i1],
                               negative_zeros=False)

            map_blocks(block, row_blocks(n, oh, kh * x.shape[2] * c * x.itemsize), x.nbytes)  # on every core
            return y
        windows = _windows(x, geom)
        return window_max((windows[:, :, :, a, b, :] for a in range(kh) for b in range(kw)), x.dtype,
                          negative_zeros=holds_negative_zero(x))

    def shape(x, geom):
        return (x[0], *geom.out_hw, x[-1])

    def backward(ctx, dy):
        return MaxPoolGrad.apply(dy, ctx.inputs[0], ctx.output, geom=ctx.geom)


def _row_max(tiles):
    """The fmax over the KH rows of each tile ((n, OH, KH, OW, KW, C) -> (n, OH, OW, KW, C)).

    Each window row (a, :) of a tile row is one whole input row, W*C numbers in a line, so these
    fmax calls run long loops; only the last step, across the KW columns, reads runs of C numbers
    (measured 1.2x faster for TinyVGG's 220x220x10 than one fmax per cell). fmax skips NaN and,
    without signed zeros, gives the same bits in any order (``window_max``)."""
    if tiles.shape[2] == 1:
        return tiles[:, :, 0]
    rows = B.xp.fmax(tiles[:, :, 0], tiles[:, :, 1])
    for a in range(2, tiles.shape[2]):
        B.xp.fmax(rows, tiles[:, :, a], out=rows)
    return rows


def _windows(x, geom: WindowGeometry):
    return im2col(pad_spatial(x, geom, _lowest(x.dtype)), geom)


def _winners(windows, y, geom: WindowGeometry):
    """For each output cell, which kernel offset k = a*KW + b won: the first (row-major) cell equal to the max.

    winner = min over k of (k where window[k] == y, else KH*KW). Small unsigned ints and a running
    minimum: ~10x faster than masked assignment.

    NaN and -inf, as TF's MaxPoolGrad has them (it scans each window keeping its first cell, then any
    strictly larger one): the first cell wins where it is NaN, and where no cell equals y (a window
    of NaN and -inf only, pooled to the lowest finite value). TF's first cell is the first REAL one;
    minitf's is padding in a window that starts in SAME padding, which then follows neither rule.
    """
    kh, kw = geom.kernel
    none = kh * kw
    dtype = np.min_scalar_type(none)
    winner = B.xp.full(y.shape, none, dtype=dtype)
    for a in range(kh):
        for b in range(kw):
            k = a * kw + b
            missed = windows[:, :, :, a, b, :] != y               # bool: 1 where this offset is not the max
            B.xp.minimum(winner, missed * dtype.type(none - k) + dtype.type(k), out=winner)  # k, or none
    return _first_cell_rule(winner, none, windows[:, :, :, 0, 0, :])


def _first_cell_rule(winner, none: int, first_cells):
    """TF's scan in place on ``winner`` (codes k < KH*KW of the first cell equal to the max, else
    ``none`` = KH*KW): the first cell, 0, wins where no cell equals the max and where it is NaN.

    A multiply by the masks, not an integer remainder: NumPy has no vector loop for the remainder
    of small ints (~13x slower)."""
    B.xp.multiply(winner, winner != winner.dtype.type(none), out=winner)
    if first_cells.dtype.kind == "f":
        B.xp.multiply(winner, ~B.xp.isnan(first_cells), out=winner)
    return winner


GRAD_BLOCK_BYTES = 1 << 20  # NumPy: see _grad_block_budget


def _grad_block_budget() -> int:
    """Bytes of input per block of the tiled max-pool gradient: a few temporaries of the block's size
    stay in a core's L2 cache only up to about 1 MiB (4 MiB blocks measured 1.1-4x slower on the
    MNIST CNN's 32x28x28x32); the conv blocks' larger budget on NumPy does not suit it."""
    return min(block_budget(), GRAD_BLOCK_BYTES) if B.xp is np else block_budget()


def _tiled_max_pool_grad(dy, x, y, geom: WindowGeometry):
    """MaxPoolGrad where the windows tile the input (``_tiles_exactly``: each cell in one window).

    Viewed as tiles (N, OH, KH, OW, KW, C) (``_tiles``: a reshape, no copy), the cells at one window
    offset (a, b) form an (N, OH, OW, C) array that lines up with y and dy. Taking the offsets in
    row-major order, a cell wins its window when it equals the max and no earlier cell has won:

        won[a, b] = (x[a, b] == y) and not taken,    taken = taken or won[a, b]
        dx[a, b]  = dy where won[a, b], else +0.0                  (TF's zero-filled gradient)

    TF's scan (see ``_winners``) adds two rules for the first cell: it wins where it is NaN, and where
    no cell equals the max (a window of NaN and -inf only, pooled to the lowest finite number). The
    masks are bools, made a block of output rows at a time (``_grad_block_budget``), on every core.

    Each cell's view reads rows of only C contiguous numbers, and NumPy pays for every such row. So
    the comparison of all KH*KW cells with y is ONE call, writing the masks offset by offset into
    a (KH, KW, rows, OW, C) array; the first-wins rule then runs on whole masks (long lines); ONE
    call writes dy times the masks back into the tiles, and the +0.0 pass runs on whole input rows
    (TinyVGG's 220x220x10 and the MNIST CNN's 28x28x32: 1.4-1.5x faster than a call per cell).
    """
    n, oh, ow, c = dy.shape
    kh, kw = geom.kernel
    dx = B.xp.empty(x.shape, dtype=dy.dtype)
    x_tiles, dx_tiles = (_tiles(t, geom).reshape(n * oh, kh, ow, kw, c) for t in (x, dx))  # (blocks of N*OH rows)
    y_rows, dy_rows = y.reshape(n * oh, ow, c), dy.reshape(n * oh, ow, c)
    rows = max(1, _grad_block_budget() // max(kh * ow * kw * c * x.itemsize, 1))

    def offsets_first(tiles):  # (rows, KH, OW, KW, C) -> (KH, KW, rows, OW, C), a view
        return tiles.transpose(1, 3, 0, 2, 4)

    def rows_block(r0: int) -> None:
        block = slice(r0, min(n * oh, r0 + rows))
        y_block, dy_block = y_rows[block], dy_rows[block]
        won = B.xp.empty((kh, kw, *y_block.shape), dtype=bool)
        B.xp.equal(offsets_first(x_tiles[block]), y_block, out=won)  # every cell equal to its max
        cells_won = won.reshape(kh * kw, *y_block.shape)  # (a view: won is C-ordered)
        first_won = cells_won[0]
        if x.dtype.kind == "f":
            first_won |= B.xp.isnan(x_tiles[block, 0, :, 0])
        taken = first_won.copy()  # where some cell so far has won
        for cell_won in cells_won[1:]:
            B.xp.greater(cell_won, taken, out=cell_won)  # True > False: equal to the max, and none before won
            taken |= cell_won
        B.xp.less_equal(taken, first_won, out=first_won)  # the first cell also wins where no cell did
        dx_block = dx_tiles[block]
        B.xp.multiply(dy_block, won, out=offsets_first(dx_block))
        positive_zeros_(dx_block)  # TF's +0.0 where (negative dy) * 0 gave -0.0

    map_blocks(rows_block, range(0, n * oh, rows), 2 * x.nbytes)  # on every core (minitf/parallel.py)
    return dx


class MaxPoolGrad(Op):
    """dx = dy sent to each window's winning cell (summed where windows overlap); x and y (the
    pool's input and output) say which cell won. Linear in dy: its gradient is MaxPoolGradGrad."""

    fresh_output = True

    def forward(dy, x, y, geom):
        if _tiles_exactly(geom):
            return _tiled_max_pool_grad(dy, x, y, geom)
        winner = _winners(_windows(x, geom), y, geom)
        n, _, _, c = dy.shape
        kw = geom.kernel[1]
        dx = col2im(lambda a, b: dy * (winner == a * kw + b), geom, n, c, dy.dtype)
        return B.xp.ascontiguousarray(dx)  # (with padding, col2im's result is the inside of a larger array)

    def shape(dy, x, y, geom):
        return x

    def backward(ctx, g):
        _, x, y = ctx.inputs
        return MaxPoolGradGrad.apply(g, x, y, geom=ctx.geom), None, None


class MaxPoolGradGrad(Op):
    """out[n, i, j, c] = g at the cell that won window (i, j) (a gather). Its gradient: MaxPoolGrad."""

    def forward(g, x, y, geom):
        winner = _winners(_windows(x, geom), y, geom)
        windows = im2col(pad_spatial(g, geom), geom)
        kh, kw = geom.kernel
        out = B.xp.zeros(winner.shape, dtype=g.dtype)
        for a in range(kh):
            for b in range(kw):
                out += windows[:, :, :, a, b, :] * (winner == a * kw + b)
        return out

    def shape(g, x, y, geom):
        return y

    def backward(ctx, h):
        _, x, y = ctx.inputs
        return MaxPoolGrad.apply(h, x, y, geom=ctx.geom), None, None


# --- average pooling ------------------------------------------------------------------------
def _window_counts(geom: WindowGeometry, dtype):
    """How many real (unpadded) cells each window covers: shape (1, OH, OW, 1)."""
    if geom.pads == ((0, 0), (0, 0)):
        return B.xp.asarray(geom.kernel[0] * geom.kernel[1], dtype=dtype)
    ones = B.xp.ones((1, *geom.in_hw, 1), dtype=dtype)
    return im2col(pad_spatial(ones, geom), geom).sum(axis=(3, 4))


class AvgPool(Op):
    """y = (sum of the window's real cells) / (their count).   Gradient: AvgPoolGrad."""

    def forward(x, geom):
        count = _window_counts(geom, x.dtype)
        return (im2col(pad_spatial(x, geom), geom).sum(axis=(3, 4)) / count).astype(x.dtype, copy=False)

    def shape(x, geom):
        return (x[0], *geom.out_hw, x[-1])

    def backward(ctx, dy):
        return AvgPoolGrad.apply(dy, geom=ctx.geom)


class AvgPoolGrad(Op):
    """Each cell of window (i, j) gets dy[i, j] / count[i, j]. Linear in dy: its gradient is AvgPool."""

    def forward(dy, geom):
        n, _, _, c = dy.shape
        share = dy / _window_counts(geom, dy.dtype)
        return col2im(lambda a, b: share, geom, n, c, dy.dtype)

    def shape(dy, geom):
        return (dy[0], *geom.in_hw, dy[-1])

    def backward(ctx, g):
        return AvgPool.apply(g, geom=ctx.geom)


# --- public functions -------------------------------------------------------------------------
_LAYOUTS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW")}


def _pool(op: str, public: str, input: TensorLike, ksize, strides, padding,  # noqa: A002
          data_format, spatial: int) -> Tensor:
    """Check the arguments once, then run the NHWC op (1-D as H = 1; NC.. by transposing)."""
    x = convert_to_tensor(input)
    kind = x._value.dtype.kind
    if kind not in ("fiu" if op == "MaxPool" else "f"):
        raise InvalidArgumentTypeError(
            f"{public}: input must be {'a number' if op == 'MaxPool' else 'floating point'}, "
            f"got {x.dtype.name} of shape {tuple(x.shape)}", op)
    channels_last, channels_first = _LAYOUTS[spatial]
    fmt = channels_last if data_format is None else data_format
    if fmt not in (channels_last, channels_first):
        raise InvalidArgumentError(
            f"{public}: data_format must be {channels_last!r} or {channels_first!r}, got {data_format!r}", op)
    last = fmt == channels_last
    if x.ndim != spatial + 2:
        layout = (("batch", "width", "channels") if spatial == 1 else ("batch", "height", "width", "channels"))
        if not last:
            layout = (layout[0], layout[-1]) + layout[1:-1]
        raise InvalidArgumentError(
            f"{public}: input must be {spatial + 2}-D ({', '.join(layout)}), got shape {tuple(x.shape)} "
            f"(rank {x.ndim})", op)
    ksize = spatial_sequence(public, "ksize", ksize, spatial, last)
    strides = spatial_sequence(public, "strides", strides, spatial, last)
    padding = parse_padding(public, padding, spatial, last, explicit_ok=op == "MaxPool")
    if not isinstance(padding, str):
        for axis, ((lo, hi), k) in enumerate(zip(padding, ksize)):
            if lo >= k or hi >= k:
                raise InvalidArgumentError(
                    f"{public}: explicit padding {lo, hi} on spatial axis {axis} must be smaller than the window "
                    f"size {k} (a window of padding alone has no maximum)", op)
    if not last:  # NCW / NCHW -> channels last
        x = S.transpose(x, [0] + list(range(2, x.ndim)) + [1])
    if spatial == 1:
        x = S.expand_dims(x, 1)
        ksize, strides = (1,) + ksize, (1,) + strides
        padding = padding if isinstance(padding, str) else ((0, 0),) + padding
    geom = window_geometry(public, x.shape[1:3], ksize, strides, (1, 1), padding)
    y = (MaxPool if op == "MaxPool" else AvgPool).apply(x, geom=geom)
    if spatial == 1:
        y = S.squeeze(y, axis=1)
    if not last:
        y = S.transpose(y, [0, y.ndim - 1] + list(range(1, y.ndim - 1)))
    return y


def max_pool2d(input: TensorLike, ksize, strides, padding, data_format: str = "NHWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """Max over each KH x KW window (``tf.nn.max_pool2d``): (N, H, W, C) -> (N, OH, OW, C).

    ``ksize``/``strides``: an int or a list of 1, 2 or 4 ints. ``padding``: "VALID",
    "SAME" or explicit [[0, 0], [top, bottom], [left, right], [0, 0]]; padded cells never win.
    Gradient: dy goes to the window's maximum (the first one, on ties).
    """
    return _pool("MaxPool", "max_pool2d", input, ksize, strides, padding, data_format, 2)


def max_pool1d(input: TensorLike, ksize, strides, padding, data_format: str = "NWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """Max over each window of K steps (``tf.nn.max_pool1d``): (N, W, C) -> (N, OW, C)."""
    return _pool("MaxPool", "max_pool1d", input, ksize, strides, padding, data_format, 1)


def avg_pool2d(input: TensorLike, ksize, strides, padding, data_format: str = "NHWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """Mean over each KH x KW window (``tf.nn.avg_pool2d``): (N, H, W, C) -> (N, OH, OW, C).

    ``padding``: "VALID" or "SAME"; under SAME the mean is over the window's real
    cells only (the padded ones are not counted), as in TF.
    """
    return _pool("AvgPool", "avg_pool2d", input, ksize, strides, padding, data_format, 2)


def avg_pool1d(input: TensorLike, ksize, strides, padding, data_format: str = "NWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """Mean over each window of K steps (``tf.nn.avg_pool1d``): (N, W, C) -> (N, OW, C)."""
    return _pool("AvgPool", "avg_pool1d", input, ksize, strides, padding, data_format, 1)


def _by_rank(public: str, input: TensorLike, data_format) -> int:  # noqa: A002
    rank = convert_to_tensor(input).ndim
    if rank not in (3, 4, 5):
        raise InvalidArgumentError(
            f"{public}: input must be rank 3 (batch, width, channels), 4 (batch, height, width, channels) or 5 "
            f"(batch, depth, height, width, channels), got rank {rank}", public)
    return rank - 2


def max_pool(input: TensorLike, ksize, strides, padding, data_format: str | None = None,  # noqa: A002
             name: str | None = None) -> Tensor:
    """``tf.nn.max_pool``: max_pool1d, max_pool2d or max_pool3d, chosen by the input's rank."""
    spatial = _by_rank("max_pool", input, data_format)
    if spatial == 3:
        from minitf.nn.volume_ops import max_pool3d
        return max_pool3d(input, ksize, strides, padding, data_format or "NDHWC")
    return _pool("MaxPool", "max_pool", input, ksize, strides, padding, data_format, spatial)


def avg_pool(input: TensorLike, ksize, strides, padding, data_format: str | None = None,  # noqa: A002
             name: str | None = None) -> Tensor:
    """``tf.nn.avg_pool``: avg_pool1d, avg_pool2d or avg_pool3d, chosen by the input's rank."""
    spatial = _by_rank("avg_pool", input, data_format)
    if spatial == 3:
        from minitf.nn.volume_ops import avg_pool3d
        return avg_pool3d(input, ksize, strides, padding, data_format or "NDHWC")
    return _pool("AvgPool", "avg_pool", input, ksize, strides, padding, data_format, spatial)
