"""Lesson 04 (optimizers): your answers to the checked exercises.

Fill in the class and the function (delete the `raise NotImplementedError` lines), then run
    python -m lessons check 04
"""
import numpy as np

f32 = np.float32  # every number is float32, as in the lesson


class Adagrad:
    """Exercise 3: Keras's Adagrad, by hand, in float32 and in Keras's order of operations:
        accumulator <- accumulator + g * g        (the accumulator starts at 0.1, not 0)
        w           <- w - (lr * g) / sqrt(accumulator + epsilon)
    `step(w, g)` takes and returns float32 NumPy arrays, like the lesson's rules."""

    def __init__(self, lr, initial_accumulator_value=0.1, epsilon=1e-7):
        raise NotImplementedError  # TODO

    def step(self, w, g):
        raise NotImplementedError  # TODO


def himmelblau_gradient(w):
    """Exercise 7: the gradient of Himmelblau's function f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2
    at w = (x, y), derived by hand, as a NumPy array of shape (2,)."""
    raise NotImplementedError  # TODO
