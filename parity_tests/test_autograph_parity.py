"""AutoGraph under TensorFlow and minitf: the same Python control flow in a tf.function, the same
values, trace counts, gradients, op kinds and errors.

Each scenario takes the framework module and returns what a user can observe; the two results are
compared element by element (tensors bit for bit unless the scenario says otherwise).
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from parity_tests.harness import assert_close


def if_elif_else_on_tensors_and_python_values(tf):
    traces = []

    @tf.function
    def sign(x, mode):
        traces.append(mode)
        if mode == "abs":  # a Python value: only this branch is traced
            return tf.abs(x)
        if x > 0:
            y = x * 2.0
        elif x < 0:
            y = -x
        else:
            y = x + 10.0
        return y

    out = [sign(tf.constant(v), m) for v, m in ((3.0, "sign"), (-2.0, "sign"), (0.0, "sign"), (-4.0, "abs"))]
    return {"out": out, "traces": len(traces)}


def while_collatz(tf):
    @tf.function
    def collatz(n):
        steps = 0
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            steps += 1
        return steps

    return {"out": [collatz(tf.constant(v)) for v in (1, 6, 27)], "traces": collatz.experimental_get_tracing_count()}


def for_over_range_tensor_and_dataset(tf):
    @tf.function
    def over_range(n):
        total = tf.constant(0.0)
        for i in tf.range(n):
            if i % 3 == 0:
                continue
            if i > 7:
                break
            total += tf.cast(i, tf.float32) * 0.5
        return total

    @tf.function
    def over_rows(m):
        acc = tf.zeros([3])
        for row in m:
            acc = acc * 0.5 + row
        return acc

    dataset = tf.data.Dataset.from_tensor_slices(np.arange(10, dtype=np.float32)).batch(3)

    @tf.function
    def over_dataset(ds):
        total = tf.constant(0.0)
        count = 0
        for batch in ds:
            total += tf.reduce_sum(batch)
            count += 1
        return total, count

    rows = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3))
    return {"range": [over_range(tf.constant(n)) for n in (0, 5, 20)], "rows": over_rows(rows),
            "dataset": over_dataset(dataset)}


def logical_operators(tf):
    @tf.function
    def f(x, y):
        a = x > 0 and y > 0
        b = x > 0 or y > 0
        c = not x > 0
        return a, b, c

    return [f(tf.constant(x), tf.constant(y)) for x, y in ((1, 1), (1, -1), (-1, 1), (-1, -1))]


def nested_functions_and_methods(tf):
    class Counter(tf.Module):
        def __init__(self):
            super().__init__()
            self.total = tf.Variable(0.0)

        def add_while_positive(self, x):
            while x > 0:
                self.total.assign_add(x)
                x -= 1.0
            return self.total

        @tf.function
        def __call__(self, x):
            def halve_if_big(v):
                return v / 2.0 if v > 4.0 else v
            return self.add_while_positive(halve_if_big(x))

    counter = Counter()
    return [counter(tf.constant(3.0)), counter(tf.constant(10.0))]


def gradients_through_converted_control_flow(tf):
    w = tf.Variable(1.5)

    @tf.function
    def loss(x, n):
        y = x
        for _ in tf.range(n):
            y = tf.sin(y) * w
        if tf.reduce_sum(y) > 0:
            y = y * y
        else:
            y = -y
        i = tf.constant(0)
        while i < 2:
            y = y + 0.1 * y * y
            i += 1
        return tf.reduce_sum(y)

    @tf.function
    def grads(x, n):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = loss(x, n)
        return [value] + tape.gradient(value, [x, w])

    x = tf.constant([0.3, -0.7, 1.1])
    return [grads(x, tf.constant(n)) for n in (0, 1, 3)]


def rnn_over_time_steps_indexed_by_the_loop_counter(tf):
    kernel = tf.Variable(np.linspace(-1.0, 1.0, 9, dtype=np.float32).reshape(3, 3))

    @tf.function
    def run(inputs):
        with tf.GradientTape() as tape:
            state = tf.zeros([3])
            for step in tf.range(tf.shape(inputs)[0]):
                state = tf.tanh(inputs[step] + tf.reshape(tf.matmul(kernel, tf.reshape(state, [3, 1])), [3]))
            loss = tf.reduce_sum(state * state)
        return [loss] + tape.gradient(loss, [kernel])

    inputs = tf.constant(np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32))
    return run(inputs) + run(inputs[:2])


def loop_carried_errors(tf):
    @tf.function
    def dtype(n):
        s = 0
        i = 0
        while i < n:
            s = tf.cast(s, tf.float32)
            i += 1
        return s

    @tf.function
    def shape(n):
        s = tf.constant([1.0])
        while tf.reduce_sum(s) < n:
            s = tf.concat([s, s], 0)
        return s

    @tf.function
    def branch_dtype(x):
        if x > 0:
            y = tf.constant(1)
        else:
            y = tf.constant(1.0)
        return y

    @tf.function
    def one_branch(x):
        if x > 0:
            y = 1
        return y

    seen = []
    for f, arg in ((dtype, tf.constant(3)), (shape, tf.constant(5.0)), (branch_dtype, tf.constant(1)),
                   (one_branch, tf.constant(1))):
        try:
            f(arg)
            seen.append(None)
        except Exception as e:  # the class and the sentence that names the variable
            sentence = re.search(r"'[a-z]+' (has|must)[^.\n]*", str(e))
            seen.append((type(e).__name__, sentence.group(0) if sentence else str(e)))
    return seen


def what_autograph_refuses(tf):
    @tf.function
    def return_in_a_tensor_loop(n):
        for i in tf.range(n):
            if i > 3:
                return i
        return -1

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def for_else(xs):
        s = 0.0
        for x in xs:
            s += x
        else:
            s = -s
        return s

    @tf.function
    def while_else(n):
        i = 0
        while i < n:
            i += 1
        else:
            i = i * 10
        return i

    seen = []
    for f, arg in ((return_in_a_tensor_loop, tf.constant(10)), (for_else, tf.constant([1.0, 2.0])),
                   (while_else, tf.constant(3)), (while_else, 3)):
        try:
            seen.append(int(f(arg)))
        except Exception as e:
            seen.append(type(e).__name__)
    return seen


def autograph_off_refuses(tf):
    @tf.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x

    try:
        f(tf.constant(-2.0))
        return None
    except Exception as e:
        return [type(e).__name__, "tf.cond" in str(e) or "autograph" in str(e).lower()]


SCENARIOS = [if_elif_else_on_tensors_and_python_values, while_collatz, for_over_range_tensor_and_dataset,
             logical_operators, nested_functions_and_methods, loop_carried_errors, what_autograph_refuses,
             autograph_off_refuses]


def _compare(name: str, expected, actual, rtol: float = 0, atol: float = 0) -> None:
    if isinstance(expected, dict):
        assert set(expected) == set(actual), f"{name}: keys differ: {set(expected)} vs {set(actual)}"
        for key in expected:
            _compare(f"{name}.{key}", expected[key], actual[key], rtol, atol)
    elif isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(expected) == len(actual), \
            f"{name}: tf {expected!r}, minitf {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            _compare(f"{name}[{i}]", e, a, rtol, atol)
    elif isinstance(expected, (bool, int, float, str, type(None))):
        assert expected == actual, f"{name}: tf {expected!r}, minitf {actual!r}"
    else:
        assert_close(name, expected, actual, rtol=rtol, atol=atol)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_autograph_scenario_matches_tf(tf, mtf, scenario):
    _compare(scenario.__name__, scenario(tf), scenario(mtf))


@pytest.mark.parametrize("scenario", [gradients_through_converted_control_flow,
                                      rnn_over_time_steps_indexed_by_the_loop_counter], ids=lambda f: f.__name__)
def test_gradients_through_converted_control_flow_match_tf(tf, mtf, scenario):
    # sin, tanh and the gradients' sums may round differently from TF's kernels: a float32 tolerance.
    _compare(scenario.__name__, scenario(tf), scenario(mtf), rtol=1e-5, atol=1e-6)


def test_tf_prints_in_converted_branches_and_loops_run_when_tf_says(tf, mtf, tmp_path):
    def run(fw, path):
        stream = f"file://{path}"

        @fw.function
        def f(x):
            if x > 0:
                fw.print("positive", x, output_stream=stream)
            else:
                fw.print("not positive", x, output_stream=stream)
            for i in fw.range(2):
                fw.print("step", i, output_stream=stream)
            return x

        for v in (1, -1, 2):
            f(fw.constant(v))
        return path.read_text()

    assert run(mtf, tmp_path / "minitf.txt") == run(tf, tmp_path / "tf.txt")


def test_to_code_gives_python_source_in_both(tf, mtf):
    def f(x):
        if x > 0:
            x = x * 2
        return x

    for fw in (tf, mtf):
        code = fw.autograph.to_code(f)
        assert "def " in code and "if_stmt" in code, code
        compile(code, "<to_code>", "exec")
