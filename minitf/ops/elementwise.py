"""Elementwise math: each op's kernel, then its gradient, side by side.

Every op is a class with two functions (see ``minitf/ops/op.py``)::

    class Exp(Op):
        def forward(x):          # the kernel, on arrays
            return B.xp.exp(x)
        def backward(ctx, dy):   # dL/dx from dL/dy, in minitf ops
            return dy * ctx.output

and a public function that checks and converts its arguments, then calls ``Op.apply``.
``dy`` is dL/dy, the gradient arriving from above; ``backward`` returns dL/dx by the chain
rule, dL/dx = dL/dy * dy/dx. Binary ops broadcast; ``unbroadcast`` sums a gradient back to
the shape of the input it belongs to, and is the only place that does.
"""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf._tf_compat import NO_KERNEL_FOR_SIGNED_INTEGERS, bool_product
from minitf.errors import (InternalError, InvalidArgumentError, InvalidArgumentTypeError, NotFoundError,
                           UnimplementedError)
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


# --- helpers: operands in, gradients back to shape ---------------------------------
SUM_BLOCK = 64  # rows added one after another before a new partial sum starts (see sum_over_axes)
_WIDE_ROWS_MIN = 1 << 18  # elements: from here the rows are made wide (see sum_over_axes)
_TF_PACKET = 8  # float32 lanes of TF's CPU reductions: narrower rows it adds one after another


def sum_over_axes(a, axes: tuple, keepdims: bool = False):
    """``a.sum(axis=axes)``; a float array summed over its leading axes (a bias or BatchNormalization
    gradient: dy (N, H, W, C) summed over N, H and W; a batch mean) is added up in blocks of rows.

    NumPy adds the rows of leading axes one after another into one accumulator, so the last of n
    rows is added to a sum of n - 1 terms and its rounding error grows with n. In float32, over the
    4 x 48 x 48 positions of a small MobileNetV2 batch, that lost about 4 of the 7 digits of a
    depthwise kernel's gradient, where it is a small difference of large terms. Here the rows are
    added in blocks of ``SUM_BLOCK``, then those partial sums in blocks of ``SUM_BLOCK``, and so on: a
    tree with 64 rows per node, so each result takes about 64 additions per level of the tree (two
    levels up to 4096 rows, three up to 262,144), not n. Up to ``SUM_BLOCK`` rows it is NumPy's sum,
    and so it is for rows of fewer than 8 numbers (a 3- or 4-channel image's, a 4-filter conv's) below
    ``_WIDE_ROWS_MIN`` elements: TF's CPU kernel adds such narrow rows one after another too (checked
    against TF 2.21, 65 to 10,000 rows of 3 or 4), so NumPy's sum is TF's, bit for bit. From 8 numbers
    a row (a packet) TF adds in blocks as well, in an order of its own.

    For a large array the rows are made wide first: NumPy sums a leading axis one row of the kept
    axes at a time, and for a 10-channel bias that is a loop of 10-wide additions, ~9x slower than
    one wide pass. So (N, H, W, C) is summed as (N*H, W*C) over its rows, then the W partial sums of
    each channel. Every step adds whole rows in a fixed order: the bits are the same on every CPU,
    whatever its vector width or thread count.
    """
    if type(axes) is not tuple:
        axes = tuple(axes)
    plan = _sum_plan(a.shape, a.dtype, axes, a.flags.c_contiguous)
    if plan is None:
        return a.sum(axis=axes, keepdims=keepdims)
    first, second, shape = plan
    total = _blocked_row_sum(a.reshape(first))
    if second is not None:
        total = _blocked_row_sum(total.reshape(second))
    return total.reshape(shape if keepdims else shape[len(axes):])


def sum_over_axes_line(shape: tuple, dtype: np.dtype, axes: tuple, keepdims: bool = False) -> str | None:
    """``sum_over_axes`` of an array of this static shape as one line of code (``{0}``: the array)
    where it is NumPy's sum whatever the array's layout, else None: what the replay compiler writes
    in place of a call (an op's ``static_line``)."""
    if _sum_plan(tuple(shape), np.dtype(dtype), tuple(axes), True) is not None:
        return None  # summed in blocks (a non-contiguous array would not be: no plan is None for both)
    # ``a.sum(axis=...)`` is ``add.reduce(a, ...)`` behind a Python wrapper (numpy/_core/_methods.py):
    # the same reduction, the same bits, ~0.3 µs sooner per call without the wrapper.
    return f"_xp.add.reduce({{0}}, {tuple(axes)!r}{', keepdims=True' if keepdims else ''})"


