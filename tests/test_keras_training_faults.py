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
