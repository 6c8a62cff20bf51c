"""Lessons 03 and 04 in fast mode WITH TensorFlow: every comparison they record holds its tolerance.

Each lesson runs once, in-process, through ``python -m lessons run NN --fast --out DIR``. Its
``summary.json`` lists every minitf-vs-TF comparison with the largest absolute difference and
the tolerance the lesson claims; each must be within it. The tape gradients of lesson 03 are
checked at 1e-6, the training curve at 1e-6; lesson 04's hand-written optimizer rules against
``tf.keras.optimizers`` at 1e-7 (quadratic) and 1e-6 (Rosenbrock), Adam at 1e-7 on both.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from lessons import runner  # noqa: E402

RULES = ("SGD", "momentum", "Nesterov", "RMSprop", "Adam")


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    """Each lesson's summary.json, run at most once for the module."""
    cache: dict[str, dict] = {}

    def get(number: str) -> dict:
        if number not in cache:
            out: Path = tmp_path_factory.mktemp(f"lesson_{number}_tf")
            rc = runner.main(["run", number, "--fast", "--out", str(out)])
            assert rc == 0, (f"lesson {number} failed under TensorFlow (exit {rc}); "
                             f"to see why: python -m lessons run {number} --fast")
            cache[number] = json.loads((out / "summary.json").read_text())
        return cache[number]

    return get


def check_all_comparisons(summary: dict) -> dict:
    comparisons = summary["comparisons"]
    assert summary["tensorflow"], f"lesson {summary['lesson']} did not find TensorFlow"
    assert comparisons, f"lesson {summary['lesson']} recorded no comparison with TF"
    failed = {}
    for name, c in comparisons.items():
        if c.get("mismatch") or c["max_abs_diff"] is None or c["tol"] is None or c["max_abs_diff"] > c["tol"]:
            failed[name] = c
    assert not failed, f"lesson {summary['lesson']}: comparisons with TF over tolerance: {failed}"
    return comparisons


def test_lesson_03_tape_gradients_match_tf(summaries):
    comparisons = check_all_comparisons(summaries("03"))
    names = list(comparisons)
    for prefix in ("1. matmul", "2. bias", "3. sigmoid", "3. tanh", "3. relu", "4. softmax Jacobian",
                   "4. softmax-CE, unfused", "4. softmax-CE, fused", "5. Dense layer", "6. two-layer net",
                   "8. moons: loss per step"):
        assert any(n.startswith(prefix) for n in names), f"lesson 03: no TF comparison named {prefix!r}: {names}"
    gradient_checks = {n: c for n, c in comparisons.items() if not n.startswith("8.")}
    loose = {n: c["tol"] for n, c in gradient_checks.items() if c["tol"] > 1e-6}
    assert not loose, f"lesson 03: tape gradients compared with TF at a tolerance looser than 1e-6: {loose}"


def test_lesson_04_hand_rules_match_tf_keras_optimizers(summaries):
    comparisons = check_all_comparisons(summaries("04"))
    for problem in ("quadratic", "rosenbrock"):
        for rule in RULES:
            matches = [c for n, c in comparisons.items() if n.startswith(f"{problem}, {rule}:")]
            assert len(matches) == 1, f"lesson 04: expected one TF comparison for {problem}/{rule}, got {len(matches)}"
            c = matches[0]
            assert c["n"] >= 2 * 51, f"lesson 04, {problem}/{rule}: only {c['n'] // 2 - 1} steps compared"
            limit = 1e-7 if (problem == "quadratic" or rule == "Adam") else 1e-6
            assert c["max_abs_diff"] <= limit, \
                f"lesson 04, {problem}/{rule}: hand rule and tf.keras.optimizers differ by {c['max_abs_diff']} > {limit}"
