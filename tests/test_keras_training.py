"""compile / fit / evaluate / predict: History, the batch-size-weighted epoch loss (recomputed here
with NumPy), data handling (splits, shuffling, weights, datasets), and the error cases."""
import warnings

import numpy as np
import pytest

import minitf as tf

# Every test twice: fit/evaluate/predict traced (compile's default) and run eagerly (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fit_mode")

keras = tf.keras
layers = tf.keras.layers
RNG = np.random.default_rng(2)


def linear_model(w=None, b=None, regularizer=None):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_regularizer=regularizer)])
    if w is not None:
        model.set_weights([w, b])
    return model


def data(n=10):
    x = RNG.normal(size=(n, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 + 0.1 * RNG.normal(size=(n, 1))).astype(np.float32)
    return x, y


def numpy_sgd_epoch(x, y, w, b, lr, batch, l2=0.0):
    """One epoch of SGD on MSE (+ l2 * sum(w^2)) in float64: (epoch loss, w, b), loss before each update."""
    total = 0.0
    for start in range(0, len(x), batch):
        xb, yb = x[start:start + batch].astype(np.float64), y[start:start + batch].astype(np.float64)
        err = xb @ w + b - yb
        loss = np.mean(err ** 2) + l2 * np.sum(w ** 2)
        total += len(xb) * loss
        gw = 2 * xb.T @ err / len(xb) + 2 * l2 * w
        gb = 2 * err.sum(0) / len(xb)
        w, b = w - lr * gw, b - lr * gb
    return total / len(x), w, b


# --------------------------------------------------------------------------- History and the epoch loss
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_epoch_loss_is_batch_size_weighted_before_each_update(l2):
    x, y = data(10)  # batches of 4, 4 and 2: the last partial batch is kept
    w0, b0 = RNG.normal(size=(3, 1)).astype(np.float32), np.array([0.1], np.float32)
    model = linear_model(w0, b0, keras.regularizers.L2(l2) if l2 else None)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    w, b = w0.astype(np.float64), b0.astype(np.float64)
    expected = []
    for _ in range(3):
        loss, w, b = numpy_sgd_epoch(x, y, w, b, 0.05, 4, l2)
        expected.append(loss)
    np.testing.assert_allclose(history.history["loss"], expected, rtol=2e-5)  # float32 vs float64
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-4, atol=1e-6)
    assert list(history.history) == ["loss"] and history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}


def test_history_keys_sorted_with_metrics_and_validation():
    x, y = data(20)
    model = linear_model()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert all(len(v) == 2 for v in history.history.values())


def test_validation_split_takes_the_last_fraction_before_shuffling():
    x, y = data(20)
    w0, b0 = RNG.normal(size=(3, 1)).astype(np.float32), np.array([0.0], np.float32)
    model = linear_model(w0, b0)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")  # lr 0: the weights stay put
    history = model.fit(x, y, epochs=1, validation_split=0.2, shuffle=True, verbose=0)
    pred = x @ w0 + b0
    np.testing.assert_allclose(history.history["val_loss"][0], np.mean((pred[16:] - y[16:]) ** 2), rtol=1e-5)
    np.testing.assert_allclose(history.history["loss"][0], np.mean((pred[:16] - y[:16]) ** 2), rtol=1e-5)


def test_validation_data_with_sample_weights_and_validation_freq():
    x, y = data(12)
    w0, b0 = RNG.normal(size=(3, 1)).astype(np.float32), np.array([0.0], np.float32)
    model = linear_model(w0, b0)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    sw = np.linspace(0, 2, 12).astype(np.float32)
    history = model.fit(x, y, epochs=4, validation_data=(x, y, sw), validation_freq=2, verbose=0,
                        batch_size=12)
    err2 = ((x @ w0 + b0 - y) ** 2)[:, 0]
    assert len(history.history["val_loss"]) == 2  # after epochs 2 and 4 only
    # Keras's default reduction: sum(w * loss) / number of samples (not / sum(w)).
    np.testing.assert_allclose(history.history["val_loss"], [np.sum(sw * err2) / 12] * 2, rtol=1e-5)


def test_sample_weight_and_class_weight_in_fit():
    x = RNG.normal(size=(8, 3)).astype(np.float32)
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1], np.float32)[:, None]
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    w, b = model.get_weights()
    err2 = ((x @ w + b - y) ** 2)[:, 0]
    class_weight = {0: 0.5, 1: 3.0}
    h1 = model.fit(x, y, batch_size=8, class_weight=class_weight, verbose=0)
    weights = np.where(y[:, 0] == 1, 3.0, 0.5)
    np.testing.assert_allclose(h1.history["loss"][0], np.sum(weights * err2) / 8, rtol=1e-5)
    h2 = model.fit(x, y, batch_size=8, sample_weight=weights, verbose=0)
    np.testing.assert_allclose(h2.history["loss"][0], h1.history["loss"][0], rtol=1e-6)
    with pytest.raises(ValueError, match="`class_weight` and `sample_weight`"):
        model.fit(x, y, sample_weight=weights, class_weight=class_weight, verbose=0)


