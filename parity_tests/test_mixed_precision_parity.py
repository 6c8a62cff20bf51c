"""Mixed precision beside TF 2.21 / Keras 3.15: policies, dtypes, autocast values, loss scaling, a mixed fit."""
import numpy as np
import pytest

RNG = np.random.default_rng(11)
X = RNG.normal(size=(16, 4)).astype(np.float32)
LABELS = (np.arange(16) % 3).astype(np.int64)


@pytest.fixture
def both_mixed(tf, mtf):
    for fw in (tf, mtf):
        fw.keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        for fw in (tf, mtf):
            fw.keras.mixed_precision.set_global_policy("float32")


def _model(fw):
    layers = fw.keras.layers
    inputs = layers.Input((4,))
    x = layers.Dense(8, activation="relu")(inputs)
    x = layers.Dense(3)(x)
    outputs = layers.Activation("softmax", dtype="float32")(x)
    return fw.keras.Model(inputs, outputs)


def _describe(fw):
    model = _model(fw)
    return {"global": repr(fw.keras.mixed_precision.global_policy()),
            "layers": [(layer.dtype, repr(layer.dtype_policy), layer.compute_dtype, layer.variable_dtype)
                       for layer in model.layers],
            "output": fw.convert_to_tensor(model(X)).dtype.name,
            "dense_out": model.layers[1](X).dtype.name,
            "kernel": str(np.dtype(model.layers[1].kernel.numpy().dtype)),
            "policy_config": model.layers[1].get_config()["dtype"]}


def test_policies_and_dtypes_match(tf, mtf, both_mixed):
    assert _describe(mtf) == _describe(tf)


def test_policy_objects_match(tf, mtf):
    for name in ("mixed_float16", "float32", "float64", "float16"):
        ours, theirs = mtf.keras.mixed_precision.Policy(name), tf.keras.mixed_precision.Policy(name)
        assert (repr(ours), ours.compute_dtype, ours.variable_dtype, ours.get_config()) == \
            (repr(theirs), theirs.compute_dtype, theirs.variable_dtype, theirs.get_config())


def test_mixed_dense_values_match(tf, mtf, both_mixed):
    outs = []
    for fw in (tf, mtf):
        dense = fw.keras.layers.Dense(5, activation="relu")
        dense.build((None, 4))
        dense.set_weights([np.linspace(-1, 1, 20, dtype=np.float32).reshape(4, 5), np.full(5, 0.1, np.float32)])
        out = dense(X)
        assert fw.convert_to_tensor(out).dtype.name == "float16"
        outs.append(np.asarray(out).astype(np.float32))
    np.testing.assert_allclose(outs[1], outs[0], rtol=2e-3, atol=2e-3)  # float16 sums: order may differ


def _loss_scale_run(fw):
    v = fw.Variable([1.0, 2.0])
    opt = fw.keras.mixed_precision.LossScaleOptimizer(fw.keras.optimizers.SGD(0.25), initial_scale=8.0,
                                                      dynamic_growth_steps=2)
    seen = [float(np.asarray(opt.scale_loss(fw.constant(1.5))))]
    for g in ([8.0, 16.0], [np.inf, 1.0], [4.0, 4.0], [2.0, 0.5], [np.nan, 0.0], [1.0, 1.0]):
        opt.apply([fw.constant(np.array(g, np.float32))], [v])
        seen.append((np.asarray(v.numpy()).tolist(), int(opt.iterations.numpy()), float(opt.dynamic_scale.numpy()),
                     int(opt.step_counter.numpy())))
    return seen, [tuple(np.asarray(w.numpy()).shape) for w in opt.variables], len(opt.variables)


def test_loss_scale_optimizer_steps_match(tf, mtf):
    assert _loss_scale_run(mtf) == _loss_scale_run(tf)


def _mixed_fit(fw):
    fw.keras.utils.set_random_seed(0)
    model = _model(fw)
    model.set_weights([np.linspace(-0.5, 0.5, w.size, dtype=np.float32).reshape(w.shape) for w in model.get_weights()])
    model.compile(optimizer=fw.keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(X, LABELS, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    opt = model.optimizer
    return (type(opt).__name__, int(opt.iterations.numpy()), float(opt.dynamic_scale.numpy()),
            history, model.get_weights())


def test_mixed_fit_matches(tf, mtf, both_mixed):
    ours, theirs = _mixed_fit(mtf), _mixed_fit(tf)
    assert ours[:3] == theirs[:3]
    np.testing.assert_allclose(ours[3]["loss"], theirs[3]["loss"], rtol=2e-3)
    assert ours[3]["accuracy"] == theirs[3]["accuracy"]
    for a, b in zip(ours[4], theirs[4]):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=5e-3, atol=5e-4)
