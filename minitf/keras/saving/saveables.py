"""Where each piece of a model's state lives in Keras's files (``keras/src/saving/saving_lib.py``).

Keras walks the model like a tree and stores every object's own variables at the object's path::

    vars/                                  the model's own variables (usually none)
    layers/dense/vars/0, 1                 Dense: kernel, bias
    layers/dense_1/vars/0, 1               the second Dense of the model
    layers/lstm/cell/vars/0, 1, 2          an LSTM's cell: kernel, recurrent_kernel, bias
    layers/bidirectional/forward_layer/cell/vars/...
    layers/sequential/layers/dense/vars/   a Sequential inside the model
    optimizer/vars/0, 1, 2 ...             iterations, learning_rate, then the slots

The walk, as Keras's ``_walk_saveable``: a Sequential or Functional model first gives its
``layers`` (named after their classes in snake_case, ``dense``, ``dense_1`` ..., never after the
layers' own names, which change from run to run), then every other attribute holding a layer,
an optimizer or a list/dict of them, in sorted attribute order (private ``_names`` last). An
object reached twice is saved once, at its first path. A layer's own variables are numbered
``0, 1, ...``: its trainable variables in creation order, then its non-trainable ones.

``walk(model)`` yields ``(path, object)`` in that order; ``own_state``/``set_own_state`` and
``assets``/``set_assets`` read and write one object's part (layers with a vocabulary override them).
"""
from __future__ import annotations

import re
from typing import Any, Iterator

import numpy as np

# Trainer and engine attributes that hold objects Keras never walks (or walks under other names).
_ENGINE_ATTRIBUTES = frozenset({"_compile_args", "_traced_steps", "_stack", "_functional", "_compile_loss",
                                "_compile_metrics", "_loss_tracker", "_step_cache", "history", "optimizer",
                                "state_size", "_layers", "layers"})


def snake_case(name: str) -> str:
    """Keras's ``naming.to_snake_case``: "LSTMCell" -> "lstm_cell", "Conv2D" -> "conv2d"."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _is_saveable(value: Any) -> bool:
    from minitf.keras.layers.layer import Layer
    from minitf.keras.optimizers.optimizer import Optimizer
    return isinstance(value, (Layer, Optimizer))


def _children(obj: Any) -> list[tuple[str, Any]]:
    """(attribute name, value) of the layers, optimizers and containers ``obj`` holds, in Keras's order."""
    from minitf.keras.engine.functional import Functional
    from minitf.keras.engine.sequential import Sequential
    from minitf.keras.layers.layer import Layer
    if not isinstance(obj, Layer):
        inner = getattr(obj, "inner_optimizer", None)  # a LossScaleOptimizer: Keras also saves the one it wraps
        return [("inner_optimizer", inner)] if inner is not None and _is_saveable(inner) else []
    first = [("layers", obj.layers)] if isinstance(obj, (Sequential, Functional)) else []
    found = {}
    for name, value in obj._tracked.items():
        if name in _ENGINE_ATTRIBUTES or name.startswith("__"):
            continue
        if _is_saveable(value) or isinstance(value, (list, tuple, dict)):
            found[name] = value
    optimizer = getattr(obj, "optimizer", None)
    if optimizer is not None and _is_saveable(optimizer):
        found["optimizer"] = optimizer
    extra = getattr(type(obj), "_keras_saveable_children", None)
    if extra is not None:  # a layer whose sublayers Keras names differently from minitf's attributes
        found = dict(extra(obj))
    ordered = sorted(found.items(), key=lambda item: "~" + item[0] if item[0].startswith("_") else item[0])
    return first + ordered


def walk(root: Any) -> Iterator[tuple[str, Any]]:
    """Every saveable under ``root`` (``root`` first, at path ""), each once, at Keras's path."""
    visited: set[int] = set()

    def visit(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
        if id(obj) in visited:
            return
        visited.add(id(obj))
        yield path, obj
        for name, child in _children(obj):
            child_path = f"{path}/{name}" if path else name
            if _is_saveable(child):
                yield from visit(child, child_path)
            else:
                yield from visit_container(child, child_path, set())

    def visit_container(container: Any, path: str, seen: set[int]) -> Iterator[tuple[str, Any]]:
        if id(container) in seen:
            return
        seen.add(id(container))
        used: dict[str, int] = {}
        items = list(container.values()) if isinstance(container, dict) else list(container)
        for item in items:
            if _is_saveable(item):
                yield from visit(item, f"{path}/{_unique(snake_case(type(item).__name__), used)}")
            elif isinstance(item, (list, tuple, dict)):
                yield from visit_container(item, f"{path}/{_unique('container', used)}", seen)

    yield from visit(root, "")


def _unique(name: str, used: dict[str, int]) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


# ------------------------------------------------------------------------ one object's state
def own_variables(obj: Any) -> list:
    """The Variables Keras stores under ``obj``'s ``vars/`` group, in order."""
    from minitf.keras.optimizers.optimizer import Optimizer
    if isinstance(obj, Optimizer):
        return obj.variables
    return list(obj._trainable_variables) + list(obj._non_trainable_variables)


def own_state(obj: Any) -> dict[str, np.ndarray]:
    """``{"0": array, "1": array, ...}`` (or a layer's own keys, e.g. "idf_weights")."""
    custom = getattr(obj, "_keras_own_state", None)
    if custom is not None:
        return custom()
    return {str(i): np.asarray(v.numpy()) for i, v in enumerate(own_variables(obj))}


def expected_state(obj: Any) -> dict[str, tuple[tuple, np.dtype]]:
    """The keys ``own_state`` gives, with the shape and dtype each must have: what a file is checked against."""
    custom = getattr(obj, "_keras_expected_state", None)
    if custom is not None:
        return custom()
    return {str(i): (tuple(v.shape), np.dtype(v.dtype.name)) for i, v in enumerate(own_variables(obj))}


def set_own_state(obj: Any, arrays: dict[str, np.ndarray]) -> None:
    """Assign arrays read (and already checked) from a file."""
    custom = getattr(obj, "_keras_set_own_state", None)
    if custom is not None:
        custom(arrays)
        return
    for i, v in enumerate(own_variables(obj)):
        if str(i) in arrays:  # all of them, except for an optimizer saved before its first step
            v.assign(arrays[str(i)].astype(np.dtype(v.dtype.name), copy=False))


def assets(obj: Any) -> dict[str, bytes]:
    """Files Keras writes under ``assets/<path>/`` for ``obj`` (a learned vocabulary), by file name."""
    custom = getattr(obj, "_keras_assets", None)
    return custom() if custom is not None else {}


def set_assets(obj: Any, files: dict[str, bytes]) -> None:
    custom = getattr(obj, "_keras_set_assets", None)
    if custom is not None:
        custom(files)


def asset_names(obj: Any) -> tuple[str, ...]:
    """The asset files loading reads for ``obj`` (only these names are ever looked up in an archive)."""
    custom = getattr(obj, "_keras_asset_names", None)
    return custom() if custom is not None else ()
