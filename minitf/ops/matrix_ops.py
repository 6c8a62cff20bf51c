"""Square-matrix ops with their gradients: ``tf.linalg.inv``, ``det``, ``slogdet``, ``solve``,
``triangular_solve``, ``cholesky``.

Each works on the last two axes (a batch of matrices in front). Gradients, with y the output
and ^T the transpose of the last two axes:

    inv:      y = A^-1             dA = -y^T dy y^T
    det:      d = det(A)           dA = dy d A^-T
    slogdet:  l = log|det(A)|      dA = dl A^-T        (the sign's gradient is zero)
    solve:    x = A^-1 B           dB = A^-T dy,   dA = -dB x^T
    triangular_solve: the same, dA kept to A's triangle (the only entries the solve reads)
    cholesky: L L^T = A            dA = sym(L^-T Phi(L^T dL) L^-1),  Phi: lower triangle with the
                                   diagonal halved, sym(M) = (M + M^T) / 2 (TF's formula)
"""
from __future__ import annotations

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError, NotFoundError
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.ops.diagonals import band_part
from minitf.ops.linalg import matmul, matrix_transpose
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["inv", "det", "slogdet", "solve", "triangular_solve", "cholesky"]


def _square(op: str, a: Tensor) -> Tensor:
    a = E.float_operand(op, a)
    if a.dtype.name == "float16" and op != "MatrixInverse":  # as TF: no float16 kernel (inverse has one)
        raise NotFoundError(f"{op}: no kernel for float16 (half) matrices; cast to float32 first", op)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise InvalidArgumentError(f"{op}: input must be a square matrix (or a batch of them), got shape "
                                   f"{list(a.shape)}", op)
    return a


def _refuse_nan(op: str, a) -> None:
    """TF's LU kernels call a matrix holding NaN not invertible (LAPACK would return NaNs). Checked
    on the host backend only: on a GPU, TF's kernels return NaN, and a check would stop the device."""
    if B.xp is np and a.dtype.kind == "f" and np.isnan(a).any():
        raise InvalidArgumentError(f"{op}: Input is not invertible (it holds NaN)", op)


def _singular(op: str, error: Exception) -> InvalidArgumentError:
    return InvalidArgumentError(f"{op}: {error} (the matrix is not invertible)"
                                if op != "Cholesky" else
                                f"Cholesky decomposition was not successful. The input might not be valid "
                                f"(it must be symmetric positive definite): {error}", op)


class MatrixInverse(Op):
    """A^-1.   dA = -y^T dy y^T."""

    def forward(a):
        _refuse_nan("MatrixInverse", a)
        try:
            if a.dtype == np.float16:  # LAPACK has no half precision: invert in float32, round once
                return B.xp.linalg.inv(a.astype(np.float32)).astype(np.float16)
            return B.xp.linalg.inv(a)
        except np.linalg.LinAlgError as e:  # CuPy raises NumPy's error too
            raise _singular("MatrixInverse", e) from None

    def backward(ctx, dy):
        yt = matrix_transpose(ctx.output)
        return -matmul(matmul(yt, dy), yt)

    def shape(a):
        return a


class MatrixDeterminant(Op):
    """det(A).   dA = dy det(A) A^-T."""

    def forward(a):
        return B.xp.linalg.det(a)

    def backward(ctx, dy):
        a = ctx.inputs[0]
        scale = S.expand_dims(S.expand_dims(dy * ctx.output, -1), -1)
        return scale * matrix_transpose(MatrixInverse.apply(a))

    def shape(a):
        return tuple(a[:-2])


