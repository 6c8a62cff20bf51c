"""The checks TF's AutoGraph makes on the variables of a converted ``if`` or loop, with its messages.

A ``tf.cond`` must give the same kind of value from both branches, and a ``tf.while_loop`` the
same kind of value after each iteration as before the loop; a variable defined on one side only
cannot be an output. These checks name the *variable* (``'y' has dtype int32 in the main
branch, but dtype float32 in the else branch``), which ``tf.cond``/``tf.while_loop`` alone could
not do: they only see their outputs by position.
"""
from __future__ import annotations

import numpy as np

from minitf import nest
from minitf.autograph.operators.variables import Undefined, UndefinedReturnValue, is_undefined
from minitf.tensor import Tensor, convert_to_tensor

LEGAL_LOOP_TYPES = "Tensor, int, float, bool or a list, tuple or dict thereof"


def shape_text(shape) -> str:
    """A static shape as TF prints a TensorShape: ``(2, None)``, ``(3,)``, ``()``, ``<unknown>``."""
    if shape is None:
        return "<unknown>"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def verify_condition(cond, tag: str) -> Tensor:
    """The condition of a converted ``if``/``while`` must be a scalar (or size-1) bool tensor."""
    hint = "to check for None, use `is not None`"
    cond = convert_to_tensor(cond)
    if cond.dtype.name != "bool":
        raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {cond}; to use as boolean "
                         f"Tensor, use `tf.cast`; {hint}")
    if cond.ndim > 0:
        known = [d for d in cond.shape if d is not None]
        if np.prod(known) > 1:
            raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {cond}; {hint}")
        from minitf.ops.shape_ops import reshape
        cond = reshape(cond, ())
    return cond


def _python_to_tensor(value):
    if isinstance(value, (bool, int, float, str, np.ndarray)):
        return convert_to_tensor(value)
    return value


def _structure_error(first, second) -> str:
    def describe(value):
        return f"type={type(value).__name__} str={value}"
    return (f"The two structures don't have the same nested structure.\n\nFirst structure: {describe(first)}\n\n"
            f"Second structure: {describe(second)}")


# --- conditionals -----------------------------------------------------------------------------
def verify_branch_vars(values, names, branch: str) -> None:
    for name, value in zip(names, values):
        if isinstance(value, Undefined):
            raise ValueError(f"'{name}' must also be initialized in the {branch} branch")
        if value is None:  # checked here, before the cond refuses a None output without naming it
            raise ValueError(f"'{name}' is None at the end of the {branch} branch.")
        if isinstance(value, UndefinedReturnValue):
            raise ValueError(f"the {branch} branch must also have a return statement.")


def verify_single_cond_var(name: str, body_value, orelse_value) -> None:
    if body_value is None:
        raise ValueError(f"'{name}' is None at the end of the main branch.")
    if orelse_value is None:
        raise ValueError(f"'{name}' is None at the end of the else branch.")
    body_value, orelse_value = _python_to_tensor(body_value), _python_to_tensor(orelse_value)
    if not isinstance(body_value, Tensor) or not isinstance(orelse_value, Tensor):
        return
    if body_value.dtype != orelse_value.dtype:
        raise TypeError(f"'{name}' has dtype {body_value.dtype.name} in the main branch, but dtype "
                        f"{orelse_value.dtype.name} in the else branch")


def verify_cond_vars(body_values, orelse_values, names) -> None:
    for name, body_value, orelse_value in zip(names, body_values, orelse_values):
        if nest.structure_key(body_value) != nest.structure_key(orelse_value):
            raise TypeError(f"'{name}' must have the same nested structure in the main and else branches:\n\n"
                            + _structure_error(body_value, orelse_value))
        for a, b in zip(nest.flatten(body_value), nest.flatten(orelse_value)):
            verify_single_cond_var(name, a, b)


