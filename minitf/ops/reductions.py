"""Reductions: sums, means, extremes and friends over axes, with their gradients.

The gradient of a reduction has the shape of the *input*: each input element gets back the
part of dy it contributed to. ``ReduceGrad`` puts the reduced axes back (as size-1 axes) and
broadcasts dy over the elements it came from.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf._tf_compat import extreme_with_tf_zeros
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def _axes(op: str, x: Tensor, axis) -> tuple[int, ...]:
    """``axis`` (None, an int, or a list) as a sorted tuple of non-negative axes; TF's errors otherwise."""
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, Tensor):
        if not axis.dtype.is_integer:
            raise InvalidArgumentTypeError(f"{op}: axis must be an integer tensor, got {axis.dtype.name}", op)
        axis = axis.numpy().tolist()
    raw = (axis,) if not isinstance(axis, (list, tuple, np.ndarray)) else tuple(np.asarray(axis).reshape(-1).tolist())
    out = []
    for a in raw:
        if isinstance(a, (bool, float, np.floating, np.bool_)) or not isinstance(a, (int, np.integer)):
            raise InvalidArgumentTypeError(f"{op}: axis must be integers, got {axis!r}", op)
        a = int(a)
        if not -x.ndim <= a < max(x.ndim, 1):
            raise InvalidArgumentError(
                f"{op}: axis {a} is out of range for a tensor of rank {x.ndim} (shape {list(x.shape)}); "
                f"expected an axis in [{-x.ndim}, {x.ndim})", op)
        out.append(a % x.ndim if x.ndim else 0)
    if len(set(out)) != len(out):
        raise InvalidArgumentError(f"{op}: axis {list(raw)} names the same dimension twice (shape {list(x.shape)})", op)
    return tuple(sorted(out))


def _numeric(op: str, input_tensor: TensorLike) -> Tensor:
    x = convert_to_tensor(input_tensor)
    if x._value.dtype.kind == "O":
        raise E.refuse_strings(op, x)
    if x._value.dtype.kind == "b":
        raise InvalidArgumentTypeError(
            f"{op}: TF's {op} takes numbers, not a bool tensor {list(x.shape)}; use tf.reduce_any/tf.reduce_all, "
            "or cast it first, e.g. tf.cast(x, tf.int32)", op)
    return x


def _reduced_shape(x_shape, axis, keepdims) -> tuple:
    if keepdims:
        return tuple(1 if i in axis else n for i, n in enumerate(x_shape))
    return tuple(n for i, n in enumerate(x_shape) if i not in axis)


class ReduceGrad(Op):
    """dy (a reduction's output, or its gradient) with the reduced axes put back as size 1 and
    broadcast to ``like``'s shape: every input element gets the dy of the sum it went into.
    Gradient: the sum over those axes again."""

    view = True

    def forward(dy, like, axis, keepdims):
        if not keepdims and axis:
            dy = dy.reshape(tuple(1 if i in axis else n for i, n in enumerate(like.shape)))
        return B.xp.broadcast_to(dy, like.shape)

    def backward(ctx, g):
        return Sum.apply(g, axis=ctx.axis, keepdims=ctx.keepdims), None

    def shape(dy_shape, like_shape, axis, keepdims):
        return like_shape


class Sum(Op):
    """Sum over ``axis``.   Every input element gets dy unchanged (d sum/d x_i = 1)."""

    def forward(x, axis, keepdims):
        y = E.sum_over_axes(x, axis, keepdims)  # a float sum over many rows: in blocks, for accuracy
        if x.dtype.kind in "iu" and y.dtype != x.dtype:
            y = y.astype(x.dtype)  # NumPy widens small ints; TF keeps the dtype
        return y

    def static_line(shapes, dtypes, axis, keepdims):
        return None if dtypes[0].kind in "iu" else E.sum_over_axes_line(shapes[0], dtypes[0], axis, keepdims)

    def backward(ctx, dy):
        return ReduceGrad.apply(dy, ctx.inputs[0], axis=ctx.axis, keepdims=ctx.keepdims)

    def shape(x_shape, axis, keepdims):
        return _reduced_shape(x_shape, axis, keepdims)


