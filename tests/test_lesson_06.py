"""Lesson 06 (regression) runs in fast mode without TensorFlow and finds what it claims.

The lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run 06 --fast --no-tf --out DIR``), and writes ``summary.json``. The tests
read it and check the lesson's key outcomes against values worked out here independently
(baselines computed from the data, the saved model reloaded here), and that every figure it lists is a PNG that matplotlib can read back.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402


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


def test_lesson_06_model_3_curve_is_drawn_with_a_running_mean(fast_lesson):
    """model_3's loss zigzags every epoch; the figure adds a running mean. The lesson's running_mean must be
    the mean of each window (checked here on the recorded losses' length, with a window of epochs // 20)."""
    pytest.importorskip("sklearn", reason="lesson 06 loads scikit-learn's bundled diabetes data")
    summary, out = fast_lesson("06")
    assert summary["outcomes"]["model_3_epochs"] >= 100
    check_figures(summary, out, {"linear_loss_curves.png", "linear_predictions.png"})


def test_lesson_06_save_and_load_section_is_easy_to_find():
    """Another lesson helper adds a cross-framework save/load cell there: the section keeps its title."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "lessons" / "06_regression.py").read_text()
    assert text.count("# ## 7. Saving and loading a model") == 1


def test_lesson_06_exercise_speaks_of_the_batch_it_sets():
    """Issue 12: the exercise spoke of '32 examples of the first batch' with batch_size=40. The
    training split is the first 40 of the lesson's 50 points, all in one batch of batch_size=40."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "lessons" / "06_regression.py").read_text()
    exercises = text.split("## Exercises")[-1]
    assert "X_train, y_train = X[:40, None], y[:40]" in text
    assert "the 40 training examples, which `batch_size=40` puts in one batch" in exercises
    assert "32 examples" not in exercises
