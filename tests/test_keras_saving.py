"""Saving and loading: exact round trips (predictions and resumed training), atomic writes, and clear
errors for missing, truncated, corrupted, foreign and newer-format files."""
import json
import os
import zipfile

import numpy as np
import pytest

import minitf as tf

keras = tf.keras
layers = tf.keras.layers
RNG = np.random.default_rng(3)
X = RNG.normal(size=(40, 3)).astype(np.float32)
Y = (X @ np.array([[1.0], [-1.0], [2.0]], np.float32) > 0).astype(np.float32)


def trained_model(epochs=2):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    return model


def test_round_trip_predictions_are_bit_identical(tmp_path):
    model = trained_model()
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert loaded.compiled and type(loaded.optimizer).__name__ == "Adam"
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.npz", "optimizer.npz"]
        config = json.loads(archive.read("config.json"))
    assert config["class_name"] == "Sequential"


def test_resumed_training_matches_uninterrupted_training(tmp_path):
    a = trained_model(epochs=2)
    a.save(tmp_path / "a.keras")
    b = keras.models.load_model(tmp_path / "a.keras")
    assert int(b.optimizer.iterations.numpy()) == int(a.optimizer.iterations.numpy()) == 10
    ha = a.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    hb = b.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert ha.history == hb.history
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)  # Adam's moments and step count were restored


def test_functional_and_subclassed_round_trips(tmp_path):
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    h = layers.Dense(4, activation="tanh")(layers.Concatenate()([a, b]))
    model = keras.Model([a, b], [layers.Dense(1)(h), layers.Dense(2, activation="softmax")(h)])
    model.save(tmp_path / "f.keras")
    loaded = keras.models.load_model(tmp_path / "f.keras")
    xa, xb = RNG.normal(size=(5, 2)).astype(np.float32), RNG.normal(size=(5, 3)).astype(np.float32)
    for p, q in zip(model.predict([xa, xb], verbose=0), loaded.predict([xa, xb], verbose=0)):
        np.testing.assert_array_equal(p, q)

    @keras.saving.register_keras_serializable(package="tests")
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    seq = keras.Sequential([keras.Input((2,)), Scale(3.0), layers.Dense(1)])
    seq.save(tmp_path / "s.keras")
    loaded = keras.models.load_model(tmp_path / "s.keras")
    assert isinstance(loaded.layers[0], Scale) and loaded.layers[0].factor == 3.0
    np.testing.assert_array_equal(loaded.predict(xa, verbose=0), seq.predict(xa, verbose=0))


def test_custom_objects_are_needed_for_unregistered_classes(tmp_path):
    class Double(layers.Layer):
        def call(self, x):
            return x * 2.0

    model = keras.Sequential([keras.Input((2,)), Double(), layers.Dense(1)])
    model.save(tmp_path / "d.keras")
    with pytest.raises(TypeError, match="Could not locate class 'Double'.*custom_objects"):
        keras.models.load_model(tmp_path / "d.keras")
    loaded = keras.models.load_model(tmp_path / "d.keras", custom_objects={"Double": Double})
    x = np.ones((1, 2), np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_save_and_load_weights(tmp_path):
    model = trained_model()
    model.save_weights(tmp_path / "w.weights.h5")
    other = keras.models.clone_model(model)
    assert not np.array_equal(other.get_weights()[0], model.get_weights()[0])  # fresh weights
    other.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))
    with pytest.raises(ValueError, match=r"must end in `.weights.h5`"):
        model.save_weights(tmp_path / "w.bin")


