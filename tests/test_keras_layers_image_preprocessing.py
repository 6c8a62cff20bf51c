"""Resizing, CenterCrop and the random augmentation layers, without TensorFlow.

Expected values: an independent NumPy bilinear/nearest resize, slicing, np.flip / np.rot90 /
shifted arrays for transforms whose result is known exactly (a 90 degree turn, an integer
shift), and finite differences for gradients. Randomness: same seed -> same output, identity
at inference, value ranges, per-image draws.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as mtf
from minitf.keras.layers.preprocessing._image_ops import affine_transform
from minitf.testing import gradcheck

layers = mtf.keras.layers
TOL = dict(rtol=1e-5, atol=1e-4)  # pixel values up to 255, float32


def _images(shape, seed=0, low=0.0, high=255.0, dtype="float32"):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def ref_resize(x, out_h, out_w, method):
    """Half-pixel-centre resize: output i samples input coordinate (i + 0.5) * n_in / n_out - 0.5."""
    x = x.astype(np.float64)

    def coords(n_out, n_in):
        return (np.arange(n_out) + 0.5) * n_in / n_out - 0.5

    if method == "nearest":
        rows = np.minimum(np.floor(coords(out_h, x.shape[1]) + 0.5), x.shape[1] - 1).astype(int)
        cols = np.minimum(np.floor(coords(out_w, x.shape[2]) + 0.5), x.shape[2] - 1).astype(int)
        return x[:, rows][:, :, cols]

    def weights(n_out, n_in):
        c = np.clip(coords(n_out, n_in), 0, n_in - 1)  # clamping the coordinate = clamping the neighbours
        lo = np.floor(c).astype(int)
        hi = np.minimum(lo + 1, n_in - 1)
        return lo, hi, c - lo

    r0, r1, fr = weights(out_h, x.shape[1])
    c0, c1, fc = weights(out_w, x.shape[2])
    fr, fc = fr[None, :, None, None], fc[None, None, :, None]
    top = x[:, r0][:, :, c0] * (1 - fc) + x[:, r0][:, :, c1] * fc
    bottom = x[:, r1][:, :, c0] * (1 - fc) + x[:, r1][:, :, c1] * fc
    return top * (1 - fr) + bottom * fr


# --- Resizing ---------------------------------------------------------------------------------
@given(h=st.integers(1, 9), w=st.integers(1, 9), out_h=st.integers(1, 12), out_w=st.integers(1, 12),
       method=st.sampled_from(["bilinear", "nearest"]))
def test_resizing_matches_numpy_reference(h, w, out_h, out_w, method):
    x = _images((2, h, w, 3))
    layer = layers.Resizing(out_h, out_w, interpolation=method)
    y = layer(x).numpy()
    assert y.shape == (2, out_h, out_w, 3) == layer.compute_output_shape(x.shape)
    np.testing.assert_allclose(y, ref_resize(x, out_h, out_w, method), **TOL,
                               err_msg=f"Resizing {h}x{w} -> {out_h}x{out_w} ({method})")


def test_resizing_identity_single_image_integer_and_crop():
    x = _images((5, 6, 2))
    np.testing.assert_allclose(layers.Resizing(5, 6)(x).numpy(), x, **TOL)  # same size: unchanged
    assert tuple(layers.Resizing(3, 4)(x).shape) == (3, 4, 2)  # one image in, one image out
    ints = np.random.default_rng(0).integers(0, 256, (1, 5, 6, 1)).astype(np.uint8)
    y = layers.Resizing(3, 3)(ints)
    assert y.dtype == mtf.uint8
    want = np.clip(np.round(ref_resize(ints, 3, 3, "bilinear")), 0, 255)
    assert np.abs(y.numpy().astype(int) - want).max() <= 1  # float32 vs float64 may round a .5 differently
    wide = _images((1, 4, 12, 1))
    cropped = layers.Resizing(4, 4, crop_to_aspect_ratio=True)(wide).numpy()
    np.testing.assert_allclose(cropped, wide[:, :, 4:8], **TOL)  # the centred 4x4 box, not a squashed image


def test_resizing_gradcheck_and_errors():
    layer = layers.Resizing(5, 3, dtype="float64")
    gradcheck(layer.call, [_images((1, 3, 4, 2), dtype="float64", high=1.0)])
    with pytest.raises(NotImplementedError):
        layers.Resizing(3, 3, interpolation="bicubic")
    with pytest.raises(ValueError, match="height"):
        layers.Resizing(0, 3)
    with pytest.raises(ValueError, match=r"expects images of shape.*\(3, 4\)"):
        layers.Resizing(2, 2)(np.zeros((3, 4), np.float32))


# --- CenterCrop --------------------------------------------------------------------------------------
@given(h=st.integers(1, 10), w=st.integers(1, 10), ch=st.integers(1, 10), cw=st.integers(1, 10))
def test_center_crop(h, w, ch, cw):
    x = _images((2, h, w, 1))
    y = layers.CenterCrop(ch, cw)(x).numpy()
    assert y.shape == (2, ch, cw, 1)
    if h >= ch and w >= cw:
        top, left = (h - ch) // 2, (w - cw) // 2
        np.testing.assert_array_equal(y, x[:, top:top + ch, left:left + cw])
    else:  # too small: values stay within the image's range (a crop and a bilinear resize)
        assert x.min() - 1e-3 <= y.min() and y.max() <= x.max() + 1e-3


# --- the geometric transform itself ---------------------------------------------------------------------
def test_affine_transform_known_results():
    x = _images((2, 5, 5, 2))
    identity = np.array([[1, 0, 0, 0, 1, 0, 0, 0]], np.float32)
    np.testing.assert_array_equal(affine_transform(x, identity).numpy(), x)
    # Output (x, y) reads input (x - 2, y + 1): the content moves right by 2 and up by 1.
    shift = np.array([[1, 0, -2, 0, 1, 1, 0, 0]], np.float32)
    want = np.full_like(x, 9.0)
    want[:, :4, 2:] = x[:, 1:, :3]
    np.testing.assert_array_equal(affine_transform(x, shift, "bilinear", "constant", 9.0).numpy(), want)
    nearest = affine_transform(x, shift, "nearest", "nearest").numpy()
    np.testing.assert_array_equal(nearest[:, :4, :2], np.repeat(x[:, 1:, :1], 2, axis=2))  # edge column repeated
    np.testing.assert_array_equal(nearest[:, 4], nearest[:, 3])  # edge row repeated
    reflect = affine_transform(x, shift, "bilinear", "reflect").numpy()
    np.testing.assert_array_equal(reflect[:, :4, 1], x[:, 1:, 0])  # d c b a | a b c d
    np.testing.assert_array_equal(reflect[:, :4, 0], x[:, 1:, 1])
    wrap = affine_transform(x, shift, "bilinear", "wrap").numpy()
    np.testing.assert_array_equal(wrap[:, :4, :2], x[:, 1:, 3:])  # a b c d | a b c d


def test_random_rotation_quarter_turn_is_rot90():
    x = _images((3, 6, 6, 2))
    layer = layers.RandomRotation((0.25, 0.25), interpolation="nearest")  # exactly +90 degrees
    y = layer(x, training=True).numpy()
    np.testing.assert_array_equal(y, np.rot90(x, k=1, axes=(1, 2)))  # out[i, j] = x[j, n - 1 - i]
    half = layers.RandomRotation((0.5, 0.5), interpolation="nearest")(x, training=True).numpy()
    np.testing.assert_array_equal(half, x[:, ::-1, ::-1])


def test_random_translation_integer_shift():
    x = _images((1, 6, 10, 1))
    layer = layers.RandomTranslation((0.5, 0.5), (-0.2, -0.2), fill_mode="constant")  # dy = +3, dx = -2 pixels
    y = layer(x, training=True).numpy()
    want = np.zeros_like(x)
    want[:, 3:, :8] = x[:, :3, 2:]
    np.testing.assert_allclose(y, want, **TOL)


def test_random_zoom_out_keeps_centre_and_zoom_in_stays_in_range():
    x = _images((2, 7, 7, 1))
    out = layers.RandomZoom((0.5, 0.5), fill_mode="constant")(x, training=True).numpy()  # zoom 1.5: shows more
    np.testing.assert_allclose(out[:, 3, 3], x[:, 3, 3], **TOL)  # the centre pixel stays put
    assert (out[:, 0, 0] == 0).all()  # corners come from outside the image: filled
    zoomed_in = layers.RandomZoom((-0.5, -0.5), (-0.5, -0.5))(x, training=True).numpy()
    assert x.min() - 1e-3 <= zoomed_in.min() and zoomed_in.max() <= x.max() + 1e-3


def test_random_flip_modes_exact():
    x = _images((40, 3, 4, 1))
    for mode, flipped in (("horizontal", x[:, :, ::-1]), ("vertical", x[:, ::-1]),
                          ("horizontal_and_vertical", x[:, ::-1, ::-1])):
        y = layers.RandomFlip(mode, seed=0)(x, training=True).numpy()
        same = (y == x).reshape(40, -1).all(1)
        turned = (y == flipped).reshape(40, -1).all(1)
        assert (same | turned).all() and 0 < turned.sum() < 40, mode


def test_random_contrast_formula_and_clip():
    x = _images((3, 4, 5, 2))
    layer = layers.RandomContrast((0.5, 0.5), value_range=(0, 255))
    draws = iter([np.array([1.5, 0.5, 1.0], np.float32)])
    layer._uniform = lambda images, low, high, dtype=np.float32: next(draws)
    y = layer(x, training=True).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    want = np.clip((x - mean) * np.array([1.5, 0.5, 1.0]).reshape(3, 1, 1, 1) + mean, 0, 255)
    np.testing.assert_allclose(y, want, **TOL)
    assert layers.RandomContrast(0.3).factor == (0.0, 0.3)  # Keras 3.15: a number f gives [1, 1 + f]
    with pytest.raises(ValueError, match="factor"):
        layers.RandomContrast(1.5)


# --- randomness: seeds, inference, per-image draws, ranges ----------------------------------------------------
RANDOM_LAYERS = [
    lambda seed: layers.RandomFlip(seed=seed),
    lambda seed: layers.RandomRotation(0.2, seed=seed),
    lambda seed: layers.RandomZoom(0.3, seed=seed),
    lambda seed: layers.RandomTranslation(0.2, 0.3, seed=seed),
    lambda seed: layers.RandomContrast(0.4, seed=seed),
]


@pytest.mark.parametrize("make", RANDOM_LAYERS, ids=lambda m: type(m(0)).__name__)
def test_random_layer_seed_inference_and_range(make):
    x = _images((16, 8, 8, 3))
    a, b = make(7), make(7)
    first = a(x, training=True).numpy()
    np.testing.assert_array_equal(first, b(x, training=True).numpy())  # same seed, same augmentations
    assert not np.array_equal(first, a(x, training=True).numpy())  # the stream moves on between calls
    assert not np.array_equal(first, make(8)(x, training=True).numpy())
    np.testing.assert_array_equal(make(7)(x, training=False).numpy(), x)  # identity at inference
    per_image = [not np.array_equal(first[i], x[i]) for i in range(16)]
    assert 0 < sum(per_image)  # something changed ...
    changes = {first[i].tobytes() for i in range(16)}
    assert len(changes) > 1  # ... and not every image the same way
    if isinstance(a, layers.RandomContrast):  # clipped to value_range
        assert first.min() >= 0 and first.max() <= 255
    else:  # resampling (convex weights, reflect fill) never leaves the input's range
        assert first.min() >= x.min() - 1e-3 and first.max() <= x.max() + 1e-3
    assert tuple(a(x[0], training=True).shape) == x.shape[1:]  # a single image works too
    mtf.random.set_seed(3)
    c = make(None)(x, training=True).numpy()
    mtf.random.set_seed(3)
    np.testing.assert_array_equal(c, make(None)(x, training=True).numpy())  # unseeded: set_seed makes it repeatable


def test_random_layers_default_to_training_when_called_directly():
    """Keras's call(..., training=True) default: a direct call augments; training=False does not."""
    x = _images((8, 6, 6, 1))
    assert not np.array_equal(layers.RandomFlip(seed=1)(x).numpy(), x)
    np.testing.assert_array_equal(layers.RandomFlip(seed=1)(x, training=False).numpy(), x)


