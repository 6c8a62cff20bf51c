"""Saving and loading in Keras 3's own files, within minitf (parity_tests/test_saving.py crosses to TF).

- every class minitf exports round-trips (parametrized from what minitf's modules export), and so do
  nested models, wrappers, shared layers and multi-input/multi-output models: identical predictions
  and an identical next training step;
- the files have Keras's layout; minitf's own older files still load;
- bad files (missing, truncated, corrupted, foreign, hostile, oversized) get one clear error, within
  bounded memory, and loading never runs code from a file unless asked to (safe_mode=False);
- files behave like files: atomic saves (also under kill -9), open()'s mode, writes through symlinks,
  no temporaries left behind.
"""
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

import minitf as tf
from minitf.keras.saving import saving_lib
from tests import saving_examples as ex

h5py = pytest.importorskip("h5py")

keras = tf.keras
layers = tf.keras.layers
RNG = np.random.default_rng(3)
X = RNG.normal(size=(40, 3)).astype(np.float32)
Y = (X @ np.array([[1.0], [-1.0], [2.0]], np.float32) > 0).astype(np.float32)
DATA = os.path.join(os.path.dirname(__file__), "data")


def trained_model(epochs=2):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    return model


def _arrays(values):
    if isinstance(values, dict):
        return [np.asarray(values[k]) for k in sorted(values)]
    if isinstance(values, (list, tuple)):
        return [np.asarray(v) for v in values]
    return [np.asarray(values)]


def assert_identical(a, b):
    for x, y in zip(_arrays(a), _arrays(b), strict=True):
        np.testing.assert_array_equal(x, y)


def assert_same_next_step(a, b, x, y, optimizer=None):
    """One more training step on both models gives the same weights, bit for bit."""
    for model in (a, b):
        if optimizer is not None:
            model.compile(optimizer=optimizer(), loss="mse")
        model.fit(x, y, batch_size=len(_arrays(x)[0]), epochs=1, shuffle=False, verbose=0)
    assert_identical(a.get_weights(), b.get_weights())


# ===================================================================== every exported class
@pytest.mark.parametrize("family,name", ex.exported_classes(), ids=lambda v: v)
def test_every_exported_class_round_trips(tmp_path, family, name):
    rng = np.random.default_rng(0)
    path = str(tmp_path / f"{name}.keras")
    if family != "layers":
        obj = ex.OBJECTS[family][name](ex.module_of(tf, family))
        x, y = ex.object_data(family, name, rng)
        model = ex.object_model(tf, family, obj)
        if name not in ex.COMPILE_ONLY:
            model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        model.save(path)
        loaded = keras.models.load_model(path)
        assert ex.held_config(loaded, family) == ex.held_config(model, family)
        assert_identical(model.get_weights(), loaded.get_weights())
        assert_identical(model.optimizer.get_state(), loaded.optimizer.get_state())
        if name not in ex.COMPILE_ONLY:
            assert_identical(model.evaluate(x, y, verbose=0), loaded.evaluate(x, y, verbose=0))
            assert_same_next_step(model, loaded, x, y)
        return
    example = ex.LAYERS[name]
    data = example.batch(rng)
    if ex.is_string_layer(example):  # minitf's models take no strings: the layer is the saved object
        layer = example.make(layers)
        if example.adapt is not None:
            layer.adapt(example.adapt)
        saving_lib.save_model(layer, path)
        loaded = keras.models.load_model(path)
        assert loaded.get_config() == layer.get_config()
        if hasattr(layer, "get_vocabulary"):  # the lookups (Hashing has no vocabulary)
            assert loaded.get_vocabulary() == layer.get_vocabulary()
        assert_identical(loaded(data), layer(data))
        return
    model = ex.layer_model(tf, name, example)
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"_double": ex._double} if name == "Lambda" else None)
    assert [layer.get_config() for layer in loaded.layers] == [layer.get_config() for layer in model.layers]
    assert_identical(model.get_weights(), loaded.get_weights())
    assert_identical(model(data, training=False), loaded(data, training=False))
    if example.trains:
        target = [np.zeros_like(p) for p in _arrays(model(data, training=False))]
        assert_same_next_step(model, loaded, data, target if len(target) > 1 else target[0],
                              optimizer=lambda: keras.optimizers.SGD(0.1))


def test_the_registry_covers_every_export():
    """A class minitf starts exporting needs an example here (else its round trip goes untested)."""
    missing = [(f, n) for f, n in ex.exported_classes()
               if (n not in ex.LAYERS if f == "layers" else n not in ex.OBJECTS.get(f, {}))]
    assert not missing
    assert len(ex.exported_classes()) >= 130


# =============================================================== nestings, wrappers, sharing
def _seq_in_seq():
    block = keras.Sequential([layers.Dense(5, activation="relu"), layers.Dense(3)], name="augment")
    return keras.Sequential([keras.Input((4,)), block, layers.Dense(1)])


def _seq_in_functional():
    block = keras.Sequential([layers.Dense(5, activation="relu"), layers.Dense(3)])
    x = keras.Input((4,))
    return keras.Model(x, layers.Dense(1)(block(x)))


def _functional_in_seq():
    x = keras.Input((4,))
    inner = keras.Model(x, layers.Dense(3)(layers.Dense(5, activation="tanh")(x)))
    return keras.Sequential([keras.Input((4,)), inner, layers.Dense(1)])


