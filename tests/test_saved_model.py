"""tf.saved_model: objects, variables and traced functions saved as data and loaded back.

Each test saves with minitf, loads with minitf, and compares with the object that was saved:
the same outputs (bit for bit: the same kernels run), the same training steps, TF's rules for
signatures and for calls no saved trace fits. Loading runs no code from the file: hostile and
broken files get minitf's own error naming the file and the problem.
"""
from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest

import minitf as tf
from minitf.errors import NotFoundError
from minitf.saved_model import FileFormatError, SaveError


class Dense(tf.Module):
    def __init__(self, n_in, n_out, seed, name=None):
        super().__init__(name=name)
        rng = np.random.default_rng(seed)
        self.w = tf.Variable(rng.normal(size=(n_in, n_out)).astype("float32"), name="w")
        self.b = tf.Variable(np.zeros(n_out, "float32"), name="b")

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
        return x * 2.0


def same(a, b):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.fixture
def model_dir(tmp_path):
    return str(tmp_path / "model")


def test_module_round_trip_gives_the_same_results_and_variables(model_dir):
    m = Sequential()
    x1, x2 = np.ones((1, 3), "float32"), np.arange(6, dtype="float32").reshape(2, 3)
    expected = [m(x1).numpy(), m(x2).numpy()]
    tf.saved_model.save(m, model_dir)
    loaded = tf.saved_model.load(model_dir)
    same(loaded(x1), expected[0])
    same(loaded(tf.constant(x2)), expected[1])
    same(loaded.layers[0].w, m.layers[0].w)
    assert loaded.layers[1].b.name == "b:0" and loaded.calls.trainable is False
    assert int(loaded.calls.numpy()) == 2 + 2  # saved after 2 calls, then called twice: assignments run
    same(loaded([[1.0, 1.0, 1.0]]), expected[0])  # a list is converted where the trace took a tensor
    same(loaded.scale(tf.constant([1.0, 2.5])), [2.0, 5.0])
    assert not hasattr(loaded, "variables")  # as TF: only what was saved as an attribute


def test_a_call_no_trace_fits_lists_the_options(model_dir):
    m = Sequential()
    m(np.ones((1, 3), "float32"))
    tf.saved_model.save(m, model_dir)
    loaded = tf.saved_model.load(model_dir)
    with pytest.raises(ValueError, match=r"(?s)Could not find matching concrete function.*"
                                         r"following 1 option\(s\).*TensorSpec\(shape=\(1, 3\), dtype=tf.float32"):
        loaded(np.ones((3,), "float32"))
    with pytest.raises(ValueError, match="Could not find matching"):
        loaded(np.ones((1, 3), "int32"))


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


def test_a_saved_training_step_trains_on_exactly_as_the_original(model_dir):
    rng = np.random.default_rng(0)
    x = rng.random((16, 2), dtype=np.float32)
    y = x @ np.array([[1.0], [2.0]], np.float32)
    t = Trainer()
    for _ in range(3):
        t.train(x, y)
    tf.saved_model.save(t, model_dir)
    loaded = tf.saved_model.load(model_dir)
    # The optimizer's slots and step count are variables the graph reads: saved with it.
    for _ in range(4):
        same(loaded.train(x, y), t.train(x, y))
    same(loaded.w, t.w)
    same(loaded.b, t.b)


class Branchy(tf.Module):
    def __init__(self):
        super().__init__()
        self.k = tf.Variable(3.0)

    @tf.function(input_signature=[tf.TensorSpec([None])])
    def __call__(self, x):
        y = tf.cond(tf.reduce_sum(x) > 0, lambda: x * self.k, lambda: x - 1.0)
        _, y = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * 2.0), (tf.constant(0), y))
        tf.print("y:", y, output_stream="file://" + self.log)
        return {"y": y, "noise": tf.random.uniform([3])}


