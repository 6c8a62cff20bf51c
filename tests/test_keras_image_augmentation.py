"""The augmentation layers' random draws, without TF: RandomCrop and RandomBrightness
(minitf/keras/layers/preprocessing/image_augmentation.py), and RandomFlip, RandomContrast,
RandomTranslation, RandomZoom and RandomRotation (image_preprocessing.py; their resampling is
tested in test_keras_layers_image_preprocessing.py).

Expected values are written here with NumPy: the crop window is a slice at the corner drawn from a
fresh ``SeedGenerator(seed)`` (``int(uniform((), 0, H - h + 1))`` then the same for the width, the
layer's documented draw order), the brightness is ``clip(x + delta * (high - low))`` with one delta
per image from ``uniform((N, 1, 1, 1), lower, upper)``; the other layers' draws are
``uniform((N,), low, high)`` in Keras's order. Keras's own numbers are checked in
parity_tests/test_image_augmentation_parity.py.
"""
from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from minitf.keras import random as keras_random
from tests.test_keras_layers_image_preprocessing import ref_resize

layers = mtf.keras.layers


def _images(shape, seed=0, high=255.0, dtype="float32"):
    return np.random.default_rng(seed).uniform(0, high, shape).astype(dtype)


def _crop_corners(seed, image_hw, crop_hw, calls):
    """The corners a RandomCrop(seed) draws in ``calls`` calls: two float32 uniforms per call, truncated."""
    generator = keras_random.SeedGenerator(seed)
    corners = []
    for _ in range(calls):
        top = keras_random.uniform((), 0, float(image_hw[0] - crop_hw[0] + 1), seed=generator).numpy()
        left = keras_random.uniform((), 0, float(image_hw[1] - crop_hw[1] + 1), seed=generator).numpy()
        assert top.dtype == np.float32 and 0 <= top < image_hw[0] - crop_hw[0] + 1
        corners.append((int(top), int(left)))
    return corners


# --- RandomCrop ---------------------------------------------------------------------------------
def test_random_crop_cuts_the_drawn_window_of_every_image():
    x = _images((3, 11, 9, 2))
    layer = layers.RandomCrop(5, 4, seed=21)
    corners = _crop_corners(21, (11, 9), (5, 4), calls=6)
    for top, left in corners:
        y = layer(x).numpy()
        np.testing.assert_array_equal(y, x[:, top:top + 5, left:left + 4])  # one window for the whole batch
    assert len(set(corners)) > 2  # the generator moves on


def test_random_crop_single_image_and_integer_images():
    x = _images((11, 9, 2)).astype("int32")
    layer = layers.RandomCrop(5, 4, seed=3)
    for top, left in _crop_corners(3, (11, 9), (5, 4), calls=3):
        y = layer(x)
        assert y.dtype == mtf.float32  # training casts to the compute dtype, as Keras
        np.testing.assert_array_equal(y.numpy(), x[top:top + 5, left:left + 4].astype("float32"))


def test_random_crop_not_larger_takes_keras_centred_corner_then_resizes():
    # Same height: no draw, the centred box (left = (12 - 6) // 2), exact size, no resize.
    x = _images((2, 6, 12, 3))
    np.testing.assert_array_equal(layers.RandomCrop(6, 6, seed=1)(x).numpy(), x[:, :, 3:9])
    # Smaller: the corner of the centred aspect box, then height x width pixels from there (fewer past
    # the edge), resized to the target: here H=5, W=20, target 8x8 -> box 5x5 at left 7 -> cut x[:, 0:8, 7:15].
    x = _images((2, 5, 20, 1))
    y = layers.RandomCrop(8, 8, seed=1)(x).numpy()
    np.testing.assert_allclose(y, ref_resize(x[:, :, 7:15], 8, 8, "bilinear"), rtol=1e-6, atol=1e-4)


def test_random_crop_is_identity_in_inference_and_predict():
    x = _images((2, 8, 8, 3)).astype("int32")
    layer = layers.RandomCrop(4, 4, seed=0)
    y = layer(x, training=False)
    assert y.dtype == mtf.int32  # untouched, not even cast (Keras)
    np.testing.assert_array_equal(y.numpy(), x)
    before = layer.generator.state.numpy().copy()
    model = mtf.keras.Sequential([layers.Input((8, 8, 3)), layers.RandomCrop(8, 8, seed=0)])
    xf = x.astype("float32")
    np.testing.assert_array_equal(model.predict(xf, verbose=0), xf)
    np.testing.assert_array_equal(layer.generator.state.numpy(), before)  # no draw in inference


