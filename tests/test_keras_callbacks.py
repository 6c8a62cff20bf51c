"""Callbacks: their decisions on scripted metric sequences (expected outcomes worked out by hand from
Keras's rules), the progress output, and the file-writing callbacks."""
import csv
import os
import re

import numpy as np
import pytest

import minitf as tf

# Every test twice: fit/evaluate/predict traced (compile's default) and run eagerly (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fit_mode")

keras = tf.keras
cbs = tf.keras.callbacks


class StubOptimizer:
    def __init__(self, lr):
        self.learning_rate = lr


class StubModel:
    """Just what the callbacks touch: stop_training, an optimizer, weights."""

    def __init__(self, lr=0.1):
        self.stop_training = False
        self.optimizer = StubOptimizer(lr)
        self.weights = [np.zeros(2, np.float32)]
        self._compile_metrics = None

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]


def drive(callback, values, key="val_loss", model=None, on_epoch=None):
    """Run epoch ends with scripted values; returns (epochs run, model)."""
    model = model or StubModel()
    callback.set_model(model)
    callback.on_train_begin()
    epochs = 0
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        if on_epoch is not None:
            on_epoch(epoch, model)
        callback.on_epoch_end(epoch, {key: value})
        epochs += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return epochs, model


# --------------------------------------------------------------------------- EarlyStopping
def test_early_stopping_patience():
    # best 0.9 at epoch 1; epochs 2 and 3 do not improve: wait reaches 2 at epoch 3 -> stop there.
    es = cbs.EarlyStopping(patience=2)
    epochs, _ = drive(es, [1.0, 0.9, 0.95, 0.94, 0.93, 0.8])
    assert epochs == 4 and es.stopped_epoch == 3 and es.best == 0.9


def test_early_stopping_patience_zero_stops_at_first_non_improvement():
    es = cbs.EarlyStopping()
    epochs, _ = drive(es, [1.0, 0.9, 0.9, 0.5])
    assert epochs == 3 and es.stopped_epoch == 2  # equal is no improvement


def test_early_stopping_min_delta_and_max_mode():
    es = cbs.EarlyStopping(monitor="val_accuracy", mode="max", min_delta=0.01, patience=1)
    # 0.5 best; 0.505 is not > 0.5 + 0.01: wait 1 -> stop at epoch 1
    epochs, _ = drive(es, [0.5, 0.505, 0.9], key="val_accuracy")
    assert epochs == 2 and es.stopped_epoch == 1


def test_early_stopping_baseline_keeps_counting_until_beaten():
    # Without a baseline, epoch 0 resets wait to 0, then 1, 2, 3: stop at epoch 3. With baseline 0.5,
    # the first value (0.9) does not beat it, so wait is not reset: 1, 2, 3 -> stop at epoch 2.
    values = [0.9, 0.95, 0.96, 0.97, 0.98]
    plain = cbs.EarlyStopping(monitor="loss", patience=3)
    drive(plain, values, key="loss")
    es = cbs.EarlyStopping(monitor="loss", baseline=0.5, patience=3)
    epochs, _ = drive(es, values, key="loss")
    assert plain.stopped_epoch == 3 and epochs == 3 and es.stopped_epoch == 2


def test_early_stopping_start_from_epoch_and_restore_best_weights():
    es = cbs.EarlyStopping(monitor="loss", patience=1, start_from_epoch=2, restore_best_weights=True)

    def set_weights(epoch, model):
        model.weights = [np.full(2, epoch, np.float32)]
    # epochs 0, 1 ignored; epoch 2 best (0.5); epoch 3 worse -> stop; restore epoch 2's weights.
    epochs, model = drive(es, [0.1, 0.1, 0.5, 0.6, 0.1], key="loss", on_epoch=set_weights)
    assert epochs == 4 and es.best_epoch == 2
    np.testing.assert_array_equal(model.weights[0], [2, 2])


def test_early_stopping_auto_mode_needs_a_known_direction():
    es = cbs.EarlyStopping(monitor="val_custom")
    with pytest.raises(ValueError, match="mode='max'"):
        drive(es, [1.0], key="val_custom")


# --------------------------------------------------------------------------- ReduceLROnPlateau
def test_reduce_lr_on_plateau_sequence():
    rl = cbs.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, min_lr=0.02)
    lrs = []
    model = StubModel(lr=0.1)
    rl.set_model(model)
    rl.on_train_begin()
    for epoch, value in enumerate([1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]):
        logs = {"loss": value}
        rl.on_epoch_end(epoch, logs)
        lrs.append((logs["learning_rate"], model.optimizer.learning_rate))
    logged = [round(a, 6) for a, _ in lrs]
    # wait 1, 2 -> cut to 0.05 at epoch 2; epoch 3 improves; epochs 4, 5 -> cut to 0.025 at 5;
    # epochs 6, 7 -> cut to max(0.0125, 0.02) = 0.02 at 7; then lr == min_lr: no more cuts.
    assert logged == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.02]
    assert model.optimizer.learning_rate == pytest.approx(0.02)


