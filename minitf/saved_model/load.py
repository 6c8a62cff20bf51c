"""``tf.saved_model.load``: the saved objects back, their functions rebuilt from their graphs.

The loaded root is a plain object (TF's ``_UserObject``): its attributes are the saved
sub-objects, variables (restored to their saved values), lists and dicts of them, and the
saved functions. A function is called as the original was, and runs the trace whose arguments
match the call (TF's ``RestoredFunction``); no trace matches: ValueError listing the options.
``.signatures[key]`` are the saved signatures: called with tensors (by name or in order), they
return a dict of tensors.

Nothing in the file is executed: graphs are rebuilt from minitf's own ops (``graph_codec``).
"""
from __future__ import annotations

import json
import os
import zipfile
from typing import Any

import numpy as np

from minitf import nest
from minitf.function import ConcreteFunction, TensorSpec, _fits
from minitf.saved_model.graph_codec import FileFormatError, Reader
from minitf.saved_model.save import FORMAT, VERSION, _signature_outputs
from minitf.tensor import Tensor, Variable, convert_to_tensor

MAX_JSON_BYTES = 256 * 2**20


def load(export_dir: str, tags=None, options=None):
    """The object saved in ``export_dir`` by ``tf.saved_model.save``."""
    export_dir = os.fspath(export_dir)
    path = os.path.join(export_dir, "saved_model.json")
    if not os.path.isfile(path):
        from minitf.errors import NotFoundError
        if os.path.isfile(os.path.join(export_dir, "saved_model.pb")):
            raise NotFoundError(f"{export_dir} holds a TensorFlow SavedModel (saved_model.pb); minitf reads only the "
                                "SavedModels minitf writes (saved_model.json). Keras models move between the two as "
                                ".keras files.")
        raise NotFoundError(f"Could not find saved_model.json in {export_dir}: not a SavedModel directory")
    data = _read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileFormatError(f"{path}: not a minitf SavedModel (format {data.get('format') if isinstance(data, dict) else None!r})")
    if data.get("version") != VERSION:
        raise FileFormatError(f"{path}: SavedModel version {data.get('version')!r}; this minitf reads version {VERSION}")
    arrays = _read_arrays(export_dir, data.get("arrays"), data.get("array_specs"))
    objects = data.get("objects")
    if not isinstance(objects, list):
        raise FileFormatError(f"{path}: 'objects' should be a list")
    return _Loader(path, data, arrays).root()


def _read_json(path: str):
    if os.path.getsize(path) > MAX_JSON_BYTES:
        raise FileFormatError(f"{path}: {os.path.getsize(path)} bytes, more than a SavedModel's description may be")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except RecursionError:
        raise FileFormatError(f"{path}: nested too deeply to be a SavedModel") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise FileFormatError(f"{path}: not valid JSON ({e})") from None


def _read_arrays(export_dir: str, name, specs) -> dict:
    """The arrays of the file ``name``, each checked against the shape and dtype the JSON declares
    for it, sizes before inflating (a small file cannot make the reader allocate gigabytes)."""
    if not isinstance(name, str) or not name.startswith("variables/arrays-") or ".." in name or "\\" in name:
        raise FileFormatError(f"{export_dir}: the array file is named {name!r}, not variables/arrays-*.npz")
    if not isinstance(specs, dict):
        raise FileFormatError(f"{export_dir}: saved_model.json does not declare its arrays")
    path = os.path.join(export_dir, name)
    expected = {}
    for key, spec in specs.items():
        try:
            dtype = np.dtype(spec["dtype"])
            shape = tuple(int(d) for d in spec["shape"])
            if dtype.kind not in "biufc" or any(d < 0 for d in shape):
                raise ValueError("not a numeric array")
        except (KeyError, TypeError, ValueError) as e:
            raise FileFormatError(f"{path}: array {key!r} is declared as {spec!r} ({e})") from None
        expected[f"{key}.npy"] = (key, shape, dtype, int(np.prod(shape, dtype=np.int64)) * dtype.itemsize)
    total = sum(size for *_, size in expected.values())
    if total > _memory_bytes():
        raise FileFormatError(f"{path}: its arrays declare {total} bytes, more than this machine's memory")
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.filename not in expected:
                    raise FileFormatError(f"{path}: holds {info.filename!r}, which saved_model.json does not declare")
                key, shape, dtype, size = expected[info.filename]
                if info.file_size > size + 4096:  # the .npy header is at most a few hundred bytes
                    raise FileFormatError(f"{path}: array {key!r} inflates to {info.file_size} bytes, but is declared "
                                          f"as {dtype.name}{list(shape)} ({size} bytes)")
        arrays = {}
        with np.load(path, allow_pickle=False) as npz:
            for key, shape, dtype, _ in expected.values():
                array = npz[key]
                if array.shape != shape or array.dtype != dtype:
                    raise FileFormatError(f"{path}: array {key!r} is {array.dtype.name}{list(array.shape)}, declared "
                                          f"{dtype.name}{list(shape)}")
                arrays[key] = array
        return arrays
    except FileNotFoundError:
        raise FileFormatError(f"{path}: the SavedModel's array file is missing") from None
    except KeyError as e:
        raise FileFormatError(f"{path}: a declared array is missing ({e})") from None
    except (ValueError, OSError, zipfile.BadZipFile) as e:
        if isinstance(e, FileFormatError):
            raise
        raise FileFormatError(f"{path}: cannot be read as arrays ({e})") from None


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 2**40


