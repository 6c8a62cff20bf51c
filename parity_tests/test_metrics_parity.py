"""Metrics: minitf against Keras 3 over several update_state calls, with and without sample weights.

Each case feeds the same three batches to both and compares result() after every batch, then
reset_state() and one more batch. Tolerance (float32 running sums): rtol 1e-5, atol 1e-6.
"""
import importlib
import re

import numpy as np
import pytest

RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="module")
def mm():
    return importlib.import_module("minitf.keras.metrics")


def _batches(kind, seed, n=16, classes=4, count=3):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        w = rng.uniform(0, 2, n).astype(np.float32)
        if kind == "binary":
            y, p = rng.integers(0, 2, (n, 1)).astype(np.float32), rng.uniform(0, 1, (n, 1)).astype(np.float32)
        elif kind == "binary_flat":
            y, p = rng.integers(0, 2, n), rng.uniform(0, 1, (n, 1)).astype(np.float32)
        elif kind == "onehot":
            y = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, n)]
            p = rng.dirichlet(np.ones(classes), n).astype(np.float32)
        elif kind == "multilabel":
            y = rng.integers(0, 2, (n, classes)).astype(np.float32)
            p = rng.uniform(0, 1, (n, classes)).astype(np.float32)
        elif kind == "sparse":
            y, p = rng.integers(0, classes, n), rng.dirichlet(np.ones(classes), n).astype(np.float32)
        elif kind == "classes":  # a class id per pixel, predicted and true (segmentation)
            y, p = rng.integers(0, classes, (n, 2)), rng.integers(0, classes, (n, 2))
            w = rng.uniform(0, 2, (n, 2)).astype(np.float32)
        elif kind == "sparse_column":
            y, p = rng.integers(0, classes, (n, 1)), rng.dirichlet(np.ones(classes), n).astype(np.float32)
        else:
            y, p = rng.normal(size=(n, 3)).astype(np.float32), rng.normal(size=(n, 3)).astype(np.float32)
        out.append((y, p, w))
    return out


CASES = [
    ("Accuracy", {}, "binary"),
    ("BinaryAccuracy", {}, "binary"), ("BinaryAccuracy", {}, "binary_flat"), ("BinaryAccuracy", {"threshold": 0.7}, "binary"),
    ("CategoricalAccuracy", {}, "onehot"), ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_column"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot"), ("TopKCategoricalAccuracy", {}, "onehot"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("MeanAbsoluteError", {}, "regression"), ("MeanSquaredError", {}, "regression"),
    ("RootMeanSquaredError", {}, "regression"), ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "regression"), ("LogCoshError", {}, "regression"),
    ("CosineSimilarity", {}, "regression"), ("R2Score", {}, "regression"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "regression"),
    ("TruePositives", {}, "binary"), ("FalsePositives", {"thresholds": [0.3, 0.6]}, "binary"),
    ("TrueNegatives", {}, "binary"), ("FalseNegatives", {}, "binary"),
    ("Precision", {}, "binary"), ("Recall", {}, "binary"), ("Precision", {}, "binary_flat"),
    ("Precision", {"thresholds": [0.2, 0.5, 0.8]}, "binary"), ("Recall", {"thresholds": 0.3}, "binary"),
    ("Precision", {"top_k": 2}, "onehot"), ("Recall", {"top_k": 1}, "onehot"),
    ("Precision", {"class_id": 2}, "onehot"), ("Recall", {"class_id": 1, "thresholds": 0.25}, "onehot"),
    ("AUC", {}, "binary"), ("AUC", {}, "binary_flat"), ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"summation_method": "minoring"}, "binary"), ("AUC", {"summation_method": "majoring"}, "binary"),
    ("AUC", {"num_thresholds": 20, "curve": "PR", "summation_method": "majoring"}, "binary"),
    ("AUC", {"thresholds": [0.1, 0.35, 0.5, 0.9]}, "binary"), ("AUC", {"from_logits": True}, "regression_logits"),
    ("AUC", {"multi_label": True}, "multilabel"), ("AUC", {"multi_label": True, "curve": "PR"}, "multilabel"),
    ("AUC", {"curve": "PRGAIN"}, "binary"),
    ("F1Score", {}, "onehot"), ("F1Score", {"average": "micro"}, "onehot"), ("F1Score", {"average": "macro"}, "onehot"),
    ("F1Score", {"average": "weighted", "threshold": 0.3}, "onehot"), ("FBetaScore", {"beta": 2.0}, "multilabel"),
    ("BinaryCrossentropy", {}, "binary"), ("BinaryCrossentropy", {"label_smoothing": 0.1}, "binary"),
    ("CategoricalCrossentropy", {}, "onehot"), ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("KLDivergence", {}, "onehot"), ("Poisson", {}, "onehot"),
    ("Hinge", {}, "binary"), ("SquaredHinge", {}, "binary"), ("CategoricalHinge", {}, "onehot"),
    ("PearsonCorrelation", {}, "regression"), ("ConcordanceCorrelation", {}, "regression"),
    ("SensitivityAtSpecificity", {"specificity": 0.6}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.4, "num_thresholds": 7}, "binary"),
    ("PrecisionAtRecall", {"recall": 0.5}, "binary"), ("PrecisionAtRecall", {"recall": 0.5, "class_id": 2}, "onehot"),
    ("RecallAtPrecision", {"precision": 0.6, "num_thresholds": 9}, "binary"),
    ("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, "classes"), ("MeanIoU", {"num_classes": 4}, "classes"),
    ("MeanIoU", {"num_classes": 4, "dtype": "float32", "ignore_class": 1}, "classes"),
    ("BinaryIoU", {}, "binary"), ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, "binary"),
    ("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 3]}, "onehot"), ("OneHotMeanIoU", {"num_classes": 4}, "onehot"),
]


