"""minitf.keras.losses: values against NumPy formulas, reductions, shapes, the logits shortcut, gradients."""
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from minitf.keras import activations, losses
from minitf.testing import gradcheck

EPS = 1e-7
RTOL, ATOL = 1e-5, 1e-6  # float32, one op


def _rng(seed=0):
    return np.random.default_rng(seed)


# --- independent NumPy references (float64) ------------------------------------------------------
def clip32(p):
    """Clip as float32 arithmetic does: 1 - eps rounds to 0.99999988 in float32."""
    return np.clip(np.asarray(p, np.float32), np.float32(EPS), np.float32(1 - EPS)).astype(np.float64)


def np_bce(y, p):
    p = clip32(p)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def np_bce_logits(y, z):
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def np_log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def np_huber(y, p, d=1.0):
    e = np.abs(p - y)
    return np.where(e <= d, 0.5 * e ** 2, d * e - 0.5 * d * d)


def reference_per_sample(name, y, p):
    if name == "mse":
        return np.mean((y - p) ** 2, axis=-1)
    if name == "mae":
        return np.mean(np.abs(y - p), axis=-1)
    if name == "mape":
        return 100 * np.mean(np.abs((y - p) / np.maximum(np.abs(y), EPS)), axis=-1)
    if name == "msle":
        return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2, axis=-1)
    if name == "huber":
        return np.mean(np_huber(y, p), axis=-1)
    raise KeyError(name)


REGRESSION = {"mse": losses.MeanSquaredError, "mae": losses.MeanAbsoluteError,
              "mape": losses.MeanAbsolutePercentageError, "msle": losses.MeanSquaredLogarithmicError,
              "huber": losses.Huber}


# --- values and reductions ------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(REGRESSION))
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight"])
def test_regression_losses_match_numpy_for_every_reduction(name, reduction):
    rng = _rng(1)
    y = rng.uniform(0.1, 2, (6, 3)).astype(np.float32)
    p = rng.uniform(0.1, 2, (6, 3)).astype(np.float32)
    w = rng.uniform(0, 2, 6).astype(np.float32)
    per = reference_per_sample(name, y.astype(np.float64), p.astype(np.float64)) * w
    expected = {"sum_over_batch_size": per.sum() / per.size, "mean": per.sum() / per.size, "sum": per.sum(),
                "none": per, None: per, "mean_with_sample_weight": per.sum() / w.sum()}[reduction]
    got = REGRESSION[name](reduction=reduction)(y, p, sample_weight=w).numpy()
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, err_msg=f"{name} reduction={reduction}")


def test_default_reduction_divides_by_element_count_not_weight_sum():
    y, p = np.zeros((4, 1), np.float32), np.ones((4, 1), np.float32)
    w = np.array([1, 0, 0, 0], np.float32)
    # per-sample MSE = 1; weighted sum = 1; Keras 3 divides by 4 elements (not by sum(w) = 1)
    assert float(losses.MeanSquaredError()(y, p, sample_weight=w)) == pytest.approx(0.25, abs=1e-7)
    assert float(losses.MeanSquaredError(reduction="mean_with_sample_weight")(y, p, sample_weight=w)) == \
        pytest.approx(1.0, abs=1e-7)


def test_huber_delta_and_name():
    y = np.array([[0.0, 0.0]], np.float32)
    p = np.array([[0.5, 3.0]], np.float32)
    got = float(losses.Huber(delta=2.0)(y, p))
    assert got == pytest.approx((0.5 * 0.25 + (2 * 3 - 0.5 * 4)) / 2, rel=1e-6)
    assert losses.Huber().name == "huber_loss"