class _UserObject:
    """A loaded object: its saved attributes, and nothing of its class (TF's ``_UserObject``)."""

    def __repr__(self) -> str:
        return f"<minitf.saved_model loaded {self._saved_class} object>"


class RestoredFunction:
    """A saved tf.function: calls the saved trace whose arguments fit the call."""

    def __init__(self, name: str, traces: list[tuple[ConcreteFunction, Any]], input_signature: bool):
        self.__name__ = name
        self._traces = traces  # (concrete function, its structured arguments: specs and Python values)
        # With an input_signature, arguments are converted to the spec's dtype (as the original did);
        # without, an array keeps its own dtype and must match a trace's.
        self._convert_to_spec = input_signature

    @property
    def concrete_functions(self) -> list[ConcreteFunction]:
        return [c for c, _ in self._traces]

    def __call__(self, *args, **kwargs):
        for concrete, arguments in self._traces:
            flat = _match(arguments, (args, kwargs), self._convert_to_spec)
            if flat is not None:
                return concrete._call(flat)
        raise ValueError(_no_match_message(self, args, kwargs))


def _match(arguments, call, convert_to_spec: bool) -> list | None:
    """The call's flat arguments (converted to tensors where the trace has specs) if they fit the
    trace, else None. A list or array where the trace took a tensor is converted, as TF does."""
    flat: list = []

    def fits(expected, value) -> bool:
        if isinstance(expected, TensorSpec):
            if not isinstance(value, Tensor):
                try:
                    value = convert_to_tensor(value, dtype_hint=expected.dtype if convert_to_spec else None)
                except (TypeError, ValueError):
                    return False
            if value.dtype != expected.dtype or (expected.shape is not None
                                                 and not _fits(tuple(expected.shape), tuple(value.shape))):
                return False
            flat.append(value)
            return True
        if isinstance(expected, dict):
            return (isinstance(value, dict) and set(value) == set(expected)
                    and all(fits(expected[k], value[k]) for k in sorted(expected)))
        if isinstance(expected, (list, tuple)):
            return (isinstance(value, (list, tuple)) and len(value) == len(expected)
                    and all(fits(e, v) for e, v in zip(expected, value)))
        if isinstance(value, Tensor) or type(value) is not type(expected) or value != expected:
            return False
        flat.append(value)
        return True

    return flat if fits(arguments, call) else None


def _no_match_message(fn: RestoredFunction, args, kwargs) -> str:
    def describe(value) -> str:
        if isinstance(value, Tensor):
            return f"<tf.Tensor shape={tuple(value.shape)} dtype={value.dtype.name}>"
        return repr(value)

    got = "".join(f"\n    * {describe(a)}" for a in args)
    lines = [f"Could not find matching concrete function to call loaded from the SavedModel. Got:\n"
             f"  Positional arguments ({len(args)} total):{got}\n  Keyword arguments: {kwargs}\n\n"
             f" Expected these arguments to match one of the following {len(fn._traces)} option(s):"]
    for i, (_, (saved_args, saved_kwargs)) in enumerate(fn._traces, 1):
        items = "".join(f"\n    * {a!r}" for a in saved_args)
        lines.append(f"\nOption {i}:\n  Positional arguments ({len(saved_args)} total):{items}\n"
                     f"  Keyword arguments: {saved_kwargs}")
    return "\n".join(lines)


class SignatureFunction:
    """A saved signature: tensors in (by name, or in order), a dict of tensors out."""

    def __init__(self, concrete: ConcreteFunction, arguments, input_names: list[str], key: str):
        self._concrete, self._arguments, self._names, self._key = concrete, arguments, input_names, key
        specs = nest.flatten(arguments)
        self.structured_input_signature = ((), {n: TensorSpec(s.shape, s.dtype, name=n) for n, s in zip(input_names, specs)})
        outputs = _signature_outputs(concrete.structured_outputs, concrete.name, key)
        self.structured_outputs = {k: TensorSpec(v.shape, v.dtype, name=k) for k, v in outputs.items()}

    def __call__(self, *args, **kwargs):
        if len(args) > len(self._names):
            raise TypeError(f"signature {self._key!r} takes {len(self._names)} argument(s) ({self._names}), got "
                            f"{len(args)}")
        values = dict(zip(self._names, args))
        for name, value in kwargs.items():
            if name not in self._names or name in values:
                raise TypeError(f"signature {self._key!r} got an unexpected or repeated argument {name!r}; it takes "
                                f"{self._names}")
            values[name] = value
        missing = [n for n in self._names if n not in values]
        if missing:
            raise TypeError(f"signature {self._key!r} is missing argument(s) {missing}")
        flat = []
        for name, spec in zip(self._names, nest.flatten(self._arguments)):
            value = convert_to_tensor(values[name], dtype_hint=spec.dtype)
            if value.dtype != spec.dtype or (spec.shape is not None and not _fits(tuple(spec.shape), tuple(value.shape))):
                raise TypeError(f"signature {self._key!r}: argument {name!r} should be {spec!r}, got a tensor of shape "
                                f"{tuple(value.shape)} and dtype {value.dtype.name}")
            flat.append(value)
        result = self._concrete._call(nest.flatten(nest.pack_sequence_as(self._arguments, flat)))
        return _signature_outputs(result, self._concrete.name, self._key)


