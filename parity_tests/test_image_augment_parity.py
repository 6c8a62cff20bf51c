"""tf.image's crops, turns and colour adjustments against TF, bit for bit (adjust_gamma's float power: one ulp,
Eigen's vectorized pow against NumPy's)."""
import numpy as np
import pytest

RNG = np.random.default_rng(0)
PICTURE = RNG.random((2, 9, 11, 3)).astype(np.float32)
PICTURE[0, :3] = np.round(PICTURE[0, :3] * 4) / 4  # ties between channels
PICTURE[1, 2], PICTURE[1, 3] = 0.5, 0.0  # grays and black


def _same(ours, theirs, what):
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (what, ours.dtype, theirs.dtype, ours.shape)
    assert ours.tobytes() == theirs.tobytes(), f"{what}: {int((ours != theirs).sum())} values differ"


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_hue_and_saturation_adjustments_are_tfs_bits(tf, mtf, dtype):
    image = (PICTURE * 255).astype(np.uint8) if dtype == np.uint8 else PICTURE.astype(dtype)
    for delta in (0.1, -0.3, 0.5, 1.0, -1.0):
        _same(mtf.image.adjust_hue(image, delta).numpy(), tf.image.adjust_hue(tf.constant(image), delta).numpy(),
              f"adjust_hue {delta}")
    for factor in (0.0, 0.5, 2.0, 3.0):
        _same(mtf.image.adjust_saturation(image, factor).numpy(),
              tf.image.adjust_saturation(tf.constant(image), factor).numpy(), f"adjust_saturation {factor}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_hsv_conversions_are_tfs_bits(tf, mtf, dtype):
    image = PICTURE.astype(dtype)
    hsv = tf.image.rgb_to_hsv(tf.constant(image)).numpy()
    _same(mtf.image.rgb_to_hsv(image).numpy(), hsv, "rgb_to_hsv")
    _same(mtf.image.hsv_to_rgb(hsv).numpy(), tf.image.hsv_to_rgb(tf.constant(hsv)).numpy(), "hsv_to_rgb")


def test_crops_pads_and_turns_are_tfs(tf, mtf):
    for image in (PICTURE, PICTURE[0], (PICTURE[1] * 255).astype(np.uint8)):
        calls = [("central_crop", lambda m: m.image.central_crop(image, 0.33)),
                 ("crop_to_bounding_box", lambda m: m.image.crop_to_bounding_box(image, 2, 1, 5, 9)),
                 ("pad_to_bounding_box", lambda m: m.image.pad_to_bounding_box(image, 1, 3, 12, 15)),
                 ("resize_with_crop_or_pad", lambda m: m.image.resize_with_crop_or_pad(image, 4, 14)),
                 ("transpose", lambda m: m.image.transpose(image))]
        calls += [(f"rot90 {k}", (lambda k: lambda m: m.image.rot90(image, k))(k)) for k in (-1, 1, 2, 3)]
        for what, call in calls:
            _same(call(mtf).numpy(), call(tf).numpy(), f"{what} of {image.shape} {image.dtype}")


def test_adjust_gamma_is_tfs(tf, mtf):
    image = (PICTURE * 255).astype(np.uint8)
    for gamma, gain in ((2.0, 1.0), (0.5, 2.0), (1.0, 1.0)):
        _same(mtf.image.adjust_gamma(image, gamma, gain).numpy(), tf.image.adjust_gamma(image, gamma, gain).numpy(),
              f"adjust_gamma {gamma} {gain} uint8")
        ours, theirs = mtf.image.adjust_gamma(PICTURE, gamma, gain).numpy(), tf.image.adjust_gamma(
            tf.constant(PICTURE), gamma, gain).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=2.5e-7, atol=0)


def test_half_images_have_no_hue_kernel_in_either(tf, mtf):
    half = PICTURE[0].astype(np.float16)
    for module in (tf, mtf):
        for adjust in (module.image.adjust_hue, module.image.adjust_saturation):
            with pytest.raises(module.errors.NotFoundError):
                adjust(half, 0.2)


def test_psnr_total_variation_and_sobel_are_tfs(tf, mtf):
    """psnr computes in float32 (TF converts the images): an ulp of its logs; the rest exactly (or the
    ulp of a reordered sum)."""
    other = RNG.random(PICTURE.shape).astype(np.float32)
    np.testing.assert_allclose(mtf.image.psnr(PICTURE, other, 1.0).numpy(),
                               tf.image.psnr(tf.constant(PICTURE), tf.constant(other), 1.0).numpy(), rtol=1e-6)
    u8, v8 = (PICTURE * 255).astype(np.uint8), (other * 255).astype(np.uint8)
    np.testing.assert_allclose(mtf.image.psnr(u8, v8, 255).numpy(), tf.image.psnr(u8, v8, 255).numpy(), rtol=1e-6)
    np.testing.assert_allclose(mtf.image.total_variation(PICTURE).numpy(),
                               tf.image.total_variation(tf.constant(PICTURE)).numpy(), rtol=1e-6)
    _same(mtf.image.sobel_edges(PICTURE).numpy(), tf.image.sobel_edges(tf.constant(PICTURE)).numpy(), "sobel_edges")


