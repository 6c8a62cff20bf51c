"""The process's memory around traced steps (minitf/host_memory.py): what glibc keeps and gives back."""
from __future__ import annotations

import numpy as np
import pytest

from minitf import host_memory


needs_glibc = pytest.mark.skipif(host_memory._glibc() is None or not hasattr(np, "ndarray")
                                 or not __import__("os").path.exists("/proc/self/status"),
                                 reason="glibc's malloc and Linux's /proc: elsewhere host_memory changes nothing")


# Run in a fresh process: in one that has run other tests, what the heap holds and what a free
# hands back depend on their history (two runs on pytest-xdist workers saw the holes go back at once).
_HOLES = """
import json, sys
import numpy as np
from minitf import host_memory

def resident():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:"))

kept = host_memory.keep_freed_memory()
blocks = [np.ones(1 << 19, np.float32) for _ in range(40)]  # 2 MiB each, every page written
before = resident()
del blocks[::2]  # holes: each freed block lies between two live ones
after_free = resident()
host_memory.return_free_heap()
after_trim = resident()
print(json.dumps({"kept": kept, "freed": before - after_free, "trimmed": before - after_trim,
                  "live_untouched": all(float(b[0]) == 1.0 for b in blocks)}))
"""


@needs_glibc
def test_freed_blocks_between_live_ones_go_back_to_the_system():
    """Twenty 2 MiB blocks freed between twenty that stay: with the kept heap they stay resident
    as holes; ``return_free_heap`` hands them back (without the kept heap, glibc had unmapped them)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    child = subprocess.run([sys.executable, "-c", _HOLES], capture_output=True, text=True, check=True,
                           cwd=Path(__file__).resolve().parent.parent)
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    if seen["kept"]:
        assert seen["freed"] < 8 << 20, f"the kept heap already gave the holes back: {seen}"
    assert seen["trimmed"] > 30 << 20, seen  # of the 40 MiB freed
    assert seen["live_untouched"]
