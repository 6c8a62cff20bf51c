"""Converting a function: its source, rewritten by the converters, compiled into a new function.

    f  --inspect.getsource-->  text  --ast.parse-->  def f(...): ...
       --converters (in order, see ``convert_tree``)-->  def f(...): ...  (calls ag__.if_stmt, ...)
       --compile, with f's file name and line numbers-->  code
       --types.FunctionType(code, f.__globals__, closure = f's cells + ag__)-->  the converted f

The converted function shares the original's globals and closure cells, so it sees the same
names with their current values; ``ag__`` (the operators) is one more closure cell. Its code
keeps the user's file and line numbers, so a traceback points at the user's own lines.

Which functions are converted: user code only. minitf's own functions, the standard library's,
installed packages', builtins, generators and ``tf.function`` objects run as they are; so does a
function marked ``tf.autograph.experimental.do_not_convert``. A function whose source cannot be
read (typed at an interactive prompt, built by ``exec`` without a file) runs as it is too, after
TF's warning "AutoGraph could not transform <function ...> and will run it as-is."
"""
from __future__ import annotations

import ast
import functools
import inspect
import logging
import os
import sys
import textwrap
import types
from typing import Any, Callable

from minitf.autograph import templates
from minitf.autograph.converters.breaks import BreakLowering
from minitf.autograph.converters.calls import CallConversion
from minitf.autograph.converters.conditional_expressions import ConditionalExpressionConversion
from minitf.autograph.converters.continues import ContinueLowering
from minitf.autograph.converters.control_flow import ControlFlowConversion, UndefinedLoads
from minitf.autograph.converters.directives import LoopDirectives
from minitf.autograph.converters.logical import LogicalConversion
from minitf.autograph.converters.returns import ConditionalReturns, ReturnLowering

_log = logging.getLogger("minitf")
_FACTORY = "__ag_factory__"


class ConversionError(Exception):
    """A function could not be converted (``tf.autograph.to_graph`` / ``to_code``)."""


# --- verbosity (tf.autograph.set_verbosity) ---------------------------------------------------------
_verbosity: dict = {"level": None, "stdout": hasattr(sys, "ps1")}


def set_verbosity(level: int, alsologtostdout: bool = False) -> None:
    """How much AutoGraph says: 0 nothing (the default), >= 1 each function it converts, >= 3 also the
    converted code. ``alsologtostdout`` echoes it to stdout. Overrides ``AUTOGRAPH_VERBOSITY``."""
    _verbosity["level"], _verbosity["stdout"] = int(level), bool(alsologtostdout)


def get_verbosity() -> int:
    level = _verbosity["level"]
    return level if level is not None else int(os.environ.get("AUTOGRAPH_VERBOSITY", 0))


def _say(level: int, message: str) -> None:
    if get_verbosity() >= level:
        _log.info(message)
        if _verbosity["stdout"]:
            print(message)


def _warn(message: str) -> None:
    _log.warning(message)
    if _verbosity["stdout"]:
        print("WARNING: " + message)
        sys.stdout.flush()


