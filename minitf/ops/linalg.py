"""Matrix products: matmul, tensordot, einsum.

For C = A @ B and upstream gradient dC:   dA = dC @ B^T,   dB = A^T @ dC.
(Each A[i,k] meets B[k,j] in C[i,j], for every j: sum dC[i,j] B[k,j] over j.)
"""
from __future__ import annotations

import math
from typing import Any

from minitf import array_backend as B
from minitf.errors import (FailedPreconditionError, InvalidArgumentError, InvalidArgumentTypeError, NotFoundError,
                           UnimplementedError)
from minitf.ops import shape_ops
from minitf.ops.elementwise import binary_operands, unbroadcast
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


class MatMul(Op):
    """c = a @ b of two matrices (either transposed first); BatchMatMulV2 for stacks of them.

    Gradients (no transposes): da = dc @ b^T, db = a^T @ dc (BatchMatMulV2: summed over the batch
    axes that broadcasting stretched).
    With transposes, the same products rearranged (e.g. c = a b^T: da = dc b, db = dc^T a).
    Only the gradients a tape wants are computed (not that of an input batch, say).

    The kernel is NumPy's ``dot``: for two matrices it makes the BLAS call that ``matmul`` makes,
    with the same bits (``tests/test_tensor.py``), ~0.4 µs sooner: 4% of the circles MLP's traced
    training step, whose eight products are small. The one exception is a 1x1 matrix times a 1x1
    matrix: ``dot`` multiplies the two numbers (-1 * 0 = -0.0), while ``matmul``, as TF, adds that
    product to a zero (+0.0); that product stays with ``matmul``.
    """

    grad_reads_outputs = False
    fresh_output = True  # np.dot and np.matmul always return a new array

    def forward(a, b, transpose_a, transpose_b):
        a = a.T if transpose_a else a
        b = b.T if transpose_b else b
        return B.xp.matmul(a, b) if a.size == 1 == b.size else B.xp.dot(a, b)

    def static_line(shapes, dtypes, transpose_a, transpose_b):
        product = "matmul" if math.prod(shapes[0]) == 1 == math.prod(shapes[1]) else "dot"
        return f"_xp.{product}({{0}}{'.T' if transpose_a else ''}, {{1}}{'.T' if transpose_b else ''})"

    def backward(ctx, dc):
        a, b = ctx.inputs
        ta, tb = ctx.transpose_a, ctx.transpose_b
        da = db = None
        if ctx.needs_input_grad[0]:
            da = (matmul(dc, b, transpose_b=not tb) if not ta else matmul(b, dc, transpose_a=tb, transpose_b=True))
            da = unbroadcast(da, a)
        if ctx.needs_input_grad[1]:
            db = (matmul(a, dc, transpose_a=not ta) if not tb else matmul(dc, a, transpose_a=True, transpose_b=ta))
            db = unbroadcast(db, b)
        return da, db

    def shape(a_shape, b_shape, transpose_a, transpose_b):
        m = a_shape[-1] if transpose_a else a_shape[-2]
        n = b_shape[-2] if transpose_b else b_shape[-1]
        from minitf.ops.elementwise import broadcast_static
        return broadcast_static("BatchMatMulV2", tuple(a_shape[:-2]), tuple(b_shape[:-2])) + (m, n)


def matmul(a: TensorLike, b: TensorLike, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, name: str | None = None) -> Tensor:
    """a @ b over the last two axes; leading (batch) axes broadcast."""
    transpose_a, transpose_b = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    a, b = binary_operands("MatMul", a, b)
    if a._value.dtype.kind == "b" and (transpose_a or transpose_b):  # TF's transposing path checks in Python
        raise InvalidArgumentTypeError(f"MatMul: Expected numeric or variant tensor, got dtype tf.bool "
                                       f"({list(a.shape)} @ {list(b.shape)}, transposed)", "MatMul")
    if a._value.dtype.kind == "b":
        raise InvalidArgumentError(f"MatMul: bool tensors cannot be multiplied ({list(a.shape)} @ {list(b.shape)})",
                                   "MatMul")
    if a.ndim < 2 or b.ndim < 2:
        raise InvalidArgumentError(
            f"MatMul: both inputs must have rank >= 2, got shapes {list(a.shape)} and {list(b.shape)} "
            "(use tf.expand_dims, or tf.tensordot for vectors)", "MatMul")
    inner_a = a.shape[-2] if transpose_a else a.shape[-1]
    inner_b = b.shape[-1] if transpose_b else b.shape[-2]
    if inner_a is not None and inner_b is not None and inner_a != inner_b:
        raise InvalidArgumentError(
            f"MatMul: Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: {list(b.shape)} "
            f"(transpose_a={transpose_a}, transpose_b={transpose_b}): the inner dimensions "
            f"{inner_a} and {inner_b} must be equal", "MatMul")
    op = MatMul if a.ndim == 2 and b.ndim == 2 else BatchMatMulV2
    return op.apply(a, b, transpose_a=transpose_a, transpose_b=transpose_b)


