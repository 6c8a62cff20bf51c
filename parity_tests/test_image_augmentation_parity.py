"""Seeded image augmentation layers against Keras 3.15: the same seed gives the same images.

Each layer is made with the same seed in both frameworks and called several times in a row (every
call steps the layer's SeedGenerator, so the sequence of draws is compared, not one draw), on
batches and on single images, float and integer. Tolerance: EXACT equality (dtype, shape and
bits) for RandomCrop (slices; its resize branch is tf.image.resize's arithmetic, in the same
order), RandomBrightness (one float32 add and a clip), RandomFlip, RandomZoom and
RandomTranslation (their matrices are exact float32 arithmetic, the resampling is
ImageProjectiveTransformV3's, in every fill mode and interpolation), and RandomContrast on small
images. RandomContrast's per-channel mean is Keras's ``ops.mean`` over height then width, i.e.
``tf.reduce_sum / n``; TF sums the height axis (a middle axis) in its own blocked order
(redux_functor's ReduceMiddleDimensions), which minitf's reduce_sum does not reproduce: from about
16 rows the mean moves by an ulp, so larger images get atol 1e-4 on values in [0, 255] (seen 1.5e-5).
RandomRotation: the same angles bit for bit, but its matrix holds cos and sin, which TF computes
with Eigen's float32 polynomial and minitf with NumPy's (1 ulp apart for ~6% of angles); bilinear
sampling then moves by about 1e-6 of a pixel: atol 1e-3 on images in [0, 255] (seen: 2.3e-4).
"""
from __future__ import annotations

import numpy as np
import pytest

RNG = np.random.default_rng(8)


def _same(got, want, what):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (what, got.shape, got.dtype, want.shape, want.dtype)
    np.testing.assert_array_equal(got, want, err_msg=what)


def _calls(fw, make, inputs, **kwargs):
    layer = make(fw.keras.layers)
    return [np.asarray(layer(x, **kwargs)) for x in inputs]


def _compare(tf, mtf, what, make, inputs, **kwargs):
    want = _calls(tf, make, inputs, **kwargs)
    got = _calls(mtf, make, inputs, **kwargs)
    for i, (g, w) in enumerate(zip(got, want)):
        _same(g, w, f"{what}, call {i}")


def _batches(shape, n=4, dtype="float32", high=255.0):
    return [RNG.uniform(0, high, shape).astype(dtype) for _ in range(n)]


# --- RandomCrop ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, size", [
    ((3, 10, 12, 3), (6, 5)),     # larger both ways: a random window per call
    ((10, 12, 3), (7, 7)),        # one image
    ((2, 6, 12, 2), (6, 4)),      # same height: Keras's centred box (no draw)
    ((2, 6, 7, 3), (8, 8)),       # smaller: cut, then resized up
    ((2, 5, 20, 1), (8, 8)),      # smaller in height, wider: the cut is off-centre, then resized
])
def test_random_crop_matches_keras(tf, mtf, shape, size):
    inputs = _batches(shape)
    _compare(tf, mtf, f"RandomCrop{size} on {shape}", lambda L: L.RandomCrop(*size, seed=11), inputs)


def test_random_crop_integer_images_and_inference(tf, mtf):
    inputs = _batches((2, 9, 9, 3), dtype="int32")
    _compare(tf, mtf, "RandomCrop int32 training", lambda L: L.RandomCrop(4, 6, seed=2), inputs)
    _compare(tf, mtf, "RandomCrop int32 inference", lambda L: L.RandomCrop(4, 6, seed=2), inputs, training=False)


def test_random_crop_channels_first(tf, mtf):
    inputs = _batches((2, 3, 10, 9))
    _compare(tf, mtf, "RandomCrop channels_first",
             lambda L: L.RandomCrop(5, 4, seed=4, data_format="channels_first"), inputs)
    inputs = _batches((2, 3, 4, 9))
    _compare(tf, mtf, "RandomCrop channels_first, resized",
             lambda L: L.RandomCrop(5, 4, seed=4, data_format="channels_first"), inputs)


# --- RandomBrightness ---------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, shape", [
    (dict(factor=0.2), (4, 5, 6, 3)),
    (dict(factor=0.2), (5, 6, 3)),
    (dict(factor=(-0.5, 0.3), value_range=(1.0, 0.0)), (3, 4, 4, 1)),
    (dict(factor=[0.1, -0.9], value_range=[-1, 1]), (3, 4, 4, 3)),
])
def test_random_brightness_matches_keras(tf, mtf, kwargs, shape):
    high = 1.0 if max(kwargs.get("value_range", (0, 255))) == 1 else 255.0
    inputs = _batches(shape, high=high)
    _compare(tf, mtf, f"RandomBrightness({kwargs}) on {shape}", lambda L: L.RandomBrightness(seed=7, **kwargs),
             inputs)


