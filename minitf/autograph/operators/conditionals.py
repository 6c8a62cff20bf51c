"""``ag__.if_stmt`` and ``ag__.if_exp``: a converted ``if`` decides, when it runs, what it is.

    ag__.if_stmt(x > 0, if_body, else_body, get_state, set_state, ('y',), 1)

- ``x > 0`` is a Python bool (or any non-tensor): Python's ``if``, one branch runs.
- ``x > 0`` is a tensor: ``tf.cond``. Both branches are traced (each starting from the values
  the state had before the ``if``), each returns the state's outputs, and the cond's outputs
  become the new values of those variables. The result is the same graph as a hand-written
  ``tf.cond(x > 0, lambda: x * 2, lambda: -x)``.
"""
from __future__ import annotations

from minitf.autograph.operators import checks
from minitf.tensor import Tensor


def if_stmt(cond, body, orelse, get_state, set_state, symbol_names: tuple, nouts: int) -> None:
    """A converted ``if``: ``tf.cond`` for a tensor condition, Python's ``if`` otherwise."""
    if isinstance(cond, Tensor):
        _tf_if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts)
    elif cond:
        body()
    else:
        orelse()


def _tf_if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts) -> None:
    from minitf.ops.control_flow import cond as tf_cond
    cond = checks.verify_condition(cond, "if statement")
    init_vars = get_state()
    outputs = {}  # per branch, its outputs, to compare the second branch's with the first's

    def branch(run, name: str, other: str):
        def traced():
            set_state(init_vars)  # every branch starts from the values before the if
            run()
            new_vars = tuple(get_state()[:nouts])
            outputs[name] = new_vars
            checks.verify_branch_vars(new_vars, symbol_names, name)
            if other in outputs:
                first, second = (new_vars, outputs[other]) if name == "main" else (outputs[other], new_vars)
                checks.verify_cond_vars(first, second, symbol_names)
            return new_vars
        return traced

    final = tf_cond(cond, branch(body, "main", "else"), branch(orelse, "else", "main"))
    set_state(tuple(final) + tuple(init_vars[nouts:]))


def if_exp(cond, if_true, if_false, expr_repr: str):
    """``a if cond else b``: ``tf.cond`` for a tensor condition, Python's choice otherwise."""
    if not isinstance(cond, Tensor):
        return if_true() if cond else if_false()
    from minitf.ops.control_flow import cond as tf_cond
    values = {}

    def side(fn, name: str):
        def traced():
            values[name] = fn()
            if len(values) == 2:
                checks.verify_single_cond_var(expr_repr, values["true"], values["false"])
            return values[name]
        return traced

    return tf_cond(cond, side(if_true, "true"), side(if_false, "false"))
