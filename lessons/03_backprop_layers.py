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
# # Lesson 03: Backprop through layers
# > Gradients of matmul, broadcasting, activations and softmax-crossentropy by hand, against the tape and TF; a graph labelled with its gradients; a 2-layer net trained by hand.
#
# Lesson 02 showed how a tape walks a graph backwards, one op at a time, multiplying each
# op's local derivative into the gradient that arrives from above. A neural network is
# made of only a handful of ops: a matrix product, a bias added by broadcasting, an
# activation, and a loss. Derive the backward rule of each of those once, and you can
# backpropagate through any network by hand.
#
# Notation: $L$ is a scalar loss. For any tensor $A$ in the network, $dA$ is short for
# $\partial L / \partial A$, **a tensor of the same shape as $A$**. Each op receives $dY$
# for its output $Y$ and must return $dX$ for each of its inputs $X$: its
# *vector-Jacobian product*.
#
# Every gradient in this lesson is computed three ways: by a formula in NumPy, by
# minitf's `GradientTape`, and (where it is installed) by TensorFlow's. The three must agree.

# %%
try:  # run as a plain script, or as a notebook, from inside lessons/: the _common beside this file
    import _common as L
except ImportError:  # the runner, or a notebook elsewhere: the lessons package
    from lessons import _common as L

L.begin("03_backprop_layers")

import numpy as np

import minitf

real_tf = L.tf_or_none()  # TensorFlow, or None where it is missing (or --no-tf)
plt = L.pyplot()
rng = np.random.default_rng(3)


def tape_gradients(fw, f, *arrays):
    """d f(fw, *tensors) / d each tensor, by `fw.GradientTape` (fw is minitf or tensorflow)."""
    tensors = [fw.constant(a) for a in arrays]
    with fw.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        loss = f(fw, *tensors)
    return [g.numpy() for g in tape.gradient(loss, tensors)]


def gradients_both(title, f, *arrays, tol=1e-6, means=""):
    """The tape's gradients under minitf, compared with TF's (when TF is here); returns minitf's."""
    ours = tape_gradients(minitf, f, *arrays)
    theirs = tape_gradients(real_tf, f, *arrays) if real_tf is not None else None
    L.compare(title, ours, theirs, tol=tol, means=means)
    return ours


def max_diff(a, b) -> float:
    """Largest |a - b| over lists of arrays (flattened)."""
    return float(max(np.max(np.abs(np.asarray(x, np.float64) - np.asarray(y, np.float64))) for x, y in zip(a, b)))


hand_vs_tape = {}  # what each hand-derived formula missed the tape by

# %% [markdown]
# ## 1. The matrix product
# A Dense layer's core is $Y = XW$ with $X$ of shape $(N, D)$ (a batch of $N$ inputs),
# $W$ of shape $(D, M)$ and $Y$ of shape $(N, M)$. Each output is
# $Y_{nm} = \sum_d X_{nd} W_{dm}$, so $W_{dm}$ touches every $Y_{nm}$ in column $m$,
# with local derivative $\partial Y_{nm} / \partial W_{dm} = X_{nd}$. The chain rule sums over
# everything it touches:
#
# $$dW_{dm} = \sum_n \frac{\partial L}{\partial Y_{nm}} \frac{\partial Y_{nm}}{\partial W_{dm}}
#           = \sum_n X_{nd}\, dY_{nm}
#   \quad\Longrightarrow\quad dW = X^\top dY, \qquad\text{and likewise}\qquad dX = dY\, W^\top .$$
#
# A way to remember them: $dW$ must have $W$'s shape $(D, M)$, and the only product of $X$
# $(N, D)$ and $dY$ $(N, M)$ with that shape is $X^\top dY$. The shapes leave no choice.
#
# To test the rule we need a loss whose $dY$ we know. $L = \sum_{nm} G_{nm} Y_{nm}$ for a
# fixed random $G$ has $dY = G$ exactly.

# %%
N, D, M = 4, 3, 2
X = rng.normal(size=(N, D)).astype(np.float32)
W = rng.normal(size=(D, M)).astype(np.float32)
G = rng.normal(size=(N, M)).astype(np.float32)


def matmul_loss(fw, x, w):
    return fw.reduce_sum(fw.matmul(x, w) * G)


dX_tape, dW_tape = gradients_both("1. matmul: tape dX, dW (minitf vs TF)", matmul_loss, X, W,
                                  means="TF's MatMul gradient is dY W^T and X^T dY too")