def test_control_flow_prints_and_random_draws_survive(model_dir, tmp_path):
    m = Branchy()
    m.log = str(tmp_path / "printed.txt")
    expected = [m(tf.constant([1.0, 2.0]))["y"].numpy(), m(tf.constant([-1.0, -2.0]))["y"].numpy()]
    tf.saved_model.save(m, model_dir)
    loaded = tf.saved_model.load(model_dir)
    same(loaded(tf.constant([1.0, 2.0]))["y"], expected[0])
    same(loaded(tf.constant([-1.0, -2.0]))["y"], expected[1])
    lines = open(m.log).read().splitlines()
    assert lines == ["y: [24 48]", "y: [-16 -24]"] * 2, lines  # tf.print runs on every call, loaded too
    a, b = loaded(tf.constant([1.0]))["noise"].numpy(), loaded(tf.constant([1.0]))["noise"].numpy()
    assert not np.array_equal(a, b)  # a random op draws anew on each call
    assert ((0 <= a) & (a < 1)).all()


def test_default_signature_is_the_one_function_with_an_input_signature(model_dir):
    m = Sequential()
    m(np.ones((1, 3), "float32"))
    tf.saved_model.save(m, model_dir)
    signature = tf.saved_model.load(model_dir).signatures["serving_default"]
    assert signature.structured_input_signature == ((), {"x": tf.TensorSpec([None], tf.float32, name="x")})
    assert list(signature.structured_outputs) == ["output_0"]
    same(signature(x=tf.constant([1.0, 2.0]))["output_0"], [2.0, 4.0])
    same(signature(tf.constant([3.0]))["output_0"], [6.0])
    with pytest.raises(TypeError, match="unexpected or repeated argument 'y'"):
        signature(y=tf.constant([1.0]))


def test_no_signature_without_an_input_signature_and_explicit_ones(model_dir, tmp_path):
    class M(tf.Module):
        @tf.function
        def f(self, x):
            return x + 1

    m = M()
    m.f(tf.constant(1.0))
    tf.saved_model.save(m, model_dir)
    assert tf.saved_model.load(model_dir).signatures == {}
    concrete = m.f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    tf.saved_model.save(m, str(tmp_path / "b"), signatures={"add_one": concrete})
    loaded = tf.saved_model.load(str(tmp_path / "b"))
    assert list(loaded.signatures) == ["add_one"]
    same(loaded.signatures["add_one"](x=tf.constant([1.0, 2.0]))["output_0"], [2.0, 3.0])
    same(loaded.f(tf.constant(5.0)), 6.0)  # both traces were saved
    same(loaded.f(tf.constant([1.0, 2.0])), [2.0, 3.0])


def test_a_signature_must_return_tensors(model_dir):
    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([])])
        def f(self, x):
            return {"x": x, "nested": (x, x)}

    with pytest.raises(ValueError, match="non-Tensor value"):
        tf.saved_model.save(M(), model_dir)


def test_keras_model_save_and_export(model_dir, tmp_path, capsys):
    layers = tf.keras.layers
    model = tf.keras.Sequential([tf.keras.Input((8, 8, 2)), layers.Conv2D(3, 3, activation="relu"), layers.MaxPool2D(),
                                 layers.BatchNormalization(), layers.Flatten(), layers.Dropout(0.5), layers.Dense(2)])
    x = np.random.default_rng(0).random((4, 8, 8, 2), dtype=np.float32)
    expected = model.predict(x, verbose=0)
    tf.saved_model.save(model, model_dir)
    signature = tf.saved_model.load(model_dir).signatures["serving_default"]
    assert list(signature.structured_input_signature[1]) == ["inputs"]
    same(signature(inputs=x)["output_0"], expected)

    model.export(str(tmp_path / "exported"))
    assert "Endpoint 'serve'" in capsys.readouterr().out
    loaded = tf.saved_model.load(str(tmp_path / "exported"))
    same(loaded.serve(x), expected)
    assert list(loaded.signatures["serving_default"].structured_input_signature[1]) == [model.inputs[0].name]


def test_recurrent_model_export(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((5,), dtype="int32"), tf.keras.layers.Embedding(10, 4, mask_zero=True),
                                 tf.keras.layers.LSTM(3), tf.keras.layers.Dense(1)])
    x = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]], "int32")
    model.export(str(tmp_path / "lstm"), verbose=False)
    same(tf.saved_model.load(str(tmp_path / "lstm")).serve(x), model.predict(x, verbose=0))


