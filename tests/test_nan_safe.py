"""The exceptions of the nan-safe products and quotients (minitf/ops/nan_safe.py), their gradients
there, and erfc's tail. The gradchecks in tests/op_specs.py draw away from the exceptions, where
finite differences apply; TF's own values at them: parity_tests/test_nan_safe_parity.py."""
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf

nan, inf = np.nan, np.inf


def values_and_gradients(fn, x, y):
    x, y = tf.constant(np.array(x, np.float32)), tf.constant(np.array(y, np.float32))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        tape.watch(y)
        z = fn(x, y)
    dx, dy = tape.gradient(z, [x, y])
    return z.numpy().tolist(), dx.numpy().tolist(), dy.numpy().tolist()


def test_xlogy_is_zero_where_x_is_zero_and_so_is_its_gradient():
    """0 * log 0 = 0 and 0 * log nan = 0: an entropy term of a zero probability adds nothing, nor
    to the gradient (dz/dx = log y only where x != 0); 1 * log 0 is -inf, as log 0."""
    z, dx, dy = values_and_gradients(tf.math.xlogy, [0.0, 0.0, 1.0, 2.0], [0.0, nan, 0.0, math.e])
    assert z[:3] == [0.0, 0.0, -inf] and math.isclose(z[3], 2.0, rel_tol=1e-6)
    assert dx[:3] == [0.0, 0.0, -inf] and math.isclose(dx[3], 1.0, rel_tol=1e-6)
    assert dy[0] == 0.0 and dy[2] == inf and math.isclose(dy[3], 2 / math.e, rel_tol=1e-6)


def test_xlog1py_and_xdivy_are_zero_where_x_is_zero():
    z, dx, dy = values_and_gradients(tf.math.xlog1py, [0.0, 1.0], [-1.0, 0.0])
    assert z == [0.0, 0.0] and dx == [0.0, 0.0] and dy == [0.0, 1.0]
    z, dx, dy = values_and_gradients(tf.math.xdivy, [0.0, 1.0], [0.0, 0.0])
    assert z == [0.0, inf] and dx == [0.0, inf] and dy == [0.0, -inf]


def test_divide_and_multiply_no_nan_are_zero_where_y_is_zero():
    """x / 0 and nan / 0 are 0, and so are both partial derivatives there; x * 0 is 0 even for
    x = inf or nan, while nan * y (y != 0) stays nan."""
    z, dx, dy = values_and_gradients(tf.math.divide_no_nan, [1.0, nan, 1.0], [0.0, 0.0, 2.0])
    assert z == [0.0, 0.0, 0.5] and dx == [0.0, 0.0, 0.5] and dy == [0.0, 0.0, -0.25]
    z, dx, dy = values_and_gradients(tf.math.multiply_no_nan, [inf, nan, 3.0], [0.0, 0.0, 2.0])
    assert z == [0.0, 0.0, 6.0] and dx == [0.0, 0.0, 2.0] and dy[2] == 3.0
    assert np.isnan(tf.math.multiply_no_nan(0.0, nan).numpy())
    assert tf.math.reciprocal_no_nan([0.0, 4.0]).numpy().tolist() == [0.0, 0.25]


def test_divide_no_nan_divides_integers_as_floats():
    out = tf.math.divide_no_nan(tf.constant([3, 1]), tf.constant([2, 0]))
    assert out.dtype == tf.float64 and out.numpy().tolist() == [1.5, 0.0]


@given(st.floats(-6, 27))
def test_erfc_keeps_its_tail_where_one_minus_erf_would_cancel(x):
    """Within 1e-13 relative of Python's math.erfc in float64, out to erfc(27) ~ 5e-319 (1 - erf(x) is
    0 from x ~ 6 on)."""
    got = float(tf.math.erfc(tf.constant(x, tf.float64)).numpy())
    want = math.erfc(x)
    assert math.isclose(got, want, rel_tol=1e-13, abs_tol=1e-320), (x, got, want)
