"""One table of differentiable ops, shared by the gradient checks and the TF parity tests.

Each row is ``OpSpec(name, fn, inputs)``:

- ``name``: the op's path under TF (``"math.erf"`` is ``tf.math.erf``); the test id.
- ``fn(tf, *arrays, **params)``: the op written as a function of the framework
  module, so the same row runs under ``minitf`` (gradcheck) and ``tensorflow`` (parity).
  It returns ONE tensor (ops with several outputs are joined with ``flat_concat``).
- ``inputs``: a hypothesis strategy drawing a ``Case``: the float arrays to
  differentiate (float64, C order), how each is laid out in memory when handed to
  the op (``"C"``, or a non-contiguous ``"T"``ransposed / ``"strided"`` / ``"reversed"``
  view), and the non-differentiable ``params`` (axes, indices, masks, flags).

Adding an op to both suites is one line in ``SPECS``. Inputs are drawn away from the
kinks where the one-sided derivatives differ (0 for abs/relu, ties for max/sort,
integer ratios for mod), so finite differences and TF agree with the analytic value.
Shapes are small (<= 4 dims, <= 5 per dim, <= 64 elements) to keep the suites fast.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIZE = 64  # elements per drawn array: gradcheck costs two forward passes per element


def tensor_array_rows(tf, x, order):
    """The rows of ``x`` (rank >= 1) written into a growing TensorArray in ``order`` (a permutation
    of the row indices), then stacked and joined with two rows gathered and one read."""
    ta = tf.TensorArray(x.dtype, size=0, dynamic_size=True)
    for i in order:
        ta = ta.write(int(i), x[int(i)])
    stacked = ta.stack()  # before the read: an eager read clears its element (TF's clear_after_read)
    picked = ta.gather([int(order[0]), int(order[-1])])
    read = ta.read(int(order[-1]))
    return tf.concat([tf.reshape(stacked, [-1]), tf.reshape(picked, [-1]), tf.reshape(read, [-1])], 0)


@st.composite
def tensor_array_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=4))
    order = np.asarray(draw(st.permutations(range(shape[0]))), dtype=np.int64)
    return draw(make_case([draw(array(shape))], {"order": order}))


def cubed_with_custom_gradient(tf):
    """x**3 with its gradient written by hand through tf.custom_gradient (3 x**2 dy)."""
    @tf.custom_gradient
    def cubed(x):
        def backward(dy):
            return dy * 3.0 * x * x
        return x * x * x, backward
    return cubed


def reshape_to_a_traced_shape(tf, x, shape):
    """tf.reshape inside tf.function to a shape the trace knows only as a tensor (computed there:
    TF's Reshape with a shape input, minitf's ReshapeToTensor)."""
    @tf.function
    def reshaped(x):
        return tf.reshape(x, tf.constant(shape, tf.int32) + 0 * tf.rank(x))
    return reshaped(x)


# --- what a strategy draws ---------------------------------------------------------------
@dataclass
class Case:
    arrays: tuple  # float64 C-ordered arrays: the differentiable inputs
    layouts: tuple  # per array: "C", "T", "strided" or "reversed"
    params: dict = field(default_factory=dict)

    def views(self, dtype=np.float64) -> list:
        """The arrays cast to ``dtype`` and laid out as drawn (non-contiguous views)."""
        return [as_layout(a.astype(dtype), lay) for a, lay in zip(self.arrays, self.layouts)]

    def __repr__(self) -> str:  # hypothesis prints this on failure
        shapes = [f"{a.shape}/{lay}" for a, lay in zip(self.arrays, self.layouts)]
        return f"Case(shapes={shapes}, params={self.params}, arrays={[a.tolist() for a in self.arrays]})"


@dataclass(frozen=True)
class OpSpec:
    name: str
    fn: Callable[..., Any]
    inputs: st.SearchStrategy
    # gradcheck (float64) settings; parity tolerances (float32) for forward and gradient
    gradcheck: dict = field(default_factory=dict)
    rtol: float = 1e-5
    atol: float = 1e-6
    why: str = ""  # why a tolerance is looser than rtol 1e-5 / atol 1e-6
    # why the second derivative is not the true one (as in TF), so it is not gradchecked
    first_order_only: str = ""
    # why TF has no float16 kernel for the op (then both refuse float16, checked apart)
    no_float16: str = ""
    # why TF has a float16 kernel for the op but none for its gradient (float16: values compared,
    # and both must refuse to differentiate)
    no_float16_gradient: str = ""
    # why TF has no float64 kernel where minitf computes one (the float64 parity test then checks
    # that TF still refuses; minitf's float64 is what its gradcheck runs on)
    tf_refuses_float64: str = ""

    def __repr__(self) -> str:
        return self.name


# --- memory layouts: the same values, not C-contiguous ----------------------------------------
LAYOUTS = ("C", "T", "strided", "reversed")


def as_layout(a: np.ndarray, layout: str) -> np.ndarray:
    """A view holding ``a``'s values in the given layout (NumPy only; for passing arrays in)."""
    if a.ndim == 0 or layout == "C":
        return a
    if layout == "T":
        return np.ascontiguousarray(a.T).T  # Fortran order
    if layout == "strided":
        buffer = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
        buffer[..., ::2] = a
        return buffer[..., ::2]
    if layout == "reversed":
        return np.ascontiguousarray(a[..., ::-1])[..., ::-1]
    raise ValueError(layout)


def layout_base(a: np.ndarray, layout: str) -> np.ndarray:
    """The contiguous array that ``layout_view`` turns into ``a`` (what gradcheck perturbs)."""
    if a.ndim == 0 or layout == "C":
        return a
    if layout == "T":
        return np.ascontiguousarray(a.T)
    if layout == "strided":
        buffer = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
        buffer[..., ::2] = a
        return buffer
    return np.ascontiguousarray(a[..., ::-1])


def layout_view(tf, t, layout: str):
    """``t`` (a tensor made from ``layout_base``) as a non-contiguous view, through recorded ops."""
    if t.ndim == 0 or layout == "C":
        return t
    if layout == "T":
        return tf.transpose(t)
    if layout == "strided":
        return t[..., ::2]
    return t[..., ::-1]


# --- element strategies --------------------------------------------------------------------
def floats(lo: float, hi: float) -> st.SearchStrategy:
    """Finite floats in [lo, hi]; magnitudes below 1e-30 become 0 (float32 denormals, which TF flushes to 0)."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False).map(
        lambda v: 0.0 if abs(v) < 1e-30 else v)


REAL = floats(-2, 2)
WIDE = floats(-3, 3)
POSITIVE = floats(0.2, 3)
NONZERO = floats(0.2, 2) | floats(-2, -0.2)  # away from the kink of abs, relu, sign ...
UNIT = floats(0.5, 1.5) | floats(-1.5, -0.5)  # for products: neither 0 nor overflow
BETWEEN_POLES = floats(0.1, 4) | floats(-2.85, -2.15) | floats(-0.85, -0.15)  # Gamma's poles: 0, -1, -2 ...


def avoid(*points: float, gap: float = 0.05, lo: float = -8, hi: float = 8) -> st.SearchStrategy:
    """Floats in [lo, hi] at least ``gap`` from each of ``points`` (kinks)."""
    return floats(lo, hi).filter(lambda v: all(abs(v - p) > gap for p in points))


def clear_of_clip(case: "Case", clip: float, axis=None, gap: float = 1e-3) -> bool:
    """True when no norm that a clip compares with ``clip`` lies within ``gap`` of it: each array's
    norm over ``axis`` (all axes for None), or with ``axis="global"`` the one norm of all the arrays.
    The clipped value's gradient has a kink where a norm equals the clip norm (e.g. a = b = 0.99999
    against sqrt(2) * 0.99999...), and finite differences there straddle it."""
    if axis == "global":
        norms = [np.sqrt(sum(float(np.sum(a * a)) for a in case.arrays))]
    else:
        norms = [np.sqrt(np.sum(a * a, axis=axis)) for a in case.arrays]
    return all(np.all(np.abs(np.asarray(n) - clip) > gap) for n in norms)


# --- shape strategies ---------------------------------------------------------------------
@st.composite
def shapes(draw, min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 5,
           max_size: int = MAX_SIZE) -> tuple:
    ndim = draw(st.integers(min_dims, max_dims))
    shape, size = [], 1
    for _ in range(ndim):
        side = draw(st.integers(min_side, max(min_side, min(max_side, max_size // size))))
        shape.append(side)
        size *= side
    return tuple(shape)


@st.composite
def broadcastable(draw, shape: tuple, allow_fewer_dims: bool = True) -> tuple:
    """A shape that broadcasts to ``shape``: leading dims dropped, some dims set to 1."""
    drop = draw(st.integers(0, len(shape))) if allow_fewer_dims else 0
    return tuple(1 if draw(st.integers(0, 2)) == 0 else n for n in shape[drop:])


@st.composite
def broadcast_shapes(draw, n: int = 2, min_dims: int = 0, max_dims: int = 4) -> list:
    """``n`` mutually broadcastable shapes (their broadcast has <= 64 elements)."""
    full = draw(shapes(min_dims, max_dims))
    out = [draw(broadcastable(full)) for _ in range(n)]
    if draw(st.booleans()):
        out[draw(st.integers(0, n - 1))] = full  # often one operand has the full shape
    return out


def array(shape, elements=REAL) -> st.SearchStrategy:
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def distinct(draw, shape: tuple, spread: float = 4.0) -> np.ndarray:
    """Values that are pairwise at least ~0.06 apart (no ties for max/min/sort/top_k)."""
    size = int(np.prod(shape, dtype=np.int64))
    order = np.asarray(draw(st.permutations(range(size))), dtype=np.float64)
    step = min(0.5, spread / max(size, 1))
    offset = draw(floats(-1, 1))
    return ((order - size / 2) * step + offset).reshape(shape)


# --- Case builders -----------------------------------------------------------------------------
@st.composite
def make_case(draw, arrays: list, params: dict | None = None) -> Case:
    layouts = tuple(draw(st.sampled_from(LAYOUTS)) if a.ndim else "C" for a in arrays)
    return Case(tuple(np.array(a, dtype=np.float64, order="C") for a in arrays), layouts, params or {})


@st.composite
def unary(draw, elements=REAL, min_dims: int = 0, max_dims: int = 4, **params) -> Case:
    x = draw(array(draw(shapes(min_dims, max_dims)), elements))
    return draw(make_case([x], {k: draw(v) for k, v in params.items()}))


@st.composite
def binary(draw, x_elements=REAL, y_elements=REAL) -> Case:
    sx, sy = draw(broadcast_shapes(2))
    return draw(make_case([draw(array(sx, x_elements)), draw(array(sy, y_elements))]))


@st.composite
def axis_for(draw, ndim: int, allow_none: bool = True, allow_list: bool = True):
    """None, an int (maybe negative) or a list of distinct axes of a rank-``ndim`` tensor."""
    if ndim == 0:
        return None
    kinds = ["int"] + (["none"] if allow_none else []) + (["list"] if allow_list else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return [a - ndim if draw(st.booleans()) else a for a in axes]


@st.composite
def reduction(draw, values="real", min_dims: int = 0, need_two: bool = False) -> Case:
    """x, axis, keepdims for a reduction. ``need_two``: at least 2 elements reduced (std)."""
    shape = draw(shapes(max(min_dims, 1 if need_two else 0)))
    if need_two:
        shape = tuple(max(n, 2) for n in shape)
    x = draw(distinct(shape)) if values == "distinct" else draw(array(shape, UNIT if values == "unit" else REAL))
    axis = draw(axis_for(len(shape)))
    return draw(make_case([x], {"axis": axis, "keepdims": draw(st.booleans())}))


@st.composite
def clip_tensors_case(draw) -> Case:
    """t and tensor bounds lo < hi that broadcast to t's shape; t on a quarter grid, bounds on halves (no ties)."""
    full = draw(shapes())
    t = draw(array(full, st.integers(-5, 4).map(lambda k: (k + 0.5) * 0.5)))
    lo = draw(array(draw(broadcastable(full)), st.sampled_from([-1.5, -1.0, -0.5])))
    hi = draw(array(draw(broadcastable(full)), st.sampled_from([0.5, 1.0, 1.5])))
    return draw(make_case([t, lo, hi]))