class _Loader:
    def __init__(self, path: str, data: dict, arrays: dict):
        self.path, self.data, self.arrays = path, data, arrays
        self.objects = data["objects"]
        self.built: dict[int, Any] = {}
        variables = [self._variable(i, e) if isinstance(e, dict) and e.get("kind") == "variable" else None
                     for i, e in enumerate(self.objects)]
        self.reader = Reader(path, arrays, variables, data.get("streams") or [])
        self.built.update({i: v for i, v in enumerate(variables) if v is not None})

    def fail(self, message: str):
        raise FileFormatError(f"{self.path}: {message}")

    def _variable(self, index: int, entry: dict) -> Variable:
        key = entry.get("array")
        if key not in self.arrays:
            self.fail(f"variable {entry.get('name')!r} has no saved value")
        name = str(entry.get("name", "Variable")).split(":")[0]
        return Variable(self.arrays[key], trainable=bool(entry.get("trainable", True)), name=name)

    def root(self):
        root = self.data.get("root")
        result = self.build(root)
        if isinstance(result, _UserObject):
            result.signatures = {key: self._signature(key, entry)
                                 for key, entry in (self.data.get("signatures") or {}).items()}
        return result

    def build(self, ref):
        if isinstance(ref, dict) and "list" in ref:
            return [self.build(r) for r in ref["list"]]
        if isinstance(ref, dict) and "dict" in ref:
            return {k: self.build(r) for k, r in ref["dict"].items()}
        if type(ref) is not int or not 0 <= ref < len(self.objects):
            self.fail(f"an object reference {ref!r} names no saved object")
        if ref in self.built:
            return self.built[ref]
        entry = self.objects[ref]
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind == "function":
            fn = RestoredFunction(str(entry.get("name", "function")), [self._trace(t) for t in entry.get("traces", [])],
                                  bool(entry.get("input_signature")))
            self.built[ref] = fn
            return fn
        if kind != "object":
            self.fail(f"object {ref} has the unknown kind {kind!r}")
        children = entry.get("children") or {}
        call = children.get("__call__")
        # Like TF, an object whose __call__ was saved is callable: a class of its own with __call__.
        cls = _UserObject
        if call is not None:
            cls = type("_UserObject", (_UserObject,), {"__call__": lambda self, *a, **k: self.__dict__["__call__"](*a, **k)})
        obj = cls()
        obj._saved_class = str(entry.get("class", "object"))
        self.built[ref] = obj
        for name, child in children.items():
            value = self.build(child)
            if name in (entry.get("hidden") or ()):
                name = "_" + name
            obj.__dict__[name] = value
        return obj

    def _trace(self, entry: dict) -> tuple[ConcreteFunction, Any]:
        graph, outputs = self.reader.graph(entry["graph"])
        arguments = self._structure(entry["arguments"])
        structured_outputs = self._structure(entry["outputs"], iter(outputs))
        specs = [s for s in nest.flatten(arguments) if isinstance(s, TensorSpec)]
        positions = [i for i, s in enumerate(nest.flatten(arguments)) if isinstance(s, TensorSpec)]
        if len(specs) != len(graph.inputs):
            self.fail(f"a trace of {graph.name} has {len(specs)} tensor arguments but {len(graph.inputs)} placeholders")
        concrete = ConcreteFunction(graph, structured_outputs, outputs, specs, (arguments[0], {}), positions, [],
                                    graph.name)
        concrete.structured_arguments = arguments
        return concrete, arguments

    def _signature(self, key: str, entry: dict) -> SignatureFunction:
        concrete, arguments = self._trace(entry["trace"])
        return SignatureFunction(concrete, arguments, [str(n) for n in entry.get("input_names", [])], key)

    def _structure(self, value, outputs=None):
        """A structure written by ``save._structure``; with ``outputs``, tensors are taken from it in order."""
        if not isinstance(value, dict) or len(value) != 1:
            self.fail(f"a function's arguments or results hold {value!r}")
        tag, body = next(iter(value.items()))
        if tag == "spec":
            return TensorSpec(body.get("shape"), body.get("dtype"), name=body.get("name"))
        if tag == "tensor":
            return next(outputs)
        if tag in ("list", "tuple"):
            items = [self._structure(v, outputs) for v in body]
            return items if tag == "list" else tuple(items)
        if tag == "dict":
            return {self._structure(k): self._structure(v, outputs) for k, v in body}
        if tag == "python":
            value = self.reader.attr(body, [])
            if outputs is not None:
                next(outputs)  # the trace's outputs list holds Python results too
            return value
        self.fail(f"unknown structure tag {tag!r}")