def test_reduce_lr_cooldown_and_min_delta():
    rl = cbs.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=1, cooldown=2, min_delta=0.1)
    model = StubModel(lr=1.0)
    drive(rl, [1.0, 0.95, 0.9, 0.85, 0.8, 0.75], model=model)
    # improvements smaller than min_delta count as plateaus: cut at epoch 1 (lr 0.1), cooldown
    # epochs 2 and 3, wait resumes at epoch 4 -> cut at epoch 4 (lr 0.01), cooldown again.
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    with pytest.raises(ValueError, match="factor >= 1.0"):
        cbs.ReduceLROnPlateau(factor=1.5)


# --------------------------------------------------------------------------- LearningRateScheduler
def test_learning_rate_scheduler_in_fit_logs_learning_rate():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    schedule = cbs.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)
    history = model.fit(np.ones((4, 1)), np.ones((4, 1)), epochs=3, verbose=0, callbacks=[schedule])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.025], rtol=1e-6)
    assert list(history.history) == ["loss", "learning_rate"]  # added after the logs were sorted
    with pytest.raises(ValueError, match="should be a float"):
        model.fit(np.ones((4, 1)), np.ones((4, 1)), epochs=1, verbose=0,
                  callbacks=[cbs.LearningRateScheduler(lambda epoch, lr: "fast")])


def test_stop_training_from_a_callback_ends_fit_after_the_batch():
    class StopAt(cbs.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((10, 1)), np.ones((10, 1)), batch_size=2, epochs=5, verbose=0,
                        callbacks=[StopAt()])
    assert history.epoch == [0]


def test_callback_hooks_order_and_logs():
    events = []
    cb = cbs.LambdaCallback(on_train_begin=lambda logs: events.append("train_begin"),
                            on_epoch_begin=lambda e, logs: events.append(f"epoch_begin {e}"),
                            on_epoch_end=lambda e, logs: events.append(f"epoch_end {e} {sorted(logs)}"),
                            on_train_batch_end=lambda b, logs: events.append(f"batch {b} {sorted(logs)}"),
                            on_test_begin=lambda logs: events.append("test_begin"),
                            on_train_end=lambda logs: events.append("train_end"))
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(np.ones((4, 1)), np.ones((4, 1)), batch_size=2, epochs=1, verbose=0,
              validation_data=(np.ones((2, 1)), np.ones((2, 1))), callbacks=[cb])
    assert events == ["train_begin", "epoch_begin 0", "batch 0 ['loss', 'mae']", "batch 1 ['loss', 'mae']",
                      "test_begin", "epoch_end 0 ['loss', 'mae', 'val_loss', 'val_mae']", "train_end"]


def test_terminate_on_nan_stops_and_says_where(capsys):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((6, 1), np.float32)
    x[2] = np.nan
    history = model.fit(x, np.ones((6, 1)), batch_size=2, epochs=3, verbose=0, shuffle=False,
                        callbacks=[cbs.TerminateOnNaN()])
    out = capsys.readouterr().out
    assert "Batch 1: Invalid loss, terminating training" in out and "epoch 1" in out
    assert history.epoch == [0] and np.isnan(history.history["loss"][0])
    # As in Keras, the callback only stops training: the NaN batch's update was applied (2 steps ran).
    assert int(model.optimizer.iterations) == 2 and all(np.isnan(w).all() for w in model.get_weights())
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(RuntimeError, match=r"NaN or Inf loss encountered at batch 1 \(epoch 1\)"):
        model.fit(x, np.ones((6, 1)), batch_size=2, verbose=0, shuffle=False,
                  callbacks=[cbs.TerminateOnNaN(raise_error=True)])
    assert int(model.optimizer.iterations) == 2


class _Boom(Exception):
    pass


@pytest.mark.parametrize("hook", ["on_train_begin", "on_epoch_begin", "on_train_batch_end", "on_epoch_end",
                                  "on_test_batch_end", "on_train_end"])