def flat_concat(tf, parts) -> Any:
    """Several outputs as one vector (gradcheck and parity compare one tensor)."""
    return tf.concat([tf.reshape(p, [-1]) for p in parts], 0)


# --- strategies for ops with structure ---------------------------------------------------------------
@st.composite
def mod_case(draw) -> Case:
    """x = y * (k + f), f in [0.1, 0.9]: x / y is never near an integer (where mod jumps)."""
    full = draw(shapes(0, 3))
    sy = draw(broadcastable(full))
    y = draw(array(sy, floats(0.5, 2) | floats(-2, -0.5)))
    ratio = draw(array(full, st.integers(-2, 2).map(float))) + draw(array(full, floats(0.1, 0.9)))
    return draw(make_case([np.broadcast_to(y, full) * ratio, y]))


@st.composite
def separated_pair(draw) -> Case:
    """x on the grid 0.5k, y on 0.5k + 0.25: never tied (for maximum/minimum)."""
    sx, sy = draw(broadcast_shapes(2))
    grid = st.integers(-4, 4).map(lambda k: 0.5 * k)
    x, y = draw(array(sx, grid)), draw(array(sy, grid)) + 0.25
    return draw(make_case([x, y]))


@st.composite
def where_case(draw) -> Case:
    sc, sx, sy = draw(broadcast_shapes(3))
    cond = draw(hnp.arrays(np.bool_, sc))
    return draw(make_case([draw(array(sx)), draw(array(sy))], {"condition": cond}))


@st.composite
def matmul_case(draw) -> Case:
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch_a, batch_b = draw(broadcast_shapes(2, 0, 2))
    ta, tb = draw(st.booleans()), draw(st.booleans())
    a = draw(array(tuple(batch_a) + ((k, n) if ta else (n, k))))
    b = draw(array(tuple(batch_b) + ((m, k) if tb else (k, m))))
    return draw(make_case([a, b], {"transpose_a": ta, "transpose_b": tb}))


@st.composite
def tensordot_case(draw) -> Case:
    sa = draw(shapes(1, 3, max_side=4))
    n = draw(st.integers(0, len(sa)))
    if draw(st.booleans()):  # axes as an int: a's last n with b's first n
        sb = tuple(sa[len(sa) - n:]) + draw(shapes(0, 3 - n, max_side=4))
        axes = n
    else:  # axes as two lists
        a_axes = draw(st.permutations(range(len(sa))))[:n]
        rest = draw(shapes(0, 2, max_side=4))
        b_axes = draw(st.permutations(range(n + len(rest))))[:n]
        sb = [0] * (n + len(rest))
        free = iter(rest)
        for i in range(len(sb)):
            sb[i] = sa[a_axes[b_axes.index(i)]] if i in b_axes else next(free)
        sb, axes = tuple(sb), [list(a_axes), list(b_axes)]
    return draw(make_case([draw(array(sa)), draw(array(sb))], {"axes": axes}))


EINSUM_FORMS = ("ij,jk->ik", "bij,bjk->bik", "ij->ji", "ij->", "i,i->", "i,j->ij", "bi,bi->b",
                "ij,ij->ij", "ijk->ki", "bhd,bkd->bhk", "ij,j->i", "ij,jk")
ELLIPSIS_FORMS = ("...ij,...jk->...ik", "...i,...i->...", "...ij->...ji")
# MultiHeadAttention's: projection to heads, key . query scores, scores times value, heads back
ATTENTION_FORMS = ("bid,dhk->bihk", "bjhd,bihd->bhij", "bhij,bjhd->bihd", "bihd,hdk->bik", "bihd,bjhd->bhij")


@st.composite
def einsum_case(draw, forms=EINSUM_FORMS) -> Case:
    equation = draw(st.sampled_from(forms))
    sizes = {c: draw(st.integers(1, 4)) for c in "bhdijk"}
    lhs = equation.split("->")[0].split(",")
    batch = draw(broadcast_shapes(len(lhs), 0, 2)) if "..." in equation else [()] * len(lhs)
    arrays = []
    for spec, extra in zip(lhs, batch):
        letters = spec.replace("...", "")
        arrays.append(draw(array(tuple(extra) + tuple(sizes[c] for c in letters))))
    return draw(make_case(arrays, {"equation": equation}))


@st.composite
def cumulative(draw, elements=REAL) -> Case:
    shape = draw(shapes(1))
    return draw(make_case([draw(array(shape, elements))],
                          {"axis": draw(st.integers(-len(shape), len(shape) - 1)),
                           "exclusive": draw(st.booleans()), "reverse": draw(st.booleans())}))


@st.composite
def reshape_case(draw) -> Case:
    shape = draw(shapes())
    size = int(np.prod(shape, dtype=np.int64))
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    d = draw(st.sampled_from(divisors))
    target = draw(st.sampled_from([(-1,), (size,), (d, -1), (-1, d, 1), tuple(reversed(shape)), (1,) + shape]))
    return draw(make_case([draw(array(shape))], {"shape": list(target)}))


@st.composite
def transpose_case(draw) -> Case:
    shape = draw(shapes(1))
    return draw(make_case([draw(array(shape))], {"perm": list(draw(st.permutations(range(len(shape)))))}))


@st.composite
def squeeze_case(draw) -> Case:
    shape = draw(shapes(1))
    shape = tuple(1 if draw(st.integers(0, 2)) == 0 else n for n in shape)
    ones = [i for i, n in enumerate(shape) if n == 1]
    axis = None if not ones or draw(st.booleans()) else draw(st.sampled_from(ones)) - (len(shape) if draw(st.booleans()) else 0)
    return draw(make_case([draw(array(shape))], {"axis": axis}))


@st.composite
def broadcast_to_case(draw) -> Case:
    full = draw(shapes(0, 4))
    return draw(make_case([draw(array(draw(broadcastable(full))))], {"shape": list(full)}))


@st.composite
def join_case(draw, new_axis: bool) -> Case:
    """1-3 arrays for concat (sizes differ along axis) or stack (same shapes)."""
    shape = list(draw(shapes(0 if new_axis else 1, 3, max_side=4)))
    count = draw(st.integers(1, 3))
    ndim = len(shape) + (1 if new_axis else 0)
    axis = draw(st.integers(-ndim, ndim - 1))
    arrays = []
    for _ in range(count):
        if not new_axis:
            shape[axis] = draw(st.integers(1, 3))
        arrays.append(draw(array(tuple(shape))))
    return draw(make_case(arrays, {"axis": axis}))


@st.composite
def split_case(draw) -> Case:
    shape = draw(shapes(1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    if draw(st.booleans()):
        splits = draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        splits = [b - a for a, b in zip([0] + cuts, cuts + [n])]
        if len(splits) > 1 and draw(st.booleans()):  # TF refuses a lone -1
            splits[draw(st.integers(0, len(splits) - 1))] = -1
    return draw(make_case([draw(array(shape))], {"num_or_size_splits": splits, "axis": axis}))


@st.composite
def tile_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=4, max_size=16))
    return draw(make_case([draw(array(shape))], {"multiples": [draw(st.integers(1, 2)) for _ in shape]}))


@st.composite
def pad_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=4))
    mode = draw(st.sampled_from(["CONSTANT", "REFLECT", "SYMMETRIC"]))
    most = {"CONSTANT": 2, "REFLECT": None, "SYMMETRIC": None}[mode]
    paddings = []
    for n in shape:
        limit = most if most is not None else min(2, n - 1 if mode == "REFLECT" else n)
        paddings.append([draw(st.integers(0, limit)), draw(st.integers(0, limit))])
    params = {"paddings": paddings, "mode": mode}
    if mode == "CONSTANT":
        params["constant_values"] = draw(st.sampled_from([0.0, 0.5]))
    return draw(make_case([draw(array(shape))], params))


@st.composite
def roll_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=4))
    axes = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=3))
    return draw(make_case([draw(array(shape))], {"shift": [draw(st.integers(-5, 5)) for _ in axes], "axis": axes}))


@st.composite
def repeat_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=4, max_size=16))
    axis = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    slices = int(np.prod(shape)) if axis is None else shape[axis]
    repeats = draw(st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), min_size=slices, max_size=slices)))
    return draw(make_case([draw(array(shape))], {"repeats": repeats, "axis": axis}))


@st.composite
def meshgrid_case(draw) -> Case:
    vectors = [draw(array((draw(st.integers(1, 4)),))) for _ in range(draw(st.integers(1, 3)))]
    return draw(make_case(vectors, {"indexing": draw(st.sampled_from(["xy", "ij"]))}))


@st.composite
def reverse_case(draw) -> Case:
    shape = draw(shapes(1))
    axes = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True))
    return draw(make_case([draw(array(shape))], {"axis": [a - len(shape) if draw(st.booleans()) else a for a in axes]}))


@st.composite
def slice_key(draw, shape: tuple) -> tuple:
    """A TF strided-slice key: ints, slices (negative steps too), newaxis and maybe one Ellipsis.

    The Ellipsis, when there is one, stands for the dims between the keys before it and after it.
    """
    def keys_for(dims):
        out = []
        for n in dims:
            kind = draw(st.sampled_from(["int", "slice", "slice", "full"]))
            if kind == "int":
                out.append(draw(st.integers(-n, n - 1)))
            elif kind == "full":
                out.append(slice(None))
            else:
                step = draw(st.sampled_from([None, 1, 2, -1, -2]))
                out.append(slice(draw(st.none() | st.integers(-n - 1, n)), draw(st.none() | st.integers(-n - 1, n)), step))
            if draw(st.integers(0, 4)) == 0:
                out.append(None)  # tf.newaxis
        return out

    dims = list(shape)
    if draw(st.booleans()):
        return tuple(keys_for(dims[:draw(st.integers(0, len(dims)))]))  # trailing dims implied
    head = draw(st.integers(0, len(dims)))
    tail = draw(st.integers(head, len(dims)))
    return tuple(keys_for(dims[:head]) + [Ellipsis] + keys_for(dims[tail:]))


