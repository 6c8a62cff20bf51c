"""Where minitf copies one of TensorFlow's accidents, so that its numbers equal TF's to the bit.

Each entry says what TF does and why minitf does the same. Nothing here is needed to learn
how deep learning works: it is only needed to print the same last digit as TensorFlow, on
every CPU. The rest of minitf calls these by name, so a reader can tell a formula from a shim.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from minitf import array_backend as B
from minitf.ops.op import Op


# --- which error a dtype gets -------------------------------------------------------------------------
# TF's op definitions list the dtypes an op accepts: another dtype is an InvalidArgumentError. A few
# ops accept more dtypes in their definition than any kernel implements: those raise NotFoundError
# ("Could not find device for node") instead. minitf raises the same class for the same dtypes.
NO_KERNEL_FOR_SIGNED_INTEGERS = frozenset({"Reciprocal"})
# Scatter ops whose definitions accept bool but only copying (TensorScatterUpdate) has a bool kernel.
NO_KERNEL_FOR_BOOL = frozenset({"TensorScatterAdd", "TensorScatterSub", "TensorScatterMin", "TensorScatterMax"})


def atrous_input_checks(op: str, x, window, dilations, padding) -> None:
    """What tf.nn.depthwise_conv2d's Python wrapper (``nn_ops.with_space_to_batch``, TF's atrous trick)
    refuses before the depthwise op sees the input, with TF's error classes:

    - an input of rank < 3: ValueError ("input.shape.rank must be at least 3"), dilated or not;
    - with a dilation > 1 the input first goes through SpaceToBatchND, which has no bool kernel
      (NotFoundError), and which refuses the negative padding that "SAME" asks for around a filter with
      a zero-sized spatial axis (total (k - 1) * d < 0: InvalidArgumentError)."""
    from minitf.errors import InvalidArgumentError, NotFoundError
    if x.ndim < 3:
        raise ValueError(f"{op}: the input must have rank 4 (batch, height, width, channels); got shape "
                         f"{tuple(x.shape)} (rank {x.ndim}, and TF's wrapper wants at least 3)")
    if max(dilations) == 1:
        return
    if x.dtype == "bool":
        raise NotFoundError(f"{op}: a dilated depthwise convolution of a bool input: TF finds no SpaceToBatchND "
                            f"kernel for bool (input shape {tuple(x.shape)}); cast it to a float type first", op)
    if padding == "SAME" and 0 in tuple(window):
        raise InvalidArgumentError(f"{op}: a dilated SAME convolution with an empty filter window {tuple(window)} "
                                   f"would pad by (k - 1) * d < 0 cells (TF's SpaceToBatchND: Paddings must be "
                                   f"non-negative)", op)


# --- top_k with NaN -----------------------------------------------------------------------------------
def nan_top_k_order(x, k: int):
    """The order TF's TopKV2 gives a row holding NaN: top_k([3, nan, 1], 2) is [3, nan].

    TF's kernel compares with ``>``, for which NaN is neither larger nor smaller than anything, so
    where a NaN lands depends on the algorithm. Its results are those of a stable insertion that
    puts each element before the first one it is strictly greater than, scanning from the front:
    [3, nan, 1] -> [3, nan, 1];  [3, 1, nan, 5] -> [5, 3, 1, nan];  [inf, nan, 2] -> [inf, nan, 2].
    Rows are done one by one in Python: a NaN row is an error case, not a hot path.

    k = 1 takes another path in TF: the row's maximum by Eigen's reduction (``_eigen_row_max``),
    then the first index holding that value (0 if none does, as when the maximum is NaN).
    """
    rows = B.to_numpy(x).reshape(-1, x.shape[-1])
    out = np.empty((rows.shape[0], k), dtype=np.int32)
    for r, row in enumerate(rows):
        if k == 1:
            hits = np.flatnonzero(row == _eigen_row_max(row))
            out[r, 0] = hits[0] if hits.size else 0
            continue
        order: list[int] = []
        for i, value in enumerate(row.tolist()):
            at = next((j for j, other in enumerate(order) if value > row[other]), len(order))
            order.insert(at, i)
        out[r] = order[:k]
    return B.xp.asarray(out.reshape(x.shape[:-1] + (k,)))


def _eigen_row_max(row: np.ndarray):
    """A row's maximum as Eigen's vectorized reduction finds it (TF's CPU build: AVX, 32-byte
    packets), which decides where NaN goes. Whole packets are reduced lane by lane with x86's
    ``maxps(p, acc)`` (``p > acc ? p : acc``, so a NaN there is passed over), the lanes then folded
    pairwise (halves, quarters, pairs) with ``maxps``; the leftover elements are reduced in order by
    ``acc = t < acc ? acc : t`` (a NaN there is kept until a number follows it), and the two joined
    by ``v if acc < v else acc``. Checked against TF 2.21 on float32/float64 rows of 1 to 513."""
    lanes = 32 // row.dtype.itemsize if row.dtype.kind == "f" else 1
    lowest = np.array(np.finfo(row.dtype).min if row.dtype.kind == "f" else np.iinfo(row.dtype).min, row.dtype)
    whole = len(row) // lanes * lanes if lanes > 1 else 0
    acc = lowest
    for t in row[whole:]:
        acc = acc if t < acc else t
    if not whole:
        return acc
    packet = np.full(lanes, lowest, row.dtype)
    for j in range(0, whole, lanes):
        p = row[j:j + lanes]
        packet = np.where(p > packet, p, packet)
    step = lanes // 2
    while step:
        partner = packet[np.arange(lanes) ^ step]
        packet = np.where(packet > partner, packet, partner)
        step //= 2
    value = packet[0]
    return value if acc < value else acc


# --- powers ------------------------------------------------------------------------------------------
class PowRounded(Op):
    """base ** exponent as TF's CPU kernel computes it, the same on every CPU (no gradient).

    What TF does: a power of scalars (Adam's ``beta_1 ** t``, a schedule's ``rate ** p``) calls
    the C math library's ``powf`` (``pow`` for float64), e.g. 0.9 ** 4 = 0.6560999 in float32;
    and like every TF CPU kernel it flushes subnormal results to zero: 0.5 ** 140 (7.2e-43) is 0.0.

    Why minitf copies it: NumPy's float32 ``power`` goes through a SIMD routine chosen by the
    CPU, and the AVX-512 one gives 0.6561 for 0.9 ** 4 (0.6560999 without): one bit off, enough
    to make Adam's bias correction, hence every later weight, differ from Keras's. So for host
    scalars minitf calls the very ``powf`` TF calls, through NumPy's scalar math (glibc's is within
    0.82 ulp of the exact power: the correctly rounded float32 but for ~1 case in 500 at large
    steps, such as 0.999 ** 873, where it is 1 ulp off, and TF with it). Tensors compute in float64
    and round once to the dtype: the correctly rounded value on every CPU (NumPy's float64 power
    differs by an ulp of float64 between SIMD paths, which the rounding hides but for ~1 case in
    2^28).

    Not TF's bits for tensors of 8 or more elements: TF computes those with Eigen's vectorized
    power, which differs from the correctly rounded value by up to 3 ulp (TF 2.21, measured).
    Subnormal *inputs* are not flushed as TF's are (TF's 1e-40 ** 0.5 is 2.6e-23, an accident of
    powf under TF's denormals-are-zero mode).
    """

    quiet = True  # overflow to inf and nan (a negative base, a fractional exponent) come out silently, as in TF
    elementwise = True

    def forward(base, exponent):
        return _power_rounded(B.xp, base, exponent)


def _power_rounded(xp, base, exponent):
    """PowRounded's kernel on two arrays of one dtype (or two NumPy scalars, in a replay)."""
    if type(base) is np.float32 and type(exponent) is np.float32 and xp is np:
        return _powf_flushed(base, exponent)  # (two NumPy scalars, in a replay: a scalar back)
    if xp is np and base.ndim == 0 and exponent.ndim == 0 and base.dtype == np.float32:
        return np.asarray(_powf_flushed(base[()], exponent[()]))
    elif xp is np and base.ndim == 0 and exponent.ndim == 0 and base.dtype == np.float64:
        try:
            result = np.asarray(math.pow(float(base), float(exponent)))  # C's pow, TF's for float64
        except (OverflowError, ValueError):  # math.pow raises where C's pow gives inf or nan
            result = np.power(base, exponent)
    else:
        result = xp.power(base.astype(np.float64), exponent.astype(np.float64)).astype(base.dtype)
    if result.dtype.kind == "f":  # TF's CPU kernels flush subnormal results to zero (keeping the sign)
        result = xp.where(xp.abs(result) < xp.finfo(result.dtype).tiny, result * 0, result)
    return result


