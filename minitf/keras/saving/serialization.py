"""Objects to JSON-able dicts and back, in Keras 3's format (``keras/src/saving/serialization_lib.py``).

    serialize_keras_object(Dense(3)) == {"module": "keras.layers", "class_name": "Dense",
                                         "config": {...}, "registered_name": None}

A layer's dict also carries its ``build_config`` (the input shape it was built for) and a
model's its ``compile_config``, as Keras writes them. Classes are saved under Keras's public
names (``public_names.py``), so Keras reads what minitf writes and the other way round. A user's
class is saved under its module and name; ``register_keras_serializable`` gives it a
``registered_name`` ("package>Name") that loading finds. Functions are saved by name:
``{"module": "builtins", "class_name": "function", "config": "relu", ...}``.

``deserialize_keras_object`` finds classes and functions by *name*, in ``custom_objects``, the
registry and minitf's own tables: it never imports a module named in a config. The one kind of
code a config can carry is a Python ``lambda``'s bytecode (``"__lambda__"``, as Keras writes it
for ``Lambda(lambda x: ...)``); running it needs ``safe_mode=False``, which says "I trust this
file". Configs deeper than ``MAX_DEPTH`` levels are refused (a file cannot exhaust the stack).
"""
from __future__ import annotations

import base64
import contextlib
import inspect
import marshal
import types
import warnings
from typing import Any, Callable, Iterator

import numpy as np

from minitf.keras.saving import public_names
from minitf.keras.saving.object_registration import (_GLOBAL_CUSTOM_NAMES, custom_object_scope,
                                                     get_registered_object)

_PLAIN = (str, int, float, bool)
# Keras's configs nest about 6 levels per nested model; 200 leaves room for deep nesting.
MAX_DEPTH = 200
_SAFE_MODE: list[bool] = []          # the innermost load's safe_mode (nested from_config calls read it)
_SHARED: list[dict[int, Any]] = []   # "shared_object_id" -> object, for the load in progress


def in_safe_mode() -> bool:
    """True unless the load in progress was started with ``safe_mode=False``."""
    return _SAFE_MODE[-1] if _SAFE_MODE else True


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool = True) -> Iterator[None]:
    _SAFE_MODE.append(bool(safe_mode))
    try:
        yield
    finally:
        _SAFE_MODE.pop()


@contextlib.contextmanager
def object_sharing_scope() -> Iterator[None]:
    """One load: objects Keras marked with the same ``shared_object_id`` come back as one object."""
    _SHARED.append({})
    try:
        yield
    finally:
        _SHARED.pop()


def dtype_policy_config(name: str) -> dict:
    """A layer's ``dtype`` as Keras 3 writes it: a ``DTypePolicy`` object."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


# ---------------------------------------------------------------------------------------------- saving
def serialize_keras_object(obj: Any) -> Any:
    """A JSON-able description of ``obj`` (plain values pass through)."""
    if obj is None or isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, (list, tuple)):  # a tuple stays a tuple, as in Keras (a file's JSON makes both lists)
        items = [serialize_keras_object(v) for v in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {str(k): serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": obj.dtype.name}}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    from minitf.tensor import Tensor
    if isinstance(obj, Tensor):
        return {"class_name": "__tensor__", "config": {"value": obj.numpy().tolist(), "dtype": obj.dtype.name}}
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return _serialize_function(obj)
    if not hasattr(obj, "get_config"):
        raise ValueError(f"Cannot serialize {obj!r} (of type {type(obj).__name__}): it has no get_config()")
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The `get_config()` method of {obj!r} should return a dict. It returned: {config!r}")
    cls = type(obj)
    public = public_names.public_name(cls)
    if public is not None:
        module, class_name = public
        registered = "LossFunctionWrapper" if class_name == "LossFunctionWrapper" else None  # as Keras writes it
    else:
        module, class_name = cls.__module__, cls.__name__
        registered = _GLOBAL_CUSTOM_NAMES.get(cls, class_name)
    result = {"module": module, "class_name": class_name, "config": serialize_keras_object(config),
              "registered_name": registered}
    if hasattr(obj, "get_build_config"):
        build = obj.get_build_config()
        if build is not None:
            result["build_config"] = serialize_keras_object(build)
    if hasattr(obj, "get_compile_config") and getattr(obj, "compiled", False):
        result["compile_config"] = serialize_keras_object(obj.get_compile_config())
    return result


def _serialize_function(fn: Any) -> dict:
    if fn.__name__ == "<lambda>":
        warnings.warn("The object being serialized includes a `lambda`. Loading it runs the code stored in the "
                      "file, so it needs `safe_mode=False`. Use a named function (passed in `custom_objects`, or "
                      "registered with `keras.saving.register_keras_serializable`) instead.", stacklevel=3)
        return lambda_config(fn)
    # Keras writes every function this way; the name is the registered one if there is one.
    return {"module": "builtins", "class_name": "function", "config": _GLOBAL_CUSTOM_NAMES.get(fn, fn.__name__),
            "registered_name": "function"}


def lambda_config(fn: types.FunctionType) -> dict:
    """A Python lambda as Keras stores it: its bytecode (base64 of ``marshal``), defaults and closure."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}


