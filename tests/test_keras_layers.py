"""The Layer base class and the core layers: shapes, values (NumPy reference formulas written here),
gradients (gradcheck over inputs AND weights), weights bookkeeping, configs and error messages."""
import numpy as np
import pytest

import minitf as tf
from minitf.testing import gradcheck

layers = tf.keras.layers
RNG = np.random.default_rng(0)


def relu(x):
    return np.maximum(x, 0)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --------------------------------------------------------------------------- Dense
def test_dense_forward_matches_numpy_and_weight_layout():
    d = layers.Dense(3, activation="relu")
    x = RNG.normal(size=(5, 4)).astype(np.float32)
    y = d(x).numpy()
    kernel, bias = d.get_weights()
    assert kernel.shape == (4, 3) and bias.shape == (3,)  # Keras layout: (in, out), then bias
    np.testing.assert_allclose(y, relu(x @ kernel + bias), rtol=1e-6, atol=1e-6)
    assert [v.path for v in d.weights] == [f"{d.name}/kernel", f"{d.name}/bias"]


def test_dense_glorot_uniform_limit_and_zero_bias():
    d = layers.Dense(50)
    d.build((None, 30))
    kernel, bias = d.get_weights()
    limit = np.sqrt(6 / (30 + 50))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.8 * limit
    assert not bias.any()


def test_dense_on_rank3_inputs_acts_on_last_axis():
    d = layers.Dense(2)
    x = RNG.normal(size=(3, 5, 4)).astype(np.float32)
    y = d(x).numpy()
    kernel, bias = d.get_weights()
    assert y.shape == (3, 5, 2)
    np.testing.assert_allclose(y, x @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_dense_casts_float64_and_int_inputs_to_float32():
    d = layers.Dense(2)
    assert d(np.ones((2, 3))).dtype == tf.float32
    assert d(np.ones((2, 3), dtype=np.int32)).dtype == tf.float32


def test_dense_use_bias_false_has_only_a_kernel():
    d = layers.Dense(2, use_bias=False)
    d.build((None, 3))
    assert len(d.weights) == 1 and d.count_params() == 6


@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "tanh", "softmax"])
def test_dense_gradcheck_inputs_and_weights(activation):
    d = layers.Dense(3, activation=activation, dtype="float64")
    d.build((None, 4))
    x = RNG.normal(size=(5, 4))
    kernel0, bias0 = d.get_weights()

    # The layer's own call, with the weights swapped for the tensors gradcheck perturbs.
    def f_weights(x, kernel, bias):
        saved = d.kernel, d.bias
        d.kernel, d.bias = kernel, bias
        try:
            return d.call(x)
        finally:
            d.kernel, d.bias = saved

    gradcheck(f_weights, [x, kernel0, bias0])
    gradcheck(lambda x: d(x), [x])


def test_dense_weight_gradients_via_tape_match_numpy():
    d = layers.Dense(2, activation="relu")
    x = RNG.normal(size=(6, 3)).astype(np.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(d(x))
    gk, gb = tape.gradient(loss, d.trainable_weights)
    kernel, bias = d.get_weights()
    mask = (x @ kernel + bias > 0).astype(np.float32)
    np.testing.assert_allclose(gk.numpy(), x.T @ mask, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gb.numpy(), mask.sum(0), rtol=1e-5, atol=1e-6)


def test_dense_second_derivative_through_nested_tapes():
    # d/dx of sum(tanh(x W + b)) then d/dW of that: the fused op's backward must be differentiable.
    d = layers.Dense(2, activation="tanh", dtype="float64")
    x = tf.constant(RNG.normal(size=(3, 2)))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(d(x))
        gx = inner.gradient(y, x)
        s = tf.reduce_sum(gx * gx)
    gk = outer.gradient(s, d.kernel)
    kernel, bias = d.get_weights()
    x_np = x.numpy()

    def s_of(k):
        z = x_np @ k + bias
        g = (1 - np.tanh(z) ** 2) @ k.T
        return np.sum(g * g)

    eps, num = 1e-6, np.zeros_like(kernel)
    for i in np.ndindex(kernel.shape):
        e = np.zeros_like(kernel)
        e[i] = eps
        num[i] = (s_of(kernel + e) - s_of(kernel - e)) / (2 * eps)
    np.testing.assert_allclose(gk.numpy(), num, rtol=1e-5, atol=1e-8)


def test_dense_wrong_input_shape_names_layer_expected_and_received():
    d = layers.Dense(3, name="hidden")
    d(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"layer 'hidden'.*expected axis -1 of input shape to have value 4.*\(2, 5\)"):
        d(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"layer 'dense_rank'.*expected min_ndim=2, found ndim=1"):
        layers.Dense(3, name="dense_rank")(np.zeros((4,)))


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="units=0"):
        layers.Dense(0)