def _powf_flushed(base, exponent):
    """One float32 number (Adam's beta ** t, every step): TF's powf, then the flush, on NumPy scalars.

    NumPy's power of two float32 *scalars* is C's ``powf`` itself (its scalar math calls
    ``npy_powf``, which is the C library's ``powf``: no SIMD routine, unlike the ufunc on arrays),
    and it costs ~0.1 us where a call through ctypes cost ~2 us, twice in every Adam step."""
    value = base ** exponent
    return value * _FLOAT32_ZERO if abs(value) < _FLOAT32_TINY else value


_FLOAT32_ZERO = np.float32(0.0)
_FLOAT32_TINY = np.float32(np.finfo(np.float32).tiny)


def pow_rounded(base, exponent):
    """``base ** exponent`` as TF computes a power of scalars: see ``PowRounded``. Tensors or
    numbers; a number takes the dtype of the tensor beside it."""
    from minitf.ops.elementwise import binary_operands
    return PowRounded.apply(*binary_operands("Pow", base, exponent))


def pow_rounded_array(base, exponent, dtype=np.float32):
    """The same rule on plain numbers/arrays, for code that computes without tensors (lessons, tests):
    ``pow_rounded_array(0.9, t)`` is TF's float32 ``0.9 ** t``. As TF's ``pow(cast(base, dtype), t)``:
    base and exponent are rounded to ``dtype`` first; the result is a NumPy scalar or array of ``dtype``."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _power_rounded(np, np.asarray(base).astype(dtype), np.asarray(exponent).astype(dtype))[()]


# --- float32 sums in Eigen's order -------------------------------------------------------------------
_PACKET = 8  # float32 lanes per AVX register: the packet size of TF's CPU (Eigen) reductions


class EigenSum(Op):
    """sum(x) of all elements, adding in the order TF's CPU kernel does (float32).

    Float32 rounding depends on the order of the additions. Eigen (under TF's reduce_sum) keeps
    4 accumulators of 8 lanes, adds them together, adds the remaining whole packets, then folds
    the 8 lanes in halves (4 + 4, 2 + 2, 1 + 1) and adds that to the sum of the leftover
    elements. Above 8192 elements (8 lanes x Eigen's leaf size 1024) it first splits the array in
    two halves, cut on a packet boundary, sums each half the same way and adds the two. Doing the
    same makes a norm-clipped gradient equal TF's bit for bit (Keras's ``clipnorm``/``global_clipnorm``).

    That is TF's order while it sums on one thread. For large arrays (measured: above ~10^5 elements
    with 16 intra-op threads, never up to 10^7 with 2) Eigen shards the sum over its thread pool, so
    TF's own bits depend on the machine's thread count; minitf keeps the one-thread order there.
    Other dtypes use the backend's sum, and so does the GPU backend (TF's GPU sums are CUDA's, not
    Eigen's CPU order). Not differentiated (it serves gradient clipping).
    """

    def forward(x):
        return eigen_sum_array(x)

    def shape(x):
        return ()


_LEAF = _PACKET * 1024  # Eigen's InnerMostDimReducer splits a sum of more elements in two


def eigen_sum_array(a):
    xp = B.xp
    x = a.reshape(-1)
    if xp is not np or x.dtype != np.float32:
        return xp.asarray(xp.sum(x))
    return np.asarray(_eigen_tree_sum(x, 0, x.size))


def _eigen_tree_sum(x, first, n):
    """Eigen's sum of x[first:first + n]: halves cut on a packet boundary (an absolute index) above
    ``_LEAF`` elements, ``_eigen_packet_sum`` below. The halves are added onto a zero, as Eigen's
    reducer does."""
    if n <= _LEAF:
        return _eigen_packet_sum(x[first:first + n])
    split = _PACKET * -(-(first + -(-n // 2)) // _PACKET)  # ceil(first + ceil(n / 2)) to a packet
    num_left = min(split - first, n)
    total = np.float32(0) + _eigen_tree_sum(x, first, num_left)
    if num_left < n:
        total = np.float32(total + _eigen_tree_sum(x, split, n - num_left))
    return total


def _eigen_packet_sum(x):
    n = x.size
    block = 4 * _PACKET
    acc = np.zeros(_PACKET, np.float32)
    start = 0
    if n >= block:
        start = n // block * block
        lanes = x[:start].reshape(-1, 4, _PACKET).sum(axis=0)  # axis 0: added block after block, in order
        acc = ((lanes[0] + lanes[1]) + lanes[2]) + lanes[3]
    whole = n // _PACKET * _PACKET
    for j in range(start, whole, _PACKET):
        acc = acc + x[j:j + _PACKET]
    leftover = np.float32(0)
    for value in x[whole:]:
        leftover = np.float32(leftover + value)
    half = acc[:4] + acc[4:]
    quarter = half[:2] + half[2:]
    return np.float32(leftover + np.float32(quarter[0] + quarter[1]))


def eigen_sum(x):
    """``reduce_sum(x)`` of all elements in TF's CPU order (see ``EigenSum``)."""
    return EigenSum.apply(x)


