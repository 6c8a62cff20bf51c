"""Matrix decompositions with their gradients: ``tf.linalg.qr``, ``eigh``, ``eigvalsh``, ``svd``, ``lu``.

Each works on the last two axes (a batch of matrices in front); the kernels are LAPACK's (through
NumPy or CuPy). A decomposition's factors are unique only up to signs (a column of Q or of an
eigenvector matrix may come out negated), so two libraries may return different signs: compare
the products (Q R, V diag(e) V^T) or fix the signs first. The gradients are TF's, with ^T the
transpose of the last two axes, sym(M) = M + M^T, and F_ij = 1 / (e_j - e_i) off the diagonal:

    qr  (A = Q R, m >= n):  M = tril(Q^T dQ - (Q^T dQ)^T + R dR^T - (R dR^T)^T)
                            dA = Q (dR + M R^-T) + (dQ - Q Q^T dQ) R^-T      (arXiv 2009.10071;
                            a wide A = [X, Y] is reduced to its square part X)
    eigh (A = V diag(e) V^T):  G = V (diag(de) + F * (V^T dV)) V^T;  dA = tril(sym(G)), diagonal halved
                            (the kernel reads only the lower triangle of A)
    svd (A = U diag(s) V^T):  Giles' formulas (``Svd.backward``)

The gradient of eigenvectors or singular vectors is infinite where two eigenvalues (singular
values) meet: their vectors are then not unique. TF, and minitf after it, divide by
(e_j - e_i) softened as x / (x^2 + 1e-20).
"""
from __future__ import annotations

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf._tf_compat import eigen_householder_qr
from minitf.errors import InvalidArgumentError, NotFoundError
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.ops.creation import zeros_like
from minitf.ops.diagonals import band_part, diag, diag_part, set_diag
from minitf.ops.linalg import matmul, matrix_transpose
from minitf.ops.matrix_ops import MatrixTriangularSolve
from minitf.ops.op import Op
from minitf.tensor import Tensor

__all__ = ["qr", "eigh", "eigvalsh", "svd", "lu"]


def _matrices(op: str, a, square: bool = False, half: bool = False) -> Tensor:
    """``a`` checked as TF's kernel checks it: floating point, rank >= 2, square where asked."""
    a = E.float_operand(op, a)
    if a.dtype.name == "float16" and not half:
        raise NotFoundError(f"{op}: no kernel for float16 (half) matrices; cast to float32 first", op)
    if a.ndim < 2:
        raise InvalidArgumentError(f"{op}: input must have rank >= 2 (a matrix, or a batch of them), got shape "
                                   f"{list(a.shape)}", op)
    if square and a.shape[-1] != a.shape[-2]:
        raise InvalidArgumentError(f"{op}: input matrix must be square, got shape {list(a.shape)}", op)
    return a


def _soft_reciprocal(x: Tensor) -> Tensor:
    """1/x, softened to x / (x^2 + 1e-20) so that equal eigenvalues give 0 rather than inf (TF's)."""
    return x / (x * x + 1e-20)


def _off_diagonal_reciprocal_gaps(e: Tensor) -> Tensor:
    """F with F_ij = 1 / (e_j - e_i) for i != j, 0 on the diagonal."""
    gaps = S.expand_dims(e, -2) - S.expand_dims(e, -1)
    return set_diag(_soft_reciprocal(gaps), zeros_like(e))


def _on_host_precision(a):
    """LAPACK has no half precision: a float16 matrix is factored in float32 (the factors rounded once)."""
    return a.astype(np.float32) if a.dtype == np.float16 else a


def _solve_upper_right(x: Tensor, r: Tensor) -> Tensor:
    """x R^-T for an upper-triangular R, as a triangular solve: (R^-1 x^T)^T."""
    return matrix_transpose(MatrixTriangularSolve.apply(r, matrix_transpose(x), lower=False, adjoint=False))


