"""``tf.linalg`` functions built from other ops, as TF builds them in Python: ``cholesky_solve``,
``logdet``, ``lstsq``, ``pinv``, ``matrix_rank``, ``normalize``, ``lu_solve``, ``lu_reconstruct``,
``lu_matrix_inverse``, ``expm``.

None is an op of its own: each is a few lines of matmuls, solves and decompositions, so its
gradient is the chain rule through them (the tape records the parts). Each follows TF's recipe,
named in its docstring, so that values and gradients agree with TF's to rounding.
"""
from __future__ import annotations

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.control_flow import cond, while_loop
from minitf.ops.creation import eye, fill, ones_like
from minitf.ops.decompositions import svd
from minitf.ops.diagonals import band_part, diag_part, set_diag
from minitf.ops.linalg import matmul, norm
from minitf.ops.matrix_ops import cholesky, solve, triangular_solve
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["cholesky_solve", "logdet", "lstsq", "pinv", "matrix_rank", "normalize", "lu_solve", "lu_reconstruct",
           "lu_matrix_inverse", "expm"]


def cholesky_solve(chol, rhs, name=None) -> Tensor:
    """x with A x = rhs, given A's Cholesky factor L (A = L L^T): two triangular solves,
    L y = rhs, then L^T x = y."""
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


def logdet(matrix, name=None) -> Tensor:
    """log det(A) of a symmetric positive-definite A: 2 sum(log(diag(L))) with A = L L^T (TF's way:
    no overflow where det itself would)."""
    chol = cholesky(matrix)
    return 2.0 * R.reduce_sum(E.log(diag_part(chol)), axis=-1)


