"""minitf.function: tracing into graphs, replaying them, and TF's rules for what happens when.

Trace counts, Python side effects (at trace time only), ops with effects (every call),
retracing by signature, input signatures, state (variables created once, assigned every call),
randomness, control flow (refused as Python, kept as tf.cond / tf.while_loop), nested functions,
gradients inside and through a traced function, and exact replay (the same bits as eager).
"""
from __future__ import annotations

import io
import logging
import re
import threading

import numpy as np
import pytest

import minitf as tf
from minitf import array_backend as B
from minitf.errors import InvalidArgumentError, OperatorNotAllowedInGraphError


def counted(fn=None, **kwargs):
    """@tf.function that counts how often its Python body runs (= how often it traced)."""
    def wrap(f):
        calls = []

        def body(*args, **kw):
            calls.append(1)
            return f(*args, **kw)

        traced = tf.function(body, **kwargs)
        traced.python_calls = calls
        return traced
    return wrap(fn) if fn is not None else wrap


# --- tracing and retracing -----------------------------------------------------------------
def test_same_signature_traces_once_and_replays():
    f = counted(lambda x: x * 2 + 1)
    for v in ([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]):
        np.testing.assert_array_equal(f(tf.constant(v)).numpy(), np.array(v, np.float32) * 2 + 1)
    assert len(f.python_calls) == 1 and f.experimental_get_tracing_count() == 1


def test_new_shape_dtype_or_python_value_retraces():
    f = counted(lambda x, k=1: x * k)
    f(tf.constant([1.0, 2.0]))
    f(tf.constant([1.0, 2.0, 3.0]))  # new shape
    f(tf.constant([1, 2]))  # new dtype
    f(tf.constant([1.0, 2.0]), k=2)  # new Python value
    f(tf.constant([1.0, 2.0]), k=2)  # seen
    assert f.experimental_get_tracing_count() == 4


def test_numpy_arrays_trace_like_tensors_and_variables_by_spec():
    f = counted(lambda x: x * 2)
    f(np.array([1.0, 2.0], np.float32))
    f(np.array([3.0, 4.0], np.float32))
    assert f.experimental_get_tracing_count() == 1
    g = counted(lambda v: v * 2)
    g(tf.Variable([1.0, 2.0]))
    g(tf.Variable([3.0, 4.0]))
    assert g.experimental_get_tracing_count() == 1


def test_python_floats_retrace_per_value():
    f = counted(lambda x: tf.constant(x) * 2)
    assert float(f(1.0)) == 2.0 and float(f(2.0)) == 4.0 and float(f(1.0)) == 2.0
    assert f.experimental_get_tracing_count() == 2


def test_reduce_retracing_relaxes_changing_sizes_to_none():
    shapes = []

    @tf.function(reduce_retracing=True)
    def f(x):
        shapes.append(tuple(x.shape))
        return tf.reduce_sum(x)

    for n in range(1, 6):
        assert float(f(tf.ones((n,)))) == n
    assert f.experimental_get_tracing_count() == 2
    assert shapes == [(1,), (None,)]


def test_frequent_retracing_is_warned_about(caplog):
    @tf.function
    def f(x):  # a function of its own: the warnings are counted per function, at most 2
        return x + 1

    with caplog.at_level(logging.WARNING, logger="minitf"):
        for n in range(1, 7):
            f(tf.ones((n,)))
    assert any("triggered tf.function retracing" in r.getMessage() for r in caplog.records)


# --- input signatures ----------------------------------------------------------------------
def test_input_signature_traces_once_for_any_size_and_refuses_other_dtypes():
    f = counted(lambda x: x + 1, input_signature=[tf.TensorSpec([None], tf.float32)])
    np.testing.assert_array_equal(f(np.array([1.0, 2.0], np.float32)).numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0, 3.0])).numpy(), [2.0, 3.0, 4.0])
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match="Can not cast TensorSpec\\(shape=\\(2,\\), dtype=tf.int32"):
        f(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="Can not cast"):
        f(tf.constant([[1.0]]))


def test_unknown_sizes_are_none_in_the_trace_and_the_graph_serves_every_size():
    seen = []

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def f(x):
        seen.append(tuple(x.shape))
        return tf.reduce_sum(x * tf.constant([1.0, 2.0, 3.0]), axis=1) + tf.cast(tf.shape(x)[0], tf.float32)

    for n in (1, 4, 7):
        x = np.arange(3 * n, dtype=np.float32).reshape(n, 3)
        np.testing.assert_allclose(f(x).numpy(), (x * [1, 2, 3]).sum(1) + n)
    assert seen == [(None, 3)]


def test_equal_python_numbers_share_a_trace_as_in_tf():
    f = counted(lambda x: tf.constant(x) * 2)
    assert f(1).numpy() == 2 and f(1.0).numpy() == 2 and f(True).numpy() == 2  # 1 == 1.0 == True: one trace
    assert f(1).dtype == tf.int32 and f(1.0).dtype == tf.int32  # the first value is the one traced
    assert f(1.5).numpy() == 3.0 and f.experimental_get_tracing_count() == 2


def test_a_spec_of_known_shape_reuses_the_trace_of_a_tensor_of_that_shape():
    f = counted(lambda x: x + 1)
    f(tf.ones((2, 3)))
    assert f.get_concrete_function(tf.TensorSpec((2, 3), tf.float32)) is f.get_concrete_function(tf.ones((2, 3)))
    assert f.experimental_get_tracing_count() == 1
    f.get_concrete_function(tf.TensorSpec((None, 3), tf.float32))  # unknown size: a trace of its own
    assert f.experimental_get_tracing_count() == 2


def test_a_constant_exponent_gets_no_gradient_work():
    """TF's Pow gradient skips the exponent when nothing asks for it: no log(x) in the gradient graph."""
    @tf.function
    def grad_of_square(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x ** 2.0
        return tape.gradient(y, x)

    concrete = grad_of_square.get_concrete_function(tf.TensorSpec([3], tf.float32))
    assert "Log" not in [op.type for op in concrete.graph.get_operations()]
    np.testing.assert_array_equal(concrete(tf.constant([1.0, 2.0, 3.0])).numpy(), [2.0, 4.0, 6.0])


def test_get_concrete_function_lists_its_operations():
    f = tf.function(lambda x: tf.nn.relu(x @ tf.ones((2, 3))))
    concrete = f.get_concrete_function(tf.TensorSpec([None, 2], tf.float32))
    types = [op.type for op in concrete.graph.get_operations()]
    assert types[0] == "Placeholder" and "MatMul" in types and types[-1] == "Relu"
    assert "def replay" in concrete.graph.source
    np.testing.assert_array_equal(concrete(tf.ones((4, 2))).numpy(), np.full((4, 3), 2.0, np.float32))


# --- side effects: Python at trace time, ops every call -----------------------------------------
def test_python_print_runs_at_trace_and_tf_print_every_call(capsys):
    @tf.function
    def f(x):
        print("tracing with", x)
        tf.print("running with", x, output_stream=__import__("sys").stdout)
        return x

    f(tf.constant(1.5))
    f(tf.constant(2.5))
    out = capsys.readouterr().out.splitlines()
    assert out == ['tracing with Tensor("x:0", shape=(), dtype=float32)', "running with 1.5", "running with 2.5"]


def test_tf_print_formats_as_tf_does():
    stream = io.StringIO()
    tf.print(tf.constant([[1.123456789, 2.0], [3.0, 4.0]]), tf.range(10), tf.constant([True, False]),
             output_stream=stream)
    tf.print(tf.constant(np.float64(1) / 3), tf.constant(np.float32(1) / 3), {"a": tf.constant(1)}, "s", [1, 2],
             output_stream=stream, sep=",")
    assert stream.getvalue() == ("[[1.12345684 2]\n [3 4]] [0 1 2 ... 7 8 9] [1 0]\n"
                                 "0.33333333333333331,0.333333343,{'a': 1},s,[1, 2]\n")


def test_variable_assignments_happen_on_every_call_and_reads_see_them():
    v = tf.Variable(1.0)

    @tf.function
    def bump():
        v.assign_add(1.0)
        return v.read_value() * 10

    assert [float(bump()) for _ in range(3)] == [20.0, 30.0, 40.0]
    assert float(v) == 4.0


def test_list_appends_happen_at_trace_only():
    log = []

    @tf.function
    def f(x):
        log.append(x)
        return x + 1

    for i in range(3):
        f(tf.constant(float(i)))
    assert len(log) == 1 and "Tensor(" in repr(log[0])


def test_random_draws_differ_between_calls():
    f = tf.function(lambda: tf.random.uniform((5,)))
    a, b = f().numpy(), f().numpy()
    assert not np.array_equal(a, b)


def test_variables_may_be_created_on_the_first_trace_only():
    class Lazy(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = None

        @tf.function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(tf.ones_like(x) * 2)
            return x * self.v

    m = Lazy()
    np.testing.assert_array_equal(m(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(m(tf.constant([3.0, 4.0])).numpy(), [6.0, 8.0])

    @tf.function
    def creates_every_time(x):
        return x * tf.Variable(1.0)

    # As TF: a first trace that created variables is traced again at once, where creating one is an
    # error, so a function that creates a variable on every call fails on its first call.
    with pytest.raises(ValueError, match="singleton tf.Variables created on the first call"):
        creates_every_time(tf.constant(1.0))
    assert m.__call__.experimental_get_tracing_count() == 2  # the lazy one: traced twice on its first call, as TF


# --- control flow -----------------------------------------------------------------------------
def test_python_if_on_a_traced_tensor_is_refused_with_what_to_write():
    # With AutoGraph off (it is on by default: tests/test_autograph.py), as in TF.
    @tf.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(OperatorNotAllowedInGraphError, match="tf.cond.*tf.where"):
        f(tf.constant(-2.0))
    with pytest.raises(OperatorNotAllowedInGraphError, match="Converting to float"):
        tf.function(lambda x: float(x), autograph=False)(tf.constant(1.0))
    with pytest.raises(NotImplementedError, match="symbolic"):
        tf.function(lambda x: x.numpy())(tf.constant(1.0))


def test_cond_picks_the_branch_when_it_runs():
    f = counted(lambda x: tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2, lambda: -x))
    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(f(tf.constant([-1.0, -2.0])).numpy(), [1.0, 2.0])
    assert f.experimental_get_tracing_count() == 1


def test_cond_branch_side_effects_run_only_for_the_branch_taken():
    v = tf.Variable(0.0)

    @tf.function
    def f(flag):
        return tf.cond(flag, lambda: v.assign_add(1.0).read_value(), lambda: v.assign_sub(1.0).read_value())

    f(tf.constant(True))
    f(tf.constant(True))
    f(tf.constant(False))
    assert float(v) == 1.0


def test_gradient_through_a_traced_cond_reaches_variables_and_inputs():
    x = tf.Variable(2.0)

    @tf.function
    def grads(a):
        with tf.GradientTape() as tape:
            tape.watch(a)
            y = tf.cond(x > 1, lambda: x * x * x * a, lambda: x * 5 + a)
        return tape.gradient(y, [x, a])

    gx, ga = grads(tf.constant(3.0))
    assert (float(gx), float(ga)) == (36.0, 8.0)
    x.assign(0.5)
    gx, ga = grads(tf.constant(3.0))
    assert (float(gx), float(ga)) == (5.0, 1.0)


def test_while_loop_runs_the_body_until_the_condition_fails():
    @tf.function
    def total(n):
        _, s = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + tf.cast(i, tf.float32)),
                             (tf.constant(0), tf.constant(0.0)))
        return s

    assert float(total(tf.constant(5))) == 10.0 and float(total(tf.constant(10))) == 45.0
    assert total.experimental_get_tracing_count() == 1
    # eager: the same Python loop, and the tape sees every iteration
    x = tf.constant(1.5)
    with tf.GradientTape() as tape:
        tape.watch(x)
        _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x), (tf.constant(0), tf.constant(1.0)))
    assert float(tape.gradient(y, x)) == pytest.approx(3 * 1.5 ** 2)