@pytest.mark.parametrize("seed", [(1, 2), (5, 9), (123, 4)])
def test_stateless_random_augmentations_are_tfs_bits(tf, mtf, seed):
    """The stateless draws are TF's numbers (tf.random.stateless_uniform), so the augmented images are TF's."""
    single = PICTURE[0]
    for name, call in [
        ("stateless_random_flip_left_right", lambda fw, x: fw.image.stateless_random_flip_left_right(x, seed)),
        ("stateless_random_flip_up_down", lambda fw, x: fw.image.stateless_random_flip_up_down(x, seed)),
        ("stateless_random_brightness", lambda fw, x: fw.image.stateless_random_brightness(x, 0.3, seed)),
        ("stateless_random_contrast", lambda fw, x: fw.image.stateless_random_contrast(x, 0.5, 1.5, seed)),
        ("stateless_random_hue", lambda fw, x: fw.image.stateless_random_hue(x, 0.2, seed)),
        ("stateless_random_saturation", lambda fw, x: fw.image.stateless_random_saturation(x, 0.5, 1.5, seed)),
        ("stateless_random_crop", lambda fw, x: fw.image.stateless_random_crop(x, [*x.shape[:-3], 5, 6, 3], seed)),
    ]:
        for image in (PICTURE, single):
            _same(call(mtf, image).numpy(), call(tf, tf.constant(image)).numpy(), f"{name} {image.shape}")


@pytest.mark.parametrize("target", [(20, 20), (9, 30), (4, 3), (9, 11), (5, 40)])
def test_resize_with_pad_is_tfs(tf, mtf, target):
    for method in ("bilinear", "nearest"):
        _same(mtf.image.resize_with_pad(PICTURE, *target, method=method).numpy(),
              tf.image.resize_with_pad(tf.constant(PICTURE), *target, method=method).numpy(), f"{target} {method}")
    x, y = tf.Variable(PICTURE), mtf.Variable(PICTURE)
    with tf.GradientTape() as tape:
        theirs = tf.reduce_sum(tf.image.resize_with_pad(x, *target) ** 2)
    with mtf.GradientTape() as our_tape:
        ours = mtf.reduce_sum(mtf.image.resize_with_pad(y, *target) ** 2)
    np.testing.assert_allclose(our_tape.gradient(ours, y).numpy(), tape.gradient(theirs, x).numpy(), rtol=1e-5,
                               atol=1e-6)
    for fw in (tf, mtf):  # a side that the resize leaves 0 pixels wide: the resize's error
        with pytest.raises(fw.errors.InvalidArgumentError):
            fw.image.resize_with_pad(np.ones((1, 2, 1), np.float32), 1, 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_ssim_and_its_gradient_are_tfs(tf, mtf, dtype):
    """TF computes SSIM in float32 from a Gaussian-weighted depthwise convolution: an ulp or two of its sums."""
    other = np.clip(PICTURE + RNG.normal(0, 0.1, PICTURE.shape), 0, 1).astype(np.float32)
    scale = 255 if dtype == np.uint8 else 1
    a, b = (PICTURE * scale).astype(dtype), (other * scale).astype(dtype)
    for kwargs in ({"filter_size": 5, "filter_sigma": 1.0}, {"filter_size": 3, "filter_sigma": 0.5, "k2": 0.05},
                   {"filter_size": 7, "return_index_map": True}):
        np.testing.assert_allclose(mtf.image.ssim(a, b, scale, **kwargs).numpy(),
                                   tf.image.ssim(tf.constant(a), tf.constant(b), scale, **kwargs).numpy(),
                                   rtol=1e-5, atol=2e-6, err_msg=str(kwargs))
    if dtype != np.uint8:
        x, y = tf.Variable(a), mtf.Variable(a)
        with tf.GradientTape() as tape:
            theirs = tf.reduce_sum(tf.image.ssim(x, b, 1.0, filter_size=5))
        with mtf.GradientTape() as our_tape:
            ours = mtf.reduce_sum(mtf.image.ssim(y, b, 1.0, filter_size=5))
        np.testing.assert_allclose(our_tape.gradient(ours, y).numpy(), tape.gradient(theirs, x).numpy(), rtol=1e-4,
                                   atol=1e-6)