def test_a_failed_save_leaves_the_previous_model_whole(model_dir):
    m = Sequential()
    m(np.ones((1, 3), "float32"))
    tf.saved_model.save(m, model_dir)

    class Unsaveable(tf.Module):
        @tf.function
        def f(self, x):
            tf.print(x, output_stream=io.StringIO())  # a stream object is not data
            return x

    bad = Unsaveable()
    bad.f(tf.constant(1.0))
    with pytest.raises(SaveError, match=r"root.f: .*output_stream|root.f: .*attribute 'stream'"):
        tf.saved_model.save(bad, model_dir)
    same(tf.saved_model.load(model_dir)(np.ones((1, 3), "float32")), m(np.ones((1, 3), "float32")))
    assert len(os.listdir(os.path.join(model_dir, "variables"))) == 1
    assert not [n for n in os.listdir(model_dir) if n.startswith(".tmp-")]


def test_saving_again_replaces_the_arrays(model_dir):
    m = Sequential()
    m(np.ones((1, 3), "float32"))
    tf.saved_model.save(m, model_dir)
    m.layers[0].w.assign(tf.zeros((3, 4)))
    tf.saved_model.save(m, model_dir)
    assert len(os.listdir(os.path.join(model_dir, "variables"))) == 1
    same(tf.saved_model.load(model_dir).layers[0].w, np.zeros((3, 4)))


# --- files that are not what they should be --------------------------------------------------
def _saved(model_dir) -> dict:
    m = Sequential()
    m(np.ones((1, 3), "float32"))
    tf.saved_model.save(m, model_dir)
    with open(os.path.join(model_dir, "saved_model.json")) as f:
        return json.load(f)


def _rewrite(model_dir, data) -> None:
    with open(os.path.join(model_dir, "saved_model.json"), "w") as f:
        json.dump(data, f)


def test_a_file_naming_something_other_than_a_minitf_op_is_refused(model_dir):
    data = _saved(model_dir)
    for obj in data["objects"]:
        for trace in obj.get("traces", []):
            for op in trace["graph"]["operations"]:
                if "op" in op:
                    op["op"] = "os:system"
    _rewrite(model_dir, data)
    with pytest.raises(FileFormatError, match=r"saved_model.json: operation \d+ names an op minitf does not have: 'os:system'"):
        tf.saved_model.load(model_dir)


def test_deeply_nested_json_is_refused_by_name(model_dir):
    _saved(model_dir)
    with open(os.path.join(model_dir, "saved_model.json"), "w") as f:
        f.write("[" * 100_000 + "]" * 100_000)
    with pytest.raises(FileFormatError, match="nested too deeply"):
        tf.saved_model.load(model_dir)


def test_arrays_larger_than_declared_are_refused_before_inflating(model_dir):
    data = _saved(model_dir)
    path = os.path.join(model_dir, data["arrays"])
    key = next(iter(data["array_specs"]))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:  # 64 MiB of zeros compress to ~64 KiB
        buffer = io.BytesIO()
        np.save(buffer, np.zeros(2**24, "float32"))
        z.writestr(f"{key}.npy", buffer.getvalue())
    with pytest.raises(FileFormatError, match=rf"array '{key}' inflates to \d+ bytes, but is declared"):
        tf.saved_model.load(model_dir)


def test_absurd_declared_sizes_are_refused(model_dir):
    data = _saved(model_dir)
    key = next(iter(data["array_specs"]))
    data["array_specs"][key]["shape"] = [2**40]
    _rewrite(model_dir, data)
    with pytest.raises(FileFormatError, match="more than this machine's memory"):
        tf.saved_model.load(model_dir)


def test_bad_references_and_missing_files(model_dir, tmp_path):
    data = _saved(model_dir)
    data["root"] = 999
    _rewrite(model_dir, data)
    with pytest.raises(FileFormatError, match="an object reference 999 names no saved object"):
        tf.saved_model.load(model_dir)
    with pytest.raises(NotFoundError, match="Could not find saved_model.json"):
        tf.saved_model.load(str(tmp_path))
    (tmp_path / "tfmodel").mkdir()
    (tmp_path / "tfmodel" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(NotFoundError, match="TensorFlow SavedModel"):
        tf.saved_model.load(str(tmp_path / "tfmodel"))