def test_fit_takes_a_dataset_tensors_and_lists_like_arrays_and_class_weight_with_a_dataset():
    x = np.random.default_rng(7).normal(size=(10, 3)).astype(np.float32)  # own stream: RNG's draws stay as they were
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0], np.float32)[:, None]
    class_weight = {0: 0.5, 1: 3.0}

    def history(data_x, data_y=None, **kwargs):
        tf.random.set_seed(0)
        model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        return model.fit(data_x, data_y, epochs=3, verbose=0, shuffle=False, **kwargs).history["loss"]

    expected = history(x, y, batch_size=4)
    np.testing.assert_array_equal(history(tf.constant(x), tf.constant(y), batch_size=4), expected)
    np.testing.assert_array_equal(history(x.tolist(), y.tolist(), batch_size=4), expected)
    np.testing.assert_array_equal(history(tf.data.Dataset.from_tensor_slices((x, y)).batch(4)), expected)
    weighted = history(x, y, batch_size=4, class_weight=class_weight)
    np.testing.assert_array_equal(
        history(tf.data.Dataset.from_tensor_slices((x, y)).batch(4), class_weight=class_weight), weighted)
    assert not np.array_equal(weighted, expected)
    with pytest.raises(ValueError, match="`class_weight` and `sample_weight`"):
        history(tf.data.Dataset.from_tensor_slices((x, y, np.ones(10, np.float32))).batch(4), class_weight=class_weight)


def test_shuffle_visits_every_sample_once_per_epoch():
    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            pass

    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    model = keras.Sequential([keras.Input((1,)), layers.Lambda(lambda t: (seen.append(t.numpy()[:, 0]), t)[1])])
    # run_eagerly: the Lambda reads values in Python (.numpy()), which a traced step cannot
    model.compile(optimizer="sgd", loss=lambda yt, yp: tf.reduce_mean(yp * 0.0), run_eagerly=True)
    seen.clear()  # building the model ran the Lambda on placeholder data
    with pytest.warns(UserWarning, match="no|not have any trainable"):
        model.fit(x, x, batch_size=3, epochs=2, shuffle=True, verbose=0, callbacks=[Record()])
    first, second = np.concatenate(seen[:4]), np.concatenate(seen[4:8])
    assert sorted(first) == list(range(10)) and sorted(second) == list(range(10))
    assert [len(s) for s in seen[:4]] == [3, 3, 3, 1]


def test_steps_per_epoch_continues_where_the_last_epoch_stopped():
    seen = []
    x = np.arange(8, dtype=np.float32).reshape(8, 1)
    model = keras.Sequential([keras.Input((1,)), layers.Lambda(lambda t: (seen.append(t.numpy()[0, 0]), t)[1])])
    model.compile(optimizer="sgd", loss=lambda yt, yp: tf.reduce_mean(yp * 0.0), run_eagerly=True)
    seen.clear()
    with pytest.warns(UserWarning):
        history = model.fit(x, x, batch_size=2, epochs=3, steps_per_epoch=3, shuffle=False, verbose=0)
    # 4 batches (starting at 0, 2, 4, 6); 3 steps per epoch: epoch 2 gets the 4th batch then runs out.
    assert seen == [0, 2, 4, 6, 0, 2, 4]
    assert history.epoch == [0, 1, 2]


def test_initial_epoch_and_zero_epochs():
    x, y = data(4)
    model = linear_model()
    model.compile(optimizer="sgd", loss="mse")
    assert model.fit(x, y, epochs=3, initial_epoch=1, verbose=0).epoch == [1, 2]
    assert model.fit(x, y, epochs=0, verbose=0).history == {}


class Batches:
    """A stand-in for minitf.data.Dataset: re-iterable, yields (x, y) tensor batches."""

    def __init__(self, x, y, batch):
        self.x, self.y, self.batch = x, y, batch

    def __iter__(self):
        for i in range(0, len(self.x), self.batch):
            yield tf.constant(self.x[i:i + self.batch]), tf.constant(self.y[i:i + self.batch])


