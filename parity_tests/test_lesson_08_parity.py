"""Lesson 08 (convolutional networks) in fast mode WITH TensorFlow.

The lesson reads the same photos with both frameworks and compares, value by value: the
decoded and resized pixels and every batch of the two Keras image pipelines (tolerance 0: TF's
pixels bit for bit), the first augmented batch of ``ImageDataGenerator`` (1e-6: SciPy's float64
interpolation rounded to float32), ``conv2d``, its gradients and pooling (1e-5 / 1e-6: float32
sums in another order), and the training curves of the models it runs beside Keras (first
epoch's loss 1e-4, whole curves 2e-3: float32 differences in the convolution sums grow over the
steps). Fast mode compares TinyVGG's training with Keras; the full lesson compares every model
(up to 3e-2 on ten classes, where the differences grow most).
"""
from __future__ import annotations

import pytest

from parity_tests.lesson_runs import check_comparisons

pytest.importorskip("PIL", reason="the image lessons read and write photos with Pillow: pip install pillow")


@pytest.fixture(scope="module")
def summary(tf_lesson) -> dict:
    return tf_lesson("08")


def test_lesson_08_pixels_equal_tfs(summary):
    comparisons = check_comparisons(summary, expected=[
        "one photo, decoded: every value", "one photo, bilinear to 20 x 24: every value",
        "one photo, nearest to 48 x 48: every value", "one photo, load_and_prep_image(..., 32): every value",
        "flow_from_directory(...)[0]: every pixel of the first batch",
        "image_dataset_from_directory: every training pixel", "image_dataset_from_directory: labels"])
    for name, c in comparisons.items():
        if "pixel" in name or "every value" in name or name.endswith("labels"):
            if "augmentation" not in name:
                assert c["tol"] == 0.0 and c["max_abs_diff"] == 0.0, (name, c)
    outcomes = summary["outcomes"]
    assert outcomes["decoding_exact"] is True and outcomes["generator_batch_exact"] is True


def test_lesson_08_convolution_augmentation_and_training_match_tf(summary):
    comparisons = check_comparisons(summary, max_tol=3e-2, expected=[
        "tf.nn.conv2d on the same input", "the gradients of conv2d", "convolution ops in the traced gradients",
        "pooling and its gradient (upstream gradient 1, 2, 3, 4)",
        "ImageDataGenerator(<the course's augmentation>): every pixel of the first batch",
        "model_1 (TinyVGG): loss, first epoch", "model_1 (TinyVGG): val_loss per epoch"])
    for name, c in comparisons.items():
        if name.endswith("loss, first epoch"):
            assert c["tol"] <= 2e-3, (name, c)
