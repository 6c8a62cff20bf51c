"""``keras.utils.PyDataset`` (formerly ``Sequence``): a dataset you write as a Python class.

    class Batches(tf.keras.utils.PyDataset):
        def __len__(self):            return number_of_batches
        def __getitem__(self, index): return x_batch, y_batch       # batch number `index`
        def on_epoch_end(self):       ...                           # e.g. reshuffle

``fit`` / ``evaluate`` / ``predict`` read batches 0, 1, ..., len - 1 in order every epoch and
call ``on_epoch_end()`` after each epoch, as Keras does. ``ImageDataGenerator.flow_from_directory``
returns one. ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are accepted for Keras's
signature; minitf always reads the batches in the calling thread, one after the other.
"""
from __future__ import annotations

import itertools
from typing import Any, Iterator


class PyDataset:
    """Base class of Python-defined datasets of batches (see the module docstring)."""

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index: int) -> Any:
        """Batch number ``index``: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``."""
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index), returning one batch")

    @property
    def num_batches(self) -> int | None:
        """The number of batches (``len(self)``); None would mean an endless dataset."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ (or the num_batches property)")

    def __iter__(self) -> Iterator[Any]:
        count = self.num_batches
        for index in (range(count) if count is not None else itertools.count()):
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called before each epoch."""

    def on_epoch_end(self) -> None:
        """Called after each epoch (e.g. to reshuffle)."""


Sequence = PyDataset  # Keras 2's name


def is_py_dataset(x: Any) -> bool:
    """A PyDataset, or an object written like one (``__getitem__``, ``__len__`` and ``on_epoch_end``)."""
    if isinstance(x, PyDataset):
        return True
    kind = type(x)
    return (hasattr(kind, "__getitem__") and hasattr(kind, "__len__") and hasattr(kind, "on_epoch_end")
            and not isinstance(x, (list, tuple, dict, str, bytes)))
