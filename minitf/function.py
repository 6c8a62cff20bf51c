"""``minitf.function``: trace a Python function into a graph once, then replay the graph.

    @tf.function
    def step(x):
        print("tracing")             # Python: runs while tracing only
        tf.print("running", x)       # an op: runs on every call
        return x * x + 1

The first call with a new *signature* traces: it runs the Python function on symbolic
tensors (``GraphTensor``), and every op it reaches becomes a node of a graph instead of
computing (see ``minitf/graph.py``). Later calls with the same signature do not run the
Python function at all: they replay the graph's kernels on arrays. That is TF's
``tf.function``, and it has TF's rules:

- the signature: each tensor argument's shape and dtype (NumPy arrays count as tensors),
  each Variable's shape and dtype, and every other argument by value (Python numbers,
  strings, None) or by identity (other objects). A new signature traces again (a
  *retrace*, counted by ``experimental_get_tracing_count()``; frequent retracing is warned
  about, as TF warns). ``reduce_retracing=True`` generalises shapes that change into
  ``None`` (any size); ``input_signature=[tf.TensorSpec(...)]`` fixes the signature and
  refuses calls that do not match it. (One difference: minitf's graphs know their rank, so a
  ``TensorSpec(shape=None)`` of unknown rank gets a trace per rank where TF traces once.)
- Python side effects (``print``, appending to a list) happen while tracing only; variable
  assignments, ``tf.print`` and random draws are ops, so they happen on every call.
- A ``GradientTape`` and an optimizer step inside the function are traced like any other ops.
- A Python ``if``/``while`` on a symbolic tensor is refused with an error saying what to write
  instead (``tf.cond``, ``tf.where``, ``tf.while_loop``): a trace never bakes in one branch.
- Variables may be created on the first trace only (a layer built on its first call).

``tf.config.run_functions_eagerly(True)`` turns tracing off: the function runs as plain Python.
On CuPy, ``jit_compile=True`` (or ``tf.config.optimizer.set_jit(True)``) replays the graph as a
captured CUDA graph where it can (``minitf/cuda_graph.py``); elsewhere ``jit_compile`` changes nothing.
"""
from __future__ import annotations

import functools
import inspect
import logging
import threading
import weakref
from typing import Any, Callable

import numpy as np

from minitf import array_backend as B
from minitf import cuda_graph, dtypes, nest
from minitf._context import state
from minitf.errors import InvalidArgumentError
from minitf.graph import FuncGraph, GraphTensor, inline, replay_error
from minitf.tensor import Tensor, TensorShape, Variable, convert_to_tensor

_log = logging.getLogger("minitf")


