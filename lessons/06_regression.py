# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 06: Regression
# > Predict numbers: y = X + 10, an insurance table and diabetes; MAE, MSE and Huber; evaluate, save, load.
#
# A **regression** problem asks for a number: a price, a cost, a disease score. This lesson
# follows the course's notebook 01 ("neural network regression"), model by model, on minitf,
# with the same Keras model trained beside it under TensorFlow.
#
# A regression network ends in a `Dense` layer with one unit and no activation, so its output
# can be any real number. It learns by making a **loss** small, a number that says how far the
# predictions $\hat y_i$ are from the labels $y_i$ over a batch of $n$ examples:
#
# $$\text{MAE} = \frac1n \sum_i |\hat y_i - y_i|, \qquad
#   \text{MSE} = \frac1n \sum_i (\hat y_i - y_i)^2 .$$
#
# The three steps of modelling are the same in every lesson from here on:
# 1. **create** a model (layers, stacked with `Sequential`),
# 2. **compile** it (a loss, an optimizer, metrics to report),
# 3. **fit** it to the data, then **evaluate** it on data it has not seen.

# %%
try:  # run as a plain script, or as a notebook, from inside lessons/: the _common beside this file
    import _common as L
except ImportError:  # the runner, or a notebook elsewhere: the lessons package
    from lessons import _common as L

L.begin("06_regression")

import numpy as np

import minitf
from minitf.datasets import (
    insurance_column_transformer,
    insurance_to_arrays,
    load_diabetes,
    make_insurance,
    make_linear,
    train_test_split,
)

tf = L.tf_or_none()
plt = L.pyplot()


def predict_pair(ours, theirs, x):
    """Both models' predictions for ``x`` (TF's None without TF)."""
    return ours.predict(x, verbose=0), (theirs.predict(x, verbose=0) if theirs is not None else None)


# %% [markdown]
# ## 1. Data: a straight line, y = X + 10
#
# The course starts with data whose answer we know: 50 points on the line $y = X + 10$,
# $X = -100, -96, \dots, 96$. A model that learns the pattern should predict $y = 27$ for
# $X = 17$.
#
# **Train and test sets.** A model is judged on examples it has never seen. The course keeps
# the first 40 points (80%) for training and the last 10 (20%) for testing, unshuffled: so the
# test points lie to the right of everything the model trained on, and the model must
# *extrapolate* the line.
#
# **Shapes.** A `Dense` layer takes a batch of feature vectors, shape (batch, features). Each
# example here is one number, so the inputs get a trailing axis of 1: (40,) becomes (40, 1)
# (the course does this with `tf.expand_dims(X, axis=-1)`).

# %%
X, y = make_linear()
print(f"X: shape {X.shape}, first values {X[:5]}; y = X + 10: first values {y[:5]}")
X_train, y_train = X[:40, None], y[:40]
X_test, y_test = X[40:, None], y[40:]
print(f"train: X {X_train.shape}, y {y_train.shape};  test: X {X_test.shape}, y {y_test.shape}")

fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(X_train, y_train, c="b", label="Training data")
ax.scatter(X_test, y_test, c="g", label="Testing data")
ax.set_xlabel("X")
ax.set_ylabel("y")
ax.legend()
L.savefig(fig, "linear_data")

# %% [markdown]
# ## 2. Three models, the course's experiments
#
# The course compares three small experiments (all with the loss MAE and the optimizer SGD,
# learning rate $\eta = 0.01$):
#
# | model | layers | epochs |
# |---|---|---|
# | `model_1` | `Dense(1)` | 100 |
# | `model_2` | `Dense(100)`, `Dense(1)` | 100 |
# | `model_3` | `Dense(100)`, `Dense(1)` | 500 |
#
# **How MAE trains.** For `model_1`, $\hat y_i = w x_i + b$, and the gradient of the MAE is
#
# $$\frac{\partial L}{\partial w} = \frac1n \sum_i \operatorname{sign}(\hat y_i - y_i)\, x_i, \qquad
#   \frac{\partial L}{\partial b} = \frac1n \sum_i \operatorname{sign}(\hat y_i - y_i),$$
#
# so SGD's step $w \leftarrow w - \eta\, \partial L / \partial w$ has the same size whether a
# prediction is off by 1 or by 1000: only the *sign* of each error counts. That makes two
# troubles. The bias moves by at most $\eta = 0.01$ per step; with 40 examples and
# `batch_size=32` there are 2 steps per epoch, so in 100 epochs $b$ travels at most 2 (from 0
# toward the true 10). The slope has the opposite trouble: its gradient is scaled by the
# $x_i$ (up to 100 in size), so a step moves $w$ by up to $\eta \cdot \overline{|x|} \approx 0.4$,
# and $w$ hops around the true slope 1 instead of settling on it.
#
# `model_2` stacks `Dense(1)` on `Dense(100)`. With no activation between them it is still a
# straight line, $\hat y = x\,(W_1 W_2) + (b_1 W_2 + b_2)$, but with many more ways to move its
# slope and intercept.
#
# Each model is written once, as a function of the framework (`minitf` or `tensorflow`).

