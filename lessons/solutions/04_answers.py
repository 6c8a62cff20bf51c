"""Lesson 04: worked solutions of the checked exercises (python -m lessons check 04 --solutions)."""
import numpy as np

f32 = np.float32


class Adagrad:
    """Keras's update_step (keras/src/optimizers/adagrad.py), in its order."""

    def __init__(self, lr, initial_accumulator_value=0.1, epsilon=1e-7):
        self.lr, self.initial, self.eps = f32(lr), f32(initial_accumulator_value), f32(epsilon)
        self.accumulator = None

    def step(self, w, g):
        if self.accumulator is None:
            self.accumulator = np.full_like(w, self.initial)
        self.accumulator = self.accumulator + g * g
        return w - (self.lr * g) / np.sqrt(self.accumulator + self.eps)


def himmelblau_gradient(w):
    """With a = x^2 + y - 11 and b = x + y^2 - 7: df/dx = 4 a x + 2 b, df/dy = 2 a + 4 b y."""
    x, y = w
    a, b = x * x + y - 11, x + y * y - 7
    return np.array([4 * a * x + 2 * b, 2 * a + 4 * b * y])
