"""Reading and assigning Variables, as ops (so that a traced function replays them on every call).

A variable's array is never written into: an assignment gives the variable a new array.
Tensors read from it before (and the values tapes recorded) therefore keep their values.
"""
from __future__ import annotations

import numpy as np

from minitf import array_backend as B
from minitf._context import state
from minitf.errors import InvalidArgumentError
from minitf.ops.op import Op, read_variable
from minitf.tensor import Tensor, Variable


# While a function is traced, an assignment does not touch the variable: ``trace_forward`` tells the
# graph the value, for the reads that follow; the replay runs ``forward``, on every call.
class AssignVariableOp(Op):
    """variable <- value."""

    elementwise = True
    stateful = True

    def forward(value, variable):
        variable._value = value

    def trace_forward(value, variable):
        state.graph.variable_values[id(variable)] = value


class AssignAddVariableOp(Op):
    """variable <- variable + delta."""

    elementwise = True
    stateful = True

    def forward(current, delta, variable):
        variable._value = current + delta

    def trace_forward(current, delta, variable):
        state.graph.variable_values[id(variable)] = current + delta


class AssignSubVariableOp(Op):
    """variable <- variable - delta."""

    elementwise = True
    stateful = True

    def forward(current, delta, variable):
        variable._value = current - delta

    def trace_forward(current, delta, variable):
        state.graph.variable_values[id(variable)] = current - delta


class ResourceStridedSliceAssign(Op):
    """variable[key] <- value (broadcast into the slice), as a new array."""

    stateful = True

    def forward(current, value, variable, key):
        variable._value = _with_slice(current, value, key)

    def trace_forward(current, value, variable, key):
        state.graph.variable_values[id(variable)] = _with_slice(current, value, key)

    @classmethod
    def invalid(cls, inputs, attrs, error):
        variable = attrs["variable"]
        slice_shape = np.broadcast_to(np.empty(()), tuple(variable.shape))[attrs["key"]].shape
        return InvalidArgumentError(
            f"ResourceStridedSliceAssign: cannot broadcast a value of shape {tuple(inputs[1].shape)} into the slice "
            f"of shape {slice_shape} of Variable '{variable.name}' (shape {tuple(variable.shape)})", cls.name)


def _with_slice(current, value, key):
    new = B.xp.array(current, copy=True)
    new[key] = value
    return new


def assign(variable: Variable, value: Tensor) -> None:
    AssignVariableOp.apply(value, variable=variable)


def assign_add(variable: Variable, delta: Tensor) -> None:
    AssignAddVariableOp.apply(variable, delta, variable=variable)


def assign_sub(variable: Variable, delta: Tensor) -> None:
    AssignSubVariableOp.apply(variable, delta, variable=variable)


def assign_slice(variable: Variable, key: tuple, value: Tensor) -> None:
    ResourceStridedSliceAssign.apply(variable, value, variable=variable, key=key)


def read(variable: Variable) -> Tensor:
    """The variable's value now, as a Tensor (recorded by a watching tape as a read)."""
    return read_variable(variable)
