"""``continue`` becomes a flag that guards the rest of the loop's body.

    for x in xs:                      for x in xs:
        if x < 0:                         continue_ = False
            continue          ->          if x < 0:
        total += x                            continue_ = True
                                          if not continue_:
                                              total += x

A traced loop body is one graph that always runs to its end, so skipping the rest of it must
be a condition (a ``tf.cond`` when the flag is a tensor). Every block between the ``continue``
and its loop guards what follows it.
"""
from __future__ import annotations

import ast

from minitf.autograph import templates
from minitf.autograph.converters.blocks import as_list, visit_block, visit_try_blocks


class ContinueLowering(ast.NodeTransformer):
    def __init__(self, namer: templates.Namer):
        self.namer = namer
        self.loops: list[dict] = []  # per enclosing loop: its flag, whether a continue used it
        self.blocks: list[dict] = []  # per enclosing block: is it a loop body, guard this/the next statement

    def visit_Continue(self, node):
        self.loops[-1]["used"] = True
        for block in reversed(self.blocks):  # every block up to the loop's body guards what follows
            block["guard_next"] = True
            if block["loop"]:
                break
        return templates.replace("flag = True", node, flag=self.loops[-1]["flag"])

    def _after(self, node):
        if not self.loops or not self.loops[-1]["used"]:
            return node, None
        block = self.blocks[-1]
        wrap = block["guard_now"]
        block["guard_now"], block["guard_next"] = block["guard_next"], False
        if not wrap:
            return node, None
        (guard,) = templates.replace("if not flag:\n    body", as_list(node)[0], flag=self.loops[-1]["flag"],
                                     body=as_list(node))
        return guard, guard.body

    def _block(self, statements: list, loop: bool) -> list:
        self.blocks.append({"loop": loop, "guard_now": False, "guard_next": False})
        statements = visit_block(self, statements, self._after)
        self.blocks.pop()
        return statements

    def _loop_body(self, node) -> None:
        flag = self.namer.new("continue_")
        self.loops.append({"flag": flag, "used": False})
        body = self._block(node.body, loop=True)
        if self.loops.pop()["used"]:
            body = templates.replace("flag = False", node, flag=flag) + body
        node.body = body
        node.orelse = self._block(node.orelse, loop=False)  # a continue there belongs to an outer loop

    def visit_While(self, node):
        node.test = self.visit(node.test)
        self._loop_body(node)
        return node

    def visit_For(self, node):
        node.iter = self.visit(node.iter)
        self._loop_body(node)
        return node

    def visit_If(self, node):
        node.body = self._block(node.body, loop=False)
        node.orelse = self._block(node.orelse, loop=False)
        return node

    def visit_With(self, node):
        node.body = self._block(node.body, loop=False)
        return node

    def visit_Try(self, node):
        return visit_try_blocks(node, lambda block: self._block(block, loop=False))

    def visit_FunctionDef(self, node):
        saved = self.loops, self.blocks
        self.loops, self.blocks = [], []
        node.body = visit_block(self, node.body)
        self.loops, self.blocks = saved
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
