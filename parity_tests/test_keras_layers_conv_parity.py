"""Convolution, pooling, normalization, reshaping and image layers: minitf against TF/Keras 3.

Each layer is made by the same code under both frameworks, the Keras layer's weights are
copied into the minitf one, and we compare (float32):

* outputs:  rtol 1e-5, atol 1e-6 (values of order 1);
* gradients (GradientTape) of sum(y * P), P a fixed random projection, with respect to the
  input and every trainable weight:  rtol 1e-5, atol 1e-5 (a kernel gradient sums hundreds of
  products, so its absolute rounding is ~10x an output's);
* BatchNormalization's moving statistics after a training call: rtol 1e-6, atol 1e-7.

Random image layers cannot share TF's random numbers, so their *transforms* are checked
exactly instead: the same draws (angle, zoom, shift, flip, contrast factor) are handed to
both implementations, and the outputs compared at rtol 1e-5, atol 1e-4 (pixel values 0..255).
Their randomness is checked statistically (the fraction of flipped images, the range of the
contrast factor) and for identity at inference.
"""
from __future__ import annotations

import numpy as np
import pytest

OUT_TOL = dict(rtol=1e-5, atol=1e-6)
GRAD_TOL = dict(rtol=1e-5, atol=1e-5)


def _data(shape, seed=0, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype("float32")


def _compare(name: str, got, want, rtol: float, atol: float) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{name}: shape {got.shape} vs TF {want.shape}"
    err = np.abs(got.astype(np.float64) - want.astype(np.float64))
    bound = atol + rtol * np.abs(want.astype(np.float64))
    if not (err <= bound).all():
        worst = np.unravel_index(np.argmax(err - bound), err.shape)
        raise AssertionError(f"{name} diverges from TF at {worst}: minitf {got[worst]!r} vs TF {want[worst]!r} "
                             f"(abs err {err[worst]:.3g}, max abs err {err.max():.3g}; rtol {rtol}, atol {atol})")


def _run(module, layer, x, projection, training):
    """Output and gradients of sum(layer(x) * projection) w.r.t. x and the trainable weights."""
    xt = module.constant(x)
    with module.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, training=training)
        loss = module.reduce_sum(y * module.constant(projection))
    sources = [xt] + list(layer.trainable_weights)
    grads = tape.gradient(loss, sources)
    return y.numpy(), [None if g is None else g.numpy() for g in grads]


def check_layer(tf, mtf, make, x, training=False, name=None, out_tol=OUT_TOL, grad_tol=GRAD_TOL, gradients=True):
    """Build ``make(tf)`` and ``make(mtf)`` on x, copy TF's weights, compare outputs and gradients."""
    theirs, ours = make(tf), make(mtf)
    name = name or type(ours).__name__
    theirs.build(x.shape)
    ours.build(x.shape)
    want_weights = theirs.get_weights()
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in want_weights], \
        f"{name}: weight shapes {[w.shape for w in ours.get_weights()]} vs TF {[w.shape for w in want_weights]}"
    # Non-trivial weights (Keras starts gamma at 1, beta and biases at 0): perturb them, same for both.
    rng = np.random.default_rng(1)
    weights = [w + rng.uniform(-0.5, 0.5, w.shape).astype(w.dtype) for w in want_weights]
    if type(ours).__name__ == "BatchNormalization":  # keep the moving variance positive
        weights[-1] = np.abs(weights[-1]) + 0.1
    theirs.set_weights(weights)
    ours.set_weights(weights)
    out_shape = tuple(theirs.compute_output_shape(x.shape))
    assert tuple(ours.compute_output_shape(x.shape)) == out_shape, \
        f"{name}: compute_output_shape {ours.compute_output_shape(x.shape)} vs TF {out_shape}"
    projection = _data(out_shape, seed=2)
    want_y, want_g = _run(tf, theirs, x, projection, training)
    got_y, got_g = _run(mtf, ours, x, projection, training)
    _compare(f"{name} output", got_y, want_y, **out_tol)
    if gradients:
        labels = ["d/dx"] + [f"d/d{w.name.split('/')[-1].split(':')[0]}" for w in theirs.trainable_weights]
        for label, g, w in zip(labels, got_g, want_g):
            assert (g is None) == (w is None), f"{name} {label}: minitf gradient {g is None=} vs TF {w is None=}"
            if w is not None:
                _compare(f"{name} gradient {label}", g, w, **grad_tol)
    for k, (a, b) in enumerate(zip(ours.get_weights(), theirs.get_weights())):
        _compare(f"{name} weight {k} after the call", a, b, rtol=1e-6, atol=1e-7)
    return ours, theirs


