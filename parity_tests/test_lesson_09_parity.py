"""Lesson 09 (transfer learning), in fast and in full mode, WITH TensorFlow: every comparison holds.

Both frameworks start from the same weights (the base's, and TF's initial head, copied): the
gradients a frozen base leaves (the head's kernel and bias, 1e-5), BatchNormalization trainable
and frozen (1e-5), and the training curves of feature extraction and fine-tuning (first epoch's
loss 1e-4; whole curves 2e-3, 5e-3 when fine-tuning; from scratch only the first epoch, 5e-3:
random weights and large Adam steps make the float32 differences grow); fast mode trains these
models on minitf alone and compares one training, fine-tuning, TF starting from minitf's
feature-extraction weights (each Keras model costs TF about a second of tracing). The one difference the
lesson shows: TF's tape still differentiates a frozen variable, minitf's gives None (``fit`` never
asks, so training is the same). Both modes start together in separate processes.
"""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
pytest.importorskip("PIL", reason="the image lessons read and write photos with Pillow: pip install pillow")

from parity_tests.lesson_runs import MODES, check_comparisons, finished_summary, start_both_modes, stop  # noqa: E402

FAST = ["gradients with a frozen base", "BatchNormalization, trainable and frozen",
        "model_3: fine-tuned, 10%: loss, first epoch", "model_3: fine-tuned, 10%: val_loss per epoch",
        "model_3: fine-tuned, 10%: val_accuracy per epoch",
        "fine-tuned model from minitf's file: predictions in minitf vs TF"]
EXPECTED = {"fast": FAST,
            "full": FAST + ["model_0: from scratch, 10%: loss, first epoch",
                            "model_1: feature extraction, 1%: val_loss per epoch",
                            "model_2: feature extraction, 10%: val_accuracy per epoch",
                            "model_2b: feature extraction for 20 epochs, 10%: val_loss per epoch"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    started = start_both_modes("09", tmp_path_factory)
    yield started
    stop(started)


@pytest.mark.parametrize("mode", MODES)
def test_lesson_09_agrees_with_tensorflow(mode, runs, tf):
    summary = finished_summary(runs, mode)
    assert summary["tensorflow"] == tf.__version__ and summary["mode"] == mode
    comparisons = check_comparisons(summary, EXPECTED[mode], max_tol=5e-3)
    if mode == "fast":  # one training compared: fine-tuning, TF starting from minitf's feature extraction
        assert not any(name.startswith(("model_0", "model_1", "model_2")) for name in comparisons), list(comparisons)
        assert comparisons["model_3: fine-tuned, 10%: loss, first epoch"]["tol"] <= 1e-4
    assert comparisons["gradients with a frozen base"]["tol"] <= 1e-5
    outcomes = summary["outcomes"]
    assert outcomes["frozen_kernel_gradient_is_none"] is True
    assert outcomes["tf_frozen_kernel_gradient_is_none"] is False  # the documented difference
    assert outcomes["frozen_bn_max_difference"] == 0.0 and outcomes["frozen_bn_moving_mean_unchanged"] is True
    assert outcomes["crossed_to_tf"] is True  # the .keras file: TF loads minitf's, minitf loads TF's
