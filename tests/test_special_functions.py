"""The special functions (``minitf/ops/special_functions.py``) against independent references and
the identities that define them: Python's ``math.lgamma`` and ``statistics.NormalDist`` (Wichura's
AS241 quantile), factorials, zeta(2) = pi^2/6, the recurrences. Gradients and TF parity: the rows
of ``tests/op_specs.py``.
"""
from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitf as tf

FINITE = st.floats(-30, 30, allow_nan=False, allow_subnormal=False)


def close(a, b, rtol=1e-13, atol=0.0):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=rtol, atol=atol)


@settings(max_examples=200, deadline=None)
@given(x=FINITE.filter(lambda v: not (v <= 0 and v == math.floor(v))))
def test_lgamma_is_pythons(x):
    close(tf.math.lgamma(np.float64(x)).numpy(), math.lgamma(x), rtol=1e-12, atol=1e-13)


def test_lgamma_at_the_integers_and_poles():
    close(tf.math.lgamma(np.arange(1.0, 21.0)).numpy(), [math.log(math.factorial(n - 1)) for n in range(1, 21)],
          atol=1e-13)
    assert np.all(tf.math.lgamma(np.array([0.0, -1.0, -7.0, np.inf, -np.inf])).numpy() == np.inf)


@settings(max_examples=100, deadline=None)
@given(x=st.floats(0.05, 30))
def test_digamma_recurrence_and_derivative_of_lgamma(x):
    psi = lambda v: float(tf.math.digamma(np.float64(v)).numpy())  # noqa: E731
    close(psi(x + 1), psi(x) + 1 / x, rtol=1e-12, atol=1e-13)
    h = 1e-5 * max(1.0, x)
    derivative = (math.lgamma(x + h) - math.lgamma(x - h)) / (2 * h)
    close(psi(x), derivative, rtol=1e-7, atol=1e-7)


def test_digamma_at_one_and_the_reflection():
    close(tf.math.digamma(np.float64(1.0)).numpy(), -0.5772156649015329)  # -Euler's gamma
    x = np.array([-2.7, -0.3, 0.3, 0.45])
    close(tf.math.digamma(1 - x).numpy() - tf.math.digamma(x).numpy(), np.pi / np.tan(np.pi * x), rtol=1e-12)
    assert np.isnan(tf.math.digamma(np.array([0.0, -3.0, -np.inf])).numpy()).all()


def test_zeta_and_polygamma_known_values_and_recurrences():
    close(tf.math.zeta(np.float64(2), np.float64(1)).numpy(), np.pi ** 2 / 6)
    close(tf.math.zeta(np.float64(4), np.float64(1)).numpy(), np.pi ** 4 / 90)
    close(tf.math.polygamma(np.float64(1), np.float64(1)).numpy(), np.pi ** 2 / 6)
    s, q = np.array([1.5, 2.0, 3.5, 7.0]), np.array([0.3, 1.7, 4.2, 25.0])
    close(tf.math.zeta(s, q).numpy() - tf.math.zeta(s, q + 1).numpy(), q ** -s, rtol=1e-12)
    for n in (1.0, 2.0, 3.0):
        x = np.array([0.4, 2.5, 9.0])
        step = tf.math.polygamma(np.full(3, n), x + 1).numpy() - tf.math.polygamma(np.full(3, n), x).numpy()
        close(step, (-1) ** n * math.factorial(int(n)) / x ** (n + 1), rtol=1e-11)
    # TF's (Eigen's) rules away from the domain
    assert np.isnan(tf.math.polygamma(np.array([0.5, -1.0]), np.array([2.0, 2.0])).numpy()).all()
    assert tf.math.zeta(np.float64(1), np.float64(3)).numpy() == np.inf
    assert np.isnan(tf.math.zeta(np.float64(0.5), np.float64(3)).numpy())
    assert tf.math.zeta(np.float64(2), np.float64(-1)).numpy() == np.inf  # an even s at a pole
    assert np.isnan(tf.math.zeta(np.float64(3), np.float64(-1)).numpy())


@settings(max_examples=200, deadline=None)
@given(p=st.floats(1e-300, 1 - 1e-16, exclude_max=True))
def test_ndtri_is_the_normal_quantile(p):
    if p >= 1:
        return
    close(tf.math.ndtri(np.float64(p)).numpy(), statistics.NormalDist().inv_cdf(p), rtol=1e-12, atol=1e-14)


def test_ndtri_and_erfinv_at_their_ends():
    assert list(tf.math.ndtri(np.array([0.0, 1.0])).numpy()) == [-np.inf, np.inf]
    assert np.isnan(tf.math.ndtri(np.array([-0.1, 1.1, np.nan])).numpy()).all()
    assert list(tf.math.erfinv(np.array([-1.0, 1.0])).numpy()) == [-np.inf, np.inf]
    assert np.isnan(tf.math.erfinv(np.array([-1.5, 1.5])).numpy()).all()


@settings(max_examples=200, deadline=None)
@given(x=st.floats(-5.5, 5.5))
def test_erfinv_inverts_erf(x):
    y = tf.math.erf(np.float64(x)).numpy()
    if abs(y) == 1:
        return
    # TF's route rounds (y + 1)/2 to float64 (an error ~1e-16), which erfinv magnifies by its
    # slope sqrt(pi)/2 e^(x^2) near +-1
    close(tf.math.erfinv(y).numpy(), x, rtol=1e-12, atol=4e-16 * math.exp(x * x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erfinv_rounds_x_plus_1_over_2_first_as_tf(dtype):
    """TF's erfinv is ndtri((x + 1)/2) / sqrt(2) with (x + 1)/2 rounded in x's dtype; minitf's too."""
    x = np.array([8.327937e-05, -0.0016272, 0.3, 0.999], dtype)
    p = (x * dtype(0.5) + dtype(0.5)).astype(np.float64)
    expected = np.array([statistics.NormalDist().inv_cdf(v) for v in p]) * math.sqrt(0.5)
    close(tf.math.erfinv(x).numpy(), expected.astype(dtype), rtol=2e-7 if dtype == np.float32 else 1e-13)


def test_lbeta_is_the_log_of_the_beta_function():
    x = np.array([[1.0, 2.0], [0.5, 0.5], [2.0, 3.0]])
    close(tf.math.lbeta(x).numpy(), [math.log(0.5), math.log(math.pi), math.log(1 / 12)], rtol=1e-12)
    assert tf.math.lbeta(np.zeros((2, 0))).numpy().tolist() == [-np.inf, -np.inf]  # TF's empty axis


def test_integer_and_half_inputs_get_tfs_errors():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.math.lgamma(np.array([1, 2], np.int32))
    with pytest.raises(tf.errors.NotFoundError, match="Erfinv"):
        tf.math.erfinv(np.array([0.5], np.float16))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Zeta"):
        tf.math.zeta(np.array([2.0], np.float16), np.array([1.0], np.float16))
    assert tf.math.lgamma(np.array([1.5], np.float16)).dtype.name == "float16"
