"""keras.random: seeds as Keras has them (an int repeats, a SeedGenerator moves on, no seed uses the
global generator), the draws' ranges and shapes, dropout and shuffle. Keras's own numbers:
parity_tests/test_keras_random_parity.py."""
import numpy as np
import pytest

import minitf as tf

keras = tf.keras


def test_an_int_seed_repeats_and_a_seed_generator_moves_on():
    np.testing.assert_array_equal(keras.random.normal((3,), seed=4), keras.random.normal((3,), seed=4))
    gen = keras.random.SeedGenerator(4)
    first, second = keras.random.normal((3,), seed=gen), keras.random.normal((3,), seed=gen)
    assert not np.array_equal(first, second) and gen.state.numpy().tolist() == [4, 2]
    np.testing.assert_array_equal(first, keras.random.normal((3,), seed=4))  # its first draw: the int seed's
    again = keras.random.SeedGenerator.from_config(gen.get_config())
    np.testing.assert_array_equal(keras.random.normal((3,), seed=again), first)
    with pytest.raises(ValueError, match="must be an integer"):
        keras.random.SeedGenerator(1.5)
    with pytest.raises(ValueError, match="either an integer or an instance of `SeedGenerator`"):
        keras.random.normal((2,), seed="abc")


def test_the_global_generator_restarts_with_set_random_seed():
    keras.utils.set_random_seed(11)
    a = [keras.random.uniform((2,)).numpy() for _ in range(2)]
    keras.utils.set_random_seed(11)
    b = [keras.random.uniform((2,)).numpy() for _ in range(2)]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[0], a[1])


def test_draws_have_their_ranges_dtypes_and_shapes():
    u = keras.random.uniform((1000,), minval=-2, maxval=3, seed=1).numpy()
    assert u.dtype == np.float32 and u.min() >= -2 and u.max() < 3
    r = keras.random.randint((1000,), 2, 5, seed=1).numpy()
    assert r.dtype == np.int32 and set(r.tolist()) == {2, 3, 4}
    assert keras.random.randint((4,), 0, 3, dtype="uint8", seed=1).dtype == "uint8"
    t = keras.random.truncated_normal((1000,), mean=1.0, stddev=0.5, seed=1).numpy()
    assert np.abs(t - 1.0).max() <= 1.0  # within two standard deviations
    n = keras.random.normal((20000,), mean=3.0, stddev=2.0, seed=1, dtype="float64").numpy()
    assert n.dtype == np.float64 and abs(n.mean() - 3.0) < 0.05 and abs(n.std() - 2.0) < 0.05


def test_dropout_scales_what_it_keeps_and_shuffle_permutes():
    x = np.linspace(1, 2, 1000).astype("float32")
    out = keras.random.dropout(x, 0.25, seed=3).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / 0.75, rtol=1e-6)
    assert 0.7 < kept.mean() < 0.8
    grid = keras.random.dropout(np.ones((4, 6), "float32"), 0.5, noise_shape=(1, 6), seed=3).numpy()
    assert (grid == grid[0]).all()  # one draw per column, broadcast over the rows
    assert (keras.random.dropout(x, 1.0).numpy() == 0).all() and keras.random.dropout(x, 0.0).numpy() is not None
    order = keras.random.shuffle(np.arange(10), seed=2).numpy()
    assert sorted(order.tolist()) == list(range(10)) and order.tolist() != list(range(10))
    rows = keras.random.shuffle(np.arange(12).reshape(3, 4), axis=1, seed=2).numpy()
    assert (np.sort(rows, axis=1) == np.arange(12).reshape(3, 4)).all()


def test_a_seed_generator_steps_inside_a_traced_function():
    gen = keras.random.SeedGenerator(9)

    @tf.function
    def draw():
        return keras.random.normal((2,), seed=gen)

    traced = [draw().numpy() for _ in range(3)]
    eager_gen = keras.random.SeedGenerator(9)
    eager = [keras.random.normal((2,), seed=eager_gen).numpy() for _ in range(3)]
    np.testing.assert_array_equal(traced, eager)  # the same sequence: one step of the state per call
    assert draw.experimental_get_tracing_count() == 1