def _data(kind, seed):
    if kind == "regression_logits":
        return [(y, (p * 3).astype(np.float32), w) for y, p, w in _batches("binary", seed)]
    return _batches(kind, seed)


UNWEIGHTED = [c for c in CASES if (c[0], c[2]) in {
    ("BinaryAccuracy", "binary_flat"), ("CategoricalAccuracy", "onehot"), ("SparseCategoricalAccuracy", "sparse"),
    ("MeanAbsoluteError", "regression"), ("RootMeanSquaredError", "regression"), ("Precision", "binary"),
    ("Recall", "onehot"), ("F1Score", "onehot"), ("BinaryCrossentropy", "binary"), ("R2Score", "regression")}
    or c in (("AUC", {}, "binary"), ("AUC", {"multi_label": True, "curve": "PR"}, "multilabel"))]
# Every case weighted (the harder path), a representative subset unweighted too.
RUNS = [(*c, True) for c in CASES] + [(*c, False) for c in UNWEIGHTED]


@pytest.mark.parametrize("name,kwargs,kind,weighted", RUNS,
                         ids=[f"{r[0]}{r[1]}-{r[2]}-{'weighted' if r[3] else 'unweighted'}" for r in RUNS])
def test_metric_matches_keras_batch_by_batch(tf, mm, name, kwargs, kind, weighted):
    theirs, ours = getattr(tf.keras.metrics, name)(**kwargs), getattr(mm, name)(**kwargs)
    batches = _data(kind, seed=len(name) + 7 * weighted)
    for i, (y, p, w) in enumerate(batches):
        sw = w if weighted else None
        theirs.update_state(y, p, sample_weight=sw)
        ours.update_state(y, p, sample_weight=sw)
        np.testing.assert_allclose(ours.result().numpy(), theirs.result().numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name}{kwargs} ({kind}, weighted={weighted}) after batch {i}")
    theirs.reset_state()
    ours.reset_state()
    y, p, w = batches[0]
    theirs.update_state(y, p)
    ours.update_state(y, p)
    np.testing.assert_allclose(ours.result().numpy(), theirs.result().numpy(), rtol=RTOL, atol=ATOL,
                               err_msg=f"{name}{kwargs} after reset_state")


def test_mean_and_sum_with_multidimensional_weights(tf, mm):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(5, 3, 2)).astype(np.float32)
    for weights in (rng.uniform(0, 1, 5), rng.uniform(0, 1, (5, 3)), rng.uniform(0, 1, (5, 1)), None):
        for name in ("Mean", "Sum"):
            theirs, ours = getattr(tf.keras.metrics, name)(), getattr(mm, name)()
            theirs.update_state(values, sample_weight=weights)
            ours.update_state(values, sample_weight=weights)
            np.testing.assert_allclose(ours.result().numpy(), theirs.result().numpy(), rtol=RTOL, atol=ATOL,
                                       err_msg=f"{name} with weights {None if weights is None else weights.shape}")


FUNCTIONS = [("binary_accuracy", "binary"), ("categorical_accuracy", "onehot"), ("sparse_categorical_accuracy", "sparse"),
             ("top_k_categorical_accuracy", "onehot"), ("sparse_top_k_categorical_accuracy", "sparse"),
             ("mse", "regression"), ("mae", "regression"), ("binary_crossentropy", "binary")]


@pytest.mark.parametrize("name,kind", FUNCTIONS)
def test_metric_functions(tf, mm, name, kind):
    y, p, _ = _batches(kind, seed=3)[0]
    theirs = getattr(tf.keras.metrics, name)(y, p).numpy()
    ours = getattr(mm, name)(y, p).numpy()
    assert ours.shape == theirs.shape, name
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=name)


def test_crossentropy_metric_uses_the_logits_shortcut(tf, mtf, mm):
    z = np.array([[30.0], [-3.0], [0.5]], np.float32)
    y = np.array([[0.0], [0.0], [1.0]], np.float32)
    theirs = tf.keras.metrics.BinaryCrossentropy()(y, tf.keras.activations.sigmoid(tf.constant(z)))
    activations = importlib.import_module("minitf.keras.activations")
    ours = mm.BinaryCrossentropy()(y, activations.sigmoid(mtf.constant(z)))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=RTOL, atol=ATOL)


def test_default_names_and_configs(tf, mm):
    for name, kwargs, _ in CASES:
        theirs, ours = getattr(tf.keras.metrics, name)(**kwargs), getattr(mm, name)(**kwargs)
        # auto-named, with a counter ("auc_3") that depends on what else the process made: compared without it
        assert re.sub(r"_\d+$", "", ours.name) == re.sub(r"_\d+$", "", theirs.name), (name, ours.name, theirs.name)
        their_config, our_config = theirs.get_config(), ours.get_config()
        their_config.pop("name"), our_config.pop("name")
        if name == "CosineSimilarity":  # minitf keeps the axis Keras's config drops (a saved setting lost)
            assert our_config.pop("axis") == kwargs.get("axis", -1)
        assert our_config == their_config, f"{name}{kwargs}: {our_config} != {their_config}"
