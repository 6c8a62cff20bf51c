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
# # Lesson 02: Reverse-mode autodiff
# > A scalar autodiff built step by step and an MLP trained with it, then minitf's GradientTape: its record, its backward walk, persistent and nested tapes, jacobians; then tracing with minitf.function: the graph, retracing, side effects, exact replay; checked against TF.
#
# Lesson 01 applied the chain rule by hand. A network has millions of parameters, so nobody
# does that: the framework does it for us, **automatically and exactly**. Not by finite
# differences (lesson 01 showed their error), not by symbolic algebra, but by
# *automatic differentiation*: record every elementary operation as it runs, then apply
# the chain rule to the record.
#
# **The chain rule on a graph.** Write a computation as a graph of elementary ops, for
# example $f(a, b) = \tanh(ab + b^2)$:
#
# $$p = a\,b, \qquad q = b^2, \qquad u = p + q, \qquad f = \tanh(u).$$
#
# Each op knows its *local* derivatives: $\partial p/\partial a = b$, $\partial q/\partial b = 2b$,
# $\partial u/\partial p = \partial u/\partial q = 1$, $\partial f/\partial u = 1 - \tanh^2 u$.
# Write $\bar v = \partial f/\partial v$ (the *adjoint* of $v$: how much the output moves
# per unit change of $v$). Starting from $\bar f = 1$ and going **backwards**,
#
# $$\bar u = \bar f\,(1 - f^2), \quad \bar p = \bar u, \quad \bar q = \bar u, \quad
#   \bar a = \bar p\, b, \quad \bar b = \bar p\, a + \bar q\, 2b .$$
#
# A variable used twice ($b$ feeds both $p$ and $q$) **adds up** the gradients of its uses:
# that is the multivariable chain rule, $\bar v = \sum_{w \text{ uses } v} \bar w\,\partial w/\partial v$.
#
# **Why reverse mode.** One backward walk visits each op once and yields the gradient of
# *one* output with respect to *every* input: its cost is a small multiple of the forward
# pass, whatever the number of inputs. A loss is one number and a network has millions of
# weights, so one backward pass per loss is exactly what training needs. (Forward mode
# pushes derivatives the other way, one input at a time: it would need a pass per weight.)
# With $m$ outputs, reverse mode needs $m$ passes; that is how a jacobian is built below.

# %%
try:  # run as a plain script, or as a notebook, from inside lessons/: the _common beside this file
    import _common as L
except ImportError:  # the runner, or a notebook elsewhere: the lessons package
    from lessons import _common as L

L.begin("02_reverse_mode_autodiff")

import math

import numpy as np

import minitf

real_tf = L.tf_or_none()  # TensorFlow, or None where it is missing (or --no-tf)
plt = L.pyplot()
DTYPE = "float64"  # Python floats are float64: the tape runs in float64 too, so the two agree to ~1e-16
outcomes = {}  # what each section finds; written to summary.json at the end

# %% [markdown]
# ## 1. A scalar autodiff, step by step
# In the spirit of Karpathy's *micrograd*, we build the engine in four steps, each a few lines.
# A notebook cannot reopen a class, so each step adds methods to it with `add_to_class` (as the
# d2l book does): the class grows under your eyes, and every cell runs on what came before.
#
# **Step 1: values that remember where they came from.** A `Value` wraps one number. Every
# operation makes a new `Value` that keeps its inputs (`_prev`) and the name of the operation
# (`_op`). That record *is* the graph: nothing else is needed to walk it backwards later.

# %%
def add_to_class(cls):
    """Decorator: attach the function below to ``cls`` as a method (so a class can grow cell by cell)."""
    def register(method):
        setattr(cls, method.__name__, method)
        return method
    return register


class Value:
    """A scalar that records how it was computed, for reverse-mode differentiation."""

    def __init__(self, data: float, _prev: tuple = (), _op: str = "", label: str = ""):
        self.data, self.grad = float(data), 0.0     # grad: d(output)/d(this value), filled in backwards
        self._prev, self._op, self.label = _prev, _op, label
        self._backward = lambda: None               # pushes self.grad into _prev's grads (step 2)

    def __repr__(self) -> str:
        return f"Value({self.label or self._op or 'leaf'}: data={self.data:.6g}, grad={self.grad:.6g})"


def as_value(x) -> Value:
    return x if isinstance(x, Value) else Value(x)


@add_to_class(Value)
def __add__(self, other):
    other = as_value(other)
    return Value(self.data + other.data, (self, other), "+")


@add_to_class(Value)
def __mul__(self, other):
    other = as_value(other)
    return Value(self.data * other.data, (self, other), "*")


def topological(out: Value) -> list:
    """The values of out's graph, inputs first: depth first, each after everything it came from."""
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for child in v._prev:
                visit(child)
            order.append(v)
    visit(out)
    return order


def name_of(v: Value) -> str:
    return v.label or (f"[{v._op}]" if v._prev else f"{v.data:g}")  # unnamed: its op, or a constant's value


def print_nodes(out: Value) -> None:
    """Each value of out's graph, inputs first: how it was made, its data and its gradient."""
    for v in topological(out):
        made = f"{v._op}({', '.join(name_of(c) for c in v._prev)})" if v._prev else "input"
        print(f"  {name_of(v):>8} = {made:<18} data {v.data: .6f}   grad {v.grad: .6f}")


A0, B0 = 0.7, -0.4
a, b = Value(A0, label="a"), Value(B0, label="b")
p = a * b; p.label = "p"
q = b * b; q.label = "q"
u = p + q; u.label = "u"
print("the graph of u = ab + b*b, inputs first (no gradients yet):")
print_nodes(u)

# %% [markdown]
# **Step 2: each operation knows its local derivatives.** The new `__add__` and `__mul__` also
# set the output's `_backward`: a closure that takes the output's gradient `out.grad` and adds
# to each input's gradient the output's gradient times the local derivative,
# $\bar x \mathrel{+}= \bar y\, \partial y / \partial x$. Gradients are **added** (`+=`), never
# assigned, because a value may be used more than once. `tanh` joins them.
#
# Then we run the backward pass *by hand*, in the reverse of the order the values were made:
# seed $\bar f = 1$, and call each `_backward` once. Watch `b`: it is used three times (in $p$
# and twice in $q = b \cdot b$), and collects three contributions.

