"""Optimizers: minitf against Keras 3 over 20 steps on the same gradients.

Every optimizer, each clip option, weight decay and the learning-rate schedules are compared
**bit for bit** (float32, assert_array_equal): minitf performs Keras's operations in Keras's
order, so the rounding is identical -- weights, every slot variable, and iterations.
The schedules' values are compared exactly too, except CosineDecay (rtol 1e-6: TF's float32 cos
kernel differs from NumPy's by a few ulps). Ftrl and Lamb agree to an ulp per step
(``WITHIN_AN_ULP_PER_STEP``: TF's vectorized pow).
"""
import importlib

import numpy as np
import pytest

STEPS = 20


@pytest.fixture(scope="module")
def mo():
    return importlib.import_module("minitf.keras.optimizers")


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(6, 4), (4,), (2, 3, 3)]
    w0 = [rng.normal(size=s).astype(np.float32) for s in shapes]
    grads = [[(rng.normal(size=s) * (0.1 + 2 * (k % 4))).astype(np.float32) for s in shapes] for k in range(STEPS)]
    return w0, grads


def _schedule(module, spec):
    if spec is None:
        return {}
    name, args = spec
    return {"learning_rate": getattr(module, name)(**args)}


SCHEDULES = [
    None,
    ("ExponentialDecay", dict(initial_learning_rate=0.05, decay_steps=4, decay_rate=0.7)),
    ("ExponentialDecay", dict(initial_learning_rate=0.05, decay_steps=4, decay_rate=0.7, staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[5, 12], values=[0.1, 0.03, 0.002])),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.5)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=15, end_learning_rate=0.001, power=2.0)),
]

CASES = [
    ("SGD", {}), ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.7, "nesterov": True}),
    ("Adam", {}), ("Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}), ("AdamW", {"learning_rate": 0.01}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {}), ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.3}),
    ("Adagrad", {}), ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-5}),
    ("Adamax", {}), ("Adamax", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-5}),
    ("Nadam", {}), ("Nadam", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-5}),
    ("Adadelta", {}), ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}),
    ("Lion", {}), ("Lion", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95}),
    ("Adafactor", {}), ("Adafactor", {"learning_rate": 0.05, "beta_2_decay": -0.6, "clip_threshold": 0.5,
                                      "relative_step": False}),
    ("Ftrl", {}), ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7, "initial_accumulator_value": 0.3,
                            "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
                            "l2_shrinkage_regularization_strength": 0.03, "beta": 0.1}),
    ("Lamb", {}), ("Lamb", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-6}),
]
EXTRAS = [{"clipnorm": 1.0}, {"global_clipnorm": 2.0}, {"clipvalue": 0.5}, {"weight_decay": 0.05}]
# Each extra option on one optimizer of each kind (Keras's eager optimizer is slow: keep the run short).
WITH_EXTRAS = [CASES[1], CASES[3], CASES[11], CASES[12], CASES[17]]  # (17: Nadam, whose steps share a product)


def _run(module, variable, constant, name, kwargs, w0, grads):
    optimizer = getattr(module, name)(**kwargs)
    variables = [variable(w) for w in w0]
    for g in grads:
        optimizer.apply_gradients(zip([constant(x) for x in g], variables))
    return [v.numpy() for v in variables], [np.asarray(v.numpy()) for v in optimizer.variables]


# Where Keras's update calls TF's vectorized float32 pow on whole tensors: Eigen's packet pow rounds
# about a quarter of its results an ulp away from the correctly rounded power (x ** 2 included)
# that minitf computes, so these agree to an ulp per step, not to the bit.
# (rtol, atol, where): Ftrl's weight is a difference of nearly equal linear terms over a quadratic,
# which turns an ulp of n^p into ~1e-5 of a small weight, and 20 steps of them into 4e-5 of z.
WITHIN_AN_ULP_PER_STEP = {
    "Ftrl": (1e-4, 1e-6, "n^p of the accumulators, every step"),
    "Lamb": (2e-6, 1e-7, "the trust ratio's norms sum ops.power(w, 2)"),
}


def _compare(tf, mtf, mo, name, kwargs, schedule=None, seed=0):
    w0, grads = _problem(seed)
    their_w, their_state = _run(tf.keras.optimizers, tf.Variable, tf.constant, name,
                                {**kwargs, **_schedule(tf.keras.optimizers.schedules, schedule)}, w0, grads)
    our_w, our_state = _run(mo, mtf.Variable, mtf.constant, name,
                            {**kwargs, **_schedule(mo.schedules, schedule)}, w0, grads)
    label = f"{name}{kwargs} schedule={schedule and schedule[0]}"
    if name in WITHIN_AN_ULP_PER_STEP:
        assert len(our_state) == len(their_state), f"{label}: optimizer variables {len(our_state)} vs {len(their_state)}"
        rtol, atol, where = WITHIN_AN_ULP_PER_STEP[name]
        for i, (a, b) in enumerate(zip(our_w + our_state, their_w + their_state)):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"{label} ({where}): array {i}")
        return
    for i, (a, b) in enumerate(zip(our_w, their_w)):
        if not np.array_equal(a, b):
            diff = np.max(np.abs(a - b))
            pytest.fail(f"{label}: variable {i} differs from Keras after {STEPS} steps (max |diff| {diff:.3g}; "
                        f"bit-exact expected)")
    assert len(our_state) == len(their_state), f"{label}: {len(our_state)} optimizer variables vs Keras's " \
                                               f"{len(their_state)}"
    for i, (a, b) in enumerate(zip(our_state, their_state)):
        np.testing.assert_array_equal(a, b, err_msg=f"{label}: optimizer variable {i} (Keras order)")


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_optimizer_is_bit_exact(tf, mtf, mo, name, kwargs):
    _compare(tf, mtf, mo, name, kwargs)


