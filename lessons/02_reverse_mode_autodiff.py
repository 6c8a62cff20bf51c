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
# > A small scalar autodiff written here, then minitf's GradientTape: its graph, its backward walk, persistent and nested tapes, jacobians; checked against tf.GradientTape.
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
try:
    from lessons import _common as L
except ImportError:  # run as a plain script, or as a notebook, from inside lessons/
    import _common as L

L.begin("02_reverse_mode_autodiff")

import math

import numpy as np

import minitf

real_tf = L.tf_or_none()  # TensorFlow, or None where it is missing (or --no-tf)
plt = L.pyplot()
DTYPE = "float64"  # Python floats are float64: the tape runs in float64 too, so the two agree to ~1e-16

# %% [markdown]
# ## 1. A scalar autodiff in about 60 lines
# In the spirit of Karpathy's *micrograd*: a `Value` wraps one number, remembers the values
# it was made from (`_prev`) and holds a closure `_backward` that pushes its own gradient
# `out.grad` into theirs, multiplied by the local derivative. Gradients are **added**
# (`+=`), never assigned, because a value may be used more than once.
#
# `backward()` sorts the graph topologically (every value after all the values it was made
# from), sets the output's gradient to 1 and calls each `_backward` in reverse order, so
# that a value's gradient is complete before it is passed on.

# %%
def topological(out: "Value") -> list:
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


class Value:
    """A scalar that records how it was computed, for reverse-mode differentiation."""

    def __init__(self, data: float, _prev: tuple = (), _op: str = "", label: str = ""):
        self.data, self.grad = float(data), 0.0
        self._prev, self._op, self.label = _prev, _op, label
        self._backward = lambda: None

    def __add__(self, other):                    # d(x+y)/dx = 1, d(x+y)/dy = 1
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):                    # d(xy)/dx = y, d(xy)/dy = x
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k: float):                 # d(x^k)/dx = k x^(k-1), k a constant
        out = Value(self.data ** k, (self,), f"**{k}")
        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):                               # d(e^x)/dx = e^x
        out = Value(math.exp(self.data), (self,), "exp")
        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):                              # d(tanh x)/dx = 1 - tanh^2 x
        out = Value(math.tanh(self.data), (self,), "tanh")
        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    # Everything else is built from the above, so needs no derivative of its own.
    def __neg__(self): return self * -1
    def __sub__(self, other): return self + (-other)
    def __truediv__(self, other): return self * other ** -1      # x / y = x * y^-1
    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __rsub__(self, other): return Value(other) - self
    def __rtruediv__(self, other): return Value(other) * self ** -1

    def backward(self) -> None:
        order = topological(self)
        for v in order:
            v.grad = 0.0
        self.grad = 1.0                          # df/df = 1
        for v in reversed(order):                # outputs first, inputs last
            v._backward()

    def __repr__(self) -> str:
        return f"Value({self.label or self._op or 'leaf'}: data={self.data:.6g}, grad={self.grad:.6g})"


def name_of(v: Value) -> str:
    return v.label or (f"[{v._op}]" if v._prev else f"{v.data:g}")  # unnamed: its op, or a constant's value


def print_nodes(out: Value) -> None:
    """Each value of out's graph, inputs first: how it was made, its data and its gradient."""
    for v in topological(out):
        made = f"{v._op}({', '.join(name_of(c) for c in v._prev)})" if v._prev else "input"
        print(f"  {name_of(v):>8} = {made:<18} data {v.data: .6f}   grad {v.grad: .6f}")

# %% [markdown]
# ## 2. The engine on $f(a, b) = \tanh(ab + b^2)$
# With $a = 0.7$, $b = -0.4$. Each node prints its value and its gradient $\partial f/\partial v$.
# The hand derivation above gives $\partial f/\partial a = (1 - f^2)\,b$ and
# $\partial f/\partial b = (1 - f^2)(a + 2b)$.

# %%
A0, B0 = 0.7, -0.4
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
# $g(x, y) = x / y + e^{x - y}$ uses the ops the engine built from others: $x - y = x + (-1)y$
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

# %% [markdown]
# ## 5. minitf's GradientTape: the same idea, on tensors
# `minitf.GradientTape` is our `Value` grown up. Instead of every number holding closures,
# each op (`minitf.multiply`, `minitf.tanh`, ...) calls `record(name, inputs, output, backward)`,
# and every tape that is recording appends one **entry** to its list. The list is already in
# topological order (ops run after their inputs exist), so `tape.gradient` just walks it
# backwards. Constants are not tracked unless the tape is told to `watch` them
# (trainable `Variable`s are watched automatically).
#
# The same $f(a, b)$ under the tape, with names for the drawing:

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


tape, t = f_tape(minitf, A0, B0, persistent=True)
print("the tape's record, oldest first:")
for i, entry in enumerate(tape.operations):
    print(f"  {i}: {entry}")

exponent = tape.operations[1].inputs[1]  # Pow's second input: the 2 of b**2, made into a constant tensor
ax = minitf.viz.draw_graph(tape, names={**t, "2 (exponent)": exponent})
ax.set_title("f(a, b) = tanh(ab + b^2) as minitf's tape recorded it: tensors (blue) and ops (yellow)", fontsize=9)
L.savefig(ax.figure, "tape_graph")
dot_path = L.output_file("tape_graph.dot")
dot_path.write_text(minitf.viz.to_dot(tape, names=t) + "\n")
print(f"graph in Graphviz DOT: {dot_path} (render it with: dot -Tpng {dot_path.name} -o graph.png)")

# %% [markdown]
# ## 6. The backward pass, step by step
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
          [t["f = tanh(u)"].numpy(), da.numpy(), db.numpy()], tf_values, tol=1e-6)

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
          None if real_tf is None else neuron_tape(real_tf), tol=1e-6)