def _load_lambda(config: dict, what: str) -> types.FunctionType:
    if in_safe_mode():
        raise ValueError(f"The saved {what} is a Python lambda, stored as bytecode in the file. Loading it would run "
                         "code from the file, so it is refused by default (safe_mode=True). If you trust the file's "
                         "source, load it with `load_model(..., safe_mode=False)`; better, save a named function "
                         "and pass it in `custom_objects`.")
    code = marshal.loads(base64.decodebytes(str(config["code"]).encode("ascii")))  # noqa: S302 (opted in)
    defaults = tuple(config["defaults"]) if config.get("defaults") is not None else None
    closure = tuple(types.CellType(v) for v in config["closure"]) if config.get("closure") else None
    import minitf
    return types.FunctionType(code, {"__builtins__": __builtins__, "tf": minitf, "minitf": minitf}, code.co_name,
                              defaults, closure)


# --------------------------------------------------------------------------------------------- loading
def deserialize_keras_object(config: Any, custom_objects: dict | None = None, safe_mode: bool | None = None,
                             module_objects: dict | None = None, what: str = "object", _depth: int = 0) -> Any:
    """The object ``config`` describes. Classes and functions are looked up by name only.

    ``module_objects``: an extra table for bare names (e.g. the loss functions for ``"mse"``).
    ``safe_mode`` (default: that of the load in progress, else True) refuses stored lambdas.
    """
    if safe_mode is not None:
        with safe_mode_scope(safe_mode):
            return deserialize_keras_object(config, custom_objects, None, module_objects, what, _depth)
    if _depth > MAX_DEPTH:
        raise ValueError(f"The saved {what} is nested more than {MAX_DEPTH} levels deep: not a config minitf or "
                         "Keras writes")
    if config is None or isinstance(config, (int, float, bool)):
        return config
    if isinstance(config, str):
        found = get_registered_object(config, custom_objects, module_objects)
        return config if found is None else found
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(v, custom_objects, None, module_objects, what, _depth + 1) for v in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse the saved {what}: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects, None, module_objects, what, _depth + 1)
                for k, v in config.items()}
    class_name, inner = config["class_name"], config["config"]
    inner = {} if inner is None else inner
    special = _SPECIAL.get(class_name)
    if special is not None:
        return special(config, inner, what)
    if class_name == "function":
        return _find_function(config, inner, custom_objects, module_objects, what)
    if not isinstance(inner, dict):
        raise TypeError(f"Expected 'config' to be a dict for the saved {what} '{class_name}', got {inner!r}")
    shared_id = config.get("shared_object_id")
    if shared_id is not None and _SHARED and shared_id in _SHARED[-1]:
        return _SHARED[-1][shared_id]
    cls = _find_class(config, custom_objects, module_objects, what)
    if class_name == "DTypePolicy" and cls is None:
        return inner.get("name")
    if not hasattr(cls, "from_config"):
        raise TypeError(f"'{class_name}' has no from_config(): it cannot be rebuilt from a saved config")
    with custom_object_scope(custom_objects or {}):
        kwargs = {}
        if "custom_objects" in inspect.signature(cls.from_config).parameters:
            kwargs["custom_objects"] = custom_objects
        try:
            obj = cls.from_config(inner, **kwargs)
        except (TypeError, ValueError) as e:
            raise type(e)(f"Could not rebuild the saved {what} '{class_name}' from its config: {e}") from e
        build = config.get("build_config")
        if build and hasattr(obj, "build_from_config") and not getattr(obj, "built", True):
            obj.build_from_config(build)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(obj, "compile_from_config"):
            obj.compile_from_config(compile_config, custom_objects)
    if shared_id is not None and _SHARED:
        _SHARED[-1][shared_id] = obj
    return obj