# --- the pipeline -------------------------------------------------------------------------------------
def convert_tree(node: ast.FunctionDef) -> ast.FunctionDef:
    """Rewrite one function's syntax tree (and the functions nested in it), in TF's order: jumps first
    (they become flags and ifs), then calls, then control flow, then the expressions."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    names |= {n.name for n in ast.walk(node) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    names |= {a.arg for n in ast.walk(node) if isinstance(n, ast.arguments) for a in
              n.posonlyargs + n.args + n.kwonlyargs + [x for x in (n.vararg, n.kwarg) if x is not None]}
    namer = templates.Namer(names)
    for sub in ast.walk(node):  # what TF's AutoGraph does not convert either (it then runs the function as is)
        if isinstance(sub, (ast.For, ast.While)) and sub.orelse:
            raise ConversionError(f"{'for' if isinstance(sub, ast.For) else 'while'}/else statement not yet supported")
    for sub in ast.walk(node):  # the text of `a if c else b`, for error messages, before it changes
        if isinstance(sub, ast.IfExp):
            sub.ag_text = ast.unparse(sub)
    node = BreakLowering(namer).visit(node)
    node = ContinueLowering(namer).visit(node)
    node = ConditionalReturns().visit(node)
    node = ReturnLowering(namer).visit(node)
    node = LoopDirectives().visit(node)
    node = CallConversion().visit(node)
    control_flow = ControlFlowConversion(namer)
    node = control_flow.visit(node)
    node = ConditionalExpressionConversion().visit(node)
    node = LogicalConversion().visit(node)
    node = UndefinedLoads(control_flow.undefined).visit(node)
    return ast.fix_missing_locations(node)


class _Converted:
    """One converted code object (per original code object): the code, and its text for to_code."""

    __slots__ = ("code", "source")

    def __init__(self, code: types.CodeType, source: str):
        self.code, self.source = code, source


_CACHE: dict = {}  # original code object -> _Converted, or the exception that prevented it
_WARNED: set = set()


def _source_tree(fn: types.FunctionType) -> ast.FunctionDef:
    """``fn``'s definition, parsed, with the positions it has in its file."""
    try:
        lines, first_line = inspect.getsourcelines(fn)
    except (OSError, TypeError) as e:
        raise ConversionError(
            f"Unable to locate the source code of {fn!r}. Note that functions defined in certain environments, like "
            "the interactive Python shell, do not expose their source code. If that is the case, you should define "
            "them in a .py source file. If you are certain the code is graph-compatible, wrap the call using "
            f"@tf.autograph.experimental.do_not_convert. Original error: {e}") from None
    indent = len(lines[0]) - len(lines[0].lstrip())
    text = textwrap.dedent("".join(lines))
    if fn.__name__ == "<lambda>":
        node = _lambda_tree(fn, text)
    else:
        tree = ast.parse(text)
        node = tree.body[0] if tree.body else None
        if not isinstance(node, ast.FunctionDef) or node.name != fn.__name__:
            raise ConversionError(f"the source of {fn!r} does not start with its definition")
    for sub in ast.walk(node):  # back to the positions in the file
        if hasattr(sub, "lineno"):
            sub.lineno += first_line - 1
            sub.end_lineno = (sub.end_lineno or sub.lineno) + first_line - 1
            sub.col_offset += indent
            sub.end_col_offset = (sub.end_col_offset or 0) + indent
    node.decorator_list = []  # @tf.function and friends were applied already
    return node


def _lambda_tree(fn: types.FunctionType, text: str) -> ast.FunctionDef:
    """A lambda as ``def <lambda>(args): return body``: found in its source line(s) by its parameters."""
    params = list(fn.__code__.co_varnames[:fn.__code__.co_argcount + fn.__code__.co_kwonlyargcount])
    tree = None
    for end in range(len(text), 0, -1):  # the lines may end inside a larger expression: cut until it parses
        try:
            tree = ast.parse(text[:end])
            break
        except SyntaxError:
            continue
    found = [n for n in ast.walk(tree)] if tree is not None else []
    lambdas = [n for n in found if isinstance(n, ast.Lambda) and n.lineno == 1
               and [a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs] == params]
    if len({ast.dump(n) for n in lambdas}) != 1:
        raise ConversionError(f"could not tell which lambda on its line is {fn!r}")
    node = lambdas[0]
    (function,) = templates.replace("def lambda__():\n    return body", node, body=node.body)
    function.args = node.args
    return function


def _convert_code(fn: types.FunctionType) -> _Converted:
    """Convert (once per code object) and compile ``fn``'s code; raises ConversionError if it cannot."""
    code = fn.__code__
    found = _CACHE.get(code)
    if isinstance(found, _Converted):
        return found
    if isinstance(found, ConversionError):
        raise found
    try:
        node = _source_tree(fn)
        node = convert_tree(node)
        source = ast.unparse(node)
        # A factory that declares the original's free variables (and ag__), so that the converted
        # function reads them as closure cells too; only its code object is kept.
        (factory,) = templates.replace(f"def {_FACTORY}():\n    declarations\n    function\n    return name", node,
                                       declarations=[ast.parse(f"{v} = None").body[0] for v in
                                                     list(code.co_freevars) + ["ag__"]],
                                       function=[node], name=node.name)
        module = ast.fix_missing_locations(ast.Module(body=[templates.locate(factory, node)], type_ignores=[]))
        compiled = compile(module, code.co_filename, "exec", dont_inherit=True)
        factory_code = next(c for c in compiled.co_consts if isinstance(c, types.CodeType) and c.co_name == _FACTORY)
        inner = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType) and c.co_name == node.name)
    except ConversionError as e:
        _CACHE[code] = e
        raise
    except Exception as e:  # noqa: BLE001 (anything the converter trips on: run the function as it is)
        error = ConversionError(f"{type(e).__name__}: {e}")
        _CACHE[code] = error
        raise error from e
    converted = _CACHE[code] = _Converted(inner, source)
    _say(1, f"Converted {fn!r}")
    _say(3, f"Converted {fn!r}:\n{source}")
    return converted