class BatchMatMulV2(MatMul):
    """MatMul of stacks of matrices (rank > 2), leading axes broadcast; the same gradient."""

    def forward(a, b, transpose_a, transpose_b):
        return B.xp.matmul(a.swapaxes(-1, -2) if transpose_a else a, b.swapaxes(-1, -2) if transpose_b else b)

    @classmethod
    def invalid(cls, inputs, attrs, error):
        a, b = inputs
        return InvalidArgumentError(
            f"BatchMatMulV2: batch dimensions of {list(a.shape)} and {list(b.shape)} do not broadcast", cls.name)


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
        if not 0 <= axes <= min(a.ndim, b.ndim):
            raise ValueError(f"Tensordot: 'axes' must be at least 0 and not larger than the number of dimensions "
                             f"of the tensors: got axes={axes} for a {list(a.shape)} and b {list(b.shape)}")
        a_axes, b_axes = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        a_axes, b_axes = ([axes[0]] if isinstance(axes[0], int) else list(axes[0]),
                          [axes[1]] if isinstance(axes[1], int) else list(axes[1]))
    for t, t_axes, which in ((a, a_axes, "a"), (b, b_axes, "b")):
        if any(not -t.ndim <= i < t.ndim for i in t_axes):
            raise IndexError(f"Tensordot: axes {t_axes} are out of range for {which} of shape {list(t.shape)}")
    a_axes = [x % a.ndim for x in a_axes]
    b_axes = [x % b.ndim for x in b_axes]
    # As TF, only the contracted sizes' products must agree (the matmul below): TF does not compare
    # the axes one by one, so (3, 2) against (2, 3) contracts as 6 against 6.
    if math.prod(a.shape[i] for i in a_axes) != math.prod(b.shape[i] for i in b_axes):
        raise InvalidArgumentError(
            f"Tensordot: contracted dimensions differ: a{list(a.shape)} axes {a_axes} vs "
            f"b{list(b.shape)} axes {b_axes}", "Tensordot")
    a_free = [i for i in range(a.ndim) if i not in a_axes]
    b_free = [i for i in range(b.ndim) if i not in b_axes]
    k = math.prod(a.shape[i] for i in a_axes)
    a_rest, b_rest = [a.shape[i] for i in a_free], [b.shape[i] for i in b_free]
    a2 = shape_ops.reshape(shape_ops.transpose(a, a_free + a_axes), (_size(a_rest), k))
    b2 = shape_ops.reshape(shape_ops.transpose(b, b_axes + b_free), (k, _size(b_rest)))
    return shape_ops.reshape(matmul(a2, b2), [-1 if d is None else d for d in a_rest + b_rest])


def _size(dims: list) -> int:
    """The number of elements of these dims; -1 (reshape's "the rest") where one is unknown (traced)."""
    return -1 if None in dims else math.prod(dims)


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
    if xs and xs[0]._value.dtype.kind == "b":  # TF looks for a kernel before comparing dtypes
        raise NotFoundError("Einsum: no kernel for bool tensors (TF has none either); cast them first, "
                            "e.g. tf.cast(x, tf.int32)", "Einsum")
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
    sizes: dict[str, int] = {}
    for s, x in zip(specs, xs):
        if len(s) != x.ndim:
            raise InvalidArgumentError(f"Einsum: {s!r} has {len(s)} letters for an operand of shape {list(x.shape)}", "Einsum")
        for letter, size in zip(s, x.shape):
            if letter in _SPARE or size is None:  # "..." dimensions broadcast; a traced size may be unknown
                continue
            if sizes.setdefault(letter, size) != size:
                raise InvalidArgumentError(f"Einsum: letter {letter!r} stands for size {sizes[letter]} and for size {size} "
                                           f"(operands of shapes {[list(t.shape) for t in xs]}, equation {equation!r})",
                                           "Einsum")
    full = ",".join(specs) + "->" + rhs
    return Einsum.apply(*xs, equation=full)


