"""Legacy whole-model ``.h5`` files (``model.save("m.h5")``), Keras 3.15's legacy_h5_format layout.

TF parity (files crossing both ways): parity_tests/test_legacy_h5_parity.py.
"""
import json

import numpy as np
import pytest

import minitf as tf
from minitf.keras.saving import SavedModelError

h5py = pytest.importorskip("h5py")
keras = tf.keras
layers = tf.keras.layers
RNG = np.random.default_rng(7)
X = RNG.normal(size=(24, 3)).astype(np.float32)
Y = X.sum(1, keepdims=True)


def _sequential():
    model = keras.Sequential([layers.Dense(4, activation="relu"), layers.BatchNormalization(), layers.Dense(1)])
    model.compile(optimizer="adam", loss=keras.losses.MeanAbsoluteError(),
                  metrics=["mae", keras.metrics.MeanSquaredError()])
    model.fit(X, Y, batch_size=8, epochs=2, verbose=0)
    return model


def _functional():
    inputs = keras.Input((3,), name="x")
    hidden = layers.Dense(5, activation="tanh", name="d1")(inputs)
    model = keras.Model(inputs, layers.Dense(2, name="d2")(hidden))
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss=keras.losses.mse)
    model.fit(X, np.c_[Y, -Y], batch_size=8, epochs=1, verbose=0)
    return model


def test_file_layout_is_keras_legacy_h5(tmp_path):
    keras.backend.clear_session()  # the automatic layer names start again: dense, batch_normalization ...
    model = _sequential()
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        assert f.attrs["keras_version"] == "3.15.1" and f.attrs["backend"] == "tensorflow"
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Sequential"
        assert [entry["class_name"] for entry in config["config"]["layers"]] == \
            ["InputLayer", "Dense", "BatchNormalization", "Dense"]
        assert set(config["config"]["layers"][1]) == {"class_name", "config"}  # Keras 2's short form
        training = json.loads(f.attrs["training_config"])
        assert training["optimizer_config"]["class_name"] == "Adam"
        assert training["loss"] == {"class_name": "MeanAbsoluteError", "config": training["loss"]["config"]}
        weights = f["model_weights"]
        assert [n.decode() if isinstance(n, bytes) else n for n in weights.attrs["layer_names"]] == \
            ["dense", "batch_normalization", "dense_1"]
        bn = weights["batch_normalization"]
        names = [n.decode() if isinstance(n, bytes) else n for n in bn.attrs["weight_names"]]
        assert [n.split("/")[-1] for n in names] == ["gamma", "beta", "moving_mean", "moving_variance"]
        np.testing.assert_array_equal(bn[names[2]][()], model.layers[1].moving_mean.numpy())
        assert len(f["optimizer_weights"].attrs["weight_names"]) == len(model.optimizer.variables)


@pytest.mark.parametrize("make", [_sequential, _functional])
def test_round_trip_resumes_training_identically(tmp_path, make):
    model = make()
    model.save(tmp_path / "m.h5")
    loaded = keras.models.load_model(tmp_path / "m.h5")
    assert type(loaded).__name__ == type(model).__name__
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert loaded.optimizer.iterations.numpy() == model.optimizer.iterations.numpy()
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    target = Y if make is _sequential else np.c_[Y, -Y]
    h1 = model.fit(X, target, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    h2 = loaded.fit(X, target, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    if "mae" in h1:  # as Keras: the file stores "mae", loading makes it the function mean_absolute_error
        h1["mean_absolute_error"] = h1.pop("mae")
    assert h1 == h2


def test_uncompiled_and_without_optimizer(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.save(tmp_path / "plain.hdf5")
    with h5py.File(tmp_path / "plain.hdf5") as f:
        assert "training_config" not in f.attrs and "optimizer_weights" not in f
    with pytest.warns(UserWarning, match="No training configuration"):
        loaded = keras.models.load_model(tmp_path / "plain.hdf5")
    assert not getattr(loaded, "compiled", False)
    trained = _sequential()
    trained.save(tmp_path / "noopt.h5", include_optimizer=False)
    loaded = keras.models.load_model(tmp_path / "noopt.h5", compile=False)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), trained.predict(X, verbose=0))


def test_load_weights_from_a_whole_model_h5(tmp_path):
    model = _functional()
    model.save(tmp_path / "m.h5")
    fresh = keras.models.clone_model(model)
    fresh.load_weights(tmp_path / "m.h5")
    np.testing.assert_array_equal(fresh.predict(X, verbose=0), model.predict(X, verbose=0))


def test_bad_files_are_refused_clearly_and_change_nothing(tmp_path):
    model = _functional()
    path = tmp_path / "m.h5"
    model.save(path)
    with h5py.File(path, "a") as f:  # a weight of the wrong shape
        group = f["model_weights"]["d2"]
        name = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]][0]
        del group[name]
        group.create_dataset(name, data=np.zeros((7, 2), np.float32))
    fresh = keras.models.clone_model(model)
    before = fresh.get_weights()
    with pytest.raises(ValueError, match="Shape mismatch"):
        fresh.load_weights(path)
    for a, b in zip(before, fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    (tmp_path / "junk.h5").write_bytes(b"not an hdf5 file at all")
    with pytest.raises(SavedModelError, match="not a readable HDF5 file"):
        keras.models.load_model(tmp_path / "junk.h5")
    with h5py.File(tmp_path / "noconfig.h5", "w") as f:
        f.create_group("model_weights")
    with pytest.raises(SavedModelError, match="No model config"):
        keras.models.load_model(tmp_path / "noconfig.h5")
    with h5py.File(tmp_path / "noweights.h5", "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": model_config_of(model)})
    with pytest.raises(SavedModelError, match="no group 'model_weights'"):
        keras.models.load_model(tmp_path / "noweights.h5")
    linked = tmp_path / "linked.h5"
    model.save(linked)
    with h5py.File(linked, "a") as f:  # a weight that points elsewhere (here: /etc/passwd's would-be twin)
        group = f["model_weights"]["d1"]
        name = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]][0]
        del group[name]
        group[name] = h5py.ExternalLink("/etc/passwd", "/data")
    with pytest.raises(SavedModelError, match="is an? ExternalLink: weights files never hold links, refused"):
        keras.models.load_model(linked)


def model_config_of(model):
    seq = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    return json.loads(json.dumps(seq.get_config()))


def test_save_refuses_other_extensions_and_keeps_overwrite_false(tmp_path):
    model = _functional()
    with pytest.raises(ValueError, match="`.h5` extension"):
        model.save(tmp_path / "m.pkl")
    model.save(tmp_path / "m.h5")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.h5", overwrite=False)