def test_random_brightness_integer_images_and_inference(tf, mtf):
    inputs = _batches((3, 4, 4, 3), dtype="int32")
    _compare(tf, mtf, "RandomBrightness int32", lambda L: L.RandomBrightness(0.3, seed=3), inputs)
    _compare(tf, mtf, "RandomBrightness inference", lambda L: L.RandomBrightness(0.3, seed=3), inputs, training=False)


# --- config ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda L: L.RandomCrop(4, 5, seed=3, name="crop"),
    lambda L: L.RandomCrop(4, 5, seed=3, data_format="channels_first", name="crop"),
    lambda L: L.RandomBrightness((0.3, -0.1), value_range=(255, 0), seed=1, name="bright"),
    lambda L: L.RandomBrightness(0.2, name="bright"),
])
def test_augmentation_configs_match_keras(tf, mtf, make):
    assert make(mtf.keras.layers).get_config() == make(tf.keras.layers).get_config()


# --- RandomFlip, RandomContrast, RandomTranslation, RandomZoom, RandomRotation --------------------
@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
@pytest.mark.parametrize("shape", [(6, 5, 7, 3), (5, 7, 3)])
def test_random_flip_matches_keras(tf, mtf, mode, shape):
    _compare(tf, mtf, f"RandomFlip({mode}) on {shape}", lambda L: L.RandomFlip(mode, seed=13), _batches(shape))


@pytest.mark.parametrize("kwargs", [dict(factor=0.5), dict(factor=(0.2, 0.7), value_range=(0, 1))])
@pytest.mark.parametrize("shape", [(4, 6, 5, 3), (6, 5, 3), (4, 9, 11, 3)])
def test_random_contrast_matches_keras(tf, mtf, kwargs, shape):
    high = 1.0 if "value_range" in kwargs else 255.0
    _compare(tf, mtf, f"RandomContrast({kwargs}) on {shape}", lambda L: L.RandomContrast(seed=5, **kwargs),
             _batches(shape, high=high))


def test_random_contrast_on_larger_images_to_the_mean_rounding(tf, mtf):
    _close(tf, mtf, "RandomContrast(0.5) on 32 x 32 images", lambda L: L.RandomContrast(0.5, seed=5),
           _batches((4, 32, 32, 3)), atol=1e-4)


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_random_zoom_and_translation_match_keras(tf, mtf, fill_mode, interpolation):
    kwargs = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=7.0, seed=3)
    for shape in [(4, 9, 11, 3), (9, 11, 3)]:
        inputs = _batches(shape, n=3)
        _compare(tf, mtf, f"RandomZoom(0.3, {kwargs}) on {shape}", lambda L: L.RandomZoom(0.3, **kwargs), inputs)
        _compare(tf, mtf, f"RandomZoom((-0.3, 0.2), (-0.2, 0.4), {kwargs}) on {shape}",
                 lambda L: L.RandomZoom((-0.3, 0.2), (-0.2, 0.4), **kwargs), inputs)
        _compare(tf, mtf, f"RandomTranslation(0.2, 0.3, {kwargs}) on {shape}",
                 lambda L: L.RandomTranslation(0.2, (-0.1, 0.3), **kwargs), inputs)


def _close(tf, mtf, what, make, inputs, atol=1e-3):
    want = _calls(tf, make, inputs)
    got = _calls(mtf, make, inputs)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape and g.dtype == w.dtype, (what, i)
        np.testing.assert_allclose(g, w, rtol=0, atol=atol, err_msg=f"{what}, call {i}")


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_random_rotation_matches_keras_to_cos_sin_rounding(tf, mtf, fill_mode, interpolation):
    kwargs = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=7.0, seed=3)
    for shape in [(4, 9, 11, 3), (9, 11, 3)]:
        _close(tf, mtf, f"RandomRotation(0.2, {kwargs}) on {shape}", lambda L: L.RandomRotation(0.2, **kwargs),
               _batches(shape, n=3))


def _pipeline(fw, rotation=True):
    """The lesson-08 style augmentation block, seeded."""
    L = fw.keras.layers
    steps = [L.RandomFlip("horizontal", seed=1)]
    steps += [L.RandomRotation(0.1, seed=2)] if rotation else [L.RandomTranslation(0.1, 0.1, seed=2)]
    steps += [L.RandomZoom(0.2, seed=3), L.RandomContrast(0.2, seed=4)]
    return fw.keras.Sequential(steps)