def _functional_in_functional():
    x = keras.Input((4,))
    inner = keras.Model(x, layers.Dense(3, activation="relu")(x), name="inner")
    outer_in = keras.Input((4,))
    return keras.Model(outer_in, layers.Dense(1)(inner(outer_in)))


def _three_deep():
    innermost = keras.Sequential([layers.Dense(4, activation="relu")], name="innermost")
    middle = keras.Sequential([innermost, layers.Dense(3)], name="middle")
    return keras.Sequential([keras.Input((4,)), middle, layers.Dense(1)])


def _shared_layer():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    shared = layers.Dense(3, activation="tanh", name="shared")
    return keras.Model([a, b], layers.Dense(1)(layers.Add()([shared(a), shared(b)])))


def _multi_in_out():
    a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
    h = layers.Concatenate()([layers.Dense(3)(a), b])
    return keras.Model([a, b], [layers.Dense(1, name="score")(h), layers.Dense(2, name="kind")(h)])


def _dict_in_out():
    a = keras.Input((4,), name="a")
    h = layers.Dense(3)(a)
    return keras.Model({"a": a}, {"score": layers.Dense(1, name="score")(h), "kind": layers.Dense(2, name="kind")(h)})


def _wrappers():
    return keras.Sequential([keras.Input((5, 4)), layers.TimeDistributed(layers.Dense(3)),
                             layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode="ave"),
                             layers.Bidirectional(layers.LSTM(2)), layers.Dense(1)])


