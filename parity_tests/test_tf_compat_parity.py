"""minitf._tf_compat against TensorFlow: each copied accident gives TF's bits.

- pow_rounded: TF's float32 power of two scalars (optimizers' beta ** t, schedules' rate ** p),
  bit for bit (both call C's powf), subnormal results flushed to zero as TF's CPU kernels do. For
  tensors of 8 or more elements TF uses Eigen's vectorized power, which is not correctly rounded
  while minitf's is: within 3 ulp there.
- eigen_sum: tf.reduce_sum of a float32 tensor, bit for bit (every size up to 4096, and larger ones).
- positive_zeros_: MaxPoolGrad's +0.0 where a negative dy met a cell no window picked.
- extreme_with_tf_zeros: reduce_max/reduce_min's zero of a tie of 0.0 and -0.0, for each loop of
  TF's kernel, float32, float64 and float16.
"""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

f32 = np.float32


def bits(x) -> list[int]:
    return np.asarray(x, dtype=f32).reshape(-1).view(np.uint32).tolist()


@settings(max_examples=100)
@given(base=st.floats(0.5, 1.0, width=32, exclude_max=True) | st.floats(2.0 ** -10, 2.0, width=32),
       exponent=st.integers(1, 3000).map(float) | st.floats(0.0, 200.0, width=32))
def test_pow_rounded_is_tf_s_scalar_power(tf, base, exponent):
    from minitf._tf_compat import pow_rounded_array

    theirs = tf.pow(tf.constant(f32(base)), tf.constant(f32(exponent))).numpy()
    assert bits(pow_rounded_array(base, exponent)) == bits(theirs), f"{base!r} ** {exponent!r}"


def test_pow_rounded_is_tf_s_power_for_adam_s_betas(tf, mtf):
    from minitf._tf_compat import pow_rounded

    steps = np.arange(1, 1201, dtype=f32)
    for beta in (0.9, 0.999, 0.99, 0.8, 0.5):
        theirs = [tf.pow(tf.constant(f32(beta)), tf.constant(t)).numpy() for t in steps]  # scalars, as Keras's Adam
        ours = [pow_rounded(mtf.constant(f32(beta)), mtf.constant(t)).numpy() for t in steps]
        assert bits(ours) == bits(theirs), f"beta {beta}"


def test_tf_s_vectorized_power_is_within_3_ulp(tf, mtf):
    """On a tensor of many elements TF's power is Eigen's vectorized one, not correctly rounded; minitf's
    is: so there the two agree to 3 ulp (what TF 2.21 shows), not to the bit."""
    from minitf._tf_compat import pow_rounded

    rng = np.random.default_rng(3)
    base = rng.uniform(0.5, 1.0, 4000).astype(f32)
    exponent = rng.uniform(0, 100, 4000).astype(f32)
    theirs = tf.pow(tf.constant(base), tf.constant(exponent)).numpy()
    ours = pow_rounded(mtf.constant(base), mtf.constant(exponent)).numpy()
    normal = np.abs(ours) >= np.finfo(f32).tiny
    np.testing.assert_array_equal(theirs[~normal], ours[~normal])  # flushed to zero by both
    ulps = np.abs(theirs[normal].view(np.int32).astype(np.int64) - ours[normal].view(np.int32))
    assert ulps.max() <= 3


def test_eigen_sum_is_tf_s_reduce_sum_for_every_size_up_to_4096(tf, mtf):
    from minitf._tf_compat import eigen_sum

    rng = np.random.default_rng(0)
    for n in range(4097):
        x = (rng.normal(size=n) * 10.0 ** rng.integers(-3, 4, n)).astype(f32)  # magnitudes 1e-3 .. 1e3: rounding shows
        assert bits(eigen_sum(mtf.constant(x)).numpy()) == bits(tf.reduce_sum(tf.constant(x)).numpy()), f"size {n}"


