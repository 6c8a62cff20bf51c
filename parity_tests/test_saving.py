"""Keras's own files, both ways: what minitf saves TensorFlow 2.21 (Keras 3.15) loads, and the reverse.

1. Every class minitf exports (``tests/saving_examples.exported_classes``: layers, losses, metrics,
   optimizers, schedules, initializers, regularizers, constraints) is saved inside a model by one
   framework and loaded by the other: same class, same settings, the same weights bit for bit, the
   same predictions (rtol 1e-6) and, for what trains, the same next training step.
2. Models of the course (an MLP, a CNN with BatchNormalization, Embedding + Bidirectional LSTM with
   masking, a functional multi-input model, nested models: Sequential/Functional in each other, three
   deep, a shared layer, dict inputs/outputs, TimeDistributed and Bidirectional wrappers) saved compiled
   and trained in each framework and loaded in the other resume training with the same next steps.
3. ``.weights.h5`` files, optimizer state included, both ways; Python lambdas refused by default.
"""
import json
import warnings
import zipfile

import numpy as np
import pytest

from tests import saving_examples as ex

PRED = dict(rtol=1e-6, atol=1e-6)   # the same float32 computation in two engines
STEP = dict(rtol=1e-5, atol=1e-6)   # weights after one more training step (a gradient, an update)


def _np(values):
    if isinstance(values, dict):
        return [np.asarray(values[key]) for key in sorted(values)]
    if isinstance(values, (list, tuple)):
        return [np.asarray(v) for v in values]
    return [np.asarray(values)]


def _assert_same(a, b, **tol):
    for x, y in zip(_np(a), _np(b), strict=True):
        np.testing.assert_allclose(x, y, **tol)


def _frameworks(tf, mtf):
    return {"minitf": mtf, "tf": tf}


def _load(fw, path, **kwargs):
    return fw.keras.models.load_model(path, **kwargs)


def _custom(name):
    return {"_double": ex._double} if name == "Lambda" else None


# ------------------------------------------------------------------------------ 1. every class
@pytest.mark.parametrize("direction", ["minitf->tf", "tf->minitf"])
@pytest.mark.parametrize("family,name", ex.exported_classes(), ids=lambda v: v)
def test_every_class_crosses_between_the_frameworks(tf, mtf, tmp_path, family, name, direction):
    frameworks = _frameworks(tf, mtf)
    src_name, dst_name = direction.split("->")
    src, dst = frameworks[src_name], frameworks[dst_name]
    rng = np.random.default_rng(0)
    if family == "layers":
        _layer_crosses(src, dst, tmp_path, name, rng)
    else:
        _object_crosses(src, dst, tmp_path, family, name, rng)


def _layer_crosses(src, dst, tmp_path, name, rng):
    example = ex.LAYERS[name]
    data = example.batch(rng)
    path = str(tmp_path / f"{name}.keras")
    if ex.is_string_layer(example):
        # minitf's models take no string tensors: the layer itself is the saved object (Keras allows it).
        layer = example.make(src.keras.layers)
        if example.adapt is not None:
            layer.adapt(example.adapt)
        _save_object(src, layer, path)
        loaded = _load(dst, path)
        assert type(loaded).__name__ == name
        np.testing.assert_array_equal(np.asarray(loaded(data)), np.asarray(layer(data)))
        if hasattr(layer, "get_vocabulary"):  # the lookups (Hashing has no vocabulary)
            assert loaded.get_vocabulary() == [str(t) for t in layer.get_vocabulary()]
        return
    model = ex.layer_model(src, name, example)
    model.save(path)
    loaded = _load(dst, path, custom_objects=_custom(name))
    layer, other = model.layers[-1], loaded.layers[-1]
    assert type(other).__name__ == type(layer).__name__
    if name == "InputLayer":
        layer, other = model.layers[0], loaded.layers[0]
        assert (other.name, tuple(other.batch_shape), other.dtype) == ("features", (None, 3), "float32")
    differ = ex.same_settings(ex.comparable_config(layer), ex.comparable_config(other))
    assert not differ, f"settings changed on the way: {differ}"
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Called directly (eagerly): some preprocessing layers do not trace in minitf's predict yet.
    _assert_same(model(data, training=False), loaded(data, training=False), **PRED)
    if example.trains:
        _assert_same_next_step(model, loaded, data, src, dst)


