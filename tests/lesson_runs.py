"""Shared by the lesson tests: run a lesson once in fast mode without TF, check its figures.

``fast_lesson`` (a fixture in ``tests/conftest.py``) runs each lesson at most once per test
session, in-process, through the runner's command line
(``python -m lessons run NN --fast --no-tf --out DIR``), and hands back its ``summary.json``
and output folder; the tests then check what the lesson claims there.
"""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_fast(number: str, out: Path) -> dict:
    """Run lesson ``number`` in fast mode without TF into ``out``; its summary.json.
    A failing lesson fails the test with the end of its printed output."""
    from lessons import runner

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        rc = runner.main(["run", number, "--fast", "--no-tf", "--out", str(out)])
    assert rc == 0, f"lesson {number} failed (exit {rc}):\n{printed.getvalue()[-6000:]}"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["mode"] == "fast", summary["mode"]
    assert summary["tensorflow"] is None, "--no-tf must keep TensorFlow out"
    assert summary["comparisons"] == {}, f"--no-tf recorded TF comparisons: {list(summary['comparisons'])}"
    return summary


def check_figures(summary: dict, out: Path, expected: set[str] | frozenset[str] = frozenset()) -> None:
    """The expected figures are listed, and every listed figure is on disk, starts with the PNG
    signature and reads back through matplotlib as a non-blank image."""
    import matplotlib.image

    lesson, figures = summary["lesson"], summary["figures"]
    missing = set(expected) - set(figures)
    assert not missing, f"lesson {lesson}: figures {sorted(missing)} not written (has {figures})"
    for name in figures:
        path = out / name
        assert path.is_file(), f"{lesson}: figure {name} is in summary.json but not on disk"
        head = path.read_bytes()[:8]
        assert head == PNG_SIGNATURE, f"{lesson}: {name} does not start with the PNG signature ({head!r})"
        image = matplotlib.image.imread(path)
        assert image.ndim == 3 and min(image.shape[:2]) > 10, f"{lesson}: {name} read back with shape {image.shape}"
        assert np.ptp(image) > 0, f"{lesson}: {name} is a blank image"


def printed_output(number: str, out: Path) -> list[str]:
    """Run lesson ``number`` fast, without TF, in a fresh Python process (as ``python -m lessons run``
    from the repository root), and return what it printed: stdout and stderr, line by line, without
    the lines tagged as measurements and with the output folder's path replaced by ``OUT``."""
    import os
    import subprocess
    import sys

    from lessons._common import MEASURED_TAG

    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "lessons", "run", number, "--fast", "--no-tf", "--out", str(out)],
                          cwd=repo, env={**os.environ, "MPLBACKEND": "Agg"}, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"lesson {number} failed (exit {done.returncode}):\n{done.stderr[-4000:]}"
    lines = (done.stdout + done.stderr).replace(str(out), "OUT").splitlines()
    return [line for line in lines if MEASURED_TAG not in line]
