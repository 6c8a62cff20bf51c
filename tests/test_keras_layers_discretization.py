"""Discretization: bins against a NumPy count of the boundaries, the float32 rounding of the
boundaries, the quantile summaries against exact quantiles, output modes, config and errors.
Keras's own boundaries and bins: parity_tests/test_hashing_parity.py."""
import numpy as np
import pytest

import minitf as tf

layers = tf.keras.layers
RNG = np.random.default_rng(5)


def test_a_value_goes_to_the_number_of_boundaries_at_or_below_it():
    boundaries = [-1.0, 0.0, 0.5, 2.0]
    x = np.array([[-3.0, -1.0, -0.5, 0.0], [0.49, 0.5, 1.9, 7.0]], np.float32)
    bins = layers.Discretization(bin_boundaries=boundaries)(x).numpy()
    assert bins.dtype == np.int32
    np.testing.assert_array_equal(bins, (x[..., None] >= np.array(boundaries)).sum(-1))
    ints = layers.Discretization(bin_boundaries=[0.5, 2.0])(np.array([0, 1, 2, 3])).numpy()
    np.testing.assert_array_equal(ints, [0, 1, 2, 2])


def test_boundaries_are_float32_as_tf_holds_them():
    """1/3 as a float32 is 0.3333333432674408: the float32 value 1/3 sits exactly on it."""
    layer = layers.Discretization(bin_boundaries=[1 / 3])
    np.testing.assert_array_equal(layer(np.array([np.float32(1 / 3)], np.float32)).numpy(), [1])
    np.testing.assert_array_equal(layer(np.array([1 / 3], np.float64)).numpy(), [1])


def test_adapt_puts_the_boundaries_near_the_quantiles():
    data = RNG.normal(size=(5000,)).astype(np.float32)
    layer = layers.Discretization(num_bins=4, epsilon=0.001)
    layer.adapt(data)
    np.testing.assert_allclose(layer.bin_boundaries, np.quantile(data, [0.25, 0.5, 0.75]), atol=0.02)
    counts = np.bincount(layer(data).numpy(), minlength=4)
    assert (abs(counts - 1250) < 60).all(), counts
    batched = layers.Discretization(num_bins=4, epsilon=0.001)
    batched.adapt([data[:2000], data[2000:]])  # a list is a sequence of batches, as in Keras
    np.testing.assert_allclose(batched.bin_boundaries, layer.bin_boundaries, atol=0.02)


def test_output_modes_encode_the_bins():
    layer = layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="count")
    x = np.array([[-1.0, 0.5, 0.7], [2.0, 2.0, -5.0]], np.float32)
    np.testing.assert_array_equal(layer(x).numpy(), [[1, 2, 0], [1, 0, 2]])
    one_hot = layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot")(np.array([[0.5], [3.0]]))
    np.testing.assert_array_equal(one_hot.numpy(), [[0, 1, 0], [0, 0, 1]])
    assert one_hot.dtype == tf.float32


def test_config_round_trip_keeps_adapted_boundaries():
    layer = layers.Discretization(num_bins=3)
    layer.adapt(RNG.normal(size=(300,)))
    again = layers.Discretization.from_config(layer.get_config())
    assert again.bin_boundaries == layer.bin_boundaries and again.num_bins == 3


@pytest.mark.parametrize("kwargs,message", [
    (dict(), "You need to set either `num_bins` or `bin_boundaries`"),
    (dict(num_bins=3, bin_boundaries=[1.0]), "Both `num_bins` and `bin_boundaries` should not be set"),
    (dict(num_bins=-1), "`num_bins` must be greater than or equal to 0"),
    (dict(num_bins=3, output_mode="bits"), "Unknown value for `output_mode`"),
    (dict(num_bins=3, sparse=True), "`sparse=True` may only be used"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Discretization(**kwargs)


def test_using_or_adapting_at_the_wrong_time():
    with pytest.raises(ValueError, match="call `adapt\\(dataset\\)` before"):
        layers.Discretization(num_bins=3)(np.zeros(3))
    with pytest.raises(ValueError, match="Cannot adapt a Discretization layer that has been initialized with"):
        layers.Discretization(bin_boundaries=[1.0]).adapt(np.zeros(3))