def test_dense_regularizers_add_losses():
    d = layers.Dense(2, kernel_regularizer=tf.keras.regularizers.L2(0.1), bias_regularizer="l1",
                     bias_initializer="ones")
    d.build((None, 3))
    kernel, bias = d.get_weights()
    losses = [float(l) for l in d.losses]
    np.testing.assert_allclose(sorted(losses), sorted([0.1 * np.sum(kernel ** 2), 0.01 * np.sum(np.abs(bias))]),
                               rtol=1e-6)


def test_activity_regularizer_is_per_sample_and_reset_each_call():
    d = layers.Dense(2, kernel_initializer="ones", activity_regularizer=tf.keras.regularizers.L1(0.5))
    x = np.ones((4, 3), np.float32)
    d(x)
    d(x)  # a second call replaces, not accumulates, the activity loss
    (loss,) = d.losses
    np.testing.assert_allclose(float(loss), 0.5 * np.abs(x @ np.ones((3, 2))).sum() / 4, rtol=1e-6)


def test_dense_config_round_trip():
    d = layers.Dense(7, activation="tanh", use_bias=False, kernel_regularizer="l2", name="d7")
    config = d.get_config()
    assert config["units"] == 7 and config["activation"] == "tanh" and config["use_bias"] is False
    clone = layers.Dense.from_config(config)
    assert clone.units == 7 and clone.use_bias is False and clone.name == "d7"
    assert clone.activation is tf.keras.activations.tanh


# --------------------------------------------------------------------------- the Layer base
class Linear(layers.Layer):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")

    def call(self, x):
        return tf.matmul(x, self.w) + self.b


def test_custom_layer_lazy_build_and_weight_lists():
    layer = Linear(3)
    assert not layer.built and layer.weights == []
    y = layer(np.ones((2, 4), np.float32))
    assert layer.built and y.shape == (2, 3)
    assert [v.path.split("/")[1] for v in layer.weights] == ["w", "b", "count"]
    assert [v.path.split("/")[1] for v in layer.trainable_weights] == ["w", "b"]
    assert [v.path.split("/")[1] for v in layer.non_trainable_weights] == ["count"]
    assert layer.count_params() == 4 * 3 + 3 + 1
    assert layer.trainable_variables == layer.trainable_weights


def test_freezing_moves_weights_to_non_trainable_and_drops_their_regularization():
    d = layers.Dense(2, kernel_regularizer="l2")
    d.build((None, 3))
    assert len(d.losses) == 1
    d.trainable = False
    assert d.trainable_weights == [] and len(d.non_trainable_weights) == 2
    assert all(not v.trainable for v in d.weights) and d.losses == []
    d.trainable = True
    assert len(d.trainable_weights) == 2


def test_frozen_variables_get_no_gradient_from_the_tape():
    d = layers.Dense(2)
    d.build((None, 3))
    d.trainable = False
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(d(np.ones((1, 3), np.float32)))
    assert tape.gradient(y, d.kernel) is None


def test_set_weights_checks_everything_before_assigning():
    d = layers.Dense(2)
    d.build((None, 3))
    before = d.get_weights()
    with pytest.raises(ValueError, match=r"weight shape \(2,\) is not compatible with provided weight shape \(5,\)"):
        d.set_weights([np.zeros((3, 2)), np.zeros(5)])
    for a, b in zip(before, d.get_weights()):
        np.testing.assert_array_equal(a, b)  # the good first array was not assigned either
    with pytest.raises(ValueError, match="expecting 2 weights"):
        d.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(2).count_params()