@st.composite
def getitem_case(draw) -> Case:
    shape = draw(shapes(1))
    return draw(make_case([draw(array(shape))], {"key": draw(slice_key(shape))}))


@st.composite
def gather_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=4))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    indices = draw(hnp.arrays(np.int32, draw(shapes(0, 2, max_side=4)), elements=st.integers(0, shape[axis] - 1)))
    return draw(make_case([draw(array(shape))], {"indices": indices, "axis": axis}))


@st.composite
def gather_nd_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=4))
    depth = draw(st.integers(1, len(shape)))
    lead = draw(shapes(1, 2, max_side=4))
    columns = [draw(hnp.arrays(np.int32, lead, elements=st.integers(0, shape[i] - 1))) for i in range(depth)]
    return draw(make_case([draw(array(shape))], {"indices": np.stack(columns, axis=-1)}))


@st.composite
def slice_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=4))
    begin = [draw(st.integers(0, n - 1)) for n in shape]
    size = [draw(st.sampled_from([-1, draw(st.integers(1, n - b))])) for b, n in zip(begin, shape)]
    return draw(make_case([draw(array(shape))], {"begin": begin, "size": size}))


@st.composite
def strided_slice_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=5))
    begin, end, strides = [], [], []
    for n in shape:
        step = draw(st.sampled_from([1, 2, -1]))
        begin.append(draw(st.integers(-n, n - 1)))
        end.append(draw(st.integers(-n - 1, n)))
        strides.append(step)
    masks = {k: draw(st.integers(0, 2 ** len(shape) - 1)) for k in ("begin_mask", "end_mask")}
    # shrinking an axis needs begin to be a valid index there (always true above)
    masks["shrink_axis_mask"] = draw(st.integers(0, 2 ** len(shape) - 1)) & ~(masks["begin_mask"])
    strides = [1 if masks["shrink_axis_mask"] >> i & 1 else s for i, s in enumerate(strides)]  # TF's rule
    return draw(make_case([draw(array(shape))], {"begin": begin, "end": end, "strides": strides, **masks}))


@st.composite
def gather_batch_case(draw) -> Case:
    shape = draw(shapes(2, 4, max_side=3))
    batch_dims = draw(st.integers(1, len(shape) - 1))
    axis = draw(st.integers(batch_dims, len(shape) - 1))
    inner = draw(shapes(0, 2, max_side=3))
    indices = draw(hnp.arrays(np.int32, tuple(shape[:batch_dims]) + inner, elements=st.integers(0, shape[axis] - 1)))
    return draw(make_case([draw(array(shape))], {"indices": indices, "axis": axis, "batch_dims": batch_dims}))


@st.composite
def scatter_case(draw, unique: bool, two_inputs: bool = True, values="real") -> Case:
    """(tensor, updates) or (updates,) with ``indices`` into the tensor's first d axes."""
    shape = draw(shapes(1, 3, max_side=4))
    depth = draw(st.integers(1, len(shape)))
    cells = [tuple(c) for c in np.ndindex(*shape[:depth])]
    rows = draw(st.lists(st.sampled_from(cells), min_size=1, max_size=6, unique=unique))
    indices = np.array(rows, dtype=np.int32).reshape(len(rows), depth)
    update_shape = (len(rows),) + tuple(shape[depth:])
    if values == "distinct":  # no ties between the tensor and its updates (min/max)
        both = draw(distinct((int(np.prod(shape)) + int(np.prod(update_shape)),)))
        tensor, updates = both[:int(np.prod(shape))].reshape(shape), both[int(np.prod(shape)):].reshape(update_shape)
    else:
        tensor, updates = draw(array(shape)), draw(array(update_shape))
    arrays = [tensor, updates] if two_inputs else [updates]
    params = {"indices": indices} if two_inputs else {"indices": indices, "shape": list(shape)}
    return draw(make_case(arrays, params))


@st.composite
def matrix_case(draw, diagonal: bool = False, vector: bool = False) -> Case:
    """A batch (0-2 axes) of R x C matrices, R and C 1-4, with a diagonal index k that fits; maybe the
    diagonal's values (``diagonal``), or a vector of C (``vector``)."""
    batch = draw(st.sampled_from([(), (2,), (2, 1)]))
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    k = draw(st.integers(-rows + 1, cols - 1))
    arrays = [draw(array(batch + (rows, cols)))]
    if diagonal:
        arrays.append(draw(array(batch + (min(rows + min(k, 0), cols - max(k, 0)),))))
    if vector:
        arrays.append(draw(array(batch + (cols,))))
    return draw(make_case(arrays, {"k": k, "lower": draw(st.integers(-1, rows)), "upper": draw(st.integers(-1, cols))}))


@st.composite
def diagonal_case(draw) -> Case:
    """A batch of diagonals of 1-4, a k, and maybe a larger matrix than the smallest that holds them."""
    d = draw(array(draw(st.sampled_from([(), (2,), (2, 1)])) + (draw(st.integers(1, 4)),)))
    k = draw(st.integers(-3, 3))
    rows, cols = d.shape[-1] + max(-k, 0), d.shape[-1] + max(k, 0)
    grow = draw(st.sampled_from(["square", "rows", "cols"]))  # TF: one side at its minimum
    extra = draw(st.integers(0, 2))
    num_rows, num_cols = {"square": (-1, -1), "rows": (rows + extra, cols), "cols": (rows, cols + extra)}[grow]
    return draw(make_case([d], {"k": k, "num_rows": num_rows, "num_cols": num_cols}))


@st.composite
def image_case(draw, colours: bool = False, min_side: int = 1) -> Case:
    """An image (h, w, c) or a batch of 2, sides ``min_side``-5; ``colours``: 3 channels with values in
    [0.1, 0.9], all pairwise apart (no tied channels, whose hue and saturation have one-sided derivatives)."""
    shape = draw(st.sampled_from([(), (2,)])) + (draw(st.integers(min_side, 5)), draw(st.integers(min_side, 5)))
    shape += (3,) if colours else (draw(st.integers(1, 3)),)
    if colours:
        values = draw(distinct(shape))
        values = 0.1 + 0.8 * (values - values.min()) / max(np.ptp(values), 1e-9)
        return draw(make_case([values]))
    return draw(make_case([draw(array(shape, POSITIVE))], {"k": draw(st.integers(-5, 5)),
                                                           "fraction": draw(st.sampled_from([0.3, 0.5, 0.75, 1.0])),
                                                           "size": (draw(st.integers(1, 7)), draw(st.integers(1, 7)))}))


def off_the_grid(case: Case) -> Case:
    """The case's first array moved by an irrational step per element: drawn values on a grid (0, 0.5 ...)
    would put sparsemax's x - tau exactly on the kink of its max(., 0)."""
    x = case.arrays[0]
    moved = x + np.sqrt(2) / 100 * np.arange(x.size).reshape(x.shape)
    return Case((moved,) + case.arrays[1:], case.layouts, case.params)


def batch_of(tf, image):
    """A batch of images: a single (h, w, c) image given one leading axis."""
    return tf.expand_dims(image, 0) if len(image.shape) == 3 else image


def nonempty(tf, segments):
    """The segments with 0 where one is empty (an unsorted segment max or min is then the lowest or highest float)."""
    return tf.where(tf.abs(segments) < 1e4, segments, tf.zeros_like(segments))  # (1e4: float16 holds it)


@st.composite
def segment_case(draw, sorted_ids: bool, elements=REAL, ties: bool = True) -> Case:
    """data (n, ...) with n 1-8 and segment ids: sorted from 0 (gaps allowed), or any order in -1..4 of
    data's first one or two axes (-1: dropped) with 5 segments. ``ties=False``: values pairwise apart."""
    shape = draw(shapes(1, 3, max_side=4))
    shape = (draw(st.integers(1, 8)),) + shape[1:]
    if sorted_ids:
        ids = np.cumsum(draw(st.lists(st.integers(0, 2), min_size=shape[0], max_size=shape[0])))
        ids = ids - ids[0]
    else:
        id_dims = draw(st.integers(1, len(shape)))
        ids = draw(hnp.arrays(np.int64, shape[:id_dims], elements=st.integers(-1, 4)))
    data = draw(array(shape, elements)) if ties else draw(distinct(shape))
    return draw(make_case([data], {"segment_ids": np.asarray(ids, np.int64)}))


@st.composite
def same_shape_pair(draw, x_elements=REAL, y_elements=REAL, **params) -> Case:
    shape = draw(shapes())
    return draw(make_case([draw(array(shape, x_elements)), draw(array(shape, y_elements))],
                          {k: draw(v) for k, v in params.items()}))


@st.composite
def space_to_depth_case(draw, inverse: bool = False) -> Case:
    """(N, H, W, C) with H and W multiples of the block (2 or 3), or C a multiple of block^2 (``inverse``)."""
    block = draw(st.integers(2, 3))
    n, a, b, c = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    shape = (n, a, b, c * block * block) if inverse else (n, a * block, b * block, c)
    return draw(make_case([draw(array(shape))], {"block": block}))


@st.composite
def partition_case(draw, stitch: bool = False) -> Case:
    """data (n, ...) with a partition of 0-2 per row (``stitch``: the rows split in two pieces, put back by
    a permutation of the row indices)."""
    shape = draw(shapes(1, 3, max_side=4))
    n = shape[0]
    if stitch:
        order = np.asarray(draw(st.permutations(range(n))), np.int64)
        cut = draw(st.integers(0, n))
        return draw(make_case([draw(array(shape))], {"first": order[:cut], "second": order[cut:]}))
    parts = np.asarray(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), np.int32)
    return draw(make_case([draw(array(shape))], {"partitions": parts}))


@st.composite
def reverse_sequence_case(draw) -> Case:
    shape = draw(shapes(2, 3, max_side=4))
    lengths = np.asarray([draw(st.integers(0, shape[1])) for _ in range(shape[0])], np.int64)
    return draw(make_case([draw(array(shape))], {"lengths": lengths}))


@st.composite
def cross_case(draw) -> Case:
    batch = draw(shapes(0, 2))
    return draw(make_case([draw(array(batch + (3,))), draw(array(batch + (3,)))]))


@st.composite
def bias_add_case(draw) -> Case:
    shape = draw(shapes(2, 4))
    channels_first = draw(st.booleans())
    bias = (shape[1] if channels_first else shape[-1],)
    data_format = ("NCHW" if len(shape) == 4 else "NCW" if len(shape) == 3 else "NC") if channels_first else None
    return draw(make_case([draw(array(shape)), draw(array(bias))], {"data_format": data_format}))