@pytest.mark.parametrize("extra", EXTRAS, ids=[str(e) for e in EXTRAS])
@pytest.mark.parametrize("name,kwargs", WITH_EXTRAS, ids=[f"{c[0]}{c[1]}" for c in WITH_EXTRAS])
def test_clipping_and_weight_decay_are_bit_exact(tf, mtf, mo, name, kwargs, extra):
    _compare(tf, mtf, mo, name, {**kwargs, **extra})


@pytest.mark.parametrize("schedule", SCHEDULES[1:], ids=[s[0] + str(s[1].get("staircase", "")) for s in SCHEDULES[1:]])
def test_optimizer_with_schedule_is_bit_exact(tf, mtf, mo, schedule):
    # Adam with weight decay reads the learning rate twice per step (decay and update)
    _compare(tf, mtf, mo, "Adam", {"weight_decay": 0.01}, schedule)


def test_sgd_with_schedule_is_bit_exact(tf, mtf, mo):
    _compare(tf, mtf, mo, "SGD", {"momentum": 0.5}, SCHEDULES[3])


@pytest.mark.parametrize("spec", SCHEDULES[1:] + [
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=15, alpha=0.05)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=10, warmup_target=0.1, warmup_steps=5))],
    ids=lambda s: s[0])
def test_schedule_values(tf, mo, spec):
    name, args = spec
    theirs, ours = getattr(tf.keras.optimizers.schedules, name)(**args), getattr(mo.schedules, name)(**args)
    for step in range(0, 30):
        a = np.float32(ours(np.int64(step)).numpy())
        b = np.float32(theirs(np.int64(step)).numpy())
        if name == "CosineDecay":  # TF's float32 cos kernel differs from NumPy's by an ulp or two
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9, err_msg=f"{name} step {step}")
        else:
            assert a == b, f"{name}{args} at step {step}: {a!r} vs Keras {b!r}"
    assert ours.get_config() == theirs.get_config()


def test_cosine_decay_in_training_within_one_ulp(tf, mtf, mo):
    spec = ("CosineDecay", dict(initial_learning_rate=0.05, decay_steps=12, alpha=0.1))
    w0, grads = _problem(2)
    their_w, _ = _run(tf.keras.optimizers, tf.Variable, tf.constant, "SGD",
                      _schedule(tf.keras.optimizers.schedules, spec), w0, grads)
    our_w, _ = _run(mo, mtf.Variable, mtf.constant, "SGD", _schedule(mo.schedules, spec), w0, grads)
    for a, b in zip(our_w, their_w):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, err_msg="SGD + CosineDecay (rtol 1e-6)")


def test_configs_and_learning_rate_setter(tf, mtf, mo):
    for name, kwargs in CASES:
        theirs, ours = getattr(tf.keras.optimizers, name)(**kwargs), getattr(mo, name)(**kwargs)
        their_config, our_config = theirs.get_config(), ours.get_config()
        their_config.pop("name"), our_config.pop("name")
        assert our_config == their_config, f"{name}{kwargs}"
    w0, grads = _problem(4)
    results = []
    for module, variable, constant in ((tf.keras.optimizers, tf.Variable, tf.constant),
                                       (mo, mtf.Variable, mtf.constant)):
        optimizer = module.Adam(0.01)
        variables = [variable(w) for w in w0]
        for k, g in enumerate(grads[:6]):
            if k == 3:
                optimizer.learning_rate = 0.002  # what ReduceLROnPlateau does
            optimizer.apply_gradients(zip([constant(x) for x in g], variables))
        results.append([v.numpy() for v in variables])
    for a, b in zip(*results):
        np.testing.assert_array_equal(b, a, err_msg="Adam with the learning rate changed mid-way")


def test_none_gradients_are_skipped_like_keras(tf, mtf, mo):
    w0, grads = _problem(5)
    results = []
    for module, variable, constant in ((tf.keras.optimizers, tf.Variable, tf.constant),
                                       (mo, mtf.Variable, mtf.constant)):
        optimizer = module.Adam(0.01)
        variables = [variable(w) for w in w0]
        for k, g in enumerate(grads[:5]):
            gs = [constant(x) for x in g]
            if k % 2:
                gs[1] = None
            with pytest.warns(UserWarning) if k % 2 else _nothing():
                optimizer.apply_gradients(zip(gs, variables))
        results.append(([v.numpy() for v in variables], int(optimizer.iterations.numpy())))
    (theirs, their_iterations), (ours, our_iterations) = results
    assert our_iterations == their_iterations == 5
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
