"""Graphs: what ``minitf.function`` records while it traces, and the code that replays it.

Tracing. While a function is traced, this thread's ``state.graph`` is a ``FuncGraph``, and
every ``Op.apply`` lands in ``FuncGraph.add_op`` instead of computing: the op becomes an
``Operation`` (a node: the op, its input tensors, its attributes), and its outputs are
``GraphTensor``s, symbolic tensors that know their shape and dtype but have no value the
Python code can read. To learn the output shapes, the trace runs each op's kernel on
*example* arrays (the call's own arguments, or zeros for a bare ``TensorSpec``) that stay
inside the graph; ``tensor._value`` of a GraphTensor holds only a shape and a dtype, so code
that tried to compute with it would fail loudly instead of baking one call's numbers in.

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

import ast
import functools
import inspect
import linecache
import re
import textwrap
from typing import Any, Callable

import numpy as np

from minitf import backend as B
from minitf._context import state
from minitf.errors import InvalidArgumentError, OperatorNotAllowedInGraphError, OpError
from minitf.ops.op import Op, ReadVariableOp, _record, read_variable
from minitf.tensor import Tensor, TensorShape, Variable


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
        raise NotImplementedError(
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


def _static_shape_str(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


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
            if graph is None:
                raise InvalidArgumentError(
                    f"Tensor {x.name} belongs to another traced function (or to one that finished tracing) and "
                    "cannot be used here: pass it to this function as an argument, or return it and use the result.")
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
            units = [B.xp.zeros(tuple(1 if d is None else d for d in t._value.shape), dtype=t._value.dtype)
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
        known = all(None not in t._value.shape for t in nodes)
        if op.shape is not None and (not known or getattr(op, "static_shapes_from_rule", False)):
            shape = op.shape(*[t._value.shape for t in nodes], **attrs)
            return [tuple(s) for s in shape] if many else [tuple(shape)]
        if known:
            return [a.shape for a in arrays]
        return [(None,) * a.ndim for a in arrays]

    # --- reading -------------------------------------------------------------------------
    def get_operations(self) -> list[Operation]:
        return list(self.operations)

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
        """Python code that runs this graph on arrays: ``replay(*input_arrays) -> output arrays``.

        ``outputs`` are tensors of this graph. The steps: keep the operations an output or a side
        effect needs; compute once those whose inputs are all constants; merge repeated computations
        (the same op on the same inputs, e.g. an optimizer's bias correction for every variable);
        then write one line per operation, deleting each array after its last use. The code is kept
        in ``self.source``; the graph itself is left as it was traced.
        """
        plan = [_Step(op) for op in _live_operations(self.operations, outputs)]
        plan = _fold_constants(plan)
        plan, outputs = _merge_repeats(plan, outputs)
        plan = _live_steps(plan, outputs)
        namespace: dict[str, Any] = {}
        names: dict[int, str] = {}  # id(tensor) -> its name in the code
        for i, t in enumerate(self.inputs):
            names[id(t)] = f"a{i}"
        last_use: dict[int, int] = {}
        for position, step in enumerate(plan):
            for t in step.inputs:
                last_use[id(t)] = position
        for t in outputs:
            last_use[id(t)] = len(plan)
        handles = {id(v): f"h{i}" for i, v in enumerate(self.variable_args)}  # variables passed in
        params = [names[id(t)] for t in self.inputs] + list(handles.values())
        # NumPy's floating-point warnings are off for the whole replay (TF computes inf and nan
        # silently): one switch per call instead of one per op.
        namespace["_errstate"] = np.errstate
        lines = [f"def replay({', '.join(params)}):", "  with _errstate(all='ignore'):"]

        def variable_name(variable, position: int) -> str:
            if id(variable) in handles:
                return handles[id(variable)]
            namespace[f"v{position}"] = variable
            return f"v{position}"

        for i, stand_in in enumerate({id(t): t for step in plan for t in step.inputs
                                      if isinstance(t, _ShapeStandIn)}.values()):
            names[id(stand_in)] = f"s{i}"  # a zero-strided stand-in for an input read only for its shape
            namespace[f"s{i}"] = stand_in.value
        for position, step in enumerate(plan):
            if step.kind == "Placeholder":
                continue
            if step.kind == "Const":
                name = f"c{position}"
                namespace[name] = step.value
                names[id(step.outputs[0])] = name
                continue
            outs = [f"t{position}_{i}" if len(step.outputs) > 1 else f"t{position}" for i in range(len(step.outputs))]
            for t, name in zip(step.outputs, outs):
                names[id(t)] = name
            inline = None if step.op is ReadVariableOp else _inline_form(step.op)
            if inline is not None:
                kind, template, needs = inline
                fits = (kind == "return" and not step.attrs and len(outs) == 1 and not step.many) or (
                    kind == "assign" and set(step.attrs) == {"variable"} and not outs)
                if not fits or not all(namespace.setdefault(k, v) is v for k, v in needs.items()):
                    inline = None
            if step.op is ReadVariableOp:
                lines.append(f"    {outs[0]} = {variable_name(step.variable, position)}._value  # {step.name}")
            elif inline is not None:
                # A one-line kernel: its formula written in place, no call ("t5 = (t3 + t4)",
                # "v7._value = (t5 + t6)").
                expression = inline[1].format(*[names[id(t)] for t in step.inputs])
                target = outs[0] if inline[0] == "return" else f"{variable_name(step.attrs['variable'], position)}._value"
                lines.append(f"    {target} = {expression}  # {step.name}: {step.op.name}")
            else:
                # An attribute that is a variable passed in as an argument is passed at each call.
                fixed = {k: v for k, v in step.attrs.items() if id(v) not in handles}
                kernel = functools.partial(step.op.forward, **fixed) if fixed else step.op.forward
                namespace[f"k{position}"] = kernel
                args = ", ".join([names[id(t)] for t in step.inputs] +
                                 [f"{k}={handles[id(v)]}" for k, v in step.attrs.items() if id(v) in handles])
                target = ", ".join(outs) + ("," if step.many and len(outs) == 1 else "") + " = " if outs else ""
                lines.append(f"    {target}k{position}({args})  # {step.name}: {step.op.name}")
            dead = {names[id(t)] for t in step.inputs if last_use.get(id(t)) == position
                    and names[id(t)].startswith(("t", "a"))}
            dead |= {names[id(t)] for t in step.outputs if id(t) not in last_use}
            if dead:
                lines.append(f"    del {', '.join(sorted(dead))}")
        returned = [names[id(t)] for t in outputs]
        lines.append(f"    return ({', '.join(returned)}{',' if len(returned) == 1 else ''})")
        self.source = "\n".join(lines) + "\n"
        filename = f"<minitf graph {self.name} {id(self):x}>"
        # Registered with linecache so that a traceback through the replay shows its lines.
        linecache.cache[filename] = (len(self.source), None, self.source.splitlines(True), filename)
        exec(compile(self.source, filename, "exec"), namespace)  # noqa: S102 (our own generated code)
        replay = namespace["replay"]
        replay.__minitf_filename__ = filename
        replay.__minitf_ops__ = plan
        return replay


_INLINE: dict = {}


def _inline_form(op: type):
    """How the replay can write ``op.forward`` in place instead of calling it, or None.

    Two shapes of kernel qualify: ``return <expression>`` of its input parameters (``return x + y``)
    gives ("return", template, globals); ``variable._value = <expression>`` (an assignment, its
    variable an attribute) gives ("assign", template, globals). The template has ``{0}``, ``{1}``
    ... for the inputs and ``{variable}`` for the variable.
    """
    if op in _INLINE:
        return _INLINE[op]
    form = None
    try:
        fn = op.forward
        params = list(inspect.signature(fn).parameters.values())
        if all(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in params):
            tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
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

                template = ast.unparse(Substitute().visit(expression))
                if all(name in fn.__globals__ for name in free):
                    template = template.replace("{", "{{").replace("}", "}}")
                    template = re.sub(r"__arg(\d+)__", r"{\1}", template)
                    form = (kind, f"({template})", {name: fn.__globals__[name] for name in free})
    except (OSError, TypeError, SyntaxError, IndexError):
        form = None
    _INLINE[op] = form
    return form


class _Step:
    """One line of the replay: an operation as the compile passes see it (the graph stays untouched)."""

    __slots__ = ("op", "kind", "name", "inputs", "outputs", "attrs", "value", "variable", "many", "stateful")

    def __init__(self, operation: Operation):
        self.op, self.kind, self.name = operation.op, operation.type, operation.name
        self.inputs, self.outputs, self.attrs = operation.inputs, operation.outputs, operation.attrs
        self.value, self.variable, self.many = operation.value, operation.variable, operation.many
        self.stateful = operation.stateful


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