@pytest.mark.parametrize("ls", [0.0, 0.2])
def test_binary_crossentropy_probabilities_and_logits(ls):
    rng = _rng(2)
    y = rng.integers(0, 2, (8, 3)).astype(np.float32)
    p = rng.uniform(0, 1, (8, 3)).astype(np.float32)
    p[0, 0], p[1, 1] = 0.0, 1.0  # clipped to [eps, 1 - eps]
    z = rng.normal(0, 3, (8, 3)).astype(np.float32)
    ys = y * (1 - ls) + 0.5 * ls
    np.testing.assert_allclose(losses.BinaryCrossentropy(label_smoothing=ls)(y, p).numpy(),
                               np_bce(ys, p.astype(np.float64)).mean(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(losses.BinaryCrossentropy(from_logits=True, label_smoothing=ls)(y, z).numpy(),
                               np_bce_logits(ys, z.astype(np.float64)).mean(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("ls", [0.0, 0.1])
def test_categorical_crossentropy_rescales_clips_and_smooths(ls):
    rng = _rng(3)
    y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 7)]
    raw = rng.uniform(0.01, 1, (7, 4)).astype(np.float32)  # not normalised: CCE divides by the row sum
    z = rng.normal(0, 2, (7, 4)).astype(np.float32)
    ys = y * (1 - ls) + ls / 4
    q = clip32(raw / raw.sum(-1, keepdims=True))
    np.testing.assert_allclose(losses.CategoricalCrossentropy(label_smoothing=ls)(y, raw).numpy(),
                               (-(ys * np.log(q)).sum(-1)).mean(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=ls)(y, z).numpy(),
                               (-(ys * np_log_softmax(z.astype(np.float64))).sum(-1)).mean(), rtol=RTOL, atol=ATOL)


def test_sparse_categorical_crossentropy_labels_shapes_and_logits():
    rng = _rng(4)
    labels = rng.integers(0, 5, 9)
    p = rng.dirichlet(np.ones(5), 9).astype(np.float32)
    z = rng.normal(0, 2, (9, 5)).astype(np.float32)
    q = clip32(p)
    expected = -np_log_softmax(np.log(q))[np.arange(9), labels]  # log of clipped p, renormalised
    for y in (labels, labels.reshape(9, 1), labels.astype(np.float32)):
        np.testing.assert_allclose(losses.SparseCategoricalCrossentropy(reduction=None)(y, p).numpy(), expected,
                                   rtol=RTOL, atol=ATOL, err_msg=f"labels of shape {np.shape(y)}")
    np.testing.assert_allclose(losses.SparseCategoricalCrossentropy(from_logits=True)(labels, z).numpy(),
                               (-np_log_softmax(z.astype(np.float64))[np.arange(9), labels]).mean(),
                               rtol=RTOL, atol=ATOL)


def test_sparse_categorical_crossentropy_ignore_class_leaves_the_mean():
    z = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]], np.float32)
    y = np.array([0, 1, 2])
    per = -np_log_softmax(z.astype(np.float64))[np.arange(3), y]
    got = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)(y, z).numpy()
    np.testing.assert_allclose(got, per[:2].mean(), rtol=RTOL, atol=ATOL)


def test_function_aliases_and_per_sample_shapes():
    y = np.ones((5, 3), np.float32)
    p = np.zeros((5, 3), np.float32)
    for fn in (losses.mse, losses.mae, losses.mape, losses.msle, losses.huber, losses.MSE, losses.binary_crossentropy):
        assert tuple(fn(y, p).shape) == (5,), fn.__name__
    assert tuple(losses.categorical_crossentropy(y, p + 0.3).shape) == (5,)


