"""The stand-in's array: a NumPy array kept out of NumPy's reach, with CuPy's manners.

``ndarray`` wraps a ``numpy.ndarray`` (``_a``, never handed out) and behaves as CuPy's
``cupy.ndarray`` does (CuPy 14, ``cupy/_core/core.pyx`` and ``_kernel.pyx``):

* it is not a ``numpy.ndarray``; ``numpy.asarray(x)``, ``numpy.array(x)`` and ``x.__array__()``
  raise TypeError ("Implicit conversion to a NumPy array is not allowed");
* kernels take device arrays, Python scalars and NumPy scalars (``numpy.float32(2)``); a
  ``numpy.ndarray`` operand, even 0-d, raises ``TypeError: Unsupported type <class
  'numpy.ndarray'>`` (comparisons alone accept a 0-d one, as CuPy does);
* NumPy functions and ufuncs called on it dispatch to the stand-in's function of the same name
  where CuPy has one (NEP 13/18, as CuPy does), else raise TypeError;
* reductions and scalar indexing give 0-d device arrays, not NumPy scalars;
* ``float(x)``, ``int(x)``, ``bool(x)``, ``x.item()``, ``x.tolist()``, ``repr``/``str``/``format``
  and pickling copy to the host, as in CuPy: allowed, counted (``counters``) and refused while a
  stream is being captured (CUDA refuses a sync inside a capture);
* integer index arrays out of bounds wrap around (CuPy's documented difference from NumPy);
* no ``__index__``, no object or string dtypes (CuPy has neither).

One stricter rule than CuPy: assigning a NumPy array into a device array (``x[i] = host``) is
refused for every index (CuPy refuses it for slices only and copies implicitly for index arrays).
"""
from __future__ import annotations

import operator
from typing import Any, Callable

import numpy

from minitf._cupy_standin import counters

SCALAR_TYPES = (int, float, bool, complex, numpy.generic)
_UNSUPPORTED_DTYPE_KINDS = frozenset("OUSVMm")
# Array functions and methods that only make a view (CuPy launches no kernel for them).
VIEW_NAMES = frozenset({
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "rollaxis", "squeeze", "expand_dims",
    "broadcast_to", "broadcast_arrays", "as_strided", "sliding_window_view", "view", "T", "mT",
    "real", "imag", "diagonal", "atleast_1d", "atleast_2d", "atleast_3d", "flip", "fliplr",
    "flipud", "asarray", "asanyarray", "permute_dims", "matrix_transpose", "split", "array_split",
    "hsplit", "vsplit", "dsplit", "__getitem__",
})


class CUDARuntimeError(RuntimeError):
    """``cupy.cuda.runtime.CUDARuntimeError``: a CUDA call failed (its message starts with the error's name)."""


class CaptureError(CUDARuntimeError):
    """What CUDA answers when a captured stream would wait for the host (a sync or a copy):
    ``cudaErrorStreamCaptureUnsupported``. As in CUDA, the capture is invalidated: its
    ``end_capture()`` then fails with ``cudaErrorStreamCaptureInvalidated``."""


class _State:
    capturing = None  # the open capture (a cuda.Capture) while a Stream.begin_capture() is open


state = _State()


def _implicit_conversion(*_args, **_kwargs):
    raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                    "Please use `.get()` to construct a NumPy array explicitly.")


def unsupported(value: Any) -> TypeError:
    return TypeError(f"Unsupported type {type(value)}")


def _check_dtype(a: numpy.ndarray) -> None:
    if a.dtype.kind in _UNSUPPORTED_DTYPE_KINDS or a.dtype == numpy.longdouble and a.dtype.itemsize > 8:
        raise ValueError(f"Unsupported dtype {a.dtype}")


def wrap(result: Any) -> Any:
    """NumPy results as device arrays (NumPy scalars as 0-d arrays, as CuPy gives)."""
    t = type(result)
    if t is numpy.ndarray:
        _check_dtype(result)
        out = ndarray.__new__(ndarray)
        out._a = result
        return out
    if isinstance(result, numpy.generic):
        return wrap(numpy.asarray(result))
    if t is tuple or t is list:
        return t(wrap(r) for r in result)
    if isinstance(result, tuple):  # NumPy's named results (SVDResult, EighResult ...): CuPy gives a tuple
        return tuple(wrap(r) for r in result)
    return result