# --- signed zeros ------------------------------------------------------------------------------------
def positive_zeros_(array):
    """Turn each -0.0 of ``array`` into +0.0, in place (``x + 0`` is +0.0 for x = -0.0, x otherwise); returns it.

    What TF does: MaxPoolGrad starts from a zero-filled gradient and adds each window's dy into
    the cell that won the window, so a cell that no window picked holds +0.0.

    Why minitf copies it: where the windows tile the input, minitf writes dy * (cell won) straight
    into the gradient, and a negative dy times 0 is -0.0: equal to 0.0 in every comparison, but
    printed as ``-0.`` and not TF's bits (nor those of minitf's general path, which adds onto zeros).
    """
    array += 0
    return array


# --- the * operator on bool tensors -------------------------------------------------------------------
def bool_product(x, y):
    """``x * y`` where x or y is a bool tensor: a bool, True * True is True, True * False is False.

    What TF does: its ``*`` operator (``_mul_dispatch_factory`` in tensor_math_operator_overrides.py)
    casts both operands to int32, multiplies, and casts the product back to bool, while
    ``tf.multiply`` has no bool kernel (InvalidArgumentError). A float on the way is truncated:
    ``True * 0.5`` is False.

    Why minitf copies it: code written for TF (the course's ``x * x * x`` in a custom gradient) gives
    a value on bool tensors instead of an error.
    """
    from minitf.ops.elementwise import cast, multiply  # (elementwise imports this module)

    return cast(multiply(cast(x, "int32"), cast(y, "int32")), "bool")


