"""``ag__.and_``, ``ag__.or_``, ``ag__.not_``: Python's ``and``/``or``/``not``, or their tensor forms.

``and``/``or`` stay lazy on tensors too, as in TF: ``and_(a, b)`` on a tensor ``a`` is
``tf.cond(a, b, lambda: a)``, so ``b`` only runs (or, traced, only counts) when ``a`` is true.
"""
from __future__ import annotations

from minitf.tensor import Tensor


def not_(a):
    if isinstance(a, Tensor):
        from minitf.ops.elementwise import logical_not
        return logical_not(a)
    return not a


def and_(a, b):
    a_value = a()
    if isinstance(a_value, Tensor):
        from minitf.ops.control_flow import cond
        return cond(a_value, b, lambda: a_value)
    return a_value and b()


def or_(a, b):
    a_value = a()
    if isinstance(a_value, Tensor):
        from minitf.ops.control_flow import cond
        return cond(a_value, lambda: a_value, b)
    return a_value or b()