def test_a_fit_that_raises_leaves_nothing_behind(hook):
    """A fit that dies by an exception (a callback's, TerminateOnNaN's) changes nothing about the next fit:
    the model trains like a fresh copy of itself with the same weights (NaN updates included)."""
    from minitf._context import state

    def build():
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        model.set_weights([np.full((1, 1), 0.5, np.float32), np.zeros(1, np.float32)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    raising = cbs.Callback()
    setattr(raising, hook, lambda *args, **kwargs: (_ for _ in ()).throw(_Boom(hook)))
    x, y = np.ones((4, 1), np.float32), np.full((4, 1), 2.0, np.float32)
    model = build()
    with pytest.raises(_Boom):
        model.fit(x, y, batch_size=2, epochs=2, verbose=0, validation_data=(x, y),
                  callbacks=[raising, cbs.TerminateOnNaN(raise_error=True)])
    assert state.graph is None and not state.tapes  # no trace or tape left open by the failed fit
    # Compare the next fit with a fresh model given the same weights and optimizer step count.
    fresh = build()
    fresh.set_weights(model.get_weights())
    fresh.optimizer.iterations.assign(model.optimizer.iterations)
    x_nan = x.copy()
    x_nan[2] = np.nan  # the second batch is NaN: its update is applied (Keras), by both models
    h1 = model.fit(x_nan, y, batch_size=2, epochs=1, verbose=0, shuffle=False)
    h2 = fresh.fit(x_nan, y, batch_size=2, epochs=1, verbose=0, shuffle=False)
    assert np.isnan(h1.history["loss"][0]) and np.isnan(h2.history["loss"][0])
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert all(np.isnan(w).all() for w in model.get_weights()) and not model.stop_training


# --------------------------------------------------------------------------- progress output
def small_model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_verbose_2_prints_one_line_per_epoch(capsys):
    small_model().fit(np.ones((64, 2)), np.ones((64, 1)), epochs=2, verbose=2)
    lines = capsys.readouterr().out.strip().split("\n")
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert re.fullmatch(r"2/2 - \d+s - \d+(us|ms|s)/step - loss: \d+\.\d{4}(e[-+]\d+)?", lines[1]), lines[1]


def test_verbose_1_draws_a_bar_and_verbose_0_is_silent(capsys):
    small_model().fit(np.ones((64, 2)), np.ones((64, 1)), epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "2/2" in out and "━" in out and "loss:" in out and out.endswith("\n")
    assert "Epoch 1/1" not in out  # no epoch header for a single epoch
    small_model().fit(np.ones((64, 2)), np.ones((64, 1)), epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_evaluate_and_predict_progress(capsys):
    model = small_model()
    model.evaluate(np.ones((64, 2)), np.ones((64, 1)), verbose=2)
    assert re.fullmatch(r"2/2 - \d+s - \d+(us|ms|s)/step - loss: .*\n", capsys.readouterr().out)
    model.predict(np.ones((64, 2)), verbose=0)
    assert capsys.readouterr().out == ""


def test_progbar_formats():
    bar = keras.utils.Progbar(10, verbose=1)
    assert bar._format_time(0.0025, "step") == " 2ms/step"
    assert bar._format_time(2.0, "step") == " 2s/step"
    assert bar._format_time(0.0000025, "step") == " 2us/step"


# --------------------------------------------------------------------------- files
def test_csv_logger_writes_sorted_columns(tmp_path):
    path = tmp_path / "log.csv"
    model = small_model()
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0, callbacks=[cbs.CSVLogger(str(path))])
    rows = list(csv.reader(open(path)))
    assert rows[0] == ["epoch", "loss", "val_loss"] and [r[0] for r in rows[1:]] == ["0", "1"]
    assert rows[1][2] == "NA"
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0,
              callbacks=[cbs.CSVLogger(str(path), append=True, separator=",")])
    assert len(list(csv.reader(open(path)))) == 4  # no second header


def test_model_checkpoint_formats_names_and_saves_only_the_best(tmp_path):
    model = small_model()
    pattern = str(tmp_path / "ckpt_{epoch:02d}_{loss:.2f}.keras")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0, callbacks=[cbs.ModelCheckpoint(pattern, monitor="loss")])
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 2 and files[0].startswith("ckpt_01_") and files[1].startswith("ckpt_02_")
    best = cbs.ModelCheckpoint(str(tmp_path / "best.weights.h5"), monitor="loss", save_best_only=True,
                               save_weights_only=True)
    drive_model = StubModel()
    saved = []
    drive_model.save_weights = lambda path, overwrite=True: saved.append(path)
    drive(best, [1.0, 1.2, 0.5, 0.7], key="loss", model=drive_model)
    assert len(saved) == 2  # epochs 0 and 2 improved
    with pytest.raises(ValueError, match=r"must end in `.keras`"):
        cbs.ModelCheckpoint(str(tmp_path / "model.h6"))


# --------------------------------------------------------------------------- steps_per_execution
def test_steps_per_execution_groups_batches_and_keeps_the_numbers():
    events = []

    class Log(cbs.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            events.append(("begin", batch))

        def on_train_batch_end(self, batch, logs=None):
            events.append(("end", batch))

    x = np.arange(20, dtype="float32").reshape(10, 2) / 10
    y = x.sum(axis=1, keepdims=True) * 1.5 + 0.3
    histories = []
    for per_execution in (1, 3):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.set_weights([np.ones((2, 1), "float32"), np.zeros(1, "float32")])
        model.compile("sgd", "mse", steps_per_execution=per_execution)
        events.clear()
        histories.append(model.fit(x, y, batch_size=1, verbose=0, shuffle=False, callbacks=[Log()]).history)
    # the last execution has one batch; Keras reports it as ending at index 9 + 3 - 1 = 11
    assert events == [("begin", 0), ("end", 2), ("begin", 3), ("end", 5), ("begin", 6), ("end", 8),
                      ("begin", 9), ("end", 11)]
    assert histories[0] == histories[1]
    with pytest.raises(ValueError, match="steps_per_execution must be a positive integer, got 0"):
        model.compile("sgd", "mse", steps_per_execution=0)
