"""What a block of code reads and writes: the static analysis the converters rely on.

To turn ``if x > 0: y = 2 * x`` into a ``tf.cond``, the converter must know three things about
the names of the function, at the ``if``:

- which names the branches *modify* (``y``): they are what the cond may output;
- which names are *live* after it (read later, before being written again): only those need to
  leave the branches; a name used only inside one branch stays local to it;
- which names are *defined* before it: a modified name that is not starts as ``Undefined``, so
  that a branch that forgets it can be told apart (TF's "'y' must also be initialized in the
  else branch").

The same three sets, at a loop, give the loop's variables. Names are strings: ``"y"``, or
``"self.count"`` for an attribute written through a name (a *composite* name, which a cond or a
loop carries too, when the object it belongs to is live).

The analysis works on the structured statements (``if``/``while``/``for``/``with``/``try``)
directly: ``break``, ``continue`` and ``return`` are lowered to flags before it runs
(``converters/breaks.py``, ``continues.py``, ``returns.py``), so no other jumps are left. It
annotates each ``If``/``While``/``For`` node with ``ag_modified``, ``ag_live_in``,
``ag_live_out`` and ``ag_defined_in``.
"""
from __future__ import annotations

import ast


# --- names -----------------------------------------------------------------------------------
def qualified_name(node: ast.AST) -> str | None:
    """``"a.b.c"`` for an attribute chain on a name, ``"a"`` for a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        parent = qualified_name(node.value)
        return None if parent is None else f"{parent}.{node.attr}"
    return None


def is_composite(name: str) -> bool:
    return "." in name


def root(name: str) -> str:
    return name.split(".", 1)[0]


def _target_names(target: ast.AST, out: set) -> None:
    """The names an assignment target binds (a subscript ``x[i] = ...`` binds none: it mutates x)."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _target_names(element, out)
    elif isinstance(target, ast.Starred):
        _target_names(target.value, out)
    else:
        name = qualified_name(target)
        if name is not None:
            out.add(name)


class _Bound(ast.NodeVisitor):
    """Names bound by statements, not looking inside nested functions, lambdas or classes
    (their locals are their own) beyond the name they define."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Assign(self, node):
        for target in node.targets:
            _target_names(target, self.names)
        self.visit(node.value)

    def visit_AugAssign(self, node):
        _target_names(node.target, self.names)
        self.visit(node.value)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            _target_names(node.target, self.names)
            self.visit(node.value)

    def visit_NamedExpr(self, node):
        _target_names(node.target, self.names)
        self.visit(node.value)

    def visit_For(self, node):
        _target_names(node.target, self.names)
        self.generic_visit(node)

    def visit_withitem(self, node):
        if node.optional_vars is not None:
            _target_names(node.optional_vars, self.names)
        self.visit(node.context_expr)

    def visit_ExceptHandler(self, node):
        if node.name:
            self.names.add(node.name)
        for statement in node.body:
            self.visit(statement)

    def visit_Import(self, node):
        for alias in node.names:
            self.names.add(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node):
        self.names.add(node.name)
        # A nested function that declares `nonlocal y` writes the y of this scope.
        for statement in ast.walk(node):
            if isinstance(statement, ast.Nonlocal):
                self.names.update(statement.names)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node):
        pass

    def _comprehension(self, node):
        for generator in node.generators:  # a walrus inside binds in this scope; the targets do not
            for expression in [generator.iter, *generator.ifs]:
                self.visit(expression)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def bound(statements) -> set[str]:
    """The names (and composite names) that ``statements`` (a node or a list) assign."""
    visitor = _Bound()
    for statement in statements if isinstance(statements, list) else [statements]:
        visitor.visit(statement)
    return visitor.names


class _Reads(ast.NodeVisitor):
    """Names read: loads of names, including the free names that nested functions, lambdas and
    comprehensions read (they may run at any time after they are defined)."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Name(self, node):
        if not isinstance(node.ctx, ast.Store):
            self.names.add(node.id)

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Name):
            self.names.add(node.target.id)  # x += 1 reads x
        else:
            self.visit(node.target)  # self.x += 1 reads self
        self.visit(node.value)

    def _scope(self, params: set, body_nodes: list, outer_nodes: list) -> None:
        inner = _Reads()
        for n in body_nodes:
            inner.visit(n)
        local = bound([n for n in body_nodes if isinstance(n, ast.stmt)])
        declared_outer = set()
        for n in body_nodes:
            for sub in ast.walk(n):
                if isinstance(sub, (ast.Nonlocal, ast.Global)):
                    declared_outer.update(sub.names)
        self.names |= inner.names - ((params | local) - declared_outer)
        for n in outer_nodes:
            self.visit(n)

    def visit_FunctionDef(self, node):
        args = node.args
        params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        outer = node.decorator_list + [d for d in args.defaults + args.kw_defaults if d is not None]
        self._scope(params, node.body, outer)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        args = node.args
        params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        self._scope(params, [node.body], [d for d in args.defaults + args.kw_defaults if d is not None])

    def visit_ClassDef(self, node):
        for n in node.bases + node.keywords + node.decorator_list:
            self.visit(n)
        self._scope(set(), node.body, [])

    def _comprehension(self, node):
        targets: set = set()
        inner = _Reads()
        for generator in node.generators:
            _target_names(generator.target, targets)
            for n in [generator.iter, *generator.ifs]:
                inner.visit(n)
        for n in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
            inner.visit(n)
        self.names |= inner.names - targets

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def reads(node) -> set[str]:
    """The names ``node`` (an expression, a statement, a list of them, or None) reads."""
    visitor = _Reads()
    for n in node if isinstance(node, list) else ([] if node is None else [node]):
        visitor.visit(n)
    return visitor.names


