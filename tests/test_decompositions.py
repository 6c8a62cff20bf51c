"""Matrix decompositions and the functions built on them (``minitf/ops/decompositions.py``,
``minitf/ops/linalg_composites.py``): each checked against its defining property, on drawn shapes.

The differentiable ones also have rows in ``tests/op_specs.py`` (gradcheck, TF parity, bad inputs);
here: what the factors must satisfy (Q R = A with Q orthonormal, A V = V diag(e), P A = L U ...),
the LU family and ``matrix_rank`` (no gradient), and Eigen's QR steps that minitf copies for
matrices holding inf or NaN (``_tf_compat.eigen_householder_qr``).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitf as tf
from minitf._tf_compat import eigen_householder_qr

ELEMENTS = st.floats(-3, 3, allow_nan=False, allow_subnormal=False, width=64)


@st.composite
def matrices(draw, square: bool = False, max_side: int = 5):
    m = draw(st.integers(1, max_side))
    n = m if square else draw(st.integers(1, max_side))
    batch = draw(st.sampled_from([(), (2,), (2, 3)]))
    return draw(hnp.arrays(np.float64, batch + (m, n), elements=ELEMENTS))


def close(a, b, tol=1e-9):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


@settings(max_examples=40, deadline=None)
@given(a=matrices(), full=st.booleans())
def test_qr_factors_are_orthonormal_and_triangular(a, full):
    q, r = (t.numpy() for t in tf.linalg.qr(a, full_matrices=full))
    m, n = a.shape[-2:]
    k = m if full else min(m, n)
    assert q.shape == a.shape[:-2] + (m, k) and r.shape == a.shape[:-2] + (k, n)
    close(q @ r, a)
    close(np.swapaxes(q, -1, -2) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)))
    assert np.all(np.tril(r, -1) == 0)


@settings(max_examples=40, deadline=None)
@given(a=matrices(square=True), upper=matrices(square=True))
def test_eigh_diagonalizes_and_reads_only_the_lower_triangle(a, upper):
    if upper.shape != a.shape:
        upper = np.zeros_like(a)
    symmetric = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)
    e, v = (t.numpy() for t in tf.linalg.eigh(np.tril(a) + np.triu(upper, 1)))  # the upper triangle ignored
    assert np.all(np.diff(e, axis=-1) >= 0)
    close(symmetric @ v, v * e[..., None, :], 1e-8)
    close(tf.linalg.eigvalsh(symmetric).numpy(), e, 1e-8)


@settings(max_examples=40, deadline=None)
@given(a=matrices(), full=st.booleans())
def test_svd_reconstructs_with_descending_singular_values(a, full):
    s, u, v = (t.numpy() for t in tf.linalg.svd(a, full_matrices=full))
    k = min(a.shape[-2:])
    assert np.all(np.diff(s, axis=-1) <= 1e-12) and np.all(s >= 0)
    close((u[..., :k] * s[..., None, :]) @ np.swapaxes(v[..., :k], -1, -2), a)
    close(tf.linalg.svd(a, compute_uv=False).numpy(), s)


@settings(max_examples=40, deadline=None)
@given(a=matrices(square=True), columns=st.integers(1, 3))
def test_lu_permutes_and_factors_and_solves(a, columns):
    a = a + 4 * np.eye(a.shape[-1])  # away from singular
    lu, perm = tf.linalg.lu(a)
    lu, perm = lu.numpy(), perm.numpy()
    assert perm.dtype == np.int32
    lower = np.tril(lu, -1) + np.eye(a.shape[-1])
    upper = np.triu(lu)
    close(lower @ upper, np.take_along_axis(a, perm[..., :, None].astype(np.int64), axis=-2))
    assert np.all(np.abs(np.tril(lu, -1)) <= 1 + 1e-12)  # partial pivoting: multipliers at most 1
    close(tf.linalg.lu_reconstruct(lu, perm).numpy(), a)
    close(tf.linalg.lu_matrix_inverse(lu, perm).numpy(), np.linalg.inv(a), 1e-8)
    rhs = np.arange(a.shape[-1] * columns, dtype=np.float64).reshape(a.shape[-1], columns)
    close(tf.linalg.lu_solve(lu, perm, rhs).numpy(), np.linalg.solve(a, np.broadcast_to(rhs, a.shape[:-1] + (columns,))),
          1e-8)


def test_lu_of_a_singular_or_nan_matrix_is_tfs_error():
    for bad in (np.zeros((3, 3)), np.array([[1.0, np.nan], [0.0, 1.0]])):
        with pytest.raises(tf.errors.InvalidArgumentError, match="Lu.*not invertible"):
            tf.linalg.lu(bad)


@settings(max_examples=30, deadline=None)
@given(m=st.integers(1, 5), n=st.integers(1, 5), rank=st.integers(0, 5), seed=st.integers(0, 2**16))
def test_matrix_rank_counts_independent_columns(m, n, rank, seed):
    rank = min(rank, m, n)
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(m, rank)) @ rng.normal(size=(rank, n))
    assert int(tf.linalg.matrix_rank(a).numpy()) == rank


@settings(max_examples=30, deadline=None)
@given(a=matrices())
def test_pinv_satisfies_the_moore_penrose_conditions(a):
    p = tf.linalg.pinv(a).numpy()
    close(a @ p @ a, a, 1e-7)
    close(p @ a @ p, p, 1e-7)
    close(np.swapaxes(a @ p, -1, -2), a @ p, 1e-7)
    close(np.swapaxes(p @ a, -1, -2), p @ a, 1e-7)


@settings(max_examples=30, deadline=None)
@given(a=matrices(max_side=4), l2=st.sampled_from([0.0, 0.5]))
def test_lstsq_solves_the_regularized_normal_equations(a, l2):
    a = a + np.eye(*a.shape[-2:]) * 5  # full rank
    b = np.ones(a.shape[:-1] + (2,))
    x = tf.linalg.lstsq(a, b, l2_regularizer=l2).numpy()
    at = np.swapaxes(a, -1, -2)
    m, n = a.shape[-2:]
    if m >= n:
        close((at @ a + l2 * np.eye(n)) @ x, at @ b, 1e-8)
    else:  # the minimum-norm solution x = A^T y, (A A^T + l2 I) y = b
        y = np.linalg.solve(a @ at + l2 * np.eye(m), b)
        close(x, at @ y, 1e-8)
    slow = tf.linalg.lstsq(a, b, fast=False).numpy()  # NumPy's SVD-based solver, matrix by matrix
    for i in np.ndindex(a.shape[:-2]):
        close(slow[i], np.linalg.lstsq(a[i], b[i], rcond=None)[0], 1e-8)


def _series_exp(a, terms=60):
    total, term = np.eye(a.shape[-1]), np.eye(a.shape[-1])
    for k in range(1, terms):
        term = term @ a / k
        total = total + term
    return total


@pytest.mark.parametrize("scale", [0.001, 0.05, 0.3, 1.0, 2.0, 6.0])
def test_expm_matches_its_power_series_at_every_pade_degree(scale):
    """The scales reach each Pade degree TF's table picks, and the scaling and squaring above them."""
    a = np.random.default_rng(3).normal(size=(4, 4)) * scale
    close(tf.linalg.expm(a).numpy(), _series_exp(a), 1e-10 * max(1.0, np.abs(_series_exp(a)).max()))
    close(tf.linalg.expm(a.astype(np.float32)).numpy(), _series_exp(a), 2e-5 * max(1.0, np.abs(_series_exp(a)).max()))


