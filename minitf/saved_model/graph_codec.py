"""A traced graph as data: its operations written to JSON (arrays aside), and read back.

A saved function is its graph, not its Python code. Each operation is written as

    {"op": "minitf.ops.math_ops:Mul", "inputs": [[3, 0], [5, 0]], "attrs": {...}}

(inputs name the operation and output they come from), placeholders and constants as
``{"placeholder": ...}`` and ``{"const": <array key>}``, variable reads as ``{"read": <variable>}``.
Reading it back builds a new graph by applying the same ops, in order, inside a trace (as
``graph.inline`` does), so the graph is traced and compiled like any other.

Nothing in a file can run code of its choosing: an op is looked up among minitf's ``Op``
classes only, and attributes are plain data (numbers, strings, tuples, dtypes, slices, arrays,
the variables and random streams of the saved object, nested graphs, and the few records
listed in ``_records`` and ``_named_values``).

Control flow (``If``, ``While``) holds compiled branches, which are code: they are written as
their graphs and compiled again when read.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

from minitf import array_backend as B
from minitf.graph import FuncGraph, GraphTensor, _live_operations
from minitf.ops.op import Op, ReadVariableOp, read_variable
from minitf.tensor import Tensor, Variable


class SaveError(ValueError):
    """Something in a function cannot be written as data."""


def _records() -> dict[str, type]:
    from minitf.nn.conv import WindowGeometry
    from minitf.ops.lookup_ops import LookupTable
    return {"WindowGeometry": WindowGeometry, "LookupTable": LookupTable}


def _named_values() -> dict[str, Any]:
    """Objects an attribute may hold that are written by name: tf.print's streams and tensor slot."""
    import sys

    from minitf.ops.logging_ops import _TENSOR
    return {"tf.print tensor": _TENSOR, "sys.stderr": sys.stderr, "sys.stdout": sys.stdout}


def _op_classes() -> dict[str, type]:
    """Every Op class minitf defines, by ``module:qualname`` (the only classes a file may name)."""
    import minitf.keras  # noqa: F401  (its modules define ops too: metrics, recurrent cells)
    import minitf.ops.lookup_ops  # noqa: F401  (vocabulary look-ups: the lookup layers' ops)

    found, stack = {}, [Op]
    while stack:
        cls = stack.pop()
        if cls.__module__.startswith("minitf."):
            found[f"{cls.__module__}:{cls.__qualname__}"] = cls
        stack.extend(cls.__subclasses__())
    return found


