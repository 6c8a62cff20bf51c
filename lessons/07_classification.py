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
# # Lesson 07: Classification
# > Circles, tumours and digits: non-linearity, a learning-rate finder, decision boundaries, confusion matrices; generalisation: validation, overfitting, early stopping, L2, dropout.
#
# A **classification** problem asks for a category: is this point on the inner or the outer
# circle, is this tumour malignant, which digit is this? This lesson follows the course's
# notebook 02 ("neural network classification") on minitf, with the same Keras models trained
# beside it under TensorFlow.
#
# The network's last layer turns numbers into probabilities:
#
# - **binary** (two classes): one unit with a **sigmoid**, $p = \sigma(z) = \dfrac{1}{1 + e^{-z}}$,
#   the probability of class 1; trained with **binary crossentropy**
#   $$L = -\frac1n \sum_i \big[y_i \log p_i + (1 - y_i) \log (1 - p_i)\big];$$
# - **multi-class** ($K$ classes): $K$ units with a **softmax**, $p_k = \dfrac{e^{z_k}}{\sum_j e^{z_j}}$,
#   trained with **categorical crossentropy** $L = -\frac1n \sum_i \log p_{i, y_i}$
#   (the log-probability given to the right class).
#
# Lesson 03 showed why these pairs go together: the gradient of either loss with respect to the
# last layer's inputs $z$ is simply $p - y$.

# %%
try:  # run as a plain script, or as a notebook, from inside lessons/: the _common beside this file
    import _common as L
except ImportError:  # the runner, or a notebook elsewhere: the lessons package
    from lessons import _common as L

L.begin("07_classification")

import numpy as np

import minitf
from minitf.datasets import StandardScaler, load_breast_cancer, load_digits, make_circles, one_hot, train_test_split

tf = L.tf_or_none()
plt = L.pyplot()
try:  # scikit-learn, where installed, checks minitf.classification_report below
    import sklearn.metrics as sk_metrics
except ImportError:
    sk_metrics = None
    print("scikit-learn is not installed: minitf.classification_report is not checked against it (pip install scikit-learn).")


def evaluate_pair(name, ours, theirs, x, y, tol=1e-4):
    """minitf's [loss, accuracy] on (x, y), compared with TF's."""
    mine = ours.evaluate(x, y, verbose=0)
    L.compare(f"{name}: test [loss, accuracy]", mine, None if theirs is None else theirs.evaluate(x, y, verbose=0),
              tol=tol, means="the same trained model scores the same")
    return mine


def plot_history(ax, history, tf_history, key, label, color):
    """One training curve from minitf (thick) and TF's on top of it (thin, dashed)."""
    ax.plot(history[key], color=color, linewidth=3, alpha=0.6, label=f"{label} (minitf)")
    if tf_history is not None:
        ax.plot(tf_history[key], "--", color="black", linewidth=1)


# %% [markdown]
# ## 1. Data: two circles
# 1000 points on two concentric circles (radius 1 and 0.8) with a little noise; label 0 for
# the outer circle, 1 for the inner. No straight line can separate them: that is the point.
# As in the course, the first 800 points train the model and the last 200 test it (the
# generator already shuffled them).

# %%
X, y = make_circles(1000, noise=0.03, seed=42)
print(f"X {X.shape} {X.dtype}, y {y.shape} {y.dtype}; first points {X[:3].tolist()}, labels {y[:3].tolist()}")
print(f"class counts: {np.bincount(y).tolist()}")
X_train, y_train, X_test, y_test = X[:800], y[:800], X[800:], y[800:]

fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(X[:, 0], X[:, 1], c=y, cmap=plt.cm.RdYlBu, s=12)
ax.set_title("make_circles: outer = 0 (red), inner = 1 (blue)")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_aspect("equal")
L.savefig(fig, "circles_data")

# %% [markdown]
# ## 2. A linear model fails
# The course first tries bigger and bigger models without activations: `Dense(1)`, then
# `Dense(1)` twice, then `Dense(100)`, `Dense(10)`, `Dense(1)` with Adam. All stay near 50%
# accuracy, a coin toss. The reason is algebra: without activations, layers compose into one
# affine map,
#
# $$W_3\big(W_2 (W_1 x + b_1) + b_2\big) + b_3 = W x + b,$$
#
# and a sigmoid of an affine map, $\sigma(w^\top x + b)$, is > 0.5 exactly on one side of the
# straight line $w^\top x + b = 0$. Half of each circle lies on each side of any line through
# the middle. We train the largest of those models (with a sigmoid output) to see it.

# %%
LINEAR_EPOCHS = L.pick(25, 10)