def test_run_functions_eagerly_turns_tracing_off():
    f = counted(lambda x: x + 1)
    tf.config.run_functions_eagerly(True)
    try:
        f(tf.constant(1.0))
        f(tf.constant(2.0))
        assert len(f.python_calls) == 2 and f.experimental_get_tracing_count() == 0
    finally:
        tf.config.run_functions_eagerly(False)


# --- gradients -----------------------------------------------------------------------------------
def test_a_training_step_with_tape_and_assign_inside_the_function():
    w = tf.Variable([[0.5], [-0.3]])
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.constant([[1.0], [2.0]])

    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((x @ w - y) ** 2)
        w.assign_sub(0.01 * tape.gradient(loss, w))
        return loss

    eager_losses, start = [], w.numpy()
    for _ in range(5):
        eager_losses.append(step().numpy())
    eager_w = w.numpy()
    w.assign(start)
    traced = tf.function(step)
    traced_losses = [traced().numpy() for _ in range(5)]
    np.testing.assert_array_equal(traced_losses, eager_losses)  # bit for bit
    np.testing.assert_array_equal(w.numpy(), eager_w)


def test_a_tape_outside_records_through_a_traced_function():
    f = tf.function(lambda x: tf.sin(x) * x)
    x = tf.constant([0.5, 1.5])
    f(x)  # traced and replayed once without a tape
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    expected = np.cos(x.numpy()) * x.numpy() + np.sin(x.numpy())
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), expected, rtol=1e-6)


def test_nested_functions_are_inlined():
    inner = counted(lambda x: x * 3)
    outer = counted(lambda x: inner(x) + 1)
    assert float(outer(tf.constant(2.0))) == 7.0 and float(outer(tf.constant(3.0))) == 10.0
    assert outer.experimental_get_tracing_count() == 1


def test_nested_structures_in_and_out():
    @tf.function
    def f(d):
        return {"sum": d["a"] + d["b"][0], "pair": (d["b"][1], 7)}

    out = f({"a": tf.constant(1.0), "b": [tf.constant(2.0), tf.constant(3.0)]})
    assert float(out["sum"]) == 3.0 and float(out["pair"][0]) == 3.0 and out["pair"][1] == 7


def test_methods_trace_per_instance():
    class Scale(tf.Module):
        def __init__(self, k):
            super().__init__()
            self.k = tf.Variable(k)

        @tf.function
        def __call__(self, x):
            return x * self.k

    a, b = Scale(2.0), Scale(3.0)
    assert float(a(tf.constant(1.0))) == 2.0 and float(b(tf.constant(1.0))) == 3.0
    b.k.assign(5.0)
    assert float(b(tf.constant(1.0))) == 5.0


def test_a_replay_error_names_the_node():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([None], tf.float32)])
    def f(a, b):
        return a + b

    with pytest.raises(InvalidArgumentError, match="add: AddV2"):
        f(tf.ones((2,)), tf.ones((3,)))


def test_threads_trace_and_differentiate_independently():
    f = tf.function(lambda x: x * x)
    errors, results = [], []

    def work(k):
        try:
            for _ in range(50):
                x = tf.constant(float(k))
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    y = f(x) * 2
                results.append((k, float(tape.gradient(y, x))))
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(g == 4 * k for k, g in results) and len(results) == 200


