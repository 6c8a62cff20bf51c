"""``tf.saved_model.save``: an object's variables and traced functions, written as data.

What is saved, as TF saves it: the object and what hangs from its attributes (sub-modules,
variables, lists and dicts of them, ``tf.function`` methods and attributes), each function with
every trace it has so far (a function with an ``input_signature`` is traced for it), and the
signatures (``signatures=``; by default the root's one function with an ``input_signature``).
A Keras model is saved with the signature of its call on its inputs (batch size unknown).

The directory holds ``saved_model.json`` (the objects, and each trace's graph: see
``graph_codec``) and ``variables/arrays-<id>.npz`` (variable values and constants). The JSON file
is written last and names its array file, so a save cut short leaves the previous model whole.
"""
from __future__ import annotations

import inspect
import json
import os
import tempfile
import uuid
import warnings
from typing import Any

import numpy as np

from minitf import nest
from minitf.function import ConcreteFunction, Function, TensorSpec
from minitf.module import Module
from minitf.saved_model.graph_codec import SaveError, Writer
from minitf.tensor import Tensor, Variable

FORMAT = "minitf.saved_model"
VERSION = 1
DEFAULT_SIGNATURE_KEY = "serving_default"


def save(obj, export_dir: str, signatures=None, options=None) -> None:
    """Write ``obj`` (a ``tf.Module``, a Keras model, or any object holding variables and
    ``tf.function``s) to the directory ``export_dir``."""
    export_dir = os.fspath(export_dir)
    saver = _Saver()
    root = saver.node(obj, "root")
    if signatures is None:
        signatures = _default_signature(obj)
    if signatures is not None and not isinstance(signatures, dict):
        signatures = {DEFAULT_SIGNATURE_KEY: signatures}
    signature_data = {}
    for key, fn in (signatures or {}).items():
        concrete = _signature_concrete(fn, key)
        signature_data[str(key)] = saver.signature(concrete, str(key))
    data = {"format": FORMAT, "version": VERSION, "root": root, "objects": saver.objects,
            "signatures": signature_data}
    _write(export_dir, data, saver.writer)


class _Saver:
    def __init__(self):
        self.objects: list[dict] = []
        self._ids: dict[int, int] = {}
        self._keep: list = []  # objects whose id() is a key above stay alive until the save ends
        self.writer = Writer(self.variable_id)

    def _new(self, value, entry: dict) -> int:
        self._ids[id(value)] = len(self.objects)
        self._keep.append(value)
        self.objects.append(entry)
        return len(self.objects) - 1

    def variable_id(self, variable: Variable) -> int:
        found = self._ids.get(id(variable))
        if found is not None:
            return found
        return self._new(variable, {"kind": "variable", "name": variable.name, "trainable": bool(variable.trainable),
                                    "array": self.writer.array(variable._value)})

    def node(self, value, path: str):
        """The saved form of an attribute's value: an object index, a list/dict of them, or None to skip."""
        if isinstance(value, Variable):
            return self.variable_id(value)
        if id(value) in self._ids:
            return self._ids[id(value)]
        if isinstance(value, Function):
            return self._function(value, path)
        if isinstance(value, (list, tuple)):
            items = [self.node(v, f"{path}[{i}]") for i, v in enumerate(value)]
            return {"list": items} if any(i is not None for i in items) else None
        if isinstance(value, dict):
            items = {str(k): self.node(v, f"{path}[{k!r}]") for k, v in value.items()}
            return {"dict": items} if any(i is not None for i in items.values()) else None
        if _is_keras_model(value):
            return self._new(value, {"kind": "object", "class": type(value).__name__, "children":
                                     {"variables": {"list": [self.variable_id(v) for v in value.variables]}},
                                     "hidden": ["variables"]})
        if isinstance(value, Module) or (path == "root" and hasattr(value, "__dict__")):
            index = self._new(value, {"kind": "object", "class": type(value).__name__, "children": {}})
            children = {}
            for name, child in _attributes(value):
                saved = self.node(child, f"{path}.{name}")
                if saved is not None:
                    children[name] = saved
            self.objects[index]["children"] = children
            return index
        return None

    def _function(self, fn: Function, path: str) -> int | None:
        if fn.input_signature is not None:
            fn.get_concrete_function()  # traced for its signature, as TF saves it
        traces = []
        for concrete in _unique(fn._concrete.values()):
            if concrete.graph.variable_args:
                warnings.warn(f"tf.saved_model.save: a trace of {path} takes variables as arguments; minitf does "
                              "not save such traces (pass tensors, or read the variables inside the function)")
                continue
            traces.append(self.concrete(concrete, path))
        return self._new(fn, {"kind": "function", "name": fn.__name__, "traces": traces,
                              "input_signature": fn.input_signature is not None})

    def concrete(self, concrete: ConcreteFunction, path: str) -> dict:
        try:
            graph = self.writer.graph(concrete.graph, concrete._outputs)
        except SaveError as e:
            raise SaveError(f"tf.saved_model.save: {path}: {e}") from None
        arguments = getattr(concrete, "structured_arguments", None)
        if arguments is None:
            raise SaveError(f"tf.saved_model.save: {path}: this trace does not know its arguments")
        return {"graph": graph, "arguments": _structure(arguments, self.writer, path),
                "outputs": _structure(concrete.structured_outputs, self.writer, path, outputs=True)}

    def signature(self, concrete: ConcreteFunction, key: str) -> dict:
        args, kwargs = concrete.structured_arguments
        leaves = nest.flatten((args, kwargs))
        if not all(isinstance(v, TensorSpec) for v in leaves):
            raise ValueError(f"tf.saved_model.save: signature {key!r}: a signature's inputs must all be tensors, "
                             f"got {concrete.structured_arguments!r}")
        _signature_outputs(concrete.structured_outputs, concrete.name, key)  # checks, as TF does
        return {"trace": self.concrete(concrete, f"signature {key!r}"),
                "input_names": [spec.name for spec in leaves]}


