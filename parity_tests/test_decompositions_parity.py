"""The decompositions without a gradient, and the edge cases of those with one, against TF 2.21.

The differentiable ones (qr, eigh, svd, slogdet, lstsq, pinv, expm ...) are rows of the op table
(``parity_tests/test_ops_parity.py``, ``test_op_outcomes_parity.py``). Here: ``lu`` (the same
pivots, so the same permutation, and factors to rounding), the LU family, ``matrix_rank``, and QR
of matrices holding inf or NaN, where minitf takes Eigen's steps so that NaN lands where TF's does.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

ELEMENTS = st.floats(-3, 3, allow_nan=False, allow_subnormal=False, width=32)


@st.composite
def square(draw, max_side=5):
    n = draw(st.integers(1, max_side))
    batch = draw(st.sampled_from([(), (2,)]))
    return draw(hnp.arrays(np.float32, batch + (n, n), elements=ELEMENTS)) + 4 * np.eye(n, dtype=np.float32)


@settings(max_examples=30, deadline=None)
@given(a=square())
def test_lu_pivots_and_factors_as_tf(tf, mtf, a):
    ours, theirs = mtf.linalg.lu(a), tf.linalg.lu(a)
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())  # the same pivot rows
    assert ours[1].dtype.name == theirs[1].dtype.name == "int32"
    np.testing.assert_allclose(ours[0].numpy(), theirs[0].numpy(), rtol=1e-5, atol=1e-5)
    rhs = np.ones(a.shape[:-1] + (2,), np.float32)
    for name, fn in (("lu_solve", lambda t, lu, p: t.linalg.lu_solve(lu, p, rhs)),
                     ("lu_matrix_inverse", lambda t, lu, p: t.linalg.lu_matrix_inverse(lu, p)),
                     ("lu_reconstruct", lambda t, lu, p: t.linalg.lu_reconstruct(lu, p))):
        np.testing.assert_allclose(fn(mtf, *ours).numpy(), fn(tf, *theirs).numpy(), rtol=1e-5, atol=1e-5,
                                   err_msg=name)


def test_lu_refuses_singular_and_nan_matrices_as_tf(tf, mtf):
    for bad in (np.zeros((2, 2), np.float32), np.array([[np.nan, 1], [1, 2]], np.float32)):
        for fw in (tf, mtf):
            try:
                fw.linalg.lu(bad)
            except fw.errors.InvalidArgumentError as e:
                assert "not invertible" in str(e)
            else:
                raise AssertionError(f"{fw.__name__}.linalg.lu accepted {bad.tolist()}")


@settings(max_examples=30, deadline=None)
@given(m=st.integers(1, 5), n=st.integers(1, 5), rank=st.integers(0, 5), seed=st.integers(0, 2**16),
       float64=st.booleans())
def test_matrix_rank_as_tf(tf, mtf, m, n, rank, seed, float64):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(m, min(rank, m, n))) @ rng.normal(size=(min(rank, m, n), n))
    a = a if float64 else a.astype(np.float32)  # a float64 array: TF's dtype_hint makes it float32
    ours, theirs = mtf.linalg.matrix_rank(a), tf.linalg.matrix_rank(a)
    assert ours.dtype.name == theirs.dtype.name and int(ours.numpy()) == int(theirs.numpy())


@st.composite
def with_inf_or_nan(draw):
    m, n = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    # + 5 I: well conditioned, so that no column is left with a tail of rounding noise, which
    # Eigen's and minitf's steps round differently (the op table's QR rows do the same)
    a = draw(hnp.arrays(np.float32, (m, n), elements=ELEMENTS)) + 5 * np.eye(m, n, dtype=np.float32)
    for _ in range(draw(st.integers(1, 3))):
        a[draw(st.integers(0, m - 1)), draw(st.integers(0, n - 1))] = draw(st.sampled_from([np.inf, -np.inf, np.nan]))
    return a


@settings(max_examples=60, deadline=None)
@given(a=with_inf_or_nan(), full=st.booleans())
def test_qr_of_matrices_holding_inf_or_nan_as_tf(tf, mtf, a, full):
    """NaN and inf in the same places as TF's (Eigen's reflections, ``_tf_compat.eigen_householder_qr``)."""
    for ours, theirs, name in zip(mtf.linalg.qr(a, full_matrices=full), tf.linalg.qr(a, full_matrices=full), "QR"):
        ours, theirs = ours.numpy(), theirs.numpy()
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{name}: NaN in other places")
        np.testing.assert_array_equal(np.isinf(ours), np.isinf(theirs), err_msg=f"{name}: inf in other places")
        finite = np.isfinite(theirs)
        np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-5, atol=1e-5, err_msg=name)
