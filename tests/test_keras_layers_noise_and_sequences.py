"""GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D/2D (training-mode noise from the layer's own
SeedGenerator; identity at inference) and ZeroPadding1D, UpSampling1D, Cropping1D: values against
NumPy formulas, gradients, configs and errors. Keras's own numbers: parity_tests/test_keras_layers_parity.py."""
import numpy as np
import pytest

import minitf as tf
from minitf.testing import gradcheck

layers = tf.keras.layers
RNG = np.random.default_rng(1)


def test_gaussian_noise_adds_seeded_noise_in_training_only():
    x = RNG.normal(size=(200, 50)).astype("float32")
    layer = layers.GaussianNoise(0.5, seed=3)
    noise = layer(x, training=True).numpy() - x
    assert abs(noise.std() - 0.5) < 0.01 and abs(noise.mean()) < 0.01
    assert not np.array_equal(layer(x, training=True).numpy() - x, noise)  # a new draw each call
    np.testing.assert_array_equal(layers.GaussianNoise(0.5, seed=3)(x, training=True).numpy() - x, noise)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    with pytest.raises(ValueError, match="`stddev`. Expected a float value between 0 and 1"):
        layers.GaussianNoise(1.5)


def test_gaussian_dropout_multiplies_by_noise_around_one():
    x = np.ones((200, 50), "float32")
    out = layers.GaussianDropout(0.2, seed=3)(x, training=True).numpy()
    assert abs(out.mean() - 1) < 0.01 and abs(out.std() - np.sqrt(0.2 / 0.8)) < 0.01
    assert layers.GaussianDropout(0.0)(x, training=True).numpy() is not None
    with pytest.raises(ValueError, match="`rate`. Expected a float value between 0 and 1"):
        layers.GaussianDropout(-0.1)


def test_alpha_dropout_sets_dropped_units_to_seluss_saturation_and_rescales():
    rate = 0.3
    x = RNG.normal(size=(300, 40)).astype("float64")
    layer = layers.AlphaDropout(rate, seed=6, dtype="float64")
    out = layer(x, training=True).numpy()
    # the formula (Klambauer et al.): dropped -> alpha' = -scale * alpha, then a * x' + b
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    dropped = np.isclose(out, a * alpha_p + b) & ~np.isclose(x, alpha_p)
    np.testing.assert_allclose(out[~dropped], a * x[~dropped] + b, rtol=1e-12)
    assert abs(dropped.mean() - rate) < 0.01  # 12000 draws: standard error 0.004
    # zero mean, unit variance stay so (the point of AlphaDropout), for standard normal inputs
    assert abs(out.mean()) < 0.03 and abs(out.std() - 1) < 0.03
    np.testing.assert_array_equal(layer(x).numpy(), x)  # inference: the identity
    # the gradient is a * mask: the same seed draws the same mask again
    x_t = tf.constant(x[:5])
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        y = layers.AlphaDropout(rate, seed=6, dtype="float64")(x_t, training=True)
    kept = ~np.isclose(y.numpy(), a * alpha_p + b)
    np.testing.assert_allclose(tape.gradient(y, x_t).numpy(), a * kept, rtol=1e-12)
    with pytest.raises(ValueError, match="`rate`. Expected a float value between 0 and 1"):
        layers.AlphaDropout(1.2)


def test_alpha_dropout_noise_shape_shares_the_draw():
    out = layers.AlphaDropout(0.5, noise_shape=(None, 1), seed=1)(np.ones((50, 6), "float32"), training=True).numpy()
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1], out.shape))
    assert len(np.unique(out)) == 2


@pytest.mark.parametrize("noise_shape,message", [
    ("ab", "Expected a tuple or list of integers"), (3, "Expected an iterable of integers"),
    ((None, 2.5), "Expected all elements to be integers or None"), ((0, 2), "positive integers or None")])
def test_dropout_noise_shape_is_checked_as_keras_does(noise_shape, message):
    for cls in (layers.Dropout, layers.AlphaDropout):
        with pytest.raises(ValueError, match=message):
            cls(0.5, noise_shape=noise_shape)


def test_dropout_masks_repeat_under_tf_random_set_seed():
    """An unseeded layer takes its seed from the stream tf.random.set_seed resets (a minitf choice,
    see keras.random.layer_seed_generator), so a run repeats."""
    x = np.ones((20, 30), "float32")
    runs = []
    for _ in range(2):
        tf.random.set_seed(12)
        runs.append(layers.Dropout(0.5)(x, training=True).numpy())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], layers.Dropout(0.5)(x, training=True).numpy())


@pytest.mark.parametrize("cls,shape,shared", [
    ("SpatialDropout1D", (8, 5, 6), (1,)), ("SpatialDropout2D", (8, 4, 5, 6), (1, 2))])
def test_spatial_dropout_drops_whole_channels(cls, shape, shared):
    x = np.ones(shape, "float32")
    out = getattr(layers, cls)(0.5, seed=2)(x, training=True).numpy()
    assert set(np.unique(out).tolist()) == {0.0, 2.0}  # kept values scaled by 1 / (1 - rate)
    np.testing.assert_array_equal(out, np.broadcast_to(out[(slice(None),) + (slice(0, 1),) * len(shared)], shape))
    np.testing.assert_array_equal(getattr(layers, cls)(0.5)(x).numpy(), x)
    with pytest.raises(ValueError):
        getattr(layers, cls)(0.5)(np.ones(shape[:-1], "float32"), training=True)  # the wrong rank