# --- max pooling with NaN, -inf and -0.0 --------------------------------------------------------------
def window_max(cells, dtype, out=None, negative_zeros: bool = True):
    """The maximum of each pooling window as TF's CPU MaxPool takes it: NaN cells are skipped, no
    window goes below the dtype's lowest finite value, and of equal cells the first counts.
    max_pool over [nan, 1] is 1; over [nan, nan] or [-inf, -inf] it is -3.4028235e38 (float32;
    -65504 for float16); over [-0.0, 0.0] it is -0.0, over [0.0, -0.0] 0.0.

    What TF does: its kernel (Eigen's spatial max pooling) starts each window at
    ``NumTraits<T>::lowest()`` and keeps a cell only if it is larger, which NaN and -inf never are,
    nor a zero than another zero.

    Why minitf copies it: so that a NaN or -inf input pools to TF's numbers (a plain ``max``
    propagates NaN), and a window of zeros gives TF's zero on every machine. ``fmax`` (the maximum
    that skips NaN) starting from ``lowest`` gives the same values in one fast loop per cell, save
    one case: on a tie of 0.0 and -0.0 it returns either, by which loop NumPy takes (with AVX-512
    or without). So where a cell may be -0.0 (``negative_zeros``: see ``holds_negative_zero``), each
    cell replaces the running maximum only where it is larger, TF's scan itself (4-8x slower).
    ``cells``: one array per window offset, each of the output's shape (written into ``out``
    when given).
    """
    lowest = np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min
    cells = iter(cells)
    y = B.xp.fmax(next(cells), dtype.type(lowest), out=out)  # (no tie: lowest is not a zero)
    larger = None
    for cell in cells:
        if negative_zeros:
            larger = B.xp.greater(cell, y, out=larger)
            B.xp.copyto(y, cell, where=larger)
        else:
            B.xp.fmax(y, cell, out=y)
    return y


def holds_negative_zero(x) -> bool:
    """Whether the array ``x`` may hold a -0.0 (``window_max``'s question). On NumPy one read of its
    bits as unsigned integers: none is the sign bit alone if the largest is below it (no negative
    number at all: a ReLU's output), else a comparison says. On a GPU, True: telling would stop it
    until the answer reached the host."""
    if x.dtype.kind != "f":
        return False
    if B.xp is not np:
        return True
    if not x.flags.c_contiguous:
        return bool((np.signbit(x) & (x == 0)).any())
    bits = x.reshape(-1).view(f"u{x.itemsize}")
    sign = bits.dtype.type(1 << (8 * x.itemsize - 1))
    return x.size > 0 and bits.max() >= sign and bool((bits == sign).any())


# --- reduce_max and reduce_min of tied zeros ----------------------------------------------------------
def extreme_with_tf_zeros(x, y, axis):
    """``y``, the max or min of ``x`` over ``axis`` (NumPy's), with TF's zero where 0.0 and -0.0 tie
    for the extreme: reduce_max([0.0, -0.0, -1.0]) is -0.0, reduce_max([-0.0, 0.0]) is 0.0.

    What TF does: its CPU kernel (Eigen) reduces in a fixed order and, of two equal values, keeps the
    later one, so the winner of a tie is the *last* tied element in that order. The order depends on
    how TF reshapes the reduction (``_tf_reduction_rows``):
    - along the last axis (and over all elements, and after TF's transpose of any other case) each
      row is read in SIMD packets (8 float32 lanes, 4 float64, 8 float16), from four packets on
      four at a time into four accumulators; each lane keeps its later equal value (float16's packets: the
      earlier); the accumulators are joined in order, the lanes folded in halves (lane 7 beats lane
      3, 3 beats 5, ...: ``_row_order``), and a leftover element past the last whole packet beats them;
    - along the first of two axes, or the middle of three, columns that fill a packet run down the
      reduced axis as four interleaved accumulators (``_preserved_order``), the rest one by one;
    - over the first and last of three axes, element by element, the last axis outermost.
    A full reduction of more than ~10^5 elements is split over TF's threads (measured with 2); minitf
    keeps the one-thread order there, as ``eigen_sum`` does.

    Why minitf copies it: NumPy's max and min return either zero of a tie, by their SIMD loop, so
    the same reduce_max gave different bits with AVX-512 on and off. Only results that are a zero of
    an input holding -0.0 are looked at again (a ReLU's output never holds one). On a GPU, CuPy's
    own (TF's GPU kernels are CUDA's, not this order).
    """
    if x.dtype.kind != "f" or B.xp is not np or np.count_nonzero(y) == np.size(y) or not holds_negative_zero(x):
        return y
    y = np.asarray(y)  # (a reduction to a scalar may give a NumPy scalar)
    flat = y.reshape(-1)  # a view: y is the reduction's fresh result
    zero = flat == 0
    rows, orders, row_kind = _tf_reduction_rows(x, axis)
    for kind, order in enumerate(orders):
        picked = np.flatnonzero(zero & (row_kind == kind))
        if picked.size:
            ordered = rows[picked][:, order]
            last_tied = ordered.shape[1] - 1 - np.argmax(ordered[:, ::-1] == 0, axis=1)
            flat[picked] = ordered[np.arange(picked.size), last_tied]
    return y


