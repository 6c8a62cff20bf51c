"""Code templates: new statements written as Python text with placeholders filled by AST nodes.

    templates.replace('''
        def body_name():
            body
        ag__.if_stmt(test, body_name, ...)
    ''', body_name="if_body", body=[...statements...], test=<expression node>)

A placeholder is a name in the text. It is replaced by:
- a string: a new name (of a variable, a function, an argument, a nonlocal declaration);
- an expression node: that expression;
- a list of statements, where the placeholder stands alone as a statement: those statements.

Every node the template creates gets the source position of ``origin`` (the statement it
replaces), so that errors and tracebacks point at the user's own line.
"""
from __future__ import annotations

import ast
import copy
import textwrap


class _Fill(ast.NodeTransformer):
    def __init__(self, subs: dict):
        self.subs = subs
        self.used: set[str] = set()  # a placeholder used twice gets a copy the second time

    def _take(self, name: str):
        value = self.subs[name]
        if name in self.used and not isinstance(value, str):
            return copy.deepcopy(value)
        self.used.add(name)
        return value

    def visit_Name(self, node):
        value = self.subs.get(node.id)
        if value is None:
            return node
        if isinstance(value, str):
            return ast.Name(id=value, ctx=node.ctx)
        if isinstance(value, ast.expr):
            value = copy.copy(self._take(node.id))
            if hasattr(value, "ctx"):
                value.ctx = node.ctx
            return value
        raise ValueError(f"template: placeholder {node.id} must be a name or an expression here")

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Name) and isinstance(self.subs.get(node.value.id), list):
            return self._take(node.value.id)
        return self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if isinstance(self.subs.get(node.name), str):
            node.name = self.subs[node.name]
        return self.generic_visit(node)

    def visit_arg(self, node):
        if isinstance(self.subs.get(node.arg), str):
            node.arg = self.subs[node.arg]
        return node

    def _declaration(self, node):
        names = []
        for name in node.names:
            value = self.subs.get(name, name)
            names.extend(value if isinstance(value, list) else [value])
        if not names:
            return None
        node.names = names
        return node

    visit_Nonlocal = visit_Global = _declaration


def replace(code: str, origin: ast.AST | None = None, **subs) -> list[ast.stmt]:
    """The statements of ``code`` with its placeholders filled in (see the module docstring)."""
    tree = ast.parse(textwrap.dedent(code))
    for node in ast.walk(tree):  # the template's own positions mean nothing: they become origin's
        for attribute in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            if hasattr(node, attribute):
                delattr(node, attribute)
    body = []
    for statement in tree.body:
        result = _Fill(subs).visit(statement)
        body.extend(result if isinstance(result, list) else [result])
    if origin is not None:
        for statement in body:
            locate(statement, origin)
    return body


def expression(code: str, origin: ast.AST | None = None, **subs) -> ast.expr:
    """One expression from a template."""
    (statement,) = replace(code, origin, **subs)
    return statement.value


def locate(node: ast.AST, origin: ast.AST) -> ast.AST:
    """Give every node under ``node`` that has no position the position of ``origin``."""
    line = getattr(origin, "lineno", 1)
    column = getattr(origin, "col_offset", 0)
    # Generated code ends on origin's first line: Python reports a call at its callee's LAST line,
    # which for a whole `if` statement would be the last line of its body.
    end_column = getattr(origin, "end_col_offset", column) if getattr(origin, "end_lineno", line) == line else column
    for sub in ast.walk(node):
        if "lineno" in sub._attributes and getattr(sub, "lineno", None) is None:
            sub.lineno, sub.col_offset = line, column
            sub.end_lineno, sub.end_col_offset = line, end_column
    return node


def names_tuple(names: list[str]) -> ast.Tuple:
    """``('a', 'b')``: the names of a statement's variables, as TF's error messages quote them."""
    return ast.Tuple(elts=[ast.Constant(value=n) for n in names], ctx=ast.Load())


def load(name: str) -> ast.expr:
    """An expression reading ``name`` (``self.count`` for a composite name)."""
    return ast.parse(name, mode="eval").body


class Namer:
    """New names that clash with none of the function's own (``if_body``, ``if_body_1``, ...)."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)

    def new(self, base: str) -> str:
        name, count = base, 0
        while name in self.taken:
            count += 1
            name = f"{base}_{count}"
        self.taken.add(name)
        return name