def _function_from(fn: types.FunctionType, converted: _Converted) -> types.FunctionType:
    from minitf.autograph import operators
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    closure = tuple(cells[name] if name in cells else types.CellType(operators) for name in
                    converted.code.co_freevars)
    new = types.FunctionType(converted.code, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__qualname__, new.__doc__, new.__module__ = fn.__qualname__, fn.__doc__, fn.__module__
    new.__ag_converted__ = True
    return new


# --- which callables ----------------------------------------------------------------------------------
_MINITF_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_user_code(fn: Any) -> bool:
    """Not minitf's, not the standard library's, not an installed package's."""
    code = getattr(fn, "__code__", None)
    if code is not None and code.co_filename.startswith(_MINITF_DIR):
        return False  # a minitf decorator's wrapper (functools.wraps gave it the user's __module__)
    module = getattr(fn, "__module__", None) or ""
    top = module.split(".")[0]
    if top in ("minitf", "builtins", "tensorflow", "keras") or top in sys.stdlib_module_names:
        return False
    path = getattr(sys.modules.get(top), "__file__", None) or ""
    return "site-packages" not in path and "dist-packages" not in path


_NOT_CONVERTIBLE = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def converted(fn: Callable, warn: bool = True) -> Callable | None:
    """``fn`` converted (a function, method, partial or callable object of user code), or None when it
    should run as it is (with TF's warning, once, when it cannot be converted)."""
    from minitf.function import Function
    if getattr(fn, "__ag_do_not_convert__", False) or isinstance(fn, Function):
        return None
    if inspect.ismethod(fn):
        function = converted(fn.__func__, warn)
        return None if function is None else types.MethodType(function, fn.__self__)
    if isinstance(fn, functools.partial):
        function = converted(fn.func, warn)
        return None if function is None else functools.partial(function, *fn.args, **fn.keywords)
    if not inspect.isfunction(fn):
        call = getattr(type(fn), "__call__", None)
        if inspect.isfunction(call) and not inspect.isclass(fn):  # a callable object of a user class
            function = converted(call, warn)
            return None if function is None else types.MethodType(function, fn)
        return None
    if (getattr(fn, "__ag_converted__", False) or not is_user_code(fn)
            or fn.__code__.co_flags & _NOT_CONVERTIBLE):
        return None
    try:
        return _function_from(fn, _convert_code(fn))
    except ConversionError as e:
        if warn and fn.__code__ not in _WARNED:
            _WARNED.add(fn.__code__)
            _warn(f"AutoGraph could not transform {fn!r} and will run it as-is.\nCause: {e}\n"
                  "To silence this warning, decorate the function with @tf.autograph.experimental.do_not_convert")
        return None


def converted_call(f: Callable, args: tuple, kwargs: dict | None):
    """``f(*args, **kwargs)`` from converted code: a builtin with a tensor meaning takes it (``range``,
    ``len``, ...); user code runs converted; everything else runs as it is."""
    from minitf.autograph.operators.py_builtins import OVERLOADS
    kwargs = kwargs or {}
    try:
        overload = OVERLOADS.get(f)
    except TypeError:  # an unhashable callable
        overload = None
    if overload is not None:
        return overload(*args, **kwargs)
    target = converted(f)
    return (f if target is None else target)(*args, **kwargs)


def converted_function(fn: Callable) -> Callable:
    """What ``tf.function`` traces: ``fn`` converted, or ``fn`` itself where it is not converted."""
    target = converted(fn)
    return fn if target is None else target


def do_not_convert(func: Callable | None = None) -> Callable:
    """``@tf.autograph.experimental.do_not_convert``: ``func`` runs as it is, never converted."""
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    wrapper.__ag_do_not_convert__ = True
    return wrapper


def _unwrap(entity: Callable) -> Callable:
    from minitf.function import Function
    return entity.python_function if isinstance(entity, Function) else entity


def _convert_entity(entity: Callable) -> tuple[Callable, types.FunctionType, _Converted]:
    """(the entity, its plain function, that function converted) for to_graph and to_code; a
    ConversionError names the entity."""
    entity = _unwrap(entity)
    function = entity.__func__ if inspect.ismethod(entity) else entity
    if not inspect.isfunction(function):
        raise ConversionError(f"converting {entity!r}: only functions and methods can be converted")
    try:
        return entity, function, _convert_code(function)
    except ConversionError as e:
        raise ConversionError(f"converting {entity!r}: {e}") from None


def to_graph(entity: Callable, recursive: bool = True, experimental_optional_features=None) -> Callable:
    """``tf.autograph.to_graph``: the converted function (raises ConversionError if it cannot be)."""
    entity, function, converted = _convert_entity(entity)
    result = _function_from(function, converted)
    return types.MethodType(result, entity.__self__) if inspect.ismethod(entity) else result


def to_code(entity: Callable, recursive: bool = True, experimental_optional_features=None) -> str:
    """``tf.autograph.to_code``: the source of the converted function, as AutoGraph rewrote it."""
    _, _, converted = _convert_entity(entity)
    return converted.source + "\n"
