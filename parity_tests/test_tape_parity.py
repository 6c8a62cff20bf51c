"""GradientTape under TF and minitf: the same scenario, written once, must give the same numbers.

Each scenario is a function of the framework module returning a dict of results
(tensors, None, or nested lists of them); every entry is compared at float32's
rtol 1e-5 / atol 1e-6 (None must meet None). Covers nested tapes (2nd and 3rd
derivatives, Hessian-vector products), jacobian, batch_jacobian, output_gradients,
unconnected_gradients, persistent tapes, stop_recording, nested sources and
what gets watched.
"""
from __future__ import annotations

import numpy as np
import pytest

from parity_tests.harness import assert_close

rng = np.random.default_rng(0)
X = rng.normal(size=(3, 4)).astype(np.float32)
W = rng.normal(size=(4, 2)).astype(np.float32)
V = rng.normal(size=(3, 4)).astype(np.float32)


def nested_second_and_third_derivative(tf):
    x = tf.constant([0.3, -1.2, 2.0])
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.sin(x) * x ** 3
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    return {"d1": d1, "d2": d2, "d3": d3}


def hessian_vector_product(tf):
    x, v = tf.constant(X), tf.constant(V)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            loss = tf.reduce_sum(tf.nn.softmax(tf.tanh(x) @ W) ** 2)
        g = inner.gradient(loss, x)
        gv = tf.reduce_sum(g * v)
    return {"g": g, "hvp": outer.gradient(gv, x)}


def nested_tape_through_softmax_crossentropy(tf):
    w = tf.Variable(W)
    labels = np.eye(2, dtype=np.float32)[[0, 1, 1]]
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=X @ w))
        g = inner.gradient(loss, w)
        penalty = tf.reduce_sum(g * g)  # gradient-norm penalty: needs the backward of the backward
    return {"g": g, "d_penalty": outer.gradient(penalty, w)}


def jacobian_of_matrix_function(tf):
    x = tf.constant(X)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.nn.softmax(x @ W)
        z = tf.reduce_sum(x * x, axis=1)
    return {"jy": tape.jacobian(y, x), "jz": tape.jacobian(z, x), "jz_list": tape.jacobian(z, [x])}