def _tf_reduction_rows(x, axis):
    """``x`` as the 2-D array of TF's reduction, one row per output element (in the output's order),
    with the order(s) in which TF's kernel reads a row, and which order each row takes."""
    shape, first_reduced = _tf_reduction_shape(x.shape, axis)
    lanes = 8 if x.dtype == np.float16 else 32 // x.itemsize  # one 256-bit AVX packet (float16: 128)
    later = x.dtype != np.float16  # does a packet lane keep the later of two equal values?
    xr = x.reshape(shape)
    if len(shape) <= 1 and not first_reduced:  # only size-1 axes reduced: TF copies x
        rows = xr.reshape(-1, 1)
        return rows, [np.arange(1)], np.zeros(len(rows), np.intp)
    if len(shape) <= 1 or (len(shape) == 2 and not first_reduced):  # along the last axis, or all
        rows = xr.reshape(-1, shape[-1] if shape else 1)
        return rows, [_row_order(rows.shape[1], lanes, later)], np.zeros(len(rows), np.intp)
    if len(shape) == 3 and first_reduced:  # (A, B, C) over A and C: element by element, C outermost
        rows = xr.transpose(1, 2, 0).reshape(shape[1], -1)
        return rows, [np.arange(rows.shape[1])], np.zeros(len(rows), np.intp)
    if len(shape) == 2 or len(shape) == 3:  # (X, Y) over X, (A, B, C) over B: columns kept
        a, b, c = ((1,) + tuple(shape)) if len(shape) == 2 else tuple(shape)
        rows = xr.reshape(a, b, c).transpose(0, 2, 1).reshape(a * c, b)
        start = np.arange(a * c) // lanes * lanes  # the packet of output elements each one is in
        in_packet = (start + lanes <= a * c) & (start % c + lanes <= c)
        row_kind = np.where(in_packet, 0, 1)
        return rows, [_preserved_order(b, later), np.arange(b)], row_kind
    reduced = list(range(0 if first_reduced else 1, len(shape), 2))  # TF moves the reduced axes last
    kept = list(range(1 if first_reduced else 0, len(shape), 2))
    moved = xr.transpose(kept + reduced)
    rows = moved.reshape(math.prod(shape[i] for i in kept), -1)
    return rows, [_row_order(rows.shape[1], lanes, later)], np.zeros(len(rows), np.intp)


def _tf_reduction_shape(shape, axis):
    """TF's ReductionHelper: size-1 axes dropped, neighbouring axes both reduced or both kept merged.
    Returns the merged shape and whether its first axis is reduced."""
    merged, first_reduced, previous = [], True, None
    for i, size in enumerate(shape):
        if size == 1:
            continue
        reduced = i in axis
        if reduced == previous:
            merged[-1] *= size
        else:
            merged.append(size)
            first_reduced = reduced if previous is None else first_reduced
        previous = reduced
    return merged, first_reduced