def lstsq(matrix, rhs, l2_regularizer=0.0, fast: bool = True, name=None) -> Tensor:
    """The least-squares solution x of A x = B, with ``l2_regularizer`` lambda (TF's fast path):

        m >= n:  x = (A^T A + lambda I)^-1 A^T B       (minimizes |A x - B|^2 + lambda |x|^2)
        m <  n:  x = A^T (A A^T + lambda I)^-1 B       (the smallest x with A x = B, lambda = 0)

    solved through the Cholesky factor of the regularized Gram matrix, as TF's kernel does. It
    squares A's condition number: for an ill-conditioned A, TF's ``fast=False`` (a complete
    orthogonal decomposition) is more accurate; minitf takes ``fast=False`` to NumPy's SVD-based
    solver, without a gradient (TF defines none there either)."""
    a = E.float_operand("MatrixSolveLs", matrix)
    b = E.float_operand("MatrixSolveLs", rhs if isinstance(rhs, Tensor) else convert_to_tensor(rhs, dtype_hint=a.dtype))
    try:
        fits = (a.ndim >= 2 and b.ndim >= 2 and b.dtype == a.dtype and b.shape[-2] == a.shape[-2]
                and np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) is not None)
    except ValueError:
        fits = False
    if not fits:
        raise InvalidArgumentError(f"MatrixSolveLs: matrix {a.dtype.name}{list(a.shape)} and rhs "
                                   f"{b.dtype.name}{list(b.shape)} do not fit: expected [..., M, N] and [..., M, K] "
                                   "of one dtype, batch axes that broadcast", "MatrixSolveLs")
    if not fast:  # the backend's SVD-based solver, matrix by matrix
        xp = B.xp
        batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
        flat_a = xp.broadcast_to(a._value, batch + a.shape[-2:]).reshape((-1,) + a.shape[-2:])
        flat_b = xp.broadcast_to(b._value, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
        solutions = [xp.linalg.lstsq(m, r, rcond=None)[0] for m, r in zip(flat_a, flat_b)]
        x = xp.stack(solutions) if solutions else xp.zeros((0, a.shape[-1], b.shape[-1]), a._value.dtype)
        return Tensor(x.reshape(batch + (a.shape[-1], b.shape[-1])).astype(a._value.dtype))
    m, n = a.shape[-2:]
    tall = m >= n
    gram = matmul(a, a, transpose_a=tall, transpose_b=not tall)
    if isinstance(l2_regularizer, Tensor) or l2_regularizer != 0:  # as TF: no + 0 I (it would turn -0.0 to 0.0)
        gram = gram + E.cast(convert_to_tensor(l2_regularizer), a.dtype) * eye(min(m, n), dtype=a.dtype)
    if tall:
        return cholesky_solve(cholesky(gram), matmul(a, b, transpose_a=True))
    return matmul(a, cholesky_solve(cholesky(gram), b), transpose_a=True)


def _float_matrices(what: str, a, dtype_hint=None) -> Tensor:
    """TF's Python-level check of pinv and matrix_rank: a TypeError for a dtype not float-like."""
    a = convert_to_tensor(a, dtype_hint=dtype_hint)
    if not a.dtype.is_floating:
        raise InvalidArgumentTypeError(f"{what}: Input `a` must have `float`-like `dtype` (saw {a.dtype.name}).", what)
    return a


def pinv(a, rcond=None, validate_args: bool = False, name=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse V diag(1/s) U^T, from A = U diag(s) V^T, with the singular
    values below ``rcond * max(s)`` dropped (1/s taken as 0). TF's default ``rcond``,
    10 max(m, n) eps, is not NumPy's 1e-15."""
    a = _float_matrices("pinv", a)
    if rcond is None:
        rcond = 10.0 * max(a.shape[-2:]) * np.finfo(a.dtype.as_numpy_dtype).eps
    s, u, v = svd(a, full_matrices=False, compute_uv=True)
    cutoff = E.cast(convert_to_tensor(rcond), a.dtype) * R.reduce_max(s, axis=-1)
    kept = E.where(s > S.expand_dims(cutoff, -1), s, _full_like(s, np.inf))
    return matmul(v / S.expand_dims(kept, -2), u, transpose_b=True)


def matrix_rank(a, tol=None, validate_args: bool = False, name=None) -> Tensor:
    """The number of singular values above ``tol`` (default: eps max(m, n) max(s)), as int32."""
    a = _float_matrices("matrix_rank", a, dtype_hint=np.float32)  # as TF: a float64 NumPy array becomes float32
    s = svd(a, compute_uv=False)
    if tol is None:
        tol = np.finfo(a.dtype.as_numpy_dtype).eps * max(a.shape[-2:]) * R.reduce_max(s, axis=-1, keepdims=True)
    return R.reduce_sum(E.cast(s > tol, np.int32), axis=-1)


def _full_like(t: Tensor, value: float) -> Tensor:
    """A tensor of t's shape and dtype holding ``value`` everywhere."""
    return fill(S.shape(t), convert_to_tensor(np.array(value, t.dtype.as_numpy_dtype)))


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002 (TF's name)
    """(tensor / |tensor|, |tensor|): the norm over ``axis`` (``tf.norm``'s orders), kept as an axis."""
    x = convert_to_tensor(tensor)
    size = norm(x, ord=ord, axis=axis, keepdims=True)
    return x / size, size


def lu_reconstruct(lower_upper, perm, validate_args: bool = False, name=None) -> Tensor:
    """A from ``tf.linalg.lu``'s packed factors: (L U) with its rows put back, A = (L U)[perm^-1]."""
    lu = convert_to_tensor(lower_upper)
    lower = set_diag(band_part(lu, -1, 0), ones_like(diag_part(lu)))
    product = matmul(lower, band_part(lu, 0, -1))
    return S.gather(product, _inverse_permutation(perm), axis=lu.ndim - 2, batch_dims=lu.ndim - 2)


def lu_solve(lower_upper, perm, rhs, validate_args: bool = False, name=None) -> Tensor:
    """x with A x = rhs, from A's packed LU factors: rhs[perm], then L y = rhs[perm], then U x = y."""
    lu = convert_to_tensor(lower_upper)
    rhs = convert_to_tensor(rhs, dtype_hint=lu.dtype)
    batch = np.broadcast_shapes(lu.shape[:-2], rhs.shape[:-2])
    lu = S.broadcast_to(lu, batch + lu.shape[-2:])
    permuted = S.gather(S.broadcast_to(rhs, batch + rhs.shape[-2:]),
                        S.broadcast_to(convert_to_tensor(perm), batch + lu.shape[-1:]),
                        axis=len(batch), batch_dims=len(batch))
    lower = set_diag(band_part(lu, -1, 0), ones_like(diag_part(lu)))
    return triangular_solve(lu, triangular_solve(lower, permuted, lower=True), lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args: bool = False, name=None) -> Tensor:
    """A^-1 from A's packed LU factors: ``lu_solve`` with the identity on the right."""
    lu = convert_to_tensor(lower_upper)
    return lu_solve(lu, perm, eye(lu.shape[-1], batch_shape=lu.shape[:-2], dtype=lu.dtype))


def _inverse_permutation(perm) -> Tensor:
    """perm^-1 along the last axis (a batch of permutations): position i holds where i went."""
    p = convert_to_tensor(perm)
    return Tensor(B.xp.argsort(p._value, axis=-1).astype(p._value.dtype))


# Pade approximants of exp: coefficients b_k of p(A) = U + V, q(A) = V - U, exp(A) ~ q^-1 p (Higham 2005).
_PADE = {
    3: [120.0, 60.0, 12.0, 1.0],
    5: [30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0],
    7: [17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0],
    9: [17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0, 110880.0, 3960.0, 90.0, 1.0],
    13: [64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
         10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0],
}
# Below each l1 norm the approximant of that degree is exact to the dtype's precision; above the
# last, A is scaled by 2^-s first and the result squared s times (float32 and float64: TF's table).
_PADE_LIMITS = {np.float32: ((3, 4.258730016922831e-001), (5, 1.880152677804762e+000), (7, 3.925724783138660)),
                np.float64: ((3, 1.495585217958292e-002), (5, 2.539398330063230e-001), (7, 9.504178996162932e-001),
                             (9, 2.097847961257068e+000), (13, 5.371920351148152))}


def _pade_terms(a: Tensor, degree: int):
    """U (odd powers) and V (even powers) of the degree's Pade approximant, in TF's order of sums."""
    b = _PADE[degree]
    identity = eye(a.shape[-1], batch_shape=a.shape[:-2], dtype=a.dtype)
    a2 = matmul(a, a)
    if degree == 13:  # A^8 .. A^12 from A^6 times a sum (TF's, after Higham)
        a4 = matmul(a2, a2)
        a6 = matmul(a4, a2)
        u = matmul(a, matmul(a6, a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * identity)
        v = matmul(a6, b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * identity
        return u, v
    powers = [identity, a2]  # A^0, A^2, A^4, ... up to A^(degree - 1)
    for _ in range(degree // 2 - 1):
        powers.append(matmul(powers[-1], a2))
    return matmul(a, _sum_highest_first(powers, b, odd_terms=True)), _sum_highest_first(powers, b, odd_terms=False)


def _sum_highest_first(powers: list, b: list, odd_terms: bool) -> Tensor:
    """sum_k c_k A^(2k), from the highest power down (TF's expression order); the coefficient of
    A^(2k) is b[2k+1] for U's sum (the leading one 1) and b[2k] for V's."""
    top = len(powers) - 1
    total = powers[top] if odd_terms else b[2 * top] * powers[top]
    for k in range(top - 1, -1, -1):
        total = total + (b[2 * k + 1] if odd_terms else b[2 * k]) * powers[k]
    return total


def expm(input, name=None) -> Tensor:  # noqa: A002 (TF's name)
    """exp(A) = sum_n A^n / n! of each square matrix, by scaling and squaring with Pade approximants
    (Higham 2005, TF's recipe): the approximant of the lowest degree exact for A's l1 norm; above
    the last limit, exp(A) = exp(A / 2^s)^(2^s), s = max(0, floor(log2(|A|_1 / limit)))."""
    a = convert_to_tensor(input)
    if not a.dtype.is_floating:
        raise InvalidArgumentTypeError(f"tf.linalg.expm does not support matrices of type {a.dtype.name}", "expm")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise InvalidArgumentError(f"expm: input must be a square matrix (or a batch of them), got shape "
                                   f"{list(a.shape)}", "expm")
    if a.shape[-1] == 0:
        return a
    dtype = np.float64 if a.dtype.name == "float64" else np.float32  # float16 takes float32's table
    limits = _PADE_LIMITS[dtype]
    top_degree, top_limit = limits[-1]
    l1_norm = R.reduce_max(R.reduce_sum(E.abs(a), axis=-2), axis=-1)
    squarings = E.maximum(E.floor(E.log(l1_norm / top_limit) / np.log(a.dtype.as_numpy_dtype(2.0))), 0.0)
    per_matrix = lambda t: S.expand_dims(S.expand_dims(t, -1), -1)  # noqa: E731 (batch -> batch x 1 x 1)
    # Per matrix, the approximant its norm picks; TF computes each and selects with where().
    u, v = _pade_terms(a / per_matrix(E.pow(E.cast(2.0, a.dtype), squarings)), top_degree)
    for degree, limit in reversed(limits[:-1]):
        low_u, low_v = _pade_terms(a, degree)
        pick = per_matrix(l1_norm < limit)
        u, v = E.where(pick, low_u, u), E.where(pick, low_v, v)
    finite = E.is_finite(R.reduce_max(l1_norm))
    result = cond(finite, lambda: solve(v - u, u + v), lambda: _full_like(a, np.nan))

    def squaring(i, r):  # step i squares the matrices that need more than i squarings
        return i + 1.0, E.where(per_matrix(i < squarings), matmul(r, r), r)

    most = R.reduce_max(squarings)
    _, result = while_loop(lambda i, _: E.logical_and(finite, i < most), squaring, [E.cast(0.0, a.dtype), result])
    return result
