"""The stand-in's modules (``cupy``, ``cupyx``, ``cupy.cuda``...), built from ``cupy_api.txt``.

A name exists on a stand-in module only if CuPy has it (the list), and then:

* ``numpy`` kind (a dtype, a constant, ``result_type``...): NumPy's very object, as in CuPy;
* a function or ufunc NumPy also has: NumPy's, run on the device arrays' data, with CuPy's
  signature checked (a keyword CuPy does not take is a TypeError) and CuPy's argument rules
  (a NumPy array where CuPy wants a device array is a TypeError; ``asarray``/``array`` copy
  host data to the device, counted);
* a few written here (``asnumpy``, ``get_array_module``, ``cupyx.scatter_add``, ``cupy.cuda``);
* anything else CuPy has raises AttributeError saying the stand-in does not emulate it yet.

A name CuPy lacks raises AttributeError as ``cupy`` would (``cupy.errstate``, ``cupy.float``...).
"""
from __future__ import annotations

import functools
import types
from pathlib import Path
from typing import Any, Callable

import numpy

from minitf._cupy_standin import core, cuda
from minitf._cupy_standin.core import ndarray, unwrap_arg, unwrap_operand, wrap

API_FILE = Path(__file__).with_name("cupy_api.txt")

# Functions that copy host data (NumPy arrays, lists) to the device: CuPy accepts it there.
HOST_TO_DEVICE = frozenset({"array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray"})
# These take a one-element NumPy array as a scalar value (CuPy: copyto's "src.squeeze()[()]").
HOST_SCALAR_OK = frozenset({"full", "full_like", "copyto", "fill"})
# NumPy answers these with a Python scalar; CuPy with a 0-d device array.
ARRAY_RESULT = frozenset({"allclose", "array_equal", "array_equiv", "count_nonzero"})
# Keywords CuPy has and NumPy lacks (they only concern streams): accepted and dropped.
CUPY_ONLY_KEYWORDS = frozenset({"blocking", "stream"})
CONSTANTS = {"Inf": numpy.inf, "Infinity": numpy.inf, "infty": numpy.inf, "PINF": numpy.inf,
             "NINF": -numpy.inf, "NAN": numpy.nan, "NaN": numpy.nan, "PZERO": 0.0, "NZERO": -0.0}


def load_api(path: Path = API_FILE) -> tuple[str, dict[str, dict[str, tuple[str, str]]]]:
    """(CuPy version, {namespace: {name: (kind, signature)}}) from the committed list."""
    version, api = "?", {}
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("version "):
            version = line.split()[-1]
            continue
        namespace, name, kind, *sig = line.split(" ", 3)
        api.setdefault(namespace, {})[name] = (kind, sig[0] if sig else "?")
    return version, api


VERSION, API = load_api()


class Signature:
    """The parameter names CuPy's function takes: enough to refuse what CuPy would refuse."""

    __slots__ = ("max_positional", "keywords")

    def __init__(self, text: str):
        self.max_positional: int | None = 0
        self.keywords: frozenset[str] | None = frozenset()
        if text == "?":
            self.max_positional = self.keywords = None
            return
        names, keyword_only, positional_only = [], False, []
        for p in (x.strip() for x in text.strip("()").split(",")):
            if not p:
                continue
            if p == "/":
                positional_only, names = names, []
                continue
            if p == "*":
                keyword_only = True
                continue
            if p.startswith("**"):
                self.keywords = None
                continue
            if p.startswith("*"):
                self.max_positional = None
                keyword_only = True
                continue
            name = p.rstrip("=")
            if not keyword_only and self.max_positional is not None:
                self.max_positional += 1
            names.append(name)
        if self.keywords is not None:
            self.keywords = frozenset(names)
        if self.max_positional is not None:
            self.max_positional = self.max_positional  # counted above, positional-only included
        del positional_only

    def check(self, qualname: str, args: tuple, kwargs: dict) -> None:
        if self.max_positional is not None and len(args) > self.max_positional:
            raise TypeError(f"{qualname}() takes at most {self.max_positional} positional arguments "
                            f"({len(args)} given) in CuPy {VERSION}")
        if self.keywords is not None:
            for k in kwargs:
                if k not in self.keywords:
                    raise TypeError(f"{qualname}() got an unexpected keyword argument '{k}' "
                                    f"(CuPy {VERSION} takes {sorted(self.keywords)})")


