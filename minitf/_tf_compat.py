"""Where minitf copies one of TensorFlow's accidents, so that its numbers equal TF's to the bit.

Each entry says what TF does and why minitf does the same. Nothing here is needed to learn
how deep learning works: it is only needed to print the same last digit as TensorFlow, on
every CPU. The rest of minitf calls these by name, so a reader can tell a formula from a shim.
"""
from __future__ import annotations

import math

import numpy as np

from minitf import backend as B
from minitf.ops.op import Op


# --- which error a dtype gets -------------------------------------------------------------------------
# TF's op definitions list the dtypes an op accepts: another dtype is an InvalidArgumentError. A few
# ops accept more dtypes in their definition than any kernel implements: those raise NotFoundError
# ("Could not find device for node") instead. minitf raises the same class for the same dtypes.
NO_KERNEL_FOR_SIGNED_INTEGERS = frozenset({"Reciprocal"})


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
    """base ** exponent, correctly rounded to the dtype (no gradient).

    TF computes a float32 power with C's ``powf``, which is correctly rounded, e.g.
    0.9 ** 4 = 0.6560999 (float32). NumPy's float32 ``power`` goes through a SIMD routine on
    CPUs with AVX-512 and gives 0.6561 there: one bit off, which is enough to make Adam's
    bias correction differ from Keras's. Computing the power in double precision (Python's
    ``math.pow``, the C library's ``pow``, for the scalars optimizers and schedules need; NumPy
    float64 for arrays) and rounding once to the dtype gives the correctly rounded value on every
    CPU (up to a double rounding that is one case in ~2^29).
    """

    elementwise = True

    def forward(base, exponent):
        if B.xp is np and base.ndim == 0 and exponent.ndim == 0:  # scalars on the host: C's pow
            return np.asarray(math.pow(float(base), float(exponent))).astype(base.dtype)
        return B.xp.power(base.astype(np.float64), exponent.astype(np.float64)).astype(base.dtype)


def pow_rounded(base, exponent):
    """``base ** exponent`` as TF computes a power: see ``PowRounded``. Tensors or numbers; a number
    takes the dtype of the tensor beside it."""
    from minitf.ops.elementwise import binary_operands
    return PowRounded.apply(*binary_operands("Pow", base, exponent))


def pow_rounded_array(base, exponent, dtype=np.float32):
    """The same rule on plain numbers/arrays, for code that computes without tensors (lessons, tests).
    As TF's ``pow(cast(base, dtype), t)``: the base is rounded to ``dtype`` first, the power then
    computed in float64 and rounded once."""
    base = np.asarray(base).astype(dtype).astype(np.float64)
    return np.asarray(np.power(base, np.asarray(exponent).astype(dtype).astype(np.float64))).astype(dtype)[()]


# --- float32 sums in Eigen's order -------------------------------------------------------------------
_PACKET = 8  # float32 lanes per AVX register: the packet size of TF's CPU (Eigen) reductions


class EigenSum(Op):
    """sum(x) of all elements, adding in the order TF's CPU kernel does (float32, up to 4096 elements).

    Float32 rounding depends on the order of the additions. Eigen (under TF's reduce_sum) keeps
    4 accumulators of 8 lanes, adds them together, adds the remaining whole packets, then folds
    the 8 lanes in halves (4 + 4, 2 + 2, 1 + 1) and adds that to the sum of the leftover
    elements. Doing the same makes a norm-clipped gradient equal TF's bit for bit (Keras's
    ``clipnorm``/``global_clipnorm``). Larger arrays (where TF may split the work across threads)
    and other dtypes use the backend's sum. Not differentiated (it serves gradient clipping).
    """

    def forward(x):
        return eigen_sum_array(x)

    def shape(x):
        return ()


def eigen_sum_array(a):
    xp = B.xp
    x = a.reshape(-1)
    n = x.size
    if xp is not np or x.dtype != np.float32 or n > 4096:
        return xp.asarray(xp.sum(x))
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
    return np.asarray(np.float32(leftover + np.float32(quarter[0] + quarter[1])))


def eigen_sum(x):
    """``reduce_sum(x)`` of all elements in TF's CPU order (see ``EigenSum``)."""
    return EigenSum.apply(x)


# --- Keras quirks --------------------------------------------------------------------------------------
def keras_execution_end_step(first_step: int, steps_per_execution: int) -> int:
    """The batch index Keras hands ``on_*_batch_end`` after one execution of ``steps_per_execution``
    steps: ``first + steps_per_execution - 1``, also for the last, shorter execution of an epoch
    (10 batches, 3 per execution: the hooks see 2, 5, 8 and then 11, not 9). Callbacks that count
    batches see the same numbers under minitf as under Keras."""
    return first_step + steps_per_execution - 1
