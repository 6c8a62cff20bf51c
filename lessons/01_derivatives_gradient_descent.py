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
# # Lesson 01: Derivatives and gradient descent
# > Derivatives as limits, finite differences and their error, the chain rule by hand, and gradient descent on Celsius -> Fahrenheit.
#
# Training a network means one thing: change the parameters a little, in the direction that
# makes the loss smaller. "Which direction, and by how much" is the **derivative**. This lesson
# builds it from its definition, measures how well a computer can approximate it, checks the
# chain rule by hand against minitf's `GradientTape` (and TensorFlow's), and then uses it:
# **gradient descent**, first on a parabola, then on the Udacity course's first problem,
# learning $F = 1.8\,C + 32$ from seven pairs of temperatures, with every gradient derived by hand.

# %%
try:  # run as a plain script, or as a notebook, from inside lessons/: the _common beside this file
    import _common as L
except ImportError:  # the runner, or a notebook elsewhere: the lessons package
    from lessons import _common as L

L.begin("01_derivatives_gradient_descent")

import numpy as np

import minitf
from minitf.datasets import celsius_fahrenheit

real_tf = L.tf_or_none()  # TensorFlow, or None where it is missing (or --no-tf)
plt = L.pyplot()


def tape_derivative(fw, f, x: np.ndarray) -> np.ndarray:
    """d f(x) / dx for every element of x (f acts elementwise), by `fw.GradientTape`."""
    x = fw.constant(x)
    with fw.GradientTape() as tape:
        tape.watch(x)
        y = fw.reduce_sum(f(fw, x))  # the sum's gradient is f'(x_i) at each x_i
    return tape.gradient(y, x).numpy()


def loglog_slope(h: np.ndarray, err: np.ndarray) -> float:
    """The slope p of the straight line log err = p log h + c, by least squares."""
    return float(np.polyfit(np.log10(h), np.log10(err), 1)[0])


# %% [markdown]
# ## 1. The derivative is a limit
# The derivative of $f$ at $x$ is the slope of the tangent: the limit of the slopes of
# ever shorter secants,
#
# $$f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}.$$
#
# A computer cannot take a limit, but it can pick a small $h$ and compute the quotient.
# That is a **finite difference**. Two are common:
#
# $$\text{forward:}\quad D_+ f(x) = \frac{f(x + h) - f(x)}{h}, \qquad
#   \text{central:}\quad D_0 f(x) = \frac{f(x + h) - f(x - h)}{2h}.$$
#
# **How wrong are they?** Taylor's theorem, $f(x \pm h) = f(x) \pm h f'(x) + \frac{h^2}{2} f''(x)
# \pm \frac{h^3}{6} f'''(x) + \dots$, gives
#
# $$D_+ f(x) = f'(x) + \underbrace{\tfrac{h}{2} f''(x)}_{O(h)} + \dots, \qquad
#   D_0 f(x) = f'(x) + \underbrace{\tfrac{h^2}{6} f'''(x)}_{O(h^2)} + \dots$$
#
# (in the central difference the $h^2 f''$ terms cancel). So halving $h$ halves the forward
# error but quarters the central one: on a log-log plot of error against $h$ the two are
# straight lines of slope 1 and 2.
#
# **But $h$ cannot shrink for ever.** Each $f(x \pm h)$ is stored with a relative rounding
# error of about $\varepsilon$ (machine epsilon: $2.2 \times 10^{-16}$ in float64,
# $1.2 \times 10^{-7}$ in float32). Subtracting two nearly equal numbers keeps that absolute
# error, $\approx \varepsilon |f(x)|$, and dividing by $h$ magnifies it: a **round-off error**
# $\approx \varepsilon / h$ that *grows* as $h$ shrinks. The total error of the forward
# difference is about $\frac{h}{2}|f''| + \frac{\varepsilon}{h}|f|$, smallest where the two are equal:
#
# $$h^\ast_{\text{forward}} \sim \sqrt{\varepsilon}, \quad \text{error} \sim \sqrt{\varepsilon}; \qquad
#   h^\ast_{\text{central}} \sim \varepsilon^{1/3}, \quad \text{error} \sim \varepsilon^{2/3}.$$
#
# In float64 that is $h \approx 10^{-8}$ (8 correct digits) and $h \approx 6 \times 10^{-6}$
# (about 10 digits); in float32, $h \approx 3 \times 10^{-4}$ (3-4 digits) and $h \approx 5 \times 10^{-3}$
# (about 5 digits). Let's measure it, for $f(x) = \sin x$ at $x = 1$, where $f'(1) = \cos 1$ exactly.

