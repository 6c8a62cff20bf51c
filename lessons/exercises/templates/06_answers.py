"""Lesson 06 (regression): your answers to the checked exercises.

Fill in each function (delete the `raise NotImplementedError` line), then run
    python -m lessons check 06
"""
import numpy as np


def first_sgd_step(w, b, x, y, learning_rate):
    """Exercise 5: model_1 is y_hat = w x + b, trained with the MAE loss and SGD. Return the pair
    (w, b) after ONE step on the batch (x, y) (NumPy arrays of shape (n,)), from the gradient of the
    mean absolute error derived in section 2."""
    raise NotImplementedError  # TODO


def min_max_scale(train, test):
    """Exercise 7: min-max scale the columns of `train` and `test` (2-D NumPy arrays) to [0, 1] the way
    section 6 does: (x - min) / (max - min), with min and max taken from the TRAINING rows only.
    Return (train_scaled, test_scaled)."""
    raise NotImplementedError  # TODO
