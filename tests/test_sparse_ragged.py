"""tf.sparse and tf.ragged basics (issue 18): building, converting, multiplying, gradients."""
import numpy as np
import pytest

import minitf as tf


def test_sparse_tensor_to_dense_and_back():
    sp = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])
    assert sp.indices.dtype == tf.int64 and sp.dense_shape.dtype == tf.int64 and sp.dtype == tf.int32
    assert tuple(sp.shape) == (3, 4)
    dense = tf.sparse.to_dense(sp).numpy()
    expected = np.zeros((3, 4), int)
    expected[0, 0], expected[1, 2] = 1, 2
    np.testing.assert_array_equal(dense, expected)
    np.testing.assert_array_equal(tf.sparse.to_dense(sp, default_value=-1).numpy(), np.where(expected, expected, -1))
    back = tf.sparse.from_dense(expected)
    assert back.indices.numpy().tolist() == [[0, 0], [1, 2]] and back.values.numpy().tolist() == [1, 2]
    assert "SparseTensor(indices=tf.Tensor(" in repr(sp)
    assert tf.SparseTensor is tf.sparse.SparseTensor


def test_sparse_dense_matmul_values_and_gradients():
    values = tf.Variable([3.0, 4.0])
    sp = tf.sparse.SparseTensor([[0, 1], [1, 0]], values, [2, 2])
    b = tf.Variable([[1.0, 2.0], [5.0, 6.0]])
    with tf.GradientTape() as tape:
        out = tf.sparse.sparse_dense_matmul(sp, b)
        loss = tf.reduce_sum(out)
    np.testing.assert_array_equal(out.numpy(), [[15.0, 18.0], [4.0, 8.0]])
    g_values, g_b = tape.gradient(loss, [values, b])
    np.testing.assert_array_equal(g_values.numpy(), [11.0, 3.0])  # row sums of b at the columns used
    np.testing.assert_array_equal(g_b.numpy(), [[4.0, 4.0], [3.0, 3.0]])


def test_sparse_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="indices must be \\[N, rank\\]"):
        tf.sparse.SparseTensor(indices=[[0, 0]], values=[1, 2], dense_shape=[3, 4])
    with pytest.raises(TypeError, match="expected a SparseTensor"):
        tf.sparse.to_dense(np.zeros(2))


def test_ragged_constant_basics():
    r = tf.ragged.constant([[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]])
    assert repr(r) == "<tf.RaggedTensor [[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]]>"
    assert tuple(r.shape) == (4, None) and r.dtype == tf.int32
    assert r.row_splits.numpy().tolist() == [0, 4, 6, 9, 10] and r.row_lengths().numpy().tolist() == [4, 2, 3, 1]
    assert r[1].numpy().tolist() == [4, 5] and r[-1].numpy().tolist() == [9]
    np.testing.assert_array_equal(r.to_tensor().numpy(), [[0, 1, 2, 3], [4, 5, 0, 0], [6, 7, 8, 0], [9, 0, 0, 0]])
    doubled = tf.ragged.map_flat_values(lambda v: v * 2, r)
    assert doubled.to_list() == [[0, 2, 4, 6], [8, 10], [12, 14, 16], [18]]
    assert tf.RaggedTensor.from_row_lengths([1, 2, 3], [2, 1]).to_list() == [[1, 2], [3]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="row_splits must start at 0"):
        tf.RaggedTensor.from_row_splits([1, 2, 3], [1, 3])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([[0, 1, 2, 3], [4, 5]])  # a ragged list is not a tensor, as in TF