# %%
x0 = 1.0
exact = np.cos(x0)
h_values = np.logspace(-15, 0, L.pick(151, 61))  # 10 or 4 points per decade


def finite_differences(dtype) -> tuple[np.ndarray, np.ndarray]:
    """|forward - exact| and |central - exact| for each h, with every number stored in `dtype`."""
    x = dtype(x0)
    h = h_values.astype(dtype)
    forward = (np.sin(x + h) - np.sin(x)) / h
    central = (np.sin(x + h) - np.sin(x - h)) / (2 * h)
    return np.abs(forward.astype(np.float64) - exact), np.abs(central.astype(np.float64) - exact)


errors = {"float64": finite_differences(np.float64), "float32": finite_differences(np.float32)}

# The truncation regime, where round-off is negligible: h from 1e-3 to 1e-1 in float64
# (round-off there is below 1e-12, truncation above 1e-5).
truncation = (h_values >= 1e-3) & (h_values <= 1e-1)
fwd64, cen64 = errors["float64"]
forward_slope = loglog_slope(h_values[truncation], fwd64[truncation])
central_slope = loglog_slope(h_values[truncation], cen64[truncation])
print(f"slope of log(error) vs log(h) for 1e-3 <= h <= 1e-1 (float64): "
      f"forward {forward_slope:.3f} (theory 1), central {central_slope:.3f} (theory 2)")

