"""Atomic writes and the layout of the results folder.

Every file is written to a temporary file in the same folder and then renamed over
the target with ``os.replace``: a crash or Ctrl-C mid-write leaves the old file, never
half a JSON. (Same folder, so the rename stays on one filesystem and is atomic.)
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, IO

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Where --quick (a smoke test, not a measurement) writes unless told otherwise; git ignores it.
QUICK_DIR = RESULTS_DIR / "quick"
LATEST_PREFIX = "latest_"


def atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> Path:
    """Create/replace ``path`` atomically; ``write`` receives a binary file object."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())  # the data is on disk before the name points at it
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text to ``path`` atomically."""
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def json_safe(data: Any) -> Any:
    """``data`` with NaN and infinities replaced by None (strict JSON has neither).

    A ratio can be infinite (a marginal step time measured as 0 on a noisy machine);
    that must not cost the whole results file.
    """
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(v) for v in data]
    return data


def atomic_write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically (NaN/inf become null)."""
    text = json.dumps(json_safe(data), indent=2, allow_nan=False) + "\n"
    return atomic_write_text(path, text)


def result_file_names(date_stamp: str, backend: str, tag: str = "") -> tuple[str, str]:
    """``(dated, latest)`` file names, e.g. ``bench_20250101-120000_numpy.json``.

    ``tag`` marks self-test runs (a stand-in subject) so they never overwrite the real
    ``latest_<backend>.json`` that ``--report`` publishes.
    """
    return f"bench_{date_stamp}_{backend}{tag}.json", f"{LATEST_PREFIX}{backend}{tag}.json"


def write_results(run: dict[str, Any], out_dir: Path, date_stamp: str, backend: str,
                  tag: str = "") -> tuple[Path, Path]:
    """Write the run's JSON under a dated name and as the stable ``latest`` copy."""
    dated_name, latest_name = result_file_names(date_stamp, backend, tag)
    dated = atomic_write_json(Path(out_dir) / dated_name, run)
    latest = atomic_write_json(Path(out_dir) / latest_name, run)
    return dated, latest


def load_latest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """``{backend: run}`` from the ``latest_<backend>.json`` files (self-test copies excluded)."""
    runs: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(out_dir).glob(f"{LATEST_PREFIX}*.json")):
        backend = path.stem[len(LATEST_PREFIX):]
        if "_" in backend:  # latest_numpy_selftest-tensorflow.json and the like
            continue
        with open(path, encoding="utf-8") as fh:
            runs[backend] = json.load(fh)
    return runs
