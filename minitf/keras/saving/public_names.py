"""The names objects are saved under: Keras's public names, so that Keras reads minitf's files.

A saved config names each object by a *module* and a *class name*, as Keras writes them::

    {"module": "keras.layers", "class_name": "Dense", ...}      # minitf.keras.layers.Dense
    {"module": "keras", "class_name": "Sequential", ...}         # minitf.keras.Sequential
    {"module": "keras.src.models.functional", "class_name": "Functional", ...}

``public_name(cls)`` gives that pair for a minitf class (None for a user's class), and
``lookup(module, name)`` finds the minitf object a pair names. Loading only ever looks names up
in these tables (and in ``custom_objects`` and the registry): it never imports a module named in
a file.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any

# Keras's public module -> the minitf module holding the same names.
_FAMILIES = {
    "keras.layers": "minitf.keras.layers",
    "keras.losses": "minitf.keras.losses",
    "keras.metrics": "minitf.keras.metrics",
    "keras.optimizers": "minitf.keras.optimizers",
    "keras.optimizers.schedules": "minitf.keras.optimizers.schedules",
    "keras.initializers": "minitf.keras.initializers",
    "keras.regularizers": "minitf.keras.regularizers",
    "keras.constraints": "minitf.keras.constraints",
    "keras.activations": "minitf.keras.activations",
}
_LEGACY_LAYERS = ("RandomHeight", "RandomWidth", "ThresholdedReLU")
# tf.keras (TF 2.21) exports these from keras._legacy.layers too, and saves them under that module;
# Keras 3 has them in keras.layers, where minitf saves them. Both names load.
_ALSO_LEGACY_LAYERS = ("AlphaDropout",)
# Where Keras looks up a function saved as {"module": "builtins", "class_name": "function"}.
_FUNCTION_FAMILIES = ("keras.activations", "keras.losses", "keras.metrics")


@functools.lru_cache(maxsize=None)
def tables() -> dict[str, dict[str, Any]]:
    """Keras module -> {name: minitf class or function}, aliases included."""
    import importlib

    from minitf.keras.engine.functional import Functional
    from minitf.keras.engine.model import Model
    from minitf.keras.engine.sequential import Sequential
    from minitf.keras.layers.core.input_layer import Input, InputLayer

    found: dict[str, dict[str, Any]] = {}
    for keras_module, minitf_module in _FAMILIES.items():
        module = importlib.import_module(minitf_module)
        table = {}
        names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name, None)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and getattr(obj, "__module__", "").startswith(
                    "minitf.keras"):
                table[name] = obj
        for extra in ("ALL_OBJECTS_DICT", "_FUNCTIONS"):  # Keras's lower-case names and aliases
            table.update({k: v for k, v in getattr(module, extra, {}).items() if k not in table})
        found[keras_module] = table
    models = {"Sequential": Sequential, "Model": Model, "Functional": Functional, "InputLayer": InputLayer,
              "Input": Input}
    found["keras"] = dict(models)
    found["keras.models"] = dict(models)  # minitf's own first format wrote models under keras.models
    found["keras.src.models.functional"] = {"Functional": Functional}
    found["keras.src.models.sequential"] = {"Sequential": Sequential}
    found["keras.src.models.model"] = {"Model": Model}
    # Keras 3 keeps RandomHeight/RandomWidth as legacy tf.keras layers and saves them under this module.
    found["keras._legacy.layers"] = {name: found["keras.layers"][name]
                                     for name in _LEGACY_LAYERS + _ALSO_LEGACY_LAYERS}
    losses = found["keras.losses"]
    found["keras.src.losses.losses"] = {"LossFunctionWrapper": losses["LossFunctionWrapper"]}
    return found


@functools.lru_cache(maxsize=None)
def _reverse() -> dict[Any, tuple[str, str]]:
    reverse: dict[Any, tuple[str, str]] = {}
    for keras_module, table in tables().items():
        if keras_module in ("keras.models", "keras.src.models.sequential", "keras.src.models.model",
                            "keras._legacy.layers"):
            continue
        for name, obj in table.items():
            if getattr(obj, "__name__", None) == name and obj not in reverse:
                reverse[obj] = (keras_module, name)
    from minitf.keras.engine.functional import Functional
    from minitf.keras.losses import LossFunctionWrapper
    reverse[Functional] = ("keras.src.models.functional", "Functional")  # where Keras itself writes them
    reverse[LossFunctionWrapper] = ("keras.src.losses.losses", "LossFunctionWrapper")
    for name in _LEGACY_LAYERS:
        reverse[tables()["keras.layers"][name]] = ("keras._legacy.layers", name)
    return reverse


def public_name(obj: Any) -> tuple[str, str] | None:
    """(Keras module, name) of a minitf class or function, or None for anything else."""
    try:
        return _reverse().get(obj)
    except TypeError:  # unhashable
        return None


def lookup(module: str | None, name: str) -> Any:
    """The minitf object Keras's ``module.name`` is, or None.

    Known modules are searched directly; an unknown ``keras.*`` module (Keras's private paths,
    ``keras.src...``) and minitf's own old module paths by the name alone, in the families
    where it is unambiguous.
    """
    found = tables()
    if module in found:
        return found[module].get(name)
    if module and module.startswith("minitf.keras."):  # minitf's first format: its own module paths
        module = "keras." + module[len("minitf.keras."):]
        for keras_module in sorted(found, key=len, reverse=True):
            if module.startswith(keras_module) and name in found[keras_module]:
                return found[keras_module][name]
    if module is None or module == "keras" or module.startswith("keras."):  # None: Keras 2's short form
        hits = {id(t[name]): t[name] for t in found.values() if name in t}
        if len(hits) == 1:
            return next(iter(hits.values()))
    return None


def builtin_function(name: str) -> Any:
    """A built-in function saved by name only (activations first, then losses and metrics, as Keras)."""
    for family in _FUNCTION_FAMILIES:
        fn = tables()[family].get(name)
        if fn is not None and inspect.isfunction(fn):
            return fn
    return None