def build_linear(fw):
    model = fw.keras.Sequential([
        fw.keras.Input((2,)),
        fw.keras.layers.Dense(100),
        fw.keras.layers.Dense(10),
        fw.keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer=fw.keras.optimizers.Adam(0.01), metrics=["accuracy"])
    return model


linear, linear_tf = L.build_pair(build_linear, tf_in_fast_mode=False)
linear_history, linear_tf_history = L.fit_pair(linear, linear_tf, X_train, y_train, epochs=LINEAR_EPOCHS)
linear_loss, linear_accuracy = evaluate_pair("linear model", linear, linear_tf, X_test, y_test)
print(f"linear model: test accuracy {linear_accuracy:.3f} after {LINEAR_EPOCHS} epochs (a coin toss is 0.5)")
if linear_tf_history is not None:
    L.compare("linear model: training loss per epoch", linear_history["loss"], linear_tf_history["loss"], tol=1e-4,
              means="the same training, float32 rounding apart")

# %% [markdown]
# ## 3. Non-linearity: activation functions
# An activation between the layers breaks the algebra above. The course recreates the two it
# uses from their formulas,
#
# $$\sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \operatorname{relu}(x) = \max(x, 0),$$
#
# and checks them against Keras's. Here both run under minitf and TF.

# %%
def activations(fw):
    A = fw.cast(fw.range(-10, 10), fw.float32)
    return {"A": A,
            "1 / (1 + exp(-A))": 1 / (1 + fw.exp(-A)),
            "tf.keras.activations.sigmoid(A)": fw.keras.activations.sigmoid(A),
            "tf.maximum(0., A)": fw.maximum(0.0, A),
            "tf.keras.activations.relu(A)": fw.keras.activations.relu(A)}


ours_act, tf_act = L.side_by_side("sigmoid and relu, by formula and by Keras", activations, tf, tol=1e-6,
                                  means="Keras's activations are the formulas")
assert np.allclose(np.asarray(ours_act["1 / (1 + exp(-A))"]), np.asarray(ours_act["tf.keras.activations.sigmoid(A)"]),
                   rtol=1e-6, atol=1e-7)

fig, axes = plt.subplots(1, 3, figsize=(12, 3))
A = np.asarray(ours_act["A"])
for ax, (title, key) in zip(axes, [("linear: A", "A"), ("sigmoid", "tf.keras.activations.sigmoid(A)"),
                                    ("relu", "tf.keras.activations.relu(A)")]):
    ax.plot(A, np.asarray(ours_act[key]), linewidth=3, alpha=0.6, label="minitf")
    if tf_act is not None:
        ax.plot(A, np.asarray(tf_act[key]), "--", color="black", linewidth=1, label="TF")
    ax.set_title(title)
    ax.set_xlabel("A")
    ax.set_ylabel("activation(A)")
    ax.legend()
L.savefig(fig, "activations")

# %% [markdown]
# ## 4. The non-linear model works
# The course's working model: two hidden layers of 4 `relu` units and a sigmoid output,
# Adam with learning rate 0.01, 25 epochs. Each relu unit draws a line and keeps one side of
# it; a few of them, combined, can fence in the inner circle.

# %%
def build_nonlinear(fw, learning_rate=0.01):
    model = fw.keras.Sequential([
        fw.keras.Input((2,)),
        fw.keras.layers.Dense(4, activation="relu"),
        fw.keras.layers.Dense(4, activation="relu"),
        fw.keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer=fw.keras.optimizers.Adam(learning_rate),
                  metrics=["accuracy"])
    return model


NONLINEAR_EPOCHS = 25  # as in the course, also in fast mode
model, model_tf = L.build_pair(build_nonlinear)
history, tf_history = L.fit_pair(model, model_tf, X_train, y_train, epochs=NONLINEAR_EPOCHS)
test_loss, test_accuracy = evaluate_pair("non-linear model", model, model_tf, X_test, y_test)
print(f"non-linear model: test accuracy {test_accuracy:.3f} after {NONLINEAR_EPOCHS} epochs")
if tf_history is not None:
    L.compare("non-linear model: training loss per epoch", history["loss"], tf_history["loss"], tol=1e-4,
              means="the same training, float32 rounding apart")
    L.compare("non-linear model: weights after training", model.get_weights(), model_tf.get_weights(), tol=1e-4,
              table=True, means="float32 rounding: 25 epochs of steps whose sums TF adds in another order "
                                "leave the weights a few last bits apart")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for key, ax in zip(["loss", "accuracy"], axes):
    plot_history(ax, history, tf_history, key, "relu model", "C0")
    plot_history(ax, linear_history, linear_tf_history, key, "linear model", "C1")
    ax.plot([], [], "--", color="black", linewidth=1, label="TensorFlow")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"training {key}")
    ax.set_title(f"circles: training {key}")
    ax.legend()
L.savefig(fig, "circles_training_curves")

# %% [markdown]
# ## 5. Seeing the decision boundary
# The course's `plot_decision_boundary` evaluates the model on a 100 x 100 grid of points
# covering the data, colours each grid point by its predicted class, and draws the data on top.
# Where TF runs, its boundary (the curve where its $p = 0.5$) is drawn as a dashed black line:
# it should trace the edge of minitf's coloured regions.

# %%
def plot_decision_boundary(ax, model, X, y, tf_model=None, title=""):
    """The course's plot_decision_boundary on ``ax``: predicted class on a grid, data on top."""
    x_min, x_max = X[:, 0].min() - 0.1, X[:, 0].max() + 0.1
    y_min, y_max = X[:, 1].min() - 0.1, X[:, 1].max() + 0.1
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, 100), np.linspace(y_min, y_max, 100))
    grid = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
    probs = model.predict(grid, batch_size=2500, verbose=0)
    if probs.shape[-1] > 1:  # multi-class: the most likely class
        classes = np.argmax(probs, axis=1)
    else:  # binary: round the probability of class 1
        classes = np.round(probs[:, 0])
    ax.contourf(xx, yy, classes.reshape(xx.shape), cmap=plt.cm.RdYlBu, alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=12, cmap=plt.cm.RdYlBu, edgecolors="k", linewidths=0.4)
    if tf_model is not None:
        tf_probs = tf_model.predict(grid, batch_size=2500, verbose=0)[:, 0].reshape(xx.shape)
        if tf_probs.min() < 0.5 < tf_probs.max():
            ax.contour(xx, yy, tf_probs, levels=[0.5], colors="k", linestyles="--", linewidths=1)
            ax.plot([], [], "k--", linewidth=1, label="TF's boundary (p = 0.5)")
            ax.legend(fontsize=8, loc="lower left")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)


fig, axes = plt.subplots(2, 2, figsize=(10, 10))
plot_decision_boundary(axes[0, 0], linear, X_train, y_train, linear_tf, "linear model: train")
plot_decision_boundary(axes[0, 1], linear, X_test, y_test, linear_tf, f"linear model: test ({linear_accuracy:.0%})")
plot_decision_boundary(axes[1, 0], model, X_train, y_train, model_tf, "relu model: train")
plot_decision_boundary(axes[1, 1], model, X_test, y_test, model_tf, f"relu model: test ({test_accuracy:.0%})")
L.savefig(fig, "decision_boundaries")

# %% [markdown]
# ## 6. Finding a learning rate
# How large should the learning rate be? The course's trick: train once while the learning
# rate grows by a factor of 10 every 20 epochs,
#
# $$\eta_{\text{epoch}} = 10^{-4} \cdot 10^{\,\text{epoch}/20},$$
#
# with the callback `LearningRateScheduler(lambda epoch: 1e-4 * 10**(epoch / 20))`, which
# sets the optimizer's rate before each epoch (and logs it as `learning_rate` in the
# history). Then plot the loss against the rate on a log axis. While the rate is too small
# the loss barely moves; then it falls fast; past some rate the steps overshoot and the loss
# shoots up. A good rate lies where the loss falls fastest (the course's rule of thumb: about
# ten times below the rate of the lowest loss). We mark the steepest fall,
# $\min \, \Delta L / \Delta \log_{10} \eta$, before the lowest point.
#
# Late in the sweep the steps are huge, and two frameworks that differ by one rounding in the
# last bit can land in different places: we compare the first 40 epochs only.

# %%
FINDER_EPOCHS = L.pick(100, 80)
FINDER_ROWS = L.pick(800, 96)  # fast mode sweeps on fewer rows (fewer steps per epoch)
finder, finder_tf = L.build_pair(build_nonlinear, tf_in_fast_mode=False)