def test_random_crop_channels_first():
    x = _images((2, 3, 10, 9))
    (top, left), = _crop_corners(4, (10, 9), (5, 4), calls=1)
    y = layers.RandomCrop(5, 4, seed=4, data_format="channels_first")(x).numpy()
    np.testing.assert_array_equal(y, x[:, :, top:top + 5, left:left + 4])
    assert layers.RandomCrop(5, 4, data_format="channels_first").compute_output_shape((None, 3, 10, 9)) == \
        (None, 3, 5, 4)


def test_random_crop_errors_name_the_layer():
    with pytest.raises(ValueError, match="RandomCrop.*height"):
        layers.RandomCrop(0, 4)
    with pytest.raises(ValueError, match="RandomCrop.*width"):
        layers.RandomCrop(4, 2.5)
    with pytest.raises(ValueError, match="RandomCrop.*seed"):
        layers.RandomCrop(4, 4, seed="x")
    with pytest.raises(ValueError, match="RandomCrop.*data_format"):
        layers.RandomCrop(4, 4, data_format="nhwc")
    with pytest.raises(ValueError, match=r"RandomCrop layer .*rank 3.*\(4, 4\)"):
        layers.RandomCrop(2, 2)(np.zeros((4, 4), "float32"))


# --- RandomBrightness -----------------------------------------------------------------------------
@pytest.mark.parametrize("factor, value_range, lower, upper", [
    (0.2, (0, 255), -0.2, 0.2),
    ((0.3, -0.5), (1.0, 0.0), -0.5, 0.3),   # pairs and ranges are sorted
    (-1.5 + 0.6, [0, 255], -0.9, 0.9),      # a negative number means its absolute value
])
def test_random_brightness_adds_one_delta_per_image_and_clips(factor, value_range, lower, upper):
    low, high = sorted(value_range)
    x = _images((4, 3, 5, 3), high=high)
    layer = layers.RandomBrightness(factor, value_range=value_range, seed=9)
    generator = keras_random.SeedGenerator(9)
    for _ in range(3):
        delta = keras_random.uniform((4, 1, 1, 1), lower, upper, seed=generator).numpy()
        assert ((lower <= delta) & (delta < upper)).all()
        want = np.clip(x + delta * np.float32(high - low), low, high)
        got = layer(x)
        assert got.dtype == mtf.float32
        np.testing.assert_array_equal(got.numpy(), want)


def test_random_brightness_single_image_integers_and_inference():
    x = _images((5, 6, 3))
    layer = layers.RandomBrightness(0.5, seed=2)
    delta = keras_random.uniform((1, 1, 1), -0.5, 0.5, seed=keras_random.SeedGenerator(2)).numpy()
    np.testing.assert_array_equal(layer(x).numpy(), np.clip(x + delta * np.float32(255), 0, 255))
    xi = x.astype("int32")
    generator = keras_random.SeedGenerator(2)
    generator.next()  # the first call above drew once
    delta = keras_random.uniform((1, 1, 1), -0.5, 0.5, seed=generator).numpy() * np.float32(255)
    yi = layer(xi)
    assert yi.dtype == mtf.int32  # the delta is truncated to the images' integer type (Keras)
    np.testing.assert_array_equal(yi.numpy(), np.clip(xi + delta.astype("int32"), 0, 255))
    np.testing.assert_array_equal(layer(xi, training=False).numpy(), xi)
    model = mtf.keras.Sequential([layers.Input((5, 6, 3)), layers.RandomBrightness(0.5, seed=2)])
    np.testing.assert_array_equal(model.predict(x[None], verbose=0), x[None])


