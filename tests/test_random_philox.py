"""tf.random.Generator and tf.random.stateless_* (TF's Philox streams): the algorithm against
published Philox4x32-10 test vectors, TF's state rules, and the distributions' formulas.
TF's own values for the same seeds are compared in parity_tests/test_random_philox_parity.py."""
import numpy as np
import pytest

import minitf as tf
from minitf import _philox as P


@pytest.mark.parametrize("counter, key, expected", [
    # Random123's known-answer tests for philox4x32_10 (kat_vectors)
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
])
def test_philox_known_answers(counter, key, expected):
    out = P.philox(np.array([counter], dtype=np.uint32), key)[0]
    assert tuple(int(v) for v in out) == expected


def test_counter_arithmetic_carries_across_words():
    assert P.counter_plus((0xFFFFFFFF, 0xFFFFFFFF, 0, 0), 1) == (0, 0, 1, 0)
    state = np.array([-1, 0, 5], dtype=np.int64)  # counter low word all ones
    np.testing.assert_array_equal(P.state_skip(state, 1), [255, 1, 5])


def test_uint32_to_float_uses_the_low_23_bits():
    w = np.array([0, 0x7FFFFF, 0xFF800000, 0x400000], dtype=np.uint32)
    np.testing.assert_array_equal(P.uint32_to_float(w), [0.0, 1 - 2.0 ** -23, 0.0, 0.5])


def test_create_rng_state_like_tf():
    np.testing.assert_array_equal(tf.random.create_rng_state(1234, "philox").numpy(), [1234, 0, 0])
    np.testing.assert_array_equal(tf.random.create_rng_state(2 ** 64 + 3, "philox").numpy(), [3, 1, 0])
    np.testing.assert_array_equal(tf.random.create_rng_state([12, 34], "philox").numpy(), [0, 12, 34])
    np.testing.assert_array_equal(tf.random.create_rng_state(2 ** 64 - 1, "philox").numpy(), [-1, 0, 0])


def test_generator_state_moves_by_256_per_value_and_streams_repeat():
    g = tf.random.Generator.from_seed(1)
    first = g.normal([2, 3])
    np.testing.assert_array_equal(g.state.numpy(), [1 + 6 * 256, 0, 0])
    g.uniform([4])
    np.testing.assert_array_equal(g.state.numpy(), [1 + 10 * 256, 0, 0])
    g.reset_from_seed(1)
    np.testing.assert_array_equal(g.normal([2, 3]).numpy(), first.numpy())
    a, b = tf.random.Generator.from_seed(5), tf.random.Generator.from_seed(5)
    np.testing.assert_array_equal(a.uniform([10]).numpy(), b.uniform([10]).numpy())


def test_generator_draws_are_the_stateless_kernel_on_the_state():
    g = tf.random.Generator.from_seed(3)
    key, counter = P.state_key_counter(g.state.numpy())
    np.testing.assert_array_equal(g.uniform([5]).numpy(), P.uniform(key, counter, 5, np.float32))


def test_distribution_formulas():
    key, counter = P.key_counter_from_seed(1, 2)
    w = P.blocks(key, counter, 2).reshape(-1)
    np.testing.assert_array_equal(tf.random.stateless_uniform([8], seed=[1, 2]).numpy(), P.uint32_to_float(w))
    ints = tf.random.stateless_uniform([8], seed=[1, 2], minval=3, maxval=10, dtype=tf.int32).numpy()
    np.testing.assert_array_equal(ints, 3 + (w.astype(np.int64) % 7))
    normal = tf.random.stateless_normal([2], seed=[1, 2], dtype=tf.float64).numpy()
    u1 = P.uint64_to_double(w[0:1], w[1:2])[0]
    v = 2 * np.pi * P.uint64_to_double(w[2:3], w[3:4])[0]
    np.testing.assert_allclose(normal, np.sqrt(-2 * np.log(u1)) * np.array([np.sin(v), np.cos(v)]), rtol=1e-15)
    t = tf.random.stateless_truncated_normal([1000], seed=[4, 4]).numpy()
    assert np.abs(t).max() < 2 and abs(t.mean()) < 0.1
    scaled = tf.random.stateless_uniform([8], seed=[1, 2], minval=-1.0, maxval=3.0).numpy()
    np.testing.assert_array_equal(scaled, P.uint32_to_float(w) * np.float32(4.0) + np.float32(-1.0))


def test_split_make_seeds_and_global_generator():
    g = tf.random.Generator.from_seed(9)
    children = g.split(3)
    assert len(children) == 3 and all(c.state.numpy()[:2].tolist() == [0, 0] for c in children)
    assert len({int(c.state.numpy()[2]) for c in children}) == 3
    seeds = g.make_seeds(4)
    assert seeds.shape == (2, 4) and seeds.dtype == tf.int64 and not seeds.numpy()[1].any()
    glob = tf.random.get_global_generator()
    assert tf.random.get_global_generator() is glob
    mine = tf.random.Generator.from_seed(0)
    tf.random.set_global_generator(mine)
    assert tf.random.get_global_generator() is mine


def test_generator_in_a_traced_function_draws_anew_and_checkpoints(tmp_path):
    g = tf.random.Generator.from_seed(2)

    @tf.function
    def draw():
        return g.normal([3])
    a, b = draw().numpy(), draw().numpy()
    assert not np.array_equal(a, b)
    expected = tf.random.Generator.from_seed(2)
    np.testing.assert_array_equal(a, expected.normal([3]).numpy())
    np.testing.assert_array_equal(b, expected.normal([3]).numpy())
    ckpt = tf.train.Checkpoint(gen=g)
    path = ckpt.write(str(tmp_path / "g"))
    after = g.normal([2]).numpy()
    g.normal([5])
    ckpt.restore(path)
    np.testing.assert_array_equal(g.normal([2]).numpy(), after)
    assert ("gen/_state_var/.ATTRIBUTES/VARIABLE_VALUE", [3]) in tf.train.list_variables(path)


def test_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="seed must be a shape \\[2\\] integer tensor"):
        tf.random.stateless_normal([2], seed=[1, 2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval"):
        tf.random.Generator.from_seed(1).uniform([2], 5, 5, dtype=tf.int32)
    with pytest.raises(ValueError, match="minval and maxval must be both"):
        tf.random.Generator.from_seed(1).uniform([2], 0, None, dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not supported by minitf"):
        tf.random.Generator.from_seed(1, alg="threefry")
    with pytest.raises(tf.errors.InvalidArgumentError, match="dtype must be a floating type"):
        tf.random.stateless_normal([2], seed=[1, 2], dtype=tf.int32)


@pytest.mark.parametrize("counter,start", [((0, 0, 0, 0), 0), ((0xFFFFFFF0, 0xFFFFFFFF, 5, 0), 3),
                                           ((0xFFFFFFFF,) * 4, 0), ((1, 2, 3, 4), 10**6)])
def test_block_counters_count_on_across_the_64_and_128_bit_boundaries(counter, start):
    """blocks() builds its counters with array arithmetic; here each one is counted with Python ints."""
    from minitf import _philox
    base = sum(w << (32 * i) for i, w in enumerate(counter)) + start
    rows = [[((base + g) % 2**128 >> (32 * i)) & 0xFFFFFFFF for i in range(4)] for g in range(40)]
    expected = _philox.philox(np.array(rows, dtype=np.uint32), (7, 9))
    np.testing.assert_array_equal(_philox.blocks((7, 9), counter, 40, start), expected)