@functools.lru_cache(maxsize=1024)
def _sum_plan(shape: tuple, dtype: np.dtype, axes: tuple, contiguous: bool):
    """How ``sum_over_axes`` sums an array of this shape and dtype over ``axes`` (it depends on nothing
    else, so it is worked out once per shape): None for NumPy's sum, else (the 2-D shape whose rows are
    summed in blocks, the 2-D shape its result is summed as next or None, the kept shape with the summed
    axes as 1s)."""
    leading = len(axes)
    rows = math.prod(shape[:leading])
    kept = shape[leading:]
    size = rows * math.prod(kept)
    narrow = math.prod(kept) < _TF_PACKET and size < _WIDE_ROWS_MIN  # TF's order: row after row
    if (dtype.kind != "f" or rows <= SUM_BLOCK or narrow or axes != tuple(range(leading)) or leading == len(shape)
            or not contiguous):
        return None
    keepdims_shape = (1,) * leading + kept
    if size >= _WIDE_ROWS_MIN and leading >= 2:
        return (rows // shape[leading - 1], -1), (shape[leading - 1], -1), keepdims_shape
    return (rows, -1), None, keepdims_shape


def _blocked_row_sum(rows):
    """The sum of the rows of a 2-D array, ``SUM_BLOCK`` rows at a time, then the partial sums the same way."""
    while rows.shape[0] > SUM_BLOCK:
        whole = rows.shape[0] // SUM_BLOCK * SUM_BLOCK
        partial = rows[:whole].reshape(-1, SUM_BLOCK, rows.shape[1]).sum(axis=1)
        if whole < rows.shape[0]:  # the last, shorter block
            partial = B.xp.concatenate([partial, rows[whole:].sum(axis=0, keepdims=True)])
        rows = partial
    return rows.sum(axis=0)


class SumTo(Op):
    """``grad`` summed over the axes that broadcasting added or stretched, to ``like``'s shape.

    If x of shape (3,) was added to a (4, 3) tensor, each x[j] fed 4 outputs, so its
    gradient is the sum of those 4: the sum over axis 0. The axes are found from the
    arrays' shapes when the op runs, so a traced graph works for any batch size.
    Gradient: dy broadcast back to grad's shape.
    """

    def forward(grad, like):
        axes = _broadcast_axes(grad.shape, like.shape)
        return sum_over_axes(grad, axes).reshape(like.shape) if axes else grad.reshape(like.shape)

    def static_line(shapes, dtypes):
        grad_shape, like = tuple(shapes[0]), tuple(shapes[1])
        axes = _broadcast_axes(grad_shape, like)
        line = sum_over_axes_line(grad_shape, dtypes[0], axes) if axes else "{0}"
        if line is None:
            return None  # summed in blocks: the kernel
        kept = tuple(n for i, n in enumerate(grad_shape) if i not in axes)
        return line if kept == like else f"{line}.reshape({like!r})"

    def backward(ctx, dy):
        return BroadcastLike.apply(dy, ctx.inputs[0]), None

    def shape(grad_shape, like_shape):
        return like_shape


@functools.lru_cache(maxsize=1024)
def _broadcast_axes(grad_shape: tuple, like_shape: tuple) -> tuple:
    """The axes of ``grad_shape`` that broadcasting ``like_shape`` to it added or stretched (once per pair of shapes)."""
    extra = len(grad_shape) - len(like_shape)
    return tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(like_shape) if n == 1 and grad_shape[extra + i] != 1)


class BroadcastLike(Op):
    """``x`` broadcast to ``like``'s shape (a read-only view).   Gradient: dy summed back (SumTo)."""

    view = True

    def forward(x, like):
        return B.xp.broadcast_to(x, like.shape)

    def backward(ctx, dy):
        return SumTo.apply(dy, ctx.inputs[0]), None

    def shape(x_shape, like_shape):
        return like_shape


def unbroadcast(grad: Tensor, x: Tensor) -> Tensor:
    """``grad`` summed back to the shape of ``x``, the input it is the gradient of."""
    shape = x.shape
    if grad.shape == shape and None not in shape:
        return grad
    return SumTo.apply(grad, x)


def broadcast_static(op: str, xs: tuple, ys: tuple) -> tuple:
    """The broadcast of two static shapes (None: unknown), or TF's error if they cannot broadcast."""
    n = max(len(xs), len(ys))
    xs, ys = (1,) * (n - len(xs)) + tuple(xs), (1,) * (n - len(ys)) + tuple(ys)
    out = []
    for a, b in zip(xs, ys):
        if a == 1 or a == b:
            out.append(b)
        elif b == 1:
            out.append(a)
        elif a is None or b is None:
            out.append(a if b is None else b)
        else:
            raise InvalidArgumentError(f"{op}: Incompatible shapes: {list(xs)} vs. {list(ys)}", op)
    return tuple(out)


