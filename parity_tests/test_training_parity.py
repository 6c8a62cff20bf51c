"""Training curves, TF vs minitf: the same model (weights copied), the same data, shuffle=False.

Every epoch's History values (loss, metrics, val_*) are compared. Tolerances: rtol 1e-5 over the
first 20 epochs (float32 rounding, accumulating), rtol 1e-4 over all epochs of the 500-epoch
Celsius run. Measured (TF 2.21, oneDNN off, op determinism, seed 1234): worst relative difference
<= 2.3e-7 for every curve below, except the clipped-probability circles model (9.2e-6, rtol 1e-4
there: near a loss of 0.03 float32 differences compound) and Celsius over all 500 epochs (5.6e-7).

minitf trains each model twice, with compile()'s default (traced steps, compared with Keras's
compiled fit) and with run_eagerly=True: the two Histories must be identical bit for bit
(``harness.traced_and_eager``), except the per-output losses of the two-output model, whose batch
means Keras itself computes differently in its eager and compiled steps.
"""
import re

import numpy as np
import pytest

from minitf import datasets
from parity_tests.harness import traced_and_eager

FIRST, RTOL_FIRST, RTOL_ALL = 20, 1e-5, 1e-4


@pytest.fixture(autouse=True)
def deterministic_tf(tf, op_determinism):  # TF's reference values, free of thread-order noise
    tf.keras.utils.set_random_seed(1234)  # the same initial weights (copied to minitf) on every run


def train_both(tf, mtf, build, compile_model, x, y, differ=(), **fit_kwargs):
    """Build under TF, copy its weights into minitf models, train TF once and minitf traced and eagerly
    (identical Histories but for ``differ``); returns TF's and minitf's traced History and model."""
    t_model = build(tf)
    initial = t_model.get_weights()
    compile_model(tf, t_model)
    t_hist = t_model.fit(x, y, shuffle=False, verbose=0, **fit_kwargs)

    def train(run_eagerly):
        m_model = build(mtf)
        m_model.set_weights(initial)
        compile_model(mtf, m_model)
        m_model.run_eagerly = run_eagerly
        return m_model.fit(x, y, shuffle=False, verbose=0, **fit_kwargs).history, m_model

    (m_hist, m_model), _ = traced_and_eager(build.__qualname__, train, differ)
    return t_hist.history, m_hist, t_model, m_model


def compare_histories(name, t_hist, m_hist, rtol_first=RTOL_FIRST, rtol_all=RTOL_ALL, atol=1e-7):
    assert list(t_hist) == list(m_hist), f"{name}: History keys differ: tf {list(t_hist)}, minitf {list(m_hist)}"
    worst = {}
    for key in t_hist:
        t, m = np.asarray(t_hist[key], np.float64), np.asarray(m_hist[key], np.float64)
        assert t.shape == m.shape, f"{name}: {key} has {len(t)} epochs in tf, {len(m)} in minitf"
        rel = np.abs(t - m) / np.maximum(np.abs(t), atol)
        worst[key] = (float(rel[:FIRST].max()), float(rel.max()))
        epoch = int(np.argmax(rel[:FIRST]))
        assert rel[:FIRST].max() <= rtol_first, (
            f"{name}: {key} diverges in the first {FIRST} epochs: epoch {epoch}: tf {t[epoch]!r}, minitf "
            f"{m[epoch]!r} (rel {rel[epoch]:.2e} > {rtol_first})")
        epoch = int(np.argmax(rel))
        assert rel.max() <= rtol_all, (f"{name}: {key} epoch {epoch}: tf {t[epoch]!r}, minitf {m[epoch]!r} "
                                       f"(rel {rel[epoch]:.2e} > {rtol_all})")
    print(f"\n{name}: worst relative difference (first {FIRST} epochs, all): "
          + ", ".join(f"{k} {a:.1e}/{b:.1e}" for k, (a, b) in worst.items()))


