"""ReLU, LeakyReLU, PReLU, ELU, Identity, RepeatVector and Permute: values against NumPy formulas
written here, gradients (gradcheck over inputs, and PReLU's alpha), shapes, configs and errors.
Against Keras: parity_tests/test_keras_layers_parity.py and the saving tests (tests/saving_examples.py)."""
import warnings

import numpy as np
import pytest

import minitf as tf
from minitf.testing import gradcheck

layers = tf.keras.layers
RNG = np.random.default_rng(0)
X = RNG.normal(size=(5, 4)) * 3  # away from 0 by chance: the kinks of the rectifiers are not drawn
X = np.where(np.abs(X) < 0.05, 0.5, X)


def test_relu_layer_is_keras_generalised_rectifier():
    x = X.astype("float32")
    np.testing.assert_array_equal(layers.ReLU()(x).numpy(), np.maximum(x, 0))
    got = layers.ReLU(max_value=1.0, negative_slope=0.2, threshold=0.3)(x).numpy()
    expected = np.where(x >= 1.0, 1.0, np.where(x >= 0.3, x, 0.2 * (x - 0.3)))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    gradcheck(lambda t: layers.ReLU(max_value=1.0, negative_slope=0.2, threshold=0.3, dtype="float64")(t),
              [np.where(np.abs(X - 1.0) < 0.05, 2.0, np.where(np.abs(X - 0.3) < 0.05, -1.0, X))])
    for bad in ({"max_value": -1.0}, {"negative_slope": -0.1}, {"negative_slope": None}, {"threshold": -1}):
        with pytest.raises(ValueError, match="of a ReLU layer cannot be"):
            layers.ReLU(**bad)


def test_leaky_relu_default_slope_and_keras_2_alpha():
    x = X.astype("float32")
    np.testing.assert_allclose(layers.LeakyReLU()(x).numpy(), np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    with pytest.warns(UserWarning, match="`alpha` is deprecated"):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1 and layer.get_config()["negative_slope"] == 0.1
    gradcheck(lambda t: layers.LeakyReLU(0.1, dtype="float64")(t), [X])
    with pytest.raises(ValueError, match="cannot be None or negative"):
        layers.LeakyReLU(-0.5)


def test_prelu_learns_one_slope_per_cell_or_per_shared_group():
    layer = layers.PReLU(alpha_initializer="ones", dtype="float64")
    x = X
    np.testing.assert_array_equal(layer(x).numpy(), x)  # alpha 1: the identity
    assert layer.alpha.shape == (4,) and layer.trainable_weights == [layer.alpha]
    image = RNG.normal(size=(2, 3, 3, 2))
    shared = layers.PReLU(alpha_initializer=tf.keras.initializers.Constant(0.25), shared_axes=[1, 2], dtype="float64")
    np.testing.assert_allclose(shared(image).numpy(), np.where(image > 0, image, 0.25 * image))
    assert shared.alpha.shape == (1, 1, 2)
    alpha0 = RNG.uniform(0.1, 0.5, size=(1, 1, 2))

    def f(x, alpha):  # the layer's call, with alpha swapped for the tensor gradcheck perturbs
        saved, shared.alpha = shared.alpha, alpha
        try:
            return shared.call(x)
        finally:
            shared.alpha = saved

    gradcheck(f, [image, alpha0])
    with pytest.raises(ValueError):
        shared(RNG.normal(size=(2, 3, 3, 5)))  # the channel axis is not shared: its size is fixed by build
    assert layers.PReLU(shared_axes=1).shared_axes == [1]


def test_elu_layer_with_alpha():
    x = X.astype("float32")
    np.testing.assert_allclose(layers.ELU(alpha=0.5)(x).numpy(), np.where(x > 0, x, 0.5 * np.expm1(x)), rtol=1e-6)
    gradcheck(lambda t: layers.ELU(alpha=0.5, dtype="float64")(t), [X])
    assert layers.ELU().get_config()["alpha"] == 1.0


def test_identity_passes_values_and_masks_through():
    x = tf.constant(X.astype("float32"))
    layer = layers.Identity()
    assert layer(x) is x and layer.built and layer.supports_masking
    inputs = tf.keras.Input((3,), dtype="int64")
    masked = layers.Identity()(layers.Embedding(5, 2, mask_zero=True)(inputs))
    model = tf.keras.Model(inputs, masked)
    np.testing.assert_array_equal(model(np.array([[1, 0, 2]]))._keras_mask.numpy(), [[True, False, True]])


def test_repeat_vector_and_its_gradient():
    out = layers.RepeatVector(3)(X.astype("float32")).numpy()
    assert out.shape == (5, 3, 4) and all(np.array_equal(out[:, i], X.astype("float32")) for i in range(3))
    gradcheck(lambda t: layers.RepeatVector(2, dtype="float64")(t), [X])
    assert tf.keras.Sequential([tf.keras.Input((4,)), layers.RepeatVector(3)]).output_shape == (None, 3, 4)
    with pytest.raises(TypeError, match="Expected an integer value for `n`"):
        layers.RepeatVector(2.0)
    with pytest.raises(ValueError, match="positive integer"):
        layers.RepeatVector(0)
    with pytest.raises(ValueError):
        layers.RepeatVector(2)(RNG.normal(size=(2, 3, 4)))  # needs (batch, features)


def test_permute_reorders_the_axes_after_the_batch_axis():
    x = RNG.normal(size=(2, 3, 4, 5))
    np.testing.assert_array_equal(layers.Permute((3, 1, 2), dtype="float64")(x).numpy(), x.transpose(0, 3, 1, 2))
    gradcheck(lambda t: layers.Permute((2, 1), dtype="float64")(t), [RNG.normal(size=(2, 3, 4))])
    assert layers.Permute((2, 1)).compute_output_shape((None, 3, 4)) == (None, 4, 3)
    with pytest.raises(ValueError, match="must be consecutive and start from 1"):
        layers.Permute((0, 1))


def test_weightless_layers_are_built_from_the_start_unless_a_subclass_builds():
    assert all(layer.built for layer in (layers.ReLU(), layers.LeakyReLU(), layers.ELU(), layers.Identity()))

    class Custom(layers.ReLU):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(), initializer="ones")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not Custom().built and Custom()(X.astype("float32")).shape == (5, 4)