# --- shapes ------------------------------------------------------------------------------------------
def test_rank_one_labels_against_column_predictions_are_expanded_not_broadcast():
    y = np.array([0.0, 1.0, 2.0, 3.0], np.float32)
    p = (y + 0.5).reshape(4, 1)
    # (N,) vs (N, 1): per-sample error 0.5^2, never the (N, N) matrix of all pairs
    assert float(losses.MeanSquaredError()(y, p)) == pytest.approx(0.25, abs=1e-7)
    assert tuple(losses.MeanSquaredError(reduction="none")(y, p).shape) == (4,)
    assert float(losses.MeanSquaredError()(p, y)) == pytest.approx(0.25, abs=1e-7)
    probs = np.full((4, 1), 0.8, np.float32)
    labels = np.array([1, 1, 0, 0], np.float32)
    assert float(losses.BinaryCrossentropy()(labels, probs)) == pytest.approx(
        np_bce(labels[:, None], probs.astype(np.float64)).mean(), rel=1e-6)


def test_sparse_with_one_hot_labels_says_use_categorical():
    p = np.full((3, 4), 0.25, np.float32)
    with pytest.raises(ValueError, match="CategoricalCrossentropy") as info:
        losses.SparseCategoricalCrossentropy()(np.eye(4, dtype=np.float32)[:3], p)
    assert "(3, 4)" in str(info.value)


