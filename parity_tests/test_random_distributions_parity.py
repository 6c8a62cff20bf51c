"""Categorical, gamma, Poisson and binomial draws: minitf gives TF's numbers for the same seeds,
bit for bit (tf.random.stateless_*, Generator.binomial and its states, keras.random with int seeds
and SeedGenerators), and TF's error classes for bad input. The stateful tf.random.categorical /
gamma / poisson draw from minitf's own stream (as every stateful minitf draw): compared by
distribution only.

Why bits can match: minitf runs TF's CPU kernels step by step on TF's Philox stream, with the C
library's log/exp/pow/sin/cos as TF (minitf/_philox_samplers.py). The one known way to differ: TF
takes the categorical's exponentials with Eigen's vectorized exp, minitf with the C library's; a
sample would differ only if its uniform fell within an ulp of a cumulative weight (not seen here).
TF's categorical on more than about 200,000 cost units also depends on TF's thread count (its rows
are split between threads that start at different points of the stream): the draws here are below.
"""
import numpy as np
import pytest

from parity_tests.harness import frameworks

SEEDS = [(1, 2), (0, 0), (12345, 2 ** 40 + 7), (-3, 99)]


def both(fn):
    tf, mtf = frameworks()
    return fn(tf), fn(mtf)


def assert_same(theirs, ours, what=""):
    theirs, ours = np.asarray(theirs), np.asarray(ours)
    assert theirs.dtype == ours.dtype and theirs.shape == ours.shape, (what, theirs.dtype, ours.dtype, theirs.shape,
                                                                      ours.shape)
    np.testing.assert_array_equal(ours, theirs, err_msg=what)


@pytest.mark.parametrize("seed", SEEDS)
def test_stateless_categorical_bits(seed):
    rng = np.random.default_rng(abs(seed[0]) + 1)
    logits = rng.normal(size=(5, 7)).astype(np.float32) * 2
    wide = rng.normal(size=(2, 300)).astype(np.float32)

    def run(tf):
        return [tf.random.stateless_categorical(logits, 40, seed=seed).numpy(),
                tf.random.stateless_categorical(logits.astype(np.float64), 17, seed=seed, dtype=tf.int32).numpy(),
                tf.random.stateless_categorical(logits.astype(np.float16), 9, seed=seed).numpy(),
                tf.random.stateless_categorical(np.log([[0.5, 0.5]]), 5, seed=seed).numpy(),
                tf.random.stateless_categorical([[0.0, -np.inf, 2.0], [np.nan, 1.0, np.inf],
                                                 [-np.inf, -np.inf, -np.inf]], 12, seed=seed).numpy(),
                tf.random.stateless_categorical(wide, 50, seed=seed).numpy()]
    for i, (a, b) in enumerate(zip(*both(run))):
        assert_same(a, b, f"draw {i}")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_stateless_gamma_bits(seed, dtype):
    alpha = np.array([0.05, 0.3, 0.999, 1.0, 1.5, 4.0, 30.0, 1e3, 0.0, np.inf, np.nan, -1.0], dtype)

    def run(tf):
        return [tf.random.stateless_gamma([60, 12], seed=seed, alpha=alpha, dtype=dtype).numpy(),
                tf.random.stateless_gamma([7, 3, 2], seed=seed, alpha=[[1.0], [3.0], [0.5]], beta=[[3.0, 4.0]],
                                          dtype=dtype).numpy(),
                tf.random.stateless_gamma([5], seed=seed, alpha=2.0, beta=0.5, dtype=dtype).numpy(),
                # ~10 normals rejected for v <= 0 (Marsaglia-Tsang's retry) among these
                tf.random.stateless_gamma([1000, 2], seed=seed, alpha=[0.01, 0.05], dtype=dtype).numpy()]
    for i, (a, b) in enumerate(zip(*both(run))):
        assert_same(a, b, f"draw {i}")


@pytest.mark.parametrize("seed", SEEDS)
def test_stateless_poisson_bits(seed):
    lam = np.array([0.0, 0.4, 3.0, 9.99, 10.0, 25.0, 400.0, 1e5], np.float32)

    def run(tf):
        return [tf.random.stateless_poisson([50, 8], seed=seed, lam=lam).numpy(),
                tf.random.stateless_poisson([50, 8], seed=seed, lam=lam.astype(np.float64), dtype=tf.float64).numpy(),
                tf.random.stateless_poisson([20, 2], seed=seed, lam=[3, 40], dtype=tf.int64).numpy(),
                tf.random.stateless_poisson([20, 2], seed=seed, lam=np.array([3.0, 40.0], np.float16),
                                            dtype=tf.float16).numpy(),
                tf.random.stateless_poisson([6], seed=seed, lam=-2.0).numpy(),
                tf.random.stateless_poisson([3, 2], seed=seed, lam=[np.inf, 3.0]).numpy(),
                tf.random.stateless_poisson([3, 2], seed=seed, lam=[np.inf, 3.0], dtype=tf.float32).numpy()]
    for i, (a, b) in enumerate(zip(*both(run))):
        assert_same(a, b, f"draw {i}")


