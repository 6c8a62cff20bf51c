"""``if``, ``while`` and ``for`` become calls that decide, when they run, between Python and TF.

    if x > 0:                         def get_state():
        y = x * 2                         return (y,)
    else:                             def set_state(vars_):
        y = -x                            nonlocal y
                                          y, = vars_
                           ->         def if_body():
                                          nonlocal y
                                          y = x * 2
                                      def else_body():
                                          nonlocal y
                                          y = -x
                                      y = ag__.Undefined('y')
                                      ag__.if_stmt(x > 0, if_body, else_body, get_state, set_state, ('y',), 1)

The branches become functions of no arguments that change the enclosing function's variables
(``nonlocal``). ``if_stmt`` (``operators/conditionals.py``) looks at the condition when the code
runs: a Python value calls one branch, as Python would; a tensor traces both branches into a
``tf.cond`` whose outputs are the *state*: the variables the branches modify that the code
reads afterwards (or before, for a loop). ``get_state``/``set_state`` read and write them by
name, so that the operator can give each branch the values from before the ``if`` and store the
cond's outputs after it. A state variable that has no value before the statement starts as
``ag__.Undefined('y')``, so that a branch that leaves it undefined can be named in the error.

Loops the same way: ``while`` gives ``loop_test`` and ``loop_body`` to ``ag__.while_stmt``,
``for`` gives the iterable and a ``loop_body(itr)`` to ``ag__.for_stmt``; their state are the
loop variables, which become ``tf.while_loop``'s when the test (or the iterable) is a tensor.

Which variables: the static analysis (``analysis.py``) annotates each statement with the names
it modifies, those live before and after it, and those defined before it; as in TF:
state = modified names live into or out of the statement; outputs first (those live after it),
then those only read inside (``nouts`` counts the outputs).
"""
from __future__ import annotations

import ast

from minitf.autograph import analysis, templates
from minitf.autograph.converters.blocks import is_generator


