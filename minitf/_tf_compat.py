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


# --- top_k with NaN -----------------------------------------------------------------------------------
def nan_top_k_order(x, k: int):
    """The order TF's TopKV2 gives a row holding NaN: top_k([3, nan, 1], 2) is [3, nan].

    TF's kernel compares with ``>``, for which NaN is neither larger nor smaller than anything, so
    where a NaN lands depends on the algorithm. Its results are those of a stable insertion that
    puts each element before the first one it is strictly greater than, scanning from the front:
    [3, nan, 1] -> [3, nan, 1];  [3, 1, nan, 5] -> [5, 3, 1, nan];  [inf, nan, 2] -> [inf, nan, 2].
    Rows are done one by one in Python: a NaN row is an error case, not a hot path.
    """
    rows = B.to_numpy(x).reshape(-1, x.shape[-1])
    out = np.empty((rows.shape[0], k), dtype=np.int32)
    for r, row in enumerate(rows):
        order: list[int] = []
        for i, value in enumerate(row.tolist()):
            at = next((j for j, other in enumerate(order) if value > row[other]), len(order))
            order.insert(at, i)
        out[r] = order[:k]
    return B.xp.asarray(out.reshape(x.shape[:-1] + (k,)))


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