def binary_operands(op: str, x: TensorLike, y: TensorLike) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of one dtype, as TF converts them.

    A Python or NumPy value takes the dtype of the tensor beside it (``x + 1``);
    two tensors of different dtypes are refused, as TF refuses them.
    """
    if type(x) is Tensor and type(y) is Tensor and x._value.dtype is y._value.dtype:  # the common case
        return x, y
    if isinstance(x, Tensor):
        if not isinstance(y, Tensor):
            y = convert_to_tensor(y, dtype_hint=x.dtype)
    elif isinstance(y, Tensor):
        x = convert_to_tensor(x, dtype_hint=y.dtype)
    else:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype_hint=x.dtype)
    if x._value.dtype != y._value.dtype:
        if "O" in (x._value.dtype.kind, y._value.dtype.kind):
            raise InvalidArgumentTypeError(
                f"{op}: cannot mix strings and numbers: x is {x.dtype.name} {list(x.shape)}, y is {y.dtype.name} "
                f"{list(y.shape)} (TF: Cannot convert the number to EagerTensor of dtype string). "
                "tf.strings.as_string and tf.strings.to_number convert between them.", op)
        raise InvalidArgumentTypeError(
            f"{op}: cannot mix dtypes: x is {x.dtype.name} {list(x.shape)}, y is {y.dtype.name} "
            f"{list(y.shape)}. TF does not convert between tensor dtypes implicitly; "
            f"use tf.cast(y, {x.dtype!r}) first.", op)
    return x, y


def numeric_operands(op: str, x: TensorLike, y: TensorLike, strings: bool = False) -> tuple[Tensor, Tensor]:
    """``binary_operands`` for arithmetic, which TF refuses on bool tensors (``True + True``) and, but for
    ``strings=True`` (addition: concatenation), on string tensors."""
    if type(x) is Tensor and type(y) is Tensor and x._value.dtype is y._value.dtype:  # the common case
        if x._value.dtype.kind not in "bO":
            return x, y
    x, y = binary_operands(op, x, y)
    if x._value.dtype.kind == "b":
        raise InvalidArgumentTypeError(
            f"{op}: arithmetic is not defined on bool tensors (got {list(x.shape)} and {list(y.shape)}); "
            "cast them first, e.g. tf.cast(x, tf.int32)", op)
    if x._value.dtype.kind == "O" and not strings:
        raise refuse_strings(op, x, y)
    return x, y


def refuse_strings(op: str, *xs: Tensor) -> InvalidArgumentError:
    """TF's error for an op that takes no string tensors (``tf.constant("a") * "b"``, ``reduce_sum``...)."""
    shapes = " and ".join(str(list(x.shape)) for x in xs)
    return InvalidArgumentError(
        f"{op}: Value for attr 'T' of string is not in the list of allowed values: {op} takes numbers, got string "
        f"tensor(s) of shape {shapes}. The tf.strings functions work on strings (tf.strings.to_number, "
        "tf.strings.length ...).", op)


def incompatible(op: str, x: Tensor, y: Tensor) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"{op}: Incompatible shapes: {list(x.shape)} vs. {list(y.shape)} (broadcasting needs each "
        f"pair of trailing dimensions to be equal or 1)", op)


def float_operand(op: str, x: TensorLike) -> Tensor:
    """``x`` as a Tensor, which must be floating point (as TF requires for exp, log, ...)."""
    x = convert_to_tensor(x)
    if x._value.dtype.kind == "i" and op in NO_KERNEL_FOR_SIGNED_INTEGERS:
        raise NotFoundError(f"{op}: no kernel for {x.dtype.name} tensors (TF has none either); cast to a float "
                            f"dtype first, e.g. tf.cast(x, tf.float32)", op)
    if x._value.dtype.kind != "f":
        if x._value.dtype.kind == "O":
            raise refuse_strings(op, x)
        raise InvalidArgumentTypeError(
            f"{op}: expected a floating-point tensor (float16/32/64), got {x.dtype.name} "
            f"{list(x.shape)}; cast it first, e.g. tf.cast(x, tf.float32)", op)
    return x


def float_operands(op: str, x: TensorLike, y: TensorLike) -> tuple[Tensor, Tensor]:
    """``binary_operands`` that must be floating point (atan2, xlogy ...), TF's error otherwise."""
    x, y = binary_operands(op, x, y)
    return float_operand(op, x), y


def numeric_operand(op: str, x: TensorLike) -> Tensor:
    """``x`` as a Tensor of numbers (not bool)."""
    x = convert_to_tensor(x)
    if x._value.dtype.kind == "b":
        raise InvalidArgumentTypeError(f"{op}: expected a numeric tensor, got bool {list(x.shape)}", op)
    if x._value.dtype.kind == "O":
        raise refuse_strings(op, x)
    return x


class Broadcasting(Op):
    """Base of the binary ops that broadcast: their static shape, and TF's error for bad shapes."""

    elementwise = True

    def shape(x_shape, y_shape):
        return broadcast_static("BroadcastTo", x_shape, y_shape)

    @classmethod
    def invalid(cls, inputs, attrs, error):
        return incompatible(cls.name, *inputs[:2])


# --- arithmetic -------------------------------------------------------------------
class AddV2(Broadcasting):
    """x + y.      dz/dx = 1, dz/dy = 1."""

    grad_reads_inputs = grad_reads_outputs = False  # unbroadcast reads only the inputs' shapes

    def forward(x, y):
        return x + y

    def backward(ctx, dz):
        x, y = ctx.inputs
        return unbroadcast(dz, x), unbroadcast(dz, y)


class Sub(Broadcasting):
    """x - y.      dz/dx = 1, dz/dy = -1."""

    grad_reads_inputs = grad_reads_outputs = False  # unbroadcast reads only the inputs' shapes

    def forward(x, y):
        return x - y

    def backward(ctx, dz):
        x, y = ctx.inputs
        return unbroadcast(dz, x), unbroadcast(-dz, y)


class Mul(Broadcasting):
    """x * y.      dz/dx = y, dz/dy = x."""

    def forward(x, y):
        return x * y

    def backward(ctx, dz):
        x, y = ctx.inputs
        dx = unbroadcast(dz * y, x) if ctx.needs_input_grad[0] else None
        dy = unbroadcast(dz * x, y) if ctx.needs_input_grad[1] else None
        return dx, dy


class RealDiv(Broadcasting):
    """x / y.      dz/dx = 1/y, dz/dy = -x/y^2."""

    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x, y):
        return x / y

    def backward(ctx, dz):
        x, y = ctx.inputs
        dx = unbroadcast(dz / y, x) if ctx.needs_input_grad[0] else None
        dy = unbroadcast(dz * (-x / y / y), y) if ctx.needs_input_grad[1] else None
        return dx, dy


