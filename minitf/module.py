"""``tf.Module``: a named container of variables and sub-modules (TF's "Introduction to modules").

    class Dense(tf.Module):
        def __init__(self, in_features, out_features, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(tf.random.normal([in_features, out_features]), name="w")
            self.b = tf.Variable(tf.zeros([out_features]), name="b")

        @tf.function
        def __call__(self, x):
            return tf.nn.relu(x @ self.w + self.b)

``variables``, ``trainable_variables`` and ``submodules`` are found by walking the module's
attributes (and lists, tuples and dicts in them), in attribute-name order as TF walks them,
each object once. ``name_scope`` is the scope the module's name stands for.
"""
from __future__ import annotations

import re
from typing import Any

from minitf.tensor import Variable

_name_stack: list[str] = []


class name_scope:  # noqa: N801 (TF's name)
    """``with tf.name_scope("block"):``: names made inside get the prefix "block/" (TF's scoping)."""

    def __init__(self, name: str, *args, **kwargs):
        self._name = name
        self.name = None

    def __enter__(self) -> str:
        prefix = "/".join(_name_stack)
        self.name = f"{prefix}/{self._name}/" if prefix else f"{self._name}/"
        _name_stack.append(self._name)
        return self.name

    def __exit__(self, *exc) -> None:
        _name_stack.pop()


def _snake(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class Module:
    """Base class of things that hold variables (``tf.Module``)."""

    def __init__(self, name: str | None = None):
        if name is None:
            name = _snake(type(self).__name__)
        elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid Python identifiers "
                             "(e.g. a valid class name).")
        self._name = name
        self._scope_name = f"{name}/"

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self) -> name_scope:
        return name_scope(self._name)

    @property
    def variables(self) -> tuple:
        """Every Variable of this module and its sub-modules, each once."""
        return tuple(self._flatten(lambda v: isinstance(v, Variable)))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Variable) and v.trainable))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Variable) and not v.trainable))

    @property
    def submodules(self) -> tuple:
        """Every Module reachable from this one (not itself), each once, outermost first."""
        return tuple(self._flatten(lambda v: isinstance(v, Module), into_modules=True))

    def _flatten(self, predicate, into_modules: bool = True) -> list:
        found, seen = [], {id(self)}

        def walk(value: Any, depth: int) -> None:
            if id(value) in seen or depth > 64:
                return
            if isinstance(value, (Variable, Module)) or predicate(value):
                seen.add(id(value))
                if predicate(value):
                    found.append(value)
                if isinstance(value, Module):
                    pending.append(value)
                return
            if isinstance(value, dict):
                for key in sorted(value, key=str):
                    walk(value[key], depth + 1)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    walk(item, depth + 1)

        pending = [self]
        while pending:  # breadth-first: this module's own attributes, then each sub-module's
            module = pending.pop(0)
            for key in sorted(vars(module)):
                if key in ("_name", "_scope_name"):
                    continue
                walk(vars(module)[key], 0)
        return found

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: run ``method`` inside the module's name scope (names only; no other effect)."""
        def wrapper(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        wrapper.__name__ = getattr(method, "__name__", "method")
        return wrapper

    def __repr__(self) -> str:
        # (a subclass that skips Module.__init__ has no name)
        return f"<{type(self).__module__}.{type(self).__name__} object named {getattr(self, '_name', None)!r}>"
