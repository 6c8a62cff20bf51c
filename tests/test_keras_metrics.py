"""minitf.keras.metrics: running values against NumPy formulas over several weighted batches; look-up rules."""
import numpy as np
import pytest

import minitf as tf
from minitf.keras import activations, losses, metrics

RTOL, ATOL = 1e-5, 1e-6


def _batches(kind, n=12, classes=4, count=3, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        w = rng.uniform(0, 2, n).astype(np.float32)
        if kind == "binary":
            y, p = rng.integers(0, 2, (n, 1)).astype(np.float32), rng.uniform(0, 1, (n, 1)).astype(np.float32)
        elif kind == "onehot":
            y = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, n)]
            p = rng.dirichlet(np.ones(classes), n).astype(np.float32)
        elif kind == "sparse":
            y, p = rng.integers(0, classes, n), rng.dirichlet(np.ones(classes), n).astype(np.float32)
        else:
            y, p = rng.normal(size=(n, 3)).astype(np.float32), rng.normal(size=(n, 3)).astype(np.float32)
        out.append((y, p, w))
    return out


def _feed(metric, batches, weighted):
    """The result after the batches, fed eagerly and then (after reset_state) through
    tf.function(update_state) and tf.function(result): both must agree bit for bit, since a traced
    update replays its ops on every batch (a value baked in from the first batch would show)."""
    for y, p, w in batches:
        metric.update_state(y, p, sample_weight=w if weighted else None)
    eager = metric.result().numpy()
    metric.reset_state()
    update, result = tf.function(metric.update_state), tf.function(metric.result)
    for y, p, w in batches:
        update(y, p, sample_weight=w if weighted else None)
    traced = result().numpy()
    np.testing.assert_array_equal(traced, eager, err_msg=f"{metric.name}: traced updates differ from eager ones")
    assert update.experimental_get_tracing_count() == 1
    return traced


def _stack(batches, weighted):
    y = np.concatenate([b[0] for b in batches])
    p = np.concatenate([b[1] for b in batches])
    w = np.concatenate([b[2] for b in batches]) if weighted else np.ones(len(y))
    return y, p, w.astype(np.float64)


@pytest.mark.parametrize("weighted", [False, True])
def test_accuracies_are_weighted_means_of_hits(weighted):
    y, p, w = _stack(b := _batches("binary"), weighted)
    hits = (y[:, 0] == (p[:, 0] > 0.5)).astype(float)
    np.testing.assert_allclose(_feed(metrics.BinaryAccuracy(), b, weighted), np.average(hits, weights=w), rtol=RTOL)
    hits = (y[:, 0] == (p[:, 0] > 0.7)).astype(float)
    np.testing.assert_allclose(_feed(metrics.BinaryAccuracy(threshold=0.7), b, weighted),
                               np.average(hits, weights=w), rtol=RTOL)

    y, p, w = _stack(b := _batches("onehot"), weighted)
    hits = (y.argmax(1) == p.argmax(1)).astype(float)
    np.testing.assert_allclose(_feed(metrics.CategoricalAccuracy(), b, weighted), np.average(hits, weights=w),
                               rtol=RTOL)
    ranks = (p > p[np.arange(len(y)), y.argmax(1)][:, None]).sum(1)
    np.testing.assert_allclose(_feed(metrics.TopKCategoricalAccuracy(k=2), b, weighted),
                               np.average((ranks < 2).astype(float), weights=w), rtol=RTOL)

    y, p, w = _stack(b := _batches("sparse"), weighted)
    hits = (y == p.argmax(1)).astype(float)
    np.testing.assert_allclose(_feed(metrics.SparseCategoricalAccuracy(), b, weighted), np.average(hits, weights=w),
                               rtol=RTOL)
    ranks = (p > p[np.arange(len(y)), y][:, None]).sum(1)
    np.testing.assert_allclose(_feed(metrics.SparseTopKCategoricalAccuracy(k=3), b, weighted),
                               np.average((ranks < 3).astype(float), weights=w), rtol=RTOL)