best_h = {}
for dtype_name, (fwd, cen) in errors.items():
    eps = float(np.finfo(dtype_name).eps)
    for kind, err, predicted in [("forward", fwd, np.sqrt(eps)), ("central", cen, np.cbrt(eps))]:
        err_safe = np.where(err > 0, err, np.inf)  # an exact hit by luck is not the optimum
        i = int(np.argmin(err_safe))
        best_h[f"{kind}_{dtype_name}"] = {"h": float(h_values[i]), "error": float(err[i]),
                                          "predicted_h": predicted}
        print(f"{dtype_name} {kind:>7}: best h = {h_values[i]:.1e} (theory ~{predicted:.1e}), "
              f"smallest error {err[i]:.1e}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
for ax, (dtype_name, (fwd, cen)) in zip(axes, errors.items()):
    eps = np.finfo(dtype_name).eps
    ax.loglog(h_values, np.where(fwd > 0, fwd, np.nan), "C0.-", ms=3, label="forward difference")
    ax.loglog(h_values, np.where(cen > 0, cen, np.nan), "C1.-", ms=3, label="central difference")
    ax.loglog(h_values, 0.5 * np.sin(x0) * h_values, "C0:", label=r"$\frac{h}{2}|f''|$: slope 1")
    ax.loglog(h_values, np.cos(x0) / 6 * h_values**2, "C1:", label=r"$\frac{h^2}{6}|f'''|$: slope 2")
    ax.loglog(h_values, eps / h_values, "k--", lw=1, label=r"round-off $\varepsilon / h$")
    ax.axvline(np.sqrt(eps), color="C0", lw=0.8, alpha=0.6)
    ax.axvline(np.cbrt(eps), color="C1", lw=0.8, alpha=0.6)
    ax.set_ylim(1e-17, 10)
    ax.set_xlabel("step h")
    ax.set_ylabel(r"|finite difference $-$ cos(1)|")
    ax.set_title(f"{dtype_name} (eps = {eps:.1e}); vertical lines: " + r"$\sqrt{\varepsilon}$, $\varepsilon^{1/3}$",
                 fontsize=10)
axes[0].legend(fontsize=8, loc="lower left")
fig.suptitle(f"d/dx sin(x) at x = 1: fitted slopes (float64, 1e-3 <= h <= 0.1) "
             f"forward {forward_slope:.2f}, central {central_slope:.2f}")
L.savefig(fig, "finite_difference_error")

# %% [markdown]
# Read the plot from the right. For large $h$ the errors follow the dotted truncation lines,
# slope 1 and slope 2. Moving left they hit the dashed round-off line $\varepsilon/h$ and
# turn back up: below $h^\ast$ a smaller step makes the answer *worse*. (In float32, below
# $h \approx 6 \times 10^{-8}$, $1 + h$ rounds to exactly 1: the difference is 0 and the error is
# $\cos 1$ itself, the flat line at the top left.) In float32 the round-off line
# $\varepsilon/h$ is about $5 \times 10^8$ times higher (the ratio of the two epsilons,
# $2^{-23} / 2^{-52} = 2^{29}$), so the best float32 finite difference is only good to about
# $10^{-5}$ to $10^{-6}$ (central) or $10^{-4}$ to $10^{-5}$ (forward), depending on luck in the
# rounding. This is why gradient checks
# (`minitf.testing.gradcheck`, lesson 03) run in float64 with central differences, and why
# frameworks compute derivatives exactly with the chain rule instead.

# %% [markdown]
# ## 2. The chain rule, by hand
# Most functions in a network are compositions. Take
#
# $$y = f(x) = e^{\sin(x^2)}, \qquad\text{built as}\qquad u = x^2, \quad v = \sin u, \quad y = e^v.$$
#
# Each stage has an easy local derivative: $\frac{du}{dx} = 2x$, $\frac{dv}{du} = \cos u$,
# $\frac{dy}{dv} = e^v$. The **chain rule** multiplies them:
#
# $$\frac{dy}{dx} = \frac{dy}{dv}\,\frac{dv}{du}\,\frac{du}{dx} = e^{\sin(x^2)} \cos(x^2)\; 2x.$$
#
# A `GradientTape` does exactly this: it records each op on the way forward and multiplies
# their local derivatives on the way back (lesson 02 builds one). We check the hand formula
# three ways: with a central difference, with minitf's tape, and with TensorFlow's.
# Everything is float64 here so that the only differences left are rounding.

# %%
def composite(fw, x):
    return fw.exp(fw.sin(fw.square(x)))


def composite_derivative_by_hand(x: np.ndarray) -> np.ndarray:
    u = x**2
    v = np.sin(u)
    dy_dv, dv_du, du_dx = np.exp(v), np.cos(u), 2 * x  # the three local derivatives
    return dy_dv * dv_du * du_dx


x_point = 1.3
u, v = x_point**2, np.sin(x_point**2)
print(f"at x = {x_point}: u = {u:.4f}, v = {v:.4f}, y = {np.exp(v):.4f}")
print(f"  dy/dv = e^v = {np.exp(v):.5f}, dv/du = cos u = {np.cos(u):.5f}, du/dx = 2x = {2 * x_point:.5f}")
print(f"  dy/dx = product = {np.exp(v) * np.cos(u) * 2 * x_point:.6f}")

xs = np.linspace(-2.0, 2.0, L.pick(41, 21))
chain_hand = composite_derivative_by_hand(xs)
h_central = np.cbrt(np.finfo(np.float64).eps)  # the best central step, from section 1
chain_fd = (composite(np, xs + h_central) - composite(np, xs - h_central)) / (2 * h_central)
chain_tape = tape_derivative(minitf, composite, xs)
chain_tf = tape_derivative(real_tf, composite, xs) if real_tf is not None else None
chain_hand_vs_fd = float(np.max(np.abs(chain_hand - chain_fd)))
chain_hand_vs_tape = float(np.max(np.abs(chain_hand - chain_tape)))
print(f"on {xs.size} points in [-2, 2]: largest |hand - central difference| = {chain_hand_vs_fd:.2e} "
      f"(h = {h_central:.1e}), largest |hand - minitf tape| = {chain_hand_vs_tape:.2e}")
L.compare("chain rule: d/dx exp(sin(x^2)), tape (minitf vs TF, float64)", chain_tape, chain_tf, tol=1e-6,
          means="both tapes multiply the same three local derivatives")

# %% [markdown]
# The finite difference agrees with the formula to about $10^{-10}$, as section 1 predicted
# for $h = \varepsilon^{1/3}$; the tapes agree with it to the last bit or two, because they
# evaluate the very same product.

# %% [markdown]
# ## 3. Gradient descent in one dimension
# To minimise $f$, step against the derivative:
#
# $$x_{k+1} = x_k - \eta\, f'(x_k),$$
#
# with a **learning rate** $\eta > 0$. For the parabola $f(x) = (x - 3)^2 + 1$, $f'(x) = 2(x - 3)$,
# and one step gives
#
# $$x_{k+1} - 3 = (1 - 2\eta)(x_k - 3) \quad\Longrightarrow\quad x_k - 3 = (1 - 2\eta)^k (x_0 - 3).$$
#
# So the distance to the minimum shrinks by the factor $|1 - 2\eta|$ each step: slowly when
# $\eta$ is small, in one step when $\eta = 0.5$, with oscillations (overshooting the minimum)
# when $0.5 < \eta < 1$, and it **grows** when $\eta > 1$: divergence. In general the limit is
# $\eta < 2 / f''$, the curvature. The loop below uses minitf's tape for $f'(x)$.

# %%
def parabola(fw, x):
    return (x - 3.0) ** 2 + 1.0


def descend_1d(f, x_start: float, learning_rate: float, steps: int) -> np.ndarray:
    """Gradient descent with the derivative from minitf's tape; all the x_k, k = 0..steps."""
    x = minitf.Variable(x_start, dtype=minitf.float64)
    path = [x_start]
    for _ in range(steps):
        with minitf.GradientTape() as tape:
            y = f(minitf, x)
        x.assign_sub(learning_rate * tape.gradient(y, x))
        path.append(float(x.numpy()))
    return np.array(path)


steps_1d = 25
x_start = -1.0
learning_rates = {"too small": 0.02, "good": 0.3, "too large (oscillates)": 0.9, "diverges": 1.05}
paths = {lr: descend_1d(parabola, x_start, lr, steps_1d) for lr in learning_rates.values()}
gd_1d_final = {}
for label, lr in learning_rates.items():
    predicted = 3 + (1 - 2 * lr) ** steps_1d * (x_start - 3)
    gd_1d_final[str(lr)] = float(paths[lr][-1])
    print(f"eta = {lr:<5} ({label:>22}): x_{steps_1d} = {paths[lr][-1]:10.4f}   formula 3 + (1 - 2 eta)^k (x0 - 3) = {predicted:10.4f}")

# %% [markdown]
# Not every function has one minimum. The quartic $g(x) = x^4 - 3x^2 + x$ has two valleys,
# and gradient descent, which only ever looks at the local slope, ends in the one it starts above.

# %%
def quartic(fw, x):
    return x**4 - 3.0 * x**2 + x


quartic_paths = {start: descend_1d(quartic, start, 0.02, 40) for start in (-0.2, 0.2)}
for start, path in quartic_paths.items():
    print(f"quartic from x0 = {start:+.1f}: ends at x = {path[-1]:+.4f}, g = {quartic(np, path[-1]):+.4f}")

fig, axes = plt.subplots(1, 3, figsize=(16, 4.3))
grid_x = np.linspace(-2.0, 8.0, 300)
axes[0].plot(grid_x, parabola(np, grid_x), color="gray")
for (label, lr), color in zip(learning_rates.items(), ["C0", "C2", "C1", "C3"]):
    path = paths[lr][:8]  # the first few steps: beyond that they overlap or leave the plot
    axes[0].plot(path, parabola(np, path), "o-", color=color, ms=4, lw=1, label=f"eta = {lr} ({label})")
axes[0].set_xlim(-2, 8)
axes[0].set_ylim(0, 30)
axes[0].set_title("f(x) = (x - 3)^2 + 1:\nthe first 7 steps from x = -1", fontsize=10)
axes[0].set_xlabel("x")
axes[0].set_ylabel("f(x)")
axes[0].legend(fontsize=8)
for (label, lr), color in zip(learning_rates.items(), ["C0", "C2", "C1", "C3"]):
    axes[1].semilogy(np.abs(paths[lr] - 3) + 1e-17, "o-", color=color, ms=3, label=f"eta = {lr}")
axes[1].set_xlabel("step k")
axes[1].set_ylabel("|x_k - 3|")
axes[1].set_title("distance to the minimum:\na factor |1 - 2 eta| per step", fontsize=10)
axes[1].legend(fontsize=8)
grid_q = np.linspace(-2.0, 2.0, 300)
axes[2].plot(grid_q, quartic(np, grid_q), color="gray")
for (start, path), color in zip(quartic_paths.items(), ["C0", "C3"]):
    axes[2].plot(path, quartic(np, path), "o-", color=color, ms=3, lw=1, label=f"start {start:+.1f}")
axes[2].set_title("g(x) = x^4 - 3x^2 + x, eta = 0.02:\nthe start picks the valley", fontsize=10)
axes[2].set_xlabel("x")
axes[2].set_ylabel("g(x)")
axes[2].legend(fontsize=8)
L.savefig(fig, "gradient_descent_1d")

# %% [markdown]
# ## 4. Celsius to Fahrenheit, with gradients derived by hand
# The Udacity course's first model is one neuron, $\hat F_i = w\,C_i + b$, fitted to seven
# pairs of temperatures by minimising the mean squared error
#
# $$L(w, b) = \frac1n \sum_{i=1}^{n} (\hat F_i - F_i)^2 = \frac1n \sum_i (w C_i + b - F_i)^2 .$$
#
# The chain rule (outer function $r^2$, inner $r_i = w C_i + b - F_i$, with
# $\partial r_i / \partial w = C_i$ and $\partial r_i / \partial b = 1$) gives
#
# $$\frac{\partial L}{\partial w} = \frac2n \sum_i (\hat F_i - F_i)\, C_i, \qquad
#   \frac{\partial L}{\partial b} = \frac2n \sum_i (\hat F_i - F_i).$$
#
# Lesson 05 lets Keras do all this; here we write it out in NumPy. First, the hand-derived
# gradients against the tapes, at the starting point $w = b = 0$ (float32, the data's dtype).

# %%
celsius, fahrenheit = celsius_fahrenheit()
C, F = celsius.astype(np.float64), fahrenheit.astype(np.float64)
n = C.size
for c, f in zip(celsius, fahrenheit):
    print(f"{c:6.1f} C = {f:6.1f} F")


def mse(w: float, b: float) -> float:
    return float(np.mean((w * C + b - F) ** 2))


def hand_gradients(w: float, b: float) -> np.ndarray:
    """[dL/dw, dL/db] of the mean squared error, from the formulas above."""
    residual = w * C + b - F
    return np.array([2 / n * np.sum(residual * C), 2 / n * np.sum(residual)])


def tape_gradients(fw, w0: float, b0: float) -> np.ndarray:
    """[dL/dw, dL/db] of the same loss, from fw.GradientTape (fw is minitf or tensorflow)."""
    w, b = fw.Variable(np.float32(w0)), fw.Variable(np.float32(b0))
    c, f = fw.constant(celsius), fw.constant(fahrenheit)
    with fw.GradientTape() as tape:
        loss = fw.reduce_mean(fw.square(w * c + b - f))
    return np.array([g.numpy() for g in tape.gradient(loss, [w, b])], dtype=np.float64)


w_init, b_init = 0.0, 0.0
grad_hand = hand_gradients(w_init, b_init)
grad_tape = tape_gradients(minitf, w_init, b_init)
grad_tf = tape_gradients(real_tf, w_init, b_init) if real_tf is not None else None
hand_vs_tape_rel = float(np.max(np.abs(grad_hand - grad_tape) / np.abs(grad_hand)))
print(f"at w = b = 0:  hand  [dL/dw, dL/db] = {grad_hand}")
print(f"               minitf tape          = {grad_tape}")
print(f"largest relative |hand - tape| = {hand_vs_tape_rel:.2e} (float32 rounding)")
# The gradients are in the thousands: tol 1e-3 absolute is a relative 1e-6 (float32 summation order).
L.compare("Celsius->Fahrenheit: [dL/dw, dL/db] at w = b = 0, tape (minitf vs TF, float32)",
          grad_tape, grad_tf, tol=1e-3, means="the hand formula's gradient, from both tapes")

# %% [markdown]
# ## 5. Plain gradient descent, and why it crawls
# The update is $w \leftarrow w - \eta\,\partial L/\partial w$, $b \leftarrow b - \eta\,\partial L/\partial b$.
# How large may $\eta$ be? $L$ is a quadratic in $(w, b)$ with the constant Hessian (curvature matrix)
#
# $$H = \frac2n \begin{pmatrix} \sum_i C_i^2 & \sum_i C_i \\ \sum_i C_i & n \end{pmatrix}.$$
#
# As for the parabola, each direction along an eigenvector of $H$ with eigenvalue $\lambda$
# shrinks by a factor $|1 - \eta\lambda|$ per step: stability needs $\eta < 2/\lambda_{\max}$, and
# the slowest direction then shrinks by only $1 - 2\lambda_{\min}/\lambda_{\max}$ per step.
# The ratio $\kappa = \lambda_{\max}/\lambda_{\min}$, the **condition number**, is the number of steps
# it takes, roughly. Here $|C_i|$ reaches 40 (at $-40$ degrees), so $\sum C_i^2 = 3917$ against $n = 7$ for the bias:

# %%
hessian = 2 / n * np.array([[np.sum(C**2), np.sum(C)], [np.sum(C), n]])
eigenvalues = np.linalg.eigvalsh(hessian)
condition_raw = float(eigenvalues[-1] / eigenvalues[0])
eta_limit = 2 / eigenvalues[-1]
print(f"Hessian eigenvalues {eigenvalues.round(3)}: condition number {condition_raw:.0f}; "
      f"stable only for eta < 2/lambda_max = {eta_limit:.5f}")


def gradient_descent(gradient, start: np.ndarray, learning_rate: float, steps: int) -> np.ndarray:
    """theta_{k+1} = theta_k - eta * gradient(theta_k); returns all theta_k, shape (steps + 1, 2)."""
    path = np.empty((steps + 1, 2))
    path[0] = start
    for k in range(steps):
        path[k + 1] = path[k] - learning_rate * gradient(*path[k])
    return path


raw_steps = L.pick(3000, 1000)
eta_raw = 1.0 / eigenvalues[-1]  # a safe rate, half the limit
raw_path = gradient_descent(hand_gradients, np.array([w_init, b_init]), eta_raw, raw_steps)
raw_losses = np.array([mse(w, b) for w, b in raw_path])
diverging = gradient_descent(hand_gradients, np.array([w_init, b_init]), 1.1 * eta_limit, 30)
print(f"eta = {eta_raw:.5f}, {raw_steps} steps: w = {raw_path[-1, 0]:.4f}, b = {raw_path[-1, 1]:.4f}, "
      f"loss {raw_losses[-1]:.4f}")
print(f"after 20 steps: w = {raw_path[20, 0]:.4f}, b = {raw_path[20, 1]:.4f} (w is near the best slope for "
      f"that b, b has hardly moved)")
print(f"with eta = 1.1 x the limit, after 30 steps: w = {diverging[-1, 0]:.3g}, loss {mse(*diverging[-1]):.3g}")

# %% [markdown]
# ## 6. The fix: standardize the input
# The trouble is the scales: a step in $w$ moves predictions by up to 40 times as much as the
# same step in $b$. Rescale the input to mean 0 and standard deviation 1,
#
# $$z_i = \frac{C_i - \mu}{\sigma}, \qquad \hat F_i = w' z_i + b',$$
#
# and the Hessian becomes $\frac2n \begin{pmatrix} \sum z_i^2 & \sum z_i \\ \sum z_i & n \end{pmatrix}
# = \begin{pmatrix} 2 & 0 \\ 0 & 2 \end{pmatrix}$: condition number 1, and every direction
# shrinks by $|1 - 2\eta|$, just like the parabola of section 3. The gradients keep their form
# with $z_i$ in place of $C_i$. Since $w' z + b' = \frac{w'}{\sigma} C + \bigl(b' - \frac{w'\mu}{\sigma}\bigr)$,
# the original parameters come back as
#
# $$w = \frac{w'}{\sigma}, \qquad b = b' - \frac{w' \mu}{\sigma}.$$

# %%
mu, sigma = C.mean(), C.std()
z = (C - mu) / sigma


def hand_gradients_standardized(w: float, b: float) -> np.ndarray:
    residual = w * z + b - F
    return np.array([2 / n * np.sum(residual * z), 2 / n * np.sum(residual)])


def to_original(w_std, b_std):
    """(w', b') on standardized inputs -> (w, b) on degrees Celsius."""
    return w_std / sigma, b_std - w_std * mu / sigma


std_steps = L.pick(100, 60)
eta_std = 0.1
start_std = np.array([w_init * sigma, b_init + w_init * mu])  # the same starting line, w = b = 0
std_path_z = gradient_descent(hand_gradients_standardized, start_std, eta_std, std_steps)
std_path = np.stack(to_original(std_path_z[:, 0], std_path_z[:, 1]), axis=1)
std_losses = np.array([mse(w, b) for w, b in std_path])
w_final, b_final = (float(v) for v in std_path[-1])
w_lstsq, b_lstsq = np.polyfit(C, F, 1)  # the exact minimiser, for reference
print(f"standardized, eta = {eta_std}, {std_steps} steps: w = {w_final:.4f}, b = {b_final:.4f}, "
      f"loss {std_losses[-1]:.4f}")
print(f"least squares (np.polyfit):            w = {w_lstsq:.4f}, b = {b_lstsq:.4f}  "
      f"(the data are rounded to whole degrees, hence not exactly 1.8 and 32)")
print(f"raw inputs, after {raw_steps} steps:   w = {raw_path[-1, 0]:.4f}, b = {raw_path[-1, 1]:.4f}")

# %% [markdown]
# ## 7. The loss surface and the two descent paths
# Left: the loss over $(w, b)$ for the raw inputs, a long, narrow valley. Gradient descent
# first drops straight down the steep wall (in a few steps $w$ becomes the best slope for the
# current $b$, about 2.07 for $b = 0$), then creeps along the nearly flat floor while $b$ grows
# towards 32 and $w$ slides back to 1.8. Right: the same loss over the standardized $(w', b')$, round bowls, and a path
# that heads straight for the centre.

# %%
side = L.pick(160, 60)
W_grid, B_grid = np.meshgrid(np.linspace(-0.5, 3.5, side), np.linspace(-10, 45, side))
loss_grid = np.mean((W_grid[..., None] * C + B_grid[..., None] - F) ** 2, axis=-1)
WS_grid, BS_grid = np.meshgrid(np.linspace(-10, 60, side), np.linspace(-10, 60, side))
loss_grid_std = np.mean((WS_grid[..., None] * z + BS_grid[..., None] - F) ** 2, axis=-1)
levels = np.logspace(0, 4.5, 20)

fig, axes = plt.subplots(1, 2, figsize=(13, 5))
axes[0].contour(W_grid, B_grid, loss_grid, levels=levels, cmap="viridis", linewidths=0.8)
axes[0].plot(raw_path[:, 0], raw_path[:, 1], "C3.-", ms=2, lw=1,
             label=f"raw C, eta = {eta_raw:.1e}, {raw_steps} steps")
axes[0].plot(std_path[:, 0], std_path[:, 1], "C0.-", ms=3, lw=1,
             label=f"standardized C, eta = {eta_std}, {std_steps} steps (mapped back)")
axes[0].plot([w_lstsq], [b_lstsq], "k*", ms=12, label="least squares")
axes[0].set_xlabel("w")
axes[0].set_ylabel("b")
axes[0].set_title(f"MSE over (w, b), raw inputs: condition number {condition_raw:.0f}")
axes[0].legend(fontsize=8, loc="lower right")
axes[1].contour(WS_grid, BS_grid, loss_grid_std, levels=levels, cmap="viridis", linewidths=0.8)
axes[1].plot(std_path_z[:, 0], std_path_z[:, 1], "C0.-", ms=3, lw=1, label="gradient descent")
axes[1].set_xlabel("w' (per standard deviation of C)")
axes[1].set_ylabel("b'")
axes[1].set_aspect("equal")
axes[1].set_title("MSE over (w', b'), standardized inputs: condition number 1")
axes[1].legend(fontsize=8)
L.savefig(fig, "loss_surface")

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.semilogy(raw_losses, "C3", label=f"raw C (eta = {eta_raw:.1e})")
ax.semilogy(std_losses, "C0", label=f"standardized C (eta = {eta_std})")
ax.axhline(mse(w_lstsq, b_lstsq), color="k", ls="--", lw=1, label="least-squares minimum")
ax.set_xscale("symlog", linthresh=10)
ax.set_xlim(left=0)
ax.set_xlabel("step")
ax.set_ylabel("mean squared error")
ax.set_title("loss per gradient-descent step")
ax.legend()
L.savefig(fig, "loss_vs_step")

# %% [markdown]
# The loss floor is not zero: the seven Fahrenheit values are rounded to whole degrees, so no
# line passes through all of them. The least-squares line is the best any method can do, and
# standardized gradient descent reaches it in a few dozen steps; on the raw inputs it needs
# thousands.

# %% [markdown]
# ## Exercises
# Exercises marked **(checked: `name`)** have a function to write in `lessons/exercises/01_answers.py`:
# `python -m lessons check 01` copies the template there the first time, and from then on runs
# your answers against tests, saying for each what it expected and what came back. Worked
# solutions are in `lessons/solutions/01_answers.py` (look after trying).
# The checks of this lesson turn your derivative into the backward pass of an op and let
# `minitf.testing.gradcheck` compare it with central differences, as section 1 recommends.
# 1. (Udacity) Change the learning rate of section 6 to 0.01, 0.5 and 0.99, then 1.01. Predict
#    from $|1 - 2\eta|$ how many steps each needs, or whether it diverges, and check.
# 2. In section 1, repeat the error plot for $f(x) = e^x$ at $x = 10$. Why does the round-off
#    floor move up (hint: the round-off error is $\varepsilon |f(x)| / h$)?
# 3. Derive the gradient of the **mean absolute error** $L = \frac1n \sum_i |w C_i + b - F_i|$
#    (TF fundamentals uses MAE for regression): $\partial L/\partial w = \frac1n \sum_i \mathrm{sign}(\hat F_i - F_i)\, C_i$.
#    Check it against `minitf.GradientTape` with `minitf.keras.losses.MeanAbsoluteError`. Why does
#    gradient descent with a fixed $\eta$ never settle exactly at the MAE minimum? **(checked: `mae_gradient`)**
# 4. Write the fourth-order central difference $\frac{-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h)}{12h}$,
#    add it to the plot, and find its slope and its best $h$ (theory: $\varepsilon^{1/5}$).
#    **(checked: `fourth_order_difference`)**
# 5. Compute by hand the derivative of $\tanh(3x^2 - 1)$ with the chain rule and check it with a tape.
#    **(checked: `tanh_chain_derivative`)**
# 6. (TF fundamentals) Redo section 6 with `minitf.Variable`s, a `GradientTape` and
#    `minitf.keras.optimizers.SGD(0.1)`; check that the path equals the NumPy one. Then replace SGD by
#    `Adam(0.1)` on the *raw* inputs (lesson 05's setup): how does Adam cope with the narrow valley?

# %%
L.summary(
    forward_slope=forward_slope,
    central_slope=central_slope,
    best_h=best_h,
    chain_rule_hand_vs_central_difference_max_diff=chain_hand_vs_fd,
    chain_rule_hand_vs_tape_max_diff=chain_hand_vs_tape,
    gd_1d_final_x=gd_1d_final,
    quartic_minima=[float(p[-1]) for p in quartic_paths.values()],
    celsius_grad_hand=grad_hand,
    celsius_grad_tape=grad_tape,
    celsius_hand_vs_tape_max_rel_diff=hand_vs_tape_rel,
    condition_number_raw=condition_raw,
    raw_steps=raw_steps, raw_w=float(raw_path[-1, 0]), raw_b=float(raw_path[-1, 1]),
    standardized_steps=std_steps,
    w=w_final, b=b_final, final_loss=float(std_losses[-1]),
    w_least_squares=float(w_lstsq), b_least_squares=float(b_lstsq),
)