class FloorDiv(Broadcasting):
    """floor(x / y). Piecewise constant: no gradient (None), as in TF. Integer division by zero is refused."""

    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x, y):
        if y.dtype.kind in "iu" and not y.all():
            raise InvalidArgumentError("FloorDiv: Integer division by zero", "FloorDiv")
        return B.xp.floor_divide(x, y)


class FloorMod(Broadcasting):
    """x - floor(x / y) * y (the sign follows y).   dz/dx = 1, dz/dy = -floor(x / y)."""

    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x, y):
        if y.dtype.kind in "iu" and not y.all():
            raise InvalidArgumentError("FloorMod: Integer division by zero", "FloorMod")
        return B.xp.mod(x, y)

    def backward(ctx, dz):
        x, y = ctx.inputs
        return unbroadcast(dz, x), unbroadcast(-dz * floordiv(x, y), y)


class TruncateDiv(Broadcasting):
    """x / y rounded toward zero (C's integer division): truncatediv(-7, 2) is -3 where floordiv gives -4.
    No gradient (None), as in TF."""

    quiet = True

    def forward(x, y):
        if y.dtype.kind in "iu":
            if not y.all():
                raise InternalError("TruncateDiv: Integer division by zero", "TruncateDiv")
            quotient = B.xp.abs(x) // B.xp.abs(y)
            return B.xp.where((x < 0) != (y < 0), -quotient, quotient).astype(x.dtype)
        return B.xp.trunc(x / y)


class TruncateMod(Broadcasting):
    """The remainder of truncatediv, with the sign of x (C's fmod): truncatemod(-7, 2) is -1. TF registers
    no gradient for it (a GradientTape raises LookupError)."""

    quiet = True

    def forward(x, y):
        if y.dtype.kind in "iu" and not y.all():
            raise InternalError("TruncateMod: Integer division by zero", "TruncateMod")
        return B.xp.fmod(x, y)

    def backward(ctx, dz):
        raise LookupError("gradient registry has no entry for: TruncateMod")


class Pow(Broadcasting):
    """x ** y.     dz/dx = y * x^(y-1),  dz/dy = z * log(x) (taken as 0 where x <= 0, as TF does)."""

    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x, y):
        return B.xp.power(x, y)

    def backward(ctx, dz):
        x, y = ctx.inputs
        dx = unbroadcast(dz * y * x ** (y - 1), x) if ctx.needs_input_grad[0] else None
        if not ctx.needs_input_grad[1]:  # a constant exponent (x ** 2): no log(x) work, as TF skips it
            return dx, None
        safe_log = where(x > 0, log(where(x > 0, x, 1)), 0)
        return dx, unbroadcast(dz * ctx.output * safe_log, y)


class Maximum(Broadcasting):
    """max(x, y). The gradient goes to x where x >= y, else to y (TF's tie rule)."""

    def forward(x, y):
        return B.xp.maximum(x, y)

    def backward(ctx, dz):
        x, y = ctx.inputs
        x_wins = x >= y
        return unbroadcast(where(x_wins, dz, 0), x), unbroadcast(where(x_wins, 0, dz), y)


class Minimum(Broadcasting):
    """min(x, y). The gradient goes to x where x <= y, else to y."""

    def forward(x, y):
        return B.xp.minimum(x, y)

    def backward(ctx, dz):
        x, y = ctx.inputs
        x_wins = x <= y
        return unbroadcast(where(x_wins, dz, 0), x), unbroadcast(where(x_wins, 0, dz), y)


