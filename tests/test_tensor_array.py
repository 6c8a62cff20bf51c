"""tf.TensorArray: eager and traced writes and reads, growth, TF's errors, gradients, AutoGraph loops."""
import numpy as np
import pytest

import minitf as tf


def test_eager_write_read_stack_share_storage():
    ta = tf.TensorArray(tf.float32, size=3)
    returned = ta.write(0, [1.0, 2.0])
    assert returned is not ta and ta.size().numpy() == 3 and ta.size().dtype == tf.int32
    assert tuple(ta.element_shape) == (2,)  # learned from the first write (infer_shape)
    # eagerly the write changed `ta` too (TF's eager arrays share their storage)
    assert ta.stack().numpy().tolist() == [[1.0, 2.0], [0.0, 0.0], [0.0, 0.0]]
    assert ta.read(1).numpy().tolist() == [0.0, 0.0]  # never written: zeros
    assert tf.TensorArray(tf.float32, size=2, element_shape=[2]).stack().numpy().tolist() == [[0, 0], [0, 0]]
    assert tf.TensorArray(tf.float32, size=1).write(0, 1).stack().dtype == tf.float32  # an int converts


def test_unstack_gather_scatter_concat_split():
    ta = tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0, 3.0])
    assert ta.gather([2, 0]).numpy().tolist() == [3.0, 1.0]
    rows = tf.TensorArray(tf.float32, size=3).unstack([[1.0, 2.0], [3, 4], [5, 6]])
    assert rows.concat().numpy().tolist() == [1, 2, 3, 4, 5, 6]
    scattered = tf.TensorArray(tf.float32, size=3).scatter([2, 0], [[1.0, 2.0], [3, 4]])
    assert scattered.stack().numpy().tolist() == [[3, 4], [0, 0], [1, 2]]
    grown = tf.TensorArray(tf.int32, size=0, dynamic_size=True).scatter([4], [7])
    assert grown.stack().numpy().tolist() == [0, 0, 0, 0, 7]
    pieces = tf.TensorArray(tf.float32, size=2).split([1.0, 2.0, 3.0, 4.0], [2, 2])
    assert pieces.read(1).numpy().tolist() == [3.0, 4.0]


def test_dynamic_size_grows():
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    ta = ta.write(3, 1.0)
    assert ta.stack().numpy().tolist() == [0.0, 0.0, 0.0, 1.0] and int(ta.size()) == 4