# --- tf.Module -------------------------------------------------------------------------------------
def test_module_collects_variables_and_submodules():
    class Block(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(tf.ones((2, 2)), name="w")
            self.frozen = tf.Variable(0.0, trainable=False, name="frozen")

    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.blocks = [Block(name="b1"), Block(name="b2")]

    m = Model()
    assert m.name == "model"
    assert [s.name for s in m.submodules] == ["b1", "b2"]
    assert len(m.variables) == 4 and len(m.trainable_variables) == 2
    with m.name_scope as scope:
        assert scope == "model/"
    with pytest.raises(ValueError, match="not a valid module name"):
        tf.Module(name="bad name")


# --- the replay compiler ------------------------------------------------------------------------
def test_fused_elementwise_runs_give_the_eager_bits():
    """A chain of elementwise ops on a large shape runs block by block in the replay (loop fusion),
    with broadcast inputs, assignments and reads of the assigned values inside the run. (Here on one
    core: its 120k elements times its ops would share the blocks out, as the next tests check.)"""
    from unittest import mock

    from minitf import compiler

    rng = np.random.default_rng(3)
    shape = (3000, 40)  # 120k elements: fused, in blocks of rows
    g = tf.constant(rng.normal(size=shape).astype(np.float32))
    row = tf.constant(rng.normal(size=(40,)).astype(np.float32))
    col = tf.constant(rng.normal(size=(3000, 1)).astype(np.float32))
    m = tf.Variable(rng.normal(size=shape).astype(np.float32))
    w = tf.Variable(rng.normal(size=shape).astype(np.float32))

    def step(g):
        m.assign_add((g - m) * 0.1)
        w.assign_sub(m * row / (tf.sqrt(tf.abs(m) + col * col) + 1e-7))
        return tf.tanh(w) * 2 - tf.maximum(m, 0.5)

    start = m.numpy(), w.numpy()
    eager = [step(g).numpy() for _ in range(2)] + [m.numpy(), w.numpy()]
    m.assign(start[0])
    w.assign(start[1])
    traced = tf.function(step)
    with mock.patch.object(compiler, "PARALLEL_MIN", 1 << 40):  # (traced on the first call)
        got = [traced(g).numpy() for _ in range(2)] + [m.numpy(), w.numpy()]
    for a, b in zip(got, eager):
        np.testing.assert_array_equal(a, b)
    source = traced.get_concrete_function(g).graph.source
    assert "fused:" in source and "for _r in range(0, 3000," in source
    # a variable's new value computed straight into its rows by its ufunc (no block, no copy)
    assert re.search(r"b(\d+) = n\d+\[_rows\]\n.*out=b\1\)", source)


def test_fused_runs_write_in_place_only_where_nothing_reads_the_block_again():
    """Inside a fused loop a ufunc line writes over an input block that nothing reads any more
    (``out=``); a block read again later, a materialized output, a float64 step and a comparison
    (bool result) keep their own arrays. Bits equal the eager run's."""
    rng = np.random.default_rng(5)
    shape = (2000, 30)
    x = tf.constant(rng.normal(size=shape).astype(np.float32))
    y = tf.constant(rng.normal(size=shape).astype(np.float32))

    def step(x, y):
        a = x - y            # read twice: by b and by the last line
        b = a * 3.0          # a still needed: b gets its own block
        c = b + 1.0          # b spent: c may reuse b's block
        d = tf.sqrt(tf.abs(c))
        big = tf.cast(d, tf.float64) * 0.5     # another dtype: never written into a float32 block
        keep = d > 1.0                         # bool result
        out = tf.where(keep, d, a) - a
        return out, big, d                     # d also read after the run: materialized

    eager = [t.numpy() for t in step(x, y)]
    traced = tf.function(step)
    got = [t.numpy() for t in traced(x, y)]
    for a, b in zip(got, eager):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    source = traced.get_concrete_function(x, y).graph.source
    assert "fused:" in source and "out=b" in source


def test_fused_runs_on_a_million_elements_share_their_blocks_among_threads_with_the_eager_bits():
    """From compiler.PARALLEL_MIN elements a fused run (and a single elementwise op) is a function of
    its block, run on every core by minitf/parallel.py: the same bits as eagerly, on 1 or 3 threads,
    a variable updated in place, and no NumPy warning from the worker threads (log of negatives)."""
    import warnings

    from minitf import compiler, parallel

    rng = np.random.default_rng(7)
    shape = (6, 500, 400)  # 1.2M elements
    assert np.prod(shape) >= compiler.PARALLEL_MIN
    x = tf.constant(rng.normal(size=shape).astype(np.float32))
    b = tf.constant(rng.normal(size=(400,)).astype(np.float32))
    v = tf.Variable(np.zeros(shape, np.float32))

    z = tf.constant(rng.normal(size=(8, 400, 400)).astype(np.float32))

    def step(x, b, z):
        y = tf.nn.relu(x + b) * 2.0
        v.assign_add(y * 0.5)
        return y, tf.math.log(z), v.read_value()  # log: one op alone (another shape), nan for negatives

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eager = [t.numpy() for t in step(x, b, z)]
    before = parallel.threads_setting()
    try:
        for threads in (1, 3):
            parallel.set_threads(threads)
            v.assign(np.zeros(shape, np.float32))
            traced = tf.function(step)
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a RuntimeWarning from a block would fail here
                got = [t.numpy() for t in traced(x, b, z)]
            for a, e in zip(got, eager):
                assert a.tobytes() == e.tobytes()
    finally:
        parallel.set_threads(before)
    source = traced.get_concrete_function(x, b, z).graph.source
    if B.xp is np:
        assert source.count("_map_blocks(") == 2, source  # the fused run, and log alone



def test_a_fused_run_goes_to_every_core_by_its_elements_times_its_ops():
    """compiler.PARALLEL_MIN counts elements times ops: Adam's dozen ops on the MNIST CNN's 3136x128
    Dense kernel (401,408 elements) run on every core, one ReLU gradient on as many stays on one.
    The variable's new values and the gradient are the eager bits."""
    from minitf import compiler

    rng = np.random.default_rng(8)
    shape = (3136, 128)
    assert np.prod(shape) < compiler.PARALLEL_MIN <= 12 * np.prod(shape)
    start = rng.normal(size=shape).astype(np.float32)
    g = tf.constant(rng.normal(size=shape).astype(np.float32))
    h = tf.constant(rng.normal(size=shape).astype(np.float32))

    def trainer():
        variable, optimizer = tf.Variable(start), tf.keras.optimizers.Adam(0.01)

        def step(g, h):
            optimizer.apply_gradients([(g, variable)])
            with tf.GradientTape() as tape:
                tape.watch(h)
                y = tf.nn.relu(h)
            return tape.gradient(y, h, output_gradients=g)
        return variable, step

    eager_variable, eager_step = trainer()
    traced_variable, step = trainer()
    traced = tf.function(step)
    for _ in range(2):
        assert traced(g, h).numpy().tobytes() == eager_step(g, h).numpy().tobytes()
        assert traced_variable.numpy().tobytes() == eager_variable.numpy().tobytes()
    source = traced.get_concrete_function(g, h).graph.source
    if B.xp is np:
        assert source.count("_map_blocks(") == 1, source  # Adam's run; not the ReLU gradient
        assert "ops on (3136, 128)" in source


def test_a_replay_computes_inf_and_nan_silently_and_gives_the_caller_its_error_state_back():
    """Inside a replay NumPy's floating-point warnings are off (TF computes inf and nan silently);
    after it, returned or raised, the caller's own state is back: ``np.errstate(over="raise")``
    around a call still raises after it, buffer size and all, and two states in turn each get
    their own back."""
    import warnings

    x = tf.constant(np.array([1e30, -1.0, 0.0], np.float32))

    @tf.function
    def step(x):
        return x * x * 1e10, tf.math.log(x), 1.0 / x  # overflow, invalid, divide by zero

    def check(expected_state):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            big, log, inverse = step(x)
        assert np.isinf(big.numpy()[0]) and np.isnan(log.numpy()[1]) and np.isinf(inverse.numpy()[2])
        assert np.geterr() == expected_state

    step(x)  # the trace
    for outer in ({"over": "raise", "invalid": "warn"}, {"all": "ignore"}, {"divide": "raise"}):
        with np.errstate(**outer):
            state, size = np.geterr(), np.getbufsize()
            check(state)
            check(state)
            assert np.getbufsize() == size
            if outer.get("over") == "raise":
                with pytest.raises(FloatingPointError):
                    np.float32(1e30) * np.float32(1e30)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def pairs(x):
        return tf.reshape(x, [-1, 2])

    pairs(tf.constant(np.zeros(4, np.float32)))  # traced for any length; 3 values make the replay raise
    with np.errstate(over="raise"):
        before = np.geterr()
        for _ in range(2):
            with pytest.raises(tf.errors.InvalidArgumentError):
                pairs(x)
            assert np.geterr() == before


def test_an_elementwise_result_is_written_over_a_conv_result_only_this_loop_reads():
    """A conv's result (``fresh_output``: an array only the replay holds) read by nothing but a
    fused loop (bias + relu) becomes that loop's output array; a conv result that is also an
    output, and an argument's array, never do. The bits are the eager ones."""
    rng = np.random.default_rng(3)
    x = tf.constant(rng.normal(size=(8, 40, 40, 5)).astype(np.float32))  # results of 76,800 values: fused loops
    w = tf.Variable(rng.normal(size=(3, 3, 5, 6)).astype(np.float32))
    b = tf.Variable(rng.normal(size=(6,)).astype(np.float32))

    def step(x):
        only_here = tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME") + b)   # conv result read by this loop only
        twice = tf.nn.conv2d(x, w, 1, "VALID")
        in_one_loop = tf.nn.relu(twice + b) * 2.0, twice - 1.0     # both readers in one loop: its last
        returned = tf.nn.conv2d(x, w, 2, "SAME")                    # an output: never written over
        return only_here, *in_one_loop, returned, tf.nn.relu(returned + 1.0), tf.nn.relu(x + 1.0)

    eager = [t.numpy() for t in step(x)]
    traced = tf.function(step)
    for _ in range(2):
        got = [t.numpy() for t in traced(x)]
        for a, e in zip(got, eager):
            assert a.tobytes() == e.tobytes()
    assert x.numpy().tobytes() == x.numpy().copy().tobytes() and w.numpy().shape == (3, 3, 5, 6)
    np.testing.assert_array_equal(traced(x)[5].numpy(), np.maximum(x.numpy() + 1.0, 0))
    source = traced.get_concrete_function(x).graph.source
    assert source.count("# written over") == 2, source  # only_here's and twice's conv results


@pytest.mark.parametrize("threads", [1, 2])
def test_a_conv_runs_the_elementwise_ops_after_it_on_each_block_it_writes(threads):
    """A fused loop that alone reads a Conv2D's result runs as the conv's epilogue, on each block of
    rows as the conv writes it (both conv kernels: im2col, and shifted products for 48 -> 8
    channels), on the pool's threads too; an input broadcast along the images ((N, 1, 1, C)), or a
    conv result read again later, keeps the separate loop. The bits are the eager ones."""
    from unittest import mock

    from minitf import parallel
    from minitf.nn import conv as conv_module

    rng = np.random.default_rng(11)
    x = tf.constant(rng.normal(size=(8, 40, 40, 5)).astype(np.float32))
    w = tf.Variable(rng.normal(size=(3, 3, 5, 6)).astype(np.float32))
    b = tf.Variable(rng.normal(size=(6,)).astype(np.float32))
    per_image = tf.constant(rng.normal(size=(8, 1, 1, 6)).astype(np.float32))
    x48 = tf.constant(rng.normal(size=(4, 30, 30, 48)).astype(np.float32))
    w48 = tf.Variable(rng.normal(size=(3, 3, 48, 8)).astype(np.float32))

    def step(x, x48):
        im2col = tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME") + b) * 2.0
        shifted = tf.nn.relu(tf.nn.conv2d(x48, w48, 1, "VALID") - 0.5)
        broadcast = tf.nn.relu(tf.nn.conv2d(x, w, 1, "VALID") * per_image)
        again = tf.nn.conv2d(x, w, 2, "SAME")
        return im2col, shifted, broadcast, tf.nn.relu(again + b), tf.reduce_sum(again)

    before = parallel.threads_setting()
    try:
        parallel.set_threads(threads)
        with mock.patch.object(conv_module, "BLOCK_BYTES", 20000), \
                mock.patch.object(conv_module, "GPU_BLOCK_BYTES", 20000), \
                mock.patch.object(parallel, "PARALLEL_MIN_BYTES", 0):  # many blocks, on the pool
            eager = [t.numpy() for t in step(x, x48)]  # (the same blocks: a BLAS may round by size)
            traced = tf.function(step)
            for _ in range(2):
                got = [t.numpy() for t in traced(x, x48)]
                for a, e in zip(got, eager):
                    assert a.tobytes() == e.tobytes()
    finally:
        parallel.set_threads(before)
    source = traced.get_concrete_function(x, x48).graph.source
    assert source.count("epilogue=_block") == 2, source  # im2col's and shifted's, not broadcast's nor again's
    assert re.search(r"    t\d+ = k\d+\(.*\)  # conv2_d_2: Conv2D", source), source  # broadcast: a plain call


def test_a_variable_read_inside_a_convs_run_and_broadcast_along_the_images_keeps_the_separate_loop():
    """A variable read in the middle of the ops after a conv (``* v``, v of shape (N, 1, 1, C)) is
    an input from outside the run like any other: a block of images would need its own slice of it,
    so the run is no epilogue (it was, and a block of fewer images than N failed to broadcast)."""
    from unittest import mock

    from minitf.nn import conv as conv_module

    rng = np.random.default_rng(13)
    x = tf.constant(rng.normal(size=(8, 40, 40, 5)).astype(np.float32))
    w = tf.Variable(rng.normal(size=(3, 3, 5, 6)).astype(np.float32))
    b = tf.Variable(rng.normal(size=(6,)).astype(np.float32))
    per_image = tf.Variable(rng.normal(size=(8, 1, 1, 6)).astype(np.float32))

    def step(x):
        return tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME") + b) * per_image

    with mock.patch.object(conv_module, "BLOCK_BYTES", 20000):  # blocks of fewer than 8 images
        eager = step(x).numpy()
        traced = tf.function(step)
        assert traced(x).numpy().tobytes() == eager.tobytes()
    assert "epilogue=" not in traced.get_concrete_function(x).graph.source


def test_fused_runs_with_a_per_channel_vector_on_narrow_rows_work_on_wide_rows_with_the_eager_bits():
    """``wide_rows``: a fused run on (..., W, C) with few channels and a per-channel vector among its
    inputs (a bias, as (C,) or (1, 1, C)) views its blocks as (..., W*C) and tiles the vector W times,
    as a conv's epilogue and as a loop of its own (a result read again after it too; a batch of one
    image, less its mean over the pixels, with a number of rank 4 among its inputs); a run with an
    input broadcast along another axis, or one that assigns a variable, keeps its blocks as they are.
    The bits are the eager ones."""
    rng = np.random.default_rng(12)
    x = tf.constant(rng.normal(size=(6, 30, 30, 4)).astype(np.float32))
    w = tf.Variable(rng.normal(size=(3, 3, 4, 10)).astype(np.float32))
    bias = tf.Variable(rng.normal(size=(10,)).astype(np.float32))
    scale = tf.constant(rng.normal(size=(1, 1, 10)).astype(np.float32))
    h = tf.constant(rng.normal(size=(200, 30, 10)).astype(np.float32))
    g = tf.constant(rng.normal(size=(100, 30, 10)).astype(np.float32))
    per_row = tf.constant(rng.normal(size=(100, 1, 1)).astype(np.float32))
    moving = tf.Variable(rng.normal(size=(120, 30, 10)).astype(np.float32))
    image = tf.constant(rng.normal(size=(1, 120, 140, 10)).astype(np.float32))  # a batch of one: one block
    number = tf.constant(np.full((1, 1, 1, 1), -0.5, np.float32))  # one number, of rank 4

    def step(x, h, g, image):
        epilogue = tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME") + bias)  # the conv's epilogue, wide
        scaled = h * scale + bias              # a loop of its own, wide; read again below
        own_loop = tf.tanh(scaled) - 1.0
        along_rows = tf.exp(g * per_row + bias) + 1.0  # also broadcast along another axis: plain blocks
        moving.assign(moving * 0.9 + bias)  # assigns a variable: plain blocks
        one_image = tf.sigmoid((image - tf.reduce_mean(image, axis=(0, 1, 2))) * number + bias) * image
        return epilogue, own_loop, along_rows, tf.reduce_sum(scaled), one_image

    start = moving.numpy()
    eager = [t.numpy() for t in step(x, h, g, image)] + [moving.numpy()]
    moving.assign(start)
    traced = tf.function(step)
    got = [t.numpy() for t in traced(x, h, g, image)] + [moving.numpy()]
    for a, e in zip(got, eager):
        assert a.tobytes() == e.tobytes()
    source = traced.get_concrete_function(x, h, g, image).graph.source
    assert re.search(r"t\d+_w = t\d+\.reshape\(\(6, 30, 300\)\)", source), source  # the conv's output, wide
    assert re.search(r"_w = _xp\.tile\(t\d+\.reshape\(-1\), 30\)", source), source  # the bias, tiled
    assert source.count("_xp.tile(") == 5, source  # bias: epilogue, own loop, one_image; scale; one_image's mean
    assert "reshape((200, 300))" in source, source  # own loop's input and results, wide
    assert "reshape((100, 300))" not in source and "reshape((120, 300))" not in source, source
    assert "reshape((1, 120, 1400))" in source and re.search(r"c\d+_w = c\d+\.reshape\(-1\)", source), source


def test_horizontal_fusion_runs_one_update_on_many_small_variables_with_the_eager_bits():
    """The same chain of elementwise ops on several small variables (an optimizer's update of each
    kernel and bias) runs once on their concatenation; each variable gets its slice. Values: the
    eager bits, for variables of different shapes (a 0-d one too), a read after an assignment, and
    a number shared by all of them."""
    rng = np.random.default_rng(11)
    shapes = [(3, 4), (4,), (), (2, 1, 3)]
    params = [tf.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]
    moments = [tf.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]
    grads = [tf.constant(rng.normal(size=s).astype(np.float32)) for s in shapes]
    rate = tf.constant(np.float32(0.3))

    def step(grads, rate):
        for p, m, g in zip(params, moments, grads):
            m.assign_add((g - m) * 0.1)
            p.assign_sub(rate * m / (tf.sqrt(tf.abs(m)) + 1e-7))
        return rate * 2.0

    start = [v.numpy() for v in params + moments]
    for _ in range(2):
        step(grads, rate)
    eager = [v.numpy() for v in params + moments]
    for v, s in zip(params + moments, start):
        v.assign(s)
    traced = tf.function(step)
    for _ in range(2):
        traced(grads, rate)
    for v, want in zip(params + moments, eager):
        assert v.numpy().shape == want.shape
        np.testing.assert_array_equal(v.numpy(), want)
    source = traced.get_concrete_function(grads, rate).graph.source
    assert "# horizontal:" in source and "on 4 arrays at once" in source


def test_a_large_variable_ends_a_horizontal_group_and_the_small_ones_around_it_still_join():
    """Lanes join a group while they fit: three small variables, one too large to concatenate (it runs
    on its own, fused in blocks), three small ones again. A group of 3 before it and one after, the
    eager bits everywhere. (The search gives up a candidate at its first lane that cannot join, so a
    long optimizer step compiles in time linear in its length.)"""
    from minitf.compiler import FUSE_MIN
    rng = np.random.default_rng(12)
    shapes = [(3, 4), (5,), (2, 2), (FUSE_MIN + 1,), (4, 1), (3,), (2, 5)]
    params = [tf.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]
    grads = [tf.constant(rng.normal(size=s).astype(np.float32)) for s in shapes]

    def step(grads):
        for p, g in zip(params, grads):
            p.assign_sub(0.1 * g / (tf.sqrt(tf.abs(p)) + 1e-7))
        return grads[0]

    start = [v.numpy() for v in params]
    step(grads)
    eager = [v.numpy() for v in params]
    for v, s in zip(params, start):
        v.assign(s)
    traced = tf.function(step)
    traced(grads)
    for v, want in zip(params, eager):
        np.testing.assert_array_equal(v.numpy(), want)
    source = traced.get_concrete_function(grads).graph.source
    assert source.count("on 3 arrays at once") == 2, source


def test_replay_source_reads_like_numpy():
    @tf.function
    def f(x, y):
        return tf.nn.relu(x @ y + 1.0)

    source = f.get_concrete_function(tf.ones((2, 3)), tf.ones((3, 4))).graph.source
    assert "B.xp.maximum(" in source and " + c" in source  # one-line kernels written in place
    assert "del " in source  # arrays freed after their last use


@pytest.mark.parametrize("transpose_a, transpose_b", [(False, False), (True, False), (False, True), (True, True)])
def test_kernels_with_attributes_are_written_in_with_the_attributes_decided(transpose_a, transpose_b):
    # BatchMatMulV2's kernel is one line, ``B.xp.matmul(a.swapaxes(-1, -2) if transpose_a else a, ...)``:
    # the replay writes it in with each transpose decided, no call and no test per call. MatMul's
    # kernel picks dot or matmul by the matrices' sizes, and says its line for the traced shapes.
    rng = np.random.default_rng(0)
    a = tf.constant(rng.standard_normal((2, 4, 3) if transpose_a else (2, 3, 4)).astype(np.float32))
    b = tf.constant(rng.standard_normal((2, 5, 4) if transpose_b else (2, 4, 5)).astype(np.float32))

    @tf.function
    def product(a, b):
        return (tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b),
                tf.matmul(a[0], b[0], transpose_a=transpose_a, transpose_b=transpose_b))

    for got, want in zip(product(a, b), (tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b),
                                         tf.matmul(a[0], b[0], transpose_a=transpose_a, transpose_b=transpose_b))):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    lines = [line for line in product.get_concrete_function(a, b).graph.source.splitlines() if "MatMul" in line]
    swap = ".swapaxes(-1, -2)"
    want = f"B.xp.matmul(a0{swap if transpose_a else ''}, a1{swap if transpose_b else ''})"
    assert want in lines[0] and " if " not in lines[0], lines
    assert re.search(rf"_xp\.dot\(t\d+{'.T' if transpose_a else ''}, t\d+{'.T' if transpose_b else ''}\)", lines[1]), lines