# %%
@add_to_class(Value)
def __add__(self, other):                        # d(x+y)/dx = 1, d(x+y)/dy = 1
    other = as_value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def __mul__(self, other):                        # d(xy)/dx = y, d(xy)/dy = x
    other = as_value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def tanh(self):                                  # d(tanh x)/dx = 1 - tanh^2 x
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data ** 2) * out.grad
    out._backward = _backward
    return out


a, b = Value(A0, label="a"), Value(B0, label="b")
p = a * b; p.label = "p"
q = b * b; q.label = "q"
u = p + q; u.label = "u"
f = u.tanh(); f.label = "f"
f.grad = 1.0                                     # df/df = 1
for v in (f, u, q, p):                           # newest first: each value's grad is complete before it is passed on
    v._backward()
    print(f"after {v.label}._backward(): " + ", ".join(f"{name_of(w)}.grad = {w.grad:.6f}" for w in (u, p, q, a, b)))
manual = {"a": a.grad, "b": b.grad}

# %% [markdown]
# **Step 3: the order, automatically.** The hand-made order above (f, u, q, p) is the reverse
# of a *topological* order: every value after all the values it was made from. `topological`
# (written in step 1 to print the graph) finds it by a depth-first walk, so `backward()` is
# three lines: reset the gradients, seed the output with 1, call every `_backward` in reverse.

# %%
@add_to_class(Value)
def backward(self) -> None:
    order = topological(self)
    for v in order:
        v.grad = 0.0                             # a second backward() starts from scratch
    self.grad = 1.0                              # df/df = 1
    for v in reversed(order):                    # outputs first, inputs last
        v._backward()


f.backward()
print_nodes(f)
print(f"the same as by hand: df/da {a.grad:.6f} (by hand {manual['a']:.6f}), df/db {b.grad:.6f} (by hand {manual['b']:.6f})")

# %% [markdown]
# **Step 4: more operations, most of them for free.** Powers with a constant exponent and
# $e^x$ need their own derivatives; everything else is built from what exists, and so needs no
# derivative of its own: $-x = x \cdot (-1)$, $x - y = x + (-y)$, $x / y = x \cdot y^{-1}$. The
# `__r...__` methods let a plain number stand on the left (`2 * v`).

# %%
@add_to_class(Value)
def __pow__(self, k: float):                     # d(x^k)/dx = k x^(k-1), k a constant
    out = Value(self.data ** k, (self,), f"**{k}")

    def _backward():
        self.grad += k * self.data ** (k - 1) * out.grad
    out._backward = _backward
    return out


@add_to_class(Value)
def exp(self):                                   # d(e^x)/dx = e^x
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad
    out._backward = _backward
    return out


Value.__neg__ = lambda self: self * -1
Value.__sub__ = lambda self, other: self + (-as_value(other))
Value.__truediv__ = lambda self, other: self * as_value(other) ** -1     # x / y = x * y^-1
Value.__radd__ = lambda self, other: self + other
Value.__rmul__ = lambda self, other: self * other
Value.__rsub__ = lambda self, other: as_value(other) - self
Value.__rtruediv__ = lambda self, other: as_value(other) * self ** -1

# %% [markdown]
# ## 2. The engine on $f(a, b) = \tanh(ab + b^2)$
# With $a = 0.7$, $b = -0.4$, now with `b ** 2` (one Pow node instead of `b * b`). Each node
# prints its value and its gradient $\partial f/\partial v$. The hand derivation above gives
# $\partial f/\partial a = (1 - f^2)\,b$ and $\partial f/\partial b = (1 - f^2)(a + 2b)$.

# %%
a, b = Value(A0, label="a"), Value(B0, label="b")
p = a * b; p.label = "p"
q = b ** 2; q.label = "q"
u = p + q; u.label = "u"
f = u.tanh(); f.label = "f"
f.backward()
print_nodes(f)
f_hand = {"a": (1 - f.data ** 2) * B0, "b": (1 - f.data ** 2) * (A0 + 2 * B0)}
print(f"by hand: df/da = {f_hand['a']:.6f}, df/db = {f_hand['b']:.6f}")
engine = {"f": {"value": f.data, "a": a.grad, "b": b.grad}}

# %% [markdown]
# ## 3. A neuron with two inputs
# micrograd's example neuron: $o = \tanh(x_1 w_1 + x_2 w_2 + \beta)$ with $x = (2, 0)$,
# $w = (-3, 1)$, $\beta = 6.8813735870195432$ (chosen so that $n = x_1w_1 + x_2w_2 + \beta
# \approx 0.8814$ and $o \approx 0.7071$). Then $\partial o/\partial n = 1 - o^2 \approx 0.5$,
# and $\partial o/\partial w_i = (1 - o^2)\,x_i$: $w_2$ gets **no** gradient because its input $x_2$ is 0.

# %%
NEURON = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "beta": 6.8813735870195432}
nv = {k: Value(v, label=k) for k, v in NEURON.items()}
x1w1 = nv["x1"] * nv["w1"]; x1w1.label = "x1*w1"
x2w2 = nv["x2"] * nv["w2"]; x2w2.label = "x2*w2"
s = x1w1 + x2w2; s.label = "s"
n = s + nv["beta"]; n.label = "n"
o = n.tanh(); o.label = "o"
o.backward()
print_nodes(o)
engine["neuron"] = {"value": o.data, **{k: v.grad for k, v in nv.items()}}

# %% [markdown]
# ## 4. Subtraction, division and exp
# $g(x, y) = x / y + e^{x - y}$ uses the ops built from others: $x - y = x + (-1)y$
# and $x / y = x\,y^{-1}$. The chain rule through them must give the quotient rule:
# $\partial g/\partial x = 1/y + e^{x-y}$ and $\partial g/\partial y = -x/y^2 - e^{x-y}$.

