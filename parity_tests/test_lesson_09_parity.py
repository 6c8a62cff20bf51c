"""Lesson 09 (transfer learning) in fast mode WITH TensorFlow.

Both frameworks start from the same weights (TF's, copied): the gradients a frozen base leaves
(the head's kernel and bias, 1e-5), BatchNormalization trainable and frozen (1e-5), and the
training curves of feature extraction and fine-tuning (first epoch's loss 1e-4; whole curves
2e-3; from scratch only the first epoch, 5e-3: random weights and large Adam steps make the
float32 differences grow). The one difference the lesson shows: TF's tape still differentiates a
frozen variable, minitf's gives None (``fit`` never asks, so training is the same).
"""
from __future__ import annotations

import pytest

from parity_tests.lesson_runs import check_comparisons

pytest.importorskip("PIL", reason="the image lessons read and write photos with Pillow: pip install pillow")


@pytest.fixture(scope="module")
def summary(tf_lesson) -> dict:
    return tf_lesson("09")


def test_lesson_09_frozen_gradients_and_batchnorm_match_tf(summary):
    comparisons = check_comparisons(summary, expected=[
        "gradients with a frozen base", "BatchNormalization, trainable and frozen"])
    assert comparisons["gradients with a frozen base"]["tol"] <= 1e-5
    outcomes = summary["outcomes"]
    assert outcomes["frozen_kernel_gradient_is_none"] is True
    assert outcomes["tf_frozen_kernel_gradient_is_none"] is False  # the documented difference


def test_lesson_09_training_curves_match_tf(summary):
    comparisons = check_comparisons(summary, max_tol=5e-3)
    names = list(comparisons)
    assert any(name.startswith("model_1: feature extraction") for name in names), names
    assert any("fine-tuned" in name for name in names), names
