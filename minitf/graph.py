"""Graphs: what ``minitf.function`` records while it traces, and the code that replays it.

Tracing. While a function is traced, this thread's ``state.graph`` is a ``FuncGraph``, and
every ``Op.apply`` lands in ``FuncGraph.add_op`` instead of computing: the op becomes an
``Operation`` (a node: the op, its input tensors, its attributes), and its outputs are
``GraphTensor``s, symbolic tensors that know their shape and dtype but have no value the
Python code can read. To learn the output shapes, the trace runs each op's kernel on
*example* arrays (the call's own arguments, or zeros for a bare ``TensorSpec``) that stay
inside the graph; ``tensor._value`` of a GraphTensor holds only a shape and a dtype, so code
that tried to compute with it would fail loudly instead of baking one call's numbers in.
Examples cost memory (a training step's whole forward and backward pass), so a trace drops the
large ones that no Python code can reach any more as it goes, and all of them once it is compiled
(``release_examples``).

What becomes a node:
- ``Placeholder``: each tensor argument of the function;
- ``Const``: an eager tensor the function uses (a closure, a Python number converted);
- ``ReadVariableOp``: each read of a variable, where it happens (so reads and the assigns
  between them keep their order);
- every other op, with stateful ones (assignments, prints, random draws) marked as such.

Replay. ``FuncGraph.compile`` turns the graph into one plain Python function, one line per
op, which calls the ops' ``forward`` kernels on arrays (print ``concrete.graph.source`` to read
it). Before that it drops the ops nothing needs (not an output, no side effect, feeding
neither), computes once the ops whose inputs are all constants, and deletes each array after
its last use so that memory is freed as early as the graph allows. A replay creates no
Tensor objects, checks no dtypes, and runs no Python of the traced function: that is where
the speed of a traced training step comes from.
"""
from __future__ import annotations

import linecache
import math
import re
import sys
from typing import Any, Callable

import numpy as np

from minitf import array_backend as B
from minitf._context import state
from minitf.errors import InvalidArgumentError, OperatorNotAllowedInGraphError, OpError
from minitf.host_memory import return_free_heap
from minitf.ops.op import ReadVariableOp, _record, read_variable
from minitf.tensor import Tensor, Variable


# A trace sweeps for examples nothing can use any more after every _SWEEP_BYTES of new examples; it
# drops only large ones (small arrays may be shapes or indices that a later op's static shape reads).
# 16 MiB, not 64: the first fit of TinyVGG with 64 filters on 56x56 images peaked at 176 MiB of
# arrays with 64, 119 with 16 (its replay needs 84); smaller measured no lower. Sweeping before the
# next op's kernel, not right after the op that crossed the line, brought it to 100 MiB.
_SWEEP_BYTES = 16 << 20
_RELEASE_MIN_BYTES = 1 << 20


