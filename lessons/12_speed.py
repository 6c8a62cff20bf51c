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
# # Lesson 12: Speed
# > The same model eager, traced, and under TF: where a training step's time goes, and how
# > tracing takes the overhead away.
#
# A training step of the circles network (2-100-10-1, Adam) does little arithmetic: a few
# small matrix products and some elementwise passes over arrays of a few thousand numbers.
# NumPy does each of those in about a microsecond. Yet run eagerly, op by op, a step costs much
# more than the sum of its kernels: every op also pays for Python, for dispatch, for checks,
# for the Tensor objects it makes and for the tape that records it.
#
# `tf.function` is how TensorFlow removes that cost, and minitf does the same: trace the step
# once into a graph, then *replay* the graph's kernels with none of the rest. This lesson
# measures it.
#
# Timings depend on the machine and on what else it is doing: the numbers printed here change
# from run to run; the ratios between them are what the lesson is about.

# %%
try:  # run as a plain script, or as a notebook, from inside lessons/: the _common beside this file
    import _common as L
except ImportError:  # the runner, or a notebook elsewhere: the lessons package
    from lessons import _common as L

L.begin("12_speed")

import time

import numpy as np

import minitf
from minitf.datasets import make_circles

tf = L.tf_or_none()
N, BATCH = L.pick(1024, 256), 32
x, y = make_circles(N, noise=0.03, seed=42)
x, y = x.astype(np.float32), y.astype(np.float32).reshape(-1, 1)


def build(fw):
    model = fw.keras.Sequential([
        fw.keras.Input((2,)),
        fw.keras.layers.Dense(100, activation="relu"),
        fw.keras.layers.Dense(10, activation="relu"),
        fw.keras.layers.Dense(1, activation="sigmoid"),
    ])
    return model


