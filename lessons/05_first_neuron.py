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
# # Lesson 05: The first neuron
# > One Dense unit learns Celsius -> Fahrenheit with compile/fit, beside the same model in TF.
#
# Udacity's "Intro to TensorFlow" starts with seven pairs of temperatures and one question:
# can a network discover the formula $F = 1.8\,C + 32$ from examples alone?
#
# A `Dense(1)` layer on one input is the smallest network there is, a single neuron:
#
# $$\hat F = w\,C + b$$
#
# Training minimises the mean squared error over the $n = 7$ examples,
#
# $$L(w, b) = \frac1n \sum_i (w C_i + b - F_i)^2, \qquad
#   \frac{\partial L}{\partial w} = \frac2n \sum_i (\hat F_i - F_i)\,C_i, \qquad
#   \frac{\partial L}{\partial b} = \frac2n \sum_i (\hat F_i - F_i),$$
#
# and Adam (lesson 04) turns those gradients into steps. If it works, $w \to 1.8$ and $b \to 32$.
#
# Lessons 01 to 04 built every piece by hand. Here the whole loop (forward pass, loss, tape,
# optimizer step) is hidden behind Keras's `compile` and `fit`, and minitf's own versions
# of them run underneath.

# %%
try:  # run as a plain script, or as a notebook, from inside lessons/: the _common beside this file
    import _common as L
except ImportError:  # the runner, or a notebook elsewhere: the lessons package
    from lessons import _common as L

L.begin("05_first_neuron")

import numpy as np

import minitf
from minitf.datasets import celsius_fahrenheit

tf = L.tf_or_none()
celsius, fahrenheit = celsius_fahrenheit()
for c, f in zip(celsius, fahrenheit):
    print(f"{c:6.1f} degrees Celsius = {f:6.1f} degrees Fahrenheit")

# %% [markdown]
# ## One model, written once, built under both frameworks
#
# As in every lesson, the model is a function of the framework module. Called with
# `minitf`, it builds minitf's model; called with `tensorflow`, it builds Keras's. Random
# initial weights differ between the two (each has its own random generator), so we copy
# TF's starting weights into minitf's model. From then on, the two should agree to
# float32 precision.

# %%
# The course trains 500 epochs. Fast mode (for the tests) compares the two frameworks over
# fewer epochs; minitf then trains on either way.
EPOCHS = L.pick(500, 60)


def build_neuron(fw):
    model = fw.keras.Sequential([fw.keras.Input((1,)), fw.keras.layers.Dense(units=1)])
    model.compile(loss="mean_squared_error", optimizer=fw.keras.optimizers.Adam(0.1))
    return model


# `L.build_pair` seeds both frameworks' random generators (as the course's
# `tf.random.set_seed(42)`), builds the model under each, and copies TF's initial weights into
# minitf's model (without TF, minitf's own seeded weights are used): every run starts from the
# same weights, so every run prints the same numbers.
ours, theirs = L.build_pair(build_neuron)
initial_weights = [w.ravel().tolist() for w in ours.get_weights()]
print("initial [w, b]:", initial_weights)

# `L.fit_pair` calls `fit(celsius, fahrenheit, epochs=EPOCHS, batch_size=7, shuffle=False)` on
# both models (TF gets the same batches as a tf.data.Dataset, which Keras runs faster) and
# returns both `History.history` dicts. minitf's model also records its intercept after each epoch.
intercepts = []


def record_intercept(fw):
    if fw is not minitf:
        return []
    return [minitf.keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: intercepts.append(float(ours.get_weights()[1][0])))]


history, tf_history = L.fit_pair(ours, theirs, celsius, fahrenheit, epochs=EPOCHS, batch_size=7,
                                 callbacks=record_intercept)
print(f"minitf: trained {EPOCHS} epochs, final loss {history['loss'][-1]:.6f}")
if tf_history is not None:
    print(f"TF:     trained {EPOCHS} epochs, final loss {tf_history['loss'][-1]:.6f}")

# %% [markdown]
# ## What did the neuron learn?
#
# `get_weights()` returns the kernel (shape (1, 1)) and the bias (shape (1,)), the same
# layout as Keras. Compare them with the exact formula's 1.8 and 32.