@pytest.mark.parametrize("make", [lambda: layers.RandomRotation(0.2, seed=1, dtype="float64"),
                                  lambda: layers.RandomZoom(0.3, seed=1, dtype="float64"),
                                  lambda: layers.RandomTranslation(0.3, 0.3, seed=1, fill_mode="constant",
                                                                   dtype="float64"),
                                  lambda: layers.RandomFlip(seed=1, dtype="float64"),
                                  lambda: layers.RandomContrast(0.4, seed=1, value_range=(-10, 10), dtype="float64")])
def test_random_layers_gradcheck(make):
    """With the random draw held fixed, each augmentation is linear in the pixels: check its gradient."""
    layer = make()

    def f(x):
        layer.generator.state.assign(np.array([1, 0], np.int64))  # the same transformation at every evaluation
        return layer.call(x, training=True)

    gradcheck(f, [_images((2, 4, 5, 1), dtype="float64", high=1.0)])


def test_argument_validation():
    with pytest.raises(ValueError, match="mode"):
        layers.RandomFlip("diagonal")
    with pytest.raises(ValueError, match="factor"):
        layers.RandomRotation(1.5)
    with pytest.raises(ValueError, match="height_factor"):
        layers.RandomZoom(-1.0)
    with pytest.raises(ValueError, match="width_factor"):
        layers.RandomTranslation(0.1, (0.1, 0.2, 0.3))
    with pytest.raises(NotImplementedError, match="fill_mode"):
        layers.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="seed"):
        layers.RandomFlip(seed="abc")
    with pytest.raises(ValueError, match="channels_last"):
        layers.CenterCrop(2, 2, data_format="channels_first")


