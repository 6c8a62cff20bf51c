"""The diagonals of matrices: ``tf.linalg.band_part``, ``diag``, ``diag_part``, ``set_diag``, ``trace``.

Each works on the last two axes (a batch of matrices in front). Diagonal k of an R x C matrix holds
the elements (i, i + k): k = 0 is the main diagonal, k > 0 one above it, k < 0 one below. Taking a
diagonal out and putting one in are each other's gradient:

    diag_part:  d = A[i, i + k]          dA = diag(dd, k) (zeros elsewhere)
    diag:       A = diag(d, k)           dd = diag_part(dA, k)
    set_diag:   A' = A with d put in     dA = set_diag(dA', 0), dd = diag_part(dA', k)
    band_part:  A' = A inside the band   dA = band_part(dA')

One diagonal k at a time (TF's ``k=(k1, k2)`` ranges of diagonals are not supported: a clear error).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError, UnimplementedError
from minitf.ops import reductions as R
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def _diagonal_cells(rows: int, cols: int, k: int):
    """The (row, column) indices of diagonal k of a rows x cols matrix, top-left first."""
    length = max(0, min(rows + min(k, 0), cols - max(k, 0)))
    start = np.arange(length)
    return B.xp.asarray(start - min(k, 0)), B.xp.asarray(start + max(k, 0))


class MatrixBandPart(Op):
    """The band of each matrix: A[i, j] where -lower <= j - i <= upper (a negative bound: no limit
    on that side), 0 elsewhere. ``band_part(ones, -1, 0)`` is the lower triangle, an attention
    mask that hides the future.      dA = band_part(dA')."""

    def forward(x, lower, upper):
        rows, cols = x.shape[-2:]
        offset = np.arange(cols)[None, :] - np.arange(rows)[:, None]  # j - i
        inside = ((lower < 0) | (offset >= -lower)) & ((upper < 0) | (offset <= upper))
        return B.xp.where(B.xp.asarray(inside), x, x.dtype.type(0))

    def backward(ctx, dy):
        return MatrixBandPart.apply(dy, lower=ctx.lower, upper=ctx.upper)

    def shape(x_shape, lower, upper):
        return x_shape


class MatrixDiagPart(Op):
    """Diagonal k of each matrix, (..., R, C) -> (..., L).      dA = diag(dd, k) in an R x C matrix."""

    def forward(x, k):
        rows, cols = _diagonal_cells(*x.shape[-2:], k)
        return x[..., rows, cols].copy()

    def backward(ctx, dy):
        rows, cols = ctx.inputs[0].shape[-2:]
        return MatrixDiag.apply(dy, k=ctx.k, rows=rows, cols=cols, padding=0)

    def shape(x_shape, k):
        rows, cols = x_shape[-2:]
        if rows is None or cols is None:
            return tuple(x_shape[:-2]) + (None,)
        return tuple(x_shape[:-2]) + (len(_diagonal_cells(rows, cols, k)[0]),)


class MatrixDiag(Op):
    """A rows x cols matrix (per batch) holding ``d`` on diagonal k and ``padding`` elsewhere.
    dd = diag_part(dA, k)."""

    def forward(d, k, rows, cols, padding):
        out = B.xp.full(d.shape[:-1] + (rows, cols), padding, dtype=d.dtype)
        at_rows, at_cols = _diagonal_cells(rows, cols, k)
        out[..., at_rows, at_cols] = d
        return out

    def backward(ctx, dy):
        return MatrixDiagPart.apply(dy, k=ctx.k)

    def shape(d_shape, k, rows, cols, padding):
        return tuple(d_shape[:-1]) + (rows, cols)


class MatrixSetDiag(Op):
    """Each matrix with diagonal k replaced by ``d``.      dA = dA' with 0 on that diagonal,
    dd = diag_part(dA', k)."""

    def forward(x, d, k):
        out = x.copy()
        at_rows, at_cols = _diagonal_cells(*x.shape[-2:], k)
        out[..., at_rows, at_cols] = d
        return out

    def backward(ctx, dy):
        x = ctx.inputs[0]
        zeros = convert_to_tensor(np.zeros((), x._value.dtype))
        dx = MatrixSetDiag.apply(dy, zeros, k=ctx.k) if ctx.needs_input_grad[0] else None
        dd = MatrixDiagPart.apply(dy, k=ctx.k) if ctx.needs_input_grad[1] else None
        return dx, dd

    def shape(x_shape, d_shape, k):
        return x_shape


def _matrices(op: str, x: TensorLike) -> Tensor:
    x = convert_to_tensor(x)
    if x.ndim < 2:
        raise InvalidArgumentError(f"{op}: input must be at least 2-D (a matrix, or a batch of them), got shape "
                                   f"{list(x.shape)}", op)
    return x


def _one_diagonal(op: str, k) -> int:
    k = np.asarray(k.numpy() if isinstance(k, Tensor) else k).reshape(-1).tolist()
    if len(k) == 2 and k[0] == k[1]:
        k = k[:1]
    if len(k) != 1:
        raise UnimplementedError(f"{op}: k={k} asks for a band of diagonals; minitf takes one diagonal at a time "
                                 f"(an int k, or k=(k, k))", op)
    return int(k[0])


def band_part(input: TensorLike, num_lower, num_upper, name: str | None = None) -> Tensor:  # noqa: A002
    """The band of each matrix within ``num_lower`` diagonals below the main one and ``num_upper``
    above (-1: all of them); zeros elsewhere."""
    x = _matrices("MatrixBandPart", input)
    lower, upper = int(num_lower), int(num_upper)
    rows, cols = x.shape[-2:]
    if lower > rows or upper > cols:
        raise InvalidArgumentError(f"MatrixBandPart: num_lower ({lower}) must be at most the number of rows "
                                   f"({rows}) and num_upper ({upper}) at most the number of columns ({cols})",
                                   "MatrixBandPart")
    return MatrixBandPart.apply(x, lower=lower, upper=upper)


def diag_part(input: TensorLike, name: str | None = None, k=0, padding_value=0,  # noqa: A002
              align: str = "RIGHT_LEFT") -> Tensor:
    """Diagonal k of each matrix: shape (..., R, C) -> (..., L)."""
    x = _matrices("MatrixDiagPartV3", input)
    k = _one_diagonal("MatrixDiagPartV3", k)
    rows, cols = x.shape[-2:]
    if not -rows < k < cols and rows * cols:
        raise InvalidArgumentError(f"MatrixDiagPartV3: diagonal k={k} lies outside a {rows}x{cols} matrix "
                                   f"(k must be in ({-rows}, {cols}))", "MatrixDiagPartV3")
    return MatrixDiagPart.apply(x, k=k)


def diag(diagonal: TensorLike, name: str | None = None, k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align: str = "RIGHT_LEFT") -> Tensor:
    """A batch of matrices with ``diagonal`` (..., L) on diagonal k and ``padding_value`` elsewhere.
    The size is L + |k| square unless ``num_rows``/``num_cols`` say otherwise, as in TF."""
    d = convert_to_tensor(diagonal)
    if d.ndim < 1:
        raise InvalidArgumentError(f"MatrixDiagV3: diagonal must be at least 1-D, got shape {list(d.shape)}",
                                   "MatrixDiagV3")
    k = _one_diagonal("MatrixDiagV3", k)
    length = d.shape[-1]
    min_rows, min_cols = length + max(-k, 0), length + max(k, 0)
    rows, cols = int(num_rows), int(num_cols)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    rows = min_rows if rows == -1 else rows
    cols = min_cols if cols == -1 else cols
    if len(_diagonal_cells(rows, cols, k)[0]) != length or rows < min_rows or cols < min_cols:
        raise InvalidArgumentError(f"MatrixDiagV3: a diagonal of {length} does not fit diagonal k={k} of a "
                                   f"{rows}x{cols} matrix (it needs at least {min_rows} rows and {min_cols} "
                                   f"columns, and one of them exactly)", "MatrixDiagV3")
    padding = np.asarray(padding_value, dtype=d._value.dtype).item()
    return MatrixDiag.apply(d, k=k, rows=rows, cols=cols, padding=padding)


def set_diag(input: TensorLike, diagonal: TensorLike, name: str | None = None, k=0,  # noqa: A002
             align: str = "RIGHT_LEFT") -> Tensor:
    """Each matrix of ``input`` with diagonal k replaced by ``diagonal`` (..., L)."""
    x = _matrices("MatrixSetDiagV3", input)
    d = convert_to_tensor(diagonal, dtype=x.dtype)
    k = _one_diagonal("MatrixSetDiagV3", k)
    want = tuple(x.shape[:-2]) + (len(_diagonal_cells(*x.shape[-2:], k)[0]),)
    if tuple(d.shape) != want:
        raise InvalidArgumentError(f"MatrixSetDiagV3: diagonal k={k} of input {list(x.shape)} needs a diagonal of "
                                   f"shape {list(want)}, got {list(d.shape)}", "MatrixSetDiagV3")
    return MatrixSetDiag.apply(x, d, k=k)


def trace(x: TensorLike, name: str | None = None) -> Tensor:
    """The sum of each matrix's main diagonal: reduce_sum(diag_part(x), -1)."""
    return R.reduce_sum(diag_part(x), axis=-1)
