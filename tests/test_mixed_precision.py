"""Mixed precision (keras.mixed_precision): dtype policies, autocasting, loss scaling. TF parity: parity_tests/test_mixed_precision_parity.py."""
import json

import numpy as np
import pytest

import minitf as tf
from minitf.keras import layers, mixed_precision

keras = tf.keras
RNG = np.random.default_rng(5)
X = RNG.normal(size=(32, 4)).astype(np.float32)
LABELS = (np.arange(32) % 3).astype(np.int64)


@pytest.fixture
def mixed():
    mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        mixed_precision.set_global_policy("float32")


def test_policy_names_and_dtypes():
    policy = mixed_precision.Policy("mixed_float16")
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == ("mixed_float16", "float16", "float32")
    assert repr(policy) == '<DTypePolicy "mixed_float16">'
    assert mixed_precision.Policy("float64").compute_dtype == "float64"
    assert policy == keras.DTypePolicy("mixed_float16") and policy != mixed_precision.Policy("float32")
    with pytest.raises(ValueError, match="bfloat16"):
        mixed_precision.Policy("mixed_bfloat16")
    with pytest.raises(ValueError, match="Cannot convert 'nonsense'"):
        mixed_precision.Policy("nonsense")
    with pytest.raises(ValueError, match="Invalid `policy`"):
        mixed_precision.set_global_policy(3)


def test_global_policy_is_what_new_layers_get(mixed):
    assert mixed_precision.global_policy().name == "mixed_float16"
    dense = layers.Dense(2)
    own = layers.Dense(2, dtype="float32")
    assert dense.dtype_policy.name == "mixed_float16" and (dense.dtype, dense.compute_dtype) == ("float32", "float16")
    assert own.dtype_policy.name == "float32" and own.compute_dtype == "float32"
    assert layers.Dense(2, dtype=tf.float32).dtype_policy == mixed_precision.Policy("float32")
    mixed_precision.set_global_policy("float32")
    assert layers.Dense(2).dtype_policy.name == "float32"


def test_mixed_layer_computes_in_float16_with_float32_weights(mixed):
    dense = layers.Dense(3, activation="relu")
    out = dense(X)
    assert out.dtype == tf.float16
    assert dense.kernel.dtype == tf.float32 and dense.bias.dtype == tf.float32
    # the value is the float16 product of float16-rounded operands
    expected = np.maximum(X.astype(np.float16) @ dense.kernel.numpy().astype(np.float16)
                          + dense.bias.numpy().astype(np.float16), 0)
    np.testing.assert_allclose(out.numpy().astype(np.float32), expected.astype(np.float32), rtol=2e-3, atol=2e-3)
    assert isinstance(dense.kernel, tf.Variable)  # the cast is only for the call


def test_gradients_reach_the_float32_variables(mixed):
    dense = layers.Dense(2)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.cast(dense(X), tf.float32))
    grads = tape.gradient(loss, dense.trainable_variables)
    assert [g.dtype for g in grads] == [tf.float32, tf.float32]
    np.testing.assert_allclose(grads[1].numpy(), [32.0, 32.0])
    np.testing.assert_allclose(grads[0].numpy(), np.repeat(X.astype(np.float16).sum(0, dtype=np.float32)[:, None],
                                                           2, 1), rtol=1e-3)


