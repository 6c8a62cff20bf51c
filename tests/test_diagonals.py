"""tf.linalg's diagonal ops against NumPy's own (np.tril, np.triu, np.diagonal, np.diag, np.trace), their
shape rules, and the errors TF raises for them (and for cross and bias_add); gradients and TF parity:
the op table (tests/op_specs.py)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from minitf.errors import FailedPreconditionError, InvalidArgumentError, UnimplementedError


@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_band_part_keeps_the_band_as_tril_and_triu_do(rows, cols, data):
    x = np.arange(2 * rows * cols, dtype=np.float32).reshape(2, rows, cols) + 1
    lower, upper = data.draw(st.integers(-1, rows)), data.draw(st.integers(-1, cols))
    want = x
    if lower >= 0:
        want = np.triu(want, -lower)
    if upper >= 0:
        want = np.tril(want, upper)
    np.testing.assert_array_equal(tf.linalg.band_part(x, lower, upper).numpy(), want)


@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_diag_part_set_diag_and_trace_are_numpy_s_diagonal(rows, cols, data):
    x = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols)
    k = data.draw(st.integers(-rows + 1, cols - 1))
    np.testing.assert_array_equal(tf.linalg.diag_part(x, k=k).numpy(), np.diagonal(x, k))
    assert tf.linalg.trace(x).numpy() == np.trace(x)
    d = -np.arange(1, len(np.diagonal(x, k)) + 1, dtype=np.float64)
    want = x.copy()
    want[np.diag_indices(len(d))[0] - min(k, 0), np.diag_indices(len(d))[1] + max(k, 0)] = d
    np.testing.assert_array_equal(tf.linalg.set_diag(x, d, k=k).numpy(), want)


@pytest.mark.parametrize("k", [-2, 0, 1])
def test_diag_is_numpy_s_diag_and_pads_as_asked(k):
    d = np.array([1.0, 2.0, 3.0], np.float32)
    np.testing.assert_array_equal(tf.linalg.diag(d, k=k).numpy(), np.diag(d, k))
    wide = tf.linalg.diag(d, k=k, num_rows=3 + max(-k, 0), num_cols=5 + max(k, 0), padding_value=7).numpy()
    assert wide.shape == (3 + max(-k, 0), 5 + max(k, 0))
    assert (np.diagonal(wide, k) == d).all() and (wide[wide != 0] != 7).sum() == 3


def test_diagonal_ops_refuse_what_tf_refuses():
    with pytest.raises(InvalidArgumentError, match="at least 2-D"):
        tf.linalg.diag_part(np.ones(3))
    with pytest.raises(InvalidArgumentError, match="outside a 2x3 matrix"):
        tf.linalg.diag_part(np.ones((2, 3)), k=3)
    with pytest.raises(InvalidArgumentError, match=r"needs a diagonal of shape \[2\]"):
        tf.linalg.set_diag(np.ones((2, 3)), np.ones(3))
    with pytest.raises(InvalidArgumentError, match="num_lower"):
        tf.linalg.band_part(np.ones((2, 3)), 3, 0)
    with pytest.raises(InvalidArgumentError, match="does not fit"):
        tf.linalg.diag(np.ones(3), num_rows=2, num_cols=2)
    with pytest.raises(UnimplementedError, match="one diagonal at a time"):
        tf.linalg.diag_part(np.ones((3, 3)), k=(-1, 1))
    with pytest.raises(FailedPreconditionError, match="vectors of 3"):
        tf.linalg.cross(np.ones((2, 4)), np.ones((2, 4)))
    with pytest.raises(InvalidArgumentError, match="as many biases"):
        tf.nn.bias_add(np.ones((2, 3), np.float32), np.ones(2, np.float32))
