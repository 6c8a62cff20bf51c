"""Categorical, gamma, Poisson and binomial draws (tf.random.* and keras.random.*): their
distributions (chi-square and moment tests with fixed seeds: deterministic, and able to fail),
the kernels' steps against their formulas, shapes and dtypes, determinism of the stateless draws,
fresh draws on each call of a traced function, and TF's errors. TF's own numbers for the same
seeds are compared in parity_tests/test_random_distributions_parity.py."""
import math

import numpy as np
import pytest

import minitf as tf
from minitf import _philox as P
from minitf import _philox_samplers as S
from minitf import keras


def chi_square_p_ok(observed: np.ndarray, expected_probs: np.ndarray, n: int) -> float:
    """The chi-square statistic over cells with expected count >= 5 (the rest pooled), divided by
    its degrees of freedom: about 1 for a right distribution; a wrong one gives tens or more."""
    expected = expected_probs * n
    keep = expected >= 5
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    if exp[-1] < 5:
        obs, exp = obs[:-1], exp[:-1]
    stat = float(((obs - exp) ** 2 / exp).sum())
    return stat / max(len(obs) - 1, 1)


# --- categorical ---------------------------------------------------------------------------------------
def test_stateless_categorical_follows_the_softmax():
    logits = np.log(np.array([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]], np.float32))
    draws = tf.random.stateless_categorical(logits, 20_000, seed=[3, 4]).numpy()
    assert draws.shape == (2, 20_000) and draws.dtype == np.int64
    for row, probs in zip(draws, np.exp(logits)):
        assert chi_square_p_ok(np.bincount(row, minlength=4), probs / probs.sum(), row.size) < 3


def test_stateless_categorical_is_the_inverse_cdf_of_tfs_uniform_doubles():
    # one row: sample j is the first class whose cumulative weight exceeds u_j * total, u_j the j-th
    # uniform double of the seed's stream (two words each, in order)
    logits = np.array([[0.5, -1.0, 2.0, 0.0]], np.float64)
    key, counter = P.key_counter_from_seed(11, 12)
    u = P.uniform(key, counter, 9, np.float64)
    cdf = np.cumsum(np.exp(logits[0] - logits[0].max()))
    expected = [int(np.searchsorted(cdf, x * cdf[-1], side="right")) for x in u]
    got = tf.random.stateless_categorical(logits, 9, seed=[11, 12]).numpy()[0]
    assert got.tolist() == expected


def test_categorical_non_finite_logits_as_tf():
    logits = np.array([[0.0, -np.inf, 1.0], [np.nan, 0.0, -np.inf], [-np.inf, -np.inf, -np.inf]], np.float32)
    draws = tf.random.stateless_categorical(logits, 500, seed=[1, 1]).numpy()
    assert set(draws[0]) == {0, 2}  # -inf: probability 0
    assert set(draws[1]) == {1}  # NaN and -inf add nothing to the cumulative weights
    assert set(draws[2]) == {3}  # nothing finite: TF returns num_classes (past the last class)


def test_categorical_dtypes_and_determinism():
    logits = [[1.0, 2.0, 3.0]]
    a = tf.random.stateless_categorical(logits, 50, seed=[5, 6], dtype=tf.int32)
    b = tf.random.stateless_categorical(logits, 50, seed=[5, 6], dtype="int32")
    c = tf.random.stateless_categorical(logits, 50, seed=[5, 7], dtype=tf.int32)
    assert a.dtype == tf.int32 and np.array_equal(a.numpy(), b.numpy()) and not np.array_equal(a.numpy(), c.numpy())
    half = tf.random.stateless_categorical(np.array(logits, np.float16), 50, seed=[5, 6]).numpy()
    assert np.array_equal(half, a.numpy())  # the weights are computed in double from the same values
    assert tf.random.stateless_categorical(logits, 0, seed=[5, 6]).shape == (1, 0)


def test_stateful_categorical_draws_anew_and_repeats_with_set_seed():
    tf.random.set_seed(7)
    first = tf.random.categorical([[0.0, 0.0, 0.0]], 200, seed=3).numpy()
    second = tf.random.categorical([[0.0, 0.0, 0.0]], 200, seed=3).numpy()
    tf.random.set_seed(7)
    again = tf.random.categorical([[0.0, 0.0, 0.0]], 200, seed=3).numpy()
    assert not np.array_equal(first, second) and np.array_equal(first, again)
    counts = np.bincount(tf.random.categorical(np.zeros((1, 5), np.float32), 10_000).numpy()[0], minlength=5)
    assert chi_square_p_ok(counts, np.full(5, 0.2), 10_000) < 3


