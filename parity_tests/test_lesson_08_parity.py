"""Lesson 08 (convolutional networks), in fast and in full mode, WITH TensorFlow: every comparison holds.

The lesson reads the same photos with both frameworks and compares, value by value: the
decoded and resized pixels and the batches of the two Keras image pipelines (tolerance 0: TF's
pixels bit for bit), the first augmented batch of ``ImageDataGenerator`` (1e-6: SciPy's float64
interpolation rounded to float32), ``conv2d``, its gradients and pooling (1e-5 / 1e-6: float32
sums in another order), the conv ops in the traced gradients (the same names), and the training
curves of the models it runs beside Keras from TF's initial weights (first epoch's loss 1e-4, 2e-3
with BatchNormalization; whole curves 2e-3, 5e-3 on augmented photos, 5e-2 on ten classes, the
network it keeps included: float32 differences in the convolution sums grow over the steps, and
TF's own sums change with the CPU's vector width, AVX2 or AVX-512). Fast mode
compares TinyVGG's training; full mode every model. Both modes start together in separate
processes; each test waits for its own.
"""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
pytest.importorskip("PIL", reason="the image lessons read and write photos with Pillow: pip install pillow")

from parity_tests.lesson_runs import MODES, check_comparisons, finished_summary, start_both_modes, stop  # noqa: E402

EXACT = ["one photo, decoded: every value", "one photo, bilinear to 20 x 24: every value",
         "one photo, nearest to 48 x 48: every value", "one photo, load_and_prep_image(..., 32): every value",
         "flow_from_directory(...)[0]: every pixel of the first batch",
         "image_dataset_from_directory: every training pixel", "image_dataset_from_directory: labels"]
EXPECTED = {"fast": EXACT + ["tf.nn.conv2d on the same input", "the gradients of conv2d",
                             "convolution ops in the traced gradients",
                             "pooling and its gradient (upstream gradient 1, 2, 3, 4)",
                             "ImageDataGenerator(<the course's augmentation>): every pixel of the first batch",
                             "model_1 (TinyVGG): loss, first epoch", "model_1 (TinyVGG): val_loss per epoch"]}
EXPECTED["full"] = EXPECTED["fast"] + ["model_3 (dense): val_loss per epoch", "model_5 (pooling): val_loss per epoch",
                                       "model_4, 100 photos, augmented: loss per epoch",
                                       "model_9 (TinyVGG, 10 classes): val_loss per epoch",
                                       "food10_cnn (the network we keep): loss, first epoch"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    started = start_both_modes("08", tmp_path_factory)
    yield started
    stop(started)


@pytest.mark.parametrize("mode", MODES)
def test_lesson_08_agrees_with_tensorflow(mode, runs, tf):
    summary = finished_summary(runs, mode)
    assert summary["tensorflow"] == tf.__version__ and summary["mode"] == mode
    comparisons = check_comparisons(summary, EXPECTED[mode], max_tol=5e-2)
    for name in EXACT:  # TF's pixels, bit for bit
        assert comparisons[name]["tol"] == 0.0 and comparisons[name]["max_abs_diff"] == 0.0, (name, comparisons[name])
    for name, c in comparisons.items():
        if name.endswith("loss, first epoch"):
            assert c["tol"] <= 2e-3, (name, c)
    outcomes = summary["outcomes"]
    assert outcomes["decoding_exact"] is True and outcomes["generator_batch_exact"] is True


def test_lesson_08_full_outcomes_hold_from_tensorflow_initial_weights(runs):
    if "full" not in MODES:
        pytest.skip("full mode not run here (MINITF_LESSON_PARITY_MODES=fast: CI's second, AVX-512-off pass)")
    outcomes = finished_summary(runs, "full")["outcomes"]
    binary = outcomes["binary_val_accuracy"]
    assert binary["model_1 (TinyVGG)"] >= binary["model_3 (dense)"] + 0.15, binary
    gap = outcomes["overfitting_gap"]
    assert gap["model_4, 100 photos, augmented"] < gap["model_4, 100 photos"] - 0.1, gap