class TensorSpec:
    """The shape and dtype of a tensor argument, without a value (``tf.TensorSpec``).
    ``None`` in the shape (or ``shape=None``) means any size."""

    def __init__(self, shape=None, dtype=dtypes.float32, name: str | None = None):
        self.shape = None if shape is None else TensorShape(
            None if d is None else int(d) for d in (shape.as_list() if isinstance(shape, TensorShape) else shape))
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor: Tensor, name: str | None = None) -> "TensorSpec":
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, other) -> bool:
        """Does a tensor (or spec) of ``other``'s shape and dtype fit this spec?"""
        shape, dtype = other.shape, other.dtype
        if dtypes.as_dtype(dtype) != self.dtype:
            return False
        if self.shape is None:
            return True
        return shape is not None and TensorShape(self.shape).is_compatible_with(shape)

    def _key(self):
        """The spec's part of a trace's key: (shape, NumPy dtype), as a tensor argument's is."""
        return (None if self.shape is None else tuple(self.shape), self.dtype._np)

    def __eq__(self, other) -> bool:
        return isinstance(other, TensorSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shape = "<unknown>" if self.shape is None else "(" + ", ".join(
            "None" if d is None else str(d) for d in self.shape) + ("," if len(self.shape) == 1 else "") + ")"
        return f"TensorSpec(shape={shape}, dtype=tf.{self.dtype.name}, name={self.name!r})"


def run_functions_eagerly(run_eagerly: bool) -> None:
    """``tf.config.run_functions_eagerly``: True makes every ``tf.function`` plain Python."""
    state.run_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return state.run_eagerly


# --- signatures -----------------------------------------------------------------------------------
class _Leaf:
    """What one flattened argument contributes to a signature, and how the trace receives it."""

    __slots__ = ("kind", "key", "spec")

    def __init__(self, kind: str, key, spec=None):
        self.kind, self.key, self.spec = kind, key, spec


def _leaf(value, relax: bool = False) -> _Leaf:
    """The signature part of one argument: tensors and arrays by spec, variables by spec (the trace
    uses the variable passed in), Python values by value, other objects by identity."""
    if isinstance(value, Variable):
        return _Leaf("variable", ("Variable", tuple(value.shape), value.dtype.name))
    if isinstance(value, Tensor):
        spec = TensorSpec(value.shape, value.dtype)
        return _Leaf("tensor", spec._key(), spec)
    if isinstance(value, (np.ndarray, np.generic)) or B.is_array(value):
        dtype = dtypes.as_dtype(np.asarray(value).dtype if isinstance(value, np.generic) else value.dtype)
        spec = TensorSpec(np.shape(value), dtype)
        return _Leaf("tensor", spec._key(), spec)
    if isinstance(value, (bool, int, float)):  # by value, as TF: f(1), f(1.0) and f(True) share one trace
        return _Leaf("python", ("literal", value))
    tracing_type = getattr(value, "__tf_tracing_type__", None)
    if tracing_type is not None:  # the object says what it traces as (a tf.types.experimental.TraceType)
        return _Leaf("python", ("trace_type", tracing_type(None)))
    if value is None or isinstance(value, (str, bytes, complex)):
        return _Leaf("python", (type(value).__name__, value))
    try:
        hash(value)
        return _Leaf("python", ("object", type(value).__name__, id(value)))
    except TypeError:
        return _Leaf("python", ("object", type(value).__name__, id(value)))


def _signature(args: tuple, kwargs: dict) -> tuple[tuple, list, list]:
    """(the key that picks the trace, the flat leaves, their _Leafs): ``_walked_signature``'s, and for
    a call with plain Tensors only, passed by position (a training step's ``step(x, y)``), the same
    key written out without the walk's ~1 µs of calls."""
    if not kwargs:
        positional = [(tuple, len(args))]
        for value in args:
            if type(value) is not Tensor:
                break
            positional.append((value._value.shape, value._value.dtype))
        else:
            positional.append((dict, ()))
            return tuple(positional), list(args), [None] * len(args)
    return _walked_signature(args, kwargs)


def _walked_signature(args: tuple, kwargs: dict) -> tuple[tuple, list, list]:
    """One walk over the call's arguments: (the key that picks the trace, the flat leaves, their _Leafs).

    The key holds the structure (containers, dict keys) and each leaf's part of the signature;
    a plain Tensor, the common case, is taken without building a _Leaf.
    """
    parts: list = []
    flat: list = []
    leaves: list = []

    def walk(value) -> None:
        kind = type(value)
        if kind is Tensor:  # the common case first
            array = value._value
            parts.append((array.shape, array.dtype))
            flat.append(value)
            leaves.append(None)
        elif kind is tuple or kind is list:
            parts.append((kind, len(value)))
            for item in value:
                walk(item)
        elif kind is dict:
            parts.append((dict, tuple(sorted(value))))
            for key in sorted(value):
                walk(value[key])
        elif value is None:
            parts.append(None)
            flat.append(None)
            leaves.append(_Leaf("python", None))
        elif isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
            parts.append((kind, len(value)))
            for item in value:
                walk(item)
        else:
            leaf = _leaf(value)
            parts.append(leaf.key)
            flat.append(value)
            leaves.append(leaf)

    walk(args)
    walk(kwargs)
    return tuple(parts), flat, leaves


def _relaxed(a: TensorSpec, b: TensorSpec) -> TensorSpec | None:
    """The most specific spec both fit (sizes that differ become None), or None if ranks/dtypes differ."""
    if a.dtype != b.dtype or a.shape is None or b.shape is None or len(a.shape) != len(b.shape):
        return None
    return TensorSpec([x if x == y else None for x, y in zip(a.shape, b.shape)], a.dtype)


# --- a traced function ----------------------------------------------------------------------------
class ConcreteFunction:
    """One trace: a graph for one signature, and the compiled replay of it.

    ``graph.get_operations()`` lists its operations; ``graph.source`` is the replay code.
    Calling it replays the graph (or, when a tape outside records, runs its ops one by one so
    that the tape sees them).
    """

    def __init__(self, graph: FuncGraph, structured_outputs: Any, output_tensors: list, input_specs: list,
                 structured_input_signature: tuple, positions: list, variable_positions: list, name: str):
        self.graph = graph
        self.structured_outputs = structured_outputs
        self.structured_input_signature = structured_input_signature
        self.name = name
        self._outputs = output_tensors  # flat, the GraphTensors (or Python values) the function returned
        self._graph_outputs = [t for t in output_tensors if isinstance(t, GraphTensor)]
        self._all_graph_outputs = len(self._graph_outputs) == len(output_tensors)  # no Python values among them
        self._input_specs = input_specs  # per placeholder, in order
        self._positions = positions  # per placeholder: index of the flat argument it stands for
        self._variable_positions = variable_positions  # the flat arguments that are variables, in order
        self._replay = graph.compile(self._graph_outputs)
        self._jit_compile = None  # the tf.function's jit_compile: on CuPy, True replays as a CUDA graph
        self.cuda_graph = None  # that CUDA graph replay (minitf/cuda_graph.py), once wanted
        if not graph.outputs:
            graph.outputs = list(self._graph_outputs)
        # The common shapes of a result: one value (a tensor, or None), returned as it is.
        self._single_output = not nest.is_nested(structured_outputs)

    @property
    def inputs(self) -> list:
        return list(self.graph.inputs)

    @property
    def outputs(self) -> list:
        return list(self._graph_outputs)

    @property
    def variables(self) -> list:
        return self.graph.variables

    @property
    def trainable_variables(self) -> list:
        return [v for v in self.graph.variables if v.trainable]

    def _bind(self, flat_args: list) -> tuple[list[Tensor], list[Variable]]:
        """The placeholders' values (converted to tensors) and the variables, from the call's flat arguments."""
        values = []
        for index, spec in zip(self._positions, self._input_specs):
            value = flat_args[index]
            if not isinstance(value, Tensor):
                value = convert_to_tensor(value, dtype=spec.dtype)
            values.append(value)
        return values, [flat_args[i] for i in self._variable_positions]

    def _call_flat(self, bound: tuple) -> list:
        """Run the graph on input tensors: a fast replay, or op by op when a tape records or a trace builds."""
        inputs, variables = bound
        if state.graph is not None or (state.tapes and self._seen_by_tape(inputs, variables)):
            results = iter(inline(self.graph, self._graph_outputs, inputs, variables))
        else:
            arrays = [t._value for t in inputs]
            replay = self._replay if B.name == "numpy" else cuda_graph.replay_for(self)
            try:
                out = replay(*arrays, *variables)
            except Exception as e:  # name the graph node that failed, as TF names the op
                error = replay_error(self._replay, e)
                if error is e:
                    raise
                raise error from None
            if self._all_graph_outputs:
                return [Tensor(a) for a in out]
            results = iter([Tensor(a) for a in out])
        return [next(results) if isinstance(t, GraphTensor) else t for t in self._outputs]

    def _seen_by_tape(self, inputs: list, variables: list) -> bool:
        used = self.graph.variables + list(variables)
        for tape in state.tapes:
            if tape._entries is None:
                continue
            if any(id(t) in tape._tracked for t in inputs):
                return True
            if tape.watch_accessed_variables and any(v._auto_watch for v in used):
                return True
            if any(id(v) in tape._tracked for v in used):
                return True
        return False

    def __call__(self, *args, **kwargs):
        args, kwargs = self._bind_call(args, kwargs)
        flat = nest.flatten((args, kwargs))
        for number, (index, spec, placeholder) in enumerate(zip(self._positions, self._input_specs,
                                                                 self.graph.inputs)):
            value = flat[index] if index < len(flat) else None
            if isinstance(value, Tensor) and value.dtype != spec.dtype:
                raise InvalidArgumentError(f"cannot compute {self.name} as input #{number}(zero-based) was expected "
                                           f"to be a {spec.dtype.name} tensor but is a {value.dtype.name} tensor")
            shape = getattr(value, "shape", None)
            if shape is not None and not _fits(placeholder.shape, tuple(shape)):
                raise TypeError(
                    f"Binding inputs to tf.function failed: {self.name}'s trace takes {placeholder.name} of shape "
                    f"{tuple(placeholder.shape)}, got shape {tuple(shape)}. (minitf traces a tf.TensorSpec of "
                    "unknown rank once per rank: call the tf.function itself, or get a concrete function per rank.)")
        return self._call(flat)

    def _call(self, flat: list):
        """Run on the call's flat arguments; the outputs in the function's structure."""
        outputs = self._call_flat(self._bind(flat))
        if self._single_output:
            return outputs[0]
        return nest.pack_sequence_as(self.structured_outputs, outputs)

    # --- the call's arguments, as TF binds them to a trace ---------------------------------
    def _parameters(self) -> list | None:
        """[(parameter, its traced value (TensorSpecs for tensors), is it tensor-like)], in the Python
        function's order; None when the trace does not know its Python function."""
        function = getattr(self, "_python_function", None)
        traced = getattr(self, "structured_arguments", None)
        if function is None or traced is None:
            return None
        try:
            signature = inspect.signature(function)
            bound = signature.bind(*traced[0], **traced[1])
        except (TypeError, ValueError):
            return None
        out = []
        for name, parameter in signature.parameters.items():
            if name not in bound.arguments:
                continue
            value = bound.arguments[name]
            tensor_like = any(isinstance(v, (TensorSpec, Variable)) for v in nest.flatten(value))
            out.append((parameter, value, tensor_like))
        return out

    def _bind_call(self, args: tuple, kwargs: dict) -> tuple:
        """The call's arguments in the arrangement the trace was made with. As TF: the Python function's
        signature first (a Python value must be the one traced with, and may be left out), else the
        flat signature of the tensor parameters only (``evaluate(x)`` for ``evaluate(model, x)``)."""
        parameters = self._parameters()
        if parameters is None:
            return args, kwargs
        traced_args, traced_kwargs = self.structured_arguments
        names = [p.name for p, _, _ in parameters]
        values = None
        try:
            given = inspect.Signature([p for p, _, _ in parameters]).bind_partial(*args, **kwargs).arguments
            for parameter, traced, tensor_like in parameters:
                if parameter.name not in given:
                    if tensor_like:
                        raise TypeError(f"missing a required argument: {parameter.name!r}")
                elif not tensor_like and not _same_literal(given[parameter.name], traced):
                    raise TypeError(f"Can not cast {given[parameter.name]!r} to {_literal_text(traced)}")
            values = {name: given.get(name, traced) for name, (_, traced, _) in zip(names, parameters)}
        except TypeError as first:
            tensor_parameters = [p.replace(default=inspect.Parameter.empty) for p, _, t in parameters if t]
            try:
                given = inspect.Signature(tensor_parameters).bind(*args, **kwargs).arguments
            except TypeError as second:
                raise TypeError(
                    f"Binding inputs to tf.function failed due to `{first}`. Received args: {args} and kwargs: "
                    f"{kwargs} for signature: {self.function_type}.\nFallback to flat signature also failed due "
                    f"to: {self.name}({', '.join(p.name for p in tensor_parameters)}) {second}.") from None
            values = {name: given.get(name, traced) for name, (_, traced, _) in zip(names, parameters)}
        positional = [values[names[i]] for i in range(len(traced_args))]
        return tuple(positional), {key: values.get(key, traced_kwargs[key]) for key in traced_kwargs}

    @property
    def function_type(self) -> "FunctionType":
        """The trace's parameters and output type (TF's ``FunctionType``): ``(a: TensorSpec(...)) -> ...``."""
        return FunctionType(self)

    @property
    def inference_fn(self) -> "AtomicFunction":
        """The graph as a function of its input tensors alone, in placeholder order (TF's ``AtomicFunction``)."""
        return AtomicFunction(self)

    def _output_text(self) -> str:
        def spec(t):
            return repr(TensorSpec(t.shape, t.dtype)) if isinstance(t, Tensor) else repr(t)
        outs = self.structured_outputs
        return spec(outs) if not nest.is_nested(outs) else repr(nest.map_structure(spec, outs)).replace("'", "")

    def pretty_printed_signature(self, verbose: bool = True) -> str:
        parameters = self._parameters()
        if parameters is None:
            lines = [f"  {p.name}: {s!r}" for p, s in zip(self.graph.inputs, self._input_specs)]
        else:
            lines = [f"  {p.name} ({p.kind.name}): {_param_text(v, t)}" for p, v, t in parameters]
        captures = [f"  {id(outer)}: {TensorSpec(outer.shape, outer.dtype)!r}" for outer, _ in self.graph.captures]
        return ("Input Parameters:\n" + "\n".join(lines) + "\nOutput Type:\n  " + self._output_text()
                + "\nCaptures:\n" + ("\n".join(captures) if captures else "  None"))

    def __str__(self) -> str:
        return f"ConcreteFunction {self.pretty_printed_signature()}"

    def __repr__(self) -> str:
        return f"<ConcreteFunction {self.function_type} at 0x{id(self):X}>"


def _same_literal(given, traced) -> bool:
    """Is ``given`` the Python value a trace was made with (equal numbers/strings; the same object)?"""
    if isinstance(traced, (bool, int, float, str, bytes, type(None))):
        return type(given) in (bool, int, float, str, bytes, type(None)) and given == traced
    if nest.is_nested(traced) and nest.is_nested(given):
        a, b = nest.flatten(traced), nest.flatten(given)
        return len(a) == len(b) and all(_same_literal(x, y) for x, y in zip(b, a))
    return given is traced


def _literal_text(value) -> str:
    return f"Literal[{value!r}]" if isinstance(value, (bool, int, float, str, bytes, type(None))) else repr(value)


def _param_text(value, tensor_like: bool) -> str:
    if not tensor_like:
        return _literal_text(value)
    value = nest.map_structure(lambda v: TensorSpec(v.shape, v.dtype) if isinstance(v, TensorSpec) else v, value)
    return repr(value) if not nest.is_nested(value) else repr(nest.map_structure(repr, value)).replace("'", "")


class FunctionType:
    """A trace's signature as TF prints it: ``(a: TensorSpec(...), b: Literal[2]) -> TensorSpec(...)``."""

    def __init__(self, concrete: "ConcreteFunction"):
        self._concrete = concrete
        parameters = concrete._parameters()
        self.parameters = {p.name: p for p, _, _ in parameters} if parameters is not None else {}
        self._text = ", ".join(f"{p.name}: {_param_text(v, t)}" for p, v, t in parameters) if parameters is not None \
            else ", ".join(f"{p.name}: {s!r}" for p, s in zip(concrete.graph.inputs, concrete._input_specs))

    def __str__(self) -> str:
        return f"({self._text}) -> {self._concrete._output_text()}"

    __repr__ = __str__


class AtomicFunction:
    """A trace called on its input tensors alone, in placeholder order (``concrete.inference_fn``)."""

    def __init__(self, concrete: "ConcreteFunction"):
        self._concrete = concrete
        self.name = concrete.name

    def __call__(self, *tensors):
        concrete = self._concrete
        if len(tensors) != len(concrete._input_specs) or concrete._variable_positions:
            raise TypeError(f"{self.name} takes {len(concrete._input_specs)} input tensor(s) (and no variable "
                            f"arguments), got {len(tensors)}")
        values = [t if isinstance(t, Tensor) else convert_to_tensor(t, dtype=s.dtype)
                  for t, s in zip(tensors, concrete._input_specs)]
        outputs = concrete._call_flat((values, []))
        if concrete._single_output:
            return outputs[0]
        return nest.pack_sequence_as(concrete.structured_outputs, outputs)

    def __repr__(self) -> str:
        return f"<AtomicFunction> {self.name}{self._concrete.function_type}"


class _ReplicaOfThread(threading.local):
    id = 0  # (a class default: a thread that never set it reads 0 without an AttributeError, ~0.6 µs a call)


_replica = _ReplicaOfThread()  # set by minitf.distribute while a MirroredStrategy replica > 0 runs


def current_replica() -> int:
    """The MirroredStrategy replica running now on this thread (0 outside ``strategy.run``)."""
    return _replica.id


class Function:
    """A Python function that traces into graphs (``tf.function``); see the module docstring."""

    def __init__(self, python_function: Callable, input_signature=None, autograph: bool = True,
                 jit_compile=None, reduce_retracing: bool = False, name: str | None = None):
        self.python_function = python_function
        self.input_signature = None if input_signature is None else list(input_signature)
        self.reduce_retracing = bool(reduce_retracing)
        self.jit_compile = jit_compile
        self.autograph = bool(autograph)  # convert Python control flow on tensors (minitf/autograph)
        self.__name__ = name or getattr(python_function, "__name__", "function")
        self._concrete: dict = {}  # signature key -> ConcreteFunction
        self._relaxed_specs: dict = {}  # structure key -> list of relaxed TensorSpecs (reduce_retracing)
        self._general_traces: list = []  # (structure, specs, concrete) of traces with unknown sizes
        self._trace_count = 0
        self._tracing_record: dict | None = None  # this function's record in _TRACING_DETECTOR, once looked up
        self._created_variables = False
        # TF traces a first call that created variables again (see _trace). Keras's fit builds every variable
        # before its first traced step (its _symbolic_build), so TF never retraces that step; minitf's
        # trainer, which lets the first trace build them, switches the retrace off to match.
        self._retrace_after_creating_variables = True
        self._descriptor_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
        self._replica_functions: dict[int, "Function"] = {}
        self._replica_clone = False
        functools.update_wrapper(self, python_function)
        if self.input_signature is not None:
            for spec in nest.flatten(self.input_signature):
                if not isinstance(spec, TensorSpec):
                    raise TypeError(f"tf.function: input_signature must hold tf.TensorSpec objects, got {spec!r}")

    # --- methods: @tf.function on a method traces per instance, as in TF ---
    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        try:
            bound = self._descriptor_cache.get(instance)
        except TypeError:
            bound = None
        if bound is None:
            bound = Function(self.python_function.__get__(instance, owner), self.input_signature,
                             autograph=self.autograph, jit_compile=self.jit_compile,
                             reduce_retracing=self.reduce_retracing, name=self.__name__)
            try:
                self._descriptor_cache[instance] = bound
            except TypeError:
                pass
        return bound

    def experimental_get_tracing_count(self) -> int:
        return self._trace_count

    def pretty_printed_concrete_signatures(self, verbose: bool = True) -> str:
        """Every trace's signature (``ConcreteFunction.pretty_printed_signature``), in the order traced."""
        seen, traces = set(), []
        for concrete in self._concrete.values():
            if id(concrete) not in seen:
                seen.add(id(concrete))
                traces.append(concrete)
        return "\n\n".join(c.pretty_printed_signature(verbose) for c in traces)

    def _for_replica(self, replica: int) -> "Function":
        function = self._replica_functions.get(replica)
        if function is None:
            function = self._replica_functions[replica] = Function(
                self.python_function, self.input_signature, jit_compile=self.jit_compile,
                reduce_retracing=self.reduce_retracing, name=self.__name__)
            function._replica_clone = True
        return function

    # --- calling ---
    def __call__(self, *args, **kwargs):
        if state.run_eagerly:
            return self.python_function(*args, **kwargs)
        replica = _replica.id
        if replica and not self._replica_clone:
            # each MirroredStrategy replica traces its own graph (TF: one per device): its own random keys
            return self._for_replica(replica)(*args, **kwargs)
        if self.input_signature is not None:
            args, kwargs = self._check_signature(args, kwargs)
            flat = nest.flatten((args, kwargs))
            # minitf's graphs know their ranks: a spec of unknown rank gets a trace per rank.
            specs = [spec if spec.shape is not None else TensorSpec((None,) * value.ndim, spec.dtype, spec.name)
                     for spec, value in zip(nest.flatten(self.input_signature), flat)]
            key = (nest.structure_key((args, kwargs)), tuple(spec._key() for spec in specs))
        else:
            key, flat, leaves = _signature(args, kwargs)
        concrete = self._concrete.get(key)
        if concrete is not None:
            _TRACING_DETECTOR.called_without_tracing(self)
        else:
            if self.input_signature is None:
                specs = [TensorSpec.from_tensor(v) if leaf is None else leaf.spec for v, leaf in zip(flat, leaves)]
            concrete, traced = self._concrete_for(key, args, kwargs, flat, specs)
            if traced:
                _TRACING_DETECTOR.called_with_tracing(self)
            else:
                _TRACING_DETECTOR.called_without_tracing(self)
        return concrete._call(flat)

    def _concrete_for(self, key, args: tuple, kwargs: dict, flat: list, specs: list) -> tuple:
        """The trace for a call not seen before: one traced with unknown sizes that fits it (as TF picks
        the most specific compatible trace), or a new one (relaxed to earlier shapes with
        reduce_retracing); returns (it, whether tracing happened)."""
        structure = nest.structure_key((args, kwargs))
        for other_structure, other_specs, concrete in self._general_traces:
            if other_structure == structure and all(
                    (a is None and b is None) or (a is not None and b is not None and a.is_compatible_with(b))
                    for a, b in zip(other_specs, specs)) and all(
                    a is not None or _leaf(v).key == k for a, v, k in zip(other_specs, flat, concrete._python_keys)):
                self._concrete[key] = concrete
                return concrete, False
        if self.reduce_retracing:
            structure = nest.structure_key((args, kwargs))
            specs = self._relax(structure, specs)
            relaxed_key = ("relaxed", structure, tuple(spec._key() if spec is not None else repr(type(v))
                                                       for spec, v in zip(specs, flat)))
            concrete = self._concrete.get(relaxed_key)
            traced = concrete is None
            if concrete is None:
                concrete = self._concrete[relaxed_key] = self._trace(args, kwargs, flat, specs)
        else:
            concrete, traced = self._trace(args, kwargs, flat, specs), True
        if traced and any(spec is not None and (spec.shape is None or None in spec.shape) for spec in specs):
            concrete._python_keys = [None if spec is not None else _leaf(v).key for spec, v in zip(specs, flat)]
            self._general_traces.append((structure, specs, concrete))
        self._concrete[key] = concrete
        return concrete, traced

    def _relax(self, structure, specs: list) -> list:
        """reduce_retracing: merge this call's specs with the relaxed ones seen before for this structure."""
        seen = self._relaxed_specs.get(structure)
        if seen is None or len(seen) != len(specs):
            self._relaxed_specs[structure] = specs
            return specs
        merged = []
        for old, new in zip(seen, specs):
            if old is None or new is None:
                merged.append(new)
                continue
            relaxed = _relaxed(old, new)
            merged.append(relaxed if relaxed is not None else new)
        self._relaxed_specs[structure] = merged
        return merged

    def _check_signature(self, args: tuple, kwargs: dict):
        """Bind the call to ``input_signature``: every tensor argument must fit its spec (TF's TypeError)."""
        params = list(inspect.signature(self.python_function).parameters.values())
        bound = list(args) + [kwargs[p.name] for p in params[len(args):len(args) + len(kwargs)] if p.name in kwargs]
        specs = nest.flatten(self.input_signature)
        if len(bound) != len(self.input_signature):
            raise TypeError(f"Binding inputs to tf.function failed: {self.__name__} takes "
                            f"{len(self.input_signature)} argument(s) by its input_signature, got {len(bound)}")
        flat_args = nest.flatten(bound)
        if len(flat_args) != len(specs):
            raise TypeError(f"Binding inputs to tf.function failed: the structure of the arguments does not match "
                            f"input_signature {self.input_signature}")
        converted = []
        for value, spec in zip(flat_args, specs):
            tensor = value if isinstance(value, Tensor) else _convert_for_spec(value, spec)
            if not spec.is_compatible_with(tensor):
                raise TypeError(
                    f"Binding inputs to tf.function failed due to `Can not cast "
                    f"{TensorSpec(tensor.shape, tensor.dtype)!r} to {spec!r}`. Received args: {args} and kwargs: "
                    f"{kwargs} for signature: {self.input_signature}.")
            converted.append(tensor)
        return tuple(nest.pack_sequence_as(bound, converted)), {}

    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The trace for these arguments (tensors, or ``tf.TensorSpec``s), tracing if needed."""
        if not args and not kwargs and self.input_signature is not None:
            args = tuple(self.input_signature)
        # A spec of known shape picks the trace a tensor of that shape would (TF: one trace for both).
        args, kwargs = nest.map_structure(_zeros_for_full_spec, (args, kwargs))
        if any(isinstance(v, TensorSpec) for v in nest.flatten((args, kwargs))):
            flat = nest.flatten((args, kwargs))
            specs = [v if isinstance(v, TensorSpec) else _leaf(v).spec for v in flat]
            key = ("specs", nest.structure_key((args, kwargs)),
                   tuple(spec._key() if spec is not None else _leaf(v).key for spec, v in zip(specs, flat)))
        else:
            key, flat, leaves = _signature(args, kwargs)
            specs = [TensorSpec.from_tensor(v) if leaf is None else leaf.spec for v, leaf in zip(flat, leaves)]
        concrete = self._concrete.get(key)
        if concrete is None:
            concrete, _ = self._concrete_for(key, args, kwargs, flat, specs)
        return concrete

    # --- tracing ---
    def _trace(self, args: tuple, kwargs: dict, flat: list, specs: list) -> ConcreteFunction:
        name = self.__name__
        graph = FuncGraph(name, outer=state.graph)
        arg_names = _argument_names(self.python_function, args, kwargs, len(flat))
        trace_args, input_specs, positions, variable_positions = [], [], [], []
        for i, (value, spec) in enumerate(zip(flat, specs)):
            if isinstance(value, Variable):  # used as it is; the replay takes the variable of each call
                trace_args.append(value)
                graph.variable_args.append(value)
                variable_positions.append(i)
                continue
            if spec is None:  # a Python value, baked into the trace
                trace_args.append(value)
                continue
            example = _example_array(value, spec)
            # A spec of unknown rank (shape=None) is traced at the example's rank, all sizes unknown.
            trace_args.append(graph.placeholder(spec.shape if spec.shape is not None else (None,) * example.ndim,
                                                spec.dtype._np, example, name=arg_names[i]))
            input_specs.append(spec)
            positions.append(i)
        structured = nest.pack_sequence_as((args, kwargs), trace_args)
        python_function = self.python_function
        if self.autograph:  # AutoGraph: Python if/while/for on tensors become tf.cond / tf.while_loop
            from minitf.autograph.conversion import converted_function
            python_function = converted_function(python_function)
        saved_graph, saved_tapes = state.graph, state.tapes
        state.graph, state.tapes = graph, []
        try:
            result = python_function(*structured[0], **structured[1])
        finally:
            state.graph, state.tapes = saved_graph, saved_tapes
        if graph.created_variables:
            if self._created_variables:
                raise ValueError(
                    f"tf.function {name!r} created variables on a later trace. tf.function only supports "
                    "singleton tf.Variables created on the first call. Make sure the tf.Variable is only created "
                    "once or created outside tf.function (e.g. in __init__, or guarded by `if self.v is None`).")
            self._created_variables = True
            if self._retrace_after_creating_variables:
                # As TF: a first trace that created variables is followed at once by a second one, in which
                # creating variables is an error (a function that makes a new variable on every call fails on
                # its first call); the second trace is the one kept.
                self._trace_count += 1
                if graph.outer is None:
                    graph.release_examples()
                return self._trace(args, kwargs, flat, specs)
        flat_out = nest.flatten(result)
        outputs = []
        for value in flat_out:
            if isinstance(value, (bool, int, float, np.generic, np.ndarray)) and not isinstance(value, Tensor):
                value = convert_to_tensor(value)  # TF returns Python numbers as tensors
            if isinstance(value, Variable):
                with _in_graph(graph):
                    value = value.value()
            elif isinstance(value, Tensor) and not isinstance(value, GraphTensor):
                value = graph.constant(value)
            elif isinstance(value, GraphTensor) and value._graph is not graph:
                with _in_graph(graph):
                    value = graph._resolve(value)
            outputs.append(value)
        structured_out = nest.pack_sequence_as(result, outputs) if flat_out else result
        self._trace_count += 1
        signature = (tuple(nest.map_structure(lambda v: TensorSpec.from_tensor(v) if isinstance(v, GraphTensor)
                                              else v, structured[0])), {})
        concrete = ConcreteFunction(graph, structured_out, outputs, input_specs, signature, positions,
                                    variable_positions, name)
        concrete._python_function = self.python_function
        concrete._jit_compile = self.jit_compile
        if graph.outer is None:  # an outermost trace is done: its example arrays are not needed any more
            graph.release_examples()
        # The call's arguments with each tensor replaced by its spec (named as its placeholder): what
        # a later call must match (tf.saved_model keeps it to choose among saved traces).
        specs_by_position = {i: TensorSpec(spec.shape, spec.dtype, name=p.op.name)
                             for i, spec, p in zip(positions, input_specs, graph.inputs)}
        concrete.structured_arguments = nest.pack_sequence_as(
            (args, kwargs), [specs_by_position.get(i, value) for i, value in enumerate(flat)])
        return concrete

    def __repr__(self) -> str:
        return f"<minitf.function {self.__name__} (traced {self._trace_count} times)>"


def _fits(static: tuple, shape: tuple) -> bool:
    return len(static) == len(shape) and all(a is None or a == b for a, b in zip(static, shape))


class _in_graph:
    """Make ``graph`` the current trace for a moment (to add a read or a capture after the function ran)."""

    def __init__(self, graph: FuncGraph):
        self.graph = graph

    def __enter__(self):
        self.saved = state.graph, state.tapes
        state.graph, state.tapes = self.graph, []

    def __exit__(self, *exc):
        state.graph, state.tapes = self.saved


def _zeros_for_full_spec(value):
    """A numeric TensorSpec of fully known shape -> a zero tensor of that spec (other values unchanged)."""
    if (isinstance(value, TensorSpec) and value.shape is not None and None not in value.shape
            and value.dtype._np.kind in "biuf"):
        return Tensor(B.xp.zeros(value.shape, dtype=value.dtype._np))
    return value


def _example_array(value, spec: TensorSpec):
    """The array the trace runs the kernels on: the argument itself, or zeros for a bare spec."""
    if isinstance(value, TensorSpec):
        shape = tuple(1 if d is None else d for d in (value.shape if value.shape is not None else ()))
        return B.zeros(shape, value.dtype._np)  # (empty strings for a string spec)
    if isinstance(value, GraphTensor):
        return value._example
    if isinstance(value, Tensor):
        return value._value
    return convert_to_tensor(value, dtype=spec.dtype)._value


def _convert_for_spec(value, spec: TensorSpec) -> Tensor:
    try:
        return convert_to_tensor(value, dtype_hint=spec.dtype)
    except (TypeError, ValueError, InvalidArgumentError) as e:
        raise TypeError(f"Binding inputs to tf.function failed: cannot convert {value!r} to {spec!r}: {e}") from None


def _argument_names(fn: Callable, args: tuple, kwargs: dict, count: int) -> list[str]:
    """A name per flat argument for the placeholders: the parameter's name (x, x_1 for nested parts)."""
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        params = []
    names = []
    for i, value in enumerate(args):
        base = params[i] if i < len(params) else f"args_{i}"
        parts = len(nest.flatten(value))
        names.extend([base] if parts == 1 else [f"{base}_{j}" for j in range(parts)])
    for key in sorted(kwargs):
        parts = len(nest.flatten(kwargs[key]))
        names.extend([key] if parts == 1 else [f"{key}_{j}" for j in range(parts)])
    return (names + [f"arg_{i}" for i in range(len(names), count)])[:count]


# --- how often a function traces: TF's warning ------------------------------------------------------
class _FrequentTracingDetector:
    """Warns when 5 of a function's last 10 calls traced (TF's thresholds and message), at most twice.

    Kept per code object, as TF does, so that a tf.function created anew in a loop is noticed too.
    """

    HISTORY, THRESHOLD, MAX_WARNINGS = 10, 5, 2

    def __init__(self):
        self._calls: dict = {}

    def _record(self, fn: Function) -> dict:
        record = fn._tracing_record
        if record is not None:
            return record
        code = getattr(getattr(fn.python_function, "__func__", fn.python_function), "__code__", None)
        key = code if code is not None else id(fn)
        record = self._calls.get(key)
        if record is None:
            record = self._calls[key] = {"traces": [], "count": 0, "warned": 0}
        fn._tracing_record = record  # (the same record for every Function of this code object)
        return record

    def called_with_tracing(self, fn: Function) -> None:
        record = self._record(fn)
        record["count"] += 1
        record["traces"].append(1)
        while record["traces"] and record["count"] - record["traces"][0] > self.HISTORY:
            record["count"] -= record["traces"].pop(0)
        if record["warned"] < self.MAX_WARNINGS and len(record["traces"]) >= self.THRESHOLD:
            record["warned"] += 1
            _log.warning(
                f"{len(record['traces'])} out of the last {record['count']} calls to {fn.python_function} triggered "
                "tf.function retracing. Tracing is expensive and the excessive number of tracings could be due to "
                "(1) creating @tf.function repeatedly in a loop, (2) passing tensors with different shapes, (3) "
                "passing Python objects instead of tensors. For (1), please define your @tf.function outside of "
                "the loop. For (2), @tf.function has reduce_retracing=True option that can avoid unnecessary "
                "retracing. For (3), please pass tensors, or see the tf.function guide on controlling retracing.")

    def called_without_tracing(self, fn: Function) -> None:
        record = self._record(fn)
        if not record["traces"]:
            record["traces"] = [0]
        record["traces"][-1] += 1
        record["count"] += 1


_TRACING_DETECTOR = _FrequentTracingDetector()


def function(func: Callable | None = None, input_signature=None, autograph: bool = True, jit_compile: Any = None,
             reduce_retracing: bool = False, experimental_compile=None, name: str | None = None, **kwargs):
    """``tf.function``: use as ``@function``, ``@function(...)`` or ``function(f, ...)``."""
    if func is None:
        return lambda f: Function(f, input_signature, autograph, jit_compile, reduce_retracing, name)
    return Function(func, input_signature, autograph, jit_compile, reduce_retracing, name)
