"""Products and quotients that give 0 where the plain formula would give nan or inf.

Entropy-like sums need 0 * log 0 = 0 (``xlogy``), and a mean over an empty mask needs 0 / 0 = 0
(``divide_no_nan``). Each op is its kernel with the exception written out, then its gradient as
TF writes it (``math_grad.py``), which keeps the same exceptions: the gradient of xlogy with
respect to x is 0 where x is 0, so a zero probability adds nothing to the gradient either.
"""
from __future__ import annotations

from typing import Any

from minitf import array_backend as B
from minitf.ops.elementwise import (Broadcasting, cast, float_operand, float_operands, not_equal, numeric_operands,
                                    unbroadcast)
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def _zero_where(condition, values):
    """``values`` with +0.0 where ``condition`` (TF's kernels return a literal 0 there)."""
    return B.xp.where(condition, values.dtype.type(0), values)


class Xlogy(Broadcasting):
    """x * log(y), and 0 where x == 0 (even if y is 0 or nan).
    dz/dx = log(y) where x != 0, else 0;   dz/dy = x / y, 0 where x == 0."""

    quiet = True

    def forward(x, y):
        return _zero_where(x == 0, x * B.xp.log(y))

    def backward(ctx, dz):
        x, y = ctx.inputs
        x_is_not_zero = cast(not_equal(x, 0), x.dtype)
        return unbroadcast(dz * xlogy(x_is_not_zero, y), x), unbroadcast(dz * xdivy(x, y), y)


class Xlog1py(Broadcasting):
    """x * log(1 + y), and 0 where x == 0.
    dz/dx = log(1 + y) where x != 0, else 0;   dz/dy = x / (1 + y), 0 where x == 0."""

    quiet = True

    def forward(x, y):
        return _zero_where(x == 0, x * B.xp.log1p(y))

    def backward(ctx, dz):
        x, y = ctx.inputs
        x_is_not_zero = cast(not_equal(x, 0), x.dtype)
        return unbroadcast(dz * xlog1py(x_is_not_zero, y), x), unbroadcast(dz * xdivy(x, y + 1), y)


class Xdivy(Broadcasting):
    """x / y, and 0 where x == 0 (even if y is 0).
    dz/dx = 1 / y where x != 0, else 0;   dz/dy = -x / y^2, 0 where x == 0."""

    quiet = True

    def forward(x, y):
        return _zero_where(x == 0, x / y)

    def backward(ctx, dz):
        x, y = ctx.inputs
        x_is_not_zero = cast(not_equal(x, 0), x.dtype)
        return unbroadcast(dz * xdivy(x_is_not_zero, y), x), unbroadcast(dz * xdivy(-x, y * y), y)


class DivNoNan(Broadcasting):
    """x / y, and 0 where y == 0 (even if x is 0 or nan).
    dz/dx = 1 / y, 0 where y == 0;   dz/dy = -x / y^2, 0 where y == 0."""

    quiet = True

    def forward(x, y):
        return _zero_where(y == 0, x / y)

    def backward(ctx, dz):
        x, y = ctx.inputs
        return (unbroadcast(divide_no_nan(dz, y), x),
                unbroadcast(dz * divide_no_nan(divide_no_nan(-x, y), y), y))


class MulNoNan(Broadcasting):
    """x * y, and 0 where y == 0 (even if x is inf or nan).
    dz/dx = y, 0 where y == 0;   dz/dy = x, 0 where dz == 0."""

    quiet = True

    def forward(x, y):
        return _zero_where(y == 0, x * y)

    def backward(ctx, dz):
        x, y = ctx.inputs
        return unbroadcast(multiply_no_nan(dz, y), x), unbroadcast(multiply_no_nan(x, dz), y)


def xlogy(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return Xlogy.apply(*float_operands("Xlogy", x, y))


def xlog1py(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return Xlog1py.apply(*float_operands("Xlog1py", x, y))


def xdivy(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return Xdivy.apply(*float_operands("Xdivy", x, y))


def divide_no_nan(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """x / y, 0 where y == 0. Integers are divided as floats (float64), as ``divide`` does."""
    x, y = numeric_operands("DivNoNan", x, y)
    if x._value.dtype.kind in "iu":
        x, y = cast(x, "float64"), cast(y, "float64")
    return DivNoNan.apply(x, y)


def multiply_no_nan(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return MulNoNan.apply(*float_operands("MulNoNan", x, y))


def reciprocal_no_nan(x: TensorLike, name: str | None = None) -> Tensor:
    """1 / x, 0 where x == 0 (TF composes it as divide_no_nan(1, x))."""
    x = float_operand("ReciprocalNoNan", x)
    return DivNoNan.apply(convert_to_tensor(1, dtype=x.dtype), x)