def jacobian_unconnected(tf):
    x, u = tf.constant([1.0, 2.0]), tf.constant([[3.0, 4.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, u])
        y = x * 2.0
    return {"none": tape.jacobian(y, u), "zero": tape.jacobian(y, u, unconnected_gradients="zero")}


def batch_jacobian_dense_layer(tf):
    x = tf.constant(X)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.tanh(x @ W)  # (3, 2): row b depends on row b only
        z = tf.reshape(tf.nn.sigmoid(x), [3, 2, 2])  # a rank-3 target
    return {"bj": tape.batch_jacobian(y, x), "bj_rank3": tape.batch_jacobian(z, x)}


def output_gradients_and_nonscalar_targets(tf):
    x = tf.constant(X)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.exp(x) @ W
    return {"summed": tape.gradient(y, x),
            "weighted": tape.gradient(y, x, output_gradients=np.arange(6, dtype=np.float32).reshape(3, 2))}


def multiple_targets_and_nested_sources(tf):
    a, b = tf.Variable(W), tf.Variable([1.0, -2.0])
    with tf.GradientTape() as tape:
        h = X @ a
        y1 = tf.reduce_sum(h * b)
        y2 = tf.reduce_mean(tf.square(h))
    grads = tape.gradient([y1, y2], {"kernel": a, "rest": [b, (a,)]})
    return {"kernel": grads["kernel"], "b": grads["rest"][0], "a_again": grads["rest"][1][0]}


def unconnected_and_integer_sources(tf):
    x, unused = tf.Variable([1.0, 2.0]), tf.Variable([[5.0]])
    i = tf.constant([1, 2])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(i)
        y = tf.reduce_sum(x * x) + tf.cast(tf.reduce_sum(i), tf.float32)
    return {"none": tape.gradient(y, unused), "zero": tape.gradient(y, unused, unconnected_gradients="zero"),
            "int": tape.gradient(y, i), "x": tape.gradient(y, x)}


def watching_rules(tf):
    trainable, frozen = tf.Variable(2.0), tf.Variable(3.0, trainable=False)
    c = tf.constant(4.0)
    with tf.GradientTape(persistent=True) as tape:
        y = trainable * frozen * c
    with tf.GradientTape(watch_accessed_variables=False) as quiet:
        quiet.watch(frozen)
        z = trainable * frozen
    return {"trainable": tape.gradient(y, trainable), "frozen": tape.gradient(y, frozen), "const": tape.gradient(y, c),
            "quiet": quiet.gradient(z, [trainable, frozen])}


def stop_recording_and_stop_gradient(tf):
    x = tf.Variable([1.5, -0.5])
    with tf.GradientTape() as tape:
        y = x * x
        with tape.stop_recording():
            k = tf.exp(x)
        z = tf.reduce_sum(y * k + x * tf.stop_gradient(x))
    return {"g": tape.gradient(z, x)}


def persistent_tape_many_answers(tf):
    x = tf.Variable(X)
    with tf.GradientTape(persistent=True) as tape:
        h = tf.nn.relu(x @ W)
        loss = tf.reduce_sum(tf.nn.log_softmax(h))
    return {"first": tape.gradient(loss, x), "wrt_h": tape.gradient(loss, h), "again": tape.gradient(loss, x)}


def gradient_of_a_reused_variable(tf):
    x = tf.Variable([0.5, 2.0])
    with tf.GradientTape() as tape:
        y = x * x * x + tf.sin(x) * x
    return {"g": tape.gradient(y, x)}


def recorded_values_after_assignments(tf):
    """The tape differentiates the values it recorded: later assigns and optimizer steps change nothing."""
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    x.assign(5.0)
    after_assign = tape.gradient(y, x)
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        z = tf.reduce_sum(v ** 3) * 2.0
    first = tape.gradient(z, v)
    tf.keras.optimizers.SGD(learning_rate=1.0).apply_gradients([(tf.constant([9.0, 9.0]), v)])
    second = tape.gradient(z, v)
    w = tf.Variable([[2.0]])
    with tf.GradientTape() as tape:
        raw = tf.reduce_sum(tf.matmul(tf.constant([[3.0]]), w) ** 2)
    w.assign([[100.0]])
    return {"after_assign": after_assign, "first": first, "second": second, "raw": tape.gradient(raw, w)}


SCENARIOS = [recorded_values_after_assignments, nested_second_and_third_derivative, hessian_vector_product, nested_tape_through_softmax_crossentropy,
             jacobian_of_matrix_function, jacobian_unconnected, batch_jacobian_dense_layer,
             output_gradients_and_nonscalar_targets, multiple_targets_and_nested_sources,
             unconnected_and_integer_sources, watching_rules, stop_recording_and_stop_gradient,
             persistent_tape_many_answers, gradient_of_a_reused_variable]


def _compare(name: str, expected, actual) -> None:
    if isinstance(expected, (list, tuple)) or isinstance(actual, (list, tuple)):
        assert isinstance(actual, type(expected)) and len(expected) == len(actual), (
            f"{name}: structure differs: tf {type(expected).__name__} of {len(expected)}, minitf {actual!r}")
        for k, (e, a) in enumerate(zip(expected, actual)):
            _compare(f"{name}[{k}]", e, a)
        return
    assert_close(name, expected, actual, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_tape_scenario_matches_tf(tf, mtf, scenario):
    expected, actual = scenario(tf), scenario(mtf)
    assert sorted(expected) == sorted(actual)
    for key in expected:
        _compare(f"{scenario.__name__}: {key}", expected[key], actual[key])


def test_non_persistent_tape_refuses_a_second_answer_like_tf(tf, mtf):
    for framework in (tf, mtf):
        x = framework.Variable(1.0)
        with framework.GradientTape() as tape:
            y = x * x
        tape.gradient(y, x)
        with pytest.raises(RuntimeError, match="persistent"):
            tape.gradient(y, x)


def test_watched_variables_like_tf(tf, mtf):
    names = []
    for framework in (tf, mtf):
        a, b = framework.Variable(1.0, name="a"), framework.Variable(2.0, name="b", trainable=False)
        with framework.GradientTape() as tape:
            y = a * b
        tape.gradient(y, a)
        names.append([v.name for v in tape.watched_variables()])
    assert names[0] == names[1]