# %%
def build_model_1(fw):
    model = fw.keras.Sequential([fw.keras.Input((1,)), fw.keras.layers.Dense(1)])
    model.compile(loss=fw.keras.losses.mae, optimizer=fw.keras.optimizers.SGD(), metrics=["mae"])
    return model


def build_model_2(fw):  # model_3 is the same network, trained for longer
    model = fw.keras.Sequential([fw.keras.Input((1,)), fw.keras.layers.Dense(100), fw.keras.layers.Dense(1)])
    model.compile(loss=fw.keras.losses.mae, optimizer=fw.keras.optimizers.SGD(), metrics=["mae"])
    return model


EPOCHS = L.pick(100, 50)  # fast mode (for the tests) trains for fewer epochs
EPOCHS_3 = L.pick(500, 100)
experiments = {"model_1": (build_model_1, EPOCHS), "model_2": (build_model_2, EPOCHS),
               "model_3": (build_model_2, EPOCHS_3)}
trained = {}
for name, (build, epochs) in experiments.items():
    ours, theirs = L.build_pair(build, tf_in_fast_mode=(name == "model_1"))
    history, tf_history = L.fit_pair(ours, theirs, X_train, y_train, epochs=epochs)
    preds, tf_preds = predict_pair(ours, theirs, X_test)
    trained[name] = dict(model=ours, tf_model=theirs, history=history, tf_history=tf_history,
                         preds=preds, tf_preds=tf_preds, epochs=epochs)
    at_17 = float(ours.predict(np.array([[17.0]], np.float32), verbose=0)[0, 0])
    print(f"{name}: {epochs} epochs, final training MAE {history['loss'][-1]:.3f}; "
          f"prediction for X = 17: {at_17:.3f} (exact 27)")

ours_1 = trained["model_1"]["model"]
w_1, b_1 = (float(v.ravel()[0]) for v in ours_1.get_weights())
print(f"model_1 learned y = {w_1:.3f} X + {b_1:.3f}   (exact: y = 1 X + 10)")
print("model_1 summary:")
ours_1.summary()

# %% [markdown]
# ### Side by side with TensorFlow
# Both frameworks start from the same weights and see the same batches in the same order, so
# their loss curves should coincide. MAE's gradient is a sign: if an error were to land within
# rounding of zero, the two frameworks could see opposite signs and from then on take
# different steps. We compare the first 20 epochs' losses to $10^{-4}$ and the final test
# predictions to $10^{-2}$.
#
# The curves below zigzag: that is the hopping slope of the previous section, seen in the
# loss. Each epoch's two steps throw $w$ past the true slope and back, and the MAE jumps with
# it. Over 500 epochs the jumps blur into a band, so each panel draws the loss of every epoch
# as a thin line and its running mean (over a twentieth of the epochs) as a thick one; TF's
# running mean is the dashed line on top.

# %%
for name, run in trained.items():
    if run["tf_history"] is None:
        L.compare(f"{name}: training loss, first 20 epochs", run["history"]["loss"][:20], None)
        continue
    L.compare(f"{name}: training loss, first 20 epochs", run["history"]["loss"][:20],
              run["tf_history"]["loss"][:20], tol=1e-4, table=name == "model_1",
              means="float32 rounding: a loss near 20 carries rounding errors near 1e-6; TF's kernels "
                    "round some sums differently, but no error changes sign, so SGD takes the same steps")
    L.compare(f"{name}: test predictions after {run['epochs']} epochs", run["preds"], run["tf_preds"], tol=1e-2,
              means="the same model at the end, to float32 rounding")