# --- convolutions ----------------------------------------------------------------------------
CONV2D_CASES = [
    dict(kernel_size=3, padding="valid"),
    dict(kernel_size=3, padding="same"),
    dict(kernel_size=(2, 3), padding="same", strides=2),
    dict(kernel_size=(4, 2), padding="same", strides=(2, 3)),
    dict(kernel_size=3, padding="valid", strides=2),
    dict(kernel_size=3, padding="same", dilation_rate=2),
    dict(kernel_size=(3, 2), padding="valid", dilation_rate=(2, 1)),
    dict(kernel_size=1, padding="valid", use_bias=False),
    dict(kernel_size=3, padding="same", activation="relu"),
]


@pytest.mark.parametrize("kwargs", CONV2D_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_conv2d(tf, mtf, kwargs):
    x = _data((2, 7, 9, 3))
    check_layer(tf, mtf, lambda m: m.keras.layers.Conv2D(4, **kwargs), x)


CONV1D_CASES = [
    dict(kernel_size=3, padding="valid"),
    dict(kernel_size=4, padding="same"),
    dict(kernel_size=3, padding="causal"),
    dict(kernel_size=3, padding="causal", dilation_rate=2),
    dict(kernel_size=2, padding="same", strides=3),
    dict(kernel_size=5, padding="valid", strides=2, activation="tanh"),
]


@pytest.mark.parametrize("kwargs", CONV1D_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_conv1d(tf, mtf, kwargs):
    x = _data((3, 11, 2))
    check_layer(tf, mtf, lambda m: m.keras.layers.Conv1D(5, **kwargs), x)


CONV2D_TRANSPOSE_CASES = [
    dict(kernel_size=3, padding="valid"),
    dict(kernel_size=3, padding="same"),
    dict(kernel_size=3, padding="same", strides=2),
    dict(kernel_size=4, padding="same", strides=2),
    dict(kernel_size=2, padding="valid", strides=3),
    dict(kernel_size=3, padding="valid", strides=2, output_padding=1),
    dict(kernel_size=(3, 2), padding="same", strides=(2, 3), output_padding=(1, 1)),
    # (dilation_rate > 1 is left out: TF's CPU kernel refuses it; tests/ checks minitf's against NumPy.)
]


@pytest.mark.parametrize("kwargs", CONV2D_TRANSPOSE_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_conv2d_transpose(tf, mtf, kwargs):
    x = _data((2, 4, 5, 3))
    check_layer(tf, mtf, lambda m: m.keras.layers.Conv2DTranspose(2, **kwargs), x)


CONV1D_TRANSPOSE_CASES = [
    dict(kernel_size=3, padding="valid"),
    dict(kernel_size=3, padding="same", strides=2),
    dict(kernel_size=2, padding="valid", strides=3, output_padding=1),
    # (channels_first is left out: TF's CPU gradient kernel refuses NCHW; tests/ checks minitf's against NumPy.)
]


@pytest.mark.parametrize("kwargs", CONV1D_TRANSPOSE_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_conv1d_transpose(tf, mtf, kwargs):
    x = _data((2, 6, 3))
    check_layer(tf, mtf, lambda m: m.keras.layers.Conv1DTranspose(2, **kwargs), x)


# --- pooling ------------------------------------------------------------------------------------
POOL2D_CASES = [
    ("MaxPooling2D", dict()),
    ("MaxPooling2D", dict(pool_size=3, strides=2, padding="same")),
    ("MaxPooling2D", dict(pool_size=(2, 3), strides=1, padding="valid")),
    ("AveragePooling2D", dict(pool_size=2)),
    ("AveragePooling2D", dict(pool_size=3, strides=2, padding="same")),
    ("AveragePooling2D", dict(pool_size=(3, 2), strides=(1, 2), padding="same")),
]


@pytest.mark.parametrize("kind,kwargs", POOL2D_CASES, ids=lambda v: str(v))
def test_pooling2d(tf, mtf, kind, kwargs):
    x = _data((2, 7, 9, 3))
    check_layer(tf, mtf, lambda m: getattr(m.keras.layers, kind)(**kwargs), x)


POOL1D_CASES = [
    ("MaxPooling1D", dict()),
    ("MaxPooling1D", dict(pool_size=3, strides=2, padding="same")),
    ("AveragePooling1D", dict(pool_size=3)),
    ("AveragePooling1D", dict(pool_size=4, strides=3, padding="same")),
]


@pytest.mark.parametrize("kind,kwargs", POOL1D_CASES, ids=lambda v: str(v))
def test_pooling1d(tf, mtf, kind, kwargs):
    x = _data((2, 10, 3))
    check_layer(tf, mtf, lambda m: getattr(m.keras.layers, kind)(**kwargs), x)


@pytest.mark.parametrize("kind,shape", [("GlobalAveragePooling2D", (2, 5, 6, 3)), ("GlobalMaxPooling2D", (2, 5, 6, 3)),
                                        ("GlobalAveragePooling1D", (2, 7, 3)), ("GlobalMaxPooling1D", (2, 7, 3))])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling(tf, mtf, kind, shape, keepdims):
    check_layer(tf, mtf, lambda m: getattr(m.keras.layers, kind)(keepdims=keepdims), _data(shape))


def test_global_average_pooling1d_mask(tf, mtf):
    x = _data((2, 5, 3))
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], dtype=bool)
    want = tf.keras.layers.GlobalAveragePooling1D()(tf.constant(x), mask=tf.constant(mask)).numpy()
    got = mtf.keras.layers.GlobalAveragePooling1D()(mtf.constant(x), mask=mtf.constant(mask)).numpy()
    _compare("GlobalAveragePooling1D with a mask", got, want, **OUT_TOL)


# --- normalization ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shape", [
    (dict(), (6, 4)),
    (dict(), (4, 3, 5, 2)),
    (dict(axis=1), (4, 3, 5, 2)),
    (dict(center=False), (5, 3)),
    (dict(scale=False, momentum=0.9, epsilon=1e-5), (5, 3)),
], ids=str)
@pytest.mark.parametrize("training", [True, False])
def test_batch_normalization(tf, mtf, kwargs, shape, training):
    x = _data(shape, low=-2, high=3)
    check_layer(tf, mtf, lambda m: m.keras.layers.BatchNormalization(**kwargs), x, training=training,
                name=f"BatchNormalization({kwargs}, training={training})")