# %%
kernel, bias = ours.get_weights()
print(f"after {EPOCHS} epochs: F = {kernel[0, 0]:.4f} C + {bias[0]:.4f}   (exact: F = 1.8 C + 32)")
print("prediction for 100 C:", float(ours.predict(np.array([[100.0]], dtype=np.float32), verbose=0)[0, 0]),
      "(exact: 212)")

L.compare("loss per epoch (first 20)", history["loss"][:20],
          None if tf_history is None else tf_history["loss"][:20], tol=1e-3,
          means="the same float32 operations in the same order, step after step")
L.compare("[w, b] after the compared epochs", [w.ravel() for w in ours.get_weights()],
          None if theirs is None else [w.ravel() for w in theirs.get_weights()], tol=1e-2,
          means="the same Adam steps, from the same start")

# %% [markdown]
# ## Why is the intercept still short of 32? Train longer
#
# The slope is nearly right after a few hundred epochs, the intercept is not. Lesson 01 met a
# similar lag with plain gradient descent, and blamed the long narrow valley of the loss: there,
# a step's size follows the gradient, and the gradient in $w$ is up to 40 times that in $b$
# ($|C_i|$ reaches 40). Adam does not work that way. Its step for each parameter is
# $\eta\, \hat m / (\sqrt{\hat v} + \hat\epsilon)$, and $|\hat m| \le \sqrt{\hat v}$: **no parameter moves
# by more than about $\eta = 0.1$ per step**, whatever the size of its gradient. The slope has
# 1.8 to travel from 0, the intercept 32: at least 320 steps (one per epoch here), even at full
# speed. And the intercept slows down as it gets close: its gradient shrinks while $\hat v$ still
# remembers the large gradients of the start. The recorded intercepts show both:

# %%
moves = np.diff([0.0] + intercepts)
print(f"the intercept moved at most {np.max(np.abs(moves)):.5f} per epoch (the learning rate is 0.1); "
      f"on average {np.mean(moves[:EPOCHS // 2]):.4f} over the first {EPOCHS // 2} epochs and "
      f"{np.mean(moves[EPOCHS // 2:]):.4f} over the next {EPOCHS - EPOCHS // 2}")

# %% [markdown]
# `fit` continues from where it stopped, so we simply call it again, up to 3000 epochs in all.
# Where does the intercept stop? Not at 32 either: the Fahrenheit values are rounded to whole
# degrees (lesson 01), so no line passes through all seven points, and the best line in the
# least-squares sense, which `np.polyfit` computes directly, is what the neuron settles on.

# %%
MORE_EPOCHS = 3000 - EPOCHS
more = ours.fit(celsius, fahrenheit, epochs=MORE_EPOCHS, batch_size=7, shuffle=False, verbose=0)
kernel, bias = ours.get_weights()
slope, intercept = float(kernel[0, 0]), float(bias[0])
w_lstsq, b_lstsq = np.polyfit(celsius.astype(np.float64), fahrenheit.astype(np.float64), 1)
print(f"after {EPOCHS + MORE_EPOCHS} epochs: F = {slope:.4f} C + {intercept:.4f}")
print(f"least squares (np.polyfit):  F = {w_lstsq:.4f} C + {b_lstsq:.4f}   (exact formula: F = 1.8 C + 32)")
long_loss = history["loss"] + more.history["loss"]

# %% [markdown]
# ## The loss curve
#
# The loss falls fast while $w$ and $b$ are far off, then slowly: once the predictions are
# close, the gradients are small. Under TF the same curve should lie on top of minitf's.

# %%
plt = L.pyplot()
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(long_loss, label="minitf", linewidth=3)
if tf_history is not None:
    ax.plot(tf_history["loss"], "--", label=f"TensorFlow (first {EPOCHS} epochs)", linewidth=1.5)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error")
ax.set_title("Celsius -> Fahrenheit: loss per epoch")
ax.legend()
L.savefig(fig, "loss_curve")

