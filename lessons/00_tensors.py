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
# # Lesson 00: Tensors
# > Create, inspect, index, combine and convert tensors: TF's fundamentals notebook 00, on minitf and TF side by side.
#
# A **tensor** is an n-dimensional array of numbers with one dtype: a scalar has rank 0,
# a vector rank 1, a matrix rank 2, an image batch rank 4. Everything a neural network
# computes is tensors in, tensors out.
#
# This lesson follows TensorFlow's "fundamentals" notebook 00, cell by cell. Each cell is
# a small function of the framework, `def cell(tf): ...`, called twice: once with
# `minitf`, once with `tensorflow` (where it is installed). Both results are printed one
# above the other, and the lesson checks that they agree: same values, same shape, same
# dtype. That is minitf's one principle: **the same code runs under `tf` and `minitf`**.

# %%
try:  # run as a plain script, or as a notebook, from inside lessons/: the _common beside this file
    import _common as L
except ImportError:  # the runner, or a notebook elsewhere: the lessons package
    from lessons import _common as L

L.begin("00_tensors")

import numpy as np

import minitf

real_tf = L.tf_or_none()  # TensorFlow, or None where it is missing (or --no-tf)
plt = L.pyplot()

# %% [markdown]
# ## 1. Creating tensors with `tf.constant`
# `tf.constant` turns Python numbers and nested lists into a tensor. Python floats become
# `float32` and Python ints `int32` (TF's defaults, chosen for speed on accelerators);
# `dtype=` asks for another. `ndim` is the rank: the number of indices needed to pick one
# number.

# %%
def constants(tf):
    scalar = tf.constant(7)
    vector = tf.constant([10, 10])
    matrix = tf.constant([[10., 7.], [3., 2.], [8., 9.]], dtype=tf.float16)
    tensor = tf.constant([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]])
    return {"scalar = tf.constant(7)": scalar, "scalar.ndim": scalar.ndim,
            "vector.ndim": vector.ndim, "matrix (float16)": matrix, "matrix.ndim": matrix.ndim,
            "tensor.ndim": tensor.ndim}


L.side_by_side("1. tf.constant", constants, real_tf,
               means="Python ints become int32 and floats float32 in both, with the same ranks")

# %% [markdown]
# ## 2. `tf.Variable`: a tensor you can change
# A constant is immutable: every op makes a new tensor. A **Variable** holds a value that
# `assign`, `assign_add` and `assign_sub` replace in place; model weights are Variables,
# and a `GradientTape` (lesson 02) watches trainable ones automatically.
#
# A slice of a Variable can be assigned to as well, as the course does with
# `changeable_tensor[0].assign(7)`; a slice of a constant has no `assign`.

# %%
def variables(tf):
    changeable = tf.Variable([10, 7])
    unchangeable = tf.constant([10, 7])
    changeable[0].assign(7)
    after_slice_assign = changeable.numpy().copy()
    changeable.assign([7, 7])
    after_assign = changeable.numpy().copy()
    changeable.assign_add([1, 2])
    return {"after [0].assign(7)": after_slice_assign, "after assign([7, 7])": after_assign,
            "after assign_add([1, 2])": changeable.numpy(),
            "constant has .assign?": hasattr(unchangeable, "assign"),
            "constant[0] has .assign?": hasattr(unchangeable[0], "assign")}


L.side_by_side("2. tf.Variable and assign", variables, real_tf,
               means="assign, assign_add and slice assignment change a Variable in place alike")

# %% [markdown]
# ## 3. Random tensors, and why minitf's numbers are not TF's
# `tf.random.Generator.from_seed(42)` is a seeded stream of pseudo-random numbers: the
# same seed gives the same numbers every time, which is what makes experiments repeatable.
#
# Both frameworks draw from the same *distributions*, but with different *algorithms*:
# TensorFlow uses Philox, a counter-based generator; minitf uses NumPy's PCG64 (so the
# same seed gives the same numbers on CPU and GPU). A seed is only an input to an
# algorithm, so the same seed gives different numbers in the two frameworks. That is why,
# to compare two models, we never hope for equal seeds: we copy the weights
# (`set_weights(get_weights())`).
#
# Seeds in TF come in two levels: `tf.random.set_seed` (global) and `seed=` on one op.
# With both fixed, re-setting the global seed repeats the sequence.