class ControlFlowConversion(ast.NodeTransformer):
    def __init__(self, namer: templates.Namer):
        self.namer = namer
        self.scopes: list[dict] = []  # per enclosing function: names declared global / nonlocal there
        self.undefined: set[str] = set()  # every name given an Undefined start (read through ag__.ld later)

    # --- scopes -------------------------------------------------------------------------------
    def visit_FunctionDef(self, node):
        if is_generator(node):
            return node
        analysis.annotate(node)
        self.scopes.append({"globals": analysis.declared(node.body, ast.Global),
                            "nonlocals": analysis.declared(node.body, ast.Nonlocal)})
        self.generic_visit(node)
        self.scopes.pop()
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    # --- which variables -----------------------------------------------------------------------
    def _state(self, node, modified: set) -> tuple[list, list, int]:
        """(the state's names, outputs first; the names that start Undefined; how many are outputs)."""
        scope = self.scopes[-1]
        declared = scope["globals"] | scope["nonlocals"]
        live_in, live_out = node.ag_live_in, node.ag_live_out
        basic = {s for s in modified if not analysis.is_composite(s)
                 and (s in live_in or s in live_out or s in declared)}
        # `self.x = ...`: carried when the object it belongs to is live into the statement.
        composite = {s for s in modified if analysis.is_composite(s) and analysis.root(s) in live_in}
        input_only = (basic & live_in) - live_out - declared
        names = sorted(basic | composite, key=lambda s: (s in input_only, s))
        undefined = sorted(s for s in basic if s not in node.ag_defined_in and s not in declared)
        self.undefined.update(undefined)
        return names, undefined, len(names) - len(input_only)

    def _declarations(self, names: list, modified: set) -> list:
        """``global``/``nonlocal`` lines for a generated function that assigns ``names``."""
        scope = self.scopes[-1]
        globals_ = sorted((set(names) | modified) & scope["globals"])
        nonlocals = sorted({s for s in set(names) | (modified & scope["nonlocals"])
                            if not analysis.is_composite(s) and s not in scope["globals"]})
        out = []
        if globals_:
            out.append(ast.Global(names=globals_))
        if nonlocals:
            out.append(ast.Nonlocal(names=nonlocals))
        return out

    def _state_functions(self, node, names: list, declarations: list, getter: str, setter: str) -> list:
        if not names:
            functions = templates.replace("""
                def getter():
                    return ()
                def setter(vars_):
                    pass
            """, node, getter=getter, setter=setter)
        else:
            values = [templates.load(s) if not analysis.is_composite(s) else
                      templates.expression("ag__.ldu(lambda: value, name)", node, value=templates.load(s),
                                           name=ast.Constant(value=s)) for s in names]
            targets = ast.Tuple(elts=[_store(s) for s in names], ctx=ast.Store())
            functions = templates.replace("""
                def getter():
                    return values
                def setter(vars_):
                    declarations
                    targets = vars_
            """, node, getter=getter, setter=setter, declarations=declarations,
                values=ast.Tuple(elts=values, ctx=ast.Load()), targets=targets)
        functions[0].ag_state_getter = True  # it must see Undefined values as they are (no ag__.ld)
        return functions

    def _undefined_starts(self, node, undefined: list) -> list:
        return [statement for name in undefined for statement in templates.replace(
            "name = ag__.Undefined(text)", node, name=name, text=ast.Constant(value=name))]

    def _options(self, node, extra: dict | None = None) -> ast.Dict:
        keywords = getattr(node, "ag_options", [])
        keys = [ast.Constant(value=k.arg) for k in keywords]
        values = [k.value for k in keywords]
        for key, value in (extra or {}).items():
            keys.append(ast.Constant(value=key))
            values.append(ast.Constant(value=value))
        return ast.Dict(keys=keys, values=values)

    # --- the statements ------------------------------------------------------------------------
    def visit_If(self, node):
        self.generic_visit(node)
        modified = node.ag_modified
        names, undefined, nouts = self._state(node, modified)
        declarations = self._declarations(names, modified)
        getter, setter = self.namer.new("get_state"), self.namer.new("set_state")
        return self._state_functions(node, names, declarations, getter, setter) + templates.replace("""
            def if_body():
                declarations
                body
            def else_body():
                declarations
                orelse
            undefined_starts
            ag__.if_stmt(test, if_body, else_body, getter, setter, symbol_names, nouts)
        """, node, if_body=self.namer.new("if_body"), else_body=self.namer.new("else_body"),
            declarations=declarations, body=node.body, orelse=node.orelse or [ast.Pass()],
            undefined_starts=self._undefined_starts(node, undefined), test=node.test, getter=getter, setter=setter,
            symbol_names=templates.names_tuple(names), nouts=ast.Constant(value=nouts))

    def visit_While(self, node):
        self.generic_visit(node)
        modified = node.ag_modified
        names, undefined, _ = self._state(node, modified)
        declarations = self._declarations(names, modified)
        getter, setter = self.namer.new("get_state"), self.namer.new("set_state")
        return self._state_functions(node, names, declarations, getter, setter) + templates.replace("""
            def loop_body():
                declarations
                body
            def loop_test():
                return test
            undefined_starts
            ag__.while_stmt(loop_test, loop_body, getter, setter, symbol_names, options)
        """, node, loop_body=self.namer.new("loop_body"), loop_test=self.namer.new("loop_test"),
            declarations=declarations, body=node.body, test=node.test,
            undefined_starts=self._undefined_starts(node, undefined), getter=getter, setter=setter,
            symbol_names=templates.names_tuple(names), options=self._options(node))

    def visit_For(self, node):
        self.generic_visit(node)
        modified = node.ag_modified
        names, undefined, _ = self._state(node, modified)
        declarations = self._declarations(names, modified)
        getter, setter = self.namer.new("get_state"), self.namer.new("set_state")
        iterate = self.namer.new("itr")
        extra = getattr(node, "ag_extra_test", None)
        if extra is not None:
            extra_name = self.namer.new("extra_test")
            extra_function = templates.replace("""
                def extra_name():
                    return extra
            """, node, extra_name=extra_name, extra=extra)
            extra_arg = ast.Name(id=extra_name, ctx=ast.Load())
        else:
            extra_function, extra_arg = [], ast.Constant(value=None)
        target = ast.unparse(node.target)
        return self._state_functions(node, names, declarations, getter, setter) + templates.replace("""
            def loop_body(iterate):
                declarations
                target = iterate
                body
            extra_function
            undefined_starts
            ag__.for_stmt(iterated, extra_arg, loop_body, getter, setter, symbol_names, options)
        """, node, loop_body=self.namer.new("loop_body"), iterate=iterate, declarations=declarations,
            target=node.target, body=node.body, extra_function=extra_function,
            undefined_starts=self._undefined_starts(node, undefined), iterated=node.iter, extra_arg=extra_arg,
            getter=getter, setter=setter, symbol_names=templates.names_tuple(names),
            options=self._options(node, {"iterate_names": target}))


def _store(name: str) -> ast.expr:
    node = templates.load(name)
    for sub in ast.walk(node):
        if hasattr(sub, "ctx"):
            sub.ctx = ast.Load()
    node.ctx = ast.Store()
    return node


class UndefinedLoads(ast.NodeTransformer):
    """Reads of a name that may hold ``Undefined`` become ``ag__.ld(name)``, which raises Python's
    error for a variable used before assignment (``'y' is used before assignment``) instead of
    computing with a placeholder. State getters read them as they are."""

    def __init__(self, names: set[str]):
        self.names = names

    def visit_FunctionDef(self, node):
        if getattr(node, "ag_state_getter", False):
            return node
        self.generic_visit(node)
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.names:
            return templates.locate(templates.expression("ag__.ld(name)", node, name=node.id), node)
        return node
