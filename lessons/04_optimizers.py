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
# # Lesson 04: Optimizers
# > SGD, momentum, Nesterov, RMSprop and Adam by hand, raced on a narrow valley and Rosenbrock, checked step by step against Keras.
#
# Lesson 03 ended with the simplest update rule, gradient descent: $w \leftarrow w - \eta\, g$
# with $g = \nabla L(w)$ and learning rate $\eta$. It has one weakness that every other rule
# here tries to fix: **one step size for every direction**. Where the loss surface is a long
# narrow valley, a step small enough not to bounce across the steep walls is far too small to
# travel along the flat floor.
#
# This lesson writes each of Keras's classic optimizers as a few lines of NumPy, runs them on
# two surfaces whose shape we know exactly, and checks every step against
# `minitf.keras.optimizers` (and `tf.keras.optimizers` where TensorFlow is installed). The
# hand-written rules do the float32 arithmetic in **exactly Keras's order of operations**
# (from `keras/src/optimizers/*.py`), and so they match it bit for bit: float32 addition
# is not associative, and a different order would differ in the last digit.

# %%
try:  # run as a plain script, or as a notebook, from inside lessons/: the _common beside this file
    import _common as L
except ImportError:  # the runner, or a notebook elsewhere: the lessons package
    from lessons import _common as L

L.begin("04_optimizers")

import numpy as np

import minitf

from minitf._tf_compat import pow_rounded_array

real_tf = L.tf_or_none()  # TensorFlow, or None where it is missing (or --no-tf)
plt = L.pyplot()
f32 = np.float32  # every number below is float32, as the weights of a Keras model are


def power(base, t):
    """base ** t in float32, as TF computes it: C's float32 ``powf`` on the float32 base.

    NumPy's own float32 power is one bit off on CPUs with AVX-512 (0.9 ** 4 gives 0.6561 there,
    0.6560999 elsewhere and in TF), and one bit in Adam's bias correction is enough to move
    every later step. ``minitf._tf_compat.pow_rounded_array`` computes it TF's way on every CPU."""
    return pow_rounded_array(base, t)


# %% [markdown]
# ## 1. Two test surfaces
# **An ill-conditioned quadratic**, a bowl 100 times steeper in $y$ than in $x$:
#
# $$f(x, y) = \tfrac12\,(x^2 + 100\,y^2), \qquad \nabla f = (x,\; 100\,y).$$
#
# Its Hessian has eigenvalues 1 and 100; their ratio, the *condition number* 100, is what makes
# plain gradient descent slow. Gradient descent on it is stable only for $\eta < 2/100$ (else $y$
# grows by $|1 - 100\eta| > 1$ each step), and then shrinks $x$ by only $(1 - \eta) > 0.98$ per step.
# Near its minimum every smooth loss looks like such a quadratic, often with condition numbers in
# the thousands.
#
# **Rosenbrock's banana**, a curved valley with its minimum at $(1, 1)$:
#
# $$f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2, \qquad
#   \nabla f = \bigl(-2(1 - x) - 400\,x\,(y - x^2),\;\; 200\,(y - x^2)\bigr).$$
#
# The gradients are written in float32 NumPy; lesson 03 showed that a tape gives the same,
# and the cell checks it once with minitf's `GradientTape`.

# %%
def quadratic(w):
    return 0.5 * (w[0] ** 2 + 100 * w[1] ** 2)


def quadratic_grad(w):
    return w * f32([1, 100])


def rosenbrock(w):
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2


def rosenbrock_grad(w):
    x, y = w[0], w[1]
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], dtype=f32)


def tape_gradient(f, w):
    w = minitf.Variable(np.asarray(w, f32))
    with minitf.GradientTape() as tape:
        loss = f(w)
    return tape.gradient(loss, w).numpy()


for name, f, grad in [("quadratic", quadratic, quadratic_grad), ("rosenbrock", rosenbrock, rosenbrock_grad)]:
    w0 = np.array([-1.2, 1.0], f32)
    g_formula, g_tape = grad(w0), tape_gradient(f, w0)
    print(f"{name} at (-1.2, 1): formula gradient {g_formula}, minitf tape {g_tape}, "
          f"largest difference {np.max(np.abs(g_formula - g_tape)):.3g}")