@keras.saving.register_keras_serializable(package="tests")
class _Blocks(keras.Model):
    """A subclassed model holding a layer and a list of layers (saved as Keras walks them)."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.stem = layers.Dense(units, activation="relu")
        self.blocks = [layers.Dense(units), layers.Dense(1)]

    def call(self, x):
        h = self.stem(x)
        for block in self.blocks:
            h = block(h)
        return h

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _subclassed():
    model = _Blocks(units=4)
    model(np.zeros((1, 4), np.float32))
    return model


NESTINGS = {"seq_in_seq": _seq_in_seq, "seq_in_functional": _seq_in_functional,
            "functional_in_seq": _functional_in_seq, "functional_in_functional": _functional_in_functional,
            "three_deep": _three_deep, "shared_layer": _shared_layer, "multi_in_out": _multi_in_out,
            "dict_in_out": _dict_in_out, "wrappers": _wrappers, "subclassed": _subclassed}


def _nesting_data(name, rng, n=8):
    x = rng.normal(size=(n, 4)).astype(np.float32)
    if name == "shared_layer":
        return [x, rng.normal(size=(n, 4)).astype(np.float32)], rng.normal(size=(n, 1)).astype(np.float32)
    if name == "multi_in_out":
        return ([x, rng.normal(size=(n, 2)).astype(np.float32)],
                [rng.normal(size=(n, 1)).astype(np.float32), rng.normal(size=(n, 2)).astype(np.float32)])
    if name == "dict_in_out":
        return {"a": x}, {"score": rng.normal(size=(n, 1)).astype(np.float32),
                          "kind": rng.normal(size=(n, 2)).astype(np.float32)}
    if name == "wrappers":
        return rng.normal(size=(n, 5, 4)).astype(np.float32), rng.normal(size=(n, 1)).astype(np.float32)
    return x, rng.normal(size=(n, 1)).astype(np.float32)


@pytest.mark.parametrize("name", sorted(NESTINGS))
def test_nested_models_wrappers_and_shared_layers_round_trip(tmp_path, name):
    x, y = _nesting_data(name, np.random.default_rng(1))
    model = NESTINGS[name]()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert type(loaded) is type(model)
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]
    assert_identical(model.get_weights(), loaded.get_weights())
    assert_identical(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert_identical(model.optimizer.get_state(), loaded.optimizer.get_state())
    for m in (model, loaded):  # two more Adam steps: the same, bit for bit
        m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert_identical(model.get_weights(), loaded.get_weights())
    # The weights file alone, into a model built in code.
    model.save_weights(tmp_path / "m.weights.h5")
    fresh = NESTINGS[name]()
    fresh.load_weights(tmp_path / "m.weights.h5")
    assert_identical(model.get_weights(), fresh.get_weights())


def test_an_unbuilt_model_saves_with_a_warning_and_loads_unbuilt(tmp_path):
    """As Keras: the config alone (no weights yet); the loaded model builds on its first call."""
    model = keras.Sequential([layers.Dense(3, activation="relu"), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    with pytest.warns(UserWarning, match="not yet been built"):
        model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert not loaded.built and [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dense"]
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    history = loaded.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    assert loaded.built and [w.shape for w in loaded.get_weights()] == [(3, 3), (3,), (3, 1), (1,)]
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("make", [lambda n: layers.Dense(2, name=n), lambda n: keras.Sequential([], name=n)])
def test_names_that_would_break_a_files_paths_are_refused(make):
    """'/' separates the groups of the HDF5 weights file: Keras refuses such names, and so does minitf."""
    with pytest.raises(ValueError, match="cannot contain character `/`.*name='a/b'"):
        make("a/b")
    with pytest.raises(ValueError, match="must be a string"):
        make(5)
    assert make("dénse_ü").name == "dénse_ü"  # any other character is fine


def test_a_shared_layer_is_stored_once(tmp_path):
    model = _shared_layer()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert sorted(f["layers"].keys()) == ["add", "dense", "dense_1", "input_layer", "input_layer_1"]


def test_model_checkpoint_writes_loadable_nested_models(tmp_path):
    x, y = _nesting_data("seq_in_seq", np.random.default_rng(2))
    model = _seq_in_seq()
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}.keras"),
                                                                                      monitor="loss")])
    loaded = keras.models.load_model(tmp_path / "e2.keras")
    assert_identical(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    with pytest.raises(ValueError, match=r"must end in `.weights.h5`"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "w.weights.npz"), save_weights_only=True)


# ===================================================================== Keras's layout
def test_files_have_kerass_layout(tmp_path):
    model = trained_model(epochs=1)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}  # as Keras writes
        meta = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    assert meta["keras_version"] == "3.15.1" and "date_saved" in meta
    assert {"module", "class_name", "config", "registered_name", "build_config", "compile_config"} <= set(config)
    assert (config["module"], config["class_name"]) == ("keras", "Sequential")
    dense = config["config"]["layers"][1]
    assert (dense["module"], dense["class_name"], dense["registered_name"]) == ("keras.layers", "Dense", None)
    assert dense["config"]["dtype"] == {"module": "keras", "class_name": "DTypePolicy",
                                        "config": {"name": "float32"}, "registered_name": None}
    assert dense["build_config"] == {"input_shape": [None, 3]}
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert config["compile_config"]["loss"] == "binary_crossentropy"
    found = {}
    with h5py.File(io.BytesIO(weights), "r") as f:
        f.visititems(lambda name, obj: found.update({name: getattr(obj, "shape", None)}))
    assert found == {"layers": None, "layers/dense": None, "layers/dense/vars": None,
                     "layers/dense/vars/0": (3, 8), "layers/dense/vars/1": (8,), "layers/dense_1": None,
                     "layers/dense_1/vars": None, "layers/dense_1/vars/0": (8, 1), "layers/dense_1/vars/1": (1,),
                     "optimizer": None, "optimizer/vars": None, "optimizer/vars/0": (), "optimizer/vars/1": (),
                     **{f"optimizer/vars/{i}": s for i, s in zip(range(2, 10), [(3, 8)] * 2 + [(8,)] * 2 +
                                                                  [(8, 1)] * 2 + [(1,)] * 2)}, "vars": None}


def test_nested_paths_and_to_json_module_names():
    model = _seq_in_functional()
    config = json.loads(model.to_json())
    assert (config["module"], config["class_name"]) == ("keras.src.models.functional", "Functional")
    inner = [layer for layer in config["config"]["layers"] if layer["class_name"] == "Sequential"][0]
    assert inner["module"] == "keras"
    assert json.loads(_seq_in_seq().to_json())["module"] == "keras"
    from minitf.keras.saving import saveables
    paths = [path for path, _ in saveables.walk(_wrappers())]
    assert paths == ["", "layers/time_distributed", "layers/time_distributed/layer", "layers/bidirectional",
                     "layers/bidirectional/backward_layer", "layers/bidirectional/backward_layer/cell",
                     "layers/bidirectional/forward_layer", "layers/bidirectional/forward_layer/cell",
                     "layers/bidirectional_1", "layers/bidirectional_1/backward_layer",
                     "layers/bidirectional_1/backward_layer/cell", "layers/bidirectional_1/forward_layer",
                     "layers/bidirectional_1/forward_layer/cell", "layers/dense"]
    rebuilt = keras.models.model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["InputLayer", "Sequential", "Dense"]


def test_resumed_training_matches_uninterrupted_training(tmp_path):
    a = trained_model(epochs=2)
    a.save(tmp_path / "a.keras")
    b = keras.models.load_model(tmp_path / "a.keras")
    assert int(b.optimizer.iterations.numpy()) == int(a.optimizer.iterations.numpy()) == 10
    ha = a.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    hb = b.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert ha.history == hb.history
    assert_identical(a.get_weights(), b.get_weights())
    c = keras.models.load_model(tmp_path / "a.keras", compile=False)
    assert not c.compiled and c.optimizer is None
    assert_identical(c.predict(X, verbose=0), keras.models.load_model(tmp_path / "a.keras").predict(X, verbose=0))


@pytest.mark.parametrize("loss, setting", [(lambda: keras.losses.Huber(delta=0.25), ("delta", 0.25)),
                                           (lambda: keras.losses.CosineSimilarity(axis=0), ("axis", 0))])
def test_loss_settings_keras_drops_are_kept(tmp_path, loss, setting):
    """Keras 3.15's Huber and CosineSimilarity configs drop delta / axis; minitf's files keep them."""
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss=loss())
    targets = np.concatenate([Y * 4.0, -Y], axis=1)  # errors beyond delta: the linear part counts
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.loss.get_config()[setting[0]] == setting[1]
    assert model.evaluate(X, targets, verbose=0) == loaded.evaluate(X, targets, verbose=0)
    fresh = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    fresh.set_weights(model.get_weights())
    fresh.compile(optimizer="sgd", loss=type(loss())())  # the default setting gives another value here
    assert fresh.evaluate(X, targets, verbose=0) != loaded.evaluate(X, targets, verbose=0)


@pytest.mark.parametrize("make, key, value", [
    (lambda: keras.losses.SparseCategoricalCrossentropy(axis=1), "axis", 1),
    (lambda: keras.metrics.CosineSimilarity(axis=0), "axis", 0),
    (lambda: keras.losses.Huber(delta=0.25), "delta", 0.25)])
def test_settings_keras_drops_survive_a_saved_compile(tmp_path, make, key, value):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    obj = make()
    if isinstance(obj, keras.metrics.Metric):
        model.compile(optimizer="sgd", loss="mse", metrics=[obj])
    else:
        model.compile(optimizer="sgd", loss=obj)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        compile_config = json.loads(archive.read("config.json"))["compile_config"]
    saved = compile_config["metrics"][0] if isinstance(obj, keras.metrics.Metric) else compile_config["loss"]
    assert saved["config"][key] == value
    loaded = keras.models.load_model(tmp_path / "m.keras")
    held = loaded.loss if not isinstance(obj, keras.metrics.Metric) else type(obj).from_config(saved["config"])
    assert held.get_config()[key] == value


def test_an_optimizer_saved_before_its_first_step_loads_silently(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss="mse")
    model.save(tmp_path / "m.keras")  # iterations and learning_rate only: what Keras writes too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.models.load_model(tmp_path / "m.keras")
    assert np.isclose(float(loaded.optimizer.learning_rate.numpy()), 0.003)
    model.fit(X, X[:, :2], batch_size=40, verbose=0, shuffle=False)
    loaded.fit(X, X[:, :2], batch_size=40, verbose=0, shuffle=False)
    assert_identical(model.get_weights(), loaded.get_weights())


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
    assert_identical(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_save_and_load_weights_all_or_nothing(tmp_path):
    model = trained_model()
    model.save_weights(tmp_path / "w.weights.h5")
    other = keras.models.clone_model(model)
    assert not np.array_equal(other.get_weights()[0], model.get_weights()[0])  # fresh weights
    other.load_weights(tmp_path / "w.weights.h5")
    assert_identical(other.predict(X, verbose=0), model.predict(X, verbose=0))
    with pytest.raises(ValueError, match=r"must end in `.weights.h5`"):
        model.save_weights(tmp_path / "w.weights.npz")  # minitf writes only Keras's format now
    other = keras.Sequential([keras.Input((3,)), layers.Dense(8, activation="relu"), layers.Dense(2)])
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"w.weights.h5.*layer 'dense_\d+' \(Dense\): array 'layers/dense_1/vars/0' "
                                         r"has shape \(8, 1\) in the file, the model's variable has shape \(8, 2\)"):
        other.load_weights(tmp_path / "w.weights.h5")
    assert_identical(before, other.get_weights())  # nothing changed, not even the layer that fits
    with pytest.warns(UserWarning, match="Skipping loading weights for layer"):
        other.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    assert_identical(other.get_weights()[:2], model.get_weights()[:2])  # the layer that fits was loaded
    assert_identical(other.get_weights()[2:], before[2:])


# ============================================================== minitf's own first format
def test_files_of_minitfs_first_format_still_load():
    """tests/data/minitf_v1_mlp.keras was written by minitf's zip format (main 1035a06); the expected values
    are what that version's own loader gave."""
    expected = np.load(os.path.join(DATA, "minitf_v1_mlp_expected.npz"))
    model = keras.models.load_model(os.path.join(DATA, "minitf_v1_mlp.keras"))
    assert [layer.name for layer in model.layers] == ["hidden", "out"]
    assert_identical(model.predict(expected["x"][:4], verbose=0), expected["predictions"])
    history = model.fit(expected["x"], expected["y"], batch_size=8, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(history["loss"], expected["next_epoch_loss"], rtol=1e-6)
    np.testing.assert_allclose(np.concatenate([w.ravel() for w in model.get_weights()]), expected["weights_after"],
                               rtol=1e-6)
    fresh = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    fresh.load_weights(os.path.join(DATA, "minitf_v1_mlp.weights.npz"))
    assert_identical(fresh.predict(expected["x"][:4], verbose=0), expected["predictions"])


# =============================================================== bad and hostile files
def test_missing_truncated_corrupted_and_foreign_files(tmp_path):
    model = trained_model(epochs=1)
    good = tmp_path / "good.keras"
    model.save(good)
    data = good.read_bytes()
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(tmp_path / "absent.keras")
    with pytest.raises(ValueError, match="is a directory"):
        keras.models.load_model(tmp_path)
    for cut in (len(data) // 2, len(data) - 30, 100):
        truncated = tmp_path / f"truncated_{cut}.keras"
        truncated.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=rf"truncated_{cut}\.keras.*(not a zip archive|corrupted|truncated)"):
            keras.models.load_model(truncated)
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty file"):
        keras.models.load_model(empty)
    # Flip bytes inside the stored weights: the zip's CRC check catches it.
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("model.weights.h5")
    raw = bytearray(data)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 2000, start + 2100):
        raw[i] ^= 0xFF
    corrupted = tmp_path / "corrupted.keras"
    corrupted.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"corrupted\.keras.*corrupted"):
        keras.models.load_model(corrupted)
    text = tmp_path / "notes.keras"
    text.write_text("hello, I am a text file")
    with pytest.raises(ValueError, match="not a Keras model file: it is not a zip archive"):
        keras.models.load_model(text)
    foreign = tmp_path / "other.keras"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("readme.txt", "some other program's zip")
    with pytest.raises(ValueError, match="not a Keras model file: it has no metadata.json"):
        keras.models.load_model(foreign)
    weights_named_keras = tmp_path / "w.keras"
    model.save_weights(tmp_path / "w.weights.h5")
    weights_named_keras.write_bytes((tmp_path / "w.weights.h5").read_bytes())
    with pytest.raises(ValueError, match="HDF5 file, not a `.keras` archive"):
        keras.models.load_model(weights_named_keras)
    with pytest.raises(ValueError, match="not a readable HDF5 file"):
        bad_h5 = tmp_path / "bad.weights.h5"
        bad_h5.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
        model.load_weights(bad_h5)


