"""TF's results at the edges, which the outcome fuzz against TF (parity_tests/test_op_outcomes_parity.py)
found and minitf now copies. Expected values are worked out by hand from TF's rules."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minitf as tf
from minitf.errors import InvalidArgumentError, NotFoundError


def test_top_k_of_one_finds_the_maximum_as_eigen_does_around_nan():
    nan = np.nan
    # short rows: acc = t < acc ? acc : t, in order; a NaN is kept until a number follows it
    cases = {(0.5, 1.0, nan): 0, (3.0, nan, 1.0, 2.0): 3, (nan, 1.0, 0.5): 1, (1.0, 2.0, 3.0, nan): 0}
    for row, index in cases.items():
        assert int(tf.math.top_k(tf.constant(row), 1).indices.numpy()[0]) == index, row
    # 8 or more: whole packets of 8 pass over NaN; here the maximum 9 sits in a packet
    row = [1.0, nan, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0, nan]
    assert int(tf.math.top_k(tf.constant(row), 1).indices.numpy()[0]) == 0  # the leftover NaN wins, found nowhere
    assert int(tf.math.top_k(tf.constant(row[:8]), 1).indices.numpy()[0]) == 7


def test_one_tensor_concatenated_is_itself_and_a_scalar_reversed_too():
    assert float(tf.concat([tf.constant(2.0)], axis=0)) == 2.0
    assert float(tf.reverse(tf.constant(3.0), [0])) == 3.0
    with pytest.raises(InvalidArgumentError):
        tf.concat([tf.constant(1.0), tf.constant(2.0)], axis=0)


def test_stack_of_nothing_and_scans_of_empty_axes():
    empty = tf.stack([])
    assert empty.shape == (0,) and empty.dtype == tf.float32
    out = tf.math.cumsum(tf.ones((0, 2)), axis=0, exclusive=True, reverse=True)
    assert out.shape == (0, 2)
    with pytest.raises(InvalidArgumentError, match="scan axis"):
        tf.math.cumsum(tf.constant(1.0))


def test_tensordot_contracts_products_of_sizes_and_empty_axes():
    a = np.arange(6, dtype=np.float32).reshape(3, 2)
    b = np.arange(6, dtype=np.float32).reshape(2, 3)
    # axes (0, 1) of a (sizes 3, 2) against (1, 0) of b (sizes 3, 2): a full contraction, a number
    got = tf.tensordot(a, b, [[0, 1], [1, 0]]).numpy()
    assert got == pytest.approx(float(np.sum(a * b.T)))
    assert float(tf.tensordot(tf.ones((0,)), tf.ones((0,)), [[0], [0]])) == 0.0
    with pytest.raises(ValueError, match="'axes' must be at least 0"):
        tf.tensordot(tf.constant(1.0), tf.ones((1,)), 1)


def test_einsum_letters_must_agree_and_bool_has_no_kernel():
    with pytest.raises(InvalidArgumentError, match="letter 'j' stands for size 3 and for size 1"):
        tf.einsum("ij,jk->ik", tf.ones((1, 3)), tf.ones((1, 1)))
    with pytest.raises(NotFoundError, match="Einsum: no kernel for bool"):
        tf.einsum("ij,jk->ik", tf.ones((1, 1), tf.bool), tf.ones((1, 1), tf.bool))


def test_softmax_crossentropy_broadcasts_logits_and_labels_as_tf_kernel():
    # logits [[1.0]] broadcast over 3 classes are uniform: the loss is log 3 for labels summing to 1
    loss = tf.nn.softmax_cross_entropy_with_logits(tf.constant([[0.2, 0.3, 0.5]]), tf.constant([1.0]))
    assert loss.shape == () and float(loss) == pytest.approx(math.log(3), rel=1e-6)
    assert float(tf.nn.softmax_cross_entropy_with_logits(tf.ones((0,)), tf.ones((0,)))) == 0.0
    with pytest.raises(InvalidArgumentError, match="must be broadcastable"):
        tf.nn.softmax_cross_entropy_with_logits(tf.ones((2, 3)), tf.ones((2,)))


def test_integer_moments_batch_norm_and_leaky_relu():
    mean, variance = tf.nn.moments(tf.constant([1, 2, 4]), [0])
    assert (int(mean), int(variance)) == (2, 1)  # integer mean 7 // 3; ((1-2)^2 + 0 + (4-2)^2) // 3
    y = tf.nn.batch_normalization(tf.constant([1, 2]), tf.constant([0.5, 0.5]), tf.constant([1.0, 1.0]),
                                  tf.constant([0.0, 0.0]), tf.constant([1.0, 1.0]), 0.001)
    assert y.dtype == tf.int32  # as TF: both terms cast to x's dtype
    leaky = tf.nn.leaky_relu(tf.constant([-1, 2]))
    assert leaky.dtype == tf.float32 and leaky.numpy().tolist() == pytest.approx([-0.2, 2.0])


def test_bool_is_refused_where_tf_has_no_kernel():
    for fn in (tf.reduce_max, tf.reduce_min, tf.sort, lambda x: tf.math.top_k(x, 1)):
        with pytest.raises(InvalidArgumentError):
            fn(tf.constant([True, False]))
    with pytest.raises(InvalidArgumentError, match="must be >= 1-D"):
        tf.math.top_k(tf.constant(1.0), 1)
    with pytest.raises(TypeError, match="Cannot convert 0.5"):
        tf.pad(tf.constant([1]), [[1, 1]], constant_values=0.5)
    assert tf.pad(tf.constant([1]), [[1, 1]], constant_values=0.0).numpy().tolist() == [0, 1, 0]


def test_indices_out_of_range_as_tf_on_cpu_and_on_gpu():
    """TF's CPU kernels refuse an index or label out of range; its GPU kernels check nothing (a check
    would stop the device every step) and give zeros (gather) or NaN (sparse crossentropy)."""
    from minitf import array_backend as B

    params, logits = tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([[0.0, 1.0], [2.0, 0.0]])
    if B.xp is np:
        with pytest.raises(InvalidArgumentError, match="indices contain 5"):
            tf.gather(params, [0, 5])
        with pytest.raises(InvalidArgumentError, match="label value of 7"):
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 7], logits=logits)
    else:
        assert tf.gather(params, [0, 5]).numpy().tolist() == [[1.0, 2.0], [0.0, 0.0]]
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 7], logits=logits).numpy()
        assert np.isfinite(loss[0]) and np.isnan(loss[1])


def test_the_star_operator_on_bool_tensors_is_a_bool_product_but_multiply_has_no_bool_kernel():
    # TF's * casts a bool operand's product through int32 and back to bool; tf.multiply refuses bool.
    t, f = tf.constant([True, True, False]), tf.constant([True, False, False])
    assert (t * f).dtype == tf.bool and (t * f).numpy().tolist() == [True, False, False]
    assert (t * 0.5).numpy().tolist() == [False, False, False]  # 0.5 truncates to 0 on the way
    assert (2 * t).numpy().tolist() == [True, True, False]
    with pytest.raises(InvalidArgumentError):
        tf.multiply(t, f)

    @tf.custom_gradient
    def cubed(x):
        return x * x * x, lambda dy: dy * 3.0 * x * x
    assert cubed(t).numpy().tolist() == [True, True, False]


@pytest.mark.parametrize("raised, expected", [
    (ValueError("v"), tf.errors.InvalidArgumentError), (TypeError("t"), tf.errors.InvalidArgumentError),
    (StopIteration(), tf.errors.OutOfRangeError), (MemoryError(), tf.errors.ResourceExhaustedError),
    (NotImplementedError("n"), tf.errors.UnimplementedError), (KeyError("k"), tf.errors.UnknownError),
    (RuntimeError("r"), tf.errors.UnknownError),
    (InvalidArgumentError("an op's error inside the function"), tf.errors.UnknownError)])
def test_py_function_turns_what_the_python_function_raises_into_tf_error_classes(raised, expected):
    def fails(a):
        raise raised
    for call in (lambda x: tf.py_function(fails, [x], tf.float32),
                 tf.function(lambda x: tf.py_function(fails, [x], tf.float32))):
        with pytest.raises(expected, match=f"EagerPyFunc: the Python function raised {type(raised).__name__}") as info:
            call(tf.constant([1.0]))
        assert type(info.value) is expected and info.value.__cause__ is raised
