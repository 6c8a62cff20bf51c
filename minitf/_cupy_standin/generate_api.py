"""Write ``cupy_api.txt``: the names (and call signatures) that CuPy really has.

The stand-in (``minitf/_cupy_standin``) exposes a name only if this list has it, so code that
passes on the stand-in calls nothing CuPy lacks. Regenerate with CuPy importable (no GPU or
driver is needed to import it and read its namespace), e.g.:

    pip download --no-deps cupy-cuda12x cuda-pathfinder -d /tmp/cupy_wheels
    (cd /tmp/cupy_wheels && for w in *.whl; do unzip -oq "$w" -d site; done)
    PYTHONPATH=/tmp/cupy_wheels/site python -m minitf._cupy_standin.generate_api

or ``pip install cupy-cuda12x`` in a virtual environment and run the module there.

One line per name: ``<namespace> <name> <kind> [<signature>]``. Kinds: ``numpy`` (the very
object NumPy has: a dtype, a constant), ``ufunc``, ``function``, ``class``, ``module``,
``constant``, ``method``, ``property``. A signature lists parameter names only: ``a``
(positional or keyword), ``a=`` (with a default), ``/`` and ``*`` markers, ``*args``,
``**kwargs``; ``?`` where CuPy's object tells none.
"""
from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path
from types import ModuleType

OUT = Path(__file__).with_name("cupy_api.txt")

# The classes and modules whose members are listed, besides the cupy module itself.
MEMBER_LISTS = [
    ("cupy.ndarray", "class"),
    ("cupy.ufunc", "class"),
    ("cupy.linalg", "module"),
    ("cupy.fft", "module"),
    ("cupy.random", "module"),
    ("cupy.random.RandomState", "class"),
    ("cupy.random.Generator", "class"),
    ("cupy.lib.stride_tricks", "module"),
    ("cupyx", "module"),
    ("cupy.cuda", "module"),
    ("cupy.cuda.Device", "class"),
    ("cupy.cuda.Stream", "class"),
    ("cupy.cuda.Event", "class"),
    ("cupy.cuda.Graph", "class"),
    ("cupy.cuda.runtime", "module"),
]
# Dunder methods of cupy.ndarray worth listing (the operators and conversions).
KEEP_DUNDERS = {
    "__abs__", "__add__", "__and__", "__array__", "__array_function__", "__array_priority__",
    "__array_ufunc__", "__bool__", "__complex__", "__copy__", "__cuda_array_interface__",
    "__deepcopy__", "__dlpack__", "__dlpack_device__", "__divmod__", "__eq__", "__float__",
    "__floordiv__", "__format__", "__ge__", "__getitem__", "__gt__", "__iadd__", "__iand__",
    "__ifloordiv__", "__ilshift__", "__imatmul__", "__imod__", "__imul__", "__index__",
    "__int__", "__invert__", "__ior__", "__ipow__", "__irshift__", "__isub__", "__iter__",
    "__itruediv__", "__ixor__", "__le__", "__len__", "__lshift__", "__lt__", "__matmul__",
    "__mod__", "__mul__", "__ne__", "__neg__", "__nonzero__", "__or__", "__pos__", "__pow__",
    "__radd__", "__rand__", "__rdivmod__", "__reduce__", "__repr__", "__rfloordiv__",
    "__rlshift__", "__rmatmul__", "__rmod__", "__rmul__", "__ror__", "__rpow__", "__rrshift__",
    "__rshift__", "__rsub__", "__rtruediv__", "__rxor__", "__setitem__", "__str__", "__sub__",
    "__truediv__", "__xor__",
}


def _params_from_signature(sig: inspect.Signature) -> str:
    out, slash_done, star_done = [], False, False
    params = [p for p in sig.parameters.values() if p.name not in ("self", "cls")]
    P = inspect.Parameter
    for i, p in enumerate(params):
        if p.kind == P.POSITIONAL_ONLY:
            out.append(p.name + ("=" if p.default is not P.empty else ""))
            if i + 1 == len(params) or params[i + 1].kind != P.POSITIONAL_ONLY:
                out.append("/")
                slash_done = True
            continue
        if p.kind == P.VAR_POSITIONAL:
            out.append("*" + p.name)
            star_done = True
        elif p.kind == P.KEYWORD_ONLY:
            if not star_done:
                out.append("*")
                star_done = True
            out.append(p.name + ("=" if p.default is not P.empty else ""))
        elif p.kind == P.VAR_KEYWORD:
            out.append("**" + p.name)
        else:
            out.append(p.name + ("=" if p.default is not P.empty else ""))
    del slash_done
    return "(" + ", ".join(out) + ")"


