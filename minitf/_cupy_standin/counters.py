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
    NumPy array, a list or a scalar, a NumPy index array), callers in ``upload_sites``.
    ``syncs``: explicit waits for the device. ``totals`` keeps counts only (no sites).
    """

    device_calls: int = 0
    host_copies: int = 0
    host_to_device: int = 0
    syncs: int = 0
    copy_sites: list[tuple[str, str]] = field(default_factory=list)
    upload_sites: list[str] = field(default_factory=list)

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


_BACKEND_FILE = os.path.join(os.path.dirname(_PACKAGE_DIR), "array_backend.py")


def _is_plumbing(filename: str) -> bool:
    path = os.path.abspath(filename)
    return os.path.dirname(path) == _PACKAGE_DIR or path == _BACKEND_FILE


def caller_outside_standin() -> str:
    """``file:line (function)`` of the innermost frame outside the stand-in and
    ``minitf/array_backend.py`` (whose ``to_numpy`` only passes a copy on)."""
    frame = sys._getframe(1)
    while frame is not None and _is_plumbing(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return "?"
    summary = traceback.FrameSummary(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
    return f"{os.path.relpath(summary.filename)}:{summary.lineno} ({summary.name})"


def device_call() -> None:
    for c in _open:
        c.device_calls += 1


def host_copy(kind: str) -> None:
    totals.host_copies += 1
    if len(_open) > 1:  # sites only while someone counts: finding the caller costs a stack walk
        site = caller_outside_standin()
        for c in _open[1:]:
            c.host_copies += 1
            c.copy_sites.append((kind, site))


def host_to_device() -> None:
    totals.host_to_device += 1
    if len(_open) > 1:
        site = caller_outside_standin()
        for c in _open[1:]:
            c.host_to_device += 1
            c.upload_sites.append(site)


def sync() -> None:
    for c in _open:
        c.syncs += 1