@pytest.mark.parametrize("rotation", [False, True])
def test_augmentation_pipeline_matches_keras(tf, mtf, rotation):
    inputs = _batches((4, 16, 16, 3), n=3)
    theirs, ours = _pipeline(tf, rotation), _pipeline(mtf, rotation)
    for i, x in enumerate(inputs):
        want, got = np.asarray(theirs(x, training=True)), np.asarray(ours(x, training=True))
        # rotation: cos/sin rounding; contrast: the 16-row mean (see the module docstring)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-3 if rotation else 1e-4, err_msg=f"pipeline call {i}")
        _same(np.asarray(ours(x, training=False)), np.asarray(theirs(x, training=False)), "pipeline inference")


# --- RandomGrayscale, RandomInvert, Solarization ------------------------------------------------
@pytest.mark.parametrize("shape", [(6, 5, 4, 3), (5, 4, 3), (4, 5, 4, 1)])
def test_random_grayscale_matches_keras(tf, mtf, shape):
    inputs = _batches(shape)
    _compare(tf, mtf, f"RandomGrayscale on {shape}", lambda L: L.RandomGrayscale(0.5, seed=9), inputs)
    # it draws in inference too: a later training call sees the generator moved on
    make = lambda L: L.RandomGrayscale(0.5, seed=9)  # noqa: E731
    for fw_outputs in zip(*[[np.asarray(layer(x, training=t)) for x, t in zip(inputs, (False, True, False, True))]
                            for layer in (make(tf.keras.layers), make(mtf.keras.layers))]):
        _same(fw_outputs[1], fw_outputs[0], "RandomGrayscale after inference calls")


def test_random_grayscale_channels_first_and_integers(tf, mtf):
    _compare(tf, mtf, "RandomGrayscale channels_first",
             lambda L: L.RandomGrayscale(0.7, seed=2, data_format="channels_first"), _batches((6, 3, 4, 5)))
    _compare(tf, mtf, "RandomGrayscale int32", lambda L: L.RandomGrayscale(0.7, seed=2),
             _batches((6, 4, 5, 3), dtype="int32"))


@pytest.mark.parametrize("kwargs", [dict(), dict(factor=0.3), dict(factor=(0.2, 0.9), value_range=(0, 1))])
@pytest.mark.parametrize("shape", [(8, 4, 5, 3), (4, 5, 3)])
def test_random_invert_matches_keras(tf, mtf, kwargs, shape):
    high = 1.0 if "value_range" in kwargs else 255.0
    inputs = _batches(shape, high=high)
    _compare(tf, mtf, f"RandomInvert({kwargs}) on {shape}", lambda L: L.RandomInvert(seed=4, **kwargs), inputs)
    _compare(tf, mtf, "RandomInvert inference", lambda L: L.RandomInvert(seed=4, **kwargs), inputs, training=False)


@pytest.mark.parametrize("kwargs", [dict(addition_factor=0.3, threshold_factor=0.8),
                                    dict(addition_factor=(0.1, 0.2), threshold_factor=(0.5, 0.9), value_range=(0, 1)),
                                    dict(threshold_factor=1.0, value_range=(-1, 1))])
@pytest.mark.parametrize("shape", [(6, 4, 5, 3), (4, 5, 3)])
def test_solarization_matches_keras(tf, mtf, kwargs, shape):
    low, high = sorted(kwargs.get("value_range", (0, 255)))
    inputs = [x * np.float32((high - low) / 255.0) + np.float32(low) for x in _batches(shape)]
    _compare(tf, mtf, f"Solarization({kwargs}) on {shape}", lambda L: L.Solarization(seed=6, **kwargs), inputs)
    _compare(tf, mtf, "Solarization inference", lambda L: L.Solarization(seed=6, **kwargs),
             [x.astype("int32") for x in inputs], training=False)


@pytest.mark.parametrize("make", [
    lambda L: L.RandomGrayscale(0.3, seed=3, name="gray"),
    lambda L: L.RandomInvert((0.9, 0.1), value_range=(0, 1), seed=3, name="invert"),
    lambda L: L.RandomInvert(name="invert"),
    lambda L: L.Solarization(0.2, (0.9, 0.3), value_range=(255, 0), seed=3, name="solar"),
])
def test_more_augmentation_configs_match_keras(tf, mtf, make):
    assert make(mtf.keras.layers).get_config() == make(tf.keras.layers).get_config()
