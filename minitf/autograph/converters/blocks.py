"""Visiting a block of statements where one statement may decide where the next ones go.

Lowering ``return``, ``break`` and ``continue`` moves the statements that follow a jump under a
guard (``if not do_return: ...``): after a statement is visited, ``after_visit`` may name a new
list (the guard's body) that receives the rest of the block.
"""
from __future__ import annotations

import ast
from typing import Callable


def visit_block(transformer: ast.NodeTransformer, statements: list,
                after_visit: Callable | None = None) -> list:
    """Visit ``statements`` in order with ``transformer``; returns the new block."""
    block: list = []
    destination = block
    for statement in statements:
        result = transformer.visit(statement)  # a statement, a list of them, or None
        new_destination = None
        if after_visit is not None and result:
            result, new_destination = after_visit(result)
        if result:
            destination.extend(result if isinstance(result, list) else [result])
        if new_destination is not None:
            destination = new_destination
    return block


def as_list(node) -> list:
    return node if isinstance(node, list) else [node]


def is_generator(function: ast.AST) -> bool:
    """Does this function (not its nested functions) yield? Generators are not converted."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await)):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def visit_try_blocks(node: ast.Try, visit: Callable[[list], list]) -> ast.Try:
    """A ``try`` statement with each of its blocks (body, handlers, else, finally) replaced by
    ``visit(block)``: the converters treat them as separate blocks."""
    node.body = visit(node.body)
    node.orelse = visit(node.orelse)
    node.finalbody = visit(node.finalbody)
    for handler in node.handlers:
        handler.body = visit(handler.body)
    return node