fig, ax = plt.subplots(figsize=(6, 4))
grid = np.linspace(-50, 110, 50, dtype=np.float32)
ax.plot(grid, 1.8 * grid + 32, color="gray", label="F = 1.8 C + 32")
ax.plot(grid, ours.predict(grid[:, None], verbose=0)[:, 0], "--", label="minitf's neuron")
ax.scatter(celsius, fahrenheit, color="black", zorder=3, label="the 7 examples")
ax.set_xlabel("Celsius")
ax.set_ylabel("Fahrenheit")
ax.legend()
L.savefig(fig, "predictions")

# %% [markdown]
# ## A bigger network learns the same line
#
# The course then tries three layers: `Dense(4) - Dense(4) - Dense(1)`. With no activation
# functions, a stack of Dense layers is still a linear function, $W_3 (W_2 (W_1 C + b_1) + b_2) + b_3$:
# it predicts just as well, but its weights no longer read as 1.8 and 32.

# %%
def build_deeper(fw):
    model = fw.keras.Sequential([
        fw.keras.Input((1,)),
        fw.keras.layers.Dense(units=4),
        fw.keras.layers.Dense(units=4),
        fw.keras.layers.Dense(units=1),
    ])
    model.compile(loss="mean_squared_error", optimizer=fw.keras.optimizers.Adam(0.1))
    return model


deeper, deeper_tf = L.build_pair(build_deeper)
deep_history, deep_tf_history = L.fit_pair(deeper, deeper_tf, celsius, fahrenheit, epochs=20, batch_size=7)
if deep_tf_history is not None:
    L.compare("deeper model: loss per epoch (first 20)", deep_history["loss"], deep_tf_history["loss"], tol=1e-2,
              table=True, means="float32 rounding: three matrix products whose sums TF's kernels add in "
                                "another order; on losses in the thousands, the last bits are near 1e-4")
deeper.fit(celsius, fahrenheit, epochs=480, batch_size=7, shuffle=False, verbose=0)  # minitf trains on to 500
deep_prediction = float(deeper.predict(np.array([[100.0]], dtype=np.float32), verbose=0)[0, 0])
print(f"deeper model after 500 epochs: 100 C -> {deep_prediction:.3f} F (exact 212)")
for i, layer in enumerate(deeper.layers):
    print(f"layer {i} weights:", [np.round(w.astype(np.float64), 3).tolist() for w in layer.get_weights()])

# %% [markdown]
# ## Exercises
# Exercises marked **(checked: `name`)** have a function to write in `lessons/exercises/05_answers.py`:
# `python -m lessons check 05` copies the template there the first time, and from then on runs
# your answers against tests, saying for each what it expected and what came back. Worked
# solutions are in `lessons/solutions/05_answers.py` (look after trying).
# 1. (Udacity) Change the learning rate of `Adam` to 0.01 and 1.0. How many epochs does each need?
#    Plot the three loss curves on one log-scale axis.
# 2. (Udacity) Predict 100 °C with the trained model and compare with the exact 212 °F. Why is the
#    one-neuron model nearly exact, while a model with a `relu` between the layers may not be?
# 3. Replace `Adam(0.1)` by `SGD(0.0001)`. Derive from the gradients above why a much smaller
#    learning rate is needed (hint: the $|C_i|$ are as large as 40 and the $F_i$ as large as 100).
# 4. Show that the deeper model's product of kernels $W_1 W_2 W_3$ is close to 1.8, and work out
#    what combination of its biases gives 32. **(checked: `deeper_line`)**
# 5. Write the training loop yourself with `minitf.GradientTape` and the gradient formulas at the
#    top of this lesson, and check that its first 10 losses equal `fit`'s. **(checked: `train_by_hand`)**

# %%
L.summary(slope=slope, intercept=intercept, final_loss=long_loss[-1],
          least_squares={"slope": w_lstsq, "intercept": b_lstsq},
          intercept_largest_move_per_epoch=float(np.max(np.abs(moves))), intercepts_first_epochs=intercepts,
          deeper_prediction_100c=deep_prediction, epochs=EPOCHS + MORE_EPOCHS, initial_weights=initial_weights)