# %%
def random_tensors(tf):
    first = tf.random.Generator.from_seed(42).normal(shape=(3, 2))
    again = tf.random.Generator.from_seed(42).normal(shape=(3, 2))
    not_shuffled = tf.constant([[10, 7], [3, 4], [2, 5]])
    tf.random.set_seed(42)
    shuffled = tf.random.shuffle(not_shuffled, seed=42)
    tf.random.set_seed(42)
    shuffled_again = tf.random.shuffle(not_shuffled, seed=42)
    return {"Generator.from_seed(42).normal((3, 2))": first,
            "same seed, same numbers?": bool(tf.reduce_all(first == again)),
            "shuffle after set_seed(42)": shuffled,
            "same after set_seed(42) again?": bool(tf.reduce_all(shuffled == shuffled_again))}


mine, theirs = L.side_by_side("3. random tensors (values differ by design)", random_tensors, real_tf, check=False)
flags = ["same seed, same numbers?", "same after set_seed(42) again?"]
L.compare("3. random: seeds repeat within each framework", [mine[k] for k in flags],
          None if theirs is None else [theirs[k] for k in flags], tol=0.0,
          means="in each framework a seed repeats its own numbers, though the numbers differ")

# %% [markdown]
# The numbers differ, the *distribution* does not. Draw 10 000 normal samples from each
# framework and overlay their histograms on the density $\frac{1}{\sqrt{2\pi}} e^{-x^2/2}$:

# %%
n_samples = L.pick(10_000, 2_000)
samples = {"minitf": minitf.random.Generator.from_seed(0).normal((n_samples,)).numpy()}
if real_tf is not None:
    samples["TensorFlow"] = real_tf.random.Generator.from_seed(0).normal((n_samples,)).numpy()
fig, ax = plt.subplots(figsize=(6, 3.5))
grid = np.linspace(-4, 4, 200)
ax.plot(grid, np.exp(-grid ** 2 / 2) / np.sqrt(2 * np.pi), "k-", lw=1, label="N(0, 1) density")
for (label, values), style in zip(samples.items(), ["C0", "C1"]):
    ax.hist(values, bins=40, range=(-4, 4), density=True, histtype="step", color=style, lw=1.5,
            label=f"{label}: mean {values.mean():+.3f}, std {values.std():.3f}")
ax.set_title(f"{n_samples} draws of normal(0, 1) from the seed 0")
ax.set_xlabel("value drawn")
ax.set_ylabel("density (fraction per unit of x)")
ax.legend(fontsize=8)
L.savefig(fig, "random_normal_hist")
normal_mean, normal_std = float(samples["minitf"].mean()), float(samples["minitf"].std())

# %% [markdown]
# ## 4. Shape, rank and size
# * **shape**: the length of each dimension, `(2, 3, 4, 5)`;
# * **rank** (`ndim`): the number of dimensions, 4;
# * **size**: the number of elements, $2 \cdot 3 \cdot 4 \cdot 5 = 120$.

# %%
def shape_rank_size(tf):
    rank_4 = tf.zeros([2, 3, 4, 5])
    return {"dtype": rank_4.dtype, "ndim": rank_4.ndim, "shape": tuple(rank_4.shape),
            "shape[0]": rank_4.shape[0], "shape[-1]": rank_4.shape[-1],
            "tf.size(rank_4)": tf.size(rank_4), "tf.rank(rank_4)": tf.rank(rank_4),
            "tf.shape(rank_4)": tf.shape(rank_4)}


L.side_by_side("4. shape, rank, size", shape_rank_size, real_tf,
               means="tf.size, tf.rank and tf.shape are int32 tensors in both")

# %% [markdown]
# ## 5. Indexing, `expand_dims` and `squeeze`
# Tensors index like Python lists and NumPy arrays: `x[:2]` takes the first two rows,
# `x[:, -1]` the last column, `x[..., tf.newaxis]` adds an axis at the end (as does
# `tf.expand_dims(x, axis=-1)`). `tf.squeeze` removes every axis of length 1.

