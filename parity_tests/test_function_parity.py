"""tf.function under TensorFlow and minitf: the same code, the same trace counts, values and prints.

Each scenario takes the framework module and returns what a user can observe: results, how
often the Python body ran (traces), and the order of Python-time and run-time events.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest

from parity_tests.harness import assert_close


def retracing_rules(tf):
    log = []

    @tf.function
    def f(x, k=1):
        log.append("trace")
        return x * k

    out = [f(tf.constant([1.0, 2.0])), f(tf.constant([3.0, 4.0])), f(tf.constant([1.0, 2.0, 3.0])),
           f(tf.constant([1, 2])), f(tf.constant([1.0, 2.0]), k=2), f(tf.constant([1.0, 2.0]), k=2),
           f(np.array([5.0, 6.0], np.float32)), f(2.0), f(3.0)]
    return {"out": out, "traces": f.experimental_get_tracing_count(), "python_runs": len(log)}


def python_numbers_and_specs_share_traces(tf):
    """Python numbers sign a trace by value (1, 1.0 and True are equal, so one trace; the first value is
    baked in), and a TensorSpec of known shape picks the trace a tensor of that shape made."""
    log = []

    @tf.function
    def f(x):
        log.append("trace")
        return x * 2

    out = [f(1), f(1.0), f(True), f(2.5)]

    @tf.function
    def g(x):
        log.append("trace g")
        return x + 1

    g(tf.ones((2, 3)))
    concrete = g.get_concrete_function(tf.TensorSpec((2, 3), tf.float32))
    out.append(concrete(tf.ones((2, 3))))
    g.get_concrete_function(tf.TensorSpec((None, 3), tf.float32))
    return {"out": out, "traces": [f.experimental_get_tracing_count(), g.experimental_get_tracing_count()],
            "python_runs": len(log)}


def variables_as_arguments(tf):
    @tf.function
    def f(v):
        return v * 2

    a, b = tf.Variable([1.0, 2.0]), tf.Variable([3.0, 4.0])
    return {"out": [f(a), f(b)], "traces": f.experimental_get_tracing_count()}


def reduce_retracing(tf):
    @tf.function(reduce_retracing=True)
    def f(x):
        return tf.reduce_sum(x)

    out = [f(tf.ones((n,))) for n in range(1, 6)]
    return {"out": out, "traces": f.experimental_get_tracing_count()}


def input_signature(tf):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return x + 1

    out = [f(np.array([1.0, 2.0], np.float32)), f(tf.constant([1.0, 2.0, 3.0]))]
    errors = []
    for bad in (tf.constant([1, 2]), tf.constant([[1.0]])):
        try:
            f(bad)
            errors.append(None)
        except TypeError:
            errors.append("TypeError")
    return {"out": out, "traces": f.experimental_get_tracing_count(), "errors": errors}


def a_trace_with_unknown_sizes_serves_later_calls(tf):
    runs = []

    @tf.function
    def f(x):
        runs.append(1)
        return x + 1

    f.get_concrete_function(tf.TensorSpec([None], tf.float32))
    out = [f(tf.constant([1.0, 2.0, 3.0])), f(tf.constant([1.0, 2.0]))]
    first = f.experimental_get_tracing_count()
    out.append(f(tf.constant([[1.0]])))  # another rank: a new trace
    return {"out": out, "traces": [first, f.experimental_get_tracing_count()], "python_runs": len(runs)}


def state_and_assignments(tf):
    v = tf.Variable(1.0)

    @tf.function
    def bump(x):
        v.assign_add(x)
        return v.read_value() * 10

    return {"out": [bump(tf.constant(1.0)) for _ in range(3)], "v": v.read_value()}


def training_loop(tf):
    w = tf.Variable([[0.5], [-0.3]])
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.constant([[1.0], [2.0]])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((x @ w - y) ** 2)
        w.assign_sub(0.01 * tape.gradient(loss, w))
        return loss

    losses = [step() for _ in range(5)]
    return {"losses": losses, "w": w.read_value(), "traces": step.experimental_get_tracing_count()}


def cond_and_while(tf):
    x = tf.Variable(2.0)

    @tf.function
    def grads(a):
        with tf.GradientTape() as tape:
            tape.watch(a)
            y = tf.cond(x > 1, lambda: x * x * x * a, lambda: x * 5 + a)
        return tape.gradient(y, [x, a])

    first = grads(tf.constant(3.0))
    x.assign(0.5)
    second = grads(tf.constant(3.0))

    @tf.function
    def total(n):
        return tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + tf.cast(i, tf.float32)),
                             (tf.constant(0), tf.constant(0.0)))[1]

    return {"first": first, "second": second, "loop": [total(tf.constant(5)), total(tf.constant(10))],
            "traces": [grads.experimental_get_tracing_count(), total.experimental_get_tracing_count()]}


def tape_outside(tf):
    f = tf.function(lambda x: tf.sin(x) * x)
    x = tf.constant([0.5, 1.5])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return {"y": y, "dy": tape.gradient(y, x)}


def nested_structures(tf):
    @tf.function
    def f(d):
        return {"sum": d["a"] + d["b"][0], "pair": (d["b"][1], 7)}

    out = f({"a": tf.constant(1.0), "b": [tf.constant(2.0), tf.constant(3.0)]})
    return {"sum": out["sum"], "first": out["pair"][0], "python": out["pair"][1]}


def lazily_created_variable(tf):
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
    return {"out": [m(tf.constant([1.0, 2.0])), m(tf.constant([3.0, 4.0]))],
            "variables": len(m.variables)}


def static_shapes_in_the_trace(tf):
    """What a traced function knows of its tensors' sizes before it runs (TF's shape inference)."""
    shapes = {}

    @tf.function
    def f(x, y):
        shapes["elementwise"] = str(tuple(tf.nn.relu(x * y + 1.0).shape))
        shapes["broadcast_with_row"] = str(tuple((x + tf.ones((1, 3))).shape))
        shapes["matmul"] = str(tuple(tf.matmul(x, tf.ones((3, 4))).shape))
        shapes["reduce_sum_axis1"] = str(tuple(tf.reduce_sum(x, axis=1).shape))
        return x

    f.get_concrete_function(tf.TensorSpec([None, 3], tf.float32), tf.TensorSpec([None, 1], tf.float32))
    return shapes


def shapes_computed_in_the_function(tf):
    """zeros/fill/reshape to shapes computed from tf.shape(x) of an unknown batch: static shapes
    as TF infers them, values from each call's own size."""
    static = []

    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def f(x):
        zeros = tf.zeros(tf.shape(x))
        filled = tf.fill([tf.shape(x)[0], 2], 7.0)
        pairs = tf.reshape(x, [-1, 2, tf.shape(x)[1] // 2])
        flat = tf.reshape(x, [tf.shape(x)[0] * 4])
        reverse = tf.reshape(x, tf.reverse(tf.shape(x), [0]))
        static.append([tuple(t.shape.as_list()) for t in (zeros, filled, pairs, flat, reverse)])
        return [tf.shape(zeros)[0], zeros + 1.0, filled, pairs, flat, reverse]

    out = []
    for rows in (2, 3):
        x = tf.constant(np.arange(rows * 4, dtype=np.float32).reshape(rows, 4))
        out.append([t.numpy() for t in f(x)])
    return {"static": static, "values": out}


SCENARIOS = [shapes_computed_in_the_function, retracing_rules, python_numbers_and_specs_share_traces, static_shapes_in_the_trace, variables_as_arguments, reduce_retracing, input_signature,
             a_trace_with_unknown_sizes_serves_later_calls, state_and_assignments,
             training_loop, cond_and_while, tape_outside, nested_structures, lazily_created_variable]


def _compare(name: str, expected, actual) -> None:
    if isinstance(expected, dict):
        assert set(expected) == set(actual), f"{name}: keys differ: {set(expected)} vs {set(actual)}"
        for key in expected:
            _compare(f"{name}.{key}", expected[key], actual[key])
    elif isinstance(expected, (list, tuple)):
        assert len(expected) == len(actual), f"{name}: {len(expected)} vs {len(actual)} items"
        for i, (e, a) in enumerate(zip(expected, actual)):
            _compare(f"{name}[{i}]", e, a)
    elif isinstance(expected, (int, float, str, type(None))):
        assert expected == actual, f"{name}: tf {expected!r}, minitf {actual!r}"
    else:
        assert_close(name, expected, actual, rtol=0, atol=0)  # the same arithmetic: the same bits


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_function_scenario_matches_tf(tf, mtf, scenario):
    _compare(scenario.__name__, scenario(tf), scenario(mtf))


def test_prints_happen_when_tf_says(tf, mtf, capfd):
    def run(fw):
        @fw.function
        def f(x):
            print("python", x.shape)
            fw.print("op", x, output_stream=sys.stdout)
            return x

        f(fw.constant([1.0, 2.0]))
        f(fw.constant([3.0, 4.0]))
        f(fw.constant([[1.5]]))
        sys.stdout.flush()

    run(tf)
    expected = capfd.readouterr().out
    run(mtf)
    actual = capfd.readouterr().out
    assert actual == expected


def test_python_if_on_a_tensor(tf, mtf):
    """Both convert it (AutoGraph, parity_tests/test_autograph_parity.py); with autograph=False both refuse it."""
    def run(fw, autograph):
        @fw.function(autograph=autograph)
        def f(x):
            if x > 0:
                return x
            return -x
        return f(fw.constant(-2.0))

    assert float(run(tf, True)) == float(run(mtf, True)) == 2.0
    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
        run(tf, False)
    with pytest.raises(mtf.errors.OperatorNotAllowedInGraphError, match="tf.cond"):
        run(mtf, False)
