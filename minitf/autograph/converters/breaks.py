"""``break`` becomes a flag: the loop's condition checks it, and ``continue`` skips the rest.

    while x > 0:                      break_ = False
        x -= 1                        while not break_ and x > 0:
        if x == 3:          ->            x -= 1
            break                         if x == 3:
                                              break_ = True
                                              continue

A ``tf.while_loop`` has no way out but its condition, so a ``break`` must become part of it.
The ``continue`` left behind is lowered next (``continues.py``). A ``for`` loop cannot change
its own test, so it gets an *extra test* (``not break_``) that ``for_stmt`` checks before each
iteration. A loop's ``else:`` runs when it ends without a break: it moves after the loop, under
``if not break_:``.
"""
from __future__ import annotations

import ast

from minitf.autograph import templates
from minitf.autograph.converters.blocks import visit_block


class BreakLowering(ast.NodeTransformer):
    def __init__(self, namer: templates.Namer):
        self.namer = namer
        self.loops: list[dict] = []  # per enclosing loop: its flag's name and whether a break used it

    def visit_Break(self, node):
        loop = self.loops[-1]
        loop["used"] = True
        return templates.replace("flag = True\ncontinue", node, flag=loop["flag"])

    def _loop(self, node, flag: str):
        self.loops.append({"flag": flag, "used": False})
        node.body = visit_block(self, node.body)
        used = self.loops.pop()["used"]
        node.orelse = visit_block(self, node.orelse)  # a break in the else clause belongs to an outer loop
        return used

    def _finish(self, node, flag: str, used: bool) -> list:
        orelse, node.orelse = node.orelse, []
        if not used:
            return [node] + orelse
        guarded = templates.replace("if not flag:\n    orelse", node, flag=flag, orelse=orelse) if orelse else []
        return templates.replace("flag = False", node, flag=flag) + [node] + guarded

    def visit_While(self, node):
        flag = self.namer.new("break_")
        node.test = self.visit(node.test)
        used = self._loop(node, flag)
        if used:
            node.test = templates.expression("not flag and test", node, flag=flag, test=node.test)
        return self._finish(node, flag, used)

    def visit_For(self, node):
        flag = self.namer.new("break_")
        node.iter = self.visit(node.iter)
        used = self._loop(node, flag)
        if used:
            node.ag_extra_test = templates.expression("not flag", node, flag=flag)
        return self._finish(node, flag, used)

    def visit_FunctionDef(self, node):
        saved, self.loops = self.loops, []  # a nested function's loops are its own
        self.generic_visit(node)
        self.loops = saved
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
