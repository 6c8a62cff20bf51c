"""Lesson 02 (reverse-mode autodiff) in fast mode WITH TensorFlow: every comparison holds its tolerance.

The lesson runs once, in-process, through ``python -m lessons run 02 --fast --out DIR``. Its
``summary.json`` lists each minitf-vs-``tf.GradientTape`` comparison (gradients of f, of the
neuron and of x/y + exp(x - y); persistent tape; watch; nested-tape second derivatives of x^3
and tanh; the jacobian) with its largest absolute difference and the tolerance the lesson
claims (1e-6, float64 throughout); each must be within it.
"""
from __future__ import annotations

import json

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from lessons import runner  # noqa: E402

EXPECTED = ("f(a,b)", "neuron", "g = x/y", "persistent tape", "watch", "x^3 at 2", "tanh, tanh'", "jacobian")


@pytest.fixture(scope="module")
def summary(tmp_path_factory, tf) -> dict:
    out = tmp_path_factory.mktemp("lesson_02_tf")
    rc = runner.main(["run", "02", "--fast", "--out", str(out)])
    assert rc == 0, f"lesson 02 failed under TensorFlow (exit {rc}); to see why: python -m lessons run 02 --fast"
    return json.loads((out / "summary.json").read_text())


def test_lesson_02_ran_with_tensorflow(summary, tf):
    assert summary["tensorflow"] == tf.__version__, summary["tensorflow"]
    assert summary["outcomes"]["none_pattern_same_as_tf"] is True, "watch: None gradients differ from TF's"


def test_lesson_02_every_comparison_within_its_tolerance(summary):
    comparisons = summary["comparisons"]
    for fragment in EXPECTED:
        assert any(fragment in name for name in comparisons), f"lesson 02: no comparison about {fragment!r}: {list(comparisons)}"
    bad = {}
    for name, c in comparisons.items():
        assert c["tol"] is not None and c["tol"] <= 1e-6, f"lesson 02: {name} claims tolerance {c['tol']}"
        if c.get("mismatch") or c["max_abs_diff"] is None or not 0 <= c["max_abs_diff"] <= c["tol"]:
            bad[name] = c
    assert not bad, f"lesson 02: minitf and TF differ beyond the tolerance: {bad}"
