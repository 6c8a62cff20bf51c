"""fit / evaluate / predict traced (compile's default) and run eagerly give identical numbers, bit for bit.

Each model is built, trained, evaluated and asked to predict twice from the same seeds: once with
``compile()``'s default (every step traced by ``minitf.function`` on the first batch of a shape,
then replayed), once with ``run_eagerly=True`` (op by op). The models cover the places where a
step could bake one batch's numbers into the trace: random layers (dropout, augmentations, RNN
dropout), moving statistics, masks, regularizers and constraints, metrics of every kind, class
and sample weights, validation, shuffling, a custom ``train_step``.

Two numbers differ between Keras's own eager and compiled steps, and so between minitf's (see
``minitf.keras.backend.in_compiled_step``):
- per-output losses ``<output>_loss`` of a multi-output model: Keras weights each batch by
  ``y_pred.shape[0]``, which is unknown (so 1) in its compiled step (``compile_utils.CompileLoss``);
- the crossentropy logits shortcut for the raw ops ``tf.nn.sigmoid`` / ``tf.nn.softmax`` used as an
  activation: found from the graph's op when traced, not eagerly (``layers/activations/activation.py``).
"""
import numpy as np
import pytest

import minitf as tf

keras = tf.keras
layers = tf.keras.layers


def _mlp(n_classes=3):
    model = keras.Sequential([
        keras.Input((6,)), layers.Dense(16, activation="relu"), layers.BatchNormalization(),
        layers.Dropout(0.3), layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(2)])
    return model


