"""Lesson 08 (convolutional networks) without TensorFlow.

Fast mode (in-process, seconds): the lesson runs end to end and what it computes exactly holds
(convolution by loops = im2col = minitf's conv2d; the gradient formulas of a convolution are
convolutions; the network it keeps saves and reloads identically). Its models train too
briefly to rank, so the claims about which model is better are checked on the full lesson, run
once in a subprocess in a private data folder: the CNN beats the dense baseline, 100 photos
overfit and augmentation narrows the gap, ten classes are learnt well above chance.
"""
from __future__ import annotations

import pytest

from tests.lesson_runs import check_figures

pytest.importorskip("PIL", reason="the image lessons read and write photos with Pillow: pip install pillow")


@pytest.fixture(scope="module")
def lesson(fast_lesson):
    return fast_lesson("08")


def test_lesson_08_figures(lesson):
    summary, out = lesson
    check_figures(summary, out, {"pizza_steak_examples.png", "im2col.png", "dense_vs_tinyvgg.png",
                                 "augmented_examples.png", "overfitting_and_augmentation.png",
                                 "filters_and_feature_maps.png", "single_photo_predictions.png"})


def test_lesson_08_convolution_by_loops_im2col_and_conv2d_agree(lesson):
    outcomes = lesson[0]["outcomes"]
    assert outcomes["conv_loops_vs_minitf"] < 1e-5  # the same sums in another order
    assert outcomes["conv_gradient_formulas_max_diff"] < 1e-5  # dL/dx and dL/dw are convolutions
    ops = outcomes["conv_ops_in_gradients"]  # the three conv ops are each other's gradients
    assert ops["forward + gradient"] == ["Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput"], ops
    assert ops["forward + gradient + its gradient"] == ["Conv2D", "Conv2D", "Conv2DBackpropFilter",
                                                        "Conv2DBackpropFilter", "Conv2DBackpropInput"], ops


def test_lesson_08_the_two_pipelines_differ_by_a_few_levels(lesson):
    # ImageDataGenerator (Pillow, accurate IDCT, nearest resize) vs tf.image (fast IDCT, bilinear):
    # different, but the same photo.
    assert 0 < lesson[0]["outcomes"]["pipelines_largest_pixel_difference"] < 0.05
    assert lesson[0]["outcomes"]["decoding_exact"] is None  # no TF to compare with


def test_lesson_08_model_sizes(lesson):
    weights = lesson[0]["outcomes"]["binary_weights"]
    assert weights["model_3 (dense)"] > 50 * weights["model_1 (TinyVGG)"], weights
    assert weights["model_5 (pooling)"] < weights["model_4 (no pooling)"], weights


def test_lesson_08_saves_its_network_and_predicts_single_photos(lesson):
    summary, out = lesson
    outcomes = summary["outcomes"]
    assert outcomes["reload_identical"] is True and (out / outcomes["saved_model"]).is_file()
    predictions = outcomes["single_photo_predictions"]
    assert len(predictions) == 10 and all(isinstance(p, str) for p in predictions.values()), predictions


# ------------------------------------------------------------------------------------------ full mode
def test_lesson_08_full_the_cnn_beats_the_dense_baseline(full_image_lesson):
    outcomes = full_image_lesson("08")["outcomes"]
    binary = outcomes["binary_val_accuracy"]
    assert binary["model_1 (TinyVGG)"] >= 0.9, binary
    assert binary["model_1 (TinyVGG)"] >= binary["model_3 (dense)"] + 0.15, binary


def test_lesson_08_full_overfitting_seen_and_fought(full_image_lesson):
    gap = full_image_lesson("08")["outcomes"]["overfitting_gap"]
    assert gap["model_4, 100 photos"] > 0.1, gap
    assert gap["model_4, 100 photos, augmented"] < gap["model_4, 100 photos"] - 0.1, gap


def test_lesson_08_full_ten_classes(full_image_lesson):
    outcomes = full_image_lesson("08")["outcomes"]
    assert outcomes["ten_class_val_accuracy"]["model_9 (TinyVGG)"] > 0.4, outcomes["ten_class_val_accuracy"]  # chance: 0.1
    assert outcomes["food10_cnn_val_accuracy"] > 0.7, outcomes["food10_cnn_val_accuracy"]
    assert outcomes["reload_identical"] is True
    predictions = outcomes["single_photo_predictions"]
    assert sum(true == predicted for true, predicted in predictions.items()) >= 6, predictions
