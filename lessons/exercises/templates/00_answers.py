"""Lesson 00 (tensors): your answers to the checked exercises.

Fill in each function (delete the `raise NotImplementedError` line), then run
    python -m lessons check 00
The same code runs under TensorFlow: change the import to `import tensorflow as tf`.
"""
import minitf as tf


def matmul_of(a, b):
    """Exercise 2: `a` and `b` both have shape [5, 300]. Return their matrix product of shape
    [5, 5], with `tf.matmul` and a transpose (which of the two must you transpose?)."""
    raise NotImplementedError  # TODO


def min_max_along_axes(x):
    """Exercise 3: for a tensor `x` of shape [224, 224, 3], return a list with one pair
    (minimum, maximum) per axis, each reduced along that axis: [(min over axis 0, max over axis 0),
    (min over axis 1, ...), (min over axis 2, ...)]."""
    raise NotImplementedError  # TODO


def squeeze_batch(x):
    """Exercise 4: turn a tensor of shape [1, 224, 224, 3] into one of shape [224, 224, 3]."""
    raise NotImplementedError  # TODO


def one_hot_of_largest(values):
    """Exercise 5: for a 1-D tensor of 10 values, return the one-hot encoding (depth 10) of the
    index of its largest value."""
    raise NotImplementedError  # TODO