def _clean_kwargs(kwargs: dict, host_ok: bool, host_scalar_ok: bool = False) -> dict:
    return {k: unwrap_arg(v, host_ok, host_scalar_ok) for k, v in kwargs.items()
            if v is not None and k not in CUPY_ONLY_KEYWORDS}


def _wrap_around(a: numpy.ndarray, indices: Any, axis: Any) -> Any:
    """CuPy's take and take_along_axis wrap out-of-bounds indices around (NumPy raises)."""
    if not isinstance(indices, numpy.ndarray) or indices.dtype.kind not in "iu" or not indices.size:
        return indices
    n = a.size if axis is None else a.shape[axis]
    if n and (indices.min() < -n or indices.max() >= n):
        return numpy.mod(indices, n)
    return indices


def _take(np_take: Callable) -> Callable:
    def take(a, indices, axis=None, out=None):
        return np_take(a, _wrap_around(numpy.asarray(a), indices, axis), axis=axis, out=out)
    return take


def _take_along_axis(a, indices, axis):
    return numpy.take_along_axis(a, _wrap_around(a, indices, axis), axis=axis)


def make_function(qualname: str, np_func: Callable, sig: str) -> Callable:
    name = qualname.rsplit(".", 1)[-1]
    signature = Signature(sig)
    host_ok = name in HOST_TO_DEVICE and qualname.count(".") == 1
    host_scalar_ok = name in HOST_SCALAR_OK
    array_result = name in ARRAY_RESULT

    def function(*args, **kwargs):
        signature.check(qualname, args, kwargs)
        if host_ok and args and type(args[0]) is not ndarray and not isinstance(args[0], numpy.ndarray):
            if core._holds_host_data(args[0]):
                core.host_to_device()  # a list or a scalar: host data too
        a = unwrap_arg(args, host_ok, host_scalar_ok)
        k = _clean_kwargs(kwargs, host_ok, host_scalar_ok)
        result = core.launch(name, lambda: np_func(*a, **k))
        if array_result and not isinstance(result, numpy.ndarray):
            result = numpy.asarray(result)
        return wrap(result)
    function.__name__ = name
    function.__qualname__ = qualname
    function.__doc__ = f"CuPy's {qualname}{sig}, computed by NumPy's {np_func.__name__} (stand-in)."
    return function