def test_random_brightness_errors_name_the_layer():
    with pytest.raises(ValueError, match="RandomBrightness.*factor"):
        layers.RandomBrightness(1.5)
    with pytest.raises(ValueError, match="RandomBrightness.*factor"):
        layers.RandomBrightness((0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="RandomBrightness.*factor"):
        layers.RandomBrightness("bright")
    with pytest.raises(ValueError, match="RandomBrightness.*value_range"):
        layers.RandomBrightness(0.1, value_range=255)
    with pytest.raises(ValueError, match=r"RandomBrightness layer .*rank 3.*\(2, 3, 4, 5, 3\)"):
        layers.RandomBrightness(0.1)(np.zeros((2, 3, 4, 5, 3), "float32"))


# --- both: configs, traced calls, fit ----------------------------------------------------------
MAKERS = {
    "RandomCrop": lambda: layers.RandomCrop(5, 6, seed=5, name="crop"),
    "RandomBrightness": lambda: layers.RandomBrightness((-0.3, 0.1), value_range=(0, 1), seed=5, name="bright"),
    "RandomFlip": lambda: layers.RandomFlip(seed=5),
    "RandomContrast": lambda: layers.RandomContrast(0.4, value_range=(0, 1), seed=5),
    "RandomTranslation": lambda: layers.RandomTranslation(0.2, 0.3, seed=5),
    "RandomZoom": lambda: layers.RandomZoom(0.3, seed=5),
    "RandomRotation": lambda: layers.RandomRotation(0.2, seed=5),
    "RandomGrayscale": lambda: layers.RandomGrayscale(0.5, seed=5),
    "RandomInvert": lambda: layers.RandomInvert(value_range=(0, 1), seed=5),
    "Solarization": lambda: layers.Solarization(0.2, (0.3, 0.8), value_range=(0, 1), seed=5),
}


@pytest.mark.parametrize("kind", MAKERS)
def test_config_round_trip_gives_the_same_draws(kind):
    layer = MAKERS[kind]()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    if "seed" not in config:  # Keras's RandomGrayscale keeps no seed in its config: a clone draws its own
        return
    x = _images((2, 8, 9, 3), high=1.0)
    for _ in range(3):
        np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


def test_unseeded_layers_follow_set_seed():
    x = _images((2, 8, 9, 3))
    mtf.random.set_seed(12)
    first = [layers.RandomCrop(4, 4)(x).numpy(), layers.RandomBrightness(0.4)(x).numpy()]
    mtf.random.set_seed(12)
    again = [layers.RandomCrop(4, 4)(x).numpy(), layers.RandomBrightness(0.4)(x).numpy()]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert layers.RandomCrop(4, 4).get_config()["seed"] is not None  # Keras's config always has an int
    assert layers.RandomBrightness(0.4).get_config()["seed"] is None


@pytest.mark.parametrize("kind", MAKERS)
def test_traced_calls_draw_the_same_bits_as_eager_calls(kind):
    x = _images((2, 8, 9, 3), high=1.0)
    eager, traced_layer = MAKERS[kind](), MAKERS[kind]()
    traced = mtf.function(lambda images: traced_layer(images, training=True))
    outputs = []
    for _ in range(4):  # every replay draws anew, in the eager order
        want, got = eager(x).numpy(), traced(x).numpy()
        np.testing.assert_array_equal(got, want)
        outputs.append(got)
    assert not np.array_equal(outputs[0], outputs[1])


@pytest.mark.parametrize("kind", MAKERS)
def test_fit_traced_and_eager_give_the_same_history(kind):
    x = _images((8, 8, 9, 3), high=1.0)
    y = np.random.default_rng(1).normal(size=(8, 1)).astype("float32")
    losses = []
    for run_eagerly in (False, True):
        model = mtf.keras.Sequential([layers.Input((8, 9, 3)), MAKERS[kind](), layers.Flatten(),
                                      layers.Dense(1, kernel_initializer="ones")])
        model.compile(optimizer="sgd", loss="mse", run_eagerly=run_eagerly)
        losses.append(model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0).history["loss"])
    assert losses[0] == losses[1]
    assert np.isfinite(losses[0]).all()


# --- RandomFlip, RandomContrast, RandomTranslation, RandomZoom, RandomRotation: Keras's draws ---------
def _draws(seed, n, *bounds):
    """What a layer seeded ``seed`` draws, call after call: keras.random.uniform((n,), low, high) per
    (low, high) in ``bounds``, from one SeedGenerator (each draw steps it)."""
    generator = keras_random.SeedGenerator(seed)
    return [keras_random.uniform((n,), low, high, seed=generator).numpy() for low, high in bounds]


