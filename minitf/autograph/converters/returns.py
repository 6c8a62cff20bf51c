"""``return`` becomes two variables, ``do_return`` and ``retval_``, and one return at the end.

    def f(x):                         def f(x):
        if x > 0:                         do_return = False
            return x          ->          retval_ = ag__.UndefinedReturnValue()
        return -x                         if x > 0:
                                              retval_ = x
                                              do_return = True
                                          else:
                                              retval_ = -x
                                              do_return = True
                                          return ag__.retval(retval_)

A ``tf.cond`` cannot return from the function that contains it: it can only give values to the
code after it. So each ``return`` stores its value and raises a flag, the statements after a
possible return are guarded by ``if not do_return:``, loops also stop on the flag, and the
function returns ``retval_`` at its end.

First, as TF does, a common pattern is rewritten so that both branches of the ``if`` return
(above: ``return -x`` moves into an ``else``): a tf.cond needs a value from both branches, and
"the else branch must also have a return statement" otherwise.
"""
from __future__ import annotations

import ast

from minitf.autograph import templates
from minitf.autograph.converters.blocks import as_list, is_generator, visit_block, visit_try_blocks


class ConditionalReturns(ast.NodeTransformer):
    """``if c: ...; return a`` followed by more statements: those statements move into the else."""

    def __init__(self):
        self.blocks: list[dict] = []

    def visit_Return(self, node):
        self.blocks[-1]["returns"] = True
        return node

    def _after(self, node):
        if getattr(node, "ag_returns", False):
            self.blocks[-1]["returns"] = True
        if isinstance(node, ast.If) and getattr(node, "ag_body_returns", False):
            return node, node.orelse
        if isinstance(node, ast.If) and getattr(node, "ag_orelse_returns", False):
            return node, node.body
        return node, None

    def _block(self, statements: list) -> tuple[list, bool]:
        self.blocks.append({"returns": False})
        statements = visit_block(self, statements, self._after)
        return statements, self.blocks.pop()["returns"]

    def visit_If(self, node):
        node.test = self.visit(node.test)
        node.body, node.ag_body_returns = self._block(node.body)
        node.orelse, node.ag_orelse_returns = self._block(node.orelse)
        if node.ag_body_returns and node.ag_orelse_returns:
            self.blocks[-1]["returns"] = True
        return node

    def _loop(self, node):
        node.body, _ = self._block(node.body)
        node.orelse, _ = self._block(node.orelse)
        return node

    visit_While = visit_For = _loop

    def visit_With(self, node):
        node.body, node.ag_returns = self._block(node.body)
        return node

    def visit_Try(self, node):
        return visit_try_blocks(node, lambda block: self._block(block)[0])

    def visit_FunctionDef(self, node):
        if not is_generator(node):
            node.body, _ = self._block(node.body)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef


class ReturnLowering(ast.NodeTransformer):
    """Each ``return v`` stores v and raises the flag; what follows it runs only if the flag is down."""

    def __init__(self, namer: templates.Namer):
        self.namer = namer
        self.functions: list[dict] = []  # per enclosing function: its flag and value names
        self.blocks: list[dict] = []  # per enclosing block: is it the function's, return seen, guards

    def visit_Return(self, node):
        for block in reversed(self.blocks):
            block["used"] = block["guard_next"] = True
            if block["function"]:
                break
        function = self.functions[-1]
        value = node.value if node.value is not None else ast.Constant(value=None)
        return templates.replace("retval_ = value\ndo_return = True", node, value=value,
                                 retval_=function["retval"], do_return=function["flag"])

    def _after(self, node):
        block = self.blocks[-1]
        if not block["used"]:
            return node, None
        wrap = block["guard_now"]
        block["guard_now"], block["guard_next"] = block["guard_next"], False
        if not wrap:
            return node, None
        (guard,) = templates.replace("if not do_return:\n    body", as_list(node)[0], body=as_list(node),
                                     do_return=self.functions[-1]["flag"])
        return guard, guard.body

    def _block(self, statements: list, function: bool = False) -> tuple[list, dict]:
        self.blocks.append({"function": function, "used": False, "guard_now": False, "guard_next": False})
        statements = visit_block(self, statements, self._after)
        return statements, self.blocks.pop()

    def _stop_on_return(self) -> bool:
        return bool(self.blocks) and self.blocks[-1]["used"]

    def visit_While(self, node):
        node.test = self.visit(node.test)
        node.body, _ = self._block(node.body)
        if self._stop_on_return():
            node.test = templates.expression("not do_return and test", node, test=node.test,
                                             do_return=self.functions[-1]["flag"])
        node.orelse, _ = self._block(node.orelse)
        return node

    def visit_For(self, node):
        node.iter = self.visit(node.iter)
        node.body, _ = self._block(node.body)
        if self._stop_on_return():
            extra = getattr(node, "ag_extra_test", None)
            flag = self.functions[-1]["flag"]
            node.ag_extra_test = (templates.expression("not do_return", node, do_return=flag) if extra is None else
                                  templates.expression("not do_return and extra", node, do_return=flag, extra=extra))
        node.orelse, _ = self._block(node.orelse)
        return node

    def visit_If(self, node):
        node.test = self.visit(node.test)
        node.body, _ = self._block(node.body)
        node.orelse, _ = self._block(node.orelse)
        return node

    def visit_With(self, node):
        node.body, _ = self._block(node.body)
        return node

    def visit_Try(self, node):
        return visit_try_blocks(node, lambda block: self._block(block)[0])

    def visit_FunctionDef(self, node):
        if is_generator(node):
            return node
        saved = self.blocks
        self.blocks = []
        self.functions.append({"flag": self.namer.new("do_return"), "retval": self.namer.new("retval_")})
        body, block = self._block(node.body, function=True)
        function = self.functions.pop()
        self.blocks = saved
        if block["used"]:
            docstring = body[:1] if _is_docstring(body[0]) else []
            body = (docstring + templates.replace(
                "do_return = False\nretval_ = ag__.UndefinedReturnValue()", node,
                do_return=function["flag"], retval_=function["retval"])
                + body[len(docstring):]
                + templates.replace("return ag__.retval(retval_)", node, retval_=function["retval"]))
        node.body = body
        return node

    visit_AsyncFunctionDef = visit_FunctionDef


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(
        statement.value.value, str)