def _rewrite(path, replace: dict, drop=()):
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist() if name not in drop}
    entries.update(replace)
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)


def test_a_weights_file_of_another_model_is_refused(tmp_path):
    model = trained_model(epochs=1)
    model.save(tmp_path / "a.keras")
    other = keras.Sequential([keras.Input((3,)), layers.Dense(8, activation="relu"), layers.Dense(2)])
    other.save_weights(tmp_path / "b.weights.h5")
    _rewrite(tmp_path / "a.keras", {"model.weights.h5": (tmp_path / "b.weights.h5").read_bytes()})
    with pytest.raises(ValueError, match=r"a\.keras.*'layers/dense_1/vars/0' has shape \(8, 2\) in the file"):
        keras.models.load_model(tmp_path / "a.keras")


def test_missing_optimizer_state_is_named_in_a_warning(tmp_path):
    model = trained_model(epochs=1)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert json.loads(archive.read("metadata.json"))["optimizer_variables"] == 10
        weights = archive.read("model.weights.h5")
    buffer = io.BytesIO(weights)
    with h5py.File(buffer, "a") as f:
        del f["optimizer"]
    _rewrite(tmp_path / "m.keras", {"model.weights.h5": buffer.getvalue()})
    with pytest.warns(UserWarning, match=r"holds no optimizer state \(no group 'optimizer/vars'\) although its "
                                         r"metadata.json lists 10 optimizer variables.*Missing: optimizer/vars/0\.\.9"):
        loaded = keras.models.load_model(tmp_path / "m.keras")
    assert int(loaded.optimizer.iterations.numpy()) == 0
    # Part of the state missing: named too.
    with h5py.File(buffer, "a") as f:
        group = f.create_group("optimizer/vars")
        group["0"] = np.int64(5)
        group["1"] = np.float32(0.01)
        group["2"] = np.zeros((3, 8), np.float32)
    _rewrite(tmp_path / "m.keras", {"model.weights.h5": buffer.getvalue()})
    with pytest.warns(UserWarning, match=r"has 3 variables, the rebuilt Adam optimizer .* has 10.*missing: "
                                         r"optimizer/vars/3,4,5,6,7,8,9"):
        keras.models.load_model(tmp_path / "m.keras")


