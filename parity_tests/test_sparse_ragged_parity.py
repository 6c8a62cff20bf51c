"""tf.sparse and tf.ragged basics: the same code under TF and minitf."""
import numpy as np

from parity_tests.harness import assert_close, frameworks


def both(fn):
    tf, mtf = frameworks()
    return fn(tf), fn(mtf)


def test_sparse_like_tf():
    def run(tf):
        sp = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])
        back = tf.sparse.from_dense([[0, 3], [4, 0]])
        values = tf.Variable([3.0, 4.0])
        b = tf.Variable([[1.0, 2.0], [5.0, 6.0]])
        with tf.GradientTape() as tape:
            out = tf.sparse.sparse_dense_matmul(tf.sparse.SparseTensor([[0, 1], [1, 0]], values, [2, 2]), b)
            loss = tf.reduce_sum(out * [[1.0, 2.0], [3.0, 4.0]])
        grads = tape.gradient(loss, [values, b])
        return [str(sp), tuple(sp.shape), sp.dtype.name, tf.sparse.to_dense(sp).numpy().tolist(),
                tf.sparse.to_dense(sp, default_value=-1).numpy().tolist(), back.indices.numpy().tolist(),
                back.values.numpy().tolist(), out.numpy().tolist(), [g.numpy().tolist() for g in grads]]
    theirs, ours = both(run)
    assert theirs == ours


def test_ragged_like_tf():
    def run(tf):
        r = tf.ragged.constant([[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]])
        return [repr(r), str(r), tuple(r.shape), r.dtype.name, r.row_splits.numpy().tolist(), r[1].numpy().tolist(),
                r.to_tensor().numpy().tolist(), r.to_list(), tf.ragged.map_flat_values(lambda v: v * 2, r).to_list(),
                tf.RaggedTensor.from_row_lengths([1, 2, 3], [2, 1]).to_list()]
    theirs, ours = both(run)
    assert theirs == ours