def test_binary_accuracy_threshold_is_strict_and_labels_line_up():
    m = metrics.BinaryAccuracy()
    m.update_state(np.array([1.0, 0.0, 1.0]), np.array([[0.5], [0.5], [0.51]]))  # (N,) against (N, 1)
    assert float(m.result()) == pytest.approx(2 / 3)
    assert float(metrics.SparseCategoricalAccuracy()(np.array([[2], [0]]), np.array([[0.1, 0.2, 0.7],
                                                                                     [0.3, 0.4, 0.3]]))) == 0.5


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics(weighted):
    y, p, w = _stack(b := _batches("regression"), weighted)
    cases = [(metrics.MeanSquaredError, np.mean((y - p) ** 2, 1)), (metrics.MeanAbsoluteError, np.mean(np.abs(y - p), 1)),
             (metrics.LogCoshError, np.mean(np.log(np.cosh(p.astype(np.float64) - y)), 1))]
    for cls, per_sample in cases:
        np.testing.assert_allclose(_feed(cls(), b, weighted), np.average(per_sample, weights=w), rtol=RTOL,
                                   err_msg=cls.__name__)
    rmse = np.sqrt(np.average(np.mean((y - p) ** 2, 1), weights=w))
    np.testing.assert_allclose(_feed(metrics.RootMeanSquaredError(), b, weighted), rmse, rtol=RTOL)
    cosine = (y * p).sum(1) / np.linalg.norm(y, axis=1) / np.linalg.norm(p, axis=1)
    np.testing.assert_allclose(_feed(metrics.CosineSimilarity(), b, weighted), np.average(cosine, weights=w),
                               rtol=RTOL)
    mean_y = np.average(y, axis=0, weights=w)
    r2 = 1 - (w[:, None] * (y - p) ** 2).sum(0) / (w[:, None] * (y - mean_y) ** 2).sum(0)
    np.testing.assert_allclose(_feed(metrics.R2Score(), b, weighted), r2.mean(), rtol=1e-4)


def test_mean_and_sum_with_weights_and_reset():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 2.0])
    m.update_state(np.array([[4.0, 6.0]]))  # one sample of value mean(4, 6) = 5
    assert float(m.result()) == pytest.approx((1 + 6 + 5) / 4)
    m.reset_state()
    assert float(m.result()) == 0.0
    s = metrics.Sum()
    s.update_state([1.0, 2.0], sample_weight=[2.0, 3.0])
    assert float(s.result()) == 8.0
    assert [v.name for v in metrics.Mean(name="m").variables] == ["m/total:0", "m/count:0"]


def test_metric_call_returns_the_running_result():
    m = metrics.MeanAbsoluteError()
    assert float(m(np.zeros((2, 1)), np.ones((2, 1)))) == 1.0
    assert float(m(np.zeros((2, 1)), np.full((2, 1), 3.0))) == 2.0


def _counts(y, p, w, threshold):
    pos, pred = y != 0, p > threshold
    return (w * (pos & pred)).sum(), (w * (~pos & pred)).sum(), (w * (~pos & ~pred)).sum(), (w * (pos & ~pred)).sum()


@pytest.mark.parametrize("weighted", [False, True])
def test_precision_recall_and_counts(weighted):
    y, p, w = _stack(b := _batches("binary"), weighted)
    y, p = y[:, 0], p[:, 0]
    tp, fp, tn, fn = _counts(y, p, w, 0.5)
    np.testing.assert_allclose(_feed(metrics.Precision(), b, weighted), tp / (tp + fp), rtol=RTOL)
    np.testing.assert_allclose(_feed(metrics.Recall(), b, weighted), tp / (tp + fn), rtol=RTOL)
    for cls, value in [(metrics.TruePositives, tp), (metrics.FalsePositives, fp), (metrics.TrueNegatives, tn),
                       (metrics.FalseNegatives, fn)]:
        np.testing.assert_allclose(_feed(cls(), b, weighted), value, rtol=RTOL, err_msg=cls.__name__)
    thresholds = [0.2, 0.5, 0.9]
    expected = [c[0] / (c[0] + c[1]) for c in (_counts(y, p, w, t) for t in thresholds)]
    np.testing.assert_allclose(_feed(metrics.Precision(thresholds=thresholds), b, weighted), expected, rtol=RTOL)


def test_precision_top_k_and_class_id():
    y = np.array([[0, 1, 0, 1], [1, 0, 0, 0]], np.float32)
    p = np.array([[0.1, 0.5, 0.3, 0.05], [0.4, 0.45, 0.1, 0.05]], np.float32)
    # top 2 of each row count as predicted positive: row 0 -> {1, 2}, row 1 -> {0, 1}; hits: (0,1), (1,0)
    assert float(metrics.Precision(top_k=2)(y, p)) == pytest.approx(2 / 4)
    assert float(metrics.Recall(top_k=2)(y, p)) == pytest.approx(2 / 3)
    # class 1 at threshold 0.5: predicted positive where p > 0.5 -> none; recall 0
    assert float(metrics.Recall(class_id=1)(y, p)) == 0.0
    assert float(metrics.Precision(class_id=0, thresholds=0.3)(y, p)) == 1.0


