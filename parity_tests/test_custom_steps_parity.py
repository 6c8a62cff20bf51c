"""Custom training steps under Keras and minitf: what each step receives, the guide's model built
from inputs and outputs, and an unbuilt subclassed model (see tests/test_keras_custom_steps.py)."""
import numpy as np
import pytest

from parity_tests.test_training_parity import compare_histories
from tests.test_keras_custom_steps import form

X = np.linspace(-1, 1, 48, dtype=np.float32).reshape(12, 4)
Y = np.sin(np.arange(24, dtype=np.float32)).reshape(12, 2)


@pytest.fixture
def deterministic_tf(tf, op_determinism):  # for the tests that train: reference values free of thread-order noise
    tf.keras.utils.set_random_seed(7)


def step_forms(tf) -> list:
    """The form of the batch each method hands its step, eagerly (Keras's steps see Python values then)."""
    keras = tf.keras

    class Recorder(keras.Model):
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

    y1, labels = Y[:, :1], (Y[:, :1] > 0).astype("float32")
    calls = [
        lambda m: m.fit(X, y1, batch_size=12, verbose=0),
        lambda m: m.fit(X, y1, sample_weight=np.ones(12), batch_size=12, verbose=0),
        lambda m: m.fit(X, labels, class_weight={0: 1.0, 1: 2.0}, batch_size=12, verbose=0),
        lambda m: m.fit(X, y1, batch_size=12, validation_data=(X, y1), verbose=0),
        lambda m: m.evaluate(X, y1, verbose=0),
        lambda m: m.predict(X, verbose=0),
        lambda m: m.train_on_batch(X, y1),
        lambda m: m.test_on_batch(X, y1),
        lambda m: m.predict_on_batch(X),
        lambda m: m.fit(tf.data.Dataset.from_tensor_slices((X, y1)).batch(12), verbose=0),
        lambda m: m.predict(tf.data.Dataset.from_tensor_slices((X,)).batch(12), verbose=0),
        lambda m: m.predict(tf.data.Dataset.from_tensor_slices(X).batch(12), verbose=0),
    ]
    forms = []
    for run in calls:
        model = Recorder()
        model.compile("sgd", "mse", run_eagerly=True)
        run(model)
        forms.append(model.seen)
    return forms


def test_each_method_hands_its_steps_the_same_form_of_batch(tf, mtf, deterministic_tf):
    assert step_forms(mtf) == step_forms(tf)


def guide_history(tf, weights, run_eagerly=False):
    """Keras's guide "Customizing what happens in fit()": a keras.Model subclass with its own
    train_step, built from inputs and outputs, trained with Adam."""
    keras = tf.keras

    class CustomModel(keras.Model):
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

    inputs = keras.Input(shape=(4,), name="features")  # named: default names count models made before
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inputs)
    model = CustomModel(inputs, keras.layers.Dense(2, name="out")(hidden), name="guide")
    if weights is not None:
        model.set_weights(weights)
    initial = model.get_weights()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"], run_eagerly=run_eagerly)
    history = model.fit(X, Y, batch_size=4, epochs=5, shuffle=False, verbose=0).history
    config = {k: v for k, v in model.get_config().items() if k != "layers"}
    return history, config, [layer.name for layer in model.layers[1:]], initial


def test_the_guides_model_built_from_inputs_and_outputs_trains_as_in_keras(tf, mtf, deterministic_tf):
    t_hist, t_config, t_names, initial = guide_history(tf, None)  # Keras's initial weights, copied to minitf
    m_hist, m_config, m_names, _ = guide_history(mtf, initial)
    assert m_hist == guide_history(mtf, initial, run_eagerly=True)[0]  # traced and eager: the same bits
    compare_histories("guide CustomModel", t_hist, m_hist)
    assert m_names == t_names == ["hidden", "out"]
    assert m_config == t_config  # name, trainable, and the inputs and outputs of the graph


