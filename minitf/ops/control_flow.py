"""``tf.cond`` and ``tf.while_loop``: branches and loops that a traced function keeps.

Eagerly they are plain Python: ``cond`` calls one branch, ``while_loop`` loops. While a
function is traced, a Python ``if`` on a symbolic tensor cannot work (the value is not known
until the function runs), so these two trace their branches (or the loop's condition and body)
as small graphs of their own, and become one op of the outer graph that, when it runs, picks
the branch (or repeats the body) on the actual values.

Gradients: through ``cond`` both eagerly and traced (the gradient is a ``cond`` too, of the
branches' gradients); through ``while_loop`` eagerly (the tape records every iteration). A
traced ``while_loop`` has no gradient in minitf: unroll it with a Python loop over a fixed
count, or run it eagerly.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from minitf import nest
from minitf._context import state
from minitf.errors import InvalidArgumentError, UnimplementedError
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor


def _symbolic(t) -> bool:
    return getattr(t, "_graph", None) is not None


def _trace_branch(fn: Callable, name: str, args: list | None = None, arg_specs: list | None = None):
    """Trace ``fn`` (called with placeholders for ``args``) into a graph nested in the current one.

    Returns (graph, structured outputs, flat output tensors, placeholders).
    """
    from minitf.graph import FuncGraph, GraphTensor
    outer = state.graph
    graph = FuncGraph(f"{outer.name}/{name}", outer=outer)
    placeholders = []
    for i, t in enumerate(args or []):
        shape = arg_specs[i] if arg_specs else t.shape
        example = t._example if isinstance(t, GraphTensor) else t._value
        placeholders.append(graph.placeholder(shape, t._value.dtype, example, name=f"{name}_arg{i}"))
    saved_graph, saved_tapes = state.graph, state.tapes
    state.graph, state.tapes = graph, []
    try:
        result = fn(*placeholders) if args is not None else fn()
        flat = [] if result is None else [graph._resolve(convert_to_tensor(v)) if v is not None else None
                                          for v in nest.flatten(result)]
    finally:
        state.graph, state.tapes = saved_graph, saved_tapes
    if any(v is None for v in flat):
        raise ValueError(f"{name}: a branch of a traced tf.cond/tf.while_loop returned None; return tensors")
    return graph, result, flat, placeholders


class If(Op):
    """Runs the true or the false branch's graph, chosen by ``pred`` when the op runs.

    Inputs: pred, the tensors each branch captured from outside, then the variables the branches
    read (for the tape: the branches read them themselves when they run). Attributes: the compiled
    branches, the branch graphs (for the gradient), and the branches' example outputs and merged
    static shapes (for the trace). Gradient: a ``cond`` of the two branches' gradients, each
    computed by running its branch again under a tape.
    """

    stateful = True  # a branch may assign, print or draw: never dropped, run only by the replay
    may_assign_variables = True
    static_shapes_from_rule = True

    def forward(pred, *captured, branches, n_true, n_caps, variables, graphs, examples, static_shapes):
        true_fn, false_fn = branches
        return true_fn(*captured[:n_true]) if bool(pred) else false_fn(*captured[n_true:n_caps])

    def trace_forward(pred, *captured, branches, n_true, n_caps, variables, graphs, examples, static_shapes):
        return examples

    def shape(*shapes, branches, n_true, n_caps, variables, graphs, examples, static_shapes):
        return static_shapes

    def backward(ctx, dys):
        from minitf.graph import inline
        true_graph, false_graph = ctx.graphs
        n_true, n_caps = ctx.n_true, len(true_graph.captures) + len(false_graph.captures)
        pred, captured, reads = ctx.inputs[0], ctx.inputs[1:1 + n_caps], ctx.inputs[1 + n_caps:]
        variables = ctx.variables
        dys = dys if isinstance(dys, tuple) else (dys,)

        def branch_gradient(graph, inputs, offset):
            def run():  # the branch once more, under a tape: d(outputs)/d(captures and variables)
                from minitf.autodiff import GradientTape
                sources = list(inputs) + list(variables)
                with GradientTape() as tape:
                    tape.watch(sources)
                    outs = inline(graph, graph.outputs, list(inputs))
                grads = tape.gradient(outs, sources, output_gradients=list(dys))
                result = [_zeros_like(t) for t in list(captured) + list(reads)]
                for i, g in enumerate(grads):
                    if g is not None:
                        result[offset + i if i < len(inputs) else n_caps + i - len(inputs)] = g
                return result
            return run

        grads = cond(pred, branch_gradient(true_graph, captured[:n_true], 0),
                     branch_gradient(false_graph, captured[n_true:], n_true))
        inputs = list(captured) + list(reads)
        return (None,) + tuple(g if inputs[i]._value.dtype.kind == "f" else None for i, g in enumerate(grads))


def _zeros_like(t: Tensor) -> Tensor:
    from minitf.ops.creation import zeros_like
    return zeros_like(t)


def cond(pred, true_fn: Callable | None = None, false_fn: Callable | None = None, name: str | None = None):
    """``true_fn()`` if ``pred`` else ``false_fn()``; traced, both branches are traced and one runs."""
    if true_fn is None or false_fn is None:
        raise TypeError("cond: both true_fn and false_fn must be given (callables of no arguments)")
    if not _symbolic(pred):
        pred = convert_to_tensor(pred) if not isinstance(pred, (bool, np.bool_)) else pred
        if isinstance(pred, Tensor) and (pred.ndim or pred._value.dtype != np.bool_):
            raise InvalidArgumentError(f"cond: pred must be a scalar bool, got {pred.dtype.name} {list(pred.shape)}",
                                       "If")
        return true_fn() if bool(pred) else false_fn()
    pred = convert_to_tensor(pred)
    if pred.ndim or pred._value.dtype != np.bool_:
        raise InvalidArgumentError(f"cond: pred must be a scalar bool, got {pred.dtype.name} {list(pred.shape)}", "If")
    true_graph, true_result, true_flat, _ = _trace_branch(true_fn, "cond_true")
    false_graph, false_result, false_flat, _ = _trace_branch(false_fn, "cond_false")
    if nest.structure_key(true_result) != nest.structure_key(false_result) or len(true_flat) != len(false_flat):
        raise ValueError(f"cond: true_fn and false_fn must return the same structure, got {true_result!r} and "
                         f"{false_result!r}")
    for a, b in zip(true_flat, false_flat):
        if a._value.dtype != b._value.dtype:
            raise TypeError(f"cond: the branches return different dtypes: {a.dtype.name} and {b.dtype.name}")
    true_graph.outputs, false_graph.outputs = true_flat, false_flat
    branches = (true_graph.compile(true_flat), false_graph.compile(false_flat))
    captured = [outer for outer, _ in true_graph.captures] + [outer for outer, _ in false_graph.captures]
    # The variables the branches read are inputs too (read here, their values unused: the branch reads
    # them itself when it runs), so that a tape sees that the result depends on them.
    variables = list({id(v): v for g in (true_graph, false_graph) for v in g.variables}.values())
    examples = tuple(t._example for t in true_flat)
    out = If.apply(pred, *captured, *variables, branches=branches, n_true=len(true_graph.captures),
                   n_caps=len(captured), variables=tuple(variables),
                   graphs=(true_graph, false_graph), examples=examples,
                   static_shapes=[_merge_shapes(a.shape, b.shape) for a, b in zip(true_flat, false_flat)])
    return None if true_result is None else nest.pack_sequence_as(true_result, list(out))


def _merge_shapes(a, b) -> tuple:
    if len(a) != len(b):
        return (None,) * len(a)
    return tuple(x if x == y else None for x, y in zip(a, b))


class While(Op):
    """Repeats the body's graph while the condition's graph says so, on the actual values."""

    stateful = True
    may_assign_variables = True
    static_shapes_from_rule = True

    def forward(*inputs, cond_fn, body_fn, n_vars, n_cond, maximum_iterations, static_shapes, graphs):
        values = list(inputs[:n_vars])
        cond_caps, body_caps = inputs[n_vars:n_vars + n_cond], inputs[n_vars + n_cond:]
        count = 0
        while (maximum_iterations is None or count < maximum_iterations) and bool(cond_fn(*values, *cond_caps)[0]):
            values = list(body_fn(*values, *body_caps))
            count += 1
        return tuple(values)

    def trace_forward(*inputs, cond_fn, body_fn, n_vars, n_cond, maximum_iterations, static_shapes, graphs):
        return tuple(inputs[:n_vars])

    def shape(*shapes, cond_fn, body_fn, n_vars, n_cond, maximum_iterations, static_shapes, graphs):
        return static_shapes

    def backward(ctx, dys):
        raise UnimplementedError(
            "While: gradients through a tf.while_loop inside a traced function are not implemented in minitf. "
            "Unroll the loop (a Python for over a fixed count) or run the function eagerly.", "While")


def while_loop(cond: Callable, body: Callable, loop_vars, shape_invariants=None, parallel_iterations: int = 10,
               back_prop: bool = True, swap_memory: bool = False, maximum_iterations=None, name: str | None = None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true; returns the final loop_vars."""
    flat = [convert_to_tensor(v) for v in nest.flatten(loop_vars)]
    structure = loop_vars
    if state.graph is None:
        values, count = list(flat), 0
        while maximum_iterations is None or count < int(maximum_iterations):
            if not bool(cond(*nest.pack_sequence_as(structure, values))):
                break
            out = body(*nest.pack_sequence_as(structure, values))
            out = out if isinstance(out, (list, tuple)) else (out,)
            values = [convert_to_tensor(v) for v in nest.flatten(out)]
            count += 1
        return _loop_result(structure, values)
    specs = nest.flatten(shape_invariants) if shape_invariants is not None else [t.shape for t in flat]
    specs = [tuple(getattr(s, "shape", s) if s is not None else t.shape) for s, t in zip(specs, flat)]

    def cond_flat(*args):
        return [cond(*nest.pack_sequence_as(structure, list(args)))]

    def body_flat(*args):
        out = body(*nest.pack_sequence_as(structure, list(args)))
        out = out if isinstance(out, (list, tuple)) else (out,)
        return [convert_to_tensor(v) for v in nest.flatten(out)]

    cond_graph, _, cond_out, cond_ph = _trace_branch(cond_flat, "while_cond", flat, specs)
    body_graph, _, body_out, body_ph = _trace_branch(body_flat, "while_body", flat, specs)
    if len(body_out) != len(flat):
        raise ValueError(f"while_loop: body returned {len(body_out)} loop variables, expected {len(flat)}")
    for i, (before, after, spec) in enumerate(zip(flat, body_out, specs)):
        if before._value.dtype != after._value.dtype:
            raise TypeError(f"while_loop: loop variable {i} is {before.dtype.name} before the loop and "
                            f"{after.dtype.name} after one iteration")
        if not all(s is None or s == a for s, a in zip(spec, after.shape)) or len(spec) != len(after.shape):
            raise ValueError(f"while_loop: loop variable {i} has shape {tuple(before.shape)} before the loop and "
                             f"{tuple(after.shape)} after one iteration; pass shape_invariants to allow that")
    cond_graph.outputs, body_graph.outputs = cond_out, body_out
    cond_fn = cond_graph.compile(cond_out)
    body_fn = body_graph.compile(body_out)
    # Placeholders: the loop variables first, then each graph's captures (appended after them).
    cond_caps = [outer for outer, _ in cond_graph.captures]
    body_caps = [outer for outer, _ in body_graph.captures]
    out = While.apply(*flat, *cond_caps, *body_caps, cond_fn=cond_fn, body_fn=body_fn, n_vars=len(flat),
                      n_cond=len(cond_caps), static_shapes=[tuple(s) for s in specs], graphs=(cond_graph, body_graph),
                      maximum_iterations=None if maximum_iterations is None else int(maximum_iterations))
    return _loop_result(structure, list(out))


def _loop_result(structure, values: list):
    return nest.pack_sequence_as(structure, values)
