"""GradientTape semantics, as TF defines them (expected values come from calculus, worked by hand).

What is watched (watch, trainable Variables, trainable=False, watch_accessed_variables),
how often a tape answers (persistent), what stops it (stop_recording), the shape of
the answer (nested sources, None vs zeros), seeds (output_gradients, non-scalar and
multiple targets), jacobians, and the inspectable record (operations, backward_steps).
"""
from __future__ import annotations

import weakref

import numpy as np
import pytest

import minitf as tf


def _np(t):
    return None if t is None else np.asarray(t)


# --- what gets watched -------------------------------------------------------------------------
def test_watch_makes_a_constant_differentiable():
    x = tf.constant([1.0, -2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x)
    np.testing.assert_allclose(tape.gradient(y, x), [2.0, -4.0, 6.0])  # d sum(x^2)/dx = 2x


def test_unwatched_constant_gets_none():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_trainable_variable_is_watched_automatically():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * v * v
    assert float(tape.gradient(y, v)) == pytest.approx(27.0)  # 3 v^2
    assert tape.watched_variables() == (v,)


def test_non_trainable_variable_is_not_watched():
    v = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v
    assert tape.gradient(y, v) is None
    assert tape.watched_variables() == ()


def test_setting_trainable_false_later_stops_auto_watch():
    v = tf.Variable(1.5)
    v.trainable = False
    with tf.GradientTape() as tape:
        y = v * 2.0
    assert tape.gradient(y, v) is None


def test_watch_accessed_variables_false_needs_explicit_watch():
    a, b = tf.Variable(2.0), tf.Variable(5.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(b)
        y = a * b
    grads = tape.gradient(y, [a, b])
    assert grads[0] is None
    assert float(grads[1]) == pytest.approx(2.0)
    assert tape.watched_variables() == (b,)


def test_integer_variable_and_integer_sources_get_none():
    i = tf.Variable(3)  # int32: never watched
    x = tf.constant([1, 2, 3])
    with tf.GradientTape() as tape:
        tape.watch(x)  # ignored for integers, as in TF
        y = tf.cast(x, tf.float32) * 2.0 + tf.cast(i, tf.float32)
    assert tape.gradient(y, [x, i]) == [None, None]


def test_gradient_through_an_integer_cast_is_none():
    x = tf.constant([1.7, -2.2])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.cast(tf.cast(x, tf.int32), tf.float32) * x)
    # only the direct factor x carries a gradient: d/dx [int(x) * x] = int(x)
    np.testing.assert_allclose(tape.gradient(y, x), [1.0, -2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = tf.cast(tf.cast(x, tf.int32), tf.float32)
    assert tape.gradient(z, x) is None


def test_float_to_float_cast_passes_the_gradient():
    x = tf.constant([1.5, 2.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x, tf.float32) ** 2
    g = tape.gradient(y, x)
    assert g.dtype == tf.float64
    np.testing.assert_allclose(g, [3.0, 4.0])


# --- how often a tape answers ---------------------------------------------------------------------
def test_non_persistent_tape_answers_once_and_explains():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * 2.0
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent.*persistent=True"):
        tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent"):
        tape.jacobian(y, x)



def test_a_non_persistent_tape_frees_what_only_it_kept_while_it_walks():
    """TF's tape frees each op's saved values once that op's gradient has run, so a training step's
    later activations are gone before its first layers' gradients are computed."""
    freed_by_then = []

    @tf.custom_gradient
    def first(x):
        def grad(dy):  # runs last: every later op's gradient has run by now
            freed_by_then.append(later() is None)
            return dy
        return tf.identity(x), grad

    x = tf.Variable(np.ones(8, np.float32))
    with tf.GradientTape() as tape:
        h = tf.exp(first(x))  # exp's gradient reads h: only the tape keeps it after the del below
        loss = tf.reduce_sum(h * 3.0)
    later = weakref.ref(h)
    del h
    assert later() is not None
    np.testing.assert_allclose(_np(tape.gradient(loss, x)), 3.0 * np.e * np.ones(8), rtol=1e-6)
    assert freed_by_then == [True]


def test_a_persistent_tape_keeps_its_record_through_the_walk():
    x = tf.Variable(np.ones(8, np.float32))
    with tf.GradientTape(persistent=True) as tape:
        h = tf.exp(x)
        loss = tf.reduce_sum(h * 3.0)
    later = weakref.ref(h)
    del h
    first = _np(tape.gradient(loss, x))
    assert later() is not None  # a persistent tape answers again, from the same record
    np.testing.assert_array_equal(_np(tape.gradient(loss, x)), first)


def test_a_failed_walk_leaves_a_non_persistent_tape_used_up():
    @tf.custom_gradient
    def fails(x):
        def grad(dy):
            raise ValueError("gradient failed")
        return tf.identity(x), grad

    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = fails(x) * 2.0
    with pytest.raises(ValueError, match="gradient failed"):
        tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):  # not a second walk of half a record
        tape.gradient(y, x)

def test_persistent_tape_answers_many_times():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        z = y * y  # x^4
    assert float(tape.gradient(y, x)) == pytest.approx(4.0)
    assert float(tape.gradient(z, x)) == pytest.approx(32.0)  # 4 x^3
    assert float(tape.gradient(z, y)) == pytest.approx(8.0)  # 2 y
    assert float(tape.gradient(z, x)) == pytest.approx(32.0)  # the same again: nothing consumed


def test_gradient_inside_the_with_block_on_a_persistent_tape():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        g = tape.gradient(y, x)
        z = y * x  # recording goes on afterwards
    assert float(g) == pytest.approx(6.0)
    assert float(tape.gradient(z, x)) == pytest.approx(27.0)


def test_stop_recording_hides_ops_from_the_tape():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
        with tape.stop_recording():
            hidden = x * 10.0  # a constant as far as the tape knows
        z = y + hidden * x  # dz/dx = 2x + hidden = 4 + 20
    assert float(tape.gradient(z, x)) == pytest.approx(24.0)


def test_stop_recording_outside_the_block_is_an_error():
    tape = tf.GradientTape()
    with pytest.raises(ValueError, match="not recording"):
        with tape.stop_recording():
            pass


def test_reset_then_new_record_only():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        tape.reset()
        z = x * 3.0
    assert float(tape.gradient(z, x)) == pytest.approx(3.0)
    assert tape.gradient(y, x) is None  # recorded before the reset: forgotten
    assert [e.name for e in tape.operations] == ["ReadVariableOp", "Mul"]  # TF's record: the read, then the op


def test_stop_gradient_blocks():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * tf.stop_gradient(x)  # d/dx = stop(x) = 3
    assert float(tape.gradient(y, x)) == pytest.approx(3.0)


# --- the shape of the answer --------------------------------------------------------------------------
def test_nested_sources_give_the_same_structure():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = a * b * c
    grads = tape.gradient(y, {"w": [a, (b,)], "bias": c})
    assert set(grads) == {"w", "bias"}
    assert isinstance(grads["w"], list) and isinstance(grads["w"][1], tuple)
    assert float(grads["w"][0]) == pytest.approx(6.0)  # b c
    assert float(grads["w"][1][0]) == pytest.approx(3.0)  # a c
    assert float(grads["bias"]) == pytest.approx(2.0)  # a b


def test_unconnected_gradients_none_and_zero():
    x, unused = tf.Variable([1.0, 2.0]), tf.Variable([[5.0, 6.0]])
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(x * 2.0)
        _ = unused * 1.0  # watched, but not connected to y
    assert tape.gradient(y, unused) is None
    zeros = tape.gradient(y, unused, unconnected_gradients="zero")
    assert zeros.shape == (1, 2) and zeros.dtype == tf.float32
    np.testing.assert_array_equal(zeros, [[0.0, 0.0]])
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, x, unconnected_gradients="zeros")


def test_non_scalar_target_is_summed():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = x * x  # a vector: its gradient is that of sum(y)
    np.testing.assert_allclose(tape.gradient(y, x), [2.0, 4.0, 6.0])


def test_output_gradients_weight_the_target():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = x * x
    g = tape.gradient(y, x, output_gradients=tf.constant([1.0, 0.5, -1.0]))
    np.testing.assert_allclose(g, [2.0, 2.0, -6.0])  # w * 2x


def test_output_gradients_of_wrong_shape_is_refused():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = x * x
    with pytest.raises(ValueError, match="output_gradients"):
        tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0, 3.0]))