def test_spatial_dropout_2d_channels_first_and_its_gradient():
    x = RNG.normal(size=(2, 6, 3, 3))
    layer = layers.SpatialDropout2D(0.5, data_format="channels_first", seed=2, dtype="float64")
    out = layer(x, training=True).numpy()
    kept = (out != 0)
    assert (kept == kept[:, :, :1, :1]).all()
    # the same draw twice (a SeedGenerator of the same seed): the gradient is the mask / (1 - rate)
    x_t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        y = layers.SpatialDropout2D(0.5, data_format="channels_first", seed=2, dtype="float64")(x_t, training=True)
    np.testing.assert_array_equal(tape.gradient(y, x_t).numpy(), kept * 2.0)


def test_zero_padding_upsampling_and_cropping_1d():
    x = RNG.normal(size=(2, 5, 3))
    np.testing.assert_array_equal(layers.ZeroPadding1D((1, 2), dtype="float64")(x).numpy(),
                                  np.pad(x, ((0, 0), (1, 2), (0, 0))))
    np.testing.assert_array_equal(layers.ZeroPadding1D(1, data_format="channels_first", dtype="float64")(x).numpy(),
                                  np.pad(x, ((0, 0), (0, 0), (1, 1))))
    np.testing.assert_array_equal(layers.UpSampling1D(3, dtype="float64")(x).numpy(), np.repeat(x, 3, axis=1))
    np.testing.assert_array_equal(layers.Cropping1D((1, 2), dtype="float64")(x).numpy(), x[:, 1:3])
    np.testing.assert_array_equal(layers.Cropping1D((2, 0), dtype="float64")(x).numpy(), x[:, 2:])
    for layer in (layers.ZeroPadding1D((1, 2), dtype="float64"), layers.UpSampling1D(2, dtype="float64"),
                  layers.Cropping1D(1, dtype="float64")):
        gradcheck(lambda t, layer=layer: layer(t), [x])
    model = tf.keras.Sequential([tf.keras.Input((None, 3)), layers.UpSampling1D(2), layers.Cropping1D(1)])
    assert model.output_shape == (None, None, 3) and model.predict(x, verbose=0).shape == (2, 8, 3)
    with pytest.raises(ValueError, match="must be smaller than the input length"):
        layers.Cropping1D((3, 2))(x)
    with pytest.raises(TypeError, match="Expected an integer value for `size`"):
        layers.UpSampling1D(2.0)


def test_unit_normalization_scales_each_sample_to_norm_one():
    x = RNG.normal(size=(4, 5))
    y = tf.keras.layers.UnitNormalization(dtype="float64")(x).numpy()
    np.testing.assert_allclose(y, x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(tf.keras.layers.UnitNormalization()(np.zeros((1, 3), "float32")).numpy(), 0)
    gradcheck(lambda t: tf.keras.layers.UnitNormalization(axis=[1, 2], dtype="float64")(t), [RNG.normal(size=(2, 2, 3))])
    with pytest.raises(TypeError, match="Invalid value for `axis`"):
        tf.keras.layers.UnitNormalization(axis="last")


def test_activity_regularization_adds_its_penalty_per_sample():
    layer = tf.keras.layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = np.array([[3.0, 4.0], [0.0, 0.0]], "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert [float(v) for v in layer.losses] == pytest.approx([(0.1 * 7 + 0.01 * 25) / 2])
    assert "activity_regularizer" not in layer.get_config() and layer.get_config()["l2"] == 0.01


def test_dot_is_a_per_sample_contraction():
    x, y = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    np.testing.assert_allclose(tf.keras.layers.Dot(axes=1, dtype="float64")([x, y]).numpy(),
                               (x * y).sum(axis=1, keepdims=True))
    cos = tf.keras.layers.dot([x, y], axes=1, normalize=True, dtype="float64").numpy().ravel()
    np.testing.assert_allclose(cos, (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1), rtol=1e-6)
    a, b = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 5, 3))
    np.testing.assert_allclose(tf.keras.layers.Dot(axes=(1, 2), dtype="float64")([a, b]).numpy(),
                               np.einsum("bij,bkj->bik", a.transpose(0, 2, 1), b.transpose(0, 1, 2)))
    gradcheck(lambda p, q: tf.keras.layers.Dot(axes=(1, 2), dtype="float64")([p, q]), [a, b])
    with pytest.raises(ValueError, match="Incompatible input shapes"):
        tf.keras.layers.Dot(axes=1)([np.ones((2, 3), "float32"), np.ones((2, 4), "float32")])
    with pytest.raises(TypeError, match="should be a list or an int"):
        tf.keras.layers.Dot(axes="1")


def test_thresholded_relu_passes_what_exceeds_theta():
    x = np.array([[-1.0, 0.0, 0.5, 0.50001, 2.0]], "float32")
    layer = layers.ThresholdedReLU(theta=0.5)
    np.testing.assert_array_equal(layer(x).numpy(), np.where(x > 0.5, x, 0.0))
    x_t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        y = layer(x_t)
    np.testing.assert_array_equal(tape.gradient(y, x_t).numpy(), (x > 0.5).astype("float32"))
    assert layers.ThresholdedReLU.from_config(layer.get_config()).theta == 0.5
    with pytest.raises(ValueError, match="should be >=0"):
        layers.ThresholdedReLU(theta=-1)
    with pytest.raises(ValueError, match="cannot be None"):
        layers.ThresholdedReLU(theta=None)