def test_batch_normalization_frozen_uses_moving_statistics(tf, mtf):
    """Keras 3: trainable=False runs BN in inference mode even under training=True."""
    x = _data((6, 3), low=-2, high=3)

    def make(m):
        layer = m.keras.layers.BatchNormalization()
        layer.trainable = False
        return layer

    ours, theirs = check_layer(tf, mtf, make, x, training=True, name="frozen BatchNormalization")
    assert not ours.trainable_weights and not theirs.trainable_weights


def test_batch_normalization_moving_statistics_over_steps(tf, mtf):
    """Several training calls: the moving mean/variance follow TF's to rtol 1e-6."""
    theirs, ours = tf.keras.layers.BatchNormalization(momentum=0.8), mtf.keras.layers.BatchNormalization(momentum=0.8)
    for step in range(5):
        x = _data((8, 4, 4, 3), seed=10 + step, low=-1 + step, high=2 + 2 * step)
        _compare(f"BatchNormalization output at step {step}", ours(mtf.constant(x), training=True).numpy(),
                 theirs(tf.constant(x), training=True).numpy(), **OUT_TOL)
    for k, (a, b) in enumerate(zip(ours.get_weights(), theirs.get_weights())):
        _compare(f"BatchNormalization weight {k} after 5 steps", a, b, rtol=1e-6, atol=1e-7)
    x = _data((3, 4, 4, 3), seed=99)
    _compare("BatchNormalization inference after training", ours(mtf.constant(x)).numpy(),
             theirs(tf.constant(x)).numpy(), **OUT_TOL)