dX_hand, dW_hand = G @ W.T, X.T @ G
hand_vs_tape["matmul"] = max_diff([dX_hand, dW_hand], [dX_tape, dW_tape])
print("dW by hand, X^T G:\n", dW_hand)
print("dW from minitf's tape:\n", dW_tape)
print(f"largest |hand - tape| over dX and dW: {hand_vs_tape['matmul']:.3g}")

# %% [markdown]
# ## 2. Broadcasting, and why a bias gradient is a sum
# The bias $b$ has shape $(M,)$ but is added to every row of $XW$: broadcasting copies it
# $N$ times. Each copy $b_m$ feeds $N$ outputs $Y_{1m} \dots Y_{Nm}$, each with local derivative
# 1, so its gradient is the **sum** of theirs:
#
# $$Y = XW + b \quad\Longrightarrow\quad db_m = \sum_n dY_{nm}, \qquad db = \textstyle\sum_{\text{axis } 0} dY .$$
#
# The general rule: forward, broadcasting *copies* along the axes it adds or stretches from
# length 1; backward, the gradient is *summed* along those same axes, back to the input's
# shape. In minitf this happens in exactly one op, `SumTo` (called through `unbroadcast` by every
# binary op): it finds the axes from the two shapes and sums over them.

# %%
import inspect

from minitf.ops.elementwise import SumTo, unbroadcast

print(inspect.getsource(SumTo.forward))
print("unbroadcast(ones((4, 3)), to shape (3,))    =", unbroadcast(minitf.ones((4, 3)), minitf.zeros((3,))).numpy())
print("unbroadcast(ones((4, 3)), to shape (4, 1))  =",
      unbroadcast(minitf.ones((4, 3)), minitf.zeros((4, 1))).numpy().ravel())

# %% [markdown]
# Both rules at once: a column $(3, 1)$ plus a row $(1, 4)$ broadcast to $(3, 4)$; with
# $L = \sum G \odot (a + c)$ the gradient of the column sums $G$ along axis 1 and the row's along axis 0.

# %%
b = rng.normal(size=(M,)).astype(np.float32)
col = rng.normal(size=(3, 1)).astype(np.float32)
row = rng.normal(size=(1, 4)).astype(np.float32)
G34 = rng.normal(size=(3, 4)).astype(np.float32)


def bias_loss(fw, x, w, bias):
    return fw.reduce_sum((fw.matmul(x, w) + bias) * G)


def outer_sum_loss(fw, c, r):
    return fw.reduce_sum((c + r) * G34)


_, _, db_tape = gradients_both("2. bias: tape dX, dW, db (minitf vs TF)", bias_loss, X, W, b,
                               means="the bias gradient is the sum over the batch in both")
dcol_tape, drow_tape = gradients_both("2. (3,1) + (1,4): tape d col, d row (minitf vs TF)", outer_sum_loss, col, row,
                                    means="broadcast axes are summed back alike")
hand_vs_tape["bias"] = max_diff([G.sum(axis=0)], [db_tape])
hand_vs_tape["broadcast"] = max_diff([G34.sum(axis=1, keepdims=True), G34.sum(axis=0, keepdims=True)],
                                     [dcol_tape, drow_tape])
print("db by hand (G summed over the batch):", G.sum(axis=0), "  tape:", db_tape)
print(f"largest |hand - tape|: bias {hand_vs_tape['bias']:.3g}, column/row {hand_vs_tape['broadcast']:.3g}")

# %% [markdown]
# ## 3. Activations: sigmoid, tanh, relu
# An activation acts elementwise, so its Jacobian is diagonal and the backward pass is a
# plain product: $dX = dY \odot f'(X)$. The three classics:
#
# * **sigmoid** $\sigma(x) = \dfrac{1}{1 + e^{-x}}$:
#   $\sigma'(x) = \dfrac{e^{-x}}{(1 + e^{-x})^2} = \dfrac{1}{1 + e^{-x}} \cdot \dfrac{e^{-x}}{1 + e^{-x}}
#   = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)$;
# * **tanh** $= \dfrac{e^x - e^{-x}}{e^x + e^{-x}}$: by the quotient rule
#   $\tanh'(x) = \dfrac{(e^x + e^{-x})^2 - (e^x - e^{-x})^2}{(e^x + e^{-x})^2} = 1 - \tanh^2(x)$;
# * **relu** $= \max(0, x)$: $\;\mathrm{relu}'(x) = 1$ for $x > 0$, $0$ for $x < 0$, and at the kink
#   $x = 0$ TensorFlow (and minitf) use 0.
#
# Sigmoid and tanh derivatives are written in terms of the **output**, so the backward
# pass reuses the value the forward pass already computed (`dy * y * (1 - y)` in minitf's
# `sigmoid`). With $L = \sum_i f(x_i)$ the tape's gradient is $f'(x_i)$ itself, so we can plot it.