def test_fit_and_evaluate_on_a_dataset_match_arrays():
    x, y = data(10)
    w0, b0 = RNG.normal(size=(3, 1)).astype(np.float32), np.array([0.2], np.float32)
    a, b = linear_model(w0, b0), linear_model(w0, b0)
    for m in (a, b):
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    ha = a.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    hb = b.fit(Batches(x, y, 4), epochs=2, verbose=0)
    np.testing.assert_allclose(hb.history["loss"], ha.history["loss"], rtol=1e-6)
    assert hb.params["steps"] is None  # unknown length
    np.testing.assert_allclose(b.evaluate(Batches(x, y, 3), verbose=0), a.evaluate(x, y, verbose=0), rtol=1e-6)
    with pytest.raises(ValueError, match="`y` should not be passed"):
        b.fit(Batches(x, y, 4), y, verbose=0)


def test_generator_with_steps_per_epoch():
    x, y = data(8)
    model = linear_model()
    model.compile(optimizer="sgd", loss="mse")

    def forever():
        while True:
            yield x[:4], y[:4]
    history = model.fit(forever(), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_multi_input_multi_output_training_with_dicts_and_lists():
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    h = layers.Concatenate()([a, b])
    out1 = layers.Dense(1, name="reg")(h)
    out2 = layers.Dense(3, activation="softmax", name="cls")(h)
    model = keras.Model([a, b], [out1, out2])
    model.compile(optimizer="adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 2.0}, metrics={"cls": ["accuracy"]})
    xa, xb = RNG.normal(size=(16, 2)).astype(np.float32), RNG.normal(size=(16, 3)).astype(np.float32)
    y1, y2 = RNG.normal(size=(16, 1)).astype(np.float32), RNG.integers(0, 3, 16)
    history = model.fit({"a": xa, "b": xb}, {"reg": y1, "cls": y2}, epochs=1, verbose=0)
    assert sorted(history.history) == ["cls_accuracy", "cls_loss", "loss", "reg_loss"]
    logs = model.evaluate([xa, xb], [y1, y2], verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["loss"], 0.5 * logs["reg_loss"] + 2.0 * logs["cls_loss"], rtol=1e-5)
    p1, p2 = model.predict([xa, xb], batch_size=5, verbose=0)
    assert p1.shape == (16, 1) and p2.shape == (16, 3)


# --------------------------------------------------------------------------- evaluate / predict / *_on_batch
def test_evaluate_predict_and_on_batch_methods():
    x, y = data(10)
    w0, b0 = RNG.normal(size=(3, 1)).astype(np.float32), np.array([0.5], np.float32)
    model = linear_model(w0, b0)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    pred = x @ w0 + b0
    np.testing.assert_allclose(model.predict(x, batch_size=3, verbose=0), pred, rtol=1e-5, atol=1e-6)
    assert isinstance(model.predict(x, verbose=0), np.ndarray)
    loss, mae = model.evaluate(x, y, batch_size=4, verbose=0)
    np.testing.assert_allclose([loss, mae], [np.mean((pred - y) ** 2), np.mean(np.abs(pred - y))], rtol=1e-5)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)  # one batch of 10, not 4 + 4 + 2: rounding differs
    assert list(logs) == ["loss", "mae"]
    assert logs == {"loss": pytest.approx(loss, rel=1e-6), "mae": pytest.approx(mae, rel=1e-6)}
    np.testing.assert_allclose(model.predict_on_batch(x), pred, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.test_on_batch(x, y)[0], loss, rtol=1e-6)
    before = model.train_on_batch(x, y, return_dict=True)["loss"]
    np.testing.assert_allclose(before, loss, rtol=1e-6)  # the loss of the batch, before the update
    assert model.train_on_batch(x, y)[0] < before
    plain = linear_model(w0, b0)
    plain.compile(optimizer="sgd", loss="mse")
    assert isinstance(plain.evaluate(x, y, verbose=0), float)


@pytest.mark.parametrize("output,labels,expected_name", [
    (1, lambda n: RNG.integers(0, 2, (n, 1)).astype(np.float32), "BinaryAccuracy"),
    (3, lambda n: RNG.integers(0, 3, n), "SparseCategoricalAccuracy"),
    (3, lambda n: np.eye(3, dtype=np.float32)[RNG.integers(0, 3, n)], "CategoricalAccuracy"),
])
def test_accuracy_is_resolved_from_the_shapes(output, labels, expected_name):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(output, activation="sigmoid" if output == 1
                                                                 else "softmax")])
    loss = "binary_crossentropy" if output == 1 else (
        "categorical_crossentropy" if expected_name == "CategoricalAccuracy" else "sparse_categorical_crossentropy")
    model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    x = RNG.normal(size=(12, 4)).astype(np.float32)
    y = labels(12)
    history = model.fit(x, y, epochs=1, batch_size=12, verbose=0)
    metric = model._compile_metrics.metrics[0]
    assert type(metric).__name__ == expected_name and metric.name == "accuracy"
    pred = model.predict(x, verbose=0)
    if output == 1:
        expected = np.mean((pred > 0.5) == (y > 0.5))
    else:
        true = y if y.ndim == 1 else y.argmax(-1)
        expected = np.mean(pred.argmax(-1) == true)
    assert 0.0 <= history.history["accuracy"][0] <= 1.0
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0)[1], expected, rtol=1e-6)


