"""Elementwise math: each op's forward, then its gradient, side by side.

Every op follows one pattern::

    y = Tensor(<array computation on x._value>)            # forward
    return record("Name", (x,), y, lambda dy: (<dL/dx>,))  # backward: dy -> gradient per input

``dy`` is dL/dy, the gradient arriving from above. The lambda returns dL/dx by
the chain rule, dL/dx = dL/dy * dy/dx, written with minitf ops so that an outer
tape can differentiate it again. Binary ops broadcast; ``unbroadcast`` sums a
gradient back to the shape of the input it belongs to, and is the only place
that does.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitf import backend as B
from minitf.autodiff import record
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


# --- helpers: operands in, gradients back to shape ---------------------------------
def unbroadcast(grad: Tensor, shape: tuple) -> Tensor:
    """Sum ``grad`` over the axes that broadcasting added or stretched, to ``shape``.

    If x of shape (3,) was added to a (4, 3) tensor, each x[j] fed 4 outputs,
    so its gradient is the sum of those 4: the sum over axis 0.
    """
    if tuple(grad.shape) == tuple(shape):
        return grad
    from minitf.ops import reductions, shape_ops
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    summed = reductions.reduce_sum(grad, axis=axes) if axes else grad
    return shape_ops.reshape(summed, shape)


def binary_operands(op: str, x: TensorLike, y: TensorLike) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of one dtype, as TF converts them.

    A Python or NumPy value takes the dtype of the tensor beside it (``x + 1``);
    two tensors of different dtypes are refused, as TF refuses them.
    """
    if isinstance(x, Tensor):
        if not isinstance(y, Tensor):
            y = convert_to_tensor(y, dtype_hint=x.dtype)
    elif isinstance(y, Tensor):
        x = convert_to_tensor(x, dtype_hint=y.dtype)
    else:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype_hint=x.dtype)
    if x._value.dtype != y._value.dtype:
        raise InvalidArgumentTypeError(
            f"{op}: cannot mix dtypes: x is {x.dtype.name} {tuple(x.shape)}, y is {y.dtype.name} "
            f"{tuple(y.shape)}. TF does not convert between tensor dtypes implicitly; "
            f"use tf.cast(y, {x.dtype!r}) first.", op)
    return x, y


def incompatible(op: str, x: Tensor, y: Tensor) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"{op}: Incompatible shapes: {list(x.shape)} vs. {list(y.shape)} (broadcasting needs each "
        f"pair of trailing dimensions to be equal or 1)", op)


def float_operand(op: str, x: TensorLike) -> Tensor:
    """``x`` as a Tensor, which must be floating point (as TF requires for exp, log, ...)."""
    x = convert_to_tensor(x)
    if x._value.dtype.kind != "f":
        raise InvalidArgumentTypeError(
            f"{op}: expected a floating-point tensor (float16/32/64), got {x.dtype.name} "
            f"{tuple(x.shape)}; cast it first, e.g. tf.cast(x, tf.float32)", op)
    return x