def test_a_matmul_of_two_1x1_matrices_adds_its_one_product_to_zero_as_tf_does():
    # np.dot multiplies the two numbers, -1 * 0 = -0.0; TF's (and np.matmul's) sum starts at zero:
    # 0 + -0.0 = +0.0. Eager and traced keep TF's sign.
    a, b = tf.constant([[-1.0]]), tf.constant([[0.0]])
    traced = tf.function(lambda a, b: tf.matmul(a, b))
    for product in (tf.matmul(a, b), traced(a, b)):
        assert not np.signbit(product.numpy()[0, 0])
    assert np.signbit(np.dot(a.numpy(), b.numpy())[0, 0])  # (what the test guards against)
    assert "_xp.matmul(a0, a1)" in traced.get_concrete_function(a, b).graph.source


def test_a_kernel_whose_attribute_is_no_plain_literal_stays_a_call_unless_it_has_a_line_of_its_own():
    # Range's and Cast's attribute is a NumPy dtype, not a Python literal: the replay calls Range's
    # kernel (k<n>(...)); Cast says its own line (``static_line``), the dtype written in by name.
    @tf.function
    def widen(n, x):
        return tf.range(n) * 2, tf.cast(x, tf.float64) * 2.0

    n, x = tf.constant(4), tf.constant([1.5, -2.0])
    counted, widened = widen(n, x)
    np.testing.assert_array_equal(counted.numpy(), np.array([0, 2, 4, 6], np.int32))
    np.testing.assert_array_equal(widened.numpy(), np.array([3.0, -4.0]))
    assert widened.dtype == tf.float64
    lines = widen.get_concrete_function(n, x).graph.source.splitlines()
    assert re.search(r"= k\d+\(c\d+, a0, c\d+\)  # range: Range", next(line for line in lines if ": Range" in line))
    assert re.search(r"= a1\.astype\(_xp\.dtype\('float64'\)\)", next(line for line in lines if ": Cast" in line))