class ufunc:  # noqa: N801 (CuPy's name)
    """A CuPy ufunc of the stand-in: device arrays and scalars in, device arrays out."""

    def __init__(self, name: str, np_ufunc: numpy.ufunc, sig: str, methods: dict[str, str]):
        self.name = self.__name__ = name
        self._np = np_ufunc
        self._sig = Signature(sig)
        self._methods = methods
        self.nin, self.nout, self.nargs = np_ufunc.nin, np_ufunc.nout, np_ufunc.nargs

    @property
    def types(self) -> list[str]:
        return self._np.types

    def __repr__(self) -> str:
        return f"<ufunc 'cupy_{self.name}'>"

    def __call__(self, *args, **kwargs):
        self._sig.check(f"cupy.{self.name}", args, kwargs)
        operands = [unwrap_operand(x) for x in args]
        k = {}
        for key, value in kwargs.items():
            if key == "out":
                if value is None:
                    continue
                if not isinstance(value, ndarray):
                    raise TypeError(f"Output arrays must be cupy.ndarray, not {type(value)}")
                value = value._a
            k[key] = value
        f = self._np
        return wrap(core.launch(self.name, lambda: f(*operands, **k)))

    def _method(self, method: str) -> Callable:
        sig = self._methods.get(method)
        if sig is None:
            raise AttributeError(f"'cupy.ufunc' object has no attribute '{method}'")
        return getattr(self._np, method), Signature(sig)

    def reduce(self, array, *args, **kwargs):
        f, sig = self._method("reduce")
        sig.check(f"cupy.{self.name}.reduce", (array,) + args, kwargs)
        a, rest, k = unwrap_operand(array), unwrap_arg(args), _clean_kwargs(kwargs, False)
        return wrap(core.launch(self.name, lambda: f(a, *rest, **k)))

    def accumulate(self, array, *args, **kwargs):
        f, sig = self._method("accumulate")
        sig.check(f"cupy.{self.name}.accumulate", (array,) + args, kwargs)
        a, rest, k = unwrap_operand(array), unwrap_arg(args), _clean_kwargs(kwargs, False)
        return wrap(core.launch(self.name, lambda: f(a, *rest, **k)))

    def reduceat(self, array, indices, *args, **kwargs):
        f, sig = self._method("reduceat")
        sig.check(f"cupy.{self.name}.reduceat", (array, indices) + args, kwargs)
        a, i = unwrap_operand(array), unwrap_arg(indices)
        rest, k = unwrap_arg(args), _clean_kwargs(kwargs, False)
        return wrap(core.launch(self.name, lambda: f(a, i, *rest, **k)))

    def outer(self, A, B, **kwargs):  # noqa: N803 (CuPy's names)
        f, _ = self._method("outer")
        a, b, k = unwrap_operand(A), unwrap_operand(B), _clean_kwargs(kwargs, False)
        return wrap(core.launch(self.name, lambda: f(a, b, **k)))

    def at(self, a, indices, b=None):
        f, _ = self._method("at")
        if not isinstance(a, ndarray):
            raise TypeError(f"Unsupported type {type(a)}")
        index, _ = core.convert_index(indices, a._a.shape)
        target = a._a
        args = () if b is None else (unwrap_operand(b),)
        core.launch(self.name, lambda: f(target, index, *args))


# --- functions written here ----------------------------------------------------------------
def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    """The explicit device-to-host copy (counted); a host value comes back as a NumPy array."""
    if isinstance(a, ndarray):
        return a.get(order=order, out=out)
    if out is not None:
        numpy.copyto(out, a)
        return out
    return numpy.asarray(a, order=order)


def get_array_module(*args):
    return cupy if any(isinstance(a, ndarray) for a in args) else numpy


def _scatter(np_ufunc: numpy.ufunc, name: str) -> Callable:
    def scatter(a, slices, value):
        f"""``a[slices] {name}= value`` where repeated indices all count (``numpy.{np_ufunc.__name__}.at``)."""
        if not isinstance(a, ndarray):
            raise TypeError(f"Unsupported type {type(a)}")
        index, _ = core.convert_index(slices, a._a.shape)
        v, target = unwrap_operand(value), a._a
        core.launch(f"scatter_{name}", lambda: np_ufunc.at(target, index, v))
    scatter.__name__ = f"scatter_{name}"
    return scatter


class _IndexTrick:
    """``cupy.ogrid``, ``mgrid``, ``r_``, ``c_``: NumPy's, giving device arrays."""

    def __init__(self, np_trick):
        self._np = np_trick

    def __getitem__(self, key):
        core.host_to_device()
        return wrap(self._np[unwrap_arg(key)])


class _ObjectProxy:
    """A CuPy object emulated by a NumPy one (``RandomState``, ``Generator``): only the
    methods CuPy's class has, device arrays out."""

    def __init__(self, cupy_class: str, np_obj: Any):
        self._class, self._np = cupy_class, np_obj

    def __getattr__(self, name: str):
        kind, sig = API.get(self._class, {}).get(name, (None, None))
        if kind is None:
            raise AttributeError(f"'{self._class}' object has no attribute '{name}' (CuPy {VERSION})")
        attr = getattr(self._np, name)
        return make_function(f"{self._class}.{name}", attr, sig) if callable(attr) else attr


