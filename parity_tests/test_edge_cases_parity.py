"""Edge cases of the core ops, under TensorFlow and minitf: the same value, or an error of TF's class.

Each case is run under both frameworks. Either both return, and the values agree (NaN in the
same places), or both raise, and minitf's error is an instance of the class TF raised (so that
``except tf.errors.InvalidArgumentError`` catches both), or TF crashes/misbehaves in a way noted
beside the case.
"""
from __future__ import annotations

import numpy as np
import pytest

NAN = float("nan")

CASES = {
    # integer division by zero is an error in TF, not 0
    "int_floordiv_by_zero": lambda tf: tf.constant(7) // tf.constant(0),
    "int_floormod_by_zero": lambda tf: tf.math.floormod(tf.constant([7, 1]), tf.constant([2, 0])),
    "float_div_by_zero": lambda tf: tf.constant([1.0, -1.0, 0.0]) / tf.constant(0.0),
    # bools are not numbers
    "bool_add": lambda tf: tf.constant(True) + tf.constant(True),
    "bool_reduce_sum": lambda tf: tf.reduce_sum(tf.constant([True, False])),
    "bool_reduce_mean": lambda tf: tf.reduce_mean(tf.constant([True, False])),
    # axes
    "duplicate_axis": lambda tf: tf.reduce_sum(tf.ones((2, 3)), axis=[0, 0]),
    "float_axis": lambda tf: tf.reduce_sum(tf.ones((2, 3)), axis=1.0),
    "axis_out_of_range": lambda tf: tf.reduce_max(tf.ones((2, 3)), axis=2),
    # shapes as data
    "range_wrong_direction": lambda tf: tf.range(0, 5, -1),
    "range_zero_delta": lambda tf: tf.range(0, 5, 0),
    "reshape_float_shape": lambda tf: tf.reshape(tf.ones((6,)), (2.0, 3.0)),
    "reshape_bad_size": lambda tf: tf.reshape(tf.ones((6,)), (4, 2)),
    # variables
    "float_var_assign_add_int_tensor": lambda tf: tf.Variable(1.0).assign_add(tf.constant(1)),
    "int_var_assign_float": lambda tf: tf.Variable(1).assign(2.5),
    # NaN in arg-reductions and top_k
    "argmax_nan": lambda tf: tf.argmax(tf.constant([1.0, NAN, 3.0])),
    "argmax_nan_first": lambda tf: tf.argmax(tf.constant([NAN, 3.0, 1.0])),
    "argmin_nan": lambda tf: tf.argmin(tf.constant([3.0, NAN, 1.0])),
    "top_k_nan": lambda tf: tf.math.top_k(tf.constant([3.0, NAN, 1.0]), 2).values,
    "top_k_nan_late": lambda tf: tf.math.top_k(tf.constant([3.0, 1.0, NAN, 5.0]), 2).indices,
    "sort_nan": lambda tf: tf.sort(tf.constant([NAN, 3.0, 1.0])),
    "argsort_nan": lambda tf: tf.argsort(tf.constant([3.0, 1.0, NAN, 5.0])),
    # empty reductions give the identity of the reduction
    "empty_reduce_max": lambda tf: tf.reduce_max(tf.zeros((0,))),
    "empty_reduce_min": lambda tf: tf.reduce_min(tf.zeros((0, 3)), axis=0),
    "empty_reduce_logsumexp": lambda tf: tf.reduce_logsumexp(tf.zeros((0,))),
    "empty_reduce_mean": lambda tf: tf.reduce_mean(tf.zeros((0,))),
    "softmax_zero_length_axis": lambda tf: tf.nn.softmax(tf.zeros((2, 0))),
    "argmax_empty_axis": lambda tf: tf.argmax(tf.zeros((2, 0)), axis=1),
    # dtype mixes are InvalidArgumentError in TF
    "mixed_dtypes_add": lambda tf: tf.constant([1, 2]) + tf.constant([1.0, 2.0]),
    "mixed_dtypes_matmul": lambda tf: tf.matmul(tf.ones((2, 2)), tf.ones((2, 2), tf.float64)),
    "incompatible_shapes": lambda tf: tf.ones((2, 3)) + tf.ones((4,)),
}


def _gradient(tf, case):
    """Gradient cases: the gradient where the upstream gradient is zero is 0, not NaN."""
    if case == "sqrt_masked_zero":
        x = tf.constant([0.0, 4.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.where(x > 0, tf.sqrt(x), tf.zeros_like(x)))
        return tape.gradient(y, x)
    if case == "norm_of_masked_zero_rows":
        x = tf.constant([[0.0, 0.0], [3.0, 4.0]])
        with tf.GradientTape() as tape:
            tape.watch(x)
            n = tf.norm(x, axis=1)
            y = tf.reduce_sum(tf.where(n > 0, n, tf.zeros_like(n)))
        return tape.gradient(y, x)
    if case == "gradient_of_none":
        x = tf.constant(1.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
        return tape.gradient(None, x)
    raise KeyError(case)


GRADIENT_CASES = ["sqrt_masked_zero", "norm_of_masked_zero_rows", "gradient_of_none"]


def _outcome(fn):
    try:
        return "value", fn()
    except Exception as e:  # noqa: BLE001 (the class is the result)
        return "error", e


def _compare(tf_outcome, mtf_outcome, name: str) -> None:
    kind, expected = tf_outcome
    got_kind, got = mtf_outcome
    if kind == "error":
        assert got_kind == "error", f"{name}: TF raised {type(expected).__name__}, minitf returned {got!r}"
        tf_class = type(expected).__name__
        bases = {c.__name__ for c in type(got).__mro__}
        assert tf_class in bases, f"{name}: TF raised {tf_class}, minitf {type(got).__mro__}: {got}"
        return
    assert got_kind == "value", f"{name}: TF returned {expected!r}, minitf raised {type(got).__name__}: {got}"
    e, a = np.asarray(expected), np.asarray(got)
    assert e.shape == a.shape and e.dtype == a.dtype, f"{name}: tf {e.dtype}{e.shape}, minitf {a.dtype}{a.shape}"
    np.testing.assert_array_equal(a, e, err_msg=name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_edge_case_matches_tf(tf, mtf, name):
    _compare(_outcome(lambda: CASES[name](tf)), _outcome(lambda: CASES[name](mtf)), name)


@pytest.mark.parametrize("name", GRADIENT_CASES)
def test_gradient_edge_case_matches_tf(tf, mtf, name):
    _compare(_outcome(lambda: _gradient(tf, name)), _outcome(lambda: _gradient(mtf, name)), name)
