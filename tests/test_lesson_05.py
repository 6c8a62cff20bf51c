"""Lesson 05 (the first neuron) runs in fast mode without TensorFlow and finds what it claims.

The lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run 05 --fast --no-tf --out DIR``), and writes ``summary.json``. The tests
read it and check the lesson's key outcomes against values worked out here independently
(the exact line F = 1.8 C + 32, the least-squares line from np.polyfit), and that every figure it lists is a PNG that matplotlib can read back.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402


def test_lesson_05_first_neuron_learns_the_formula(fast_lesson):
    summary, out = fast_lesson("05")
    outcomes = summary["outcomes"]
    # The exact formula is F = 1.8 C + 32 (the data are rounded to whole degrees, hence the margins).
    assert abs(outcomes["slope"] - 1.8) <= 0.05, f"slope {outcomes['slope']}, expected 1.8 +- 0.05"
    assert abs(outcomes["intercept"] - 32.0) <= 1.0, f"intercept {outcomes['intercept']}, expected 32 +- 1"
    check_figures(summary, out, {"loss_curve.png", "predictions.png"})


def test_lesson_05_settles_on_the_least_squares_line(fast_lesson):
    """After 3000 epochs the neuron is the least-squares line through the seven rounded points (np.polyfit,
    here), which is why the intercept is not 32: the lesson's answer to its own question."""
    from minitf.datasets import celsius_fahrenheit

    outcomes = fast_lesson("05")[0]["outcomes"]
    celsius, fahrenheit = (a.astype(np.float64) for a in celsius_fahrenheit())
    slope, intercept = np.polyfit(celsius, fahrenheit, 1)
    assert abs(outcomes["slope"] - slope) < 1e-4 and abs(outcomes["intercept"] - intercept) < 1e-3, \
        (outcomes["slope"], outcomes["intercept"], slope, intercept)
    assert abs(intercept - 32) > 0.01, "the rounded data's best line must not be F = 1.8 C + 32 exactly"


def test_lesson_05_adam_moves_the_intercept_at_most_the_learning_rate(fast_lesson):
    """The lesson's argument: Adam's step is about eta * m_hat / sqrt(v_hat) <= eta = 0.1 per step (one step per
    epoch here). The recorded intercepts, one per epoch, must move by at most 0.1 (plus float32 rounding)."""
    outcomes = fast_lesson("05")[0]["outcomes"]
    intercepts = np.array(outcomes["intercepts_first_epochs"])
    moves = np.abs(np.diff(np.concatenate([[0.0], intercepts])))
    assert moves.max() <= 0.1 * (1 + 1e-5), moves.max()
    assert math.isclose(outcomes["intercept_largest_move_per_epoch"], moves.max(), rel_tol=1e-12)
    assert intercepts[-1] < 10, "fast mode's first 60 epochs cannot carry the intercept near 32 at <= 0.1 per step"


def test_lesson_05_starts_from_the_seeded_weights(fast_lesson):
    """Without TF the neuron starts from minitf's own weights under set_random_seed(42): the same
    numbers in every process (the lesson once built its models unseeded and printed -0.415, then
    -0.883). Rebuilt here from the seed, in this process."""
    import minitf

    outcomes = fast_lesson("05")[0]["outcomes"]
    minitf.keras.utils.set_random_seed(42)
    model = minitf.keras.Sequential([minitf.keras.Input((1,)), minitf.keras.layers.Dense(units=1)])
    expected = [w.ravel().tolist() for w in model.get_weights()]
    assert outcomes["initial_weights"] == expected, (outcomes["initial_weights"], expected)
    assert expected[1] == [0.0] and expected[0][0] != 0.0, expected  # Glorot-uniform kernel, zero bias