def schedule(epoch):
    return 1e-4 * 10 ** (epoch / 20)


finder_history, finder_tf_history = L.fit_pair(
    finder, finder_tf, X_train[:FINDER_ROWS], y_train[:FINDER_ROWS], epochs=FINDER_EPOCHS,
    callbacks=lambda framework: [framework.keras.callbacks.LearningRateScheduler(schedule)])
if finder_tf is not None:
    L.compare("learning-rate finder: learning_rate per epoch", finder_history["learning_rate"],
              finder_tf_history["learning_rate"], tol=1e-9, means="the scheduler sets the same float32 rates")
    L.compare("learning-rate finder: loss, first 40 epochs", finder_history["loss"][:40],
              finder_tf_history["loss"][:40], tol=1e-4, means="the same sweep, float32 rounding apart")
rates = np.asarray(finder_history["learning_rate"], dtype=np.float64)
losses = np.asarray(finder_history["loss"], dtype=np.float64)
lowest = int(np.nanargmin(losses))
if lowest >= 2:  # the steepest fall of the loss per decade of learning rate, before the lowest point
    steepest = int(np.argmin(np.gradient(losses[:lowest + 1], np.log10(rates[:lowest + 1]))[:lowest]))
    suggested = float(rates[steepest])
else:
    suggested = float(rates[lowest] / 10)
print(f"lowest loss {losses[lowest]:.4f} at learning rate {rates[lowest]:.3g} (a tenth of that: "
      f"{rates[lowest] / 10:.3g}); steepest fall at {suggested:.3g}. The course read 0.02 off its plot.")

fig, ax = plt.subplots(figsize=(7, 4))
ax.semilogx(rates, losses, linewidth=3, alpha=0.6, label="minitf")
if finder_tf_history is not None:
    ax.semilogx(finder_tf_history["learning_rate"], finder_tf_history["loss"], "--", color="black", linewidth=1,
                label="TensorFlow")
ax.axvline(suggested, color="gray", linestyle=":", label=f"steepest fall: {suggested:.2g}")
ax.axvline(rates[lowest], color="gray", linestyle="-.", label=f"lowest loss: {rates[lowest]:.2g}")
ax.set_xlabel("learning rate (log scale)")
ax.set_ylabel("training loss")
ax.set_title("learning-rate finder")
ax.legend()
L.savefig(fig, "learning_rate_finder")

# %% [markdown]
# The course then trains the same model with the rate it read off its plot, 0.02, for 20
# epochs instead of 25. A larger rate is not always better: how well it does depends on the
# starting weights too, and one run is one sample.

# %%
TUNED_EPOCHS = L.pick(20, 10)
tuned, tuned_tf = L.build_pair(lambda fw: build_nonlinear(fw, learning_rate=0.02), tf_in_fast_mode=False)
tuned_history, tuned_tf_history = L.fit_pair(tuned, tuned_tf, X_train, y_train, epochs=TUNED_EPOCHS)
tuned_loss, tuned_accuracy = evaluate_pair("model with learning rate 0.02", tuned, tuned_tf, X_test, y_test)
print(f"Adam(0.02), {TUNED_EPOCHS} epochs: test accuracy {tuned_accuracy:.3f}  "
      f"(Adam(0.01), {NONLINEAR_EPOCHS} epochs: {test_accuracy:.3f})")

# %% [markdown]
# ## 7. Beyond accuracy: the confusion matrix, precision, recall, F1
# Accuracy is one number; the **confusion matrix** shows which mistakes the model makes.
# Entry $C_{ij}$ counts the examples of true class $i$ predicted as class $j$, so the diagonal
# holds the right answers. For a class $c$, counting true positives (TP), false positives (FP)
# and false negatives (FN):
#
# $$\text{precision} = \frac{TP}{TP + FP}, \qquad \text{recall} = \frac{TP}{TP + FN}, \qquad
#   F_1 = \frac{2\,\text{precision}\cdot\text{recall}}{\text{precision} + \text{recall}}
#       = \frac{2\,TP}{2\,TP + FP + FN}.$$
#
# Precision: of the examples called $c$, how many are? Recall: of the examples that are $c$,
# how many were found? `minitf.classification_report` computes these (as scikit-learn does) from the labels
# and the predicted classes, here $p > 0.5$. Where scikit-learn is installed, the lesson checks
# that both give exactly the same numbers.

# %%
def plot_confusion_matrix(ax, cm, classes, title=""):
    """The course's make_confusion_matrix on ``ax``: counts and row percentages in every cell."""
    percent = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(cm, cmap=plt.cm.Blues)
    ax.figure.colorbar(image, ax=ax, fraction=0.046)
    ax.set(xticks=range(len(classes)), yticks=range(len(classes)), xticklabels=classes, yticklabels=classes,
           xlabel="predicted label", ylabel="true label", title=title)
    threshold = (cm.max() + cm.min()) / 2
    small = len(classes) > 4
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            text = f"{cm[i, j]}" if small else f"{cm[i, j]}\n({percent[i, j]:.1%})"
            ax.text(j, i, text, ha="center", va="center", fontsize=9 if small else 11,
                    color="white" if cm[i, j] > threshold else "black")


def check_against_sklearn(name, y_true, y_pred, cm, f1, average):
    """scikit-learn's confusion matrix and F1 for the same labels, if installed: must be equal."""
    if sk_metrics is None:
        return None
    sk_cm = sk_metrics.confusion_matrix(y_true, y_pred)
    sk_f1 = sk_metrics.f1_score(y_true, y_pred, average=average)
    cm_equal = bool(np.array_equal(cm, sk_cm))
    f1_diff = float(np.max(np.abs(np.asarray(f1, dtype=np.float64) - np.asarray(sk_f1, dtype=np.float64))))
    print(f"{name}: scikit-learn's confusion matrix {'equals' if cm_equal else 'DIFFERS FROM'} minitf's; "
          f"F1 differs by {f1_diff:.2g}")
    assert cm_equal and f1_diff <= 1e-12, (name, cm, sk_cm, f1, sk_f1)
    return {"confusion_matrix_equal": cm_equal, "f1_abs_diff": f1_diff}


