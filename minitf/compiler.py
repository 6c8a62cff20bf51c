"""The replay compiler: a traced graph becomes one plain Python function that runs its kernels.

``FuncGraph.compile(outputs)`` calls ``compile_graph``, which writes the code line by line.
Print ``concrete_function.graph.source`` to read what it wrote: it looks like NumPy written by
hand, because that is what it is. On the way, a few classic compiler passes:

1. dead code: keep only the operations an output or a side effect (an assignment, a print, a
   random draw) needs;
2. constant folding: compute once, now, every op whose inputs are all constants, and every op
   that reads only the *shape* of its input (``ones_like``, a mean's count) when that shape is
   known;
3. common subexpressions: an op that repeats an earlier one on the same inputs (an optimizer's
   bias correction, computed for every variable) is computed once; so is a read of a variable
   with no assignment to it in between;
4. inlining: a kernel whose ``forward`` is one line (``return x + y``, ``variable._value = ...``)
   is written into the code as that line, with no call; its attributes are written in as their
   values, and a choice on one is made now (BatchMatMulV2's ``a.swapaxes(-1, -2) if transpose_a
   else a`` becomes ``a`` when ``transpose_a`` is False). A kernel whose Python work depends on
   shapes alone says what it comes to for the traced shapes (``static_line``, see
   ``minitf/ops/op.py``): a bias gradient over a batch of 32 is ``_xp.add.reduce(t25, (0,))``, a
   product of two matrices ``_xp.dot(t25, t12.T)``, decided once, here. A
   number in such a line that meets float arrays in a ufunc (ReLU's ``maximum(x, 0)``) becomes a
   0-d array of their dtype, made once (``_typed_literals``): NumPy converts a Python number anew
   at every call;
5. loop fusion: a run of elementwise ops on one large shape (Adam's update of an embedding
   matrix, bias + relu on a batch of images) runs block by block, all of its ops on one block
   while the block sits in the CPU's cache, with no full-size temporaries; where the elements
   times the ops reach a million (Adam's dozen ops on a 3136x128 kernel, one ReLU gradient on a
   million numbers) the blocks are shared out among the cores. Inside the loop a
   one-ufunc line (``x - y``, ``sqrt(x)``) writes with ``out=``: straight into the new value of a
   variable or a materialized output, or over an input block that nothing reads any more
   (``np.subtract(b3, b4, out=b3)``): the same ufunc loop, so the same bits, with fewer copies.
   A new value (of a variable, or a materialized output) goes into an input array that only the
   replay holds and only this loop reads, if there is one (an embedding's dense gradient, read
   block by block just before): no new array to bring into the cache (LSTM step ~3% faster).
   Otherwise it goes into the variable's old value, when nothing reads that after the update and,
   as the replay finds when it runs, nothing outside holds it (``only_the_variable_holds``):
   Adam's moments and the embedding itself, each updated where it lies (LSTM step ~8% faster).
   A value read earlier stays as it was: TF's reads are snapshots, and so are minitf's.
   A run that alone reads a convolution's result (bias + ReLU after ``Conv2D``) becomes the
   convolution's *epilogue*: the conv calls it on each block of output rows as soon as it has
   written them, while they are in the cache (``correlate`` in ``minitf/nn/conv.py``), instead of
   a second pass over the whole result. Where the last axis is short (a conv's 10 channels) and a
   per-channel vector (the bias) is among the inputs, the blocks are viewed with their last two axes
   as one and the vector tiled along them (``wide_rows``): NumPy's loops then run long rows, not 10
   numbers at a time;
6. horizontal fusion: the same chain of elementwise ops on several small arrays (Adam's update
   of each kernel and bias) runs once, on their concatenation: a dozen NumPy calls instead of a
   dozen per variable, where each call on a small array costs more than its arithmetic. The new
   values are slices of one flat array; the next call, finding the variables still hold exactly
   those slices, reads that array again instead of concatenating them anew, and, when nothing
   outside holds it or its slices (``only_the_variables_hold``, counted as for a large variable),
   writes the new values into it: the variables already hold their slices, and need no new ones
   (circles MLP training step ~10% faster);
7. memory: each array is deleted right after its last use; on NumPy, freed blocks stay in the
   process for the next call (``minitf/host_memory.py``: no page faults on every call).

A replay makes no Tensor objects, checks no dtypes, and runs no Python of the traced function:
that, not tricks in the eager code, is where the speed of a traced training step comes from.
Every kernel is the same ``forward`` the eager op runs, so a replay gives the eager bits.

CUDA graphs (CuPy only; ``minitf/cuda_graph.py``). On a GPU each kernel launch costs the CPU
some microseconds of Python and driver work, whatever the kernel's size. A small model's step
(the circles MLP: ~150 kernels on arrays of a few hundred numbers) spends far longer launching
than the GPU spends computing, so the GPU mostly waits. CUDA can record a sequence of launches
once (*stream capture*: ``stream.begin_capture()`` ... ``graph = stream.end_capture()``; the
kernels are recorded with their arguments, device addresses included, and NOT run) and replay
the whole recording with one call (``graph.launch()``). With ``tf.function(jit_compile=True)``
(or ``tf.config.optimizer.set_jit(True)``, or ``model.compile(jit_compile=True)``) a replay
is run once as usual (the warm-up: CuPy compiles its kernels, cuBLAS makes its handle, which a
capture cannot do), then once under capture, and later calls launch the graph. Because the graph holds addresses, not arrays:

- each call's inputs are copied into the same input buffers, the ones the capture read;
- a new variable value is copied into the variable's own array, so that the next launch reads
  it where the graph looks (a variable given a new array from outside, or whose value read
  earlier is still held somewhere, makes the graph stale: it is dropped and captured again);
- the outputs are copies of the graph's output buffers, which the next launch overwrites;
- whatever the capture allocates comes from a memory pool of the graph's own, so that no other
  array is ever given a block that a later launch would write.

Only ops known to run on the device alone are captured (``CAPTURABLE_OPS``): a copy to the host,
a sync, a decision in Python on a value, a random draw on the host, a print cannot be recorded
(CUDA refuses the copies and syncs; the others would be frozen at their capture-time value).
A function with any other op keeps the ordinary replay; ``concrete_function.cuda_graph.status``
says which and why (also logged at DEBUG level on the "minitf" logger).
"""
from __future__ import annotations

import ast
import dis
import functools
import inspect
import linecache
import math
import re
import sys
import textwrap
import types
from typing import Any, Callable

import numpy as np

from minitf import array_backend as B
from minitf.host_memory import keep_freed_memory
from minitf.graph import FuncGraph, Operation, _live_operations
from minitf.ops.op import ReadVariableOp
from minitf.parallel import map_blocks

# Loop fusion: ops on at least this many elements are fused, in blocks of about BLOCK elements
# (256 KiB of float32: a block of each array stays in cache; measured best for Adam's update).
# From PARALLEL_MIN elements times ops on, the blocks run on every core (minitf/parallel.py), and a
# single elementwise op of PARALLEL_MIN elements is written as such a loop too.
FUSE_MIN, BLOCK, PARALLEL_MIN = 16384, 65536, 1 << 20
# A fused run on arrays whose last axis is shorter than this (a conv's 10 channels), with a per-channel
# vector among its inputs (the bias), views its blocks with the last two axes as one (``wide_rows``).
WIDE_ROW_MIN = 64


def compile_graph(graph: FuncGraph, outputs: list) -> tuple[Callable, str]:
    """(replay function, its source) for ``graph``'s ``outputs``; see the module docstring."""
    if B.xp is np:
        keep_freed_memory()
    plan = [_Step(op) for op in _live_operations(graph.operations, outputs)]
    plan = _fold_constants(plan)
    plan, outputs = _merge_repeats(plan, outputs)
    plan = _live_steps(plan, outputs)
    writer = _Writer(graph, plan, outputs)
    writer.write()
    source = "\n".join(writer.lines) + "\n"
    filename = f"<minitf graph {graph.name} {id(graph):x}>"
    # Registered with linecache so that a traceback through the replay shows its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), writer.namespace)  # noqa: S102 (our own generated code)
    replay = writer.namespace["replay"]
    replay.__minitf_filename__ = filename
    replay.__minitf_ops__ = plan
    return replay, source


def floating_point_errors_off():
    """Turn NumPy's floating-point warnings off for the calling thread (TF computes inf and nan
    silently); returns what ``floating_point_errors_back`` needs to restore them.

    ``with np.errstate(all="ignore")`` does this in ~1.5 µs per use, a cost every replay and every
    fused block paid. NumPy 2 keeps the state in a context variable: a replay sets the quiet state
    and resets the old one itself (~0.2 µs), the quiet state made once per state it replaces (it keeps
    that state's buffer size and error callback, as ``np.errstate`` does). Where NumPy has no such
    variable (NumPy 1), ``np.errstate`` itself."""
    state = _get_error_state()
    last = _QUIET_STATE
    if last[0] is not state:
        last = _quiet_state_for(state)
    return _set_error_state(last[1])