@pytest.mark.parametrize("call, error", [
    (lambda: tf.random.stateless_categorical([1.0, 2.0], 3, seed=[1, 2]), tf.errors.InvalidArgumentError),
    (lambda: tf.random.stateless_categorical([[1.0, 2.0]], -1, seed=[1, 2]), tf.errors.InvalidArgumentError),
    (lambda: tf.random.stateless_categorical(np.zeros((2, 0), np.float32), 3, seed=[1, 2]),
     tf.errors.InvalidArgumentError),
    (lambda: tf.random.stateless_categorical([[1.0, 2.0]], 3, seed=[1, 2], dtype=tf.int16), ValueError),
    (lambda: tf.random.stateless_categorical([[1, 2]], 3, seed=[1, 2]), tf.errors.NotFoundError),
    (lambda: tf.random.stateless_categorical([[1.0, 2.0]], 3, seed=[1, 2, 3]), tf.errors.InvalidArgumentError),
    (lambda: tf.random.categorical([[[1.0]]], 3), tf.errors.InvalidArgumentError),
])
def test_categorical_errors(call, error):
    with pytest.raises(error, match="Multinomial|dtype"):
        call()


# --- gamma ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.3, 1.0, 2.5, 12.0])
def test_stateless_gamma_moments(alpha):
    x = tf.random.stateless_gamma([40_000], seed=[1, 2], alpha=alpha, dtype=tf.float64).numpy()
    se_mean = math.sqrt(alpha / x.size)
    assert abs(x.mean() - alpha) < 4 * se_mean
    assert abs(x.var() / alpha - 1) < 0.06  # variance alpha (its standard error is under 1.5% here)
    assert x.min() > 0


@pytest.mark.parametrize("alpha, cdf", [(1.0, lambda x: 1 - np.exp(-x)),
                                        (2.0, lambda x: 1 - np.exp(-x) * (1 + x))])
def test_stateless_gamma_chi_square_against_its_cdf(alpha, cdf):
    x = tf.random.stateless_gamma([20_000], seed=[9, 9], alpha=alpha).numpy().astype(np.float64)
    edges = np.quantile(np.random.default_rng(0).gamma(alpha, size=200_000), np.linspace(0, 1, 21))
    edges[0], edges[-1] = 0.0, 1e3  # (the CDF is 1 there to double precision)
    probs = np.diff(cdf(edges))
    assert chi_square_p_ok(np.histogram(x, edges)[0], probs, x.size) < 3


def test_gamma_alpha_one_is_minus_log1p_of_the_second_uniform_of_each_stretch():
    key, counter = P.key_counter_from_seed(4, 5)
    got = tf.random.stateless_gamma([3], seed=[4, 5], alpha=1.0, dtype=tf.float64).numpy()
    for i, value in enumerate(got):
        block = S.blocks_at(key, counter, [256 * i])
        u = P.uint64_to_double(block[:, 2], block[:, 3])[0]
        assert value == -math.log1p(-u)


def test_gamma_shapes_dtypes_and_beta():
    alpha = tf.constant([[1.0], [3.0], [5.0]])
    beta = tf.constant([[3.0, 4.0]])
    x = tf.random.stateless_gamma([300, 3, 2], seed=[12, 34], alpha=alpha, beta=beta)
    assert x.shape == (300, 3, 2) and x.dtype == tf.float32
    means = x.numpy().mean(axis=0)
    np.testing.assert_allclose(means, np.array([[1.0], [3.0], [5.0]]) / np.array([[3.0, 4.0]]), rtol=0.15)
    unscaled = tf.random.stateless_gamma([300, 3, 2], seed=[12, 34], alpha=tf.broadcast_to(alpha, [3, 2])).numpy()
    np.testing.assert_allclose(x.numpy(), np.maximum(np.finfo(np.float32).tiny,
                                                     unscaled / np.array([[3.0, 4.0]], np.float32)), rtol=1e-6)
    for dt in (tf.float16, tf.float64):
        assert tf.random.stateless_gamma([4], seed=[1, 2], alpha=2.0, dtype=dt).dtype == dt
    y = tf.random.gamma([5, 2], alpha=[1.0, 2.0], beta=[[1.0], [2.0], [3.0]], seed=1)
    assert y.shape == (5, 2, 3, 2)  # shape + broadcast(alpha, beta).shape
    tiny = tf.random.stateless_gamma([50], seed=[1, 2], alpha=0.0).numpy()
    assert (tiny == np.finfo(np.float32).tiny).all()  # alpha 0 draws 0, mapped to tiny as TF


