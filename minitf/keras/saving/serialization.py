"""Objects to JSON-able dicts and back, in Keras 3's format.

    serialize_keras_object(Dense(3)) == {"module": "keras.layers", "class_name": "Dense",
                                         "config": {...}, "registered_name": None}

``deserialize_keras_object`` looks the class up by name (never by importing a module named in
the file, never by running stored code) and calls its ``from_config``. Functions are stored by
name only (``{"class_name": "function", "config": "my_fn"}``) and must be found the same way.
"""
from __future__ import annotations

import inspect
import types
from typing import Any, Callable

import numpy as np

from minitf.keras.saving.object_registration import _GLOBAL_CUSTOM_NAMES, get_registered_object

_PLAIN = (str, int, float, bool, type(None))


def _module_of(obj: Any) -> str:
    module = type(obj).__module__ if not isinstance(obj, (type, types.FunctionType)) else obj.__module__
    for part in ("layers", "losses", "metrics", "optimizers", "initializers", "regularizers", "constraints",
                 "activations", "callbacks", "models", "engine"):
        if module.startswith(f"minitf.keras.{part}"):
            return "keras.models" if part == "engine" else f"keras.{part}"
    return module


def serialize_keras_object(obj: Any) -> Any:
    """A JSON-able description of ``obj`` (plain values pass through)."""
    if obj is None or isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, types.FunctionType) or inspect.isbuiltin(obj):
        if obj.__name__ == "<lambda>":
            raise ValueError("A Python lambda cannot be saved: loading a file never runs code stored in it. "
                             "Use a named function (pass it in custom_objects when loading) or a Layer subclass.")
        registered = _GLOBAL_CUSTOM_NAMES.get(obj)
        return {"module": _module_of(obj), "class_name": "function", "config": registered or obj.__name__,
                "registered_name": registered or "function"}
    if hasattr(obj, "get_config"):
        registered = _GLOBAL_CUSTOM_NAMES.get(type(obj))
        return {"module": _module_of(obj), "class_name": type(obj).__name__,
                "config": serialize_keras_object(obj.get_config()), "registered_name": registered}
    raise ValueError(f"Cannot serialize {obj!r} (of type {type(obj).__name__}): it has no get_config()")


def deserialize_keras_object(config: Any, module_objects: dict | None = None, custom_objects: dict | None = None,
                             what: str = "object") -> Any:
    """The object ``config`` describes; classes and functions are looked up by name only."""
    if config is None or isinstance(config, _PLAIN) and not isinstance(config, str):
        return config
    if isinstance(config, str):
        found = get_registered_object(config, custom_objects, module_objects)
        if found is None:
            raise ValueError(f"Unknown {what}: '{config}'. Please ensure you are using a "
                             "`keras.utils.custom_object_scope` (or pass custom_objects=) and that this object "
                             "is included in the scope.")
        return found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Cannot deserialize {what} from {config!r}: expected a dict with a 'class_name'")
    class_name = config["class_name"]
    inner = config.get("config")
    if class_name == "function":
        name = config.get("registered_name") if config.get("registered_name") not in (None, "function") else inner
        fn = get_registered_object(name, custom_objects, module_objects)
        if fn is None:
            raise ValueError(f"Unknown function '{name}' in the saved {what}: pass it in custom_objects "
                             "(e.g. load_model(path, custom_objects={'" + str(name) + "': " + str(name) + "})).")
        return fn
    registered = config.get("registered_name")
    cls = None
    if registered:
        cls = get_registered_object(registered, custom_objects, module_objects)
    if cls is None:
        cls = get_registered_object(class_name, custom_objects, module_objects)
    if cls is None:
        raise TypeError(f"Could not locate class '{class_name}' for a saved {what}. Make sure custom classes are "
                        "decorated with `@keras.saving.register_keras_serializable()` or passed in "
                        f"custom_objects={{'{class_name}': {class_name}}}.")
    if not hasattr(cls, "from_config"):
        raise TypeError(f"'{class_name}' has no from_config(): it cannot be rebuilt from a saved config")
    kwargs = {}
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        kwargs["custom_objects"] = custom_objects
    obj = cls.from_config(inner if inner is not None else {}, **kwargs)
    return obj


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