def test_single_numbers_read_only_by_steps_on_single_numbers_are_numpy_scalars_with_the_eager_bits():
    """A 0-d constant or variable read that only steps on 0-d values read (Adam's bias correction)
    is held as a NumPy scalar in the replay (on NumPy); one that an array op reads too, or that is
    returned, stays a 0-d array. The values are the eager ones, bit for bit."""
    from minitf import array_backend as B
    from minitf._tf_compat import pow_rounded

    iteration = tf.Variable(np.int64(0))
    rate = tf.Variable(np.float32(0.01))
    shared = tf.Variable(np.float32(0.5))  # read by the chain and by an array op
    w = tf.Variable(np.linspace(-1, 1, 6, dtype=np.float32))
    g = tf.constant(np.linspace(2, 3, 6, dtype=np.float32))

    def step(g):
        t = tf.cast(iteration + 1, tf.float32)
        alpha = rate * tf.sqrt(1.0 - pow_rounded(np.float32(0.999), t)) / (1.0 - pow_rounded(np.float32(0.9), t))
        w.assign_sub(alpha * shared * g + shared * g * 1e-3)
        iteration.assign_add(1)
        return alpha, rate.read_value()

    def run(call):
        iteration.assign(0)
        w.assign(np.linspace(-1, 1, 6, dtype=np.float32))
        got = [[t.numpy() for t in call(g)] for _ in range(3)]
        return got, w.numpy(), iteration.numpy()

    eager = run(step)
    traced = tf.function(step)
    got = run(traced)
    for a, e in zip(got[0], eager[0]):
        for x, y in zip(a, e):
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes()
    assert got[1].tobytes() == eager[1].tobytes() and got[2] == eager[2] == 3
    lines = traced.get_concrete_function(g).graph.source.splitlines()
    reads = {re.search(r"# (\S+)$", line).group(1): line for line in lines if "ReadVariableOp" in line}
    scalar = [name for name, line in reads.items() if "._value[()]" in line]
    if B.xp is np:
        assert len(scalar) == 1 and scalar[0].startswith("Variable/Read"), reads  # the iteration alone
    else:
        assert scalar == [], reads
    assert sum("._value  #" in line for line in reads.values()) == len(reads) - len(scalar)


def test_a_spec_of_unknown_rank_never_serves_another_rank_with_the_wrong_graph():
    @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
    def total(x):
        return tf.reduce_sum(x * 2.0) + tf.cast(tf.size(x), tf.float32)

    assert float(total(tf.constant(2.0))) == 5.0
    assert float(total(tf.constant([1.0, 2.0]))) == 8.0
    assert float(total(tf.constant([[1.0, 2.0], [3.0, 4.0]]))) == 24.0
    assert total.experimental_get_tracing_count() == 3  # minitf traces an unknown rank once per rank

    concrete = total.get_concrete_function()
    assert tuple(concrete.graph.inputs[0].shape) == ()
    with pytest.raises(TypeError, match=r"trace takes x:0 of shape \(\), got shape \(2,\).*once per rank"):
        concrete(tf.constant([1.0, 2.0]))


# --- memory: a trace keeps only the examples its Python code can still use --------------------
def _chain(x):
    for _ in range(16):
        x = tf.sin(x) * 0.5 + 0.25  # each step's tensors are dropped by the Python code at once
    return tf.reduce_sum(x)


def test_trace_drops_examples_no_python_code_can_use_any_more(monkeypatch):
    """16 steps of three ops on a 4 MiB array: tracing ran every kernel on the call's values (48
    examples of 4 MiB); with a sweep after every 8 MiB, the trace's peak stays near what the Python
    code holds at once, and after the trace the graph keeps no example memory (tracemalloc)."""
    import tracemalloc

    from minitf import graph as graph_module

    monkeypatch.setattr(graph_module, "_SWEEP_BYTES", 8 << 20)
    trims = []  # each sweep hands the heap's holes back too (minitf/host_memory.py)
    monkeypatch.setattr(graph_module, "return_free_heap", lambda: trims.append(1))
    x = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)  # 4 MiB
    f = tf.function(_chain)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        concrete = f.get_concrete_function(x)
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - before < 40 << 20, f"trace peak {(peak - before) / 2**20:.0f} MiB (all examples: 192 MiB)"
    assert after - before < 2 << 20, f"the traced graph keeps {(after - before) / 2**20:.0f} MiB"
    from minitf import array_backend as B
    if B.xp is np:  # a sweep once more than 8 MiB of examples are new: every third one
        assert len(trims) >= 48 // 3
    else:  # a GPU backend's examples are not on the host's heap
        assert not trims
    eager = _chain(tf.constant(x)).numpy()
    np.testing.assert_array_equal(concrete(tf.constant(x)).numpy(), eager)
    np.testing.assert_array_equal(f(x).numpy(), eager)


def test_trace_keeps_the_examples_a_tape_needs(monkeypatch):
    """Sweeping after every op (every size) drops nothing that a later op or the tape's gradient
    uses: the traced gradient equals the eager one bit for bit."""
    from minitf import graph as graph_module

    monkeypatch.setattr(graph_module, "_SWEEP_BYTES", -1)
    monkeypatch.setattr(graph_module, "_RELEASE_MIN_BYTES", 0)

    def loss_and_grad(x, w):
        with tf.GradientTape() as tape:
            tape.watch(w)
            h = tf.nn.relu(tf.matmul(x, w))
            y = tf.reduce_sum(tf.reshape(h, [-1]) ** 2) + tf.reduce_sum(tf.gather(h, tf.argmax(h, axis=0)))
            # ops whose gradients read only shapes or only the output (Op.grad_reads_inputs / _outputs)
            s = tf.sigmoid(tf.squeeze(tf.expand_dims(h, 0), 0)) * tf.tanh(h - 0.5)
            y = y + tf.reduce_sum(tf.cast(tf.cast(s, tf.float64) * 2.0, tf.float32))
        return y, tape.gradient(y, w)

    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 32), dtype=np.float32)
    w = tf.constant(rng.standard_normal((32, 16), dtype=np.float32))
    traced = tf.function(loss_and_grad)(x, w)
    eager = loss_and_grad(tf.constant(x), w)
    for a, b in zip(traced, eager):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_trace_drops_examples_a_tape_holds_only_for_gradients_that_read_no_value(monkeypatch):
    """A conv -> bias add -> relu chain under a tape, sweeping after every op: the conv's and the
    add's outputs (held by the tape only for AddV2's and Relu's gradients, which read no value of
    them: ``grad_reads_inputs``) lose their examples during the forward; the relu outputs (read by
    ReluGrad) and the input keep theirs; the traced gradients equal the eager ones bit for bit."""
    from minitf import graph as graph_module
    from minitf._context import state

    monkeypatch.setattr(graph_module, "_SWEEP_BYTES", -1)
    monkeypatch.setattr(graph_module, "_RELEASE_MIN_BYTES", 0)
    released = {}

    def step(x, w1, w2, b):
        with tf.GradientTape() as tape:
            tape.watch([w1, w2, b])
            h = tf.nn.relu(tf.nn.conv2d(x, w1, 1, "SAME") + b)
            y = tf.nn.relu(tf.nn.conv2d(h, w2, 1, "SAME") + b)
            loss = tf.reduce_sum(y * y)
            if state.graph is not None:  # at trace time: what the sweeps left of the forward's examples
                for operation in state.graph.operations:
                    if operation.type in ("Conv2D", "AddV2", "Relu"):
                        example = operation.outputs[0]._example
                        released.setdefault(operation.type, []).append(0 in example.strides)
        return loss, tape.gradient(loss, [w1, w2, b])

    rng = np.random.default_rng(2)
    x = tf.constant(rng.standard_normal((4, 9, 9, 3), dtype=np.float32))
    w1 = tf.constant(rng.standard_normal((3, 3, 3, 3), dtype=np.float32))
    w2 = tf.constant(rng.standard_normal((3, 3, 3, 3), dtype=np.float32))
    b = tf.constant(rng.standard_normal((3,), dtype=np.float32))
    traced = tf.function(step)(x, w1, w2, b)
    assert released == {"Conv2D": [True, True], "AddV2": [True, True], "Relu": [False, False]}, released
    eager = step(x, w1, w2, b)
    np.testing.assert_array_equal(traced[0].numpy(), eager[0].numpy())
    for a, e in zip(traced[1], eager[1]):
        np.testing.assert_array_equal(a.numpy(), e.numpy())


# --- shapes computed in the function ------------------------------------------------------------
def test_a_shape_taken_from_an_unknown_size_stays_unknown_and_follows_each_call():
    """tf.zeros/fill/reshape to a shape computed from tf.shape(x): the static shape keeps what the
    trace knows (None for the batch), and each call uses its own size, not the first call's."""
    seen = {}

    @tf.function(input_signature=[tf.TensorSpec([None, 3])])
    def f(x):
        zeros = tf.zeros(tf.shape(x))
        filled = tf.fill([tf.shape(x)[0], 2], 7.0)
        flat = tf.reshape(x, [tf.shape(x)[0] * 3])
        seen.update(zeros=zeros.shape, filled=filled.shape, flat=flat.shape)
        return tf.shape(zeros)[0], zeros + 1.0, filled, flat

    for rows in (2, 5):
        x = np.arange(rows * 3, dtype=np.float32).reshape(rows, 3)
        n, ones, filled, flat = f(tf.constant(x))
        assert int(n) == rows
        np.testing.assert_array_equal(ones.numpy(), np.ones((rows, 3), np.float32))
        np.testing.assert_array_equal(filled.numpy(), np.full((rows, 2), 7.0, np.float32))
        np.testing.assert_array_equal(flat.numpy(), x.reshape(-1))
    assert [tuple(seen[k]) for k in ("zeros", "filled", "flat")] == [(None, 3), (None, 2), (None,)]