# --- symbolic tensors ------------------------------------------------------------------------
class _Symbolic:
    """The ``_value`` of a GraphTensor: a static shape (None where unknown) and a dtype, no data."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple, dtype: np.dtype):
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self):
        return None if None in self.shape else int(np.prod(self.shape, dtype=np.int64))

    def _refuse(self, *args, **kwargs):
        raise OperatorNotAllowedInGraphError(
            "A symbolic tensor of a function being traced has no value yet: its array cannot be read or "
            "computed with in Python. Use minitf ops on the tensor instead.")

    __array__ = __bool__ = __float__ = __int__ = __index__ = __len__ = __iter__ = __getitem__ = _refuse
    reshape = astype = item = tolist = sum = max = min = all = any = copy = _refuse


class NodeDef:
    """One node of ``FuncGraph.as_graph_def()``: its ``name``, ``op`` (type) and ``input`` names."""

    __slots__ = ("name", "op", "input")

    def __init__(self, name: str, op: str, inputs: list):
        self.name, self.op, self.input = name, op, inputs

    def __repr__(self) -> str:
        return f"NodeDef(name={self.name!r}, op={self.op!r}, input={self.input!r})"


class GraphDef:
    """``FuncGraph.as_graph_def()``: the list ``node`` of NodeDefs (the structure of TF's protobuf)."""

    def __init__(self, nodes: list):
        self.node = nodes

    def __repr__(self) -> str:
        return "\n".join(f'node {{ name: "{n.name}" op: "{n.op}" ' + "".join(f'input: "{i}" ' for i in n.input) + "}"
                         for n in self.node)


class SymbolicNumpyError(NotImplementedError, AttributeError):
    """``numpy()`` of a symbolic tensor. TF's graph tensors have no ``numpy`` at all (an AttributeError,
    which code leaking a tensor out of a tf.function catches); minitf's say why."""


class GraphTensor(Tensor):
    """A symbolic tensor: an output of an operation in a traced graph (``Tensor("mul:0", ...)``)."""

    __slots__ = ("_graph", "_op", "_index", "_example")

    def __init__(self, graph: "FuncGraph", op: "Operation", index: int, shape: tuple, dtype, example):
        super().__init__(_Symbolic(shape, dtype))
        self._graph, self._op, self._index, self._example = graph, op, index, example

    @property
    def name(self) -> str:
        return f"{self._op.name}:{self._index}"

    @property
    def op(self) -> "Operation":
        return self._op

    @property
    def graph(self) -> "FuncGraph":
        return self._graph

    def numpy(self):
        raise SymbolicNumpyError(
            f"Tensor {self.name} is symbolic: it belongs to a function being traced and has no value yet. "
            "numpy() is only available in eager code; inside the function use minitf ops, and tf.print to "
            "see values when the function runs.")

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(
            f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. This happens when a NumPy "
            "function is called on a tensor inside a traced function: use the minitf op instead.")

    def _refuse(self, what: str, instead: str):
        raise OperatorNotAllowedInGraphError(
            f"{what} a symbolic tf.Tensor ({self.name}) is not allowed in a traced function: its value is only "
            f"known when the function runs, and a traced function does not run its Python again. {instead}")

    def __bool__(self):
        self._refuse("Using", "For a branch, write tf.cond(pred, true_fn, false_fn); for a choice per element, "
                              "tf.where(cond, x, y); for a loop, tf.while_loop(cond, body, loop_vars).")

    def __float__(self):
        self._refuse("Converting to float", "Keep it a tensor (tf.cast), or return it from the function.")

    def __int__(self):
        self._refuse("Converting to int", "Keep it a tensor (tf.cast), or return it from the function.")

    def __index__(self):
        self._refuse("Using as an index", "Index with tf.gather, or with a Python int.")

    def __len__(self) -> int:
        n = self.shape[0] if self.ndim else None
        if n is None:
            self._refuse("Taking len() of", "Use tf.shape(x)[0], which is a tensor.")
        return n

    def __iter__(self):
        if not self.ndim or self.shape[0] is None:
            self._refuse("Iterating over", "Use tf.while_loop, or tf.unstack when the length is known.")
        return (self[i] for i in range(self.shape[0]))

    def __format__(self, spec: str) -> str:
        return format(repr(self), spec) if spec else repr(self)

    def __repr__(self) -> str:
        return f'Tensor("{self.name}", shape={_static_shape_str(self.shape)}, dtype={self.dtype.name})'

    __str__ = __repr__


def static_value(t):
    """What a trace knows of a small int tensor's value before the function runs (TF's
    ``constant_value_as_shape``): an int or None for a scalar, a tuple of those for a vector, None
    when nothing is known. ``tf.zeros(tf.shape(x))`` takes its static shape from it, so a size that
    is unknown (None) while tracing stays unknown, not the first call's size."""
    shape, dtype = t._value.shape, np.dtype(t._value.dtype)
    if len(shape) > 1 or shape and (shape[0] is None or shape[0] > 64) or dtype.kind not in "iu":
        return None  # not a shape: nothing to look for (and no walk back through a large graph)
    if not isinstance(t, GraphTensor):
        return _python_value(B.to_numpy(t._value))
    op = t._op
    if op.type == "Const":
        return _python_value(B.to_numpy(op.value))
    kind = op.type
    if kind == "Shape":
        return tuple(op.inputs[0].shape)
    if kind == "Rank":
        return len(op.inputs[0].shape)
    if kind == "Size" and None not in op.inputs[0].shape:
        return math.prod(op.inputs[0].shape)
    parts = [static_value(x) for x in op.inputs]
    if kind == "Pack" and op.attrs.get("axis") == 0 and all(p is None or isinstance(p, int) for p in parts):
        return tuple(parts)
    if kind == "ConcatV2" and op.attrs.get("axis") in (0, -1) and all(isinstance(p, tuple) for p in parts):
        return sum(parts, ())
    if kind == "StridedSlice" and isinstance(parts[0], tuple):
        picked = np.array(parts[0], dtype=object)[op.attrs["key"]]
        return tuple(picked.tolist()) if isinstance(picked, np.ndarray) else picked
    if kind == "Cast" and np.dtype(op.attrs["dtype"]).kind in "iu":
        return parts[0]
    if not op.stateful and not isinstance(op.op, str) and parts and all(
            isinstance(p, int) or isinstance(p, tuple) and None not in p for p in parts):
        # Small int arithmetic on known values (a shape plus one): computed now, as TF's shape inference does
        arrays = [B.xp.asarray(np.asarray(p, x._value.dtype)) for p, x in zip(parts, op.inputs)]
        with np.errstate(all="ignore"):
            try:
                return _python_value(B.to_numpy(op.op.forward(*arrays, **op.attrs)))
            except Exception:  # noqa: BLE001 (the kernel's own error comes when the function runs)
                pass
    return (None,) * shape[0] if shape else None


def _python_value(array):
    if array.dtype.kind not in "iu" or array.ndim > 1:
        return None
    return int(array) if array.ndim == 0 else tuple(int(v) for v in array)


def _static_shape_str(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _broadcast_static(shapes) -> tuple:
    """NumPy's broadcasting on static shapes with unknown (None) sizes: a known size other than 1
    wins; otherwise an unknown size stays unknown."""
    shapes = [tuple(s) for s in shapes]
    rank = max(map(len, shapes), default=0)
    padded = [(1,) * (rank - len(s)) + s for s in shapes]
    out = []
    for column in zip(*padded):
        sizes = {d for d in column if d is not None and d != 1}
        out.append(sizes.pop() if sizes else (None if None in column else 1))
    return tuple(out)


# --- the graph --------------------------------------------------------------------------------
class Operation:
    """One node of a graph: an op applied to input tensors with attributes (TF's ``tf.Operation``)."""

    __slots__ = ("graph", "name", "op", "inputs", "attrs", "outputs", "many", "value", "variable")

    def __init__(self, graph: "FuncGraph", name: str, op: type, inputs: tuple, attrs: dict):
        self.graph, self.name, self.op, self.inputs, self.attrs = graph, name, op, inputs, attrs
        self.outputs: tuple = ()
        self.many = False  # the kernel returns a tuple (even of one array)
        self.value = None  # a Const's array
        self.variable = None  # the variable a ReadVariableOp reads

    @property
    def type(self) -> str:
        return self.op if isinstance(self.op, str) else self.op.name

    @property
    def stateful(self) -> bool:
        return not isinstance(self.op, str) and self.op.stateful

    def get_attr(self, name: str) -> Any:
        return self.attrs[name]

    def __repr__(self) -> str:
        ins = ", ".join(t.name for t in self.inputs)
        return f"<tf.Operation '{self.name}' type={self.type}({ins})>"


class FuncGraph:
    """The graph of one traced function: its operations in the order they ran."""

    def __init__(self, name: str, outer: "FuncGraph | None" = None):
        self.name = name
        self.outer = outer  # the graph this one is nested in (a tf.cond branch), if any
        self.operations: list[Operation] = []
        self.inputs: list[GraphTensor] = []  # placeholders, in argument order, then captures
        self.captures: list[tuple[Tensor, GraphTensor]] = []  # (tensor of an outer graph, its placeholder)
        self.outputs: list = []
        self.created_variables: list[Variable] = []
        self.variable_args: list[Variable] = []  # variables passed as arguments: the replay takes them too
        self.variable_values: dict[int, Any] = {}  # example values of variables assigned while tracing
        self._names: dict[str, int] = {}
        self._consts: dict[int, GraphTensor] = {}  # id(eager tensor) -> its Const (kept alive by .value)
        self._captured: dict[int, GraphTensor] = {}
        self.source: str | None = None  # the replay code, once compiled
        self._example_bytes = 0  # example bytes created since the last sweep (see _release_unreachable_examples)

    # --- building -------------------------------------------------------------------------
    def _unique(self, base: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_./-]", "_", base) or "op"
        count = self._names.get(base, 0)
        self._names[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    def _new_op(self, name: str, op, inputs: tuple, attrs: dict) -> Operation:
        operation = Operation(self, self._unique(name), op, inputs, attrs)
        self.operations.append(operation)
        return operation

    def placeholder(self, shape, dtype, example, name: str = "x") -> GraphTensor:
        """A tensor argument of the function: static ``shape`` (None where any size goes)."""
        op = self._new_op(name, "Placeholder", (), {"shape": tuple(shape), "dtype": np.dtype(dtype)})
        tensor = GraphTensor(self, op, 0, shape, dtype, example)
        op.outputs = (tensor,)
        self.inputs.append(tensor)
        return tensor

    def constant(self, tensor: Tensor) -> GraphTensor:
        """The node holding an eager tensor the function uses (one per tensor)."""
        found = self._consts.get(id(tensor))
        if found is not None and found._op.value is tensor._value:
            return found
        op = self._new_op("Const", "Const", (), {})
        op.value = tensor._value
        result = GraphTensor(self, op, 0, tensor._value.shape, tensor._value.dtype, tensor._value)
        op.outputs = (result,)
        self._consts[id(tensor)] = result
        return result

    def read(self, variable: Variable) -> GraphTensor:
        """A read of ``variable`` at this point of the function."""
        op = self._new_op(variable.name.split(":")[0] + "/Read/ReadVariableOp", ReadVariableOp, (), {})
        op.variable = variable
        example = self.variable_values.get(id(variable), variable._value)
        result = GraphTensor(self, op, 0, variable._value.shape, variable._value.dtype, example)
        op.outputs = (result,)
        return result

    def _resolve(self, x: Tensor) -> GraphTensor:
        """``x`` as a tensor of this graph: itself, a capture of an outer graph's tensor, or a Const."""
        if isinstance(x, GraphTensor):
            if x._graph is self:
                return x
            graph = self.outer
            while graph is not None and x._graph is not graph:
                graph = graph.outer
            if graph is None:  # TF's TypeError
                raise TypeError(
                    f"{x!r} is out of scope and cannot be used here. Use return values, explicit Python locals or "
                    "TensorFlow collections to access it. The tensor cannot be accessed from "
                    f"FuncGraph(name={self.name}), because it was defined in FuncGraph(name={x._graph.name}), "
                    "which is out of scope (another traced function, or one that finished tracing): pass it to "
                    "this function as an argument, or return it and use the result.")
            found = self._captured.get(id(x))
            if found is None:
                found = self._captured[id(x)] = self.placeholder(x.shape, x._value.dtype, x._example,
                                                                  name=x._op.name + "_capture")
                self.captures.append((x, found))
            return found
        return self.constant(x)

    def add_op(self, op: type, inputs: tuple, attrs: dict):
        """Trace one op: a node, its outputs as GraphTensors, and the tapes told (see ``Op.apply``)."""
        if op is ReadVariableOp:
            (variable,) = inputs
            result = self.read(variable)
            if state.tapes:
                _record(op, inputs, result, attrs)
            return result
        if any(isinstance(x, Variable) for x in inputs):
            inputs = tuple(read_variable(x) if isinstance(x, Variable) else x for x in inputs)
        nodes = tuple(self._resolve(x) for x in inputs)
        if self._example_bytes > _SWEEP_BYTES:
            # Before this kernel allocates: what the traced code dropped since the last op (a tape's
            # walk moves on only between ops) is freed first.
            self._release_unreachable_examples()
            if B.xp is np:
                return_free_heap()  # the holes those examples leave go back to the system (minitf/host_memory.py)
        examples = [t._example for t in nodes]
        run = op.trace_forward if op.stateful else op.forward
        try:
            with np.errstate(all="ignore"):  # example values may well divide by zero: no warnings
                out = run(*examples, **attrs)
        except (ValueError, IndexError) as e:
            out = self._retry_on_unit_examples(op, nodes, attrs, run, e)
        operation = self._new_op(_snake(op.name), op, nodes, attrs)
        if out is None:
            return None
        operation.many = many = type(out) is tuple
        arrays = out if many else (out,)
        shapes = self._static_shapes(op, nodes, attrs, arrays, many)
        operation.outputs = tuple(GraphTensor(self, operation, i, shape, a.dtype, a)
                                  for i, (shape, a) in enumerate(zip(shapes, arrays)))
        outputs = operation.outputs if many else operation.outputs[0]
        self._example_bytes += sum(getattr(a, "nbytes", 0) for a in arrays)
        if state.tapes and op.backward is not None:
            _record(op, inputs, outputs, attrs)
        return outputs

    @staticmethod
    def _retry_on_unit_examples(op: type, nodes: tuple, attrs: dict, run, error: Exception):
        """The example arrays of a signature with unknown sizes can disagree (a (2,) and a (3,) for two
        (None,) inputs) where the program is fine for other sizes. Then the kernel is tried on zeros of
        size 1 in the unknown dimensions; if that fails too, the error was real."""
        unknown = any(None in t._value.shape for t in nodes)
        if unknown:
            units = [B.zeros(tuple(1 if d is None else d for d in t._value.shape), t._value.dtype)
                     for t in nodes]
            try:
                with np.errstate(all="ignore"):
                    return run(*units, **attrs)
            except (ValueError, IndexError):
                pass
        if isinstance(error, OpError):
            raise error
        raise op.invalid(nodes, attrs, error) from None

    @staticmethod
    def _static_shapes(op: type, nodes: tuple, attrs: dict, arrays: tuple, many: bool) -> list:
        """The outputs' static shapes: the op's rule if it has one; else the example's, made unknown
        (None) everywhere when an input's shape is not fully known."""
        if op.shape_value_inputs:
            args = [static_value(t) if i in op.shape_value_inputs else t._value.shape for i, t in enumerate(nodes)]
            shape = op.shape(*args, **attrs)
            return [tuple(shape) if shape is not None else (None,) * arrays[0].ndim]
        known = all(None not in t._value.shape for t in nodes)
        if op.shape is not None and (not known or getattr(op, "static_shapes_from_rule", False)):
            shape = op.shape(*[t._value.shape for t in nodes], **attrs)
            return [tuple(s) for s in shape] if many else [tuple(shape)]
        if known:
            return [a.shape for a in arrays]
        if op.elementwise and not many:
            return [_broadcast_static(t._value.shape for t in nodes)]
        return [(None,) * a.ndim for a in arrays]

    # --- reading -------------------------------------------------------------------------
    def get_operations(self) -> list[Operation]:
        return list(self.operations)

    def as_graph_def(self) -> "GraphDef":
        """The graph as TF's ``GraphDef`` lists it: ``.node``, one NodeDef (``name``, ``op``, ``input``:
        the names of the tensors it reads, ``op:i``, or just ``op`` for output 0) per operation, then an
        ``Identity`` node per output of the function."""
        def tensor_name(t) -> str:
            if not isinstance(t, GraphTensor):
                return str(getattr(t, "name", t))
            return t._op.name if t._index == 0 else t.name
        nodes = [NodeDef(op.name, op.type, [tensor_name(t) for t in op.inputs if isinstance(t, GraphTensor)])
                 for op in self.operations]
        for i, output in enumerate(t for t in self.outputs if isinstance(t, GraphTensor)):
            nodes.append(NodeDef("Identity" if i == 0 else f"Identity_{i}", "Identity", [tensor_name(output)]))
        return GraphDef(nodes)

    def get_operation_by_name(self, name: str) -> Operation:
        for op in self.operations:
            if op.name == name:
                return op
        raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")

    @property
    def variables(self) -> list[Variable]:
        seen, out = set(), []
        for op in self.operations:
            if op.variable is not None and id(op.variable) not in seen:
                seen.add(id(op.variable))
                out.append(op.variable)
        return out

    def __repr__(self) -> str:
        return f"<FuncGraph '{self.name}' with {len(self.operations)} operations>"

    # --- replay --------------------------------------------------------------------------------
    def compile(self, outputs: list) -> Callable:
        """Python code that runs this graph on arrays: ``replay(*input_arrays) -> output arrays``
        (see ``minitf/compiler.py``). The code is kept in ``self.source``."""
        from minitf.compiler import compile_graph
        replay, self.source = compile_graph(self, outputs)
        return replay

    def _release_unreachable_examples(self) -> None:
        """While tracing: drop the large examples of outputs that only this graph still refers to (no
        Python variable or container holds the tensor, so no later op can take it as an input), or
        this graph and recording tapes whose ops' gradients read no value of it (a conv's output,
        held by the tape for the bias add after it, whose gradient reads only its shape: see
        ``Op.grad_reads_inputs``). The trace's memory then follows what the traced Python code
        and its gradient keep alive, as eager code's does, instead of holding every example of a
        training step at once."""
        self._example_bytes = 0
        uses: dict[int, int] = {}  # references from this graph itself: its operations' input tuples
        for operation in self.operations:
            for x in operation.inputs:
                uses[id(x)] = uses.get(id(x), 0) + 1
        read_later = _tape_references(uses)
        for operation in self.operations:
            if isinstance(operation.op, str):  # Placeholder, Const: their arrays belong to others
                continue
            for tensor in operation.outputs:
                # beyond those: operation.outputs, the loop variable and getrefcount's argument
                if id(tensor) not in read_later and sys.getrefcount(tensor) <= 3 + uses.get(id(tensor), 0):
                    example = tensor._example
                    if (getattr(example, "nbytes", 0) >= _RELEASE_MIN_BYTES and example.dtype != object
                            and example.strides.count(0) < example.ndim):
                        tensor._example = B.xp.broadcast_to(B.xp.zeros((), dtype=example.dtype), example.shape)

    def release_examples(self) -> None:
        """Once traced and compiled, drop the example arrays of the ops' outputs: each becomes a
        read-only zero-strided view of one zero (its shape and dtype, no memory). Otherwise a traced
        training step keeps one batch's whole forward and backward pass alive for as long as the
        model lives (800 MB for the course's TinyVGG at 224x224). Consts keep their values."""
        for operation in self.operations:
            if operation.op == "Const":
                continue
            for tensor in operation.outputs:
                example = tensor._example
                if getattr(example, "ndim", 0) and example.size > 1 and example.dtype != object:  # (strings stay)
                    tensor._example = B.xp.broadcast_to(B.xp.zeros((), dtype=example.dtype), example.shape)


def _tape_references(uses: dict[int, int]) -> set[int]:
    """Count, into ``uses``, the references the recording tapes of this thread hold to tensors
    (their tracked and watched tensors, each recorded op's inputs and outputs); return the ids of
    the tensors whose values a recorded op's gradient will read. A tape no longer recording (its
    ``gradient`` not called yet) is not counted: what it holds then stays (the safe side)."""
    read_later: set[int] = set()
    contexts: dict[int, object] = {}
    for tape in state.tapes:
        for held in (tape._tracked, tape._watched):
            for t in held.values():
                uses[id(t)] = uses.get(id(t), 0) + 1
        for ctx in tape._entries or ():
            contexts[id(ctx)] = ctx  # a context recorded by two tapes is one object
    for ctx in contexts.values():
        for tensors, read in ((ctx.inputs, ctx.op.grad_reads_inputs), (ctx.outputs, ctx.op.grad_reads_outputs)):
            for t in tensors:
                uses[id(t)] = uses.get(id(t), 0) + 1
                if read:
                    read_later.add(id(t))
    return read_later


def _live_operations(operations: list, outputs: list) -> list:
    """The operations an output or a side effect needs, in their order (the rest are dropped)."""
    needed: set[int] = set()
    stack = [t._op for t in outputs] + [op for op in operations if op.stateful]
    while stack:
        op = stack.pop()
        if id(op) in needed:
            continue
        needed.add(id(op))
        stack.extend(t._op for t in op.inputs)
    return [op for op in operations if id(op) in needed or op.type == "Placeholder"]


def _snake(name: str) -> str:
    name = re.sub(r"V\d+$", "", name)
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def replay_error(replay: Callable, error: BaseException) -> BaseException:
    """Name the graph node whose kernel failed during a replay (an InvalidArgumentError, as TF's)."""
    if isinstance(error, OpError) or not isinstance(error, (ValueError, IndexError, TypeError)):
        return error
    tb = error.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == getattr(replay, "__minitf_filename__", None):
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None:
        return error
    text = linecache.getline(replay.__minitf_filename__, line).strip()
    node = text.split("# ", 1)[-1] if "# " in text else text
    return InvalidArgumentError(f"{node}: {error}", node.split(":")[0])


def inline(graph: FuncGraph, outputs: list, inputs: list, variables: list | None = None) -> list:
    """Run ``graph``'s operations as ops on tensors (``Op.apply``), with ``inputs`` for its
    placeholders (and ``variables`` for the variables it took as arguments): a recording tape
    records each of them, and a trace being built takes them in.

    Returns the tensors standing for ``outputs``.
    """
    swap = {id(v): w for v, w in zip(graph.variable_args, variables or [])}
    values: dict[int, Any] = {id(p): x for p, x in zip(graph.inputs, inputs)}
    for op in _live_operations(graph.operations, outputs):
        if op.type == "Placeholder":
            continue
        if op.type == "Const":
            values[id(op.outputs[0])] = Tensor(op.value)
            continue
        if op.op is ReadVariableOp:
            values[id(op.outputs[0])] = read_variable(swap.get(id(op.variable), op.variable))
            continue
        attrs = {k: swap.get(id(v), v) for k, v in op.attrs.items()}
        result = op.op.apply(*[values[id(t)] for t in op.inputs], **attrs)
        results = result if type(result) is tuple else (result,)
        for t, r in zip(op.outputs, results):
            values[id(t)] = r
    return [values[id(t)] for t in outputs]