# %%
grid = np.linspace(-5, 5, L.pick(201, 101)).astype(np.float32)  # contains 0 exactly: relu's kink
activations = {
    "sigmoid": (lambda fw, x: fw.sigmoid(x), lambda x: 1 / (1 + np.exp(-x)),
                lambda y: y * (1 - y), r"$\sigma'(x) = \sigma(1-\sigma)$"),
    "tanh": (lambda fw, x: fw.tanh(x), np.tanh, lambda y: 1 - y * y, r"$\tanh'(x) = 1-\tanh^2$"),
    "relu": (lambda fw, x: fw.nn.relu(x), lambda x: np.maximum(x, 0), lambda y: (y > 0).astype(np.float32),
             r"$\mathrm{relu}'(x) = [x>0]$"),
}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
for ax, (act, (fn, forward, derivative, label)) in zip(axes, activations.items()):
    (slope_tape,) = gradients_both(f"3. {act}: tape derivative on {grid.size} points (minitf vs TF)",
                                   lambda fw, x: fw.reduce_sum(fn(fw, x)), grid,
                                   means="0 or 1, and 0 at the kink, in both" if act == "relu"
                                   else "the same derivative formula, float32 rounding apart")
    y = forward(grid.astype(np.float64))
    slope_hand = derivative(y)
    hand_vs_tape[act] = max_diff([slope_hand], [slope_tape])
    ax.plot(grid, y, "C0", lw=2, label=act)
    ax.plot(grid, slope_hand, "C1", lw=2, label=label)
    ax.plot(grid[::8], slope_tape[::8], "k.", ms=5, label="minitf tape")
    ax.axhline(0, color="gray", lw=0.5)
    ax.set_title(f"{act}: largest |formula - tape| = {hand_vs_tape[act]:.1e}", fontsize=9)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x) and f'(x)")
    ax.legend(fontsize=8)
fig.suptitle("each activation (blue) and its derivative (orange); dots: the gradient minitf's tape returns", y=1.03)
L.savefig(fig, "activations_and_derivatives")
print({k: f"{hand_vs_tape[k]:.2g}" for k in activations})

# %% [markdown]
# Read the plot as a backward pass: the orange curve is the factor by which each activation
# **scales the gradient passing through it**. The sigmoid never passes more than $0.25$ of
# it, and almost nothing once $|x| > 5$: ten stacked sigmoids shrink a gradient by at least
# $0.25^{10} \approx 10^{-6}$ (the *vanishing gradient*). tanh passes up to 1; relu passes
# all of it, or none (a unit stuck at $x < 0$ for every input is "dead": it never learns again).

# %% [markdown]
# ## 4. Softmax and crossentropy: the gradient is $p - y$
# A classifier with $K$ classes outputs logits $z \in \mathbb{R}^K$; softmax turns them into
# probabilities and crossentropy compares those with the one-hot label $y$:
#
# $$p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}, \qquad L = -\sum_k y_k \log p_k .$$
#
# **Step 1, the softmax Jacobian.** By the quotient rule, with $S = \sum_j e^{z_j}$:
#
# $$\frac{\partial p_k}{\partial z_i} = \frac{\delta_{ki} e^{z_k} S - e^{z_k} e^{z_i}}{S^2}
#   = p_k (\delta_{ki} - p_i), \qquad\text{i.e.}\qquad J = \mathrm{diag}(p) - p\,p^\top .$$
#
# **Step 2, the log.** $\partial L / \partial p_k = -y_k / p_k$.
#
# **Step 3, the chain rule** sums over every $p_k$ that $z_i$ touches:
#
# $$\frac{\partial L}{\partial z_i} = \sum_k \Bigl(-\frac{y_k}{p_k}\Bigr)\, p_k (\delta_{ki} - p_i)
#   = -\sum_k y_k \delta_{ki} + p_i \sum_k y_k = -y_i + p_i \cdot 1 = p_i - y_i .$$
#
# (The last step uses $\sum_k y_k = 1$.) The $1/p_k$ of the log cancels the $p_k$ of the
# softmax: the gradient is simply *prediction minus truth*, bounded in $[-1, 1]$, and never
# divides by a tiny probability. This is why frameworks fuse the two into one op
# (`tf.nn.softmax_cross_entropy_with_logits`) and why Keras computes crossentropy from
# logits when it can. For a batch loss $\frac1N \sum_n L_n$, each row gets $(p_n - y_n)/N$.
#
# First the Jacobian of step 1, from `tape.jacobian`:

