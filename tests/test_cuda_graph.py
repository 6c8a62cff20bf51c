"""Traced functions replayed as captured CUDA graphs (minitf/cuda_graph.py; compiler.py's docstring).

The capture tests need CuPy's API: they run under ``MINITF_BACKEND=cupy-standin`` (CI runs the
unit suite so), whose capture records and runs nothing, as CUDA's does, so that a result which
relied on the capture having computed would be NaN here. The switches and the op list are
checked on every backend.
"""
import importlib
import logging

import numpy as np
import pytest

import minitf as tf
from benchmarks import models as M
from minitf import array_backend as B
from minitf import cuda_graph

on_cupy = pytest.mark.skipif(B.name not in ("cupy", "cupy-standin"), reason=(
    "CUDA-graph capture exists on CuPy only: run with MINITF_BACKEND=cupy-standin (or cupy on a GPU)"))
standin_only = pytest.mark.skipif(B.name != "cupy-standin", reason=(
    "counts host copies with the CuPy stand-in: run with MINITF_BACKEND=cupy-standin"))


@pytest.fixture(autouse=True)
def _jit_off():
    yield
    cuda_graph.set_jit(False)


def _graph_of(fn, *args):
    return fn.get_concrete_function(*args).cuda_graph


# --- the switches -------------------------------------------------------------------------------
def test_the_switches_answer_as_tf_and_only_cupy_captures():
    assert tf.config.optimizer.get_jit() == ""
    tf.config.optimizer.set_jit(True)
    assert tf.config.optimizer.get_jit() == "autoclustering"
    on_gpu = B.name != "numpy"
    assert cuda_graph.wanted(None) is on_gpu and cuda_graph.wanted(False) is False
    tf.config.optimizer.set_jit(False)
    assert tf.config.optimizer.get_jit() == "" and cuda_graph.wanted(None) is False
    assert cuda_graph.wanted(True) is on_gpu
    with pytest.raises(ValueError, match="set_jit"):
        tf.config.optimizer.set_jit("xla")


def test_every_capturable_op_name_is_an_op():
    for name in cuda_graph.CAPTURABLE_OPS:
        module, cls = name.rsplit(".", 1)
        op = getattr(importlib.import_module(module), cls, None)
        assert op is not None and hasattr(op, "forward"), f"{name} in CAPTURABLE_OPS is not an op"
        assert not getattr(op, "may_assign_variables", False), f"{name}: control flow decides on the host"


@on_cupy
def test_one_line_ufunc_kernels_are_capturable_and_others_are_not():
    from minitf.ops import elementwise, logging_ops, shape_ops

    assert cuda_graph._ufunc_formula(elementwise.Neg) and cuda_graph._ufunc_formula(elementwise.Maximum)
    assert not cuda_graph._ufunc_formula(shape_ops.Reshape)  # (a method call, not a ufunc: listed by name)
    assert not cuda_graph._ufunc_formula(logging_ops.PrintV2) and not cuda_graph._ufunc_formula(elementwise.Where)


# --- training steps: the same bits with and without capture ------------------------------------
def _mlp():
    return M.build_circles_mlp(tf, hidden=16, hidden2=8), tf.keras.losses.BinaryCrossentropy(), M.circles_data(64)


def _cnn():
    model = tf.keras.Sequential([
        tf.keras.Input((8, 8, 1)),
        tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(3),
    ])
    rng = np.random.default_rng(1)
    data = rng.random((64, 8, 8, 1), dtype=np.float32), rng.integers(0, 3, 64).astype(np.int64)
    return model, tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), data


def _gru():
    model = tf.keras.Sequential([tf.keras.Input((3, 4)), tf.keras.layers.GRU(4), tf.keras.layers.Dense(3)])
    rng = np.random.default_rng(2)
    data = rng.random((64, 3, 4), dtype=np.float32), rng.integers(0, 3, 64).astype(np.int64)
    return model, tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), data


