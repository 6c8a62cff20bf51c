"""Lesson 02 (reverse-mode autodiff) in fast mode WITH TensorFlow: every comparison holds its tolerance.

The lesson runs once per session, in-process, as ``python -m lessons run 02 --fast`` would. Its
``summary.json`` lists each minitf-vs-``tf.GradientTape`` comparison (gradients of f, of the
neuron and of x/y + exp(x - y); persistent tape; watch; nested-tape second derivatives of x^3
and tanh; the jacobian; the traced function's results and its traced gradients) with its largest absolute difference and the tolerance the lesson
claims (1e-6, float64 throughout); each must be within it.
"""
from __future__ import annotations

import pytest

from parity_tests.lesson_runs import check_comparisons

EXPECTED = ("f(a,b)", "neuron", "g = x/y", "persistent tape", "watch", "x^3 at 3", "tanh, tanh'", "jacobian",
            "MLP(3, [4, 4, 1])", "tf.function f(a,b)", "tf.function with a GradientTape inside")


@pytest.fixture(scope="module")
def summary(tf_lesson) -> dict:
    return tf_lesson("02")


def test_lesson_02_ran_with_tensorflow(summary, tf):
    assert summary["tensorflow"] == tf.__version__, summary["tensorflow"]
    assert summary["outcomes"]["none_pattern_same_as_tf"] is True, "watch: None gradients differ from TF's"
    assert summary["outcomes"]["trace_counts_same_as_tf"] is True, "tf.function: trace counts differ from TF's"


def test_lesson_02_every_comparison_within_its_tolerance(summary):
    comparisons = check_comparisons(summary, max_tol=1e-6)
    for fragment in EXPECTED:
        assert any(fragment in name for name in comparisons), f"lesson 02: no comparison about {fragment!r}: {list(comparisons)}"
