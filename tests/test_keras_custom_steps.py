"""Custom training steps as Keras's guide "Customizing what happens in fit()" writes them.

Two things make that guide's code run unchanged: each batch reaches ``train_step`` /
``test_step`` / ``predict_step`` in Keras's form (``x``, ``(x, y)`` or ``(x, y, sample_weight)``,
``keras.utils.pack_x_y_sample_weight``), and a ``keras.Model`` subclass may be built like a
functional model, ``CustomModel(inputs, outputs)``. The forms below are Keras 3.15's, checked
against it in parity_tests/test_custom_steps_parity.py.
"""
import numpy as np
import pytest

import minitf as tf
from minitf import keras
from minitf.keras.engine.functional import Functional

X = np.linspace(-1, 1, 24, dtype=np.float32).reshape(6, 4)
Y = np.linspace(0, 1, 12, dtype=np.float32).reshape(6, 2)


def form(data) -> str:
    """The structure of what a step received: T for a tensor, tuple(...) for a tuple."""
    if isinstance(data, (tuple, list)):
        return f"{type(data).__name__}({','.join(form(d) for d in data)})"
    return "None" if data is None else "T"


class Recorder(keras.Model):
    """A subclassed model whose steps note the form of their data, then do Keras's default."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.seen = []

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        self.seen.append(form(data))
        return super().train_step(data)

    def test_step(self, data):
        self.seen.append(form(data))
        return super().test_step(data)

    def predict_step(self, data):
        self.seen.append(form(data))
        return super().predict_step(data)


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["traced", "eager"])
def test_each_method_hands_its_steps_keras_form_of_the_batch(run_eagerly):
    y1 = Y[:, :1]
    calls = [
        (lambda m: m.fit(X, y1, batch_size=6, verbose=0), "tuple(T,T)"),
        (lambda m: m.fit(X, y1, sample_weight=np.ones(6), batch_size=6, verbose=0), "tuple(T,T,T)"),
        (lambda m: m.fit(X, (y1 > 0.5).astype("float32"), class_weight={0: 1.0, 1: 2.0}, batch_size=6, verbose=0),
         "tuple(T,T,T)"),
        (lambda m: m.evaluate(X, y1, verbose=0), "tuple(T,T)"),
        (lambda m: m.predict(X, verbose=0), "T"),
        (lambda m: m.train_on_batch(X, y1), "tuple(T,T,None)"),  # Keras keeps the None here
        (lambda m: m.test_on_batch(X, y1), "tuple(T,T,None)"),
        (lambda m: m.predict_on_batch(X), "tuple(T)"),
        (lambda m: m.fit(tf.data.Dataset.from_tensor_slices((X, y1)).batch(6), verbose=0), "tuple(T,T)"),
        (lambda m: m.predict(tf.data.Dataset.from_tensor_slices((X,)).batch(6), verbose=0), "tuple(T)"),
        (lambda m: m.predict(tf.data.Dataset.from_tensor_slices(X).batch(6), verbose=0), "T"),
        (lambda m: m.fit(iter([[X, y1]]), verbose=0), "tuple(T,T)"),  # a list element is a tuple, as in tf.data
    ]
    for run, expected in calls:
        m = Recorder()  # a new model: traced, a step's Python runs once per new trace only
        m.build((None, 4))
        m.compile("sgd", "mse", run_eagerly=run_eagerly)
        run(m)
        assert m.seen and set(m.seen) == {expected}, (expected, m.seen)


def test_pack_and_unpack_x_y_sample_weight_are_keras_utils():
    pack, unpack = keras.utils.pack_x_y_sample_weight, keras.utils.unpack_x_y_sample_weight
    x, y, w = np.zeros(2), np.ones(2), np.full(2, 2.0)
    assert pack(x) is x and pack((x,)) == ((x,),) and pack([x, y]) == ([x, y],)
    assert pack(x, y) == (x, y) and pack(x, y, w) == (x, y, w) and pack(x, None, w) is x
    assert unpack(x) == (x, None, None) and unpack((x,)) == (x, None, None)
    assert unpack([x, y]) == (x, y, None) and unpack((x, y, w)) == (x, y, w)
    with pytest.raises(ValueError, match=r"`\(x, y, sample_weight\)`"):
        unpack((x, y, w, w))
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    m.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        m.fit(iter([(X, Y, np.ones(6), np.ones(6))]), verbose=0)  # a dataset element of four items


# --- the guide's model: a subclass built from inputs and outputs ----------------------------------------
class CustomModel(keras.Model):
    """The guide's first example, word for word."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def guide_model(cls=CustomModel, name=None):
    tf.random.set_seed(3)
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(2, name="out")(keras.layers.Dense(8, activation="relu", name="hidden")(inputs))
    return cls(inputs, outputs, name=name)