def _quiet_state_for(state) -> tuple:
    global _QUIET_STATE
    _QUIET_STATE = (state, _make_error_state(all="ignore"))  # made from the thread's current state
    return _QUIET_STATE


try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj as _make_error_state
    _get_error_state, _set_error_state = _extobj_contextvar.get, _extobj_contextvar.set
    floating_point_errors_back = _extobj_contextvar.reset
    _QUIET_STATE: tuple = (None, None)  # (a thread's error state, the same with every warning off)
except ImportError:  # NumPy 1.x
    def floating_point_errors_off():  # noqa: F811 (the NumPy 1 form)
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def floating_point_errors_back(state) -> None:
        state.__exit__(None, None, None)


def only_the_variable_holds(variable, array) -> bool:
    """Whether ``array``, the value of ``variable`` that a replay read, is held by nothing but the
    variable and the replay's one local name for it, so that its new value may be written into it.

    TF's kernels decide the same way (``forward_input_or_allocate_output``: an input whose buffer's
    reference count is one becomes the output). A value handed out earlier (``v.value()``, a tensor
    returned by an earlier call, a view of it) is one more reference, and then the replay writes a
    new array, as it always does: a value read is a snapshot, as in TF. The count is compared with
    one taken the same way on an array held exactly so (``_HELD_BY_VARIABLE_AND_REPLAY``). Without
    ``sys.getrefcount`` (not CPython), never. An array that is a view of another (its ``base``), or
    not writeable, is never written over."""
    return (_getrefcount is not None and variable._value is array and array.base is None
            and array.flags.writeable and _getrefcount(array) == _HELD_BY_VARIABLE_AND_REPLAY)


_getrefcount = getattr(sys, "getrefcount", None)


class _Holder:
    _value = None


def _references_when_held_by_a_variable_and_a_local() -> int | None:
    holder = _Holder()
    holder._value = np.empty(1)
    local = holder._value  # the replay's name for the read, as in ``t7 = v7._value``
    return _count_references(local)


def _count_references(array) -> int:  # called as ``only_the_variable_holds`` calls ``_getrefcount``
    return _getrefcount(array)


_HELD_BY_VARIABLE_AND_REPLAY = _references_when_held_by_a_variable_and_a_local() if _getrefcount else None


def only_the_variables_hold(cut: tuple, flat) -> bool:
    """Whether a horizontal group may write its new values into ``flat``, the array its last call
    cut them from: ``cut`` is (that array, the slices the variables were given), the variables still
    hold exactly those slices (the replay has checked), and nothing else holds any of it.

    ``flat`` must be held by its slices (a view holds its base), the cut and the replay's one local
    name alone; each slice by its variable and the cut alone. A value read earlier (``v.value()``),
    a view of it, a tensor returned by an earlier call is one more holder, and then the group writes
    new arrays and gives the variables new slices, as always. Counted as ``only_the_variable_holds``
    counts, against a cut of as many slices held exactly so (``_held_as_a_cut``)."""
    return (bool(cut) and cut[0] is flat and _getrefcount is not None and flat.flags.writeable
            and sum(map(_getrefcount, cut)) == (_HELD_AS_A_CUT.get(len(cut)) or _held_as_a_cut(len(cut))))


def _held_as_a_cut(values: int) -> int:
    """The sum of the reference counts ``only_the_variables_hold`` sees for a cut of ``values`` held
    as a group holds it. Each count is at least its share (the holders named above exist: that the
    variables hold the slices, the replay has checked), so the sum is that only when each count is."""
    holders, flat = [_Holder() for _ in range(values - 1)], np.empty(values - 1)
    cuts = [(flat, *(flat[k:k + 1] for k in range(values - 1)))]  # a group's ``_cut`` list
    for k, holder in enumerate(holders):
        holder._value = cuts[0][k + 1]  # each variable holding its slice
    del flat
    local = cuts[0][0]  # the replay's name for the flat array, as in ``g50_0 = _c[0]``
    _HELD_AS_A_CUT[values] = _counted_as_the_check_counts(cuts[0], local)
    return _HELD_AS_A_CUT[values]


def _counted_as_the_check_counts(cut: tuple, flat) -> int:  # the same frame as only_the_variables_hold's
    return sum(map(_getrefcount, cut))


_HELD_AS_A_CUT: dict = {}  # number of values in a cut -> the sum of their counts, held as a group holds them


# --- the passes --------------------------------------------------------------------------------
class _Step:
    """One line of the replay: an operation as the compile passes see it (the graph stays untouched)."""

    __slots__ = ("op", "kind", "name", "inputs", "outputs", "attrs", "value", "variable", "many", "stateful")

    def __init__(self, operation: Operation):
        self.op, self.kind, self.name = operation.op, operation.type, operation.name
        self.inputs, self.outputs, self.attrs = operation.inputs, operation.outputs, operation.attrs
        self.value, self.variable, self.many = operation.value, operation.variable, operation.many
        self.stateful = operation.stateful


def _live_steps(plan: list, outputs: list) -> list:
    """``_live_operations`` for a plan, after merging (producers found through the plan)."""
    producer = {id(t): step for step in plan for t in step.outputs}
    needed: set[int] = set()
    stack = [producer[id(t)] for t in outputs] + [step for step in plan if step.stateful]
    while stack:
        step = stack.pop()
        if id(step) in needed:
            continue
        needed.add(id(step))
        stack.extend(producer[id(t)] for t in step.inputs if id(t) in producer)  # (not a shape stand-in)
    return [step for step in plan if id(step) in needed or step.kind == "Placeholder"]


def _fold_constants(plan: list) -> list:
    """Run once, now, each op whose inputs are all constants (no placeholder, no variable, no state),
    and each op that reads only its input's shape (``ones_like``, a reduction's count) where that
    shape is known."""
    constant = {id(step.outputs[0]): step.value for step in plan if step.kind == "Const"}
    for step in plan:
        if (step.kind in ("Const", "Placeholder") or step.op is ReadVariableOp or step.stateful or not step.inputs
                or len(step.outputs) != 1):
            continue
        shape_only = _shape_inputs(step.op, len(step.inputs))
        if getattr(step.op, "shape_only", False):
            shape_only = set(range(len(step.inputs)))
        # An input read only for its shape, known statically, becomes a constant stand-in of that shape.
        step.inputs = tuple(_shape_stand_in(t, constant) if i in shape_only and None not in t.shape else t
                            for i, t in enumerate(step.inputs))
        if not all(id(t) in constant for t in step.inputs):
            continue
        arguments = [constant[id(t)] for t in step.inputs]
        with np.errstate(all="ignore"):
            value = step.op.forward(*arguments, **step.attrs)
        if type(value) is tuple:
            continue
        step.kind, step.value, step.inputs = "Const", value, ()
        constant[id(step.outputs[0])] = value
    return plan


def _shape_inputs(op: type, count: int) -> set:
    """The positions of ``op``'s inputs read only for their shape (forward parameters named like/likes)."""
    try:
        params = list(inspect.signature(op.forward).parameters.values())
    except (TypeError, ValueError):
        return set()
    positions = set()
    for i, p in enumerate(params):
        if p.kind is p.VAR_POSITIONAL:
            if p.name == "likes":
                positions.update(range(i, count))
            break
        if p.name == "like" and p.kind is p.POSITIONAL_OR_KEYWORD:
            positions.add(i)
    return positions


class _ShapeStandIn:
    """A constant standing for a tensor whose shape alone is read: zero-strided zeros of that shape."""

    def __init__(self, tensor):
        self._op = None
        self.shape = tuple(tensor.shape)
        self.value = B.xp.broadcast_to(B.xp.zeros((), dtype=tensor._value.dtype), self.shape)


def _shape_stand_in(tensor, constant: dict):
    stand_in = _ShapeStandIn(tensor)
    constant[id(stand_in)] = stand_in.value
    return stand_in


def _attr_key(value) -> Any:
    """A hashable stand-in for an attribute: plain values by value, anything else by identity."""
    if value is None or isinstance(value, (bool, int, float, str, np.dtype, np.generic)):
        return (type(value).__name__, value)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__,) + tuple(_attr_key(v) for v in value)
    return ("id", id(value))