# %%
K = 4
z_row = rng.normal(size=(K,)).astype(np.float32)


def softmax_jacobian(fw, z):
    z = fw.constant(z)
    with fw.GradientTape() as tape:
        tape.watch(z)
        p = fw.nn.softmax(z)
    return tape.jacobian(p, z).numpy(), p.numpy()


J_tape, p_row = softmax_jacobian(minitf, z_row)
J_hand = np.diag(p_row) - np.outer(p_row, p_row)
hand_vs_tape["softmax_jacobian"] = max_diff([J_hand], [J_tape])
L.compare("4. softmax Jacobian from tape.jacobian (minitf vs TF)", J_tape,
          None if real_tf is None else softmax_jacobian(real_tf, z_row)[0], tol=1e-6,
          means="diag(p) - p p^T in both")
print("diag(p) - p p^T:\n", np.round(J_hand, 5))
print(f"largest |hand - tape.jacobian| = {hand_vs_tape['softmax_jacobian']:.3g}; "
      f"every row sums to ~0: {np.abs(J_tape.sum(axis=1)).max():.1e} (probabilities sum to 1 whatever z)")

# %% [markdown]
# Now the whole loss, written **unfused** as `-sum(y * log(softmax(z)))`: the tape has no idea of
# $p - y$; it multiplies through the Jacobians of `Log` and `Softmax` one by one, and must
# land on $p - y$. The fused op `softmax_cross_entropy_with_logits` is checked too.

# %%
N_ce = 6
logits = (2 * rng.normal(size=(N_ce, K))).astype(np.float32)
labels = np.eye(K, dtype=np.float32)[rng.integers(0, K, size=N_ce)]


def ce_unfused(fw, z):
    return fw.reduce_mean(-fw.reduce_sum(labels * fw.math.log(fw.nn.softmax(z)), axis=-1))


def ce_fused(fw, z):
    return fw.reduce_mean(fw.nn.softmax_cross_entropy_with_logits(labels=labels, logits=z))


(dz_unfused,) = gradients_both("4. softmax-CE, unfused: tape dz (minitf vs TF)", ce_unfused, logits,
                               means="through Log and Softmax one by one, both land on p - y")
(dz_fused,) = gradients_both("4. softmax-CE, fused op: tape dz (minitf vs TF)", ce_fused, logits,
                             means="the fused op returns (p - y)/N directly")
e = np.exp(logits.astype(np.float64) - logits.max(axis=1, keepdims=True))
p_batch = e / e.sum(axis=1, keepdims=True)
dz_hand = (p_batch - labels) / N_ce
softmax_ce_vs_p_minus_y = max_diff([dz_hand, dz_hand], [dz_unfused, dz_fused])
print("(p - y) / N, first two rows:\n", np.round(dz_hand[:2], 6))
print("unfused tape, first two rows:\n", np.round(dz_unfused[:2], 6))
print(f"largest |(p - y)/N - tape| over both forms: {softmax_ce_vs_p_minus_y:.3g}")

# %% [markdown]
# ## 5. A Dense layer's backward pass, by hand
# Put sections 1 to 3 together: $Y = \phi(XW + b)$ is a Dense layer. Here $\phi$ is the
# identity (the activation's factor was section 3) and the loss is the mean squared error
# against a target $T$, $L = \frac{1}{NM} \sum_{nm} (Y_{nm} - T_{nm})^2$, so
#
# $$dY = \frac{2}{NM}(Y - T), \qquad dW = X^\top dY, \qquad db = \sum_n dY_{n\cdot}, \qquad dX = dY\,W^\top .$$
#
# The layer is a real `keras.layers.Dense`, built under both frameworks with the same weights.

# %%
N5, D5, M5 = 8, 5, 3
X5 = rng.normal(size=(N5, D5)).astype(np.float32)
T5 = rng.normal(size=(N5, M5)).astype(np.float32)
W5 = rng.normal(scale=0.5, size=(D5, M5)).astype(np.float32)
b5 = rng.normal(scale=0.1, size=(M5,)).astype(np.float32)


