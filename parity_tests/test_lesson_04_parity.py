"""Lesson 04 in fast mode WITH TensorFlow: every comparison it records holds its tolerance.

The lesson runs once per session, in-process, as ``python -m lessons run 04 --fast`` would. Its
``summary.json`` lists every minitf-vs-TF comparison with the largest absolute difference and
the tolerance the lesson claims; each must be within it. The hand-written optimizer rules against ``tf.keras.optimizers``: bit for bit, on every CPU (the powers of beta are computed as TF does).
"""
from __future__ import annotations

from parity_tests.lesson_runs import check_comparisons

RULES = ("SGD", "momentum", "Nesterov", "RMSprop", "Adam")


def test_lesson_04_hand_rules_match_tf_keras_optimizers(tf_lesson):
    comparisons = check_comparisons(tf_lesson("04"))
    for problem in ("quadratic", "rosenbrock"):
        for rule in RULES:
            matches = [c for n, c in comparisons.items() if n.startswith(f"{problem}, {rule}:")]
            assert len(matches) == 1, f"lesson 04: expected one TF comparison for {problem}/{rule}, got {len(matches)}"
            c = matches[0]
            assert c["n"] >= 2 * 51, f"lesson 04, {problem}/{rule}: only {c['n'] // 2 - 1} steps compared"
            # Keras's order of operations in float32, and TF's rounding of beta^t: the same bits.
            assert c["max_abs_diff"] == 0.0, \
                f"lesson 04, {problem}/{rule}: hand rule and tf.keras.optimizers differ by {c['max_abs_diff']}"