def test_a_reshape_to_a_computed_shape_has_a_gradient_and_known_parts_of_its_shape():
    @tf.function(input_signature=[tf.TensorSpec([None, 4])])
    def loss_and_gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            pairs = tf.reshape(x, [-1, 2, tf.shape(x)[1] // 2])
            assert tuple(pairs.shape) == (None, 2, 2)
            loss = tf.reduce_sum(pairs * pairs)
        return tape.gradient(loss, x)

    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(loss_and_gradient(tf.constant(x)).numpy(), 2 * x)


def test_a_reshape_to_a_known_computed_shape_of_the_wrong_size_fails_while_tracing():
    @tf.function
    def f(x):
        return tf.reshape(x, tf.shape(x) + 1)

    with pytest.raises(ValueError, match=r"(?i)cannot reshape a tensor with 6 elements.* to shape \[3, 4\]"):
        f(tf.ones([2, 3]))


def test_an_op_file_edited_after_import_does_not_change_what_the_replay_runs(tmp_path, monkeypatch):
    """The replay writes a one-line kernel from its source text. A file edited since import (a learner
    changing an op while a notebook runs) shows new text at the old code's line numbers: here the line of
    Shift's kernel then holds Other's. The replay must run the kernel that is loaded, as eager does."""
    import importlib
    import linecache

    from minitf import compiler
    original = (
        "from minitf.ops.op import Op\n"
        "class Shift(Op):\n"
        "    elementwise = True\n"
        "    def forward(x):\n"
        "        return x + 1\n"
        "class Other(Op):\n"
        "    elementwise = True\n"
        "    def forward(x):\n"
        "        return x * 10\n")
    module_file = tmp_path / "edited_ops.py"
    module_file.write_text(original)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("edited_ops")
    try:
        # Shift deleted: Other's kernel moves up to the lines where Shift's was.
        module_file.write_text("".join(original.splitlines(True)[:1] + original.splitlines(True)[5:]))
        assert module_file.read_text().splitlines()[3:5] == ["    def forward(x):", "        return x * 10"]
        linecache.checkcache(str(module_file))
        compiler._INLINE.pop(module.Shift, None)
        x = tf.constant(np.float32([1.0, 2.0]))
        traced = tf.function(lambda x: module.Shift.apply(x))
        np.testing.assert_array_equal(traced(x).numpy(), [2.0, 3.0])
        np.testing.assert_array_equal(traced(x).numpy(), module.Shift.apply(x).numpy())
        assert compiler._inline_form(module.Shift) is None  # the stale text is not written in
        assert compiler._inline_form(module.Other) is None  # (its lines are past the file's end now)
    finally:
        compiler._INLINE.pop(module.Shift, None)
        compiler._INLINE.pop(module.Other, None)
        del __import__("sys").modules["edited_ops"]


def test_a_variable_s_new_value_is_written_over_a_gradient_only_its_update_reads():
    """An optimizer's update of a large variable (an embedding, a Dense kernel) runs as a fused loop
    that alone reads the gradient, a fresh array (a matmul's result): the new value of one of the
    variables it assigns is written into that array, block by block after the block is read, not
    into a new one. A gradient that is also returned keeps its array. The bits are the eager ones."""
    rng = np.random.default_rng(5)
    a = tf.constant(rng.normal(size=(16, 300)).astype(np.float32))
    b = tf.constant(rng.normal(size=(16, 64)).astype(np.float32))  # gradients of 300 x 64: a fused loop
    params = [tf.Variable(rng.normal(size=(300, 64)).astype(np.float32)) for _ in range(2)]
    moments = [tf.Variable(rng.normal(size=(300, 64)).astype(np.float32)) for _ in range(2)]

    def step(a, b):
        grads = [tf.matmul(a, b, transpose_a=True), tf.matmul(a, b * 2.0, transpose_a=True)]
        for p, m, g in zip(params, moments, grads):
            m.assign_add((g - m) * 0.1)
            p.assign_sub(0.01 * m / (tf.sqrt(tf.abs(m)) + 1e-7))
        return grads[1]  # the second gradient is also an output: never written over

    start = [v.numpy() for v in params + moments]
    eager_out = step(a, b).numpy()
    eager = [v.numpy() for v in params + moments]
    for v, value in zip(params + moments, start):
        v.assign(value)
    traced = tf.function(step)
    got_out = traced(a, b).numpy()
    assert got_out.tobytes() == eager_out.tobytes()
    for v, e in zip(params + moments, eager):
        assert v.numpy().tobytes() == e.tobytes()
    source = traced.get_concrete_function(a, b).graph.source
    assert len(re.findall(r"    n\d+ = t\d+  # written over", source)) == 1, source  # the first gradient only


def test_a_variable_s_new_value_is_written_into_its_old_array_only_when_nothing_else_holds_it():
    """A fused update of a large variable writes the new value over the old one where the replay
    alone holds it (on NumPy; on other backends, always a new array). A value read before the call
    (``v.value()``) is a snapshot, as in TF: holding it makes the replay write a new array, and the
    value held stays as it was. Either way the bits are the eager ones."""
    import weakref
    rng = np.random.default_rng(6)
    g = tf.constant(rng.normal(size=(300, 64)).astype(np.float32))  # 19,200 values: a fused loop
    start = rng.normal(size=(300, 64)).astype(np.float32)
    p = tf.Variable(start)

    def step(g):
        p.assign_sub(0.5 * g * g)
        return tf.constant(0.0)

    step(g)
    eager = p.numpy()
    p.assign(start)
    traced = tf.function(step)
    traced(g)  # the first call traces (eager ops), the next ones replay
    assert p.numpy().tobytes() == eager.tobytes()
    before = p.numpy()
    array = weakref.ref(p._value)  # (a weak reference is no holder)
    traced(g)
    assert p.numpy().tobytes() == (before - 0.5 * g.numpy() * g.numpy()).tobytes()
    assert (p._value is array()) == (B.xp is np), "in place on NumPy alone"
    held = p.value()
    snapshot = held.numpy()
    traced(g)
    assert held.numpy().tobytes() == snapshot.tobytes()  # the value read before is untouched
    assert p._value is not held._value
    assert p.numpy().tobytes() == (snapshot - 0.5 * g.numpy() * g.numpy()).tobytes()
    assert "_only_the_variable_holds(" in traced.get_concrete_function(g).graph.source or B.xp is not np


def test_a_variable_s_value_read_in_the_function_and_used_after_its_update_keeps_its_array():
    """``old = v.read_value(); v.assign_sub(...)``, old returned (or read after the update): the
    update never writes over the value the function still needs."""
    rng = np.random.default_rng(7)
    g = tf.constant(rng.normal(size=(300, 64)).astype(np.float32))
    p = tf.Variable(rng.normal(size=(300, 64)).astype(np.float32))

    @tf.function
    def step(g):
        old = p.read_value()
        p.assign_sub(0.5 * g)
        return old

    for _ in range(3):
        before = p.numpy()
        returned = step(g).numpy()
        assert returned.tobytes() == before.tobytes()
        assert p.numpy().tobytes() == (before - 0.5 * g.numpy()).tobytes()
    assert "_only_the_variable_holds(" not in step.get_concrete_function(g).graph.source


def test_only_the_variable_holds_counts_every_other_holder():
    """The replay's test for writing in place: the variable's attribute and the replay's one local
    name, and nothing else; never a view of another array or a read-only one."""
    from minitf.compiler import only_the_variable_holds

    class Holder:
        _value = None

    holder = Holder()
    holder._value = np.zeros(4)
    local = holder._value
    assert only_the_variable_holds(holder, local)
    other = local
    assert not only_the_variable_holds(holder, local)  # a second holder
    del other
    view = local[:2]
    assert not only_the_variable_holds(holder, local)  # a view holds its base
    del view
    assert only_the_variable_holds(holder, local)
    assert not only_the_variable_holds(holder, np.zeros(4))  # not the variable's value
    holder._value = local = np.zeros(8)[:4]
    assert not only_the_variable_holds(holder, local)  # itself a view of another array
    holder._value = local = np.zeros(4)
    local.flags.writeable = False
    assert not only_the_variable_holds(holder, local)


def test_a_reduction_whose_order_the_shapes_decide_is_written_as_one_numpy_line():
    """Sum, Mean and a bias gradient (SumTo) on static shapes: where ``sum_over_axes`` is NumPy's
    sum (few rows, not the leading axes, an int array), the replay writes ``add.reduce(x, axes)`` in
    place of a call; where it adds in blocks (many rows), it calls the kernel. The bits are the
    eager ones either way, keepdims and a mean's count included."""
    rng = np.random.default_rng(9)
    small = tf.constant(rng.normal(size=(32, 7)).astype(np.float32))
    tall = tf.constant(rng.normal(size=(3000, 9)).astype(np.float32))  # 3000 rows: summed in blocks
    ints = tf.constant(rng.integers(-50, 50, size=(6, 5)).astype(np.int16))
    bias = tf.Variable(rng.normal(size=(9,)).astype(np.float32))
    column = tf.constant(np.array([[-0.0], [np.nan], [2.5], [-np.inf]], np.float32))  # a mean over 1 number

    def step(small, tall, ints, column):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum((tall + bias) ** 2)
        return (tf.reduce_sum(small, axis=0), tf.reduce_mean(small, axis=1, keepdims=True),
                tf.reduce_mean(small), tf.reduce_sum(tall, axis=0), tf.reduce_mean(ints, axis=0),
                tf.reduce_sum(ints, axis=1), tape.gradient(y, bias), y, tf.reduce_mean(column, axis=1))

    eager = [t.numpy() for t in step(small, tall, ints, column)]
    traced = tf.function(step)
    for _ in range(2):
        got = [t.numpy() for t in traced(small, tall, ints, column)]
        for a, e in zip(got, eager):
            assert a.dtype == e.dtype and a.shape == e.shape and a.tobytes() == e.tobytes()
    source = traced.get_concrete_function(small, tall, ints, column).graph.source
    assert re.search(r"= _xp\.add\.reduce\(a0, \(0,\)\)  # sum_1: Sum", source), source
    assert re.search(r"= \(_xp\.add\.reduce\(a0, \(1,\), keepdims=True\) / 7\)  # mean: Mean", source), source
    assert re.search(r"= _xp\.add\.reduce\(a3, \(1,\)\)  # mean_\d+: Mean", source), source  # no division by 1
    assert re.search(r"= k\d+\(a1\)  # sum_\d+: Sum", source), source  # 3000 rows: the blocked kernel
    assert re.search(r"= k\d+\(a2\)  # mean_\d+: Mean", source), source  # an int mean truncates: the kernel
    assert re.search(r"= k\d+\(t\d+, s\d+\)  # sum_to: SumTo", source), source  # the bias gradient, 3000 rows



def test_a_horizontal_group_reads_back_the_array_its_last_call_cut_the_new_values_from():
    """After a horizontal group assigns its variables slices of one flat array, the next call's
    concatenation of exactly those values is that array again (no copy); a variable given another
    value in between (``assign`` from outside) makes it concatenate as before. Over several calls,
    with such an assignment between two of them, the values are the eager ones, bit for bit."""
    from minitf import array_backend as B

    rng = np.random.default_rng(12)
    shapes = [(3, 4), (4,), (2, 1, 3)]
    params = [tf.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]
    moments = [tf.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]
    grads = [tf.constant(rng.normal(size=s).astype(np.float32)) for s in shapes]
    outside = rng.normal(size=(4,)).astype(np.float32)
    joined = []  # the number of arrays each concatenation joined

    def step(grads):
        for p, m, g in zip(params, moments, grads):
            m.assign_add((g - m) * 0.1)
            p.assign_sub(0.3 * m / (tf.sqrt(tf.abs(m)) + 1e-7))
        return params[0] * 1.0

    def run(call, per_call):
        for i in range(4):
            if i == 2:
                params[1].assign(outside)
            before = len(joined)
            call(grads)
            per_call.append(len(joined) - before)
        return [v.numpy() for v in params + moments]

    start = [v.numpy() for v in params + moments]
    eager = run(step, [])
    for v, s in zip(params + moments, start):
        v.assign(s)
    traced = tf.function(step)
    namespace = traced.get_concrete_function(grads)._replay.__globals__
    concatenate = namespace["_concatenate"]
    namespace["_concatenate"] = lambda parts: joined.append(len(parts)) or concatenate(parts)
    per_call = []
    try:
        got = run(traced, per_call)
    finally:
        namespace["_concatenate"] = concatenate
    for g, e in zip(got, eager):
        assert g.tobytes() == e.tobytes()
    assert set(joined) == {3}
    if B.xp is np:
        # the gradients every call; the reads of m and p on the first call only, and p's again after
        # params[1] got a value from outside
        assert per_call == [3, 1, 2, 1], per_call



def test_a_horizontal_group_writes_its_new_values_where_its_variables_slices_lie_when_nothing_else_holds_them():
    """Once a group has given its variables slices of one flat array, the next call writes the new
    values into that array (on NumPy): the variables keep the same slices. A value read before the
    call (``v.value()``) is a snapshot: while it is held the group writes new arrays, and the value
    held stays as it was. A value the function itself returns from before the update is never
    written over. Bits: the eager ones throughout."""
    import weakref
    from minitf import array_backend as B

    rng = np.random.default_rng(13)
    shapes = [(3, 4), (4,), (), (2, 1, 3)]
    params = [tf.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]
    moments = [tf.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]
    grads = [tf.constant(rng.normal(size=s).astype(np.float32)) for s in shapes]

    def step(grads):
        for p, m, g in zip(params, moments, grads):
            m.assign_add((g - m) * 0.1)
            p.assign_sub(0.3 * m / (tf.sqrt(tf.abs(m)) + 1e-7))
        return tf.constant(0.0)

    def expected(values):  # one eager step from ``values`` (params, then moments)
        for v, value in zip(params + moments, values):
            v.assign(value)
        step(grads)
        return [v.numpy() for v in params + moments]

    start = [v.numpy() for v in params + moments]
    traced = tf.function(step)
    traced(grads)
    traced(grads)  # the group has cut its variables' values from one array per assignment
    before = [v.numpy() for v in params + moments]
    slices = [weakref.ref(v._value) for v in params + moments]  # (a weak reference is no holder)
    traced(grads)
    after = [v.numpy() for v in params + moments]
    in_place = [v._value is s() for v, s in zip(params + moments, slices)]
    assert all(in_place) if B.xp is np else not any(in_place), in_place
    held = params[1].value()
    snapshot = held.numpy()
    traced(grads)
    assert held.numpy().tobytes() == snapshot.tobytes()  # the value read before is untouched
    assert params[1]._value is not held._value
    last = [v.numpy() for v in params + moments]
    for v, value in zip(params + moments, after):
        v.assign(value)
    del held
    traced(grads)
    traced(grads)  # new slices once, then in place again
    twice = [v.numpy() for v in params + moments]
    for got, want in zip(after, expected(before)):
        assert got.tobytes() == want.tobytes()
    for got, want in zip(last, expected(after)):
        assert got.tobytes() == want.tobytes()
    for got, want in zip(twice, expected(expected(after))):
        assert got.tobytes() == want.tobytes()
    source = traced.get_concrete_function(grads).graph.source
    assert source.count("_only_the_variables_hold(") == (2 if B.xp is np else 0), source
    del start


def test_a_horizontal_group_never_writes_over_a_value_the_function_read_before_the_update():
    """``old = p.read_value()`` before the update, returned after it: the new values never go where
    ``old`` lies (its lane stays out of the group, the others join it); each call returns the value
    from before its update."""
    rng = np.random.default_rng(14)
    shapes = [(3, 4), (4,), (2, 2)]
    params = [tf.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]
    moments = [tf.Variable(rng.normal(size=s).astype(np.float32)) for s in shapes]
    grads = [tf.constant(rng.normal(size=s).astype(np.float32)) for s in shapes]

    @tf.function
    def step(grads):
        old = params[0].read_value()
        for p, m, g in zip(params, moments, grads):
            m.assign_add((g - m) * 0.1)
            p.assign_sub(0.3 * m / (tf.sqrt(tf.abs(m)) + 1e-7))
        return old

    for _ in range(4):
        before = params[0].numpy()
        returned = step(grads).numpy()
        assert returned.tobytes() == before.tobytes()
        assert params[0].numpy().tobytes() != before.tobytes()
    assert "# horizontal:" in step.get_concrete_function(grads).graph.source


def test_only_the_variables_hold_counts_every_other_holder():
    """The group's test for writing in place: the flat array held by its slices, the cut and the
    replay's one local name; each slice by its variable and the cut; nothing else, and never a
    read-only array."""
    from minitf.compiler import only_the_variables_hold

    class Holder:
        _value = None

    def cut_of(sizes):
        flat = np.zeros(sum(sizes))
        offsets = np.cumsum([0, *sizes])
        holders = [Holder() for _ in sizes]
        cut = [(flat, *(flat[a:b] for a, b in zip(offsets[:-1], offsets[1:])))]
        for h, view in zip(holders, cut[0][1:]):
            h._value = view
        return cut, holders

    for sizes in ([4], [3, 1, 2]):
        cut, holders = cut_of(sizes)
        local = cut[0][0]
        assert only_the_variables_hold(cut[0], local)
        other = holders[-1]._value
        assert not only_the_variables_hold(cut[0], local)  # a slice held elsewhere
        del other
        view = local[1:]
        assert not only_the_variables_hold(cut[0], local)  # a view of the flat array
        del view
        second = local
        assert not only_the_variables_hold(cut[0], local)  # a second name for it
        del second
        assert only_the_variables_hold(cut[0], local)
        assert not only_the_variables_hold(cut[0], np.zeros(sum(sizes)))  # not the cut's array
        assert not only_the_variables_hold((), local)  # no cut yet (a first call)
        local.flags.writeable = False
        assert not only_the_variables_hold(cut[0], local)


def _op_classes(base):
    for cls in base.__subclasses__():
        yield cls
        yield from _op_classes(cls)


def test_every_fresh_output_op_returns_a_new_c_ordered_array():
    """``fresh_output`` promises a new C-ordered array (the replay may write a result or a variable's
    new value over it; another layout would give the variable other bits in later matmuls). Every op
    that claims it is checked here, on shapes that tempt a transposed result (a 1x1 kernel, strides,
    transposed operands, a gather along axis 1)."""
    from minitf import array_backend as B
    from minitf.image.patches import ExtractImagePatches
    from minitf.nn import conv as C
    from minitf.nn import depthwise_conv as D
    from minitf.nn import pooling as P
    from minitf.ops import linalg, shape_ops
    from minitf.ops.op import Op

    rng = np.random.default_rng(4)

    def arr(*shape):
        return B.xp.asarray(rng.normal(size=shape).astype(np.float32))

    results = {}
    for kernel, strides, c, f in [((1, 1), (1, 1), 6, 5), ((3, 3), (2, 2), 4, 7), ((3, 3), (1, 1), 2, 3)]:
        geom = C.window_geometry("Conv2D", (9, 9), kernel, strides, (1, 1), "SAME")
        x, w = arr(2, 9, 9, c), arr(*kernel, c, f)
        y = C.Conv2D.forward(x, w, geom)
        dy = arr(*y.shape)
        results.setdefault("Conv2D", []).append((y, (x, w)))
        results.setdefault("Conv2DBackpropInput", []).append((C.Conv2DBackpropInput.forward(dy, w, geom), (dy, w)))
        results.setdefault("Conv2DBackpropFilter", []).append((C.Conv2DBackpropFilter.forward(x, dy, geom), (x, dy)))
        wd = arr(*kernel, c, 2)
        yd = D.DepthwiseConv2dNative.forward(x, wd, geom)
        dyd = arr(*yd.shape)
        results.setdefault("DepthwiseConv2dNative", []).append((yd, (x, wd)))
        results.setdefault("DepthwiseConv2dNativeBackpropInput", []).append(
            (D.DepthwiseConv2dNativeBackpropInput.forward(dyd, wd, geom), (dyd, wd)))
        results.setdefault("DepthwiseConv2dNativeBackpropFilter", []).append(
            (D.DepthwiseConv2dNativeBackpropFilter.forward(x, dyd, geom), (x, dyd)))
    for size, window, stride, padding in [(8, (2, 2), (2, 2), "VALID"), (9, (3, 3), (2, 2), "VALID"),
                                          (9, (3, 3), (2, 2), "SAME")]:  # (SAME: the gradient cropped from a padded one)
        geom = C.window_geometry("MaxPool", (size, size), window, stride, (1, 1), padding)
        x = arr(3, size, size, 4)
        y = P.MaxPool.forward(x, geom)
        dy = arr(*y.shape)
        results.setdefault("MaxPool", []).append((y, (x,)))
        results.setdefault("MaxPoolGrad", []).append((P.MaxPoolGrad.forward(dy, x, y, geom), (dy, x, y)))
    for window, stride, rate, padding in [((1, 1), (1, 1), (1, 1), "VALID"), ((2, 3), (2, 1), (1, 2), "SAME")]:
        geom = C.window_geometry("extract_patches", (9, 9), window, stride, rate, padding)
        x = arr(2, 9, 9, 3)  # (1x1 windows: the patches are x's own numbers, still a new array)
        results.setdefault("ExtractImagePatches", []).append((ExtractImagePatches.forward(x, geom), (x,)))
    a, b = arr(7, 5), arr(7, 3)
    for ta, tb in [(False, False), (True, False), (False, True), (True, True)]:  # (5, 7) @ (7, 3), from views
        product = linalg.MatMul.forward(a if ta else a.T, b.T if tb else b, ta, tb)
        results.setdefault("MatMul", []).append((product, (a, b)))
    indices = B.xp.asarray(np.array([2, 0, 2], dtype=np.int32))
    for axis, like in [(0, arr(4, 5)), (1, arr(4, 5))]:
        dy = arr(3, 5) if axis == 0 else arr(4, 3)
        results.setdefault("GatherGrad", []).append((shape_ops.GatherGrad.forward(dy, indices, like, axis), (dy, like)))

    fresh = {cls.name for cls in _op_classes(Op) if cls.__dict__.get("fresh_output")}
    assert fresh == set(results), fresh ^ set(results)  # a new fresh_output op belongs in this test
    for name, cases in results.items():
        for out, inputs in cases:
            assert out.flags.c_contiguous, (name, out.shape, out.strides)
            assert not any(B.xp.shares_memory(out, i) for i in inputs), name


def test_a_call_of_positional_tensors_is_keyed_as_the_walk_keys_it():
    """``_signature`` writes the key of a positional-Tensor call out by hand: it must be the walk's."""
    from minitf.function import _signature, _walked_signature

    calls = [(), (tf.constant(1.0),), (tf.zeros((32, 2)), tf.ones((32, 1), tf.int32)),
             (tf.zeros((0, 3), tf.float64), tf.constant([True]), tf.constant(["a"]))]
    for args in calls:
        key, flat, leaves = _signature(args, {})
        assert (key, flat, leaves) == _walked_signature(args, {})
        assert all(a is b for a, b in zip(flat, args))


# (template, what the replay writes for it; T: the dtype's name): one-line kernels as the replay has them
TYPED_LITERAL_CASES = [
    ("(B.xp.maximum({0}, 0))", "(B.xp.maximum({0}, _lit_T_0))"),                        # Relu
    ("({1} * ({0} > 0).astype({1}.dtype))", "({1} * ({0} > _lit_T_0).astype({1}.dtype))"),  # ReluGrad
    ("(B.xp.exp(-B.xp.logaddexp(0, -{0})))", "(B.xp.exp(-B.xp.logaddexp(_lit_T_0, -{0})))"),  # the number first
    ("(B.xp.minimum(B.xp.maximum({0}, 0), 6.0))",                                       # nested: the outer
     "(B.xp.minimum(B.xp.maximum({0}, _lit_T_0), _lit_T_6_0))"),                        # sees a typed inner
    ("(({0} - 3) / 2 + 0.5 * {1})", "(({0} - _lit_T_3) / _lit_T_2 + _lit_T_0_5 * {1})"),
    ("(({0} > 0) * 2)", "(({0} > _lit_T_0) * 2)"),  # bool * 2 is an int: a float 2 would change the dtype
    ("({0} ** 2)", "({0} ** 2)"),                   # NumPy squares x ** 2: left to it
    ("(2 + 3)", "(2 + 3)"),                         # no array
    ("({0} + 0.1)", {"float64": "({0} + _lit_float64_0_1)"}),  # 0.1 is no float32 (float16) number: left
]


@pytest.mark.skipif(B.xp is not np, reason="the replay types numbers on NumPy only (CuPy passes them to its kernels)")
@pytest.mark.parametrize("template,expected", TYPED_LITERAL_CASES, ids=[c[0] for c in TYPED_LITERAL_CASES])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_numbers_in_a_replayed_kernel_become_0d_arrays_of_its_dtype_with_the_same_bits(template, expected, dtype):
    """``_typed_literals``: a number meeting float arrays in a ufunc is written as a 0-d array of their
    dtype (cheaper per call) where that runs the same loop; the results keep their dtype and bits,
    -0.0, inf and NaN included; a number that would change anything is left as it is."""
    from minitf import compiler

    dtype = np.dtype(dtype)
    rewritten, constants = compiler._typed_literals(template, dtype, {"B": B})
    if isinstance(expected, dict):
        expected = expected.get(dtype.name, template)
    assert rewritten == expected.replace("_T_", f"_{dtype.name}_")
    assert all(c.shape == () and c.dtype == dtype and not c.flags.writeable for c in constants.values())
    rng = np.random.default_rng(0)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -3.0, 2.0, 6.0, 7.5], dtype)
    x = np.concatenate([special, (rng.normal(size=200) * 5).astype(dtype)])
    y = rng.normal(size=x.shape).astype(dtype)
    with np.errstate(all="ignore"):
        want = eval(template.format("x", "y"), {"B": B, "x": x, "y": y})  # noqa: S307
        got = eval(rewritten.format("x", "y"), {"B": B, "x": x, "y": y, **constants})  # noqa: S307
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_array_equal(got, want)