@functools.lru_cache(maxsize=64)
def _row_order(n, lanes, later):
    """The positions of a row of ``n`` in the order Eigen's InnerMostDimReducer lets them win a tie
    (the last wins): lane by lane (the lanes in bit-reversed order, as halving folds them), each
    lane's elements of the four accumulators' packets, then of the whole packets left, then the
    elements past the last whole packet."""
    whole, unrolled = n // lanes * lanes, n // (4 * lanes) * (4 * lanes)
    four = np.arange(unrolled).reshape(-1, 4, lanes).transpose(2, 1, 0).reshape(lanes, unrolled // lanes)
    rest = np.arange(unrolled, whole).reshape(-1, lanes).T
    lane_rows = np.concatenate([four, rest], axis=1)
    if not later:
        lane_rows = lane_rows[:, ::-1]
    bits = lanes.bit_length() - 1
    folded = [int(format(lane, f"0{bits}b")[::-1], 2) for lane in range(lanes)]
    return _read_only(np.concatenate([lane_rows[folded].reshape(-1), np.arange(whole, n)]))


@functools.lru_cache(maxsize=64)
def _preserved_order(n, later):
    """The tie order of Eigen's InnerMostDimPreserver down a reduced axis of ``n``: from 16 on, four
    accumulators take every fourth element and are joined in order; then the elements left."""
    unrolled = n // 4 * 4 if n >= 16 else 0
    order = np.concatenate([np.arange(unrolled).reshape(-1, 4).T.reshape(-1), np.arange(unrolled, n)])
    return _read_only(order if later else order[::-1])


def _read_only(array):
    array.flags.writeable = False  # (cached: shared by every call)
    return array


# --- Keras's sparsemax -------------------------------------------------------------------------------
def keras_sparsemax_tau(running_sums, support, axis):
    """The threshold tau of ``keras.activations.sparsemax``, as Keras 3.15 computes it.

    What Keras does: with z sorted in decreasing order, its running sums c_j and the support S (the j
    with z_j > (c_j - 1) / j, |S| = k), Keras's TF backend takes tau = (sum over j in S of c_j - 1) / k:
    the running sums summed over the support. The paper's tau is (c_k - 1) / k, which makes the output
    sum to 1. They agree when k = 1; otherwise Keras's outputs do not sum to 1 (sparsemax of
    [1, 0.5, -1] is [0.25, 0, 0] in Keras, [0.75, 0.25, 0] in the paper).

    Why minitf copies it: ``tf.keras.activations.sparsemax`` code gives TF's numbers under minitf.
    """
    from minitf.ops import elementwise as E
    from minitf.ops import reductions as R
    from minitf.ops import shape_ops as S

    count = R.reduce_sum(S.cast(support, running_sums.dtype), axis=axis, keepdims=True)
    return (R.reduce_sum(E.where(support, running_sums, 0.0), axis=axis, keepdims=True) - 1) / count


# --- meshgrid's product with bools ------------------------------------------------------------------
def meshgrid_product(t, factor):
    """``t * factor`` as ``tf.meshgrid`` computes it (each vector times ones of the grid's shape, in the
    first vector's dtype). With a bool on either side TF's ``*`` falls back to converting the number to
    bool through an integer, so a float counts as True only from magnitude 1 on (0.5 gives False),
    and the result is the logical and. minitf does the same: cast to int32, then to bool."""
    from minitf import dtypes
    from minitf.ops.elementwise import logical_and, multiply
    from minitf.ops.shape_ops import cast
    if dtypes.bool not in (t.dtype, factor.dtype):
        return multiply(t, factor)

    def as_bool(x):
        return x if x.dtype == dtypes.bool else cast(cast(x, dtypes.int32), dtypes.bool)
    return logical_and(as_bool(t), as_bool(factor))


# --- Keras quirks --------------------------------------------------------------------------------------
def keras_execution_end_step(first_step: int, steps_per_execution: int) -> int:
    """The batch index Keras hands ``on_*_batch_end`` after one execution of ``steps_per_execution``
    steps: ``first + steps_per_execution - 1``, also for the last, shorter execution of an epoch
    (10 batches, 3 per execution: the hooks see 2, 5, 8 and then 11, not 9). Callbacks that count
    batches see the same numbers under minitf as under Keras."""
    return first_step + steps_per_execution - 1


def keras_single_batch_data(x, y=None, sample_weight=None, predict: bool = False):
    """What Keras's ``train_on_batch`` / ``test_on_batch`` hand the step: ``(x, y, sample_weight)``
    with its Nones kept (their helper yields that tuple as it is, where ``fit`` packs a batch to
    ``(x, y)``), and ``predict_on_batch``: ``(x,)`` (where ``predict`` hands ``x`` alone). A custom
    step that unpacks with ``keras.utils.unpack_x_y_sample_weight`` sees no difference."""
    return (x,) if predict else (x, y, sample_weight)


# --- PNG decoding -------------------------------------------------------------------------------------
def png_low_bit_gray_alpha(bit_depth: int) -> int:
    """The alpha value TF's ``decode_png(..., channels=4)`` gives a 1, 2 or 4-bit grayscale PNG: 2^depth - 1.

    TF asks libpng to add an opaque alpha channel (filler 0xff) before libpng expands the
    low-bit samples to 8 bits, and the filler is cut to the file's bit depth: a 1-bit image comes
    out with alpha 1, a 2-bit one with 3, a 4-bit one with 15 (the gray values are 0..255 as
    usual). Measured on TF 2.21; minitf gives the same so the pixels match.
    """
    return (1 << int(bit_depth)) - 1


# --- adjust_contrast ----------------------------------------------------------------------------------
def contrast_image_mean(images):
    """The per-image, per-channel mean that TF's CPU AdjustContrastv2 computes, in its order of additions.

    images: (..., height, width, channels) float32. TF does not call a reduction: it folds the
    n = height * width pixels in halves, adding the right half onto the left one (the middle pixel
    of an odd count carried over) until one remains, then multiplies by float32(1 / n). Summing
    in another order (NumPy's, Eigen's) moves the mean by an ulp or two, and every adjusted pixel
    with it. Written with slices and adds, so it also runs in a traced function.
    """
    from minitf.ops import elementwise as E
    from minitf.ops import shape_ops as S
    lead, (height, width, channels) = list(images.shape[:-3]), images.shape[-3:]
    n = height * width
    sums = S.reshape(images, [-1, n, channels])
    while n > 1:
        right = n // 2
        left = n - right
        folded = E.add(sums[:, left:], sums[:, :right])
        sums = S.concat([folded, sums[:, right:left]], axis=1) if left > right else folded
        n = left
    mean = E.multiply(sums, np.float32(1.0 / (height * width)))
    return S.reshape(mean, lead + [1, 1, channels])


def no_gradient_registered(op_name: str, result):
    """``result`` marked as the output of a TF op that has no registered gradient, though its math has
    one: a GradientTape that backpropagates through it raises TF's ``LookupError: gradient registry has
    no entry for: <op>`` (the autodiff guide shows it with ``tf.image.adjust_contrast``). minitf
    computes these ops through differentiable ops; the mark is an identity op whose gradient raises."""
    return _NO_GRADIENT_OPS[op_name].apply(result)


def _no_gradient_backward(ctx, dy):
    raise LookupError(f"gradient registry has no entry for: {ctx.op.name}")


def _no_gradient_op(op_name: str):
    from minitf.ops.op import Op

    class NoGradient(Op):
        """The identity, named as a TF op without a registered gradient (see ``no_gradient_registered``)."""

        name = op_name
        view = True

        def forward(x):
            return x

        backward = _no_gradient_backward

        def shape(x_shape):
            return x_shape
    NoGradient.__qualname__ = NoGradient.__name__ = op_name  # how a saved graph names the op class
    return NoGradient


_NO_GRADIENT_OPS = {name: _no_gradient_op(name) for name in ("AdjustContrastv2",)}
AdjustContrastv2 = _NO_GRADIENT_OPS["AdjustContrastv2"]


# --- PyDataset ----------------------------------------------------------------------------------------
PY_DATASET_PEEK_BATCHES = 2


def peek_py_dataset(dataset) -> None:
    """Read the first two batches of a PyDataset once and drop them, then call its ``on_epoch_end``,
    as Keras on TensorFlow does before ``fit`` or ``evaluate`` reads it.

    Keras's PyDatasetAdapter turns a PyDataset into a ``tf.data`` pipeline and, to learn the
    batches' shapes and dtypes, first calls ``dataset[0]`` and ``dataset[1]`` (its
    ``NUM_BATCHES_FOR_TENSOR_SPEC``); its epoch iterator is then reset, which calls
    ``on_epoch_end()``. Those calls have effects a user sees: an ``ImageDataGenerator`` iterator
    draws its shuffle order at its first batch and again at ``on_epoch_end``, and reseeds NumPy's
    global generator with ``seed + batches seen`` before every batch, so the order and the
    augmentations of the batches that follow depend on them. minitf makes the same calls. (It
    does not copy the rest of TF's schedule: tf.data prefetches batches in a background thread,
    and each validation pass resets the iterator again, so the order of a *shuffled* PyDataset's
    batches in ``fit`` is not TF's. Unshuffled and augmentation-free ones give Keras's batches.)
    """
    count = dataset.num_batches if hasattr(dataset, "num_batches") else len(dataset)
    for index in range(min(PY_DATASET_PEEK_BATCHES, count if count is not None else PY_DATASET_PEEK_BATCHES)):
        dataset[index]
    dataset.on_epoch_end()


# --- printing numbers --------------------------------------------------------------------------------
def float_text(value, dtype: np.dtype) -> str:
    """A float as ``tf.print`` and ``tf.strings.format`` write it: absl's ``FloatToBuffer``, the fewest
    of two precisions that reads back as the same number: "%.6g", or "%.9g" if that does not
    round-trip, for float32 (so 0.1 prints as 0.1 and 1/3 as 0.333333343); "%.15g" else "%.17g" for
    float64; float16 as "%.4g". A fixed 9 digits would print float32 0.1 as 0.100000001."""
    if dtype.itemsize == 2:
        return "%.4g" % float(value)
    short, full = (15, 17) if dtype.itemsize == 8 else (6, 9)
    text = "%.*g" % (short, float(value))
    if not np.isfinite(value) or dtype.type(float(text)) == value:
        return text
    return "%.*g" % (full, float(value))



# --- random draws computed in double, stored in a smaller dtype -----------------------------------------
def double_to_half(values: np.ndarray) -> np.ndarray:
    """A double cast to float16 as TF's kernels cast it: ``static_cast<Eigen::half>(double)`` goes
    through float first, so it rounds twice (a value just past a float16 midpoint in double can land
    on it in float and then round to even). NumPy's direct cast rounds once. Used by the gamma,
    Poisson and binomial draws, which TF computes in double for every dtype."""
    return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float16)


