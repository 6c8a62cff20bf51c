"""History: the callback ``fit`` always adds; ``fit`` returns it.

``history.history`` maps each logged name (``loss``, the metrics, ``val_*``, ``learning_rate``
when an LR callback runs) to its list of per-epoch values; ``history.epoch`` lists the epoch
numbers (0-based) and ``history.params`` the fit's ``{"verbose", "epochs", "steps"}``.
"""
from __future__ import annotations

from minitf.keras.callbacks.callback import Callback


class History(Callback):
    """Records each epoch's logs into ``self.history``."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self
