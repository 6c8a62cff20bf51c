"""The blocks of a kernel on every core: a small thread pool, with the BLAS on one thread inside it.

NumPy runs each ufunc on one core, and OpenBLAS spreads a matrix product over the cores only
when the product is large. The convolution kernels (``minitf/nn/conv.py``) work a block of rows
at a time, and their blocks are independent of each other: ``map_blocks`` runs them on a pool
of threads, one per core. NumPy lets go of Python's global lock inside its loops and its BLAS
calls, so the threads really do run at once.

Inside the pool the BLAS is held to one thread. Two products that each spread over every core
fight over the cores (measured 1.5x slower than one block after the other), while one product
per core keeps each core busy with its own block.

OpenBLAS's own idle threads are told to sleep after a short wait (``shorten_blas_spin``): by
default they spin for about 0.1 s after each product, taking a core from the pool's threads.

Inside a block, a tall and narrow product (a convolution's patches times its kernel) is cut into
pieces of rows that OpenBLAS's AVX-512 builds run in their small-matrix kernels
(``matmul_in_pieces``): 1.4x faster for TinyVGG's 10-filter layers than one product per block.

The bits do not depend on the number of cores: the blocks are the same whatever that number,
each block's product runs on one BLAS thread even when there is a single worker, and
``sum_blocks`` adds its terms in a fixed order: block after block within runs of consecutive
blocks, then the runs' sums in order.

``tf.config.threading.set_intra_op_parallelism_threads(n)`` sets the number of threads (0, the
default: one per core the process may use). On the GPU backends the blocks run one after the
other: the device is the parallel part there.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable

import numpy as np

from minitf import array_backend as B

_requested = 0  # tf.config.threading's intra-op setting; 0: one thread per usable core
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask), which can be fewer than ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def threads_setting() -> int:
    """The number set by ``set_threads`` (0: one thread per usable core)."""
    return _requested


def threads() -> int:
    """How many threads one kernel's blocks run on."""
    return _requested or usable_cores()


def workers() -> int:
    """How many threads ``map_blocks`` uses on the current backend (one on a GPU backend)."""
    return threads() if B.xp is np else 1


def set_threads(n: int) -> None:
    global _requested
    if int(n) < 0:
        raise ValueError(f"the number of intra-op threads must be 0 (one per core) or positive, got {n}")
    _requested = int(n)


# --- the BLAS on one thread while blocks run -------------------------------------------------------
class _OneBlasThread:
    """Holds the BLAS to one thread while any caller is inside (the first to enter sets it, the
    last to leave restores it, so that kernels called from several threads at once compose)."""

    def __init__(self):
        self._depth, self._limiter = 0, None
        self._lock = threading.Lock()

    def __enter__(self):
        with self._lock:
            if self._depth == 0:
                controller = _blas_controller()
                self._limiter = controller.limit(limits=1, user_api="blas") if controller else None
            self._depth += 1

    def __exit__(self, *exc):
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._limiter is not None:
                self._limiter.restore_original_limits()
                self._limiter = None


one_blas_thread = _OneBlasThread()

_controller: list = []  # [threadpoolctl's ThreadpoolController, or None without threadpoolctl], made once


def _blas_controller():
    """threadpoolctl's view of the BLAS libraries this process has loaded (None without threadpoolctl:
    then the BLAS keeps its threads, which is still right, only slower)."""
    if not _controller:
        try:
            from threadpoolctl import ThreadpoolController  # noqa: PLC0415 (loads the BLAS's info once)
        except ImportError:
            _controller.append(None)
        else:
            _controller.append(ThreadpoolController())
    return _controller[0]


# --- the BLAS's idle threads: a short wait -----------------------------------------------------------
BLAS_SPIN_EXPONENT = 20  # OpenBLAS's idle threads wait 2**20 CPU cycles (~0.4 ms), then sleep


