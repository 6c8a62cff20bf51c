"""LearningRateScheduler: set the optimizer's learning rate at the start of each epoch.

``schedule(epoch, lr) -> new_lr`` (epoch counted from 0; ``lr`` is the current rate as the
optimizer holds it, a float32 value). The rate is also logged as ``learning_rate`` at each
epoch end (so it appears in ``History``).
"""
from __future__ import annotations

import numpy as np

from minitf.keras.callbacks.callback import Callback


def read_learning_rate(optimizer) -> float:
    """The optimizer's learning rate as Keras reads it: a float32 value, as a Python float."""
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    lr = optimizer.learning_rate
    value = lr.numpy() if hasattr(lr, "numpy") else lr
    return float(np.float32(value))


class LearningRateScheduler(Callback):
    """Sets ``optimizer.learning_rate = schedule(epoch, lr)`` before each epoch."""

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            lr = self.schedule(epoch, read_learning_rate(optimizer))
        except TypeError:  # the old one-argument form: schedule(epoch)
            lr = self.schedule(epoch)
        if hasattr(lr, "numpy"):
            lr = lr.numpy()
        if isinstance(lr, np.ndarray) and lr.ndim == 0:
            lr = lr[()]
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = read_learning_rate(self.model.optimizer)