class StandinModule(types.ModuleType):
    """A module of the stand-in: CuPy's names only (``cupy_api.txt``)."""

    def __init__(self, name: str, api_namespace: str):
        super().__init__(name)
        self.__standin_namespace__ = api_namespace

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        ns = self.__dict__.get("__standin_namespace__", self.__name__)
        if name in API.get(ns, {}):
            raise AttributeError(
                f"cupy-standin does not emulate {ns}.{name} (CuPy {VERSION} has it): add it to "
                "minitf/_cupy_standin/namespace.py if minitf needs it")
        raise AttributeError(f"module '{ns}' has no attribute '{name}' (CuPy {VERSION} has no "
                             f"{ns}.{name}: minitf/_cupy_standin/cupy_api.txt)")

    def __repr__(self) -> str:
        return f"<module '{self.__name__}' (cupy-standin: CuPy {VERSION}'s API on NumPy)>"


def _populate(module: StandinModule, namespace: str, numpy_twin: Any,
              special: dict[str, Any]) -> None:
    ufunc_methods = {n: s for n, (k, s) in API.get("cupy.ufunc", {}).items() if k == "method"}
    for name, (kind, sig) in API.get(namespace, {}).items():
        if name in special:
            setattr(module, name, special[name])
            continue
        twin = getattr(numpy_twin, name, None) if numpy_twin is not None else None
        if kind == "numpy" and twin is not None:
            setattr(module, name, twin)
        elif kind == "constant" and name in CONSTANTS:
            setattr(module, name, CONSTANTS[name])
        elif kind == "ufunc" and isinstance(twin, numpy.ufunc):
            setattr(module, name, ufunc(name, twin, sig, ufunc_methods))
        elif kind == "function" and callable(twin) and not isinstance(twin, type):
            if namespace == "cupy" and name in ("take", "take_along_axis"):
                twin = _take(numpy.take) if name == "take" else _take_along_axis
            setattr(module, name, make_function(f"{namespace}.{name}", twin, sig))
        elif kind == "class" and isinstance(twin, type) and issubclass(twin, BaseException):
            setattr(module, name, twin)


def _attach_ndarray_methods() -> None:
    for name, (kind, sig) in API["cupy.ndarray"].items():
        if name in ndarray.__dict__ or name.startswith("__"):
            continue
        np_method = getattr(numpy.ndarray, name, None)
        if kind == "method" and callable(np_method):
            setattr(ndarray, name, _make_method(name, sig))
        else:
            setattr(ndarray, name, property(_not_emulated(f"cupy.ndarray.{name}")))


def _make_method(name: str, sig: str) -> Callable:
    signature = Signature(sig)
    qualname = f"cupy.ndarray.{name}"
    host_scalar_ok = name in HOST_SCALAR_OK

    def method(self, *args, **kwargs):
        signature.check(qualname, args, kwargs)
        a = unwrap_arg(args, False, host_scalar_ok)
        k = _clean_kwargs(kwargs, False, host_scalar_ok)
        bound = getattr(self._a, name)
        if name == "take":
            bound = functools.partial(_take(numpy.take), self._a)
        return wrap(core.launch(name, lambda: bound(*a, **k)))
    method.__name__ = name
    method.__qualname__ = qualname
    return method


def _not_emulated(what: str) -> Callable:
    def fail(self):
        raise AttributeError(f"cupy-standin does not emulate {what} (CuPy {VERSION} has it)")
    return fail


def _check_members(namespace: str, cls: type) -> None:
    """The hand-written classes keep to CuPy's names: drop what CuPy's class lacks."""
    allowed = API.get(namespace, {})
    for name in list(vars(cls)):
        if not name.startswith("_") and name not in allowed and name != "kernels":
            delattr(cls, name)


