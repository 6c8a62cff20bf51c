"""What is running now, kept per thread: the tapes that record and the graph being traced.

TF keeps its recording stack per thread, so a tape only sees the ops of the thread that
opened it, and two threads can differentiate at the same time. Every op asks ``state``:

- ``state.tapes``: the GradientTapes recording in this thread, outermost first;
- ``state.graph``: the graph that ``minitf.function`` is tracing in this thread, or None
  (then ops run eagerly, on arrays).
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator


class _ThreadState(threading.local):
    def __init__(self):
        self.tapes: list = []
        self.graph = None
        self.run_eagerly = False  # tf.config.run_functions_eagerly(True): no tracing at all


state = _ThreadState()


@contextlib.contextmanager
def init_scope() -> Iterator[None]:
    """Leave any trace and any tape for a moment (TF's ``init_scope``).

    Variables are created here: their initial values are computed eagerly, once, even when
    the code that creates them is being traced (a layer built on its first traced call).
    """
    saved = state.graph, state.tapes
    state.graph, state.tapes = None, []
    try:
        yield
    finally:
        state.graph, state.tapes = saved


def executing_eagerly() -> bool:
    """True unless this thread is tracing a function (``tf.executing_eagerly``)."""
    return state.graph is None