@pytest.mark.parametrize("make", [
    lambda: layers.Resizing(3, 4, interpolation="nearest", crop_to_aspect_ratio=True), lambda: layers.CenterCrop(2, 3),
    lambda: layers.RandomFlip("vertical", seed=3), lambda: layers.RandomRotation((-0.1, 0.2), fill_mode="wrap", seed=1),
    lambda: layers.RandomZoom(0.2, (-0.1, 0.3), interpolation="nearest", seed=2),
    lambda: layers.RandomTranslation(0.1, 0.2, fill_mode="constant", fill_value=3.0, seed=4),
    lambda: layers.RandomContrast(0.2, value_range=(0, 1), seed=5)], ids=lambda m: type(m()).__name__)
def test_get_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    x = _images((2, 6, 7, 1), high=1.0)
    np.testing.assert_array_equal(clone(x, training=True).numpy(), layer(x, training=True).numpy())


# --- RandomHeight / RandomWidth -----------------------------------------------------------------
@pytest.mark.parametrize("kind, axis", [("RandomHeight", 1), ("RandomWidth", 2)])
def test_random_height_width_resize_one_axis(kind, axis):
    x = _images((2, 10, 12, 3))
    layer = getattr(layers, kind)((0.5, 0.5), seed=3)  # a fixed factor: 1.5
    out = layer(x)
    size = int(np.float32(1.5) * np.float32(x.shape[axis]))
    expected_shape = list(x.shape)
    expected_shape[axis] = size
    assert tuple(out.shape) == tuple(expected_shape) and out.dtype == mtf.float32
    out_h, out_w = (size, 12) if axis == 1 else (10, size)
    np.testing.assert_allclose(out.numpy(), ref_resize(x, out_h, out_w, "bilinear"), **TOL)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)  # inference: unchanged
    single = layer(x[0])
    assert single.ndim == 3 and single.shape[axis - 1] == size