def test_auto_config_for_plain_constructor_arguments():
    layer = Linear(units=5, name="lin")
    config = layer.get_config()
    assert config["units"] == 5 and config["name"] == "lin"
    assert Linear.from_config(config).units == 5


def test_missing_super_init_is_a_clear_error():
    class Broken(layers.Layer):
        def __init__(self):
            pass

        def call(self, x):
            return x

    with pytest.raises(RuntimeError, match="super\\(\\).__init__"):
        Broken()(np.ones((1, 1)))


def test_training_flag_reaches_nested_layers():
    seen = []

    class Probe(layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = Probe()

        def call(self, x):
            return self.inner(x)

    outer = Outer()
    outer(np.ones((1, 1)), training=True)
    outer(np.ones((1, 1)))
    assert seen == [True, None]
    assert outer._layers == [outer.inner]


def test_masks_are_passed_on_and_computed():
    class MaskZeros(layers.Layer):
        def compute_mask(self, inputs, mask=None):
            return tf.not_equal(inputs, 0.0)

        def call(self, x):
            return x

    class UsesMask(layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, x, mask=None):
            self.got = mask
            return x

    x = np.array([[1.0, 0.0, 2.0]], np.float32)
    y = MaskZeros()(x)
    passthrough = layers.Activation("linear")(y)  # supports masking: keeps it
    user = UsesMask()
    user(passthrough)
    np.testing.assert_array_equal(user.got.numpy(), [[True, False, True]])


# --------------------------------------------------------------------------- simple layers
def test_activation_flatten_reshape():
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(layers.Activation("relu")(x).numpy(), relu(x))
    np.testing.assert_array_equal(layers.Flatten()(x).numpy(), x.reshape(2, 12))  # row-major
    np.testing.assert_array_equal(layers.Reshape((4, 3))(x).numpy(), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(layers.Reshape((-1, 2))(x).numpy(), x.reshape(2, 6, 2))
    assert layers.Flatten()(np.ones((5,), np.float32)).shape == (5, 1)
    with pytest.raises(ValueError, match=r"Reshape.*\(2, 3, 4\).*12 values per sample.*\(5,\)"):
        layers.Reshape((5,))(x)


def test_dropout_inverted_scaling_identity_at_inference_and_rate_zero():
    x = np.ones((200, 50), np.float32)
    drop = layers.Dropout(0.3, seed=1)
    np.testing.assert_array_equal(drop(x).numpy(), x)  # inference by default
    y = drop(x, training=True).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)  # kept values scaled by 1/(1 - rate)
    assert abs(kept.mean() - 0.7) < 0.02  # 10000 draws: std of the mean ~0.005
    assert abs(y.mean() - 1.0) < 0.03  # expectation preserved
    np.testing.assert_array_equal(layers.Dropout(0.0)(x, training=True).numpy(), x)
    with pytest.raises(ValueError, match="between 0 and 1"):
        layers.Dropout(1.5)


def test_dropout_gradient_is_the_mask():
    x = tf.constant(np.ones((10, 10), np.float32))
    drop = layers.Dropout(0.5, seed=3)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = drop(x, training=True)
    g = tape.gradient(y, x).numpy()
    np.testing.assert_array_equal(g, y.numpy())  # y = x * mask/(1-rate) with x = 1


def test_lambda_layer_and_its_arguments():
    lam = layers.Lambda(lambda x, k: x * k, arguments={"k": 3.0})
    np.testing.assert_allclose(lam(np.ones((2, 2), np.float32)).numpy(), 3 * np.ones((2, 2)))
    # As Keras: a Python lambda is saved as its bytecode, with a warning; loading it needs safe_mode=False
    # (tests/test_keras_saving.py).
    with pytest.warns(UserWarning, match="includes a `lambda`"):
        config = lam.get_config()
    assert config["function"]["class_name"] == "__lambda__" and config["arguments"] == {"k": 3.0}


def test_rescaling_and_integer_inputs():
    r = layers.Rescaling(1 / 255.0, offset=-0.5)
    x = np.array([[0, 255, 51]], np.uint8)
    np.testing.assert_allclose(r(x).numpy(), x / 255.0 - 0.5, rtol=1e-6)
    assert r(x).dtype == tf.float32


def test_normalization_adapt_uses_population_variance():
    data = RNG.normal(3.0, 2.0, size=(100, 3)).astype(np.float32)
    data[:, 2] = 7.0  # a constant column: variance 0, output 0 (not a division by zero)
    norm = layers.Normalization()
    norm.adapt(data)
    mean, var, count = norm.get_weights()
    np.testing.assert_allclose(mean, data.mean(0), rtol=1e-6)
    np.testing.assert_allclose(var, ((data - data.mean(0)) ** 2).mean(0), rtol=1e-5, atol=1e-7)  # / n
    y = norm(data).numpy()
    expected = (data - data.mean(0)) / np.maximum(np.sqrt(((data - data.mean(0)) ** 2).mean(0)), 1e-7)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert np.all(y[:, 2] == 0)


def test_normalization_given_mean_variance_and_invert():
    norm = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    x = np.array([[3.0, 8.0]], np.float32)
    np.testing.assert_allclose(norm(x).numpy(), [[1.0, 2.0]], rtol=1e-6)
    inv = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    np.testing.assert_allclose(inv(np.array([[1.0, 2.0]], np.float32)).numpy(), x, rtol=1e-6)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=[1.0])