# %% [markdown]
# ## 2. The update rules, by hand
# Each optimizer is a small class whose `step(w, g)` returns the new weights; any state
# (a running average) lives on the object, created at the first step with the shape of $w$.
# Symbols: learning rate $\eta$, gradient $g_t$ at step $t = 1, 2, \dots$
#
# **SGD.** $\quad w_t = w_{t-1} - \eta\, g_t$.
#
# **Momentum.** A velocity $m$ accumulates past gradients with decay $\mu$ (0.9):
# $$m_t = \mu\, m_{t-1} - \eta\, g_t, \qquad w_t = w_{t-1} + m_t .$$
# Along the valley floor, where $g$ keeps its sign, the steps add up to $\eta g / (1 - \mu)$,
# ten times plain SGD's; across the valley, where $g$ flips sign each step, they cancel.
#
# **Nesterov momentum.** Look ahead: apply the momentum step, then the gradient step again
# ($w$ here tracks the look-ahead point of Sutskever et al.'s formulation):
# $$m_t = \mu\, m_{t-1} - \eta\, g_t, \qquad w_t = w_{t-1} + \mu\, m_t - \eta\, g_t .$$
#
# **RMSprop.** Divide each coordinate's step by a running root-mean-square of its gradients,
# so steep and flat directions move at similar speeds ($\rho = 0.9$, $\epsilon = 10^{-7}$, and
# Keras puts $\epsilon$ **inside** the square root):
# $$v_t = \rho\, v_{t-1} + (1 - \rho)\, g_t^2, \qquad w_t = w_{t-1} - \frac{\eta\, g_t}{\sqrt{v_t + \epsilon}} .$$
#
# **Adam.** Momentum and RMSprop together, each average started at 0 and corrected for that
# start ($\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-7}$ in Keras, not the paper's $10^{-8}$):
# $$m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,$$
# $$\hat m_t = \frac{m_t}{1 - \beta_1^t}, \quad \hat v_t = \frac{v_t}{1 - \beta_2^t}, \qquad
#   w_t = w_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \hat\epsilon} .$$
# Keras (following the paper's "more efficient" ordering) folds both corrections into one
# step size, $\alpha_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)$, and computes
# $m \mathrel{+}= (g - m)(1 - \beta_1)$, $v \mathrel{+}= (g^2 - v)(1 - \beta_2)$,
# $w \mathrel{-}= m\,\alpha_t / (\sqrt{v} + \epsilon)$. Multiply out: $\alpha_t\, m / (\sqrt v + \epsilon)
# = \eta\, \hat m / (\sqrt{\hat v} + \epsilon / \sqrt{1 - \beta_2^t})$. So it is the textbook rule
# with $\epsilon$ in a slightly different place, $\hat\epsilon = \epsilon / \sqrt{1 - \beta_2^t}$
# (between $\epsilon$ and $32\,\epsilon$ at $t = 1$). The code follows Keras's order exactly.
#
# One detail decides the last bit: the powers $\beta^t$. TF calls C's float32 `powf` on the
# float32 base; NumPy's float32 `power` takes a shortcut on CPUs with AVX-512 that can
# be one bit off. `power` below computes them TF's way, so the lesson gives the same bits on every
# machine.

# %%
class SGD:
    def __init__(self, lr):
        self.lr = f32(lr)

    def step(self, w, g):
        return w - g * self.lr


class Momentum:
    def __init__(self, lr, momentum=0.9, nesterov=False):
        self.lr, self.mu, self.nesterov, self.m = f32(lr), f32(momentum), nesterov, None

    def step(self, w, g):
        if self.m is None:
            self.m = np.zeros_like(w)
        self.m = self.m * self.mu - g * self.lr
        if self.nesterov:
            return w + (self.m * self.mu - g * self.lr)
        return w + self.m


class RMSprop:
    def __init__(self, lr, rho=0.9, epsilon=1e-7):
        self.lr, self.rho, self.one_minus_rho, self.eps = f32(lr), f32(rho), f32(1 - rho), f32(epsilon)
        self.v = None

    def step(self, w, g):
        if self.v is None:
            self.v = np.zeros_like(w)
        self.v = self.rho * self.v + self.one_minus_rho * (g * g)
        return w - (self.lr * g) / np.sqrt(self.v + self.eps)