@st.composite
def square_case(draw, second: bool = False) -> Case:
    """A matrix (or a batch of 2) of side 1-4, maybe with a right-hand side of 1-3 columns."""
    n = draw(st.integers(1, 4))
    batch = draw(st.sampled_from([(), (2,)]))
    arrays = [draw(array(batch + (n, n)))]
    if second:
        arrays.append(draw(array(batch + (n, draw(st.integers(1, 3))))))
    return draw(make_case(arrays))


POOL3D_NO_DOUBLE = "TF's MaxPool3D and AvgPool3D take half, bfloat16 and float only"
POOL3D_NO_HALF = "TF's CPU registers MaxPool3D and AvgPool3D for float and bfloat16 only"
QR_HALF_GRADIENT = "Qr has a float16 kernel; its gradient's MatrixTriangularSolve has none"
NO_HALF_LU = "TF registers these LAPACK-based kernels for float32/64 and complex only (inverse has float16)"


def well_conditioned(tf, x):
    """x + 4 I: with |x| <= ~2 per element, no eigenvalue near 0 (inverse, solve, det stay tame)."""
    return x + 4.0 * tf.eye(x.shape[-1], dtype=x.dtype)


def positive_definite(tf, x):
    """x x^T + n I: symmetric positive definite for any x (Cholesky's domain)."""
    return tf.matmul(x, x, transpose_b=True) + x.shape[-1] * tf.eye(x.shape[-1], dtype=x.dtype)


@st.composite
def rectangular_case(draw, square: bool = False, rhs: bool = False, max_side: int = 4) -> Case:
    """A matrix (or a batch of 2) of 1-4 x 1-4, maybe with a right-hand side of 1-3 columns."""
    m = draw(st.integers(1, max_side))
    n = m if square else draw(st.integers(1, max_side))
    batch = draw(st.sampled_from([(), (2,)]))
    arrays = [draw(array(batch + (m, n)))]
    if rhs:
        arrays.append(draw(array(batch + (m, draw(st.integers(1, 3))))))
    return draw(make_case(arrays))


def spread_out(tf, x, descending: bool = False):
    """x + 20 diag(1, 2, ..., k) in x's top-left corner: with |x| <= ~2 per element (a norm <= 8 for
    4x4), the eigen- or singular values lie near 20, 40, ... at least 4 apart (Weyl), so their
    vectors are well defined and their gradients (which divide by the gaps) finite; and vector i
    lies near the unit vector e_i, so its sign can be fixed by its i-th entry. ``descending``:
    20 diag(k, ..., 1), for the SVD, whose values come largest first."""
    m, n = x.shape[-2:]
    k = min(m, n)
    corner = np.zeros((m, n))
    corner[range(k), range(k)] = 20.0 * (np.arange(k, 0, -1) if descending else np.arange(1, k + 1))
    return x + tf.constant(corner, x.dtype)


def signs_fixed(tf, vectors, k):
    """The first k columns of ``vectors`` with each column's sign made that of its i-th entry > 0
    (decompositions return vectors up to sign; TF's Eigen and NumPy's LAPACK choose differently)."""
    head = vectors[..., :k]
    return head * tf.sign(tf.linalg.diag_part(head[..., :k, :]))[..., None, :]


def qr_fixed(tf, x, full_matrices=False):
    """Q and R of a well-conditioned x with R's diagonal made positive (the unique such factors)."""
    q, r = tf.linalg.qr(spread_out(tf, x), full_matrices=full_matrices)
    k = min(x.shape[-2:])
    d = tf.sign(tf.linalg.diag_part(r))
    return flat_concat(tf, [q[..., :k] * d[..., None, :], r[..., :k, :] * d[..., :, None]])


def eigh_fixed(tf, x):
    e, v = tf.linalg.eigh(spread_out(tf, x))
    return flat_concat(tf, [e, signs_fixed(tf, v, x.shape[-1])])


def svd_fixed(tf, x, full_matrices=False):
    """s, and U and V with the signs of U's columns fixed (V's follow: u_i s_i v_i^T is what is unique)."""
    s, u, v = tf.linalg.svd(spread_out(tf, x, descending=True), full_matrices=full_matrices)
    k = min(x.shape[-2:])
    d = tf.sign(tf.linalg.diag_part(u[..., :k, :k]))[..., None, :]
    return flat_concat(tf, [s, u[..., :k] * d, v[..., :k] * d])


@st.composite
def triangular_solve_case(draw) -> Case:
    """A triangular system with batch axes that broadcast (A's or B's batch may be 1 or missing)."""
    n = draw(st.integers(1, 4))
    batch_a, batch_b = draw(st.sampled_from([((), ()), ((2,), (2,)), ((1,), (2,)), ((2,), ()), ((), (2,))]))
    a = draw(array(batch_a + (n, n)))
    b = draw(array(batch_b + (n, draw(st.integers(1, 3)))))
    return draw(make_case([a, b], {"lower": draw(st.booleans()), "adjoint": draw(st.booleans())}))


@st.composite
def lstsq_case(draw) -> Case:
    m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = draw(st.sampled_from([(), (2,)]))
    a = draw(array(batch + (m, n)))
    b = draw(array(batch + (m, draw(st.integers(1, 3)))))
    return draw(make_case([a, b], {"l2_regularizer": draw(st.sampled_from([0.0, 0.5]))}))


@st.composite
def expm_case(draw) -> Case:
    """A square matrix scaled so that each Pade degree TF picks by the l1 norm, and the scaling
    and squaring above the last, is reached."""
    case = draw(square_case())
    return Case(case.arrays, case.layouts, {"scale": draw(st.sampled_from([0.01, 0.1, 0.4, 1.0, 3.0]))})


@st.composite
def boolean_mask_case(draw) -> Case:
    shape = draw(shapes(1, 3, max_side=4))
    axis = draw(st.integers(0, len(shape) - 1))
    mask_dims = draw(st.integers(1, len(shape) - axis))
    mask = draw(hnp.arrays(np.bool_, shape[axis:axis + mask_dims]))
    return draw(make_case([draw(array(shape))], {"mask": mask, "axis": axis}))


@st.composite
def sort_case(draw) -> Case:
    shape = draw(shapes(1))
    return draw(make_case([draw(distinct(shape))], {"axis": draw(st.integers(-len(shape), len(shape) - 1)),
                                                    "direction": draw(st.sampled_from(["ASCENDING", "DESCENDING"]))}))


@st.composite
def top_k_case(draw) -> Case:
    shape = draw(shapes(1))
    return draw(make_case([draw(distinct(shape))], {"k": draw(st.integers(1, shape[-1]))}))


@st.composite
def logits_and_labels(draw, kind: str) -> Case:
    """Logits and labels of one shape (sigmoid/softmax CE) or integer labels (sparse)."""
    shape = draw(shapes(1, 3, max_side=4))
    logits = draw(array(shape, WIDE))
    if kind == "sparse":
        labels = draw(hnp.arrays(np.int32, shape[:-1], elements=st.integers(0, shape[-1] - 1)))
        return draw(make_case([logits], {"labels": labels}))
    if kind == "softmax":  # rows of probabilities (TF differentiates the labels too)
        raw = draw(array(shape, floats(0.1, 1)))
        labels = raw / raw.sum(axis=-1, keepdims=True)
    else:
        labels = draw(array(shape, floats(0, 1)))
    return draw(make_case([labels, logits]))


@st.composite
def softmax_case(draw) -> Case:
    shape = draw(shapes(1))
    return draw(make_case([draw(array(shape, WIDE))], {"axis": draw(st.integers(-len(shape), len(shape) - 1))}))


@st.composite
def l2_normalize_case(draw) -> Case:
    shape = draw(shapes(1))
    return draw(make_case([draw(array(shape, NONZERO))], {"axis": draw(axis_for(len(shape)))}))


@st.composite
def moments_case(draw) -> Case:
    shape = tuple(max(n, 2) for n in draw(shapes(1, 3)))
    axes = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    return draw(make_case([draw(distinct(shape))], {"axes": sorted(axes), "keepdims": draw(st.booleans())}))


@st.composite
def weighted_moments_case(draw) -> Case:
    """x, and positive weights of a shape that broadcasts to x's (both differentiated), with axes."""
    shape = tuple(max(n, 2) for n in draw(shapes(1, 3)))
    axes = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    weights = draw(array(draw(broadcastable(shape, allow_fewer_dims=False)), POSITIVE))
    return draw(make_case([draw(distinct(shape)), weights], {"axes": sorted(axes), "keepdims": draw(st.booleans())}))


@st.composite
def lrn_case(draw) -> Case:
    """A (batch, h, w, channels) input and LRN's depth radius, bias, alpha and beta."""
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 5)))
    return draw(make_case([draw(array(shape))], {"depth_radius": draw(st.integers(0, 3)),
                                                 "bias": draw(st.sampled_from([1.0, 2.0])),
                                                 "alpha": draw(st.sampled_from([0.5, 1e-3])),
                                                 "beta": draw(st.sampled_from([0.5, 0.75]))}))


@st.composite
def batch_norm_case(draw) -> Case:
    """x (N, ..., C) with per-channel mean, variance, offset and scale (all differentiated)."""
    shape = draw(shapes(1, 3, max_side=4))
    channel = (shape[-1],)
    arrays = [draw(array(shape)), draw(array(channel)), draw(array(channel, POSITIVE)),
              draw(array(channel)), draw(array(channel))]
    return draw(make_case(arrays, {"variance_epsilon": draw(st.sampled_from([1e-3, 0.1]))}))


@st.composite
def norm_case(draw) -> Case:
    shape = draw(shapes(1, 3))
    ord_ = draw(st.sampled_from(["euclidean", 1, np.inf]))
    axis = draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    if ord_ == np.inf:  # |x| distinct and >= 0.2 (no ties for the max, no kink at 0), random signs
        ranks = np.argsort(np.argsort(draw(distinct(shape)).ravel())).reshape(shape)  # a permutation of 0..n-1
        magnitudes = ranks * 0.25 + 0.2
        x = magnitudes * draw(array(shape, st.sampled_from([-1.0, 1.0])))
    else:
        x = draw(array(shape, NONZERO))
    return draw(make_case([x], {"ord": ord_, "axis": axis, "keepdims": draw(st.booleans())}))


@st.composite
def clip_case(draw) -> Case:
    """Values at least 0.05 from the bounds -0.5 and 0.7 (where clip's derivative jumps)."""
    return draw(make_case([draw(array(draw(shapes()), avoid(-0.5, 0.7, lo=-2, hi=2)))]))


