"""Segment reductions against TF on long segments (16 rows and more, where TF's sorted kernel takes
Eigen's order) and with signed zeros; short segments: the op table in test_ops_parity.py."""
import numpy as np
import pytest


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tail", [(), (3,), (8,), (20,), (2, 5)])
def test_long_segments_are_tfs_bits(tf, mtf, dtype, tail):
    rng = np.random.default_rng(len(tail))
    data = rng.normal(size=(60,) + tail).astype(dtype)
    data[rng.random(data.shape) < 0.05] = -0.0
    ids = np.sort(rng.integers(0, 4, 60))
    ids[5] = ids[4] = 0
    for name in ("segment_sum", "segment_prod", "segment_mean", "segment_max", "segment_min"):
        theirs, ours = getattr(tf.math, name)(data, ids).numpy(), getattr(mtf.math, name)(data, ids).numpy()
        assert ours.tobytes() == theirs.tobytes(), f"{name} {tail} {dtype.__name__}"
    for name in ("unsorted_segment_sum", "unsorted_segment_prod", "unsorted_segment_max", "unsorted_segment_min",
                 "unsorted_segment_mean", "unsorted_segment_sqrt_n"):
        shuffled = rng.permutation(ids) - (rng.random(60) < 0.1)
        theirs = getattr(tf.math, name)(data, shuffled, 5).numpy()
        ours = getattr(mtf.math, name)(data, shuffled, 5).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=f"{name} {tail} {dtype.__name__}")