def test_mismatched_shapes_name_the_loss_and_both_shapes():
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(4, 3\).*\(4, 2\)"):
        losses.MeanSquaredError()(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"binary_crossentropy.*\(4,\).*\(4, 1\)"):
        losses.binary_crossentropy(np.zeros(4), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="sample_weight"):
        losses.MeanSquaredError()(np.zeros((4, 1)), np.zeros((4, 1)), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


@given(st.integers(1, 6), st.integers(1, 4), st.booleans())
def test_mse_matches_numpy_for_drawn_shapes(n, d, column):
    rng = _rng(n * 10 + d)
    y = rng.normal(size=(n, d)).astype(np.float32)
    p = rng.normal(size=(n, d)).astype(np.float32)
    if column and d == 1:
        y = y[:, 0]
    expected = np.mean((y.reshape(n, d) - p) ** 2)
    np.testing.assert_allclose(losses.MeanSquaredError()(y, p).numpy(), expected, rtol=RTOL, atol=ATOL)


# --- the logits shortcut -----------------------------------------------------------------------------
def test_sigmoid_output_uses_the_unclipped_logit_formula():
    z = tf.constant([[30.0], [-30.0], [0.3]])
    y = np.array([[0.0], [1.0], [1.0]], np.float32)
    p = activations.sigmoid(z)
    assert losses.logits_of(p) is z
    expected = np_bce_logits(y.astype(np.float64), z.numpy().astype(np.float64)).mean()  # 20.1..., unclipped
    got = float(losses.BinaryCrossentropy()(y, p))
    assert got == pytest.approx(expected, rel=1e-6)
    clipped = float(losses.BinaryCrossentropy()(y, tf.constant(p.numpy())))  # same numbers, no mark
    assert clipped == pytest.approx(np_bce(y, p.numpy().astype(np.float64)).mean(), rel=1e-5)
    assert got > clipped + 3  # the saturated rows: 30 vs -log(eps) = 16.1


def test_softmax_output_uses_logits_for_both_categorical_losses():
    z = tf.constant([[40.0, 0.0, -5.0], [1.0, 2.0, 3.0]])
    p = activations.softmax(z)
    labels = np.array([2, 0])
    expected = -np_log_softmax(z.numpy().astype(np.float64))[np.arange(2), labels]
    np.testing.assert_allclose(losses.SparseCategoricalCrossentropy(reduction=None)(labels, p).numpy(), expected,
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(losses.CategoricalCrossentropy(reduction=None)(np.eye(3)[labels], p).numpy(),
                               expected, rtol=RTOL, atol=ATOL)


def test_register_logits_is_honoured_and_from_logits_true_warns():
    z = tf.constant([[3.0, -2.0]])
    p = tf.nn.sigmoid(z)
    y = np.array([[1.0, 0.0]], np.float32)
    assert losses.logits_of(p) is None
    assert losses.register_logits(p, z) is p
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = float(losses.BinaryCrossentropy(from_logits=True)(y, p))
    assert any("from_logits=True" in str(w.message) for w in caught)
    assert got == pytest.approx(np_bce_logits(y, z.numpy().astype(np.float64)).mean(), rel=1e-6)


def test_the_logits_mark_lives_on_the_output_only():
    z = tf.constant([1.0])
    p = activations.sigmoid(z)
    assert p._keras_meta == {"logits": z}  # on the tensor itself (Keras: p._keras_logits), dying with it
    assert losses.logits_of(tf.identity(p)) is None and losses.logits_of(p * 1.0) is None
    assert losses.logits_of(tf.constant([0.5])) is None


def test_gradient_through_the_shortcut_is_sigmoid_minus_label():
    w = tf.Variable([[2.0], [-1.0]])
    x = tf.constant([[1.0, 3.0], [0.5, -1.0]])
    y = np.array([[1.0], [0.0]], np.float32)
    with tf.GradientTape() as tape:
        z = tf.matmul(x, w)
        loss = losses.BinaryCrossentropy()(y, activations.sigmoid(z))
    g = tape.gradient(loss, w).numpy()
    zv = x.numpy() @ w.numpy()
    expected = x.numpy().T @ ((1 / (1 + np.exp(-zv)) - y) / 2)
    np.testing.assert_allclose(g, expected, rtol=RTOL, atol=ATOL)


# --- gradients ------------------------------------------------------------------------------------
def _float64(*arrays):
    return [np.asarray(a, np.float64) for a in arrays]


GRAD_CASES = [
    ("mse", lambda y, p: losses.mean_squared_error(y, p), True),
    ("mae", lambda y, p: losses.mean_absolute_error(y, p), True),
    ("mape", lambda y, p: losses.mean_absolute_percentage_error(y, p), True),
    ("msle", lambda y, p: losses.mean_squared_logarithmic_error(y, p), True),
    ("huber", lambda y, p: losses.huber(y, p, delta=0.5), True),
    ("log_cosh", lambda y, p: losses.log_cosh(y, p), True),
    ("cosine", lambda y, p: losses.cosine_similarity(y, p), True),
    ("kld", lambda y, p: losses.kl_divergence(y, p), True),
    ("poisson", lambda y, p: losses.poisson(y, p), True),
    ("hinge", lambda y, p: losses.hinge(y, p), False),
    ("squared_hinge", lambda y, p: losses.squared_hinge(y, p), False),
    ("bce", lambda y, p: losses.binary_crossentropy(y, p, label_smoothing=0.1), True),
    ("bce_logits", lambda y, p: losses.binary_crossentropy(y, p, from_logits=True), True),
    ("cce", lambda y, p: losses.categorical_crossentropy(y, p, label_smoothing=0.1), True),
    ("cce_logits", lambda y, p: losses.categorical_crossentropy(y, p, from_logits=True), True),
]


@pytest.mark.parametrize("name,fn,wrt_y_true", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_loss_gradients_match_finite_differences(name, fn, wrt_y_true):
    rng = _rng(5)
    y = rng.uniform(0.2, 0.8, (3, 4))
    p = rng.uniform(0.2, 0.8, (3, 4))
    if name in ("hinge", "squared_hinge"):
        y = np.sign(rng.normal(size=(3, 4)))
        p = rng.uniform(-0.6, 0.6, (3, 4))
    if name.endswith("logits"):
        p = rng.normal(0, 2, (3, 4))
    if name.startswith("cce"):
        # labels are distributions: TF's softmax-crossentropy gradient, softmax(z) - y, assumes sum(y) = 1
        y = y / y.sum(-1, keepdims=True)
    y, p = _float64(y, p)
    gradcheck(lambda pp: fn(tf.constant(y), pp), [p])  # w.r.t. y_pred
    if wrt_y_true:
        gradcheck(lambda yy: fn(yy, tf.constant(p)), [y])  # w.r.t. y_true


def test_sparse_crossentropy_gradient_wrt_predictions():
    rng = _rng(6)
    labels = tf.constant(rng.integers(0, 4, 5))
    p = rng.dirichlet(np.ones(4), 5)
    z = rng.normal(size=(5, 4))
    gradcheck(lambda pp: losses.sparse_categorical_crossentropy(labels, pp), [p])
    gradcheck(lambda zz: losses.sparse_categorical_crossentropy(labels, zz, from_logits=True), [z])


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_loss_class_gradient_with_sample_weight(reduction):
    rng = _rng(7)
    y, p = _float64(rng.uniform(0.1, 0.9, (4, 2)), rng.uniform(0.1, 0.9, (4, 2)))
    w = tf.constant(rng.uniform(0.5, 1.5, 4))
    loss = losses.BinaryCrossentropy(reduction=reduction, dtype="float64")
    gradcheck(lambda pp: loss(tf.constant(y), pp, sample_weight=w), [p])
    loss = losses.Huber(reduction=reduction, dtype="float64")
    gradcheck(lambda pp: loss(tf.constant(y), pp, sample_weight=w), [p])


# --- look-up and serialization ---------------------------------------------------------------------
def test_get_resolves_names_classes_instances_and_configs():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("binary_crossentropy") is losses.binary_crossentropy
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    inst = losses.CategoricalCrossentropy(label_smoothing=0.1)
    assert losses.get(inst) is inst
    fn = lambda y, p: p  # noqa: E731
    assert losses.get(fn) is fn
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get("not_a_loss")


def test_serialize_round_trip_keeps_the_configuration():
    loss = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2, reduction="sum", name="bce_x")
    config = losses.serialize(loss)
    assert config["class_name"] == "BinaryCrossentropy" and config["config"]["label_smoothing"] == 0.2
    again = losses.deserialize(config)
    assert isinstance(again, losses.BinaryCrossentropy)
    assert again.get_config() == loss.get_config()
    assert losses.get(config).get_config() == loss.get_config()
    assert losses.deserialize(losses.serialize(losses.mean_absolute_error)) is losses.mean_absolute_error
    wrapped = losses.LossFunctionWrapper(losses.huber, name="h", delta=2.0)
    again = losses.LossFunctionWrapper.from_config(wrapped.get_config())
    assert again.fn is losses.huber and again._fn_kwargs == {"delta": 2.0}


def test_resolve_crossentropy_by_shapes_and_wrap_functions():
    assert losses.resolve("crossentropy", (8, 1), (8, 1)).fn is losses.binary_crossentropy
    assert losses.resolve("ce", (8,), (8, 5)).fn is losses.sparse_categorical_crossentropy
    assert losses.resolve("crossentropy", (8, 5), (8, 5)).fn is losses.categorical_crossentropy
    wrapped = losses.resolve("mse")
    assert isinstance(wrapped, losses.Loss) and wrapped.name == "mse"
    y, p = np.zeros(3, np.float32), np.ones((3, 1), np.float32)
    assert float(wrapped(y, p)) == pytest.approx(1.0)
    instance = losses.Huber()
    assert losses.resolve(instance) is instance


def test_loss_names_and_dtype():
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"
    assert losses.MeanSquaredError().dtype == "float32"
    out = losses.MeanSquaredError()(np.zeros((2, 2)), np.ones((2, 2)))
    assert out.dtype == tf.float32 and tuple(out.shape) == ()


# --- traced (tf.function) ---------------------------------------------------------------------------
def _hinge_labels(rng, shape):  # 0/1 labels in one batch, -1/+1 in the next: the conversion is decided per batch
    return [rng.integers(0, 2, shape).astype(np.float32), rng.choice([-1.0, 1.0], shape).astype(np.float32)]


TRACED_LOSSES = [
    ("mse", losses.MeanSquaredError, "regression"), ("huber", lambda: losses.Huber(delta=0.5), "regression"),
    ("log_cosh", losses.LogCosh, "regression"), ("msle", losses.MeanSquaredLogarithmicError, "positive"),
    ("cosine", losses.CosineSimilarity, "regression"), ("poisson", losses.Poisson, "positive"),
    ("hinge", losses.Hinge, "hinge"), ("squared_hinge", losses.SquaredHinge, "hinge"),
    ("categorical_hinge", losses.CategoricalHinge, "onehot"), ("kld", losses.KLDivergence, "onehot"),
    ("bce", lambda: losses.BinaryCrossentropy(label_smoothing=0.1), "binary"),
    ("bce_logits", lambda: losses.BinaryCrossentropy(from_logits=True), "logits"),
    ("cce", losses.CategoricalCrossentropy, "onehot"),
    ("scce_ignore", lambda: losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1), "sparse"),
    ("scce_ignore_sum", lambda: losses.SparseCategoricalCrossentropy(ignore_class=0, reduction="sum"), "sparse"),
    ("mse_mean_with_sample_weight", lambda: losses.MeanSquaredError(reduction="mean_with_sample_weight"),
     "regression"),
]


def _loss_batch(kind, rng, i):
    n = 6
    if kind in ("regression", "positive", "logits"):
        y = rng.uniform(0.1, 2, (n, 3)).astype(np.float32)
        if kind == "logits":
            y = (y > 1).astype(np.float32)
        return y, rng.uniform(0.1 if kind == "positive" else -2, 2, (n, 3)).astype(np.float32)
    if kind == "hinge":
        return _hinge_labels(rng, (n, 3))[i % 2], rng.uniform(-2, 2, (n, 3)).astype(np.float32)
    if kind == "binary":
        return rng.integers(0, 2, (n, 1)).astype(np.float32), rng.uniform(0, 1, (n, 1)).astype(np.float32)
    probabilities = rng.dirichlet(np.ones(4), n).astype(np.float32)
    if kind == "onehot":
        return np.eye(4, dtype=np.float32)[rng.integers(0, 4, n)], probabilities
    return rng.integers(0, 4, n), probabilities  # sparse


@pytest.mark.parametrize("name,make,kind", TRACED_LOSSES, ids=[c[0] for c in TRACED_LOSSES])
def test_losses_traced_give_the_eager_bits_batch_after_batch(name, make, kind):
    """tf.function(loss) on three different batches (one trace): the eager value each time. The hinge
    labels alternate between 0/1 and -1/+1, which the loss decides per batch (an op, not a Python
    bool baked into the trace); the ignore_class masks differ from batch to batch."""
    loss = make()
    traced = tf.function(loss)
    rng = _rng(7)
    for i in range(3):
        y, p = _loss_batch(kind, rng, i)
        w = rng.uniform(0, 2, len(y)).astype(np.float32)
        for weight in (None, w):
            np.testing.assert_array_equal(traced(y, p, sample_weight=weight).numpy(),
                                          loss(y, p, sample_weight=weight).numpy(), err_msg=f"{name} batch {i}")
    assert traced.experimental_get_tracing_count() == 2  # with and without sample weights


# --- focal crossentropy: Lin et al.'s formula in NumPy (float64), with Keras's clipping ---------------------
def test_binary_focal_crossentropy_is_the_papers_formula():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, (6, 3)).astype(np.float64)
    p = rng.uniform(0.01, 0.99, (6, 3))
    for gamma, alpha, balance in ((2.0, 0.25, False), (3.0, 0.4, True), (0.0, 0.25, False)):
        p_t = np.where(y == 1, p, 1 - p)
        weight = np.where(y == 1, alpha, 1 - alpha) if balance else 1.0
        want = (weight * (1 - p_t) ** gamma * -np.log(p_t)).mean(-1)
        got = losses.binary_focal_crossentropy(y, p, apply_class_balancing=balance, alpha=alpha, gamma=gamma)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    # gamma 0 without balancing is the plain binary crossentropy
    np.testing.assert_allclose(losses.binary_focal_crossentropy(y, p, gamma=0.0).numpy(),
                               losses.binary_crossentropy(y, p).numpy(), rtol=1e-12)