def test_a_replay_writes_relus_zero_as_a_float32_array_and_keeps_the_eager_bits():
    """A traced ReLU MLP step (forward, ReluGrad, Adam): the literal 0 of Relu and ReluGrad appears in
    the replay as ``_lit_float32_0``, and the traced losses and weights equal the eager ones."""
    rng = np.random.default_rng(2)
    x = tf.constant(rng.normal(size=(16, 3)).astype(np.float32))
    y = tf.constant(rng.normal(size=(16, 1)).astype(np.float32))

    def run(traced: bool):
        tf.keras.utils.set_random_seed(7)
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(8, activation="relu"),
                                     tf.keras.layers.Dense(1)])
        opt = tf.keras.optimizers.Adam(0.05)

        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(x) - y))
            opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            return loss

        fn = tf.function(step) if traced else step
        losses = [fn(x, y).numpy() for _ in range(3)]
        return fn, losses, [w.numpy() for w in model.weights]

    fn, traced_losses, traced_weights = run(True)
    _, eager_losses, eager_weights = run(False)
    np.testing.assert_array_equal(traced_losses, eager_losses)
    for a, b in zip(traced_weights, eager_weights):
        np.testing.assert_array_equal(a, b)
    if B.xp is np:
        assert "_lit_float32_0" in fn.get_concrete_function(x, y).graph.source


