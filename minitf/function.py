"""``minitf.function``: accepted so that TF code decorated with ``@tf.function`` runs.

TF traces the Python function into a graph and runs that; minitf has no graph
compiler and runs the function eagerly, op by op, exactly as written.
"""
from __future__ import annotations

import functools
from typing import Any, Callable


def function(func: Callable | None = None, input_signature=None, autograph: bool = True,
             jit_compile: Any = None, reduce_retracing: bool = False, **kwargs) -> Callable:
    """Return ``func`` unchanged in behaviour (usable as ``@function`` or ``@function(...)``)."""
    if func is None:
        return lambda f: function(f)

    @functools.wraps(func)
    def eager(*args, **kw):
        return func(*args, **kw)

    eager.python_function = func
    return eager