# --------------------------------------------------------------------------- Celsius -> Fahrenheit
def test_celsius_500_epochs(tf, mtf):
    celsius, fahrenheit = datasets.celsius_fahrenheit()

    def build(fw):
        return fw.keras.Sequential([fw.keras.Input((1,)), fw.keras.layers.Dense(1)])

    t_model = build(tf)
    initial = t_model.get_weights()
    t_model.compile(optimizer=tf.keras.optimizers.Adam(0.1), loss="mean_squared_error")
    # Keras rebuilds its input pipeline every epoch (~0.1 s); the same full batch from a repeated
    # tf.data pipeline gives the identical History (checked while writing this test) in a tenth of the time.
    full_batch = tf.data.Dataset.from_tensors((celsius[:, None], fahrenheit)).repeat()
    t_hist = t_model.fit(full_batch, epochs=500, steps_per_epoch=1, shuffle=False, verbose=0).history

    def train(run_eagerly):
        m_model = build(mtf)
        m_model.set_weights(initial)
        m_model.compile(optimizer=mtf.keras.optimizers.Adam(0.1), loss="mean_squared_error", run_eagerly=run_eagerly)
        return m_model.fit(celsius, fahrenheit, epochs=500, batch_size=7, shuffle=False, verbose=0).history, m_model

    (m_hist, m_model), _ = traced_and_eager("Celsius", train)
    compare_histories("Celsius Dense(1), Adam(0.1), MSE", t_hist, m_hist)
    for a, b in zip(t_model.get_weights(), m_model.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-4)  # the learned 1.8 and 32


# --------------------------------------------------------------------------- circles
def circles_data():
    x, y = datasets.make_circles(512, noise=0.05, factor=0.5, seed=0)
    return x.astype(np.float32), y.astype(np.float32)


def circles_model(activation):
    def build(fw):
        return fw.keras.Sequential([fw.keras.Input((2,)), fw.keras.layers.Dense(4, activation="relu"),
                                    fw.keras.layers.Dense(4, activation="relu"),
                                    fw.keras.layers.Dense(1, activation=activation)])
    return build


def test_circles_sigmoid_output_uses_the_logits(tf, mtf):
    x, y = circles_data()
    t_hist, m_hist, _, _ = train_both(
        tf, mtf, circles_model("sigmoid"),
        lambda fw, m: m.compile(optimizer=fw.keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                                metrics=["accuracy"]),
        x, y, epochs=FIRST)
    compare_histories("circles Dense(4,relu)x2 + Dense(1,sigmoid), BCE", t_hist, m_hist)


def test_circles_linear_output_with_clipped_probabilities(tf, mtf):
    x, y = circles_data()
    t_hist, m_hist, _, _ = train_both(
        tf, mtf, circles_model(None),
        lambda fw, m: m.compile(optimizer=fw.keras.optimizers.Adam(0.01),
                                loss=fw.keras.losses.BinaryCrossentropy(), metrics=["accuracy"]),
        x, y, epochs=FIRST)
    # The loss falls to ~0.03 and float32 differences compound: rtol 1e-4 here (measured 0 to 4e-5 across random initial weights).
    compare_histories("circles linear output, BCE on probabilities (clipped)", t_hist, m_hist, rtol_first=1e-4)


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["compiled", "eager"])
@pytest.mark.parametrize("activation", ["sigmoid", "tf.nn.sigmoid"])
def test_saturated_sigmoid_loss_is_computed_from_the_logits(tf, mtf, activation, run_eagerly):
    # logit -30 for a positive example: from the logits 30.0, clipped 16.1. Keras finds the logits of
    # keras.activations.sigmoid (an attribute, in both modes) and of tf.nn.sigmoid (from the op that
    # made the output, which only a graph tensor has: compiled steps only; eagerly the loss is clipped).
    x, y = np.ones((1, 1), np.float32), np.ones((1, 1), np.float32)
    losses = []
    for fw in (tf, mtf):
        act = fw.nn.sigmoid if activation == "tf.nn.sigmoid" else activation
        model = fw.keras.Sequential([fw.keras.Input((1,)), fw.keras.layers.Dense(1, activation=act)])
        model.set_weights([np.array([[-30.0]], np.float32), np.array([0.0], np.float32)])
        model.compile(optimizer="sgd", loss="binary_crossentropy", run_eagerly=run_eagerly)
        losses.append(model.evaluate(x, y, verbose=0))
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-6)
    if activation == "tf.nn.sigmoid" and run_eagerly:
        assert 16 < losses[0] < 16.2
    else:
        assert losses[0] > 29


# --------------------------------------------------------------------------- digits
def test_digits_mlp_with_accuracy_and_validation_split(tf, mtf):
    images, labels = datasets.load_digits()
    x = (images.reshape(-1, 64) / 16.0).astype(np.float32)

    def build(fw):
        return fw.keras.Sequential([fw.keras.Input((64,)), fw.keras.layers.Dense(64, activation="relu"),
                                    fw.keras.layers.Dense(10, activation="softmax")])

    t_hist, m_hist, _, _ = train_both(
        tf, mtf, build,
        lambda fw, m: m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]),
        x, labels, epochs=FIRST, batch_size=64, validation_split=0.2)
    compare_histories("digits Dense(64,relu)-Dense(10,softmax), SCCE, accuracy, validation_split=0.2",
                      t_hist, m_hist)