class LogMatrixDeterminant(Op):
    """(sign(det A), log|det A|), from the LU factors (no overflow where det itself would).
    dA = dl A^-T;  the sign is piecewise constant: no gradient."""

    def forward(a):
        sign, log_abs = B.xp.linalg.slogdet(a)
        sign = B.xp.where(B.xp.isnan(log_abs), B.xp.nan, sign)  # TF: a NaN determinant has a NaN sign
        return sign.astype(a.dtype), log_abs.astype(a.dtype)

    def backward(ctx, dys):
        _, dlog = dys
        scale = S.expand_dims(S.expand_dims(dlog, -1), -1)
        return scale * matrix_transpose(MatrixInverse.apply(ctx.inputs[0]))

    def shape(a):
        return [tuple(a[:-2]), tuple(a[:-2])]


class MatrixTriangularSolve(Op):
    """x with A x = B for a triangular A (``lower``: only its lower triangle is read; ``adjoint``:
    A^T x = B), by substitution, one row of x at a time:

        lower:  x_i = (b_i - sum_{j<i} A_ij x_j) / A_ii,   i = 0, 1, ..., n-1
        upper:  x_i = (b_i - sum_{j>i} A_ij x_j) / A_ii,   i = n-1, ..., 0

    A zero on the diagonal gives inf/NaN, as in TF (no pivoting, no check). The batch axes of A
    and B broadcast.   dB = A^-T dy (a triangular solve the other way);  dA = -dB x^T, kept to
    A's triangle."""

    quiet = True  # a zero pivot divides by zero, silently as in TF

    def forward(a, b, lower, adjoint):
        xp = B.xp
        if adjoint:
            a, lower = xp.swapaxes(a, -1, -2), not lower
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        x = xp.array(xp.broadcast_to(b, batch + b.shape[-2:]))  # a copy: row i is overwritten by x_i
        n = a.shape[-1]
        for i in (range(n) if lower else range(n - 1, -1, -1)):
            solved = slice(0, i) if lower else slice(i + 1, n)
            known = xp.matmul(a[..., i:i + 1, solved], x[..., solved, :])[..., 0, :]
            x[..., i, :] = (x[..., i, :] - known) / a[..., i, i:i + 1]
        return x

    def backward(ctx, dy):
        a, b = ctx.inputs
        db = MatrixTriangularSolve.apply(a, dy, lower=ctx.lower, adjoint=not ctx.adjoint)
        da = None
        if ctx.needs_input_grad[0]:
            x = ctx.output
            da = -(matmul(x, db, transpose_b=True) if ctx.adjoint else matmul(db, x, transpose_b=True))
            da = band_part(da, -1, 0) if ctx.lower else band_part(da, 0, -1)
            da = E.unbroadcast(da, a)  # the batch axes a was broadcast along
        return da, E.unbroadcast(db, b)

    def shape(a, b, lower, adjoint):
        return tuple(np.broadcast_shapes(tuple(1 if d is None else d for d in a[:-2]),
                                         tuple(1 if d is None else d for d in b[:-2]))) + tuple(b[-2:])


class MatrixSolve(Op):
    """x with A x = B.   dB = A^-T dy;  dA = -dB x^T."""

    def forward(a, b):
        _refuse_nan("MatrixSolve", a)
        try:
            return B.xp.linalg.solve(a, b)
        except np.linalg.LinAlgError as e:  # CuPy raises NumPy's error too
            raise _singular("MatrixSolve", e) from None

    def backward(ctx, dy):
        a, _ = ctx.inputs
        db = MatrixSolve.apply(matrix_transpose(a), dy)
        return -matmul(db, matrix_transpose(ctx.output)), db

    def shape(a, b):
        return b


class Cholesky(Op):
    """L, lower triangular, with L L^T = A.   dA: see the module docstring (TF's formula)."""

    def forward(a):
        try:
            return B.xp.linalg.cholesky(a)
        except np.linalg.LinAlgError as e:  # CuPy raises NumPy's error too
            raise _singular("Cholesky", e) from None

    def backward(ctx, dy):
        low = ctx.output
        n = low.shape[-1]
        low_inv = MatrixInverse.apply(low)
        middle = matmul(matrix_transpose(low), dy)
        phi = S.cast(Tensor(B.xp.tril(B.xp.ones((n, n))) - 0.5 * B.xp.eye(n)), dy.dtype)
        grad = matmul(matmul(matrix_transpose(low_inv), middle * phi), low_inv)
        return (grad + matrix_transpose(grad)) * 0.5

    def shape(a):
        return a


