"""minitf.keras.activations, initializers, regularizers, constraints: values, gradients, statistics, look-up."""
import math

import numpy as np
import pytest

import minitf as tf
from minitf.keras import activations, constraints, initializers, losses, regularizers
from minitf.testing import gradcheck

RTOL, ATOL = 1e-5, 1e-6


def _x(seed=0, shape=(3, 5), low=-3, high=3):
    x = np.random.default_rng(seed).uniform(low, high, shape)
    # keep clear of the kinks (0, thresholds, +-3, 6) so finite differences are valid
    x[np.abs(x) < 0.05] += 0.2
    return x


# --- activations -------------------------------------------------------------------------------
SIGMOID = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
SOFTPLUS = lambda x: np.log1p(np.exp(x))  # noqa: E731
NUMPY_ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": SIGMOID,
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "gelu": lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
    "softplus": SOFTPLUS,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "silu": lambda x: x * SIGMOID(x),
    "swish": lambda x: x * SIGMOID(x),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "relu6": lambda x: np.clip(x, 0, 6),
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "exponential": np.exp,
    "mish": lambda x: x * np.tanh(SOFTPLUS(x)),
    "log_sigmoid": lambda x: -SOFTPLUS(-x),
}


@pytest.mark.parametrize("name", sorted(NUMPY_ACTIVATIONS))
def test_activation_values_and_gradients(name):
    fn = activations.get(name)
    x = _x(1)
    x[np.abs(np.abs(x) - 3) < 0.05] += 0.1
    got = fn(tf.constant(x.astype(np.float32))).numpy()
    np.testing.assert_allclose(got, NUMPY_ACTIVATIONS[name](x), rtol=RTOL, atol=ATOL, err_msg=name)
    if name != "linear":
        gradcheck(fn, [x])


@pytest.mark.parametrize("kwargs", [dict(negative_slope=0.1), dict(max_value=6.0), dict(max_value=2.5),
                                    dict(threshold=0.5), dict(negative_slope=0.2, max_value=2.0, threshold=1.0)])
def test_relu_options_follow_the_keras_formula(kwargs):
    x = _x(2)
    ns, mv, th = kwargs.get("negative_slope", 0.0), kwargs.get("max_value"), kwargs.get("threshold", 0.0)
    expected = np.where(x > th, x, ns * (x - th))
    if mv is not None:
        expected = np.where(x >= mv, mv, expected)
    got = activations.relu(tf.constant(x), **kwargs).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=str(kwargs))
    gradcheck(lambda v: activations.relu(v, **kwargs), [x])


def test_elu_alpha_and_softmax_axis():
    x = _x(3)
    np.testing.assert_allclose(activations.elu(tf.constant(x), alpha=0.5).numpy(),
                               np.where(x > 0, x, 0.5 * np.expm1(x)), rtol=1e-12)
    s = activations.softmax(tf.constant(x), axis=0).numpy()
    np.testing.assert_allclose(s.sum(axis=0), 1.0, rtol=1e-12)


def test_sigmoid_and_softmax_mark_their_logits():
    x = tf.constant([[1.0, -2.0]])
    assert losses.logits_of(activations.sigmoid(x)) is x
    assert losses.logits_of(activations.softmax(x)) is x
    assert losses.logits_of(activations.tanh(x)) is None


def test_activation_lookup_and_serialization():
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu
    assert activations.get(activations.relu) is activations.relu
    assert activations.serialize(activations.softmax) == "softmax"
    assert activations.deserialize("gelu") is activations.gelu
    assert activations.get({"class_name": "function", "config": "tanh"}) is activations.tanh
    custom = lambda x: x  # noqa: E731
    assert activations.get(custom) is custom
    with pytest.raises(ValueError, match="activation"):
        activations.get("relu7")


def test_activations_refuse_integer_tensors_clearly():
    with pytest.raises(TypeError, match="floating-point"):
        activations.sigmoid(tf.constant([1, 2]))