def _auc_reference(y, p, w, num_thresholds=200, curve="ROC", method="interpolation"):
    """Counts at thresholds [-eps, 1/(T-1), ..., 1+eps], then a Riemann sum (Keras's definition)."""
    eps = 1e-7
    t = np.array([-eps] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1 + eps])
    c = np.array([_counts(y, p, w, th) for th in t])
    tp, fp, tn, fn = c.T
    div = lambda a, b: np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))  # noqa: E731
    recall = div(tp, tp + fn)
    if curve == "ROC":
        x, yy = div(fp, fp + tn), recall
    else:
        x, yy = recall, div(tp, tp + fp)
    heights = {"interpolation": (yy[:-1] + yy[1:]) / 2, "minoring": np.minimum(yy[:-1], yy[1:]),
               "majoring": np.maximum(yy[:-1], yy[1:])}[method]
    return ((x[:-1] - x[1:]) * heights).sum()


@pytest.mark.parametrize("curve,method", [("ROC", "interpolation"), ("ROC", "minoring"), ("PR", "majoring")])
@pytest.mark.parametrize("weighted", [False, True])
def test_auc_riemann_sums_match_a_numpy_reference(curve, method, weighted):
    y, p, w = _stack(b := _batches("binary", n=40), weighted)
    y, p = y[:, 0], p[:, 0]
    p = np.round(p * 199) / 199 + 0.001  # keep clear of the threshold boundaries (float32 vs float64)
    b = [(y[i:i + 40, None], p[i:i + 40, None].astype(np.float32), w[i:i + 40].astype(np.float32))
         for i in range(0, 120, 40)]
    got = _feed(metrics.AUC(curve=curve, summation_method=method), b, weighted)
    np.testing.assert_allclose(got, _auc_reference(y, p, w, curve=curve, method=method), rtol=1e-5, atol=1e-6)


def test_auc_roc_of_separable_scores_is_one_and_pr_interpolation_is_sensible():
    y = np.array([0, 0, 1, 1], np.float32)
    p = np.array([0.1, 0.2, 0.8, 0.9], np.float32)
    assert float(metrics.AUC()(y, p)) == pytest.approx(1.0, abs=1e-6)
    assert float(metrics.AUC(curve="PR")(y, p)) == pytest.approx(1.0, abs=1e-2)
    assert float(metrics.AUC()(1 - y, p)) == pytest.approx(0.0, abs=1e-6)
    rng = np.random.default_rng(1)
    yy, pp = rng.integers(0, 2, 2000), rng.uniform(0, 1, 2000).astype(np.float32)
    assert float(metrics.AUC()(yy, pp)) == pytest.approx(0.5, abs=0.05)


def _f_reference(y, p, w, average, threshold=None):
    pred = (p >= p.max(1, keepdims=True)) if threshold is None else (p > threshold)
    pred = pred.astype(float)
    w = w[:, None]
    tp, fp, fn = (w * pred * y).sum(0), (w * pred * (1 - y)).sum(0), (w * (1 - pred) * y).sum(0)
    support = (w * y).sum(0)
    if average == "micro":
        tp, fp, fn, support = tp.sum(), fp.sum(), fn.sum(), support.sum()
    eps = 1e-7
    precision, recall = tp / (tp + fp + eps), tp / (tp + fn + eps)
    f1 = 2 * precision * recall / (precision + recall + eps)
    if average == "weighted":
        return (f1 * support / (support.sum() + eps)).sum()
    return f1 if average is None else np.mean(f1)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("weighted", [False, True])
def test_f1_score_averages(average, weighted):
    y, p, w = _stack(b := _batches("onehot"), weighted)
    np.testing.assert_allclose(_feed(metrics.F1Score(average=average), b, weighted), _f_reference(y, p, w, average),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_feed(metrics.F1Score(average=average, threshold=0.3), b, weighted),
                               _f_reference(y, p, w, average, 0.3), rtol=RTOL, atol=ATOL)


def test_crossentropy_metrics_use_the_logits_shortcut():
    z = tf.constant([[30.0], [-2.0]])
    y = np.array([[0.0], [0.0]], np.float32)
    m = metrics.BinaryCrossentropy()
    with tf.GradientTape() as tape:
        tape.watch(z)
        m.update_state(y, activations.sigmoid(z))
    z64 = z.numpy().astype(np.float64)
    expected = np.mean(np.maximum(z64, 0) + np.log1p(np.exp(-np.abs(z64))))
    assert float(m.result()) == pytest.approx(expected, rel=1e-6)
    assert tape.operations[-1].name == "Sigmoid"  # the metric recorded nothing after the activation


