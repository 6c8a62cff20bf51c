"""TerminateOnNaN: stop training as soon as the loss becomes NaN or infinite.

Checked after every batch, on the batch logs' ``loss`` (the running loss of the epoch, which
turns NaN with the first bad batch). As in Keras, the callback only stops training: that
batch's update has already been applied, so the weights may be NaN afterwards (keep a
``ModelCheckpoint`` or ``EarlyStopping(restore_best_weights=True)`` to get good ones back).
It changes nothing in how the trainer steps. ``raise_error=True`` raises RuntimeError instead of
stopping gracefully (then no ``on_train_end`` runs). The messages are Keras's, plus the epoch.
"""
from __future__ import annotations

import numpy as np

from minitf.keras.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stop (``raise_error=False``) or raise RuntimeError (``raise_error=True``) on a NaN/inf loss."""

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch} (epoch {self._epoch + 1}). "
                                   f"Loss value: {loss}. Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training (epoch {self._epoch + 1}, loss {loss})")
            self.model.stop_training = True