# %%
def indexing(tf):
    rank_4 = tf.zeros([2, 3, 4, 5])
    rank_2 = tf.constant([[10, 7], [3, 4]])
    G = tf.constant(np.arange(50), shape=(1, 1, 1, 1, 50))
    return {"rank_4[:2, :2, :2, :2].shape": tuple(rank_4[:2, :2, :2, :2].shape),
            "rank_4[:1, :1, :1, :].shape": tuple(rank_4[:1, :1, :1, :].shape),
            "rank_2[:, -1]": rank_2[:, -1],
            "rank_2[..., tf.newaxis]": rank_2[..., tf.newaxis],
            "tf.expand_dims(rank_2, axis=0).shape": tuple(tf.expand_dims(rank_2, axis=0).shape),
            "G.shape": tuple(G.shape), "tf.squeeze(G).shape": tuple(tf.squeeze(G).shape)}


L.side_by_side("5. indexing, expand_dims, squeeze", indexing, real_tf, means="NumPy's indexing rules, in both")

# %% [markdown]
# ## 6. Arithmetic
# `+ - * /` work elementwise, and a scalar is *broadcast* to every element. Note `/`:
# integer tensors divided give `float64`, as Python's `7 / 2 == 3.5` does.

# %%
def arithmetic(tf):
    tensor = tf.constant([[10, 7], [3, 4]])
    return {"tensor + 10": tensor + 10, "tensor * 10": tensor * 10, "tensor - 10": tensor - 10,
            "tf.multiply(tensor, 10)": tf.multiply(tensor, 10), "tensor / 2": tensor / 2}


L.side_by_side("6. arithmetic", arithmetic, real_tf, means="int32 / int gives float64 in both")

# %% [markdown]
# ## 7. Matrix multiplication and its shape rule
# For $A$ of shape $(m, k)$ and $B$ of shape $(k, n)$, the product $C = AB$ has shape
# $(m, n)$ and
# $$C_{ij} = \sum_{l=1}^{k} A_{il} B_{lj}.$$
# Two rules: the **inner** dimensions must match ($k$ and $k$), and the result has the
# **outer** dimensions ($m$ and $n$). `tensor * tensor` is *elementwise*, not a matrix product.

# %%
def matmul(tf):
    tensor = tf.constant([[10, 7], [3, 4]])
    return {"tf.matmul(tensor, tensor)": tf.matmul(tensor, tensor), "tensor @ tensor": tensor @ tensor,
            "tensor * tensor (elementwise)": tensor * tensor}


L.side_by_side("7. matrix multiplication", matmul, real_tf, means="the same integer products: no rounding at all")

# %% [markdown]
# `X` and `Y` below both have shape $(3, 2)$: the inner dimensions are 2 and 3, so `X @ Y`
# is an error. Both frameworks say so and show the shapes they saw:

# %%
def matmul_error(tf):
    X = tf.constant([[1, 2], [3, 4], [5, 6]])
    Y = tf.constant([[7, 8], [9, 10], [11, 12]])
    try:
        tf.matmul(X, Y)
        return {"tf.matmul(X, Y)": "no error?!"}
    except Exception as error:  # noqa: BLE001 (the lesson shows whatever each framework raises)
        return {"tf.matmul(X, Y)": f"{type(error).__name__}: {str(error).strip()}"}


errors, tf_errors = L.side_by_side("7b. a shape mismatch", matmul_error, real_tf, check=False)
matmul_error_message = errors["tf.matmul(X, Y)"]

# %% [markdown]
# ## 8. Reshape versus transpose
# To fix the product we need a $(2, 3)$ matrix from `Y`. Two ways give that shape, with
# different contents:
# * `tf.reshape(Y, (2, 3))` reads the numbers in row-major order and refills the rows;
# * `tf.transpose(Y)` flips the matrix over its diagonal: $Y^T_{ij} = Y_{ji}$.
#
# Only the transpose keeps the rows of `Y` as columns, which is what the product
# $X Y^T$ (every row of `X` against every row of `Y`) means. `tf.tensordot` with
# `axes=1` is matmul's general form.

# %%
def reshape_transpose(tf):
    X = tf.constant([[1, 2], [3, 4], [5, 6]])
    Y = tf.constant([[7, 8], [9, 10], [11, 12]])
    return {"tf.reshape(Y, (2, 3))": tf.reshape(Y, (2, 3)), "tf.transpose(Y)": tf.transpose(Y),
            "X @ reshape(Y)": tf.matmul(X, tf.reshape(Y, (2, 3))),
            "X @ transpose(Y)": tf.matmul(X, tf.transpose(Y)),
            "tensordot(transpose(X), Y, axes=1)": tf.tensordot(tf.transpose(X), Y, axes=1)}


