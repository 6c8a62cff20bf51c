"""``@tf.custom_gradient``: a function whose gradient you write yourself, and ``tf.UnconnectedGradients``.

    @tf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf.clip_by_norm(dy, 0.5)
        return y, backward

The decorated function runs as usual (tapes record its ops, as TF's do); its outputs are then
passed through one more op, ``CustomGradient``, whose gradient is ``backward(*dys)`` (and
nothing flows back through the function's own ops, since the outputs the caller gets are that
op's): one
gradient per tensor input (a tuple for several). When ``backward`` takes a ``variables`` keyword,
the Variables the function read get gradients too: ``backward(*dys, variables=[...])`` returns
``(input_grads, variable_grads)``, as in TF. ``backward`` is written in minitf ops, so an outer
tape records it and second derivatives go through it.
"""
from __future__ import annotations

import enum
import functools
import inspect
from typing import Callable

from minitf import nest
from minitf._context import state
from minitf.ops import creation as C
from minitf.ops.op import Op
from minitf.tensor import Tensor, Variable, convert_to_tensor

__all__ = ["custom_gradient", "UnconnectedGradients"]


class UnconnectedGradients(enum.Enum):
    """What ``tape.gradient`` gives a source the target does not depend on: None, or zeros."""

    NONE = "none"
    ZERO = "zero"


class CustomGradient(Op):
    """The outputs of a ``@custom_gradient`` function (identity); gradient: the user's function.
    Inputs: the function's tensor inputs, then the variables it read, then its outputs, then (in a
    traced function) the tensors the gradient function's graph captured.

    Eagerly ``grad_fn`` is the user's Python function. In a traced function it is traced too, into
    ``grad_graph`` (the dys as its placeholders, then its captures): the graph is data (it is saved
    with the function, TF's ``experimental_custom_gradients``) and a later call of the function under
    a tape runs it on that call's values, not on the trace's."""

    view = True

    def forward(*arrays, n_inputs, n_variables, grad_fn, takes_variables, variable_objects, n_outputs=None,
                grad_graph=None):
        outputs = arrays[n_inputs + n_variables:][:n_outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def backward(ctx, *dys):
        dys = dys[0] if len(dys) == 1 and isinstance(dys[0], tuple) else dys
        dys = tuple(C.zeros_like(y) if dy is None else dy for dy, y in zip(dys, ctx.outputs))  # TF: zeros
        variables = list(ctx.inputs[ctx.n_inputs: ctx.n_inputs + ctx.n_variables])
        n_outputs = len(ctx.outputs) if ctx.attrs.get("n_outputs") is None else ctx.n_outputs
        grad_graph = ctx.attrs.get("grad_graph")
        if grad_graph is not None:
            from minitf.graph import inline
            captured = list(ctx.inputs[ctx.n_inputs + ctx.n_variables + n_outputs:])
            input_grads = inline(grad_graph, grad_graph.outputs, list(dys) + captured)
            if len(input_grads) != ctx.n_inputs:
                raise ValueError(f"custom_gradient: the gradient function returned {len(input_grads)} gradients "
                                 f"for {ctx.n_inputs} tensor inputs")
            return tuple(input_grads) + (None,) * (len(ctx.inputs) - ctx.n_inputs)
        if ctx.takes_variables:
            input_grads, variable_grads = ctx.grad_fn(*dys, variables=ctx.attrs["variable_objects"])
        else:
            input_grads, variable_grads = ctx.grad_fn(*dys), []
        input_grads = list(input_grads) if isinstance(input_grads, (list, tuple)) else [input_grads]
        if len(input_grads) != ctx.n_inputs:
            raise ValueError(f"custom_gradient: the gradient function returned {len(input_grads)} gradients for "
                             f"{ctx.n_inputs} tensor inputs")
        variable_grads = list(variable_grads or [])
        if len(variable_grads) != len(variables):
            raise ValueError(f"custom_gradient: the gradient function returned {len(variable_grads)} variable "
                             f"gradients for {len(variables)} variables read")
        n_outputs = len(ctx.inputs) - ctx.n_inputs - ctx.n_variables
        return tuple(input_grads) + tuple(variable_grads) + (None,) * n_outputs


def custom_gradient(f: Callable | None = None) -> Callable:
    """Decorator: ``f(*x)`` returns ``(y, grad_fn)``; the tape differentiates y with ``grad_fn``."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        inputs = [a if isinstance(a, Tensor) else convert_to_tensor(a) for a in args]
        read: list[Variable] = []
        saved = state.tapes
        if saved:  # the inner ops are recorded too (an outer tape differentiates grad_fn through them)
            state.tapes = saved + [_VariableWatcher(read, inputs)]
        try:
            result, grad_fn = f(*inputs, **kwargs)
        finally:
            state.tapes = saved
        takes_variables = "variables" in inspect.signature(grad_fn).parameters
        if read and not takes_variables:
            raise TypeError(f"custom_gradient: {getattr(f, '__name__', 'the function')} reads the variables "
                            f"{[v.name for v in read]}, so its gradient function must take a `variables` "
                            "keyword argument (and return the variables' gradients too)")
        flat = [convert_to_tensor(r) for r in nest.flatten(result)]
        if not flat or (not state.tapes and state.graph is None):
            return result
        grad_graph, captured = _traced_gradient(grad_fn, flat) if state.graph is not None and not takes_variables \
            else (None, [])
        outputs = CustomGradient.apply(*inputs, *read, *flat, *captured, n_inputs=len(inputs), n_variables=len(read),
                                       grad_fn=None if grad_graph is not None else grad_fn,
                                       takes_variables=takes_variables, variable_objects=list(read),
                                       n_outputs=len(flat), grad_graph=grad_graph)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        return nest.pack_sequence_as(result, list(outputs))

    return decorated


def _traced_gradient(grad_fn: Callable, outputs: list) -> tuple:
    """``grad_fn`` traced into a graph nested in the one being built (a placeholder per dy, shaped as the
    outputs), and the outer tensors it captured; (None, []) when it cannot be traced (the Python
    function is then kept: it runs on the trace's tensors)."""
    from minitf.ops.control_flow import _trace_branch
    try:
        graph, _, grads, _ = _trace_branch(lambda *dys: grad_fn(*dys), "custom_gradient", list(outputs))
    except Exception:  # noqa: BLE001 (a gradient that returns None for an input, or Python-only code)
        return None, []
    graph.outputs = grads
    return graph, [outer for outer, _ in graph.captures]


class _VariableWatcher:
    """Stands in for the tapes while a custom-gradient function runs: notes the Variables it reads."""

    def __init__(self, found: list, exclude: list):
        self._found = found
        self._exclude = exclude  # the function's own inputs (TF: variables passed in are inputs)

    def _tracks_any(self, inputs) -> bool:
        for x in inputs:
            if (isinstance(x, Variable) and x.trainable and all(x is not v for v in self._found)
                    and all(x is not i for i in self._exclude)):
                self._found.append(x)
        return False

    def _record(self, ctx) -> None:  # never called: _tracks_any is always False
        pass

    def __getattr__(self, name):  # anything else a tape is asked (watching state) answers "nothing"
        return lambda *a, **k: False
