"""``tf.cond`` and ``tf.while_loop``: branches and loops that a traced function keeps.

Eagerly they are plain Python: ``cond`` calls one branch, ``while_loop`` loops. While a
function is traced, a Python ``if`` on a symbolic tensor cannot work (the value is not known
until the function runs), so these two trace their branches (or the loop's condition and body)
as small graphs of their own, and become one op of the outer graph that, when it runs, picks
the branch (or repeats the body) on the actual values.

Gradients: through ``cond`` both eagerly and traced (the gradient is a ``cond`` too, of the
branches' gradients); through ``while_loop`` eagerly (the tape records every iteration) and
traced (``WhileGrad`` runs the loop again when the gradient runs, keeping every iteration, and
walks back through the body's gradient graph). Not supported: second derivatives through a
traced loop, and the gradient of a traced loop whose body has side effects (prints, assigns,
random draws), which running it again would repeat.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from minitf import nest
from minitf._context import state
from minitf.errors import InvalidArgumentError, UnimplementedError
from minitf.ops.op import Op, ReadVariableOp
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
    """Repeats the body's graph while the condition's graph says so, on the actual values.

    Inputs: the loop variables, the captures of the condition's graph, those of the body's, then
    the variables the body reads (for the tape: the body reads them itself when it runs).
    Gradient: ``WhileGrad``, which runs the loop again recording each iteration's values, then
    walks them backwards through the body's gradient graph.
    """

    stateful = True
    may_assign_variables = True
    static_shapes_from_rule = True

    def forward(*inputs, cond_fn, body_fn, n_vars, n_cond, maximum_iterations, static_shapes, graphs, variables):
        values = list(inputs[:n_vars])
        cond_caps = inputs[n_vars:n_vars + n_cond]
        body_caps = inputs[n_vars + n_cond:len(inputs) - len(variables)]
        count = 0
        while (maximum_iterations is None or count < maximum_iterations) and bool(cond_fn(*values, *cond_caps)[0]):
            values = list(body_fn(*values, *body_caps))
            count += 1
        return tuple(values)

    def trace_forward(*inputs, cond_fn, body_fn, n_vars, n_cond, maximum_iterations, static_shapes, graphs,
                      variables):
        return tuple(inputs[:n_vars])

    def shape(*shapes, cond_fn, body_fn, n_vars, n_cond, maximum_iterations, static_shapes, graphs, variables):
        return static_shapes

    def backward(ctx, dys):
        cond_graph, body_graph = ctx.graphs
        n_vars, n_cond, variables = ctx.n_vars, ctx.n_cond, ctx.variables
        inputs = list(ctx.inputs)
        n_body = len(inputs) - n_vars - n_cond - len(variables)
        effects = _side_effects(body_graph) or _side_effects(cond_graph)
        if effects:
            raise UnimplementedError(
                f"While: minitf computes a while loop's gradient by running the loop again, which would repeat "
                f"its side effects ({effects}). Move them out of the loop, or differentiate it eagerly.", "While")
        grad_graph, float_vars, float_caps, float_variables = _while_grad_graph(body_graph, n_vars, variables)
        dys = dys if isinstance(dys, tuple) else (dys,)
        outs = WhileGrad.apply(*inputs[:n_vars + n_cond + n_body], *[dys[i] for i in float_vars],
                               *inputs[n_vars + n_cond + n_body:],
                               graphs=(cond_graph, body_graph, grad_graph), n_vars=n_vars, n_cond=n_cond,
                               n_body=n_body, float_vars=float_vars, maximum_iterations=ctx.maximum_iterations)
        outs = list(outs) if isinstance(outs, tuple) else [outs]
        grads: list = [None] * len(inputs)
        for i, g in zip(list(float_vars) + [n_vars + n_cond + c for c in float_caps]
                        + [n_vars + n_cond + n_body + v for v in float_variables], outs):
            grads[i] = g
        return tuple(grads)


class WhileGrad(Op):
    """The gradient of a ``While`` for the trip count it has when it runs: the loop runs again from
    the same inputs, keeping every iteration's loop variables; then, from the last iteration back
    to the first, the body's gradient graph turns d(outputs of iteration k) into d(inputs of k),
    and adds up the gradients of the captures and variables the body reads.

    Inputs: the While's loop variables, condition captures, body captures, the gradients of its
    float outputs, and the variables' reads. Outputs: the gradients of the float loop variables,
    of the float body captures, and of the float variables.
    """

    stateful = True  # reads variables when it runs: never folded into a constant

    def forward(*inputs, graphs, n_vars, n_cond, n_body, float_vars, maximum_iterations):
        cond_graph, body_graph, grad_graph = graphs
        cond_fn, body_fn, grad_fn = _compiled(cond_graph), _compiled(body_graph), _compiled(grad_graph)
        values = list(inputs[:n_vars])
        cond_caps = inputs[n_vars:n_vars + n_cond]
        body_caps = inputs[n_vars + n_cond:n_vars + n_cond + n_body]
        grads = list(inputs[n_vars + n_cond + n_body:n_vars + n_cond + n_body + len(float_vars)])
        history = []
        while (maximum_iterations is None or len(history) < maximum_iterations) and bool(
                cond_fn(*values, *cond_caps)[0]):
            history.append(values)
            values = list(body_fn(*values, *body_caps))
        totals = None  # the captures' and variables' gradients, summed over the iterations
        for values in reversed(history):
            out = list(grad_fn(*values, *body_caps, *grads))
            grads, rest = out[:len(float_vars)], out[len(float_vars):]
            totals = rest if totals is None else [a + b for a, b in zip(totals, rest)]
        if totals is None:
            from minitf import array_backend as B
            totals = [B.xp.zeros_like(t._example) for t in grad_graph.outputs[len(float_vars):]]
        return tuple(grads) + tuple(totals)

    def trace_forward(*inputs, graphs, n_vars, n_cond, n_body, float_vars, maximum_iterations):
        return tuple(t._example for t in graphs[2].outputs)

    def shape(*shapes, graphs, n_vars, n_cond, n_body, float_vars, maximum_iterations):
        return [tuple(t.shape) for t in graphs[2].outputs]

    def backward(ctx, dys):
        raise UnimplementedError("WhileGrad: second derivatives through a tf.while_loop in a traced function are "
                                 "not implemented in minitf.", "WhileGrad")


def _compiled(graph):
    """A graph's replay code, compiled once (kept on the graph)."""
    replay = getattr(graph, "_compiled_replay", None)
    if replay is None:
        replay = graph._compiled_replay = graph.compile(graph.outputs)
    return replay


