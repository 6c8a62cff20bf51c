"""``a if test else b`` becomes ``ag__.if_exp(test, lambda: a, lambda: b, 'a if test else b')``.

On a tensor ``test`` that is a ``tf.cond`` of the two lambdas; otherwise Python's own choice.
The text of the expression names it in error messages (the two sides must agree in dtype).
"""
from __future__ import annotations

import ast

from minitf.autograph import templates


class ConditionalExpressionConversion(ast.NodeTransformer):
    def visit_IfExp(self, node):
        text = ast.unparse(node)
        node = self.generic_visit(node)
        return templates.expression("ag__.if_exp(test, lambda: body, lambda: orelse, text)", node, test=node.test,
                                    body=node.body, orelse=node.orelse, text=ast.Constant(value=text))