class Qr(Op):
    """A = Q R: Q with orthonormal columns, R upper triangular (Householder reflections).
    ``full_matrices``: Q is m x m and R m x n; otherwise Q is m x k and R k x n, k = min(m, n)."""

    def forward(a, full_matrices):
        q, r = B.xp.linalg.qr(_on_host_precision(a), mode="complete" if full_matrices else "reduced")
        q, r = q.astype(a.dtype), r.astype(a.dtype)
        if B.xp is np and a.size and not np.isfinite(a).all():  # where inf or NaN go: Eigen's steps
            flat_a, flat_q, flat_r = (t.reshape((-1,) + t.shape[-2:]) for t in (a, q, r))
            for i in np.flatnonzero(~np.isfinite(flat_a).all(axis=(1, 2))):
                flat_q[i], flat_r[i] = eigen_householder_qr(flat_a[i], full_matrices)
        return q, r

    def backward(ctx, dys):
        dq, dr = dys
        q, r = ctx.outputs
        if q.dtype.name == "float16":
            raise NotFoundError("Qr's gradient solves with MatrixTriangularSolve, which has no float16 (half) kernel "
                                "(TF's neither); cast to float32 first", "MatrixTriangularSolve")
        m, n = q.shape[-2], r.shape[-1]
        if r.shape[-2] > n and q.shape[-1] == q.shape[-2]:
            raise NotImplementedError(f"QrGrad not implemented when nrows > ncols and full_matrices is true. "
                                      f"Received r.shape={list(r.shape)}.")
        if m >= n:
            return _qr_grad_tall(q, r, dq, dr)
        # A wide matrix A = [X, Y], R = [U, V]: X = Q U is square; Y = Q V adds to both gradients.
        a = ctx.inputs[0]
        y, u = a[..., :, m:], r[..., :, :m]
        du, dv = dr[..., :, :m], dr[..., :, m:]
        dx = _qr_grad_tall(q, u, dq + matmul(y, dv, transpose_b=True), du)
        return S.concat([dx, matmul(q, dv)], axis=-1)

    def shape(a, full_matrices):
        *batch, m, n = a
        k = m if full_matrices or m is None or n is None else min(m, n)
        return [tuple(batch) + (m, k), tuple(batch) + (k, n)]


def _qr_grad_tall(q: Tensor, r: Tensor, dq: Tensor, dr: Tensor) -> Tensor:
    """dA of A = Q R for m >= n (TF's ``_QrGradSquareAndDeepMatrices``)."""
    qdq = matmul(q, dq, transpose_a=True)
    rdr = matmul(r, dr, transpose_b=True)
    low = band_part(qdq - matrix_transpose(qdq) + rdr - matrix_transpose(rdr), -1, 0)
    grad_a = matmul(q, dr + _solve_upper_right(low, r))
    grad_b = _solve_upper_right(dq - matmul(q, qdq), r)
    return grad_a + grad_b


class SelfAdjointEigV2(Op):
    """Eigenvalues e (ascending) and eigenvectors V (columns) of a symmetric A = V diag(e) V^T,
    read from A's lower triangle. ``compute_v=False``: e alone."""

    def forward(a, compute_v):
        xp = B.xp
        if a.shape[-1] == 1:  # Eigen's solver takes a 1x1 matrix as it is (inf and NaN included)
            e = a[..., 0, :].copy()
            return (e, xp.ones_like(a)) if compute_v else e
        if a.size and not xp.isfinite(xp.tril(a)).all():  # the kernel reads the lower triangle only
            raise InvalidArgumentError("SelfAdjointEigV2: Self-adjoint eigen decomposition was not successful. The "
                                       "input might not be valid (it holds NaN or inf).", "SelfAdjointEigV2")
        if not compute_v:
            return B.xp.linalg.eigvalsh(a, UPLO="L")
        e, v = B.xp.linalg.eigh(a, UPLO="L")
        return e, v

    def backward(ctx, dys):
        if ctx.compute_v:
            e, v = ctx.outputs
            de, dv = dys
            inner = diag(de) + _off_diagonal_reciprocal_gaps(e) * matmul(v, dv, transpose_a=True)
        else:
            de = dys
            _, v = SelfAdjointEigV2.apply(ctx.inputs[0], compute_v=True)
            inner = diag(de)
        grad = matmul(v, matmul(inner, v, transpose_b=True))
        # The kernel reads only the lower triangle: its gradient is the symmetric part folded onto it.
        grad = band_part(grad + matrix_transpose(grad), -1, 0)
        return set_diag(grad, 0.5 * diag_part(grad))

    def shape(a, compute_v):
        e = tuple(a[:-1])
        return [e, tuple(a)] if compute_v else e