def _merge_repeats(plan: list, outputs: list) -> tuple[list, list]:
    """Common subexpressions: an op that repeats an earlier one (same op, same inputs, same attributes)
    is dropped and its outputs read from the earlier one. Two reads of a variable merge when no
    assignment (or other side effect) comes between them."""
    seen: dict = {}
    alias: dict[int, Any] = {}  # id(dropped output) -> the tensor that replaces it
    versions: dict[int, int] = {}  # id(variable) -> how many assignments to it so far
    epoch = 0  # bumped by side effects that may touch any variable (a cond or loop body)
    kept = []
    for step in plan:
        if step.inputs:
            step.inputs = tuple(alias.get(id(t), t) for t in step.inputs)
        if step.kind == "Const" and step.value.size <= 64:  # small constants (1 - beta, an axis ...) once each
            key = ("const", step.value.dtype, step.value.shape, B.to_numpy(step.value).tobytes())
            earlier = seen.get(key)
            if earlier is not None:
                alias[id(step.outputs[0])] = earlier.outputs[0]
                continue
            seen[key] = step
            kept.append(step)
            continue
        if step.kind in ("Placeholder", "Const") or step.stateful:
            assigned = step.attrs.get("variable") if step.stateful else None
            if assigned is not None:
                versions[id(assigned)] = versions.get(id(assigned), 0) + 1
            elif step.stateful and getattr(step.op, "may_assign_variables", False):  # a cond or loop body
                epoch += 1
            kept.append(step)
            continue
        if step.op is ReadVariableOp:
            key = ("read", id(step.variable), versions.get(id(step.variable), 0), epoch)
        else:
            key = (step.op, tuple(id(t) for t in step.inputs), tuple(sorted((k, _attr_key(v)) for k, v in
                                                                            step.attrs.items())))
        earlier = seen.get(key)
        if earlier is not None and len(earlier.outputs) == len(step.outputs):
            for mine, theirs in zip(step.outputs, earlier.outputs):
                alias[id(mine)] = theirs
            continue
        seen[key] = step
        kept.append(step)
    return kept, [alias.get(id(t), t) for t in outputs]



# --- writing the code --------------------------------------------------------------------------
_INLINE: dict = {}


def _inline_form(op: type):
    """How the replay can write ``op.forward`` in place instead of calling it, or None.

    Two shapes of kernel qualify: ``return <expression>`` of its parameters (``return x + y``)
    gives ("return", expression, globals, parameter names); ``variable._value = <expression>`` (an
    assignment, its variable an attribute) gives ("assign", expression, globals, parameter names).
    The expression names parameter N ``__argN__`` (``variable`` excluded). A step passes its inputs
    first and its attributes (``transpose_a``) after: ``_specialized`` writes their values in.
    """
    if op in _INLINE:
        return _INLINE[op]
    form = None
    try:
        fn = op.forward
        params = list(inspect.signature(fn).parameters.values())
        if all(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in params):
            tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
            if not _source_is_the_running_code(tree, fn):
                _INLINE[op] = None
                return None
            body = [node for node in tree.body[0].body if not isinstance(node, ast.Expr)]
            names = [p.name for p in params]
            kind = expression = None
            if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
                kind, expression = "return", body[0].value
            elif (len(body) == 1 and isinstance(body[0], ast.Assign) and len(body[0].targets) == 1
                  and isinstance(body[0].targets[0], ast.Attribute) and body[0].targets[0].attr == "_value"
                  and isinstance(body[0].targets[0].value, ast.Name) and body[0].targets[0].value.id == "variable"
                  and names[-1:] == ["variable"]):
                kind, expression, names = "assign", body[0].value, names[:-1]
            if expression is not None:
                free = {n.id for n in ast.walk(expression) if isinstance(n, ast.Name) and n.id not in names}

                class Substitute(ast.NodeTransformer):
                    def visit_Name(self, node):
                        if node.id in names:
                            return ast.copy_location(ast.Name(id=f"__arg{names.index(node.id)}__", ctx=node.ctx), node)
                        return node

                if all(name in fn.__globals__ for name in free):
                    form = (kind, ast.unparse(Substitute().visit(expression)),
                            {name: fn.__globals__[name] for name in free}, tuple(names))
    except (OSError, TypeError, SyntaxError, IndexError):
        form = None
    _INLINE[op] = form
    return form


def _source_is_the_running_code(tree: ast.Module, fn) -> bool:
    """Whether the source read from the file compiles to the code of ``fn`` that runs. A file edited since
    it was imported (a learner changing an op while a notebook runs) shows its new text at the old code's
    line numbers, perhaps another op's kernel: then the replay calls ``fn`` itself."""
    try:
        module = compile(tree, fn.__code__.co_filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    code = next((c for c in module.co_consts if isinstance(c, types.CodeType)), None)
    return code is not None and _instructions(code) == _instructions(fn.__code__)


_JUMPS = set(dis.hasjrel) | set(dis.hasjabs)
_SAME_OPS = {"LOAD_METHOD": "LOAD_ATTR", "CALL_METHOD": "CALL_FUNCTION"}  # (CALL_METHOD: Python 3.10)


def _instructions(code: types.CodeType) -> list:
    """What a function's bytecode does, without what compiling it alone changes: a call on an imported
    module (``B.xp.exp(x)``) is LOAD_ATTR in its module and LOAD_METHOD alone, so jump offsets move too."""
    return [(_SAME_OPS.get(i.opname, i.opname), None if i.opcode in _JUMPS else i.argval)
            for i in dis.get_instructions(code) if i.opname not in ("RESUME", "CACHE", "NOP", "PUSH_NULL")]


def _template(raw: str) -> str:
    """An expression with ``__argN__`` names as a ``str.format`` template: ``({N})`` slots."""
    text = raw.replace("{", "{{").replace("}", "}}")
    return "(" + re.sub(r"__arg(\d+)__", r"{\1}", text) + ")"


def _literal(value) -> str | None:
    """``value`` as Python source, when it is a plain literal (None, bool, int, str, a finite float,
    a tuple of those) that evaluates back to an equal value of the same type; else None."""
    if type(value) is str and "__arg" in value:
        return None  # (would read as a slot of the template)
    if value is None or type(value) in (bool, int, str) or (type(value) is float and math.isfinite(value)):
        return repr(value)
    if type(value) is tuple:
        items = [_literal(v) for v in value]
        return None if None in items else "(" + "".join(item + ", " for item in items) + ")"
    return None


_SPECIALIZED: dict = {}  # (raw expression, inputs, literals) -> template


def _specialized(raw: str, inputs: int, literals: tuple) -> str:
    """The template of a one-line kernel with its attribute parameters (those after the ``inputs``)
    written in as the literals, and each ``a if <literal> else b`` decided now (BatchMatMulV2's
    ``a.swapaxes(-1, -2) if transpose_a else a`` becomes ``a``)."""
    key = (raw, inputs, literals)
    if key not in _SPECIALIZED:
        values = {f"__arg{inputs + i}__": ast.parse(text, mode="eval").body for i, text in enumerate(literals)}

        class Specialize(ast.NodeTransformer):
            def visit_Name(self, node):
                return ast.copy_location(values[node.id], node) if node.id in values else node

            def visit_IfExp(self, node):
                self.generic_visit(node)
                if isinstance(node.test, ast.Constant):
                    return node.body if node.test.value else node.orelse
                return node

        tree = Specialize().visit(ast.parse(raw, mode="eval"))
        _SPECIALIZED[key] = _template(ast.unparse(tree))
    return _SPECIALIZED[key]


_TYPED: dict = {}  # (template, dtype) -> _typed_literals's answer
_LITERALS: dict = {}  # name -> its 0-d array (one per dtype and number)
_BINARY_UFUNCS = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide"}
_UFUNC_OF = {**_BINARY_UFUNCS, ast.Gt: "greater", ast.GtE: "greater_equal", ast.Lt: "less",
             ast.LtE: "less_equal", ast.Eq: "equal", ast.NotEq: "not_equal"}  # (and comparisons)


def _typed_literals(template: str, dtype: np.dtype, namespace: dict) -> tuple[str, dict]:
    """A one-line kernel whose inputs are all arrays of the float ``dtype``, with each number literal
    that meets one of them in a ufunc (``maximum(x, 0)``, ``y > 0``, ``logaddexp(0, -x)``) written
    as a 0-d array of that dtype, made once: (template, {name: array}).

    NumPy converts a Python number to an array at every call, and weighs it as a "weak" scalar
    (NEP 50): ~0.5-0.8 µs more per call than a 0-d array of the dtype (a circles MLP step has six
    such calls). A weak number in a ufunc with a float32 array is converted to float32 and runs the
    float32 loop: the 0-d float32 array runs the same loop on the same number, so the bits are the
    same. The number is replaced only where that is sure: the ufunc resolves to the same loop with
    the array (``ufunc.resolve_dtypes``), the other operands are arrays of ``dtype`` (inputs, or
    ufuncs of them), and the number is exact in ``dtype``. (``x ** 2`` is left: NumPy squares it.)"""
    key = (template, dtype)
    if key in _TYPED:
        return _TYPED[key]
    count = 1 + max((int(i) for i in re.findall(r"\{(\d+)\}", template)), default=-1)
    constants: dict = {}

    def ufunc(node):
        try:
            func = eval(compile(ast.Expression(node), "<ufunc>", "eval"), dict(namespace))  # noqa: S307
        except Exception:  # noqa: BLE001 (not a name we can resolve now)
            return None
        return func if isinstance(func, np.ufunc) and func.nout == 1 else None

    def number(node) -> bool:
        return isinstance(node, ast.Constant) and type(node.value) in (int, float)

    def of_dtype(node) -> bool:
        """Whether ``node`` is an array of ``dtype`` (an input, or float ufuncs of such arrays)."""
        if isinstance(node, ast.Name):
            return node.id.startswith(("__arg", "_lit_"))  # (an input; a number this pass typed)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return of_dtype(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _UFUNC_OF:
            return same_loop(getattr(np, _UFUNC_OF[type(node.op)]), [node.left, node.right]) == dtype
        if isinstance(node, ast.Call) and not node.keywords:
            func = ufunc(node.func)
            return func is not None and same_loop(func, node.args) == dtype
        return False

    def same_loop(func, args):
        """The output dtype of ``func`` on ``args`` if each is an array of ``dtype`` or a number,
        with at least one array, and the numbers as 0-d arrays of ``dtype`` change nothing; else None."""
        if len(args) != func.nin or not all(number(a) or of_dtype(a) for a in args) or all(map(number, args)):
            return None
        try:
            weak = func.resolve_dtypes(tuple(type(a.value) if number(a) else dtype for a in args) + (None,))
            strong = func.resolve_dtypes((dtype,) * func.nin + (None,))
        except (TypeError, ValueError):
            return None
        return strong[-1] if weak == strong else None

    def typed(args: list) -> list:
        out = []
        for a in args:
            value = a.value if number(a) else None
            if value is not None and float(np.asarray(value, dtype)) == value:
                name = "_lit_" + dtype.name + "_" + re.sub(r"\W", "_", repr(value).replace("-", "m"))
                constants[name] = _LITERALS.setdefault(name, np.asarray(value, dtype))
                a = ast.copy_location(ast.Name(id=name, ctx=ast.Load()), a)
            out.append(a)
        return out

    def retyped(func, args: list) -> list:
        """``args`` with their numbers typed where ``func`` (a ufunc or None) runs the same loop so."""
        return typed(args) if func is not None and same_loop(func, args) is not None else args

    class Retype(ast.NodeTransformer):
        def visit_BinOp(self, node):
            self.generic_visit(node)
            node.left, node.right = retyped(getattr(np, _UFUNC_OF.get(type(node.op), ""), None),
                                            [node.left, node.right])
            return node

        def visit_Compare(self, node):
            self.generic_visit(node)
            if len(node.ops) == 1:
                node.left, node.comparators[0] = retyped(getattr(np, _UFUNC_OF.get(type(node.ops[0]), ""), None),
                                                         [node.left, node.comparators[0]])
            return node

        def visit_Call(self, node):
            self.generic_visit(node)
            node.args = retyped(None if node.keywords else ufunc(node.func), node.args)
            return node

    try:
        tree = ast.parse(template.format(*[f"__arg{i}__" for i in range(count)]), mode="eval")
        result = (_template(ast.unparse(Retype().visit(tree))), constants) if count else (template, {})
    except (SyntaxError, IndexError, KeyError, ValueError):
        result = (template, {})
    for array in result[1].values():
        array.flags.writeable = False  # (shared by every replay)
    _TYPED[key] = result
    return result


def _dtype(tensor) -> np.dtype:
    """A graph tensor's dtype (or a shape stand-in's)."""
    return (tensor.value if isinstance(tensor, _ShapeStandIn) else tensor._value).dtype


def _ufunc_call(expression: str, namespace: dict) -> tuple[str, list] | None:
    """``expression`` as (ufunc, argument texts) when it is ONE ufunc applied to its arguments
    (``(a - b)``, ``(B.xp.sqrt(a))``, ``-a``), so that the replay can add ``out=``; else None.
    ``a - b`` and ``np.subtract(a, b, out=o)`` run the same loop: with ``o`` of the result's
    dtype, the bits are the same."""
    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_UFUNCS:
        return f"_xp.{_BINARY_UFUNCS[type(node.op)]}", [ast.unparse(node.left), ast.unparse(node.right)]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return "_xp.negative", [ast.unparse(node.operand)]
    if isinstance(node, ast.Call) and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args):
        try:
            func = eval(compile(ast.Expression(node.func), "<ufunc>", "eval"), dict(namespace))  # noqa: S307
        except Exception:  # noqa: BLE001 (not a name we can resolve now: no out= form)
            return None
        if getattr(func, "nin", None) == len(node.args) and getattr(func, "nout", None) == 1 and callable(func):
            return ast.unparse(node.func), [ast.unparse(a) for a in node.args]
    return None


