"""What the stand-in counts: device work, host copies both ways, syncs.

A real GPU makes these the costs that matter: every device-to-host copy (``.get()``,
``cupy.asnumpy``, and the implicit ones: ``float(x)``, ``bool(x)``, ``x.item()``, printing)
waits for the GPU, and a CUDA graph replay can hold none of them. ``counting()`` measures a
stretch of code:

    with counting() as seen:
        model.fit(...)
    seen.host_copies, seen.device_calls, seen.copy_sites   # where each host copy came from
"""
from __future__ import annotations

import contextlib
import os
import sys
import traceback
from dataclasses import dataclass, field
from typing import Iterator

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Counts:
    """Events seen while a ``counting()`` block was open (or since import, for ``totals``).

    ``device_calls``: calls into the stand-in's array functions, methods and operators that
    compute on the device (views such as reshape or a basic slice excluded): what a CUDA graph
    would hold as kernels (an upper bound: CuPy fuses a few). ``host_copies``: device-to-host
    copies, explicit or implicit, each with its kind and the first caller outside the stand-in
    in ``copy_sites``. ``host_to_device``: host data copied to the device (``asarray`` of a
    NumPy array or a list, a NumPy index array). ``syncs``: explicit waits for the device.
    """

    device_calls: int = 0
    host_copies: int = 0
    host_to_device: int = 0
    syncs: int = 0
    copy_sites: list[tuple[str, str]] = field(default_factory=list)

    def copies_by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for kind, _ in self.copy_sites:
            out[kind] = out.get(kind, 0) + 1
        return out


totals = Counts()
_open: list[Counts] = [totals]


@contextlib.contextmanager
def counting() -> Iterator[Counts]:
    """Count the stand-in's events inside the block (blocks may nest)."""
    seen = Counts()
    _open.append(seen)
    try:
        yield seen
    finally:
        _open.remove(seen)


def caller_outside_standin() -> str:
    """``file:line`` of the innermost frame that is not the stand-in's own code."""
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _PACKAGE_DIR:
        frame = frame.f_back
    if frame is None:
        return "?"
    summary = traceback.FrameSummary(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
    return f"{os.path.relpath(summary.filename)}:{summary.lineno} ({summary.name})"


def device_call() -> None:
    for c in _open:
        c.device_calls += 1


def host_copy(kind: str) -> None:
    site = caller_outside_standin()
    for c in _open:
        c.host_copies += 1
        c.copy_sites.append((kind, site))
    if len(totals.copy_sites) > 10000:  # keep the run-long record bounded
        del totals.copy_sites[:5000]


def host_to_device() -> None:
    for c in _open:
        c.host_to_device += 1


def sync() -> None:
    for c in _open:
        c.syncs += 1