def time_per_step(model, epochs: int) -> float:
    """Seconds per training step of ``model.fit`` (the best of ``epochs`` one-epoch fits)."""
    steps = -(-len(x) // BATCH)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)  # warm up (and trace)
    best = float("inf")
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        best = min(best, (time.perf_counter() - start) / steps)
    return best


# %% [markdown]
# ## 1. The same model three ways
#
# `compile(run_eagerly=True)` runs each step op by op, the way lessons 02 to 04 computed by
# hand. The default, `run_eagerly=False`, traces the step (model, loss, gradients, Adam, the
# loss tracker) the first time it sees a batch of that shape, then replays it. Under
# TensorFlow, Keras does the same with TF's graphs.

# %%
REPEATS = L.pick(5, 2)
minitf.keras.utils.set_random_seed(42)  # the same initial weights, so the same losses, on every run
weights = build(minitf).get_weights()
results = {}
for label, eager in (("minitf, eager", True), ("minitf, traced", False)):
    model = build(minitf)
    model.set_weights(weights)
    model.compile(optimizer=minitf.keras.optimizers.Adam(0.01), loss="binary_crossentropy", run_eagerly=eager)
    results[label] = time_per_step(model, REPEATS)
if tf is not None:
    keras_model = build(tf)
    keras_model.set_weights(weights)
    keras_model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    results["Keras (TF), traced"] = time_per_step(keras_model, REPEATS)

print("time per training step (measured now: varies from run to run)")
for label, seconds in results.items():
    L.measured(f"  {label:22s} {seconds * 1e6:9.1f} us")
speedup = results["minitf, eager"] / results["minitf, traced"]
L.measured(f"tracing makes minitf's step {speedup:.1f}x faster")

plt = L.pyplot()
fig, ax = plt.subplots(figsize=(6, 3))
labels = list(results)
ax.barh(labels, [results[k] * 1e6 for k in labels], color=["tab:orange", "tab:blue", "tab:gray"][:len(labels)])
ax.set_xlabel("time per training step (microseconds)")
ax.set_title("circles MLP, batch 32, Adam")
L.savefig(fig, "step_times")

# %% [markdown]
# Tracing changes the time, not the numbers: the traced and the eager step are the same
# kernels in the same order, so training gives the same history to the last bit.

# %%
histories = {}
for eager in (True, False):
    model = build(minitf)
    model.set_weights(weights)
    model.compile(optimizer=minitf.keras.optimizers.Adam(0.01), loss="binary_crossentropy", run_eagerly=eager)
    histories[eager] = model.fit(x, y, batch_size=BATCH, epochs=3, verbose=0, shuffle=False).history["loss"]
same_bits = histories[True] == histories[False]
print("eager losses: ", histories[True])
print("traced losses:", histories[False])
print("identical, bit for bit:", same_bits)
if tf is not None:
    # Keras trains the same model from the same weights; its float32 sums may round differently.
    keras_model = build(tf)
    keras_model.set_weights(weights)
    keras_model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    keras_history = keras_model.fit(x, y, batch_size=BATCH, epochs=3, verbose=0, shuffle=False).history["loss"]
    L.compare("loss per epoch, traced minitf vs Keras", histories[False], keras_history, tol=1e-5)

# %% [markdown]
# ## 2. Where an eager step's time goes
#
# A traced step runs exactly the kernels of the eager one, written out as one plain function
# (the *replay*). Timing that function alone gives the array work plus the few lines that call
# the kernels; the rest of an eager step is overhead: Python running the model's code,
# dispatch and checks in every op, Tensor objects, and the tape.

# %%
model = build(minitf)
model.set_weights(weights)
model.compile(optimizer=minitf.keras.optimizers.Adam(0.01), loss="binary_crossentropy")
model.fit(x[:BATCH], y[:BATCH], batch_size=BATCH, epochs=1, verbose=0)
concrete = next(iter(model._traced_steps["train"]._concrete.values()))
graph = concrete.graph
operations = graph.get_operations()
print(f"the traced training step: {len(operations)} operations, e.g.")
for op in operations[:6]:
    print("   ", op)

arrays = [minitf.array_backend.xp.asarray(a) for a in (x[:BATCH], y[:BATCH])]  # the replay takes backend arrays
replay_times = []
for _ in range(L.pick(7, 3)):
    start = time.perf_counter()
    for _ in range(L.pick(100, 20)):
        concrete._replay(*arrays)
    replay_times.append((time.perf_counter() - start) / L.pick(100, 20))
replay_step = min(replay_times)
eager_step, traced_step = results["minitf, eager"], results["minitf, traced"]
print("one step, split (measured now: varies from run to run)")
L.measured(f"  eager:  {eager_step * 1e6:8.1f} us = {replay_step * 1e6:7.1f} us of kernels + "
           f"{(eager_step - replay_step) * 1e6:7.1f} us of overhead")
L.measured(f"  traced: {traced_step * 1e6:8.1f} us = {replay_step * 1e6:7.1f} us of kernels + "
           f"{max(traced_step - replay_step, 0) * 1e6:7.1f} us for fit's loop (slicing batches, calling the replay)")

fig, ax = plt.subplots(figsize=(6, 2.6))
for row, (label, total) in enumerate((("eager", eager_step), ("traced", traced_step))):
    ax.barh(row, replay_step * 1e6, color="tab:blue", label="kernels (the replay)" if row == 0 else None)
    ax.barh(row, max(total - replay_step, 0) * 1e6, left=replay_step * 1e6, color="tab:red",
            label="everything else (Python, dispatch, tape / fit's loop)" if row == 0 else None)
ax.set_yticks([0, 1], ["eager", "traced"])
ax.set_xlabel("time per training step (microseconds)")
ax.legend(loc="lower right", fontsize=8)
L.savefig(fig, "step_profile")

# %% [markdown]
# ## 3. What the replay does
#
# The trace is a list of operations. `minitf/compiler.py` turns it into one Python function:
# it drops what nothing needs, computes constants once, merges repeated work (Adam's bias
# correction is the same for every weight), writes one-line kernels in place, and frees each
# array after its last use. Here is the start of the code it wrote for this step; it reads
# like NumPy written by hand, because that is what it is:

# %%
source = graph.source
lines = source.splitlines()
print("\n".join(lines[:24]))
print(f"... {len(lines)} lines in all, for {len(operations)} traced operations")

# %% [markdown]
# Large arrays get one more pass, **loop fusion**. Adam's update of a weight is a dozen
# elementwise steps; on a big matrix (an embedding of 10000 words) each step would stream the
# whole matrix through memory. Fused, all dozen run on one block of rows while it sits in the
# CPU's cache, then the next block. The new values go straight into the old arrays when the
# replay finds, as it runs, that nothing but the variable holds them (`_only_the_variable_holds`,
# a count of references, as TF's kernels decide): no second matrix to bring into the cache.
# A value you read before (`big.value()`) keeps its numbers; the update then writes a new array.

# %%
big = minitf.Variable(np.zeros((20000, 64), np.float32))
optimizer = minitf.keras.optimizers.Adam(0.01)


@minitf.function
def update(gradient):
    optimizer.apply_gradients([(gradient, big)])


gradient = minitf.constant(np.random.default_rng(0).normal(size=(20000, 64)).astype(np.float32))
update(gradient)
fused = update.get_concrete_function(gradient).graph.source
start = fused.index("# fused")
print(fused[start:start + 1100])

# %% [markdown]
# Small arrays get the opposite pass, **horizontal fusion**. On a bias of 10 numbers each NumPy
# call costs far more than its arithmetic, and Adam makes a dozen calls per weight. The same
# dozen steps on every weight of the model run once, on all of them concatenated; each weight
# then takes its slice (the same numbers, element by element). From the next step on, the
# weights already hold slices of that one array: when nothing else holds it
# (`_only_the_variables_hold`), the new values are written into it, `out=` the old ones, and no
# weight needs a new slice:

# %%
group = source[source.index("# horizontal"):].splitlines()
written_in_place = [i for i, line in enumerate(group) if " is not " in line]  # (NumPy only)
shown = group[:written_in_place[0] + 3] if written_in_place else group[:16]
print("\n".join(line if len(line) < 120 else line[:116] + " ..." for line in shown))

# %% [markdown]
# ## 4. How it scales
#
# `python -m benchmarks` measures minitf against TensorFlow and hand-written NumPy over many
# sizes. Its committed results hold the curves; here is the time per training step as the
# batch grows, from the last full run.

# %%
import json  # noqa: E402
from pathlib import Path  # noqa: E402

results_file = Path(__file__).resolve().parent.parent / "benchmarks" / "results" / "latest_numpy.json" \
    if "__file__" in globals() else Path("benchmarks/results/latest_numpy.json")
scaling = None
if results_file.is_file():
    data = json.loads(results_file.read_text())
    for case in data.get("cases", []):
        if case.get("name") == "scaling":
            scaling = case
            break
if scaling is None:
    print("no committed benchmark results found (run: python -m benchmarks)")
else:
    curves: dict[str, list] = {}
    for row in scaling["rows"]:
        if row.get("params", {}).get("sweep") != "batch":
            continue
        for name, m in row["candidates"].items():
            if m.get("status") == "ok":
                curves.setdefault(name, []).append((row["params"]["batch"], m["median"] * 1e3))
    fig, ax = plt.subplots(figsize=(6, 3.2))
    colors = {"minitf": "tab:blue", "tf": "tab:gray", "numpy": "tab:green"}
    for name, points in curves.items():
        batches, ms = zip(*sorted(points))
        ax.plot(batches, ms, "o-", color=colors.get(name), label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("ms per training step")
    ax.set_title("benchmarks/results: MLP step time vs batch size")
    ax.legend(fontsize=8)
    L.savefig(fig, "scaling")

# %% [markdown]
# Under the large steps lie the matrix products, and those NumPy hands to a BLAS library
# (OpenBLAS in NumPy's wheels). OpenBLAS carries kernels for many CPUs and picks one set when it
# loads: AVX-512 kernels ("SkylakeX") on a CPU that has AVX-512, AVX2 ("Haswell") on older ones.
# The environment variable `OPENBLAS_CORETYPE` overrides the choice; some machines pin the AVX2
# kernels for safety, and on an AVX-512 CPU that halves every float32 matmul (the benchmarks'
# README has the numbers). `threadpoolctl` tells which kernels this process runs:

# %%
import os  # noqa: E402

from threadpoolctl import threadpool_info  # noqa: E402

blas = sorted({f"{i['internal_api']} {i.get('architecture') or ''}".strip() for i in threadpool_info()
               if i.get("user_api") == "blas"})  # (SciPy, when loaded, brings an OpenBLAS of its own)
print("NumPy's BLAS here:", ", ".join(blas) or "none found",
      f"(OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']})" if "OPENBLAS_CORETYPE" in os.environ else "")

# %% [markdown]
# OpenBLAS's threads have one more habit that matters on a small machine. After a product it spread
# over the cores, its worker threads do not sleep: they spin, waiting for the next product, for
# 2**28 CPU cycles (about 0.1 s). On 2 cores a spinning worker takes one of the two cores from
# whatever runs next: NumPy's ufuncs, minitf's own kernel threads, even TensorFlow in the same process.
# The same training step then took one of two times from one process to the next (the benchmarks'
# LSTM step 7.0-7.7 ms, TinyVGG at 64x64 48 or 85 ms). `import minitf` shortens that wait to
# 2**20 cycles (`shorten_blas_spin` in `minitf/parallel.py`), unless `OPENBLAS_THREAD_TIMEOUT` is
# set already: the LSTM step is then 5.3-5.7 ms, every time.

# %%
print("OpenBLAS's idle threads wait 2 **", os.environ.get("OPENBLAS_THREAD_TIMEOUT", "28 (its default)"),
      "cycles before they sleep")

# %% [markdown]
# ## 5. On a GPU
#
# With CuPy installed and a CUDA GPU present, `minitf.config.set_backend("cupy")` moves every
# array to the GPU; the same traced step replays there. On a small model the GPU's per-kernel
# launch cost dominates, which is why graphs matter even more there.

# %%
try:
    import cupy  # noqa: F401
    gpu = cupy.cuda.runtime.getDeviceCount() > 0
except Exception:  # no CuPy, or no driver
    gpu = False
if not gpu:
    print("No CUDA GPU with CuPy here: the GPU part is skipped (see README: GPU check).")
else:
    minitf.config.set_backend("cupy")
    try:
        model = build(minitf)
        model.compile(optimizer=minitf.keras.optimizers.Adam(0.01), loss="binary_crossentropy")
        L.measured(f"minitf on CuPy, traced: {time_per_step(model, REPEATS) * 1e6:.1f} us per step "
                   "(measured now: varies from run to run)")
    finally:
        minitf.config.set_backend("numpy")

# %% [markdown]
# ## Exercises
# 1. Time the eager and traced steps for a wider network (1000 units). Which part of the step
#    (kernels or overhead) grows, and why does tracing matter less there?
# 2. Read `graph.source` for a model with dropout: where does the random mask come from on each
#    replay, and why could it not be a constant?
# 3. Write a `@minitf.function` training loop by hand (GradientTape + `apply_gradients`) and
#    compare it with `fit`.

# %%
L.summary(measured_outcomes=("traced_speedup", "kernel_share_eager", "keras_over_traced"), traced_speedup=speedup, traced_faster=bool(speedup > 1.0), histories_identical=bool(same_bits),
          fused_loop=bool("# fused" in fused), replay_lines=len(lines), traced_operations=len(operations),
          kernel_share_eager=float(replay_step / eager_step), gpu=bool(gpu), blas=", ".join(blas),
          keras_over_traced=(float(results["Keras (TF), traced"] / results["minitf, traced"])
                             if "Keras (TF), traced" in results else None))