def test_get_and_resolve_follow_keras():
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)
    assert isinstance(metrics.get("mae"), metrics.MeanAbsoluteError)
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get(metrics.Precision), metrics.Precision)
    assert metrics.get(metrics.categorical_accuracy) is metrics.categorical_accuracy
    with pytest.raises(ValueError, match="Could not interpret metric"):
        metrics.get("accuracyy")
    assert isinstance(metrics.resolve("accuracy", (8, 1), (8, 1)), metrics.BinaryAccuracy)
    assert isinstance(metrics.resolve("acc", (8,), (8, 1)), metrics.BinaryAccuracy)
    assert isinstance(metrics.resolve("accuracy", (8,), (8, 5)), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.resolve("accuracy", (8, 1), (8, 5)), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.resolve("accuracy", (8, 5), (8, 5)), metrics.CategoricalAccuracy)
    assert isinstance(metrics.get("accuracy", y_true_shape=(8,), y_pred_shape=(8, 3)), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.resolve("accuracy", loss="binary_crossentropy"), metrics.BinaryAccuracy)
    assert isinstance(metrics.resolve("accuracy", loss=losses.SparseCategoricalCrossentropy()),
                      metrics.SparseCategoricalAccuracy)
    with pytest.raises(ValueError, match="shape"):
        metrics.resolve("accuracy")
    acc = metrics.resolve("acc", (8, 1), (8, 1))
    assert acc.name == "acc"
    wrapped = metrics.resolve(metrics.mean_absolute_error)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "mean_absolute_error"
    named = metrics.Precision(name="prec")
    assert metrics.resolve(named) is named and named.name == "prec"
    assert metrics.resolve("mse").name == "mse"


def test_auto_names_and_serialization():
    first, second = metrics.AUC(), metrics.AUC()
    assert first.name.startswith("auc") and second.name != first.name
    auc = metrics.AUC(num_thresholds=50, curve="PR", name="pr_auc")
    again = metrics.deserialize(metrics.serialize(auc))
    assert isinstance(again, metrics.AUC) and again.get_config() == auc.get_config()
    f1 = metrics.F1Score(average="macro", threshold=0.4)
    assert metrics.deserialize(metrics.serialize(f1)).get_config() == f1.get_config()
    assert metrics.deserialize(metrics.serialize(metrics.binary_accuracy)) is metrics.binary_accuracy


def test_wrapper_subclasses_revive_from_their_config():
    # classes that fix their function (no "fn" in their config) revive with cls(**config), as Keras
    import inspect

    from minitf.keras.metrics.reduction_metrics import MeanMetricWrapper
    revived = 0
    for name, cls in vars(tf.keras.metrics).items():
        if not (inspect.isclass(cls) and issubclass(cls, MeanMetricWrapper) and cls is not MeanMetricWrapper):
            continue
        metric = cls()
        again = type(metric).from_config(metric.get_config())
        assert type(again) is cls and again.get_config() == metric.get_config(), name
        revived += 1
    assert revived >= 10
    m = tf.keras.metrics.SparseCategoricalAccuracy(name="acc")
    m.update_state([1, 0], [[0.1, 0.9], [0.2, 0.8]])
    again = tf.keras.metrics.SparseCategoricalAccuracy.from_config(m.get_config())
    again.update_state([1, 0], [[0.1, 0.9], [0.2, 0.8]])
    assert again.name == "acc" and float(again.result()) == float(m.result()) == 0.5