def _peak_mib(fn):
    """Peak memory allocated (by Python and NumPy) while ``fn`` runs, in MiB."""
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


def test_a_decompression_bomb_is_refused_before_it_inflates(tmp_path):
    model = trained_model(epochs=1)
    path = tmp_path / "bomb.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist() if name != "model.weights.h5"}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
        with archive.open("model.weights.h5", "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(256):  # 256 MiB of zeros, a quarter of a MiB on disk
                f.write(chunk)
    assert path.stat().st_size < 1 << 20

    def load():
        with pytest.raises(ValueError, match=r"bomb\.keras': entry model.weights.h5 declares 268435456 bytes "
                                             r"uncompressed, more than the \d+ this model's weights can take: "
                                             "refused before reading"):
            keras.models.load_model(path)
    assert _peak_mib(load) < 32


def test_an_npy_header_declaring_2_to_the_40_floats_is_refused(tmp_path):
    """In minitf's first format, the arrays are .npy files: the header is checked before any data is read."""
    path = tmp_path / "huge.keras"
    path.write_bytes(open(os.path.join(DATA, "minitf_v1_mlp.keras"), "rb").read())
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (2**20, 2**20)})
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as inner:
        for i in range(4):
            inner.writestr(f"{i:04d}.npy", header.getvalue() + b"\0" * 64)
    _rewrite(path, {"model.weights.npz": npz.getvalue()})

    def load():
        with pytest.raises(ValueError, match=r"huge\.keras': model.weights.npz/0000.npy declares shape "
                                             r"\(1048576, 1048576\), the model's variable has shape \(3, 4\): refused"):
            keras.models.load_model(path)
    assert _peak_mib(load) < 32


