"""``minitf.profiler``, as ``tf.profiler``: accepted, but minitf has no profiler.

``tf.profiler.experimental.start(logdir)`` / ``stop()`` and the ``Profile`` / ``Trace`` context
managers are accepted so that code written for TF runs; they record nothing and write no profile
(TensorBoard's Profile tab stays empty), and ``start`` says so once with a warning. To see where
minitf spends its time, use Python's ``cProfile`` or ``time.process_time`` around the calls.
"""
from __future__ import annotations

import contextlib
import warnings

__all__ = ["experimental"]

_active: list[str] = []


class experimental:  # noqa: N801 (TF's namespace)
    @staticmethod
    def start(logdir: str, options=None) -> None:
        if _active:  # TF: "Another profiler is running."
            from minitf.errors import AlreadyExistsError
            raise AlreadyExistsError("Another profiler is running.")
        warnings.warn("tf.profiler: minitf has no profiler; nothing is recorded or written to "
                      f"{logdir!r} (use cProfile to time minitf code)", stacklevel=2)
        _active.append(str(logdir))

    @staticmethod
    def stop(save: bool = True) -> None:
        if not _active:
            from minitf.errors import UnavailableError
            raise UnavailableError("Cannot export profiling results. No profiler is running.")
        _active.pop()

    @staticmethod
    @contextlib.contextmanager
    def Profile(logdir: str, options=None):  # noqa: N802 (TF's name)
        experimental.start(logdir, options)
        try:
            yield
        finally:
            experimental.stop()

    class Trace:  # noqa: D106
        """``with tf.profiler.experimental.Trace("step", step_num=1):`` accepted (records nothing)."""

        def __init__(self, name: str, **kwargs):
            self.name = name

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    ProfilerOptions = dict