def test_a_model_subclass_built_from_inputs_and_outputs_is_a_functional_with_its_own_steps():
    model = guide_model(name="guided")
    assert isinstance(model, CustomModel) and isinstance(model, Functional) and isinstance(model, keras.Model)
    assert [layer.name for layer in model.layers] == [model.layers[0].name, "hidden", "out"]
    assert model.name == "guided" and model.built and len(model.trainable_variables) == 4
    histories = []
    for run_eagerly in (False, True):
        model = guide_model()
        model.compile(optimizer="adam", loss="mse", metrics=["mae"], run_eagerly=run_eagerly)
        histories.append(model.fit(X, Y, batch_size=4, epochs=3, verbose=0).history)
    assert histories[0] == histories[1]  # traced and eager: the same bits
    assert sorted(histories[0]) == ["loss", "mae"] and histories[0]["loss"][-1] < histories[0]["loss"][0]
    second = guide_model()  # the class is a Functional now: a second instance is built the same way
    np.testing.assert_array_equal(second.predict(X, verbose=0), guide_model().predict(X, verbose=0))


def test_the_subclass_keeps_its_config_and_file_round_trips(tmp_path):
    registered = keras.saving.register_keras_serializable(package="custom_steps_test")(
        type("RegisteredCustomModel", (CustomModel,), {}))
    model = guide_model(registered)
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, epochs=1, verbose=0)
    config = model.get_config()
    assert sorted(config) == ["input_layers", "layers", "name", "output_layers", "trainable"]
    rebuilt = registered.from_config(config)
    assert type(rebuilt) is registered and [v.shape for v in rebuilt.weights] == [v.shape for v in model.weights]
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert type(loaded) is registered
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    loaded.fit(X, Y, epochs=1, verbose=0)  # the loaded model trains with its own train_step


def test_a_subclass_with_args_and_kwargs_is_functional_like_and_one_with_other_arguments_is_not():
    class Passing(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)

    class Sized(keras.Model):
        def __init__(self, units):
            inputs = keras.Input((4,))
            super().__init__(inputs, keras.layers.Dense(units)(inputs))

    passing = guide_model(Passing)
    assert "layers" in passing.get_config() and type(Passing.from_config(passing.get_config())) is Passing
    sized = Sized(3)
    assert isinstance(sized, Functional) and sized.predict(X, verbose=0).shape == (6, 3)
    # Its __init__ is not Functional's: a config of layers could not rebuild it, so it gets Model's
    # base config. Keras adds no __init__ arguments there either (its auto-config is for subclasses
    # whose get_config is Model's own), so reviving it fails as in Keras, with a TypeError.
    assert sorted(sized.get_config()) == ["dtype", "name", "trainable"]
    with pytest.raises(TypeError):
        Sized.from_config(sized.get_config())


def test_a_plain_subclass_is_untouched_by_another_class_becoming_functional():
    guide_model()
    model = Recorder()
    assert not isinstance(model, Functional)
    model.compile("sgd", "mse")
    model.fit(X, Y[:, :1], verbose=0)
    assert model.seen == ["tuple(T,T)"]


# --- Keras's step functions: make_train_function and its kin -------------------------------------------
def test_make_train_function_runs_one_execution_of_steps_from_an_iterator():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2, kernel_initializer="ones")(inputs))
    model.compile("sgd", "mse", metrics=["mae"], steps_per_execution=2)
    assert (model.train_function, model.test_function, model.predict_function) == (None, None, None)
    train = model.make_train_function()
    assert train is model.train_function is model.make_train_function()
    assert model.make_train_function(force=True) is not train
    batches = tf.data.Dataset.from_tensor_slices((X, Y)).batch(2)
    iterator = iter(batches)
    logs = model.train_function(iterator)
    assert sorted(logs) == ["loss", "mae"] and len(list(iterator)) == 1  # two of the three batches taken
    with pytest.raises(StopIteration):
        model.train_function(iter([]))
    # the same numbers as fit on those two batches, from the same start
    twin = keras.Model(inputs, keras.layers.Dense(2, kernel_initializer="ones")(inputs))
    twin.compile("sgd", "mse", metrics=["mae"])
    assert twin.fit(X[:4], Y[:4], batch_size=2, shuffle=False, verbose=0).history == \
        {k: [v] for k, v in logs.items()}
    model.reset_metrics()  # the functions only update the metrics; evaluate resets them first
    assert model.make_test_function()(iter(batches)) == twin.evaluate(X[:4], Y[:4], batch_size=2, verbose=0,
                                                                    return_dict=True)
    predict = model.make_predict_function()
    np.testing.assert_array_equal(predict([X[:2], X[2:]]), model.predict(X, verbose=0))  # a list of batches
    model.steps_per_execution = 1
    np.testing.assert_array_equal(predict([X[:2], X[2:]]), model.predict(X[:2], verbose=0))  # the first alone
    model.compile("sgd", "mse")
    assert model.train_function is None  # compile forgets them, as Keras


def test_jit_compile_and_steps_per_execution_are_model_attributes():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", steps_per_execution=3)
    assert model.steps_per_execution == 3 and model.jit_compile is False  # "auto": nothing to compile on NumPy
    with pytest.raises(ValueError, match="steps_per_execution must be a positive integer"):
        model.steps_per_execution = 0
    model.compile("sgd", "mse", jit_compile=True)
    assert model.jit_compile is True and model.get_compile_config()["jit_compile"] is True
    with pytest.warns(UserWarning, match="`jit_compile` cannot also be True"):
        model.compile("sgd", "mse", jit_compile=True, run_eagerly=True)
    assert model.jit_compile is False
    model.jit_compile = True
    assert model.jit_compile is True