def test_an_hdf5_dataset_declaring_a_huge_shape_is_refused_unread(tmp_path):
    model = trained_model(epochs=1)
    path = tmp_path / "huge.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        # 4 TiB declared, a few KB on disk (chunked and compressed, never written).
        f["layers/dense/vars"].create_dataset("0", shape=(2**20, 2**20), dtype="f4", chunks=(256, 256),
                                              compression="gzip")
    assert path.stat().st_size < 1 << 20

    def load():
        with pytest.raises(ValueError, match=r"array 'layers/dense/vars/0' has shape \(1048576, 1048576\) in the "
                                             r"file, the model's variable has shape \(3, 8\)"):
            model.load_weights(path)
    assert _peak_mib(load) < 32


def test_links_and_non_numeric_datasets_are_refused(tmp_path):
    model = trained_model(epochs=1)
    for kind in ("soft", "external", "strings"):
        path = tmp_path / f"{kind}.weights.h5"
        model.save_weights(path)
        with h5py.File(path, "a") as f:
            del f["layers/dense/vars/1"]
            group = f["layers/dense/vars"]
            if kind == "soft":
                group["1"] = h5py.SoftLink("/layers/dense_1/vars/1")
            elif kind == "external":
                group["1"] = h5py.ExternalLink("/etc/passwd", "/x")
            else:
                group.create_dataset("1", data=np.array([b"a"] * 8))
        expected = "holds |S1 values, not numbers" if kind == "strings" else \
            f"is a {'SoftLink' if kind == 'soft' else 'ExternalLink'}: weights files never hold links"
        with pytest.raises(ValueError, match=expected):
            model.load_weights(path)


def test_a_config_nested_100k_deep_is_refused(tmp_path):
    model = trained_model(epochs=1)
    path = tmp_path / "deep.keras"
    model.save(path)
    deep = b'{"class_name": "Sequential", "config": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    _rewrite(path, {"config.json": deep})

    def load():
        with pytest.raises(ValueError, match=r"deep\.keras': config.json is nested 100001 levels deep \(the limit "
                                             r"is 200\)"):
            keras.models.load_model(path)
    assert _peak_mib(load) < 32
    with pytest.raises(ValueError, match="nested 100001 levels deep"):
        keras.models.model_from_json(deep.decode())


def test_loading_never_imports_or_runs_code_named_in_a_file(tmp_path):
    model = trained_model(epochs=1)
    path = tmp_path / "evil.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    config["config"]["layers"][1].update({"module": "evil_module_that_must_not_be_imported", "class_name": "Payload",
                                          "registered_name": None})
    _rewrite(path, {"config.json": json.dumps(config)})
    with pytest.raises(TypeError, match="Could not locate class 'Payload'"):
        keras.models.load_model(path)
    assert "evil_module_that_must_not_be_imported" not in sys.modules
    config["config"]["layers"][1].update({"module": "os", "class_name": "system"})
    _rewrite(path, {"config.json": json.dumps(config)})
    with pytest.raises(TypeError, match="Could not locate class 'system'"):
        keras.models.load_model(path)


def test_stored_lambdas_run_only_with_safe_mode_off(tmp_path):
    model = keras.Sequential([keras.Input((2,)), layers.Lambda(lambda t: t * 2 + 1)])
    with pytest.warns(UserWarning, match="includes a `lambda`"):
        model.save(tmp_path / "l.keras")
    with pytest.raises(ValueError, match=r"Python lambda, stored as bytecode.*refused by default \(safe_mode=True\)"
                                         r".*`load_model\(\.\.\., safe_mode=False\)`"):
        keras.models.load_model(tmp_path / "l.keras")
    loaded = keras.models.load_model(tmp_path / "l.keras", safe_mode=False)
    assert_identical(loaded.predict(np.ones((1, 2), np.float32), verbose=0), np.array([[3.0, 3.0]], np.float32))

    def double(t):
        return t * 2

    named = keras.Sequential([keras.Input((2,)), layers.Lambda(double)])
    named.save(tmp_path / "n.keras")
    with pytest.raises(ValueError, match="Unknown function 'double'"):
        keras.models.load_model(tmp_path / "n.keras")
    loaded = keras.models.load_model(tmp_path / "n.keras", custom_objects={"double": double})
    assert_identical(loaded.predict(np.ones((1, 2), np.float32), verbose=0), np.array([[2.0, 2.0]], np.float32))


def _first_two_features(input_shape):
    return (2,)


def test_a_lambdas_mask_and_output_shape_functions_are_saved(tmp_path):
    """Keras stores them like `function`; minitf dropped both (the loaded layer lost its mask)."""
    layer = layers.Lambda(lambda t: t[:, :2], output_shape=_first_two_features,
                          mask=lambda inputs, mask: tf.reduce_any(tf.greater(inputs, 0.0), axis=-1))
    model = keras.Sequential([keras.Input((3,)), layer])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "includes a lambda": the point of this test
        model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        config = json.loads(archive.read("config.json"))["config"]["layers"][-1]["config"]
    assert config["mask"]["class_name"] == "__lambda__"
    assert config["output_shape"]["config"] == "_first_two_features"
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / "m.keras", custom_objects={"_first_two_features": _first_two_features})
    loaded = keras.models.load_model(tmp_path / "m.keras", safe_mode=False,
                                     custom_objects={"_first_two_features": _first_two_features})
    other = loaded.layers[-1]
    assert other._output_shape is _first_two_features
    x = tf.constant(X[:6])
    expected = [True, False, False, True, False, True]  # rows with a positive feature
    assert_identical(layer.compute_mask(x, None), np.array(expected))
    assert_identical(other.compute_mask(x, None), np.array(expected))
    assert_identical(loaded(x), model(x))