def test_random_height_draws_within_bounds_and_per_seed():
    x = _images((1, 20, 8, 1))
    sizes = {layers.RandomHeight(0.3, seed=s)(x).shape[1] for s in range(30)}
    assert min(sizes) >= int(20 * 0.7) and max(sizes) <= int(20 * 1.3) and len(sizes) > 3
    a, b = layers.RandomHeight(0.3, seed=4), layers.RandomHeight(0.3, seed=4)
    assert [a(x).shape[1] for _ in range(5)] == [b(x).shape[1] for _ in range(5)]


def test_random_height_width_in_a_traced_fit_and_errors():
    keras = mtf.keras
    inputs = layers.Input((16, 16, 3))
    x = layers.RandomWidth(0.2, seed=1)(layers.RandomHeight(0.2, seed=0)(inputs))
    assert tuple(x.shape) == (None, None, None, 3)
    model = keras.Model(inputs, layers.Dense(1)(layers.GlobalAveragePooling2D()(x)))
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(_images((8, 16, 16, 3)) / 255, np.zeros((8, 1)), batch_size=4, epochs=2, verbose=0).history
    assert np.isfinite(history["loss"]).all()
    with pytest.raises(ValueError, match="larger than -1"):
        layers.RandomHeight((-1.5, 0.2))
    with pytest.raises(ValueError, match="upper bound lesser"):
        layers.RandomWidth((0.3, 0.1))
    config = layers.RandomWidth(0.1, interpolation="nearest", seed=2).get_config()
    assert (config["factor"], config["interpolation"], config["seed"]) == (0.1, "nearest", 2)
    assert layers.RandomWidth.from_config(config).get_config() == config