def _assert_same_next_step(a, b, data, fw_a, fw_b):
    """One SGD step on both models, with the mean squared distance to zeros as the loss."""
    target = [np.zeros_like(p) for p in _np(a.predict(data, verbose=0))]
    target = target if len(target) > 1 else target[0]
    for model, fw in ((a, fw_a), (b, fw_b)):
        model.compile(optimizer=fw.keras.optimizers.SGD(0.1), loss="mse")
        model.fit(data, target, batch_size=len(_np(data)[0]), epochs=1, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, **STEP)


def _save_object(fw, obj, path):
    if fw.__name__ == "minitf":
        from minitf.keras.saving import saving_lib
        saving_lib.save_model(obj, path)
    else:
        from keras.src.saving import saving_lib
        saving_lib.save_model(obj, path)


def _object_crosses(src, dst, tmp_path, family, name, rng):
    obj = ex.OBJECTS[family][name](ex.module_of(src, family))
    x, y = ex.object_data(family, name, rng)
    model = ex.object_model(src, family, obj)
    steps = 0 if name in ex.COMPILE_ONLY else 2
    if steps:
        model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)  # the optimizer has state
    path = str(tmp_path / f"{name}.keras")
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # e.g. "optimizer state not restored"
        loaded = _load(dst, path)
    mine, theirs = ex.held_config(model, family), ex.held_config(loaded, family)
    if isinstance(mine, dict):
        assert theirs["class_name"] == mine["class_name"]
        differ = ex.same_settings(ex.comparable_config(mine["config"]), ex.comparable_config(theirs["config"]))
        assert not differ, f"settings changed on the way: {differ}"
    else:
        assert theirs == mine
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.asarray(loaded.optimizer.iterations), steps)
    if name in ex.COMPILE_ONLY:
        return
    _assert_same(model.evaluate(x, y, verbose=0), loaded.evaluate(x, y, verbose=0), **PRED)
    for m in (model, loaded):  # one step: the loss before it and the update it makes
        m.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, **STEP)


# --------------------------------------------------------------------------- 2. course models
def _mlp(fw):
    k = fw.keras
    return k.Sequential([k.Input((4,)), k.layers.Dense(16, activation="relu"),
                         k.layers.Dense(1, activation="sigmoid")], name="mlp")


def _cnn(fw):
    k = fw.keras
    return k.Sequential([k.Input((8, 8, 1)), k.layers.Conv2D(4, 3, activation="relu"),
                         k.layers.BatchNormalization(), k.layers.MaxPooling2D(), k.layers.Flatten(),
                         k.layers.Dense(3, activation="softmax")], name="cnn")


def _bilstm(fw):
    k = fw.keras
    return k.Sequential([k.Input((6,)), k.layers.Embedding(12, 4, mask_zero=True),
                         k.layers.Bidirectional(k.layers.LSTM(5)), k.layers.Dense(1, activation="sigmoid")],
                        name="bilstm")


def _multi_input(fw):
    k = fw.keras
    a, b = k.Input((3,), name="a"), k.Input((2,), name="b")
    shared = k.layers.Dense(4, activation="tanh", name="shared")
    h = k.layers.Concatenate()([shared(a), k.layers.Dense(4)(b)])
    return k.Model([a, b], [k.layers.Dense(1, name="score")(h), k.layers.Dense(2, activation="softmax",
                                                                               name="kind")(h)], name="two_in")