# --- loops --------------------------------------------------------------------------------------
def verify_loop_init_vars(init_vars, names, first_iter_vars=None, extra_message: str | None = None) -> None:
    """Every loop variable needs a value before a TF loop (None and Undefined have no dtype)."""
    if first_iter_vars is None:
        first_iter_vars = (None,) * len(names)
    for name, value, first in zip(names, init_vars, first_iter_vars):
        if isinstance(value, UndefinedReturnValue):
            if first:
                raise ValueError(f"the return value from a TensorFlow loop may only be a {LEGAL_LOOP_TYPES}; got "
                                 f"{type(first)}")
            raise NotImplementedError("a return statement cannot be placed inside this TensorFlow loop; this may "
                                      "happen if a return statement depends on a static Python condition such as a "
                                      "hyperparameter")
        message = None
        if value is None:
            message = f"'{name}' is not allowed to be None before the loop"
        elif isinstance(value, Undefined):
            message = f"'{name}' must be defined before the loop"
            if extra_message:
                message += "\n" + extra_message
        if message is not None:
            raise ValueError(message)


def _is_subshape(left, right) -> bool:
    """Is ``left`` at least as specific as ``right`` (None in right matches any size)?"""
    if right is None:
        return True
    if left is None or len(left) != len(right):
        return False
    return all(r is None or l == r for l, r in zip(left, right))


def _verify_single_loop_var(name, check_shape, init, entry, exit_, shape_invariant) -> None:
    if exit_ is None:
        raise ValueError(f"'{name}' is None at the end of the iteration.")
    init, entry, exit_ = _python_to_tensor(init), _python_to_tensor(entry), _python_to_tensor(exit_)
    if not isinstance(entry, Tensor) or not isinstance(exit_, Tensor):
        return
    if entry.dtype != exit_.dtype:
        raise TypeError(f"'{name}' has dtype {entry.dtype.name} before the loop, but dtype {exit_.dtype.name} after "
                        "one iteration")
    if not check_shape:
        return
    if shape_invariant is None:
        if not _is_subshape(tuple(exit_.shape), tuple(entry.shape)):
            raise ValueError(f"'{name}' has shape {shape_text(entry.shape)} before the loop, but shape "
                             f"{shape_text(exit_.shape)} after one iteration. Use "
                             "tf.autograph.experimental.set_loop_options to set shape invariants.")
    else:
        invariant = None if shape_invariant is None else tuple(shape_invariant)
        if isinstance(init, Tensor) and not _is_subshape(tuple(init.shape), invariant):
            raise ValueError(f"'{name}' has shape {shape_text(init.shape)} before the loop, which does not conform "
                             f"with the shape invariant {shape_text(invariant)}.")
        if not _is_subshape(tuple(exit_.shape), invariant):
            raise ValueError(f"'{name}' has shape {shape_text(exit_.shape)} after one iteration, which does not "
                             f"conform with the shape invariant {shape_text(invariant)}.")


def verify_loop_vars(init_vars, entry_vars, exit_vars, names, shape_invariants=None, check_shapes=True) -> None:
    """Each loop variable keeps its structure, dtype and (unless an invariant allows it) shape."""
    if shape_invariants is None:
        shape_invariants = (None,) * len(names)
    for name, init, entry, exit_, invariant in zip(names, init_vars, entry_vars, exit_vars, shape_invariants):
        if not is_undefined(init) and nest.structure_key(init) != nest.structure_key(entry):
            raise TypeError(f"'{name}' does not have the same nested structure after one iteration.\n\n"
                            + _structure_error(init, entry))
        if nest.structure_key(entry) != nest.structure_key(exit_):
            raise TypeError(f"'{name}' does not have the same nested structure after one iteration.\n\n"
                            + _structure_error(entry, exit_))
        init_leaves = nest.flatten(init) if not is_undefined(init) else [None] * len(nest.flatten(entry))
        invariants = _invariant_leaves(invariant, len(init_leaves))
        for a, b, c, s in zip(init_leaves, nest.flatten(entry), nest.flatten(exit_), invariants):
            _verify_single_loop_var(name, check_shapes, a, b, c, s)


def _invariant_leaves(invariant, count: int) -> list:
    """A shape invariant per leaf: one shape for a tensor, a structure of shapes for a structure."""
    if invariant is None:
        return [None] * count
    if count == 1:
        return [invariant]
    return list(invariant)  # a structured variable: one shape per tensor in it