def _is_keras_model(value) -> bool:
    from minitf.keras.engine.model import Model
    return isinstance(value, Model)


def _attributes(obj) -> list[tuple[str, Any]]:
    """The attributes TF tracks: the instance's, then tf.function methods of its class, by name."""
    found = {k: v for k, v in vars(obj).items() if not k.startswith("__")}
    for name, member in inspect.getmembers(type(obj)):
        if isinstance(inspect.getattr_static(type(obj), name, None), Function):
            found[name] = getattr(obj, name)
    return sorted((k, v) for k, v in found.items() if k not in ("_name", "_scope_name"))


def _unique(items) -> list:
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _structure(value, writer: Writer, path: str, outputs: bool = False):
    """A nested structure of specs, tensors and Python values, as JSON."""
    if isinstance(value, TensorSpec):
        return {"spec": {"shape": None if value.shape is None else list(value.shape), "dtype": value.dtype.name,
                         "name": value.name}}
    if isinstance(value, Tensor):
        return {"tensor": True}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        raise SaveError(f"tf.saved_model.save: {path}: namedtuples in a function's arguments or results are not "
                        "supported by minitf; use tuples or dicts")
    if isinstance(value, (list, tuple)):
        return {"list" if isinstance(value, list) else "tuple": [_structure(v, writer, path, outputs) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[_structure(k, writer, path), _structure(v, writer, path, outputs)]
                         for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]}
    return {"python": writer.attr(value, path, "argument", {})}


def _default_signature(obj):
    """TF's rule: the root's attribute ``_default_save_signature``, else its one function with an
    input_signature; a Keras model: its call on its inputs."""
    if _is_keras_model(obj):
        return _keras_signature(obj, name="inputs")
    candidates = []
    for name, value in _attributes(obj):
        if name == "_default_save_signature" and isinstance(value, (Function, ConcreteFunction)):
            return value
        if isinstance(value, Function) and value.input_signature is not None:
            candidates.append(value)
    return candidates[0] if len(candidates) == 1 else None


def _keras_signature(model, name: str | None = None) -> ConcreteFunction:
    """The model's call on its inputs (batch size unknown), inputs named ``name`` (one input) or
    after the model's Input tensors."""
    fn = _keras_serve_function(model)
    concrete = fn.get_concrete_function()
    if name and len(fn.input_signature) == 1:
        concrete.structured_arguments = ((TensorSpec(fn.input_signature[0].shape, fn.input_signature[0].dtype,
                                                     name=name),), {})
    return concrete


