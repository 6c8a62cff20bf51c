"""tf.scan, tf.foldl, tf.foldr (running accumulations over slices), tf.searchsorted and the ordering
helpers: values against NumPy, gradients, errors (TF's outcomes: parity_tests/test_scan_fold_search_parity.py)."""
import numpy as np
import pytest

import minitf as tf
from minitf.testing import gradcheck

RNG = np.random.default_rng(4)


def test_scan_is_a_running_accumulation_with_its_gradient():
    x = RNG.normal(size=(5, 2))
    np.testing.assert_allclose(tf.scan(lambda a, v: a + v, tf.constant(x)).numpy(), np.cumsum(x, axis=0))
    np.testing.assert_allclose(tf.scan(lambda a, v: a + v, tf.constant(x), reverse=True).numpy(),
                               np.cumsum(x[::-1], axis=0)[::-1])
    gradcheck(lambda t: tf.scan(lambda a, v: a * v + 1.0, t, initializer=tf.constant(np.ones(2))), [x])
    with pytest.raises(ValueError, match="1\\+ dimensional"):
        tf.scan(lambda a, v: a + v, tf.constant(1.0))


def test_folds_keep_the_last_accumulator():
    x = tf.constant([1.0, 2.0, 3.0])
    assert float(tf.foldl(lambda a, v: a * 10 + v, x)) == 123.0
    assert float(tf.foldr(lambda a, v: a * 10 + v, x)) == 321.0
    assert float(tf.foldl(lambda a, v: a + v, x, initializer=tf.constant(0.5))) == 6.5
    with pytest.raises(ValueError, match="must not be empty"):
        tf.foldl(lambda a, v: a + v, tf.zeros((0,)))


def test_searchsorted_per_row():
    seq = np.sort(RNG.normal(size=(3, 6)), axis=1).astype("float32")
    vals = RNG.normal(size=(3, 4)).astype("float32")
    got = tf.searchsorted(seq, vals, side="right").numpy()
    np.testing.assert_array_equal(got, [np.searchsorted(s, v, side="right") for s, v in zip(seq, vals)])
    with pytest.raises(ValueError, match="side must be either"):
        tf.searchsorted(seq, vals, side="middle")
    with pytest.raises(tf.errors.InvalidArgumentError, match="same leading"):
        tf.searchsorted(seq, vals[:2])


def test_control_dependencies_group_and_no_op_keep_the_program_order():
    v = tf.Variable(1.0)

    @tf.function
    def step():
        update = v.assign_add(1.0)
        with tf.control_dependencies([update]):
            out = v * 2.0
        tf.group(update)
        tf.no_op()
        return out

    assert float(step()) == 4.0 and float(step()) == 6.0