def unwrap_operand(value: Any, allow_host_0d: bool = False) -> Any:
    """A kernel operand: a device array's data or a scalar; anything else is refused."""
    if type(value) is ndarray:
        return value._a
    if isinstance(value, SCALAR_TYPES):
        return value
    if isinstance(value, numpy.ndarray):
        if allow_host_0d and value.ndim == 0:
            return value.item()
        raise unsupported(value)
    if isinstance(value, ndarray):  # a subclass
        return value._a
    raise unsupported(value)


def unwrap_arg(value: Any, host_ok: bool = False, host_scalar_ok: bool = False) -> Any:
    """An argument of an array function: device arrays unwrapped, also inside lists and tuples.

    A NumPy array is refused unless the function copies host data to the device
    (``host_ok``: ``asarray``, ``array``...), which is then counted, or takes a one-element
    NumPy array as a scalar (``host_scalar_ok``: ``full``, ``copyto``, ``fill`` in CuPy).
    """
    t = type(value)
    if t is ndarray:
        return value._a
    if t is list or t is tuple:
        return t(unwrap_arg(v, host_ok, host_scalar_ok) for v in value)
    if isinstance(value, numpy.ndarray):
        if host_scalar_ok and value.size == 1:
            return value.squeeze()[()]
        if not host_ok:
            raise unsupported(value)
        host_to_device()
        return value
    if isinstance(value, ndarray):
        return value._a
    return value


def _holds_host_data(value: Any) -> bool:
    t = type(value)
    if t is list or t is tuple:
        return any(_holds_host_data(v) for v in value)
    return t is not ndarray and not isinstance(value, ndarray) and not isinstance(value, (str, type(None)))


def launch(name: str, compute: Callable[[], Any]) -> Any:
    """Run one device computation (counted; recorded instead while a stream is captured: see
    ``cuda.Capture``)."""
    if state.capturing is not None and state.capturing.records():
        return state.capturing.record(name, compute)
    result = compute()
    if name not in VIEW_NAMES:
        counters.device_call()
    return result


def _refuse_in_capture(what: str) -> None:
    capture = state.capturing
    if capture is not None:
        capture.invalidate()
        raise CaptureError(f"cudaErrorStreamCaptureUnsupported: operation not permitted when stream is "
                           f"capturing ({what})")


def host_copy(kind: str) -> None:
    """A device-to-host copy: counted, and refused inside a stream capture as CUDA does."""
    _refuse_in_capture(f"a device-to-host copy: {kind}")
    counters.host_copy(kind)


def host_to_device() -> None:
    """Host data copied to the device: counted, and refused inside a stream capture. (Stricter
    than CUDA, which records the copy from the host buffer's address: a graph would then copy
    whatever that buffer, a staging buffer CuPy reuses, holds at each launch.)"""
    _refuse_in_capture("a host-to-device copy of host data: its value would be baked into the graph")
    counters.host_to_device()


# --- indexing -------------------------------------------------------------------------------
def _index_component(component: Any, dim: int | None) -> tuple[Any, bool]:
    """(NumPy index, is advanced) for one component; integer arrays wrap around like CuPy's."""
    t = type(component)
    if t is ndarray or isinstance(component, ndarray):
        idx = component._a
    elif t is list or isinstance(component, numpy.ndarray):
        idx = numpy.asarray(component)
        host_to_device()  # CuPy copies a host index to the device
        if idx.dtype.kind not in "biu" and idx.size:
            raise IndexError("arrays used as indices must be of integer or boolean type "
                             f"(actual: {idx.dtype.type})")
        if idx.size == 0:
            idx = idx.astype(numpy.intp)
    else:
        return component, False
    if idx.dtype.kind in "iu" and dim is not None and idx.size and dim > 0:
        if idx.min() < -dim or idx.max() >= dim:
            idx = numpy.mod(idx, dim)  # CuPy: "out-of-bounds indices wrap around"
    return idx, True


