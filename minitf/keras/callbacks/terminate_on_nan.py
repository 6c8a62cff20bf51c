"""TerminateOnNaN: stop training as soon as the loss becomes NaN or infinite.

Checked after every batch (the running loss of the epoch, which turns NaN with the first bad
batch); the message says at which epoch and batch it happened. Unlike Keras, which applies the
bad batch's update first, minitf skips it (``model.skip_nonfinite_updates`` while the callback
watches), so the model keeps the weights it had before that batch instead of NaN ones.
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

    def on_train_begin(self, logs=None):
        self.model.skip_nonfinite_updates = True

    def on_train_end(self, logs=None):
        self.model.skip_nonfinite_updates = False

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            where = f"epoch {self._epoch + 1}, batch {batch}"
            if self.raise_error:
                self.model.skip_nonfinite_updates = False  # fit ends by the exception: no on_train_end
                raise RuntimeError(f"NaN or Inf loss encountered at {where}. Loss value: {loss}. "
                                   "Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training (at {where}; loss = {loss}; "
                  "the weights are those from before this batch)")
            self.model.stop_training = True
