"""Lesson 07 (classification), in fast and in full mode, WITH TensorFlow: every comparison holds.

Fast mode compares each section's main model with TF (see ``L.build_pair``); full mode all of them,
including section 10's: EarlyStopping must stop after the same epoch in both frameworks, the L2
model's loss must agree over the 20 epochs TF trains beside it, and the dropout model, trained by
minitf alone (each framework draws its own masks, so the trainings differ by design) and handed to
TF, must predict the same (dropout is off at inference). Both modes start together in
separate processes; each test waits for its own.
"""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
pytest.importorskip("sklearn", reason="lesson 07 loads scikit-learn's bundled breast_cancer and digits data")

from parity_tests.lesson_runs import MODES, check_comparisons, finished_summary, start_both_modes, stop  # noqa: E402

EXPECTED = {
    "fast": ["non-linear model: training loss per epoch",
             "circles: confusion matrix (tf.math.confusion_matrix of TF's model)",
             "generalisation: plain model, [loss, val_loss], first 20 epochs"],
}
EXPECTED["full"] = EXPECTED["fast"] + ["learning-rate finder: learning_rate per epoch",
                                       "digits, CCE on one-hot labels: training loss per epoch",
                                       "early stopping: [epochs run, best epoch]",
                                       "L2 model: training loss (penalty included), first 20 epochs",
                                       "dropout model at inference: predictions on the test set, same weights"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    started = start_both_modes("07", tmp_path_factory)
    yield started
    stop(started)


@pytest.mark.parametrize("mode", MODES)
def test_lesson_07_agrees_with_tensorflow(mode, runs, tf):
    summary = finished_summary(runs, mode)
    assert summary["tensorflow"] == tf.__version__ and summary["mode"] == mode
    comparisons = check_comparisons(summary, EXPECTED[mode])
    if mode == "full":
        assert comparisons["early stopping: [epochs run, best epoch]"]["max_abs_diff"] == 0


@pytest.mark.parametrize("mode", MODES)
def test_lesson_07_key_outcomes_hold_from_tensorflow_initial_weights(mode, runs):
    outcomes = finished_summary(runs, mode)["outcomes"]
    assert outcomes["circles_test_accuracy"] >= 0.95, outcomes["circles_test_accuracy"]
    assert outcomes["scce_vs_cce_max_abs_diff"] <= 1e-5, outcomes["scce_vs_cce_max_abs_diff"]
    gen = outcomes["generalisation"]
    for cure in ("early_stopping", "l2", "dropout"):
        assert gen[cure]["test_accuracy"] > gen["plain"]["test_accuracy"], (cure, gen)
