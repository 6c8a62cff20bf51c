"""The blocks of a kernel on every core: a small thread pool, with the BLAS on one thread inside it.

NumPy runs each ufunc on one core, and OpenBLAS spreads a matrix product over the cores only
when the product is large. The convolution kernels (``minitf/nn/conv.py``) work a block of rows
at a time, and their blocks are independent of each other: ``map_blocks`` runs them on a pool
of threads, one per core. NumPy lets go of Python's global lock inside its loops and its BLAS
calls, so the threads really do run at once.

Inside the pool the BLAS is held to one thread. Two products that each spread over every core
fight over the cores (measured 1.5x slower than one block after the other), while one product
per core keeps each core busy with its own block.

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
        self._depth, self._limiter, self._controller = 0, None, None
        self._lock = threading.Lock()

    def __enter__(self):
        with self._lock:
            if self._depth == 0:
                controller = self._get_controller()
                self._limiter = controller.limit(limits=1, user_api="blas") if controller else None
            self._depth += 1

    def __exit__(self, *exc):
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._limiter is not None:
                self._limiter.restore_original_limits()
                self._limiter = None

    def _get_controller(self):
        if self._controller is None:
            try:
                from threadpoolctl import ThreadpoolController  # noqa: PLC0415 (loads the BLAS's info once)
            except ImportError:  # without it the BLAS keeps its threads: still right, only slower
                self._controller = False
            else:
                self._controller = ThreadpoolController()
        return self._controller or None


one_blas_thread = _OneBlasThread()


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


PARALLEL_MIN_BYTES = 16 << 20  # less work than this runs as before: one block after the other, the BLAS free


def map_blocks(fn: Callable, blocks: Iterable, work_bytes: int) -> list:
    """``[fn(block) for block in blocks]``, the blocks dealt out over ``threads()`` threads on NumPy
    (thread k takes blocks k, k + threads, ...; the calling thread is one of them).

    ``work_bytes`` (what the blocks read and write, roughly) below ``PARALLEL_MIN_BYTES``: the
    blocks run one after the other and the BLAS keeps its own threads. For a small convolution
    (the MNIST CNN's, 7 MB of patches) that measured 25% faster per training step: OpenBLAS
    spreads each product over the cores well enough there, and switching it to one thread and
    back around every kernel costs more than the pool wins."""
    blocks = list(blocks)
    if B.xp is not np or work_bytes < PARALLEL_MIN_BYTES:
        return [fn(block) for block in blocks]
    with one_blas_thread:
        size = min(threads(), len(blocks))
        if size <= 1 or threading.current_thread().name.startswith("minitf-kernel"):
            return [fn(block) for block in blocks]

        def deal(k: int) -> list:
            return [fn(block) for block in blocks[k::size]]

        pool = _executor(size - 1)
        others = [pool.submit(deal, k) for k in range(1, size)]
        results: list = [None] * len(blocks)
        results[0::size] = deal(0)
        for k, future in enumerate(others, start=1):
            results[k::size] = future.result()
        return results


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
