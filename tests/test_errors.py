"""Bad input gets a clear error at the public boundary: which op, which shapes or dtypes, what was expected.

And what is NOT an error in TF is not one here: log(0) is -inf, 1/0 is inf, quietly.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitf as tf
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError, NotFoundError


def test_incompatible_shapes_names_the_op_and_both_shapes():
    with pytest.raises(InvalidArgumentError, match=r"AddV2: Incompatible shapes: \[2, 3\] vs. \[4\]") as info:
        tf.add(tf.ones((2, 3)), tf.ones((4,)))
    assert info.value.op == "AddV2"
    for op, fn in [("Mul", tf.multiply), ("Sub", tf.subtract), ("RealDiv", tf.divide), ("Maximum", tf.maximum),
                   ("Pow", tf.pow), ("Less", tf.less)]:
        with pytest.raises(InvalidArgumentError, match=rf"{op}: Incompatible shapes: \[3\] vs. \[2, 2\]"):
            fn(tf.ones((3,)), tf.ones((2, 2)))
    with pytest.raises(ValueError, match="Incompatible shapes"):  # also a ValueError, for plain Python code
        tf.ones((2, 3)) * tf.ones((3, 2))


def test_float_plus_int_is_refused_with_a_way_out():
    with pytest.raises(InvalidArgumentTypeError, match=r"AddV2: cannot mix dtypes.*float32.*int32.*tf.cast"):
        tf.constant(1.0) + tf.constant(1)
    with pytest.raises(TypeError, match="MatMul"):
        tf.matmul(tf.ones((2, 2)), tf.ones((2, 2), dtype=tf.float64))


def test_float_only_ops_refuse_integers():
    with pytest.raises(InvalidArgumentTypeError, match=r"Exp: expected a floating-point tensor.*int32"):
        tf.exp(tf.constant([1, 2]))
    with pytest.raises(NotFoundError, match="Reciprocal: no kernel for int32"):  # TF: no kernel, not a bad dtype
        tf.math.reciprocal(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="Relu: expected a float or integer tensor, got bool"):
        tf.nn.relu(tf.constant([True]))
    relu = tf.nn.relu(tf.constant([-1, 2]))  # as TF: relu takes integers
    assert relu.dtype == tf.int32 and relu.numpy().tolist() == [0, 2]


def _no_warnings(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning becomes a failure
        return fn()


def test_log_of_zero_is_minus_inf_without_warning():
    y = _no_warnings(lambda: tf.math.log(tf.constant([0.0, 1.0, -1.0])))
    assert y.numpy()[0] == -np.inf and y.numpy()[1] == 0.0 and np.isnan(y.numpy()[2])


@pytest.mark.parametrize("name, fn, expected", [
    ("1/0", lambda: tf.constant([1.0, -1.0, 0.0]) / 0.0, [np.inf, -np.inf, np.nan]),
    ("sqrt(-1)", lambda: tf.sqrt(tf.constant([-1.0, 4.0])), [np.nan, 2.0]),
    ("rsqrt(0)", lambda: tf.math.rsqrt(tf.constant([0.0])), [np.inf]),
    ("reciprocal(0)", lambda: tf.math.reciprocal(tf.constant([0.0])), [np.inf]),
    ("exp overflow", lambda: tf.exp(tf.constant([1000.0])), [np.inf]),
    ("log1p(-1)", lambda: tf.math.log1p(tf.constant([-1.0])), [-np.inf]),
    ("sigmoid(+-inf, nan)", lambda: tf.math.sigmoid(tf.constant([np.inf, -np.inf, np.nan])), [1.0, 0.0, np.nan]),
    ("softplus(-inf)", lambda: tf.nn.softplus(tf.constant([-np.inf, 1000.0])), [0.0, 1000.0]),
    ("logsumexp(-inf)", lambda: tf.reduce_logsumexp(tf.constant([-np.inf, -np.inf])), -np.inf),
    ("cast 1e30 to float16", lambda: tf.cast(tf.constant([1e30]), tf.float16), [np.inf]),
    ("floordiv by 0", lambda: tf.math.floordiv(tf.constant([1.0]), 0.0), [np.inf]),
])
def test_tf_quiet_special_values(name, fn, expected):
    """Where TF returns inf/nan quietly, so does minitf (no exception, no RuntimeWarning)."""
    y = _no_warnings(fn)
    np.testing.assert_array_equal(y.numpy(), np.asarray(expected, dtype=y.numpy().dtype), err_msg=name)


def test_gradient_of_log_at_zero_is_inf_without_warning():
    x = tf.constant([0.0, 2.0])
    def run():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.math.log(x)
        return tape.gradient(y, x)
    np.testing.assert_array_equal(_no_warnings(run).numpy(), [np.inf, 0.5])


def test_reused_non_persistent_tape_explains():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match=r"non-persistent GradientTape can only be used to compute one set "
                                           r"of gradients.*persistent=True"):
        tape.gradient(y, x)


def test_matmul_inner_dimension_mismatch():
    with pytest.raises(InvalidArgumentError,
                       match=r"MatMul: Matrix size-incompatible: In\[0\]: \[2, 3\], In\[1\]: \[4, 2\].*3 and 4"):
        tf.matmul(tf.ones((2, 3)), tf.ones((4, 2)))
    with pytest.raises(InvalidArgumentError, match="rank >= 2"):
        tf.matmul(tf.ones((3,)), tf.ones((3, 2)))
    with pytest.raises(InvalidArgumentError, match="batch dimensions"):
        tf.matmul(tf.ones((2, 2, 3)), tf.ones((3, 3, 2)))
    with pytest.raises(InvalidArgumentError, match="MatMul"):
        tf.ones((2, 3)) @ tf.ones((2, 3))


def test_reshape_size_mismatch():
    with pytest.raises(InvalidArgumentError,
                       match=r"Reshape: cannot reshape a tensor with 6 elements \(shape \[2, 3\]\) to shape \[4, 2\]"):
        tf.reshape(tf.ones((2, 3)), (4, 2))


@pytest.mark.parametrize("op, call", [
    ("Sum", lambda x: tf.reduce_sum(x, axis=2)), ("Mean", lambda x: tf.reduce_mean(x, axis=-3)),
    ("Max", lambda x: tf.reduce_max(x, axis=[0, 5])), ("ArgMax", lambda x: tf.argmax(x, axis=3)),
    ("Cumsum", lambda x: tf.math.cumsum(x, axis=-3)), ("Softmax", lambda x: tf.nn.softmax(x, axis=2)),
    ("ConcatV2", lambda x: tf.concat([x, x], axis=2)), ("ExpandDims", lambda x: tf.expand_dims(x, 4)),
    ("Squeeze", lambda x: tf.squeeze(x, axis=7)), ("GatherV2", lambda x: tf.gather(x, [0], axis=2)),
    ("ReverseV2", lambda x: tf.reverse(x, [2])), ("Unpack", lambda x: tf.unstack(x, axis=2)),
])
def test_axis_out_of_range_names_the_op_and_the_rank(op, call):
    with pytest.raises(InvalidArgumentError, match=rf"{op}: axis -?\d+ is out of range for (a tensor of )?rank 2"):
        call(tf.ones((2, 3)))


@pytest.mark.host_range_checks
def test_gather_index_out_of_range():
    with pytest.raises(InvalidArgumentError, match=r"GatherV2: indices contain 5, which is not in \[0, 2\)"):
        tf.gather(tf.ones((2, 3)), [0, 5])
    with pytest.raises(InvalidArgumentError, match=r"indices contain -1"):
        tf.gather(tf.ones((2, 3)), [-1])  # TF on CPU refuses negative indices too
    with pytest.raises(InvalidArgumentError, match=r"GatherNd: indices contain 3"):
        tf.gather_nd(tf.ones((2, 3)), [[1, 3]])
    with pytest.raises(TypeError, match="integers"):
        tf.gather(tf.ones((2, 3)), [0.5])


def test_squeeze_of_a_non_1_axis():
    with pytest.raises(InvalidArgumentError, match=r"Squeeze: cannot squeeze axis 1 of size 3 \(shape \[2, 3\]\)"):
        tf.squeeze(tf.ones((2, 3)), axis=1)


@pytest.mark.parametrize("pattern, call", [
    (r"ConcatV2: shapes \[\[2, 3\], \[3, 4\]\] must match", lambda: tf.concat([tf.ones((2, 3)), tf.ones((3, 4))], 0)),
    (r"Pack: shapes of all inputs must match", lambda: tf.stack([tf.ones((2, 3)), tf.ones((3, 2))])),
    (r"Transpose: perm \[0, 0\] is not a permutation", lambda: tf.transpose(tf.ones((2, 3)), [0, 0])),
    (r"REFLECT padding of 2 on axis 0 needs at most 1", lambda: tf.pad(tf.ones((2, 3)), [[2, 0], [0, 0]], "REFLECT")),
    (r"Pad: paddings must be non-negative, of shape \[2, 2\]", lambda: tf.pad(tf.ones((2, 3)), [[1, 1]])),
    (r"TopKV2: k=4 must be in \[0, 3\]", lambda: tf.math.top_k(tf.ones((2, 3)), k=4)),
    pytest.param(r"label value of 3 which is outside the valid range of \[0, 3\)",
                 lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 3], logits=tf.ones((2, 3))),
                 marks=pytest.mark.host_range_checks),
    (r"BroadcastTo: cannot broadcast shape \[2, 3\] to \[4\]", lambda: tf.broadcast_to(tf.ones((2, 3)), (4,))),
    (r"Split: axis 0 of size 5 cannot be split into 2 equal parts", lambda: tf.split(tf.ones((5,)), 2)),
    (r"Tile: multiples has 1 entries but the input has rank 2", lambda: tf.tile(tf.ones((2, 3)), [2])),
    (r"Einsum: letter 'j' stands for size 3 and for size 4 \(operands of shapes \[\[2, 3\], \[4, 2\]\]",
     lambda: tf.einsum("ij,jk->ik", tf.ones((2, 3)), tf.ones((4, 2)))),
    (r"Tensordot: contracted dimensions differ", lambda: tf.tensordot(tf.ones((2, 3)), tf.ones((4, 2)), 1)),
    (r"SelectV2: condition \[1\], x \[2\] and y \[3\] do not broadcast",
     lambda: tf.where(tf.constant([True]), tf.ones((2,)), tf.ones((3,)))),
    (r"softmax_cross_entropy_with_logits: logits and labels must be broadcastable",
     lambda: tf.nn.softmax_cross_entropy_with_logits(labels=tf.ones((2, 2)), logits=tf.ones((2, 3)))),
    (r"Variable 'v:0' has shape \(2,\) and cannot take a value of shape \(3,\)",
     lambda: tf.Variable([1.0, 2.0], name="v").assign([1.0, 2.0, 3.0])),
])
def test_clear_messages(pattern, call):
    with pytest.raises((InvalidArgumentError, ValueError), match=pattern):
        call()


def test_type_errors_say_what_was_expected():
    with pytest.raises(TypeError, match="OneHot: indices must be integers, got float32"):
        tf.one_hot(tf.constant([0.5]), 3)
    with pytest.raises(TypeError, match="Select: condition must be bool"):
        tf.where(tf.constant([1.0]), 1.0, 2.0)
    with pytest.raises(TypeError, match="LogicalAnd: expected bool tensors"):
        tf.logical_and(tf.constant([1.0]), tf.constant([True]))
    with pytest.raises(TypeError, match="labels must be integer class indices"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0.0], logits=tf.ones((1, 3)))
