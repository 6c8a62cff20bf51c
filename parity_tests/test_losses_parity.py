"""Losses: minitf against Keras 3 -- values for every reduction, sample weights, label smoothing,
from_logits, the logits shortcut, shape handling, and gradients w.r.t. y_pred (tf.GradientTape).

Tolerances (float32): values rtol 1e-5, atol 1e-6; gradients rtol 1e-5, atol 1e-6.
"""
import importlib

import numpy as np
import pytest

RTOL, ATOL = 1e-5, 1e-6
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"]


@pytest.fixture(scope="module")
def ml():
    return importlib.import_module("minitf.keras.losses")


@pytest.fixture(scope="module")
def ma():
    return importlib.import_module("minitf.keras.activations")


def _data(kind, seed=0, n=8, classes=4):
    rng = np.random.default_rng(seed)
    w = rng.uniform(0, 2, n).astype(np.float32)
    if kind == "regression":
        return rng.uniform(0.05, 2, (n, 3)).astype(np.float32), rng.uniform(0.05, 2, (n, 3)).astype(np.float32), w
    if kind == "binary":
        p = rng.uniform(0, 1, (n, 1)).astype(np.float32)
        p[0, 0], p[1, 0] = 0.0, 1.0  # exercise the clipping
        return rng.integers(0, 2, (n, 1)).astype(np.float32), p, w
    if kind == "binary_logits":
        return rng.integers(0, 2, (n, 2)).astype(np.float32), rng.normal(0, 4, (n, 2)).astype(np.float32), w
    if kind == "categorical":
        y = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, n)]
        return y, rng.uniform(0.01, 1, (n, classes)).astype(np.float32), w
    if kind == "categorical_logits":
        y = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, n)]
        return y, rng.normal(0, 3, (n, classes)).astype(np.float32), w
    if kind == "sparse":
        return rng.integers(0, classes, n), rng.dirichlet(np.ones(classes), n).astype(np.float32), w
    if kind == "mask":  # segmentation masks and predicted probabilities
        return (rng.uniform(size=(n, 4, 4)) > 0.5).astype(np.float32), rng.uniform(size=(n, 4, 4)).astype(np.float32), w
    if kind == "embeddings":  # integer labels, L2-normalized embeddings
        e = rng.normal(size=(n, 5)).astype(np.float32)
        return rng.integers(0, 3, n), e / np.linalg.norm(e, axis=1, keepdims=True), w
    if kind == "sparse_logits":
        return rng.integers(0, classes, n), rng.normal(0, 3, (n, classes)).astype(np.float32), w
    raise KeyError(kind)


CASES = [
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "regression"),
    ("Huber", {}, "regression"),
    ("Huber", {"delta": 0.3}, "regression"),
    ("LogCosh", {}, "regression"),
    ("CosineSimilarity", {}, "regression"),
    ("KLDivergence", {}, "categorical"),
    ("Poisson", {}, "regression"),
    ("Hinge", {}, "binary_logits"),
    ("SquaredHinge", {}, "binary_logits"),
    ("CategoricalHinge", {}, "categorical_logits"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True}, "binary_logits"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary_logits"),
    ("CategoricalCrossentropy", {}, "categorical"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "categorical"),
    ("CategoricalCrossentropy", {"from_logits": True}, "categorical_logits"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.3}, "categorical_logits"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 1}, "sparse_logits"),
    ("BinaryFocalCrossentropy", {}, "binary"),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "gamma": 3.0, "label_smoothing": 0.1}, "binary"),
    ("BinaryFocalCrossentropy", {"from_logits": True, "alpha": 0.4}, "binary_logits"),
    ("CategoricalFocalCrossentropy", {}, "categorical"),
    ("CategoricalFocalCrossentropy", {"from_logits": True, "gamma": 1.5, "label_smoothing": 0.2}, "categorical_logits"),
    ("Dice", {}, "mask"), ("Dice", {"axis": (1, 2)}, "mask"), ("Tversky", {"alpha": 0.3, "beta": 0.7}, "mask"),
    ("Tversky", {"axis": (1, 2)}, "mask"), ("Circle", {}, "embeddings"),
    ("Circle", {"gamma": 10.0, "margin": 0.25, "remove_diagonal": False}, "embeddings"),
    ("CategoricalGeneralizedCrossEntropy", {}, "sparse"), ("CategoricalGeneralizedCrossEntropy", {"q": 0.2}, "sparse"),
]