def _op_key(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


# --- writing -------------------------------------------------------------------------------
class Writer:
    """Encodes graphs; collects the arrays, variables and random streams they refer to."""

    def __init__(self, variable_id: Callable[[Variable], int]):
        self.variable_id = variable_id  # the saved object graph's node for a variable
        self.arrays: dict[str, np.ndarray] = {}
        self.streams: list[dict] = []
        self._stream_ids: dict[int, int] = {}

    def array(self, value) -> str:
        key = f"a{len(self.arrays)}"
        array = B.to_numpy(value)
        if array.dtype.kind == "O":  # the array file holds numbers only (it is read without pickle)
            raise SaveError("minitf's SavedModel keeps string tensors in graphs' constants and attributes only: a "
                            "string Variable cannot be saved")
        self.arrays[key] = array
        return key

    def graph(self, graph: FuncGraph, outputs: list, outer_refs: dict | None = None) -> dict:
        refs: dict[int, list] = {}  # id(GraphTensor) -> [operation index, output index]
        captured = {id(placeholder): outer for outer, placeholder in graph.captures}
        ops = []
        for index, operation in enumerate(_live_operations(graph.operations, [t for t in outputs
                                                                               if isinstance(t, GraphTensor)])):
            for i, t in enumerate(operation.outputs):
                refs[id(t)] = [index, i]
            where = f"{graph.name}/{operation.name}"
            if operation.type == "Placeholder":
                (t,) = operation.outputs
                entry = {"placeholder": operation.name, "shape": list(operation.attrs["shape"]),
                         "dtype": np.dtype(operation.attrs["dtype"]).name}
                if id(t) in captured:
                    entry["capture"] = outer_refs[id(captured[id(t)])]
            elif operation.type == "Const" and np.dtype(operation.value.dtype).kind == "O":
                entry = {"const_strings": self.attr(operation.value, where, "value", refs)}  # strings: in the JSON
            elif operation.type == "Const":
                entry = {"const": self.array(operation.value)}
            elif operation.op is ReadVariableOp:
                entry = {"read": self.variable_id(operation.variable)}
            else:
                entry = {"op": _op_key(operation.op), "inputs": [refs[id(t)] for t in operation.inputs],
                         "attrs": {k: self.attr(v, where, k, refs) for k, v in _saved_attrs(operation).items()}}
            ops.append(entry)
        return {"name": graph.name, "operations": ops,
                "outputs": [refs[id(t)] if isinstance(t, GraphTensor) else {"python": self.attr(t, graph.name, "output", refs)}
                            for t in outputs]}

    def attr(self, value, where: str, name: str, refs: dict):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, bytes):  # a string attribute (a separator, a mask token): its bytes as latin-1 text
            return {"bytes": value.decode("latin-1")}
        if isinstance(value, np.ndarray) and value.dtype.kind == "O":  # a string array (a vocabulary)
            return {"strings": [_string_item(v, where, name) for v in value.reshape(-1).tolist()],
                    "shape": list(value.shape)}
        if isinstance(value, (int, float)) and type(value) in (int, float):
            return value if not isinstance(value, float) or np.isfinite(value) else {"float": repr(value)}
        if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
            return {"dtype": np.dtype(value).name}
        if isinstance(value, np.generic):
            return {"scalar": self.attr(value.item(), where, name, refs), "dtype": value.dtype.name}
        if isinstance(value, tuple) and not hasattr(value, "_fields"):
            return {"tuple": [self.attr(v, where, name, refs) for v in value]}
        if isinstance(value, list):
            return {"list": [self.attr(v, where, name, refs) for v in value]}
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"dict": {k: self.attr(v, where, name, refs) for k, v in value.items()}}
        if isinstance(value, slice):
            return {"slice": [self.attr(v, where, name, refs) for v in (value.start, value.stop, value.step)]}
        if value is Ellipsis:
            return {"ellipsis": True}
        if isinstance(value, Variable):
            return {"variable": self.variable_id(value)}
        if isinstance(value, FuncGraph):
            return {"graph": self.graph(value, value.outputs, refs)}
        if isinstance(value, np.random.Generator):
            if id(value) not in self._stream_ids:
                self._stream_ids[id(value)] = len(self.streams)
                self.streams.append(value.bit_generator.state)
            return {"stream": self._stream_ids[id(value)]}
        if isinstance(value, (np.ndarray, Tensor)) or hasattr(value, "__cuda_array_interface__"):
            return {"array": self.array(value._value if isinstance(value, Tensor) else value)}
        for known, named in _named_values().items():
            if value is named:
                return {"named": known}
        record = type(value).__name__
        if dataclasses.is_dataclass(value) and _records().get(record) is type(value):
            return {"record": record, "fields": {f.name: self.attr(getattr(value, f.name), where, name, refs)
                                                 for f in dataclasses.fields(value)}}
        raise SaveError(f"Cannot save operation {where!r}: its attribute {name!r} is a {type(value).__name__} "
                        f"({value!r}), which minitf cannot write as data.")


def _saved_attrs(operation) -> dict:
    """The attributes written: control flow's compiled code and example values are left out (rebuilt)."""
    attrs = dict(operation.attrs)
    if operation.type == "If":
        del attrs["branches"], attrs["examples"]
    elif operation.type == "While":
        del attrs["cond_fn"], attrs["body_fn"]
    return attrs


# --- reading -------------------------------------------------------------------------------
class FileFormatError(ValueError):
    """A saved model's file says something minitf cannot read (named in the message)."""