def _simple(names: set[str]) -> set[str]:
    return {n for n in names if not is_composite(n)}


# --- liveness: which names are read later ------------------------------------------------------
def _live_block(statements: list, live_out: set) -> set:
    live = set(live_out)
    for statement in reversed(statements):
        live = _live_statement(statement, live)
    return live


def _fixpoint(step, start: set) -> set:
    head = set(start)
    while True:
        new = step(head)
        if new <= head:
            return head
        head |= new


def _live_statement(node: ast.stmt, live_out: set) -> set:
    """The names live before ``node``, given those live after it; annotates control flow nodes."""
    if isinstance(node, ast.If):
        live_in = reads(node.test) | _live_block(node.body, live_out) | _live_block(node.orelse, live_out)
    elif isinstance(node, ast.While):
        after = _live_block(node.orelse, live_out)
        live_in = _fixpoint(lambda head: after | reads(node.test) | _live_block(node.body, head), after)
    elif isinstance(node, ast.For):
        after = _live_block(node.orelse, live_out)
        extra = reads(getattr(node, "ag_extra_test", None))
        target = _simple(bound(node.target))
        head = _fixpoint(lambda head: after | extra | (_live_block(node.body, head) - target), after | extra)
        live_in = reads(node.iter) | head
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = _simple(set().union(*[bound(item.optional_vars) for item in node.items
                                        if item.optional_vars is not None]))
        live_in = reads([item.context_expr for item in node.items]) | (_live_block(node.body, live_out) - targets)
    elif isinstance(node, ast.Try):
        # Conservative: any statement may raise, so nothing written inside is sure to be written.
        live_in = set(live_out)
        for block in [node.body, node.orelse, node.finalbody] + [h.body for h in node.handlers]:
            live_in |= _live_block(block, live_out)
        live_in |= reads([h.type for h in node.handlers if h.type is not None])
    elif isinstance(node, (ast.Return, ast.Raise)):
        live_in = reads(node)
    else:
        live_in = (live_out - _simple(bound(node))) | reads(node)
    if isinstance(node, (ast.If, ast.While, ast.For)):
        node.ag_live_in, node.ag_live_out = set(live_in), set(live_out)
    return live_in


# --- definitions: which names may have a value ---------------------------------------------------
def _defined_block(statements: list, defined: set) -> set:
    defined = set(defined)
    for statement in statements:
        defined = _defined_statement(statement, defined)
    return defined


def _defined_statement(node: ast.stmt, before: set) -> set:
    """The names that may be defined after ``node``; annotates control flow nodes with those before it."""
    if isinstance(node, (ast.If, ast.While, ast.For)):
        node.ag_defined_in = set(before)
    if isinstance(node, ast.If):
        start = before | bound(node.test)
        return _defined_block(node.body, start) | _defined_block(node.orelse, start)
    if isinstance(node, (ast.While, ast.For)):
        head = before | (bound(node.target) if isinstance(node, ast.For) else bound(node.test))
        # Round the loop once more: what the body defines is defined at its top on the next pass.
        head = head | _defined_block(node.body, head)
        head = head | _defined_block(node.body, head)
        return _defined_block(node.orelse, head)
    if isinstance(node, (ast.With, ast.AsyncWith)):
        start = before | set().union(*[bound(item.optional_vars) for item in node.items
                                      if item.optional_vars is not None])
        return _defined_block(node.body, start)
    if isinstance(node, ast.Try):
        after = _defined_block(node.body, before)
        for handler in node.handlers:
            after |= _defined_block(handler.body, before | ({handler.name} if handler.name else set()))
        after = _defined_block(node.orelse, after)
        return _defined_block(node.finalbody, after)
    return before | bound(node)


# --- a function's scope ------------------------------------------------------------------------------
def parameters(node: ast.FunctionDef | ast.Lambda) -> set[str]:
    args = node.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    return names | {a.arg for a in (args.vararg, args.kwarg) if a is not None}


def declared(body: list, kind: type) -> set[str]:
    """Names declared ``global`` (kind=ast.Global) or ``nonlocal`` in this function's own body."""
    names: set = set()

    def walk(statements):
        for statement in statements:
            if isinstance(statement, kind):
                names.update(statement.names)
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                walk(getattr(statement, field, []) or [])

    walk(body)
    return names


def annotate(function: ast.FunctionDef) -> None:
    """Annotate the control flow statements of ``function``'s own body (not of nested functions)."""
    _live_block(function.body, set())
    _defined_block(function.body, parameters(function))
    for node in _own_nodes(function.body):
        if isinstance(node, ast.If):
            node.ag_modified = bound(node.body) | bound(node.orelse)
        elif isinstance(node, ast.While):
            node.ag_modified = bound(node.body)
        elif isinstance(node, ast.For):
            node.ag_modified = bound(node.body) | bound(node.target)


def _own_nodes(statements: list):
    """The statements of one function, at every depth, without entering nested functions or classes."""
    for statement in statements:
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _own_nodes(getattr(statement, field, []) or [])
        for handler in getattr(statement, "handlers", []) or []:
            yield from _own_nodes(handler.body)