class Mean(Op):
    """Mean over ``axis`` (integer means truncate toward zero, as TF's C++ division does).
    d mean/d x_i = 1/n, n = the number of elements averaged."""

    quiet = True  # the mean of no elements is nan, silently, as in TF

    def forward(x, axis, keepdims):
        if x.dtype.kind in "iu":
            count = max(int(np.prod([x.shape[a] for a in axis])), 1)
            total = x.sum(axis=axis, keepdims=keepdims)
            quotient = B.xp.abs(total) // count
            return B.xp.where(total < 0, -quotient, quotient).astype(x.dtype)
        count = math.prod(x.shape[a] for a in axis)
        return E.sum_over_axes(x, axis, keepdims) / count  # nan (0 / 0) over no elements, as NumPy's mean

    def static_line(shapes, dtypes, axis, keepdims):
        line = Sum.static_line(shapes, dtypes, axis, keepdims)
        count = math.prod(shapes[0][a] for a in axis)
        if line is None or count == 1:  # x / 1 is x, bit for bit (-0.0 and nan included): no division
            return line
        return f"({line} / {count})"

    def backward(ctx, dy):
        x = ctx.inputs[0]
        count = ReduceSize.apply(x, axis=ctx.axis, dtype=x._value.dtype)
        return ReduceGrad.apply(dy / count, x, axis=ctx.axis, keepdims=ctx.keepdims)

    def shape(x_shape, axis, keepdims):
        return _reduced_shape(x_shape, axis, keepdims)


class ReduceSize(Op):
    """How many elements a reduction over ``axis`` combines (a scalar of ``dtype``), read from the
    array's shape when the op runs."""

    shape_only = True  # reads only the input's shape: a constant once the shape is known

    def forward(x, axis, dtype):
        return B.xp.asarray(int(np.prod([x.shape[a] for a in axis])), dtype=dtype)

    def shape(x_shape, axis, dtype):
        return ()


class _Extreme(Op):
    """Base of Max and Min. Ties share dy equally, as in TF."""

    def backward(ctx, dy):
        x, y = ctx.inputs[0], ctx.output
        winners = S.cast(E.equal(x, ReduceGrad.apply(y, x, axis=ctx.axis, keepdims=ctx.keepdims)), x.dtype)
        count = Sum.apply(winners, axis=ctx.axis, keepdims=True)
        return winners / count * ReduceGrad.apply(dy, x, axis=ctx.axis, keepdims=ctx.keepdims)

    def shape(x_shape, axis, keepdims):
        return _reduced_shape(x_shape, axis, keepdims)


class Max(_Extreme):
    """Largest element over ``axis`` (an empty reduction gives -inf, or the dtype's lowest; of tied
    0.0 and -0.0, TF's: ``_tf_compat.extreme_with_tf_zeros``)."""

    def forward(x, axis, keepdims):
        if x.size == 0:
            return _empty_extreme(x, axis, keepdims, high=False)
        return extreme_with_tf_zeros(x, x.max(axis=axis, keepdims=keepdims), axis)


class Min(_Extreme):
    """Smallest element over ``axis`` (an empty reduction gives +inf, or the dtype's highest; of tied
    0.0 and -0.0, TF's: ``_tf_compat.extreme_with_tf_zeros``)."""

    def forward(x, axis, keepdims):
        if x.size == 0:
            return _empty_extreme(x, axis, keepdims, high=True)
        return extreme_with_tf_zeros(x, x.min(axis=axis, keepdims=keepdims), axis)


def _empty_extreme(x, axis, keepdims, high: bool):
    """TF's identity of max (-inf) and min (+inf) over an empty set of elements."""
    if x.dtype.kind == "f":
        fill = np.inf if high else -np.inf
    elif x.dtype.kind == "b":
        fill = high
    else:
        info = np.iinfo(x.dtype)
        fill = info.max if high else info.min
    return B.xp.full(_reduced_shape(x.shape, axis, keepdims), fill, dtype=x.dtype)


class Prod(Op):
    """Product over ``axis``.   d prod/d x_i = product of all the *other* elements.

    That product is computed without dividing by x_i (which fails at zeros), as an exclusive
    cumulative product from the left times one from the right.
    """

    def forward(x, axis, keepdims):
        y = x.prod(axis=axis, keepdims=keepdims)
        return y.astype(x.dtype) if x.dtype.kind in "iu" else y

    def backward(ctx, dy):
        x, axis = ctx.inputs[0], ctx.axis
        kept = [i for i in range(x.ndim) if i not in axis]
        perm = list(axis) + kept
        moved = S.transpose(x, perm)
        flat = S.reshape(moved, (-1,) + tuple(moved.shape[len(axis):]))
        others = cumprod(flat, axis=0, exclusive=True) * cumprod(flat, axis=0, exclusive=True, reverse=True)
        others = S.transpose(S.reshape(others, moved.shape), [int(i) for i in np.argsort(perm)])
        return others * ReduceGrad.apply(dy, x, axis=axis, keepdims=ctx.keepdims)

    def shape(x_shape, axis, keepdims):
        return _reduced_shape(x_shape, axis, keepdims)