def dense_layer_gradients(fw):
    layer = fw.keras.layers.Dense(M5)
    layer.build((None, D5))
    layer.set_weights([W5, b5])
    x = fw.constant(X5)
    with fw.GradientTape() as tape:
        tape.watch(x)
        loss = fw.reduce_mean(fw.square(layer(x) - T5))
    dx, dkernel, dbias = tape.gradient(loss, [x, layer.kernel, layer.bias])
    return [dkernel.numpy(), dbias.numpy(), dx.numpy()]


Y5 = X5 @ W5 + b5  # the forward pass, by hand
dY5 = 2 * (Y5 - T5) / (N5 * M5)
dense_hand = [X5.T @ dY5, dY5.sum(axis=0), dY5 @ W5.T]  # dW, db, dX
dense_tape = dense_layer_gradients(minitf)
dense_hand_vs_tape = max_diff(dense_hand, dense_tape)
hand_vs_tape["dense"] = dense_hand_vs_tape
for name, hand, tape in zip(["dW", "db", "dX"], dense_hand, dense_tape):
    print(f"{name} {str(hand.shape):>7}: largest |hand - minitf tape| = {np.max(np.abs(hand - tape)):.3g}")
L.compare("5. Dense layer: tape dW, db, dX (minitf vs TF)", dense_tape,
          None if real_tf is None else dense_layer_gradients(real_tf), tol=1e-6,
          means="a Keras Dense layer's backward pass is the three formulas above")

# %% [markdown]
# ### The same rules, read off the tape's graph
# One example through one neuron, $z = \sum_i w_i x_i + b$, $p = \sigma(z)$, $L = (p - y)^2$,
# small enough to draw. Each tensor of the graph below is labelled with its value and with its
# gradient $\partial L / \partial(\text{tensor})$, the number the backward pass leaves there.
# Read it from the right, one rule per op: $\bar L = 1$; Square gives $\bar e = 2e\,\bar L$;
# Sub passes $\bar p = \bar e$; Sigmoid gives $\bar z = \bar p\, p (1 - p)$; AddV2 passes
# $\bar z$ to both $s$ and $b$; Sum copies $\bar s$ to every element (the reverse of summing is
# broadcasting); Mul gives $\bar w = \overline{wx} \odot x$.

# %%
x_one, w_one, b_one, y_one = np.float32([1.0, 2.0]), np.float32([0.5, -0.3]), np.float32(0.3), np.float32(1.0)


def one_neuron(fw):
    """The neuron's tape and its named tensors (fw is minitf or tensorflow)."""
    x, w, bias, target = fw.constant(x_one), fw.constant(w_one), fw.constant(b_one), fw.constant(y_one)
    with fw.GradientTape(persistent=True) as tape:
        tape.watch([x, w, bias])
        wx = w * x
        s = fw.reduce_sum(wx)
        z = s + bias
        p = fw.sigmoid(z)
        e = p - target
        loss = fw.square(e)
    return tape, {"x": x, "w": w, "wx": wx, "s": s, "b": bias, "z": z, "p": p, "y": target, "e": e, "L": loss}


def node_gradients(fw):
    """Each named tensor's value and gradient dL/dtensor, from one persistent tape."""
    tape, named = one_neuron(fw)
    grads = tape.gradient(named["L"], list(named.values()))
    return tape, named, {k: (v.numpy(), None if g is None else g.numpy()) for (k, v), g in zip(named.items(), grads)}


def short(a) -> str:
    return np.array2string(np.asarray(a), precision=4, separator=", ")


graph_tape, graph_named, graph_values = node_gradients(minitf)
notes = {name: f"value {short(v)}\ngrad {'none' if g is None else short(g)}" for name, (v, g) in graph_values.items()}
ax = minitf.viz.draw_graph(graph_tape, names=graph_named, notes=notes)
ax.set_title("one neuron, L = (sigmoid(w.x + b) - y)^2: every tensor with its value and its gradient dL/d(tensor)",
             fontsize=9)
L.savefig(ax.figure, "neuron_graph_gradients")

p_one = 1 / (1 + np.exp(-(w_one @ x_one + b_one)))  # the same backward pass, rule by rule, in NumPy
e_bar = 2 * (p_one - y_one)
z_bar = e_bar * p_one * (1 - p_one)
hand_graph = {"L": 1.0, "e": e_bar, "p": e_bar, "z": z_bar, "s": z_bar, "b": z_bar, "wx": np.full(2, z_bar),
              "w": z_bar * x_one, "x": z_bar * w_one}
hand_vs_tape["graph"] = max_diff([hand_graph[k] for k in hand_graph], [graph_values[k][1] for k in hand_graph])
for name in hand_graph:
    print(f"  d L / d {name:<2} by hand {short(hand_graph[name]):>18}   tape {short(graph_values[name][1]):>18}")