@pytest.mark.parametrize("name,kwargs,kind", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_loss_values_for_every_reduction_and_weights(tf, ml, name, kwargs, kind):
    y, p, w = _data(kind)
    for reduction in REDUCTIONS:
        for weights in (None, w):
            theirs = getattr(tf.keras.losses, name)(reduction=reduction, **kwargs)(y, p, sample_weight=weights)
            ours = getattr(ml, name)(reduction=reduction, **kwargs)(y, p, sample_weight=weights)
            np.testing.assert_allclose(
                ours.numpy(), theirs.numpy(), rtol=RTOL, atol=ATOL,
                err_msg=f"{name}{kwargs} reduction={reduction} sample_weight shape "
                        f"{None if weights is None else weights.shape}")


@pytest.mark.parametrize("name,kwargs,kind", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_loss_gradients_wrt_predictions(tf, mtf, ml, name, kwargs, kind):
    y, p, w = _data(kind, seed=1)
    tp = tf.Variable(p)
    with tf.GradientTape() as tape:
        loss = getattr(tf.keras.losses, name)(**kwargs)(y, tp, sample_weight=w)
    theirs = tape.gradient(loss, tp).numpy()
    mp = mtf.Variable(p)
    with mtf.GradientTape() as tape:
        loss = getattr(ml, name)(**kwargs)(y, mp, sample_weight=w)
    ours = tape.gradient(loss, mp).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=f"d {name}{kwargs} / d y_pred")


# tf.keras.losses spells the regression functions mse/mae/mape/msle (keras.losses also has the long names).
FUNCTIONS = [("mse", {}, "regression"), ("mae", {}, "regression"), ("mape", {}, "regression"),
             ("msle", {}, "regression"), ("MSE", {}, "regression"), ("huber", {"delta": 0.5}, "regression"),
             ("logcosh", {}, "regression"), ("kld", {}, "categorical"), ("cosine_similarity", {}, "regression"), ("binary_crossentropy", {"label_smoothing": 0.1}, "binary"),
             ("binary_crossentropy", {"from_logits": True}, "binary_logits"),
             ("categorical_crossentropy", {"label_smoothing": 0.1}, "categorical"),
             ("sparse_categorical_crossentropy", {"from_logits": True}, "sparse_logits"),
             ("binary_focal_crossentropy", {"apply_class_balancing": True}, "binary"),
             ("categorical_focal_crossentropy", {"from_logits": True}, "categorical_logits"),
             ("dice", {"axis": (1, 2)}, "mask"), ("tversky", {"alpha": 0.2, "beta": 0.8, "axis": (1, 2)}, "mask"),
             ("circle", {"gamma": 20}, "embeddings"), ("categorical_generalized_cross_entropy", {"q": 0.5}, "sparse")]


@pytest.mark.parametrize("name,kwargs,kind", FUNCTIONS, ids=[f[0] + str(f[1]) for f in FUNCTIONS])
def test_per_sample_functions(tf, ml, name, kwargs, kind):
    y, p, _ = _data(kind, seed=2)
    theirs = getattr(tf.keras.losses, name)(y, p, **kwargs).numpy()
    ours = getattr(ml, name)(y, p, **kwargs).numpy()
    assert ours.shape == theirs.shape, name
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=name)


def test_column_sample_weights(tf, ml):
    for name, kwargs, kind in CASES[::4]:
        y, p, w = _data(kind, seed=7)
        for reduction in ("sum_over_batch_size", "none"):
            theirs = getattr(tf.keras.losses, name)(reduction=reduction, **kwargs)(y, p, sample_weight=w[:, None])
            ours = getattr(ml, name)(reduction=reduction, **kwargs)(y, p, sample_weight=w[:, None])
            assert ours.shape == theirs.shape, f"{name} reduction={reduction}"
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=RTOL, atol=ATOL,
                                       err_msg=f"{name}{kwargs} reduction={reduction} sample_weight (N, 1)")