class All(Op):
    def forward(x, axis, keepdims):
        return x.all(axis=axis, keepdims=keepdims)

    def shape(x_shape, axis, keepdims):
        return _reduced_shape(x_shape, axis, keepdims)


class Any(Op):
    def forward(x, axis, keepdims):
        return x.any(axis=axis, keepdims=keepdims)

    def shape(x_shape, axis, keepdims):
        return _reduced_shape(x_shape, axis, keepdims)


def reduce_sum(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = _numeric("Sum", input_tensor)
    return Sum.apply(x, axis=_axes("Sum", x, axis), keepdims=bool(keepdims))


def reduce_mean(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = _numeric("Mean", input_tensor)
    return Mean.apply(x, axis=_axes("Mean", x, axis), keepdims=bool(keepdims))


def reduce_max(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """Largest element over ``axis``; ties share dy equally."""
    x = _numeric("Max", input_tensor)
    return Max.apply(x, axis=_axes("Max", x, axis), keepdims=bool(keepdims))


def reduce_min(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """Smallest element over ``axis``; ties share dy equally."""
    x = _numeric("Min", input_tensor)
    return Min.apply(x, axis=_axes("Min", x, axis), keepdims=bool(keepdims))


def reduce_prod(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = _numeric("Prod", input_tensor)
    return Prod.apply(x, axis=_axes("Prod", x, axis), keepdims=bool(keepdims))


def reduce_variance(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """mean((x - mean(x))^2): the biased variance, composed of other ops."""
    x = E.float_operand("reduce_variance", input_tensor)
    centered = x - reduce_mean(x, axis=axis, keepdims=True)
    return reduce_mean(E.square(centered), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """sqrt(reduce_variance(x))."""
    return E.sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_logsumexp(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """log(sum(exp(x))), computed as m + log(sum(exp(x - m))) with m = max(x) so that nothing overflows.

    m is held constant (stop_gradient): the result does not depend on it, so the gradient comes
    out as softmax(x) * dy. Over no elements the sum is 0 and the result -inf, as in TF.
    """
    x = E.float_operand("reduce_logsumexp", input_tensor)
    axes = _axes("reduce_logsumexp", x, axis)
    raw_max = reduce_max(S.stop_gradient(x), axis=axes, keepdims=True)
    # An all -inf (or inf) slice shifts by 0, not by inf (inf - inf would be nan): its result is then -inf (inf).
    m = S.stop_gradient(E.where(E.is_finite(raw_max), raw_max, E.zeros_like_scalar(raw_max)))
    out = E.log(reduce_sum(E.exp(x - m), axis=axes, keepdims=True)) + m
    if keepdims:
        return out
    return S.squeeze(out, axis=axes) if x.ndim and axes else (S.reshape(out, ()) if not x.ndim else out)


def reduce_all(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = _bool_input("All", input_tensor)
    return All.apply(x, axis=_axes("All", x, axis), keepdims=bool(keepdims))


def reduce_any(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = _bool_input("Any", input_tensor)
    return Any.apply(x, axis=_axes("Any", x, axis), keepdims=bool(keepdims))


def _bool_input(op: str, value: TensorLike) -> Tensor:
    x = convert_to_tensor(value)
    if x._value.dtype.kind != "b":
        raise InvalidArgumentTypeError(f"{op}: expected a bool tensor, got {x.dtype.name} {list(x.shape)}", op)
    return x


class CountNonzero(Op):
    def forward(x, axis, keepdims, dtype):
        return (x != 0).sum(axis=axis, keepdims=keepdims).astype(dtype)

    def shape(x_shape, axis, keepdims, dtype):
        return _reduced_shape(x_shape, axis, keepdims)


def count_nonzero(input_tensor: TensorLike, axis=None, keepdims: bool = False, dtype=np.int64,
                  name: str | None = None) -> Tensor:
    x = convert_to_tensor(input_tensor)
    return CountNonzero.apply(x, axis=_axes("CountNonzero", x, axis), keepdims=bool(keepdims),
                              dtype=np.dtype(getattr(dtype, "name", dtype)))


class ArgMax(Op):
    """Index of the largest value along ``axis``. NaN is never the largest (TF's kernel compares
    with ``>``, which is false for NaN), unless every value is NaN: then index 0."""

    def forward(x, axis, dtype):
        if x.shape[axis] == 0:
            raise InvalidArgumentError(f"ArgMax: cannot take the argmax over an empty axis {axis} "
                                       f"(shape {list(x.shape)})", "ArgMax")
        if x.dtype.kind == "f":
            x = B.xp.where(B.xp.isnan(x), -B.xp.inf, x)
        return B.xp.asarray(x.argmax(axis=axis)).astype(dtype)

    def shape(x_shape, axis, dtype):
        return tuple(d for i, d in enumerate(x_shape) if i != axis)


class ArgMin(Op):
    """Index of the smallest value along ``axis`` (NaN is never the smallest, as in TF)."""

    def forward(x, axis, dtype):
        if x.shape[axis] == 0:
            raise InvalidArgumentError(f"ArgMin: cannot take the argmin over an empty axis {axis} "
                                       f"(shape {list(x.shape)})", "ArgMin")
        if x.dtype.kind == "f":
            x = B.xp.where(B.xp.isnan(x), B.xp.inf, x)
        return B.xp.asarray(x.argmin(axis=axis)).astype(dtype)

    def shape(x_shape, axis, dtype):
        return tuple(d for i, d in enumerate(x_shape) if i != axis)


def argmax(input: TensorLike, axis=None, output_type=np.int64, name: str | None = None) -> Tensor:  # noqa: A002
    """Index of the largest value along ``axis`` (default 0), int64."""
    x = convert_to_tensor(input)
    (a,) = _axes("ArgMax", x, 0 if axis is None else axis) if x.ndim else (0,)
    if x.ndim == 0:
        raise InvalidArgumentError("ArgMax: the input must have rank >= 1, got a scalar", "ArgMax")
    if x._value.dtype.kind == "O":
        raise E.refuse_strings("ArgMax", x)
    return ArgMax.apply(x, axis=a, dtype=np.dtype(getattr(output_type, "name", output_type)))


def argmin(input: TensorLike, axis=None, output_type=np.int64, name: str | None = None) -> Tensor:  # noqa: A002
    """Index of the smallest value along ``axis`` (default 0), int64."""
    x = convert_to_tensor(input)
    if x.ndim == 0:
        raise InvalidArgumentError("ArgMin: the input must have rank >= 1, got a scalar", "ArgMin")
    if x._value.dtype.kind == "O":
        raise E.refuse_strings("ArgMin", x)
    (a,) = _axes("ArgMin", x, 0 if axis is None else axis)
    return ArgMin.apply(x, axis=a, dtype=np.dtype(getattr(output_type, "name", output_type)))


class Cumsum(Op):
    """Running sum along ``axis``.   dy flows back as a running sum in the other direction."""

    def forward(x, axis, exclusive, reverse):
        return _scan(B.xp.cumsum, x, axis, exclusive, reverse, 0)

    def backward(ctx, dy):
        return Cumsum.apply(dy, axis=ctx.axis, exclusive=ctx.exclusive, reverse=not ctx.reverse)

    def shape(x_shape, axis, exclusive, reverse):
        return x_shape


class Cumprod(Op):
    """Running product along ``axis``.

    Gradient (as TF's): reverse running sum of y * dy, divided by x; like TF's it is not defined
    where x is 0 (reduce_prod's gradient avoids that case).
    """

    def forward(x, axis, exclusive, reverse):
        return _scan(B.xp.cumprod, x, axis, exclusive, reverse, 1)

    def backward(ctx, dy):
        x, y = ctx.inputs[0], ctx.output
        return Cumsum.apply(y * dy, axis=ctx.axis, exclusive=ctx.exclusive, reverse=not ctx.reverse) / x

    def shape(x_shape, axis, exclusive, reverse):
        return x_shape


def cumsum(x: TensorLike, axis: int = 0, exclusive: bool = False, reverse: bool = False,
           name: str | None = None) -> Tensor:
    x = _numeric("Cumsum", x)
    _scan_axis_check("Cumsum", x, axis)
    (a,) = _axes("Cumsum", x, axis)
    return Cumsum.apply(x, axis=a, exclusive=bool(exclusive), reverse=bool(reverse))


def cumprod(x: TensorLike, axis: int = 0, exclusive: bool = False, reverse: bool = False,
            name: str | None = None) -> Tensor:
    x = _numeric("Cumprod", x)
    _scan_axis_check("Cumprod", x, axis)
    (a,) = _axes("Cumprod", x, axis)
    return Cumprod.apply(x, axis=a, exclusive=bool(exclusive), reverse=bool(reverse))


def _scan_axis_check(op: str, x: Tensor, axis) -> None:
    if x.ndim == 0:
        raise InvalidArgumentError(f"{op}: ScanOp: Expected scan axis in the range [0, 0), but got {axis}: a scalar "
                                   "has no axis to scan", op)


def _scan(fn, a, axis: int, exclusive: bool, reverse: bool, identity):
    xp = B.xp
    if reverse:
        a = xp.flip(a, axis)
    out = fn(a, axis=axis, dtype=a.dtype)
    if exclusive and a.shape[axis]:
        pad_shape = list(a.shape)
        pad_shape[axis] = 1
        head = xp.full(pad_shape, identity, dtype=a.dtype)
        out = xp.concatenate([head, xp.take(out, xp.arange(a.shape[axis] - 1), axis=axis)], axis=axis)
    return xp.flip(out, axis) if reverse else out


def reduce_euclidean_norm(input_tensor: TensorLike, axis=None, keepdims: bool = False,
                          name: str | None = None) -> Tensor:
    """sqrt(sum(x^2)) over ``axis`` (integers: the root truncated, as TF's integer kernel)."""
    x = _numeric("EuclideanNorm", input_tensor)
    if x.dtype.is_integer:
        total = reduce_sum(E.square(x), axis=axis, keepdims=keepdims)
        return S.cast(E.floor(E.sqrt(S.cast(total, "float64"))), x.dtype)
    return E.sqrt(reduce_sum(E.square(x), axis=axis, keepdims=keepdims))


class CumulativeLogsumexp(Op):
    """Running log(sum(exp(x))) along ``axis``, each step TF's pairwise rule
    log(e^a + e^b) = max + log1p(e^(min - max)) (a max below the dtype's lowest: that max, -inf; the min
    and max Eigen's, which keep the running value against a NaN: logsumexp of [NaN, 1] is 1).

    Gradient (TF's): with y the output, d x = e^x * (running sum, the other way, of dy e^-y), taken
    for the positive and negative parts of dy in log space so that nothing overflows."""

    quiet = True

    def forward(x, axis, exclusive, reverse):
        xp = B.xp
        moved = xp.moveaxis(xp.flip(x, axis) if reverse else x, axis, 0)
        out = xp.empty_like(moved)
        lowest = np.finfo(x.dtype).min
        accum = xp.full(moved.shape[1:], -np.inf, dtype=x.dtype)
        for i in range(moved.shape[0]):
            if exclusive:
                out[i] = accum
            value = moved[i]  # Eigen's min and max of (accum, value): with NaN, the accum
            low, high = xp.where(value < accum, value, accum), xp.where(accum < value, value, accum)
            accum = xp.where(high < lowest, high, xp.log1p(xp.exp(low - high)) + high)
            if not exclusive:
                out[i] = accum
        out = xp.moveaxis(out, 0, axis)
        return xp.flip(out, axis) if reverse else out

    def backward(ctx, dy):
        x, y = ctx.inputs[0], ctx.output
        attrs = dict(axis=ctx.axis, exclusive=ctx.exclusive, reverse=not ctx.reverse)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # log 0 and -inf - -inf, as TF: silent
            positive = E.exp(CumulativeLogsumexp.apply(E.log(E.maximum(dy, 0)) - y, **attrs) + x)
            negative = E.exp(CumulativeLogsumexp.apply(E.log(E.maximum(-dy, 0)) - y, **attrs) + x)
            return positive - negative

    def shape(x_shape, axis, exclusive, reverse):
        return x_shape


def cumulative_logsumexp(x: TensorLike, axis: int = 0, exclusive: bool = False, reverse: bool = False,
                         name: str | None = None) -> Tensor:
    x = E.float_operand("CumulativeLogsumexp", x)
    _scan_axis_check("CumulativeLogsumexp", x, axis)
    (a,) = _axes("CumulativeLogsumexp", x, axis)
    return CumulativeLogsumexp.apply(x, axis=a, exclusive=bool(exclusive), reverse=bool(reverse))


def is_non_decreasing(x: TensorLike, name: str | None = None) -> Tensor:
    """Whether each element of the flattened ``x`` is >= the one before (True for fewer than two)."""
    flat = S.reshape(_numeric("IsNonDecreasing", x), [-1])
    return reduce_all(E.less_equal(flat[:-1], flat[1:]))


def is_strictly_increasing(x: TensorLike, name: str | None = None) -> Tensor:
    """Whether each element of the flattened ``x`` is > the one before (True for fewer than two)."""
    flat = S.reshape(_numeric("IsStrictlyIncreasing", x), [-1])
    return reduce_all(E.less(flat[:-1], flat[1:]))
