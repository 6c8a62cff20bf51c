"""Matrix products: matmul, tensordot, einsum.

For C = A @ B and upstream gradient dC:   dA = dC @ B^T,   dB = A^T @ dC.
(Each A[i,k] meets B[k,j] in C[i,j], for every j: sum dC[i,j] B[k,j] over j.)
"""
from __future__ import annotations

import re
from typing import Any

from minitf import backend as B
from minitf.autodiff import needs_gradient, record
from minitf.errors import InvalidArgumentError, UnimplementedError
from minitf.ops import shape_ops
from minitf.ops.elementwise import binary_operands, unbroadcast
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def matmul(a: TensorLike, b: TensorLike, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, name: str | None = None) -> Tensor:
    """a @ b over the last two axes; leading (batch) axes broadcast.

    Gradients (no transposes): da = dc @ b^T, db = a^T @ dc, summed over broadcast batch axes.
    """
    transpose_a, transpose_b = transpose_a or adjoint_a, transpose_b or adjoint_b
    a, b = binary_operands("MatMul", a, b)
    if a.ndim < 2 or b.ndim < 2:
        raise InvalidArgumentError(
            f"MatMul: both inputs must have rank >= 2, got shapes {list(a.shape)} and {list(b.shape)} "
            "(use tf.expand_dims, or tf.tensordot for vectors)", "MatMul")
    av = a._value.swapaxes(-1, -2) if transpose_a else a._value
    bv = b._value.swapaxes(-1, -2) if transpose_b else b._value
    if av.shape[-1] != bv.shape[-2]:
        raise InvalidArgumentError(
            f"MatMul: Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: {list(b.shape)} "
            f"(transpose_a={transpose_a}, transpose_b={transpose_b}): the inner dimensions "
            f"{av.shape[-1]} and {bv.shape[-2]} must be equal", "MatMul")
    try:
        c = Tensor(B.xp.matmul(av, bv))
    except ValueError:
        raise InvalidArgumentError(
            f"MatMul: batch dimensions of {list(a.shape)} and {list(b.shape)} do not broadcast", "MatMul") from None

    def backward(dc):
        # Each gradient is a thunk, computed only if a tape wants it (not e.g. for an unwatched input).
        if not transpose_a and not transpose_b:
            da, db = lambda: matmul(dc, b, transpose_b=True), lambda: matmul(a, dc, transpose_a=True)
        elif not transpose_a:  # c = a b^T
            da, db = lambda: matmul(dc, b), lambda: matmul(dc, a, transpose_a=True)
        elif not transpose_b:  # c = a^T b
            da, db = lambda: matmul(b, dc, transpose_b=True), lambda: matmul(a, dc)
        else:  # c = a^T b^T
            da = lambda: matmul(b, dc, transpose_a=True, transpose_b=True)  # noqa: E731
            db = lambda: matmul(dc, a, transpose_a=True, transpose_b=True)  # noqa: E731
        return (unbroadcast(da(), a.shape) if needs_gradient(0) else None,
                unbroadcast(db(), b.shape) if needs_gradient(1) else None)

    return record("MatMul" if a.ndim == 2 and b.ndim == 2 else "BatchMatMulV2", (a, b), c, backward)


Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = lambda b, a: matmul(a, b)


def matrix_transpose(a: TensorLike, name: str | None = None) -> Tensor:
    """Swap the last two axes."""
    a = convert_to_tensor(a)
    perm = list(range(a.ndim - 2)) + [a.ndim - 1, a.ndim - 2]
    return shape_ops.transpose(a, perm)


def tensordot(a: TensorLike, b: TensorLike, axes, name: str | None = None) -> Tensor:
    """Sum of products over ``axes`` (an int n: a's last n with b's first n; or two lists).

    Built from transpose, reshape and matmul, so its gradient is theirs.
    """
    a, b = binary_operands("Tensordot", a, b)
    if isinstance(axes, int):
        a_axes, b_axes = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        a_axes, b_axes = ([axes[0]] if isinstance(axes[0], int) else list(axes[0]),
                          [axes[1]] if isinstance(axes[1], int) else list(axes[1]))
    a_axes = [x % a.ndim for x in a_axes]
    b_axes = [x % b.ndim for x in b_axes]
    if [a.shape[i] for i in a_axes] != [b.shape[i] for i in b_axes]:
        raise InvalidArgumentError(
            f"Tensordot: contracted dimensions differ: a{list(a.shape)} axes {a_axes} vs "
            f"b{list(b.shape)} axes {b_axes}", "Tensordot")
    a_free = [i for i in range(a.ndim) if i not in a_axes]
    b_free = [i for i in range(b.ndim) if i not in b_axes]
    k = 1
    for i in a_axes:
        k *= a.shape[i]
    a2 = shape_ops.reshape(shape_ops.transpose(a, a_free + a_axes), (-1, k))
    b2 = shape_ops.reshape(shape_ops.transpose(b, b_axes + b_free), (k, -1))
    out_shape = [a.shape[i] for i in a_free] + [b.shape[i] for i in b_free]
    return shape_ops.reshape(matmul(a2, b2), out_shape)