def test_random_flip_flips_the_images_whose_draw_is_at_most_one_half():
    x = _images((6, 4, 5, 2))
    flips = _draws(7, 6, *[(0.0, 1.0)] * 3)
    for mode, flipped in [("horizontal", x[:, :, ::-1]), ("vertical", x[:, ::-1]),
                          ("horizontal_and_vertical", x[:, ::-1, ::-1])]:
        layer = layers.RandomFlip(mode, seed=7)
        for u in flips:
            want = np.where((u <= 0.5)[:, None, None, None], flipped, x)
            np.testing.assert_array_equal(layer(x).numpy(), want)
    assert 0 < sum((u <= 0.5).sum() for u in flips) < 18


def test_random_contrast_scales_around_the_channel_mean_by_the_drawn_factor():
    x = _images((4, 5, 6, 3))
    layer = layers.RandomContrast((0.2, 0.5), seed=3)
    for factor in _draws(3, 4, *[(0.8, 1.5)] * 3):
        mean = x.mean(axis=(1, 2), keepdims=True, dtype=np.float64)
        want = np.clip((x - mean) * factor[:, None, None, None] + mean, 0, 255)
        np.testing.assert_allclose(layer(x).numpy(), want, rtol=0, atol=1e-4)  # float32 vs the float64 mean


def _affine_reference(layer_kind, x, seed, **kwargs):
    """The layer's output built here: the transform matrices from Keras's draws (NumPy formulas),
    resampled by affine_transform (tested on its own in test_keras_layers_image_preprocessing.py)."""
    from minitf.keras.layers.preprocessing._image_ops import affine_transform
    n, h, w, _ = x.shape
    f32 = np.float32
    zeros, ones = np.zeros(n, f32), np.ones(n, f32)
    if layer_kind == "translation":  # height first, then width; the content moves by (+dx, +dy)
        fy, fx = _draws(seed, n, (-0.2, 0.2), (-0.3, 0.1))
        dy, dx = fy * f32(h), fx * f32(w)
        m = np.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)
    elif layer_kind == "zoom":  # height first, then width; input point = zoom * (p - centre) + centre
        zy, zx = _draws(seed, n, (0.7, 1.2), (0.9, 1.4))
        m = np.stack([zx, zeros, (f32(w) - f32(1)) / f32(2) * (f32(1) - zx), zeros, zy,
                      (f32(h) - f32(1)) / f32(2) * (f32(1) - zy), zeros, zeros], axis=1)
    else:  # rotation about the centre by the drawn angle (degrees)
        (degrees,) = _draws(seed, n, (-0.1 * 360.0, 0.1 * 360.0))
        angle = degrees * f32(np.pi / 180.0)
        cos, sin = np.cos(angle), np.sin(angle)
        cx, cy = f32(0.5) * f32(w - 1), f32(0.5) * f32(h - 1)
        m = np.stack([cos, -sin, cx - cx * cos - cy * -sin, sin, cos, cy - cx * sin - cy * cos, zeros, zeros], axis=1)
    return affine_transform(x, m.astype(f32), kwargs.get("interpolation", "bilinear"),
                            kwargs.get("fill_mode", "reflect"), kwargs.get("fill_value", 0.0)).numpy()


@pytest.mark.parametrize("kind, make", [
    ("translation", lambda: layers.RandomTranslation(0.2, (-0.3, 0.1), seed=6, fill_mode="constant")),
    ("zoom", lambda: layers.RandomZoom((-0.3, 0.2), (-0.1, 0.4), seed=6)),
    ("rotation", lambda: layers.RandomRotation(0.1, seed=6, fill_mode="wrap")),
])
def test_affine_layers_draw_keras_numbers_in_keras_order(kind, make):
    x = _images((3, 7, 8, 2))
    layer = make()
    want = _affine_reference(kind, x, 6, fill_mode=layer.fill_mode)
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=0, atol=1e-3 if kind == "rotation" else 0)


@pytest.mark.parametrize("make", [lambda: layers.RandomFlip(seed=2), lambda: layers.RandomContrast(0.5, seed=2),
                                  lambda: layers.RandomTranslation(0.2, 0.2, seed=2),
                                  lambda: layers.RandomZoom(0.3, seed=2), lambda: layers.RandomRotation(0.2, seed=2)])
def test_a_single_image_draws_as_a_batch_of_one(make):
    x = _images((2, 7, 8, 3))
    single, batch = make(), make()
    for image in x:
        np.testing.assert_array_equal(single(image).numpy(), batch(image[None]).numpy()[0])
        assert not np.array_equal(single.generator.state.numpy(), [2, 0])