probs = model.predict(X_test, verbose=0)
y_pred = (probs[:, 0] > 0.5).astype(np.int64)
cm = minitf.classification_report.confusion_matrix(y_test, y_pred)
precision, recall, f1, support = minitf.classification_report.precision_recall_fscore_support(y_test, y_pred)
circles_f1 = minitf.classification_report.f1_score(y_test, y_pred)  # binary: the F1 of class 1 (inner circle)
print("confusion matrix (rows: true outer/inner, columns: predicted):\n", cm)
print(minitf.classification_report.classification_report(y_test, y_pred, target_names=["outer", "inner"], digits=3))
circles_sklearn = check_against_sklearn("circles", y_test, y_pred, cm, circles_f1, "binary")
if model_tf is not None:
    tf_cm = tf.math.confusion_matrix(y_test, (model_tf.predict(X_test, verbose=0)[:, 0] > 0.5).astype(np.int64))
    L.compare("circles: confusion matrix (tf.math.confusion_matrix of TF's model)", cm, tf_cm.numpy(), tol=0,
              means="the two models make the same mistakes")

fig, ax = plt.subplots(figsize=(5, 4.5))
plot_confusion_matrix(ax, cm, ["outer (0)", "inner (1)"], f"circles, test set (F1 {circles_f1:.3f})")
L.savefig(fig, "circles_confusion_matrix")

# %% [markdown]
# ## 8. A real binary problem: breast cancer
# 569 tumours, 30 measurements each (radius, texture, ... in very different units), label
# 0 = malignant, 1 = benign. Columns that differ by orders of magnitude are **standardized**
# with the training rows' mean and standard deviation, $x' = (x - \mu) / \sigma$, then a small
# network (`Dense(16, relu)`, `Dense(1, sigmoid)`) classifies them. In medicine the two
# mistakes are not equal: a missed malignant tumour (a false "benign") is worse, so the
# recall of class 0 matters more than the accuracy.

# %%
X_bc, y_bc = load_breast_cancer()
Xb_train, Xb_test, yb_train, yb_test = train_test_split(X_bc, y_bc, test_size=0.2, seed=42)
scaler = StandardScaler().fit(Xb_train)
Xb_train, Xb_test = scaler.transform(Xb_train), scaler.transform(Xb_test)
print(f"breast cancer: train {Xb_train.shape}, test {Xb_test.shape}; classes {np.bincount(y_bc).tolist()}")
CANCER_EPOCHS = L.pick(30, 10)


def build_cancer(fw):
    model = fw.keras.Sequential([fw.keras.Input((30,)), fw.keras.layers.Dense(16, activation="relu"),
                                 fw.keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=fw.keras.optimizers.Adam(), metrics=["accuracy"])
    return model


cancer, cancer_tf = L.build_pair(build_cancer, tf_in_fast_mode=False)
cancer_history, cancer_tf_history = L.fit_pair(cancer, cancer_tf, Xb_train, yb_train, epochs=CANCER_EPOCHS)
cancer_loss, cancer_accuracy = evaluate_pair("breast cancer", cancer, cancer_tf, Xb_test, yb_test)
if cancer_tf_history is not None:
    L.compare("breast cancer: training loss per epoch", cancer_history["loss"], cancer_tf_history["loss"], tol=1e-4,
              means="the same training, float32 rounding apart")
yb_pred = (cancer.predict(Xb_test, verbose=0)[:, 0] > 0.5).astype(np.int64)
print(minitf.classification_report.classification_report(yb_test, yb_pred, target_names=["malignant", "benign"], digits=3))
cancer_cm = minitf.classification_report.confusion_matrix(yb_test, yb_pred)
cancer_recall = minitf.classification_report.recall_score(yb_test, yb_pred, average=None)
print(f"test accuracy {cancer_accuracy:.3f}; malignant tumours found (recall of class 0): {cancer_recall[0]:.3f}")
cancer_sklearn = check_against_sklearn("breast cancer", yb_test, yb_pred, cancer_cm,
                                       minitf.classification_report.f1_score(yb_test, yb_pred), "binary")

# %% [markdown]
# ## 9. Many classes: handwritten digits
# The course classifies Fashion-MNIST's 28 x 28 clothes; here scikit-learn's 8 x 8 digits stand
# in (1797 images, 10 classes, pixel values 0 to 16). The model flattens each image into 64
# numbers and ends in `Dense(10, activation="softmax")`.
#
# **Raw or normalized inputs.** The course trains the same model on raw pixels (0 to 255) and
# on pixels divided by 255, and finds that the normalized one learns far better. With large
# inputs the first layer's sums $z = \sum_j w_j x_j$ start large: the softmax of large logits
# puts almost all probability on one class, often a wrong one, so the first loss
# $-\log p_{\text{true}}$ is huge and the gradients are wild; relus pushed far negative stop
# learning for good. Our pixels only reach 16, so we try three scales of the same images:
# stretched to 0..255 (as an 8-bit image stores them, the course's case), raw 0..16, and
# normalized to 0..1. Compare the first epoch's losses.

# %%
X_dig, y_dig = load_digits()
Xg_train, Xg_test, yg_train, yg_test = train_test_split(X_dig, y_dig, test_size=0.2, seed=42)
print(f"digits: train {Xg_train.shape}, test {Xg_test.shape}; pixel range {X_dig.min():.0f}..{X_dig.max():.0f}")
DIGITS_EPOCHS = L.pick(20, 3)


def build_digits(loss):
    def build(fw):
        model = fw.keras.Sequential([
            fw.keras.Input((8, 8)),
            fw.keras.layers.Flatten(),
            fw.keras.layers.Dense(16, activation="relu"),
            fw.keras.layers.Dense(16, activation="relu"),
            fw.keras.layers.Dense(10, activation="softmax"),
        ])
        model.compile(loss=loss, optimizer=fw.keras.optimizers.Adam(), metrics=["accuracy"])
        return model
    return build


digits = {}
for kind, factor in (("0..255", 255 / 16), ("raw 0..16", 1.0), ("normalized", 1 / 16)):
    ours, theirs = L.build_pair(build_digits("sparse_categorical_crossentropy"), tf_in_fast_mode=False)
    h, th = L.fit_pair(ours, theirs, Xg_train * factor, yg_train, epochs=DIGITS_EPOCHS)
    loss_value, accuracy = evaluate_pair(f"digits, {kind} inputs", ours, theirs, Xg_test * factor, yg_test,
                                         tol=L.scaled_tol(h["loss"], 1e-4))
    digits[kind] = {"model": ours, "history": h, "tf_history": th, "accuracy": accuracy}
    if th is not None:
        L.compare(f"digits, {kind} inputs: training loss per epoch", h["loss"], th["loss"],
                  tol=L.scaled_tol(th["loss"], 1e-5), means="the same training, float32 rounding apart")
    print(f"digits, {kind} inputs: first epoch's loss {h['loss'][0]:.2f}, test accuracy {accuracy:.3f} "
          f"after {DIGITS_EPOCHS} epochs")

# %% [markdown]
# Stretched to 0..255, the images start with a loss in the tens instead of near
# $\log 10 \approx 2.3$ (a uniform guess), and the model ends far behind. Between raw 0..16
# and 0..1 the difference is small: Adam divides each weight's step by the size of its own
# gradients, which absorbs a moderate input scale. Dividing by the maximum costs nothing and
# removes the risk, so it is the default.
#
# ### Sparse or one-hot labels: SCCE vs CCE
# Labels can be integers (`3`) or one-hot rows (`[0,0,0,1,0,0,0,0,0,0]`, from `one_hot`).
# `sparse_categorical_crossentropy` takes the first, `categorical_crossentropy` the second.
# For one-hot $y$, $-\sum_k y_k \log p_k = -\log p_{\text{true class}}$: the same number. So the
# same model from the same weights must train identically with either.

# %%
yg_train_one_hot = one_hot(yg_train, 10)
print("one-hot labels:", yg_train_one_hot.shape, "first row", yg_train_one_hot[0].tolist(), "for label", yg_train[0])
cce, cce_tf = L.build_pair(build_digits("categorical_crossentropy"), tf_in_fast_mode=False)
cce_history, cce_tf_history = L.fit_pair(cce, cce_tf, Xg_train / 16.0, yg_train_one_hot, epochs=DIGITS_EPOCHS)
scce_history = digits["normalized"]["history"]
scce_cce_diff = float(np.max(np.abs(np.asarray(cce_history["loss"]) - np.asarray(scce_history["loss"]))))
print(f"SCCE vs CCE training loss per epoch, largest |diff|: {scce_cce_diff:.3g}")
assert scce_cce_diff <= 1e-5, f"SCCE and CCE trained differently: {scce_cce_diff}"
if cce_tf_history is not None:
    L.compare("digits, CCE on one-hot labels: training loss per epoch", cce_history["loss"], cce_tf_history["loss"],
              tol=1e-4, means="the same training, float32 rounding apart")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for key, ax in zip(["loss", "accuracy"], axes):
    for (kind, run), color in zip(digits.items(), ["C3", "C1", "C0"]):
        plot_history(ax, run["history"], run["tf_history"], key, f"{kind}, SCCE", color)
    ax.plot(cce_history[key], ":", color="C2", linewidth=2, label="normalized, CCE (minitf)")
    ax.plot([], [], "--", color="black", linewidth=1, label="TensorFlow")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"training {key}")
    ax.set_title(f"digits: training {key}")
    ax.legend(fontsize=8)