# --------------------------------------------------------------------------- merge layers
@pytest.mark.parametrize("cls,fn", [
    (layers.Add, lambda a, b, c: a + b + c),
    (layers.Multiply, lambda a, b, c: a * b * c),
    (layers.Average, lambda a, b, c: (a + b + c) / 3),
])
def test_elementwise_merges_values_and_gradcheck(cls, fn):
    a, b, c = (RNG.normal(size=(4, 3)) for _ in range(3))
    np.testing.assert_allclose(cls()([a.astype(np.float32), b.astype(np.float32), c.astype(np.float32)]).numpy(),
                               fn(a, b, c), rtol=1e-5, atol=1e-6)
    layer = cls(dtype="float64")
    gradcheck(lambda a, b, c: layer([a, b, c]), [a, b, c])


def test_subtract_and_concatenate_values_and_gradcheck():
    a, b = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2))
    sub = layers.Subtract(dtype="float64")
    np.testing.assert_allclose(sub([a, a * 2]).numpy(), -a)
    gradcheck(lambda x, y: sub([x, y]), [a, a * 0.5])
    cat = layers.Concatenate(dtype="float64")
    np.testing.assert_array_equal(cat([a, b]).numpy(), np.concatenate([a, b], axis=1))
    gradcheck(lambda x, y: cat([x, y]), [a, b])
    np.testing.assert_array_equal(layers.Concatenate(axis=0, dtype="float64")([a, a]).numpy(),
                                  np.concatenate([a, a], axis=0))


def test_merge_layer_errors():
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([np.ones((1, 2))] * 3)
    with pytest.raises(ValueError, match="incompatible shapes"):
        layers.Add()([np.ones((2, 3), np.float32), np.ones((2, 4), np.float32)])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.Concatenate()([np.ones((2, 3), np.float32), np.ones((3, 3), np.float32)])
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Add()(np.ones((2, 3), np.float32))


def test_functional_merge_helpers():
    a = tf.keras.Input((3,))
    b = tf.keras.Input((3,))
    assert tuple(layers.add([a, b]).shape) == (None, 3)
    assert tuple(layers.concatenate([a, b]).shape) == (None, 6)


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[4.0, 0.25, 1.0], dtype="float64"), (4, 3)),
    (lambda: layers.Rescaling(scale=1 / 255, offset=-0.5, dtype="float64"), (4, 3)),
    (lambda: layers.Reshape((3, 2), dtype="float64"), (4, 6)),
    (lambda: layers.Flatten(dtype="float64"), (4, 2, 3)),
    (lambda: layers.Lambda(lambda t: tf.tanh(t) * t, dtype="float64"), (4, 3)),
], ids=["Normalization", "Rescaling", "Reshape", "Flatten", "Lambda"])
def test_shape_and_scaling_layers_gradcheck(make, shape):
    # The gradient with respect to the input, against float64 central differences.
    layer = make()
    gradcheck(lambda x: layer(x), [np.random.default_rng(3).normal(size=shape)])