class Einsum(Op):
    """Einstein summation over one or two operands with explicit letters.

    Gradient of operand i: the same contraction with dy in place of operand i, aimed at
    operand i's letters, e.g. for "ij,jk->ik": dA = einsum("ik,jk->ij", dy, B). Letters that
    appear only in operand i were summed away; their gradient is dy broadcast back along them.
    Two operands are multiplied as one batched matmul where the letters allow (``_einsum_as_matmul``).
    """

    view = True  # NumPy's einsum may return a view of its input ("ij->ji")

    def forward(*xs, equation):
        if len(xs) == 2:
            product = _einsum_as_matmul(equation, *xs)
            if product is not None:
                return product
        return B.xp.einsum(equation, *xs)

    def shape(*shapes, equation):
        lhs, rhs = equation.split("->")
        sizes: dict[str, list] = {}
        for spec, shape in zip(lhs.split(","), shapes):
            for letter, size in zip(spec, shape):
                sizes.setdefault(letter, []).append(size)

        def size_of(letter):  # a known size other than 1 wins (a "..." axis of size 1 broadcasts)
            known = [d for d in sizes[letter] if d is not None]
            return next((d for d in known if d != 1), None if None in sizes[letter] else 1)
        return tuple(size_of(letter) for letter in rhs)

    def backward(ctx, dy):
        lhs, rhs = ctx.equation.split("->")
        specs = lhs.split(",")
        xs = ctx.inputs
        grads = []
        for i, (spec, x) in enumerate(zip(specs, xs)):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
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
            grads.append(unbroadcast(g, x))
        return tuple(grads)

    @classmethod
    def invalid(cls, inputs, attrs, error):
        return InvalidArgumentError(f"Einsum: {attrs['equation']!r} does not fit shapes "
                                    f"{[list(x.shape) for x in inputs]}: {error}", "Einsum")


_SPARE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_as_matmul(equation: str, a, b):
    """A two-operand einsum as one batched matmul, as TF's Einsum kernel computes it (and fast: BLAS).

    The letters of a and b sort into batch (in a, b and the output), contracted (in a and b only),
    and free ones (in one operand and the output). a goes to (batch, a_free, contracted), b to
    (batch, contracted, b_free); their matmul (batch, a_free, b_free) is then arranged as the output.
    None (NumPy's einsum then) when a letter repeats within an operand, appears in one operand only
    without reaching the output (a sum first), or a batch size broadcasts ("..." of size 1).
    """
    lhs, out = equation.split("->")
    sa, sb = lhs.split(",")
    if len(set(sa)) != len(sa) or len(set(sb)) != len(sb) or len(set(out)) != len(out):
        return None
    if any(c not in sb and c not in out for c in sa) or any(c not in sa and c not in out for c in sb):
        return None
    size = {c: d for c, d in zip(sa, a.shape)}
    if any(c in size and size[c] != d for c, d in zip(sb, b.shape)):
        return None
    size.update(zip(sb, b.shape))
    batch = [c for c in out if c in sa and c in sb]
    contracted = [c for c in sa if c in sb and c not in out]
    a_free = [c for c in out if c in sa and c not in sb]
    b_free = [c for c in out if c in sb and c not in sa]
    xp = B.xp
    nb, na, nk, nf = (math.prod(size[c] for c in group) for group in (batch, a_free, contracted, b_free))
    a3 = xp.transpose(a, [sa.index(c) for c in batch + a_free + contracted]).reshape(nb, na, nk)
    b3 = xp.transpose(b, [sb.index(c) for c in batch + contracted + b_free]).reshape(nb, nk, nf)
    product = xp.matmul(a3, b3).reshape([size[c] for c in batch + a_free + b_free])
    order = batch + a_free + b_free
    return xp.transpose(product, [order.index(c) for c in out])


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


def matvec(a: TensorLike, b: TensorLike, transpose_a: bool = False, adjoint_a: bool = False,
           a_is_sparse: bool = False, b_is_sparse: bool = False, name: str | None = None) -> Tensor:
    """A matrix times a vector, A b (batched): matmul(a, b as a column), the column dropped again."""
    b = convert_to_tensor(b)
    product = matmul(a, shape_ops.expand_dims(b, -1), transpose_a=transpose_a or adjoint_a)
    return shape_ops.squeeze(product, axis=-1)


def adjoint(matrix: TensorLike, name: str | None = None) -> Tensor:
    """The conjugate transpose of the last two axes: for real matrices, the transpose."""
    return matrix_transpose(matrix)


def cross(a: TensorLike, b: TensorLike, name: str | None = None) -> Tensor:
    """The cross product of 3-vectors (last axis), a x b = (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0),
    written with slices, so that its gradient is theirs: d(a x b) = da x b + a x db."""
    from minitf.ops import elementwise as E
    a, b = binary_operands("Cross", a, b)
    if tuple(a.shape) != tuple(b.shape):
        raise InvalidArgumentError(f"Cross: a and b must have the same shape, got {list(a.shape)} and "
                                   f"{list(b.shape)}", "Cross")
    if a.shape[-1:] != (3,):
        raise FailedPreconditionError(f"Cross: the cross product needs vectors of 3 (the last dimension), got "
                                      f"shape {list(a.shape)}", "Cross")
    a0, a1, a2 = shape_ops.unstack(a, axis=-1)
    b0, b1, b2 = shape_ops.unstack(b, axis=-1)
    return shape_ops.stack([E.subtract(a1 * b2, a2 * b1), E.subtract(a2 * b0, a0 * b2), E.subtract(a0 * b1, a1 * b0)],
                           axis=-1)
