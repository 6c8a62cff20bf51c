"""Values that stand in for variables that have none yet.

A converted ``if``/loop reads all its state variables before it runs (``get_state``), including
those the original code only defines inside it. Those start as ``Undefined('y')``: carried
through a Python branch that never assigns them, they still fail as Python would when read
(``ld``); reaching a ``tf.cond`` or ``tf.while_loop``, they are named in the error
("'y' must also be initialized in the else branch"). ``UndefinedReturnValue`` is the value of
``retval_`` before any ``return`` ran: the function then returns None.
"""
from __future__ import annotations


class Undefined:
    """The value of variable ``symbol_name`` before anything was assigned to it."""

    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name: str):
        self.symbol_name = symbol_name

    def read(self):
        raise UnboundLocalError(f"'{self.symbol_name}' is used before assignment")

    def __repr__(self) -> str:
        return self.symbol_name

    def __getattribute__(self, name):
        try:
            return object.__getattribute__(self, name)
        except AttributeError:  # as TF: attributes of an undefined object are undefined too
            return self

    def __getitem__(self, index):
        return self


class UndefinedReturnValue:
    """``retval_`` of a function no ``return`` has run in yet."""


def ld(value):
    """Read a variable that may be Undefined: Python's error if it is."""
    if isinstance(value, Undefined):
        return value.read()
    return value


def ldu(load, name: str):
    """Read ``self.x`` (a composite name) for a state getter: Undefined if it does not exist."""
    try:
        return load()
    except (KeyError, AttributeError, NameError):
        return Undefined(name)


def retval(value):
    """What the converted function returns: its ``retval_``, None if no return ran."""
    if isinstance(value, UndefinedReturnValue):
        return None
    return value


def is_undefined(value) -> bool:
    return isinstance(value, (Undefined, UndefinedReturnValue))