axes[0].set_yscale("log")
axes[0].set_ylabel("training loss (log scale)")
L.savefig(fig, "digits_training_curves")

# %% [markdown]
# ### Which digits get confused?
# The multi-class confusion matrix and per-class report of the normalized model. For many
# classes, `f1_score(..., average="macro")` is the plain mean of the per-class F1 scores.

# %%
digits_model = digits["normalized"]["model"]
yg_pred = np.argmax(digits_model.predict(Xg_test / 16.0, verbose=0), axis=1)
digits_cm = minitf.classification_report.confusion_matrix(yg_test, yg_pred, num_classes=10)
digits_f1 = minitf.classification_report.f1_score(yg_test, yg_pred, average="macro")
print(minitf.classification_report.classification_report(yg_test, yg_pred, digits=3))
digits_sklearn = check_against_sklearn("digits", yg_test, yg_pred, digits_cm, digits_f1, "macro")
worst = np.unravel_index(np.argmax(digits_cm - np.diag(np.diag(digits_cm))), digits_cm.shape)
print(f"most frequent mistake: {digits_cm[worst]} true {worst[0]}s predicted as {worst[1]}")

fig, ax = plt.subplots(figsize=(7, 6))
plot_confusion_matrix(ax, digits_cm, [str(d) for d in range(10)], f"digits, test set (macro F1 {digits_f1:.3f})")
L.savefig(fig, "digits_confusion_matrix")

# %% [markdown]
# ## 10. Generalisation: learning or memorising?
# A model is only as good as its predictions on examples it has never seen. The training loss
# cannot tell: a network with enough weights can drive it to zero by *memorising* its training
# examples, including their mistakes. So we hold some labelled examples back and watch the loss
# on them too.
#
# **Validation split.** `fit(..., validation_split=0.2)` keeps the **last** 20% of the rows
# (before any shuffling) out of training and evaluates the model on them after every epoch,
# as `val_loss` and `val_accuracy` in the history. The test set stays untouched until the end:
# the validation rows guide our choices (when to stop, how much to regularise), so they are no
# longer unseen in the strict sense.
#
# **A noisy data set.** Real labels contain mistakes. To make memorising visible on a small
# problem we take 400 training digits and give 20% of them a random label (a random class,
# sometimes the right one by chance). A network that learns the digits gets those labels
# "wrong"; a network that memorises gets them "right", and learns nonsense to do it. The test
# set keeps its true labels.

# %%
GEN_ROWS, GEN_EPOCHS, VALIDATION_SPLIT, GEN_BATCH = 400, 100, 0.2, 40  # 40: no partial batch; fast mode too
label_rng = np.random.default_rng(0)
noisy_labels = yg_train[:GEN_ROWS].copy()
relabelled = label_rng.random(GEN_ROWS) < 0.2
noisy_labels[relabelled] = label_rng.integers(0, 10, int(relabelled.sum()))
wrong_label = noisy_labels != yg_train[:GEN_ROWS]
x_gen = Xg_train[:GEN_ROWS] / 16.0
split = int(GEN_ROWS * (1 - VALIDATION_SPLIT))  # the rows validation_split=0.2 keeps for training
x_fit, y_fit, x_val, y_val = x_gen[:split], noisy_labels[:split], x_gen[split:], noisy_labels[split:]
x_clean_test = Xg_test / 16.0
print(f"{GEN_ROWS} digits: {int(relabelled.sum())} relabelled at random, {int(wrong_label.sum())} of them now wrong; "
      f"{split} train the model, the last {GEN_ROWS - split} validate it; {len(yg_test)} clean test images")


