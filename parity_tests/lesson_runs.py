"""Shared by the lesson parity tests: check every minitf-vs-TF comparison a lesson recorded.

A lesson run with TF writes, for each compared quantity, the largest |minitf - TF| beside the
tolerance it claims (``summary.json``). ``tf_lesson`` (a fixture in ``parity_tests/conftest.py``)
runs a lesson that way once per session; ``check_comparisons`` then holds it to its claims.
"""
from __future__ import annotations

import math
from typing import Iterable


def check_comparisons(summary: dict, expected: Iterable[str] = (), max_tol: float | None = None) -> dict:
    """Every comparison has a finite difference within its tolerance and no shape/dtype
    mismatch; the ``expected`` names are among them; no tolerance is looser than ``max_tol``.
    Returns the comparisons."""
    lesson, comparisons = summary["lesson"], summary["comparisons"]
    assert summary["tensorflow"], f"lesson {lesson}: TF is installed, but the lesson did not use it"
    assert comparisons, f"lesson {lesson} recorded no comparison with TF"
    missing = [name for name in expected if name not in comparisons]
    assert not missing, f"lesson {lesson} did not compare {missing} with TF (it compared {list(comparisons)})"
    failures = []
    for name, c in comparisons.items():
        diff, tol = c["max_abs_diff"], c["tol"]
        if c.get("mismatch"):
            failures.append(f"{name}: mismatch {c['mismatch']}")
        elif not isinstance(diff, (int, float)) or not math.isfinite(diff):
            failures.append(f"{name}: no finite difference recorded ({diff!r})")
        elif tol is None:
            failures.append(f"{name}: no tolerance claimed (|diff| {diff:.3g})")
        elif diff > tol:
            failures.append(f"{name}: |minitf - TF| = {diff:.3g} exceeds the tolerance {tol:.3g}")
        elif max_tol is not None and tol > max_tol:
            failures.append(f"{name}: claims tolerance {tol:.3g}, looser than {max_tol:.3g}")
    assert not failures, (f"lesson {lesson}: {len(failures)} of {len(comparisons)} comparisons with TF fail:\n  "
                          + "\n  ".join(failures))
    return comparisons


def _modes() -> tuple:
    """The modes the lesson parity tests run: both, unless ``MINITF_LESSON_PARITY_MODES`` names fewer.
    CI's second pass (NumPy's AVX-512 kernels off, ``.ci/run``) sets it to ``fast``: a full run takes
    the same code paths as a fast one for more steps, and CI has 30 minutes on 2 cores."""
    import os
    modes = tuple(m.strip() for m in os.environ.get("MINITF_LESSON_PARITY_MODES", "fast,full").split(",") if m.strip())
    unknown = [m for m in modes if m not in ("fast", "full")]
    if unknown or not modes:
        raise ValueError(f"MINITF_LESSON_PARITY_MODES: expected 'fast', 'full' or 'fast,full', got {modes}")
    return modes


MODES = _modes()


def start_both_modes(number: str, tmp_path_factory) -> dict:
    """Start lesson ``number`` with TF in each of ``MODES`` (fast and full), one process per mode, all
    at once (most of the time goes to Keras's import, tracing and per-epoch overhead, not arithmetic);
    {mode: (process, output folder)}. Pass the result to ``finished_summary``; ``stop`` ends the rest."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0",
               OPENBLAS_NUM_THREADS="1")  # two processes on two cores: no BLAS thread pools fighting
    runs = {}
    for mode in MODES:
        out = tmp_path_factory.mktemp(f"lesson_{number}_{mode}_with_tf")
        log = open(out / "lesson.log", "w")
        flags = ["--fast"] if mode == "fast" else []
        process = subprocess.Popen([sys.executable, "-m", "lessons", "run", number, *flags, "--out", str(out)],
                                   cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()  # the child has its own handle
        runs[mode] = (process, out)
    return runs


def finished_summary(runs: dict, mode: str) -> dict:
    """Wait for the run in ``mode``; its summary.json (the lesson's output in the failure message)."""
    import json

    process, out = runs[mode]
    rc = process.wait(timeout=900)
    printed = (out / "lesson.log").read_text(errors="replace")
    assert rc == 0, f"lesson ({mode} mode) with TF failed (exit {rc}):\n{printed[-6000:]}"
    return json.loads((out / "summary.json").read_text())


def stop(runs: dict) -> None:
    """End the runs still going (a test failed or timed out before waiting for them)."""
    for process, _ in runs.values():
        if process.poll() is None:
            process.kill()
            process.wait()
