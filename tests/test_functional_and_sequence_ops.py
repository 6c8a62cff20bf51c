"""tf.map_fn, tf.sequence_mask, tf.unique and tf.ensure_shape: values against NumPy written here,
gradients, traced use and errors (TF's values and error classes: parity_tests/test_sequence_and_map_ops_parity.py)."""
import numpy as np
import pytest

import minitf as tf
from minitf.testing import gradcheck

RNG = np.random.default_rng(2)


def test_map_fn_applies_fn_to_each_slice_and_its_gradient_flows():
    x = RNG.normal(size=(4, 3))
    got = tf.map_fn(lambda r: r * tf.reduce_max(r), tf.constant(x)).numpy()
    np.testing.assert_allclose(got, x * x.max(axis=1, keepdims=True))
    gradcheck(lambda t: tf.map_fn(lambda r: r * tf.reduce_max(r), t), [np.where(np.abs(x) < 0.1, 1.0, x)])
    pairs = tf.map_fn(lambda p: (p[0] * 2, p[1] + 1), (tf.constant([1.0, 2.0]), tf.constant([3, 4])))
    assert pairs[0].numpy().tolist() == [2.0, 4.0] and pairs[1].numpy().tolist() == [4, 5]
    assert tf.map_fn(lambda p: p[0] > p[1], (tf.constant([1.0, 5.0]), tf.constant([2.0, 3.0])),
                     fn_output_signature=tf.bool).numpy().tolist() == [False, True]


def test_map_fn_in_a_traced_function():
    @tf.function
    def f(x):
        return tf.map_fn(lambda r: tf.reduce_sum(r * r), x)

    x = RNG.normal(size=(5, 2)).astype("float32")
    np.testing.assert_allclose(f(tf.constant(x)).numpy(), (x * x).sum(axis=1), rtol=1e-6)


def test_map_fn_errors_and_no_slices():
    with pytest.raises(ValueError, match="1\\+ dimensional"):
        tf.map_fn(lambda r: r, tf.constant(1.0))
    with pytest.raises(ValueError, match="same nested structure"):
        tf.map_fn(lambda p: p[0] + p[1], (tf.constant([1.0]), tf.constant([2.0])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="fn_output_signature"):
        tf.map_fn(lambda r: tf.reduce_sum(r) > 0, tf.constant([[1.0]]))
    with pytest.raises(ValueError, match="same size along axis 0"):
        tf.map_fn(lambda p: p[0], (tf.zeros((2,)), tf.zeros((3,))), fn_output_signature=tf.float32)
    assert tf.map_fn(lambda r: r, tf.zeros((0, 3))).shape == (0,)
    assert tf.map_fn(lambda r: r, tf.zeros((0, 3)), fn_output_signature=tf.TensorSpec((3,), tf.float32)).shape == (0, 3)


def test_sequence_mask():
    lengths = np.array([[1, 3], [0, 2]])
    np.testing.assert_array_equal(tf.sequence_mask(lengths, maxlen=4).numpy(), np.arange(4) < lengths[..., None])
    assert tf.sequence_mask([2, 0]).numpy().tolist() == [[True, True], [False, False]]
    assert tf.sequence_mask([1], 2, dtype=tf.float32).numpy().tolist() == [[1.0, 0.0]]
    with pytest.raises(ValueError, match="`maxlen` must be scalar"):
        tf.sequence_mask([1, 2], maxlen=[2, 3])


def test_unique_keeps_the_order_of_first_appearance():
    y, idx = tf.unique(tf.constant([4, 1, 4, 7, 1]))
    assert y.numpy().tolist() == [4, 1, 7] and idx.numpy().tolist() == [0, 1, 0, 2, 1] and idx.dtype == tf.int32
    result = tf.unique(["b", "a", "b"], out_idx=tf.int64)
    assert [s.decode() for s in result.y.numpy().tolist()] == ["b", "a"] and result.idx.dtype == tf.int64
    np.testing.assert_array_equal(y.numpy()[idx.numpy()], [4, 1, 4, 7, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="1D vector"):
        tf.unique([[1, 2]])


def test_ensure_shape_checks_and_passes_the_tensor_through():
    x = tf.ones((2, 3))
    assert tf.ensure_shape(x, [None, 3]).shape == (2, 3)
    assert tf.ensure_shape(x, tf.TensorShape([2, None])).shape == (2, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[2, 3\] is not compatible with expected shape \[2, 4\]"):
        tf.ensure_shape(x, [2, 4])
    gradcheck(lambda t: tf.ensure_shape(t * t, [3]), [RNG.normal(size=3)])
