"""Lessons 03 and 04 in fast mode WITH TensorFlow: every comparison they record holds its tolerance.

Each lesson runs once per session, in-process, as ``python -m lessons run NN --fast`` would. Its
``summary.json`` lists every minitf-vs-TF comparison with the largest absolute difference and
the tolerance the lesson claims; each must be within it. The tape gradients of lesson 03 are
checked at 1e-6, the training curve at 1e-6; lesson 04's hand-written optimizer rules against
``tf.keras.optimizers`` at 1e-7 (quadratic) and 1e-6 (Rosenbrock), Adam at 1e-7 on both.
"""
from __future__ import annotations

from parity_tests.lesson_runs import check_comparisons

RULES = ("SGD", "momentum", "Nesterov", "RMSprop", "Adam")


def test_lesson_03_tape_gradients_match_tf(tf_lesson):
    comparisons = check_comparisons(tf_lesson("03"))
    names = list(comparisons)
    for prefix in ("1. matmul", "2. bias", "3. sigmoid", "3. tanh", "3. relu", "4. softmax Jacobian",
                   "4. softmax-CE, unfused", "4. softmax-CE, fused", "5. Dense layer", "6. two-layer net",
                   "8. moons: loss per step"):
        assert any(n.startswith(prefix) for n in names), f"lesson 03: no TF comparison named {prefix!r}: {names}"
    gradient_checks = {n: c for n, c in comparisons.items() if not n.startswith("8.")}
    loose = {n: c["tol"] for n, c in gradient_checks.items() if c["tol"] > 1e-6}
    assert not loose, f"lesson 03: tape gradients compared with TF at a tolerance looser than 1e-6: {loose}"


def test_lesson_04_hand_rules_match_tf_keras_optimizers(tf_lesson):
    comparisons = check_comparisons(tf_lesson("04"))
    for problem in ("quadratic", "rosenbrock"):
        for rule in RULES:
            matches = [c for n, c in comparisons.items() if n.startswith(f"{problem}, {rule}:")]
            assert len(matches) == 1, f"lesson 04: expected one TF comparison for {problem}/{rule}, got {len(matches)}"
            c = matches[0]
            assert c["n"] >= 2 * 51, f"lesson 04, {problem}/{rule}: only {c['n'] // 2 - 1} steps compared"
            limit = 1e-7 if (problem == "quadratic" or rule == "Adam") else 1e-6
            assert c["max_abs_diff"] <= limit, \
                f"lesson 04, {problem}/{rule}: hand rule and tf.keras.optimizers differ by {c['max_abs_diff']} > {limit}"
