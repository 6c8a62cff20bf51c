"""``tf.types``: the base classes user code subclasses to take part in tracing.

``tf.types.experimental.TraceType``: an object whose class defines ``__tf_tracing_type__(context)``
is matched to its traces by the TraceType that method returns (its ``__eq__`` and ``__hash__``),
not by identity: two objects with equal TraceTypes share one trace (``minitf.function``).
"""
from __future__ import annotations

import abc
from types import SimpleNamespace

from minitf.tensor import Tensor

__all__ = ["experimental"]


class TraceType(abc.ABC):
    """What a value is, for tracing: equal TraceTypes share a trace (``tf.types.experimental.TraceType``)."""

    @abc.abstractmethod
    def is_subtype_of(self, other: "TraceType") -> bool:
        """Can a value of this type use a trace made for ``other``?"""

    @abc.abstractmethod
    def most_specific_common_supertype(self, others) -> "TraceType | None":
        """The most specific type all of ``self`` and ``others`` are subtypes of, or None."""

    def placeholder_value(self, placeholder_context=None):
        """The value the traced function receives for this type."""
        raise NotImplementedError(f"{type(self).__name__} does not define placeholder_value")

    @abc.abstractmethod
    def __eq__(self, other) -> bool:
        ...

    @abc.abstractmethod
    def __hash__(self) -> int:
        ...


class SupportsTracingProtocol(abc.ABC):
    """An object that says its TraceType through ``__tf_tracing_type__(context)``."""

    @abc.abstractmethod
    def __tf_tracing_type__(self, context) -> TraceType:
        ...


experimental = SimpleNamespace(TraceType=TraceType, SupportsTracingProtocol=SupportsTracingProtocol,
                               TensorLike=Tensor)
