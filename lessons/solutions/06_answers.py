"""Lesson 06: worked solutions of the checked exercises (python -m lessons check 06 --solutions)."""
import numpy as np


def first_sgd_step(w, b, x, y, learning_rate):
    """dL/dw = mean(sign(y_hat - y) x), dL/db = mean(sign(y_hat - y)); one step against them."""
    signs = np.sign(w * x + b - y)
    return w - learning_rate * np.mean(signs * x), b - learning_rate * np.mean(signs)


def min_max_scale(train, test):
    low, high = train.min(axis=0), train.max(axis=0)  # the test rows must stay unseen, even here
    return (train - low) / (high - low), (test - low) / (high - low)
