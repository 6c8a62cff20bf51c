"""Callback: hooks that ``fit``/``evaluate``/``predict`` call at each stage of training.

Subclass and override what you need; ``self.model`` is the model being trained and
``self.params`` holds ``{"verbose", "epochs", "steps"}``. Setting ``self.model.stop_training
= True`` ends ``fit`` after the current batch. ``logs`` are dicts of Python floats: the running
means of the loss and metrics over the epoch so far (batch hooks), or the epoch's values plus
``val_*`` (``on_epoch_end``).

Order of calls in ``fit``::

    on_train_begin
      for each epoch:  on_epoch_begin
        for each batch:  on_train_batch_begin -> (step) -> on_train_batch_end
        validation:      on_test_begin, on_test_batch_begin/end ..., on_test_end
      on_epoch_end
    on_train_end
"""
from __future__ import annotations

from typing import Any


class Callback:
    """Base class: every hook does nothing."""

    def __init__(self):
        self.params: dict | None = None
        self._model = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self._model = model

    @property
    def model(self) -> Any:
        return self._model

    # Keras's train-batch hooks call the older batch hooks, so overriding either works.
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """A legacy alias of ``on_train_batch_begin``."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """A legacy alias of ``on_train_batch_end``."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """At the start of an epoch (training mode only)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """At the end of an epoch; ``logs`` has the epoch's loss and metrics, and ``val_*`` after validation."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Before each batch of ``evaluate`` (and of validation in ``fit``)."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """After each batch of ``evaluate``; ``logs`` has the running loss and metrics."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Before each batch of ``predict``."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """After each batch of ``predict``; ``logs["outputs"]`` holds the batch's predictions."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        """At the start of ``fit``."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """At the end of ``fit`` (``logs``: the last epoch's)."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """At the start of ``evaluate`` (or of validation)."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """At the end of ``evaluate``; ``logs`` has its results."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """At the start of ``predict``."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """At the end of ``predict``."""