def test_errors_are_tfs():
    ta = tf.TensorArray(tf.float32, size=3)
    ta.write(0, [1.0, 2.0])
    with pytest.raises(tf.errors.OutOfRangeError, match="Tried to write to index 5 but array is not resizeable"):
        ta.write(5, [3.0, 4.0])
    with pytest.raises(ValueError, match=r"Incompatible shape for value \(\(3,\)\), expected \(\(2,\)\)"):
        ta.write(1, [3.0, 4.0, 5.0])
    with pytest.raises(tf.errors.OutOfRangeError, match="Tried to read from index 7 but array size is: 3"):
        ta.read(7)
    with pytest.raises(tf.errors.OutOfRangeError, match="negative indices"):
        ta.read(-1)
    with pytest.raises(ValueError, match="partially known TensorShape"):
        tf.TensorArray(tf.float32, size=2).stack()
    with pytest.raises(ValueError, match="Cannot unstack 3 tensors into a TensorArray of static size 2"):
        tf.TensorArray(tf.float32, size=2).unstack([1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorArray dtype is int32 but Op is trying to write "
                                                             "dtype float32"):
        tf.TensorArray(tf.int32, size=1).write(0, 1.5)
    with pytest.raises(ValueError, match="Size must be provided"):
        tf.TensorArray(tf.float32)


def test_eager_read_clears_the_element():
    ta = tf.TensorArray(tf.float32, size=2, element_shape=[]).unstack([5.0, 6.0])
    assert ta.read(0).numpy() == 5.0
    assert ta.stack().numpy().tolist() == [0.0, 6.0]  # TF's clear_after_read (the default)
    unknown = tf.TensorArray(tf.float32, size=2).unstack([5.0, 6.0])  # an eager unstack learns no element shape
    unknown.read(1)
    with pytest.raises(ValueError, match="partially known TensorShape"):  # so the cleared element has none
        unknown.stack()
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not read index 0 twice"):
        ta.read(0)
    kept = tf.TensorArray(tf.float32, size=2, clear_after_read=False).unstack([5.0, 6.0])
    assert kept.read(0).numpy() == 5.0 and kept.read(0).numpy() == 5.0


def test_gradients_flow_through_writes_and_reads():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        ta = ta.write(0, x * 2).write(1, x * x)
        y = tf.reduce_sum(ta.stack() * [[1.0], [3.0]]) + tf.reduce_sum(ta.read(1))
    # d/dx (2x + 3x^2 + x^2) = 2 + 8x
    assert tape.gradient(y, x).numpy().tolist() == [10.0, 18.0]


def test_in_traced_loops():
    @tf.function
    def rows(x):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        for i in tf.range(3):
            ta = ta.write(i, x * tf.cast(i, tf.float32))
        return ta.stack(), ta.size(), ta.read(1)
    stacked, size, second = rows(tf.constant([1.0, 2.0]))
    assert stacked.numpy().tolist() == [[0, 0], [1, 2], [2, 4]] and int(size) == 3
    assert second.numpy().tolist() == [1.0, 2.0]

    @tf.function
    def overwrite(x):  # a traced array (TF's TensorList) may be written twice
        ta = tf.TensorArray(tf.float32, size=2)
        ta = ta.write(0, x)
        ta = ta.write(0, x + 1)
        return ta.stack()
    assert overwrite(tf.constant(1.0)).numpy().tolist() == [2.0, 0.0]

    v = tf.Variable(2.0)

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            ta = tf.TensorArray(tf.float32, size=3)
            s = x
            for i in tf.range(3):
                s = s * v
                ta = ta.write(i, s)
            y = tf.reduce_sum(ta.stack())
        return y, tape.gradient(y, v)
    y, dv = grad(tf.constant(1.5))
    # y = 1.5 (v + v^2 + v^3); dy/dv = 1.5 (1 + 2v + 3v^2) at v = 2
    assert float(y) == 21.0 and float(dv) == 25.5

    @tf.function
    def until(x):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        while ta.size() < 3:
            ta = ta.write(ta.size(), x)
        return ta.concat()
    assert until(tf.constant([1.0, 2.0])).numpy().tolist() == [1, 2, 1, 2, 1, 2]


def test_while_loop_with_a_tensor_array_and_static_shape():
    def body(i, ta):
        return i + 1, ta.write(i, tf.cast(i, tf.float32) * np.float32(2))

    @tf.function
    def run():
        _, ta = tf.while_loop(lambda i, ta: i < 4, body, (tf.constant(0), tf.TensorArray(tf.float32, size=4)))
        return ta.stack()
    out = run()
    assert out.shape == (4,) and out.numpy().tolist() == [0, 2, 4, 6]
    _, eager = tf.while_loop(lambda i, ta: i < 2, body, (tf.constant(0), tf.TensorArray(tf.float32, size=2)))
    assert eager.stack().numpy().tolist() == [0, 2]


def test_size_given_as_a_tensor_in_a_trace():
    @tf.function
    def squares(n, x):
        ta = tf.TensorArray(tf.float32, size=n)
        for i in tf.range(n):
            ta = ta.write(i, x * tf.cast(i * i, tf.float32))
        return ta.stack(), ta.size()
    stacked, size = squares(tf.constant(4), tf.constant([1.0, 2.0]))
    assert stacked.numpy().tolist() == [[0, 0], [1, 2], [4, 8], [9, 18]] and int(size) == 4
    stacked, size = squares(tf.constant(2), tf.constant([1.0, 2.0]))  # the same trace, another size
    assert stacked.numpy().tolist() == [[0, 0], [1, 2]] and int(size) == 2