def test_crossentropy_uses_the_logits_of_a_sigmoid_output():
    # A saturated sigmoid: logit -30 for a positive example. From the logits the loss is
    # softplus(30) = 30.0; from the clipped probability it would be -log(1e-7) = 16.118.
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[-30.0]], np.float32), np.array([0.0], np.float32)])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    loss = model.evaluate(np.ones((1, 1), np.float32), np.ones((1, 1), np.float32), verbose=0)
    np.testing.assert_allclose(loss, np.log1p(np.exp(30.0)), rtol=1e-6)
    linear = keras.Sequential([keras.Input((1,)), layers.Dense(1)])
    linear.set_weights([np.array([[-30.0]], np.float32), np.array([0.0], np.float32)])
    linear.compile(optimizer="sgd", loss="binary_crossentropy")  # a linear output: probabilities, clipped
    clipped = linear.evaluate(np.ones((1, 1), np.float32), np.ones((1, 1), np.float32), verbose=0)
    np.testing.assert_allclose(clipped, -np.log(1e-7), rtol=1e-5)


# --------------------------------------------------------------------------- errors
def test_fit_before_compile_is_an_error():
    x, y = data(4)
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using the model"):
        linear_model().fit(x, y, verbose=0)
    with pytest.raises(ValueError, match=r"compile\(\)"):
        linear_model().evaluate(x, y, verbose=0)


def test_wrong_input_shape_is_clear_and_changes_no_weight():
    model = linear_model()
    model.compile(optimizer="adam", loss="mse")
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"layer 'dense.*expected axis -1 of input shape to have value 3.*\(4, 5\)"):
        model.fit(np.zeros((4, 5), np.float32), np.zeros((4, 1), np.float32), verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_one_hot_labels_with_sparse_crossentropy_are_explained_and_change_no_weight():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax", name="probs")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = model.get_weights()
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]
    with pytest.raises(ValueError) as info:
        model.fit(np.ones((4, 4), np.float32), y, verbose=0)
    message = str(info.value)
    assert "sparse_categorical_crossentropy" in message and "'probs'" in message
    assert "(4, 3)" in message and "CategoricalCrossentropy" in message
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_inconsistent_sample_counts():
    model = linear_model()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"(?s)Data cardinality is ambiguous.*'x' sizes: 5.*'y' sizes: 4"):
        model.fit(np.zeros((5, 3)), np.zeros((4, 1)), verbose=0)


def test_bad_arguments():
    x, y = data(4)
    model = linear_model()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="verbose"):
        model.fit(x, y, verbose=3)
    with pytest.raises(ValueError, match="not sufficient to split"):
        model.fit(x[:1], y[:1], validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match="No loss to compute"):
        no_loss = linear_model()
        no_loss.compile(optimizer="sgd")
        no_loss.fit(x, y, verbose=0)


def test_frozen_model_trains_nothing_and_warns():
    x, y = data(4)
    model = linear_model()
    model.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        model.fit(x, y, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_custom_train_step_is_used(run_eagerly):
    calls = []

    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            calls.append(len(data))
            return {"custom": 1.5}

    model = Custom()
    model.compile(optimizer="sgd", loss="mse", run_eagerly=run_eagerly)
    x, y = data(6)
    history = model.fit(x, y, batch_size=3, epochs=1, verbose=0)
    # Traced, the step's Python runs once (both batches have one shape); eagerly, once per batch.
    # Each call gets Keras's (x, y): no sample weights, so no third item.
    assert calls == ([2, 2] if run_eagerly else [2]) and history.history == {"custom": [1.5]}


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["traced", "eager"])
def test_an_unbuilt_subclassed_model_trains_from_its_first_step(run_eagerly):
    """Its layers are built by its first call, inside the first step: the step reads the variables
    (and their regularizers) after that forward pass, as Keras's train_step does."""
    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.1))

        def call(self, x):
            return self.dense(x)

    model = Sub()
    model.compile("sgd", "mse", run_eagerly=run_eagerly)
    x, y = np.ones((4, 2), "float32"), np.full((4, 1), 2.0, "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "The model does not have any trainable weights."
        history = model.fit(x, y, batch_size=4, epochs=2, verbose=0).history
    # step 1: predictions 1 + 1 = 2 = y, so the loss is the kernel's L2 penalty alone, 0.1 * (1 + 1)
    assert history["loss"][0] == pytest.approx(0.2, rel=1e-6)
    assert history["loss"][1] != history["loss"][0] and (model.dense.kernel.numpy() < 1).all()
