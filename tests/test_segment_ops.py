"""Segment reductions (minitf/ops/segment_ops.py) against Python loops over the rows, their empty
segments, dropped ids and errors; gradients and small-case TF parity: the op table (tests/op_specs.py);
long segments against TF: parity_tests/test_segment_parity.py."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from minitf.errors import InvalidArgumentError

LOOPS = {"sum": (0.0, lambda a, b: a + b), "prod": (1.0, lambda a, b: a * b), "max": (None, np.maximum),
         "min": (None, np.minimum)}


def by_loop(data, ids, segments, reduction, empty):
    """Each segment's rows combined one after another, in order (float32 at every step)."""
    start, combine = LOOPS[reduction]
    out = []
    for s in range(segments):
        rows = [data[i] for i in range(len(ids)) if ids[i] == s]
        if not rows:
            out.append(np.full(data.shape[1:], empty, data.dtype))
            continue
        acc = rows[0] if start is None else np.full(data.shape[1:], start, data.dtype)
        for row in (rows[1:] if start is None else rows):
            acc = combine(acc, row).astype(data.dtype)
        out.append(acc)
    return np.stack(out) if out else np.zeros((0,) + data.shape[1:], data.dtype)


@given(st.lists(st.integers(-1, 4), min_size=1, max_size=12), st.sampled_from(["sum", "prod", "max", "min"]),
       st.integers(0, 2**32 - 1))
def test_unsorted_segments_reduce_their_rows_in_order(ids, reduction, seed):
    data = np.random.default_rng(seed).normal(size=(len(ids), 3)).astype(np.float32)
    lowest, highest = np.finfo(np.float32).min, np.finfo(np.float32).max
    empty = {"sum": 0, "prod": 1, "max": lowest, "min": highest}[reduction]
    got = getattr(tf.math, f"unsorted_segment_{reduction}")(data, ids, 6).numpy()
    np.testing.assert_array_equal(got, by_loop(data, ids, 6, reduction, empty))


@given(st.lists(st.integers(0, 2), min_size=1, max_size=15), st.sampled_from(["sum", "prod", "max", "min"]),
       st.integers(0, 2**32 - 1))
def test_sorted_segments_reduce_their_rows_in_order(steps, reduction, seed):
    ids = np.cumsum(steps) - steps[0]
    data = np.random.default_rng(seed).normal(size=(len(ids), 2)).astype(np.float32)
    got = getattr(tf.math, f"segment_{reduction}")(data, ids).numpy()
    np.testing.assert_array_equal(got, by_loop(data, ids, ids[-1] + 1, reduction, 0 if reduction != "prod" else 1))


def test_a_long_sorted_segment_adds_in_eigens_order_on_whole_packets():
    """16 rows or more: four accumulators over every fourth row on the columns of whole 8-lane packets
    (here the first 8 of 10), the rest one row after another."""
    data = np.random.default_rng(0).normal(size=(21, 10)).astype(np.float32) * 10.0 ** np.arange(-3, 7)
    acc = [np.zeros(10, np.float32) for _ in range(4)]
    for j in range(0, 20, 4):
        for k in range(4):
            acc[k] = acc[k] + data[j + k]
    eigen = ((acc[0] + acc[1]) + acc[2]) + acc[3] + data[20]
    in_turn = by_loop(data, [0] * 21, 1, "sum", 0)[0]
    got = tf.math.segment_sum(data, [0] * 21).numpy()[0]
    np.testing.assert_array_equal(got[:8], eigen[:8])
    np.testing.assert_array_equal(got[8:], in_turn[8:])
    np.testing.assert_array_equal(tf.math.unsorted_segment_sum(data, [0] * 21, 1).numpy()[0], in_turn)


def test_means_counts_and_signed_zeros():
    data = np.array([[1.0], [2.0], [-0.0], [4.0]], np.float32)
    np.testing.assert_array_equal(tf.math.segment_mean(data, [0, 0, 2, 3]).numpy()[:, 0], [1.5, 0.0, -0.0, 4.0])
    assert np.signbit(tf.math.segment_sum(data, [0, 0, 2, 3]).numpy()[2, 0])  # a one-row segment is its row
    assert not np.signbit(tf.math.unsorted_segment_sum(data, [0, 0, 2, 3], 4).numpy()[2, 0])  # 0 + -0.0
    np.testing.assert_allclose(tf.math.unsorted_segment_sqrt_n(data, [0, 0, -1, 1], 3).numpy()[:, 0],
                               [3 / np.sqrt(2), 4.0, 0.0])
    ints = tf.math.segment_mean(tf.constant([1, 2, 4, -3, -4]), [0, 0, 1, 2, 2])
    assert ints.dtype == tf.int32 and ints.numpy().tolist() == [1, 4, -3]  # C++'s truncating division


def test_segment_ids_are_checked_as_tf_checks_them():
    data = np.ones((3, 2), np.float32)
    with pytest.raises(InvalidArgumentError, match="not increasing"):
        tf.math.segment_sum(data, [0, 2, 1])
    with pytest.raises(InvalidArgumentError, match=r"segment_ids\[1\] = 5 is out of range \[0, 3\)"):
        tf.math.unsorted_segment_sum(data, [0, 5, 1], 3)
    with pytest.raises(InvalidArgumentError, match="prefix"):
        tf.math.unsorted_segment_sum(data, [0, 1], 3)


def test_a_nan_row_holds_a_max_or_min_only_until_the_next_row():
    """TF's kernels replace the running value by each row unless it is smaller (max) or larger (min), which
    NaN never is (TF 2.21: segment_max([2, nan, 1]) is 1, of [1, nan] nan)."""
    nan = np.nan
    for rows, want in (([2.0, nan, 1.0], 1.0), ([1.0, nan], nan), ([nan, 3.0, nan], nan), ([nan, 1.0], 1.0)):
        data = np.array(rows, np.float32)
        np.testing.assert_array_equal(tf.math.segment_max(data, [0] * len(data)).numpy(), [want])
        np.testing.assert_array_equal(tf.math.unsorted_segment_min(data, [0] * len(data), 1).numpy(), [want])
    np.testing.assert_allclose(tf.math.cumulative_logsumexp([np.nan, 1.0, 2.0]).numpy(),
                               [-np.inf, 1.0, 2.0 + np.log1p(np.exp(-1.0))], rtol=1e-6)
