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


class InvalidArgumentTypeError(OpError, TypeError):
    """Operands of dtypes an op refuses to mix (TF raises InvalidArgumentError;
    this is also a TypeError so plain Python code can catch it the usual way)."""


class NotFoundError(OpError):
    """A file or name that does not exist."""


class UnimplementedError(OpError, NotImplementedError):
    """A feature minitf does not implement (yet); the message says which."""