@pytest.mark.parametrize("call, error", [
    (lambda: tf.random.stateless_gamma([3, 2], seed=[1, 2], alpha=[1.0, 2.0, 3.0]), tf.errors.InvalidArgumentError),
    (lambda: tf.random.stateless_gamma([3, 2], seed=[1, 2], alpha=[1, 2], dtype=tf.int32),
     tf.errors.InvalidArgumentError),
    (lambda: tf.random.stateless_gamma([3, 0], seed=[1, 2], alpha=np.zeros(0, np.float32)),
     tf.errors.InvalidArgumentError),
    (lambda: tf.random.gamma([3], alpha=[1.0, 2.0], beta=[1.0, 2.0, 3.0]), tf.errors.InvalidArgumentError),
])
def test_gamma_errors(call, error):
    with pytest.raises(error, match="Gamma"):
        call()


# --- Poisson -------------------------------------------------------------------------------------------
def poisson_pmf(lam: float, k: np.ndarray) -> np.ndarray:
    return np.exp(k * math.log(lam) - lam - np.array([math.lgamma(v + 1) for v in k]))


@pytest.mark.parametrize("lam", [0.7, 4.0, 10.0, 55.0])  # Knuth below 10, Hormann's PTRS from 10
def test_stateless_poisson_chi_square(lam):
    x = tf.random.stateless_poisson([20_000], seed=[2, 3], lam=lam).numpy()
    k = np.arange(int(lam + 12 * math.sqrt(lam) + 10))
    assert chi_square_p_ok(np.bincount(x, minlength=k.size)[:k.size], poisson_pmf(lam, k), x.size) < 3
    assert abs(x.mean() - lam) < 4 * math.sqrt(lam / x.size)


def test_poisson_shapes_dtypes_and_edges():
    x = tf.random.stateless_poisson([10, 2], seed=[12, 34], lam=[5, 15])
    assert x.shape == (10, 2) and x.dtype == tf.int32
    for dt in (tf.int64, tf.float16, tf.float32, tf.float64):
        y = tf.random.stateless_poisson([10, 2], seed=[12, 34], lam=[5.0, 15.0], dtype=dt)
        assert y.dtype == dt and np.array_equal(y.numpy().astype(np.int64), x.numpy())
    assert (tf.random.stateless_poisson([6], seed=[1, 2], lam=-1.0).numpy() == 0).all()
    assert tf.random.poisson([4, 3], lam=[[1.0], [2.0]], seed=2).shape == (4, 3, 2, 1)
    assert tf.random.poisson([4], lam=[1.0, 2.0], dtype=tf.int64).dtype == tf.int64
    nan = tf.random.stateless_poisson([3], seed=[1, 2], lam=np.nan, dtype=tf.float32).numpy()
    assert np.isnan(nan).all()  # TF's sampler never stops for a NaN rate; minitf gives NaN
    assert (tf.random.stateless_poisson([3], seed=[1, 2], lam=np.nan).numpy() == 0).all()  # and 0 as an integer
    infinite = tf.random.stateless_poisson([3], seed=[1, 2], lam=np.inf)
    assert (infinite.numpy() == 0).all()  # TF's integer value of an infinite draw


@pytest.mark.parametrize("call", [
    lambda: tf.random.stateless_poisson([3, 2], seed=[1, 2], lam=[1.0, 2.0, 3.0]),
    lambda: tf.random.stateless_poisson([3], seed=[1, 2], lam=1.0, dtype=tf.bool),
    lambda: tf.random.poisson([3], lam=np.zeros(0, np.float32)),
])
def test_poisson_errors(call):
    with pytest.raises(tf.errors.InvalidArgumentError, match="Poisson"):
        call()


# --- binomial ------------------------------------------------------------------------------------------
def binomial_pmf(n: int, p: float) -> np.ndarray:
    k = np.arange(n + 1)
    return np.array([math.comb(n, int(j)) for j in k], dtype=np.float64) * p ** k * (1 - p) ** (n - k)