@pytest.mark.parametrize("seed", SEEDS)
def test_stateless_binomial_bits(seed):
    counts = np.array([5.0, 30.0, 100.0, 2000.0, 7.0, 123.0, 1e6, 0.0, 10.0])
    probs = np.array([0.2, 0.5, 0.9, 0.3, 0.99, 0.123456789, 0.7, 0.5, 1.0])

    def run(tf):
        return [tf.random.stateless_binomial([40, 9], seed=seed, counts=counts, probs=probs).numpy(),  # float32, as TF
                tf.random.stateless_binomial([40, 9], seed=seed, counts=tf.constant(counts), probs=tf.constant(probs),
                                             output_dtype=tf.float64).numpy(),  # float64 parameters
                tf.random.stateless_binomial([6, 2, 3], seed=seed, counts=[[10.0], [40.0]], probs=[0.1, 0.5, 0.8],
                                             output_dtype=tf.int64).numpy(),
                tf.random.stateless_binomial([5], seed=seed, counts=np.float16(25.0), probs=np.float16(0.6),
                                             output_dtype=tf.float16).numpy()]
    for i, (a, b) in enumerate(zip(*both(run))):
        assert_same(a, b, f"draw {i}")


def test_generator_binomial_values_and_states():
    def run(tf):
        g = tf.random.Generator.from_seed(1234)
        out = []
        for shape, counts, probs in [([3, 2], [10.0, 20.0], [0.3, 0.8]), ([5], 100.0, 0.25),
                                     ([4, 3, 1], [[50.0], [5.0], [500.0]], 0.6)]:
            out += [g.binomial(shape, counts=counts, probs=probs).numpy(), g.state.numpy()]
        out.append(g.normal([3], dtype=tf.float64).numpy())  # the stream goes on where TF's does
        return out
    for i, (a, b) in enumerate(zip(*both(run))):
        assert_same(a, b, f"value {i}")


def test_keras_random_draws_bits(tf, mtf):
    def run(tf):
        keras = tf.keras
        gen = keras.random.SeedGenerator(42)
        logits = np.log([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]]).astype("float32")
        out = [keras.random.categorical(logits, 7, seed=3), keras.random.categorical(logits, 7, seed=gen),
               keras.random.categorical(logits, 7, dtype="int64", seed=gen),
               keras.random.gamma((4, 3), alpha=np.array([0.5, 1.0, 3.0]), seed=5),
               keras.random.gamma((6,), alpha=2.0, seed=gen), keras.random.gamma((6,), alpha=2.0, seed=gen),
               keras.random.gamma((3,), alpha=2.0, dtype="float64", seed=gen),
               keras.random.binomial((4, 3), counts=np.array([5.0, 30.0, 100.0]),
                                     probabilities=np.array([0.3, 0.5, 0.9]), seed=7),
               keras.random.binomial((5,), counts=12, probabilities=0.5, dtype="int32", seed=gen),
               keras.random.beta((4, 3), alpha=0.5, beta=np.array([1.0, 2.0, 3.0]), seed=9),
               keras.random.beta((5,), alpha=2.0, beta=3.0, seed=gen), gen.state]

        traced_gen = keras.random.SeedGenerator(5)

        @tf.function
        def traced():
            return keras.random.gamma((2,), 1.5, seed=traced_gen), keras.random.categorical(logits, 3, seed=traced_gen)

        for _ in range(2):
            out += list(traced())
        return [np.asarray(v) for v in out]
    for i, (a, b) in enumerate(zip(run(tf), run(mtf))):
        assert_same(a, b, f"draw {i}")


def test_stateful_draws_have_tfs_distributions():
    def run(tf):
        tf.random.set_seed(5)
        return [tf.random.gamma([20_000], alpha=[0.5, 4.0], beta=[1.0, 2.0]).numpy().mean(axis=0),
                tf.random.poisson([20_000], lam=[2.0, 50.0]).numpy().mean(axis=0),
                np.bincount(tf.random.categorical(np.log([[0.2, 0.3, 0.5]]), 20_000).numpy()[0]) / 20_000]
    theirs, ours = both(run)
    for a, b, tol in zip(theirs, ours, (0.03, 0.03, 0.015)):
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol)