def inv(input, adjoint: bool = False, name=None) -> Tensor:  # noqa: A002 (TF's name)
    """The inverse of each square matrix in the last two axes."""
    a = _square("MatrixInverse", input)
    return MatrixInverse.apply(matrix_transpose(a) if adjoint else a)


def det(input, name=None) -> Tensor:  # noqa: A002
    """The determinant of each square matrix in the last two axes."""
    return MatrixDeterminant.apply(_square("MatrixDeterminant", input))


def slogdet(input, name=None):  # noqa: A002
    """(sign, log|det|) of each square matrix: the log of a determinant too large or small for its dtype."""
    return LogMatrixDeterminant.apply(_square("LogMatrixDeterminant", input))


def triangular_solve(matrix, rhs, lower: bool = True, adjoint: bool = False, name=None) -> Tensor:
    """x with ``matrix @ x = rhs`` for triangular matrices (``lower``: the lower triangle is read,
    the rest ignored; ``adjoint``: ``matrix^T @ x = rhs``). Batch axes broadcast."""
    a = _square("MatrixTriangularSolve", matrix)
    b = E.float_operand("MatrixTriangularSolve",
                        rhs if isinstance(rhs, Tensor) else convert_to_tensor(rhs, dtype_hint=a.dtype))
    if b.dtype != a.dtype:
        raise InvalidArgumentError(f"MatrixTriangularSolve: rhs is {b.dtype.name}, matrix {a.dtype.name}: the two must "
                                   "have one dtype", "MatrixTriangularSolve")
    try:
        fits = b.ndim >= 2 and b.shape[-2] == a.shape[-1] and np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) is not None
    except ValueError:
        fits = False
    if not fits:
        raise InvalidArgumentError(f"MatrixTriangularSolve: rhs of shape {list(b.shape)} does not fit matrix of shape "
                                   f"{list(a.shape)}: expected [..., {a.shape[-1]}, k], batch axes that broadcast",
                                   "MatrixTriangularSolve")
    return MatrixTriangularSolve.apply(a, b, lower=bool(lower), adjoint=bool(adjoint))


def solve(matrix, rhs, adjoint: bool = False, name=None) -> Tensor:
    """x with ``matrix @ x = rhs`` (``matrix^T @ x = rhs`` with ``adjoint``)."""
    a = _square("MatrixSolve", matrix)
    b = E.float_operand("MatrixSolve", rhs if isinstance(rhs, Tensor) else convert_to_tensor(rhs, dtype_hint=a.dtype))
    if b.dtype != a.dtype or b.ndim != a.ndim or b.shape[-2] != a.shape[-1] or b.shape[:-2] != a.shape[:-2]:
        raise InvalidArgumentError(f"MatrixSolve: rhs of shape {list(b.shape)} ({b.dtype.name}) does not fit matrix of "
                                   f"shape {list(a.shape)} ({a.dtype.name}): expected [..., {a.shape[-1]}, k] with "
                                   f"the same batch and dtype", "MatrixSolve")
    return MatrixSolve.apply(matrix_transpose(a) if adjoint else a, b)


def cholesky(input, name=None) -> Tensor:  # noqa: A002
    """The lower-triangular Cholesky factor of each symmetric positive-definite matrix."""
    x = input if isinstance(input, Tensor) else convert_to_tensor(input)
    if not x.dtype.is_floating:  # as TF: outside the op's allowed dtypes, a TypeError
        raise InvalidArgumentTypeError(f"Cholesky: Value passed to parameter 'input' has DataType {x.dtype.name} not "
                                       "in list of allowed values: float64, float32, half", "Cholesky")
    return Cholesky.apply(_square("Cholesky", input))

