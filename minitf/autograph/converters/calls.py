"""Every call goes through ``ag__.converted_call``, which converts the function it calls.

    y = helper(x, k=2)     ->     y = ag__.converted_call(helper, (x,), {'k': 2})

Whether ``helper`` needs converting (it is user code with a Python ``if`` on a tensor inside)
is only known when the call runs, so the decision is made then (``conversion.converted_call``):
the user's functions and methods are converted (once, and cached); minitf's own functions,
the standard library's, builtins and tf.functions are called as they are.

Left as they are: ``print`` (it prints while tracing, as in TF), ``super``, and the few builtins
that look at their caller's frame (``locals``, ``globals``, ``vars``, ``eval``, ``exec``, ``dir``).
A zero-argument ``super()`` becomes ``super(__class__, self)``: the converted method is a new
function, so Python can no longer fill those two in by itself.
"""
from __future__ import annotations

import ast

from minitf.autograph import templates

LEFT_ALONE = {"print", "super", "locals", "globals", "vars", "eval", "exec", "dir"}


class CallConversion(ast.NodeTransformer):
    def __init__(self):
        self.functions: list[ast.AST] = []

    def visit_FunctionDef(self, node):
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()
        return node

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def visit_Call(self, node):
        node = self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id == "super" and not node.args and not node.keywords:
            return self._explicit_super(node)
        if isinstance(func, ast.Name) and func.id in LEFT_ALONE:
            return node
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "ag__":
            return node
        args = ast.Tuple(elts=node.args, ctx=ast.Load())
        if node.keywords:
            kwargs = ast.Dict(keys=[None if k.arg is None else ast.Constant(value=k.arg) for k in node.keywords],
                              values=[k.value for k in node.keywords])
        else:
            kwargs = ast.Constant(value=None)
        call = templates.expression("ag__.converted_call(func, args, kwargs)", node, func=func, args=args,
                                    kwargs=kwargs)
        return templates.locate(call, node)

    def _explicit_super(self, node):
        function = next((f for f in reversed(self.functions) if not isinstance(f, ast.Lambda)), None)
        if function is None or not (function.args.posonlyargs + function.args.args):
            return node
        first = (function.args.posonlyargs + function.args.args)[0].arg
        return templates.expression("super(__class__, first)", node, first=first)