def test_float32_layer_inside_a_mixed_model_and_configs(mixed):
    inputs = layers.Input((4,))
    x = layers.Dense(8, activation="relu")(inputs)
    x = layers.Dense(3)(x)
    outputs = layers.Activation("softmax", dtype="float32")(x)
    model = keras.Model(inputs, outputs)
    assert model(X).dtype == tf.float32
    assert [layer.dtype_policy.name for layer in model.layers] == ["mixed_float16"] * 3 + ["float32"]
    config = model.get_config()
    assert config["layers"][1]["config"]["dtype"]["config"]["name"] == "mixed_float16"
    rebuilt = keras.Model.from_config(json.loads(json.dumps(config)))
    assert rebuilt.layers[1].dtype_policy.name == "mixed_float16"
    assert rebuilt.layers[3].dtype_policy.name == "float32"


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_fit_wraps_the_optimizer_in_a_loss_scale_optimizer(mixed, run_eagerly):
    inputs = layers.Input((4,))
    x = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Activation("softmax", dtype="float32")(layers.Dense(3)(x))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", run_eagerly=run_eagerly)
    assert isinstance(model.optimizer, mixed_precision.LossScaleOptimizer)
    assert isinstance(model.optimizer.inner_optimizer, keras.optimizers.SGD)
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(X, LABELS, batch_size=8, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.optimizer.iterations.numpy() == 8
    assert model.optimizer.step_counter.numpy() == 8 and model.optimizer.dynamic_scale.numpy() == 2.0 ** 15
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_no_loss_scaling_when_asked_or_not_mixed(mixed):
    model = keras.Sequential([layers.Input((4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", auto_scale_loss=False)
    assert not isinstance(model.optimizer, mixed_precision.LossScaleOptimizer)
    mixed_precision.set_global_policy("float32")
    model = keras.Sequential([layers.Input((4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert not isinstance(model.optimizer, mixed_precision.LossScaleOptimizer)


def _wrapped_sgd(**kwargs):
    v = tf.Variable([1.0, 2.0])
    opt = mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(0.5), **kwargs)
    opt.build([v])
    return v, opt


def test_loss_scale_optimizer_unscales_and_grows():
    v, opt = _wrapped_sgd(initial_scale=8.0, dynamic_growth_steps=2)
    assert opt.scale_loss(tf.constant(1.5)).numpy() == 12.0
    opt.apply([tf.constant([8.0, 16.0])], [v])  # the scaled gradient of [1, 2]
    np.testing.assert_array_equal(v.numpy(), [0.5, 1.0])
    assert (opt.step_counter.numpy(), opt.dynamic_scale.numpy()) == (1, 8.0)
    opt.apply([tf.constant([0.0, 0.0])], [v])  # second finite step: the scale doubles, the counter restarts
    assert (opt.step_counter.numpy(), opt.dynamic_scale.numpy()) == (0, 16.0)
    assert opt.iterations.numpy() == 2 and opt.learning_rate.numpy() == np.float32(0.5)


def test_loss_scale_optimizer_skips_non_finite_steps():
    v, opt = _wrapped_sgd(initial_scale=8.0)
    opt.apply([tf.constant([np.inf, 1.0])], [v])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])  # no update at all
    assert (opt.iterations.numpy(), opt.step_counter.numpy(), opt.dynamic_scale.numpy()) == (0, 0, 4.0)
    opt.apply([tf.constant([np.nan, 1.0])], [v])
    assert opt.dynamic_scale.numpy() == 2.0


def test_loss_scale_optimizer_traced_matches_eager():
    results = []
    for traced in (False, True):
        v, opt = _wrapped_sgd(initial_scale=4.0, dynamic_growth_steps=2)

        def step(g):
            opt.apply([g], [v])
        run = tf.function(step) if traced else step
        for g in ([4.0, 4.0], [np.inf, 0.0], [2.0, 2.0], [2.0, 2.0]):
            run(tf.constant(g, tf.float32))
        results.append((v.numpy().tolist(), int(opt.iterations.numpy()), float(opt.dynamic_scale.numpy())))
    assert results[0] == results[1] == ([-0.5, 0.5], 3, 4.0)


def test_loss_scale_optimizer_config_and_refusals():
    opt = mixed_precision.LossScaleOptimizer(keras.optimizers.Adam(0.01), initial_scale=64.0)
    config = keras.optimizers.serialize(opt)
    again = keras.optimizers.deserialize(json.loads(json.dumps(config)))
    assert isinstance(again, mixed_precision.LossScaleOptimizer) and again.initial_scale == 64.0
    assert isinstance(again.inner_optimizer, keras.optimizers.Adam)
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="dynamic=False"):
        mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(), dynamic=False)


def test_mixed_model_saves_and_loads(mixed, tmp_path):
    model = keras.Sequential([layers.Input((4,)), layers.Dense(3), layers.Activation("softmax", dtype="float32")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(X, LABELS, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].dtype_policy.name == "mixed_float16"
    assert isinstance(loaded.optimizer, mixed_precision.LossScaleOptimizer)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_normalization_layers_compute_in_float32_under_mixed(mixed):
    bn, ln = layers.BatchNormalization(), layers.LayerNormalization()
    x = tf.constant(X * 300.0)  # float16 squares of these overflow; float32 ones do not
    out = bn(x, training=True)
    assert out.dtype == tf.float16 and np.isfinite(out.numpy()).all()
    assert bn.moving_mean.dtype == tf.float32 and np.isfinite(bn.moving_variance.numpy()).all()
    assert ln(x).dtype == tf.float16 and np.isfinite(ln(x).numpy()).all()


def test_recurrent_and_conv_layers_train_mixed(mixed):
    seq = RNG.integers(1, 20, size=(16, 6))
    model = keras.Sequential([layers.Input((6,)), layers.Embedding(20, 4, mask_zero=True), layers.LSTM(5),
                              layers.Dense(1, dtype="float32")])
    model.compile(optimizer="adam", loss="mse")
    assert np.isfinite(model.fit(seq, RNG.random((16, 1)), epochs=1, verbose=0).history["loss"]).all()
    images = RNG.random((8, 6, 6, 3)).astype(np.float32)
    cnn = keras.Sequential([layers.Input((6, 6, 3)), layers.Conv2D(2, 3), layers.BatchNormalization(),
                            layers.GlobalAveragePooling2D(), layers.Dense(2, dtype="float32")])
    cnn.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert np.isfinite(cnn.fit(images, np.arange(8) % 2, epochs=1, verbose=0).history["loss"]).all()