def convert_index(key: Any, shape: tuple[int, ...]) -> tuple[Any, bool]:
    """The NumPy index for ``key`` on an array of ``shape``, and whether it is advanced."""
    parts = key if type(key) is tuple else (key,)
    if not any(type(p) is list or isinstance(p, (numpy.ndarray, ndarray)) for p in parts):
        return key, False
    out, axis, advanced = [], 0, False
    n_explicit = sum(1 for p in parts if p is not None and p is not Ellipsis)
    for p in parts:
        if p is Ellipsis:
            out.append(p)
            axis += len(shape) - n_explicit
            continue
        if p is None:
            out.append(p)
            continue
        dim = shape[axis] if axis < len(shape) else None
        idx, adv = _index_component(p, dim)
        advanced |= adv
        out.append(idx)
        if adv and getattr(idx, "dtype", None) is not None and idx.dtype.kind == "b":
            axis += idx.ndim
        else:
            axis += 1
    return (tuple(out) if type(key) is tuple or len(out) != 1 else out[0]), advanced


# --- the array ------------------------------------------------------------------------------
def _should_use_rop(x: Any, y: Any) -> bool:
    """CuPy's rule (core.pyx): defer to ``y``'s reflected operator, or compute here."""
    y_ufunc = getattr(y, "__array_ufunc__", _MISSING)
    if y_ufunc is not _MISSING:
        return y_ufunc is None
    return getattr(x, "__array_priority__", 0) < getattr(y, "__array_priority__", 0)


_MISSING = object()


def _binary(ufunc_name: str, reflected: bool = False, comparison: bool = False):
    np_ufunc = getattr(numpy, ufunc_name)

    def op(self, other):
        if type(other) is ndarray:
            b = other._a
        elif _should_use_rop(self, other):
            return NotImplemented
        elif isinstance(other, SCALAR_TYPES):
            b = other
        elif isinstance(other, numpy.ndarray):
            if comparison and other.ndim == 0:
                b = other.item()  # CuPy's workaround in __richcmp__
            else:
                raise unsupported(other)
        elif comparison and ufunc_name in ("equal", "not_equal") and (
                other is None or type(other).__eq__ is object.__eq__):
            return wrap(numpy.full(self._a.shape, ufunc_name == "not_equal"))
        else:
            raise TypeError(f"operand type(s) all returned NotImplemented from __array_ufunc__("
                            f"<ufunc '{ufunc_name}'>, '__call__', ndarray, {type(other).__name__}): "
                            f"'ndarray', '{type(other).__name__}'")
        a = self._a
        if reflected:
            return wrap(launch(ufunc_name, lambda: np_ufunc(b, a)))
        return wrap(launch(ufunc_name, lambda: np_ufunc(a, b)))
    op.__name__ = f"__{'r' if reflected else ''}{ufunc_name}__"
    return op


def _inplace(ufunc_name: str):
    np_ufunc = getattr(numpy, ufunc_name)

    def op(self, other):
        b = unwrap_operand(other)
        a = self._a
        launch(ufunc_name, lambda: np_ufunc(a, b, out=a, casting="same_kind"))
        return self
    return op