def test_saving_needs_the_keras_or_h5_extension(tmp_path):
    with pytest.raises(ValueError, match="`.keras` extension"):
        trained_model(epochs=1).save(tmp_path / "model.pkl")


def test_json_round_trip_and_clone():
    model = trained_model(epochs=1)
    rebuilt = keras.models.model_from_json(model.to_json())
    assert [w.shape for w in rebuilt.get_weights()] == [w.shape for w in model.get_weights()]
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    assert_identical(clone.predict(X, verbose=0), model.predict(X, verbose=0))


# ==================================================================== files behave like files
def _mode(path):
    return os.stat(path).st_mode & 0o777


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_files_get_the_mode_open_would_give(tmp_path):
    model = trained_model(epochs=1)
    old = os.umask(0o022)
    try:
        model.save(tmp_path / "new.keras")
        model.save_weights(tmp_path / "new.weights.h5")
        assert _mode(tmp_path / "new.keras") == _mode(tmp_path / "new.weights.h5") == 0o644
        (tmp_path / "existing.keras").write_bytes(b"old")
        os.chmod(tmp_path / "existing.keras", 0o640)
        model.save(tmp_path / "existing.keras")  # open() keeps an existing file's mode when it truncates it
        assert _mode(tmp_path / "existing.keras") == 0o640
        os.chmod(tmp_path / "existing.keras", 0o644)
        model.save(tmp_path / "existing.keras")
        assert _mode(tmp_path / "existing.keras") == 0o644
        os.umask(0o077)
        model.save(tmp_path / "private.keras")
        assert _mode(tmp_path / "private.keras") == 0o600
    finally:
        os.umask(old)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symlinks")
def test_saving_to_a_symlink_writes_through_it(tmp_path):
    model = trained_model(epochs=1)
    (tmp_path / "store").mkdir()
    target = tmp_path / "store" / "real.keras"
    model.save(target)
    link = tmp_path / "latest.keras"
    os.symlink(target, link)
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(link)
    assert os.path.islink(link) and os.readlink(link) == str(target)
    assert_identical(keras.models.load_model(target).get_weights(), model.get_weights())
    assert sorted(os.listdir(tmp_path / "store")) == ["real.keras"]  # the temporary was the target's sibling
    model.save_weights(tmp_path / "store" / "w.weights.h5")
    os.symlink(tmp_path / "store" / "w.weights.h5", tmp_path / "w_link.weights.h5")
    model.save_weights(tmp_path / "w_link.weights.h5")
    assert os.path.islink(tmp_path / "w_link.weights.h5")


def test_a_save_makes_no_directories_and_takes_paths_as_open_does(tmp_path):
    model = trained_model(epochs=1)
    for save, name in ((model.save, "m.keras"), (model.save_weights, "m.weights.h5")):
        with pytest.raises(FileNotFoundError, match="No such directory to save into"):
            save(tmp_path / "missing" / name)  # open(path, "wb") and Keras raise here too
    assert os.listdir(tmp_path) == []
    model.save(os.fsencode(tmp_path / "bytes.keras"))  # a bytes path, as open() takes one
    assert_identical(keras.models.load_model(os.fsencode(tmp_path / "bytes.keras")).get_weights(),
                     model.get_weights())
    # ModelCheckpoint makes its folder itself (as Keras's does).
    model.fit(X, Y, epochs=1, verbose=0,
              callbacks=[keras.callbacks.ModelCheckpoint(str(tmp_path / "runs" / "e{epoch}.keras"))])
    assert os.listdir(tmp_path / "runs") == ["e1.keras"]


def test_stale_temporaries_of_the_same_target_are_cleaned_up(tmp_path):
    model = trained_model(epochs=1)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".tmp-m.keras-{dead}-0123abcd.partial"
    other_target = tmp_path / f".tmp-n.keras-{dead}-0123abcd.partial"
    live = tmp_path / f".tmp-m.keras-{os.getppid()}-4567abcd.partial"  # a running process's save in progress
    for path in (stale, other_target, live):
        path.write_bytes(b"half a model")
    model.save(tmp_path / "m.keras")
    assert sorted(os.listdir(tmp_path)) == sorted(["m.keras", other_target.name, live.name])


def test_no_temporary_is_left_on_an_ordinary_error(tmp_path, monkeypatch):
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
    with pytest.raises(ValueError):  # an error while serializing: nothing written at all
        keras.Sequential([keras.Input((2,)), layers.Lambda(lambda t, bad=object(): t)]).save(tmp_path / "x.keras")
    assert os.listdir(tmp_path) == ["m.keras"]