def _seq_in_seq(fw):
    k = fw.keras
    block = k.Sequential([k.layers.Dense(5, activation="relu"), k.layers.Dense(3)], name="block")
    return k.Sequential([k.Input((4,)), block, k.layers.Dense(1)], name="seq_in_seq")


def _seq_in_functional(fw):
    k = fw.keras
    block = k.Sequential([k.layers.Dense(5, activation="relu"), k.layers.Dense(3)], name="block")
    x = k.Input((4,))
    return k.Model(x, k.layers.Dense(1)(block(x)), name="seq_in_functional")


def _functional_in_seq(fw):
    k = fw.keras
    x = k.Input((4,))
    inner = k.Model(x, k.layers.Dense(3, activation="relu")(k.layers.Dense(5)(x)), name="inner")
    return k.Sequential([k.Input((4,)), inner, k.layers.Dense(1)], name="functional_in_seq")


def _functional_in_functional(fw):
    k = fw.keras
    x = k.Input((4,))
    inner = k.Model(x, k.layers.Dense(3, activation="relu")(x), name="inner")
    outer_in = k.Input((4,))
    return k.Model(outer_in, k.layers.Dense(1)(inner(outer_in)), name="functional_in_functional")


def _three_deep(fw):
    k = fw.keras
    innermost = k.Sequential([k.layers.Dense(4, activation="relu")], name="innermost")
    middle = k.Sequential([innermost, k.layers.Dense(3)], name="middle")
    return k.Sequential([k.Input((4,)), middle, k.layers.Dense(1)], name="three_deep")


def _shared_layer(fw):
    k = fw.keras
    a, b = k.Input((4,), name="a"), k.Input((4,), name="b")
    shared = k.layers.Dense(3, activation="tanh", name="shared")
    return k.Model([a, b], k.layers.Dense(1)(k.layers.Add()([shared(a), shared(b)])), name="shared_layer")


def _dict_in_out(fw):
    k = fw.keras
    a = k.Input((4,), name="a")
    h = k.layers.Dense(3)(a)
    return k.Model({"a": a}, {"score": k.layers.Dense(1, name="score")(h),
                              "kind": k.layers.Dense(2, name="kind")(h)}, name="dict_in_out")


def _wrappers(fw):
    k = fw.keras
    return k.Sequential([k.Input((5, 4)), k.layers.TimeDistributed(k.layers.Dense(3)),
                         k.layers.Bidirectional(k.layers.GRU(2, return_sequences=True), merge_mode="ave"),
                         k.layers.Bidirectional(k.layers.LSTM(2)), k.layers.Dense(1)], name="wrappers")


