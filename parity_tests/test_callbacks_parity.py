"""Callback decisions, TF vs minitf, on the same training run (weights copied, shuffle=False):
when EarlyStopping stops (and which weights it restores), ReduceLROnPlateau's and
LearningRateScheduler's learning-rate sequences. The runs themselves agree to ~1e-7 relative
(see test_training_parity.py), so the decisions must be identical. minitf runs each twice, traced
(compile's default) and with run_eagerly=True: the same History bit for bit, the same decisions.
"""
import numpy as np
import pytest

from minitf import datasets
from parity_tests.harness import traced_and_eager


@pytest.fixture(autouse=True)
def deterministic_tf(tf, op_determinism):
    tf.keras.utils.set_random_seed(1234)  # the same initial weights (copied to minitf) on every run


def digits():
    images, labels = datasets.load_digits()
    x = (images.reshape(-1, 64)[:600] / 16.0).astype(np.float32)
    return x, labels[:600]


def build(fw):
    return fw.keras.Sequential([fw.keras.Input((64,)), fw.keras.layers.Dense(32, activation="relu"),
                                fw.keras.layers.Dense(10, activation="softmax")])


def run_both(tf, mtf, make_callbacks, epochs, lr=0.01, **fit_kwargs):
    """TF's run and minitf's traced run, each (History, callbacks, model); minitf's eager run must
    give the same History and the same callback decisions as its traced one."""
    x, y = digits()
    t_model = build(tf)
    initial = t_model.get_weights()

    def train(fw, model, run_eagerly=False):
        model.compile(optimizer=fw.keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], run_eagerly=run_eagerly)
        callbacks = make_callbacks(fw)
        history = model.fit(x, y, epochs=epochs, batch_size=64, shuffle=False, verbose=0,
                            validation_split=0.3, callbacks=callbacks, **fit_kwargs)
        return history.history, callbacks, model

    def train_minitf(run_eagerly):
        m_model = build(mtf)
        m_model.set_weights(initial)
        return train(mtf, m_model, run_eagerly)

    theirs = train(tf, t_model)
    ours, eager = traced_and_eager("callbacks", train_minitf)
    for a, b in zip(ours[1], eager[1]):
        assert vars(a).get("stopped_epoch") == vars(b).get("stopped_epoch")
        assert vars(a).get("best_epoch") == vars(b).get("best_epoch")
    for a, b in zip(ours[2].get_weights(), eager[2].get_weights()):
        np.testing.assert_array_equal(a, b)
    return theirs, ours


def test_early_stopping_same_epoch_and_restored_weights(tf, mtf):
    (t_hist, t_cbs, t_model), (m_hist, m_cbs, m_model) = run_both(
        tf, mtf, lambda fw: [fw.keras.callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                                              restore_best_weights=True)],
        epochs=40, lr=0.05)
    t_es, m_es = t_cbs[0], m_cbs[0]
    assert 0 < t_es.stopped_epoch < 39, "the run must actually stop early for this test to mean something"
    assert (m_es.stopped_epoch, m_es.best_epoch) == (t_es.stopped_epoch, t_es.best_epoch)
    assert len(m_hist["loss"]) == len(t_hist["loss"])
    for a, b in zip(t_model.get_weights(), m_model.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)  # the restored best-epoch weights


def test_early_stopping_on_accuracy_with_auto_mode_and_min_delta(tf, mtf):
    (t_hist, t_cbs, _), (m_hist, m_cbs, _) = run_both(
        tf, mtf, lambda fw: [fw.keras.callbacks.EarlyStopping(monitor="val_accuracy", min_delta=0.01, patience=1)],
        epochs=30)
    assert m_cbs[0].stopped_epoch == t_cbs[0].stopped_epoch and len(m_hist["loss"]) == len(t_hist["loss"])


def test_reduce_lr_on_plateau_same_learning_rates(tf, mtf):
    (t_hist, _, _), (m_hist, _, _) = run_both(
        tf, mtf, lambda fw: [fw.keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                                                  min_delta=0.02, cooldown=1, min_lr=0.002)],
        epochs=10, lr=0.05)
    assert len(set(t_hist["learning_rate"])) > 2, "the plateau rule must fire for this test to mean something"
    np.testing.assert_allclose(m_hist["learning_rate"], t_hist["learning_rate"], rtol=1e-6)
    assert list(m_hist) == list(t_hist)
    np.testing.assert_allclose(m_hist["val_loss"], t_hist["val_loss"], rtol=1e-5)


def test_learning_rate_scheduler_same_schedule_and_curve(tf, mtf):
    def schedule(epoch, lr):
        return lr if epoch < 2 else lr * 0.7

    (t_hist, _, _), (m_hist, _, _) = run_both(
        tf, mtf, lambda fw: [fw.keras.callbacks.LearningRateScheduler(schedule)], epochs=4)
    assert list(m_hist) == list(t_hist)
    np.testing.assert_allclose(m_hist["learning_rate"], t_hist["learning_rate"], rtol=1e-6)
    np.testing.assert_allclose(m_hist["loss"], t_hist["loss"], rtol=1e-5)


def test_steps_per_execution_calls_batch_hooks_as_keras(tf, mtf):
    """10 batches, 3 per execution: the hooks run once per execution, with Keras's batch indices
    (the last, shorter execution ends at index 11), and the losses do not change."""
    def run(fw):
        events = []

        class Log(fw.keras.callbacks.Callback):
            def on_train_batch_begin(self, batch, logs=None):
                events.append(("begin", batch))

            def on_train_batch_end(self, batch, logs=None):
                events.append(("end", batch, logs["loss"]))

            def on_test_batch_end(self, batch, logs=None):
                events.append(("test_end", batch))

        model = fw.keras.Sequential([fw.keras.Input((2,)), fw.keras.layers.Dense(1)])
        model.set_weights([np.ones((2, 1), "float32"), np.zeros(1, "float32")])
        model.compile("sgd", "mse", steps_per_execution=3)
        x = np.arange(20, dtype="float32").reshape(10, 2) / 10
        y = x.sum(axis=1, keepdims=True) * 1.5 + 0.3
        history = model.fit(x, y, batch_size=1, epochs=1, verbose=0, callbacks=[Log()], shuffle=False,
                            validation_data=(x[:5], y[:5]))
        return events, history.history

    (tf_events, tf_history), (events, history) = run(tf), run(mtf)
    assert [e[:2] for e in events] == [e[:2] for e in tf_events]
    np.testing.assert_allclose([e[2] for e in events if e[0] == "end"], [e[2] for e in tf_events if e[0] == "end"],
                               rtol=1e-6)
    np.testing.assert_allclose(history["loss"], tf_history["loss"], rtol=1e-6)
    np.testing.assert_allclose(history["val_loss"], tf_history["val_loss"], rtol=1e-6)
