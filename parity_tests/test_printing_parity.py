"""What ``print`` and ``repr`` show for tensors, variables, shapes and dtypes: TF's text, exactly."""
import numpy as np
import pytest

CASES = {
    "float scalar": lambda tf: tf.constant(108.0),
    "int scalar": lambda tf: tf.constant(7),
    "bool scalar": lambda tf: tf.constant(True),
    "float vector": lambda tf: tf.constant([1.5, 2.0]),
    "int matrix": lambda tf: tf.constant([[1, 2], [3, 4]]),
    "wide range": lambda tf: tf.constant([1e-8, 1e8]),
    "float64 matrix": lambda tf: tf.constant(np.arange(12.0).reshape(3, 4), dtype=tf.float64),
    "variable": lambda tf: tf.Variable([1.0, 2.0], name="w"),
    "shape": lambda tf: tf.zeros((2, 3)).shape,
    "partial shape": lambda tf: tf.TensorShape([2, None]),
    "scalar shape": lambda tf: tf.constant(1.0).shape,
    "dtype": lambda tf: tf.float32,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_str_and_repr_match_tf(tf, mtf, case):
    theirs, ours = CASES[case](tf), CASES[case](mtf)
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)