def test_shape_handling_matches(tf, ml):
    rng = np.random.default_rng(3)
    y = rng.uniform(0, 1, 6).astype(np.float32)
    p = rng.uniform(0, 1, (6, 1)).astype(np.float32)
    for name in ("MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy"):
        for a, b in ((y, p), (y[:, None], p[:, 0])):
            theirs = getattr(tf.keras.losses, name)(reduction=None)(a, b).numpy()
            ours = getattr(ml, name)(reduction=None)(a, b).numpy()
            assert ours.shape == theirs.shape, f"{name} {a.shape} vs {b.shape}: {ours.shape} != {theirs.shape}"
            np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=name)
    labels = rng.integers(0, 3, (6, 1))
    probs = rng.dirichlet(np.ones(3), 6).astype(np.float32)
    np.testing.assert_allclose(ml.SparseCategoricalCrossentropy()(labels, probs).numpy(),
                               tf.keras.losses.SparseCategoricalCrossentropy()(labels, probs).numpy(),
                               rtol=RTOL, atol=ATOL)
    one_hot = np.eye(3, dtype=np.float32)[labels[:, 0]]
    with pytest.raises(ValueError):
        tf.keras.losses.SparseCategoricalCrossentropy()(one_hot, probs)
    with pytest.raises(ValueError, match="CategoricalCrossentropy"):
        ml.SparseCategoricalCrossentropy()(one_hot, probs)


def test_logits_shortcut_through_activations(tf, mtf, ml, ma):
    rng = np.random.default_rng(4)
    z = np.concatenate([rng.normal(0, 3, (6, 1)), [[25.0], [-25.0]]]).astype(np.float32)  # two saturated rows
    y = np.array([[1], [0], [1], [0], [1], [0], [0], [1]], np.float32)
    theirs = tf.keras.losses.BinaryCrossentropy()(y, tf.keras.activations.sigmoid(tf.constant(z))).numpy()
    ours = ml.BinaryCrossentropy()(y, ma.sigmoid(mtf.constant(z))).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg="BCE on a sigmoid output")
    clipped = tf.keras.losses.BinaryCrossentropy()(y, tf.constant(tf.sigmoid(z).numpy())).numpy()
    assert theirs > clipped + 1.0  # the shortcut really changes the value here

    zc = np.concatenate([rng.normal(0, 2, (5, 4)), [[40.0, 0, 0, -10]]]).astype(np.float32)
    labels = np.array([0, 1, 2, 3, 1, 3])
    for name, target in (("SparseCategoricalCrossentropy", labels),
                         ("CategoricalCrossentropy", np.eye(4, dtype=np.float32)[labels])):
        theirs = getattr(tf.keras.losses, name)()(target, tf.keras.activations.softmax(tf.constant(zc))).numpy()
        ours = getattr(ml, name)()(target, ma.softmax(mtf.constant(zc))).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=f"{name} on a softmax output")


def test_logits_shortcut_with_a_dense_sigmoid_layer_and_its_gradient(tf, mtf, ml, ma):
    rng = np.random.default_rng(5)
    x = rng.normal(0, 4, (10, 3)).astype(np.float32)
    y = rng.integers(0, 2, (10,)).astype(np.float32)
    kernel = rng.normal(0, 3, (3, 1)).astype(np.float32)
    bias = np.array([0.5], np.float32)
    layer = tf.keras.layers.Dense(1, activation="sigmoid")
    layer.build((None, 3))
    layer.set_weights([kernel, bias])
    with tf.GradientTape() as tape:
        theirs = tf.keras.losses.BinaryCrossentropy()(y, layer(x))
    their_grads = [g.numpy() for g in tape.gradient(theirs, layer.trainable_variables)]

    mk, mb = mtf.Variable(kernel), mtf.Variable(bias)
    with mtf.GradientTape() as tape:
        # Dense(1, activation="sigmoid") spelled out: the activation marks its output with the logits
        ours = ml.BinaryCrossentropy()(y, ma.sigmoid(mtf.matmul(mtf.constant(x), mk) + mb))
    our_grads = [g.numpy() for g in tape.gradient(ours, [mk, mb])]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=RTOL, atol=ATOL, err_msg="Dense+sigmoid BCE")
    for name, a, b in zip(("kernel", "bias"), our_grads, their_grads):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"d BCE / d {name}")


def test_registered_logits_equal_keras_marked_outputs(tf, mtf, ml):
    rng = np.random.default_rng(6)
    z = rng.normal(0, 6, (7, 1)).astype(np.float32)
    y = rng.integers(0, 2, (7, 1)).astype(np.float32)
    theirs = tf.keras.losses.BinaryCrossentropy(label_smoothing=0.1)(y, tf.keras.activations.sigmoid(tf.constant(z)))
    logits = mtf.constant(z)
    marked = ml.register_logits(mtf.nn.sigmoid(logits), logits)
    ours = ml.BinaryCrossentropy(label_smoothing=0.1)(y, marked)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=RTOL, atol=ATOL)