@pytest.mark.parametrize("n", [8192, 8193, 8200, 12289, 16385, 20000, 65543, 100000])
def test_eigen_sum_of_large_arrays_is_tf_s_reduce_sum(tf, mtf, n):
    """Above 8192 elements Eigen sums two halves; TF shards larger sums over its threads only far
    above these sizes (the docstring of _tf_compat.EigenSum)."""
    from minitf._tf_compat import eigen_sum

    x = (np.random.default_rng(n).normal(size=n) * 10.0 ** np.random.default_rng(1).integers(-3, 4, n)).astype(f32)
    assert bits(eigen_sum(mtf.constant(x)).numpy()) == bits(tf.reduce_sum(tf.constant(x)).numpy())


@settings(max_examples=40)
@given(shape=st.lists(st.integers(0, 17), min_size=1, max_size=3), seed=st.integers(0, 2 ** 16),
       scale=st.sampled_from([1e-3, 1.0, 1e4]))
def test_eigen_sum_of_any_shape_is_tf_s_reduce_sum(tf, mtf, shape, seed, scale):
    from minitf._tf_compat import eigen_sum

    x = (np.random.default_rng(seed).normal(size=shape) * scale).astype(f32)
    assert bits(eigen_sum(mtf.constant(x)).numpy()) == bits(tf.reduce_sum(tf.constant(x)).numpy()), f"shape {shape}"


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("pool, strides", [(2, 2), (3, 2), (2, 1)])
def test_max_pool_of_signed_zeros_nan_and_inf_is_tf_s_bit_for_bit(tf, mtf, pool, strides, padding):
    rng = np.random.default_rng(pool * 10 + strides)
    values = np.array([0.0, -0.0, -1.0, np.nan, -np.inf], f32)
    for channels in (1, 3, 10, 32):
        x = rng.choice(values, p=[0.4, 0.4, 0.1, 0.05, 0.05], size=(3, 8, 8, channels))
        want = tf.nn.max_pool2d(x, pool, strides, padding).numpy()
        assert bits(mtf.nn.max_pool2d(x, pool, strides, padding).numpy()) == bits(want), f"{channels} channels"


@pytest.mark.parametrize("pool", [2, 3])
def test_max_pool_gradient_is_tf_s_bit_for_bit(tf, mtf, pool):
    rng = np.random.default_rng(pool)
    x = rng.permutation(2 * 6 * 6 * 3).reshape(2, 6, 6, 3).astype(f32)
    dy = -np.abs(rng.normal(size=(2, 6 // pool, 6 // pool, 3))).astype(f32)  # negative: -0.0 where * 0

    def gradient(module):
        xt = module.constant(x)
        with module.GradientTape() as tape:
            tape.watch(xt)
            y = module.nn.max_pool2d(xt, pool, pool, "VALID")
        return tape.gradient(y, xt, output_gradients=module.constant(dy)).numpy()

    assert bits(gradient(mtf)) == bits(gradient(tf))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_reduce_max_and_min_of_tied_zeros_are_tf_s_bit_for_bit(tf, mtf, dtype):
    """Every axis set of shapes that take each of TF's loops (rows, packets of columns, one by one, a
    transpose), with NaN in some; up to ~10^5 elements, where TF reduces on one thread."""
    rng = np.random.default_rng(7)
    shapes = [(1,), (9, 1), (40,), (5, 7), (3, 40), (40, 3), (17, 16), (33, 24), (7, 300), (2, 1, 35),
              (4, 20, 11), (3, 5, 24), (2, 33, 9), (3, 4, 5, 6), (5, 1, 40, 1, 3), (50, 2003)]
    for shape in shapes:
        for axes in itertools.chain.from_iterable(itertools.combinations(range(len(shape)), k)
                                                  for k in range(1, len(shape) + 1)):
            for op, other in (("max", -1.0), ("min", 1.0)):
                x = np.where(rng.random(shape) < rng.choice([0.1, 0.5, 0.9]),
                             rng.choice(np.array([0.0, -0.0], dtype), shape), other).astype(dtype)
                if rng.random() < 0.2:
                    x[tuple(rng.integers(0, n) for n in shape)] = np.nan
                want = getattr(tf, "reduce_" + op)(x, axis=list(axes)).numpy()
                got = getattr(mtf, "reduce_" + op)(x, axis=list(axes)).numpy()
                assert got.tobytes() == want.tobytes(), f"reduce_{op} {shape} over {axes}, {dtype.__name__}"
