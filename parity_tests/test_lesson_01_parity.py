"""Lesson 01 in fast mode WITH TensorFlow: every comparison the lesson records holds.

The lesson computes the chain-rule derivative of exp(sin(x^2)) (float64) and the
Celsius->Fahrenheit MSE gradient at w = b = 0 (float32) with minitf's GradientTape and with
tf.GradientTape, and records the largest |minitf - TF| of each beside its tolerance in
``summary.json``. This test runs the lesson that way (``python -m lessons run 01 --fast``) and checks each.
"""
from __future__ import annotations

from parity_tests.lesson_runs import check_comparisons

EXPECTED = ["chain rule: d/dx exp(sin(x^2)), tape (minitf vs TF, float64)",
            "Celsius->Fahrenheit: [dL/dw, dL/db] at w = b = 0, tape (minitf vs TF, float32)"]


def test_lesson_01_with_tf_every_comparison_within_tolerance(tf_lesson):
    check_comparisons(tf_lesson("01"), EXPECTED)
