"""minitf.classification_report: confusion matrix and classification report, by hand and against scikit-learn."""
import numpy as np
import pytest

import minitf as tf
from minitf import classification_report as metrics


def test_confusion_matrix_by_hand():
    y_true = [0, 1, 2, 2, 1, 0]
    y_pred = [0, 2, 2, 2, 1, 1]
    expected = np.array([[1, 1, 0],
                         [0, 1, 1],
                         [0, 0, 2]])
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred), expected)
    padded = metrics.confusion_matrix(tf.constant(y_true), tf.constant(y_pred), num_classes=4)
    assert padded.shape == (4, 4) and padded[3].sum() == 0 and padded[:3, :3].tolist() == expected.tolist()
    with pytest.raises(ValueError, match="outside"):
        metrics.confusion_matrix(y_true, y_pred, num_classes=2)


def test_confusion_matrix_accepts_model_outputs():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]])
    one_hot = np.eye(3)[[0, 2, 2]]
    np.testing.assert_array_equal(metrics.confusion_matrix(one_hot, probs), [[1, 0, 0], [0, 0, 0], [0, 1, 1]])
    sigmoid = np.array([[0.9], [0.2], [0.6]])
    np.testing.assert_array_equal(metrics.confusion_matrix([1, 0, 0], sigmoid), [[1, 1], [0, 1]])
    with pytest.raises(ValueError, match="non-integer"):
        metrics.confusion_matrix([1, 0], [0.3, 0.9])


def test_scores_by_hand():
    y_true = [1, 1, 1, 0, 0]
    y_pred = [1, 0, 1, 1, 0]  # TP 2, FN 1, FP 1
    assert metrics.precision_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.recall_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.f1_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.accuracy_score(y_true, y_pred) == pytest.approx(3 / 5)
    p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred)
    np.testing.assert_allclose(p, [1 / 2, 2 / 3])
    np.testing.assert_array_equal(s, [2, 3])
    assert metrics.precision_score([0, 0], [1, 1]) == 0.0  # 0/0 -> zero_division
    with pytest.raises(ValueError, match="multiclass"):
        metrics.f1_score([0, 1, 2], [0, 1, 2])


def test_report_text_and_dict_by_hand():
    report = metrics.classification_report([0, 1, 1], [0, 1, 0], target_names=["no", "yes"])
    assert "precision    recall  f1-score   support" in report
    assert report.dict["yes"]["recall"] == 0.5 and report.dict["no"]["precision"] == 0.5
    assert report.dict["accuracy"] == pytest.approx(2 / 3)
    assert "    accuracy" in str(report)
    assert metrics.classification_report([0, 1, 1], [0, 1, 0], output_dict=True) == \
        metrics.classification_report([0, 1, 1], [0, 1, 0]).as_dict()
    with pytest.raises(ValueError, match="target_names"):
        metrics.classification_report([0, 1, 2], [0, 1, 2], target_names=["a", "b"])


@pytest.mark.parametrize("seed", range(4))
def test_everything_equals_scikit_learn(seed):
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    n = int(rng.integers(10, 80))
    y_true, y_pred = rng.integers(0, k, n), rng.integers(0, k, n)
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred), sk.confusion_matrix(y_true, y_pred))
    assert metrics.classification_report(y_true, y_pred) == sk.classification_report(y_true, y_pred,
                                                                                       zero_division=0)
    assert metrics.classification_report(y_true, y_pred, digits=4).dict == \
        sk.classification_report(y_true, y_pred, output_dict=True, zero_division=0)
    names = [f"class {i}" for i in range(len(np.unique(np.concatenate([y_true, y_pred]))))]
    assert metrics.classification_report(y_true, y_pred, target_names=names, digits=3) == \
        sk.classification_report(y_true, y_pred, target_names=names, digits=3, zero_division=0)
    for average in (None, "micro", "macro", "weighted"):
        ours = metrics.precision_recall_fscore_support(y_true, y_pred, average=average)
        theirs = sk.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0)
        for a, b in zip(ours, theirs):
            if b is None:
                assert a is None
            else:
                np.testing.assert_allclose(a, b, rtol=1e-12, err_msg=f"average={average}")
    labels = [0, 1]
    assert metrics.classification_report(y_true, y_pred, labels=labels) == \
        sk.classification_report(y_true, y_pred, labels=labels, zero_division=0)


def test_string_labels_equal_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    y_true = np.array(["cat", "dog", "cat", "eel", "dog"])
    y_pred = np.array(["cat", "cat", "cat", "eel", "dog"])
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred), sk.confusion_matrix(y_true, y_pred))
    assert metrics.classification_report(y_true, y_pred) == sk.classification_report(y_true, y_pred)
    assert metrics.f1_score(y_true, y_pred, average="macro") == pytest.approx(
        sk.f1_score(y_true, y_pred, average="macro"), rel=1e-12)
