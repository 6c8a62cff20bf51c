"""Legacy whole-model ``.h5`` files cross between TF 2.21's Keras 3.15 and minitf, both ways.

(Keras 3.15 itself cannot reload an ``.h5`` file whose loss was given as a string such as "mae" --
"Could not deserialize 'keras.metrics.mae'" -- nor fit a model it reloaded from one ("Unknown
variable": it builds the reloaded optimizer on no variables, so the optimizer state is never restored);
so these files use loss objects, and TF's side predicts and the file's optimizer state is read directly.)
"""
import json

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

RNG = np.random.default_rng(2)
X = RNG.normal(size=(24, 3)).astype(np.float32)
Y = X.sum(1, keepdims=True)


def _sequential(fw):
    k = fw.keras
    model = k.Sequential([k.layers.Dense(4, activation="relu"), k.layers.BatchNormalization(), k.layers.Dense(1)])
    model.compile(optimizer="adam", loss=k.losses.MeanAbsoluteError(), metrics=["mae", k.metrics.MeanSquaredError()])
    model.fit(X, Y, batch_size=8, epochs=2, verbose=0)
    return model


def _functional(fw):
    k = fw.keras
    inputs = k.Input((3,), name="x")
    hidden = k.layers.Dense(5, activation="tanh", name="d1")(inputs)
    model = k.Model(inputs, k.layers.Dense(2, name="d2")(hidden))
    model.compile(optimizer=k.optimizers.SGD(0.1, momentum=0.9), loss=k.losses.mse)
    model.fit(X, np.c_[Y, -Y], batch_size=8, epochs=1, verbose=0)
    return model


def _state(model):
    return ([w for w in model.get_weights()], [np.asarray(v.numpy()) for v in model.optimizer.variables],
            type(model.optimizer).__name__)


def _same_state(a, b):
    assert a[2] == b[2]
    assert len(a[0]) == len(b[0]) and len(a[1]) == len(b[1])
    for x, y in zip(a[0] + a[1], b[0] + b[1]):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("make", [_sequential, _functional])
def test_tf_file_loads_in_minitf(tf, mtf, tmp_path, make):
    model = make(tf)
    model.save(str(tmp_path / "tf.h5"))
    loaded = mtf.keras.models.load_model(str(tmp_path / "tf.h5"))
    assert type(loaded).__name__ == type(model).__name__
    _same_state(_state(loaded), _state(model))
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [_sequential, _functional])
def test_minitf_file_loads_in_tf(tf, mtf, tmp_path, make):
    model = make(mtf)
    model.save(str(tmp_path / "minitf.h5"))
    loaded = tf.keras.models.load_model(str(tmp_path / "minitf.h5"))
    assert type(loaded).__name__ == type(model).__name__
    assert type(loaded.optimizer).__name__ == type(model.optimizer).__name__
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Keras 3.15 builds the reloaded optimizer on the model's *own* variables (none), so it never restores
    # the state of any .h5 file, its own included; the state is in the file, as Keras writes it:
    with h5py.File(tmp_path / "minitf.h5") as f:
        group = f["optimizer_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        assert len(names) == len(model.optimizer.variables)
        for name, v in zip(names, model.optimizer.variables):
            np.testing.assert_array_equal(group[name][()], v.numpy())
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)


def test_files_have_the_same_layout(tf, mtf, tmp_path):
    def layout(fw):
        fw.keras.backend.clear_session()
        path = tmp_path / f"{fw.__name__}.h5"
        _sequential(fw).save(str(path))
        with h5py.File(path) as f:
            config = json.loads(f.attrs["model_config"])
            layers = [(entry["class_name"], sorted(entry)) for entry in config["config"]["layers"]]
            training = json.loads(f.attrs["training_config"])
            weights = f["model_weights"]
            names = [n.decode() if isinstance(n, bytes) else n for n in weights.attrs["layer_names"]]
            per_layer = {n: [w.split("/")[-1] for w in (x.decode() if isinstance(x, bytes) else x
                                                        for x in weights[n].attrs["weight_names"])] for n in names}
            return (sorted(f.attrs), f.attrs["keras_version"], config["class_name"], layers, sorted(training),
                    training["optimizer_config"], names, per_layer, sorted(weights),
                    len(f["optimizer_weights"].attrs["weight_names"]))
    assert layout(mtf) == layout(tf)