@st.composite
def window_case(draw, spatial: int, explicit_ok: bool) -> tuple:
    """Input shape (N, *spatial, C), window size, strides and padding, all small, with a non-empty
    output. No dilations: TF's CPU kernels have no gradient for a dilated conv (dilated convs are
    checked in tests/test_conv_pool.py and parity_tests/test_conv_pool_parity.py)."""
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    size = [draw(st.integers(1, 4)) for _ in range(spatial)]
    window = [draw(st.integers(1, 3)) for _ in range(spatial)]
    strides = [draw(st.integers(1, 2)) for _ in range(spatial)]
    padding = draw(st.sampled_from(["VALID", "SAME", "EXPLICIT"] if explicit_ok else ["VALID", "SAME"]))
    if padding == "EXPLICIT":
        pads = [[draw(st.integers(0, 2)), draw(st.integers(0, 2))] for _ in range(spatial)]
        size = [max(s, k - lo - hi) for s, k, (lo, hi) in zip(size, window, pads)]
        padding = [[0, 0]] + pads + [[0, 0]]
    elif padding == "VALID":
        size = [max(s, k) for s, k in zip(size, window)]
    if n * c * int(np.prod(size)) > MAX_SIZE:
        n, c = 1, 1
    return (n, *size, c), window, strides, padding


@st.composite
def patches_case(draw) -> Case:
    """Images (N, H, W, C) with tf.image.extract_patches's sizes, strides and rates ([1, rows, cols, 1])
    and padding; windows may overlap (stride below size), skip cells (above it) or spread (rates)."""
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(2)]
    strides = [draw(st.integers(1, 3)) for _ in range(2)]
    rates = [draw(st.integers(1, 2)) for _ in range(2)]
    padding = draw(st.sampled_from(["VALID", "SAME"]))
    hw = [draw(st.integers(1, 5)) for _ in range(2)]
    if padding == "VALID":  # the spread window must fit
        hw = [max(h, (k - 1) * r + 1) for h, k, r in zip(hw, sizes, rates)]
    if n * c * int(np.prod(hw)) > MAX_SIZE:
        n, c = 1, 1
    return draw(make_case([draw(array((n, *hw, c)))], {"sizes": [1, *sizes, 1], "strides": [1, *strides, 1],
                                                      "rates": [1, *rates, 1], "padding": padding}))