@pytest.mark.parametrize("kind", ["RandomBrightness", "RandomFlip", "RandomContrast", "RandomRotation"])
def test_a_trace_with_an_unknown_batch_size_draws_as_eager_calls(kind):
    x = _images((6, 8, 9, 3), high=1.0)
    eager, traced_layer = MAKERS[kind](), MAKERS[kind]()
    traced = mtf.function(lambda images: traced_layer(images, training=True),
                          input_signature=[mtf.TensorSpec([None, 8, 9, 3])])
    for batch in (x[:2], x, x[:5]):
        np.testing.assert_array_equal(traced(batch).numpy(), eager(batch).numpy())
    assert traced.experimental_get_tracing_count() == 1


# --- RandomGrayscale, RandomInvert, Solarization -----------------------------------------------------
def test_random_grayscale_grays_the_images_whose_draw_is_below_factor():
    x = _images((8, 3, 4, 3))
    gray = x[..., 0:1] * np.float32(0.2989) + x[..., 1:2] * np.float32(0.5870) + x[..., 2:3] * np.float32(0.1140)
    layer = layers.RandomGrayscale(0.4, seed=8)
    draws = _draws(8, 8, *[(0.0, 1.0)] * 4)
    for call, u in enumerate(draws):
        training = call != 1  # inference passes the images through, but Keras draws all the same
        want = np.where((u < np.float32(0.4))[:, None, None, None], gray, x) if training else x
        np.testing.assert_array_equal(layer(x, training=training).numpy(), want)
    assert 0 < sum((u < 0.4).sum() for u in draws) < 32
    one_channel = _images((2, 3, 4, 1))
    np.testing.assert_array_equal(layers.RandomGrayscale(1.0, seed=1)(one_channel).numpy(), one_channel)


def test_random_invert_uses_two_draws_per_image():
    x = _images((8, 3, 4, 3), high=1.0)
    layer = layers.RandomInvert((0.2, 0.9), value_range=(0, 1), seed=4)
    generator = keras_random.SeedGenerator(4)
    for _ in range(3):
        probability = keras_random.uniform((8,), 0.2, 0.9, seed=generator).numpy()
        threshold = keras_random.uniform((8,), 0.0, 1.0, seed=generator).numpy()
        want = np.where((threshold < probability)[:, None, None, None], np.float32(1) - x, x)
        np.testing.assert_array_equal(layer(x).numpy(), want)
    assert layers.RandomInvert(0.7).factor == (0, 0.7)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)


def test_solarization_formula_in_a_value_range():
    low, high = -1.0, 1.0
    x = _images((5, 3, 4, 3), high=1.0) * np.float32(2) - np.float32(1)
    layer = layers.Solarization(addition_factor=0.2, threshold_factor=(0.4, 0.9), value_range=(high, low), seed=3)
    generator = keras_random.SeedGenerator(3)
    f32 = np.float32
    for _ in range(3):
        add = keras_random.uniform((5,), 0.0, 0.2 * 255, seed=generator).numpy()[:, None, None, None]
        threshold = keras_random.uniform((5,), 0.4, 0.9 * 255, seed=generator).numpy()[:, None, None, None]
        scaled = (x - f32(low)) / (f32(high) - f32(low)) * f32(255) + f32(0)
        y = np.clip(scaled + add, 0, 255)
        y = np.where(y < threshold, y, f32(255) - y)
        want = (y - f32(0)) / f32(255) * (f32(high) - f32(low)) + f32(low)
        np.testing.assert_array_equal(layer(x).numpy(), want)
    assert layer(x.astype("int32"), training=False).dtype == mtf.float32  # cast in inference too (Keras)


def test_more_errors_name_the_layer():
    with pytest.raises(ValueError, match="RandomGrayscale.*factor"):
        layers.RandomGrayscale(1.5)
    with pytest.raises(ValueError, match="RandomGrayscale.*channels"):
        layers.RandomGrayscale()(np.zeros((2, 3, 3, 2), "float32"))
    with pytest.raises(ValueError, match="RandomInvert.*factor"):
        layers.RandomInvert(-0.5)
    with pytest.raises(ValueError, match="Solarization.*addition_factor"):
        layers.Solarization(addition_factor=(0.1, 1.2))
    with pytest.raises(ValueError, match="Solarization.*value_range"):
        layers.Solarization(value_range=(0, 1, 2))
    with pytest.raises(ValueError, match=r"Solarization layer .*rank 3"):
        layers.Solarization()(np.zeros((4, 4), "float32"))