shapes_cell, _ = L.side_by_side("8. reshape vs transpose", reshape_transpose, real_tf,
                                means="reshape refills rows, transpose swaps axes, in both")

Y_np = np.array([[7, 8], [9, 10], [11, 12]])
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
for ax, (title, grid) in zip(axes, [("Y  (3, 2)", Y_np), ("tf.reshape(Y, (2, 3))", shapes_cell["tf.reshape(Y, (2, 3))"].numpy()),
                                     ("tf.transpose(Y)  (2, 3)", shapes_cell["tf.transpose(Y)"].numpy())]):
    ax.imshow(grid, cmap="viridis", vmin=6, vmax=13)
    for (i, j), v in np.ndenumerate(grid):
        ax.text(j, i, str(v), ha="center", va="center", color="white", fontsize=12)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("same shape, different meaning: colours follow the numbers", y=1.04)
L.savefig(fig, "reshape_vs_transpose")

# %% [markdown]
# ## 9. Changing the dtype with `tf.cast`
# `float16` halves memory (mixed precision); `cast` from float to int **truncates toward
# zero**: 1.7 becomes 1 and -7.4 becomes -7. TF never converts dtypes silently, so
# `float32 + int32` is an error; cast first.

# %%
def casting(tf):
    B = tf.constant([1.7, -7.4])
    C = tf.constant([7, 10])
    return {"B.dtype": B.dtype, "tf.cast(B, tf.float16)": tf.cast(B, tf.float16),
            "tf.cast(B, tf.int32)": tf.cast(B, tf.int32), "tf.cast(C, tf.float32)": tf.cast(C, tf.float32)}


L.side_by_side("9. tf.cast", casting, real_tf, means="float to int truncates toward zero in both")

# %% [markdown]
# ## 10. Aggregating: `reduce_*`
# A reduction collapses a tensor (or one axis of it) to a summary: min, max, mean, sum,
# variance $\frac1n \sum_i (x_i - \bar x)^2$ and standard deviation (its square root).
# Careful with integer tensors: `reduce_mean` of ints is an integer (it truncates), and
# `reduce_std` needs floats. The data here come from NumPy with a fixed seed, so both
# frameworks see the same numbers.

# %%
D_values = np.random.default_rng(42).integers(-100, 100, size=50).astype(np.int32)


def aggregation(tf):
    D = tf.constant(D_values)
    Df = tf.cast(D, tf.float32)
    return {"tf.abs(D)[:8]": tf.abs(D)[:8], "tf.reduce_min(D)": tf.reduce_min(D),
            "tf.reduce_max(D)": tf.reduce_max(D), "tf.reduce_mean(D) (int!)": tf.reduce_mean(D),
            "tf.reduce_sum(D)": tf.reduce_sum(D), "tf.math.reduce_variance(float D)": tf.math.reduce_variance(Df),
            "tf.math.reduce_std(float D)": tf.math.reduce_std(Df),
            "tf.reduce_sum(matrix, axis=0)": tf.reduce_sum(tf.reshape(D[:6], (2, 3)), axis=0)}


L.side_by_side("10. reduce_*", aggregation, real_tf, tol=1e-5,
               means="the integer mean truncates in both; float32 sums may round in another order")

# %% [markdown]
# ## 11. Positional maximum and minimum, one-hot encoding
# `tf.argmax` gives the *index* of the largest value (int64). A classifier's prediction is
# the argmax of its output. **One-hot** encoding turns a class index $k$ into a vector with
# a 1 in place $k$ and 0 elsewhere: the form crossentropy losses compare probabilities to.

# %%
F_values = np.random.default_rng(42).uniform(size=50).astype(np.float32)


def positional(tf):
    F = tf.constant(F_values)
    return {"tf.argmax(F)": tf.argmax(F), "tf.argmin(F)": tf.argmin(F), "F[tf.argmax(F)]": F[tf.argmax(F)],
            "tf.reduce_max(F) == F[tf.argmax(F)]": bool(tf.reduce_max(F) == F[tf.argmax(F)]),
            "tf.one_hot([0, 1, 2, 3], depth=4)": tf.one_hot([0, 1, 2, 3], depth=4),
            "one_hot, on_value=5., off_value=-1.": tf.one_hot([0, 2], depth=3, on_value=5., off_value=-1.)}


