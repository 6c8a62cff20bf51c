"""minitf.keras.optimizers: update rules against NumPy replicas of Keras's formulas, clipping, state, schedules."""
import math
import warnings

import numpy as np

from minitf._tf_compat import eigen_sum_array, pow_rounded_array
import pytest

import minitf as tf
from minitf.keras import optimizers
from minitf.keras.optimizers import schedules

f32 = np.float32
STEPS = 12


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,)]
    w0 = [rng.normal(size=s).astype(f32) for s in shapes]
    grads = [[(rng.normal(size=s) * (1 + k % 3)).astype(f32) for s in shapes] for k in range(STEPS)]
    return w0, grads


def _run(optimizer, w0, grads):
    variables = [tf.Variable(w) for w in w0]
    for g in grads:
        optimizer.apply_gradients(zip([tf.constant(x) for x in g], variables))
    return [v.numpy() for v in variables]


# --- NumPy replicas (float32, Keras's order of operations) ---------------------------------------
def replica_sgd(w0, grads, lr=0.01, momentum=0.0, nesterov=False):
    w = [x.copy() for x in w0]
    m = [np.zeros_like(x) for x in w0]
    for g in grads:
        for i in range(len(w)):
            if momentum == 0:
                w[i] = w[i] - g[i] * f32(lr)
            else:
                m[i] = m[i] * f32(momentum) - g[i] * f32(lr)
                w[i] = w[i] + (m[i] * f32(momentum) - g[i] * f32(lr) if nesterov else m[i])
    return w


def replica_adam(w0, grads, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, weight_decay=None):
    w = [x.copy() for x in w0]
    m = [np.zeros_like(x) for x in w0]
    v = [np.zeros_like(x) for x in w0]
    vh = [np.zeros_like(x) for x in w0]
    for t, g in enumerate(grads, start=1):
        if weight_decay is not None:
            w = [x - x * f32(weight_decay) * f32(lr) for x in w]
        # TF's powers are correctly rounded (NumPy's float32 power is not, with AVX-512): see minitf._tf_compat
        alpha = f32(lr) * np.sqrt(f32(1) - pow_rounded_array(b2, t)) / (f32(1) - pow_rounded_array(b1, t))
        for i in range(len(w)):
            m[i] = m[i] + (g[i] - m[i]) * f32(1 - b1)
            v[i] = v[i] + (g[i] * g[i] - v[i]) * f32(1 - b2)
            vi = v[i]
            if amsgrad:
                vh[i] = np.maximum(vh[i], v[i])
                vi = vh[i]
            w[i] = w[i] - (m[i] * alpha) / (np.sqrt(vi) + f32(eps))
    return w