def test_multiple_targets_add_up():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y1, y2 = x * x, x * 3.0
    assert float(tape.gradient([y1, y2], x)) == pytest.approx(7.0)  # 2x + 3


def test_gradient_with_respect_to_an_intermediate_and_the_target_itself():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        z = tf.sin(y)
    assert float(tape.gradient(z, y)) == pytest.approx(np.cos(4.0))
    assert float(tape.gradient(z, z)) == 1.0


# --- accumulation: one variable reached along several paths ---------------------------------------------
def test_variable_used_twice_in_one_expression():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x  # both inputs are x: 2x
    assert float(tape.gradient(y, x)) == pytest.approx(6.0)


def test_variable_reached_along_many_paths_accumulates():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        a = x * x  # 2x
        b = tf.exp(x)  # e^x
        c = a * b + x  # d/dx = 2x e^x + x^2 e^x + 1
    expected = 2 * 2 * np.exp(2) + 4 * np.exp(2) + 1
    assert float(tape.gradient(c, x)) == pytest.approx(expected, rel=1e-6)


def test_same_variable_on_two_tapes_one_after_the_other():
    x = tf.Variable(1.5)
    with tf.GradientTape() as t1:
        y1 = x * x
    with tf.GradientTape() as t2:
        y2 = x * x * x
    assert float(t1.gradient(y1, x)) == pytest.approx(3.0)
    assert float(t2.gradient(y2, x)) == pytest.approx(3 * 1.5 ** 2)