def window_out_size(n: int, k: int, s: int, padding, axis: int) -> int:
    """TF's output size of a window (size k, stride s) sliding over n cells on spatial axis ``axis``."""
    if padding == "SAME":
        return -(-n // s)
    lo, hi = (0, 0) if padding == "VALID" else padding[axis + 1]
    return (n + lo + hi - k) // s + 1


@st.composite
def conv_case(draw, spatial: int = 2, transpose: bool = False) -> Case:
    """x (N, *spatial, C) and a kernel (*window, C, F); for the transpose, dy of the conv's output shape."""
    shape, window, strides, padding = draw(window_case(spatial, explicit_ok=spatial == 2))
    w = draw(array(tuple(window) + (shape[-1], draw(st.integers(1, 3)))))
    if transpose:
        out = [window_out_size(n, k, s, padding, i) for i, (n, k, s) in enumerate(zip(shape[1:-1], window, strides))]
        dy = draw(array((shape[0], *out, w.shape[-1])))
        return draw(make_case([dy, w], {"output_shape": list(shape), "strides": strides, "padding": padding}))
    params = {"stride": strides[0]} if spatial == 1 else {"strides": strides}
    return draw(make_case([draw(array(shape)), w], dict(params, padding=padding)))


@st.composite
def pool_case(draw, spatial: int = 2) -> Case:
    """Pooling input (distinct values: no ties for the max) with its window, strides and padding."""
    shape, window, strides, padding = draw(window_case(spatial, explicit_ok=False))
    return draw(make_case([draw(distinct(shape))], {"ksize": window, "strides": strides, "padding": padding}))


@st.composite
def depthwise_case(draw, separable: bool = False) -> Case:
    """x (N, H, W, C) and a depthwise filter (KH, KW, C, M), M = 1 or 2; for the separable conv also
    a pointwise filter (1, 1, C*M, F). Equal strides (TF's CPU kernel takes no other); with stride 1,
    sometimes a dilation of 2 (TF computes that through space_to_batch, gradients included)."""
    shape, window, strides, padding = draw(window_case(2, explicit_ok=True))
    stride = strides[0]
    dilation = draw(st.integers(1, 2)) if stride == 1 else 1
    if padding != "SAME":  # the dilated window must fit in the padded input
        pads = [(0, 0)] * 2 if padding == "VALID" else padding[1:3]
        shape = (shape[0], *[max(n, (k - 1) * dilation + 1 - lo - hi) for n, k, (lo, hi) in
                             zip(shape[1:3], window, pads)], shape[3])
    if int(np.prod(shape)) > MAX_SIZE:
        shape = (1, *shape[1:3], 1)
    multiplier = draw(st.integers(1, 2))
    arrays = [draw(array(shape)), draw(array((*window, shape[3], multiplier)))]
    if separable:
        arrays.append(draw(array((1, 1, shape[3] * multiplier, draw(st.integers(1, 3))))))
    return draw(make_case(arrays, {"strides": [1, stride, stride, 1], "padding": padding,
                                   "dilations": [dilation, dilation]}))


@st.composite
def rnn_step_case(draw, cell: str) -> Case:
    """One recurrent step's inputs: xw (batch, gates * units), h (and c for the LSTM) (batch, units),
    the recurrent kernel (units, gates * units), the GRU's recurrent bias; a (batch, 1) mask or None."""
    gates = 4 if cell == "lstm" else 3
    batch, units = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    arrays = [draw(array((batch, gates * units))), draw(array((batch, units)))]
    if cell == "lstm":
        arrays.append(draw(array((batch, units))))
    arrays.append(draw(array((units, gates * units), floats(-1, 1))))
    if cell == "gru":
        arrays.append(draw(array((gates * units,))))
    mask = draw(st.none() | hnp.arrays(np.bool_, (batch, 1)))
    return draw(make_case(arrays, {"mask": mask}))


def rnn_step(tf, cell: str, xw, h, *rest, mask=None):
    """One time step of Keras's LSTM / GRU cell after the input projection (xw = x W + b), masked
    rows keeping their state. minitf runs its fused step op (``minitf/keras/layers/rnn/steps.py``,
    gradient and gradient of the gradient written out); TF has no such op, so it runs the cell's
    formula as Keras 3's LSTMCell / GRUCell write it, in ops, differentiated by TF's autodiff."""
    mask = None if mask is None else tf.constant(mask)
    if tf.__name__ == "minitf":
        from minitf.keras.layers.rnn import steps
        if cell == "lstm":
            return flat_concat(tf, steps.lstm_step(xw, h, *rest, mask=mask))
        if cell == "gru":
            return steps.gru_step(xw, h, *rest, mask=mask)
        return steps.gru_step_reset_before(xw, h, *rest, mask=mask)
    sigmoid, tanh = tf.math.sigmoid, tf.math.tanh
    if cell == "lstm":
        c, kernel = rest
        z_i, z_f, z_c, z_o = tf.split(xw + tf.matmul(h, kernel), 4, axis=-1)
        c_new = sigmoid(z_f) * c + sigmoid(z_i) * tanh(z_c)
        h_new = sigmoid(z_o) * tanh(c_new)
        if mask is not None:
            h_new, c_new = tf.where(mask, h_new, h), tf.where(mask, c_new, c)
        return flat_concat(tf, (h_new, c_new))
    x_z, x_r, x_h = tf.split(xw, 3, axis=-1)
    if cell == "gru":  # reset_after=True: r multiplies h U + b_recurrent
        kernel, bias = rest
        u_z, u_r, u_h = tf.split(tf.matmul(h, kernel) + bias, 3, axis=-1)
        z, r = sigmoid(x_z + u_z), sigmoid(x_r + u_r)
        n = tanh(x_h + r * u_h)
    else:  # reset_after=False: r multiplies h before its matmul
        (kernel,) = rest
        k_z, k_r, k_h = tf.split(kernel, 3, axis=-1)
        z, r = sigmoid(x_z + tf.matmul(h, k_z)), sigmoid(x_r + tf.matmul(h, k_r))
        n = tanh(x_h + tf.matmul(r * h, k_h))
    h_new = z * h + (1 - z) * n
    return h_new if mask is None else tf.where(mask, h_new, h)


# --- the table -------------------------------------------------------------------------------

SPECS: list[OpSpec] = [
    # arithmetic (binary ops draw broadcast-compatible shapes)
    OpSpec("add", lambda tf, x, y: tf.add(x, y), binary()),
    OpSpec("subtract", lambda tf, x, y: tf.subtract(x, y), binary()),
    OpSpec("multiply", lambda tf, x, y: tf.multiply(x, y), binary()),
    OpSpec("divide", lambda tf, x, y: tf.divide(x, y), binary(REAL, NONZERO)),
    OpSpec("math.mod", lambda tf, x, y: tf.math.mod(x, y), mod_case()),
    OpSpec("math.squared_difference", lambda tf, x, y: tf.math.squared_difference(x, y), binary()),
    OpSpec("pow", lambda tf, x, y: tf.pow(x, y), binary(POSITIVE, REAL)),
    OpSpec("maximum", lambda tf, x, y: tf.maximum(x, y), separated_pair()),
    OpSpec("minimum", lambda tf, x, y: tf.minimum(x, y), separated_pair()),
    # one input
    OpSpec("negative", lambda tf, x: tf.negative(x), unary()),
    OpSpec("abs", lambda tf, x: tf.abs(x), unary(NONZERO)),
    OpSpec("square", lambda tf, x: tf.square(x), unary()),
    OpSpec("sqrt", lambda tf, x: tf.sqrt(x), unary(POSITIVE)),
    OpSpec("math.rsqrt", lambda tf, x: tf.math.rsqrt(x), unary(POSITIVE)),
    OpSpec("math.reciprocal", lambda tf, x: tf.math.reciprocal(x), unary(NONZERO)),
    OpSpec("exp", lambda tf, x: tf.exp(x), unary()),
    OpSpec("math.expm1", lambda tf, x: tf.math.expm1(x), unary()),
    OpSpec("math.log", lambda tf, x: tf.math.log(x), unary(POSITIVE)),
    OpSpec("math.log1p", lambda tf, x: tf.math.log1p(x), unary(floats(-0.8, 3))),
    OpSpec("sin", lambda tf, x: tf.sin(x), unary(WIDE)),
    OpSpec("cos", lambda tf, x: tf.cos(x), unary(WIDE)),
    OpSpec("tanh", lambda tf, x: tf.tanh(x), unary(WIDE)),
    OpSpec("math.sigmoid", lambda tf, x: tf.math.sigmoid(x), unary(WIDE)),
    OpSpec("math.erf", lambda tf, x: tf.math.erf(x), unary(WIDE)),
    OpSpec("math.erfc", lambda tf, x: tf.math.erfc(x), unary(WIDE)),
    OpSpec("math.lgamma", lambda tf, x: tf.math.lgamma(x), unary(BETWEEN_POLES)),
    OpSpec("math.digamma", lambda tf, x: tf.math.digamma(x), unary(BETWEEN_POLES), atol=2e-6,
           why="TF's float32 digamma (Eigen's, in float32) is off by up to ~4e-7 near its roots (1.4616 ...)",
           no_float16_gradient="Digamma has a float16 kernel; its gradient's Polygamma has none"),
    OpSpec("math.polygamma", lambda tf, x, n: tf.math.polygamma(tf.constant(n, x.dtype), x),
           unary(floats(0.3, 4), n=st.sampled_from([0.0, 1.0, 2.0, 3.0])),
           no_float16="TF's Polygamma takes float32 and float64 only"),
    OpSpec("math.zeta", lambda tf, q, s: tf.math.zeta(tf.constant(s, q.dtype), q),
           unary(floats(0.3, 4), s=st.sampled_from([1.5, 2.0, 3.5, 6.0])),
           no_float16="TF's Zeta takes float32 and float64 only"),
    OpSpec("math.lbeta", lambda tf, x: tf.math.lbeta(x), unary(POSITIVE, min_dims=1)),
    OpSpec("math.erfinv", lambda tf, x: tf.math.erfinv(x), unary(floats(-0.95, 0.95)),
           no_float16="TF registers Erfinv for float32 and float64 only"),
    OpSpec("math.ndtri", lambda tf, x: tf.math.ndtri(x), unary(floats(0.02, 0.98)),
           no_float16="TF registers Ndtri for float32 and float64 only"),
    OpSpec("math.log_sigmoid", lambda tf, x: tf.math.log_sigmoid(x), unary(WIDE)),
    # trigonometry and hyperbolic functions, inside their domains (tan: away from pi/2)
    OpSpec("math.tan", lambda tf, x: tf.math.tan(x), unary(floats(-1.3, 1.3))),
    OpSpec("math.asin", lambda tf, x: tf.math.asin(x), unary(floats(-0.9, 0.9))),
    OpSpec("math.acos", lambda tf, x: tf.math.acos(x), unary(floats(-0.9, 0.9))),
    OpSpec("math.atan", lambda tf, x: tf.math.atan(x), unary(WIDE)),
    OpSpec("math.atan2", lambda tf, y, x: tf.math.atan2(y, x), binary(NONZERO, REAL)),  # y != 0: off the cut
    OpSpec("math.sinh", lambda tf, x: tf.math.sinh(x), unary(WIDE)),
    OpSpec("math.cosh", lambda tf, x: tf.math.cosh(x), unary(WIDE)),
    OpSpec("math.asinh", lambda tf, x: tf.math.asinh(x), unary(WIDE)),
    OpSpec("math.acosh", lambda tf, x: tf.math.acosh(x), unary(floats(1.2, 3))),
    OpSpec("math.atanh", lambda tf, x: tf.math.atanh(x), unary(floats(-0.8, 0.8))),
    # products and quotients with 0 for nan, away from their exceptions (x = 0 for xlogy, xlog1py and
    # xdivy, y = 0 for the others), where the gradient is TF's 0, not the limit: tests/test_nan_safe.py
    OpSpec("math.xlogy", lambda tf, x, y: tf.math.xlogy(x, y), binary(NONZERO, POSITIVE)),
    OpSpec("math.xlog1py", lambda tf, x, y: tf.math.xlog1py(x, y), binary(NONZERO, floats(-0.8, 3))),
    OpSpec("math.xdivy", lambda tf, x, y: tf.math.xdivy(x, y), binary(NONZERO, NONZERO)),
    OpSpec("math.divide_no_nan", lambda tf, x, y: tf.math.divide_no_nan(x, y), binary(REAL, NONZERO)),
    OpSpec("math.multiply_no_nan", lambda tf, x, y: tf.math.multiply_no_nan(x, y), binary(REAL, NONZERO)),
    OpSpec("math.reciprocal_no_nan", lambda tf, x: tf.math.reciprocal_no_nan(x), unary(NONZERO)),
    OpSpec("clip_by_value", lambda tf, x: tf.clip_by_value(x, -0.5, 0.7), clip_case()),
    OpSpec("clip_by_value(tensor bounds)", lambda tf, t, lo, hi: tf.clip_by_value(t, lo, hi), clip_tensors_case()),
    OpSpec("where", lambda tf, x, y, condition: tf.where(condition, x, y), where_case()),
    OpSpec("where(x, scalar)", lambda tf, x: tf.where(x > 0.5, x, 0.0), unary(avoid(0.5, lo=-2, hi=2))),
    OpSpec("cast(float32)", lambda tf, x: tf.cast(tf.cast(x, tf.float32), x.dtype), unary(),
           gradcheck={"eps": 1e-2, "rtol": 1e-3, "atol": 1e-4}),  # float32 rounding: a larger step
    OpSpec("identity", lambda tf, x: tf.identity(x), unary()),
    # linear algebra
    OpSpec("linalg.matmul", lambda tf, a, b, **kw: tf.linalg.matmul(a, b, **kw), matmul_case()),
    OpSpec("tensordot", lambda tf, a, b, axes: tf.tensordot(a, b, axes), tensordot_case()),
    OpSpec("einsum", lambda tf, *xs, equation: tf.einsum(equation, *xs), einsum_case()),
    OpSpec("einsum(...)", lambda tf, *xs, equation: tf.einsum(equation, *xs), einsum_case(ELLIPSIS_FORMS)),
    OpSpec("linalg.norm", lambda tf, x, **kw: tf.linalg.norm(x, **kw), norm_case()),
    OpSpec("linalg.band_part", lambda tf, x, k, lower, upper: tf.linalg.band_part(x, lower, upper), matrix_case()),
    OpSpec("linalg.diag_part", lambda tf, x, k, **_: tf.linalg.diag_part(x, k=k), matrix_case()),
    OpSpec("linalg.diag", lambda tf, d, **kw: tf.linalg.diag(d, **kw), diagonal_case()),
    OpSpec("linalg.set_diag", lambda tf, x, d, k, **_: tf.linalg.set_diag(x, d, k=k), matrix_case(diagonal=True)),
    OpSpec("linalg.trace", lambda tf, x, **_: tf.linalg.trace(x), matrix_case()),
    OpSpec("linalg.matvec", lambda tf, a, b, **_: tf.linalg.matvec(a, b), matrix_case(vector=True)),
    OpSpec("linalg.adjoint", lambda tf, x, **_: tf.linalg.adjoint(x), matrix_case()),
    OpSpec("linalg.cross", lambda tf, a, b: tf.linalg.cross(a, b), cross_case()),
    OpSpec("nn.bias_add", lambda tf, x, b, data_format: tf.nn.bias_add(x, b, data_format=data_format),
           bias_add_case()),
    OpSpec("nn.l2_loss", lambda tf, x: tf.nn.l2_loss(x), unary()),
    OpSpec("nn.crelu", lambda tf, x: tf.nn.crelu(x), unary(NONZERO, min_dims=1)),
    OpSpec("nn.space_to_depth", lambda tf, x, block: tf.nn.space_to_depth(x, block), space_to_depth_case()),
    OpSpec("nn.depth_to_space", lambda tf, x, block: tf.nn.depth_to_space(x, block), space_to_depth_case(True)),
    OpSpec("nn.weighted_cross_entropy_with_logits", lambda tf, z, x: tf.nn.weighted_cross_entropy_with_logits(
        z, x, pos_weight=2.5), same_shape_pair(floats(0, 1), NONZERO)),  # (logit 0: |x| and relu(-x) kink)
    OpSpec("nn.log_poisson_loss", lambda tf, t, c, full: tf.nn.log_poisson_loss(t, c, compute_full_loss=full),
           same_shape_pair(avoid(1.0, lo=0.1, hi=3), REAL, full=st.booleans())),  # 1: the Stirling term's step
    OpSpec("nn.compute_average_loss", lambda tf, x: tf.nn.compute_average_loss(x), unary(min_dims=1)),
    OpSpec("nn.sufficient_statistics", lambda tf, x, axes, keepdims: flat_concat(
        tf, tf.nn.sufficient_statistics(x, axes, shift=tf.constant(0.25, x.dtype), keepdims=keepdims)[:3]),
        moments_case()),
    OpSpec("nn.normalize_moments", lambda tf, m, v: flat_concat(tf, tf.nn.normalize_moments(
        tf.constant(4.0, m.dtype), m, v, tf.constant(0.5, m.dtype))), same_shape_pair(REAL, POSITIVE)),
    # segment reductions (max/min: distinct values, off their ties; prod: away from 0)
    *[OpSpec(f"math.{name}", (lambda name: lambda tf, x, segment_ids: getattr(tf.math, name)(x, segment_ids))(name),
             segment_case(True, **kw)) for name, kw in (("segment_sum", {}), ("segment_mean", {}),
                                                        ("segment_max", {"ties": False}),
                                                        ("segment_min", {"ties": False}),
                                                        ("segment_prod", {"elements": UNIT}))],
    *[OpSpec(f"math.{name}",  # (an empty segment's max is the dtype's lowest: left out of the checked sums)
             (lambda name: lambda tf, x, segment_ids: nonempty(tf, getattr(tf.math, name)(x, segment_ids, 5)))(name),
             segment_case(False, **kw)) for name, kw in (("unsorted_segment_sum", {}), ("unsorted_segment_mean", {}),
                                                         ("unsorted_segment_sqrt_n", {}),
                                                         ("unsorted_segment_max", {"ties": False}),
                                                         ("unsorted_segment_min", {"ties": False}),
                                                         ("unsorted_segment_prod", {"elements": UNIT}))],
    OpSpec("math.cumulative_logsumexp", lambda tf, x, axis, exclusive, reverse: tf.math.cumulative_logsumexp(
        x, axis=axis, exclusive=exclusive, reverse=reverse), cumulative()),
    OpSpec("math.reduce_euclidean_norm", lambda tf, x, **kw: tf.math.reduce_euclidean_norm(x, **kw),
           reduction(values="unit")),  # (away from 0, where sqrt has no derivative)
    OpSpec("math.polyval", lambda tf, x: tf.math.polyval([tf.constant(c, x.dtype) for c in (0.5, -1.0, 2.0)], x),
           unary()),
    OpSpec("dynamic_partition", lambda tf, x, partitions: flat_concat(tf, tf.dynamic_partition(x, partitions, 3)),
           partition_case()),
    OpSpec("dynamic_stitch", lambda tf, x, first, second: tf.dynamic_stitch(
        [first, second], [tf.gather(x, tf.range(len(first))), tf.gather(x, tf.range(len(first), len(x)))]),
        partition_case(stitch=True)),
    OpSpec("reverse_sequence", lambda tf, x, lengths: tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0),
           reverse_sequence_case()),
    # Keras's newer activations (compositions; drawn off their kinks)
    OpSpec("keras.activations.sparsemax", lambda tf, x, **_: tf.keras.activations.sparsemax(x),
           reduction(values="distinct", min_dims=1).map(off_the_grid)),  # (off its sort's ties and max's kinks)
    OpSpec("keras.activations.glu", lambda tf, x: tf.keras.activations.glu(tf.concat([x, x * 0.5 + 0.25], -1)),
           unary(min_dims=1)),
    OpSpec("keras.activations.squareplus", lambda tf, x: tf.keras.activations.squareplus(x), unary()),
    OpSpec("keras.activations.tanh_shrink", lambda tf, x: tf.keras.activations.tanh_shrink(x), unary()),
    OpSpec("keras.activations.soft_shrink", lambda tf, x: tf.keras.activations.soft_shrink(x),
           unary(avoid(-0.5, 0.5, lo=-2, hi=2))),
    OpSpec("keras.activations.sparse_plus", lambda tf, x: tf.keras.activations.sparse_plus(x),
           unary(avoid(-1, 1, lo=-2, hi=2))),
    # images (the crops and turns are slices, pads and reverses; rgb_to_hsv: TF's registered gradient)
    OpSpec("image.rgb_to_hsv", lambda tf, x: tf.image.rgb_to_hsv(x), image_case(colours=True)),
    OpSpec("image.rot90", lambda tf, x, k, **_: tf.image.rot90(x, k), image_case()),
    OpSpec("image.central_crop", lambda tf, x, fraction, **_: tf.image.central_crop(x, fraction), image_case()),
    OpSpec("image.resize_with_crop_or_pad", lambda tf, x, size, **_: tf.image.resize_with_crop_or_pad(x, *size),
           image_case()),
    OpSpec("image.transpose", lambda tf, x, **_: tf.image.transpose(x), image_case()),
    OpSpec("image.extract_patches", lambda tf, x, **kw: tf.image.extract_patches(x, **kw), patches_case()),
    OpSpec("image.total_variation", lambda tf, x, **_: tf.image.total_variation(x), image_case()),
    OpSpec("image.image_gradients", lambda tf, x, **_: flat_concat(tf, tf.image.image_gradients(batch_of(tf, x))),
           image_case()),
    OpSpec("image.sobel_edges", lambda tf, x, **_: tf.image.sobel_edges(batch_of(tf, x)), image_case(min_side=2)),
    OpSpec("image.rgb_to_yiq", lambda tf, x: tf.image.rgb_to_yiq(x), image_case(colours=True)),
    OpSpec("image.yuv_to_rgb", lambda tf, x: tf.image.yuv_to_rgb(x), image_case(colours=True)),
    OpSpec("linalg.inv", lambda tf, x: tf.linalg.inv(well_conditioned(tf, x)), square_case()),
    OpSpec("linalg.det", lambda tf, x: tf.linalg.det(well_conditioned(tf, x)), square_case(), rtol=2e-5,
           why="det of a 4x4 is a sum of products of up to 4 factors ~4: LU rounding differs between LAPACKs",
           no_float16=NO_HALF_LU),
    OpSpec("linalg.solve", lambda tf, a, b: tf.linalg.solve(well_conditioned(tf, a), b), square_case(second=True),
           no_float16=NO_HALF_LU),
    OpSpec("linalg.cholesky", lambda tf, x: tf.linalg.cholesky(positive_definite(tf, x)), square_case(),
           no_float16=NO_HALF_LU),
    OpSpec("linalg.slogdet", lambda tf, x: flat_concat(tf, tf.linalg.slogdet(well_conditioned(tf, x))), square_case(),
           no_float16=NO_HALF_LU),
    OpSpec("linalg.logdet", lambda tf, x: tf.linalg.logdet(positive_definite(tf, x)), square_case(),
           no_float16=NO_HALF_LU),
    OpSpec("linalg.triangular_solve", lambda tf, a, b, **kw: tf.linalg.triangular_solve(well_conditioned(tf, a), b, **kw),
           triangular_solve_case(), no_float16=NO_HALF_LU),
    OpSpec("linalg.cholesky_solve", lambda tf, a, b: tf.linalg.cholesky_solve(tf.linalg.cholesky(
        positive_definite(tf, a)), b), square_case(second=True), no_float16=NO_HALF_LU),
    OpSpec("linalg.lstsq", lambda tf, a, b, **kw: tf.linalg.lstsq(spread_out(tf, a), b, **kw), lstsq_case(),
           rtol=5e-5, why="the normal equations square A's condition number (TF's fast path, as minitf's)",
           no_float16=NO_HALF_LU),
    OpSpec("linalg.qr", lambda tf, x: qr_fixed(tf, x), rectangular_case(), rtol=2e-5,
           why="Householder reflections in another order (Eigen's vs LAPACK's blocks) round differently",
           no_float16_gradient=QR_HALF_GRADIENT),
    OpSpec("linalg.qr(full_matrices)", lambda tf, x: qr_fixed(tf, x, full_matrices=True), rectangular_case().filter(
        lambda c: c.arrays[0].shape[-2] <= c.arrays[0].shape[-1]), rtol=2e-5,
           why="Householder reflections in another order (Eigen's vs LAPACK's blocks) round differently",
           no_float16_gradient=QR_HALF_GRADIENT),
    OpSpec("linalg.eigh", eigh_fixed, square_case(), rtol=2e-5, atol=2e-6,
           why="Eigen's tridiagonal QR iteration and LAPACK's divide and conquer round differently",
           no_float16="TF registers no float16 kernel for SelfAdjointEigV2"),
    OpSpec("linalg.eigvalsh", lambda tf, x: tf.linalg.eigvalsh(spread_out(tf, x)), square_case(), rtol=2e-5,
           why="Eigen's tridiagonal QR iteration and LAPACK's divide and conquer round differently",
           no_float16="TF registers no float16 kernel for SelfAdjointEigV2"),
    OpSpec("linalg.svd", svd_fixed, rectangular_case(), rtol=2e-5, atol=2e-6,
           why="Eigen's Jacobi/divide-and-conquer SVD and LAPACK's round differently",
           no_float16="TF registers no float16 kernel for Svd"),
    OpSpec("linalg.svd(full_matrices)", lambda tf, x: svd_fixed(tf, x, full_matrices=True), rectangular_case().filter(
        lambda c: abs(c.arrays[0].shape[-2] - c.arrays[0].shape[-1]) <= 1), rtol=2e-5, atol=2e-6,
           why="Eigen's Jacobi/divide-and-conquer SVD and LAPACK's round differently",
           no_float16="TF registers no float16 kernel for Svd"),
    OpSpec("linalg.svd(compute_uv=False)", lambda tf, x: tf.linalg.svd(spread_out(tf, x), compute_uv=False),
           rectangular_case(), rtol=2e-5, why="Eigen's SVD and LAPACK's round differently",
           no_float16="TF registers no float16 kernel for Svd"),
    OpSpec("linalg.pinv", lambda tf, x: tf.linalg.pinv(spread_out(tf, x)), rectangular_case(), rtol=2e-5,
           why="through the SVD: Eigen's and LAPACK's round differently",
           no_float16="TF registers no float16 kernel for Svd"),
    OpSpec("linalg.expm", lambda tf, x, scale: tf.linalg.expm(x * scale), expm_case(), rtol=2e-5,
           why="a sum of matrix powers then a solve: the products' summation order differs (Eigen vs BLAS)",
           no_float16="TF's expm solves with MatrixSolve, which has no float16 kernel"),
    OpSpec("linalg.normalize", lambda tf, x, axis: flat_concat(tf, tf.linalg.normalize(x, axis=axis)),
           unary(NONZERO, min_dims=1, axis=st.just(-1))),
    # reductions
    OpSpec("reduce_sum", lambda tf, x, **kw: tf.reduce_sum(x, **kw), reduction()),
    OpSpec("reduce_mean", lambda tf, x, **kw: tf.reduce_mean(x, **kw), reduction()),
    OpSpec("reduce_max", lambda tf, x, **kw: tf.reduce_max(x, **kw), reduction("distinct")),
    OpSpec("reduce_min", lambda tf, x, **kw: tf.reduce_min(x, **kw), reduction("distinct")),
    OpSpec("reduce_prod", lambda tf, x, **kw: tf.reduce_prod(x, **kw), reduction("unit")),
    OpSpec("math.reduce_std", lambda tf, x, **kw: tf.math.reduce_std(x, **kw), reduction("distinct", need_two=True)),
    OpSpec("math.reduce_variance", lambda tf, x, **kw: tf.math.reduce_variance(x, **kw),
           reduction("distinct", need_two=True)),
    OpSpec("reduce_logsumexp", lambda tf, x, **kw: tf.reduce_logsumexp(x, **kw), reduction()),
    OpSpec("math.cumsum", lambda tf, x, **kw: tf.math.cumsum(x, **kw), cumulative()),
    OpSpec("math.cumprod", lambda tf, x, **kw: tf.math.cumprod(x, **kw), cumulative(UNIT)),
    # shapes
    OpSpec("reshape", lambda tf, x, shape: tf.reshape(x, shape), reshape_case()),
    OpSpec("reshape_to_a_traced_shape", reshape_to_a_traced_shape, reshape_case()),
    OpSpec("transpose", lambda tf, x, perm: tf.transpose(x, perm), transpose_case()),
    OpSpec("expand_dims", lambda tf, x, axis: tf.expand_dims(x, axis),
           unary(axis=st.integers(-1, 0))),
    OpSpec("squeeze", lambda tf, x, axis: tf.squeeze(x, axis), squeeze_case()),
    OpSpec("broadcast_to", lambda tf, x, shape: tf.broadcast_to(x, shape), broadcast_to_case()),
    OpSpec("concat", lambda tf, *xs, axis: tf.concat(list(xs), axis), join_case(new_axis=False)),
    OpSpec("stack", lambda tf, *xs, axis: tf.stack(list(xs), axis), join_case(new_axis=True)),
    OpSpec("add_n", lambda tf, *xs, axis: tf.add_n(list(xs)), join_case(new_axis=True)),
    OpSpec("scalar_mul", lambda tf, x: tf.math.scalar_mul(2.5, x), unary()),
    OpSpec("unstack", lambda tf, x, axis: tf.stack(tf.unstack(x, axis=axis)[::-1]), unary(min_dims=1, axis=st.sampled_from([0, -1]))),
    OpSpec("split", lambda tf, x, **kw: flat_concat(tf, tf.split(x, **kw)[::-1]), split_case()),
    OpSpec("tile", lambda tf, x, multiples: tf.tile(x, multiples), tile_case()),
    OpSpec("pad", lambda tf, x, **kw: tf.pad(x, **kw), pad_case()),
    OpSpec("reverse", lambda tf, x, axis: tf.reverse(x, axis), reverse_case()),
    OpSpec("roll", lambda tf, x, shift, axis: tf.roll(x, shift, axis), roll_case()),
    OpSpec("repeat", lambda tf, x, repeats, axis: tf.repeat(x, repeats, axis=axis), repeat_case()),
    OpSpec("meshgrid", lambda tf, *xs, indexing: flat_concat(tf, tf.meshgrid(*xs, indexing=indexing)),
           meshgrid_case()),
    OpSpec("__getitem__", lambda tf, x, key: x[key], getitem_case()),
    OpSpec("gather", lambda tf, x, indices, axis: tf.gather(x, indices, axis=axis), gather_case()),
    OpSpec("gather_nd", lambda tf, x, indices: tf.gather_nd(x, indices), gather_nd_case()),
    OpSpec("boolean_mask", lambda tf, x, mask, axis: tf.boolean_mask(x, mask, axis=axis), boolean_mask_case()),
    OpSpec("slice", lambda tf, x, begin, size: tf.slice(x, begin, size), slice_case()),
    OpSpec("strided_slice", lambda tf, x, **kw: tf.strided_slice(x, **kw), strided_slice_case()),
    OpSpec("gather(batch_dims)", lambda tf, x, **kw: tf.gather(x, **kw), gather_batch_case()),
    OpSpec("scatter_nd", lambda tf, u, indices, shape: tf.scatter_nd(indices, u, shape),
           scatter_case(unique=False, two_inputs=False)),
    OpSpec("tensor_scatter_nd_update", lambda tf, t, u, indices: tf.tensor_scatter_nd_update(t, indices, u),
           scatter_case(unique=True)),
    OpSpec("tensor_scatter_nd_add", lambda tf, t, u, indices: tf.tensor_scatter_nd_add(t, indices, u),
           scatter_case(unique=False)),
    OpSpec("tensor_scatter_nd_sub", lambda tf, t, u, indices: tf.tensor_scatter_nd_sub(t, indices, u),
           scatter_case(unique=False)),
    OpSpec("tensor_scatter_nd_max", lambda tf, t, u, indices: tf.tensor_scatter_nd_max(t, indices, u),
           scatter_case(unique=True, values="distinct")),
    OpSpec("tensor_scatter_nd_min", lambda tf, t, u, indices: tf.tensor_scatter_nd_min(t, indices, u),
           scatter_case(unique=True, values="distinct")),
    # inputs whose norms keep clear of the clip norm (the gradient has a kink where they are equal)
    OpSpec("clip_by_norm", lambda tf, x, clip: tf.clip_by_norm(x, clip),
           unary(clip=st.sampled_from([0.4142, 1.7321])).filter(lambda c: clear_of_clip(c, c.params["clip"]))),
    OpSpec("clip_by_norm(axes)", lambda tf, x: tf.clip_by_norm(x, 0.7071, axes=[0]),
           unary(min_dims=1).filter(lambda c: clear_of_clip(c, 0.7071, axis=0))),
    OpSpec("clip_by_global_norm", lambda tf, a, b: flat_concat(tf, tf.clip_by_global_norm([a, b], 1.4142)[0]),
           binary().filter(lambda c: clear_of_clip(c, 1.4142, axis="global"))),
    OpSpec("linalg.global_norm", lambda tf, a, b: tf.linalg.global_norm([a, b]), binary(NONZERO, NONZERO)),
    OpSpec("custom_gradient", lambda tf, x: cubed_with_custom_gradient(tf)(x), unary()),
    OpSpec("TensorArray", tensor_array_rows, tensor_array_case()),
    OpSpec("py_function", lambda tf, x: tf.py_function(lambda a: tf.sin(a) * a, [x], Tout=x.dtype), unary(),
           first_order_only="minitf: the gradient of py_function (the function run again under a tape) has no "
                            "gradient of its own"),
    OpSpec("sort", lambda tf, x, **kw: tf.sort(x, **kw), sort_case()),
    OpSpec("math.top_k", lambda tf, x, k: tf.math.top_k(x, k=k).values, top_k_case()),
    # tf.nn
    OpSpec("nn.relu", lambda tf, x: tf.nn.relu(x), unary(avoid(0))),
    OpSpec("nn.relu6", lambda tf, x: tf.nn.relu6(x), unary(avoid(0, 6))),
    OpSpec("nn.leaky_relu", lambda tf, x: tf.nn.leaky_relu(x, alpha=0.1), unary(avoid(0))),
    OpSpec("nn.elu", lambda tf, x: tf.nn.elu(x), unary(avoid(0))),
    OpSpec("nn.selu", lambda tf, x: tf.nn.selu(x), unary(avoid(0))),
    OpSpec("nn.gelu", lambda tf, x: tf.nn.gelu(x, approximate=False), unary(WIDE)),
    OpSpec("nn.gelu(approximate)", lambda tf, x: tf.nn.gelu(x, approximate=True), unary(WIDE), atol=2e-6,
           why="TF's float tanh (Eigen's rational fit) is a few ulp off near -1, and 1 + tanh(u) cancels for "
               "x < -2.5, so the gradient there (about -0.015) agrees to ~1e-6 absolute (x = -2.9117: 1.06e-6)"),
    OpSpec("nn.softplus", lambda tf, x: tf.nn.softplus(x), unary(WIDE)),
    OpSpec("nn.softsign", lambda tf, x: tf.nn.softsign(x), unary(NONZERO)),
    OpSpec("nn.silu", lambda tf, x: tf.nn.silu(x), unary(WIDE)),
    OpSpec("nn.softmax", lambda tf, x, axis: tf.nn.softmax(x, axis=axis), softmax_case()),
    OpSpec("nn.log_softmax", lambda tf, x, axis: tf.nn.log_softmax(x, axis=axis), softmax_case()),
    OpSpec("nn.sigmoid_cross_entropy_with_logits",
           lambda tf, y, z: tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z), logits_and_labels("sigmoid")),
    OpSpec("nn.softmax_cross_entropy_with_logits",
           lambda tf, y, z: tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z), logits_and_labels("softmax")),
    OpSpec("nn.sparse_softmax_cross_entropy_with_logits",
           lambda tf, z, labels: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=z),
           logits_and_labels("sparse")),
    OpSpec("nn.l2_normalize", lambda tf, x, axis: tf.nn.l2_normalize(x, axis=axis), l2_normalize_case(), atol=5e-6,
           why="l2_normalize gradient: dy/|x| - x (x.dy)/|x|^3 cancels to ~0 from terms up to ~7.5 "
               "(|x| >= 0.2): float32 leaves a few ulp (~1e-6) of those terms, rounded differently by TF"),
    OpSpec("nn.weighted_moments", lambda tf, x, w, axes, keepdims: flat_concat(
        tf, tf.nn.weighted_moments(x, axes, w, keepdims=keepdims)), weighted_moments_case()),
    OpSpec("nn.local_response_normalization", lambda tf, x, **kw: tf.nn.local_response_normalization(x, **kw),
           lrn_case(), tf_refuses_float64="TF registers LRN for half, bfloat16 and float",
           why="TF sums the squares with a banded matrix product and raises to -beta with Eigen's pow: an ulp"),
    OpSpec("nn.moments", lambda tf, x, **kw: flat_concat(tf, tf.nn.moments(x, **kw)), moments_case(),
           first_order_only="TF's moments uses stop_gradient(mean) inside the variance: exact first "
                            "derivative, but the second misses the mean's terms; minitf does the same"),
    OpSpec("nn.batch_normalization", lambda tf, x, m, v, o, s, variance_epsilon:
           tf.nn.batch_normalization(x, m, v, o, s, variance_epsilon), batch_norm_case()),
    OpSpec("nn.conv2d", lambda tf, x, w, **kw: tf.nn.conv2d(x, w, **kw), conv_case()),
    OpSpec("nn.conv1d", lambda tf, x, w, **kw: tf.nn.conv1d(x, w, **kw), conv_case(spatial=1)),
    OpSpec("nn.conv2d_transpose", lambda tf, dy, w, **kw: tf.nn.conv2d_transpose(dy, w, **kw), conv_case(transpose=True)),
    OpSpec("nn.conv3d", lambda tf, x, w, strides, padding: tf.nn.conv3d(x, w, [1, *strides, 1], padding),
           conv_case(spatial=3)),
    OpSpec("nn.conv3d_transpose", lambda tf, dy, w, output_shape, strides, padding:
           tf.nn.conv3d_transpose(dy, w, output_shape, [1, *strides, 1], padding), conv_case(spatial=3, transpose=True)),
    OpSpec("nn.max_pool3d", lambda tf, x, **kw: tf.nn.max_pool3d(x, **kw), pool_case(spatial=3),
           tf_refuses_float64=POOL3D_NO_DOUBLE, no_float16=POOL3D_NO_HALF),
    OpSpec("nn.avg_pool3d", lambda tf, x, **kw: tf.nn.avg_pool3d(x, **kw), pool_case(spatial=3),
           tf_refuses_float64=POOL3D_NO_DOUBLE, no_float16=POOL3D_NO_HALF),
    OpSpec("nn.max_pool2d", lambda tf, x, **kw: tf.nn.max_pool2d(x, **kw), pool_case()),
    OpSpec("nn.avg_pool2d", lambda tf, x, **kw: tf.nn.avg_pool2d(x, **kw), pool_case()),
    OpSpec("nn.max_pool1d", lambda tf, x, **kw: tf.nn.max_pool1d(x, **kw), pool_case(spatial=1)),
    OpSpec("nn.avg_pool1d", lambda tf, x, **kw: tf.nn.avg_pool1d(x, **kw), pool_case(spatial=1)),
    OpSpec("nn.conv1d_transpose", lambda tf, dy, w, **kw: tf.nn.conv1d_transpose(dy, w, **kw),
           conv_case(spatial=1, transpose=True)),
    # the recurrent steps (one fused op each in minitf)
    OpSpec("keras.layers.LSTMCell", lambda tf, *a, **kw: rnn_step(tf, "lstm", *a, **kw), rnn_step_case("lstm")),
    OpSpec("keras.layers.GRUCell", lambda tf, *a, **kw: rnn_step(tf, "gru", *a, **kw), rnn_step_case("gru")),
    OpSpec("keras.layers.GRUCell(reset_after=False)", lambda tf, *a, **kw: rnn_step(tf, "gru_reset_before", *a, **kw),
           rnn_step_case("gru_reset_before")),
    # depthwise and separable convolutions (minitf/nn/depthwise_conv.py)
    OpSpec("nn.depthwise_conv2d", lambda tf, x, w, **kw: tf.nn.depthwise_conv2d(x, w, **kw), depthwise_case()),
    OpSpec("nn.separable_conv2d", lambda tf, x, dw, pw, **kw: tf.nn.separable_conv2d(x, dw, pw, **kw),
           depthwise_case(separable=True)),
    OpSpec("einsum(attention)", lambda tf, *xs, equation: tf.einsum(equation, *xs), einsum_case(ATTENTION_FORMS)),
]

SPECS_BY_NAME = {spec.name: spec for spec in SPECS}

__all__ = ["Case", "OpSpec", "SPECS", "SPECS_BY_NAME", "as_layout", "layout_base", "layout_view", "flat_concat"]