def replica_rmsprop(w0, grads, lr=1e-3, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    w = [x.copy() for x in w0]
    v = [np.zeros_like(x) for x in w0]
    a = [np.zeros_like(x) for x in w0]
    m = [np.zeros_like(x) for x in w0]
    for g in grads:
        for i in range(len(w)):
            v[i] = f32(rho) * v[i] + f32(1 - rho) * (g[i] * g[i])
            if centered:
                a[i] = f32(rho) * a[i] + f32(1 - rho) * g[i]
                denominator = v[i] - a[i] * a[i] + f32(eps)
            else:
                denominator = v[i] + f32(eps)
            increment = (f32(lr) * g[i]) / np.sqrt(denominator)
            if momentum > 0:
                m[i] = f32(momentum) * m[i] + increment
                w[i] = w[i] - m[i]
            else:
                w[i] = w[i] - increment
    return w


def replica_adagrad(w0, grads, lr=1e-3, initial=0.1, eps=1e-7):
    w = [x.copy() for x in w0]
    acc = [np.full_like(x, initial) for x in w0]
    for g in grads:
        for i in range(len(w)):
            acc[i] = acc[i] + g[i] * g[i]
            w[i] = w[i] - (f32(lr) * g[i]) / np.sqrt(acc[i] + f32(eps))
    return w


def replica_adamax(w0, grads, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    w = [x.copy() for x in w0]
    m = [np.zeros_like(x) for x in w0]
    u = [np.zeros_like(x) for x in w0]
    for t, g in enumerate(grads, start=1):
        for i in range(len(w)):
            m[i] = m[i] + (g[i] - m[i]) * f32(1 - b1)
            u[i] = np.maximum(f32(b2) * u[i], np.abs(g[i]))
            w[i] = w[i] - (f32(lr) * m[i]) / ((f32(1) - pow_rounded_array(b1, t)) * (u[i] + f32(eps)))
    return w


def replica_nadam(w0, grads, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    """Dozat's Nadam as Keras 3 writes it; mu_t = b1 (1 - 0.5 * 0.96^t), their product kept across steps."""
    b1, b2 = f32(b1), f32(b2)
    w = [x.copy() for x in w0]
    m = [np.zeros_like(x) for x in w0]
    v = [np.zeros_like(x) for x in w0]
    product = f32(1)

    def mu(t):
        return b1 * (f32(1) - f32(0.5) * pow_rounded_array(0.96, t))

    for t, g in enumerate(grads, start=1):
        product = product * b1 * (f32(1) - f32(0.5) * pow_rounded_array(0.96, t))
        for i in range(len(w)):
            m[i] = m[i] + (g[i] - m[i]) * (f32(1) - b1)
            v[i] = v[i] + (g[i] * g[i] - v[i]) * (f32(1) - b2)
            m_hat = (mu(t + 1) * m[i]) / (f32(1) - product * mu(t + 1)) + ((f32(1) - mu(t)) * g[i]) / (f32(1) - product)
            v_hat = v[i] / (f32(1) - pow_rounded_array(b2, t))
            w[i] = w[i] - (m_hat * f32(lr)) / (np.sqrt(v_hat) + f32(eps))
    return w


def replica_adadelta(w0, grads, lr=1e-3, rho=0.95, eps=1e-7):
    w = [x.copy() for x in w0]
    grad_squares = [np.zeros_like(x) for x in w0]
    delta_squares = [np.zeros_like(x) for x in w0]
    for g in grads:
        for i in range(len(w)):
            grad_squares[i] = f32(rho) * grad_squares[i] + f32(1 - rho) * (g[i] * g[i])
            delta = -((np.sqrt(delta_squares[i] + f32(eps)) * g[i]) / np.sqrt(grad_squares[i] + f32(eps)))
            delta_squares[i] = f32(rho) * delta_squares[i] + f32(1 - rho) * (delta * delta)
            w[i] = w[i] + f32(lr) * delta
    return w


def replica_lion(w0, grads, lr=1e-3, b1=0.9, b2=0.99):
    w = [x.copy() for x in w0]
    m = [np.zeros_like(x) for x in w0]
    for g in grads:
        for i in range(len(w)):
            w[i] = w[i] - f32(lr) * np.sign(m[i] * f32(b1) + g[i] * (f32(1) - f32(b1)))
            m[i] = m[i] * f32(b2) + g[i] * (f32(1) - f32(b2))
    return w


def replica_ftrl(w0, grads, lr=1e-3, power=-0.5, n0=0.1, l1=0.0, l2=0.0, shrink=0.0, beta=0.0):
    """McMahan et al.'s FTRL-proximal as Keras 3 writes it; n^p correctly rounded from float64."""
    w = [x.copy() for x in w0]
    n = [np.full_like(x, f32(n0)) for x in w0]
    z = [np.zeros_like(x) for x in w0]
    lr, p = f32(lr), -power
    l2_total = f32(l2) + f32(beta) / (f32(2.0) * lr)
    for g in grads:
        for i in range(len(w)):
            g_shrunk = g[i] + f32(2 * shrink) * w[i]
            n_new = n[i] + g[i] * g[i]
            n_new_p = pow_rounded_array(n_new, p)
            z[i] = z[i] + (g_shrunk - (n_new_p - pow_rounded_array(n[i], p)) / lr * w[i])
            quadratic = n_new_p / lr + f32(2) * l2_total
            w[i] = (np.clip(z[i], f32(-l1), f32(l1)) - z[i]) / quadratic
            n[i] = n_new
    return w


def sum_as_minitf(x):
    """The full float32 sum minitf's norms take: TF's CPU order on NumPy (``eigen_sum_array``), the
    backend's own sum elsewhere (the CuPy stand-in, as on a GPU)."""
    from minitf import array_backend
    return eigen_sum_array(x) if array_backend.xp is np else f32(x.sum(dtype=f32))


def replica_lamb(w0, grads, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    """You et al.'s LAMB as Keras 3 writes it: Adam's step times |w| / |step| (sums in TF's order)."""
    w = [x.copy() for x in w0]
    m = [np.zeros_like(x) for x in w0]
    v = [np.zeros_like(x) for x in w0]
    for t, g in enumerate(grads, start=1):
        for i in range(len(w)):
            m[i] = m[i] + (g[i] - m[i]) * f32(1 - b1)
            v[i] = v[i] + (g[i] * g[i] - v[i]) * f32(1 - b2)
            step = (m[i] / (f32(1) - pow_rounded_array(b1, t))) / (np.sqrt(v[i] / (f32(1) - pow_rounded_array(b2, t)))
                                                                   + f32(eps))
            w_norm = np.sqrt(sum_as_minitf(w[i] * w[i]))
            s_norm = np.sqrt(sum_as_minitf(step * step))
            ratio = (w_norm / s_norm if s_norm > 0 else f32(1)) if w_norm > 0 else f32(1)
            w[i] = w[i] - ratio * f32(lr) * step
    return w


def replica_adafactor(w0, grads, lr=1e-3, decay=-0.8, eps1=1e-30, eps2=1e-3, clip=1.0):
    """Shazeer & Stern's Adafactor as Keras 3 writes it: a factored second moment for matrices."""
    def rms(x):
        return np.sqrt(sum_as_minitf(x * x) / f32(x.size))

    w = [x.copy() for x in w0]
    r = [np.zeros(x.shape[:-1], f32) for x in w0]
    c = [np.zeros(x.shape[:-2] + x.shape[-1:], f32) for x in w0]
    v = [np.zeros_like(x) for x in w0]
    for t, g in enumerate(grads, start=1):
        step = f32(t)
        inverse_sqrt = f32(1) / np.sqrt(step)
        rate = min(f32(lr), inverse_sqrt)
        for i in range(len(w)):
            alpha = max(f32(eps2), rms(w[i])) * min(rate, inverse_sqrt)
            square = g[i] * g[i] + f32(eps1)
            beta = f32(1) - pow_rounded_array(step, decay)
            if w[i].ndim >= 2:
                r[i] = beta * r[i] + (f32(1) - beta) * square.mean(axis=-1, dtype=f32)
                c[i] = beta * c[i] + (f32(1) - beta) * square.mean(axis=-2, dtype=f32)
                v[i] = (r[i] / r[i].mean(axis=-1, keepdims=True, dtype=f32))[..., None] * c[i][..., None, :]
            else:
                v[i] = beta * v[i] + (f32(1) - beta) * square
            u = g[i] / np.sqrt(v[i])
            w[i] = w[i] - alpha * (u / max(f32(1), rms(u) / f32(clip)))
    return w


CASES = [
    ("sgd", lambda: optimizers.SGD(), lambda w, g: replica_sgd(w, g)),
    ("sgd_momentum", lambda: optimizers.SGD(0.05, momentum=0.9), lambda w, g: replica_sgd(w, g, 0.05, 0.9)),
    ("sgd_nesterov", lambda: optimizers.SGD(0.05, momentum=0.8, nesterov=True),
     lambda w, g: replica_sgd(w, g, 0.05, 0.8, True)),
    ("adam", lambda: optimizers.Adam(), lambda w, g: replica_adam(w, g)),
    ("adam_amsgrad", lambda: optimizers.Adam(0.01, beta_1=0.8, amsgrad=True),
     lambda w, g: replica_adam(w, g, 0.01, b1=0.8, amsgrad=True)),
    ("adamw", lambda: optimizers.AdamW(0.01), lambda w, g: replica_adam(w, g, 0.01, weight_decay=0.004)),
    ("rmsprop", lambda: optimizers.RMSprop(), lambda w, g: replica_rmsprop(w, g)),
    ("rmsprop_centered_momentum", lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
     lambda w, g: replica_rmsprop(w, g, 0.01, momentum=0.5, centered=True)),
    ("adagrad", lambda: optimizers.Adagrad(0.1), lambda w, g: replica_adagrad(w, g, 0.1)),
    ("adamax", lambda: optimizers.Adamax(0.01, beta_2=0.9), lambda w, g: replica_adamax(w, g, 0.01, b2=0.9)),
    ("nadam", lambda: optimizers.Nadam(0.01), lambda w, g: replica_nadam(w, g, 0.01)),
    ("adadelta", lambda: optimizers.Adadelta(1.0), lambda w, g: replica_adadelta(w, g, 1.0)),
    ("lion", lambda: optimizers.Lion(0.01), lambda w, g: replica_lion(w, g, 0.01)),
    ("ftrl", lambda: optimizers.Ftrl(0.1, l1_regularization_strength=0.01, l2_shrinkage_regularization_strength=0.02,
                                     beta=0.1), lambda w, g: replica_ftrl(w, g, 0.1, l1=0.01, shrink=0.02, beta=0.1)),
    ("lamb", lambda: optimizers.Lamb(0.01), lambda w, g: replica_lamb(w, g, 0.01)),
    ("adafactor", lambda: optimizers.Adafactor(0.01), lambda w, g: replica_adafactor(w, g, 0.01)),
]


@pytest.mark.parametrize("name,make,replica", CASES, ids=[c[0] for c in CASES])
def test_updates_equal_the_numpy_replica_exactly(name, make, replica):
    w0, grads = _problem()
    got = _run(make(), w0, grads)
    want = replica(w0, grads)
    for i, (a, b) in enumerate(zip(got, want)):
        assert a.dtype == np.float32
        np.testing.assert_array_equal(a, b, err_msg=f"{name}: variable {i} after {STEPS} steps")


def test_adam_first_step_moves_each_weight_by_about_lr():
    v = tf.Variable([1.0, -2.0, 3.0])
    optimizers.Adam(0.1).apply_gradients([(tf.constant([0.5, -4.0, 0.25]), v)])
    # t = 1: m/(sqrt(v)+eps) = sign(g) (bias corrections cancel), so each weight moves by lr
    np.testing.assert_allclose(v.numpy(), [0.9, -1.9, 2.9], atol=1e-4)


# --- clipping and weight decay ------------------------------------------------------------------------
def test_clipnorm_clips_each_gradient_separately():
    g = [np.array([3.0, 4.0], f32), np.array([0.3, 0.4], f32)]
    vs = [tf.Variable(np.zeros(2, f32)), tf.Variable(np.zeros(2, f32))]
    optimizers.SGD(1.0, clipnorm=1.0).apply_gradients(zip([tf.constant(x) for x in g], vs))
    np.testing.assert_allclose(vs[0].numpy(), [-0.6, -0.8], rtol=1e-6)  # norm 5 -> 1
    np.testing.assert_allclose(vs[1].numpy(), [-0.3, -0.4], rtol=1e-6)  # norm 0.5: unchanged


def test_global_clipnorm_scales_all_gradients_together():
    g = [np.array([3.0, 0.0], f32), np.array([0.0, 4.0], f32)]
    vs = [tf.Variable(np.zeros(2, f32)), tf.Variable(np.zeros(2, f32))]
    optimizers.SGD(1.0, global_clipnorm=2.5).apply_gradients(zip([tf.constant(x) for x in g], vs))
    np.testing.assert_allclose(vs[0].numpy(), [-1.5, 0.0], rtol=1e-6)  # global norm 5 -> 2.5
    np.testing.assert_allclose(vs[1].numpy(), [0.0, -2.0], rtol=1e-6)


def test_clipvalue_clips_elementwise():
    v = tf.Variable(np.zeros(3, f32))
    optimizers.SGD(1.0, clipvalue=0.5).apply_gradients([(tf.constant([2.0, -0.1, -3.0]), v)])
    np.testing.assert_allclose(v.numpy(), [-0.5, 0.1, 0.5], rtol=1e-6)


def test_only_one_clip_option():
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.Adam(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_before_the_update_and_exclusions():
    a, b = tf.Variable([1.0, 2.0], name="kernel"), tf.Variable([1.0, 2.0], name="bias")
    opt = optimizers.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(tf.constant([1.0, 1.0]), a), (tf.constant([1.0, 1.0]), b)])
    w = np.array([1.0, 2.0], f32)
    np.testing.assert_array_equal(a.numpy(), (w - w * f32(0.5) * f32(0.1)) - f32(1) * f32(0.1))
    np.testing.assert_array_equal(b.numpy(), w - f32(1) * f32(0.1))


# --- bookkeeping ---------------------------------------------------------------------------------
def test_iterations_none_gradients_and_unknown_variables():
    a, b = tf.Variable([1.0]), tf.Variable([2.0])
    opt = optimizers.SGD(0.5)
    assert opt.iterations.dtype == tf.int64 and int(opt.iterations) == 0
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(tf.constant([1.0]), a), (None, b)])
    assert int(opt.iterations) == 1
    np.testing.assert_array_equal(b.numpy(), [2.0])
    np.testing.assert_array_equal(a.numpy(), [0.5])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(tf.constant([1.0]), tf.Variable([0.0]))])
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply_gradients([(None, a)])
    with pytest.raises(ValueError, match="shape"):
        opt.apply_gradients([(tf.constant([1.0, 2.0]), a)])


