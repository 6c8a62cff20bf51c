"""Reductions: sums, means, extremes and friends over axes, with their gradients.

The gradient of a reduction has the shape of the *input*: each input element
gets back the part of dy it contributed to. ``_restore`` puts the reduced axes
back (as size-1 axes) so that dy broadcasts over the elements it came from.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import backend as B
from minitf.autodiff import record
from minitf.errors import InvalidArgumentError
from minitf.ops import elementwise as E
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def _axes(op: str, x: Tensor, axis) -> tuple[int, ...]:
    """``axis`` (None, an int, or a list) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, Tensor):
        axis = axis.numpy().tolist()
    raw = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in raw:
        a = int(a)
        if not -x.ndim <= a < max(x.ndim, 1):
            raise InvalidArgumentError(
                f"{op}: axis {a} is out of range for a tensor of rank {x.ndim} (shape {list(x.shape)}); "
                f"expected an axis in [{-x.ndim}, {x.ndim})", op)
        out.append(a % x.ndim if x.ndim else 0)
    return tuple(sorted(set(out)))


def _restore(dy: Tensor, x: Tensor, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    """dy with the reduced axes put back as size 1, ready to broadcast against x."""
    if keepdims or not axes:
        return dy
    from minitf.ops import shape_ops
    shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
    return shape_ops.reshape(dy, shape)


def _broadcast_back(dy: Tensor, x: Tensor, axes, keepdims) -> Tensor:
    from minitf.ops import shape_ops
    return shape_ops.broadcast_to(_restore(dy, x, axes, keepdims), tuple(x.shape))


def reduce_sum(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """Sum over ``axis``.   Every input element gets dy unchanged (d sum/d x_i = 1)."""
    x = convert_to_tensor(input_tensor)
    axes = _axes("Sum", x, axis)
    y = Tensor(B.xp.sum(x._value, axis=axes, keepdims=keepdims))
    if x._value.dtype.kind in "iub" and y._value.dtype != x._value.dtype:
        y = Tensor(y._value.astype(x._value.dtype if x._value.dtype.kind != "b" else np.int32))
    return record("Sum", (x,), y, lambda dy: (_broadcast_back(dy, x, axes, keepdims),))


def reduce_mean(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """Mean over ``axis`` (integer means truncate, as TF's do).   d mean/d x_i = 1/n."""
    x = convert_to_tensor(input_tensor)
    axes = _axes("Mean", x, axis)
    count = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    if x._value.dtype.kind in "iu":
        # TF divides the integer sum in C++, which truncates toward zero (mean of [-1, -2] is -1), not floor.
        total = B.xp.sum(x._value, axis=axes, keepdims=keepdims)
        quotient = B.xp.abs(total) // max(count, 1)
        return Tensor(B.xp.where(total < 0, -quotient, quotient).astype(x._value.dtype))
    with np.errstate(invalid="ignore", divide="ignore"):
        y = Tensor(B.xp.mean(x._value, axis=axes, keepdims=keepdims))
    return record("Mean", (x,), y, lambda dy: (_broadcast_back(dy / count, x, axes, keepdims),))


def _extreme(op: str, fn_name: str):
    def reduce_extreme(input_tensor: TensorLike, axis=None, keepdims: bool = False,
                       name: str | None = None) -> Tensor:
        x = convert_to_tensor(input_tensor)
        axes = _axes(op, x, axis)
        if x._value.size == 0:
            raise InvalidArgumentError(f"{op}: cannot reduce an empty tensor of shape {list(x.shape)}", op)
        y = Tensor(getattr(B.xp, fn_name)(x._value, axis=axes, keepdims=keepdims))

        def backward(dy):
            # Ties share the gradient equally, as in TF.
            winners = E.equal(x, _restore(y, x, axes, keepdims))
            from minitf.ops import shape_ops
            weight = shape_ops.cast(winners, x.dtype)
            count = reduce_sum(weight, axis=axes, keepdims=True)
            return (weight / count * _restore(dy, x, axes, keepdims),)

        return record(op, (x,), y, backward)

    return reduce_extreme


reduce_max = _extreme("Max", "max")
reduce_max.__name__, reduce_max.__doc__ = "reduce_max", "Largest element over ``axis``; ties share dy equally."
reduce_min = _extreme("Min", "min")
reduce_min.__name__, reduce_min.__doc__ = "reduce_min", "Smallest element over ``axis``; ties share dy equally."


def reduce_prod(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """Product over ``axis``.   d prod/d x_i = product of all the *other* elements.

    That product is computed without dividing by x_i (which fails at zeros), as
    an exclusive cumulative product from the left times one from the right.
    """
    x = convert_to_tensor(input_tensor)
    axes = _axes("Prod", x, axis)
    y = Tensor(B.xp.prod(x._value, axis=axes, keepdims=keepdims))
    if x._value.dtype.kind in "iu":
        return Tensor(y._value.astype(x._value.dtype))

    def backward(dy):
        from minitf.ops import shape_ops
        kept = [i for i in range(x.ndim) if i not in axes]
        perm = list(axes) + kept
        moved = shape_ops.transpose(x, perm)
        flat = shape_ops.reshape(moved, (-1,) + tuple(moved.shape[len(axes):]))
        others = cumprod(flat, axis=0, exclusive=True) * cumprod(flat, axis=0, exclusive=True, reverse=True)
        others = shape_ops.transpose(shape_ops.reshape(others, moved.shape), list(np.argsort(perm)))
        return (others * _restore(dy, x, axes, keepdims),)

    return record("Prod", (x,), y, backward)


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

    m is held constant (stop_gradient): the result does not depend on it, so the
    gradient comes out as softmax(x) * dy.
    """
    from minitf.ops import creation, shape_ops
    x = E.float_operand("reduce_logsumexp", input_tensor)
    raw_max = reduce_max(shape_ops.stop_gradient(x), axis=axis, keepdims=True)
    # An all -inf (or inf) slice shifts by 0, not by inf (inf - inf would be nan): its result is then -inf (inf).
    m = shape_ops.stop_gradient(E.where(E.is_finite(raw_max), raw_max, creation.zeros_like(raw_max)))
    out = E.log(reduce_sum(E.exp(x - m), axis=axis, keepdims=True)) + m
    if keepdims:
        return out
    return shape_ops.squeeze(out, axis=_axes("reduce_logsumexp", x, axis)) if x.ndim else out


def reduce_all(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = convert_to_tensor(input_tensor)
    return Tensor(B.xp.all(x._value, axis=_axes("All", x, axis), keepdims=keepdims))


def reduce_any(input_tensor: TensorLike, axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    x = convert_to_tensor(input_tensor)
    return Tensor(B.xp.any(x._value, axis=_axes("Any", x, axis), keepdims=keepdims))


def count_nonzero(input_tensor: TensorLike, axis=None, keepdims: bool = False, dtype=np.int64,
                  name: str | None = None) -> Tensor:
    x = convert_to_tensor(input_tensor)
    counts = B.xp.sum(x._value != 0, axis=_axes("CountNonzero", x, axis), keepdims=keepdims)
    return Tensor(counts.astype(np.dtype(getattr(dtype, "name", dtype))))


def _arg(op: str, fn_name: str):
    def arg_extreme(input: TensorLike, axis=None, output_type=np.int64, name: str | None = None) -> Tensor:  # noqa: A002
        x = convert_to_tensor(input)
        axis = 0 if axis is None else axis
        (a,) = _axes(op, x, axis) if x.ndim else (None,)
        result = getattr(B.xp, fn_name)(x._value, axis=a)
        return Tensor(B.xp.asarray(result).astype(np.dtype(getattr(output_type, "name", output_type))))

    return arg_extreme


argmax = _arg("ArgMax", "argmax")
argmax.__name__, argmax.__doc__ = "argmax", "Index of the largest value along ``axis`` (default 0), int64."
argmin = _arg("ArgMin", "argmin")
argmin.__name__, argmin.__doc__ = "argmin", "Index of the smallest value along ``axis`` (default 0), int64."


def cumsum(x: TensorLike, axis: int = 0, exclusive: bool = False, reverse: bool = False,
           name: str | None = None) -> Tensor:
    """Running sum along ``axis``.   dy flows back as a running sum in the other direction."""
    x = convert_to_tensor(x)
    (a,) = _axes("Cumsum", x, axis)
    y = Tensor(_scan(B.xp.cumsum, x._value, a, exclusive, reverse, 0))
    return record("Cumsum", (x,), y, lambda dy: (cumsum(dy, a, exclusive=exclusive, reverse=not reverse),))


def cumprod(x: TensorLike, axis: int = 0, exclusive: bool = False, reverse: bool = False,
            name: str | None = None) -> Tensor:
    """Running product along ``axis``.

    Gradient (as TF's): reverse running sum of y * dy, divided by x; like TF's it
    is not defined where x is 0 (reduce_prod's gradient avoids that case).
    """
    x = convert_to_tensor(x)
    (a,) = _axes("Cumprod", x, axis)
    y = Tensor(_scan(B.xp.cumprod, x._value, a, exclusive, reverse, 1))
    return record("Cumprod", (x,), y,
                  lambda dy: (cumsum(y * dy, a, exclusive=exclusive, reverse=not reverse) / x,))


def _scan(fn, a, axis: int, exclusive: bool, reverse: bool, identity):
    xp = B.xp
    if reverse:
        a = xp.flip(a, axis)
    out = fn(a, axis=axis, dtype=a.dtype)
    if exclusive:
        pad_shape = list(a.shape)
        pad_shape[axis] = 1
        head = xp.full(pad_shape, identity, dtype=a.dtype)
        out = xp.concatenate([head, xp.take(out, xp.arange(a.shape[axis] - 1), axis=axis)], axis=axis)
    return xp.flip(out, axis) if reverse else out