# %%
X0, Y0 = 1.5, 0.8
gx, gy = Value(X0, label="x"), Value(Y0, label="y")
ratio = gx / gy; ratio.label = "x/y"
diff = gx - gy; diff.label = "x-y"
g = ratio + diff.exp(); g.label = "g"
g.backward()
print_nodes(g)
g_hand = {"x": 1 / Y0 + math.exp(X0 - Y0), "y": -X0 / Y0 ** 2 - math.exp(X0 - Y0)}
print(f"by hand: dg/dx = {g_hand['x']:.6f}, dg/dy = {g_hand['y']:.6f}")
engine["g"] = {"value": g.data, "x": gx.grad, "y": gy.grad}
outcomes["inputs"] = {"f": {"a": A0, "b": B0}, "neuron": NEURON, "g": {"x": X0, "y": Y0}}
outcomes["engine"] = engine
outcomes["engine_manual_backward"] = manual

# %% [markdown]
# ## 5. Training a small network with the engine
# Nothing more is needed to train a neural network. A neuron is $\tanh(\sum_i w_i x_i + b)$,
# a layer is a list of neurons, a multi-layer perceptron (MLP) a list of layers: micrograd's
# classes, a dozen lines on top of `Value`. We fit micrograd's four examples (three inputs,
# targets $\pm 1$) with an MLP of two hidden layers of 4 units, 41 parameters, by plain
# gradient descent on the squared error $L = \sum_n (\hat y_n - y_n)^2$:
# forward pass, `loss.backward()`, $w \leftarrow w - \eta\, \bar w$ for every parameter.
# (`backward` resets every gradient in the graph first, so no `zero_grad` is needed.)
#
# The initial weights come from a seeded generator, so every run prints the same numbers.