def _binary():
    model = keras.Sequential([
        keras.Input((6,)),
        layers.Dense(8, activation="tanh", kernel_regularizer=keras.regularizers.L2(0.01),
                     kernel_constraint=keras.constraints.MaxNorm(1.5),
                     activity_regularizer=keras.regularizers.L1(1e-3)),
        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="binary_crossentropy",
                  metrics=[keras.metrics.AUC(name="auc"), keras.metrics.Precision(name="precision"),
                           keras.metrics.Recall(thresholds=[0.3, 0.7], name="recall"),
                           keras.metrics.F1Score(threshold=0.5, name="f1")],
                  weighted_metrics=["accuracy", keras.metrics.AUC(curve="PR", name="pr")])
    return model


def _images():
    model = keras.Sequential([
        keras.Input((8, 8, 1)), layers.RandomFlip("horizontal", seed=1), layers.RandomRotation(0.1, seed=2),
        layers.RandomContrast(0.2, value_range=(0, 1), seed=3), layers.Conv2D(4, 3, activation="relu"),
        layers.MaxPooling2D(), layers.GlobalAveragePooling2D(), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1), metrics=["accuracy"])
    return model


def _text():
    model = keras.Sequential([
        keras.Input((7,), dtype="int32"), layers.Embedding(12, 4, mask_zero=True),
        layers.LSTM(5, dropout=0.2, recurrent_dropout=0.2, return_sequences=True),
        layers.GRU(3, dropout=0.1), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _regression():
    model = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="elu"), layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.AdamW(0.01), loss="huber",
                  metrics=["mae", keras.metrics.R2Score(), keras.metrics.RootMeanSquaredError(),
                           keras.metrics.CosineSimilarity()])
    return model


def _hinge():
    model = keras.Sequential([keras.Input((6,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="hinge", metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
    return model


def _sparse_ignore():
    model = keras.Sequential([keras.Input((6,)), layers.Dense(4)])
    model.compile(optimizer="adagrad", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                                                       ignore_class=0))
    return model


def _data(kind, n, rng):
    x = rng.normal(size=(n, 6)).astype(np.float32)
    if kind == "mlp":
        return x, rng.integers(0, 3, n)
    if kind in ("binary", "hinge"):
        return x, (x[:, :1] + 0.5 * rng.normal(size=(n, 1)) > 0).astype(np.float32)
    if kind == "images":
        return rng.uniform(0, 1, (n, 8, 8, 1)).astype(np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]
    if kind == "text":
        ids = rng.integers(1, 12, (n, 7))
        ids[:, 5:] = np.where(rng.uniform(size=(n, 2)) < 0.5, 0, ids[:, 5:])  # padding: the mask varies per row
        return ids.astype(np.int32), rng.integers(0, 2, (n, 1)).astype(np.float32)
    if kind == "regression":
        return x, np.stack([x[:, 0] - x[:, 1], x[:, 2] * 2], axis=1).astype(np.float32)
    return x, rng.integers(0, 4, n)  # sparse labels, 0 ignored


CASES = {"mlp": _mlp, "binary": _binary, "images": _images, "text": _text, "regression": _regression,
         "hinge": _hinge, "sparse_ignore": _sparse_ignore}


def _run(kind, run_eagerly, fit_kwargs):
    """Build (from seed 7), train, evaluate and predict; every random stream starts from the seeds."""
    tf.random.set_seed(7)
    model = CASES[kind]()
    model.compile(**{**model._compile_args, "run_eagerly": run_eagerly})
    rng = np.random.default_rng(11)
    x, y = _data(kind, 45, rng)
    x_val, y_val = _data(kind, 13, rng)
    extra = {}
    if fit_kwargs == "sample_weight":
        extra["sample_weight"] = rng.uniform(0.2, 2.0, len(x)).astype(np.float32)
    elif fit_kwargs == "class_weight":
        extra["class_weight"] = {0: 1.0, 1: 2.5, 2: 0.5}
    history = model.fit(x, y, batch_size=16, epochs=3, validation_data=(x_val, y_val), shuffle=True, verbose=0,
                        **extra).history
    evaluation = model.evaluate(x_val, y_val, batch_size=5, verbose=0, return_dict=True)
    prediction = model.predict(x_val, batch_size=5, verbose=0)
    return history, evaluation, prediction, model.get_weights()


@pytest.mark.parametrize("kind,fit_kwargs", [
    ("mlp", "class_weight"), ("binary", "sample_weight"), ("images", None), ("text", None),
    ("regression", "sample_weight"), ("hinge", None), ("sparse_ignore", None)])
def test_traced_and_eager_fit_evaluate_predict_are_identical(kind, fit_kwargs):
    traced = _run(kind, False, fit_kwargs)
    eager = _run(kind, True, fit_kwargs)
    for what, t, e in (("History", traced[0], eager[0]), ("evaluate()", traced[1], eager[1])):
        assert list(t) == list(e), f"{kind}: {what} keys differ"
        for key in t:  # (a metric with several thresholds logs an array)
            np.testing.assert_array_equal(np.asarray(t[key]), np.asarray(e[key]), err_msg=f"{kind}: {what} {key}")
    np.testing.assert_array_equal(traced[2], eager[2], err_msg=f"{kind}: predict() differs")
    for a, b in zip(traced[3], eager[3]):
        np.testing.assert_array_equal(a, b, err_msg=f"{kind}: the trained weights differ")
    assert all(np.isfinite(np.asarray(v)).all() for v in traced[0].values())


def test_traced_training_draws_new_random_numbers_every_step():
    """Dropout in a traced step: the loss of one batch, trained with lr 0, changes from step to step
    only through new dropout masks; a mask baked into the trace would repeat the same loss."""
    tf.random.set_seed(3)
    model = keras.Sequential([keras.Input((6,)), layers.Dense(32), layers.Dropout(0.5), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x, y = np.ones((4, 6), np.float32), np.zeros((4, 1), np.float32)
    losses = [model.train_on_batch(x, y) for _ in range(4)]
    assert len(set(losses)) == 4


class _GuideModel(keras.Model):
    """The custom train_step of Keras's guide "Customizing what happens in fit()", returning the metrics."""

    def __init__(self):
        super().__init__()
        self.hidden, self.drop, self.out = layers.Dense(8, activation="relu"), layers.Dropout(0.2), layers.Dense(1)

    def call(self, x, training=False):
        return self.out(self.drop(self.hidden(x), training=training))

    def train_step(self, data):
        x, y = data  # as Keras's guide writes it: fit hands the step (x, y)
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


def test_a_custom_train_step_returning_metric_results_traces_and_matches_eager():
    runs = []
    for run_eagerly in (False, True):
        tf.random.set_seed(5)
        model = _GuideModel()
        model.compile(optimizer="adam", loss="mse", metrics=["mae"], run_eagerly=run_eagerly)
        x, y = _data("regression", 40, np.random.default_rng(0))
        runs.append(model.fit(x, y[:, :1], batch_size=8, epochs=2, verbose=0).history)
    assert runs[0] == runs[1] and sorted(runs[0]) == ["loss", "mae"]


def test_multi_output_losses_differ_only_in_the_per_output_means():
    """Keras weighs each batch's ``<output>_loss`` by y_pred.shape[0] eagerly and by 1 in its compiled step
    (unknown batch size there): with batches of 16, 16 and 13 the traced value is the plain mean of the
    three batch losses; everything else is identical."""
    histories = []
    for run_eagerly in (False, True):
        tf.random.set_seed(1)
        inputs = keras.Input((6,))
        hidden = layers.Dense(8, activation="relu")(inputs)
        model = keras.Model(inputs, [layers.Dense(1, name="reg")(hidden), layers.Dense(3, name="cls")(hidden)])
        model.compile(optimizer="adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                      loss_weights={"reg": 0.5, "cls": 2.0}, metrics={"cls": ["accuracy"]}, run_eagerly=run_eagerly)
        rng = np.random.default_rng(4)
        x = rng.normal(size=(45, 6)).astype(np.float32)
        histories.append(model.fit(x, [x[:, :1], rng.integers(0, 3, 45)], batch_size=16, epochs=2, shuffle=False,
                                   verbose=0).history)
    traced, eager = histories
    assert sorted(traced) == ["cls_accuracy", "cls_loss", "loss", "reg_loss"]
    for key in ("loss", "cls_accuracy"):
        assert traced[key] == eager[key], key
    for key in ("reg_loss", "cls_loss"):
        assert traced[key] != eager[key], key  # a mean over batches vs over samples
        np.testing.assert_allclose(traced[key], eager[key], rtol=0.2)


@pytest.mark.parametrize("number", ["05", "06", "07"])
def test_the_training_lessons_reach_the_same_outcomes_run_eagerly(fast_lesson, tmp_path, number):
    """Lessons 05-07 (fast, no TF) train with fit's traced steps; run with every function eager
    (tf.config.run_functions_eagerly), they record the very same outcomes (final losses, metrics,
    predictions) in summary.json."""
    from tests.lesson_runs import run_fast

    if number == "05":  # without TF, lesson 05 draws its initial weights unseeded: both runs seeded here
        tf.random.set_seed(5)
        traced = run_fast(number, tmp_path / "traced")
        tf.random.set_seed(5)
    else:  # 06 and 07 seed their models themselves (lessons/_common.build_pair)
        traced, _ = fast_lesson(number)
    tf.config.run_functions_eagerly(True)
    try:
        eager = run_fast(number, tmp_path / "eager")
    finally:
        tf.config.run_functions_eagerly(False)
    assert eager["outcomes"] == traced["outcomes"]