def build_generalisation(fw, l2=0.0, dropout=0.0):
    """Two hidden layers of 128 relu units: plenty of weights (26 000) for 320 examples."""
    layers = [fw.keras.Input((8, 8)), fw.keras.layers.Flatten()]
    for _ in range(2):
        layers.append(fw.keras.layers.Dense(128, activation="relu",
                                            kernel_regularizer=fw.keras.regularizers.L2(l2) if l2 else None))
        if dropout:  # seeded: each layer draws the same masks in both frameworks (see Cure 3)
            layers.append(fw.keras.layers.Dropout(dropout, seed=len(layers)))
    layers.append(fw.keras.layers.Dense(10, activation="softmax"))
    model = fw.keras.Sequential(layers)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=fw.keras.optimizers.Adam(), metrics=["accuracy"])
    return model


def predicted_classes(model, x):
    """The model called directly (``training=False``: inference), one batch, no traced function."""
    return np.argmax(model(x, training=False).numpy(), axis=1)


def clean_test_accuracy(model):
    return float(np.mean(predicted_classes(model, x_clean_test) == yg_test))


# %% [markdown]
# ### The overfitting curve
# Train the plain network for 100 epochs in batches of 40 (8 per epoch), with the 80
# validation rows evaluated after each.
# `L.fit_pair` passes them as `validation_data`, the rows `validation_split=0.2` would hold
# out; the cell then checks, with minitf alone, that `validation_split=0.2` gives the very same
# history.

# %%
plain, plain_tf = L.build_pair(build_generalisation)
initial_weights = plain.get_weights()
plain_history, plain_tf_history = L.fit_pair(plain, plain_tf, x_fit, y_fit, epochs=GEN_EPOCHS, batch_size=GEN_BATCH,
                                             validation_data=(x_val, y_val))
train_loss, val_loss = np.array(plain_history["loss"]), np.array(plain_history["val_loss"])
best_epoch = int(np.argmin(val_loss))
print(f"validation loss: lowest {val_loss[best_epoch]:.3f} after epoch {best_epoch + 1}, "
      f"then up to {val_loss[-1]:.3f} after epoch {GEN_EPOCHS}; training loss meanwhile "
      f"{train_loss[best_epoch]:.3f} -> {train_loss[-1]:.4f}")
if plain_tf_history is not None:
    L.compare("generalisation: plain model, [loss, val_loss], first 20 epochs",
              [plain_history["loss"][:20], plain_history["val_loss"][:20]],
              [plain_tf_history["loss"][:20], plain_tf_history["val_loss"][:20]],
              tol=L.scaled_tol(plain_tf_history["val_loss"][:20], 1e-4),
              means="the same training and the same validation after every epoch")
    drift = np.max(np.abs(val_loss - np.asarray(plain_tf_history["val_loss"])))
    print(f"over all {GEN_EPOCHS} epochs the two validation curves drift apart by up to {drift:.3g}: memorising "
          f"random labels amplifies the last-bit differences of float32 rounding, step after step")

check_split = build_generalisation(minitf)
check_split.set_weights(initial_weights)
split_epochs = L.pick(5, 3)
split_history = check_split.fit(x_gen, noisy_labels, epochs=split_epochs, batch_size=GEN_BATCH, shuffle=False,
                                verbose=0, validation_split=VALIDATION_SPLIT).history
validation_split_same = all(split_history[k] == plain_history[k][:split_epochs] for k in split_history)
print(f"fit(validation_split={VALIDATION_SPLIT}) gives the same history, bit for bit, over {split_epochs} epochs: "
      f"{validation_split_same}")

fit_predictions = predicted_classes(plain, x_fit)
memorised = wrong_label[:split]
plain_test_accuracy = clean_test_accuracy(plain)
print(f"of the {int(memorised.sum())} training images with a wrong label, the trained model predicts the wrong "
      f"label for {np.mean(fit_predictions[memorised] == y_fit[memorised]):.0%} (memorised) and the true digit for "
      f"{np.mean(fit_predictions[memorised] == yg_train[:split][memorised]):.0%}")
print(f"accuracy on the clean test set after {GEN_EPOCHS} epochs: {plain_test_accuracy:.3f}")
print(f"{np.mean(wrong_label[split:]):.0%} of the validation labels are wrong too: no model can score more than "
      f"{1 - np.mean(wrong_label[split:]):.0%} validation accuracy")

# %% [markdown]
# The two curves part ways after a few epochs. While the training loss keeps falling towards
# zero, the validation loss turns and climbs: from there on every epoch fits the training
# rows' noise better and the digits worse, and the model ends up confidently wrong on unseen
# images. That U-shaped validation curve is **overfitting**. Three standard cures follow.
#
# ### Cure 1: stop at the bottom of the U, `EarlyStopping`
# `EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)` watches the
# validation loss after every epoch; when it has not improved for 10 epochs in a row, it stops
# training and puts back the weights of the best epoch. Both frameworks must stop after the same
# epoch.

# %%
def early_stopping(fw):
    return [fw.keras.callbacks.EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)]


stopped, stopped_tf = L.build_pair(build_generalisation, tf_in_fast_mode=False)
stopped_history, stopped_tf_history = L.fit_pair(stopped, stopped_tf, x_fit, y_fit, epochs=GEN_EPOCHS,
                                                 batch_size=GEN_BATCH, validation_data=(x_val, y_val),
                                                 callbacks=early_stopping)
epochs_run = len(stopped_history["loss"])
stopped_best = int(np.argmin(stopped_history["val_loss"]))
restored_val_loss = float(stopped.evaluate(x_val, y_val, batch_size=GEN_BATCH, verbose=0)[0])
stopped_test_accuracy = clean_test_accuracy(stopped)
print(f"stopped after epoch {epochs_run}; best epoch {stopped_best + 1} (val_loss "
      f"{stopped_history['val_loss'][stopped_best]:.4f}); the restored weights' val_loss {restored_val_loss:.4f}; "
      f"clean test accuracy {stopped_test_accuracy:.3f}")
if stopped_tf_history is not None:
    L.compare("early stopping: [epochs run, best epoch]", [epochs_run, stopped_best + 1],
              [len(stopped_tf_history["loss"]), int(np.argmin(stopped_tf_history["val_loss"])) + 1], tol=0,
              means="both stop after the same epoch and restore the same one")

# %% [markdown]
# ### Cure 2: small weights, L2 regularisation
# `kernel_regularizer=L2(λ)` adds $\lambda \sum_{ij} W_{ij}^2$ for each kernel to the loss that
# training minimises. Its gradient $2\lambda W$ pulls every weight towards 0 at every step, so
# a weight only grows large where the data keep asking for it; wiggles that fit a handful of
# wrong labels are expensive. (Keras adds the penalty to `val_loss` too, so compare validation
# *accuracy* across models, not loss.) The model's `losses` hold the penalty terms: we check them
# against the formula. TF trains beside minitf for the first 20 epochs; minitf trains on alone.