print(f"largest |hand - tape| over the graph: {hand_vs_tape['graph']:.3g}")
tf_graph = node_gradients(real_tf)[2] if real_tf is not None else None
L.compare("5b. one neuron: dL/d(every tensor of the graph) (minitf vs TF)",
          [graph_values[k][1] for k in hand_graph], None if tf_graph is None else [tf_graph[k][1] for k in hand_graph],
          tol=1e-6, means="TF leaves the same gradient on every node of the graph")

# %% [markdown]
# ## 6. A two-layer network, backward by hand
# The classic exercise (CS231n's assignment 1): a hidden layer with tanh, a softmax output,
# crossentropy. Forward and backward, line by line, each backward line one of the rules above:
#
# | forward | backward |
# |---|---|
# | $A = XW_1 + b_1$ | $dW_1 = X^\top dA, \quad db_1 = \sum_n dA, \quad dX = dA\,W_1^\top$ |
# | $H = \tanh(A)$ | $dA = dH \odot (1 - H^2)$ |
# | $Z = HW_2 + b_2$ | $dW_2 = H^\top dZ, \quad db_2 = \sum_n dZ, \quad dH = dZ\,W_2^\top$ |
# | $L = \frac1N \sum_n \mathrm{CE}(\mathrm{softmax}(Z_n), y_n)$ | $dZ = (P - Y)/N$ |
#
# Read the backward column from the bottom up: that is the order a tape runs it in.

# %%
def two_layer_loss(fw, x, y, w1, b1, w2, b2):
    """Mean softmax crossentropy of a tanh hidden layer and a linear output (y one-hot)."""
    hidden = fw.tanh(fw.matmul(x, w1) + b1)
    logits = fw.matmul(hidden, w2) + b2
    return fw.reduce_mean(fw.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))


def two_layer_backward_by_hand(x, y, w1, b1, w2, b2):
    """The table above in NumPy: returns [dW1, db1, dW2, db2]."""
    H = np.tanh(x @ w1 + b1)
    Z = H @ w2 + b2
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    dZ = (P - y) / len(x)
    dW2, db2, dH = H.T @ dZ, dZ.sum(axis=0), dZ @ w2.T
    dA = dH * (1 - H * H)
    dW1, db1 = x.T @ dA, dA.sum(axis=0)
    return [dW1, db1, dW2, db2]


def init_two_layer(inputs, hidden, classes, seed):
    """Glorot-uniform kernels and zero biases (Keras's Dense defaults), from a NumPy generator."""
    g = np.random.default_rng(seed)
    lim1, lim2 = np.sqrt(6 / (inputs + hidden)), np.sqrt(6 / (hidden + classes))
    return [g.uniform(-lim1, lim1, (inputs, hidden)).astype(np.float32), np.zeros(hidden, np.float32),
            g.uniform(-lim2, lim2, (hidden, classes)).astype(np.float32), np.zeros(classes, np.float32)]


N6, D6, H6, K6 = 10, 3, 6, 3
X6 = rng.normal(size=(N6, D6)).astype(np.float32)
Y6 = np.eye(K6, dtype=np.float32)[rng.integers(0, K6, size=N6)]
params6 = init_two_layer(D6, H6, K6, seed=6)
params6[1] += 0.1  # nonzero biases, so that their gradients are exercised properly
params6[3] -= 0.1

mlp_hand = two_layer_backward_by_hand(X6, Y6, *params6)
mlp_tape = gradients_both("6. two-layer net: tape dW1, db1, dW2, db2 (minitf vs TF)",
                          lambda fw, *p: two_layer_loss(fw, X6, Y6, *p), *params6,
                          means="the table's backward column, float32 rounding apart")
mlp_hand_vs_tape = max_diff(mlp_hand, mlp_tape)
hand_vs_tape["two_layer"] = mlp_hand_vs_tape
for name, hand, tape in zip(["dW1", "db1", "dW2", "db2"], mlp_hand, mlp_tape):
    print(f"{name} {str(hand.shape):>7}: largest |hand - minitf tape| = {np.max(np.abs(hand - tape)):.3g}")

# %% [markdown]
# ## 7. `gradcheck`: let finite differences judge
# A hand-written backward pass can be wrong in ways no shape check catches (a missing
# factor, a transposed matrix of square shape). The judge is the definition of the
# derivative itself. The central difference
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}$$
#
# has error $O(h^2)$; in float64 with $h = 10^{-6}$ it checks a gradient to about 7 digits.
# `minitf.testing.gradcheck(f, inputs)` runs it for every element of every input (in
# float64) and compares with the tape. It costs two forward passes per number, so use it on
# small inputs. First on one op, a Dense layer's $XW + b$ followed by sigmoid:

