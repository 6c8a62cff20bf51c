"""LambdaCallback: a callback made of plain functions, ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``."""
from __future__ import annotations

from minitf.keras.callbacks.callback import Callback


class LambdaCallback(Callback):
    """Each given function replaces the hook of the same name (any hook, via keyword arguments)."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        for name, fn in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_train_begin", on_train_begin), ("on_train_end", on_train_end),
                         ("on_train_batch_begin", on_train_batch_begin), ("on_train_batch_end", on_train_batch_end)):
            if fn is not None:
                setattr(self, name, fn)
