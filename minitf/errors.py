"""Exceptions under TF's names (``tf.errors.*``), so ``except`` clauses carry over."""
from __future__ import annotations


class OpError(Exception):
    """Base of the errors an op raises; ``op`` names the op that failed."""

    def __init__(self, message: str, op: str | None = None):
        super().__init__(message)
        self.message = message
        self.op = op


class InvalidArgumentError(OpError, ValueError):
    """Bad shapes, dtypes or values given to an op (TF's InvalidArgumentError)."""


class InvalidArgumentTypeError(InvalidArgumentError, TypeError):
    """Operands of dtypes an op refuses to mix. TF raises InvalidArgumentError, so this is one
    (``except tf.errors.InvalidArgumentError`` catches it); it is also a TypeError, as a
    Python programmer would expect of a dtype mismatch."""


class NotFoundError(OpError):
    """A file or name that does not exist; also an op given a dtype it has no kernel for (TF's
    "Could not find device for node", e.g. reciprocal of an int32 tensor)."""


class OutOfRangeError(OpError):
    """An index or iteration beyond the end (TF raises it at the end of a dataset iterator)."""


class FailedPreconditionError(OpError):
    """The system is not in the state the op needs (e.g. an uninitialized value)."""


class AlreadyExistsError(OpError):
    """Something to create exists already (e.g. a second profiler started)."""


class UnavailableError(OpError):
    """A service is not available now (e.g. stopping a profiler that is not running)."""


class ResourceExhaustedError(OpError):
    """Out of memory, or another resource."""


class InternalError(OpError):
    """An invariant broke inside minitf: a bug to report."""


class UnimplementedError(OpError, NotImplementedError):
    """A feature minitf does not implement (yet); the message says which."""


class UnknownError(OpError):
    """An error of no other class: TF's, e.g., for what the Python function of ``tf.py_function`` raised."""


class OperatorNotAllowedInGraphError(TypeError):
    """A Python operation on a symbolic tensor of a traced function (``if tensor:``, ``float(tensor)``)."""