class Svd(Op):
    """A = U diag(s) V^T, s descending and >= 0 (TF's order of outputs: s, U, V, with V not V^T).
    ``full_matrices``: U is m x m and V n x n; otherwise m x k and n x k, k = min(m, n).
    A matrix holding inf or NaN gets NaN in every output, as TF's kernel gives."""

    def forward(a, compute_uv, full_matrices):
        xp = B.xp
        finite = xp.isfinite(a).all(axis=(-2, -1))
        try:
            if not compute_uv:
                return xp.where(finite[..., None], xp.linalg.svd(a, compute_uv=False), xp.nan)
            u, s, vt = xp.linalg.svd(a, full_matrices=full_matrices)
            nan_where_inf = lambda t: xp.where(finite[..., None, None], t, xp.nan)  # noqa: E731
            return (xp.where(finite[..., None], s, xp.nan), nan_where_inf(u),
                    nan_where_inf(xp.swapaxes(vt, -1, -2)))
        except np.linalg.LinAlgError:  # LAPACK did not converge (NaN or inf in A): TF returns NaNs
            m, n = a.shape[-2:]
            k = min(m, n)
            nan = lambda *shape: xp.full(a.shape[:-2] + shape, xp.nan, a.dtype)  # noqa: E731
            if not compute_uv:
                return nan(k)
            return nan(k), nan(m, m if full_matrices else k), nan(n, n if full_matrices else k)

    def backward(ctx, dys):
        a = ctx.inputs[0]
        if not ctx.compute_uv:
            _, u, v = Svd.apply(a, compute_uv=True, full_matrices=False)
            return matmul(u, matmul(diag(dys), v, transpose_b=True))
        s, u, v = ctx.outputs
        ds, du, dv = dys
        m, n = a.shape[-2:]
        transposed = m > n  # work on A^T = V S U^T, and transpose the gradient at the end
        if transposed:
            m, n, u, v, du, dv = n, m, v, u, dv, du
        if ctx.full_matrices and abs(m - n) > 1:
            raise NotImplementedError(f"svd gradient is not implemented for abs(m - n) > 1 when full_matrices is "
                                      f"True. Received: m={m} and n={n}.")
        s_mat = diag(s)
        f = _off_diagonal_reciprocal_gaps(s * s)
        v1, dv1 = v[..., :, :m], dv[..., :, :m]
        f_u = f * matmul(u, du, transpose_a=True)
        f_v = f * matmul(v1, dv1, transpose_a=True)
        inner = (diag(ds) + matmul(f_u + matrix_transpose(f_u), s_mat)
                 + matmul(s_mat, f_v + matrix_transpose(f_v)))
        grad = matmul(u, matmul(inner, v1, transpose_b=True))
        if m != n:
            dv1t = matrix_transpose(dv1)
            extra = dv1t - matmul(matmul(dv1t, v1), v1, transpose_b=True)
            if ctx.full_matrices:
                v2, dv2 = v[..., :, m:n], dv[..., :, m:n]
                extra = extra - matmul(matmul(v1, dv2, transpose_a=True), v2, transpose_b=True)
            grad = grad + matmul(matmul(u, diag(_soft_reciprocal(s))), extra)
        return matrix_transpose(grad) if transposed else grad

    def shape(a, compute_uv, full_matrices):
        *batch, m, n = a
        k = None if m is None or n is None else min(m, n)
        if not compute_uv:
            return tuple(batch) + (k,)
        return [tuple(batch) + (k,), tuple(batch) + (m, m if full_matrices else k),
                tuple(batch) + (n, n if full_matrices else k)]