def test_apply_without_variables_uses_the_built_list():
    a = tf.Variable([1.0, 1.0])
    opt = optimizers.SGD(1.0)
    opt.build([a])
    opt.apply([tf.constant([0.25, 0.5])])
    np.testing.assert_array_equal(a.numpy(), [0.75, 0.5])


def test_update_does_not_modify_arrays_read_before_and_records_nothing():
    v = tf.Variable([1.0, 2.0])
    before = v.numpy()
    with tf.GradientTape() as tape:
        optimizers.Adam(0.1).apply_gradients([(tf.constant([1.0, 1.0]), v)])
    assert tape.operations == []
    np.testing.assert_array_equal(before, [1.0, 2.0])


def test_momentum_must_be_a_float_as_in_keras():
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=0)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.SGD(learning_rate=1)


def test_learning_rate_is_a_settable_variable():
    opt = optimizers.Adam(0.01)
    assert float(opt.learning_rate) == pytest.approx(0.01)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5
    v = tf.Variable([0.0])
    opt2 = optimizers.SGD(0.1)
    opt2.learning_rate = 2.0
    opt2.apply_gradients([(tf.constant([1.0]), v)])
    np.testing.assert_array_equal(v.numpy(), [-2.0])


def test_state_layout_and_round_trip_continue_identically():
    w0, grads = _problem(3)
    opt = optimizers.Adam(0.01)
    variables = [tf.Variable(w) for w in w0]
    for g in grads[:5]:
        opt.apply_gradients(zip([tf.constant(x) for x in g], variables))
    names = [v.name for v in opt.variables]
    assert len(names) == 2 + 2 * len(w0)  # iterations, learning_rate, (m, v) per variable
    assert "iteration" in names[0] and "learning_rate" in names[1] and "momentum" in names[2] \
        and "velocity" in names[3]
    state = opt.get_state()
    assert state[0] == 5 and state[2].shape == w0[0].shape
    weights = [v.numpy() for v in variables]

    fresh_vars = [tf.Variable(w) for w in weights]
    fresh = optimizers.Adam(0.5)
    fresh.build(fresh_vars)
    fresh.set_state(state)
    assert float(fresh.learning_rate) == pytest.approx(0.01) and int(fresh.iterations) == 5
    for g in grads[5:]:
        opt.apply_gradients(zip([tf.constant(x) for x in g], variables))
        fresh.apply_gradients(zip([tf.constant(x) for x in g], fresh_vars))
    for a, b in zip(variables, fresh_vars):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="build it first"):
        optimizers.Adam().set_state(state)