class Adam:
    def __init__(self, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.lr, self.b1, self.b2, self.eps = f32(lr), f32(beta_1), f32(beta_2), f32(epsilon)
        self.one_minus_b1, self.one_minus_b2 = f32(1 - beta_1), f32(1 - beta_2)
        self.m = self.v = None
        self.t = 0

    def step(self, w, g):
        if self.m is None:
            self.m, self.v = np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        t = f32(self.t)
        alpha = self.lr * np.sqrt(f32(1) - power(self.b2, t)) / (f32(1) - power(self.b1, t))
        self.m = self.m + (g - self.m) * self.one_minus_b1
        self.v = self.v + (g * g - self.v) * self.one_minus_b2
        return w - (self.m * alpha) / (np.sqrt(self.v) + self.eps)


# %% [markdown]
# The same five rules in Keras, as a function of the framework module (minitf or TensorFlow),
# with the learning rates used for each surface. The rates are tuned by hand for each rule,
# roughly the largest that does not blow up, so that the race is fair.

# %%
RULES = ["SGD", "momentum", "Nesterov", "RMSprop", "Adam"]
LEARNING_RATES = {
    "quadratic": {"SGD": 0.015, "momentum": 0.01, "Nesterov": 0.01, "RMSprop": 0.1, "Adam": 0.3},
    "rosenbrock": {"SGD": 2e-3, "momentum": 1e-3, "Nesterov": 1e-3, "RMSprop": 2e-3, "Adam": 2e-2},
}


def hand_rule(rule, lr):
    return {"SGD": lambda: SGD(lr), "momentum": lambda: Momentum(lr, 0.9),
            "Nesterov": lambda: Momentum(lr, 0.9, nesterov=True), "RMSprop": lambda: RMSprop(lr),
            "Adam": lambda: Adam(lr)}[rule]()


def keras_rule(fw, rule, lr):
    opt = fw.keras.optimizers
    return {"SGD": lambda: opt.SGD(lr), "momentum": lambda: opt.SGD(lr, momentum=0.9),
            "Nesterov": lambda: opt.SGD(lr, momentum=0.9, nesterov=True),
            "RMSprop": lambda: opt.RMSprop(lr), "Adam": lambda: opt.Adam(lr)}[rule]()


def hand_path(rule, lr, grad, w0, steps):
    """The weights after 0, 1, ..., steps steps of the hand-written rule: shape (steps + 1, 2)."""
    optimizer, w = hand_rule(rule, lr), np.array(w0, f32)
    path = [w]
    for _ in range(steps):
        w = optimizer.step(w, grad(w))
        path.append(w)
    return np.array(path)


def keras_path(fw, rule, lr, grad, w0, steps):
    """The same path with fw.keras.optimizers: the same gradient function, at the optimizer's own weights."""
    optimizer, w = keras_rule(fw, rule, lr), fw.Variable(np.array(w0, f32))
    path = [w.numpy().copy()]
    for _ in range(steps):
        optimizer.apply_gradients([(fw.constant(grad(w.numpy())), w)])
        path.append(w.numpy().copy())
    return np.array(path)


# %% [markdown]
# ## 3. The race on the narrow valley
# All five start at $(-4.5, 1)$, each with about its best learning rate for 100 steps (found
# by trying a grid of rates: exercise 1). Plain SGD, just under its stability limit, settles the
# steep $y$ direction in a few zigzags, then creeps along $x$ at $0.985$ per step. Momentum and
# Nesterov build up speed along $x$ and overshoot, spiralling in; Nesterov's look-ahead damps
# the overshoot. RMSprop and Adam rescale each coordinate by its own gradient size, so both
# directions shrink at similar rates and the paths head for the minimum more directly than the
# gradient points.
#
# Watch the loss curves of the two adaptive rules: they fall fast, then **jump back up**. Near
# the minimum $g$ is tiny, but so is $\sqrt{v}$, the average size of $g$: their ratio, and so the
# step, stays of the order of $\eta$. With a fixed learning rate they hover around the minimum
# instead of settling into it: one reason training schedules decay the learning rate.

# %%
problems = {
    "quadratic": dict(f=quadratic, grad=quadratic_grad, w0=f32([-4.5, 1.0]), steps=L.pick(100, 50),
                      box=(-5, 1.5, -1.5, 1.5), levels=np.logspace(-2, 2, 12), marker=".-"),
    "rosenbrock": dict(f=rosenbrock, grad=rosenbrock_grad, w0=f32([-1.2, 1.0]), steps=L.pick(3000, 300),
                       box=(-1.6, 1.6, -0.6, 1.8), levels=np.logspace(-1, 3, 14), marker="-"),
}
paths = {name: {rule: hand_path(rule, LEARNING_RATES[name][rule], p["grad"], p["w0"], p["steps"]) for rule in RULES}
         for name, p in problems.items()}


def race_figure(name):
    p = problems[name]
    fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.2))
    x0, x1, y0, y1 = p["box"]
    gx, gy = np.meshgrid(np.linspace(x0, x1, L.pick(300, 80)), np.linspace(y0, y1, L.pick(300, 80)))
    ax_path.contour(gx, gy, p["f"](np.stack([gx, gy])), levels=p["levels"], colors="gray", linewidths=0.6)
    for i, rule in enumerate(RULES):
        path = paths[name][rule]
        lr = LEARNING_RATES[name][rule]
        ax_path.plot(path[:, 0], path[:, 1], p["marker"], color=f"C{i}", ms=2.5, lw=1.2, alpha=0.8,
                     label=f"{rule} (lr {lr:g})")
        losses = np.array([p["f"](w.astype(np.float64)) for w in path])
        ax_loss.plot(np.maximum(losses, 1e-30), color=f"C{i}", label=rule)
    minimum = (0, 0) if name == "quadratic" else (1, 1)
    ax_path.plot(*minimum, "k*", ms=12)
    ax_path.plot(*p["w0"], "ko", ms=5)
    ax_path.set_xlim(x0, x1)
    ax_path.set_ylim(y0, y1)
    ax_path.legend(fontsize=8, loc="lower right" if name == "quadratic" else "upper right")
    ax_path.set_title(f"{name}: paths from ({p['w0'][0]:g}, {p['w0'][1]:g}), {p['steps']} steps")
    ax_path.set_xlabel("x (first weight)")
    ax_path.set_ylabel("y (second weight)")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("loss per step (log scale)")
    ax_loss.legend(fontsize=8)
    return fig