def _side_effects(graph) -> str | None:
    """The first op of ``graph`` (or of the branches and loops in it) with a side effect, or None."""
    for op in graph.operations:
        if op.type in ("Placeholder", "Const") or op.op is ReadVariableOp:
            continue
        if op.type in ("If", "While"):
            for inner in op.attrs["graphs"]:
                found = _side_effects(inner)
                if found:
                    return found
        elif op.stateful:
            return f"{op.type} {op.name!r}"
    return None


def _while_grad_graph(body_graph, n_vars: int, variables: tuple):
    """The graph of one iteration's gradient (built once per loop body): (loop variables, body captures,
    d(float loop variables after)) -> (d(float loop variables before), d(float captures), d(float variables))."""
    cached = getattr(body_graph, "_while_grad", None)
    if cached is not None:
        return cached
    from minitf.autodiff import GradientTape
    from minitf.graph import FuncGraph, inline
    from minitf.ops.creation import zeros_like
    graph = FuncGraph(f"{body_graph.name}_grad")
    saved = state.graph, state.tapes
    state.graph, state.tapes = graph, []
    try:
        inputs = [graph.placeholder(p.shape, p._value.dtype, p._example, name=p.op.name) for p in body_graph.inputs]
        loop_vars, caps = inputs[:n_vars], inputs[n_vars:]
        float_vars = tuple(i for i, t in enumerate(body_graph.outputs) if t._value.dtype.kind == "f")
        float_caps = tuple(i for i, t in enumerate(caps) if t._value.dtype.kind == "f")
        float_variables = tuple(i for i, v in enumerate(variables) if v._value.dtype.kind == "f")
        seeds = [graph.placeholder(body_graph.outputs[i].shape, body_graph.outputs[i]._value.dtype,
                                   body_graph.outputs[i]._example, name=f"d_out{i}") for i in float_vars]
        sources = ([loop_vars[i] for i in float_vars] + [caps[i] for i in float_caps]
                   + [variables[i] for i in float_variables])
        with GradientTape() as tape:
            tape.watch(sources)
            outs = inline(body_graph, body_graph.outputs, inputs)
        grads = tape.gradient([outs[i] for i in float_vars], sources, output_gradients=seeds)
        grads = [graph._resolve(g) if g is not None else graph._resolve(zeros_like(s)) for g, s in zip(grads, sources)]
    finally:
        state.graph, state.tapes = saved
    graph.outputs = grads
    body_graph._while_grad = (graph, float_vars, float_caps, float_variables)
    return body_graph._while_grad