# %%
def dense_sigmoid(x, w, bias):
    return minitf.sigmoid(minitf.matmul(x, w) + bias)


check_op = minitf.testing.gradcheck(dense_sigmoid, [X[:3], W, b])
print(check_op)

# %% [markdown]
# ... then on the whole two-layer network of section 6, all four parameter tensors at once:

# %%
check_net = minitf.testing.gradcheck(lambda w1, b1, w2, b2: two_layer_loss(minitf, X6, Y6, w1, b1, w2, b2),
                                     params6)
print(check_net)

# %% [markdown]
# And on a deliberately **wrong** op: a sigmoid whose backward forgets the $(1 - \sigma)$ factor.
# An op is defined exactly as every op in `minitf/ops/` is: a class with a `forward` on arrays
# and a `backward` on tensors (see `minitf/ops/op.py`). gradcheck finds the bug and names the
# worst element:

# %%
from minitf.ops.op import Op


class BuggySigmoid(Op):
    def forward(x):
        return 1 / (1 + np.exp(-x))

    def backward(ctx, dy):
        y = ctx.output
        return dy * y  # should be dy * y * (1 - y)


buggy_sigmoid = BuggySigmoid.apply
check_buggy = minitf.testing.gradcheck(buggy_sigmoid, [grid[::20]], raise_on_failure=False)
print(check_buggy)

# %% [markdown]
# ## 8. Training the two-layer network with a hand-written loop
# Everything a training loop does is now in hand: forward pass under a tape, gradients from
# the tape, and the simplest update rule there is, gradient descent
# $\theta \leftarrow \theta - \eta\, d\theta$ (lesson 04 meets better ones). The data are the
# two interleaving half moons: no straight line separates them, so the hidden layer has to
# bend the boundary. Under TF, the identical loop runs from the identical initial weights.

# %%
from minitf.datasets import make_moons

n_moons = L.pick(400, 200)
steps = L.pick(1500, 300)
learning_rate = 1.0
X_moons, y_moons = make_moons(n_moons, noise=0.15, seed=0)
Y_moons = np.eye(2, dtype=np.float32)[y_moons]
init_moons = init_two_layer(2, 16, 2, seed=0)


def train_by_hand(fw, n_steps):
    """Full-batch gradient descent written out: tape, gradients, assign_sub. Returns (losses, params)."""
    params = [fw.Variable(p) for p in init_moons]
    x, y = fw.constant(X_moons), fw.constant(Y_moons)
    losses = []
    for _ in range(n_steps):
        with fw.GradientTape() as tape:  # Variables are watched automatically
            loss = two_layer_loss(fw, x, y, *params)
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(learning_rate * g)
        losses.append(float(loss.numpy()))
    return losses, [p.numpy() for p in params]


losses, trained = train_by_hand(minitf, steps)
tf_losses = tf_trained = None
if real_tf is not None:
    tf_steps = L.pick(steps, 100)  # TF's eager loop is the slow part of the fast run
    tf_losses, tf_trained = train_by_hand(real_tf, tf_steps)
    L.compare(f"8. moons: loss per step, {tf_steps} steps (minitf vs TF)", losses[:tf_steps], tf_losses, tol=1e-6,
              means="the same loop from the same weights follows the same path")
    if tf_steps == steps:
        L.compare("8. moons: trained weights (minitf vs TF)", trained, tf_trained, tol=1e-5, table=True,
                  means=f"float32 rounding, {steps} steps of it: TF's kernels add some sums in another "
                        "order than NumPy's, and the last bits drift apart")


def predict_class1(params, x):
    w1, b1, w2, b2 = params
    z = np.tanh(x @ w1 + b1) @ w2 + b2
    return 1 / (1 + np.exp(z[:, 0] - z[:, 1]))  # softmax's second column, for two classes


moons_accuracy = float(np.mean((predict_class1(trained, X_moons) > 0.5) == y_moons))
print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f} after {steps} steps; training accuracy {moons_accuracy:.3f}")

fig, (ax_loss, ax_boundary) = plt.subplots(1, 2, figsize=(12, 4.3))
ax_loss.plot(losses, lw=3, label="minitf")
if tf_losses is not None:
    ax_loss.plot(tf_losses, "--", lw=1.5, label="TensorFlow")