L.compare("g = x/y + exp(x-y): [g, dg/dx, dg/dy] (minitf tape vs TF)", g_values,
          None if real_tf is None else g_tape(real_tf), tol=1e-6)

print("\nthe small engine beside minitf's tape:")
engine_vs_tape = 0.0
for fn_name, values in engine.items():
    for key, mine in values.items():
        theirs = tape_grads[fn_name][key]
        engine_vs_tape = max(engine_vs_tape, abs(mine - theirs))
        what = "value" if key == "value" else f"d/d{key}"
        print(f"  {fn_name:>6} {what:>8}: engine {mine: .12f}   tape {theirs: .12f}   |diff| {abs(mine - theirs):.2g}")
print(f"largest |engine - tape| = {engine_vs_tape:.3g}")

# %% [markdown]
# ## 7. Persistent tapes
# A tape frees its record after the first `gradient` call: the record can be large (it
# holds every intermediate tensor), and most training steps need one gradient. To ask
# twice, make it `persistent=True`. With $y = x^2$ and $z = y^2$ at $x = 3$:
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
          None if tf_persistent is None else list(tf_persistent[:2]), tol=1e-6)

# %% [markdown]
# ## 8. What the tape watches
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
              [watch_tf[k].numpy() for k in list(watch_tf)[1:]], tol=1e-6)

# %% [markdown]
# ## 9. Nested tapes: second derivatives
# Every op's backward is itself written in minitf ops. So when an **outer** tape is recording
# while the inner tape computes its gradient, the outer tape records that backward pass, and
# can differentiate it again:
#
# $$\frac{d}{dx} x^3 = 3x^2, \qquad \frac{d^2}{dx^2} x^3 = 6x = 12 \text{ at } x = 2;$$
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


_, d1_cube, d2_cube = second_derivative(minitf, lambda fw, x: x ** 3, 2.0)
d1_cube, d2_cube = float(d1_cube), float(d2_cube)
print(f"x^3 at 2: first derivative {d1_cube:g} (3x^2 = 12), second derivative {d2_cube:g} (6x = 12)")
L.compare("d/dx and d2/dx2 of x^3 at 2 (minitf vs TF)", [d1_cube, d2_cube],
          None if real_tf is None else list(second_derivative(real_tf, lambda fw, x: x ** 3, 2.0)[1:]), tol=1e-6)

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
          None if tf_tanh is None else list(tf_tanh), tol=1e-6)

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(grid, y_tanh, lw=2, label="tanh(x)")
ax.plot(grid, d1_tanh, lw=2, label="tanh'(x), one tape")
ax.plot(grid, d2_tanh, lw=2, label="tanh''(x), two nested tapes")
ax.plot(grid[::10], (-2 * th * (1 - th ** 2))[::10], "k.", label="formula -2 tanh (1 - tanh^2)")
if tf_tanh is not None:
    ax.plot(grid, tf_tanh[2], "--", color="gray", lw=1, label="tanh'' under tf.GradientTape")
ax.axhline(0, color="gray", lw=0.5)
ax.set_xlabel("x")
ax.set_title("tanh and its derivatives from nested GradientTapes")
ax.legend(fontsize=8)
L.savefig(fig, "tanh_derivatives")

# %% [markdown]
# ## 10. Jacobians
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
          None if real_tf is None else jacobian_of(real_tf), tol=1e-6)

# %% [markdown]
# ## Exercises
# 1. (micrograd) Add `relu` to `Value`: forward $\max(0, x)$, backward `self.grad += (out.data > 0) * out.grad`.
#    Build a neuron with relu instead of tanh and check its gradients against `minitf.nn.relu` under a tape.
# 2. (micrograd) Add `log` to `Value` (backward: $1/x$). Use it to write binary crossentropy
#    $-y\log p - (1-y)\log(1-p)$ and check $\partial/\partial p$ against the tape.
# 3. `x / y` is built as `x * y**-1`. Derive $\partial(x/y)/\partial x$ and $\partial(x/y)/\partial y$
#    by the quotient rule, then check the engine at five points. What happens near $y = 0$?
# 4. Why does `backward()` reset every `grad` to 0 before it starts? Remove that line, call
#    `f.backward()` twice, and explain the result.
# 5. Compute the Hessian of $h(x) = x_0^2 x_1 + \sin(x_0 x_1)$ at $(1, 2)$ with a `tape.jacobian`
#    of a gradient taken inside it (nested tapes), and check it against the 2x2 matrix you
#    derive by hand. Is it symmetric?
# 6. Count the backward passes: for $\mathbf y: \mathbb R^{1000} \to \mathbb R^{3}$, how many does
#    reverse mode need for the full jacobian, and how many would forward mode need?

# %%
L.summary(
    inputs={"f": {"a": A0, "b": B0}, "neuron": NEURON, "g": {"x": X0, "y": Y0}},
    engine=engine,
    tape=tape_grads,
    engine_vs_tape_max_diff=engine_vs_tape,
    persistent={"dz_dx": dz_dx, "dy_dx": dy_dx, "reuse_error": reuse_error},
    unwatched_constant_gradient_is_none=unwatched_is_none,
    none_pattern_same_as_tf=same_nones,
    cube_derivatives_at_2={"first": d1_cube, "second": d2_cube},
    tanh_at={"x": TANH_AT, "tanh": tanh_at[0], "first": tanh_at[1], "second": tanh_at[2]},
    tanh_formula_max_diff=tanh_formula_diff,
    jacobian={"x": JAC_X, "matrix": jacobian},
    jacobian_formula_max_diff=jacobian_formula_diff,
)