@pytest.mark.parametrize("n, p", [(20, 0.3), (200, 0.4), (50, 0.9), (1000, 0.995)])  # inversion, BTRS, q-sides
def test_stateless_binomial_chi_square(n, p):
    x = tf.random.stateless_binomial([20_000], seed=[6, 7], counts=float(n), probs=p).numpy()
    assert chi_square_p_ok(np.bincount(x, minlength=n + 1), binomial_pmf(n, p), x.size) < 3


def test_binomial_edges_shapes_and_dtypes():
    x = tf.random.stateless_binomial([4, 3], seed=[1, 2], counts=[10.0, -3.0, 7.0], probs=[1.5, 0.5, 0.0])
    assert x.dtype == tf.int32 and (x.numpy() == [10, 0, 0]).all()
    y = tf.random.stateless_binomial([3, 2, 2], seed=[1, 2], counts=[[10.0], [20.0]], probs=[0.2, 0.7],
                                     output_dtype=tf.float64)
    assert y.shape == (3, 2, 2) and y.dtype == tf.float64 and ((0 <= y.numpy()) & (y.numpy() <= 20)).all()
    nan = tf.random.stateless_binomial([2], seed=[1, 2], counts=5.0, probs=np.nan, output_dtype=tf.float32)
    assert np.isnan(nan.numpy()).all()


