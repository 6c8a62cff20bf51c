"""Lesson 00 (tensors): worked solutions of the checked exercises (python -m lessons check 00 --solutions)."""
import minitf as tf


def matmul_of(a, b):
    """[5, 300] @ [300, 5]: the inner dimensions must match, so the second one is transposed."""
    return tf.matmul(a, tf.transpose(b))


def min_max_along_axes(x):
    return [(tf.reduce_min(x, axis=axis), tf.reduce_max(x, axis=axis)) for axis in range(x.ndim)]


def squeeze_batch(x):
    return tf.squeeze(x, axis=0)  # axis=0: only the batch axis, even if another axis had length 1


def one_hot_of_largest(values):
    return tf.one_hot(tf.argmax(values), depth=10)