class Reader:
    """Decodes graphs written by ``Writer``, inside the trace of a new FuncGraph."""

    def __init__(self, source: str, arrays, variables: list, streams: list):
        self.source, self.arrays, self.variables = source, arrays, variables
        self.streams = [_stream(state, source) for state in streams]
        self.ops = _op_classes()

    def fail(self, message: str):
        raise FileFormatError(f"{self.source}: {message}")

    def graph(self, data: dict, outer_tensors: list | None = None) -> tuple[FuncGraph, list]:
        """(a new graph built from ``data``, its outputs); nested in the trace running now, if any."""
        from minitf._context import state
        from minitf.function import _in_graph

        graph = FuncGraph(str(data.get("name", "restored")), outer=state.graph)
        tensors: list[tuple] = []
        with _in_graph(graph):
            for index, entry in enumerate(_list(data.get("operations"), "operations", self)):
                tensors.append(self._operation(graph, entry, index, tensors, outer_tensors))
            outputs = []
            for ref in _list(data.get("outputs"), "outputs", self):
                if isinstance(ref, dict) and "python" in ref:
                    outputs.append(self.attr(ref["python"], tensors))
                else:
                    outputs.append(self._tensor(ref, tensors))
        graph.outputs = [t for t in outputs if isinstance(t, GraphTensor)]
        return graph, outputs

    def _tensor(self, ref, tensors: list):
        if not (isinstance(ref, list) and len(ref) == 2 and all(type(i) is int for i in ref)
                and 0 <= ref[0] < len(tensors) and tensors[ref[0]] is not None and 0 <= ref[1] < len(tensors[ref[0]])):
            self.fail(f"a tensor reference {ref!r} names no earlier operation's output")
        return tensors[ref[0]][ref[1]]

    def _operation(self, graph: FuncGraph, entry, index: int, tensors: list, outer_tensors) -> tuple:
        if not isinstance(entry, dict):
            self.fail(f"operation {index} is a {type(entry).__name__}, not an object")
        if "placeholder" in entry:
            if "capture" in entry:
                if outer_tensors is None:
                    self.fail(f"operation {index} captures from an outer graph, but there is none")
                return (graph._resolve(self._tensor(entry["capture"], outer_tensors)),)
            shape = [d if d is None else _int(d, "a placeholder's size", self) for d in _list(entry.get("shape"), "shape", self)]
            dtype = _dtype(entry.get("dtype"), self)
            example = B.zeros(tuple(1 if d is None else d for d in shape), dtype)  # (b"" for strings)
            return (graph.placeholder(shape, dtype, example, name=str(entry["placeholder"])),)
        if "const" in entry:
            return (graph.constant(Tensor(self._array(entry["const"]))),)
        if "const_strings" in entry:
            value = self.attr(entry["const_strings"], tensors)
            if not isinstance(value, np.ndarray) or value.dtype.kind != "O":
                self.fail(f"operation {index}: const_strings holds no strings")
            return (graph.constant(Tensor(value)),)
        if "read" in entry:
            return (read_variable(self._variable(entry["read"])),)
        cls = self.ops.get(entry.get("op"))
        if cls is None:
            self.fail(f"operation {index} names an op minitf does not have: {entry.get('op')!r}")
        inputs = [self._tensor(ref, tensors) for ref in _list(entry.get("inputs"), "inputs", self)]
        attrs = {str(k): self.attr(v, tensors) for k, v in (entry.get("attrs") or {}).items()}
        attrs = _rebuilt_attrs(cls.name, attrs)
        result = cls.apply(*inputs, **attrs)
        return (result if type(result) is tuple else (result,)) if result is not None else ()

    def _array(self, key):
        if not isinstance(key, str) or key not in self.arrays:
            self.fail(f"an array {key!r} is named but not in the file")
        return B.xp.asarray(self.arrays[key])

    def _variable(self, index):
        if type(index) is not int or not 0 <= index < len(self.variables) or self.variables[index] is None:
            self.fail(f"a variable reference {index!r} names no saved variable")
        return self.variables[index]

    def attr(self, value, tensors: list):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            self.fail(f"an attribute holds an untagged list {value!r}")
        if not isinstance(value, dict) or len(value) not in (1, 2):
            self.fail(f"an attribute holds {value!r}, which is not one of minitf's tagged values")
        tag = next(iter(value))
        body = value[tag]
        if tag == "float":
            return float(body) if body in ("inf", "-inf", "nan") else self.fail(f"bad float {body!r}")
        if tag == "bytes":
            return body.encode("latin-1") if isinstance(body, str) else self.fail(f"bad bytes {body!r}")
        if tag == "strings":
            items = _list(body, "strings", self)
            shape = [_int(d, "a string array's size", self) for d in _list(value.get("shape"), "shape", self)]
            if any(not isinstance(v, str) for v in items) or int(np.prod(shape, dtype=np.int64)) != len(items):
                self.fail(f"a string array of shape {shape} holds {len(items)} items, or items that are not text")
            out = np.empty(len(items), dtype=object)
            out[:] = [v.encode("latin-1") for v in items]
            return out.reshape(shape)
        if tag == "dtype":
            return _dtype(body, self)
        if tag == "scalar":
            return _dtype(value.get("dtype"), self).type(self.attr(body, tensors))
        if tag == "tuple":
            return tuple(self.attr(v, tensors) for v in _list(body, "tuple", self))
        if tag == "list":
            return [self.attr(v, tensors) for v in _list(body, "list", self)]
        if tag == "dict" and isinstance(body, dict):
            return {str(k): self.attr(v, tensors) for k, v in body.items()}
        if tag == "slice":
            return slice(*(self.attr(v, tensors) for v in _list(body, "slice", self)))
        if tag == "ellipsis":
            return Ellipsis
        if tag == "variable":
            return self._variable(body)
        if tag == "graph":
            return self.graph(body, tensors)[0]
        if tag == "stream":
            if type(body) is not int or not 0 <= body < len(self.streams):
                self.fail(f"a random stream reference {body!r} names no saved stream")
            return self.streams[body]
        if tag == "array":
            return self._array(body)
        if tag == "named":
            if body not in _named_values():
                self.fail(f"an attribute names {body!r}, which minitf does not know")
            return _named_values()[body]
        if tag == "record":
            cls = _records().get(body)
            if cls is None or not isinstance(value.get("fields"), dict):
                self.fail(f"an attribute is a record {body!r} minitf does not know")
            return cls(**{k: self.attr(v, tensors) for k, v in value["fields"].items()})
        self.fail(f"an attribute has the unknown tag {tag!r}")