def _build() -> tuple[StandinModule, StandinModule]:
    cp = StandinModule("cupy", "cupy")
    cp.__version__ = VERSION
    cp.__standin__ = True
    random_np = numpy.random
    special = {
        "ndarray": ndarray,
        "ufunc": ufunc,
        "asnumpy": asnumpy,
        "get_array_module": get_array_module,
        "get_default_memory_pool": cuda.get_default_memory_pool,
        "is_available": lambda: True,
        "ogrid": _IndexTrick(numpy.ogrid),
        "mgrid": _IndexTrick(numpy.mgrid),
        "r_": _IndexTrick(numpy.r_),
        "c_": _IndexTrick(numpy.c_),
    }
    _populate(cp, "cupy", numpy, special)
    for sub, twin in (("linalg", numpy.linalg), ("fft", numpy.fft), ("random", random_np)):
        m = StandinModule(f"cupy.{sub}", f"cupy.{sub}")
        extra = {}
        if sub == "random":
            extra = {"RandomState": lambda seed=None: _ObjectProxy("cupy.random.RandomState",
                                                                 numpy.random.RandomState(seed)),
                     "default_rng": lambda seed=None: _ObjectProxy("cupy.random.Generator",
                                                                 numpy.random.default_rng(seed))}
        _populate(m, f"cupy.{sub}", twin, extra)
        setattr(cp, sub, m)
    lib = StandinModule("cupy.lib", "cupy.lib")
    stride_tricks = StandinModule("cupy.lib.stride_tricks", "cupy.lib.stride_tricks")
    _populate(stride_tricks, "cupy.lib.stride_tricks", numpy.lib.stride_tricks, {})
    lib.stride_tricks = stride_tricks
    cp.lib = lib

    cuda_module = StandinModule("cupy.cuda", "cupy.cuda")
    _populate(cuda_module, "cupy.cuda", None, {
        "Device": cuda.Device, "Stream": cuda.Stream, "Event": cuda.Event, "Graph": cuda.Graph,
        "get_current_stream": cuda.get_current_stream, "get_elapsed_time": cuda.get_elapsed_time,
        "is_available": cuda.is_available, "get_device_id": cuda.get_device_id,
        "runtime": cuda.runtime, "MemoryPool": cuda.MemoryPool, "using_allocator": cuda.using_allocator})
    for cls_name in ("Device", "Stream", "Event", "Graph"):
        _check_members(f"cupy.cuda.{cls_name}", getattr(cuda, cls_name))
    cp.cuda = cuda_module

    cupyx = StandinModule("cupyx", "cupyx")
    _populate(cupyx, "cupyx", None, {
        "scatter_add": _scatter(numpy.add, "add"),
        "scatter_max": _scatter(numpy.maximum, "max"),
        "scatter_min": _scatter(numpy.minimum, "min"),
        "errstate": numpy.errstate, "seterr": numpy.seterr, "geterr": numpy.geterr,
        "rsqrt": make_function("cupyx.rsqrt", lambda x, out=None: numpy.reciprocal(numpy.sqrt(x), out=out),
                               "(x, /, out=)"),
    })
    _attach_ndarray_methods()
    return cp, cupyx


cupy, cupyx = _build()


def cupy_attr(name: str) -> Any:
    """The stand-in's ``cupy.<name>``, or None where it has none."""
    return cupy.__dict__.get(name)


def resolve_twin(path: list[str], name: str) -> Any:
    """The stand-in's function for NumPy's ``numpy.<path>.<name>`` (``__array_function__``)."""
    module: Any = cupy
    for part in path:
        module = module.__dict__.get(part) if isinstance(module, types.ModuleType) else None
        if module is None:
            return None
    found = module.__dict__.get(name)
    return found if callable(found) else None