def test_categorical_focal_crossentropy_is_the_papers_formula():
    rng = np.random.default_rng(1)
    y = np.eye(4)[rng.integers(0, 4, 5)]
    logits = rng.normal(size=(5, 4))
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    want = (0.25 * (1 - p) ** 2 * -y * np.log(p)).sum(-1)
    np.testing.assert_allclose(losses.categorical_focal_crossentropy(y, logits, from_logits=True).numpy(), want,
                               rtol=1e-12)
    loss = losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0)
    assert losses.CategoricalFocalCrossentropy.from_config(loss.get_config()).get_config() == loss.get_config()
    assert losses.get("binary_focal_crossentropy") is losses.binary_focal_crossentropy


# --- overlap losses, circle loss, generalized cross entropy: the papers' formulas in NumPy ----------------
def test_dice_and_tversky_are_their_overlap_formulas():
    rng = np.random.default_rng(0)
    y = (rng.uniform(size=(3, 5, 5)) > 0.5).astype(np.float64)
    p = rng.uniform(size=(3, 5, 5))
    eps = 1e-7
    per_image = 1 - 2 * (y * p).sum((1, 2)) / (y.sum((1, 2)) + p.sum((1, 2)) + eps)
    np.testing.assert_allclose(losses.dice(y, p, axis=(1, 2)).numpy(), per_image, rtol=1e-12)
    tp, fp, fn = (y * p).sum(), (y * (1 - p)).sum(), ((1 - y) * p).sum()
    np.testing.assert_allclose(losses.tversky(y, p, alpha=0.2, beta=0.8).numpy(),
                               1 - tp / (tp + 0.2 * fp + 0.8 * fn + eps), rtol=1e-12)
    # alpha = beta = 1/2 is Dice (up to where the epsilon sits: 2 eps against eps)
    np.testing.assert_allclose(losses.tversky(y, p).numpy(), losses.dice(y, p).numpy(), rtol=1e-8)


