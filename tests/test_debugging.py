"""tf.debugging: the checks pass quietly, fail with InvalidArgumentError naming the condition and the
failing values, run on every call of a traced function; check_numerics passes its tensor (and its
gradient) through. TF's outcomes: parity_tests/test_debugging_parity.py."""
import numpy as np
import pytest

import minitf as tf


def test_failing_checks_name_the_condition_the_message_and_the_values():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"(?s)weights\nCondition x == y did not hold.*\[\[1\]\]"):
        tf.debugging.assert_equal([1, 2], [1, 3], message="weights")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x > 0"):
        tf.debugging.assert_positive([1.0, 0.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="atol \\+ rtol"):
        tf.debugging.assert_near([1.0], [1.01])
    assert tf.debugging.assert_near([1.0], [1.01], atol=0.02) is None
    assert tf.debugging.assert_greater_equal([[2, 3]], [2]) is None  # broadcast


def test_check_numerics_passes_the_tensor_and_its_gradient():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.debugging.check_numerics(x * x, "squares"))
    assert tape.gradient(y, x).numpy().tolist() == [2.0, 4.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="squares : Tensor had Inf values"):
        tf.debugging.check_numerics(tf.constant([np.inf]), "squares")
    with pytest.raises(TypeError):
        tf.debugging.check_numerics(tf.constant([1]), "ints")


def test_checks_in_a_traced_function_run_on_every_call():
    @tf.function
    def scaled(x):
        tf.debugging.assert_non_negative(x, message="needs x >= 0")
        return tf.sqrt(x)

    assert scaled(tf.constant([4.0])).numpy().tolist() == [2.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="needs x >= 0"):
        scaled(tf.constant([-4.0]))  # the same trace: the check is part of the graph
    assert scaled.experimental_get_tracing_count() == 1


def test_static_checks():
    with pytest.raises(ValueError, match="must have rank 3"):
        tf.debugging.assert_rank(tf.zeros((2, 2)), 3)
    with pytest.raises(TypeError, match="must be of type tf.float32; got tf.int32"):
        tf.debugging.assert_type(tf.constant([1]), tf.float32)
    assert tf.debugging.is_nan(tf.constant([np.nan])).numpy().tolist() == [True]