def running_mean(values, window):
    """The mean of each ``window`` consecutive values, placed at the window's last epoch."""
    values = np.asarray(values, dtype=np.float64)
    return np.arange(window - 1, values.size), np.convolve(values, np.ones(window) / window, mode="valid")


fig, axes = plt.subplots(1, 3, figsize=(15, 3.8), sharey=True)
for ax, (name, run), color in zip(axes, trained.items(), ["C0", "C1", "C2"]):
    window = max(2, run["epochs"] // 20)
    ax.plot(run["history"]["loss"], color=color, linewidth=0.7, alpha=0.5, label="minitf, every epoch")
    ax.plot(*running_mean(run["history"]["loss"], window), color=color, linewidth=3,
            label=f"minitf, mean of {window} epochs")
    if run["tf_history"] is not None:
        ax.plot(*running_mean(run["tf_history"]["loss"], window), "--", color="black", linewidth=1.2,
                label=f"TensorFlow, mean of {window} epochs")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training MAE")
    ax.set_title(f"{name}: training MAE, {run['epochs']} epochs")
    ax.legend(fontsize=8, loc="upper right")
L.savefig(fig, "linear_loss_curves")

# %% [markdown]
# ## 3. Visualize, visualize, visualize: `plot_predictions`
# The course's `plot_predictions` draws the training data (blue), the test data (green) and
# the model's predictions for the test inputs (red dots). Where TF runs, its predictions are
# drawn as black rings around them: a red dot inside every ring means the two agree.

# %%
def plot_predictions(ax, train_data, train_labels, test_data, test_labels, predictions,
                     tf_predictions=None, title=""):
    """The course's plot_predictions, drawn on ``ax`` (plus TF's predictions where given)."""
    ax.scatter(train_data, train_labels, c="b", s=12, label="Training data")
    ax.scatter(test_data, test_labels, c="g", s=12, label="Testing data")
    ax.scatter(test_data, predictions, c="r", s=14, zorder=3, label="Predictions (minitf)")
    if tf_predictions is not None:  # rings, so that minitf's dots stay visible inside them
        ax.scatter(test_data, tf_predictions, facecolors="none", edgecolors="k", linewidths=1, s=70, zorder=4,
                   label="Predictions (TF)")
    ax.set_xlabel("X")
    ax.set_ylabel("y")
    ax.set_title(title)
    ax.legend(fontsize=7)


fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, (name, run) in zip(axes, trained.items()):
    plot_predictions(ax, X_train, y_train, X_test, y_test, run["preds"], run["tf_preds"],
                     title=f"{name} ({run['epochs']} epochs)")
L.savefig(fig, "linear_predictions")

# %% [markdown]
# ## 4. Evaluating with metrics
# On the test set we report the two metrics of the introduction, MAE (in the units of $y$)
# and MSE (in squared units, so it punishes large errors more). `model.evaluate` returns the
# loss and the compiled metrics; the loss functions can also be called directly on labels and
# predictions. Mind the shapes: labels (10,) and predictions (10, 1) must be lined up first
# (`squeeze`), as the course does.

# %%
def regression_metrics(y_true, y_pred):
    """MAE and MSE of a model's predictions, with minitf's loss functions."""
    y_pred = np.squeeze(y_pred, axis=-1)
    return (float(minitf.keras.losses.mae(y_true, y_pred).numpy()),
            float(minitf.keras.losses.mse(y_true, y_pred).numpy()))


print(f"{'model':<8} {'test MAE':>10} {'test MSE':>12}   evaluate() -> [loss, mae]")
results = {}
for name, run in trained.items():
    mae, mse = regression_metrics(y_test, run["preds"])
    results[name] = {"mae": mae, "mse": mse}
    evaluated = run["model"].evaluate(X_test, y_test, verbose=0)
    print(f"{name:<8} {mae:10.3f} {mse:12.3f}   {np.round(evaluated, 3).tolist()}")
    # evaluate's loss is the same MAE, averaged the same way
    assert abs(evaluated[0] - mae) <= 1e-3 * max(1.0, mae), (evaluated, mae)
best = min(results, key=lambda k: results[k]["mae"])
print(f"lowest test MAE: {best}")
with_tf = [name for name, run in trained.items() if run["tf_preds"] is not None]  # fast mode: model_1 only
if with_tf:
    L.compare(f"test MAE and MSE of {', '.join(with_tf)}", [[results[n]["mae"], results[n]["mse"]] for n in with_tf],
              [regression_metrics(y_test, trained[n]["tf_preds"]) for n in with_tf], tol=0.05,
              means="the same test errors")

# %% [markdown]
# Training longer does not always help: in the course, `model_3` (500 epochs) did worse than
# `model_2`. With SGD on MAE, the steps do not shrink as the model improves, so the weights
# keep hopping back and forth across the best line instead of settling on it; where they
# stop after exactly 100 or 500 epochs is partly luck, and a model that fits the training
# points well at one step can extrapolate badly to the test points at the next. The table
# above shows what happened this time. (The cures come later in the course: a learning rate
# that shrinks, scaled inputs, Adam.)
#
# ## 5. MAE, MSE and Huber
#
# Three losses for regression, as functions of one error $e = \hat y - y$:
#
# $$\ell_{\text{MAE}}(e) = |e|, \qquad \ell_{\text{MSE}}(e) = e^2, \qquad
#   \ell_{\text{Huber}}(e) = \begin{cases} \tfrac12 e^2 & |e| \le \delta \\
#   \delta\,|e| - \tfrac12 \delta^2 & |e| > \delta \end{cases}$$
#
# and their derivatives, which is what the optimizer sees:
#
# $$\ell'_{\text{MAE}} = \operatorname{sign}(e), \qquad \ell'_{\text{MSE}} = 2e, \qquad
#   \ell'_{\text{Huber}} = \operatorname{clip}(e, -\delta, \delta).$$
#
# MSE's gradient grows with the error, so a few outliers (a few very expensive patients) can
# dominate training; MAE treats every error alike, but its gradient never shrinks near the
# answer; Huber is MSE for small errors and MAE for large ones (Keras's default $\delta = 1$,
# in the units of $y$). Each is averaged over the batch (Keras's `sum_over_batch_size`).
# Below, each loss is computed three ways: by minitf, by TF, and by the formula in NumPy.

# %%
errors = np.linspace(-3, 3, 121).astype(np.float32)
zeros = np.zeros_like(errors)
delta = 1.0
formula = {
    "MAE": np.abs(errors),
    "MSE": errors ** 2,
    "Huber": np.where(np.abs(errors) <= delta, 0.5 * errors ** 2, delta * np.abs(errors) - 0.5 * delta ** 2),
}


def pointwise_losses(fw):
    """Each loss of one error at a time: labels 0, predictions e, shape (121, 1) -> (121,)."""
    y_true, y_pred = zeros[:, None], errors[:, None]
    return {"MAE": fw.keras.losses.mae(y_true, y_pred),
            "MSE": fw.keras.losses.mse(y_true, y_pred),
            "Huber": fw.keras.losses.huber(y_true, y_pred, delta=delta)}


ours_losses = {k: np.asarray(v) for k, v in pointwise_losses(minitf).items()}
tf_losses = {k: np.asarray(v) for k, v in pointwise_losses(tf).items()} if tf is not None else None
for name in formula:
    worst = float(np.max(np.abs(ours_losses[name] - formula[name])))
    print(f"{name}: minitf vs the NumPy formula, largest |diff| {worst:.2g}")
    assert worst <= 1e-5, f"{name} loss differs from its formula by {worst}"
    L.compare(f"{name} loss of errors -3..3", ours_losses[name], None if tf_losses is None else tf_losses[name],
              tol=1e-6, means=f"Keras's {name} is the formula above")

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for name in formula:
    axes[0].plot(errors, ours_losses[name], linewidth=3, alpha=0.6, label=f"{name} (minitf)")
    if tf_losses is not None:
        axes[0].plot(errors, tf_losses[name], "--", color="black", linewidth=1)
axes[0].set_xlabel("error e = prediction - label")
axes[0].set_ylabel("loss")
axes[0].set_title("losses (TF dashed)")
axes[0].legend()
gradients = {"MAE": np.sign(errors), "MSE": 2 * errors, "Huber": np.clip(errors, -delta, delta)}
for name, g in gradients.items():
    axes[1].plot(errors, g, label=name)
axes[1].set_xlabel("error e")
axes[1].set_ylabel("d loss / d e")
axes[1].set_title("their gradients")
axes[1].legend()
L.savefig(fig, "loss_functions")

# %% [markdown]
# ### The three losses on real data: diabetes
# scikit-learn's diabetes table (442 patients, 10 standardized measurements, a disease score
# from 25 to 346) is small enough to train on three times. The same network is trained with
# each loss, from the same initial weights, then all three are judged by the same yardsticks:
# test MAE and test MSE. The Huber loss here uses $\delta = 30$: $\delta$ is in the units of
# the target, and Keras's default $\delta = 1$ would make it almost exactly MAE on a target
# that is wrong by tens at first.
#
# Each model is expected to do best on the metric it was trained on, but that is not
# guaranteed: on a test set of 89 patients a few outliers move the numbers.

# %%
X_dia, y_dia = load_diabetes()
Xd_train, Xd_test, yd_train, yd_test = train_test_split(X_dia, y_dia, test_size=0.2, seed=42)
print(f"diabetes: train {Xd_train.shape}, test {Xd_test.shape}; target {y_dia.min():.0f}..{y_dia.max():.0f}")
DIABETES_EPOCHS = L.pick(100, 10)


def diabetes_model(loss):
    def build(fw):
        losses = {"MAE": "mae", "MSE": "mse", "Huber": fw.keras.losses.Huber(delta=30.0)}
        model = fw.keras.Sequential([fw.keras.Input((10,)), fw.keras.layers.Dense(32, activation="relu"),
                                     fw.keras.layers.Dense(1)])
        model.compile(loss=losses[loss], optimizer=fw.keras.optimizers.Adam(0.05), metrics=["mae", "mse"])
        return model
    return build


diabetes = {}
for loss in ("MAE", "MSE", "Huber"):
    ours, theirs = L.build_pair(diabetes_model(loss), tf_in_fast_mode=False)
    history, tf_history = L.fit_pair(ours, theirs, Xd_train, yd_train, epochs=DIABETES_EPOCHS, batch_size=32)
    test_loss, test_mae, test_mse = ours.evaluate(Xd_test, yd_test, verbose=0)
    diabetes[loss] = {"history": history, "tf_history": tf_history, "test_mae": test_mae, "test_mse": test_mse}
    if theirs is not None:
        L.compare(f"diabetes, {loss} loss: training loss, first 10 epochs", history["loss"][:10],
                  tf_history["loss"][:10], tol=L.scaled_tol(tf_history["loss"][:10], 1e-5),
                  means="the same training, to float32 rounding (relative 1e-5)")
        L.compare(f"diabetes, {loss} loss: test MAE", test_mae, theirs.evaluate(Xd_test, yd_test, verbose=0)[1],
                  tol=0.05, means="the same trained model")
baseline = float(np.mean(np.abs(yd_test - np.median(yd_train))))
print(f"\n{'trained on':<10} {'test MAE':>9} {'test MSE':>10}    (predicting the training median: MAE {baseline:.1f})")
for loss, r in diabetes.items():
    print(f"{loss:<10} {r['test_mae']:9.2f} {r['test_mse']:10.1f}")

fig, ax = plt.subplots(figsize=(7, 4))
for (loss, r), color in zip(diabetes.items(), ["C0", "C1", "C2"]):
    ax.plot(r["history"]["mae"], color=color, linewidth=3, alpha=0.6, label=f"trained on {loss} (minitf)")
    if r["tf_history"] is not None:
        ax.plot(r["tf_history"]["mae"], "--", color="black", linewidth=1)
ax.plot([], [], "--", color="black", linewidth=1, label="TensorFlow")
ax.set_xlabel("epoch")
ax.set_ylabel("training MAE")
ax.set_title("diabetes: one network, three losses")
ax.legend()
L.savefig(fig, "diabetes_losses")

# %% [markdown]
# ## 6. A larger example: medical insurance costs
# The course's insurance table (1338 people: age, sex, bmi, children, smoker, region, and their
# yearly charges) is replaced by a generated table with the same columns and the same kind of
# pattern (smokers cost far more, cost grows with age). Networks need numbers, so:
#
# - **one-hot encoding** turns each category into 0/1 columns: `smoker` becomes
#   `smoker_no`, `smoker_yes`; `region` becomes four columns;
# - **min-max scaling** maps each numeric column to $[0, 1]$,
#   $x' = \dfrac{x - \min}{\max - \min}$, with min and max taken from the **training rows only**
#   (the test rows must stay unseen, even by the preprocessing).
#
# The course first trains on one-hot columns with the raw numbers (age up to 64, bmi up to
# 53), then on scaled ones. Same network both times: `Dense(100)`, `Dense(10)`, `Dense(1)`,
# Adam, MAE.

# %%
table = make_insurance()
for i in range(5):
    print({k: (v[i].item() if hasattr(v[i], "item") else v[i]) for k, v in table.items()})
train_table, test_table = train_test_split(table, test_size=0.2, seed=42)
ct = insurance_column_transformer().fit(train_table)
Xi_train, yi_train = insurance_to_arrays(train_table, ct)
Xi_test, yi_test = insurance_to_arrays(test_table, ct)
print("columns:", ct.get_feature_names_out())
print(f"X_train {Xi_train.shape}, first row (scaled, one-hot): {np.round(Xi_train[0], 3)}")


def unscaled(part):  # the course's first try: one-hot categories, numbers as they are
    numbers = np.stack([part["age"], part["bmi"], part["children"]], axis=1).astype(np.float32)
    return np.concatenate([numbers, ct.transform(part)[:, 3:]], axis=1)


Xi_train_raw, Xi_test_raw = unscaled(train_table), unscaled(test_table)
print(f"first row (unscaled): {np.round(Xi_train_raw[0], 3)}")


def build_insurance_model(fw):
    model = fw.keras.Sequential([fw.keras.Input((11,)), fw.keras.layers.Dense(100), fw.keras.layers.Dense(10),
                                 fw.keras.layers.Dense(1)])
    model.compile(loss=fw.keras.losses.mae, optimizer=fw.keras.optimizers.Adam(), metrics=["mae"])
    return model


INSURANCE_EPOCHS = L.pick(100, 10)
insurance = {}
for kind, (x_tr, x_te) in {"unscaled": (Xi_train_raw, Xi_test_raw), "min-max scaled": (Xi_train, Xi_test)}.items():
    ours, theirs = L.build_pair(build_insurance_model, tf_in_fast_mode=False)
    history, tf_history = L.fit_pair(ours, theirs, x_tr, yi_train, epochs=INSURANCE_EPOCHS)
    test_mae = ours.evaluate(x_te, yi_test, verbose=0)[1]
    insurance[kind] = {"model": ours, "history": history, "tf_history": tf_history, "test_mae": test_mae}
    print(f"insurance, {kind}: test MAE {test_mae:.1f} after {INSURANCE_EPOCHS} epochs")
    if theirs is not None:
        L.compare(f"insurance ({kind}): training loss per epoch", history["loss"], tf_history["loss"],
                  tol=L.scaled_tol(tf_history["loss"], 1e-5),
                  means="the same training, to float32 rounding (relative 1e-5)")
        L.compare(f"insurance ({kind}): test MAE", test_mae, theirs.evaluate(x_te, yi_test, verbose=0)[1], tol=0.5,
                  means="the same trained model")
insurance_baseline = float(np.mean(np.abs(yi_test - np.median(yi_train))))
print(f"predicting the training median for everyone: test MAE {insurance_baseline:.1f} "
      f"(charges: median {np.median(yi_train):.0f}, mean {yi_train.mean():.0f})")

fig, ax = plt.subplots(figsize=(7, 4))
for (kind, r), color in zip(insurance.items(), ["C0", "C1"]):
    ax.plot(r["history"]["loss"], color=color, linewidth=3, alpha=0.6, label=f"{kind} (minitf)")
    if r["tf_history"] is not None:
        ax.plot(r["tf_history"]["loss"], "--", color="black", linewidth=1)
ax.plot([], [], "--", color="black", linewidth=1, label="TensorFlow")
ax.axhline(insurance_baseline, color="gray", linestyle=":", label="predict the median")
ax.set_xlabel("epoch")
ax.set_ylabel("training MAE (dollars)")
ax.set_title("insurance charges: Dense(100)-Dense(10)-Dense(1), Adam, MAE")
ax.legend()
L.savefig(fig, "insurance_loss_curves")

# %% [markdown]
# Why does scaling help? Adam moves every weight by about the learning rate per step,
# whatever its gradient's size. A change of 0.001 in the weight of `age` (values up to 64)
# shifts the output 64 times more than the same change in the weight of a 0/1 column, so with
# raw inputs the columns learn at very different speeds. Scaled to $[0, 1]$, all columns start
# on an equal footing.
#
# ## 7. Saving and loading a model
# `model.save("name.keras")` writes one file with the architecture, the weights, the compile
# settings and the optimizer's state; `tf.keras.models.load_model` (here
# `minitf.keras.models.load_model`) rebuilds the model from it. The loaded model must predict
# *exactly* what the original does: same weights, same arithmetic, bit for bit.
#
# (minitf's `.keras` file is its own format, a zip of JSON and NumPy arrays: Keras cannot read
# it, and minitf cannot read Keras's.)

# %%
best_model = insurance["min-max scaled"]["model"]
path = L.output_file("insurance_model.keras")
best_model.save(path)
loaded = minitf.keras.models.load_model(path)
loaded.summary()
before = best_model.predict(Xi_test, verbose=0)
after = loaded.predict(Xi_test, verbose=0)
save_load_identical = bool(np.array_equal(before, after))
assert save_load_identical, f"loaded model predicts differently: largest |diff| {np.max(np.abs(before - after))}"
print(f"saved to {path}; loaded model's predictions identical: {save_load_identical}")
print("evaluate(), original vs loaded:", best_model.evaluate(Xi_test, yi_test, verbose=0),
      loaded.evaluate(Xi_test, yi_test, verbose=0))

# %% [markdown]
# ## Exercises
# Exercises marked **(checked: `name`)** have a function to write in `lessons/exercises/06_answers.py`:
# `python -m lessons check 06` copies the template there the first time, and from then on runs
# your answers against tests, saying for each what it expected and what came back. Worked
# solutions are in `lessons/solutions/06_answers.py` (look after trying).
# 1. (Course) Create your own regression dataset, or make the `make_linear` data bigger
#    (`make_linear(-500, 500, 2)`), and fit a model to it.
# 2. (Course) Build a network with 4 `Dense` layers and fit it to your dataset. How does it do?
# 3. (Course) Improve the insurance results: a larger model (4 `Dense` layers), more units per
#    layer, `Adam`'s first parameter (the learning rate) 10 times larger, longer training.
#    Which change helps most? Add a `relu` between the layers: what changes, and why can a
#    stack of `Dense` layers *without* activations never beat one `Dense` layer here?
# 4. (Course) The course's last exercise models the Boston housing prices, which need a
#    download. Do the same with `load_diabetes` and `StandardScaler`-ed targets instead, and
#    compare MAE, MSE and Huber losses with several $\delta$.
# 5. Derive by hand the first SGD step of `model_1` (start from its printed initial weights,
#    the 40 training examples, which `batch_size=40` puts in one batch, and the MAE gradient
#    above), and check it against `model.get_weights()` after `fit(..., epochs=1, batch_size=40)`.
#    **(checked: `first_sgd_step`)**
# 6. `model_3` trained for longer than `model_2` but may do worse. Add
#    `LearningRateScheduler(lambda epoch: 0.01 * 0.99 ** epoch)`: does a shrinking step let
#    MAE settle on the line?
# 7. Write section 6's min-max scaling yourself, for a training and a test table, with the minimum
#    and maximum of the training rows only. Why may scaled test values fall outside $[0, 1]$, and why
#    is that right? **(checked: `min_max_scale`)**

# %%
L.summary(
    linear_test_mae={k: v["mae"] for k, v in results.items()},
    linear_test_mse={k: v["mse"] for k, v in results.items()},
    linear_best=best,
    model_3_epochs=EPOCHS_3,
    diabetes_test_mae={k: v["test_mae"] for k, v in diabetes.items()},
    diabetes_test_mse={k: v["test_mse"] for k, v in diabetes.items()},
    diabetes_median_baseline_mae=baseline,
    insurance_test_mae={k: v["test_mae"] for k, v in insurance.items()},
    insurance_median_baseline_mae=insurance_baseline,
    insurance_epochs=INSURANCE_EPOCHS,
    saved_model="insurance_model.keras",
    save_load_identical=save_load_identical,
)
