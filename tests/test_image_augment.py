"""tf.image's crops, pads and turns (minitf/image/cropping.py) against NumPy slicing and np.rot90, and the
HSV conversions and adjustments (minitf/image/hsv.py) against what they must do to colours. TF's own
bits: parity_tests/test_image_augment_parity.py; gradients: the op table (tests/op_specs.py)."""
import colorsys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitf as tf
from minitf.errors import NotFoundError

IMAGE = np.arange(2 * 6 * 7 * 3, dtype=np.float32).reshape(2, 6, 7, 3)


@given(st.integers(0, 5), st.integers(0, 6), st.data())
def test_crop_and_pad_to_a_bounding_box_are_a_slice_and_zeros_around_it(top, left, data):
    rows, cols = data.draw(st.integers(1, 6 - top)), data.draw(st.integers(1, 7 - left))
    window = tf.image.crop_to_bounding_box(IMAGE, top, left, rows, cols).numpy()
    np.testing.assert_array_equal(window, IMAGE[:, top:top + rows, left:left + cols])
    padded = tf.image.pad_to_bounding_box(IMAGE[0], top, left, 6 + top + 1, 7 + left + 2).numpy()
    assert padded.shape == (6 + top + 1, 7 + left + 2, 3) and padded.sum() == IMAGE[0].sum()
    np.testing.assert_array_equal(padded[top:top + 6, left:left + 7], IMAGE[0])


def test_resize_with_crop_or_pad_is_tfs_docstring_example():
    """TF's docstring: a 3x3 image padded to 5x5 sits in the middle of zeros; cropped back, it is itself."""
    image = np.arange(1, 28).reshape(3, 3, 3)
    padded = tf.image.resize_with_crop_or_pad(image, 5, 5).numpy()
    assert padded[:, :, 0].tolist() == [[0, 0, 0, 0, 0], [0, 1, 4, 7, 0], [0, 10, 13, 16, 0], [0, 19, 22, 25, 0],
                                        [0, 0, 0, 0, 0]]
    np.testing.assert_array_equal(tf.image.resize_with_crop_or_pad(padded, 3, 3).numpy(), image)


def test_central_crop_keeps_the_middle():
    # int((6 - 3) / 2) = 1 row and int((7 - 3.5) / 2) = 1 column off each side
    np.testing.assert_array_equal(tf.image.central_crop(IMAGE, 0.5).numpy(), IMAGE[:, 1:5, 1:6])
    with pytest.raises(ValueError, match=r"within \(0, 1\]"):
        tf.image.central_crop(IMAGE, 1.5)


@pytest.mark.parametrize("k", [-3, -1, 0, 1, 2, 3, 4, 7])
def test_rot90_and_transpose_are_numpys(k):
    np.testing.assert_array_equal(tf.image.rot90(IMAGE[0], k).numpy(), np.rot90(IMAGE[0], k, axes=(0, 1)))
    np.testing.assert_array_equal(tf.image.rot90(IMAGE, k).numpy(), np.rot90(IMAGE, k, axes=(1, 2)))
    np.testing.assert_array_equal(tf.image.transpose(IMAGE).numpy(), IMAGE.transpose(0, 2, 1, 3))


def test_random_crop_is_a_window_of_the_image_and_follows_the_seed():
    tf.random.set_seed(3)
    crop = tf.image.random_crop(IMAGE, [2, 3, 4, 3], seed=5).numpy()
    windows = [IMAGE[:, i:i + 3, j:j + 4] for i in range(4) for j in range(4)]
    assert any(np.array_equal(crop, w) for w in windows)
    tf.random.set_seed(3)
    np.testing.assert_array_equal(tf.image.random_crop(IMAGE, [2, 3, 4, 3], seed=5).numpy(), crop)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
        tf.image.random_crop(IMAGE, [2, 7, 4, 3])


@settings(max_examples=50)
@given(st.lists(st.floats(0, 1, width=32), min_size=3, max_size=3))
def test_rgb_to_hsv_is_colorsys_and_hsv_to_rgb_inverts_it(rgb):
    pixel = np.array(rgb, np.float64)
    hsv = tf.image.rgb_to_hsv(pixel).numpy()
    np.testing.assert_allclose(hsv, colorsys.rgb_to_hsv(*pixel), atol=1e-12)
    np.testing.assert_allclose(tf.image.hsv_to_rgb(hsv).numpy(), pixel, atol=1e-12)