# %%
class Neuron:
    def __init__(self, n_inputs: int, rng: np.random.Generator):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(n_inputs)]
        self.b = Value(0.0)

    def __call__(self, x):
        return (sum((wi * xi for wi, xi in zip(self.w, x)), self.b)).tanh()

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, n_inputs: int, n_outputs: int, rng: np.random.Generator):
        self.neurons = [Neuron(n_inputs, rng) for _ in range(n_outputs)]

    def __call__(self, x):
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP:
    def __init__(self, n_inputs: int, sizes: list, seed: int = 0):
        rng = np.random.default_rng(seed)
        widths = [n_inputs] + sizes
        self.layers = [Layer(widths[i], widths[i + 1], rng) for i in range(len(sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]
mlp = MLP(3, [4, 4, 1], seed=0)
print(f"MLP(3, [4, 4, 1]): {len(mlp.parameters())} parameters")


def squared_error(model) -> Value:
    return sum((model(x) - y) ** 2 for x, y in zip(XS, YS))


# Before training, one check: the engine's gradient of every parameter against minitf's tape,
# with the same 41 numbers as weight matrices (float64).
def mlp_tape_gradients(fw, model):
    """The loss and its gradient for each of the model's parameters (in parameters() order), by fw's tape."""
    kernels = [fw.Variable([[n.w[i].data for n in layer.neurons] for i in range(len(layer.neurons[0].w))],
                           dtype=DTYPE) for layer in model.layers]
    biases = [fw.Variable([n.b.data for n in layer.neurons], dtype=DTYPE) for layer in model.layers]
    with fw.GradientTape() as tape:
        h = fw.constant(XS, dtype=DTYPE)
        for kernel, bias in zip(kernels, biases):
            h = fw.tanh(fw.matmul(h, kernel) + bias)
        loss = fw.reduce_sum(fw.square(h[:, 0] - fw.constant(YS, dtype=DTYPE)))
    dk, db = tape.gradient(loss, [kernels, biases])
    grads = []
    for layer_k, layer_b in zip(dk, db):  # back to parameters() order: each neuron's weights, then its bias
        k, bb = layer_k.numpy(), layer_b.numpy()
        for j in range(k.shape[1]):
            grads += list(k[:, j]) + [bb[j]]
    return float(loss.numpy()), np.array(grads)


loss = squared_error(mlp)
loss.backward()
engine_grads = np.array([p.grad for p in mlp.parameters()])
tape_loss, tape_grads_mlp = mlp_tape_gradients(minitf, mlp)
mlp_engine_vs_tape = float(np.max(np.abs(engine_grads - tape_grads_mlp)))
print(f"loss {loss.data:.6f} (tape {tape_loss:.6f}); largest |engine - tape| over the 41 gradients: {mlp_engine_vs_tape:.2g}")
L.compare("MLP(3, [4, 4, 1]): loss and its 41 gradients (minitf tape vs TF)", [tape_loss, tape_grads_mlp],
          None if real_tf is None else list(mlp_tape_gradients(real_tf, mlp)), tol=1e-6,
          means="the same backward pass through matmul, tanh and the squared error")

MLP_STEPS, MLP_RATE = 100, 0.05
mlp_losses = []
for step in range(MLP_STEPS):
    loss = squared_error(mlp)
    loss.backward()
    for parameter in mlp.parameters():
        parameter.data -= MLP_RATE * parameter.grad
    mlp_losses.append(loss.data)
    if step % 20 == 0 or step == MLP_STEPS - 1:
        print(f"step {step:3d}: loss {loss.data:.6f}")
mlp_predictions = [mlp(x).data for x in XS]
print("predictions after training:", [round(y, 4) for y in mlp_predictions], "targets:", YS)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(mlp_losses, lw=2)
ax.set_xlabel("gradient-descent step")
ax.set_ylabel("squared error (log scale)")
ax.set_title(f"MLP(3, [4, 4, 1]) trained by the scalar engine, lr {MLP_RATE}")
L.savefig(fig, "engine_mlp_loss")
outcomes["engine_mlp"] = {"parameters": len(mlp.parameters()), "steps": MLP_STEPS, "learning_rate": MLP_RATE,
                          "first_loss": mlp_losses[0], "final_loss": mlp_losses[-1],
                          "predictions": mlp_predictions, "targets": YS,
                          "grad_vs_tape_max_diff": mlp_engine_vs_tape}

# %% [markdown]
# ## 6. minitf's GradientTape: the same idea, on tensors
# `minitf.GradientTape` is our `Value` grown up, with two differences. First, the backward
# rule is not a closure made anew for every number: each op is a class, written once, with a
# `forward` on arrays and a `backward` that receives the upstream gradient, exactly our
# `_backward` (minitf's `Tanh` is printed below: compare it with `Value.tanh`). Second, the
# graph is not kept inside the values: while a tape is recording, each op appends one
# **entry** to the tape's list (the op, its inputs, its output). The list is already in
# topological order (ops run after their inputs exist), so `tape.gradient` just walks it
# backwards. Constants are not tracked unless the tape is told to `watch` them
# (trainable `Variable`s are watched automatically).

# %%
def f_tape(fw, a_value, b_value, persistent=False):
    """f(a, b) = tanh(ab + b^2) under fw.GradientTape; returns the tape and the named tensors."""
    a = fw.constant(a_value, dtype=DTYPE)
    b = fw.constant(b_value, dtype=DTYPE)
    with fw.GradientTape(persistent=persistent) as tape:
        tape.watch([a, b])
        p = a * b
        q = b ** 2
        u = p + q
        f = fw.tanh(u)
    return tape, {"a": a, "b": b, "p = a*b": p, "q = b**2": q, "u = p+q": u, "f = tanh(u)": f}


import inspect

from minitf.ops.elementwise import Tanh

print(inspect.getsource(Tanh))
tape, t = f_tape(minitf, A0, B0, persistent=True)
print("the tape's record, oldest first:")
for i, entry in enumerate(tape.operations):
    print(f"  {i}: {entry}")

# %% [markdown]
# Each entry prints as `Op(shapes of its inputs) -> shape of its output`, with TF's names for
# the ops (`AddV2` is TF's `+`). `()` is the shape of a scalar, a tensor with no axes, so
# `Mul((), ()) -> ()` reads "a product of two scalars, giving a scalar"; a product of two
# 3x2 matrices would print `Mul((3, 2), (3, 2)) -> (3, 2)`. The four entries are the four
# nodes $p, q, u, f$ of the introduction, in the order they ran. The drawing shows the same
# record as a graph:

# %%

exponent = tape.operations[1].inputs[1]  # Pow's second input: the 2 of b**2, made into a constant tensor
ax = minitf.viz.draw_graph(tape, names={**t, "2 (exponent)": exponent})
ax.set_title("f(a, b) = tanh(ab + b^2) as minitf's tape recorded it: tensors (blue) and ops (yellow)", fontsize=9)
L.savefig(ax.figure, "tape_graph")
dot_path = L.output_file("tape_graph.dot")
dot_path.write_text(minitf.viz.to_dot(tape, names=t) + "\n")
print(f"graph in Graphviz DOT: {dot_path} (render it with: dot -Tpng {dot_path.name} -o graph.png)")

# %% [markdown]
# ## 7. The backward pass, step by step
# `tape.backward_steps(target, sources)` is the walk `gradient` makes, kept for printing: for
# each entry, newest first, the upstream gradient $\bar y$ that arrived at its output and the
# gradients it sends to each input. Compare with the hand derivation in the introduction:
# Tanh multiplies by $1 - f^2$, AddV2 passes $\bar u$ to both inputs, Mul sends $\bar p\,b$ to $a$ and
# $\bar p\,a$ to $b$, and `b` collects from both Mul and Pow. (Pow also sends a gradient to
# its exponent, the constant 2; nobody watches it, so it is dropped.)

# %%
names_by_id = {id(v): k.split(" ")[0] for k, v in t.items()}


def label(x):
    return names_by_id.get(id(x), f"const {float(np.asarray(x.numpy())):g}")


for entry, upstream, input_grads in tape.backward_steps(t["f = tanh(u)"], [t["a"], t["b"]]):
    sends = ", ".join(f"d{label(x)} += {float(gx.numpy()): .6f}" if gx is not None else f"d{label(x)}: none"
                      for x, gx in zip(entry.inputs, input_grads))
    print(f"  {str(entry):<22} {label(entry.outputs[0]):>2} upstream {float(upstream.numpy()): .6f}  ->  {sends}")

tape_grads = {}
da, db = tape.gradient(t["f = tanh(u)"], [t["a"], t["b"]])
tape_grads["f"] = {"value": float(t["f = tanh(u)"].numpy()), "a": float(da.numpy()), "b": float(db.numpy())}
print(f"tape.gradient: df/da = {tape_grads['f']['a']:.6f}, df/db = {tape_grads['f']['b']:.6f}")
tf_values = None
if real_tf is not None:
    tf_tape, tt = f_tape(real_tf, A0, B0)
    tf_values = [tt["f = tanh(u)"].numpy()] + [x.numpy() for x in tf_tape.gradient(tt["f = tanh(u)"], [tt["a"], tt["b"]])]
L.compare("f(a,b) = tanh(ab+b^2): [f, df/da, df/db] (minitf tape vs TF)",
          [t["f = tanh(u)"].numpy(), da.numpy(), db.numpy()], tf_values, tol=1e-6,
          means="TF's tape applies the same local derivatives")

# %% [markdown]
# The neuron and $g$ under the tape, written once for both frameworks:

# %%
def neuron_tape(fw):
    v = {k: fw.constant(x, dtype=DTYPE) for k, x in NEURON.items()}
    with fw.GradientTape() as tape:
        tape.watch(list(v.values()))
        out = fw.tanh(v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["beta"])
    grads = tape.gradient(out, list(v.values()))
    return [float(out.numpy())] + [float(gr.numpy()) for gr in grads]


def g_tape(fw):
    x, y = fw.constant(X0, dtype=DTYPE), fw.constant(Y0, dtype=DTYPE)
    with fw.GradientTape() as tape:
        tape.watch([x, y])
        out = x / y + fw.exp(x - y)
    return [float(out.numpy())] + [float(gr.numpy()) for gr in tape.gradient(out, [x, y])]


neuron_values = neuron_tape(minitf)
tape_grads["neuron"] = dict(zip(["value", *NEURON], neuron_values))
g_values = g_tape(minitf)
tape_grads["g"] = dict(zip(["value", "x", "y"], g_values))
L.compare("neuron: [o, do/dx1, do/dx2, do/dw1, do/dw2, do/dbeta] (minitf tape vs TF)", neuron_values,
          None if real_tf is None else neuron_tape(real_tf), tol=1e-6, means="the same chain rule through a neuron")
L.compare("g = x/y + exp(x-y): [g, dg/dx, dg/dy] (minitf tape vs TF)", g_values,
          None if real_tf is None else g_tape(real_tf), tol=1e-6,
          means="TF's RealDiv, Sub and Exp gradients are the quotient rule too")

print("\nthe small engine beside minitf's tape:")
engine_vs_tape = 0.0
for fn_name, values in engine.items():
    for key, mine in values.items():
        theirs = tape_grads[fn_name][key]
        engine_vs_tape = max(engine_vs_tape, abs(mine - theirs))
        what = "value" if key == "value" else f"d/d{key}"
        print(f"  {fn_name:>6} {what:>8}: engine {mine: .12f}   tape {theirs: .12f}   |diff| {abs(mine - theirs):.2g}")
print(f"largest |engine - tape| = {engine_vs_tape:.3g} (float64: the same formulas, "
      f"sometimes multiplied in another order)")
outcomes["tape"] = tape_grads
outcomes["engine_vs_tape_max_diff"] = engine_vs_tape

# %% [markdown]
# ## 8. Persistent tapes
# A tape frees its record during the first `gradient` call, each entry as soon as the walk
# has used it: the record can be large (it holds every intermediate tensor), and most
# training steps need one gradient. To ask twice, make it `persistent=True`. With $y = x^2$ and $z = y^2$ at $x = 3$:
# $dz/dx = 4x^3 = 108$ and $dy/dx = 2x = 6$.

# %%
def persistent_demo(fw):
    x = fw.constant(3.0, dtype=DTYPE)
    with fw.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    dz_dx, dy_dx = tape.gradient(z, x), tape.gradient(y, x)
    del tape  # a persistent tape holds its record until it is dropped
    with fw.GradientTape() as once:
        once.watch(x)
        y = x * x
        z = y * y
    once.gradient(z, x)
    try:
        once.gradient(y, x)
        error = None
    except RuntimeError as e:
        error = f"RuntimeError: {e}"
    return float(dz_dx.numpy()), float(dy_dx.numpy()), error


dz_dx, dy_dx, reuse_error = persistent_demo(minitf)
print(f"persistent tape: dz/dx = {dz_dx:g} (4x^3 = 108), dy/dx = {dy_dx:g} (2x = 6)")
print(f"non-persistent tape used twice -> {reuse_error}")
tf_persistent = persistent_demo(real_tf) if real_tf is not None else None
if tf_persistent is not None:
    print(f"TF says: {tf_persistent[2]}")
L.compare("persistent tape: [dz/dx, dy/dx] (minitf vs TF)", [dz_dx, dy_dx],
          None if tf_persistent is None else list(tf_persistent[:2]), tol=1e-6,
          means="a persistent tape answers twice, in both")
outcomes["persistent"] = {"dz_dx": dz_dx, "dy_dx": dy_dx, "reuse_error": reuse_error}

# %% [markdown]
# ## 9. What the tape watches
# A constant is not a parameter, so the tape ignores it: the gradient is `None`, which means
# "not connected", not zero. `tape.watch(c)` makes the tape track it. A trainable
# `Variable` is watched as soon as it is read under the tape.

# %%
def watch_demo(fw):
    c = fw.constant(2.0, dtype=DTYPE)
    v = fw.Variable(2.0, dtype=DTYPE)
    with fw.GradientTape(persistent=True) as tape:
        unwatched = c ** 3
        from_variable = v ** 3
    with fw.GradientTape() as watching:
        watching.watch(c)
        watched = c ** 3
    return {"constant, not watched": tape.gradient(unwatched, c),
            "Variable (watched automatically)": tape.gradient(from_variable, v),
            "constant after tape.watch": watching.gradient(watched, c)}


watch_ours = watch_demo(minitf)
watch_tf = watch_demo(real_tf) if real_tf is not None else None
for key, grad in watch_ours.items():
    shown = None if grad is None else float(grad.numpy())
    tf_shown = "" if watch_tf is None else f"   TF: {None if watch_tf[key] is None else float(watch_tf[key].numpy())}"
    print(f"  d(x^3)/dx at 2, {key:<34}: minitf {shown}{tf_shown}")
unwatched_is_none = watch_ours["constant, not watched"] is None
same_nones = None
if watch_tf is not None:
    same_nones = all((watch_ours[k] is None) == (watch_tf[k] is None) for k in watch_ours)
    print(f"same None pattern as TF: {same_nones}")
    L.compare("watch: d(x^3)/dx at 2 for a Variable and a watched constant (minitf vs TF)",
              [watch_ours[k].numpy() for k in list(watch_ours)[1:]],
              [watch_tf[k].numpy() for k in list(watch_tf)[1:]], tol=1e-6,
              means="Variables are watched automatically, constants only when asked")
outcomes["unwatched_constant_gradient_is_none"] = unwatched_is_none
outcomes["none_pattern_same_as_tf"] = same_nones

# %% [markdown]
# ## 10. Nested tapes: second derivatives
# Every op's backward is itself written in minitf ops. So when an **outer** tape is recording
# while the inner tape computes its gradient, the outer tape records that backward pass, and
# can differentiate it again:
#
# $$\frac{d}{dx} x^3 = 3x^2 = 27, \qquad \frac{d^2}{dx^2} x^3 = 6x = 18 \qquad \text{at } x = 3;$$
# $$\tanh' = 1 - \tanh^2, \qquad \tanh'' = -2\tanh\,(1 - \tanh^2).$$

# %%
def second_derivative(fw, fn, x_values):
    """(f, f', f'') of fn at x_values, by two nested tapes."""
    x = fw.constant(x_values, dtype=DTYPE)
    with fw.GradientTape() as outer:
        outer.watch(x)
        with fw.GradientTape() as inner:
            inner.watch(x)
            y = fn(fw, x)
        dy = inner.gradient(y, x)  # recorded by the outer tape
    d2y = outer.gradient(dy, x)
    return y.numpy(), dy.numpy(), d2y.numpy()


CUBE_AT = 3.0
_, d1_cube, d2_cube = second_derivative(minitf, lambda fw, x: x ** 3, CUBE_AT)
d1_cube, d2_cube = float(d1_cube), float(d2_cube)
print(f"x^3 at 3: first derivative {d1_cube:g} (3x^2 = 27), second derivative {d2_cube:g} (6x = 18)")
L.compare("d/dx and d2/dx2 of x^3 at 3 (minitf vs TF)", [d1_cube, d2_cube],
          None if real_tf is None else list(second_derivative(real_tf, lambda fw, x: x ** 3, CUBE_AT)[1:]), tol=1e-6,
          means="the backward pass is itself recorded, and differentiated again, as in TF")

grid = np.linspace(-4, 4, L.pick(401, 81))
y_tanh, d1_tanh, d2_tanh = second_derivative(minitf, lambda fw, x: fw.tanh(x), grid)
th = np.tanh(grid)
tanh_formula_diff = float(max(np.max(np.abs(d1_tanh - (1 - th ** 2))),
                              np.max(np.abs(d2_tanh - (-2 * th * (1 - th ** 2))))))
print(f"tanh on {grid.size} points: largest |tape - formula| over tanh' and tanh'' = {tanh_formula_diff:.3g}")
TANH_AT = 0.5
tanh_at = [float(v) for v in second_derivative(minitf, lambda fw, x: fw.tanh(x), TANH_AT)]
tf_tanh = second_derivative(real_tf, lambda fw, x: fw.tanh(x), grid) if real_tf is not None else None
L.compare(f"tanh, tanh', tanh'' on {grid.size} points (minitf vs TF)", [y_tanh, d1_tanh, d2_tanh],
          None if tf_tanh is None else list(tf_tanh), tol=1e-6,
          means="Tanh's backward, differentiated again, is TF's")
outcomes["cube_derivatives"] = {"x": CUBE_AT, "first": d1_cube, "second": d2_cube}
outcomes["tanh_at"] = {"x": TANH_AT, "tanh": tanh_at[0], "first": tanh_at[1], "second": tanh_at[2]}
outcomes["tanh_formula_max_diff"] = tanh_formula_diff

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(grid, y_tanh, lw=2, label="tanh(x)")
ax.plot(grid, d1_tanh, lw=2, label="tanh'(x), one tape")
ax.plot(grid, d2_tanh, lw=2, label="tanh''(x), two nested tapes")
ax.plot(grid[::10], (-2 * th * (1 - th ** 2))[::10], "k.", label="formula -2 tanh (1 - tanh^2)")
if tf_tanh is not None:
    ax.plot(grid, tf_tanh[2], "--", color="gray", lw=1, label="tanh'' under tf.GradientTape")
ax.axhline(0, color="gray", lw=0.5)
ax.set_xlabel("x")
ax.set_ylabel("value")
ax.set_title("tanh and its derivatives from nested GradientTapes")
ax.legend(fontsize=8)
L.savefig(fig, "tanh_derivatives")

# %% [markdown]
# ## 11. Jacobians
# For a vector function $\mathbf y(\mathbf x)$, the jacobian $J_{ij} = \partial y_i / \partial x_j$
# holds every first derivative. Reverse mode gives one **row** per backward pass (seed
# $\bar{\mathbf y} = e_i$, read off $\bar{\mathbf x} = J^\top e_i$), so `tape.jacobian` runs one pass per
# output. For
#
# $$\mathbf y = \begin{pmatrix} x_0^2\, x_1 \\ 5 x_0 + \sin x_1 \\ x_0\, e^{x_1} \end{pmatrix},\qquad
#   J = \begin{pmatrix} 2 x_0 x_1 & x_0^2 \\ 5 & \cos x_1 \\ e^{x_1} & x_0 e^{x_1} \end{pmatrix}.$$

# %%
JAC_X = [1.0, 2.0]


def jacobian_of(fw):
    x = fw.constant(JAC_X, dtype=DTYPE)
    with fw.GradientTape() as tape:
        tape.watch(x)
        y = fw.stack([x[0] ** 2 * x[1], 5 * x[0] + fw.sin(x[1]), x[0] * fw.exp(x[1])])
    return tape.jacobian(y, x).numpy()


jacobian = jacobian_of(minitf)
x0, x1 = JAC_X
jacobian_formula = np.array([[2 * x0 * x1, x0 ** 2], [5.0, np.cos(x1)], [np.exp(x1), x0 * np.exp(x1)]])
jacobian_formula_diff = float(np.max(np.abs(jacobian - jacobian_formula)))
print("tape.jacobian:\n", jacobian)
print("formula:\n", jacobian_formula)
print(f"largest |tape - formula| = {jacobian_formula_diff:.3g}")
L.compare("jacobian of (x0^2 x1, 5x0 + sin x1, x0 e^x1) at (1, 2) (minitf vs TF)", jacobian,
          None if real_tf is None else jacobian_of(real_tf), tol=1e-6,
          means="one backward pass per row, in both")
outcomes["jacobian"] = {"x": JAC_X, "matrix": jacobian}
outcomes["jacobian_formula_max_diff"] = jacobian_formula_diff

# %% [markdown]
# ## 12. The other way to see a program: tracing with `minitf.function`
# A tape watches a program **while it runs**, op by op, and records again on every run. There is a
# second way a framework sees a program: **trace** it once into a graph, then run the graph.
# `minitf.function(f)` (TF's `tf.function`) does that. The first call runs the Python of `f` with
# *symbolic* tensors, which have a shape and a dtype but no values, and every op they meet is
# recorded into a graph instead of computed. Later calls with the same **signature** (the shapes
# and dtypes of the tensor arguments, the values of the Python arguments) do not run the Python
# at all: they replay the graph's kernels on the new numbers. A new signature means a new trace.
#
# This decides *when* things happen, the most confusing part of TF for a newcomer:
# - Python code (`print`, appending to a list) runs **while tracing only**;
# - ops, including `Variable.assign_add` and `tf.print`, run on **every call**.
#
# The function below is $f(a, b) = \tanh(ab + b^2)$ of section 6, with one side effect of each kind,
# called five times under both frameworks: twice with scalars (one trace), once with vectors (a new
# shape: a new trace), twice with Python numbers (each new Python value is part of the signature:
# a new trace each time, which is why a training loop should pass tensors). In those two traces
# `a * b + b ** 2` is Python's own arithmetic, done once while tracing; `tanh` receives the result
# as a constant, converted as TF converts a Python float: to float32 (hence the float32 results).

# %%
import sys


def make_traced_f(fw):
    """f(a, b) = tanh(ab + b^2) under fw.function; a list that grows per trace, a Variable counting calls."""
    traces = []
    calls = fw.Variable(0, dtype="int32")

    @fw.function
    def traced_f(a, b):
        traces.append(f"a{tuple(a.shape)}" if hasattr(a, "shape") else f"a={a!r}")  # Python: tracing only
        calls.assign_add(1)  # an op: every call
        if fw is minitf:  # TF's tf.print writes from C++, outside Python's sys.stdout, so only minitf's is shown
            fw.print("    tf.print, every call: a =", a, output_stream=sys.stdout)
        return fw.tanh(a * b + b ** 2)

    return traced_f, traces, calls


TRACE_CALLS = [("tensors, scalars", A0, B0), ("tensors, scalars again", 0.2, 0.5),
               ("tensors, vectors", [A0, 0.2], [B0, 0.5]), ("Python numbers", A0, B0), ("other Python numbers", 0.2, 0.5)]


def call_traced(fw):
    traced_f, traces, calls = make_traced_f(fw)
    values, trace_counts = [], []
    for label, a, b in TRACE_CALLS:
        if "Python" in label:
            out = traced_f(a, b)  # plain Python floats: their values go into the signature
        else:
            out = traced_f(fw.constant(a, dtype=DTYPE), fw.constant(b, dtype=DTYPE))
        values.append(out.numpy())
        trace_counts.append(len(traces))
        if fw is minitf:
            result = np.round(np.asarray(out.numpy(), dtype=np.float64), 6)
            print(f"  call {len(trace_counts)} ({label}): traces so far {len(traces)}, result {result} ({out.dtype.name})")
    return values, trace_counts, traces, int(calls.numpy()), traced_f


print("minitf:")
traced_values, trace_counts, trace_log, traced_calls, traced_f = call_traced(minitf)
print(f"minitf: {len(trace_log)} traces for {traced_calls} calls: {trace_log}")
if real_tf is not None:
    tf_traced_values, tf_trace_counts, tf_trace_log, tf_calls, tf_traced_f = call_traced(real_tf)
    print(f"TF:     {len(tf_trace_log)} traces for {tf_calls} calls: {tf_trace_log}")
    same_counts = tf_trace_counts == trace_counts and tf_calls == traced_calls
    print(f"traces after each call, minitf {trace_counts}, TF {tf_trace_counts}: "
          f"{'the same retracing rules' if same_counts else 'DIFFERENT'}")
    outcomes["trace_counts_same_as_tf"] = same_counts
L.compare("tf.function f(a,b): the five calls' results (minitf vs TF)", traced_values,
          None if real_tf is None else tf_traced_values, tol=1e-6, means="the traced graphs compute TF's numbers")

# %% [markdown]
# The graph a trace records is data: `get_concrete_function` returns the trace for a signature,
# and `.graph.get_operations()` lists its ops in the order they were recorded. Arguments become
# `Placeholder`s, the `2` of `b ** 2` a `Const`, the Variable a `ReadVariableOp`. It is the tape's
# record again, but made once, without numbers, and kept. `minitf.viz` draws it like a tape.

# %%
scalar_a, scalar_b = minitf.constant(A0, dtype=DTYPE), minitf.constant(B0, dtype=DTYPE)
concrete = traced_f.get_concrete_function(scalar_a, scalar_b)  # the trace of call 1: no new trace
print(f"traces after get_concrete_function: {len(trace_log)} (the scalar trace is reused)")
print("the graph traced for two float64 scalars:")
for operation in concrete.graph.get_operations():
    inputs = ", ".join(t.name for t in operation.inputs)
    shapes = ", ".join(str(tuple(t.shape)) for t in operation.outputs) or "no output"
    print(f"  {operation.type:<20} {operation.name:<32} ({inputs}) -> {shapes}")
graph_op_types = [operation.type for operation in concrete.graph.get_operations()]
if real_tf is not None:
    tf_concrete = tf_traced_f.get_concrete_function(real_tf.constant(A0, dtype=DTYPE), real_tf.constant(B0, dtype=DTYPE))
    tf_op_types = [operation.type for operation in tf_concrete.graph.get_operations()]
    print(f"TF's graph for the same function: {' '.join(tf_op_types)}")
    print("(TF hands the variable in as a third Placeholder, adds an Identity on the output and a NoOp that orders "
          "the side effects; the arithmetic is the same)")
ax = minitf.viz.draw_graph(concrete)
ax.set_title("f(a, b) = tanh(ab + b^2) traced by minitf.function: placeholders, constants, variable reads and ops",
             fontsize=9)
L.savefig(ax.figure, "traced_graph")

# %% [markdown]
# **Replay is exact.** The graph runs the same kernels as the eager ops, so a traced call gives the
# same bits as the eager one, not merely close numbers. And a `GradientTape` inside a traced
# function works: since every op's backward is written in minitf ops (section 10), the backward
# walk of the tape is recorded too, and the graph holds the forward *and* the backward pass.

# %%
grid_a = np.linspace(-2.0, 2.0, L.pick(201, 41))
grid_b = np.linspace(1.5, -1.5, grid_a.size)
a_grid, b_grid = minitf.constant(grid_a, dtype=DTYPE), minitf.constant(grid_b, dtype=DTYPE)
eager_values = minitf.tanh(a_grid * b_grid + b_grid ** 2).numpy()
f_graph = minitf.function(lambda a, b: minitf.tanh(a * b + b ** 2))  # without side effects this time
traced_once = f_graph(a_grid, b_grid).numpy()  # the call that traces
replayed_values = f_graph(a_grid, b_grid).numpy()  # a replay: no Python of f runs
replay_equals_eager = bool(np.array_equal(eager_values, replayed_values) and np.array_equal(eager_values, traced_once))
print(f"on {grid_a.size} points, traced f == eager f bit for bit: {replay_equals_eager} "
      f"({f_graph.experimental_get_tracing_count()} trace, 2 calls)")


def value_and_gradients(fw, a, b):
    with fw.GradientTape() as tape:
        tape.watch([a, b])
        f = fw.tanh(a * b + b ** 2)
    da, db = tape.gradient(f, [a, b])
    return f, da, db


traced_gradients = minitf.function(value_and_gradients)
eager_result = [t.numpy() for t in value_and_gradients(minitf, a_grid, b_grid)]
traced_result = [t.numpy() for t in traced_gradients(minitf, a_grid, b_grid)]
traced_gradients_equal_eager = all(np.array_equal(x, y) for x, y in zip(eager_result, traced_result))
gradient_graph = traced_gradients.get_concrete_function(minitf, a_grid, b_grid).graph
gradient_op_types = [operation.type for operation in gradient_graph.get_operations()]
print(f"a tape inside the traced function: {len(gradient_op_types)} ops recorded, forward and backward: "
      f"{' '.join(t for t in gradient_op_types if t not in ('Placeholder', 'Const'))}")
print(f"traced f, df/da, df/db == eager tape's, bit for bit: {traced_gradients_equal_eager}")
if real_tf is not None:
    tf_grid = (real_tf.constant(grid_a, dtype=DTYPE), real_tf.constant(grid_b, dtype=DTYPE))
    tf_result = [t.numpy() for t in real_tf.function(value_and_gradients)(real_tf, *tf_grid)]
L.compare(f"tf.function with a GradientTape inside, f, df/da, df/db on {grid_a.size} points (minitf vs TF)",
          traced_result, None if real_tf is None else tf_result, tol=1e-6,
          means="a traced backward pass gives TF's gradients")
outcomes["tracing"] = {
    "calls": [label for label, _, _ in TRACE_CALLS], "trace_counts": trace_counts, "variable_calls": traced_calls,
    "values": traced_values, "graph_op_types": graph_op_types, "replay_equals_eager": replay_equals_eager,
    "grid_points": int(grid_a.size), "gradient_graph_op_types": gradient_op_types,
    "traced_gradients_equal_eager": traced_gradients_equal_eager,
    "traced_gradients_at_first_point": [float(r[0]) for r in traced_result],
    "first_point": [float(grid_a[0]), float(grid_b[0])],
}

# %% [markdown]
# ## Exercises
# Exercises marked **(checked: `name`)** have a function to write in `lessons/exercises/02_answers.py`:
# `python -m lessons check 02` copies the template there the first time, and from then on runs
# your answers against tests, saying for each what it expected and what came back. Worked
# solutions are in `lessons/solutions/02_answers.py` (look after trying).
# The template holds the engine of this lesson, whole; the checks wrap it in an op and judge its
# gradients with `minitf.testing.gradcheck`.
# 1. (micrograd) Add `relu` to `Value`: forward $\max(0, x)$, backward `self.grad += (out.data > 0) * out.grad`.
#    Build a neuron with relu instead of tanh and check its gradients against `minitf.nn.relu` under a tape.
#    **(checked: `Value.relu`)**
# 2. (micrograd) Add `log` to `Value` (backward: $1/x$). Use it to write binary crossentropy
#    $-y\log p - (1-y)\log(1-p)$ and check $\partial/\partial p$ against the tape.
#    **(checked: `Value.log`, `binary_crossentropy`)**
# 3. `x / y` is built as `x * y**-1`. Derive $\partial(x/y)/\partial x$ and $\partial(x/y)/\partial y$
#    by the quotient rule, then check the engine at five points. What happens near $y = 0$?
# 4. Why does `backward()` reset every `grad` to 0 before it starts? Remove that line, call
#    `f.backward()` twice, and explain the result.
# 5. Compute the Hessian of $h(x) = x_0^2 x_1 + \sin(x_0 x_1)$ at $(1, 2)$ with a `tape.jacobian`
#    of a gradient taken inside it (nested tapes), and check it against the 2x2 matrix you
#    derive by hand. Is it symmetric? **(checked: `hessian_by_hand`)**
# 6. Count the backward passes: for $\mathbf y: \mathbb R^{1000} \to \mathbb R^{3}$, how many does
#    reverse mode need for the full jacobian, and how many would forward mode need?
# 7. (tracing) Call section 12's `traced_f` with call 4's Python numbers again, then with NumPy
#    arrays `np.array(0.7), np.array(-0.4)`, then `np.array(0.2), np.array(0.5)`: predict how many new
#    traces each makes, and check with `traced_f.experimental_get_tracing_count()` (NumPy arrays are
#    converted to tensors first). Then write `if a > 0:` inside a traced function and call it with a
#    tensor: AutoGraph rewrote it into a `minitf.cond` (print `minitf.autograph.to_code(f)`, list the
#    graph's ops). Trace it again with `minitf.function(f, autograph=False)`: read the error, and
#    rewrite the branch with `minitf.where`.
# 8. (tracing) Decorate a function with `minitf.function(input_signature=[minitf.TensorSpec([None], "float64")])`
#    and call it with vectors of three lengths: how many traces now, and what shape do the ops in its
#    graph report?

# %%
L.summary(**outcomes)