def test_failed_load_weights_changes_nothing(tmp_path):
    big = keras.Sequential([keras.Input((3,)), layers.Dense(9), layers.Dense(1)])
    big.save_weights(tmp_path / "big.weights.npz")
    small = keras.Sequential([keras.Input((3,)), layers.Dense(8), layers.Dense(1)])
    before = small.get_weights()
    with pytest.raises(ValueError, match=r"weight 'dense.*/kernel' has shape \(3, 8\), the file's array has shape \(3, 9\)"):
        small.load_weights(tmp_path / "big.weights.npz")
    for a, b in zip(before, small.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_save_is_atomic_when_the_writer_fails(tmp_path, monkeypatch):
    from minitf.keras.saving import saving_lib
    model = trained_model(epochs=1)
    path = tmp_path / "m.keras"
    model.save(path)
    original = path.read_bytes()
    real = saving_lib._write_entries

    def crash_midway(archive, entries):
        real(archive, entries[:1])  # one entry written, then the "crash"
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(saving_lib, "_write_entries", crash_midway)
    model.fit(X, Y, epochs=1, verbose=0)
    with pytest.raises(OSError, match="simulated"):
        model.save(path)
    assert path.read_bytes() == original  # the previous file is intact
    assert os.listdir(tmp_path) == ["m.keras"]  # and no temporary file is left behind
    monkeypatch.setattr(saving_lib, "_write_entries", real)
    keras.models.load_model(path)


def test_missing_truncated_and_corrupted_files(tmp_path):
    model = trained_model(epochs=1)
    good = tmp_path / "good.keras"
    model.save(good)
    data = good.read_bytes()
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(tmp_path / "absent.keras")
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"truncated\.keras.*(not a zip archive|corrupted|truncated)"):
        keras.models.load_model(truncated)
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty file"):
        keras.models.load_model(empty)
    # Flip bytes inside the compressed weights: the zip's CRC check catches it.
    corrupted = tmp_path / "corrupted.keras"
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("model.weights.npz")
    raw = bytearray(data)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + 40):
        raw[i] ^= 0xFF
    corrupted.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"corrupted\.keras.*corrupted"):
        keras.models.load_model(corrupted)


def test_foreign_and_newer_files(tmp_path):
    text = tmp_path / "notes.keras"
    text.write_text("hello, I am a text file")
    with pytest.raises(ValueError, match="not a minitf model file: it is not a zip archive"):
        keras.models.load_model(text)
    foreign = tmp_path / "other.keras"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("readme.txt", "some other program's zip")
    with pytest.raises(ValueError, match="not a minitf model file: it has no metadata.json"):
        keras.models.load_model(foreign)
    keras_like = tmp_path / "keras.keras"
    with zipfile.ZipFile(keras_like, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        archive.writestr("config.json", "{}")
    with pytest.raises(ValueError, match="written by Keras itself"):
        keras.models.load_model(keras_like)
    hdf5 = tmp_path / "w.weights.h5"
    hdf5.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(ValueError, match="HDF5 file"):
        keras.Sequential([keras.Input((1,)), layers.Dense(1)]).load_weights(hdf5)
    model = trained_model(epochs=1)
    newer = tmp_path / "newer.keras"
    model.save(newer)
    with zipfile.ZipFile(newer) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(entries["metadata.json"])
    meta["format_version"] = 99
    entries["metadata.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(newer, "w") as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    with pytest.raises(ValueError, match=r"newer minitf \(file format version 99; this minitf reads up to version 1\)"):
        keras.models.load_model(newer)


def test_weights_only_file_is_not_a_model(tmp_path):
    model = trained_model(epochs=1)
    model.save_weights(tmp_path / "w.weights.npz")
    with pytest.raises(ValueError, match="holds weights only"):
        keras.models.load_model(tmp_path / "w.weights.npz")


def test_lambda_with_a_python_lambda_cannot_be_saved_but_a_named_function_can(tmp_path):
    model = keras.Sequential([keras.Input((2,)), layers.Lambda(lambda t: t * 2)])
    with pytest.raises(ValueError, match="lambda cannot be saved"):
        model.save(tmp_path / "l.keras")
    assert not os.path.exists(tmp_path / "l.keras")

    def double(t):
        return t * 2

    named = keras.Sequential([keras.Input((2,)), layers.Lambda(double)])
    named.save(tmp_path / "n.keras")
    with pytest.raises(ValueError, match="Unknown function 'double'"):
        keras.models.load_model(tmp_path / "n.keras")
    loaded = keras.models.load_model(tmp_path / "n.keras", custom_objects={"double": double})
    np.testing.assert_array_equal(loaded.predict(np.ones((1, 2)), verbose=0), [[2.0, 2.0]])


def test_saving_needs_the_keras_extension(tmp_path):
    with pytest.raises(ValueError, match="`.keras` extension"):
        trained_model(epochs=1).save(tmp_path / "model.h5")


def test_json_round_trip_and_clone(tmp_path):
    model = trained_model(epochs=1)
    rebuilt = keras.models.model_from_json(model.to_json())
    assert [w.shape for w in rebuilt.get_weights()] == [w.shape for w in model.get_weights()]
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(X, verbose=0), model.predict(X, verbose=0))
