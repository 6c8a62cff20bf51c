"""Lesson 12 (where speed comes from) in fast mode WITH TensorFlow.

Keras trains the lesson's MLP from the same weights; the lesson compares its loss per epoch
with minitf's traced ``fit`` (tolerance 1e-5: float32 sums may round differently) and also
times Keras's step (recorded, never asserted: times are not portable).
"""
from __future__ import annotations

import math

import pytest

from parity_tests.lesson_runs import check_comparisons


@pytest.fixture(scope="module")
def summary(tf_lesson) -> dict:
    return tf_lesson("12")


def test_lesson_12_ran_with_tensorflow(summary, tf):
    assert summary["tensorflow"] == tf.__version__, summary["tensorflow"]
    ratio = summary["outcomes"]["keras_over_traced"]
    assert ratio is not None and math.isfinite(ratio) and ratio > 0, ratio


def test_lesson_12_losses_match_keras(summary):
    comparisons = check_comparisons(summary, max_tol=1e-5)
    assert any("vs Keras" in name for name in comparisons), list(comparisons)