def add(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """x + y; for strings, TF concatenates them."""
    x, y = numeric_operands("AddV2", x, y, strings=True)
    if x._value.dtype.kind == "O":
        return string_ops.StringAdd.apply(x, y)
    return AddV2.apply(x, y)


def subtract(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return Sub.apply(*numeric_operands("Sub", x, y))


def multiply(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return Mul.apply(*numeric_operands("Mul", x, y))


def multiply_operator(x: TensorLike, y: TensorLike) -> Tensor:
    """The ``*`` operator: ``multiply``, except that a bool tensor operand gives a bool
    (``_tf_compat.bool_product``), where ``tf.multiply`` refuses bool."""
    if any(isinstance(v, Tensor) and v._value.dtype == np.bool_ for v in (x, y)):
        return bool_product(x, y)
    return multiply(x, y)


def divide(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """x / y (true division: integers give float64, as in TF)."""
    x, y = numeric_operands("RealDiv", x, y)
    if x._value.dtype.kind in "iu":
        x, y = cast(x, "float64"), cast(y, "float64")
    return RealDiv.apply(x, y)


truediv = divide
realdiv = divide


def floordiv(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return FloorDiv.apply(*numeric_operands("FloorDiv", x, y))


def mod(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return FloorMod.apply(*numeric_operands("FloorMod", x, y))


floormod = mod


def truncatediv(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return TruncateDiv.apply(*numeric_operands("TruncateDiv", x, y))


def truncatemod(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return TruncateMod.apply(*numeric_operands("TruncateMod", x, y))


def polyval(coeffs: list, x: TensorLike, name: str | None = None) -> Tensor:
    """c[0] x^(n-1) + ... + c[n-1] by Horner's rule, p <- c + p * x, as TF evaluates it (0 for no coeffs)."""
    from minitf.ops.creation import zeros_like  # (creation imports this module)

    x = convert_to_tensor(x)
    if not coeffs:
        return zeros_like(x)
    p = convert_to_tensor(coeffs[0], dtype=x.dtype)
    for c in coeffs[1:]:
        p = add(c, multiply(p, x))
    return p


def pow(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:  # noqa: A001 (TF's name)
    return Pow.apply(*numeric_operands("Pow", x, y))


def maximum(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return Maximum.apply(*numeric_operands("Maximum", x, y))


def minimum(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return Minimum.apply(*numeric_operands("Minimum", x, y))


def squared_difference(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """(x - y)^2, composed of subtract and square (so its gradient comes from theirs)."""
    return square(subtract(x, y))


def add_n(inputs: list, name: str | None = None) -> Tensor:
    """The sum of a list of same-shaped tensors (a chain of adds, so its gradient is theirs)."""
    tensors = [convert_to_tensor(t) for t in inputs]
    if not tensors:
        raise ValueError("add_n: inputs must be a non-empty list of tensors")
    if tensors[0]._value.dtype.kind == "O":
        raise refuse_strings("AddN", *tensors)
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


# --- one input --------------------------------------------------------------------
class Neg(Op):
    """-x.         dy/dx = -1."""

    elementwise = True

    def forward(x):
        return -x

    def backward(ctx, dy):
        return -dy


class Abs(Op):
    """|x|.        dy/dx = sign(x) (0 at 0)."""

    elementwise = True

    def forward(x):
        return B.xp.abs(x)

    def backward(ctx, dy):
        return dy * sign(ctx.inputs[0])


class Sign(Op):
    """-1, 0 or 1.  Its gradient is 0 everywhere."""

    elementwise = True

    def forward(x):
        return B.xp.sign(x)

    def backward(ctx, dy):
        return dy * 0


class Square(Op):
    """x^2.        dy/dx = 2x."""

    elementwise = True

    def forward(x):
        return B.xp.square(x)

    def backward(ctx, dy):
        return dy * (2 * ctx.inputs[0])


class Sqrt(Op):
    """sqrt(x).    dy/dx = 1 / (2 sqrt(x)) = 0.5 / y.

    Where dy is 0 the gradient is 0, even at x = 0 where 0.5 / y is inf (TF's SqrtGrad), so that
    ``where(x > 0, sqrt(x), 0)`` has gradient 0 at 0 rather than NaN.
    """

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return B.xp.sqrt(x)

    def backward(ctx, dy):
        return SqrtGrad.apply(ctx.output, dy)


class SqrtGrad(Op):
    """dy * 0.5 / y, and 0 where dy is 0 (TF's kernel).   Its own gradient, for second derivatives:
    d/dy = -dy * 0.5 / y^2 * d(...),  d/d(dy) = 0.5 / y."""

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(y, dy):
        return B.xp.where(dy == 0, B.xp.zeros((), dy.dtype), dy * (0.5 / y))

    def backward(ctx, g):
        y, dy = ctx.inputs
        return -g * dy * 0.5 / (y * y), g * 0.5 / y


class Rsqrt(Op):
    """1 / sqrt(x).  dy/dx = -0.5 x^(-3/2) = -0.5 y^3."""

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return 1 / B.xp.sqrt(x)

    def backward(ctx, dy):
        y = ctx.output
        return dy * (-0.5 * y * y * y)


class Reciprocal(Op):
    """1 / x.      dy/dx = -1/x^2 = -y^2."""

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return 1 / x

    def backward(ctx, dy):
        y = ctx.output
        return -dy * y * y


class Exp(Op):
    """e^x.        dy/dx = e^x = y."""

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return B.xp.exp(x)

    def backward(ctx, dy):
        return dy * ctx.output


class Expm1(Op):
    """e^x - 1, accurate near 0.   dy/dx = e^x = y + 1."""

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return B.xp.expm1(x)

    def backward(ctx, dy):
        return dy * (ctx.output + 1)


class Log(Op):
    """ln x (log(0) = -inf, log of a negative = nan, as in TF).   dy/dx = 1/x."""

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return B.xp.log(x)

    def backward(ctx, dy):
        return dy / ctx.inputs[0]


class Log1p(Op):
    """ln(1 + x), accurate near 0.   dy/dx = 1 / (1 + x)."""

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)

    def forward(x):
        return B.xp.log1p(x)

    def backward(ctx, dy):
        return dy / (1 + ctx.inputs[0])


class Sin(Op):
    """sin x.      dy/dx = cos x."""

    elementwise = True

    def forward(x):
        return B.xp.sin(x)

    def backward(ctx, dy):
        return dy * cos(ctx.inputs[0])


class Cos(Op):
    """cos x.      dy/dx = -sin x."""

    elementwise = True

    def forward(x):
        return B.xp.cos(x)

    def backward(ctx, dy):
        return -dy * sin(ctx.inputs[0])


class Tanh(Op):
    """tanh x.     dy/dx = 1 - tanh^2 x = 1 - y^2."""

    elementwise = True
    grad_reads_inputs = False  # the gradient reads the output

    def forward(x):
        return B.xp.tanh(x)

    def backward(ctx, dy):
        y = ctx.output
        return dy * (1 - y * y)


class Sigmoid(Op):
    """1 / (1 + e^-x).   dy/dx = y (1 - y).

    Computed as exp(-log(1 + e^-x)) so that no e^-x overflows for very negative x.
    """

    elementwise = True
    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)
    grad_reads_inputs = False  # the gradient reads the output

    def forward(x):
        return B.xp.exp(-B.xp.logaddexp(0, -x)).astype(x.dtype, copy=False)

    def backward(ctx, dy):
        y = ctx.output
        return dy * y * (1 - y)


class Erf(Op):
    """The error function 2/sqrt(pi) * integral_0^x e^(-t^2) dt.   dy/dx = 2/sqrt(pi) e^(-x^2)."""

    elementwise = True

    def forward(x):
        return _erf_array(x).astype(x.dtype, copy=False)

    def backward(ctx, dy):
        x = ctx.inputs[0]
        return dy * (2 / math.sqrt(math.pi)) * exp(-x * x)


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
    out[~near] = 1 - _erfc_tail(ax[~near])
    return xp.where(xp.isnan(x), x, xp.sign(x) * out)


def _erfc_tail(large):
    """erfc(x) for x >= 2: e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), Laplace's
    continued fraction, 60 levels evaluated from the bottom up."""
    fraction = large.copy()
    for k in range(60, 0, -1):
        fraction = large + (k / 2) / fraction
    return B.xp.exp(-large * large) / (math.sqrt(math.pi) * fraction)


class Erfc(Op):
    """The complementary error function 1 - erf(x), accurate where erf(x) is near 1 (a tail of
    1e-30 at x = 8).      dy/dx = -2/sqrt(pi) e^(-x^2)."""

    elementwise = True

    def forward(x):
        wide = x.astype(np.float64)
        out = B.xp.asarray(1 - _erf_array(wide))  # (an array also for a scalar x)
        tail = wide >= 2  # there 1 - erf would cancel: the tail itself
        out[tail] = _erfc_tail(wide[tail])
        return out.astype(x.dtype, copy=False)

    def backward(ctx, dy):
        x = ctx.inputs[0]
        return dy * (-2 / math.sqrt(math.pi)) * exp(-x * x)


class Round(Op):
    """Round half to even. Piecewise constant: no gradient (None), as in TF."""

    elementwise = True

    def forward(x):
        return B.xp.round(x)


class Rint(Round):
    """Round half to even, as ``round``, for floating-point tensors only (TF's Rint). No gradient."""


class Floor(Op):
    """Largest integer <= x. No gradient (None), as in TF."""

    elementwise = True

    def forward(x):
        return B.xp.floor(x)


class Ceil(Op):
    """Smallest integer >= x. No gradient (None), as in TF."""

    elementwise = True

    def forward(x):
        return B.xp.ceil(x)


def negative(x: TensorLike, name: str | None = None) -> Tensor:
    return Neg.apply(numeric_operand("Neg", x))


def abs(x: TensorLike, name: str | None = None) -> Tensor:  # noqa: A001 (TF's name)
    return Abs.apply(numeric_operand("Abs", x))


def sign(x: TensorLike, name: str | None = None) -> Tensor:
    return Sign.apply(numeric_operand("Sign", x))


def square(x: TensorLike, name: str | None = None) -> Tensor:
    return Square.apply(numeric_operand("Square", x))


def sqrt(x: TensorLike, name: str | None = None) -> Tensor:
    return Sqrt.apply(float_operand("Sqrt", x))


def rsqrt(x: TensorLike, name: str | None = None) -> Tensor:
    return Rsqrt.apply(float_operand("Rsqrt", x))


def reciprocal(x: TensorLike, name: str | None = None) -> Tensor:
    return Reciprocal.apply(float_operand("Reciprocal", x))


def exp(x: TensorLike, name: str | None = None) -> Tensor:
    return Exp.apply(float_operand("Exp", x))


def expm1(x: TensorLike, name: str | None = None) -> Tensor:
    return Expm1.apply(float_operand("Expm1", x))


def log(x: TensorLike, name: str | None = None) -> Tensor:
    return Log.apply(float_operand("Log", x))


def log1p(x: TensorLike, name: str | None = None) -> Tensor:
    return Log1p.apply(float_operand("Log1p", x))


def sin(x: TensorLike, name: str | None = None) -> Tensor:
    return Sin.apply(float_operand("Sin", x))


def cos(x: TensorLike, name: str | None = None) -> Tensor:
    return Cos.apply(float_operand("Cos", x))


def tanh(x: TensorLike, name: str | None = None) -> Tensor:
    return Tanh.apply(float_operand("Tanh", x))


def sigmoid(x: TensorLike, name: str | None = None) -> Tensor:
    return Sigmoid.apply(float_operand("Sigmoid", x))


def erf(x: TensorLike, name: str | None = None) -> Tensor:
    return Erf.apply(float_operand("Erf", x))


def erfc(x: TensorLike, name: str | None = None) -> Tensor:
    return Erfc.apply(float_operand("Erfc", x))


def round(x: TensorLike, name: str | None = None) -> Tensor:  # noqa: A001 (TF's name)
    return Round.apply(numeric_operand("Round", x))


def rint(x: TensorLike, name: str | None = None) -> Tensor:
    return Rint.apply(float_operand("Rint", x))


def floor(x: TensorLike, name: str | None = None) -> Tensor:
    return Floor.apply(float_operand("Floor", x))


def ceil(x: TensorLike, name: str | None = None) -> Tensor:
    return Ceil.apply(float_operand("Ceil", x))


# --- clipping and selection --------------------------------------------------------------
class ClipByValue(Op):
    """min(max(t, lo), hi). The gradient passes to t where lo <= t <= hi, and to the bound that
    clipped elsewhere (summed back to the bound's shape)."""

    elementwise = True

    def forward(t, lo, hi):
        return B.xp.minimum(B.xp.maximum(t, lo), hi).astype(t.dtype, copy=False)

    def backward(ctx, dy):
        t, lo, hi = ctx.inputs
        below, above = t < lo, t > hi
        return (where(logical_or(below, above), 0, dy),
                unbroadcast(where(below, dy, 0), lo), unbroadcast(where(above, dy, 0), hi))

    def shape(t_shape, lo_shape, hi_shape):
        return t_shape

    @classmethod
    def invalid(cls, inputs, attrs, error):
        t, lo, hi = inputs
        return InvalidArgumentError(
            f"ClipByValue: clip bounds of shapes {list(lo.shape)} and {list(hi.shape)} do not "
            f"broadcast to t's shape {list(t.shape)}", "ClipByValue")


def clip_by_value(t: TensorLike, clip_value_min: TensorLike, clip_value_max: TensorLike,
                  name: str | None = None) -> Tensor:
    t = numeric_operand("ClipByValue", t)
    # As TF's minimum(t, max) then maximum(., min): a bound takes t's dtype, a tensor must have it.
    _, hi = binary_operands("Minimum", t, clip_value_max)
    _, lo = binary_operands("Maximum", t, clip_value_min)
    for bound in (lo, hi):
        if bound.ndim > t.ndim or broadcast_static("ClipByValue", t.shape, bound.shape) != tuple(t.shape):
            raise InvalidArgumentError(
                f"ClipByValue: clip bounds of shapes {list(lo.shape)} and {list(hi.shape)} do not broadcast "
                f"to t's shape {list(t.shape)} (they would change it)", "ClipByValue")
    return ClipByValue.apply(t, lo, hi)


class SelectV2(Op):
    """x where condition is true, else y (all three broadcast).   The gradient of x is dz where
    the condition holds, 0 elsewhere; y gets the rest."""

    elementwise = True

    def forward(condition, x, y):
        return B.xp.where(condition, x, y)

    def backward(ctx, dz):
        condition, x, y = ctx.inputs
        zeros = zeros_like_scalar(dz)
        return None, unbroadcast(where(condition, dz, zeros), x), unbroadcast(where(condition, zeros, dz), y)

    def shape(c_shape, x_shape, y_shape):
        return broadcast_static("SelectV2", c_shape, broadcast_static("SelectV2", x_shape, y_shape))

    @classmethod
    def invalid(cls, inputs, attrs, error):
        c, x, y = inputs
        return InvalidArgumentError(
            f"SelectV2: condition {list(c.shape)}, x {list(x.shape)} and y {list(y.shape)} "
            f"do not broadcast together", "SelectV2")


class Where(Op):
    """The coordinates of the true elements of a bool tensor, one row each (int64, as TF)."""

    def forward(condition):
        return B.xp.stack(B.xp.nonzero(condition), axis=-1).astype(np.int64)

    def shape(c_shape):
        return (None, len(c_shape))


def where(condition: TensorLike, x: TensorLike = None, y: TensorLike = None,
          name: str | None = None) -> Tensor:
    """x where condition is true, else y; with only ``condition``, the coordinates of its true elements."""
    condition = convert_to_tensor(condition)
    if condition._value.dtype != np.bool_:
        raise InvalidArgumentTypeError(f"Select: condition must be bool, got {condition.dtype.name}", "Select")
    if x is None and y is None:
        return Where.apply(condition)
    if x is None or y is None:
        raise ValueError("where: give both x and y, or neither")
    x, y = binary_operands("SelectV2", x, y)
    if x._value.dtype.kind == "O":  # strings stay on the host (see backend.module_of)
        return string_ops.StringSelect.apply(condition, x, y)
    return SelectV2.apply(condition, x, y)


def zeros_like_scalar(t: Tensor) -> Tensor:
    """A scalar 0 of ``t``'s dtype (broadcasts in ``where``)."""
    return Tensor(B.xp.zeros((), dtype=t._value.dtype))


# --- comparisons and logic: boolean results, no gradient ---------------------------------
class Equal(Broadcasting):
    def forward(x, y):
        return B.xp.equal(x, y)


class NotEqual(Broadcasting):
    def forward(x, y):
        return B.xp.not_equal(x, y)


class Less(Broadcasting):
    def forward(x, y):
        return B.xp.less(x, y)


class LessEqual(Broadcasting):
    def forward(x, y):
        return B.xp.less_equal(x, y)


class Greater(Broadcasting):
    def forward(x, y):
        return B.xp.greater(x, y)


class GreaterEqual(Broadcasting):
    def forward(x, y):
        return B.xp.greater_equal(x, y)


class LogicalAnd(Broadcasting):
    def forward(x, y):
        return B.xp.logical_and(x, y)


class LogicalOr(Broadcasting):
    def forward(x, y):
        return B.xp.logical_or(x, y)


class LogicalXor(Broadcasting):
    name = "LogicalXor"

    def forward(x, y):
        return B.xp.logical_xor(x, y)


class LogicalNot(Op):
    elementwise = True

    def forward(x):
        return B.xp.logical_not(x)


class IsNan(Op):
    elementwise = True

    def forward(x):
        return B.xp.isnan(x)


class IsInf(Op):
    elementwise = True

    def forward(x):
        return B.xp.isinf(x)


class IsFinite(Op):
    elementwise = True

    def forward(x):
        return B.xp.isfinite(x)


def equal(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """x == y elementwise (a bool tensor; no gradient). Strings compare too."""
    x, y = binary_operands("Equal", x, y)
    if x._value.dtype.kind == "O":
        return string_ops.StringEqual.apply(x, y)
    return Equal.apply(x, y)


def not_equal(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    x, y = binary_operands("NotEqual", x, y)
    if x._value.dtype.kind == "O":
        return string_ops.StringNotEqual.apply(x, y)
    return NotEqual.apply(x, y)


def _ordered_operands(op: str, x: TensorLike, y: TensorLike) -> tuple[Tensor, Tensor]:
    """Operands of <, <=, >, >=: numbers (TF does not order strings)."""
    x, y = binary_operands(op, x, y)
    if x._value.dtype.kind == "O":
        raise refuse_strings(op, x, y)
    return x, y


def less(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return Less.apply(*_ordered_operands("Less", x, y))


def less_equal(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return LessEqual.apply(*_ordered_operands("LessEqual", x, y))


def greater(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return Greater.apply(*_ordered_operands("Greater", x, y))


def greater_equal(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return GreaterEqual.apply(*_ordered_operands("GreaterEqual", x, y))


def _bool_operands(op: str, x: TensorLike, y: TensorLike) -> tuple[Tensor, Tensor]:
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    if x._value.dtype != np.bool_ or y._value.dtype != np.bool_:
        raise InvalidArgumentTypeError(f"{op}: expected bool tensors, got {x.dtype.name} and {y.dtype.name}", op)
    return x, y


def logical_and(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return LogicalAnd.apply(*_bool_operands("LogicalAnd", x, y))


def logical_or(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return LogicalOr.apply(*_bool_operands("LogicalOr", x, y))


def logical_xor(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    return LogicalXor.apply(*_bool_operands("LogicalXor", x, y))


def logical_not(x: TensorLike, name: str | None = None) -> Tensor:
    x = convert_to_tensor(x)
    if x._value.dtype != np.bool_:
        raise InvalidArgumentTypeError(f"LogicalNot: expected a bool tensor, got {x.dtype.name}", "LogicalNot")
    return LogicalNot.apply(x)


def is_nan(x: TensorLike, name: str | None = None) -> Tensor:
    return IsNan.apply(float_operand("IsNan", x))


def is_inf(x: TensorLike, name: str | None = None) -> Tensor:
    return IsInf.apply(float_operand("IsInf", x))


def is_finite(x: TensorLike, name: str | None = None) -> Tensor:
    return IsFinite.apply(float_operand("IsFinite", x))


# --- == and != on tensors, as TF defines them ------------------------------------------
def tensor_equals(x: Tensor, y: Any):
    """``x == y``: elementwise; with None or something that is not tensor-like, simply False."""
    if y is None:
        return False
    try:
        return equal(x, y)
    except (TypeError, ValueError):
        return False


def tensor_not_equals(x: Tensor, y: Any):
    if y is None:
        return True
    try:
        return not_equal(x, y)
    except (TypeError, ValueError):
        return True


# --- dtype conversion ------------------------------------------------------------------------
class Cast(Op):
    """Convert to ``dtype`` (floats to ints truncate toward zero, as in TF).
    Gradient: dy cast back, between float dtypes; none across to or from integers."""

    quiet = True  # inf and nan come out silently, as in TF (no NumPy warnings)
    grad_reads_inputs = grad_reads_outputs = False  # the gradient is dy cast back to the input's dtype

    def forward(x, dtype):
        return x.astype(dtype)  # 1e30 -> float16 is inf, nan -> int is junk: as TF

    def static_line(shapes, dtypes, dtype):
        # The forward as one line of a replay, with the dtype (no literal) written in by its name.
        # One number on NumPy (Adam's step count made a float) is cast by the scalar type, the same
        # C conversion without astype's round trip through an array (~0.5 µs, not ~1.8).
        target = np.dtype(dtype)
        if np.dtype(target.name) != target:
            return None
        if (tuple(shapes[0]) == () and B.xp is np and target.kind == "f" and dtypes[0].kind in "biuf"
                and getattr(np, target.name, None) is target.type):
            return f"_xp.{target.name}({{0}})"
        return f"{{0}}.astype(_xp.dtype({target.name!r}))"

    def backward(ctx, dy):
        x = ctx.inputs[0]
        return cast(dy, x.dtype) if x._value.dtype.kind == "f" else None

    def shape(x_shape, dtype):
        return x_shape


def cast(x: TensorLike, dtype, name: str | None = None) -> Tensor:
    x = convert_to_tensor(x)
    target = dtypes.as_dtype(dtype)._np
    if x._value.dtype == target:
        return x
    if "O" in (x._value.dtype.kind, target.kind):  # TF's Cast has no string kernel
        raise UnimplementedError(
            f"Cast {x.dtype.name} to {dtypes.as_dtype(dtype).name} is not supported: use tf.strings.to_number "
            "(strings to numbers) or tf.strings.as_string (numbers to strings)", "Cast")
    return Cast.apply(x, dtype=target)


from minitf.ops import string_ops  # noqa: E402 (the string kernels of ==, != , + and where)