_SAVER = textwrap.dedent("""
    import os, sys, time, zipfile, numpy as np
    import minitf as tf
    keras = tf.keras
    path, pause_at = sys.argv[1], sys.argv[2]
    models = []
    for seed in (1, 2):
        m = keras.Sequential([keras.Input((256,)), keras.layers.Dense(512), keras.layers.Dense(256)])
        m.set_weights([np.full(w.shape, seed, np.float32) for w in m.get_weights()])
        models.append(m)
    models[0].save(path)

    def pausing(original, calls_before=0):
        # After ``calls_before`` calls, announce the moment and wait there for the parent's kill -9.
        calls = []
        def wrapper(*args, **kwargs):
            if len(calls) == calls_before:
                print("paused", flush=True)
                time.sleep(60)
            calls.append(1)
            return original(*args, **kwargs)
        return wrapper

    if pause_at == "fsync":        # every byte written, nothing renamed yet
        os.fsync = pausing(os.fsync)
    elif pause_at == "writestr":   # the archive half written (its first entry only)
        zipfile.ZipFile.writestr = pausing(zipfile.ZipFile.writestr, calls_before=1)
    print("ready", flush=True)
    i = 1
    while True:
        models[i % 2].save(path)
        i += 1
""")


def _kill_a_saver(tmp_path, pause_at, delay=0.0):
    """Start the saver, kill -9 it (at its announced pause, or ``delay`` seconds into its save loop);
    returns (whether a temporary was left, the weights' values of the file then on disk)."""
    path = tmp_path / "m.keras"
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
    child = subprocess.Popen([sys.executable, str(tmp_path / "saver.py"), str(path), pause_at],
                             stdout=subprocess.PIPE, env=env)
    try:
        assert child.stdout.readline().strip() == b"ready"
        if pause_at == "none":
            time.sleep(delay)
        else:
            assert child.stdout.readline().strip() == b"paused"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    left = any(name.endswith(".partial") for name in os.listdir(tmp_path))
    loaded = keras.models.load_model(path)
    return left, {float(w.flat[0]) for w in loaded.get_weights()}


@pytest.mark.skipif(os.name != "posix", reason="kill -9")
@pytest.mark.parametrize("pause_at", ["writestr", "fsync"])
def test_kill_9_inside_a_save_leaves_the_old_file_whole(tmp_path, pause_at):
    """Killed half-way through the archive, or with every byte written but not yet renamed: the
    temporary stays behind, the target is still the old model, and the next save sweeps the leftover."""
    (tmp_path / "saver.py").write_text(_SAVER)
    left, values = _kill_a_saver(tmp_path, pause_at)
    assert left  # the kill did land inside the save
    assert values == {1.0}  # the model saved before the loop; the save under way (seed 2) never landed
    keras.Sequential([keras.Input((1,)), layers.Dense(1)]).save(tmp_path / "m.keras")
    assert sorted(os.listdir(tmp_path)) == ["m.keras", "saver.py"]


@pytest.mark.skipif(os.name != "posix", reason="kill -9")
def test_kill_9_at_any_moment_of_a_save_loop_leaves_the_old_or_the_new_file(tmp_path):
    """10 kills at varied moments of a loop that does nothing but save: the file always loads, whole.
    (Where each kill lands depends on the machine; the test above pins the moments inside a save.)"""
    (tmp_path / "saver.py").write_text(_SAVER)
    for delay in (0.0, 0.005, 0.011, 0.017, 0.023, 0.031, 0.043, 0.059, 0.071, 0.097):
        _, values = _kill_a_saver(tmp_path, "none", delay)
        assert values in ({1.0}, {2.0})  # one whole model, never a mix
    keras.Sequential([keras.Input((1,)), layers.Dense(1)]).save(tmp_path / "m.keras")  # sweeps the leftovers
    assert sorted(os.listdir(tmp_path)) == ["m.keras", "saver.py"]


# =============================================================== keras.layers.serialize, Wrapper
def test_layers_serialize_and_deserialize_round_trip_a_layer():
    layer = layers.Dense(3, activation="relu", name="d")
    config = layers.serialize(layer)
    assert config["class_name"] == "Dense" and config["module"] == "keras.layers"
    assert config == tf.keras.saving.serialize_keras_object(layer)
    clone = layers.deserialize(json.loads(json.dumps(config)))
    assert type(clone) is layers.Dense and clone is not layer and clone.get_config() == layer.get_config()


def test_layers_deserialize_refuses_a_config_that_is_not_a_layer():
    with pytest.raises(ValueError, match="not a `keras.layers.Layer`"):
        layers.deserialize(tf.keras.saving.serialize_keras_object(tf.keras.losses.MeanSquaredError()))


class _Twice(layers.Wrapper):
    """A custom wrapper: the wrapped layer applied twice (its input and output widths equal)."""

    def call(self, inputs):
        return self.layer(self.layer(inputs))


def test_a_custom_wrapper_builds_trains_saves_and_loads(tmp_path):
    wrapper = _Twice(layers.Dense(4, activation="tanh"), name="twice")
    model = keras.Sequential([keras.Input((4,)), wrapper, layers.Dense(1)])
    assert wrapper.layer.built and len(wrapper.trainable_weights) == 2  # the wrapped layer's weights are its own
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    path = str(tmp_path / "twice.keras")
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"_Twice": _Twice})
    assert loaded.layers[0].get_config() == wrapper.get_config()
    assert loaded.layers[0].get_config()["layer"]["class_name"] == "Dense"
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_the_wrappers_are_wrappers_and_a_wrapper_needs_a_layer():
    assert isinstance(layers.TimeDistributed(layers.Dense(2)), layers.Wrapper)
    assert isinstance(layers.SpectralNormalization(layers.Dense(2)), layers.Wrapper)
    with pytest.raises(ValueError, match="isn't a supported layer type"):
        _Twice("dense")