def test_generator_binomial_moves_the_state_as_tf():
    g = tf.random.Generator.from_seed(5)
    first = g.binomial([3, 2], counts=[10.0, 20.0], probs=[0.3, 0.8])
    # TF's StatefulRandomBinomial: the counter moves by batches * 2 * 100 * (samples + 3) / 4 blocks of 256
    assert g.state.numpy().tolist() == [5 + 2 * 2 * 100 * (3 + 3) // 4 * 256, 0, 0]
    second = g.binomial([3, 2], counts=[10.0, 20.0], probs=[0.3, 0.8])
    assert first.shape == (3, 2) and not np.array_equal(first.numpy(), second.numpy())
    # the draw is the stateless kernel on the state before the call
    again = tf.random.Generator.from_seed(5)
    assert np.array_equal(again.binomial([3, 2], counts=[10.0, 20.0], probs=[0.3, 0.8]).numpy(), first.numpy())


@pytest.mark.parametrize("call", [
    lambda: tf.random.stateless_binomial([3, 2], seed=[1, 2], counts=[1.0, 2.0, 3.0], probs=0.5),
    lambda: tf.random.stateless_binomial([3], seed=[1, 2], counts=[1.0, 2.0], probs=[0.1, 0.2, 0.3]),
    lambda: tf.random.stateless_binomial([3], seed=[1, 2], counts=5.0, probs=0.5, output_dtype=tf.bool),
    lambda: tf.random.stateless_binomial([3], seed=[1, 2], counts=tf.constant(5), probs=0.5),
])
def test_binomial_errors(call):
    with pytest.raises(tf.errors.InvalidArgumentError, match="Binomial"):
        call()


# --- traced draws --------------------------------------------------------------------------------------
def test_traced_stateful_draws_differ_from_call_to_call():
    @tf.function
    def draw(alpha):
        return (tf.random.gamma([4], alpha=alpha), tf.random.poisson([3], lam=[3.0, 30.0]),
                tf.random.categorical([[0.0, 1.0, 2.0]], 6))

    first = [t.numpy() for t in draw(tf.constant([2.0]))]
    second = [t.numpy() for t in draw(tf.constant([2.0]))]
    assert [a.shape for a in first] == [(4, 1), (3, 2), (1, 6)]
    assert all(not np.array_equal(a, b) for a, b in zip(first, second))


def test_traced_keras_draws_step_their_seed_generator_like_eager_ones():
    traced_gen, eager_gen = keras.random.SeedGenerator(1), keras.random.SeedGenerator(1)

    def draws(gen):
        return [keras.random.gamma((3,), 2.0, seed=gen), keras.random.binomial((3,), 10.0, 0.5, seed=gen),
                keras.random.categorical([[0.0, 1.0]], 4, seed=gen), keras.random.beta((2,), 1.0, 2.0, seed=gen)]

    traced = tf.function(lambda: draws(traced_gen))
    for _ in range(2):
        for a, b in zip(traced(), draws(eager_gen)):
            assert np.array_equal(a.numpy(), b.numpy())


def test_generator_binomial_traced_moves_the_state_on_each_call():
    g = tf.random.Generator.from_seed(3)
    draw = tf.function(lambda: g.binomial([4], 10.0, 0.3))
    a, b = draw().numpy(), draw().numpy()
    assert g.state.numpy()[0] == 3 + 2 * (1 * 2 * 100 * (4 + 3) // 4) * 256  # two calls
    assert a.shape == (4,) and not np.array_equal(a, b)


# --- keras.random ----------------------------------------------------------------------------------------
def test_keras_draws_are_the_stateless_ops_on_keras_seeds():
    seed = keras.random.draw_seed(17)
    np.testing.assert_array_equal(keras.random.gamma((5,), 2.0, seed=17).numpy(),
                                  tf.random.stateless_gamma((5,), seed, alpha=2.0).numpy())
    np.testing.assert_array_equal(keras.random.binomial((5,), 8.0, 0.25, seed=17).numpy(),
                                  tf.random.stateless_binomial((5,), seed, 8.0, 0.25, output_dtype="float32").numpy())
    cat = keras.random.categorical([[0.0, 1.0, 2.0]], 7, seed=17)
    assert cat.dtype == tf.int32
    np.testing.assert_array_equal(cat.numpy(), tf.random.stateless_categorical([[0.0, 1.0, 2.0]], 7, seed).numpy())
    x = tf.random.stateless_gamma((4,), seed, alpha=1.5).numpy()
    y = tf.random.stateless_gamma((4,), seed + 12, alpha=3.0).numpy()
    np.testing.assert_allclose(keras.random.beta((4,), 1.5, 3.0, seed=17).numpy(), x / (x + y), rtol=1e-6)
    with pytest.raises(ValueError, match="2-D"):
        keras.random.categorical([0.0, 1.0], 3, seed=1)


def test_keras_beta_mean():
    x = keras.random.beta((20_000,), 2.0, 5.0, seed=4, dtype="float64").numpy()
    assert abs(x.mean() - 2 / 7) < 4 * math.sqrt(2 * 5 / (7 ** 2 * 8) / x.size)
    assert ((0 < x) & (x < 1)).all()


# --- the gamma's gradient w.r.t. alpha (implicit reparameterization, TF's RandomGammaGrad) ------------
def test_gamma_sample_derivative_is_that_of_the_inverse_cdf():
    # gradcheck: holding u = P(alpha, x) fixed, x(alpha) = P^-1(alpha, u); its central difference in
    # alpha (SciPy's gammaincinv, an independent implementation) must equal RandomGammaGrad
    special = pytest.importorskip("scipy.special", reason="the reference inverse CDF is SciPy's")
    from minitf.random_distributions import RandomGammaGrad
    alpha = np.array([0.05, 0.3, 1.0, 2.5, 9.0, 150.0])
    x = tf.random.stateless_gamma([12, 6], seed=[8, 9], alpha=alpha, dtype=tf.float64).numpy()
    u = special.gammainc(alpha, x)
    h = 1e-6 * alpha
    numeric = (special.gammaincinv(alpha + h, u) - special.gammaincinv(alpha - h, u)) / (2 * h)
    analytic = RandomGammaGrad.apply(tf.constant(np.broadcast_to(alpha, x.shape)), tf.constant(x)).numpy()
    ok = (u > 1e-12) & (u < 1 - 1e-12)  # where the inverse CDF itself is well conditioned
    np.testing.assert_allclose(analytic[ok], numeric[ok], rtol=2e-5, atol=1e-9)


def test_gamma_gradients_flow_to_alpha_and_beta():
    alpha = tf.Variable(np.array([[0.7], [3.0]], np.float64))
    beta = tf.Variable(np.array([2.0, 0.5], np.float64))
    with tf.GradientTape() as tape:
        x = tf.random.stateless_gamma([40, 2, 2], seed=[1, 5], alpha=alpha, beta=beta, dtype=tf.float64)
        loss = tf.reduce_sum(x)
    d_alpha, d_beta = tape.gradient(loss, [alpha, beta])
    from minitf.random_distributions import RandomGammaGrad
    raw = tf.random.stateless_gamma([40, 2, 2], seed=[1, 5], alpha=tf.broadcast_to(alpha, [2, 2]),
                                    dtype=tf.float64).numpy()
    partial = RandomGammaGrad.apply(tf.constant(np.broadcast_to(alpha.numpy(), raw.shape)), tf.constant(raw)).numpy()
    expected_alpha = (partial / beta.numpy()).sum(axis=(0, 2)).reshape(2, 1)  # x = raw / beta
    np.testing.assert_allclose(d_alpha.numpy(), expected_alpha, rtol=1e-12)
    np.testing.assert_allclose(d_beta.numpy(), (-raw / beta.numpy() ** 2).sum(axis=(0, 1)), rtol=1e-12)
    with tf.GradientTape() as tape:  # the stateful draw: the same rule over its leading sample shape
        total = tf.reduce_sum(tf.random.gamma([50], alpha=alpha, dtype=tf.float64))
    assert tape.gradient(total, alpha).shape == (2, 1)


def reference_gamma(key, counter, alpha: float, output_index: int) -> tuple[float, int]:
    """TF's gamma kernel for one output, written as the C++ loop (scalar, one value at a time):
    the value, and how many normals were rejected for ``v <= 0`` on the way."""
    position = 256 * output_index
    buffers = {"normal": [], "uniform": []}

    def take(kind):
        nonlocal position
        if not buffers[kind]:
            w = S.blocks_at(key, counter, [position])[0]
            position += 1
            if kind == "uniform":
                pair = [P.uint64_to_double(w[0:1], w[1:2])[0], P.uint64_to_double(w[2:3], w[3:4])[0]]
            else:
                u1 = max(P.uint64_to_double(w[0:1], w[1:2])[0], 1e-7)
                v1 = 2 * math.pi * P.uint64_to_double(w[2:3], w[3:4])[0]
                r = math.sqrt(-2.0 * math.log(u1))
                pair = [math.sin(v1) * r, math.cos(v1) * r]
            buffers[kind] = pair
        return buffers[kind].pop()  # the last first, as TF's sample buffer

    d = alpha + (2.0 / 3 if alpha < 1 else -1.0 / 3)
    c = 1.0 / 3 / math.sqrt(d)
    retries = 0
    while True:
        x = take("normal")
        v = 1 + c * x
        if v <= 0:
            retries += 1
            continue
        v = v * v * v
        u = take("uniform")
        if u < 1 - 0.0331 * (x * x) * (x * x) or math.log(u) < 0.5 * x * x + d * (1 - v + math.log(v)):
            res = d * v
            if alpha < 1:
                res *= math.pow(take("uniform"), 1 / alpha)
            return res, retries


def test_gamma_equals_the_scalar_kernel_including_rejected_normals():
    key, counter = P.key_counter_from_seed(21, 22)
    alpha = np.array([0.02, 0.6, 3.5])
    drawn = S.gamma(key, counter, alpha, 400)  # (samples, alphas): output i = alpha_index * 400 + sample
    retried = 0
    for a_index, a in enumerate(alpha):
        for sample in range(400):
            value, retries = reference_gamma(key, counter, float(a), a_index * 400 + sample)
            retried += retries
            assert drawn[sample, a_index] == value, (a, sample)
    assert retried > 0  # the `v <= 0` retry path was taken and checked


class ScalarStream:
    """One output's stretch of TF's stream, read as the C++ does: uniform doubles two per block,
    the last first (TF's UNIFORM macro)."""

    def __init__(self, key, counter, start: int):
        self.key, self.counter, self.position, self.buffer = key, counter, start, []

    def uniform(self) -> float:
        if not self.buffer:
            w = S.blocks_at(self.key, self.counter, [self.position])[0]
            self.position += 1
            self.buffer = [P.uint64_to_double(w[0:1], w[1:2])[0], P.uint64_to_double(w[2:3], w[3:4])[0]]
        return float(self.buffer.pop())


def reference_poisson(key, counter, rate: float, output_index: int, paths: dict) -> float:
    """TF's Poisson kernel for one output, line by line (double compute type)."""
    gen = ScalarStream(key, counter, 256 * output_index)
    if rate < 10:
        prod, x, limit = 1.0, 0.0, math.exp(-rate)
        while True:
            prod = prod * gen.uniform()
            if prod <= limit:
                return x
            x += 1
    log_rate = math.log(rate)
    b = 0.931 + 2.53 * math.sqrt(rate)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    while True:
        u = gen.uniform() - 0.5
        v = gen.uniform()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + rate + 0.43)
        if us >= 0.07 and v <= 0.9277 - 3.6224 / (b - 2):
            paths["box"] += 1
            return k
        if k < 0 or (us < 0.013 and v > us):
            paths["rejected"] += 1
            continue
        s = math.log(v * inv_alpha / (a / (us * us) + b))
        t = -rate + k * log_rate - math.lgamma(k + 1)
        if s <= t:
            paths["log test"] += 1
            return k
        paths["rejected"] += 1


def test_poisson_equals_the_scalar_kernel_on_every_path():
    key, counter = P.key_counter_from_seed(31, 32)
    rates = np.array([0.3, 6.0, 10.0, 17.5, 300.0])
    drawn = S.poisson(key, counter, rates, 150)
    paths = {"box": 0, "rejected": 0, "log test": 0}
    for r_index, rate in enumerate(rates):
        for sample in range(150):
            assert drawn[sample, r_index] == reference_poisson(key, counter, float(rate), r_index * 150 + sample, paths)
    assert min(paths.values()) > 0, paths


def stirling_tail(k: float) -> float:
    table = [0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
             0.0138761288230707, 0.0118967099458917, 0.0104112652619720, 0.00925546218271273, 0.00833056343336287]
    if k <= 9:
        return table[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def reference_binomial(key, counter, count: float, prob: float, output_index: int, paths: dict) -> float:
    """TF's binomial kernel for one output (float64 parameters), line by line."""
    if count <= 0 or prob <= 0:
        return 0.0
    if prob >= 1:
        return count
    p = prob if prob <= 0.5 else 1 - prob
    if count * p >= 10:  # BTRS
        gen = ScalarStream(key, counter, 256 * output_index)
        stddev = math.sqrt(count * p * (1 - p))
        b = 1.15 + 2.53 * stddev
        a = -0.0873 + 0.0248 * b + 0.01 * p
        c = count * p + 0.5
        v_r = 0.92 - 4.2 / b
        r = p / (1 - p)
        alpha = (2.83 + 5.1 / b) * stddev
        m = math.floor((count + 1) * p)
        while True:
            u = gen.uniform()
            v = gen.uniform()
            u = u - 0.5
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + c)
            if us >= 0.07 and v <= v_r:
                paths["box"] += 1
                break
            if k < 0 or k > count:
                paths["rejected"] += 1
                continue
            v = math.log(v * alpha / (a / (us * us) + b))
            bound = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                     + (count + 1) * math.log((count - m + 1) / (count - k + 1))
                     + (k + 0.5) * math.log(r * (count - k + 1) / (k + 1))
                     + stirling_tail(m) + stirling_tail(count - m) - stirling_tail(k) - stirling_tail(count - k))
            if v <= bound:
                paths["log test"] += 1
                break
            paths["rejected"] += 1
    else:  # inversion
        gen = ScalarStream(key, counter, 42 * output_index)
        total, k = 0.0, 0
        while True:
            u = gen.uniform()
            total += math.ceil(math.log(u) / math.log1p(-p)) if u > 0 else math.inf
            if total > count:
                break
            k += 1
        paths["inversion"] += 1
    return float(k) if prob <= 0.5 else count - k


