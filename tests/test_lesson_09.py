"""Lesson 09 (transfer learning) without TensorFlow.

Fast mode (in-process, seconds; the lesson trains its own base, never depending on lesson 08):
the short base is above chance and fine-tuning lifts feature extraction's accuracy; freezing
leaves only the head's variables trainable and the tape no gradient for a frozen kernel; a frozen BatchNormalization runs in inference mode even with ``training=True`` and keeps
its moving statistics; ModelCheckpoint keeps the best epoch; CSVLogger writes one row per
epoch; a saved fine-tuned model reloads identically. The claims about what pays off (transfer
beats training from scratch, fine-tuning beats feature extraction) need full-length training:
checked on the full lesson, run after lesson 08 in a private data folder, on 08's network.
"""
from __future__ import annotations

import pytest

from tests.lesson_runs import check_figures

pytest.importorskip("PIL", reason="the image lessons read and write photos with Pillow: pip install pillow")


@pytest.fixture(scope="module")
def lesson(fast_lesson):
    return fast_lesson("09")


def test_lesson_09_figures_and_its_own_base(lesson):
    summary, out = lesson
    check_figures(summary, out, {"new_classes.png", "feature_extraction_then_fine_tuning.png"})
    assert summary["outcomes"]["base"].startswith("trained here")  # fast mode never depends on lesson 08


def test_lesson_09_fast_mode_still_transfers(lesson):
    # Too short to rank every model (see the full-mode test), but each step does its work: the base
    # trained in short has learnt its 10 classes above chance (0.1), and unfreezing its top layers
    # lifts the new head's test accuracy above feature extraction's.
    outcomes = lesson[0]["outcomes"]
    assert outcomes["base_accuracy_on_source_task"] > 0.15, outcomes
    assert outcomes["fine_tuned_accuracy"] > outcomes["feature_extraction_accuracy"], outcomes


def test_lesson_09_freezing_and_the_tape(lesson):
    outcomes = lesson[0]["outcomes"]
    assert outcomes["trainable_variables_frozen"] == 2  # the head's kernel and bias
    assert outcomes["frozen_kernel_gradient_is_none"] is True


def test_lesson_09_frozen_batchnorm_is_in_inference_mode(lesson):
    outcomes = lesson[0]["outcomes"]
    assert outcomes["frozen_bn_max_difference"] == 0.0  # frozen: training=True is inference mode
    assert outcomes["trainable_bn_max_difference"] > 0.1  # trainable: batch statistics differ
    assert outcomes["frozen_bn_moving_mean_unchanged"] is True


def test_lesson_09_callbacks_and_saving(lesson):
    summary, out = lesson
    outcomes = summary["outcomes"]
    assert outcomes["checkpoint_accuracy"] == pytest.approx(outcomes["best_feature_extraction_epoch_accuracy"])
    assert outcomes["feature_extraction_epochs"] == 3  # fast mode
    assert outcomes["csv_rows"] == 3 and (out / "history_minitf.csv").is_file()  # one row per epoch
    assert outcomes["save_load_identical"] is True
    assert outcomes["crossed_to_tf"] is None  # without TF the crossing cell only says what it would do


# ------------------------------------------------------------------------------------------ full mode
def test_lesson_09_full_transfer_and_fine_tuning_pay_off(full_image_lesson):
    outcomes = full_image_lesson("09")["outcomes"]
    assert outcomes["base"].startswith("lesson 08's network")  # found in the data folder lesson 08 wrote
    # a clear margin over training from scratch: 0.145 (0.84 vs 0.695 of 200 photos) in the slowest-learning run
    # seen, the CuPy stand-in on an AVX2 CPU, where each SIMD path's rounding takes training its own way
    assert outcomes["feature_extraction_accuracy"] >= outcomes["scratch_accuracy"] + 0.1, outcomes
    assert outcomes["fine_tuned_accuracy"] > outcomes["feature_extraction_accuracy"], outcomes
    assert outcomes["fine_tuned_accuracy"] > outcomes["control_accuracy"], outcomes  # not just more epochs
    assert outcomes["one_percent_accuracy"] > 0.3, outcomes  # 5 photos per class; chance: 0.2
    assert outcomes["feature_extraction_epochs"] == 10 and outcomes["csv_rows"] == 10, outcomes
    assert outcomes["frozen_bn_moving_mean_unchanged"] is True and outcomes["save_load_identical"] is True
