"""fit / evaluate / predict under faults: empty data, spent generators, bad arguments, missing metrics.

The rule behind the empty-data cases: a metric that was never computed is never reported. An
epoch that ran no step logs ``{}`` (History gets no entry for it), ``evaluate`` returns ``[]``
(``{}`` with ``return_dict``), and callbacks that monitor a value treat it as missing (Keras's
warning), never as 0.0. Keras 3.15 behaves the same way; ``parity_tests/test_training_faults_parity.py``
checks each case against it.
"""
import os
import warnings

import numpy as np
import pytest

import minitf as tf

# Every test twice: fit/evaluate/predict traced (compile's default) and run eagerly (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fit_mode")

keras = tf.keras
RNG = np.random.default_rng(5)
X = RNG.normal(size=(8, 3)).astype(np.float32)
Y = RNG.normal(size=(8, 1)).astype(np.float32)


def model(metrics=("mae",)):
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", metrics=list(metrics))
    return m


def ran_out_warnings(record):
    return sum("ran out of data" in str(w.message) for w in record)


# --------------------------------------------------------------------------- empty data
@pytest.mark.parametrize("as_dataset", [False, True])
def test_fit_on_empty_data_logs_nothing(as_dataset):
    m = model()
    data = (tf.data.Dataset.from_tensor_slices((X[:0], Y[:0])).batch(4),) if as_dataset else (X[:0], Y[:0])
    before = m.get_weights()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        history = m.fit(*data, epochs=2, verbose=0)
    assert history.history == {} and history.epoch == [0, 1]
    assert ran_out_warnings(record) == 2  # one per epoch, as Keras
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("as_dataset", [False, True])
def test_evaluate_on_empty_data_returns_no_value(as_dataset):
    data = (tf.data.Dataset.from_tensor_slices((X[:0], Y[:0])).batch(4),) if as_dataset else (X[:0], Y[:0])
    with pytest.warns(UserWarning, match="ran out of data"):
        assert model().evaluate(*data, verbose=0) == []
    with pytest.warns(UserWarning, match="ran out of data"):
        assert model().evaluate(*data, verbose=0, return_dict=True) == {}


@pytest.mark.parametrize("as_dataset", [False, True])
def test_empty_validation_data_gives_no_val_keys(as_dataset):
    val = tf.data.Dataset.from_tensor_slices((X[:0], Y[:0])).batch(4) if as_dataset else (X[:0], Y[:0])
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model().fit(X, Y, epochs=2, verbose=0, validation_data=val)
    assert sorted(history.history) == ["loss", "mae"]
    assert all(np.isfinite(v).all() and len(v) == 2 for v in history.history.values())


def test_monitoring_callbacks_never_take_a_missing_metric_for_a_value(tmp_path):
    val = (X[:0], Y[:0])
    early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=0, restore_best_weights=True)
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=0)
    path = str(tmp_path / "best.weights.h5")
    checkpoint = keras.callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    m = model()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        history = m.fit(X, Y, epochs=3, verbose=0, validation_data=val, callbacks=[early, plateau, checkpoint])
    messages = [str(w.message) for w in record]
    # Training ran all 3 epochs (no "unbeatable 0.0" stopped it), the rate never dropped, nothing was a best.
    assert history.epoch == [0, 1, 2] and early.stopped_epoch == 0 and early.best is None
    assert plateau.best is None and history.history["learning_rate"] == [pytest.approx(0.01)] * 3
    assert checkpoint.best is None
    assert sum("Early stopping conditioned on metric `val_loss` which is not available" in s for s in messages) == 3
    assert sum("Learning rate reduction is conditioned on metric `val_loss`" in s for s in messages) == 3
    # Keras's rule: without the monitored value, save_best_only saves every epoch (and says why).
    assert sum("Can save best model only with val_loss available" in s for s in messages) == 3
    assert os.path.exists(path)