def test_binomial_equals_the_scalar_kernel_on_every_path():
    key, counter = P.key_counter_from_seed(41, 42)
    counts = np.array([12.0, 40.0, 1000.0, 60.0, 0.0, 5.0])
    probs = np.array([0.3, 0.5, 0.02, 0.95, 0.5, 1.0])
    drawn = S.binomial(key, counter, counts, probs, 120)
    paths = {"box": 0, "rejected": 0, "log test": 0, "inversion": 0}
    for j, (n, p) in enumerate(zip(counts, probs)):
        for sample in range(120):
            assert drawn[sample, j] == reference_binomial(key, counter, float(n), float(p), j * 120 + sample, paths)
    assert min(paths.values()) > 0, paths


def test_half_draws_round_through_float_as_tfs_cast():
    from minitf import _tf_compat
    just_past_midpoint = 1 + 2.0 ** -11 + 2.0 ** -40  # half of float16's ulp at 1, and a bit
    assert np.float16(just_past_midpoint) == np.float16(1 + 2.0 ** -10)  # one rounding: up
    assert _tf_compat.double_to_half(np.array([just_past_midpoint]))[0] == 1.0  # via float: a tie, to even
    assert _tf_compat.nonfinite_draw_as_integer(np.array([np.inf, np.nan, 3.0])).tolist() == [0.0, 0.0, 3.0]
