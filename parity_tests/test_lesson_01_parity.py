"""Lesson 01 in fast mode WITH TensorFlow: every comparison the lesson records holds.

The lesson computes the chain-rule derivative of exp(sin(x^2)) (float64) and the
Celsius->Fahrenheit MSE gradient at w = b = 0 (float32) with minitf's GradientTape and with
tf.GradientTape, and records the largest |minitf - TF| of each beside its tolerance in
``summary.json``. This test runs ``python -m lessons run 01 --fast --out DIR`` and checks each.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")

REPO = Path(__file__).resolve().parent.parent
EXPECTED = ["chain rule: d/dx exp(sin(x^2)), tape (minitf vs TF, float64)",
            "Celsius->Fahrenheit: [dL/dw, dL/db] at w = b = 0, tape (minitf vs TF, float32)"]


def test_lesson_01_with_tf_every_comparison_within_tolerance(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-m", "lessons", "run", "01", "--fast", "--out", str(tmp_path)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"lesson 01 failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["tensorflow"], "TF is installed, but the lesson did not use it"
    comparisons = summary["comparisons"]
    missing = [name for name in EXPECTED if name not in comparisons]
    assert not missing, f"lesson 01 did not compare {missing} with TF (has {list(comparisons)})"
    for name, c in comparisons.items():
        assert not c.get("mismatch"), f"{name}: shape/dtype mismatch {c['mismatch']}"
        diff, tol = c["max_abs_diff"], c["tol"]
        assert diff is not None and math.isfinite(diff), f"{name}: no finite difference recorded ({diff})"
        assert tol is not None and diff <= tol, f"{name}: largest |minitf - TF| {diff:.3g} exceeds tol {tol}"
