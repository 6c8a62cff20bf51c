"""tf.saved_model under TensorFlow and minitf: the same code saves, loads and calls alike.

Each scenario takes the framework module and a directory and returns what a user observes of
the loaded object: results of its functions, its signatures (keys, input names, output keys),
which calls are refused, and how a saved training step trains on. The two frameworks write
different files (TF: protocol buffers; minitf: JSON and NumPy arrays); what is compared is what
loading gives back.
"""
from __future__ import annotations

import numpy as np
import pytest

from parity_tests.harness import assert_close


def _modules(tf):
    class Dense(tf.Module):
        def __init__(self, n_in, n_out, seed, name=None):
            super().__init__(name=name)
            rng = np.random.default_rng(seed)
            self.w = tf.Variable(rng.normal(size=(n_in, n_out)).astype("float32"), name="w")
            self.b = tf.Variable(np.full(n_out, 0.1, "float32"), name="b")

        @tf.function
        def __call__(self, x):
            return tf.nn.relu(x @ self.w + self.b)

    class Sequential(tf.Module):
        def __init__(self):
            super().__init__()
            self.layers = [Dense(3, 4, 0), Dense(4, 2, 1)]
            self.calls = tf.Variable(0, trainable=False)

        @tf.function
        def __call__(self, x):
            self.calls.assign_add(1)
            for layer in self.layers:
                x = layer(x)
            return x

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def scale(self, x):
            return {"doubled": x * 2.0, "halved": x / 2.0}

    return Sequential


def module_round_trip(tf, path):
    model = _modules(tf)()
    x = np.arange(6, dtype="float32").reshape(2, 3)
    model(x[:1])
    model(x)
    tf.saved_model.save(model, path)
    loaded = tf.saved_model.load(path)
    refused = []
    for bad in (np.ones((3,), "float32"), np.ones((1, 3), "int32"), np.ones((5, 3), "float32")):
        try:
            loaded(bad)
            refused.append(None)
        except ValueError:
            refused.append("ValueError")
    signature = loaded.signatures["serving_default"]
    return {"outputs": [loaded(x[:1]), loaded(tf.constant(x)), loaded([[1.0, 2.0, 3.0]])],
            "scale": loaded.scale(tf.constant([1.0, 3.0])),
            "calls": int(loaded.calls.numpy()),
            "w": loaded.layers[0].w.numpy(),
            "refused": refused,
            "signatures": sorted(loaded.signatures),
            "signature_inputs": sorted(signature.structured_input_signature[1]),
            "signature_outputs": sorted(signature.structured_outputs),
            "signature_call": signature(x=tf.constant([4.0]))}


def signature_rules(tf, path):
    class NoSignature(tf.Module):
        @tf.function
        def f(self, x):
            return x + 1

    class TwoSignatures(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            return x + 1

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def g(self, x):
            return x * 3

    keys = {}
    m = NoSignature()
    m.f(tf.constant(1.0))
    tf.saved_model.save(m, f"{path}/a")
    keys["none"] = sorted(tf.saved_model.load(f"{path}/a").signatures)
    tf.saved_model.save(TwoSignatures(), f"{path}/b")
    keys["two"] = sorted(tf.saved_model.load(f"{path}/b").signatures)
    two = TwoSignatures()
    tf.saved_model.save(two, f"{path}/c", signatures={"plus": two.f, "times": two.g.get_concrete_function()})
    loaded = tf.saved_model.load(f"{path}/c")
    keys["explicit"] = sorted(loaded.signatures)
    keys["explicit_call"] = [loaded.signatures["plus"](x=tf.constant(2.0))["output_0"],
                             loaded.signatures["times"](tf.constant(2.0))["output_0"]]
    return keys


def training_step_trains_on(tf, path):
    class Trainer(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[0.5], [-0.3]])
            self.b = tf.Variable([0.1])
            self.optimizer = tf.keras.optimizers.Adam(0.1)

        @tf.function(input_signature=[tf.TensorSpec([None, 2]), tf.TensorSpec([None, 1])])
        def train(self, x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((x @ self.w + self.b - y) ** 2)
            grads = tape.gradient(loss, [self.w, self.b])
            self.optimizer.apply_gradients(zip(grads, [self.w, self.b]))
            return loss

    rng = np.random.default_rng(0)
    x = rng.random((16, 2), dtype=np.float32)
    y = x @ np.array([[1.0], [2.0]], np.float32)
    trainer = Trainer()
    before = [trainer.train(x, y) for _ in range(3)]
    tf.saved_model.save(trainer, path)
    loaded = tf.saved_model.load(path)
    after = [loaded.train(x, y) for _ in range(4)]
    return {"before": before, "after": after, "w": loaded.w.numpy(), "b": loaded.b.numpy()}


def keras_export(tf, path):
    layers = tf.keras.layers
    model = tf.keras.Sequential([tf.keras.Input((6, 6, 2)), layers.Conv2D(3, 3, activation="relu"),
                                 layers.MaxPool2D(), layers.Flatten(), layers.Dense(2)])
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    x = rng.random((4, 6, 6, 2), dtype=np.float32)
    model.export(path, verbose=False)
    loaded = tf.saved_model.load(path)
    signature = loaded.signatures["serving_default"]
    return {"serve": loaded.serve(x), "signatures": sorted(loaded.signatures),
            "signature_outputs": sorted(signature.structured_outputs),
            "signature_call": signature(**{next(iter(signature.structured_input_signature[1])): x})["output_0"]}


SCENARIOS = [module_round_trip, signature_rules, training_step_trains_on, keras_export]


def _compare(name: str, expected, actual) -> None:
    if isinstance(expected, dict):
        assert set(expected) == set(actual), f"{name}: keys differ: {set(expected)} vs {set(actual)}"
        for key in expected:
            _compare(f"{name}.{key}", expected[key], actual[key])
    elif isinstance(expected, (list, tuple)):
        assert len(expected) == len(actual), f"{name}: {len(expected)} vs {len(actual)} items"
        for i, (e, a) in enumerate(zip(expected, actual)):
            _compare(f"{name}[{i}]", e, a)
    elif isinstance(expected, (int, str, type(None))):
        assert expected == actual, f"{name}: tf {expected!r}, minitf {actual!r}"
    else:
        assert_close(name, expected, actual, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_saved_model_scenario_matches_tf(tf, mtf, scenario, tmp_path):
    _compare(scenario.__name__, scenario(tf, str(tmp_path / "tf")), scenario(mtf, str(tmp_path / "minitf")))