def test_layers_resolve_constraint_names_with_one_rule():
    """Dense, Conv, Conv2DTranspose, BatchNormalization, Embedding and the RNNs all store
    ``constraints.get(x)``: a name becomes the constraint object, saved as Keras saves it."""
    from minitf.keras import constraints
    made = [tf.keras.layers.Dense(2, kernel_constraint="max_norm"),
            tf.keras.layers.Conv2D(2, 3, kernel_constraint="max_norm"),
            tf.keras.layers.Conv1D(2, 3, kernel_constraint="max_norm"),
            tf.keras.layers.Conv2DTranspose(2, 3, kernel_constraint="max_norm"),
            tf.keras.layers.SimpleRNN(2, kernel_constraint="max_norm")]
    for layer in made:
        assert isinstance(layer.kernel_constraint, constraints.MaxNorm), type(layer).__name__
        saved = layer.get_config()["kernel_constraint"]
        assert saved["module"] == "keras.constraints" and saved["class_name"] == "MaxNorm", saved
    assert isinstance(tf.keras.layers.BatchNormalization(gamma_constraint="non_neg").gamma_constraint,
                      constraints.NonNeg)
    assert isinstance(tf.keras.layers.Embedding(5, 2, embeddings_constraint="unit_norm").embeddings_constraint,
                      constraints.UnitNorm)


@pytest.mark.parametrize("module, kind", [("losses", "loss"), ("metrics", "metric"),
                                          ("activations", "activation function"), ("regularizers", "regularizer"),
                                          ("constraints", "constraint"), ("initializers", "initializer")])
def test_every_get_rejects_an_unknown_name_the_same_way(module, kind):
    get = getattr(tf.keras, module).get
    with pytest.raises(ValueError, match=f"Could not interpret {kind} identifier: 'no_such_thing'. Known names"):
        get("no_such_thing")
    with pytest.raises(ValueError, match=f"Could not interpret {kind} identifier: 3"):
        get(3)


def test_every_layer_module_s_public_names_are_exported_by_name():
    """minitf.keras.layers imports each public layer explicitly; no module's __all__ may be left out."""
    import importlib
    import pkgutil
    package = tf.keras.layers
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
        if any(part.startswith("_") for part in info.name.split(".")[3:]):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            if name == "CallContext":  # layer.py's call bookkeeping, not a layer (Keras does not export it)
                continue
            assert name in package.__all__ and getattr(package, name) is getattr(module, name), (info.name, name)


def test_keras_mask_attribute_as_on_tf_tensors():
    """``x._keras_mask`` (read and set by user code, as in Keras's masking guide): absent when there is no mask."""
    out = tf.keras.layers.Embedding(10, 4, mask_zero=True)(np.array([[1, 2, 0]]))
    np.testing.assert_array_equal(out._keras_mask.numpy(), [[True, True, False]])
    plain = tf.constant([1.0])
    with pytest.raises(AttributeError, match="_keras_mask"):
        plain._keras_mask
    plain._keras_mask = tf.constant([True])
    assert plain._keras_mask.numpy().tolist() == [True]
    assert tf.keras.backend.get_keras_mask(plain).numpy().tolist() == [True]


@pytest.mark.parametrize("package_name, table", [("minitf.keras", "_SUBMODULES"), ("minitf.keras", "_FROM"),
                                                 ("minitf.keras.utils", "_LAZY"),
                                                 ("minitf.keras.preprocessing", "_FUNCTIONS")])
def test_names_loaded_on_first_use_are_written_out_in_all_and_resolve(package_name, table):
    """The packages that load some names on first use list those names literally in ``__all__``
    (so grep finds them); the lazy table and ``__all__`` must not drift apart."""
    import importlib
    package = importlib.import_module(package_name)
    lazy = set(getattr(package, table))
    assert lazy <= set(package.__all__), sorted(lazy - set(package.__all__))
    for name in package.__all__:
        assert getattr(package, name) is not None, name