def shorten_blas_spin() -> bool:
    """Have OpenBLAS's idle threads sleep after ~0.4 ms instead of ~0.1 s. Returns whether it did.

    After a product that OpenBLAS spreads over the cores, its worker threads keep spinning, waiting for
    the next one, for 2**28 CPU cycles (about 0.1 s) before they sleep. On a machine with few cores a
    spinning worker takes a core from whatever runs next: the pool's threads above, NumPy's ufuncs, a
    TF model in the same process. On 2 cores that made a training step take one of two times from one
    process to the next, depending on when the spinning happened to fall (measured: the sentiment
    LSTM's step 7.0-7.7 ms, 5.3-5.7 ms with the short wait; TinyVGG at 64x64 48 or 85 ms, 38-40 ms with
    it; the NumPy Adam update of its 10000x128 embedding alone 3.6 ms, 2.1 ms with it).

    The wait is OpenBLAS's ``OPENBLAS_THREAD_TIMEOUT`` (log2 of the cycles), read when its threads
    start. So this sets it, has OpenBLAS read its environment again, and stops its threads; OpenBLAS
    starts them again at its next threaded product, with the short wait. A product now and then
    pays for waking a sleeping thread (tens of microseconds), which is why the wait is not shorter.
    Results do not change, only how long idle threads wait. A value the user set in the environment
    (``OPENBLAS_THREAD_TIMEOUT=28`` is OpenBLAS's own) is left as it is, and so is any other BLAS.
    ``minitf/__init__.py`` calls this once, on import: stopping the threads must not race with a product
    running on another thread.
    """
    if "OPENBLAS_THREAD_TIMEOUT" in os.environ or "GOTO_THREAD_TIMEOUT" in os.environ:
        return False
    controller = _blas_controller()
    done = False
    for library in controller.lib_controllers if controller else ():
        dynlib = getattr(library, "dynlib", None)
        read_env = getattr(dynlib, "openblas_read_env", None)
        stop_threads = getattr(dynlib, "blas_thread_shutdown_", None)
        if (library.internal_api != "openblas" or getattr(library, "threading_layer", None) != "pthreads"
                or read_env is None or stop_threads is None):
            continue  # (an OpenMP build's threads are OpenMP's: OMP_WAIT_POLICY, not this, sets their wait)
        os.environ["OPENBLAS_THREAD_TIMEOUT"] = str(BLAS_SPIN_EXPONENT)  # (also for child processes)
        read_env()
        stop_threads()
        done = True
    return done


# --- OpenBLAS's small-matrix kernels: products cut into pieces of rows ------------------------------
SMALL_PRODUCT = 100 ** 3  # OpenBLAS takes a product to its small-matrix kernels when M*N*K <= 100**3
SMALL_KERNEL_ARCHITECTURES = {"SkylakeX", "Cooperlake", "SapphireRapids"}  # the x86 cores that have them
MIN_PIECE_ROWS = 24  # fewer rows than this per piece: the calls cost more than the small kernels win
MIN_SUMMED_PIECE_ROWS = 128  # the same for a sum over the rows (each piece's product is added to the total)
_small_kernels: list = []  # [whether NumPy's BLAS has them], found once


def small_kernel_pieces() -> bool:
    """Whether NumPy's BLAS is an OpenBLAS with small-matrix kernels (its AVX-512 builds), so that
    ``matmul_in_pieces`` pays: False on a GPU backend, another BLAS, or an older x86 core."""
    if B.xp is not np:
        return False
    if not _small_kernels:
        controller = _blas_controller()
        libraries = controller.lib_controllers if controller else ()
        _small_kernels.append(any(library.internal_api == "openblas"
                                  and getattr(library, "architecture", None) in SMALL_KERNEL_ARCHITECTURES
                                  for library in libraries))
    return _small_kernels[0]


def piece_rows(k: int, n: int, fewest: int | None = None) -> int:
    """Rows per piece of an (M, k) @ (k, n) product that OpenBLAS takes to its small-matrix
    kernels (M*n*k <= ``SMALL_PRODUCT``); 0 where pieces do not pay: fewer than ``fewest`` rows a
    piece (default ``MIN_PIECE_ROWS``; see ``matmul_in_pieces``)."""
    if not small_kernel_pieces():
        return 0
    rows = SMALL_PRODUCT // max(k * n, 1)
    return rows if rows >= (MIN_PIECE_ROWS if fewest is None else fewest) else 0


