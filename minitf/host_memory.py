"""Large arrays without page faults: the memory a traced step frees stays for its next call.

A traced training step allocates the same arrays on every call: for the course's TinyVGG at
224x224, about twenty arrays of 15 to 63 MB (activations, their gradients). glibc's ``malloc``
serves every allocation above its *mmap threshold* (which it raises by itself to at most 32 MiB)
with fresh pages from the kernel and hands them back on ``free``. So every call of the step
touches brand-new memory, and the kernel stops it once per 4 KiB page to map one (a page fault):
63 MB is 15,000 of them, and at 224x224 that was about a fifth of the step's time.

``keep_freed_memory`` raises the mmap threshold and the heap's trim threshold, so that large
blocks come from ``malloc``'s own heap and stay there when freed: the next call reuses them,
already mapped. This is what TF's and PyTorch's caching allocators do for the same reason. The
peak does not grow (the step needed those blocks anyway), but the process keeps its peak until it
ends, where it would have handed the memory back between steps.

``compile_graph`` calls it once, when the first traced function is compiled on the NumPy backend.
It only exists in glibc (Linux); elsewhere, or with ``MINITF_KEEP_FREED_MEMORY=0`` set in the
environment, nothing changes.

A trace is the opposite case: its example arrays (``minitf/graph.py``) are made once and freed in
no order that repeats, so the heap fills with holes between the ones still alive, each hole still
counted in the process's memory. Each time a trace drops its dead examples it calls
``return_free_heap`` (glibc's ``malloc_trim``), which hands the free pages of those holes back to
the kernel. The first fit of TinyVGG with 64 filters on 56x56 images then grew the process by 135
MiB instead of 172 (its arrays at the trace's peak: 119 MiB), and took no longer.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

# mallopt's parameter numbers, from glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
THRESHOLD_BYTES = 1 << 30  # blocks up to 1 GiB come from the heap and stay there when freed

_done: bool | None = None  # None: not tried yet; then whether mallopt accepted both settings


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed blocks up to ``THRESHOLD_BYTES`` for reuse (once per process).
    Returns whether the setting is in force."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if os.environ.get("MINITF_KEEP_FREED_MEMORY", "1") == "0":
        return False
    libc = _glibc()
    if libc is None:
        return False
    mallopt = libc.mallopt
    _done = bool(mallopt(_M_MMAP_THRESHOLD, THRESHOLD_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, THRESHOLD_BYTES))
    return _done


def return_free_heap() -> None:
    """Hand the heap's free pages back to the kernel (``malloc_trim(0)``; glibc only)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


_libc: list = []  # [glibc or None], once looked up


def _glibc():
    """The C library if it is glibc (it has ``mallopt`` and ``malloc_trim``), else None."""
    if not _libc:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.mallopt.argtypes, libc.mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
            libc.malloc_trim.argtypes, libc.malloc_trim.restype = (ctypes.c_size_t,), ctypes.c_int
        except (OSError, AttributeError):  # not glibc
            libc = None
        _libc.append(libc)
    return _libc[0]