def test_get_config_from_config_and_lookup():
    opt = optimizers.RMSprop(0.02, rho=0.8, momentum=0.1, centered=True, clipnorm=1.0)
    config = opt.get_config()
    assert config["learning_rate"] == pytest.approx(0.02) and config["rho"] == 0.8
    again = optimizers.RMSprop.from_config(config)
    assert again.get_config() == config
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("SGD"), optimizers.SGD)
    for name, cls in [("rmsprop", optimizers.RMSprop), ("adagrad", optimizers.Adagrad), ("adamw", optimizers.AdamW),
                      ("adamax", optimizers.Adamax), ("Nadam", optimizers.Nadam), ("adadelta", optimizers.Adadelta)]:
        assert isinstance(optimizers.get(name), cls)
    assert optimizers.get(opt) is opt
    round_trip = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(round_trip, optimizers.RMSprop) and round_trip.get_config()["centered"] is True
    with pytest.raises(ValueError, match="Could not interpret optimizer"):
        optimizers.get("adamax2")


# --- schedules ---------------------------------------------------------------------------------
def test_schedules_follow_their_formulas():
    e = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    i = schedules.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5)
    c = schedules.CosineDecay(0.1, decay_steps=20, alpha=0.1)
    p = schedules.PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1])
    poly = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, power=2.0)
    for step in [0, 1, 5, 9, 10, 15, 25]:
        assert float(e(step)) == pytest.approx(0.1 * 0.5 ** (step / 10), rel=1e-6)
        assert float(s(step)) == pytest.approx(0.1 * 0.5 ** (step // 10), rel=1e-6)
        assert float(i(step)) == pytest.approx(0.1 / (1 + 0.5 * step / 10), rel=1e-6)
        cosine = 0.5 * (1 + math.cos(math.pi * min(step, 20) / 20))
        assert float(c(step)) == pytest.approx(0.1 * ((1 - 0.1) * cosine + 0.1), rel=1e-5, abs=1e-7)
        assert float(p(step)) == float(np.float32(1.0 if step <= 5 else 0.5 if step <= 10 else 0.1))
        assert float(poly(step)) == pytest.approx(0.09 * (1 - min(step, 10) / 10) ** 2 + 0.01, rel=1e-5)
    warm = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=0.2, warmup_steps=4)
    assert float(warm(2)) == pytest.approx(0.1, rel=1e-6)
    assert float(warm(4)) == pytest.approx(0.2, rel=1e-6)
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="boundaries"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])