def test_a_replay_transposes_a_matrix_with_T_and_a_batch_of_them_with_swapaxes():
    """MatMul's kernel transposes a matrix with ``x.T``; BatchMatMulV2's a batch of them with
    ``x.swapaxes(-1, -2)``, where ``.T`` would reverse every axis. Bits: the eager ones."""
    rng = np.random.default_rng(4)
    a, b = (tf.constant(rng.normal(size=s).astype(np.float32)) for s in [(5, 3), (4, 3)])
    a3, b3 = (tf.constant(rng.normal(size=s).astype(np.float32)) for s in [(2, 5, 3), (2, 4, 3)])

    def products(a, b, a3, b3):
        return tf.matmul(a, b, transpose_b=True), tf.matmul(a3, b3, transpose_b=True), tf.matmul(a3, a3, transpose_a=True)

    traced = tf.function(products)
    for got, want in zip(traced(a, b, a3, b3), products(a, b, a3, b3)):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    source = traced.get_concrete_function(a, b, a3, b3).graph.source
    assert re.search(r"dot\(a0, a1\.T\)", source), source
    assert re.search(r"matmul\(a2, a3\.swapaxes\(-1, -2\)\)", source), source
    assert re.search(r"matmul\(a2\.swapaxes\(-1, -2\), a2\)", source), source
