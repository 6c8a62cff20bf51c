"""The nan-safe products and quotients against TF at their exceptions (zeros, nan, inf), values and
both gradients; away from them the op table (tests/op_specs.py) checks them as every other op."""
import itertools

import numpy as np
import pytest

SPECIAL = [0.0, -0.0, 1.0, -2.0, 0.5, np.nan, np.inf, -np.inf]
PAIRS = np.array(list(itertools.product(SPECIAL, SPECIAL)), np.float32)


@pytest.mark.parametrize("name", ["xlogy", "xlog1py", "xdivy", "divide_no_nan", "multiply_no_nan"])
def test_nan_safe_ops_and_gradients_at_their_exceptions_are_tf_s(tf, mtf, name):
    results = []
    for framework in (tf, mtf):
        x, y = framework.constant(PAIRS[:, 0]), framework.constant(PAIRS[:, 1])
        with framework.GradientTape(persistent=True) as tape:
            tape.watch(x)
            tape.watch(y)
            z = getattr(framework.math, name)(x, y)
        results.append([z.numpy()] + [g.numpy() for g in tape.gradient(z, [x, y])])
    for what, theirs, ours in zip(("value", "dz/dx", "dz/dy"), *results):  # (rtol: an ulp of log1p, Eigen's)
        np.testing.assert_allclose(ours, theirs, rtol=2.5e-7, atol=0, err_msg=f"{name} {what} at {PAIRS.tolist()}")


def test_reciprocal_no_nan_and_rint_are_tf_s(tf, mtf):
    x = np.array(SPECIAL + [2.5, -1.5, 0.49999997], np.float32)
    for name in ("reciprocal_no_nan", "rint"):
        ours, theirs = getattr(mtf.math, name)(x).numpy(), getattr(tf.math, name)(x).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=name)
