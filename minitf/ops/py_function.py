"""``tf.py_function`` and ``tf.numpy_function``: run a Python function on tensor values, also
inside a traced function (a graph node that calls back into Python when it runs).

    @tf.py_function(Tout=tf.float32)
    def py_plus(x, y):
        return x + y                    # x, y are eager Tensors, even inside a tf.function

``py_function`` hands the function eager Tensors and is differentiable: the gradient runs the
function again under a GradientTape (``dL/dx = tape.gradient(f(x), x, output_gradients=dL/dy)``).
``numpy_function`` hands it NumPy arrays and has no gradient, as in TF. While tracing, minitf
calls the function once on the trace's example values to learn its outputs' ranks and dtypes
(TF leaves them unknown, minitf keeps that run's shapes as the static ones). The function always
runs eagerly, outside any trace and any tape. A graph holding one cannot be saved (the function is
Python code), as in TF.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf._context import init_scope
from minitf.errors import (InvalidArgumentError, OpError, OutOfRangeError, ResourceExhaustedError, UnimplementedError,
                           UnknownError)
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["py_function", "numpy_function"]


def _outputs(op: str, result, tout: tuple, single: bool) -> tuple:
    """The function's results as arrays of the declared dtypes (TF's check: same count, castable)."""
    values = [result] if single else (list(result) if isinstance(result, (list, tuple)) else [result])
    if len(values) != len(tout):
        raise InvalidArgumentError(f"{op}: the function returned {len(values)} value(s), Tout declares {len(tout)}", op)
    arrays = []
    for value, dt in zip(values, tout):
        t = value if isinstance(value, Tensor) else convert_to_tensor(np.asarray(value), dtype=dt)
        if t.dtype != dt:
            raise InvalidArgumentError(f"{op}: the function's result has dtype {t.dtype.name}, Tout says {dt.name}", op)
        arrays.append(B.xp.asarray(t._value))
    return tuple(arrays)


def _python_error(op: str, error: Exception) -> OpError:
    """The ``tf.errors`` class TF's kernel turns an exception of the Python function into:
    ValueError and TypeError -> InvalidArgumentError, StopIteration -> OutOfRangeError, MemoryError
    -> ResourceExhaustedError, NotImplementedError -> UnimplementedError, anything else -> UnknownError,
    a ``tf.errors`` error raised by an op inside the function included (TF's are not ValueErrors)."""
    if isinstance(error, OpError):
        kind = UnknownError
    else:
        kind = next((k for python, k in ((ValueError, InvalidArgumentError), (TypeError, InvalidArgumentError),
                                         (StopIteration, OutOfRangeError), (MemoryError, ResourceExhaustedError),
                                         (NotImplementedError, UnimplementedError)) if isinstance(error, python)),
                    UnknownError)
    return kind(f"{op}: the Python function raised {type(error).__name__}: {error}", op)


def _run(op: str, func: Callable, args: list):
    """``func(*args)``, its exception turned into TF's error class (the original chained to it)."""
    try:
        return func(*args)
    except Exception as e:  # noqa: BLE001 (whatever the function raises: TF wraps it)
        raise _python_error(op, e) from e


class EagerPyFunc(Op):
    """Calls ``func`` on eager Tensors of the inputs' values.   Gradient: ``func`` again, under a tape."""

    stateful = True  # it may do anything (print, count): never folded, dropped or merged

    def forward(*arrays, func, tout, single):
        with init_scope():  # eagerly, even while a function is traced or a tape records
            result = _run("EagerPyFunc", func, [Tensor(a) for a in arrays])
            out = _outputs("EagerPyFunc", result, tout, single)
        return out if len(out) != 1 else out[0]

    def trace_forward(*arrays, func, tout, single):
        return EagerPyFunc.forward(*arrays, func=func, tout=tout, single=single)

    def backward(ctx, *dys):
        floats = tuple(dt.is_floating for dt in ctx.tout)
        grads = EagerPyFuncGrad.apply(*ctx.inputs, *[dy for dy, f in zip(dys, floats) if f], func=ctx.func,
                                      n_inputs=len(ctx.inputs), floats=floats, single=ctx.single)
        return grads if isinstance(grads, tuple) and len(grads) > 1 else grads


class EagerPyFuncGrad(Op):
    """dL/dx of ``func`` at the inputs for upstream gradients ``dys`` (the float outputs')."""

    stateful = True
    backward = None

    def forward(*arrays, func, n_inputs, floats, single):
        from minitf.autodiff import GradientTape
        inputs = [Tensor(a) for a in arrays[:n_inputs]]
        dys = iter(Tensor(a) for a in arrays[n_inputs:])
        with init_scope():
            with GradientTape() as tape:
                for x in inputs:
                    if x.dtype.is_floating:
                        tape.watch(x)
                result = _run("EagerPyFunc", func, inputs)
            outs = [result] if single else (list(result) if isinstance(result, (list, tuple)) else [result])
            targets, upstream = [], []
            for out, is_float in zip(outs, floats):
                if is_float:
                    targets.append(out)
                    upstream.append(next(dys))
            grads = tape.gradient(targets, inputs, output_gradients=upstream)
        arrays_out = tuple(B.xp.zeros_like(x._value) if g is None else B.xp.asarray(g._value)
                           for g, x in zip(grads, inputs))
        return arrays_out if len(arrays_out) != 1 else arrays_out[0]

    trace_forward = forward


def _tout(op: str, Tout) -> tuple[tuple, bool]:
    single = not isinstance(Tout, (list, tuple))
    touts = [Tout] if single else list(Tout)
    try:
        return tuple(dtypes.as_dtype(t) for t in touts), single
    except (TypeError, ValueError) as e:
        raise TypeError(f"{op}: Tout must be a dtype or a list of dtypes, got {Tout!r} ({e})") from None


def _call(op_name: str, func: Callable, inp, Tout, numpy: bool):
    tout, single = _tout(op_name, Tout)
    inputs = [convert_to_tensor(x) for x in (inp if isinstance(inp, (list, tuple)) else [inp])]
    if numpy:
        def call(*tensors):
            return func(*[t.numpy() for t in tensors])
        return EagerPyFuncNoGrad.apply(*inputs, func=call, tout=tout, single=single)
    return EagerPyFunc.apply(*inputs, func=func, tout=tout, single=single)


class EagerPyFuncNoGrad(EagerPyFunc):
    """``numpy_function``: the same call, no gradient (TF's PyFunc)."""

    name = "PyFunc"
    backward = None

    def forward(*arrays, func, tout, single):
        with init_scope():  # (its exceptions are not wrapped: eager TF raises them as they are)
            out = _outputs("PyFunc", func(*[Tensor(a) for a in arrays]), tout, single)
        return out if len(out) != 1 else out[0]

    def trace_forward(*arrays, func, tout, single):
        return EagerPyFuncNoGrad.forward(*arrays, func=func, tout=tout, single=single)


def py_function(func: Callable | None = None, inp=None, Tout=None, name=None) -> Any:
    """``func(*inp)`` on eager Tensors, its results cast-checked to ``Tout``; with only ``Tout``
    given, a decorator (``@tf.py_function(Tout=tf.float32)``), as in TF."""
    if Tout is None:
        raise TypeError("py_function: missing the required argument Tout (the dtype(s) the function returns)")
    if func is None:
        def decorator(fn):
            def wrapper(*args):
                return _call("EagerPyFunc", fn, list(args), Tout, numpy=False)
            wrapper.__name__ = getattr(fn, "__name__", "py_function")
            return wrapper
        return decorator
    if inp is None:
        def wrapper(*args):
            return _call("EagerPyFunc", func, list(args), Tout, numpy=False)
        return wrapper
    return _call("EagerPyFunc", func, inp, Tout, numpy=False)


def numpy_function(func: Callable | None = None, inp=None, Tout=None, stateful: bool = True, name=None) -> Any:
    """``func(*inp)`` on NumPy arrays (no gradient), as ``tf.numpy_function``."""
    if Tout is None:
        raise TypeError("numpy_function: missing the required argument Tout")
    if func is None:
        return lambda fn: (lambda *args: _call("PyFunc", fn, list(args), Tout, numpy=True))
    if inp is None:
        return lambda *args: _call("PyFunc", func, list(args), Tout, numpy=True)
    return _call("PyFunc", func, inp, Tout, numpy=True)