def _find_class(config: dict, custom_objects, module_objects, what: str) -> Any:
    class_name, registered = config["class_name"], config.get("registered_name")
    for name in (registered, class_name):
        if name:
            found = get_registered_object(name, custom_objects)
            if found is not None:
                return found
    module = config.get("module")
    if class_name == "DTypePolicy" and module in ("keras", "keras.dtype_policies", None):
        return None  # a dtype: deserialize_keras_object returns its name
    found = public_names.lookup(module, class_name)
    if found is None and module_objects:
        found = module_objects.get(class_name)
    if found is None or not inspect.isclass(found):
        raise TypeError(f"Could not locate class '{class_name}' (module {module!r}) for a saved {what}. Make sure "
                        "custom classes are decorated with `@keras.saving.register_keras_serializable()` or passed "
                        f"in custom_objects={{'{class_name}': {class_name}}}.")
    return found


def _find_function(config: dict, inner: Any, custom_objects, module_objects, what: str) -> Any:
    if not isinstance(inner, str):
        raise TypeError(f"Expected the name of a function in the saved {what}, got {inner!r}")
    registered = config.get("registered_name")
    for name in (inner, registered if registered not in (None, "function") else None):
        if name:
            found = get_registered_object(name, custom_objects, module_objects)
            if found is not None:
                return found
    module = config.get("module")
    found = public_names.builtin_function(inner) if module in (None, "builtins") else public_names.lookup(module,
                                                                                                           inner)
    if found is None and ">" not in inner:  # Keras <= 3.6 saved a registered function under its bare name
        for table in (custom_objects or {}, ):
            for key, value in table.items():
                if key.endswith(">" + inner):
                    return value
    if found is None:
        raise ValueError(f"Unknown function '{inner}' in the saved {what}: pass it in custom_objects (e.g. "
                         f"load_model(path, custom_objects={{'{inner}': {inner}}})) or register it with "
                         "`@keras.saving.register_keras_serializable()`.")
    return found


def _keras_tensor(config: dict, inner: Any, what: str) -> dict:
    return config  # a functional model's from_config reconnects these itself


def _numpy(config: dict, inner: dict, what: str) -> np.ndarray:
    return np.array(inner["value"], dtype=inner["dtype"])


def _tensor(config: dict, inner: dict, what: str):
    from minitf.tensor import convert_to_tensor
    return convert_to_tensor(np.array(inner["value"], dtype=inner["dtype"]))


def _slice(config: dict, inner: dict, what: str) -> slice:
    return slice(inner.get("start"), inner.get("stop"), inner.get("step"))


_SPECIAL = {
    "__keras_tensor__": _keras_tensor,
    "__numpy__": _numpy,
    "__tensor__": _tensor,
    "__bytes__": lambda config, inner, what: str(inner["value"]).encode("utf-8"),
    "__slice__": _slice,
    "__ellipsis__": lambda config, inner, what: Ellipsis,
    "__lambda__": lambda config, inner, what: _load_lambda(inner, what),
}


