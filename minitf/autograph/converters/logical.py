"""``and``, ``or``, ``not`` and chained comparisons become functions that work on tensors too.

    a > 0 and b > 0     ->     ag__.and_(lambda: a > 0, lambda: b > 0)
    not done            ->     ag__.not_(done)
    0 < x < 1           ->     ag__.and_(lambda: 0 < x, lambda: x < 1)

Python's ``and`` asks ``bool(a)``, which a symbolic tensor cannot answer. ``and_`` looks at
``a`` when it runs: a tensor gives ``tf.cond(a, b, lambda: a)`` (still lazy: ``b`` runs only
when ``a`` is true), anything else Python's own ``a and b()``. The lambdas keep the right side
lazy, as in Python.
"""
from __future__ import annotations

import ast

from minitf.autograph import templates


class LogicalConversion(ast.NodeTransformer):
    def visit_BoolOp(self, node):
        node = self.generic_visit(node)
        function = "ag__.and_" if isinstance(node.op, ast.And) else "ag__.or_"
        values = list(node.values)
        right = values.pop()
        while values:
            right = templates.expression(f"{function}(lambda: left, lambda: right)", node, left=values.pop(),
                                         right=right)
        return right

    def visit_UnaryOp(self, node):
        node = self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return templates.expression("ag__.not_(operand)", node, operand=node.operand)
        return node

    def visit_Compare(self, node):
        node = self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        left, tree = node.left, None
        for op, right in zip(node.ops, node.comparators):
            comparison = templates.locate(ast.Compare(left=left, ops=[op], comparators=[right]), node)
            tree = comparison if tree is None else templates.expression(
                "ag__.and_(lambda: tree, lambda: comparison)", node, tree=tree, comparison=comparison)
            left = right
        return tree
