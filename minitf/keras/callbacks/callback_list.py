"""CallbackList: calls a list of callbacks, hook by hook, and adds History and the progress bar.

Every hook hands its callbacks the same fresh dict of logs, keys sorted and values as Python
floats (Keras's ``pythonify_logs``): that is why ``History.history`` lists ``accuracy`` before
``loss``, and why a callback that adds a key (``learning_rate``) is seen by the ones after it.

To keep a training step cheap, the per-batch hooks are dispatched only to the callbacks that
actually override them (``History`` does not, nor does the progress bar when ``verbose=0``),
and ``needs_batch_logs`` tells the trainer whether it must assemble the running logs after
every batch at all.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.callbacks.callback import Callback
from minitf.keras.callbacks.history import History
from minitf.keras.callbacks.progbar_logger import ProgbarLogger

_BATCH_HOOKS = {
    "on_train_batch_begin": ("on_train_batch_begin", "on_batch_begin"),
    "on_train_batch_end": ("on_train_batch_end", "on_batch_end"),
    "on_test_batch_begin": ("on_test_batch_begin",),
    "on_test_batch_end": ("on_test_batch_end",),
    "on_predict_batch_begin": ("on_predict_batch_begin",),
    "on_predict_batch_end": ("on_predict_batch_end",),
}


def pythonify_logs(logs: dict | None) -> dict:
    """Logs as callbacks see them (Keras's ``pythonify_logs``): keys sorted, values Python floats."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result


def overrides(callback: Callback, hook: str) -> bool:
    """True if ``callback`` does something in ``hook`` (its class or the instance redefines it)."""
    for name in _BATCH_HOOKS.get(hook, (hook,)):
        if name in vars(callback) or getattr(type(callback), name) is not getattr(Callback, name):
            return True
    return False


class CallbackList(Callback):
    """A container calling each hook on every callback, in order."""

    def __init__(self, callbacks: Any = None, add_history: bool = False, add_progbar: bool = False,
                 model: Any = None, **params):
        super().__init__()
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            callbacks = [callbacks]
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be keras.callbacks.Callback instances, got {cb!r}")
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        if model is not None:
            self.set_model(model)
        self.set_params(params)

    def set_params(self, params: dict) -> None:
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)
        self._refresh()

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def _refresh(self) -> None:
        """Which callbacks each batch hook must reach."""
        self._batch_targets = {hook: [cb for cb in self.callbacks if overrides(cb, hook)] for hook in _BATCH_HOOKS}

    def needs_batch_logs(self, hook: str) -> bool:
        return bool(self._batch_targets[hook])

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)
        self._refresh()

    # ---- batch hooks: only the callbacks that override them ----
    def on_train_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self._batch_targets["on_train_batch_begin"]:
            cb.on_train_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self._batch_targets["on_train_batch_end"]:
            cb.on_train_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self._batch_targets["on_test_batch_begin"]:
            cb.on_test_batch_begin(batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self._batch_targets["on_test_batch_end"]:
            cb.on_test_batch_end(batch, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self._batch_targets["on_predict_batch_begin"]:
            cb.on_predict_batch_begin(batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        for cb in self._batch_targets["on_predict_batch_end"]:
            cb.on_predict_batch_end(batch, logs=logs)

    # ---- the other hooks ----
    def on_epoch_begin(self, epoch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_test_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_predict_begin(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def __iter__(self):
        return iter(self.callbacks)