def test_gradients_accumulated_in_a_loop_of_tapes():
    """The usual training step: a fresh tape per step, the gradient summed by hand."""
    w = tf.Variable([1.0, -1.0])
    total = np.zeros(2, np.float32)
    for k in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * float(k + 1))
        total += tape.gradient(loss, w).numpy()
    np.testing.assert_allclose(total, [6.0, 6.0])


def test_variable_assign_inside_the_tape_reads_the_new_value():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y1 = v * v
        v.assign(5.0)
        y2 = v * v
    assert float(y1) == 4.0  # a tensor read before the assign keeps the old value
    assert float(tape.gradient(y2, v)) == pytest.approx(10.0)  # 2v at v = 5


# --- jacobians ----------------------------------------------------------------------------------------
def test_jacobian_of_elementwise_and_matrix_functions():
    x = tf.constant([1.0, 2.0, 3.0])
    A = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 4.0]], np.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = tf.linalg.matvec(A, x) if hasattr(tf.linalg, "matvec") else tf.reshape(tf.matmul(A, tf.reshape(x, [3, 1])), [2])
    np.testing.assert_allclose(tape.jacobian(y, x), np.diag([2.0, 4.0, 6.0]))
    np.testing.assert_allclose(tape.jacobian(z, x), A)
    assert tape.jacobian(z, x).shape == (2, 3)


def test_jacobian_shape_is_target_shape_plus_source_shape():
    x = tf.constant(np.arange(6.0).reshape(2, 3), dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x, axis=0) * 2.0  # (3,)
    j = tape.jacobian(y, x)
    assert j.shape == (3, 2, 3)
    expected = np.zeros((3, 2, 3))
    for i in range(3):
        expected[i, :, i] = 2.0
    np.testing.assert_allclose(j, expected)


def test_jacobian_unconnected():
    x, u = tf.constant([1.0, 2.0]), tf.constant([3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, u])
        y = x * 2.0
    assert tape.jacobian(y, u) is None
    np.testing.assert_array_equal(tape.jacobian(y, u, unconnected_gradients="zero"), np.zeros((2, 1)))