ax_loss.set_yscale("log")
ax_loss.set_xlabel("step (full batch)")
ax_loss.set_ylabel("crossentropy (log scale)")
ax_loss.set_title(f"hand-written loop, gradient descent, lr {learning_rate}")
ax_loss.legend()
side = L.pick(200, 60)
gx, gy = np.meshgrid(np.linspace(-1.5, 2.5, side), np.linspace(-1.0, 1.5, side))
grid_points = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
proba = predict_class1(trained, grid_points).reshape(gx.shape)
shading = ax_boundary.contourf(gx, gy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.45)
fig.colorbar(shading, ax=ax_boundary, label="p(class 1), the network's output")
ax_boundary.contour(gx, gy, proba, levels=[0.5], colors="k", linewidths=1.5)
for cls, marker, color in ((0, "o", "C3"), (1, "^", "C0")):
    chosen = y_moons == cls
    ax_boundary.scatter(X_moons[chosen, 0], X_moons[chosen, 1], marker=marker, color=color, edgecolors="k",
                        linewidths=0.4, s=16, label=f"class {cls}")
ax_boundary.set_xlabel("$x_1$ (first input)")
ax_boundary.set_ylabel("$x_2$ (second input)")
ax_boundary.legend(fontsize=8, loc="lower left")
ax_boundary.set_title(f"decision boundary (black line, p = 0.5), accuracy {moons_accuracy:.1%}", fontsize=10)
L.savefig(fig, "moons_training")

# %% [markdown]
# ## What we found
# Every gradient formula derived above matched minitf's tape to float32 rounding, and the tape
# matched TensorFlow's. The summary records the largest difference of each.

# %%
L.summary(
    hand_vs_tape_max_diff=hand_vs_tape,
    dense_hand_vs_tape_max_diff=dense_hand_vs_tape,
    two_layer_hand_vs_tape_max_diff=mlp_hand_vs_tape,
    softmax_ce_grad_vs_p_minus_y_max_diff=softmax_ce_vs_p_minus_y,
    gradcheck_op_ok=check_op.ok, gradcheck_op=str(check_op),
    gradcheck_net_ok=check_net.ok, gradcheck_net=str(check_net),
    gradcheck_buggy_op_caught=not check_buggy.ok,
    moons_steps=steps, moons_first_loss=losses[0], moons_final_loss=losses[-1],
    moons_accuracy=moons_accuracy,
    graph_gradients={name: g for name, (_, g) in graph_values.items()},
)

# %% [markdown]
# ## Exercises
# Exercises marked **(checked: `name`)** have a function to write in `lessons/exercises/03_answers.py`:
# `python -m lessons check 03` copies the template there the first time, and from then on runs
# your answers against tests, saying for each what it expected and what came back. Worked
# solutions are in `lessons/solutions/03_answers.py` (look after trying).
# 1. (CS231n) Add a second hidden layer to section 6's network and write its backward pass by
#    hand. Check it against the tape, then with `gradcheck`.
# 2. (CS231n) Replace tanh by relu in `two_layer_backward_by_hand`. Which single line changes?
#    Run `gradcheck` on inputs where some hidden pre-activations are exactly 0: what happens, and why?
#    **(checked: `two_layer_relu_backward`)**
# 3. Derive the gradient of the binary crossentropy of a sigmoid,
#    $L = -y \log \sigma(z) - (1 - y) \log(1 - \sigma(z))$, and show that it too is $\sigma(z) - y$.
#    Check it with `minitf.nn.sigmoid_cross_entropy_with_logits` and a tape. **(checked: `sigmoid_bce_gradient`)**
# 4. In section 2, what is the gradient of a bias of shape $(1, M)$? Of a scalar bias? Predict
#    the shapes and the sums, then ask `unbroadcast`.
# 5. (TF fundamentals) Replace the hand-written update in section 8 by
#    `minitf.keras.optimizers.SGD(1.0).apply_gradients(zip(grads, params))` and check that the
#    losses are identical. Then try `Adam(0.05)` (lesson 04): how many steps does it need?
# 6. (Udacity) Train the moons network with 2, 4 and 16 hidden units and plot the three decision
#    boundaries. What is the smallest hidden layer that separates the moons?
# 7. Write softplus, $\log(1 + e^x)$, as an op in the form of section 7's `BuggySigmoid`: `forward` on
#    NumPy arrays, `backward` in minitf ops. Derive its derivative first (it is a function you have
#    met in this lesson). Make `forward` safe for $x = 1000$, where $e^x$ overflows (`np.logaddexp`).
#    **(checked: `Softplus`)**
