"""Lesson 11 (time series) in fast mode, without TensorFlow: what it claims, checked.

The course's windows equal Keras's ``timeseries_dataset_from_array``; the naive forecast has
MASE 1 (about: the denominator is the naive error on the same days); the models trained on raw
prices do not beat it, as the course finds on Bitcoin; trained on changes relative to the last
price they do (the weekly cycle is learnable), the N-BEATS stack and the ensemble included; the
ensemble's interval is reported with its coverage.
"""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402


@pytest.fixture(scope="module")
def lesson(fast_lesson):
    return fast_lesson("11")


def test_lesson_11_windows_and_naive_baseline(lesson):
    outcomes = lesson[0]["outcomes"]
    assert outcomes["same_windows_as_keras"] is True
    assert outcomes["windows"] == outcomes["days"] - 7
    naive = outcomes["scores"]["naive"]
    assert naive["mase"] == pytest.approx(1.0, abs=0.02)
    assert naive["rmse"] == pytest.approx(naive["mse"] ** 0.5, rel=1e-6)
    assert naive["rmse"] >= naive["mae"] > 0


def test_lesson_11_raw_prices_lose_to_naive_relative_changes_beat_it(lesson):
    scores = lesson[0]["outcomes"]["scores"]
    for name in ("model 1: dense, raw prices", "model 2: causal Conv1D, raw prices", "model 3: LSTM, raw prices"):
        assert scores[name]["mase"] > 1.0, (name, scores[name])
    for name in ("model 4: dense, relative", "model 5: causal Conv1D, relative", "model 6: LSTM, relative",
                 "model 7: N-BEATS, relative", "model 8: ensemble mean", "model 9: multivariate"):
        assert scores[name]["mase"] < 0.95, (name, scores[name])
    assert lesson[0]["outcomes"]["best_model"] != "naive"


def test_lesson_11_ensemble_interval(lesson):
    outcomes = lesson[0]["outcomes"]
    assert outcomes["ensemble_members"] == 3
    assert 0.0 < outcomes["interval_coverage"] < 1.0


def test_lesson_11_figures(lesson):
    summary, out = lesson
    check_figures(summary, out, {"price_series.png", "ensemble_interval.png", "mase_by_model.png"})