L.savefig(race_figure("quadratic"), "quadratic_paths")
for rule in RULES:
    print(f"quadratic, {rule:>8}: loss after {problems['quadratic']['steps']} steps "
          f"{quadratic(paths['quadratic'][rule][-1].astype(np.float64)):.3g}")

# %% [markdown]
# ## 4. The race on Rosenbrock's banana
# Here the valley **curves**: the direction that was "along the floor" a hundred steps ago now
# points into a wall. Gradient descent reaches the floor quickly, then crawls along it, where the
# gradient is tiny. Momentum and Nesterov gather speed along the floor and keep it round the bend,
# and win by far. RMSprop's steps are about $\eta$ long whatever the gradient, so $\eta$ must be
# small enough for the steep walls, and then it too crawls. Adam is RMSprop plus momentum: its
# averaged $m$ points along the floor, and it gets there, more slowly than momentum alone.

# %%
L.savefig(race_figure("rosenbrock"), "rosenbrock_paths")
for rule in RULES:
    end = paths["rosenbrock"][rule][-1]
    print(f"rosenbrock, {rule:>8}: after {problems['rosenbrock']['steps']} steps at ({end[0]:.4f}, {end[1]:.4f}),"
          f" loss {rosenbrock(end.astype(np.float64)):.3g}")

# %% [markdown]
# ## 5. Checking every step against Keras
# Now run the very same paths with `minitf.keras.optimizers` (and with `tf.keras.optimizers`):
# one `Variable`, and at each step `apply_gradients([(g, w)])` with $g$ from the same gradient
# function at the optimizer's own current weights. If the hand-written rule is right *and* in the
# same order of operations, the weights are identical at every step: a difference of 0.

# %%
hand_vs_minitf = {name: {} for name in problems}
for name, p in problems.items():
    for rule in RULES:
        lr = LEARNING_RATES[name][rule]
        ours = keras_path(minitf, rule, lr, p["grad"], p["w0"], p["steps"])
        hand_vs_minitf[name][rule] = float(np.max(np.abs(ours.astype(np.float64) - paths[name][rule])))
    print(f"{name}: max |hand - minitf.keras.optimizers| over {p['steps']} steps:",
          {rule: f"{d:.3g}" for rule, d in hand_vs_minitf[name].items()})
hand_vs_minitf_max = {rule: max(hand_vs_minitf[name][rule] for name in problems) for rule in RULES}