def _error_class(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 (the class is what is compared)
        return type(e)
    return None


@pytest.mark.parametrize("case", [
    lambda tf: tf.random.stateless_categorical([0.0, 1.0, 2.0], 10, seed=[1, 2]),
    lambda tf: tf.random.stateless_categorical([[0.0, 1.0]], -1, seed=[1, 2]),
    lambda tf: tf.random.stateless_categorical(np.zeros((2, 0), np.float32), 3, seed=[1, 2]),
    lambda tf: tf.random.stateless_categorical([[0.0, 1.0]], 3, seed=[1, 2], dtype=tf.int16),
    lambda tf: tf.random.stateless_categorical([[0, 1, 2]], 3, seed=[1, 2]),
    lambda tf: tf.random.stateless_categorical([[0.0, 1.0]], 3, seed=[1, 2, 3]),
    lambda tf: tf.random.stateless_gamma([3, 2], seed=[1, 2], alpha=[1.0, 2.0, 3.0]),
    lambda tf: tf.random.stateless_gamma([3, 2], seed=[1, 2], alpha=[1, 2], dtype=tf.int32),
    lambda tf: tf.random.stateless_poisson([3, 2], seed=[1, 2], lam=[1.0, 20.0, 3.0]),
    lambda tf: tf.random.stateless_poisson([3, 2], seed=[1, 2], lam=[1.0, 2.0], dtype=tf.bool),
    lambda tf: tf.random.stateless_binomial([3, 2], seed=[1, 2], counts=[10.0, 20.0, 3.0], probs=[0.3]),
    lambda tf: tf.random.stateless_binomial([3], seed=[1, 2], counts=[1.0, 2.0], probs=[0.1, 0.2, 0.3]),
])
def test_errors_of_tfs_class(case):
    tf, mtf = frameworks()
    theirs, ours = _error_class(lambda: case(tf)), _error_class(lambda: case(mtf))
    assert theirs is not None and ours is not None
    same = ours.__name__ == theirs.__name__
    assert same or issubclass(ours, getattr(mtf.errors, theirs.__name__, type(None))), (theirs, ours)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gamma_gradients_match_tfs(dtype):
    """TF's RandomGammaGrad. float64: minitf evaluates Eigen's series/continued fraction in double
    as TF does: equal to ~1e-12 relative (bit for bit in the cases run). float32: Eigen computes in
    float32 (good to ~1e-5 relative near its convergence limits), minitf in double then rounds:
    compared at rtol 2e-4, the float32 code's own error bound with margin."""
    def run(tf):
        alpha = tf.Variable(np.array([[0.05, 1.0, 0.4], [2.5, 40.0, 7.0]], dtype))
        beta = tf.Variable(np.array([1.5, 0.5, 3.0], dtype))
        with tf.GradientTape() as tape:
            x = tf.random.stateless_gamma([30, 2, 3], seed=[3, 4], alpha=alpha, beta=beta, dtype=dtype)
            loss = tf.reduce_sum(x * x)
        d_alpha, d_beta = tape.gradient(loss, [alpha, beta])
        with tf.GradientTape() as tape:
            y = tf.keras.random.gamma((20, 2, 3), alpha=alpha, seed=11, dtype=dtype)
            keras_loss = tf.reduce_sum(tf.sqrt(y))
        return x.numpy(), d_alpha.numpy(), d_beta.numpy(), tape.gradient(keras_loss, alpha).numpy()
    theirs, ours = both(run)
    assert_same(theirs[0], ours[0], "draw")
    rtol = 1e-11 if dtype == "float64" else 2e-4
    for what, a, b in zip(("alpha", "beta", "keras alpha"), theirs[1:], ours[1:]):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=rtol, err_msg=what)


def test_large_categorical_equals_tfs_one_thread_draw(tmp_path):
    """Above ~200,000 cost units TF splits the rows between threads, which start at other points of
    the stream (its numbers then depend on the machine's thread count); with one intra-op thread TF
    draws as minitf always does. TF runs in a child process, where the thread count can still be set."""
    import subprocess
    import sys
    import textwrap
    logits = np.random.default_rng(0).normal(size=(64, 10)).astype(np.float32)
    np.save(tmp_path / "logits.npy", logits)
    script = textwrap.dedent(f"""
        import os
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import numpy as np, tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(1)
        logits = np.load({str(tmp_path / "logits.npy")!r})
        np.save({str(tmp_path / "tf.npy")!r}, tf.random.stateless_categorical(logits, 1000, seed=[1, 2]).numpy())
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=600)
    _, mtf = frameworks()
    assert_same(np.load(tmp_path / "tf.npy"), mtf.random.stateless_categorical(logits, 1000, seed=[1, 2]).numpy())