def einsum(equation: str, *inputs: TensorLike, name: str | None = None) -> Tensor:
    """Einstein summation over one or two operands with explicit letters (``...`` allowed).

    Gradient of operand i: the same contraction with dy in place of operand i,
    aimed at operand i's letters, e.g. for "ij,jk->ik": dA = einsum("ik,jk->ij", dy, B).
    Letters that appear only in operand i were summed away; their gradient is
    dy broadcast back along them.
    """
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    xs = [convert_to_tensor(x) for x in inputs]
    if len(xs) == 2:
        xs = list(binary_operands("Einsum", xs[0], xs[1]))
    equation = equation.replace(" ", "")
    lhs, rhs = equation.split("->") if "->" in equation else (equation, None)
    specs = lhs.split(",")
    if len(specs) != len(xs):
        raise InvalidArgumentError(f"Einsum: equation {equation!r} names {len(specs)} operands, got {len(xs)}", "Einsum")
    specs = [_expand_ellipsis(s, x.ndim) for s, x in zip(specs, xs)]
    if rhs is None:
        letters = "".join(specs)
        rhs = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    else:
        rhs = _expand_ellipsis(rhs, 0, output_of=specs)
    for s, x in zip(specs, xs):
        if len(s) != x.ndim:
            raise InvalidArgumentError(f"Einsum: {s!r} has {len(s)} letters for an operand of shape {list(x.shape)}", "Einsum")
    full = ",".join(specs) + "->" + rhs
    try:
        y = Tensor(B.xp.einsum(full, *[x._value for x in xs]))
    except ValueError as e:
        raise InvalidArgumentError(f"Einsum: {equation!r} does not fit shapes {[list(x.shape) for x in xs]}: {e}", "Einsum") from None

    def backward(dy):
        grads = []
        for i, (spec, x) in enumerate(zip(specs, xs)):
            if len(set(spec)) != len(spec):
                raise UnimplementedError(f"Einsum: the gradient of an operand with a repeated letter ({spec!r}, "
                                         "a diagonal or trace) is not implemented in minitf", "Einsum")
            others = [s for j, s in enumerate(specs) if j != i]
            reachable = "".join(c for c in spec if c in rhs or any(c in s for s in others))
            g = einsum(",".join([rhs] + others) + "->" + reachable, dy, *[t for j, t in enumerate(xs) if j != i])
            if reachable != spec:  # letters summed away inside operand i alone: broadcast back
                shape = [x.shape[k] if c in reachable else 1 for k, c in enumerate(spec)]
                order = [c for c in spec if c in reachable]
                g = shape_ops.transpose(g, [reachable.index(c) for c in order])
                g = shape_ops.broadcast_to(shape_ops.reshape(g, shape), tuple(x.shape))
            # A size-1 batch axis under "..." that broadcast against a longer one: sum dy over it.
            grads.append(unbroadcast(g, tuple(x.shape)))
        return tuple(grads)

    return record("Einsum", tuple(xs), y, backward)


_SPARE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _expand_ellipsis(spec: str, ndim: int, output_of: list | None = None) -> str:
    """Replace ``...`` by explicit capital letters (right-aligned, as broadcasting aligns)."""
    if "..." not in spec:
        return spec
    if output_of is not None:
        caps = sorted({c for s in output_of for c in s if c in _SPARE}, key=_SPARE.index)
        return spec.replace("...", "".join(caps))
    n = ndim - (len(spec) - 3)
    return spec.replace("...", _SPARE[26 - n:] if n else "")


def norm(tensor: TensorLike, ord="euclidean", axis=None, keepdims: bool = False, name: str | None = None) -> Tensor:
    """Vector norm: euclidean (2), 1, or inf, over ``axis`` (all elements by default)."""
    from minitf.ops import elementwise as E, reductions as R
    x = convert_to_tensor(tensor)
    if ord in ("euclidean", 2, "fro"):
        return E.sqrt(R.reduce_sum(E.square(x), axis=axis, keepdims=keepdims))
    if ord == 1:
        return R.reduce_sum(E.abs(x), axis=axis, keepdims=keepdims)
    if ord == float("inf") or ord == "inf":
        return R.reduce_max(E.abs(x), axis=axis, keepdims=keepdims)
    raise ValueError(f"norm: ord must be 'euclidean', 1, 2 or inf, got {ord!r}")


del re