def _keras_serve_function(model) -> Function:
    inputs = getattr(model, "inputs", None)
    if not inputs:
        raise ValueError(f"Cannot save model {model.name!r}: it has not been built (call it on data, or give it an "
                         "Input), so the shapes of its inputs are not known")
    specs = [TensorSpec((None,) + tuple(t.shape[1:]), t.dtype, name=getattr(t, "name", None) or f"input_{i}")
             for i, t in enumerate(inputs)]

    def serve(*args):
        return model(args[0] if len(args) == 1 else list(args), training=False)

    fn = Function(serve, input_signature=specs, name="serve")
    concrete = fn.get_concrete_function()
    concrete.structured_arguments = (tuple(specs), {})  # named after the inputs, as Keras names them
    return fn


def export(model, filepath: str, verbose: bool = True) -> None:
    """``model.export(path)``: a SavedModel with the endpoint ``serve`` (also its signatures ``serve``
    and ``serving_default``), as Keras's ExportArchive writes for inference."""
    fn = _keras_serve_function(model)
    archive = Module(name="export_archive")
    archive.serve = fn
    archive._variables = list(model.variables)
    concrete = fn.get_concrete_function()
    save(archive, filepath, signatures={"serve": concrete, DEFAULT_SIGNATURE_KEY: concrete})
    if verbose:
        concrete = fn.get_concrete_function()
        args = "".join(f"\n  args_{i} (POSITIONAL_ONLY): {spec!r}" for i, spec in enumerate(fn.input_signature))
        outputs = nest.map_structure(lambda t: f"TensorSpec(shape={_shape_text(t.shape)}, dtype=tf.{t.dtype.name}, "
                                               "name=None)", concrete.structured_outputs)
        print(f"Saved artifact at '{filepath}'. The following endpoints are available:\n\n* Endpoint 'serve'{args}\n"
              f"Output Type:\n  {outputs}")


def _shape_text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _signature_concrete(fn, key: str) -> ConcreteFunction:
    if isinstance(fn, ConcreteFunction):
        return fn
    if isinstance(fn, Function):
        if fn.input_signature is None:
            raise ValueError(f"tf.saved_model.save: signature {key!r} is a tf.function without an input_signature; "
                             "give it one, or pass f.get_concrete_function(tf.TensorSpec(...))")
        return fn.get_concrete_function()
    raise ValueError(f"tf.saved_model.save: signature {key!r} must be a tf.function or a concrete function, "
                     f"got {type(fn).__name__}")


def _signature_outputs(outputs, name: str, key: str) -> dict:
    """A signature returns a dict of tensors: a result that is not one becomes output_0, output_1, ..."""
    if not isinstance(outputs, dict):
        outputs = {f"output_{i}": v for i, v in enumerate(outputs if isinstance(outputs, (list, tuple)) else [outputs])}
    for k, v in outputs.items():
        if not isinstance(k, str):
            raise ValueError(f"Got a dictionary with a non-string key {k!r} in the output of the function {name} "
                             f"used to generate the SavedModel signature {key!r}.")
        if not isinstance(v, Tensor):
            raise ValueError(f"Got a non-Tensor value {v!r} for key {k!r} in the output of the function {name} used "
                             f"to generate the SavedModel signature {key!r}. Outputs for functions used as signatures "
                             "must be a single Tensor, a sequence of Tensors, or a dictionary from string to Tensor.")
    return outputs


def _write(export_dir: str, data: dict, writer: Writer) -> None:
    data["streams"] = writer.streams
    os.makedirs(os.path.join(export_dir, "variables"), exist_ok=True)
    arrays_name = f"variables/arrays-{uuid.uuid4().hex[:12]}.npz"
    data["arrays"] = arrays_name
    # What the array file holds, so that a reader can check its sizes before inflating anything.
    data["array_specs"] = {k: {"shape": list(a.shape), "dtype": a.dtype.name} for k, a in writer.arrays.items()}
    _atomic(os.path.join(export_dir, arrays_name), lambda f: np.savez(f, **writer.arrays))
    text = json.dumps(data, indent=1, allow_nan=False)
    _atomic(os.path.join(export_dir, "saved_model.json"), lambda f: f.write(text.encode()))
    for name in os.listdir(os.path.join(export_dir, "variables")):  # the arrays of earlier saves
        if name.startswith("arrays-") and f"variables/{name}" != arrays_name:
            os.remove(os.path.join(export_dir, "variables", name))


def _atomic(path: str, write) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path`` (never half a file)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".partial", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
