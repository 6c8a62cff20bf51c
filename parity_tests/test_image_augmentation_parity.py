"""Seeded image augmentation layers against Keras 3.15: the same seed gives the same images.

Each layer is made with the same seed in both frameworks and called several times in a row (every
call steps the layer's SeedGenerator, so the sequence of draws is compared, not one draw), on
batches and on single images, float and integer. Tolerance: EXACT equality (dtype, shape and
bits) for RandomCrop (slices; its resize branch is tf.image.resize's arithmetic, in the same
order) and RandomBrightness (one float32 add and a clip).
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