def test_hue_and_saturation_adjustments_do_what_they_say_to_colours():
    red, green = np.array([[[1.0, 0.0, 0.0]]], np.float32), np.array([[[0.0, 1.0, 0.0]]], np.float32)
    np.testing.assert_allclose(tf.image.adjust_hue(red, 1 / 3).numpy(), green, atol=1e-6)  # a third of a turn
    rng = np.random.default_rng(0)
    image = rng.random((4, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(tf.image.adjust_hue(image, 1.0).numpy(), image, atol=1e-6)  # a whole turn
    np.testing.assert_allclose(tf.image.adjust_saturation(image, 1.0).numpy(), image, atol=1e-6)
    gray = tf.image.adjust_saturation(image, 0.0).numpy()  # no saturation: every channel is the value
    np.testing.assert_allclose(gray, np.repeat(image.max(-1, keepdims=True), 3, -1), atol=1e-6)
    hsv = tf.image.rgb_to_hsv(tf.image.adjust_saturation(image, 0.5)).numpy()
    np.testing.assert_allclose(hsv[..., 1], tf.image.rgb_to_hsv(image).numpy()[..., 1] * 0.5, atol=1e-6)


def test_hue_and_saturation_adjustments_have_tfs_errors_and_no_gradient():
    image = tf.constant(np.full((2, 2, 3), 0.5, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(image)
        out = tf.image.adjust_saturation(image, 2.0)
    with pytest.raises(LookupError, match="AdjustSaturation"):
        tape.gradient(out, image)
    with pytest.raises(NotFoundError, match="float16"):
        tf.image.adjust_hue(np.zeros((1, 1, 3), np.float16), 0.1)
    with pytest.raises(ValueError, match="interval"):
        tf.image.adjust_hue(image, 1.5)
    with pytest.raises(ValueError, match="max_delta must be <= 0.5"):
        tf.image.random_hue(image, 0.6)
    assert tf.image.random_saturation(image, 0.5, 1.5, seed=1).shape == (2, 2, 3)
    u8 = np.array([[[10, 20, 200]]], np.uint8)
    assert tf.image.adjust_hue(u8, 0.2).dtype == tf.uint8 and tf.image.adjust_gamma(u8, 2.0).dtype == tf.uint8


def test_psnr_and_total_variation_follow_their_formulas():
    rng = np.random.default_rng(1)
    a, b = rng.random((2, 4, 5, 3)), rng.random((2, 4, 5, 3))
    mse = ((a.astype(np.float32) - b.astype(np.float32)) ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(tf.image.psnr(a.astype(np.float32), b.astype(np.float32), 1.0).numpy(),
                               -10 * np.log10(mse), rtol=1e-5)
    want = np.abs(np.diff(a, axis=1)).sum(axis=(1, 2, 3)) + np.abs(np.diff(a, axis=2)).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(tf.image.total_variation(a).numpy(), want, rtol=1e-12)
    dy, dx = tf.image.image_gradients(a)
    np.testing.assert_array_equal(dy.numpy()[:, :-1], np.diff(a, axis=1))
    assert (dy.numpy()[:, -1] == 0).all() and (dx.numpy()[:, :, -1] == 0).all()


def test_ssim_is_one_for_identical_images_symmetric_and_lower_for_noise():
    rng = np.random.default_rng(0)
    a = rng.uniform(size=(2, 12, 12, 3)).astype(np.float32)
    noisy = np.clip(a + rng.normal(0, 0.2, a.shape), 0, 1).astype(np.float32)
    np.testing.assert_allclose(tf.image.ssim(a, a, 1.0).numpy(), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(tf.image.ssim(a, noisy, 1.0).numpy(), tf.image.ssim(noisy, a, 1.0).numpy(), rtol=1e-6)
    assert np.all(tf.image.ssim(a, noisy, 1.0).numpy() < 0.9)
    assert tf.image.ssim(a, noisy, 1.0, filter_size=5, return_index_map=True).shape == (2, 8, 8)


def test_resize_with_pad_keeps_the_aspect_ratio_and_centres_the_image():
    image = np.ones((4, 8, 1), np.float32)
    padded = tf.image.resize_with_pad(image, 8, 8).numpy()[..., 0]  # 4 x 8 fits as 4 x 8: 2 rows of zeros above
    assert padded.shape == (8, 8)
    np.testing.assert_array_equal(padded[2:6], 1.0)
    np.testing.assert_array_equal(padded[:2], 0.0)
    np.testing.assert_array_equal(padded[6:], 0.0)


def test_stateless_augmentations_depend_only_on_the_seed():
    image = np.random.default_rng(1).uniform(size=(4, 6, 6, 3)).astype(np.float32)
    for augment in (lambda s: tf.image.stateless_random_flip_left_right(image, s),
                    lambda s: tf.image.stateless_random_brightness(image, 0.5, s),
                    lambda s: tf.image.stateless_random_crop(image, [4, 3, 3, 3], s)):
        np.testing.assert_array_equal(augment((3, 4)).numpy(), augment((3, 4)).numpy())
        assert any(not np.array_equal(augment((3, 4)).numpy(), augment((s, 9)).numpy()) for s in range(5))