def test_batch_jacobian():
    x = tf.constant(np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]], np.float32))
    W = np.array([[1.0, 0.0, 2.0], [-1.0, 3.0, 1.0]], np.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.tanh(tf.matmul(x, W))  # (3 batch, 3 out)
    bj = tape.batch_jacobian(y, x)
    assert bj.shape == (3, 3, 2)
    t = np.tanh(x.numpy() @ W)
    expected = (1 - t * t)[:, :, None] * W.T[None, :, :]  # d y[b,i] / d x[b,j] = (1 - y^2) W[j, i]
    np.testing.assert_allclose(bj, expected, rtol=1e-5, atol=1e-6)


def test_batch_jacobian_refuses_mismatched_batch():
    x = tf.constant(np.ones((3, 2), np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reshape(x, [2, 3])
    with pytest.raises(ValueError, match="batch"):
        tape.batch_jacobian(y, x)


# --- nested tapes -----------------------------------------------------------------------------------
def test_nested_tapes_give_second_derivatives():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x ** 3
        dy = inner.gradient(y, x)  # 3x^2
    assert float(dy) == pytest.approx(12.0)
    assert float(outer.gradient(dy, x)) == pytest.approx(12.0)  # 6x


def test_inner_tape_does_not_see_ops_recorded_before_it():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        y = x * x
        with tf.GradientTape() as inner:
            inner.watch(y)
            z = y * 3.0
        assert float(inner.gradient(z, y)) == pytest.approx(3.0)
    assert float(outer.gradient(z, x)) == pytest.approx(12.0)  # 6x


# --- the record -----------------------------------------------------------------------------------------
def test_operations_record_names_and_shapes():
    x = tf.constant(np.ones((4, 3), np.float32))
    w = tf.Variable(np.ones((3, 2), np.float32))
    with tf.GradientTape() as tape:
        y = tf.matmul(x, w)
        z = tf.reduce_sum(tf.nn.relu(y))
    ops = tape.operations
    assert ops[-1].outputs[0] is z
    assert [e.name for e in ops] == ["ReadVariableOp", "MatMul", "Relu", "Sum"]
    assert ops[0].inputs[0] is w and ops[1].inputs[1] is ops[0].output  # the matmul used the value read
    assert [tuple(s.shape) for s in ops[1].inputs] == [(4, 3), (3, 2)]
    assert tuple(ops[1].outputs[0].shape) == (4, 2)
    assert tuple(ops[-1].outputs[0].shape) == ()
    assert "MatMul((4, 3), (3, 2)) -> (4, 2)" in repr(ops[1])


def test_untracked_ops_are_not_recorded():
    a, x = tf.constant(2.0), tf.Variable(1.0)
    with tf.GradientTape() as tape:
        _ = a * a  # nothing watched is involved
        y = x + 1.0
    assert [e.name for e in tape.operations] == ["ReadVariableOp", "AddV2"]
    assert float(tape.gradient(y, x)) == 1.0


def test_backward_steps_walks_newest_first_with_the_chain_rule():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
        z = tf.sin(y)
    steps = tape.backward_steps(z, x)
    assert [entry.name for entry, _, _ in steps] == ["Sin", "Mul", "ReadVariableOp", "ReadVariableOp"]  # x * x reads x twice
    entry, upstream, input_grads = steps[0]
    assert float(upstream) == 1.0
    assert float(input_grads[0]) == pytest.approx(np.cos(9.0), rel=1e-6)
    _, upstream, input_grads = steps[1]
    assert float(upstream) == pytest.approx(np.cos(9.0), rel=1e-6)
    assert [float(g) for g in input_grads] == pytest.approx([3 * np.cos(9.0)] * 2, rel=1e-6)


def test_sources_must_be_tensors():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * 2.0
    with pytest.raises(ValueError, match="sources"):
        tape.gradient(y, [x, 3.0])


def test_a_tape_cannot_be_entered_twice_at_once():
    tape = tf.GradientTape()
    with tape:
        with pytest.raises(ValueError, match="already recording"):
            with tape:
                pass


# --- the tape records values, not objects (TF's ReadVariableOp) --------------------------------------
def test_gradient_uses_the_value_read_not_a_later_assign():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    x.assign(5.0)
    assert float(tape.gradient(y, x)) == 6.0  # 2 * 3, the value y was computed from (TF: 6.0)


def test_persistent_tape_survives_an_optimizer_step_between_gradients():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(v ** 3) * 2.0
    first = tape.gradient(y, v).numpy()
    tf.keras.optimizers.SGD(learning_rate=1.0).apply_gradients([(tf.constant([9.0, 9.0]), v)])
    second = tape.gradient(y, v).numpy()
    np.testing.assert_array_equal(first, [6.0, 24.0])  # 6 v^2 at v = [1, 2]
    np.testing.assert_array_equal(second, first)  # TF: [6, 24] again, not the gradient at the new v


def test_a_raw_op_loop_and_a_dense_layer_both_differentiate_recorded_values():
    w = tf.Variable([[2.0]])
    with tf.GradientTape(persistent=True) as tape:
        raw = tf.reduce_sum(tf.matmul(tf.constant([[3.0]]), w) ** 2)
    w.assign([[100.0]])
    assert float(tape.gradient(raw, w)[0, 0]) == 36.0  # 2 * (3 * 2) * 3
    layer = tf.keras.layers.Dense(1, use_bias=False)
    layer.build((None, 1))
    layer.kernel.assign([[2.0]])
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(layer(tf.constant([[3.0]])) ** 2)
    layer.kernel.assign([[100.0]])
    assert float(tape.gradient(out, layer.kernel)[0, 0]) == 36.0


# --- tapes are per thread ------------------------------------------------------------------------------
def test_a_tape_does_not_record_another_threads_ops():
    import threading
    x = tf.Variable(2.0)
    done = threading.Event()

    def other():
        for _ in range(200):
            _ = x * x  # recorded only by tapes of the other thread (none)
        done.set()

    with tf.GradientTape() as tape:
        worker = threading.Thread(target=other)
        worker.start()
        done.wait()
        worker.join()
    assert tape.operations == [] and tape.watched_variables() == ()


def test_threads_compute_gradients_at_the_same_time():
    import threading
    errors, results = [], []

    def work(k):
        try:
            v = tf.Variable(float(k))
            for _ in range(300):
                with tf.GradientTape() as tape:
                    y = v * v * 3.0
                results.append(float(tape.gradient(y, v)) == 6.0 * k)
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 1200 and all(results)