# --- initializers -------------------------------------------------------------------------------
def test_compute_fans_dense_conv_and_vectors():
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans((4, 9)) == (4, 9)
    assert initializers.compute_fans((3, 3, 8, 16)) == (72, 144)  # 3*3*8, 3*3*16
    assert initializers.compute_fans((5, 2, 6)) == (10, 30)
    assert initializers.compute_fans(()) == (1, 1)


@pytest.mark.parametrize("name,scale,mode", [("glorot_uniform", 1.0, "fan_avg"), ("he_uniform", 2.0, "fan_in"),
                                             ("lecun_uniform", 1.0, "fan_in")])
def test_uniform_variance_scaling_limits_and_spread(name, scale, mode):
    shape = (3, 3, 40, 60)
    fan_in, fan_out = 3 * 3 * 40, 3 * 3 * 60
    n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
    limit = math.sqrt(3 * scale / n)
    w = initializers.get(name)(shape).numpy()
    assert w.dtype == np.float32 and w.shape == shape
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    # uniform on [-l, l]: mean 0, std l / sqrt(3); 21600 draws: std error of the mean ~ 0.004 l
    assert abs(w.mean()) < 0.03 * limit
    assert w.std() == pytest.approx(limit / math.sqrt(3), rel=0.03)


@pytest.mark.parametrize("name,scale,mode", [("glorot_normal", 1.0, "fan_avg"), ("he_normal", 2.0, "fan_in"),
                                             ("lecun_normal", 1.0, "fan_in")])
def test_truncated_normal_variance_scaling(name, scale, mode):
    shape = (200, 100)
    n = {"fan_in": 200, "fan_avg": 150}[mode]
    target = math.sqrt(scale / n)  # the truncation correction 0.8796 restores this std
    stddev = target / 0.87962566103423978
    w = initializers.get(name)(shape).numpy().astype(np.float64)
    assert np.abs(w).max() <= 2 * stddev + 1e-7
    assert w.std() == pytest.approx(target, rel=0.03)
    assert abs(w.mean()) < 0.03 * target


def test_variance_scaling_untruncated_and_validation():
    w = initializers.VarianceScaling(scale=0.5, mode="fan_out", distribution="untruncated_normal")((100, 400)).numpy()
    assert w.std() == pytest.approx(math.sqrt(0.5 / 400), rel=0.03)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_max")
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)


def test_random_initializers_statistics_and_dtype():
    w = initializers.RandomNormal(mean=1.0, stddev=0.5)((300, 300)).numpy()
    assert w.mean() == pytest.approx(1.0, abs=0.01) and w.std() == pytest.approx(0.5, rel=0.02)
    u = initializers.RandomUniform(-0.05, 0.05)((300, 300), dtype="float64").numpy()
    assert u.dtype == np.float64 and u.min() >= -0.05 and u.max() < 0.05
    t = initializers.TruncatedNormal(stddev=0.1)((300, 300)).numpy()
    assert np.abs(t).max() <= 0.2 + 1e-7


def test_orthogonal_gives_orthonormal_rows_or_columns():
    q = initializers.Orthogonal()((64, 32)).numpy().astype(np.float64)
    np.testing.assert_allclose(q.T @ q, np.eye(32), atol=1e-5)
    q = initializers.Orthogonal(gain=2.0)((16, 48)).numpy().astype(np.float64)
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(16), atol=1e-4)
    q = initializers.get("orthogonal")((2, 4, 8)).numpy().reshape(8, 8).astype(np.float64)
    np.testing.assert_allclose(q.T @ q, np.eye(8), atol=1e-5)
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((5,))


def test_constant_initializers():
    np.testing.assert_array_equal(initializers.get("zeros")((2, 3)).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.Ones()((4,), dtype="int32").numpy(), np.ones(4, np.int32))
    np.testing.assert_array_equal(initializers.Constant(2.5)((2, 2)).numpy(), np.full((2, 2), 2.5))
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 3)).numpy(), 3 * np.eye(2, 3))
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_set_seed_makes_initializers_repeatable_and_int_seed_is_fixed():
    tf.random.set_seed(123)
    a = initializers.GlorotUniform()((5, 5)).numpy()
    b = initializers.HeNormal()((5, 5)).numpy()
    tf.random.set_seed(123)
    np.testing.assert_array_equal(initializers.GlorotUniform()((5, 5)).numpy(), a)
    np.testing.assert_array_equal(initializers.HeNormal()((5, 5)).numpy(), b)
    seeded = initializers.RandomNormal(seed=7)
    np.testing.assert_array_equal(seeded((3,)).numpy(), seeded((3,)).numpy())