def _train(make, jit_compile: bool, steps: int = 6):
    tf.keras.utils.set_random_seed(0)
    model, loss_fn, (x, y) = make()
    optimizer = tf.keras.optimizers.Adam(0.01)

    @tf.function(jit_compile=jit_compile)
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    batches = [(tf.constant(x[i:i + 16]), tf.constant(y[i:i + 16])) for i in range(0, 64, 16)]
    losses = [step(*batches[i % len(batches)]).numpy() for i in range(steps)]
    return losses, [w.numpy() for w in model.weights + optimizer.variables], _graph_of(step, *batches[0])


@on_cupy
@pytest.mark.parametrize("make", [_mlp, _cnn, _gru], ids=["mlp", "cnn", "gru"])
def test_a_captured_train_step_gives_the_bits_of_the_ordinary_replay(make):
    losses, weights, graph = _train(make, jit_compile=False)
    assert graph is None
    captured_losses, captured_weights, graph = _train(make, jit_compile=True)
    # warm-up, capture (and its first launch), then launches only: the graph did the work
    assert graph.status.startswith("captured") and graph.captures == 1 and graph.launches == 5, graph.status
    assert [lo.tobytes() for lo in losses] == [lo.tobytes() for lo in captured_losses]
    assert len(weights) == len(captured_weights)
    for w, c in zip(weights, captured_weights):
        assert w.tobytes() == c.tobytes()


def _model_fit(jit_compile):
    tf.keras.utils.set_random_seed(0)
    model = M.compile_circles_mlp(tf, M.build_circles_mlp(tf, hidden=16, hidden2=8))
    model.compile(optimizer=model.optimizer, loss="binary_crossentropy", jit_compile=jit_compile)
    return model


@standin_only
def test_fit_with_capture_gives_the_same_history_and_copies_no_more_to_the_host():
    from minitf._cupy_standin import counting

    x, y = M.circles_data(64)
    runs = []
    for jit_compile in (False, True):
        model = _model_fit(jit_compile)
        with counting() as seen:
            history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
        runs.append((history.history, [w.numpy() for w in model.weights], seen, model))
    (plain, plain_w, plain_seen, _), (captured, captured_w, captured_seen, model) = runs
    assert plain == captured
    assert all(a.tobytes() == b.tobytes() for a, b in zip(plain_w, captured_w))
    assert captured_seen.host_copies == plain_seen.host_copies, captured_seen.copy_sites
    assert captured_seen.host_to_device == plain_seen.host_to_device
    graph = next(iter(model._traced_steps["train"]._concrete.values())).cuda_graph
    # Each epoch's metric reset gives the loss tracker new arrays, copied into the graph's: one capture.
    assert graph.status.startswith("captured") and graph.captures == 1 and graph.launches == 11, graph.status


# --- what a captured function hands out and what it notices -------------------------------------
@on_cupy
def test_outputs_are_copies_never_the_graphs_buffers():
    v = tf.Variable(np.arange(4, dtype=np.float32))

    @tf.function(jit_compile=True)
    def f(x):
        v.assign_add(x)
        return v.read_value(), x * 2.0

    x = tf.constant(np.ones(4, np.float32))
    results = [f(x) for _ in range(4)]
    assert _graph_of(f, x).launches == 3
    first_value, first_double = results[2]
    first_value._value[...] = -7.0  # writing into a result changes nothing the graph holds
    first_double._value[...] = -7.0
    value, double = f(x)
    assert value.numpy().tolist() == [5.0, 6.0, 7.0, 8.0] and double.numpy().tolist() == [2.0] * 4
    assert v.numpy().tolist() == [5.0, 6.0, 7.0, 8.0]
    assert results[3][0].numpy().tolist() == [4.0, 5.0, 6.0, 7.0]  # an earlier result keeps its value


@on_cupy
def test_a_variable_given_a_new_array_is_noticed():
    v = tf.Variable(np.zeros(3, np.float32))

    @tf.function(jit_compile=True)
    def f(x):
        v.assign(v * 2.0 + x)
        return tf.reduce_sum(v)

    x = tf.constant(np.ones(3, np.float32))
    for _ in range(4):
        f(x)
    assert v.numpy().tolist() == [15.0] * 3
    graph = _graph_of(f, x)
    # Eagerly: a new array. The graph's array is held by nothing else: the new value is copied into it.
    v.assign(np.full(3, 100.0, np.float32))
    assert f(x).numpy() == 3 * 201.0 and v.numpy().tolist() == [201.0] * 3
    assert graph.captures == 1 and graph.launches == 4
    # Now a read holds the graph's array: the graph may not write into it any more, and is captured again.
    before = v.value()
    v.assign(np.full(3, 1.0, np.float32))
    assert f(x).numpy() == 9.0 and v.numpy().tolist() == [3.0] * 3
    f(x)
    assert v.numpy().tolist() == [7.0] * 3 and before.numpy().tolist() == [201.0] * 3
    assert graph.captures == 2 and graph.status.startswith("captured"), graph.status