# %%
L2_FACTOR = 0.01
l2_model, l2_tf = L.build_pair(lambda fw: build_generalisation(fw, l2=L2_FACTOR), tf_in_fast_mode=False)
L2_TF_EPOCHS = 20
l2_history, l2_tf_history = L.fit_pair(l2_model, l2_tf, x_fit, y_fit, epochs=L2_TF_EPOCHS, batch_size=GEN_BATCH,
                                       validation_data=(x_val, y_val))
more = l2_model.fit(x_fit, y_fit, epochs=GEN_EPOCHS, initial_epoch=L2_TF_EPOCHS, batch_size=GEN_BATCH, shuffle=False,
                    verbose=0, validation_data=(x_val, y_val)).history
l2_history = {key: l2_history[key] + more[key] for key in l2_history}
kernels = [w for w in l2_model.get_weights() if w.ndim == 2]
penalty_by_hand = sum(L2_FACTOR * float(np.sum(np.square(k.astype(np.float64)))) for k in kernels[:2])
penalty_model = float(sum(float(np.asarray(term)) for term in l2_model.losses))
print(f"L2 penalty after training: by hand {penalty_by_hand:.5f}, model.losses {penalty_model:.5f}")
l2_test_accuracy = clean_test_accuracy(l2_model)
if l2_tf_history is not None:
    L.compare("L2 model: training loss (penalty included), first 20 epochs", l2_history["loss"][:L2_TF_EPOCHS],
              l2_tf_history["loss"], tol=L.scaled_tol(l2_tf_history["loss"], 1e-4),
              means="the same penalty, the same training")

# %% [markdown]
# ### Cure 3: dropout
# `Dropout(rate)` zeroes each of its inputs with probability `rate` during training, and
# multiplies the survivors by $1/(1 - \text{rate})$, so that their expected sum is unchanged. No unit can
# count on any other being there, so the network cannot build the fragile, specialised
# combinations memorising needs. At inference (`training=False`, as `predict` and `evaluate`
# run) it does nothing.
#
# Which inputs are dropped is a random draw. Keras gives each Dropout layer its own seed generator:
# a pair of ints ``[seed, step]`` that moves on by one at every draw, and each mask is TF's
# *stateless* uniform draw from that pair (``keras.random.dropout``), kept where it is >= rate.
# minitf computes the same stream (TF's Philox generator, lesson 00), so a layer made with the same
# ``seed=`` drops the same units, step after step, and the two trainings can be compared epoch by
# epoch, as for L2: TF trains beside minitf for the first 20 epochs, then minitf trains on alone.
# (Without ``seed=`` each framework picks a seed of its own, and the masks differ.) First the masks:

# %%
def dropout_masks(fw):
    layer = fw.keras.layers.Dropout(0.5, seed=1)
    ones = fw.ones((2, 8))
    return layer(ones, training=True).numpy(), layer(ones, training=False).numpy()


drop_train, drop_infer = dropout_masks(minitf)
print("Dropout(0.5) on ones, training=True (minitf):\n", drop_train)
print("training=False:", drop_infer[0], "(every input passes unchanged)")
if tf is not None:
    tf_drop_train, tf_drop_infer = dropout_masks(tf)
    print("Dropout(0.5) on ones, training=True (TF):\n", tf_drop_train)
    print(f"the masks differ in {int(np.sum((drop_train == 0) != (tf_drop_train == 0)))} of {drop_train.size} places; "
          f"both keep only 0 and 2 = 1/(1 - 0.5)")
    L.compare("Dropout(0.5, seed=1): the training-mode outputs", drop_train, tf_drop_train, tol=0.0,
              means="the same seed drops the same units")

DROPOUT_TF_EPOCHS = 20
dropout_model, dropout_tf = L.build_pair(lambda fw: build_generalisation(fw, dropout=0.5), tf_in_fast_mode=False)
dropout_history, dropout_tf_history = L.fit_pair(dropout_model, dropout_tf, x_fit, y_fit, epochs=DROPOUT_TF_EPOCHS,
                                                 batch_size=GEN_BATCH, validation_data=(x_val, y_val))
if dropout_tf_history is not None:
    L.compare("dropout model: training loss, first 20 epochs", dropout_history["loss"],
              dropout_tf_history["loss"], tol=L.scaled_tol(dropout_tf_history["loss"], 1e-4),
              means="the same masks at every step, the same training")
more = dropout_model.fit(x_fit, y_fit, epochs=GEN_EPOCHS, initial_epoch=DROPOUT_TF_EPOCHS, batch_size=GEN_BATCH,
                         shuffle=False, verbose=0, validation_data=(x_val, y_val)).history
dropout_history = {key: dropout_history[key] + more[key] for key in dropout_history}
dropout_test_accuracy = clean_test_accuracy(dropout_model)
if dropout_tf is not None:
    dropout_tf.set_weights(dropout_model.get_weights())  # the same weights in both: dropout must be off at inference
    L.compare("dropout model at inference: predictions on the test set, same weights",
              dropout_model(x_clean_test, training=False).numpy(), dropout_tf(x_clean_test, training=False).numpy(),
              tol=1e-5, means="at inference dropout does nothing, in both")

# %% [markdown]
# ### All four side by side
# Validation accuracy per epoch, and accuracy on the clean test set at the end (for early
# stopping: with the restored weights).

# %%
test_accuracies = {"plain": plain_test_accuracy, "early stopping": stopped_test_accuracy,
                   f"L2({L2_FACTOR})": l2_test_accuracy, "dropout(0.5)": dropout_test_accuracy}
for name, accuracy in test_accuracies.items():
    print(f"  {name:<15} clean test accuracy {accuracy:.3f}")

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.2))
epochs_axis = np.arange(1, GEN_EPOCHS + 1)
ax_loss.plot(epochs_axis, train_loss, "C0", lw=3, alpha=0.6, label="training loss (minitf)")
ax_loss.plot(epochs_axis, val_loss, "C3", lw=3, alpha=0.6, label="validation loss (minitf)")
if plain_tf_history is not None:
    ax_loss.plot(epochs_axis, plain_tf_history["loss"], "--", color="black", lw=1, label="TensorFlow")
    ax_loss.plot(epochs_axis, plain_tf_history["val_loss"], "--", color="black", lw=1)