def get_keras_object(identifier: Any, kind: str, module_objects: dict, deserialize: Callable,
                     instantiate_classes: bool = True) -> Any:
    """The one lookup behind the ``get()`` of losses, metrics, activations, regularizers, constraints
    and initializers (Keras writes it in each module):

        None             -> None
        config dict      -> deserialize(dict)
        name             -> module_objects[name]         ("mse", "l2", "GlorotUniform", ...)
        class            -> an instance, cls()           (unless instantiate_classes=False)
        other callable   -> itself

    Anything else (an unknown name, a number) is a ValueError naming ``kind`` and the identifier.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = module_objects.get(identifier)
        if obj is None:
            raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}. "
                             f"Known names: {sorted(module_objects)}")
    else:
        obj = identifier
    if callable(obj):
        return obj() if instantiate_classes and inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")


def serialize_instance(obj: Any, base: type, kind: str) -> dict:
    """``serialize_keras_object(obj)`` for an instance of ``base``, else a ValueError: the ``serialize``
    of regularizers, constraints and initializers."""
    if not isinstance(obj, base):
        raise ValueError(f"{kind}s.serialize: expected a{'n' if base.__name__[0] in 'AEIOU' else ''} "
                         f"{base.__name__}, got {obj!r}")
    return serialize_keras_object(obj)


def deserialize_from_table(config: Any, kind: str, module_objects: dict, custom_objects: dict | None = None) -> Any:
    """An instance from a class name or a ``{"class_name", "config"}`` dict, the class looked up in
    ``module_objects`` (then ``custom_objects``) and rebuilt with ``from_config``: the ``deserialize``
    of regularizers, constraints and initializers."""
    table = {**module_objects, **(custom_objects or {})}
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or config.get("class_name") not in table:
        raise ValueError(f"Unknown {kind}: {config!r}. Known names: {sorted(module_objects)}")
    return table[config["class_name"]].from_config(config.get("config") or {})


def serialize_loss_or_metric(obj: Any, base: type, module: str, functions: dict) -> Any:
    """The ``serialize`` of losses and metrics (``module`` "keras.losses" or "keras.metrics"): a name
    stays a name, an instance of ``base`` becomes {"module", "class_name", "config", "registered_name"},
    and a built-in function (its name in ``functions``) Keras's entry for a function."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, base):
        return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
                "registered_name": None}
    if callable(obj) and getattr(obj, "__name__", None) in functions:
        return {"module": "builtins", "class_name": "function", "config": obj.__name__,
                "registered_name": "function"}
    kind = module.split(".")[-1]
    raise ValueError(f"{kind}.serialize: cannot serialize {obj!r}: only minitf's built-in {kind} (and "
                     f"{base.__name__} subclasses passed through custom_objects when loading) can be saved")


def deserialize_loss_or_metric(config: Any, kind: str, table: dict, known: dict,
                               from_name: Callable = lambda obj: obj) -> Any:
    """The ``deserialize`` of losses and metrics (``kind`` "loss" or "metric"): a name gives ``from_name(table[name])`` (metrics
    make an instance of a class named so), a function entry the function it names, and
    {"class_name": C, "config": c} ``table[C].from_config(c)``. Errors list the ``known`` names."""
    if isinstance(config, str):
        if config not in table:
            raise ValueError(f"Unknown {kind}: {config!r}. Known: {sorted(known)}")
        return from_name(table[config])
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{'losses' if kind == 'loss' else kind + 's'}.deserialize: expected a name or a dict "
                         f"with 'class_name', got {config!r}")
    name, inner = config["class_name"], config.get("config")
    if name == "function":
        return deserialize_loss_or_metric(inner, kind, table, known, from_name)
    if name not in table:
        raise ValueError(f"Unknown {kind} class: {name!r}. Known: {sorted(known)}")
    cls = table[name]
    return cls.from_config(dict(inner or {})) if hasattr(cls, "from_config") else cls(**(inner or {}))