@on_cupy
def test_a_value_read_before_a_call_keeps_its_value():
    v = tf.Variable(np.zeros(2, np.float32))

    @tf.function(jit_compile=True)
    def f():
        v.assign_add(tf.ones_like(v))
        return tf.reduce_sum(v)

    for _ in range(3):
        f()
    snapshot = v.value()  # holds the variable's array: an in-place write would change it
    assert f().numpy() == 8.0
    assert snapshot.numpy().tolist() == [3.0, 3.0] and v.numpy().tolist() == [4.0, 4.0]
    for _ in range(3):
        f()
    assert v.numpy().tolist() == [7.0, 7.0] and snapshot.numpy().tolist() == [3.0, 3.0]


@on_cupy
def test_new_input_shapes_capture_again():
    v = tf.Variable(np.zeros((), np.float32))

    @tf.function(jit_compile=True, input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        v.assign_add(tf.reduce_sum(x))
        return v.read_value()

    for n in (2, 2, 2, 3, 3, 3, 2, 2):
        f(tf.constant(np.ones(n, np.float32)))
    assert v.numpy() == 19.0
    graph = _graph_of(f, tf.constant(np.ones(2, np.float32)))
    assert graph.status.startswith("captured"), graph.status


@on_cupy
def test_a_function_with_a_host_op_keeps_the_ordinary_replay_and_says_why(caplog):
    v = tf.Variable(np.zeros(2, np.float32))

    @tf.function(jit_compile=True)
    def f(x):
        v.assign_add(tf.boolean_mask(x, x > 0.0)[:2])  # a data-dependent shape: the host must see the mask
        return tf.reduce_sum(v)

    x = tf.constant(np.array([1.0, -1.0, 2.0], np.float32))
    with caplog.at_level(logging.DEBUG, logger="minitf"):
        for _ in range(3):
            f(x)
    graph = _graph_of(f, x)
    assert graph.status.startswith("off") and "is not known to run on the device only" in graph.status
    assert graph.captures == graph.launches == 0
    assert v.numpy().tolist() == [3.0, 6.0]
    assert any("CUDA graph: off" in r.getMessage() for r in caplog.records)


@on_cupy
def test_a_capture_that_cuda_refuses_falls_back_with_nothing_computed_twice(monkeypatch):
    # Pretend tf.print's op may be captured: the capture then copies to the host, which CUDA (and
    # the stand-in) refuses; the function falls back for good, and the call computes once.
    v = tf.Variable(np.zeros(2, np.float32))

    @tf.function(jit_compile=True)
    def f(x):
        v.assign_add(x)
        tf.print(tf.reduce_sum(v), output_stream="file:///dev/null")
        return v.read_value()

    x = tf.constant(np.ones(2, np.float32))
    f(x)  # (traced)
    ops = {f"{s.op.__module__}.{s.op.__qualname__}" for s in _graph_ops(f, x) if not isinstance(s.op, str)}
    monkeypatch.setattr(cuda_graph, "CAPTURABLE_OPS", cuda_graph.CAPTURABLE_OPS | ops)
    g = tf.function(f.python_function, jit_compile=True)
    results = [g(x).numpy().tolist() for _ in range(3)]
    graph = _graph_of(g, x)
    assert graph.status.startswith("off (ordinary replay): capture failed"), graph.status
    assert "cudaErrorStreamCapture" in graph.status or B.name == "cupy"
    assert results == [[2.0, 2.0], [3.0, 3.0], [4.0, 4.0]]


def _graph_ops(fn, *args):
    return fn.get_concrete_function(*args)._replay.__minitf_ops__