def _course_data(name, rng, n=16):
    if name == "cnn":
        return rng.normal(size=(n, 8, 8, 1)).astype("float32"), np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    if name == "bilstm":
        x = rng.integers(1, 12, size=(n, 6))
        x[: n // 2, 4:] = 0
        return x.astype("int64"), rng.integers(0, 2, size=(n, 1)).astype("float32")
    if name == "two_in":
        return ([rng.normal(size=(n, 3)).astype("float32"), rng.normal(size=(n, 2)).astype("float32")],
                [rng.normal(size=(n, 1)).astype("float32"), np.eye(2, dtype="float32")[rng.integers(0, 2, n)]])
    if name == "shared_layer":
        return ([rng.normal(size=(n, 4)).astype("float32"), rng.normal(size=(n, 4)).astype("float32")],
                rng.normal(size=(n, 1)).astype("float32"))
    if name == "dict_in_out":
        return ({"a": rng.normal(size=(n, 4)).astype("float32")},
                {"score": rng.normal(size=(n, 1)).astype("float32"), "kind": rng.normal(size=(n, 2)).astype("float32")})
    if name == "wrappers":
        return rng.normal(size=(n, 5, 4)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 2, size=(n, 1)).astype("float32")


COURSE = {"mlp": _mlp, "cnn": _cnn, "bilstm": _bilstm, "two_in": _multi_input, "seq_in_seq": _seq_in_seq,
          "seq_in_functional": _seq_in_functional, "functional_in_seq": _functional_in_seq,
          "functional_in_functional": _functional_in_functional, "three_deep": _three_deep,
          "shared_layer": _shared_layer, "dict_in_out": _dict_in_out, "wrappers": _wrappers}


def _compile(fw, model, name):
    loss = {"cnn": "categorical_crossentropy", "two_in": ["mse", "categorical_crossentropy"],
            "bilstm": "binary_crossentropy", "mlp": "binary_crossentropy"}.get(name, "mse")
    # The Embedding model takes SGD with momentum: TF hands Adam an Embedding's gradient as IndexedSlices
    # and squares each occurrence of a token separately (sum of g_i^2, not (sum of g_i)^2), which minitf's
    # dense Adam does not copy; momentum is linear in the gradient, so its state crosses as exactly.
    optimizer = fw.keras.optimizers.SGD(0.05, momentum=0.9) if name == "bilstm" else fw.keras.optimizers.Adam(0.01)
    model.compile(optimizer=optimizer, loss=loss)


@pytest.mark.parametrize("direction", ["minitf->tf", "tf->minitf"])
@pytest.mark.parametrize("name", sorted(COURSE))
def test_course_models_resume_training_in_the_other_framework(tf, mtf, tmp_path, name, direction):
    frameworks = _frameworks(tf, mtf)
    src, dst = (frameworks[s] for s in direction.split("->"))
    x, y = _course_data(name, np.random.default_rng(5))
    model = COURSE[name](src)
    _compile(src, model, name)
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    path = str(tmp_path / f"{name}.keras")
    model.save(path)
    loaded = _load(dst, path)
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    _assert_same(model.predict(x, verbose=0), loaded.predict(x, verbose=0), **PRED)
    np.testing.assert_array_equal(np.asarray(loaded.optimizer.iterations), np.asarray(model.optimizer.iterations))
    # The optimizer's state came along: the next step is the same step (its loss is computed before it).
    h_src = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0).history
    h_dst = loaded.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h_dst["loss"], h_src["loss"], rtol=1e-6)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(b, a, **STEP)


@pytest.mark.parametrize("direction", ["minitf->tf", "tf->minitf"])
def test_weights_files_cross_with_optimizer_state(tf, mtf, tmp_path, direction):
    frameworks = _frameworks(tf, mtf)
    src, dst = (frameworks[s] for s in direction.split("->"))
    x, y = _course_data("mlp", np.random.default_rng(2))
    model, other = _mlp(src), _mlp(dst)
    for fw, m in ((src, model), (dst, other)):
        _compile(fw, m, "mlp")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    other.fit(x[:8], y[:8], batch_size=8, epochs=1, shuffle=False, verbose=0)  # builds its optimizer
    model.save_weights(str(tmp_path / "mlp.weights.h5"))
    other.load_weights(str(tmp_path / "mlp.weights.h5"))
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.asarray(other.optimizer.iterations), 2)
    for m in (model, other):
        m.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_allclose(b, a, **STEP)


