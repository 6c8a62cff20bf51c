"""Lessons 05-07 (Part B) run end to end in fast mode without TensorFlow, and find what they claim.

Each lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run NN --fast --no-tf --out DIR``), and writes ``summary.json``. The tests
read it and check the lesson's key outcomes against values worked out here independently
(the exact line F = 1.8 C + 32, baselines computed from the data, scikit-learn's metrics), and
that every figure it lists is a PNG that matplotlib can read back.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402


# ---------------------------------------------------------------------------------------- lesson 05
def test_lesson_05_first_neuron_learns_the_formula(fast_lesson):
    summary, out = fast_lesson("05")
    outcomes = summary["outcomes"]
    # The exact formula is F = 1.8 C + 32 (the data are rounded to whole degrees, hence the margins).
    assert abs(outcomes["slope"] - 1.8) <= 0.05, f"slope {outcomes['slope']}, expected 1.8 +- 0.05"
    assert abs(outcomes["intercept"] - 32.0) <= 1.0, f"intercept {outcomes['intercept']}, expected 32 +- 1"
    check_figures(summary, out, {"loss_curve.png", "predictions.png"})


# ---------------------------------------------------------------------------------------- lesson 06
def test_lesson_06_save_and_load_predict_identically(fast_lesson):
    pytest.importorskip("sklearn", reason="lesson 06 loads scikit-learn's bundled diabetes data")
    summary, out = fast_lesson("06")
    outcomes = summary["outcomes"]
    assert outcomes["save_load_identical"] is True
    assert outcomes["saved_model"] in summary["files"], (outcomes["saved_model"], summary["files"])

    # Independently: the saved file, loaded here, reproduces the recorded test MAE of the scaled model
    # on the test rows rebuilt from the data (MAE written out in NumPy, to 1e-3 dollars relative 1e-6).
    import minitf
    from minitf.datasets import insurance_column_transformer, insurance_to_arrays, make_insurance, train_test_split

    train, test = train_test_split(make_insurance(), test_size=0.2, seed=42)
    ct = insurance_column_transformer().fit(train)
    X_test, y_test = insurance_to_arrays(test, ct)
    loaded = minitf.keras.models.load_model(out / outcomes["saved_model"])
    predictions = loaded.predict(X_test, verbose=0)[:, 0].astype(np.float64)
    mae = float(np.mean(np.abs(predictions - y_test)))
    recorded = outcomes["insurance_test_mae"]["min-max scaled"]
    assert math.isclose(mae, recorded, rel_tol=1e-5), f"loaded model's test MAE {mae} != recorded {recorded}"


def test_lesson_06_mae_values_are_sensible(fast_lesson):
    pytest.importorskip("sklearn", reason="lesson 06 loads scikit-learn's bundled diabetes data")
    summary, out = fast_lesson("06")
    outcomes = summary["outcomes"]

    # y = X + 10, X = -100, -96, ..., 96; first 40 points train, last 10 test. Predicting the
    # training mean for every test point is the no-learning baseline.
    X = np.arange(-100, 100, 4, dtype=np.float64)
    y = X + 10
    mean_baseline = float(np.mean(np.abs(y[40:] - y[:40].mean())))
    for name, value in outcomes["linear_test_mae"].items():
        assert math.isfinite(value) and 0 <= value < mean_baseline, \
            f"{name}: test MAE {value} does not beat predicting the training mean ({mean_baseline})"
        mse = outcomes["linear_test_mse"][name]
        assert mse >= value ** 2 - 1e-3 * mse, f"{name}: MSE {mse} < MAE^2 {value ** 2} (impossible: Jensen)"

    # Diabetes: each loss's model beats predicting the training median (the MAE-optimal constant).
    from minitf.datasets import load_diabetes, train_test_split

    Xd, yd = load_diabetes()
    _, _, yd_train, yd_test = train_test_split(Xd, yd, test_size=0.2, seed=42)
    median_baseline = float(np.mean(np.abs(yd_test - np.median(yd_train))))
    assert math.isclose(outcomes["diabetes_median_baseline_mae"], median_baseline, rel_tol=1e-6)
    for loss in ("MAE", "MSE", "Huber"):
        value = outcomes["diabetes_test_mae"][loss]
        assert 0 < value < median_baseline, f"diabetes model trained on {loss}: test MAE {value} >= {median_baseline}"

    # Insurance: both models predict better than 0 dollars for everyone, and the better one
    # beats the training median (fast mode trains 10 epochs only).
    from minitf.datasets import make_insurance

    train, test = train_test_split(make_insurance(), test_size=0.2, seed=42)
    zero_baseline = float(np.mean(np.abs(test["charges"])))
    insurance_median = float(np.mean(np.abs(test["charges"] - np.median(train["charges"]))))
    maes = outcomes["insurance_test_mae"]
    assert set(maes) == {"unscaled", "min-max scaled"}, maes
    for kind, value in maes.items():
        assert 0 < value < zero_baseline, f"insurance ({kind}): test MAE {value} >= predicting 0 ({zero_baseline})"
    assert min(maes.values()) < insurance_median, f"insurance: no model beats the median baseline: {maes}"

    check_figures(summary, out, {"linear_data.png", "linear_predictions.png", "linear_loss_curves.png",
                                 "loss_functions.png", "diabetes_losses.png", "insurance_loss_curves.png"})


# ---------------------------------------------------------------------------------------- lesson 07
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

    # Precision and recall per class, from the counts (NumPy, independently of minitf.classification_report).
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