# %% [markdown]
# And against TensorFlow's own Keras optimizers, over the first 1000 steps at most (50 in fast
# mode): an eager TF optimizer step costs a few milliseconds, against minitf's few tens of microseconds.

# %%
if real_tf is not None:
    for name, p in problems.items():
        tf_steps = L.pick(min(p["steps"], 1000), 50)
        for rule in RULES:
            theirs = keras_path(real_tf, rule, LEARNING_RATES[name][rule], p["grad"], p["w0"], tf_steps)
            L.compare(f"{name}, {rule}: hand-written vs tf.keras.optimizers, {tf_steps} steps",
                      paths[name][rule][: tf_steps + 1], theirs, tol=1e-7 if name == "quadratic" else 1e-6,
                      labels=("by hand", "TF"), means="the rule above, in Keras's order, is TF's optimizer")

# %% [markdown]
# Why insist on the exact order? Here is Adam written the textbook way,
# $m = \beta_1 m + (1-\beta_1) g$, then $\hat m$, $\hat v$ and $\hat m / (\sqrt{\hat v} + \epsilon)$.
# Mathematically it is almost the same rule, and its path is almost the same, but not bit for bit:

# %%
class TextbookAdam(Adam):
    def step(self, w, g):
        if self.m is None:
            self.m, self.v = np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        self.m = self.b1 * self.m + self.one_minus_b1 * g
        self.v = self.b2 * self.v + self.one_minus_b2 * (g * g)
        m_hat = self.m / (f32(1) - power(self.b1, self.t))
        v_hat = self.v / (f32(1) - power(self.b2, self.t))
        return w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


textbook_vs_keras = {}
for name, p in problems.items():
    optimizer, w = TextbookAdam(LEARNING_RATES[name]["Adam"]), np.array(p["w0"], f32)
    path = [w]
    for _ in range(p["steps"]):
        w = optimizer.step(w, p["grad"](w))
        path.append(w)
    textbook_vs_keras[name] = float(np.max(np.abs(np.array(path, np.float64) - paths[name]["Adam"])))
    print(f"{name}: max |textbook Adam - Keras-order Adam| over {p['steps']} steps = {textbook_vs_keras[name]:.3g}")

# %% [markdown]
# ## 6. Adam's bias correction
# Both running averages start at 0, so early on they are too small: after one step
# $m_1 = (1 - \beta_1) g_1 = 0.1\, g_1$ and $v_1 = 0.001\, g_1^2$. Dividing by $1 - \beta^t$ undoes
# exactly that: for a constant gradient $g$, $m_t = (1 - \beta_1^t)\, g$ and $v_t = (1 - \beta_2^t)\, g^2$,
# so $\hat m_t = g$ and $\sqrt{\hat v_t} = |g|$ at every $t$, and the step
# $\eta\, \hat m_t / (\sqrt{\hat v_t} + \hat\epsilon)$ is $\eta$ (times the sign of $g$) from the very first step.
#
# Keras's folded factor $\alpha_t / \eta = \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)$ is **not** the size of
# the step: it multiplies the *uncorrected* ratio $m_t / \sqrt{v_t}$, which for a constant gradient is
# $(1 - \beta_1^t) / \sqrt{1 - \beta_2^t}$, its exact inverse. The factor starts at
# $\sqrt{0.001} / 0.1 \approx 0.32$, **dips to about 0.15 near $t = 12$** ($1 - \beta_1^t$ grows fast,
# to 0.65 at $t = 10$, while $\sqrt{1 - \beta_2^t}$ is still 0.1), and climbs to 1 only after a few
# thousand steps. The figure shows both: the factor, and the step the hand-written Adam actually
# takes, in float32, on $f(w) = w$ (constant gradient 1) with $\eta = 0.01$.

# %%
t = np.arange(1, 5001)
correction = np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)  # float64: a picture, not a bit-exact check
constant_gradient = Adam(0.01)
w, steps_taken = np.zeros(1, f32), []
for _ in t:
    w_next = constant_gradient.step(w, np.ones(1, f32))
    steps_taken.append(float(w[0] - w_next[0]))
    w = w_next
