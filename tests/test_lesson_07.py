"""Lesson 07 (classification) runs in fast mode without TensorFlow and finds what it claims.

The lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run 07 --fast --no-tf --out DIR``), and writes ``summary.json``. The tests
read it and check the lesson's key outcomes against values worked out here independently
(scikit-learn's metrics, EarlyStopping's rule applied here to the recorded validation losses), and that every figure it lists is a PNG that matplotlib can read back.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402


def test_lesson_07_circles_model_reaches_95_percent(fast_lesson):
    pytest.importorskip("sklearn", reason="lesson 07 loads scikit-learn's bundled breast_cancer and digits data")
    summary, out = fast_lesson("07")
    outcomes = summary["outcomes"]
    y_true = np.asarray(outcomes["circles_y_true"])
    y_pred = np.asarray(outcomes["circles_y_pred"])

    # The recorded labels are the last 200 of make_circles(1000, noise=0.03, seed=42).
    from minitf.datasets import make_circles

    _, y = make_circles(1000, noise=0.03, seed=42)
    np.testing.assert_array_equal(y_true, y[800:], err_msg="circles: recorded y_true are not the test labels")
    assert set(np.unique(y_pred)) <= {0, 1}, np.unique(y_pred)
    accuracy = float(np.mean(y_true == y_pred))
    assert accuracy >= 0.95, f"non-linear circles model: test accuracy {accuracy} < 0.95"
    assert math.isclose(outcomes["circles_test_accuracy"], accuracy, abs_tol=1e-6), \
        f"evaluate() accuracy {outcomes['circles_test_accuracy']} != accuracy of the recorded predictions {accuracy}"
    assert outcomes["circles_linear_test_accuracy"] < 0.75, \
        f"a linear model cannot separate circles, yet scored {outcomes['circles_linear_test_accuracy']}"

    # Precision and recall per class, from the counts (NumPy, independently of minitf.metrics).
    for c in (0, 1):
        tp = np.sum((y_pred == c) & (y_true == c))
        precision = tp / max(np.sum(y_pred == c), 1)
        recall = tp / max(np.sum(y_true == c), 1)
        assert math.isclose(outcomes["circles_precision"][c], precision, abs_tol=1e-12), (c, precision)
        assert math.isclose(outcomes["circles_recall"][c], recall, abs_tol=1e-12), (c, recall)


def test_lesson_07_confusion_matrix_and_f1_equal_sklearn(fast_lesson):
    sk_metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is the reference for these metrics")
    summary, out = fast_lesson("07")
    outcomes = summary["outcomes"]
    y_true = np.asarray(outcomes["circles_y_true"])
    y_pred = np.asarray(outcomes["circles_y_pred"])
    expected_cm = sk_metrics.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(np.asarray(outcomes["circles_confusion_matrix"]), expected_cm,
                                  err_msg="circles: minitf's confusion matrix differs from scikit-learn's")
    expected_f1 = sk_metrics.f1_score(y_true, y_pred)
    assert abs(outcomes["circles_f1"] - expected_f1) <= 1e-12, \
        f"circles: minitf's F1 {outcomes['circles_f1']} != scikit-learn's {expected_f1}"
    # The lesson's own checks (breast cancer, digits) ran and agreed.
    for key in ("circles_sklearn_check", "breast_cancer_sklearn_check", "digits_sklearn_check"):
        check = outcomes[key]
        assert check is not None and check["confusion_matrix_equal"] and check["f1_abs_diff"] <= 1e-12, (key, check)


def test_lesson_07_other_outcomes_and_figures(fast_lesson):
    pytest.importorskip("sklearn", reason="lesson 07 loads scikit-learn's bundled breast_cancer and digits data")
    summary, out = fast_lesson("07")
    outcomes = summary["outcomes"]
    # SCCE on integer labels and CCE on one-hot labels are the same loss: identical training.
    assert outcomes["scce_vs_cce_max_abs_diff"] <= 1e-5, outcomes["scce_vs_cce_max_abs_diff"]
    # The learning-rate finder swept 1e-4 * 10**(epoch/20); its best rate lies on that grid.
    finder = outcomes["learning_rate_finder"]
    epochs = np.arange(finder["epochs"])
    grid = (1e-4 * 10 ** (epochs / 20)).astype(np.float32)
    assert np.min(np.abs(grid - finder["lowest_loss_rate"])) <= 1e-6 * finder["lowest_loss_rate"], finder
    # Digits: 10 classes; the confusion matrix counts every test image once (360 = 20% of 1797).
    cm = np.asarray(outcomes["digits_confusion_matrix"])
    assert cm.shape == (10, 10) and cm.sum() == 360, (cm.shape, cm.sum())
    assert math.isclose(np.trace(cm) / cm.sum(), outcomes["digits_test_accuracy"]["normalized"], abs_tol=1e-6)
    # Better than chance on the binary tumour data (majority class: 63%).
    assert outcomes["breast_cancer_test_accuracy"] > 0.8, outcomes["breast_cancer_test_accuracy"]
    check_figures(summary, out, {"circles_data.png", "activations.png", "circles_training_curves.png",
                                 "decision_boundaries.png", "learning_rate_finder.png",
                                 "circles_confusion_matrix.png", "digits_training_curves.png",
                                 "digits_confusion_matrix.png"})


def test_lesson_07_generalisation_overfits_and_the_cures_help(fast_lesson):
    pytest.importorskip("sklearn", reason="lesson 07 loads scikit-learn's bundled digits")
    summary, out = fast_lesson("07")
    gen = summary["outcomes"]["generalisation"]
    assert gen["train_rows"] + gen["validation_rows"] == gen["rows"] and gen["validation_rows"] == int(0.2 * gen["rows"])
    assert gen["validation_split_same_as_validation_data"] is True
    plain = gen["plain"]
    val_loss, train_loss = np.array(plain["val_loss"]), np.array(plain["loss"])
    best = int(np.argmin(val_loss))
    assert plain["best_epoch"] == best + 1
    # The overfitting curve: the training loss keeps falling while the validation loss turns and rises.
    assert val_loss[-1] > 1.1 * val_loss[best] and train_loss[-1] < 0.6 * train_loss[best], (val_loss, train_loss)
    assert plain["memorised_wrong_labels"] > 0.5, "the plain model should have memorised most wrong training labels"
    # EarlyStopping(patience=10): Keras's rule applied here to the recorded validation losses.
    stopped = gen["early_stopping"]
    losses, wait, best_so_far, stop = stopped["val_loss"], 0, math.inf, None
    for epoch, value in enumerate(losses):
        wait += 1
        if value < best_so_far:
            best_so_far, best_epoch, wait = value, epoch, 0
        if wait >= 10 and epoch > 0:
            stop = epoch + 1
            break
    assert stop == stopped["epochs_run"] == len(losses), (stop, stopped["epochs_run"], len(losses))
    assert stopped["best_epoch"] == best_epoch + 1
    assert math.isclose(stopped["restored_val_loss"], min(losses), rel_tol=1e-5), "restore_best_weights restored another epoch"
    # L2: the penalty the model adds is lambda * sum(W^2) over its two hidden kernels.
    assert math.isclose(gen["l2"]["penalty_model"], gen["l2"]["penalty_by_hand"], rel_tol=1e-5)
    # Dropout(0.5) keeps 0 or 1/(1 - 0.5) = 2 in training and is the identity at inference.
    assert gen["dropout"]["mask_values"] == [0.0, 2.0] and gen["dropout"]["inference_is_identity"] is True
    # Each cure ends with a better clean test accuracy than the plain model trained to the end.
    for cure in ("early_stopping", "l2", "dropout"):
        assert gen[cure]["test_accuracy"] > plain["test_accuracy"], (cure, gen[cure]["test_accuracy"], plain["test_accuracy"])
    check_figures(summary, out, {"generalisation.png"})