def test_initializer_lookup_config_and_arrays():
    assert isinstance(initializers.get("glorot_uniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get("GlorotUniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get("uniform"), initializers.RandomUniform)
    assert isinstance(initializers.get(initializers.HeNormal), initializers.HeNormal)
    init = initializers.RandomUniform(-1.0, 2.0, seed=3)
    again = initializers.deserialize(initializers.serialize(init))
    assert type(again) is initializers.RandomUniform and again.get_config() == init.get_config()
    np.testing.assert_array_equal(again((4,)).numpy(), init((4,)).numpy())
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(initializers.get(value)((2, 3)).numpy(), value)
    with pytest.raises(ValueError, match="shape"):
        initializers.get(value)((3, 2))
    assert initializers.get(None) is None
    with pytest.raises(ValueError, match="initializer"):
        initializers.get("glorot_uniformm")


# --- regularizers ------------------------------------------------------------------------------
def test_regularizer_values_have_no_half():
    w = np.array([[1.0, -2.0], [0.5, 0.0]], np.float32)
    assert float(regularizers.L2()(tf.constant(w))) == pytest.approx(0.01 * 5.25, rel=1e-6)
    assert float(regularizers.l2(0.1)(tf.constant(w))) == pytest.approx(0.525, rel=1e-6)
    assert float(regularizers.L1()(tf.constant(w))) == pytest.approx(0.035, rel=1e-6)
    assert float(regularizers.L1L2(l1=0.1, l2=0.2)(tf.constant(w))) == pytest.approx(0.35 + 1.05, rel=1e-6)
    assert float(regularizers.L1L2()(tf.constant(w))) == 0.0


def test_regularizer_gradients():
    w = _x(4, (3, 4))
    gradcheck(regularizers.L2(0.3), [w])
    gradcheck(regularizers.L1(0.2), [w])
    gradcheck(regularizers.L1L2(0.1, 0.4), [w])


def test_regularizer_lookup_and_validation():
    assert isinstance(regularizers.get("l2"), regularizers.L2) and regularizers.get("l2").l2 == 0.01
    assert isinstance(regularizers.get("L1L2"), regularizers.L1L2)
    reg = regularizers.L1L2(l1=0.01, l2=0.02)
    assert regularizers.deserialize(regularizers.serialize(reg)).get_config() == {"l1": 0.01, "l2": 0.02}
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="regularizer"):
        regularizers.get("l3")


# --- constraints --------------------------------------------------------------------------------
def test_constraints_project_as_keras_describes():
    w = np.array([[3.0, 0.1], [4.0, -0.2]], np.float32)
    norms = np.sqrt((w.astype(np.float64) ** 2).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(tf.constant(w)).numpy(),
                               w * np.clip(norms, 0, 2) / (1e-7 + norms), rtol=RTOL)
    np.testing.assert_allclose(constraints.UnitNorm()(tf.constant(w)).numpy(), w / (1e-7 + norms), rtol=RTOL)
    np.testing.assert_array_equal(constraints.NonNeg()(tf.constant(w)).numpy(), np.maximum(w, 0))
    mm = constraints.MinMaxNorm(1.0, 2.0, rate=0.5)(tf.constant(w)).numpy()
    np.testing.assert_allclose(mm, w * (0.5 * np.clip(norms, 1, 2) + 0.5 * norms) / (1e-7 + norms), rtol=RTOL)
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert constraints.deserialize(constraints.serialize(constraints.MaxNorm(3, axis=1))).get_config() == \
        {"max_value": 3, "axis": 1}