def test_early_stopping_on_empty_training_data_stops_nothing():
    early = keras.callbacks.EarlyStopping(monitor="loss", patience=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        history = model().fit(X[:0], Y[:0], epochs=3, verbose=0, callbacks=[early])
    assert sum("Early stopping conditioned on metric `loss` which is not available" in str(w.message)
               for w in record) == 3
    assert history.history == {} and history.epoch == [0, 1, 2] and early.best is None


def test_a_spent_generator_gives_epochs_without_logs():
    def two_batches():
        yield X[:4], Y[:4]
        yield X[4:], Y[4:]
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model().fit(two_batches(), epochs=3, verbose=0)
    # Epoch 1 trained; epochs 2 and 3 had no data left, so they report nothing (not a reset 0.0).
    assert history.epoch == [0, 1, 2]
    assert [len(v) for v in history.history.values()] == [1, 1] and np.isfinite(history.history["loss"][0])


def test_an_empty_generator_is_refused_as_in_keras():
    def nothing():
        return
        yield
    with pytest.raises(ValueError, match="the generator must yield at least one batch"):
        model().fit(nothing(), verbose=0)


def test_custom_train_step_on_empty_data_logs_nothing():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            return {"seen": 1.0}

    m = Custom()
    m.compile(optimizer="sgd", loss="mse")
    with pytest.warns(UserWarning, match="ran out of data"):
        assert m.fit(X[:0], Y[:0], epochs=1, verbose=0).history == {}
    assert m.fit(X, Y, epochs=1, verbose=0).history == {"seen": [1.0]}


def test_predict_and_single_batch_methods_on_empty_data():
    m = model()
    with pytest.warns(UserWarning, match="ran out of data"), pytest.raises(ValueError, match="predict.. got no data"):
        m.predict(X[:0], verbose=0)
    with pytest.raises(ValueError, match=r"train_on_batch\(\) got an empty batch"):
        m.train_on_batch(X[:0], Y[:0])
    with pytest.raises(ValueError, match=r"test_on_batch\(\) got an empty batch"):
        m.test_on_batch(X[:0], Y[:0])
    assert m.predict_on_batch(X[:0]).shape == (0, 1)


# --------------------------------------------------------------------------- arguments of fit/evaluate/predict
@pytest.mark.parametrize("kwargs, error", [
    ({"batch_size": 2.5}, TypeError), ({"batch_size": "4"}, TypeError),  # Keras: TypeErrors (later, deeper)
    ({"batch_size": True}, TypeError), ({"batch_size": 0}, ValueError), ({"batch_size": -2}, ValueError),
    ({"epochs": 2.0}, TypeError), ({"epochs": "2"}, TypeError), ({"epochs": None}, TypeError),
    ({"epochs": -1}, ValueError), ({"steps_per_epoch": 0}, ValueError), ({"steps_per_epoch": -1}, ValueError),
    ({"steps_per_epoch": 1.5}, TypeError), ({"validation_batch_size": 0, "validation_data": (X, Y)}, ValueError),
    ({"validation_steps": -1, "validation_data": (X, Y)}, ValueError),
])
def test_fit_refuses_bad_counts_before_training(kwargs, error):
    m = model()
    before = m.get_weights()
    with pytest.raises(error, match=list(kwargs)[0]):
        m.fit(X, Y, verbose=0, **kwargs)
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_evaluate_and_predict_refuse_bad_counts():
    m = model()
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer or None, got 0"):
        m.evaluate(X, Y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="`steps` must be a positive integer or None"):
        m.evaluate(X, Y, steps=0, verbose=0)
    with pytest.raises(TypeError, match="`batch_size` must be an integer"):
        m.predict(X, batch_size=1.5, verbose=0)


# --------------------------------------------------------------------------- class_weight, dict targets, loss errors
def classifier():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])
    m.set_weights([np.zeros((3, 3), np.float32), np.zeros(3, np.float32)])  # uniform predictions: loss ln 3 each
    m.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
    return m


LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1])


@pytest.mark.parametrize("class_weight, weights", [
    ({0: 3.0, 1: 2.0}, [3, 2, 1, 3, 2, 1, 3, 2]),  # a class not listed weighs 1
    ({0.0: 3.0}, [3, 1, 1, 3, 1, 1, 3, 1]),  # an integral float key is class 0 (Keras: dict.get(0) finds 0.0)
    ({7: 5.0, 2: 0.5}, [1, 1, 0.5, 1, 1, 0.5, 1, 1]),  # a class the data lacks changes nothing
])
def test_class_weight_is_looked_up_by_the_int_label(class_weight, weights):
    loss = classifier().evaluate(X, LABELS, verbose=0)  # unweighted: ln 3
    weighted = classifier().fit(X, LABELS, class_weight=class_weight, epochs=1, verbose=0).history["loss"][0]
    np.testing.assert_allclose(weighted, loss * np.mean(weights), rtol=1e-6)  # sum_over_batch_size: sum(w*l)/N


@pytest.mark.parametrize("key", ["0", 0.5])
def test_class_weight_keys_that_are_no_class_id_are_ignored_with_a_warning(key):
    loss = classifier().evaluate(X, LABELS, verbose=0)
    with pytest.warns(UserWarning, match=f"class_weight key {key!r} is not an integer class id"):
        weighted = classifier().fit(X, LABELS, class_weight={key: 3.0}, epochs=1, verbose=0).history["loss"][0]
    np.testing.assert_allclose(weighted, loss, rtol=1e-6)  # as in Keras: that weight is never used
    with pytest.raises(TypeError, match="`class_weight` must be a dict"):
        classifier().fit(X, LABELS, class_weight=[1.0, 2.0, 3.0], verbose=0)


def two_outputs(as_dict):
    inputs = keras.Input((3,))
    a, b = keras.layers.Dense(1, name="a")(inputs), keras.layers.Dense(1, name="b")(inputs)
    m = keras.Model(inputs, {"first": a, "second": b} if as_dict else [a, b])
    m.compile(optimizer="sgd", loss="mse")
    return m


@pytest.mark.parametrize("as_dict, targets, problem", [
    (False, {"a": Y, "c": Y}, r"missing: \['b'\]; unexpected: \['c'\]"),
    (False, {"a": Y, "b": Y, "c": Y}, r"unexpected: \['c'\]"),
    (True, {"a": Y, "b": Y}, r"named \['first', 'second'\]"),  # a dict output's keys name its targets
])
def test_dict_targets_must_name_the_outputs(as_dict, targets, problem):
    m = two_outputs(as_dict)
    before = m.get_weights()
    with pytest.raises(ValueError, match=problem):
        m.fit(X, targets, verbose=0)
    for w0, w1 in zip(before, m.get_weights()):
        np.testing.assert_array_equal(w0, w1)
    assert sorted(two_outputs(as_dict).fit(X, dict(zip(["first", "second"] if as_dict else ["a", "b"], [Y, Y])),
                                           verbose=0).history) == ["a_loss", "b_loss", "loss"]


def test_loss_errors_keep_tfs_class_and_name_the_sample_weight():
    from minitf import array_backend as B

    if B.xp.__name__ == "numpy":  # TF's GPU kernels do not check labels (test_edge_semantics.py)
        with pytest.raises(tf.errors.InvalidArgumentError, match="label value of 7 which is outside the valid range"):
            classifier().fit(X, LABELS + 5, verbose=0)
    with pytest.raises(ValueError, match=r"sample_weight shape \(8, 2\)"):
        model().fit(X, Y, sample_weight=np.ones((8, 2), np.float32), verbose=0)


def test_a_dict_given_to_a_sequential_is_a_clear_error():
    with pytest.raises(ValueError, match=r"Sequential model '.*' takes one tensor, got a dict with keys \['a'\]"):
        model().fit({"a": X}, Y, verbose=0)