def test_batch_normalization_with_mask(tf, mtf):
    """A (batch, steps) mask (e.g. from Embedding(mask_zero=True)): statistics over the unmasked steps only."""
    x = _data((3, 5, 4), low=-2, high=3)
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1], [1, 1, 0, 0, 0]], dtype=bool)
    theirs, ours = tf.keras.layers.BatchNormalization(momentum=0.5), mtf.keras.layers.BatchNormalization(momentum=0.5)
    want = theirs(tf.constant(x), training=True, mask=tf.constant(mask)).numpy()
    got = ours(mtf.constant(x), training=True, mask=mtf.constant(mask)).numpy()
    _compare("BatchNormalization with a mask", got, want, **OUT_TOL)
    for k, (a, b) in enumerate(zip(ours.get_weights(), theirs.get_weights())):
        _compare(f"BatchNormalization (masked) weight {k}", a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kwargs,shape", [
    (dict(), (4, 6)),
    (dict(), (2, 3, 5)),
    (dict(axis=[1, 2]), (2, 3, 4, 2)),
    (dict(axis=1), (2, 3, 4)),
    (dict(center=False, epsilon=1e-5), (3, 5)),
    (dict(scale=False), (3, 5)),
], ids=str)
def test_layer_normalization(tf, mtf, kwargs, shape):
    check_layer(tf, mtf, lambda m: m.keras.layers.LayerNormalization(**kwargs), _data(shape, low=-2, high=3))


# --- reshaping ------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda m: m.keras.layers.ZeroPadding2D(),
    lambda m: m.keras.layers.ZeroPadding2D(((1, 2), (0, 3))),
    lambda m: m.keras.layers.UpSampling2D(),
    lambda m: m.keras.layers.UpSampling2D((3, 2)),
    lambda m: m.keras.layers.UpSampling2D((2, 3), interpolation="bilinear"),
    lambda m: m.keras.layers.Cropping2D(((1, 0), (2, 1))),
], ids=["zeropad", "zeropad_asym", "upsample", "upsample_3x2", "upsample_bilinear", "crop"])
def test_reshaping(tf, mtf, make):
    check_layer(tf, mtf, make, _data((2, 4, 5, 3)))


# --- deterministic image layers -------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda m: m.keras.layers.Resizing(5, 7),
    lambda m: m.keras.layers.Resizing(13, 4),
    lambda m: m.keras.layers.Resizing(20, 25, interpolation="nearest"),
    lambda m: m.keras.layers.Resizing(3, 3, interpolation="nearest"),
    lambda m: m.keras.layers.Resizing(6, 4, crop_to_aspect_ratio=True),
    lambda m: m.keras.layers.CenterCrop(5, 4),
    lambda m: m.keras.layers.CenterCrop(12, 6),
], ids=["down", "mixed", "nearest_up", "nearest_down", "crop_aspect", "centercrop", "centercrop_smart_resize"])
def test_image_layers_deterministic(tf, mtf, make):
    x = _data((2, 9, 11, 3), low=0, high=255)
    check_layer(tf, mtf, make, x, out_tol=dict(rtol=1e-5, atol=1e-4), grad_tol=dict(rtol=1e-5, atol=1e-4))


def test_resizing_integer_images(tf, mtf):
    x = np.random.default_rng(0).integers(0, 256, (2, 9, 11, 3)).astype("uint8")
    want = tf.keras.layers.Resizing(4, 5)(x)
    got = mtf.keras.layers.Resizing(4, 5)(x)
    assert got.dtype.name == want.dtype.name == "uint8"
    np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg="Resizing of uint8 images")


def test_image_layers_single_image(tf, mtf):
    x = _data((9, 11, 3), low=0, high=255)
    for make in (lambda m: m.keras.layers.Resizing(4, 6), lambda m: m.keras.layers.CenterCrop(4, 6)):
        _compare("single image", make(mtf)(x).numpy(), make(tf)(x).numpy(), rtol=1e-5, atol=1e-4)


