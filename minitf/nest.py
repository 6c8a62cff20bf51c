"""Nested structures (lists, tuples, dicts) flattened and rebuilt, as ``tf.nest``.

GradientTape.gradient takes sources as any such structure and answers in the
same structure; this module is how.
"""
from __future__ import annotations

from typing import Any, Callable


def flatten(structure: Any) -> list:
    """Leaves of ``structure`` in order (dicts by sorted key, as tf.nest does)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure: Any, leaves: list) -> Any:
    """Rebuild ``structure`` with ``leaves`` in place of its own leaves."""
    leaves_iter = iter(leaves)

    def rebuild(node):
        if isinstance(node, dict):
            return {key: rebuild(node[key]) for key in sorted(node)}
        if isinstance(node, tuple) and hasattr(node, "_fields"):  # namedtuple
            return type(node)(*(rebuild(item) for item in node))
        if isinstance(node, (list, tuple)):
            return type(node)(rebuild(item) for item in node)
        return next(leaves_iter)

    return rebuild(structure)


def map_structure(fn: Callable, structure: Any) -> Any:
    """``fn`` applied to every leaf, in the same structure."""
    return pack_sequence_as(structure, [fn(leaf) for leaf in flatten(structure)])


def is_nested(structure: Any) -> bool:
    return isinstance(structure, (list, tuple, dict))


def structure_key(structure: Any) -> Any:
    """A hashable description of ``structure``'s shape (its containers and keys, not its leaves)."""
    if isinstance(structure, dict):
        return ("dict", tuple((key, structure_key(structure[key])) for key in sorted(structure)))
    if isinstance(structure, (list, tuple)):
        return (type(structure).__name__, tuple(structure_key(item) for item in structure))
    return "*"