L.side_by_side("11. argmax, argmin, one_hot", positional, real_tf, means="argmax and argmin are int64 in both")

# %% [markdown]
# ## 12. Squares, square roots, logs
# `tf.sqrt` and `tf.math.log` are defined for floating-point tensors only: on an `int32`
# tensor both frameworks refuse (the error differs in words), so cast first.

# %%
def math_ops(tf):
    H = tf.range(1, 10)
    Hf = tf.cast(H, tf.float32)
    return {"H": H, "tf.square(H)": tf.square(H), "tf.sqrt(float H)": tf.sqrt(Hf),
            "tf.math.log(float H)": tf.math.log(Hf)}


L.side_by_side("12. square, sqrt, log", math_ops, real_tf, tol=1e-6,
               means="the square of an int32 stays int32; sqrt and log are float32")

# %% [markdown]
# ## 13. Tensors and NumPy
# A tensor converts to a NumPy array with `.numpy()` or `np.array(t)`, and a NumPy array
# to a tensor with `tf.constant`. Mind the default dtypes: a NumPy array of floats is
# `float64` and stays so; a Python list of floats becomes `float32`.

# %%
def numpy_interop(tf):
    J = tf.constant(np.array([3., 7., 10.]))
    return {"tf.constant(np.array([3., 7., 10.]))": J, "np.array(J)": np.array(J),
            "type(J.numpy())": type(J.numpy()).__name__, "J.numpy()[0]": J.numpy()[0],
            "tf.constant([3., 7., 10.]).dtype": tf.constant([3., 7., 10.]).dtype}


L.side_by_side("13. NumPy interop", numpy_interop, real_tf,
               means="a NumPy float64 array stays float64, a list of floats becomes float32")

# %% [markdown]
# ## What we found
# Every cell above ran twice, once per framework. The summary lists the cells that
# disagreed (there should be none, apart from the random values, which differ by design).

# %%
X_np = np.array([[1, 2], [3, 4], [5, 6]])
result = L.summary(
    cells_compared=sum(1 for name in L._state.comparisons if not name.startswith("3.")),
    mismatches={name: c["mismatch"] for name, c in L._state.comparisons.items() if c.get("mismatch")},
    seeded_generator_repeats=bool(mine["same seed, same numbers?"]),
    normal_mean=normal_mean, normal_std=normal_std, normal_samples=n_samples,
    X_times_Y_transposed=shapes_cell["X @ transpose(Y)"].numpy(),
    reshape_Y=shapes_cell["tf.reshape(Y, (2, 3))"].numpy(),
    matmul_error=matmul_error_message,
)

# %% [markdown]
# ## Exercises
# In the spirit of the fundamentals notebook's exercises; try each under `minitf` and,
# if you have it, under `tensorflow`, with the same code.
# Exercises marked **(checked: `name`)** have a function to write in `lessons/exercises/00_answers.py`:
# `python -m lessons check 00` copies the template there the first time, and from then on runs
# your answers against tests, saying for each what it expected and what came back. Worked
# solutions are in `lessons/solutions/00_answers.py` (look after trying).
# 1. Create a vector, a scalar, a matrix and a tensor with values of your choosing using
#    `tf.constant()`. Print their shape, rank and size.
# 2. Create two tensors of random values between 0 and 1 with shape `[5, 300]`
#    (`tf.random.uniform`). Multiply them with matrix multiplication: which one must you
#    transpose, and what shape do you get? Then do it with `tf.tensordot`. **(checked: `matmul_of`)**
# 3. Create a tensor of shape `[224, 224, 3]` with random values in $[0, 1)$ and find its
#    minimum and maximum along each axis. **(checked: `min_max_along_axes`)**
# 4. Create a tensor of shape `[1, 224, 224, 3]` and `squeeze` it to `[224, 224, 3]`. **(checked: `squeeze_batch`)**
# 5. Make a tensor of 10 values of your choice, find the index of the largest, and
#    one-hot encode that index with `depth=10`. **(checked: `one_hot_of_largest`)**
# 6. Run cell 3 twice with `tf.random.uniform((2,), seed=1)` called twice in a row. In TF
#    the two calls give different numbers (an op seed starts a sequence); what does minitf
#    do, and why does it not matter for comparing models?
