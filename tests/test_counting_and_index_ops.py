"""Counting (minitf/ops/counting.py), rearranging by index (minitf/ops/index_ops.py) and the truncating
division against NumPy's own; TF's values: parity_tests/test_ops_parity.py."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitf as tf
from minitf.errors import InternalError, InvalidArgumentError


@given(hnp.arrays(np.int32, st.integers(0, 20), elements=st.integers(0, 9)), st.integers(0, 12))
def test_bincount_is_numpys(values, minlength):
    got = tf.math.bincount(values, minlength=minlength).numpy()
    np.testing.assert_array_equal(got, np.bincount(values, minlength=minlength))
    assert got.dtype == np.int32


def test_bincount_weights_bounds_rows_and_errors():
    np.testing.assert_array_equal(tf.math.bincount([1, 1, 3], weights=[0.5, 1.0, 2.0]).numpy(), [0, 1.5, 0, 2])
    np.testing.assert_array_equal(tf.math.bincount([1, 1, 3], maxlength=2).numpy(), [0, 2])
    np.testing.assert_array_equal(tf.math.bincount([[1, 2], [0, 0]], axis=-1).numpy(), [[0, 1, 1], [2, 0, 0]])
    with pytest.raises(InvalidArgumentError, match="non-negative"):
        tf.math.bincount([-1, 2])


def test_histogram_and_unique_with_counts_are_numpys():
    values = np.array([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0])
    np.testing.assert_array_equal(tf.histogram_fixed_width(values, [0.0, 5.0], nbins=5).numpy(),
                                  np.histogram(np.clip(values, 0, 4.999), bins=5, range=(0, 5))[0])
    y, idx, count = tf.unique_with_counts([1, 1, 2, 4, 4, 4, 7, 8, 8])
    assert y.numpy().tolist() == [1, 2, 4, 7, 8] and count.numpy().tolist() == [2, 1, 3, 1, 2]
    assert (y.numpy()[idx.numpy()] == [1, 1, 2, 4, 4, 4, 7, 8, 8]).all()


def test_in_top_k_counts_ties_at_the_boundary_in():
    predictions = np.array([[0.1, 0.5, 0.5], [0.3, 0.3, 0.1], [np.nan, 1.0, 2.0]], np.float32)
    assert tf.math.in_top_k([2, 0, 0], predictions, 1).numpy().tolist() == [True, True, False]


@given(hnp.arrays(np.int32, st.integers(0, 12), elements=st.integers(-20, 20)),
       hnp.arrays(np.int32, st.integers(0, 12), elements=st.integers(-7, 7).filter(bool)))
def test_truncating_division_is_cs(x, y):
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    np.testing.assert_array_equal(tf.truncatediv(x, y).numpy(), np.trunc(x / y).astype(np.int32))
    np.testing.assert_array_equal(tf.truncatemod(x, y).numpy(), np.fmod(x, y))
    with pytest.raises(InternalError, match="division by zero"):
        tf.truncatediv([1], [0])


def test_index_rearrangements_are_numpys():
    np.testing.assert_array_equal(tf.unravel_index([5, 7], [3, 4]).numpy(), np.unravel_index([5, 7], (3, 4)))
    np.testing.assert_array_equal(tf.math.invert_permutation([2, 0, 1]).numpy(), np.argsort([2, 0, 1]))
    parts = tf.dynamic_partition(np.arange(10, 60, 10), [0, 1, 0, 1, 1], 2)
    assert [p.numpy().tolist() for p in parts] == [[10, 30], [20, 40, 50]]
    stitched = tf.dynamic_stitch([[0, 2], [1, 3, 2]], [[10, 30], [20, 40, 99]])  # the later write wins
    assert stitched.numpy().tolist() == [10, 20, 99, 40]
    x = np.arange(12).reshape(3, 4)
    want = x.copy()
    for b, n in enumerate([2, 0, 4]):
        want[b, :n] = x[b, :n][::-1]
    np.testing.assert_array_equal(tf.reverse_sequence(x, [2, 0, 4], seq_axis=1, batch_axis=0).numpy(), want)
    with pytest.raises(InvalidArgumentError, match="permutation"):
        tf.math.invert_permutation([0, 0])
