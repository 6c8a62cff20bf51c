"""Initializers (statistics: TF's random streams cannot be reproduced), plus activations and regularizers
(values and gradients) against Keras 3.

Random initializers: the same shape under both gives the same bounds (exact limit for the uniform
ones, 2 std for the truncated), and means/stds that agree within sampling error (stated per check).
Deterministic ones (zeros, ones, constant, identity) and the fans are compared exactly.
Activations and regularizers: values and gradients rtol 1e-5, atol 1e-6 (float32).
"""
import importlib
import math

import numpy as np
import pytest

RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="module")
def mi():
    return importlib.import_module("minitf.keras.initializers")


UNIFORM = [("glorot_uniform", (3, 3, 16, 32)), ("he_uniform", (64, 48)), ("lecun_uniform", (5, 40, 20)),
           ("GlorotUniform", (200, 3))]
NORMAL = [("glorot_normal", (3, 3, 16, 32)), ("he_normal", (64, 48)), ("lecun_normal", (5, 40, 20)),
          ("truncated_normal", (100, 50)), ("random_normal", (100, 50))]


@pytest.mark.parametrize("name,shape", UNIFORM)
def test_uniform_initializers_share_bounds_and_spread(tf, mi, name, shape):
    theirs = tf.keras.initializers.get(name)(shape).numpy()
    ours = mi.get(name)(shape).numpy()
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype == np.float32
    limit = max(np.abs(theirs).max(), np.abs(ours).max())
    assert np.abs(ours).max() <= limit and np.abs(ours).max() >= 0.98 * limit, "same support [-limit, limit]"
    n = ours.size
    # mean of n uniforms on [-l, l]: standard error l / sqrt(3 n); allow 5 of them
    assert abs(ours.mean() - theirs.mean()) < 5 * limit * math.sqrt(2 / (3 * n))
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=0.06, err_msg=f"{name} std")


@pytest.mark.parametrize("name,shape", NORMAL)
def test_normal_initializers_share_spread_and_truncation(tf, mi, name, shape):
    theirs = tf.keras.initializers.get(name)(shape).numpy().astype(np.float64)
    ours = mi.get(name)(shape).numpy().astype(np.float64)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=0.06, err_msg=f"{name} std")
    assert abs(ours.mean() - theirs.mean()) < 5 * theirs.std() * math.sqrt(2 / ours.size)
    if "truncated" in name or name.endswith("_normal") and name != "random_normal":
        # both cut at 2 standard deviations of the underlying normal: the largest |w| agree closely
        np.testing.assert_allclose(np.abs(ours).max(), np.abs(theirs).max(), rtol=0.05, err_msg=f"{name} cut")


def test_fans_match_keras(mi):
    from keras.src.initializers.random_initializers import compute_fans
    for shape in [(7,), (4, 9), (3, 3, 8, 16), (5, 2, 6), (2, 2, 2, 3, 4)]:
        assert mi.compute_fans(shape) == compute_fans(shape), shape


@pytest.mark.parametrize("shape,gain", [((32, 32), 1.0), ((64, 16), 1.0), ((16, 64), 2.0), ((2, 8, 16), 1.0)])
def test_orthogonal_matches_keras_orthogonality(tf, mi, shape, gain):
    theirs = tf.keras.initializers.Orthogonal(gain=gain)(shape).numpy().astype(np.float64).reshape(-1, shape[-1])
    ours = mi.Orthogonal(gain=gain)(shape).numpy().astype(np.float64).reshape(-1, shape[-1])
    rows, cols = ours.shape
    gram = ours.T @ ours if rows >= cols else ours @ ours.T
    their_gram = theirs.T @ theirs if rows >= cols else theirs @ theirs.T
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(min(rows, cols)), atol=1e-5)
    np.testing.assert_allclose(their_gram, gram, atol=1e-5)  # both orthonormal to float32 precision
    # Q * sign(diag R): entries spread like N(0, 1 / max(rows, cols)) in both
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=0.1)


def test_deterministic_initializers_are_equal(tf, mi):
    for name, args, shape in [("Zeros", {}, (3, 4)), ("Ones", {}, (5,)), ("Constant", {"value": 0.3}, (2, 3)),
                              ("Identity", {"gain": 2.0}, (3, 5)),
                              ("RandomUniform", {"minval": 1.5, "maxval": 1.5}, (4,))]:
        theirs = getattr(tf.keras.initializers, name)(**args)(shape).numpy()
        ours = getattr(mi, name)(**args)(shape).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=name)


def test_initializer_configs_match(tf, mi):
    for name in ["GlorotUniform", "HeNormal", "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling",
                 "Orthogonal", "Constant", "Zeros"]:  # (Keras's Identity drops its gain from the config; ours keeps it)
        assert getattr(mi, name)().get_config() == getattr(tf.keras.initializers, name)().get_config(), name
    for name in ["glorot_uniform", "he_normal", "lecun_uniform", "orthogonal", "zeros", "ones", "uniform", "normal",
                 "truncated_normal", "variance_scaling", "identity", "GlorotNormal", "zero", "one"]:
        assert type(mi.get(name)).__name__ == type(tf.keras.initializers.get(name)).__name__, name