# --- random image layers: the same draws give the same images -------------------------------------------
class _Draws:
    """Stand-in for a minitf layer's ``_uniform``: hands out the given arrays in order."""

    def __init__(self, *arrays):
        self.arrays = [np.asarray(a, np.float32) for a in arrays]

    def __call__(self, images, low, high, dtype=np.float32):
        value = self.arrays.pop(0)
        assert value.shape == (images.shape[0],) and (low <= value).all() and (value <= high).all()
        return value


IMAGES = np.random.default_rng(5).uniform(0, 255, (3, 9, 11, 2)).astype("float32")


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_random_rotation_transform(tf, mtf, fill_mode, interpolation):
    angles = np.array([-30.0, 12.5, 90.0], np.float32)
    kwargs = dict(factor=0.3, fill_mode=fill_mode, interpolation=interpolation, fill_value=7.0)
    theirs = tf.keras.layers.RandomRotation(**kwargs)
    zeros, ones = tf.zeros([3]), tf.ones([3])
    matrix = theirs._compute_affine_matrix(0.5, 0.5, tf.constant(angles), zeros, zeros, ones, zeros, zeros, 9, 11)
    want = theirs.transform_images(tf.constant(IMAGES), {"rotation_matrix": matrix}, training=True).numpy()
    ours = mtf.keras.layers.RandomRotation(**kwargs)
    ours._uniform = _Draws(angles)
    got = ours(IMAGES, training=True).numpy()
    _compare(f"RandomRotation({fill_mode}, {interpolation})", got, want, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("width_factor", [None, (-0.4, 0.3)])
def test_random_zoom_transform(tf, mtf, width_factor):
    zy, zx = np.array([0.8, 1.25, 1.0], np.float32), np.array([1.3, 0.7, 0.9], np.float32)
    kwargs = dict(height_factor=(-0.3, 0.3), width_factor=width_factor)
    theirs = tf.keras.layers.RandomZoom(**kwargs)
    transform = {"height_zoom": tf.constant(zy[:, None]), "width_zoom": tf.constant((zy if width_factor is None
                                                                                     else zx)[:, None])}
    want = theirs.transform_images(tf.constant(IMAGES), transform, training=True).numpy()
    ours = mtf.keras.layers.RandomZoom(**kwargs)
    ours._uniform = _Draws(zy) if width_factor is None else _Draws(zy, zx)
    _compare("RandomZoom", ours(IMAGES, training=True).numpy(), want, rtol=1e-5, atol=1e-3)


def test_random_translation_transform(tf, mtf):
    fy, fx = np.array([0.1, -0.25, 0.0], np.float32), np.array([-0.2, 0.3, 0.05], np.float32)
    theirs = tf.keras.layers.RandomTranslation(0.3, 0.3, fill_mode="constant")
    translations = np.stack([fx * 11, fy * 9], axis=1).astype(np.float32)
    want = theirs.transform_images(tf.constant(IMAGES), {"translations": tf.constant(translations)},
                                   training=True).numpy()
    ours = mtf.keras.layers.RandomTranslation(0.3, 0.3, fill_mode="constant")
    ours._uniform = _Draws(fy, fx)
    _compare("RandomTranslation", ours(IMAGES, training=True).numpy(), want, rtol=1e-5, atol=1e-3)


def test_random_contrast_transform(tf, mtf):
    factors = np.array([1.2, 0.6, 1.0], np.float32)
    theirs = tf.keras.layers.RandomContrast((0.5, 0.5))
    want = theirs.transform_images(tf.constant(IMAGES), {"contrast_factor": tf.constant(factors[:, None, None, None])},
                                   training=True).numpy()
    ours = mtf.keras.layers.RandomContrast((0.5, 0.5))
    ours._uniform = _Draws(factors)
    _compare("RandomContrast", ours(IMAGES, training=True).numpy(), want, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_random_flip_statistics(tf, mtf, mode):
    """Half of the images flipped, each either unchanged or flipped as Keras's mode says."""
    x = np.random.default_rng(0).uniform(0, 1, (400, 3, 4, 1)).astype("float32")
    flipped = {"horizontal": x[:, :, ::-1], "vertical": x[:, ::-1], "horizontal_and_vertical": x[:, ::-1, ::-1]}[mode]
    for module in (tf, mtf):
        y = module.keras.layers.RandomFlip(mode, seed=3)(x, training=True).numpy()
        same = (y == x).reshape(len(x), -1).all(axis=1)
        turned = (y == flipped).reshape(len(x), -1).all(axis=1)
        assert (same | turned).all(), f"{module.__name__} RandomFlip({mode}) made an image that is neither"
        assert 0.4 < turned.mean() < 0.6, f"{module.__name__} RandomFlip({mode}) flipped {turned.mean():.2f}"


def test_random_layers_statistics_and_inference(tf, mtf):
    """Identity at inference for both; the contrast factor's range is Keras's [1, 1 + f] for a number f."""
    x = np.random.default_rng(0).uniform(0, 255, (64, 8, 8, 1)).astype("float32")
    makers = [lambda m: m.keras.layers.RandomFlip(seed=1), lambda m: m.keras.layers.RandomRotation(0.2, seed=1),
              lambda m: m.keras.layers.RandomZoom(0.2, seed=1),
              lambda m: m.keras.layers.RandomTranslation(0.2, 0.2, seed=1),
              lambda m: m.keras.layers.RandomContrast(0.3, seed=1)]
    for make in makers:
        for module in (tf, mtf):
            np.testing.assert_array_equal(make(module)(x, training=False).numpy(), x)
            y = make(module)(x, training=True).numpy()
            assert y.shape == x.shape and not np.array_equal(y, x)
    for module in (tf, mtf):  # std ratio = contrast factor, since nothing is clipped for mid-range images
        mid = np.random.default_rng(1).uniform(100, 150, (400, 6, 6, 1)).astype("float32")
        y = module.keras.layers.RandomContrast(0.5, seed=2)(mid, training=True).numpy()
        ratio = y.reshape(400, -1).std(axis=1) / mid.reshape(400, -1).std(axis=1)
        assert ratio.min() > 0.999 and ratio.max() < 1.501 and ratio.mean() > 1.2, \
            f"{module.__name__} contrast factors in [{ratio.min():.3f}, {ratio.max():.3f}], mean {ratio.mean():.3f}"


# --- volumes (3-D) ----------------------------------------------------------------------------------
CONV3D_CASES = [
    dict(kernel_size=3, padding="valid"),
    dict(kernel_size=(2, 3, 2), padding="same", strides=(2, 1, 2)),
    dict(kernel_size=2, padding="same", use_bias=False, activation="relu"),
    dict(kernel_size=(2, 3, 2), padding="same", strides=(1, 2, 1), data_format="channels_first"),  # Keras: via XLA
]


CONV3D_TRANSPOSE_CASES = [
    dict(kernel_size=3),
    dict(kernel_size=(2, 3, 2), strides=(2, 1, 2), padding="same"),
    dict(kernel_size=2, strides=2, output_padding=1, use_bias=False, activation="relu"),
    dict(kernel_size=3, strides=(1, 2, 3), output_padding=(0, 1, 2)),
]


@pytest.mark.parametrize("kwargs", CONV3D_TRANSPOSE_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_conv3d_transpose(tf, mtf, kwargs):
    """One 2-D transposed convolution per depth tap, added up: float32 sums in another order than TF's."""
    check_layer(tf, mtf, lambda m: m.keras.layers.Conv3DTranspose(4, **kwargs), _data((2, 3, 4, 5, 3)))


@pytest.mark.parametrize("kwargs", CONV3D_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_conv3d(tf, mtf, kwargs):
    """One 2-D convolution per depth tap, summed: float32 sums in another order than TF's 3-D GEMM."""
    check_layer(tf, mtf, lambda m: m.keras.layers.Conv3D(4, **kwargs), _data((2, 5, 6, 7, 3)))


@pytest.mark.parametrize("kind,kwargs", [
    ("MaxPooling3D", dict()), ("MaxPooling3D", dict(pool_size=(2, 3, 2), strides=1, padding="same")),
    ("AveragePooling3D", dict(pool_size=2)), ("AveragePooling3D", dict(pool_size=3, strides=2, padding="same")),
], ids=lambda v: str(v))
def test_pooling3d(tf, mtf, kind, kwargs):
    check_layer(tf, mtf, lambda m: getattr(m.keras.layers, kind)(**kwargs), _data((2, 5, 6, 7, 3)))


ADAPTIVE_CASES = [  # (layer, output_size, input shape, data_format): smaller and larger outputs, windows of
    # two sizes, a size-1 axis, channels first
    ("AdaptiveAveragePooling1D", 3, (2, 7, 3), "channels_last"),
    ("AdaptiveAveragePooling1D", 9, (2, 4, 3), "channels_first"),
    ("AdaptiveAveragePooling2D", (3, 5), (2, 8, 7, 3), "channels_last"),
    ("AdaptiveAveragePooling2D", 4, (2, 3, 6, 5), "channels_first"),
    ("AdaptiveAveragePooling2D", (1, 2), (2, 1, 5, 3), "channels_last"),
    ("AdaptiveAveragePooling3D", (2, 3, 4), (2, 5, 4, 6, 3), "channels_last"),
    ("AdaptiveAveragePooling3D", 2, (2, 3, 3, 5, 4), "channels_first"),
    ("AdaptiveMaxPooling1D", 3, (2, 7, 3), "channels_last"),
    ("AdaptiveMaxPooling1D", 9, (2, 4, 3), "channels_first"),
    ("AdaptiveMaxPooling2D", (3, 5), (2, 8, 7, 3), "channels_last"),
    ("AdaptiveMaxPooling2D", 4, (2, 3, 6, 5), "channels_first"),
    ("AdaptiveMaxPooling3D", (2, 3, 4), (2, 5, 4, 6, 3), "channels_last"),
    ("AdaptiveMaxPooling3D", 2, (2, 3, 3, 5, 4), "channels_first"),
]


@pytest.mark.parametrize("kind,output_size,shape,data_format", ADAPTIVE_CASES, ids=lambda v: str(v))
def test_adaptive_pooling(tf, mtf, kind, output_size, shape, data_format):
    check_layer(tf, mtf, lambda m: getattr(m.keras.layers, kind)(output_size, data_format=data_format),
                _data(shape))


@pytest.mark.parametrize("shape,output_size", [((2, 6, 5, 3), 1), ((2, 1, 4, 3), (1, 2))])
def test_adaptive_max_pooling_where_keras_pools_an_empty_window(tf, mtf, shape, output_size):
    """Where a window spans a whole axis (pooled to 1, or an axis of one cell), Keras also max-pools with
    a window one cell wider than the axis: an empty result, never gathered. TF's MaxPoolGrad of that
    empty result writes uninitialized memory into the input gradient (TF 2.21: values like 1e14 where
    dy is 2, different on each run), so only the outputs are compared with Keras here; minitf's gradient
    is checked against finite differences in tests/test_keras_adaptive_pooling.py."""
    check_layer(tf, mtf, lambda m: m.keras.layers.AdaptiveMaxPooling2D(output_size), _data(shape), gradients=False)


@pytest.mark.parametrize("make", [
    lambda m: m.keras.layers.GlobalAveragePooling3D(), lambda m: m.keras.layers.GlobalMaxPooling3D(keepdims=True),
    lambda m: m.keras.layers.ZeroPadding3D(), lambda m: m.keras.layers.ZeroPadding3D(((1, 2), (0, 3), (2, 0))),
    lambda m: m.keras.layers.UpSampling3D(), lambda m: m.keras.layers.UpSampling3D((1, 3, 2)),
    lambda m: m.keras.layers.Cropping3D(), lambda m: m.keras.layers.Cropping3D(((1, 0), (2, 1), (0, 2))),
], ids=["gap3d", "gmp3d_keepdims", "zeropad3d", "zeropad3d_asym", "upsample3d", "upsample3d_1x3x2", "crop3d",
        "crop3d_asym"])
def test_volume_layers(tf, mtf, make):
    check_layer(tf, mtf, make, _data((2, 4, 5, 6, 3)))