def test_an_unbuilt_subclassed_model_trains_from_its_first_step_as_in_keras(tf, mtf, deterministic_tf):
    """Its variables exist only after the first forward pass (inside the first step); constant
    initializers make both frameworks start from the same weights."""
    def history(tf):
        keras = tf.keras

        class Sub(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keras.layers.Dense(3, activation="tanh", kernel_initializer=keras.initializers.Constant(0.3),
                                                 kernel_regularizer=keras.regularizers.L2(0.01))
                self.out = keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant(-0.2))

            def call(self, x):
                return self.out(self.hidden(x))

        model = Sub()
        model.compile("adam", "mse")
        return model.fit(X, Y, batch_size=4, epochs=4, shuffle=False, verbose=0).history

    compare_histories("unbuilt subclassed model", history(tf), history(mtf))


def lower_level_histories(tf):
    """The guide's "going lower-level" model (its own metrics property, compiled without a loss) and
    its sample-weight model (``len(data) == 3``), each trained from ones."""
    keras = tf.keras

    class OwnMetrics(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = self.loss_fn(y, self(x, training=True))
            self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, self(x, training=False))
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    class Weighted(keras.Model):
        def train_step(self, data):
            if len(data) == 3:
                x, y, sample_weight = data
            else:
                (x, y), sample_weight = data, None
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
            self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sample_weight=sample_weight)
            return {m.name: m.result() for m in self.metrics}

    histories = []
    for cls, compile_args, fit_args in ((OwnMetrics, {}, {}),
                                        (Weighted, {"loss": "mse", "metrics": ["mae"]},
                                         {"sample_weight": np.linspace(0, 1, 12, dtype="float32")})):
        inputs = keras.Input(shape=(4,))
        model = cls(inputs, keras.layers.Dense(2, kernel_initializer="ones")(inputs))
        model.compile(optimizer="adam", **compile_args)
        histories.append(model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0, **fit_args).history)
    return histories


def test_the_guides_lower_level_and_sample_weight_models_train_as_in_keras(tf, mtf, deterministic_tf):
    for name, t_hist, m_hist in zip(("own metrics", "sample weights"), lower_level_histories(tf),
                                    lower_level_histories(mtf)):
        compare_histories(name, t_hist, m_hist)


def step_functions(tf) -> dict:
    """Keras's step-function API: the attributes after compile, what make_*_function builds and what
    the functions return and consume, jit_compile and steps_per_execution."""
    import warnings
    keras = tf.keras
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2, kernel_initializer="ones")(inputs))
    model.compile("sgd", "mse", metrics=["mae"], steps_per_execution=2)
    seen = {"before": (model.train_function, model.test_function, model.predict_function,
                       model.steps_per_execution, model.jit_compile)}
    model.make_train_function()
    seen["kept"] = model.make_train_function() is model.train_function
    batches = tf.data.Dataset.from_tensor_slices((X, Y)).batch(4)
    iterator = iter(batches)
    seen["train logs"] = {k: float(v) for k, v in model.train_function(iterator).items()}
    seen["batches left"] = len(list(iterator))  # two of three were taken: one execution
    model.make_test_function()
    seen["test logs"] = {k: float(v) for k, v in model.test_function(iter(batches)).items()}
    model.make_predict_function()
    seen["predict"] = np.asarray(model.predict_function(list(tf.data.Dataset.from_tensor_slices((X,)).batch(4))))
    model.steps_per_execution = 3
    seen["set"] = model.steps_per_execution
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.compile("sgd", "mse", jit_compile=True, run_eagerly=True)
    seen["jit when eager"] = (model.jit_compile, [str(w.message) for w in caught if "jit_compile" in str(w.message)])
    model.compile("sgd", "mse", jit_compile=True)
    seen["jit"] = (model.jit_compile, model.get_compile_config()["jit_compile"])
    model.compile("sgd", "mse")
    seen["after compile"] = (model.train_function, model.jit_compile)
    return seen


def test_the_step_function_api_is_keras(tf, mtf):
    """Without TF's op determinism: under it Keras turns jit_compile off (XLA lacks deterministic
    kernels), which minitf, with no XLA, does not copy. One step from fixed weights needs no determinism."""
    t, m = step_functions(tf), step_functions(mtf)
    np.testing.assert_allclose(m.pop("predict"), t.pop("predict"), rtol=1e-6)
    for key in ("train logs", "test logs"):
        assert m[key] == pytest.approx(t.pop(key), rel=1e-6)
        m.pop(key)
    assert m == t