def test_circle_loss_is_the_papers_formula_and_zero_without_pairs():
    rng = np.random.default_rng(1)
    e = rng.normal(size=(6, 4))
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    labels = np.array([0, 0, 1, 1, 2, 0])
    gamma, m = 16.0, 0.3
    d = np.maximum(1 - e @ e.T, 0)
    same = labels[:, None] == labels[None, :]
    positive, negative = same & ~np.eye(6, dtype=bool), ~same
    want = []
    for i in range(6):
        sp = -gamma * np.maximum(m + d[i], 0) * (m - d[i])
        sn = gamma * np.maximum(1 + m - d[i], 0) * (1 - m - d[i])
        lse = lambda v, mask: np.log(np.exp(v[mask]).sum()) if mask.any() else -np.inf  # noqa: E731
        want.append(np.logaddexp(0, lse(sp, positive[i]) + lse(sn, negative[i])))
    np.testing.assert_allclose(losses.circle(labels, e, gamma=gamma, margin=m).numpy(), want, rtol=1e-10)
    distinct = losses.Circle()(np.arange(6), e.astype(np.float32))  # no positive pair: every loss 0
    assert float(distinct.numpy()) == 0.0


def test_generalized_cross_entropy_is_one_minus_p_to_the_q_over_q():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    labels = np.array([0, 1])
    np.testing.assert_allclose(losses.categorical_generalized_cross_entropy(labels, p, q=0.5).numpy(),
                               (1 - np.array([0.7, 0.1]) ** 0.5) / 0.5, rtol=1e-12)
    with pytest.raises(ValueError, match="q must be in the interval"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.0)