def test_schedule_is_evaluated_at_iterations_and_serializes():
    schedule = schedules.PiecewiseConstantDecay([1], [1.0, 0.1])
    v = tf.Variable([0.0])
    opt = optimizers.SGD(schedule)
    for _ in range(3):
        opt.apply_gradients([(tf.constant([1.0]), v)])
    # steps 0 and 1 use 1.0 (step <= 1), step 2 uses 0.1
    np.testing.assert_allclose(v.numpy(), [-2.1], rtol=1e-6)
    assert float(opt.learning_rate) == pytest.approx(0.1)
    assert len(opt.variables) == 1  # no learning-rate variable with a schedule
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.3
    again = optimizers.SGD.from_config(opt.get_config())
    assert isinstance(again._learning_rate, schedules.PiecewiseConstantDecay)


def test_float64_variables_update_in_float64():
    v = tf.Variable(np.array([1.0, 2.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizers.Adam(0.1).apply_gradients([(tf.constant(np.array([1.0, -1.0])), v)])
    assert v.dtype == tf.float64


@pytest.mark.parametrize("shape", [(30, 7), (300, 300)], ids=["whole-array path", "blocked path"])
@pytest.mark.parametrize("hold", ["numpy", "view", "value"])
def test_adam_in_place_update_only_when_nothing_else_holds_the_array(hold, shape):
    # Adam overwrites the weights in place when only the variable refers to them; any tensor,
    # array or view read earlier must keep its values, and both paths give the same bits.
    rng = np.random.default_rng(1)
    w0, g = rng.normal(size=shape).astype(f32), rng.normal(size=shape).astype(f32)
    free, held = tf.Variable(w0), tf.Variable(w0)
    opt_free, opt_held = optimizers.Adam(0.1), optimizers.Adam(0.1)
    for step in range(3):
        opt_free.apply_gradients([(tf.constant(g), free)])
        before = {"numpy": lambda: held.numpy(), "view": lambda: held.numpy()[1:3, ::2],
                  "value": lambda: held.value()}[hold]()
        copy = np.array(before, copy=True)
        opt_held.apply_gradients([(tf.constant(g), held)])
        np.testing.assert_array_equal(np.asarray(before), copy)
        np.testing.assert_array_equal(free.numpy(), held.numpy())


@pytest.mark.parametrize("cls", [optimizers.Adamax, optimizers.Nadam, optimizers.Adadelta, optimizers.Lion,
                                 optimizers.Ftrl, optimizers.Lamb, optimizers.Adafactor])
def test_new_optimizers_round_trip_their_config_and_state(cls):
    """get_config/from_config, and set_state of one optimizer's variables into another (Nadam's product of
    momentum factors included) continue the same updates."""
    w0, grads = _problem()
    first = cls(0.01)
    config = first.get_config()
    assert cls.from_config(config).get_config() == config
    variables = [tf.Variable(w) for w in w0]
    for g in grads[:5]:
        first.apply_gradients(zip([tf.constant(x) for x in g], variables))
    copies = [tf.Variable(v.numpy()) for v in variables]
    second = cls.from_config(config)
    second.build(copies)
    second.set_state(first.get_state())
    for g in grads[5:]:
        first.apply_gradients(zip([tf.constant(x) for x in g], variables))
        second.apply_gradients(zip([tf.constant(x) for x in g], copies))
    for a, b in zip(variables, copies):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