TRACED_CASES = [
    ("binary", lambda: metrics.Accuracy()), ("binary", lambda: metrics.BinaryCrossentropy()),
    ("binary", lambda: metrics.Precision(thresholds=[0.2, 0.5, 0.9])), ("binary", lambda: metrics.TrueNegatives()),
    ("binary", lambda: metrics.AUC(curve="PR")), ("binary", lambda: metrics.AUC(curve="PRGAIN")),
    ("binary", lambda: metrics.AUC(thresholds=[0.3, 0.6])), ("regression", lambda: metrics.AUC(from_logits=True)),
    ("onehot", lambda: metrics.AUC(multi_label=True, label_weights=[1.0, 2.0, 0.5, 1.0])),
    ("onehot", lambda: metrics.AUC(multi_label=True, num_labels=4, curve="PR", summation_method="minoring")),
    ("onehot", lambda: metrics.Precision(top_k=2)), ("onehot", lambda: metrics.Recall(class_id=1, thresholds=0.3)),
    ("onehot", lambda: metrics.CategoricalCrossentropy(label_smoothing=0.1)),
    ("onehot", lambda: metrics.KLDivergence()),
    ("onehot", lambda: metrics.FBetaScore(average="weighted", beta=2.0)),
    ("sparse", lambda: metrics.SparseCategoricalCrossentropy()),
    ("sparse", lambda: metrics.SparseTopKCategoricalAccuracy(2)),
    ("regression", lambda: metrics.R2Score(num_regressors=1)),
    ("regression", lambda: metrics.R2Score(class_aggregation="variance_weighted_average")),
    ("regression", lambda: metrics.R2Score(class_aggregation=None)), ("regression", lambda: metrics.Poisson()),
    ("regression", lambda: metrics.MeanAbsolutePercentageError()),
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind,make", TRACED_CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(TRACED_CASES)])
def test_metrics_updated_by_a_traced_function_equal_eager_updates(kind, make, weighted):
    """tf.function(metric.update_state) over three batches (then result traced too): the eager bits."""
    batches = _batches(kind)
    if kind == "regression":
        batches = [(np.abs(y), np.abs(p), w) for y, p, w in batches]  # (Poisson, MAPE: nonnegative)
    value = _feed(make(), batches, weighted)
    assert np.all(np.isfinite(value))


def test_pearson_correlation_is_numpys_per_row_and_hinge_metrics_are_the_losses():
    rng = np.random.default_rng(0)
    t, p = rng.normal(size=(4, 7)), rng.normal(size=(4, 7))
    per_row = [np.corrcoef(a, b)[0, 1] for a, b in zip(t, p)]
    np.testing.assert_allclose(metrics.pearson_correlation(t, p).numpy(), per_row, rtol=1e-12)
    m = metrics.PearsonCorrelation()
    m.update_state(t, p)
    np.testing.assert_allclose(m.result().numpy(), np.mean(per_row), rtol=1e-6)
    labels = (rng.random((4, 3)) > 0.5).astype(np.float32)
    scores = rng.normal(size=(4, 3)).astype(np.float32)
    h = metrics.Hinge()
    h.update_state(labels, scores)
    np.testing.assert_allclose(h.result().numpy(), np.mean(losses.hinge(labels, scores).numpy()), rtol=1e-6)


def test_iou_from_the_confusion_matrix_by_hand():
    """cm = [[1, 1], [1, 1]]: each class TP 1, row 2, column 2, so IoU = 1 / (2 + 2 - 1) = 1/3."""
    m = metrics.IoU(num_classes=2, target_class_ids=[0])
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    np.testing.assert_allclose(m.result().numpy(), 1 / 3, rtol=1e-6)
    mean = metrics.MeanIoU(num_classes=3, dtype="float32")  # class 2 never occurs: left out of the mean
    mean.update_state([0, 0, 1, 1, 5, -1], [0, 1, 0, 1, 1, 0], sample_weight=[1, 1, 1, 1, 9, 9])
    np.testing.assert_allclose(mean.result().numpy(), 1 / 3, rtol=1e-6)
    binary = metrics.BinaryIoU(target_class_ids=[1], threshold=0.5)
    binary.update_state([1, 1, 0, 0], [0.9, 0.2, 0.6, 0.1])  # class 1: TP 1, FN 1, FP 1
    np.testing.assert_allclose(binary.result().numpy(), 1 / 3, rtol=1e-6)


def test_rate_at_rate_metrics_pick_the_best_feasible_threshold():
    # thresholds 0, 0.5, 1 (num_thresholds 3): at 0 every prediction is positive, at 0.5 only 0.9 and 0.6
    y, p = [1, 1, 0, 0], [0.9, 0.2, 0.6, 0.1]
    at_specificity = metrics.SensitivityAtSpecificity(0.5, num_thresholds=3)
    at_specificity.update_state(y, p)  # threshold 0.5: specificity 1/2, sensitivity 1/2
    np.testing.assert_allclose(at_specificity.result().numpy(), 0.5)
    at_recall = metrics.PrecisionAtRecall(1.0, num_thresholds=3)
    at_recall.update_state(y, p)  # recall 1 only at threshold 0: precision 2/4
    np.testing.assert_allclose(at_recall.result().numpy(), 0.5)
    impossible = metrics.RecallAtPrecision(1.0, num_thresholds=3)
    impossible.update_state(y, p)  # precision 1/2 at thresholds 0 and 0.5, 0 at 1 (nothing positive): none reaches 1
    assert impossible.result().numpy() == 0.0


def test_iou_metrics_run_inside_a_traced_fit():
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy",
                  metrics=[metrics.BinaryIoU(name="iou"), metrics.PrecisionAtRecall(0.5, name="p_at_r")])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    assert {"iou", "p_at_r"} <= set(history) and all(0 <= v <= 1 for key in ("iou", "p_at_r") for v in history[key])