def test_expm_of_a_batch_with_other_norms_and_its_trace():
    a = np.stack([np.diag([1.0, -2.0]), [[0.0, 3.0], [-3.0, 0.0]]]) * [[[0.01]], [[2.0]]]
    eager = tf.linalg.expm(a).numpy()
    close(eager[0], np.diag(np.exp([0.01, -0.02])))
    close(eager[1], [[np.cos(6.0), np.sin(6.0)], [-np.sin(6.0), np.cos(6.0)]])  # a rotation
    traced = tf.function(tf.linalg.expm)(tf.constant(a)).numpy()
    assert np.array_equal(traced, eager)
    assert np.isnan(tf.linalg.expm(np.array([[np.inf, 0.0], [0.0, 1.0]])).numpy()).all()  # TF: NaN for non-finite


@settings(max_examples=30, deadline=None)
@given(a=matrices(), full=st.booleans())
def test_eigen_householder_steps_give_a_qr_factorization(a, full):
    """The transcription of Eigen's steps (used for matrices holding inf or NaN) is a QR of finite
    matrices too, with R's diagonal of sign opposite to the column it reflects (Householder's)."""
    for matrix in a.reshape((-1,) + a.shape[-2:]):
        q, r = eigen_householder_qr(matrix.copy(), full)
        close(q @ r, matrix)
        k = q.shape[-1]
        close(q.T @ q, np.eye(k))
        assert np.all(np.tril(r, -1) == 0)
        # R is unique up to the signs of its rows where A's columns are independent (here: + 5 I)
        independent = matrix + 5 * np.eye(*matrix.shape)
        lapack_r = np.linalg.qr(independent, mode="complete" if full else "reduced")[1]
        close(np.abs(eigen_householder_qr(independent.copy(), full)[1]), np.abs(lapack_r), 1e-8)


def test_triangular_solve_reads_only_its_triangle_and_broadcasts_batches():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(1, 3, 3)) + 4 * np.eye(3)
    b = rng.normal(size=(2, 3, 2))
    lower = tf.linalg.triangular_solve(a, b).numpy()
    close(np.tril(a) @ lower, b)
    upper_t = tf.linalg.triangular_solve(a, b, lower=False, adjoint=True).numpy()
    close(np.swapaxes(np.triu(a), -1, -2) @ upper_t, b)
    with pytest.raises(tf.errors.InvalidArgumentError, match="MatrixTriangularSolve"):
        tf.linalg.triangular_solve(a, np.ones((2, 4, 1)))
