"""tf.Variable's assignments, the same code under TensorFlow and minitf: values and errors."""
import numpy as np
import pytest


def _assignments(tf):
    """Whole and sliced assignments, and what each leaves in the variable."""
    v = tf.Variable([10, 7])
    seen = [v.numpy().copy()]
    v[0].assign(7)
    seen.append(v.numpy().copy())
    m = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
    m[:, 1].assign([10, 20])
    m[1, ::2].assign(tf.constant([-1.0, -2.0]))
    m[:, 2].assign(9.0)  # a scalar broadcast into the slice
    m[0].assign([[4.0, 5.0, 6.0]])  # a leading 1 dropped
    m[1].assign(m[0] * 2)
    seen.append(m.numpy().copy())
    m.assign_add(tf.ones((2, 3)))
    m.assign_sub([[1.0, 1.0, 1.0], [0.5, 0.5, 0.5]])
    seen.append(m.numpy().copy())
    returned = v[1].assign(3)
    seen.append(returned.numpy().copy())
    return seen


def test_assignments_leave_the_same_values(tf, mtf):
    expected, got = _assignments(tf), _assignments(mtf)
    for e, g in zip(expected, got):
        assert e.dtype == g.dtype and e.shape == g.shape, (e.dtype, g.dtype, e.shape, g.shape)
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("bad", ["slice_shape", "whole_shape"])
def test_shape_mismatch_is_refused_by_both(tf, mtf, bad):
    for fw in (tf, mtf):
        m = fw.Variable(np.zeros((2, 3), np.float32))
        with pytest.raises((ValueError, fw.errors.InvalidArgumentError)):
            if bad == "slice_shape":
                m[:, 0].assign([1.0, 2.0, 3.0])
            else:
                m.assign(np.zeros((3, 2), np.float32))
