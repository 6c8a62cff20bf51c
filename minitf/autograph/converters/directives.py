"""``tf.autograph.experimental.set_loop_options(...)`` at the top of a loop's body: the loop's options.

    for i in tf.range(n):
        tf.autograph.experimental.set_loop_options(shape_invariants=[(acc, tf.TensorShape([None]))])
        acc = tf.concat([acc, [i]], 0)

The call is a *directive*: it is read while converting, removed from the body, and its keyword
arguments become the ``opts`` of ``while_stmt`` / ``for_stmt`` (given to ``tf.while_loop``).
"""
from __future__ import annotations

import ast


def _is_directive(statement: ast.stmt) -> bool:
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    func = statement.value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name == "set_loop_options"


class LoopDirectives(ast.NodeTransformer):
    def _loop(self, node):
        self.generic_visit(node)
        keywords = []
        body = []
        for statement in node.body:
            if _is_directive(statement):
                keywords.extend(statement.value.keywords)
            else:
                body.append(statement)
        if keywords:
            node.body = body or [ast.Pass()]
            node.ag_options = keywords
        return node

    visit_While = visit_For = _loop