_PURE: dict = {}  # template -> _pure_ufunc_expression's answer


def _pure_ufunc_expression(template: str, namespace: dict) -> bool:
    """True when a one-line kernel is made only of ufuncs, arithmetic and comparisons of its inputs
    and number literals: then each output element is the same whatever the array's shape, and the
    kernel may run on a concatenation of several arrays (horizontal fusion)."""
    count = 1 + max((int(i) for i in re.findall(r"\{(\d+)\}", template)), default=-1)
    try:
        tree = ast.parse(template.format(*[f"_arg{i}" for i in range(count)]), mode="eval").body
    except (SyntaxError, IndexError, KeyError, ValueError):
        return False

    def pure(node) -> bool:
        if isinstance(node, ast.BinOp):
            return pure(node.left) and pure(node.right)
        if isinstance(node, ast.UnaryOp):
            return isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)) and pure(node.operand)
        if isinstance(node, ast.Compare):
            return pure(node.left) and all(pure(c) for c in node.comparators)
        if isinstance(node, ast.Name):
            return node.id.startswith(("_arg", "_lit_"))  # (an input; a number as a 0-d array)
        if isinstance(node, ast.Constant):
            return type(node.value) in (int, float, bool)
        if isinstance(node, ast.Call):
            return _ufunc_call(ast.unparse(node), namespace) is not None and all(pure(a) for a in node.args)
        return False

    return pure(tree)


class _Lanes:
    """A horizontal group: ``lanes[k]`` (plan positions) run the same ops, in the same order, on
    lane k's arrays (all of shape ``shapes[k]``); ``externals[k][e]`` is lane k's e-th input from
    outside its lane (one tensor shared by all lanes: a 0-d number; else one per lane)."""

    def __init__(self, lanes: list, externals: list, variables: list, shapes: list):
        self.lanes, self.externals, self.variables, self.shapes = lanes, externals, variables, shapes