def nonfinite_draw_as_integer(values: np.ndarray) -> np.ndarray:
    """Integer outputs of draws that came out infinite or NaN (an infinite Poisson rate, a NaN
    probability): TF's casts leave 0 for an infinite Poisson rate (observed with TF 2.21 on x86-64;
    its C++ cast of a non-finite double is undefined, and its binomial output for a NaN probability
    is uninitialized memory). minitf gives 0 for every non-finite draw."""
    return np.where(np.isfinite(values), values, 0.0)


# --- Keras's SpectralNormalization output dtype ------------------------------------------------------
def keras_output_in_input_dtype(output, inputs):
    """Keras's ``SpectralNormalization.call`` ends with ``ops.cast(output, inputs.dtype)``: the wrapped
    layer's output takes the INPUT's dtype. For Dense/Conv on floats that changes nothing; around an
    Embedding (integer ids in) the float vectors come out truncated to integers. minitf does the same,
    so that a wrapped Embedding gives Keras's values."""
    from minitf.ops import shape_ops as S
    return output if output.dtype == inputs.dtype else S.cast(output, inputs.dtype)


# --- Keras's MultiHeadAttention: two computations -----------------------------------------------------
def keras_attention_uses_dot_product_attention(dropout: float, return_attention_scores: bool,
                                               projected_rank: int) -> bool:
    """Which of its two computations Keras 3.15's MultiHeadAttention runs (``_compute_attention``).

    Without dropout, without the scores asked for and on (B, T, N, H) heads (3-D inputs), it calls
    ``ops.dot_product_attention``: logits = (q . k) * scale, masked logits set to
    ``KERAS_DOT_PRODUCT_ATTENTION_MASKED`` (so a fully masked row gets uniform weights), a softmax in
    float32 at least. Otherwise: q * scale first, then q . k, and its ``Softmax`` layer with the mask
    (-1e9, then the masked weights set to 0: a fully masked row gets none). The float32 results
    differ in the last bits between the two, and the masked rows differ outright.
    """
    return not (dropout > 0.0 or return_attention_scores or projected_rank != 4)


# TF backend's _get_large_negative(float32): the value masked logits take in dot_product_attention
# (65500 * -0.7 in float16).
KERAS_DOT_PRODUCT_ATTENTION_MASKED = 3.38953e38 * -0.7