class ndarray:  # noqa: N801 (CuPy's name)
    """A device array of the CuPy stand-in (see the module docstring for its rules)."""

    __slots__ = ("_a", "__weakref__")
    __array_priority__ = 100

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        if memptr is not None or strides is not None:
            raise NotImplementedError("cupy-standin: ndarray(memptr=, strides=) is not emulated")
        self._a = numpy.empty(shape, dtype=dtype, order=order)
        _check_dtype(self._a)

    # --- NumPy's protocols: CuPy's answers ---------------------------------------------------
    __array__ = _implicit_conversion

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from minitf._cupy_standin import namespace
        func = namespace.cupy_attr(ufunc.__name__)
        if func is None:
            return NotImplemented
        if method != "__call__":
            func = getattr(func, method, None)
            if func is None:
                return NotImplemented
        for x in inputs + tuple(kwargs.get("out", ())):
            if not (isinstance(x, SCALAR_TYPES) or isinstance(x, (ndarray, numpy.ndarray))):
                return NotImplemented
        if "out" in kwargs:
            out = kwargs["out"]
            if len(out) != 1:
                raise ValueError("The 'out' parameter must have exactly one array value")
            kwargs["out"] = out[0]
        return func(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from minitf._cupy_standin import namespace
        path = func.__module__.split(".")[1:] if func.__module__ else []
        target = namespace.resolve_twin(path, func.__name__)
        if target is None:
            return NotImplemented
        if not all(issubclass(t, (ndarray, numpy.ndarray)) for t in types):
            return NotImplemented
        return target(*args, **kwargs)

    # --- what it is ---------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._a.shape

    @shape.setter
    def shape(self, value) -> None:
        self._a.shape = value

    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: wrap(self._a.T))
    mT = property(lambda self: wrap(self._a.mT))
    real = property(lambda self: wrap(self._a.real))
    imag = property(lambda self: wrap(self._a.imag))

    @property
    def base(self):
        return wrap(self._a.base) if isinstance(self._a.base, numpy.ndarray) else None

    @property
    def device(self):
        from minitf._cupy_standin.cuda import Device
        return Device(0)

    # --- host copies: explicit (get) and implicit (CuPy calls get() for these) -----------------
    def get(self, stream=None, order="C", out=None, blocking=True):
        host_copy("get")
        if out is not None:
            if not isinstance(out, numpy.ndarray):
                raise TypeError("Only numpy.ndarray can be obtained from cupy.ndarray")
            numpy.copyto(out, self._a)
            return out
        return numpy.array(self._a, order=order, copy=True)

    def set(self, arr, stream=None):
        if not isinstance(arr, numpy.ndarray):
            raise TypeError(f"Only numpy.ndarray can be set to cupy.ndarray: {type(arr)}")
        if arr.shape != self._a.shape:
            raise ValueError("Shape mismatch")
        host_to_device()
        self._a[...] = arr

    def item(self):
        if self._a.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        host_copy("item")
        return self._a.item()

    def tolist(self):
        host_copy("tolist")
        return self._a.tolist()

    def tobytes(self, order="C"):
        host_copy("tobytes")
        return self._a.tobytes(order)

    def _to_host(self, kind: str) -> numpy.ndarray:
        host_copy(kind)
        return self._a

    def __float__(self):
        return float(self._to_host("float"))

    def __int__(self):
        return int(self._to_host("int"))

    def __complex__(self):
        return complex(self._to_host("complex"))

    def __bool__(self):
        if self._a.size == 1:
            return bool(self._to_host("bool"))
        return bool(self._a)  # NumPy's errors for empty and multi-element arrays

    def __repr__(self):
        return repr(self._to_host("repr"))

    def __str__(self):
        return str(self._to_host("str"))

    def __format__(self, spec):
        return format(self._to_host("format"), spec)

    def __reduce__(self):
        from minitf._cupy_standin import namespace
        return namespace.cupy_attr("array"), (numpy.array(self._to_host("pickle")),)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    __hash__ = None  # elementwise ==, as every array

    # --- containers and indexing --------------------------------------------------------------
    def __len__(self):
        if self._a.ndim == 0:
            raise TypeError("len() of unsized object")
        return self._a.shape[0]

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self._a.shape[0]))

    def __getitem__(self, key):
        index, advanced = convert_index(key, self._a.shape)
        a = self._a
        result = launch("take" if advanced else "__getitem__", lambda: a[index])
        if isinstance(result, numpy.generic):  # CuPy gives a 0-d view, not a scalar
            return wrap(numpy.asarray(result))
        return wrap(result)

    def __setitem__(self, key, value):
        index, _ = convert_index(key, self._a.shape)
        if type(value) is ndarray or isinstance(value, ndarray):
            v = value._a
        elif isinstance(value, SCALAR_TYPES):
            v = value
        else:
            # CuPy refuses a host array for a slice ("Refuse assignment from CPU arrays") and
            # copies it implicitly for an index array; the stand-in refuses both.
            raise TypeError(f"cupy-standin: assigning a {type(value).__name__} into a device array "
                            "copies host data implicitly; convert it with cupy.asarray first")
        a = self._a

        def assign():
            a[index] = v
        launch("__setitem__", assign)

    # --- operators (CuPy's dispatch: device arrays and scalars only) --------------------------
    __add__ = _binary("add")
    __radd__ = _binary("add", reflected=True)
    __sub__ = _binary("subtract")
    __rsub__ = _binary("subtract", reflected=True)
    __mul__ = _binary("multiply")
    __rmul__ = _binary("multiply", reflected=True)
    __matmul__ = _binary("matmul")
    __rmatmul__ = _binary("matmul", reflected=True)
    __truediv__ = _binary("true_divide")
    __rtruediv__ = _binary("true_divide", reflected=True)
    __floordiv__ = _binary("floor_divide")
    __rfloordiv__ = _binary("floor_divide", reflected=True)
    __mod__ = _binary("remainder")
    __rmod__ = _binary("remainder", reflected=True)
    __divmod__ = _binary("divmod")
    __rdivmod__ = _binary("divmod", reflected=True)
    __and__ = _binary("bitwise_and")
    __rand__ = _binary("bitwise_and", reflected=True)
    __or__ = _binary("bitwise_or")
    __ror__ = _binary("bitwise_or", reflected=True)
    __xor__ = _binary("bitwise_xor")
    __rxor__ = _binary("bitwise_xor", reflected=True)
    __lshift__ = _binary("left_shift")
    __rlshift__ = _binary("left_shift", reflected=True)
    __rshift__ = _binary("right_shift")
    __rrshift__ = _binary("right_shift", reflected=True)
    __lt__ = _binary("less", comparison=True)
    __le__ = _binary("less_equal", comparison=True)
    __gt__ = _binary("greater", comparison=True)
    __ge__ = _binary("greater_equal", comparison=True)
    __eq__ = _binary("equal", comparison=True)
    __ne__ = _binary("not_equal", comparison=True)

    _pow, _rpow = _binary("power"), _binary("power", reflected=True)

    def __pow__(self, other, mod=None):
        return NotImplemented if mod is not None else self._pow(other)

    def __rpow__(self, other, mod=None):
        return self._rpow(other)

    __iadd__ = _inplace("add")
    __isub__ = _inplace("subtract")
    __imul__ = _inplace("multiply")
    __itruediv__ = _inplace("true_divide")
    __ifloordiv__ = _inplace("floor_divide")
    __imod__ = _inplace("remainder")
    __ipow__ = _inplace("power")
    __iand__ = _inplace("bitwise_and")
    __ior__ = _inplace("bitwise_or")
    __ixor__ = _inplace("bitwise_xor")
    __ilshift__ = _inplace("left_shift")
    __irshift__ = _inplace("right_shift")

    def __imatmul__(self, other):
        b = unwrap_operand(other)
        a = self._a
        launch("matmul", lambda: numpy.matmul(a, b, out=a))
        return self

    def __neg__(self):
        a = self._a
        return wrap(launch("negative", lambda: numpy.negative(a)))

    def __pos__(self):
        a = self._a
        return wrap(launch("positive", lambda: numpy.positive(a)))

    def __abs__(self):
        a = self._a
        return wrap(launch("absolute", lambda: numpy.absolute(a)))

    def __invert__(self):
        a = self._a
        return wrap(launch("invert", lambda: numpy.invert(a)))


# The named methods CuPy's ndarray has (from cupy_api.txt) are attached by namespace.py; a name
# NumPy's ndarray has and CuPy's lacks (resize, setflags, ctypes, to_device...) stays missing.
ndarray_method_impls: dict[str, Callable] = {}
operator_names = {name for name in dir(ndarray) if name.startswith("__")}
del operator
