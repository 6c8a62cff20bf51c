"""Lesson 03 in fast mode WITH TensorFlow: every comparison it records holds its tolerance.

The lesson runs once per session, in-process, as ``python -m lessons run 03 --fast`` would. Its
``summary.json`` lists every minitf-vs-TF comparison with the largest absolute difference and
the tolerance the lesson claims; each must be within it. The tape gradients (and every node of the drawn neuron graph) at 1e-6, the training curve at 1e-6.
"""
from __future__ import annotations

from parity_tests.lesson_runs import check_comparisons

def test_lesson_03_tape_gradients_match_tf(tf_lesson):
    comparisons = check_comparisons(tf_lesson("03"))
    names = list(comparisons)
    for prefix in ("1. matmul", "2. bias", "3. sigmoid", "3. tanh", "3. relu", "4. softmax Jacobian",
                   "4. softmax-CE, unfused", "4. softmax-CE, fused", "5. Dense layer", "5b. one neuron",
                   "6. two-layer net",
                   "8. moons: loss per step"):
        assert any(n.startswith(prefix) for n in names), f"lesson 03: no TF comparison named {prefix!r}: {names}"
    gradient_checks = {n: c for n, c in comparisons.items() if not n.startswith("8.")}
    loose = {n: c["tol"] for n, c in gradient_checks.items() if c["tol"] > 1e-6}
    assert not loose, f"lesson 03: tape gradients compared with TF at a tolerance looser than 1e-6: {loose}"
