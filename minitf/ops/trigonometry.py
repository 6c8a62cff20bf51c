"""Trigonometric and hyperbolic functions beyond sin and cos, each with its derivative.

Same form as ``elementwise.py``: a kernel, then dL/dx = dL/dy * dy/dx in minitf ops, written as
TF writes it (``math_grad.py``), so that both round alike. Outside its domain (asin of 2, acosh
of 0.5) a function gives nan, silently, as TF does.
"""
from __future__ import annotations

from typing import Any

from minitf import array_backend as B
from minitf.ops.elementwise import (Broadcasting, cos, float_operand, float_operands, reciprocal, sqrt, square,
                                    unbroadcast)
from minitf.ops.op import Op
from minitf.tensor import Tensor

TensorLike = Any


class Tan(Op):
    """tan x.      dy/dx = 1 / cos^2 x."""

    elementwise = True
    quiet = True

    def forward(x):
        return B.xp.tan(x)

    def backward(ctx, dy):
        return dy * square(reciprocal(cos(ctx.inputs[0])))


class Asin(Op):
    """arcsin x, for -1 <= x <= 1.      dy/dx = 1 / sqrt(1 - x^2)."""

    elementwise = True
    quiet = True

    def forward(x):
        return B.xp.arcsin(x)

    def backward(ctx, dy):
        x = ctx.inputs[0]
        return dy * reciprocal(sqrt(1 - square(x)))


class Acos(Op):
    """arccos x, for -1 <= x <= 1.      dy/dx = -1 / sqrt(1 - x^2)."""

    elementwise = True
    quiet = True

    def forward(x):
        return B.xp.arccos(x)

    def backward(ctx, dy):
        x = ctx.inputs[0]
        return -dy * reciprocal(sqrt(1 - square(x)))


class Atan(Op):
    """arctan x.      dy/dx = 1 / (1 + x^2)."""

    elementwise = True

    def forward(x):
        return B.xp.arctan(x)

    def backward(ctx, dy):
        x = ctx.inputs[0]
        return dy * reciprocal(1 + square(x))


class Atan2(Broadcasting):
    """The angle of the point (x, y): atan2(y, x), in (-pi, pi].
    dz/dy = x / (x^2 + y^2),  dz/dx = -y / (x^2 + y^2)."""

    quiet = True

    def forward(y, x):
        return B.xp.arctan2(y, x)

    def backward(ctx, dz):
        y, x = ctx.inputs
        scale = dz / (square(x) + square(y))
        return unbroadcast(x * scale, y), unbroadcast(-y * scale, x)


class Sinh(Op):
    """sinh x = (e^x - e^-x) / 2.      dy/dx = cosh x."""

    elementwise = True
    quiet = True

    def forward(x):
        return B.xp.sinh(x)

    def backward(ctx, dy):
        return dy * cosh(ctx.inputs[0])


class Cosh(Op):
    """cosh x = (e^x + e^-x) / 2.      dy/dx = sinh x."""

    elementwise = True
    quiet = True

    def forward(x):
        return B.xp.cosh(x)

    def backward(ctx, dy):
        return dy * sinh(ctx.inputs[0])


class Asinh(Op):
    """arsinh x = ln(x + sqrt(x^2 + 1)).      dy/dx = 1 / cosh y."""

    elementwise = True
    grad_reads_inputs = False  # the gradient reads the output

    def forward(x):
        return B.xp.arcsinh(x)

    def backward(ctx, dy):
        return dy / cosh(ctx.output)


class Acosh(Op):
    """arcosh x = ln(x + sqrt(x^2 - 1)), for x >= 1.      dy/dx = 1 / sinh y."""

    elementwise = True
    quiet = True
    grad_reads_inputs = False  # the gradient reads the output

    def forward(x):
        return B.xp.arccosh(x)

    def backward(ctx, dy):
        return dy / sinh(ctx.output)


class Atanh(Op):
    """artanh x = ln((1 + x) / (1 - x)) / 2, for -1 < x < 1.      dy/dx = 1 / (1 - x^2)."""

    elementwise = True
    quiet = True

    def forward(x):
        return B.xp.arctanh(x)

    def backward(ctx, dy):
        x = ctx.inputs[0]
        return dy * reciprocal(1 - square(x))


def tan(x: TensorLike, name: str | None = None) -> Tensor:
    return Tan.apply(float_operand("Tan", x))


def asin(x: TensorLike, name: str | None = None) -> Tensor:
    return Asin.apply(float_operand("Asin", x))


def acos(x: TensorLike, name: str | None = None) -> Tensor:
    return Acos.apply(float_operand("Acos", x))


def atan(x: TensorLike, name: str | None = None) -> Tensor:
    return Atan.apply(float_operand("Atan", x))


def atan2(y: TensorLike, x: TensorLike, name: str | None = None) -> Tensor:
    """The angle of (x, y) from the positive x axis; note the order: y first, as in TF and C."""
    return Atan2.apply(*float_operands("Atan2", y, x))


def sinh(x: TensorLike, name: str | None = None) -> Tensor:
    return Sinh.apply(float_operand("Sinh", x))


def cosh(x: TensorLike, name: str | None = None) -> Tensor:
    return Cosh.apply(float_operand("Cosh", x))


def asinh(x: TensorLike, name: str | None = None) -> Tensor:
    return Asinh.apply(float_operand("Asinh", x))


def acosh(x: TensorLike, name: str | None = None) -> Tensor:
    return Acosh.apply(float_operand("Acosh", x))


def atanh(x: TensorLike, name: str | None = None) -> Tensor:
    return Atanh.apply(float_operand("Atanh", x))
