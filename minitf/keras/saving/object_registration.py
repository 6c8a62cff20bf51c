"""Where loading finds classes by name: ``custom_objects`` and the serializable registry.

Loading a model never runs code from the file: the file only *names* classes
(``"class_name": "MyLayer"``), and the name must be found here, in ``custom_objects=``
passed to ``load_model``, or among minitf's own layers. Register your own classes once::

    @keras.saving.register_keras_serializable(package="my_package")
    class MyLayer(keras.layers.Layer): ...

and ``load_model`` finds ``"my_package>MyLayer"`` without further help.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_SCOPES: list[dict[str, Any]] = []


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Class decorator: make a class (or function) loadable by its registered name ``package>name``."""
    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if registered in _GLOBAL_CUSTOM_OBJECTS and _GLOBAL_CUSTOM_OBJECTS[registered] is not obj:
            raise ValueError(f"{registered} has already been registered to {_GLOBAL_CUSTOM_OBJECTS[registered]}")
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register a class that does not have a get_config() method: {obj}")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj
    return decorator


def get_registered_name(obj: Any) -> str:
    """``package>name`` if ``obj`` was registered, else its plain ``__name__``."""
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects: dict | None = None) -> Any:
    """Find ``name``: in ``custom_objects``, open ``custom_object_scope``s, the registry, then ``module_objects``."""
    for table in [custom_objects or {}, *reversed(_SCOPES), _GLOBAL_CUSTOM_OBJECTS, module_objects or {}]:
        if name in table:
            return table[name]
    return None


def get_custom_objects() -> dict:
    """The global registry (a live dict: adding to it registers)."""
    return _GLOBAL_CUSTOM_OBJECTS


@contextlib.contextmanager
def custom_object_scope(*scopes: dict) -> Iterator[None]:
    """``with custom_object_scope({"MyLayer": MyLayer}): load_model(...)``."""
    merged: dict[str, Any] = {}
    for scope in scopes:
        merged.update(scope or {})
    _SCOPES.append(merged)
    try:
        yield
    finally:
        _SCOPES.pop()


CustomObjectScope = custom_object_scope