# --- arithmetic -------------------------------------------------------------------
def add(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """x + y.      dz/dx = 1, dz/dy = 1."""
    x, y = binary_operands("AddV2", x, y)
    try:
        z = Tensor(x._value + y._value)
    except ValueError:
        raise incompatible("AddV2", x, y) from None
    return record("AddV2", (x, y), z, lambda dz: (unbroadcast(dz, x.shape), unbroadcast(dz, y.shape)))


def subtract(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """x - y.      dz/dx = 1, dz/dy = -1."""
    x, y = binary_operands("Sub", x, y)
    try:
        z = Tensor(x._value - y._value)
    except ValueError:
        raise incompatible("Sub", x, y) from None
    return record("Sub", (x, y), z, lambda dz: (unbroadcast(dz, x.shape), unbroadcast(-dz, y.shape)))


def multiply(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """x * y.      dz/dx = y, dz/dy = x."""
    x, y = binary_operands("Mul", x, y)
    try:
        z = Tensor(x._value * y._value)
    except ValueError:
        raise incompatible("Mul", x, y) from None
    return record("Mul", (x, y), z,
                  lambda dz: (unbroadcast(dz * y, x.shape), unbroadcast(dz * x, y.shape)))


def divide(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """x / y (true division: integers give float64, as in TF).   dz/dx = 1/y, dz/dy = -x/y^2."""
    x, y = binary_operands("RealDiv", x, y)
    if x._value.dtype.kind in "iu":
        x, y = Tensor(x._value.astype(np.float64)), Tensor(y._value.astype(np.float64))
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = Tensor(x._value / y._value)
    except ValueError:
        raise incompatible("RealDiv", x, y) from None
    return record("RealDiv", (x, y), z,
                  lambda dz: (unbroadcast(dz / y, x.shape), unbroadcast(dz * (-x / y / y), y.shape)))


truediv = divide


realdiv = divide


def add_n(inputs: list, name: str | None = None) -> Tensor:
    """The sum of a list of same-shaped tensors (a chain of adds, so its gradient is theirs)."""
    tensors = [convert_to_tensor(t) for t in inputs]
    if not tensors:
        raise ValueError("add_n: inputs must be a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if tuple(t.shape) != tuple(tensors[0].shape):
            raise InvalidArgumentError(f"AddN: all inputs must have one shape: inputs[0] is {list(tensors[0].shape)}, "
                                       f"inputs[{i}] is {list(t.shape)}", "AddN")
    total = tensors[0]
    for t in tensors[1:]:
        total = add(total, t)
    return total


def scalar_mul(scalar, x: TensorLike, name: str | None = None) -> Tensor:
    """scalar * x, for a scalar (rank-0) multiplier."""
    scalar = convert_to_tensor(scalar, dtype_hint=convert_to_tensor(x).dtype)
    if scalar.ndim != 0:
        raise ValueError(f"scalar_mul: the multiplier must be a scalar, got shape {list(scalar.shape)}")
    return multiply(scalar, x)


def floordiv(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """floor(x / y). Piecewise constant: no gradient (None), as in TF."""
    x, y = binary_operands("FloorDiv", x, y)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            return Tensor(B.xp.floor_divide(x._value, y._value))
    except ValueError:
        raise incompatible("FloorDiv", x, y) from None


def mod(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """x - floor(x / y) * y (the sign follows y).   dz/dx = 1, dz/dy = -floor(x / y)."""
    x, y = binary_operands("FloorMod", x, y)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = Tensor(B.xp.mod(x._value, y._value))
    except ValueError:
        raise incompatible("FloorMod", x, y) from None
    return record("FloorMod", (x, y), z,
                  lambda dz: (unbroadcast(dz, x.shape), unbroadcast(-dz * floordiv(x, y), y.shape)))


floormod = mod


def pow(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:  # noqa: A001 (TF's name)
    """x ** y.     dz/dx = y * x^(y-1),  dz/dy = z * log(x) (taken as 0 where x <= 0, as TF does)."""
    x, y = binary_operands("Pow", x, y)
    try:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            z = Tensor(B.xp.power(x._value, y._value))
    except ValueError:
        raise incompatible("Pow", x, y) from None

    def backward(dz):
        dx = unbroadcast(dz * y * x ** (y - 1), x.shape)
        safe_log = where(x > 0, log(where(x > 0, x, 1)), 0)
        return dx, unbroadcast(dz * z * safe_log, y.shape)

    return record("Pow", (x, y), z, backward)


def squared_difference(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """(x - y)^2, composed of subtract and square (so its gradient comes from theirs)."""
    return square(subtract(x, y))


def maximum(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """max(x, y). The gradient goes to x where x >= y, else to y (TF's tie rule)."""
    x, y = binary_operands("Maximum", x, y)
    try:
        z = Tensor(B.xp.maximum(x._value, y._value))
    except ValueError:
        raise incompatible("Maximum", x, y) from None

    def backward(dz):
        x_wins = x >= y
        return (unbroadcast(where(x_wins, dz, 0), x.shape), unbroadcast(where(x_wins, 0, dz), y.shape))

    return record("Maximum", (x, y), z, backward)


def minimum(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """min(x, y). The gradient goes to x where x <= y, else to y."""
    x, y = binary_operands("Minimum", x, y)
    try:
        z = Tensor(B.xp.minimum(x._value, y._value))
    except ValueError:
        raise incompatible("Minimum", x, y) from None

    def backward(dz):
        x_wins = x <= y
        return (unbroadcast(where(x_wins, dz, 0), x.shape), unbroadcast(where(x_wins, 0, dz), y.shape))

    return record("Minimum", (x, y), z, backward)


# --- one input --------------------------------------------------------------------
def negative(x: TensorLike, name: str | None = None) -> Tensor:
    """-x.         dy/dx = -1."""
    x = convert_to_tensor(x)
    y = Tensor(-x._value)
    return record("Neg", (x,), y, lambda dy: (-dy,))


def abs(x: TensorLike, name: str | None = None) -> Tensor:  # noqa: A001 (TF's name)
    """|x|.        dy/dx = sign(x) (0 at 0)."""
    x = convert_to_tensor(x)
    y = Tensor(B.xp.abs(x._value))
    return record("Abs", (x,), y, lambda dy: (dy * sign(x),))


def sign(x: TensorLike, name: str | None = None) -> Tensor:
    """-1, 0 or 1.  Its gradient is 0 everywhere."""
    x = convert_to_tensor(x)
    y = Tensor(B.xp.sign(x._value))
    return record("Sign", (x,), y, lambda dy: (dy * 0,))


def square(x: TensorLike, name: str | None = None) -> Tensor:
    """x^2.        dy/dx = 2x."""
    x = convert_to_tensor(x)
    y = Tensor(B.xp.square(x._value))
    return record("Square", (x,), y, lambda dy: (dy * (2 * x),))


def sqrt(x: TensorLike, name: str | None = None) -> Tensor:
    """sqrt(x).    dy/dx = 1 / (2 sqrt(x)) = 0.5 / y."""
    x = float_operand("Sqrt", x)
    with np.errstate(invalid="ignore"):
        y = Tensor(B.xp.sqrt(x._value))
    return record("Sqrt", (x,), y, lambda dy: (dy * 0.5 / y,))


def rsqrt(x: TensorLike, name: str | None = None) -> Tensor:
    """1 / sqrt(x).  dy/dx = -0.5 x^(-3/2) = -0.5 y^3."""
    x = float_operand("Rsqrt", x)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = Tensor(1 / B.xp.sqrt(x._value))
    return record("Rsqrt", (x,), y, lambda dy: (dy * (-0.5 * y * y * y),))


def reciprocal(x: TensorLike, name: str | None = None) -> Tensor:
    """1 / x.      dy/dx = -1/x^2 = -y^2."""
    x = float_operand("Reciprocal", x)
    with np.errstate(divide="ignore"):
        y = Tensor(1 / x._value)
    return record("Reciprocal", (x,), y, lambda dy: (-dy * y * y,))


def exp(x: TensorLike, name: str | None = None) -> Tensor:
    """e^x.        dy/dx = e^x = y."""
    x = float_operand("Exp", x)
    with np.errstate(over="ignore"):
        y = Tensor(B.xp.exp(x._value))
    return record("Exp", (x,), y, lambda dy: (dy * y,))


def expm1(x: TensorLike, name: str | None = None) -> Tensor:
    """e^x - 1, accurate near 0.   dy/dx = e^x = y + 1."""
    x = float_operand("Expm1", x)
    with np.errstate(over="ignore"):
        y = Tensor(B.xp.expm1(x._value))
    return record("Expm1", (x,), y, lambda dy: (dy * (y + 1),))


def log(x: TensorLike, name: str | None = None) -> Tensor:
    """ln x (log(0) = -inf, log of a negative = nan, as in TF).   dy/dx = 1/x."""
    x = float_operand("Log", x)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = Tensor(B.xp.log(x._value))
    return record("Log", (x,), y, lambda dy: (dy / x,))


def log1p(x: TensorLike, name: str | None = None) -> Tensor:
    """ln(1 + x), accurate near 0.   dy/dx = 1 / (1 + x)."""
    x = float_operand("Log1p", x)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = Tensor(B.xp.log1p(x._value))
    return record("Log1p", (x,), y, lambda dy: (dy / (1 + x),))


def sin(x: TensorLike, name: str | None = None) -> Tensor:
    """sin x.      dy/dx = cos x."""
    x = float_operand("Sin", x)
    y = Tensor(B.xp.sin(x._value))
    return record("Sin", (x,), y, lambda dy: (dy * cos(x),))


def cos(x: TensorLike, name: str | None = None) -> Tensor:
    """cos x.      dy/dx = -sin x."""
    x = float_operand("Cos", x)
    y = Tensor(B.xp.cos(x._value))
    return record("Cos", (x,), y, lambda dy: (-dy * sin(x),))


def tanh(x: TensorLike, name: str | None = None) -> Tensor:
    """tanh x.     dy/dx = 1 - tanh^2 x = 1 - y^2."""
    x = float_operand("Tanh", x)
    y = Tensor(B.xp.tanh(x._value))
    return record("Tanh", (x,), y, lambda dy: (dy * (1 - y * y),))


def sigmoid(x: TensorLike, name: str | None = None) -> Tensor:
    """1 / (1 + e^-x).   dy/dx = y (1 - y).

    Computed as exp(-log(1 + e^-x)) so that no e^-x overflows for very negative x.
    """
    x = float_operand("Sigmoid", x)
    with np.errstate(invalid="ignore", over="ignore"):  # nan/inf inputs give nan/0/1 quietly, as in TF
        y = Tensor(B.xp.exp(-B.xp.logaddexp(0, -x._value)).astype(x._value.dtype, copy=False))
    return record("Sigmoid", (x,), y, lambda dy: (dy * y * (1 - y),))


def erf(x: TensorLike, name: str | None = None) -> Tensor:
    """The error function 2/sqrt(pi) * integral_0^x e^(-t^2) dt.   dy/dx = 2/sqrt(pi) e^(-x^2)."""
    x = float_operand("Erf", x)
    y = Tensor(_erf_array(x._value).astype(x._value.dtype, copy=False))
    return record("Erf", (x,), y, lambda dy: (dy * (2 / math.sqrt(math.pi)) * exp(-x * x),))


def _erf_array(a):
    """erf in float64 with no SciPy, to ~1e-15 relative everywhere (as TF's float64 kernel).

    |x| < 2: the Taylor series sum_n (-1)^n x^(2n+1) / (n! (2n+1)) * 2/sqrt(pi) (30 terms suffice).
    |x| >= 2: 1 - erfc(x), with erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
    (Laplace's continued fraction, 60 levels evaluated from the bottom up).
    """
    xp = B.xp
    x = a.astype(np.float64)
    ax = xp.abs(x)
    out = xp.empty_like(ax)
    near = ax < 2.0  # each part is computed only where it is used
    small = ax[near]
    term, total, x2 = small.copy(), small.copy(), small * small
    for n in range(1, 31):
        term = term * (-x2) / n
        total = total + term / (2 * n + 1)
    out[near] = total * (2 / math.sqrt(math.pi))
    large = ax[~near]
    fraction = large.copy()
    for k in range(60, 0, -1):
        fraction = large + (k / 2) / fraction
    out[~near] = 1 - xp.exp(-large * large) / (math.sqrt(math.pi) * fraction)
    return xp.where(xp.isnan(x), x, xp.sign(x) * out)


def round(x: TensorLike, name: str | None = None) -> Tensor:  # noqa: A001 (TF's name)
    """Round half to even. Piecewise constant: no gradient (None), as in TF."""
    x = convert_to_tensor(x)
    return Tensor(B.xp.round(x._value))


def floor(x: TensorLike, name: str | None = None) -> Tensor:
    """Largest integer <= x. No gradient (None), as in TF."""
    return Tensor(B.xp.floor(float_operand("Floor", x)._value))


def ceil(x: TensorLike, name: str | None = None) -> Tensor:
    """Smallest integer >= x. No gradient (None), as in TF."""
    return Tensor(B.xp.ceil(float_operand("Ceil", x)._value))


def clip_by_value(t: TensorLike, clip_value_min: TensorLike, clip_value_max: TensorLike,
                  name: str | None = None) -> Tensor:
    """min(max(t, lo), hi). The gradient passes to t where lo <= t <= hi, and to the bound that
    clipped elsewhere (summed back to the bound's shape)."""
    t = convert_to_tensor(t)
    lo = convert_to_tensor(clip_value_min, dtype_hint=t.dtype)
    hi = convert_to_tensor(clip_value_max, dtype_hint=t.dtype)
    try:
        y = Tensor(B.xp.minimum(B.xp.maximum(t._value, lo._value), hi._value).astype(t._value.dtype, copy=False))
    except ValueError:
        raise InvalidArgumentError(
            f"ClipByValue: clip bounds of shapes {tuple(lo.shape)} and {tuple(hi.shape)} do not "
            f"broadcast to t's shape {tuple(t.shape)}", "ClipByValue") from None
    if tuple(y.shape) != tuple(t.shape):
        raise InvalidArgumentError(f"ClipByValue: clip bounds would change t's shape {tuple(t.shape)} "
                                   f"to {tuple(y.shape)}", "ClipByValue")

    def backward(dy):
        # As TF: dy goes to t inside [lo, hi], to lo where t < lo, to hi where t > hi.
        below, above = t < lo, t > hi
        return (where(logical_or(below, above), 0, dy),
                unbroadcast(where(below, dy, 0), lo.shape), unbroadcast(where(above, dy, 0), hi.shape))

    return record("ClipByValue", (t, lo, hi), y, backward)


# --- selection --------------------------------------------------------------------
def where(condition: TensorLike, x: TensorLike = None, y: TensorLike = None,
          name: str | None = None) -> Tensor:
    """x where condition is true, else y (broadcasting all three).

    The gradient of x is dz where the condition holds, 0 elsewhere; y the rest.
    With only ``condition``, the coordinates of its true elements (int64, like TF).
    """
    condition = convert_to_tensor(condition)
    if condition._value.dtype != np.bool_:
        raise InvalidArgumentTypeError(f"Select: condition must be bool, got {condition.dtype.name}", "Select")
    if x is None and y is None:
        return Tensor(B.xp.stack(B.xp.nonzero(condition._value), axis=-1).astype(np.int64))
    if x is None or y is None:
        raise ValueError("where: give both x and y, or neither")
    x, y = binary_operands("SelectV2", x, y)
    try:
        z = Tensor(B.xp.where(condition._value, x._value, y._value))
    except ValueError:
        raise InvalidArgumentError(
            f"SelectV2: condition {list(condition.shape)}, x {list(x.shape)} and y {list(y.shape)} "
            f"do not broadcast together", "SelectV2") from None

    def backward(dz):
        zeros = Tensor(B.xp.zeros((), dtype=dz._value.dtype))
        return (unbroadcast(where(condition, dz, zeros), x.shape),
                unbroadcast(where(condition, zeros, dz), y.shape))

    return record("SelectV2", (x, y), z, backward)


# --- comparisons and logic: boolean results, no gradient ---------------------------------
def _compare(op: str, ufunc_name: str):
    def compare(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
        x, y = binary_operands(op, x, y)
        try:
            return Tensor(getattr(B.xp, ufunc_name)(x._value, y._value))
        except ValueError:
            raise incompatible(op, x, y) from None

    compare.__name__ = ufunc_name if ufunc_name != "not_equal" else "not_equal"
    compare.__doc__ = f"Elementwise {op} (a bool tensor; no gradient)."
    return compare


equal = _compare("Equal", "equal")
not_equal = _compare("NotEqual", "not_equal")
less = _compare("Less", "less")
less_equal = _compare("LessEqual", "less_equal")
greater = _compare("Greater", "greater")
greater_equal = _compare("GreaterEqual", "greater_equal")


def _logical(op: str, ufunc_name: str):
    def logical(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
        x, y = convert_to_tensor(x), convert_to_tensor(y)
        if x._value.dtype != np.bool_ or y._value.dtype != np.bool_:
            raise InvalidArgumentTypeError(f"{op}: expected bool tensors, got {x.dtype.name} and {y.dtype.name}", op)
        try:
            return Tensor(getattr(B.xp, ufunc_name)(x._value, y._value))
        except ValueError:
            raise incompatible(op, x, y) from None

    logical.__name__ = ufunc_name
    logical.__doc__ = f"Elementwise {op} of bool tensors."
    return logical


logical_and = _logical("LogicalAnd", "logical_and")
logical_or = _logical("LogicalOr", "logical_or")
logical_xor = _logical("LogicalXor", "logical_xor")


def logical_not(x: TensorLike, name: str | None = None) -> Tensor:
    x = convert_to_tensor(x)
    if x._value.dtype != np.bool_:
        raise InvalidArgumentTypeError(f"LogicalNot: expected a bool tensor, got {x.dtype.name}", "LogicalNot")
    return Tensor(B.xp.logical_not(x._value))


def is_nan(x: TensorLike, name: str | None = None) -> Tensor:
    return Tensor(B.xp.isnan(float_operand("IsNan", x)._value))


def is_inf(x: TensorLike, name: str | None = None) -> Tensor:
    return Tensor(B.xp.isinf(float_operand("IsInf", x)._value))


def is_finite(x: TensorLike, name: str | None = None) -> Tensor:
    return Tensor(B.xp.isfinite(float_operand("IsFinite", x)._value))


# --- Python operators on tensors, as TF defines them ------------------------------
def _eq(x, y):
    if y is None:
        return False
    try:
        return equal(x, y)
    except (TypeError, ValueError):
        return False  # TF: comparing with something that is not a tensor is simply False


def _ne(x, y):
    if y is None:
        return True
    try:
        return not_equal(x, y)
    except (TypeError, ValueError):
        return True


Tensor.__add__ = add
Tensor.__radd__ = lambda y, x: add(x, y)
Tensor.__sub__ = subtract
Tensor.__rsub__ = lambda y, x: subtract(x, y)
Tensor.__mul__ = multiply
Tensor.__rmul__ = lambda y, x: multiply(x, y)
Tensor.__truediv__ = divide
Tensor.__rtruediv__ = lambda y, x: divide(x, y)
Tensor.__floordiv__ = floordiv
Tensor.__rfloordiv__ = lambda y, x: floordiv(x, y)
Tensor.__mod__ = mod
Tensor.__rmod__ = lambda y, x: mod(x, y)
Tensor.__pow__ = pow
Tensor.__rpow__ = lambda y, x: pow(x, y)
Tensor.__neg__ = negative
Tensor.__pos__ = lambda x: x
Tensor.__abs__ = abs
Tensor.__lt__ = less
Tensor.__le__ = less_equal
Tensor.__gt__ = greater
Tensor.__ge__ = greater_equal
Tensor.__eq__ = _eq
Tensor.__ne__ = _ne
Tensor.__and__ = logical_and
Tensor.__rand__ = lambda y, x: logical_and(x, y)
Tensor.__or__ = logical_or
Tensor.__ror__ = lambda y, x: logical_or(x, y)
Tensor.__xor__ = logical_xor
Tensor.__invert__ = logical_not
