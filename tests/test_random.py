"""minitf.random: distributions, and TF's seeding rules (global seed, op seeds, Generator)."""
import numpy as np
import pytest

import minitf as tf


def _draw(seed=None):
    return tf.random.uniform([4], seed=seed).numpy()


def test_set_seed_restarts_the_global_stream():
    tf.random.set_seed(7)
    first = [_draw(), _draw()]
    tf.random.set_seed(7)
    again = [_draw(), _draw()]
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], first[1])


@pytest.mark.parametrize("global_seed", [None, 3])
def test_an_op_seed_is_a_stream_that_moves_on_with_each_call(global_seed):
    # As in TF eager: uniform(seed=1) twice gives two different draws; set_seed replays them.
    if global_seed is not None:
        tf.random.set_seed(global_seed)
    else:
        tf.random.set_seed(0)  # forget earlier streams, then test the default global seed
        tf.random._global_seed = None
    a1, a2, b1 = _draw(seed=1), _draw(seed=1), _draw(seed=2)
    assert not np.array_equal(a1, a2) and not np.array_equal(a1, b1)
    if global_seed is not None:
        tf.random.set_seed(global_seed)
        np.testing.assert_array_equal(_draw(seed=1), a1)
        np.testing.assert_array_equal(_draw(seed=1), a2)
        tf.random.set_seed(global_seed + 1)
        assert not np.array_equal(_draw(seed=1), a1)


def test_generator_from_seed_is_repeatable_and_independent_of_the_global_seed():
    g1, g2 = tf.random.Generator.from_seed(42), tf.random.Generator.from_seed(42)
    tf.random.set_seed(1)
    np.testing.assert_array_equal(g1.normal((3, 2)).numpy(), g2.normal((3, 2)).numpy())
    np.testing.assert_array_equal(g1.uniform((5,)).numpy(), g2.uniform((5,)).numpy())
    assert g1.normal((3,)).dtype == tf.float32


def test_distributions_have_their_moments_and_ranges():
    tf.random.set_seed(0)
    n = 200_000
    normal = tf.random.normal([n], mean=2.0, stddev=3.0).numpy()
    assert normal.dtype == np.float32 and abs(normal.mean() - 2) < 0.05 and abs(normal.std() - 3) < 0.05
    uniform = tf.random.uniform([n], minval=-1.0, maxval=3.0).numpy()
    assert uniform.min() >= -1 and uniform.max() < 3 and abs(uniform.mean() - 1) < 0.02
    ints = tf.random.uniform([n], minval=2, maxval=5, dtype=tf.int32).numpy()
    assert ints.dtype == np.int32 and set(np.unique(ints)) == {2, 3, 4}
    # Truncated at two standard deviations: std of a unit normal cut at +-2 is 0.8796.
    cut = tf.random.truncated_normal([n], mean=1.0, stddev=0.5).numpy()
    assert np.abs(cut - 1.0).max() <= 1.0 and abs(cut.std() / 0.5 - 0.8796) < 0.01


def test_shuffle_permutes_the_first_axis_only():
    tf.random.set_seed(0)
    x = np.arange(20).reshape(10, 2)
    shuffled = tf.random.shuffle(x).numpy()
    assert sorted(map(tuple, shuffled)) == sorted(map(tuple, x)) and not np.array_equal(shuffled, x)


def test_categorical_draws_with_softmax_probabilities():
    tf.random.set_seed(0)
    logits = np.log(np.array([[0.2, 0.8], [0.9, 0.1]], np.float32))
    draws = tf.random.categorical(logits, 20_000).numpy()
    assert draws.shape == (2, 20_000) and draws.dtype == np.int64
    np.testing.assert_allclose(draws.mean(axis=1), [0.8, 0.1], atol=0.01)


def test_integer_uniform_needs_maxval():
    with pytest.raises(tf.errors.InvalidArgumentError, match="maxval"):
        tf.random.uniform([2], dtype=tf.int32)


def test_a_draw_shaped_by_a_traced_batch_size_gets_each_signatures_size():
    """A VAE's noise: ``tf.random.normal((tf.shape(x)[0], d))`` inside a traced function draws with the
    batch size of the call's signature, anew on every call (a size the signature leaves unknown: see
    ``test_stateful_draws_in_a_trace_of_any_batch_size_take_each_calls_size``)."""
    @tf.function
    def noise(x):
        return tf.random.normal((tf.shape(x)[0], 3)), tf.random.uniform(tf.stack([tf.shape(x)[0], 2]))

    first, second = noise(tf.ones((4, 1))), noise(tf.ones((4, 1)))
    assert first[0].shape == (4, 3) and first[1].shape == (4, 2)
    assert not np.array_equal(first[0].numpy(), second[0].numpy())  # a draw per call, not a traced constant
    assert noise(tf.ones((2, 1)))[0].shape == (2, 3)  # a new signature traces again


def test_stateless_draws_in_a_trace_of_any_batch_size_take_each_calls_size():
    """``tf.shape(x)`` in a signature of unknown batch size: the draw's size is read at each call, and
    the numbers are those of the same eager draw, with one trace for every size."""
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def noise(x):
        shape = [tf.shape(x)[0], 3]
        return (tf.random.stateless_uniform(shape, seed=[1, 2]), tf.random.stateless_normal(shape, seed=[3, 4]),
                tf.random.stateless_uniform(shape, seed=[5, 6], minval=0, maxval=10, dtype=tf.int32))

    for n in (2, 5):
        got = noise(np.zeros((n, 3), np.float32))
        want = (tf.random.stateless_uniform([n, 3], seed=[1, 2]), tf.random.stateless_normal([n, 3], seed=[3, 4]),
                tf.random.stateless_uniform([n, 3], seed=[5, 6], minval=0, maxval=10, dtype=tf.int32))
        for g, w in zip(got, want):
            assert g.shape == (n, 3)
            np.testing.assert_array_equal(g.numpy(), w.numpy())
    assert len(noise._concrete) == 1



def test_stateful_draws_in_a_trace_of_any_batch_size_take_each_calls_size():
    """A VAE's noise, ``tf.random.normal([tf.shape(z)[0], k])``, traced for any batch size: a new draw of
    each call's size at every call (the eager stream's numbers after the same seed); ``x.shape`` there
    holds None, and the error says to pass ``tf.shape(x)``."""
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def noise(x):
        n = tf.shape(x)[0]
        return tf.random.normal([n, 3]), tf.random.uniform([n, 2], 0, 5, dtype=tf.int32), tf.random.truncated_normal([n])

    shapes = ((2, 3), (2, 2), (2,))
    tf.random.set_seed(7)
    first = [t.numpy() for t in noise(np.zeros((2, 3), np.float32))]
    assert [a.shape for a in first] == list(shapes)
    assert first[0].std() > 0 and np.abs(first[2]).max() <= 2 and first[1].dtype == np.int32
    second = [t.numpy() for t in noise(np.zeros((4, 3), np.float32))]
    assert [a.shape for a in second] == [(4, 3), (4, 2), (4,)]
    assert len(noise._concrete) == 1
    tf.random.set_seed(7)
    again = [t.numpy() for t in noise(np.zeros((2, 3), np.float32))]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def static_shape(x):
        return tf.random.normal(x.shape)

    with pytest.raises(ValueError, match=r"pass tf.shape\(x\)"):
        static_shape(np.zeros((2, 3), np.float32))