def while_loop(cond: Callable, body: Callable, loop_vars, shape_invariants=None, parallel_iterations: int = 10,
               back_prop: bool = True, swap_memory: bool = False, maximum_iterations=None, name: str | None = None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true; returns the final loop_vars."""
    from minitf.tensor_array import TensorArray
    if any(isinstance(v, TensorArray) for v in nest.flatten(loop_vars)):
        return _while_loop_with_arrays(cond, body, loop_vars, shape_invariants, maximum_iterations)
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
    specs = _flatten_up_to(structure, shape_invariants) if shape_invariants is not None else [t.shape for t in flat]
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
    # The variables the body reads are inputs too (read here, unused: the body reads them itself), so
    # that a tape sees the loop depends on them.
    variables = tuple({id(v): v for v in body_graph.variables}.values())
    out = While.apply(*flat, *cond_caps, *body_caps, *variables, cond_fn=cond_fn, body_fn=body_fn, n_vars=len(flat),
                      n_cond=len(cond_caps), static_shapes=[tuple(s) for s in specs], graphs=(cond_graph, body_graph),
                      maximum_iterations=None if maximum_iterations is None else int(maximum_iterations),
                      variables=variables)
    return _loop_result(structure, list(out))


def _while_loop_with_arrays(cond: Callable, body: Callable, loop_vars, shape_invariants, maximum_iterations):
    """``while_loop`` whose loop variables include TensorArrays: each array travels as its buffer
    tensor (shape ``[size, *element_shape]``, the size unknown for a dynamic_size array). An array
    with nothing written yet and an unknown element shape learns it from one scratch trace of the body."""
    from minitf.autograph.operators.loops import scratch_graph
    from minitf.tensor_array import TensorArray
    leaves = nest.flatten(loop_vars)

    def rebuilt(values):
        return nest.pack_sequence_as(loop_vars, values)

    def flat_result(out) -> list:
        return nest.flatten(out if isinstance(out, (list, tuple)) else (out,))

    if state.graph is None:  # eagerly: Python's loop, the arrays as they are
        values, count = leaves, 0
        while maximum_iterations is None or count < int(maximum_iterations):
            if not bool(cond(*rebuilt(values))):
                break
            values = [v if isinstance(v, TensorArray) else convert_to_tensor(v) for v in flat_result(
                body(*rebuilt(values)))]
            count += 1
        return rebuilt(values)
    if any(isinstance(v, TensorArray) and v._buffer is None for v in leaves):
        with scratch_graph():
            learned = flat_result(body(*rebuilt(leaves)))
        for i, (before, after) in enumerate(zip(leaves, learned)):
            if isinstance(before, TensorArray) and before._buffer is None:
                if not isinstance(after, TensorArray) or after._buffer is None:
                    raise ValueError(f"while_loop: TensorArray loop variable {i} is not written in the loop body, and "
                                     "its element_shape is unknown: give element_shape=")
                shape = [0 if d is None else d for d in after._buffer.shape[1:]]
                leaves[i] = before._from_buffer(before._zeros(tuple(shape)))
                leaves[i]._element_shape = after._element_shape
    templates = list(leaves)
    given = _flatten_up_to(loop_vars, shape_invariants) if shape_invariants is not None else [None] * len(leaves)
    invariants = []
    for leaf, invariant in zip(leaves, given):
        if isinstance(leaf, TensorArray):
            element = [None if d is None else d for d in (leaf._element_shape or leaf._buffer.shape[1:])]
            invariants.append(tuple([None if leaf.dynamic_size else leaf._buffer.shape[0]] + element))
        else:
            invariants.append(invariant)
    encoded = [v._buffer if isinstance(v, TensorArray) else v for v in leaves]

    def decoded(values):
        return rebuilt([t._from_buffer(v) if isinstance(t, TensorArray) else v for t, v in zip(templates, values)])

    def cond_arrays(*values):
        return cond(*decoded(values))

    def body_arrays(*values):
        out = flat_result(body(*decoded(values)))
        for i, (template, value) in enumerate(zip(templates, out)):
            if isinstance(template, TensorArray) and not isinstance(value, TensorArray):
                raise TypeError(f"while_loop: loop variable {i} is a TensorArray before the loop and a "
                                f"{type(value).__name__} after one iteration")
        return [v._buffer if isinstance(v, TensorArray) else v for v in out]
    out = while_loop(cond_arrays, body_arrays, encoded,
                     shape_invariants=invariants if any(s is not None for s in invariants) else None,
                     maximum_iterations=maximum_iterations)
    return decoded(list(out) if isinstance(out, (list, tuple)) else [out])


def _loop_result(structure, values: list):
    return nest.pack_sequence_as(structure, values)


def _flatten_up_to(structure, invariants) -> list:
    """One shape invariant per tensor of ``structure`` (a shape is a tuple: it must not be flattened itself)."""
    if isinstance(structure, dict):
        return [s for key in sorted(structure) for s in _flatten_up_to(structure[key], invariants[key])]
    if isinstance(structure, (list, tuple)):
        if len(invariants) != len(structure):
            raise ValueError(f"while_loop: shape_invariants {invariants!r} do not match the structure of loop_vars")
        return [s for item, inv in zip(structure, invariants) for s in _flatten_up_to(item, inv)]
    return [invariants]


# --- a check that runs with the graph ----------------------------------------------------------------
class Assert(Op):
    """Raises InvalidArgumentError ``assertion failed: [message]`` when ``condition`` is false, when it runs."""

    stateful = True

    def forward(condition, message):
        if not bool(condition):
            raise InvalidArgumentError(f"assertion failed: [{message}]", "Assert")

    def trace_forward(condition, message):
        return None


def assert_that(condition, message: str) -> None:
    """Check ``condition`` (a scalar bool tensor) when the code runs: eagerly now, traced on every call."""
    Assert.apply(convert_to_tensor(condition), message=str(message))


def control_dependencies(control_inputs):
    """``tf.control_dependencies``: a context in which ops run after ``control_inputs``. A traced
    function replays its ops in the order the Python code made them (and keeps every stateful op),
    so the order already holds: the context does nothing, as TF's does eagerly."""
    import contextlib
    return contextlib.nullcontext()


def group(*inputs, name=None) -> None:
    """``tf.group``: an op that runs ``inputs``; eagerly (and in minitf's traced replay, which runs every
    op in order) there is nothing to wait for: None, as TF returns eagerly."""
    return None


def no_op(name=None) -> None:
    """``tf.no_op``: does nothing (None, as TF's eager result)."""
    return None


# --- a loop over a dataset in a traced function ----------------------------------------------------
class DatasetFor(Op):
    """``for element in dataset`` inside a traced function: runs the body's graph once per element.

    The dataset is a Python pipeline (``minitf/data``): each run of the op iterates it afresh, as
    TF's traced dataset loop does, so the graph stays one op however many elements there are.
    Inputs: the loop variables, then the captures of the body's graph, then those of the test's
    (the ``break``/``return`` check made before each element).
    """

    stateful = True
    static_shapes_from_rule = True

    def forward(*inputs, dataset, body_fn, test_fn, n_vars, n_body, static_shapes, graphs):
        from minitf import array_backend as B
        from minitf.data.structure import flatten
        values = list(inputs[:n_vars])
        body_caps, test_caps = inputs[n_vars:n_vars + n_body], inputs[n_vars + n_body:]
        for element in dataset._iterate():
            if test_fn is not None and not bool(test_fn(*values, *test_caps)[0]):
                break
            values = list(body_fn(*values, *[B.xp.asarray(a) for a in flatten(element)], *body_caps))
        return tuple(values)

    def trace_forward(*inputs, dataset, body_fn, test_fn, n_vars, n_body, static_shapes, graphs):
        return tuple(inputs[:n_vars])

    def shape(*shapes, dataset, body_fn, test_fn, n_vars, n_body, static_shapes, graphs):
        return static_shapes

    def backward(ctx, dys):
        raise UnimplementedError(
            "DatasetFor: gradients through a loop over a tf.data.Dataset inside a traced function are not "
            "implemented in minitf. Iterate the dataset outside the function (one call per element), or eagerly.",
            "DatasetFor")


def dataset_for(dataset, loop_vars: tuple, body: Callable, test: Callable | None = None) -> tuple:
    """Trace ``loop_vars = body(loop_vars, element)`` once, as one op that runs it per element of
    ``dataset`` (stopping before an element where ``test(loop_vars)`` is false); returns the final
    loop_vars. Used by AutoGraph for ``for x in dataset`` in a traced function."""
    from minitf.data.structure import flatten as flatten_element
    from minitf.data.structure import map_structure
    from minitf.ops.creation import zeros
    flat = [convert_to_tensor(v) for v in nest.flatten(list(loop_vars))]
    structure = list(loop_vars)
    specs = flatten_element(dataset.element_spec)
    if any(spec.shape is None for spec in specs):
        # a component of unknown rank (from_generator without shapes): the trace takes the first
        # element's rank (minitf's graphs know ranks), every size unknown
        first = next(dataset._iterate(), None)
        ranks = [len(a.shape) for a in flatten_element(first)] if first is not None else [0] * len(specs)
        specs = [spec if spec.shape is not None else type(spec)([None] * rank, spec.dtype)
                 for spec, rank in zip(specs, ranks)]
    elements = [zeros([1 if d is None else d for d in spec.shape], spec.dtype) for spec in specs]
    element_shapes = [tuple(spec.shape) for spec in specs]
    shapes = [tuple(t.shape) for t in flat]

    def body_flat(*args):
        values = nest.pack_sequence_as(structure, list(args[:len(flat)]))
        leaves = iter(args[len(flat):])
        element = map_structure(lambda _: next(leaves), dataset.element_spec)
        out = body(tuple(values), element)
        return [convert_to_tensor(v) for v in nest.flatten(list(out))]

    for _ in range(2):  # a second trace when a loop variable changes shape: with those sizes unknown
        body_graph, _, body_out, _ = _trace_branch(body_flat, "dataset_body", flat + elements, shapes + element_shapes)
        if len(body_out) != len(flat):
            raise ValueError(f"dataset loop: the body gives {len(body_out)} loop variables, expected {len(flat)}")
        merged = [_merge_shapes(a, tuple(b.shape)) for a, b in zip(shapes, body_out)]
        if merged == shapes:
            break
        shapes = merged
    body_graph.outputs = body_out
    test_fn, test_graph = None, None
    if test is not None:
        def test_flat(*args):
            return [test(tuple(nest.pack_sequence_as(structure, list(args))))]
        test_graph, _, test_out, _ = _trace_branch(test_flat, "dataset_test", flat, shapes)
        test_graph.outputs = test_out
        test_fn = test_graph.compile(test_out)
    body_caps = [outer for outer, _ in body_graph.captures]
    test_caps = [outer for outer, _ in test_graph.captures] if test_graph is not None else []
    out = DatasetFor.apply(*flat, *body_caps, *test_caps, dataset=dataset, body_fn=body_graph.compile(body_out),
                           test_fn=test_fn, n_vars=len(flat), n_body=len(body_caps), static_shapes=shapes,
                           graphs=(body_graph, test_graph))
    out = list(out) if isinstance(out, tuple) else ([] if out is None else [out])
    return tuple(nest.pack_sequence_as(structure, out))