class Lu(Op):
    """P A = L U with partial pivoting (Doolittle): L unit lower triangular, U upper triangular,
    both packed in one matrix (L's unit diagonal left out), and ``perm`` with A[perm] = L U.

    Column by column: the row with the largest |entry| in the column becomes the pivot, the rows
    below subtract multiples of it. TF has no gradient for it, nor has minitf."""

    backward = None

    def forward(a, index_dtype):
        xp = B.xp
        if a.size and not xp.isfinite(a).all():
            raise InvalidArgumentError("Lu: Input is not invertible (it holds NaN or inf).", "Lu")
        lu = xp.array(_on_host_precision(a))
        n = lu.shape[-1]
        perm = xp.broadcast_to(xp.arange(n), lu.shape[:-1]).copy()
        rows = xp.arange(lu.reshape(-1, n, n).shape[0])
        flat_lu, flat_perm = lu.reshape(-1, n, n), perm.reshape(-1, n)
        for k in range(n):
            pivot = k + xp.argmax(xp.abs(flat_lu[:, k:, k]), axis=1)
            for block in (flat_lu, flat_perm):  # swap row k with the pivot row, in every matrix at once
                row_k = block[rows, k].copy()
                block[rows, k] = block[rows, pivot]
                block[rows, pivot] = row_k
            if (flat_lu[:, k, k] == 0).any():
                raise InvalidArgumentError("Lu: Input is not invertible (a zero pivot).", "Lu")
            flat_lu[:, k + 1:, k] /= flat_lu[:, k:k + 1, k]
            flat_lu[:, k + 1:, k + 1:] -= flat_lu[:, k + 1:, k:k + 1] * flat_lu[:, k:k + 1, k + 1:]
        return lu.astype(a.dtype), perm.astype(index_dtype)

    def shape(a, index_dtype):
        return [tuple(a), tuple(a[:-1])]


def qr(input, full_matrices: bool = False, name=None):  # noqa: A002 (TF's name)
    """(Q, R) with input = Q R; see ``Qr``."""
    return Qr.apply(_matrices("Qr", input, half=True), full_matrices=bool(full_matrices))


def eigh(tensor, name=None):
    """(eigenvalues ascending, eigenvectors as columns) of each symmetric matrix (its lower triangle)."""
    return SelfAdjointEigV2.apply(_matrices("SelfAdjointEigV2", tensor, square=True), compute_v=True)


def eigvalsh(tensor, name=None) -> Tensor:
    """The eigenvalues, ascending, of each symmetric matrix (its lower triangle)."""
    return SelfAdjointEigV2.apply(_matrices("SelfAdjointEigV2", tensor, square=True), compute_v=False)


def svd(tensor, full_matrices: bool = False, compute_uv: bool = True, name=None):
    """(s, u, v) with tensor = u diag(s) v^T (note: v, not v^T, as TF); s alone without ``compute_uv``."""
    return Svd.apply(_matrices("Svd", tensor), compute_uv=bool(compute_uv), full_matrices=bool(full_matrices))


def lu(input, output_idx_type=dtypes.int32, name=None):  # noqa: A002
    """(lu, p): the packed L and U of each square matrix and the row permutation (``Lu``)."""
    a = _matrices("Lu", input, square=True)
    return Lu.apply(a, index_dtype=np.dtype(dtypes.as_dtype(output_idx_type).as_numpy_dtype))