def even_chunks(total: int, most: int):
    """(start, stop) of the fewest chunks of at most ``most`` items covering range(total), their
    sizes differing by at most one."""
    count = -(-total // most)
    for k in range(count):
        yield total * k // count, total * (k + 1) // count


def row_pieces(rows: int, k: int, n: int) -> list:
    """(start, stop) of the pieces of rows in which a (rows, k) @ (k, n) product runs: even pieces
    of at most ``piece_rows(k, n)`` inside the pool's blocks (``in_pool_blocks``), else one."""
    most = piece_rows(k, n) if in_pool_blocks() else 0
    return list(even_chunks(rows, most)) if most and rows > most else [(0, rows)]


def matmul_in_pieces(a, b, out):
    """``out = a @ b`` (a (M, K), b (K, N), out (M, N) C-contiguous), the rows of a in pieces small
    enough for OpenBLAS's small-matrix kernels where it has them (``piece_rows``); else one product.

    OpenBLAS's AVX-512 builds send a product with M*N*K <= 100**3 to a kernel that reads the
    matrices where they are, where a larger one first copies both into packed panels (OpenBLAS's
    ``interface/gemm.c`` and ``kernel/x86_64/sgemm_small_kernel_permit_skylakex.c``). For a
    convolution's tall, narrow products the pieces measured 1.4x faster than the one product for a
    block of 11,440 patch rows of 90 numbers times a 90 x 10 kernel (TinyVGG's), 1.1x for a
    288 x 64 kernel (the MNIST CNN's second layer). The small kernels run on one thread, so only
    the blocks that ``map_blocks`` runs with the BLAS held to one thread use them
    (``in_pool_blocks``); a product anywhere else keeps OpenBLAS's threads. Each output row is
    the same dot product whatever the pieces: only which kernel computes it changes. The pieces are
    even (``even_chunks``): a last piece of one row would be a vector times a matrix, which NumPy
    hands to BLAS's gemv, whose sums take another order (TinyVGG's fourth layer at 112x112, 10,000
    rows a block: 50-54 of its 800,000 outputs off TF's bits in pieces of 1,111).
    """
    for start, stop in row_pieces(a.shape[0], *b.shape):
        B.xp.matmul(a[start:stop], b, out=out[start:stop])
    return out


def transposed_matmul_in_pieces(a, b):
    """``a.T @ b`` for a (R, M), b (R, N): a sum over R, taken in pieces of rows of a and b as in
    ``matmul_in_pieces``, their products added one after the other (a fixed order). Each piece adds
    an (M, N) product to the total, so pieces pay only from ``MIN_SUMMED_PIECE_ROWS`` rows on (a
    filter gradient's 90 x 10: 1.4x faster in pieces of 1,111 rows; 576 x 64: 1.1x slower in 27)."""
    return transposed_matmuls_in_pieces(a, [b])[0]


def transposed_matmuls_in_pieces(a, bs: list) -> list:
    """``[a.T @ b for b in bs]`` (each b (R, N)), as ``transposed_matmul_in_pieces`` sums each one,
    a piece of rows at a time for all of them: when the b's are overlapping slices of one array
    (a filter gradient's row taps), a piece's rows of a and of the b's are still in the core's cache
    for the next product, where one b after the other read them all again from memory (TinyVGG's
    10 -> 10 filter gradient: 1.15x faster at 222x222, 1.09x at 108x108; the same bits)."""
    rows = piece_rows(a.shape[1], bs[0].shape[1], MIN_SUMMED_PIECE_ROWS) if in_pool_blocks() else 0
    if not rows or a.shape[0] <= rows:
        return [B.xp.dot(a.T, b) for b in bs]  # dot, not matmul: see Conv2DBackpropFilter
    totals = [B.xp.dot(a[:rows].T, b[:rows]) for b in bs]
    for start in range(rows, a.shape[0], rows):
        piece = a[start:start + rows].T
        for total, b in zip(totals, bs):
            total += B.xp.dot(piece, b[start:start + rows])
    return totals


def _executor(size: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != size:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool, _pool_size = ThreadPoolExecutor(size, thread_name_prefix="minitf-kernel"), size
        return _pool


def _forget_pool_after_fork() -> None:  # a forked child has the pool object but not its threads
    global _pool, _pool_size
    _pool, _pool_size = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


PARALLEL_MIN_BYTES = 4 << 20  # less work than this runs as before: one block after the other, the BLAS free


def map_blocks(fn: Callable, blocks: Iterable, work_bytes: int) -> list:
    """``[fn(block) for block in blocks]``, the blocks dealt out over ``threads()`` threads on NumPy
    (thread k takes blocks k, k + threads, ...; the calling thread is one of them).

    ``work_bytes`` (what the blocks read and write, roughly) below ``PARALLEL_MIN_BYTES``: the
    blocks run one after the other and the BLAS keeps its own threads; switching it to one thread
    and back around a kernel costs more than the pool wins on little work. The threshold was 16 MiB
    until the conv products ran in pieces (``matmul_in_pieces``); at 4 MiB the MNIST CNN's second
    convolution (7 MB of patches) joins the pool, and the training steps measured 7% faster (the
    MNIST CNN) and 25% faster (TinyVGG on 64x64 images), the LSTM's unchanged."""
    blocks = list(blocks)
    if B.xp is not np or work_bytes < PARALLEL_MIN_BYTES:
        return [fn(block) for block in blocks]
    with one_blas_thread:
        size = min(threads(), len(blocks))
        if size <= 1 or threading.current_thread().name.startswith("minitf-kernel"):
            return _pool_blocks(fn, blocks)

        def deal(k: int) -> list:
            return _pool_blocks(fn, blocks[k::size])

        pool = _executor(size - 1)
        others = [pool.submit(deal, k) for k in range(1, size)]
        results: list = [None] * len(blocks)
        results[0::size] = deal(0)
        for k, future in enumerate(others, start=1):
            results[k::size] = future.result()
        return results


_this_thread = threading.local()


def _pool_blocks(fn: Callable, blocks: list) -> list:
    """``[fn(block) for block in blocks]``, with ``in_pool_blocks()`` True on this thread meanwhile."""
    before = getattr(_this_thread, "in_pool_blocks", False)
    _this_thread.in_pool_blocks = True
    try:
        return [fn(block) for block in blocks]
    finally:
        _this_thread.in_pool_blocks = before


def in_pool_blocks() -> bool:
    """Whether this thread is running blocks of ``map_blocks`` with the BLAS held to one thread (on
    any number of threads: the same blocks get the same answer, so the bits do not depend on it)."""
    return getattr(_this_thread, "in_pool_blocks", False)


GROUPS = 16  # at most this many groups of consecutive blocks, each summed by one thread


def sum_blocks(fn: Callable, blocks: Iterable, total, work_bytes: int):
    """``total += fn(block)`` for every block: the blocks cut into at most ``GROUPS`` runs of
    consecutive blocks (a cut that depends on the number of blocks only, so the order of the sum is
    fixed), each run summed by one thread, the runs' sums added to ``total`` in order, ``threads()``
    runs at a time (so the partial sums alive at once do not grow with the number of blocks).
    ``work_bytes``: as for ``map_blocks``."""
    blocks = list(blocks)
    size = -(-len(blocks) // GROUPS)  # blocks per group
    groups = [blocks[i:i + size] for i in range(0, len(blocks), size)]

    def group_sum(group: list):
        partial = fn(group[0])
        for block in group[1:]:
            partial += fn(block)
        return partial

    wave = max(1, threads())
    for start in range(0, len(groups), wave):
        for partial in map_blocks(group_sum, groups[start:start + wave], work_bytes):
            total += partial
    return total
