"""The process's memory around traced steps (minitf/host_memory.py): what glibc keeps and gives back."""
from __future__ import annotations

import gc

import numpy as np
import pytest

from minitf import host_memory


def _resident_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


needs_glibc = pytest.mark.skipif(host_memory._glibc() is None or not hasattr(np, "ndarray")
                                 or not __import__("os").path.exists("/proc/self/status"),
                                 reason="glibc's malloc and Linux's /proc: elsewhere host_memory changes nothing")


@needs_glibc
def test_freed_blocks_between_live_ones_go_back_to_the_system():
    """Twenty 2 MiB blocks freed between twenty that stay: with the kept heap they stay resident
    as holes; ``return_free_heap`` hands them back (without the kept heap, glibc had unmapped them)."""
    kept = host_memory.keep_freed_memory()
    # Earlier tests' garbage, collected between the two readings, would lower the second one as
    # if the holes had gone back: collect it first, and let no collection run in between.
    gc.collect()
    gc.disable()
    try:
        blocks = [np.ones(1 << 19, np.float32) for _ in range(40)]  # 2 MiB each, every page written
        resident = _resident_bytes()
        del blocks[::2]  # holes: each freed block lies between two live ones
        if kept:
            assert resident - _resident_bytes() < 8 << 20, "the kept heap already gave the holes back"
        host_memory.return_free_heap()
        assert resident - _resident_bytes() > 30 << 20  # of the 40 MiB freed
        assert all(float(b[0]) == 1.0 for b in blocks)  # the live blocks are untouched
    finally:
        gc.enable()