ax_loss.axvline(best_epoch + 1, color="gray", ls=":", label=f"lowest validation loss (epoch {best_epoch + 1})")
ax_loss.axvline(epochs_run, color="C2", ls="-.", label=f"EarlyStopping stops (epoch {epochs_run})")
ax_loss.set_yscale("log")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("sparse categorical crossentropy (log scale)")
ax_loss.set_title("the plain model: training and validation loss")
ax_loss.legend(fontsize=8)
for (name, history), color in zip([("plain", plain_history), ("early stopping", stopped_history),
                                   (f"L2({L2_FACTOR})", l2_history), ("dropout(0.5)", dropout_history)],
                                  ["C3", "C2", "C1", "C0"]):
    ax_acc.plot(np.arange(1, len(history["val_accuracy"]) + 1), history["val_accuracy"], color=color, lw=2,
                label=f"{name}: clean test accuracy {test_accuracies[name]:.3f}")
ax_acc.set_xlabel("epoch")
ax_acc.set_ylabel("validation accuracy (noisy labels)")
ax_acc.set_ylim(0.5, None)
ax_acc.axhline(1 - np.mean(wrong_label[split:]), color="gray", lw=0.8, ls=":",
               label="the best possible: the share of right labels")
ax_acc.set_title("the three cures")
ax_acc.legend(fontsize=8, loc="lower right")
L.savefig(fig, "generalisation")

# %% [markdown]
# ## Exercises
# Exercises marked **(checked: `name`)** have a function to write in `lessons/exercises/07_answers.py`:
# `python -m lessons check 07` copies the template there the first time, and from then on runs
# your answers against tests, saying for each what it expected and what came back. Worked
# solutions are in `lessons/solutions/07_answers.py` (look after trying).
# 1. (Course) Play with the TensorFlow Playground (playground.tensorflow.org) for 10 minutes,
#    on the circles data set. What happens when you decrease the learning rate? Increase it?
# 2. (Course) Replicate a model from the Playground in code (the same hidden layers, units and
#    activation), compile it with Adam, binary crossentropy and accuracy, print its
#    `summary()`, and train it on `make_circles`. Does it do as well as in the browser?
# 3. (Course) Make data with `minitf.datasets.make_moons`, plot it, and build a model that
#    reaches over 85% test accuracy. Plot its decision boundary.
# 4. (Course) Write softmax yourself, $p_k = e^{z_k} / \sum_j e^{z_j}$, for a tensor of logits,
#    and check it against `tf.keras.activations.softmax`. Why subtract $\max_j z_j$ first? **(checked: `softmax`)**
# 5. (Course, with digits for Fashion-MNIST) Train a model to 95%+ test accuracy on the digits
#    and plot its confusion matrix. Use the learning-rate finder above to choose Adam's rate.
# 6. (Course) Plot a few test digits with their predicted and true labels (red title when
#    wrong); then show three images of one class with the model's predictions.
# 7. Remove the sigmoid from the circles model's last layer and keep `binary_crossentropy`
#    (the course's models 1 to 6 did this). Why does Keras then clip the outputs to
#    $[10^{-7}, 1 - 10^{-7}]$, and why does training stall when an output leaves that range?
# 8. Compute precision, recall and F1 of one class from the counts TP, FP and FN, and compare with
#    `minitf.classification_report.classification_report` on the digits. **(checked: `precision_recall_f1`)**
# 9. (Generalisation) Compute the L2 penalty of section 10 from a model's kernels, and check it
#    against `model.losses`. Try $\lambda$ = 0.001, 0.01 and 0.1: which gives the best clean test
#    accuracy, and what happens to the training loss when $\lambda$ is too large? **(checked: `l2_penalty`)**
# 10. (Generalisation) Given which entries a `Dropout(rate)` keeps, compute its training output by
#    hand. Why must the kept entries be scaled? **(checked: `dropout_by_hand`)**
# 11. (Generalisation) Given a list of validation losses, say after how many epochs
#    `EarlyStopping(patience=...)` stops and which epoch `restore_best_weights` puts back. Then train
#    section 10's plain model on clean labels (no relabelling): does it still overfit, and when does
#    EarlyStopping stop? **(checked: `early_stopping_epochs`)**

# %%
L.summary(
    circles_linear_test_accuracy=linear_accuracy,
    circles_test_accuracy=test_accuracy,
    circles_epochs=NONLINEAR_EPOCHS,
    circles_y_true=y_test,
    circles_y_pred=y_pred,
    circles_confusion_matrix=cm,
    circles_f1=circles_f1,
    circles_precision=precision,
    circles_recall=recall,
    circles_sklearn_check=circles_sklearn,
    learning_rate_finder={"lowest_loss_rate": float(rates[lowest]), "suggested": suggested,
                          "epochs": FINDER_EPOCHS, "rows": FINDER_ROWS},
    tuned_test_accuracy=tuned_accuracy,
    breast_cancer_test_accuracy=cancer_accuracy,
    breast_cancer_recall=cancer_recall,
    breast_cancer_sklearn_check=cancer_sklearn,
    digits_test_accuracy={k: v["accuracy"] for k, v in digits.items()},
    digits_macro_f1=digits_f1,
    digits_confusion_matrix=digits_cm,
    digits_sklearn_check=digits_sklearn,
    scce_vs_cce_max_abs_diff=scce_cce_diff,
    generalisation={
        "rows": GEN_ROWS, "train_rows": split, "validation_rows": GEN_ROWS - split, "epochs": GEN_EPOCHS,
        "relabelled": int(relabelled.sum()), "wrong_labels": int(wrong_label.sum()),
        "validation_split_same_as_validation_data": validation_split_same,
        "plain": {"loss": plain_history["loss"], "val_loss": plain_history["val_loss"],
                  "best_epoch": best_epoch + 1, "test_accuracy": plain_test_accuracy,
                  "memorised_wrong_labels": float(np.mean(fit_predictions[memorised] == y_fit[memorised]))},
        "early_stopping": {"epochs_run": epochs_run, "best_epoch": stopped_best + 1,
                           "val_loss": stopped_history["val_loss"], "restored_val_loss": restored_val_loss,
                           "test_accuracy": stopped_test_accuracy},
        "l2": {"factor": L2_FACTOR, "penalty_by_hand": penalty_by_hand, "penalty_model": penalty_model,
               "val_accuracy": l2_history["val_accuracy"], "test_accuracy": l2_test_accuracy},
        "dropout": {"rate": 0.5, "val_accuracy": dropout_history["val_accuracy"],
                    "test_accuracy": dropout_test_accuracy,
                    "mask_values": sorted(set(np.unique(drop_train).tolist())),
                    "inference_is_identity": bool(np.array_equal(drop_infer, np.ones_like(drop_infer)))},
    },
)
