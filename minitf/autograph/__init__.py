"""``tf.autograph``: Python ``if``/``while``/``for`` on tensors become ``tf.cond``/``tf.while_loop``.

Inside ``@tf.function``, the function runs on symbolic tensors (see ``minitf/function.py``), and
``if x > 0:`` cannot ask a symbolic tensor for its value. TF's answer is AutoGraph: before
tracing, it rewrites the function's *source* so that each ``if``, loop, ``and``/``or``/``not``
and call becomes a call that decides when it runs:

    @tf.function                              def f(x):
    def f(x):                                     def get_state(): ...
        if x > 0:                                 def set_state(vars_): ...
            y = x * 2            ->               def if_body(): ... y = x * 2
        else:                                     def else_body(): ... y = -x
            y = -x                                y = ag__.Undefined('y')
        return y                                  ag__.if_stmt(x > 0, if_body, else_body, get_state,
                                                               set_state, ('y',), 1)
                                                  return y

``ag__.if_stmt`` runs Python's ``if`` when the condition is a Python value, and builds a
``tf.cond`` when it is a tensor: the same graph as a hand-written ``tf.cond``. See it for any
function with ``print(tf.autograph.to_code(f))``.

Reading order for the curious:
1. ``conversion.py``: source -> syntax tree -> converters -> a new function; which functions.
2. ``converters/``: the rewrites, one per file, in the order they run: ``breaks.py``,
   ``continues.py``, ``returns.py`` (jumps become flags), ``directives.py``, ``calls.py``,
   ``control_flow.py`` (the heart: if/while/for), ``conditional_expressions.py``, ``logical.py``.
   ``analysis.py`` finds which variables each statement modifies and which are read later.
3. ``operators/``: what the rewritten code calls (``ag__``): ``conditionals.py``, ``loops.py``,
   ``logical.py``, ``variables.py``, ``py_builtins.py``, and the checks with TF's messages.

``@tf.function(autograph=False)`` turns it off: then a Python ``if`` on a symbolic tensor is
refused with an error that says what to write instead.
"""
from minitf.autograph.conversion import (ConversionError, do_not_convert, get_verbosity, set_verbosity, to_code,
                                         to_graph)


def trace(*args) -> None:
    """``tf.autograph.trace``: print while tracing (Python's print, named for what it is for)."""
    print(*args)


class experimental:  # noqa: N801 (TF's namespace: tf.autograph.experimental)
    """``tf.autograph.experimental``."""

    do_not_convert = staticmethod(do_not_convert)

    @staticmethod
    def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                         shape_invariants=None) -> None:
        """A directive read when the loop is converted (see ``converters/directives.py``); calling it
        does nothing (as in TF)."""


__all__ = ["to_code", "to_graph", "do_not_convert", "set_verbosity", "get_verbosity", "trace", "experimental",
           "ConversionError"]
