"""tf.TensorArray under TF and minitf: the same values, errors and gradients, eagerly and traced."""
import numpy as np

from parity_tests.harness import frameworks


def outcome(fn):
    try:
        value = fn()
    except Exception as e:  # the error's class name and message are what must match
        return type(e).__name__, str(e).strip()
    return "value", np.asarray(value.numpy() if hasattr(value, "numpy") else value).tolist()


def eager_cases(tf):
    ta = tf.TensorArray(tf.float32, size=3)
    ta.write(0, [1.0, 2.0])
    cleared = tf.TensorArray(tf.float32, size=2).unstack([5.0, 6.0])
    cases = [
        lambda: ta.size(), lambda: ta.stack(), lambda: ta.read(1), lambda: ta.write(5, [3.0, 4.0]),
        lambda: ta.write(1, [3.0, 4.0, 5.0]), lambda: ta.read(7), lambda: ta.read(-1), lambda: ta.write(-2, [1.0, 1.0]),
        lambda: tf.TensorArray(tf.float32, size=2).stack(),
        lambda: tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(3, 1.0).stack(),
        lambda: tf.TensorArray(tf.float32, size=2, element_shape=[2]).stack(),
        lambda: tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0, 3.0]).gather([2, 0]),
        lambda: tf.TensorArray(tf.float32, size=3).unstack([[1.0, 2.0], [3, 4], [5, 6]]).concat(),
        lambda: tf.TensorArray(tf.float32, size=3).scatter([2, 0], [[1.0, 2.0], [3, 4]]).stack(),
        lambda: tf.TensorArray(tf.int32, size=0, dynamic_size=True).scatter([4, 1], [7, 8]).stack(),
        lambda: tf.TensorArray(tf.float32, size=2).unstack([1.0, 2.0, 3.0]),
        lambda: tf.TensorArray(tf.int32, size=1).write(0, 1.5),
        lambda: tf.TensorArray(tf.float32, size=1).write(0, 1).stack(),
        lambda: tf.TensorArray(tf.float32, size=2).split([1.0, 2.0, 3.0, 4.0], [2, 2]).stack(),
        lambda: cleared.read(0), lambda: cleared.stack(), lambda: cleared.read(0),
    ]
    return [outcome(c) for c in cases]


def test_eager_values_and_errors_match_tf():
    tf, mtf = frameworks()
    assert eager_cases(tf) == eager_cases(mtf)


def traced_and_gradients(tf):
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        ta = ta.write(1, x * x).write(0, x * 2)
        stacked = ta.stack()
        y = tf.reduce_sum(stacked * [[1.0], [3.0]]) + tf.reduce_sum(ta.read(1))
    eager_grad = tape.gradient(y, x)

    @tf.function
    def rnn(inputs, state):
        inputs = tf.transpose(inputs, [1, 0, 2])
        states = tf.TensorArray(tf.float32, size=inputs.shape[0])
        for i in tf.range(inputs.shape[0]):
            state = inputs[i] + state
            states = states.write(i, state)
        return tf.transpose(states.stack(), [1, 0, 2])

    v = tf.Variable(2.0)

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            s = x
            for i in tf.range(3):
                s = s * v
                ta = ta.write(i, s)
            y = tf.reduce_sum(ta.stack()) + tf.reduce_sum(ta.gather([2, 0]))
        return y, tape.gradient(y, v), ta.size(), ta.read(2)

    @tf.function
    def until(x):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        while ta.size() < 3:
            ta = ta.write(ta.size(), x)
        return ta.concat()

    @tf.function
    def sized(n, x):
        ta = tf.TensorArray(tf.float32, size=n)
        for i in tf.range(n):
            ta = ta.write(i, x * tf.cast(i, tf.float32))
        return ta.stack(), ta.size()

    inputs = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    sizes = [[t.numpy().tolist() for t in sized(tf.constant(n), tf.constant([1.0, 2.0]))] for n in (4, 2)]
    return [stacked.numpy().tolist(), eager_grad.numpy().tolist(),
            rnn(tf.constant(inputs), tf.zeros([2, 4])).numpy().tolist(),
            [np.asarray(t.numpy()).tolist() for t in grad(tf.constant(1.5))],
            until(tf.constant([1.0, 2.0])).numpy().tolist(), sizes]


def test_traced_loops_and_gradients_match_tf():
    tf, mtf = frameworks()
    assert traced_and_gradients(tf) == traced_and_gradients(mtf)