# --------------------------------------------------------------------------- insurance regression
def test_insurance_regression_mae(tf, mtf):
    table = datasets.make_insurance()
    train, _ = datasets.train_test_split(table, test_size=0.2, seed=42)
    x, y = datasets.insurance_to_arrays(train, datasets.insurance_column_transformer().fit(train))

    def build(fw):
        return fw.keras.Sequential([fw.keras.Input((x.shape[1],)), fw.keras.layers.Dense(100),
                                    fw.keras.layers.Dense(10), fw.keras.layers.Dense(1)])

    t_hist, m_hist, t_model, m_model = train_both(
        tf, mtf, build,
        lambda fw, m: m.compile(optimizer=fw.keras.optimizers.Adam(), loss="mae", metrics=["mae"]),
        x, y, epochs=FIRST)
    compare_histories("insurance Dense(100)-Dense(10)-Dense(1), MAE, Adam", t_hist, m_hist)
    np.testing.assert_allclose(m_model.predict(x[:50], verbose=0), t_model.predict(x[:50], verbose=0), rtol=1e-5)


# --------------------------------------------------------------------------- several inputs and outputs
def test_two_inputs_two_outputs(tf, mtf):
    rng = np.random.default_rng(5)
    xa, xb = rng.normal(size=(96, 3)).astype(np.float32), rng.normal(size=(96, 2)).astype(np.float32)
    y_reg = rng.normal(size=(96, 1)).astype(np.float32)
    y_cls = rng.integers(0, 3, 96)

    def build(fw):
        a, b = fw.keras.Input((3,), name="a"), fw.keras.Input((2,), name="b")
        h = fw.keras.layers.Dense(8, activation="tanh")(fw.keras.layers.Concatenate()([a, b]))
        return fw.keras.Model([a, b], [fw.keras.layers.Dense(1, name="reg")(h),
                                       fw.keras.layers.Dense(3, activation="softmax", name="cls")(h)])

    def compile_model(fw, m):
        m.compile(optimizer=fw.keras.optimizers.Adam(0.01),
                  loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.3, "cls": 1.0}, metrics={"cls": ["accuracy"], "reg": ["mae"]})

    # The per-output losses are batch means weighted by the batch size eagerly, by 1 in a compiled step
    # (Keras's own difference between its two modes): they may differ between minitf's two runs.
    per_output = ("reg_loss", "cls_loss", "val_reg_loss", "val_cls_loss")
    t_hist, m_hist, t_model, m_model = train_both(tf, mtf, build, compile_model, [xa, xb], [y_reg, y_cls],
                                                  differ=per_output, epochs=5, batch_size=16, validation_split=0.25)
    compare_histories("two inputs, two outputs, loss dict and weights", t_hist, m_hist)
    t_eval = t_model.evaluate([xa, xb], [y_reg, y_cls], verbose=0)
    m_eval = m_model.evaluate([xa, xb], [y_reg, y_cls], verbose=0)
    assert len(t_eval) == len(m_eval)
    np.testing.assert_allclose(m_eval, t_eval, rtol=1e-5)  # the same values in the same order
    assert t_model.metrics_names == m_model.metrics_names


def test_summary_text(tf, mtf):
    def build(fw):
        model = fw.keras.Sequential([fw.keras.Input((2,)), fw.keras.layers.Dense(100, activation="relu"),
                                     fw.keras.layers.Dense(1, activation="sigmoid")], name="circles")
        model.compile(optimizer=fw.keras.optimizers.Adam(0.01), loss="binary_crossentropy")
        model.fit(np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32), verbose=0)
        return model
    texts = []
    for fw in (tf, mtf):
        lines = []
        build(fw).summary(print_fn=lambda s, **kw: lines.append(s), line_length=80)
        texts.append("".join(lines))
    # Layer names (dense, dense_7, dense_12 ...) depend on how many layers each framework made
    # before, and their padding with them: normalise the name cell, compare the rest exactly.
    strip = [[re.sub(r"dense(_\d+)? \(Dense\) *", "dense (Dense) ", line) for line in text.splitlines()]
             for text in texts]
    assert strip[0] == strip[1], "\n" + texts[0] + "\n" + texts[1]