# --- QR of a matrix holding inf or NaN: Eigen's reflections, step by step -------------------------------
def eigen_householder_qr(a: np.ndarray, full_matrices: bool) -> tuple:
    """Q and R of ONE matrix as TF's CPU kernel computes them (Eigen's ``HouseholderQR``), for a
    matrix holding inf or NaN. For finite matrices LAPACK's factors equal Eigen's to rounding, but
    where inf or NaN meet, which entries become NaN depends on each multiply by a zero and each
    inf - inf of Eigen's own steps, so minitf takes them literally here:

    - column k: the reflector H = I - tau v v^T with v = [1, x_tail / (x_0 - beta)],
      beta = -sign(x_0) |x|, tau = (beta - x_0) / beta (tau = 0 and no reflection when the tail is 0);
    - it is applied to the columns right of k within the first min(m, n) (Eigen's panel), and,
      for a wide matrix, to the trailing columns as one block reflector A -= V T^T V^T A (so a
      tau of 0 still multiplies an inf there: NaN);
    - Q = H_0 (H_1 (... H_{k-1} I)): with ``full_matrices`` (Eigen's ``householderQ()``) each H_j
      is applied to the bottom-right corner from (j, j); otherwise TF multiplies ``householderQ()``
      by I(m, k), and each H_j is applied to rows j.. of every column (so a NaN tau reaches them all).

    Eigen works in panels of 48 columns; these steps are its steps for matrices up to 48 wide (a
    larger matrix holding inf or NaN gets the same steps without the panels)."""
    m, n = a.shape
    size = min(m, n)
    qr = a.copy()
    taus = np.zeros(size, a.dtype)
    with np.errstate(all="ignore"):
        for k in range(size):  # householder_qr_inplace_unblocked on the panel qr[:, :size]
            taus[k], qr[k, k] = _make_householder(qr[k:, k])
            _apply_householder_on_the_left(qr[k:, k + 1:size], qr[k + 1:, k], taus[k])
        if n > size:  # apply_block_householder_on_the_left on the trailing columns (backward: T^T)
            vectors = np.tril(qr[:, :size], -1) + np.eye(m, size, dtype=a.dtype)
            factor = _block_householder_triangular_factor(vectors, taus)
            qr[:, size:] -= vectors @ (factor.T @ (vectors.T @ qr[:, size:]))
        # full: Q = householderQ() (evalTo: each H_k on the corner from (k, k));
        # reduced: Q = householderQ() * I(m, k) (each H_k on rows k.. of every column)
        q = np.eye(m, m if full_matrices else size, dtype=a.dtype)
        for k in range(size - 1, -1, -1):
            _apply_householder_on_the_left(q[k:, k:] if full_matrices else q[k:], qr[k + 1:, k], taus[k])
    r = np.triu(qr)
    return (q, r) if full_matrices else (q, r[:size])


def _make_householder(x: np.ndarray) -> tuple:
    """Eigen's ``makeHouseholderInPlace`` on column x: (tau, beta), the essential part left in x[1:]."""
    tail_sq_norm = x[1:] @ x[1:] if len(x) > 1 else x.dtype.type(0)
    c0 = x[0]
    if tail_sq_norm <= np.finfo(x.dtype).tiny:
        x[1:] = 0
        return x.dtype.type(0), c0
    beta = np.sqrt(c0 * c0 + tail_sq_norm)
    if c0 >= 0:
        beta = -beta
    x[1:] = x[1:] / (c0 - beta)
    return (beta - c0) / beta, beta


def _apply_householder_on_the_left(block: np.ndarray, essential: np.ndarray, tau) -> None:
    """Eigen's ``applyHouseholderOnTheLeft``: block = (I - tau v v^T) block, v = [1, essential]."""
    if block.shape[0] == 1:
        block *= 1 - tau
    elif tau != 0:  # NaN != 0: a NaN tau is applied
        tmp = essential @ block[1:] + block[0]
        block[0] -= tau * tmp
        block[1:] -= tau * np.outer(essential, tmp)


def _block_householder_triangular_factor(vectors: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """Eigen's ``make_block_householder_triangular_factor``: T with H_0 ... H_{k-1} = I - V T V^T."""
    k = vectors.shape[1]
    factor = np.zeros((k, k), vectors.dtype)
    for i in range(k - 1, -1, -1):
        rt = k - i - 1
        if rt > 0:
            below = np.tril(vectors[i + 1:, i + 1:], -1) + np.eye(vectors.shape[0] - i - 1, rt, dtype=vectors.dtype)
            factor[i, i + 1:] = -taus[i] * (vectors[i + 1:, i] @ below)
            for j in range(k - 1, i, -1):
                z = factor[i, j]
                factor[i, j] = z * factor[j, j]
                if k - j - 1 > 0:
                    factor[i, j + 1:] += z * factor[j, j + 1:]
        factor[i, i] = taus[i]
    return factor


# --- erfinv through the normal quantile ------------------------------------------------------------------
def erfinv_through_ndtri(x, ndtri_float64):
    """erf^-1(x) as TF's kernel computes it: ``ndtri(0.5 * x + 0.5) * sqrt(1/2)``, with 0.5 x + 0.5
    rounded in x's own dtype first. The identity is exact, but that rounding costs digits: near 0
    in float32 (erfinv(8.33e-5) comes out 7.3847e-5, not 7.3804e-5: 6e-4 relative) and near +-1
    in float64 (erfinv(1 - 1.2e-15) is 5.6509, not 5.6585). minitf rounds the same way, then
    takes the quantile in float64 (``ndtri_float64``), so its values are TF's to an ulp or two."""
    half = x.dtype.type(0.5)
    p = x * half + half
    return (ndtri_float64(p.astype(np.float64)) * math.sqrt(0.5)).astype(x.dtype, copy=False)