steps_taken = np.array(steps_taken) / 0.01
dip = int(np.argmin(correction))
fig, ax = plt.subplots(figsize=(6.5, 3.8))
ax.semilogx(t, correction, lw=2, label=r"Keras's factor $\alpha_t / \eta = \sqrt{1-\beta_2^t}\,/\,(1-\beta_1^t)$")
ax.semilogx(t, steps_taken, "C1--", lw=2, label=r"the step taken, $|\Delta w| / \eta$, for a constant gradient")
ax.plot(t[dip], correction[dip], "C0o", ms=5)
ax.annotate(f"minimum {correction[dip]:.3f} at t = {t[dip]}", (t[dip], correction[dip]), textcoords="offset points",
            xytext=(-20, -16), fontsize=8)
ax.axhline(1, color="gray", lw=0.6)
ax.set_ylim(0, 1.45)
ax.set_xlabel("step t")
ax.set_ylabel("factor (1 = the learning rate)")
ax.set_title("Adam's bias correction: the folded factor dips, the step does not")
ax.legend(fontsize=8, loc="upper left")
L.savefig(fig, "adam_bias_correction")
print(f"alpha_t / eta at t = 1: {correction[0]:.4f}, t = 10: {correction[9]:.4f}, smallest {correction[dip]:.4f} "
      f"at t = {t[dip]}, t = 1000: {correction[999]:.4f}")
print(f"the step for a constant gradient, in units of eta: from {steps_taken.min():.6f} to {steps_taken.max():.6f} "
      f"over {t.size} steps")

# %% [markdown]
# ## What we found
# Each hand-written rule, a handful of lines, reproduced `minitf.keras.optimizers` step by step;
# the largest difference over every path is in the summary (0 means bit for bit), and under TF,
# so did `tf.keras.optimizers`.

# %%
final_loss = {name: {rule: float(p["f"](paths[name][rule][-1].astype(np.float64))) for rule in RULES}
              for name, p in problems.items()}
L.summary(
    hand_vs_minitf_max_diff=hand_vs_minitf_max,
    hand_vs_minitf_max_diff_by_problem=hand_vs_minitf,
    steps={name: p["steps"] for name, p in problems.items()},
    start={name: p["w0"] for name, p in problems.items()},
    learning_rates=LEARNING_RATES,
    initial_loss={name: float(p["f"](p["w0"].astype(np.float64))) for name, p in problems.items()},
    final_loss=final_loss,
    textbook_adam_vs_keras_order_max_diff=textbook_vs_keras,
    adam_factor={"t1": correction[0], "minimum": correction[dip], "minimum_at": int(t[dip]),
                 "t1000": correction[999]},
    adam_constant_gradient_step={"min": steps_taken.min(), "max": steps_taken.max()},
)

# %% [markdown]
# ## Exercises
# Exercises marked **(checked: `name`)** have a function to write in `lessons/exercises/04_answers.py`:
# `python -m lessons check 04` copies the template there the first time, and from then on runs
# your answers against tests, saying for each what it expected and what came back. Worked
# solutions are in `lessons/solutions/04_answers.py` (look after trying).
# 1. (TF fundamentals) For each rule, try the learning rates 0.001, 0.003, 0.01, ..., 1 on the
#    quadratic: which gives the lowest loss after 100 steps, and which is the largest that does not
#    diverge? For SGD, check your answer against the stability limit $\eta < 2/100$.
# 2. Change the quadratic's 100 to 1000. How much slower does SGD get? And Adam?
# 3. (CS231n) Add **Adagrad**, $v_t = v_{t-1} + g_t^2$, $w_t = w_{t-1} - \eta\, g_t / \sqrt{v_t + \epsilon}$
#    (Keras starts $v$ at 0.1: read `keras/src/optimizers/adagrad.py`), and check it step by step
#    against `minitf.keras.optimizers.Adagrad`. **(checked: `Adagrad`)**
# 4. Add RMSprop with `momentum=0.9` and with `centered=True` to the hand-written rules (the
#    formulas are in `minitf/keras/optimizers/rmsprop.py`) and check them against Keras.
# 5. Replace the gradient formulas by minitf's `GradientTape` inside `hand_path`. Are the paths
#    still bit-identical to section 5's? On which surface might they not be, and why (hint: in
#    float32, $(a \cdot b) \cdot c$ need not equal $a \cdot (b \cdot c)$)?
# 6. (CS231n) Train lesson 03's moons network with each of the five rules in place of plain gradient
#    descent, and plot the five loss curves on one log-scale axis.
# 7. Derive the gradient of Himmelblau's function $f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2$ by
#    hand, then race the five rules on it from $(0, 0)$: it has four minima, and different rules may
#    find different ones. **(checked: `himmelblau_gradient`)**