@pytest.mark.parametrize("direction", ["minitf->tf", "tf->minitf"])
def test_an_unbuilt_model_crosses_with_a_warning_and_builds_on_first_use(tf, mtf, tmp_path, direction):
    frameworks = _frameworks(tf, mtf)
    src, dst = (frameworks[s] for s in direction.split("->"))
    k = src.keras
    model = k.Sequential([k.layers.Dense(3, activation="relu"), k.layers.Dense(1)], name="unbuilt")
    model.compile(optimizer=k.optimizers.Adam(0.01), loss="mse")
    with pytest.warns(UserWarning, match="not yet been built"):
        model.save(str(tmp_path / "m.keras"))
    loaded = _load(dst, str(tmp_path / "m.keras"))
    assert not loaded.built and [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dense"]
    x, y = _course_data("mlp", np.random.default_rng(4))
    x = x[:, :3]
    loaded.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert [w.shape for w in loaded.get_weights()] == [(3, 3), (3,), (3, 1), (1,)]


def test_names_with_a_slash_are_refused_in_both(tf, mtf):
    for fw in (tf, mtf):
        with pytest.raises(ValueError, match="cannot contain character `/`"):
            fw.keras.layers.Dense(2, name="a/b")
        with pytest.raises(ValueError, match="must be a string"):
            fw.keras.layers.Dense(2, name=5)


def test_a_huber_delta_crosses_from_minitf_and_is_lost_by_kerass_own_files(tf, mtf, tmp_path):
    """Keras 3.15's Huber.get_config drops delta: minitf writes it, and Keras's from_config takes it."""
    x, _ = _course_data("mlp", np.random.default_rng(3))
    y = np.abs(x[:, :1]) * 5.0  # errors beyond delta
    results = {}
    for name, fw in (("minitf", mtf), ("tf", tf)):
        k = fw.keras
        model = k.Sequential([k.Input((4,)), k.layers.Dense(1)])
        model.set_weights([np.full((4, 1), 0.1, np.float32), np.zeros(1, np.float32)])
        model.compile(optimizer="sgd", loss=k.losses.Huber(delta=0.25))
        model.save(str(tmp_path / f"{name}.keras"))
        results[name] = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(results["minitf"], results["tf"], rtol=1e-6)
    from_minitf = _load(tf, str(tmp_path / "minitf.keras"))
    np.testing.assert_allclose(from_minitf.evaluate(x, y, verbose=0), results["tf"], rtol=1e-6)
    # Keras's own file has no delta: both frameworks load it as Huber(delta=1.0), alike.
    in_tf, in_minitf = _load(tf, str(tmp_path / "tf.keras")), _load(mtf, str(tmp_path / "tf.keras"))
    assert in_minitf.loss.get_config()["delta"] == 1.0
    np.testing.assert_allclose(in_minitf.evaluate(x, y, verbose=0), in_tf.evaluate(x, y, verbose=0), rtol=1e-6)
    assert not np.isclose(in_tf.evaluate(x, y, verbose=0), results["tf"])


def test_settings_kerass_configs_drop_reach_keras_from_minitfs_files(tf, mtf, tmp_path):
    """SparseCategoricalCrossentropy(axis) and the CosineSimilarity metric's axis: minitf writes them, Keras takes them."""
    k = mtf.keras
    model = k.Sequential([k.Input((3,)), k.layers.Dense(2)])
    model.compile(optimizer="sgd", loss=k.losses.SparseCategoricalCrossentropy(axis=1),
                  metrics=[k.metrics.CosineSimilarity(axis=0)])
    model.save(str(tmp_path / "m.keras"))
    loaded = _load(tf, str(tmp_path / "m.keras"))
    assert loaded.loss._fn_kwargs["axis"] == 1
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        metric = json.loads(archive.read("config.json"))["compile_config"]["metrics"][0]
    assert tf.keras.metrics.deserialize(metric)._fn_kwargs["axis"] == 0


def test_a_lambdas_mask_function_loads_from_kerass_file(tf, mtf, tmp_path):
    """Keras writes a Lambda's mask function; minitf loads it (safe_mode off). Keras 3.15 itself does not:
    its Lambda.from_config leaves the stored config in place of the function, for its own files and
    minitf's alike, so only this direction is compared."""
    src, dst = tf, mtf
    k = src.keras
    model = k.Sequential([k.Input((3,)), k.layers.Lambda(lambda t: t * 2.0, mask=lambda t, m: t[:, 0] > 0.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(str(tmp_path / "m.keras"))
    loaded = _load(dst, str(tmp_path / "m.keras"), safe_mode=False)
    x = np.array([[1.0, 0.0, 0.0], [-1.0, 2.0, 0.0], [0.5, 0.5, 0.5]], np.float32)
    mask = loaded.layers[-1].compute_mask(dst.constant(x), None)
    np.testing.assert_array_equal(np.asarray(mask), [True, False, True])


def test_to_json_uses_keras_module_names(tf, mtf):
    m_config = json.loads(_seq_in_functional(mtf).to_json())
    t_config = json.loads(_seq_in_functional(tf).to_json())
    assert m_config["module"] == t_config["module"] == "keras.src.models.functional"
    m_inner = [layer for layer in m_config["config"]["layers"] if layer["class_name"] == "Sequential"][0]
    t_inner = [layer for layer in t_config["config"]["layers"] if layer["class_name"] == "Sequential"][0]
    assert m_inner["module"] == t_inner["module"] == "keras"
    assert json.loads(_mlp(mtf).to_json())["module"] == "keras"
    rebuilt = tf.keras.models.model_from_json(_seq_in_functional(mtf).to_json())
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["InputLayer", "Sequential", "Dense"]


def test_files_have_kerass_layout(tf, mtf, tmp_path):
    """The same model saved by both: the same entries, the same HDF5 groups and datasets."""
    import h5py

    def layout(path):
        with zipfile.ZipFile(path) as archive:
            names = sorted(archive.namelist())
            infos = {i.filename: i.compress_type for i in archive.infolist()}
            import io
            found = []
            with h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as f:
                f.visititems(lambda n, o: found.append((n, getattr(o, "shape", None))))
        return names, infos, sorted(found)

    for fw, name in ((mtf, "m.keras"), (tf, "t.keras")):
        model = _bilstm(fw)
        _compile(fw, model, "bilstm")
        x, y = _course_data("bilstm", np.random.default_rng(1))
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        model.save(str(tmp_path / name))
    assert layout(tmp_path / "m.keras") == layout(tmp_path / "t.keras")


@pytest.mark.parametrize("direction", ["minitf->tf", "tf->minitf"])
def test_python_lambdas_load_only_with_safe_mode_off(tf, mtf, tmp_path, direction):
    frameworks = _frameworks(tf, mtf)
    src, dst = (frameworks[s] for s in direction.split("->"))
    k = src.keras
    model = k.Sequential([k.Input((2,)), k.layers.Lambda(lambda t: t * 3.0 + 1.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(str(tmp_path / "lambda.keras"))
    with pytest.raises(ValueError, match="safe_mode=False"):
        _load(dst, str(tmp_path / "lambda.keras"))
    loaded = _load(dst, str(tmp_path / "lambda.keras"), safe_mode=False)
    np.testing.assert_allclose(np.asarray(loaded.predict(np.ones((1, 2), "float32"), verbose=0)), [[4.0, 4.0]])


@pytest.mark.parametrize("direction", ["keras_to_minitf", "minitf_to_keras"])
def test_layers_serialize_dicts_cross_between_the_frameworks(tf, mtf, direction):
    """``keras.layers.serialize`` gives the same dict in both, and either's ``deserialize`` rebuilds the
    other's layers: a plain one and the wrappers (TimeDistributed, SpectralNormalization) with theirs."""
    makers = [lambda L: L.Dense(3, activation="relu", name="d"),
              lambda L: L.TimeDistributed(L.Dense(2, name="inner"), name="t"),
              lambda L: L.SpectralNormalization(L.Conv2D(2, 3, name="conv"), power_iterations=2, name="s"),
              lambda L: L.AdaptiveMaxPooling2D((2, 3), name="a")]
    source, target = (tf, mtf) if direction == "keras_to_minitf" else (mtf, tf)
    for make in makers:
        config = source.keras.layers.serialize(make(source.keras.layers))
        assert config == target.keras.layers.serialize(make(target.keras.layers))
        rebuilt = target.keras.layers.deserialize(config)
        assert type(rebuilt).__name__ == config["class_name"]
        assert rebuilt.get_config() == make(target.keras.layers).get_config()
        if hasattr(rebuilt, "layer"):
            assert isinstance(rebuilt, target.keras.layers.Wrapper)