ACTIVATIONS = ["relu", "sigmoid", "tanh", "softmax", "log_softmax", "elu", "selu", "gelu", "softplus", "softsign",
               "silu", "swish", "leaky_relu", "relu6", "hard_sigmoid", "hard_silu", "exponential", "mish", "linear",
               "log_sigmoid", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "squareplus", "sparse_plus",
               "sparse_sigmoid", "sparsemax"]  # (glu halves its input: in the op table)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_values_and_gradients(tf, mtf, name):
    ma = importlib.import_module("minitf.keras.activations")
    x = np.random.default_rng(0).uniform(-4, 4, (4, 6)).astype(np.float32)
    x[np.abs(x) < 0.05] = 0.3
    tx = tf.Variable(x)
    with tf.GradientTape() as tape:
        ty = tf.keras.activations.get(name)(tx)
        t_loss = tf.reduce_sum(ty * np.arange(24, dtype=np.float32).reshape(4, 6))
    mx = mtf.Variable(x)
    with mtf.GradientTape() as tape_m:
        my = ma.get(name)(mx)
        m_loss = mtf.reduce_sum(my * np.arange(24, dtype=np.float32).reshape(4, 6))
    np.testing.assert_allclose(my.numpy(), ty.numpy(), rtol=RTOL, atol=ATOL, err_msg=f"{name} value")
    if name != "linear":
        # tanh' = 1 - tanh^2 cancels near |x| = 4: TF's and NumPy's float32 tanh differ by an ulp, which the
        # cancellation turns into ~1e-4 relative in the gradient.
        rtol = 3e-4 if name in ("tanh", "tanh_shrink") else RTOL
        np.testing.assert_allclose(tape_m.gradient(m_loss, mx).numpy(), tape.gradient(t_loss, tx).numpy(),
                                   rtol=rtol, atol=ATOL, err_msg=f"{name} gradient")


@pytest.mark.parametrize("kwargs", [dict(negative_slope=0.1), dict(max_value=2.5), dict(threshold=0.5),
                                    dict(negative_slope=0.2, max_value=2.0, threshold=-1.0)])
def test_relu_options(tf, mtf, kwargs):
    ma = importlib.import_module("minitf.keras.activations")
    x = np.linspace(-4, 4, 33).astype(np.float32) + 0.01
    np.testing.assert_allclose(ma.relu(mtf.constant(x), **kwargs).numpy(),
                               tf.keras.activations.relu(x, **kwargs).numpy(), rtol=RTOL, atol=ATOL, err_msg=str(kwargs))


def test_regularizers_values_and_gradients(tf, mtf):
    mr = importlib.import_module("minitf.keras.regularizers")
    w = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    for name, args in [("L1", {}), ("L2", {}), ("L2", {"l2": 0.3}), ("L1L2", {"l1": 0.02, "l2": 0.05})]:
        tv, mv = tf.Variable(w), mtf.Variable(w)
        with tf.GradientTape() as tape:
            theirs = getattr(tf.keras.regularizers, name)(**args)(tv)
        with mtf.GradientTape() as tape_m:
            ours = getattr(mr, name)(**args)(mv)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)
        np.testing.assert_allclose(tape_m.gradient(ours, mv).numpy(), tape.gradient(theirs, tv).numpy(),
                                   rtol=RTOL, atol=ATOL, err_msg=f"{name} gradient")
        # (Keras's L1 keeps l1 as a float32 tensor: its config reads 0.009999999776; ours the float given)
        their_config = getattr(tf.keras.regularizers, name)(**args).get_config()
        our_config = getattr(mr, name)(**args).get_config()
        assert our_config.keys() == their_config.keys(), name
        for key in our_config:
            assert our_config[key] == pytest.approx(their_config[key], rel=1e-7), f"{name}.{key}"


def test_constraints(tf, mtf):
    mc = importlib.import_module("minitf.keras.constraints")
    w = np.random.default_rng(2).normal(size=(6, 3)).astype(np.float32) * 2
    for name, args in [("MaxNorm", {"max_value": 1.5}), ("NonNeg", {}), ("UnitNorm", {"axis": 1}),
                       ("MinMaxNorm", {"min_value": 0.5, "max_value": 2.0, "rate": 0.7})]:
        theirs = getattr(tf.keras.constraints, name)(**args)(tf.constant(w)).numpy()
        ours = getattr(mc, name)(**args)(mtf.constant(w)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=name)


def test_threshold_activation(tf, mtf):
    ma = importlib.import_module("minitf.keras.activations")
    x = np.linspace(-2, 2, 17).astype(np.float32)
    np.testing.assert_array_equal(ma.threshold(x, 0.25, -1.0).numpy(),
                                  tf.keras.activations.threshold(x, 0.25, -1.0).numpy())