def _rebuilt_attrs(op_name: str, attrs: dict) -> dict:
    """Control flow: compile the branches' graphs again (see ``_saved_attrs``)."""
    if op_name == "If":
        true_graph, false_graph = attrs["graphs"]
        attrs["branches"] = (true_graph.compile(true_graph.outputs), false_graph.compile(false_graph.outputs))
        attrs["examples"] = tuple(t._example for t in true_graph.outputs)
    elif op_name == "While":
        cond_graph, body_graph = attrs["graphs"]
        attrs["cond_fn"] = cond_graph.compile(cond_graph.outputs)
        attrs["body_fn"] = body_graph.compile(body_graph.outputs)
    return attrs


def _string_item(value, where: str, name: str) -> str:
    if not isinstance(value, bytes):
        raise SaveError(f"Cannot save operation {where!r}: its attribute {name!r} is an object array holding a "
                        f"{type(value).__name__}, not strings")
    return value.decode("latin-1")  # every byte one character: the bytes come back exactly


def _list(value, what: str, reader: Reader) -> list:
    if not isinstance(value, list):
        reader.fail(f"{what} should be a list, got {type(value).__name__}")
    return value


def _int(value, what: str, reader: Reader) -> int:
    if type(value) is not int or value < 0:
        reader.fail(f"{what} should be a non-negative integer, got {value!r}")
    return value


def _dtype(name, reader: Reader) -> np.dtype:
    allowed = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
               "float16", "float32", "float64", "complex64", "complex128", "object"}  # object: strings
    if name not in allowed:
        reader.fail(f"unknown dtype {name!r}")
    return np.dtype(name)


def _stream(state, source: str) -> np.random.Generator:
    try:
        bit_generator = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM,
                         "Philox": np.random.Philox, "MT19937": np.random.MT19937}[state["bit_generator"]]()
        bit_generator.state = state
    except (KeyError, TypeError, ValueError) as e:
        raise FileFormatError(f"{source}: a random stream's state cannot be read ({e})") from None
    return np.random.Generator(bit_generator)