class _Writer:
    """Writes the replay: one line per step, or one block loop per fused run of elementwise steps."""

    def __init__(self, graph: FuncGraph, plan: list, outputs: list):
        self.plan, self.outputs = plan, outputs
        self.namespace: dict[str, Any] = {"_errors_off": floating_point_errors_off,
                                          "_errors_back": floating_point_errors_back,
                                          "_empty": B.xp.empty, "_xp": B.xp,
                                          "_concatenate": B.xp.concatenate, "_map_blocks": map_blocks,
                                          "_only_the_variable_holds": only_the_variable_holds,
                                          "_only_the_variables_hold": only_the_variables_hold}
        self.names: dict[int, str] = {id(t): f"a{i}" for i, t in enumerate(graph.inputs)}
        self.handles = {id(v): f"h{i}" for i, v in enumerate(graph.variable_args)}  # variables passed in
        self.last_use: dict[int, int] = {}
        for position, step in enumerate(plan):
            for t in step.inputs:
                self.last_use[id(t)] = position
        for t in outputs:
            self.last_use[id(t)] = len(plan)
        # Arrays only this replay holds (a conv's or a pool's result, a fused loop's output): an
        # elementwise op that is their only reader may write its result over them.
        self.fresh: set[int] = {id(t) for step in plan if getattr(step.op, "fresh_output", False)
                                for t in step.outputs}
        self.lane_ok: dict[int, bool] = {}  # position -> whether its step may join a horizontal group
        self.deleted: set[str] = set()  # names already deleted before ``free`` would (a group's inputs)
        self.consumers: dict[int, set] = {}  # id(tensor) -> the positions of the steps that read it
        for position, step in enumerate(plan):
            for t in step.inputs:
                self.consumers.setdefault(id(t), set()).add(position)
        self.producers = {id(t): step for step in plan for t in step.outputs}  # id(tensor) -> its step
        params = [self.names[id(t)] for t in graph.inputs] + list(self.handles.values())
        # NumPy's floating-point warnings are off for the whole replay (TF computes inf and nan
        # silently): one switch per call instead of one per op.
        self.lines = [f"def replay({', '.join(params)}):", "  _errors = _errors_off()", "  try:"]
        for i, stand_in in enumerate({id(t): t for step in plan for t in step.inputs
                                      if isinstance(t, _ShapeStandIn)}.values()):
            self.names[id(stand_in)] = f"s{i}"  # a zero-strided stand-in for an input read for its shape
            self.namespace[f"s{i}"] = stand_in.value

    def held_as_a_scalar(self, t) -> bool:
        """Whether the replay holds the 0-d value ``t`` (a constant, a variable's read) as a NumPy
        scalar: on NumPy, a number, not returned, read only by one-line steps on 0-d values.

        Arithmetic on NumPy scalars skips the ufunc machinery: Adam's bias correction, a dozen
        operations on single numbers each step, takes ~0.1 µs an operation instead of ~0.7. The
        same IEEE operation on the same two numbers: the same bits. (A ufunc's result on 0-d arrays
        is such a scalar already; this starts the chain with them.)"""
        if (B.xp is not np or tuple(t.shape) != () or _dtype(t).kind not in "biuf"
                or self.last_use.get(id(t), -1) >= len(self.plan)):
            return False
        for position in self.consumers.get(id(t), ()):
            step = self.plan[position]
            if step.op is ReadVariableOp or step.kind in ("Const", "Placeholder") or any(
                    tuple(u.shape) != () for u in (*step.inputs, *step.outputs)):
                return False
            if self.inline(step, [None] * len(step.outputs)) is None:
                return False  # (a kernel's call: it may want an array)
        return True

    # --- names --------------------------------------------------------------------------------
    def variable_name(self, variable, position: int) -> str:
        if id(variable) in self.handles:
            return self.handles[id(variable)]
        self.namespace[f"v{position}"] = variable
        return f"v{position}"

    def inline(self, step, outs: list):
        """The step's one-line form, (kind, template of its inputs, globals), if it has one that fits
        here (see ``_inline_form``; attributes must be plain literals), else None."""
        form = None if step.op is ReadVariableOp else _inline_form(step.op)
        if form is None:
            return self.static_line(step, outs)
        kind, raw, needs, params = form
        attrs = {k: v for k, v in step.attrs.items() if not (kind == "assign" and k == "variable")}
        inputs = len(step.inputs)
        fits = (kind == "return" and len(outs) == 1 and not step.many) or (
            kind == "assign" and "variable" in step.attrs and not outs)
        if not fits or len(params) < inputs or set(params[inputs:]) != set(attrs):
            return None
        literals = tuple(_literal(attrs[name]) for name in params[inputs:])
        if None in literals:  # (an attribute that is no literal: a dtype, say) the op's own line, if any
            return self.static_line(step, outs)
        if not all(self.namespace.setdefault(k, v) is v for k, v in needs.items()):
            return None
        template = _specialized(raw, inputs, literals)
        dtypes = {_dtype(t) for t in step.inputs}
        if B.xp is np and len(dtypes) == 1 and next(iter(dtypes)).kind == "f" and all(
                tuple(t.shape) != () for t in step.inputs):  # (0-d inputs take NumPy's scalar path)
            template, constants = _typed_literals(template, next(iter(dtypes)), self.namespace)
            self.namespace.update(constants)
        return kind, template, needs

    @staticmethod
    def static_line(step, outs: list):
        """("return", template, {}) from the op's ``static_line`` for its inputs' static shapes, or
        None (no such form, an unknown dimension, not one output)."""
        static_line = getattr(step.op, "static_line", None)
        shapes = [tuple(t.shape) for t in step.inputs]
        if static_line is None or len(outs) != 1 or step.many or any(None in shape for shape in shapes):
            return None
        template = static_line(shapes, [_dtype(t) for t in step.inputs], **step.attrs)
        return None if template is None else ("return", template, {})

    # --- the whole function -----------------------------------------------------------------------
    def write(self) -> None:
        position = 0
        while position < len(self.plan):
            group = self.fusible_run(position)
            lanes = None if group else self.horizontal_group(position)
            epilogue = None if group or lanes is not None else self.epilogue_run(position)
            if group:
                self.write_fused(group)
                position = group[-1] + 1
            elif epilogue is not None:
                reads, run = epilogue
                for read in reads:
                    self.write_step(read)
                self.write_fused(run, producer=position)
                position = run[-1] + 1
            elif lanes is not None:
                position = self.write_lanes(lanes)
            else:
                self.write_step(position)
                position += 1
        returned = [self.names[id(t)] for t in self.outputs]
        self.lines.append(f"    return ({', '.join(returned)}{',' if len(returned) == 1 else ''})")
        self.lines += ["  finally:", "    _errors_back(_errors)"]

    def write_step(self, position: int) -> None:
        step = self.plan[position]
        if step.kind == "Placeholder":
            return
        if step.kind == "Const":
            name = f"c{position}"
            scalar = self.held_as_a_scalar(step.outputs[0])
            self.namespace[name] = step.value[()] if scalar else step.value
            self.names[id(step.outputs[0])] = name
            return
        outs = [f"t{position}_{i}" if len(step.outputs) > 1 else f"t{position}" for i in range(len(step.outputs))]
        for t, name in zip(step.outputs, outs):
            self.names[id(t)] = name
        form = self.inline(step, outs)
        if step.op is ReadVariableOp:
            scalar = "[()]" if self.held_as_a_scalar(step.outputs[0]) else ""
            self.lines.append(f"    {outs[0]} = {self.variable_name(step.variable, position)}._value{scalar}  # {step.name}")
        elif form is not None:
            # A one-line kernel: its formula written in place, no call ("t5 = (t3 + t4)",
            # "v7._value = (t5 + t6)").
            expression = form[1].format(*[self.names[id(t)] for t in step.inputs])
            target = outs[0] if form[0] == "return" else f"{self.variable_name(step.attrs['variable'], position)}._value"
            self.lines.append(f"    {target} = {expression}  # {step.name}: {step.op.name}")
        else:
            target = ", ".join(outs) + ("," if step.many and len(outs) == 1 else "") + " = " if outs else ""
            self.lines.append(f"    {target}{self.kernel_call(position)}")
        self.free([position])

    def kernel_call(self, position: int, *extra: str) -> str:
        """``k5(t3, t4)  # name: Op``: a call of the step's kernel (its attributes bound once, now; an
        attribute that is a variable passed in as an argument is passed at each call), with
        ``extra`` keyword arguments."""
        step = self.plan[position]
        fixed = {k: v for k, v in step.attrs.items() if id(v) not in self.handles}
        self.namespace[f"k{position}"] = functools.partial(step.op.forward, **fixed) if fixed else step.op.forward
        args = ", ".join([self.names[id(t)] for t in step.inputs] + list(extra) +
                         [f"{k}={self.handles[id(v)]}" for k, v in step.attrs.items() if id(v) in self.handles])
        return f"k{position}({args})  # {step.name}: {step.op.name}"

    def free(self, positions: list) -> None:
        """``del`` the arrays whose last use is among ``positions`` (and outputs nobody uses)."""
        last = positions[-1]
        dead = set()
        for position in positions:
            step = self.plan[position]
            dead |= {self.names[id(t)] for t in step.inputs
                     if positions[0] <= self.last_use.get(id(t), -1) <= last
                     and self.names.get(id(t), "").startswith(("t", "a"))}
            dead |= {self.names[id(t)] for t in step.outputs
                     if id(t) not in self.last_use and id(t) in self.names}
        dead -= self.deleted
        if dead:
            self.lines.append(f"    del {', '.join(sorted(dead))}")

    # --- loop fusion --------------------------------------------------------------------------------
    def fusible_run(self, start: int) -> list:
        """Positions of a run of elementwise steps on one large shape starting at ``start``, or []."""
        step = self.plan[start]
        shape = self.fusible_shape(step)
        if shape is None:
            return []
        run, members = [start], 1
        for position in range(start + 1, len(self.plan)):
            step = self.plan[position]
            if step.kind == "Const" or step.op is ReadVariableOp:
                run.append(position)  # constants and reads ride along (a read after an in-run assignment sees its value)
                continue
            if self.fusible_shape(step) != shape:
                break
            run.append(position)
            members += 1
        while run and (self.plan[run[-1]].op is ReadVariableOp or self.plan[run[-1]].kind == "Const"):
            run.pop()  # reads and constants at the end belong to what follows
        return run if members >= 2 or self.parallel(shape) else []

    def epilogue_run(self, position: int):
        """(reads, run) when the step at ``position`` is a kernel that runs an epilogue on each block
        of its output (``takes_epilogue``: Conv2D, see ``correlate``) and a fused run of elementwise
        ops on that output's shape follows it (after reads of variables and constants, ``reads``),
        the only reader of its output; else None. Each input of the run must be a whole array of
        that shape (read block by block) or broadcast along the kernel's blocks (a bias)."""
        step = self.plan[position]
        if not getattr(step.op, "takes_epilogue", False) or len(step.outputs) != 1:
            return None
        out = step.outputs[0]
        start = position + 1
        while start < len(self.plan) and (self.plan[start].kind == "Const" or self.plan[start].op is ReadVariableOp):
            start += 1
        run = self.fusible_run(start) if start < len(self.plan) else []
        shape = tuple(out.shape)
        if not run or self.fusible_shape(self.plan[start]) != shape:
            return None
        if not self.consumers.get(id(out), set()) <= set(run) or self.last_use[id(out)] > run[-1]:
            return None  # the output is also read elsewhere, or returned
        for t in self.outside_inputs(run):
            s = (1,) * (len(shape) - len(t.shape)) + tuple(t.shape)
            if s != shape and s[:2] != (1, 1):
                return None  # (e.g. (N, 1, 1, C): a block of images would need its own slice of it)
        return list(range(position + 1, start)), run

    def old_value_read(self, run: list, position: int, variable) -> str | None:
        """The name of the variable's value read before the run, if the run's step at ``position``
        (which assigns the variable's new value) may write that value over: nothing reads it after
        ``position``. Whether anything OUTSIDE the replay holds it is only known when it runs:
        ``only_the_variable_holds``. NumPy only (a CUDA graph pins the variables' arrays itself)."""
        if B.xp is not np:
            return None
        for earlier in run[:run.index(position) + 1]:
            for t in self.plan[earlier].inputs:
                producer = self.producers.get(id(t))
                if (producer is not None and producer.op is ReadVariableOp and producer.variable is variable
                        and self.names.get(id(t), "").startswith("t") and self.last_use[id(t)] <= position):
                    return self.names[id(t)]
        return None

    def spare_input(self, run: list, position: int, shape: tuple, dtype=None) -> str | None:
        """The name of an array the (materialized) result of the run's step at ``position``, or the
        new value it assigns (of ``dtype``), may be written over: one this replay alone holds
        (``fresh``: a conv's or a matmul's result), of the result's shape and dtype, read
        by no step but this run's, at or before ``position`` (so each block is read before it is
        written, and nothing reads it afterwards)."""
        dtype = _dtype(self.plan[position].outputs[0]) if dtype is None else dtype
        members = set(run)
        for earlier in run[:run.index(position) + 1]:
            for t in self.plan[earlier].inputs:
                readers = self.consumers.get(id(t), set())
                if (id(t) in self.fresh and self.names.get(id(t), "").startswith("t")
                        and readers <= members and self.last_use[id(t)] <= position  # (an output: never)
                        and tuple(t.shape) == shape and _dtype(t) == dtype):
                    self.fresh.discard(id(t))  # one result per spare array
                    return self.names[id(t)]
        return None

    @staticmethod
    def parallel(shape: tuple, ops: int = 1) -> bool:
        """Whether a fused loop of ``ops`` elementwise ops over ``shape`` shares its blocks out among
        the cores: from PARALLEL_MIN elements times ops (Adam's dozen ops on the MNIST CNN's 3136x128
        Dense kernel: 1.3x faster on two cores; one op on 802,816 elements: no faster)."""
        return B.xp is np and int(np.prod(shape)) * ops >= PARALLEL_MIN and shape[0] > 1

    def fusible_shape(self, step) -> tuple | None:
        """The shape an elementwise step works on, if it can run block by block, else None."""
        if step.kind in ("Const", "Placeholder") or not getattr(step.op, "elementwise", False):
            return None
        if self.inline(step, [None] * len(step.outputs)) is None:
            return None
        shape = tuple(step.outputs[0].shape) if step.outputs else tuple(step.attrs["variable"].shape)
        if None in shape or not shape or int(np.prod(shape)) < FUSE_MIN:
            return None
        for t in step.inputs:  # each input: sliced by rows along with the output, or broadcast whole
            s = tuple(t.shape)
            if None in s or len(s) > len(shape) or (len(s) == len(shape) and s[0] not in (shape[0], 1)):
                return None
        return shape

    def wide_rows(self, run: list, shape: tuple, producer: int | None) -> bool:
        """Whether the run's blocks are worked on with their last two axes as one, (..., W, C) as
        (..., W*C), and a per-channel vector among its inputs (a bias of C numbers) tiled W times.

        NumPy's loop over a broadcast vector runs C numbers at a time, and for a conv's 10 channels
        that short inner loop costs more than its arithmetic: bias + ReLU on TinyVGG's 222x222x10
        blocks ran 1.6x faster as wide rows (the same numbers added: the same bits). Where every
        input has the block's shape, NumPy joins the axes itself. Only for runs whose other inputs
        are whole arrays of the run's shape (their blocks reshape to views) or scalars, and that
        assign no variable."""
        rank = 4 if producer is not None else 3  # (the rows of a block are the first one or two axes)
        if len(shape) < rank or shape[-1] >= WIDE_ROW_MIN:
            return False
        for p in self.run_ops(run):
            if self.inline(self.plan[p], [None] * len(self.plan[p].outputs))[0] == "assign":
                return False
        vector = False
        for t in self.outside_inputs(run):
            if tuple(t.shape) == shape:
                continue
            padded = (1,) * (len(shape) - len(t.shape)) + tuple(t.shape)
            if padded[:-1] != (1,) * (len(shape) - 1) or padded[-1] not in (1, shape[-1]):
                return False  # broadcast along some other axis
            vector = vector or padded[-1] == shape[-1] > 1
        return vector

    def run_ops(self, run: list) -> list:
        """The positions of the run's elementwise ops: its steps less the variable reads and constants
        riding along in it."""
        return [p for p in run if self.plan[p].op is not ReadVariableOp and self.plan[p].kind != "Const"]

    def outside_inputs(self, run: list) -> list:
        """The inputs of the run's ops that its ops do not make: arrays from before the run, and the
        reads and constants riding along in it (whole arrays, named before the loop)."""
        ops = [self.plan[p] for p in self.run_ops(run)]
        made_here = {id(t) for step in ops for t in step.outputs}
        return [t for step in ops for t in step.inputs if id(t) not in made_here]

    def write_fused(self, run: list, producer: int | None = None) -> None:
        """The run as a loop over blocks of rows; with ``producer`` (``epilogue_run``), as the
        epilogue of that kernel: a function of the kernel's blocks, called by the kernel itself."""
        plan, names = self.plan, self.names
        first = plan[run[0]]
        result = first.outputs[0] if first.outputs else first.attrs["variable"]  # an output or a variable's new value
        shape = tuple(result.shape)
        rows = max(1, BLOCK // max(1, int(np.prod(shape[1:]))))
        wide = self.wide_rows(run, shape, producer)
        views: list[str] = []  # the wide views made for this run (``wide_rows``), deleted after it

        def view(whole: str, how: str) -> str:
            """The name of ``whole``'s wide view (``wide_rows``), made before the loop by ``how``."""
            if f"{whole}_w" not in views:
                views.append(f"{whole}_w")
                self.lines.append(f"    {whole}_w = {how.format(whole)}")
            return f"{whole}_w"

        def blocked(whole: str) -> str:
            """``whole[_rows]`` of an array of the run's shape, through its wide view if the run has one."""
            if not wide:
                return f"{whole}[_rows]"
            return view(whole, f"{{}}.reshape({shape[:-2] + (shape[-2] * shape[-1],)})") + "[_rows]"
        members = self.run_ops(run)
        if producer is None:
            self.lines.append(f"    # fused: {len(members)} elementwise ops on {shape}, {rows} rows at a time")
        else:
            made = plan[producer].outputs[0]
            names[id(made)] = f"t{producer}"
            self.lines.append(f"    # fused: {len(members)} elementwise ops on {shape}, on each block of "
                              f"{plan[producer].name} as it is written")
            self.lines.append(f"    t{producer} = _empty({shape}, dtype={made._value.dtype.name!r})")
        block: dict[int, str] = {}  # id(tensor) -> its name inside the loop (a block)
        assigned: dict[int, str] = {}  # id(variable) -> the block of its new value, once assigned in the run
        body, after, reads_of_new = [], [], {}
        # Blocks that are the loop's own temporaries (not views of a variable's new value or of a
        # materialized output), and the last step of the run that reads each tensor.
        owned: set[str] = set()
        last_in_run = {id(t): position for position in run for t in plan[position].inputs}
        for position in run:
            step = plan[position]
            if step.kind == "Const":
                self.write_step(position)
                continue
            if step.op is ReadVariableOp:
                out = step.outputs[0]
                if id(step.variable) in assigned:  # reads the value this run assigned: the same block
                    block[id(out)] = assigned[id(step.variable)]
                    reads_of_new[id(out)] = step
                else:  # before the loop, the whole array
                    names[id(out)] = f"t{position}"
                    self.lines.append(f"    t{position} = {self.variable_name(step.variable, position)}._value  "
                                      f"# {step.name}")
                continue
            kind, template, _ = self.inline(step, [None] * len(step.outputs))
            args = []
            for t in step.inputs:
                if id(t) in block:
                    args.append(block[id(t)])
                else:
                    whole = names[id(t)]
                    sliced = (tuple(t.shape) == shape if producer is not None else
                              len(t.shape) == len(shape) and t.shape[0] == shape[0] and shape[0] > 1)
                    if wide and tuple(t.shape) == shape:
                        args.append(blocked(whole))
                    elif wide and int(np.prod(t.shape)) > 1:  # a per-channel vector, tiled along the rows
                        args.append(view(whole, f"_xp.tile({{}}.reshape(-1), {shape[-2]})"))
                    elif wide and len(t.shape) == len(shape):  # one number, of the run's rank: one axis
                        args.append(view(whole, "{}.reshape(-1)"))
                    else:
                        args.append(f"{whole}[_rows]" if sliced else whole)
            expression = template.format(*args)
            comment = f"  # {step.name}: {step.op.name}"
            dtype = (step.attrs["variable"]._value if kind == "assign" else step.outputs[0]._value).dtype
            call = _ufunc_call(expression, self.namespace) if all(
                _dtype(t) == dtype for t in step.inputs) else None
            if kind == "assign":
                variable = step.attrs["variable"]
                name = self.variable_name(variable, position)
                spare = self.spare_input(run, position, shape, variable._value.dtype)
                held = None if spare is not None else self.old_value_read(run, position, variable)
                if spare is not None:  # (a gradient whose block was just read: written while in the cache)
                    self.lines.append(f"    n{position} = {spare}  # written over: read only here")
                elif held is not None:  # (each block of the old value read before it is written)
                    self.lines.append(f"    n{position} = {held} if _only_the_variable_holds({name}, {held}) else "
                                      f"_empty({shape}, dtype={name}._value.dtype)  # in place if no one else holds it")
                else:
                    self.lines.append(f"    n{position} = _empty({shape}, dtype={name}._value.dtype)")
                if call is not None:  # computed straight into the new value's rows
                    body.append(f"        b{position} = n{position}[_rows]")
                    body.append(f"        {call[0]}({', '.join(call[1])}, out=b{position}){comment}")
                else:
                    body.append(f"        b{position} = {expression}{comment}")
                    body.append(f"        n{position}[_rows] = b{position}")
                after.append(f"    {name}._value = n{position}")
                assigned[id(variable)] = f"b{position}"
                continue
            out = step.outputs[0]
            block[id(out)] = f"b{position}"
            materialized = self.last_use.get(id(out), -1) > run[-1]
            if materialized:
                names[id(out)] = f"t{position}"  # needed after the run: materialized, block by block
                spare = self.spare_input(run, position, shape)
                self.fresh.add(id(out))
                if spare is not None:  # the same ufunc loop, in place (each block read before written)
                    self.lines.append(f"    t{position} = {spare}  # written over: read only here")
                else:
                    self.lines.append(f"    t{position} = _empty({shape}, dtype={out._value.dtype.name!r})")
            # An input block that nothing after this step reads, of this dtype, can hold the result.
            spent = [block[id(t)] for t in step.inputs if id(t) in block and block[id(t)] in owned
                     and last_in_run[id(t)] == position and _dtype(t) == dtype]
            if call is not None and (materialized or spent):
                target = blocked(f"t{position}") if materialized else spent[0]
                body.append(f"        b{position} = {call[0]}({', '.join(call[1])}, out={target}){comment}")
            else:
                body.append(f"        b{position} = {expression}{comment}")
                if materialized:
                    body.append(f"        {blocked(f't{position}')} = b{position}")
            if not materialized:
                owned.add(f"b{position}")
        for t_id, step in reads_of_new.items():  # a read used after the run reads the variable then
            if self.last_use.get(t_id, -1) > run[-1]:
                position = self.plan.index(step)
                names[t_id] = f"t{position}"
                after.append(f"    t{position} = {self.variable_name(step.variable, position)}._value")
        if producer is not None:  # the body as a function of the kernel's blocks, called by the kernel
            self.lines.append(f"    def _block{run[0]}(_rows):")
            self.lines.append("      _errors = _errors_off()  # (each thread has its own NumPy error state)")
            self.lines.append("      try:")
            self.lines.extend(body)
            self.lines.append("      finally:")
            self.lines.append("        _errors_back(_errors)")
            self.lines.append(f"    {self.kernel_call(producer, f'out=t{producer}', f'epilogue=_block{run[0]}')}")
            self.free([producer])
        elif self.parallel(shape, len(members)):  # the loop's body as a function of the block, on every core
            self.lines.append(f"    def _block{run[0]}(_r):")
            self.lines.append("      _errors = _errors_off()  # (each thread has its own NumPy error state)")
            self.lines.append("      try:")
            self.lines.append(f"        _rows = slice(_r, _r + {rows})")
            self.lines.extend(body)
            self.lines.append("      finally:")
            self.lines.append("        _errors_back(_errors)")
            work = int(np.prod(shape)) * _dtype(result).itemsize * (len(members) + 1)  # ~ an array per op, and one more
            self.lines.append(f"    _map_blocks(_block{run[0]}, range(0, {shape[0]}, {rows}), {work})")
        else:
            self.lines.append(f"    for _r in range(0, {shape[0]}, {rows}):")
            self.lines.append(f"        _rows = slice(_r, _r + {rows})")
            self.lines.extend(body)
        self.lines.extend(after)
        if views:
            self.lines.append(f"    del {', '.join(views)}")
        self.free(run)


    # --- horizontal fusion ----------------------------------------------------------------------------
    def lane_step(self, step) -> bool:
        """A step that may run on a concatenation of small arrays: a read of a variable, or a one-line
        elementwise kernel of ufuncs (``_pure_ufunc_expression``)."""
        if step.op is ReadVariableOp:
            return True
        if step.kind in ("Const", "Placeholder") or not getattr(step.op, "elementwise", False):
            return False
        form = self.inline(step, [None] * len(step.outputs))
        if form is None:
            return False
        if form[1] not in _PURE:
            _PURE[form[1]] = _pure_ufunc_expression(form[1], self.namespace)
        return _PURE[form[1]]

    def lane_signature(self, positions: list):
        """(structure, externals, variables) of one candidate lane: the ops, their attributes and where
        each input comes from (an earlier step of the lane, or the e-th outside input), with the
        variables numbered in order of appearance; two lanes run alike when their structures are equal."""
        local: dict[int, tuple] = {}  # id(tensor) -> ("step", j) inside the lane
        externals: list = []
        slots: dict[int, int] = {}
        variables: list = []
        numbers: dict[int, int] = {}
        assigned: dict[int, int] = {}  # variable number -> the step of the lane that last assigned it
        structure = []

        def number(variable) -> int:
            if id(variable) not in numbers:
                numbers[id(variable)] = len(variables)
                variables.append(variable)
            return numbers[id(variable)]

        for j, position in enumerate(positions):
            step = self.plan[position]
            if step.op is ReadVariableOp:
                v = number(step.variable)
                # a read after this lane's assignment reads the assigned value; before it, the old one
                structure.append(("read", v, assigned.get(v)))
                local[id(step.outputs[0])] = ("step", assigned[v]) if v in assigned else ("step", j)
                continue
            refs = []
            for t in step.inputs:
                if id(t) in local:
                    refs.append(local[id(t)])
                else:
                    if id(t) not in slots:
                        slots[id(t)] = len(externals)
                        externals.append(t)
                    refs.append(("outside", slots[id(t)]))
            attrs = tuple(sorted((k, _attr_key(v)) for k, v in step.attrs.items() if k != "variable"))
            entry = (step.op, attrs, tuple(refs))
            if "variable" in step.attrs:
                v = number(step.attrs["variable"])
                assigned[v] = j
                entry += (("assigns", v),)
            for t in step.outputs:
                local[id(t)] = ("step", j)
            structure.append(entry)
        return tuple(structure), externals, variables

    def horizontal_group(self, start: int):
        """The lanes of a horizontal group starting at ``start``, or None (see ``_Lanes``)."""
        first = self.plan[start]
        if first.kind == "Const" or not self.lane_step(first):
            return None
        steps = []  # the lane steps from ``start`` on (constants ride along)
        for position in range(start, len(self.plan)):
            step = self.plan[position]
            if step.kind == "Const":
                continue
            if position not in self.lane_ok:
                self.lane_ok[position] = step.kind != "Placeholder" and self.lane_step(step)
            if not self.lane_ok[position]:
                break
            steps.append(position)
        kinds = [(self.plan[p].op, len(self.plan[p].inputs)) for p in steps]
        best = None
        for n in range(2, min(len(steps) // 2, 64) + 1):
            if kinds[:n] != kinds[n:2 * n]:
                continue
            lanes = [steps[:n]]
            signature = self.lane_signature(lanes[0])
            seen_variables: set = set()
            shapes = [self.lane_shape(lanes[0], signature, seen_variables)]
            if shapes[0] is None:
                continue  # (so a start in the middle of a lane is given up at once, not after every lane)
            described = [signature]
            # Lanes are added while they fit; the group is the longest run of them from ``start``.
            while len(lanes) < len(steps) // n and kinds[:n] == kinds[len(lanes) * n:(len(lanes) + 1) * n]:
                candidate = steps[len(lanes) * n:(len(lanes) + 1) * n]
                other = self.lane_signature(candidate)
                shape = self.lane_shape(candidate, other, seen_variables) if other[0] == signature[0] else None
                if shape is None:
                    break
                lanes.append(candidate)
                described.append(other)
                shapes.append(shape)
            group = self.checked_lanes(lanes, described, shapes) if len(lanes) >= 2 else None
            if group is not None and (best is None or len(lanes) * n > sum(map(len, best.lanes))):
                best = group
        return best

    def lane_shape(self, lane: list, described: tuple, seen_variables: set) -> tuple | None:
        """The shape of all of a lane's arrays if the lane may join a group, else None: small arrays of
        one shape, variables no earlier lane touched (``seen_variables``, updated), and every output
        read inside the lane only."""
        _, _, variables = described
        outs = [t for p in lane for t in self.plan[p].outputs]
        shape = tuple(outs[0].shape) if outs else tuple(variables[0].shape)
        if None in shape or int(np.prod(shape)) >= FUSE_MIN:
            return None
        if any(tuple(t.shape) != shape for t in outs) or any(tuple(v.shape) != shape for v in variables):
            return None
        if seen_variables & {id(v) for v in variables}:
            return None  # two lanes touch one variable: they must run one after the other
        for p in lane:
            for t in self.plan[p].outputs:
                if self.last_use.get(id(t), -1) >= len(self.plan) or not self.consumers.get(id(t), set()) <= set(lane):
                    return None
        seen_variables |= {id(v) for v in variables}
        return shape

    def checked_lanes(self, lanes: list, described: list, shapes: list):
        """``_Lanes`` if the lanes (each checked by ``lane_shape``, of ``shapes``) may run as one
        computation on their concatenation, else None."""
        inside = {p for lane in lanes for p in lane}
        produced = {id(t) for p in inside for t in self.plan[p].outputs}
        for e in range(len(described[0][1])):
            column = [d[1][e] for d in described]
            if any(id(t) in produced for t in column) or any(_dtype(t) != _dtype(column[0]) for t in column):
                return None
            shared = all(t is column[0] for t in column)
            if shared and tuple(column[0].shape) != ():
                return None
            if not shared and any(tuple(t.shape) != shape for t, shape in zip(column, shapes)):
                return None
        for j in range(len(lanes[0])):  # each step's result has one dtype in every lane
            dtypes = {_dtype(self.plan[lane[j]].outputs[0]) if self.plan[lane[j]].outputs
                      else self.plan[lane[j]].attrs["variable"]._value.dtype for lane in lanes}
            if len(dtypes) != 1:
                return None
        return _Lanes(lanes, [d[1] for d in described], [d[2] for d in described], shapes)

    def write_lanes(self, group: "_Lanes") -> int:
        """Write a horizontal group: each outside input concatenated (flat), each op once on the
        concatenation, each new variable value a slice of it; returns the position after the group."""
        lanes, plan = group.lanes, self.plan
        first, last = lanes[0][0], lanes[-1][-1]
        for position in range(first, last + 1):
            if plan[position].kind == "Const":
                self.write_step(position)  # constants first: they read nothing
        sizes = [int(np.prod(shape)) for shape in group.shapes]
        offsets = np.cumsum([0] + sizes).tolist()
        tag = f"g{first}"
        names = [step.name for step in (plan[p] for p in lanes[0])]
        self.lines.append(f"    # horizontal: {len(lanes[0])} ops ({', '.join(names[:3])} ...) on {len(lanes)} arrays "
                          f"at once, concatenated ({sum(sizes)} elements)")
        flat: dict[tuple, str] = {}  # ("outside", e) or ("step", j) -> its flat name
        made = []
        # Each assignment of the group leaves its variables' new values as slices of one flat array;
        # ``cuts[j]``, a one-item list in the namespace, keeps (that array, the slices) from the last
        # call, so that a concatenation of exactly those values (the next call's read of the
        # variables) is that array again, with no copy.
        # NumPy only: a CUDA graph reads fixed addresses, and takes a value held elsewhere (as here)
        # for one a user holds (minitf/cuda_graph.py).
        assigned = {id(plan[p].attrs["variable"]): j for j, p in enumerate(lanes[0])
                    if "variable" in plan[p].attrs} if B.xp is np else {}
        cuts = {j: f"_cut{first}_{j}" for j in assigned.values()}
        for name in cuts.values():
            self.namespace[name] = [()]
        cut_reads: dict[int, str] = {}  # j -> the name of the old values read through cuts[j]

        def concatenation(name: str, parts: list, variables: list, comment: str = "") -> None:
            """``name = parts concatenated``, or the array the assignment of ``variables`` cut them from."""
            joined = f"_concatenate(({''.join(part + '.ravel(), ' for part in parts)}))"
            j = assigned.get(id(variables[0])) if variables[0] is not None else None
            lined_up = j is not None and all(plan[lane[j]].attrs["variable"] is v for v, lane in zip(variables, lanes))
            if not lined_up:
                self.lines.append(f"    {name} = {joined}{comment}")
                return
            same = " and ".join(f"{part} is _c[{k + 1}]" for k, part in enumerate(parts))
            self.lines.append(f"    _c = {cuts[j]}[0]  # (the array the last call cut the new values from, and they)")
            self.lines.append(f"    {name} = _c[0] if _c and {same} else {joined}{comment}")
            cut_reads[j] = name

        for e, t in enumerate(group.externals[0]):
            column = [externals[e] for externals in group.externals]
            if all(u is t for u in column):
                flat[("outside", e)] = self.names[id(t)]
            else:
                name = f"{tag}_x{e}"
                read = [self.producers.get(id(u)) for u in column]  # reads of variables (a layer's kernel) or not
                concatenation(name, [self.names[id(u)] for u in column],
                              [r.variable if r is not None and r.op is ReadVariableOp else None for r in read])
                flat[("outside", e)] = name
                made.append(name)
        externals0 = group.externals[0]
        # The arrays just concatenated are dead now (the group reads the concatenation): deleted here,
        # so that a variable's slice read for the concatenation is held by nothing but its variable
        # and the cut when ``_only_the_variables_hold`` counts (below).
        shared = {id(t) for e, t in enumerate(externals0) if all(ext[e] is t for ext in group.externals)}
        spent = sorted({self.names[id(u)] for ext in group.externals for u in ext if id(u) not in shared
                        and self.last_use.get(id(u), -1) <= last and self.names.get(id(u), "").startswith(("t", "a"))})
        if spent:
            self.lines.append(f"    del {', '.join(spent)}")
            self.deleted.update(spent)
        local: dict[int, tuple] = {}
        steps = []  # (j, kind, the line's name, its argument names, its expression, its comment)
        for j, position in enumerate(lanes[0]):
            step = plan[position]
            if step.op is ReadVariableOp:
                out = step.outputs[0]
                number = [id(v) for v in group.variables[0]].index(id(step.variable))
                writes = [k for k in range(j) if plan[lanes[0][k]].attrs.get("variable") is step.variable]
                if writes:  # the value this group assigned
                    flat[("step", j)] = flat[("step", writes[-1])]
                else:
                    name = f"{tag}_{j}"
                    variables = [variables[number] for variables in group.variables]
                    concatenation(name, [f"{self.variable_name(v, lane[j])}._value" for v, lane in zip(variables, lanes)],
                                  variables, f"  # {step.name} ...")
                    flat[("step", j)] = name
                    made.append(name)
                local[id(out)] = ("step", j)
                continue
            args = []
            for t in step.inputs:
                ref = local.get(id(t))
                if ref is None:
                    ref = ("outside", [id(u) for u in externals0].index(id(t)))
                args.append(flat[ref])
            kind, template, _ = self.inline(step, [None] * len(step.outputs))
            name = f"{tag}_{j}"
            steps.append((j, kind, name, args, template.format(*args), f"  # {step.name}: {step.op.name} ..."))
            flat[("step", j)] = name
            made.append(name)
            for t in step.outputs:
                local[id(t)] = ("step", j)
        after = []
        for j, kind, name, args, expression, comment in steps:
            # An assignment may write into the array its variables' old values were read through (a
            # cut): then the variables, holding slices of it, see their new values with no new slices
            # (Adam's moments and weights, updated where they lie). Only where no later step of the
            # group reads the old values, the kernel is one ufunc with out=, of the variable's dtype;
            # and, as the replay finds when it runs, nothing outside holds any of it.
            old = cut_reads.get(j) if kind == "assign" else None
            call = _ufunc_call(expression, self.namespace) if old is not None else None
            dtype = plan[lanes[0][j]].attrs["variable"]._value.dtype if kind == "assign" else None
            if call is not None and all(old not in later[3] for later in steps if later[0] > j) and all(
                    _dtype(t) == dtype for t in plan[lanes[0][j]].inputs):
                self.lines.append(f"    {name} = {call[0]}({', '.join(call[1])}, out={old}) "
                                  f"if _only_the_variables_hold({cuts[j]}[0], {old}) else {expression}{comment}")
                after.append(f"    if {name} is not {old}:  # (else written in place: the variables hold its slices)")
                indent = "    "
            else:
                self.lines.append(f"    {name} = {expression}{comment}")
                indent = ""
            if kind == "assign":
                values = []
                for k, lane in enumerate(lanes):
                    variable = plan[lane[j]].attrs["variable"]
                    part = f"{name}[{offsets[k]}:{offsets[k + 1]}]"  # a view of the slice; a vector needs no reshape
                    values.append(f"{self.variable_name(variable, lane[j])}._value")
                    after.append(f"    {indent}{values[-1]} = "
                                 + (part if len(group.shapes[k]) == 1 else f"{part}.reshape({group.shapes[k]})"))
                if j in cuts:  # (one assignment: another thread sees all of it or none)
                    after.append(f"    {indent}{cuts[j]}[0] = ({name}, {', '.join(values)})")
        self.lines.extend(after)
        if made:
            self.lines.append(f"    del {', '.join(made)}")
        self.free([p for p in range(first, last + 1)])
        return last + 1