def _signature_from_doc(obj: object, name: str, any_name: bool = False) -> str | None:
    """Cython methods embed their signature as the docstring's first line (a ufunc under its
    own name: ``cupy.abs``'s reads ``absolute(x, /, ...)``, hence ``any_name``)."""
    doc = (getattr(obj, "__doc__", None) or "").strip().splitlines()
    if not doc:
        return None
    first = doc[0].replace("\\*", "*")
    head = first.split("(", 1)
    if len(head) != 2 or not (any_name or head[0].split(".")[-1].strip() == name):
        return None
    params = "(" + head[1]
    depth, end = 0, None
    for i, ch in enumerate(params):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            end = i
            break
    if end is None:
        return None
    try:
        tree = ast.parse(f"def f{params[:end + 1]}: pass")
    except SyntaxError:
        return None
    args = tree.body[0].args
    parts = []
    n_pos_defaults_start = len(args.posonlyargs) + len(args.args) - len(args.defaults)
    for i, a in enumerate(args.posonlyargs + args.args):
        if a.arg in ("self", "cls"):
            continue
        parts.append(a.arg + ("=" if i >= n_pos_defaults_start else ""))
        if args.posonlyargs and i == len(args.posonlyargs) - 1:
            parts.append("/")
    if args.vararg:
        parts.append("*" + args.vararg.arg)
    elif args.kwonlyargs:
        parts.append("*")
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        parts.append(a.arg + ("=" if d is not None else ""))
    if args.kwarg:
        parts.append("**" + args.kwarg.arg)
    return "(" + ", ".join(parts) + ")"


def signature_of(obj: object, name: str, any_name: bool = False) -> str:
    try:
        return _params_from_signature(inspect.signature(obj))
    except (TypeError, ValueError):
        return _signature_from_doc(obj, name, any_name) or "?"


def describe(owner: object, name: str, numpy_owner: object | None, cupy: ModuleType) -> str | None:
    """``kind [signature]`` of ``owner.name``, or None to leave it out."""
    try:
        obj = getattr(owner, name)
    except Exception:  # noqa: BLE001 - a lazy attribute that fails without a GPU
        return "property" if isinstance(owner, type) else None
    if numpy_owner is not None and getattr(numpy_owner, name, object()) is obj:
        return "numpy"
    if isinstance(obj, cupy.ufunc):
        return "ufunc " + signature_of(obj, name, any_name=True)
    if isinstance(obj, ModuleType):
        return "module"
    if isinstance(owner, type):
        raw = inspect.getattr_static(owner, name)
        if isinstance(raw, (property, staticmethod, classmethod)) or callable(raw):
            if isinstance(raw, property) or type(raw).__name__ == "getset_descriptor":
                return "property"
            return "method " + signature_of(obj, name)
        if type(raw).__name__ in ("getset_descriptor", "member_descriptor"):
            return "property"
        return "constant"
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "function " + signature_of(obj, name)
    return "constant"


def main() -> int:
    import numpy
    try:
        import cupy
        import cupyx
    except ImportError:
        print("generate_api: needs CuPy importable (see this module's docstring)", file=sys.stderr)
        return 1
    del cupyx
    lines = [
        "# The CuPy API that the cupy-standin backend allows (minitf/_cupy_standin).",
        "# Generated by `python -m minitf._cupy_standin.generate_api` from",
        f"# cupy {cupy.__version__} (package cupy-cuda12x; NumPy {numpy.__version__}, Python "
        f"{sys.version.split()[0]}). Do not edit by hand: regenerate.",
        "# <namespace> <name> <kind> [<signature>]",
        f"version cupy {cupy.__version__}",
    ]

    def resolve(path: str):
        import importlib
        parts = path.split(".")
        obj = importlib.import_module(parts[0])
        for p in parts[1:]:
            obj = getattr(obj, p)
        return obj

    def numpy_twin(path: str):
        rest = path.split(".")[1:]
        obj = numpy
        for p in rest:
            obj = getattr(obj, p, None)
            if obj is None:
                return None
        return obj

    for path, _ in [("cupy", "module")] + MEMBER_LISTS:
        owner = resolve(path)
        twin = numpy_twin(path) if path.startswith("cupy") and path != "cupy.ufunc" else None
        for name in sorted(dir(owner)):
            if name.startswith("_") and not (path == "cupy.ndarray" and name in KEEP_DUNDERS):
                continue
            if name in ("annotations",):  # `from __future__ import annotations`
                continue
            kind = describe(owner, name, twin if path != "cupy.ndarray" else None, cupy)
            if kind is not None:
                lines.append(f"{path} {name} {kind}")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT} ({len(lines)} lines, cupy {cupy.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
