"""Lesson 11 (time series) in fast mode WITH TensorFlow: every comparison it records holds.

The windows of ``timeseries_dataset_from_array`` exactly; the error measures of the naive
forecast (float32 sums of prices near 10^2-10^3: 1e-2 absolute at most); the training losses of
the models trained under both frameworks from the same weights (scaled 1e-5); the N-BEATS
custom layer's forecasts after training within 1e-4.
"""
from __future__ import annotations

import pytest

from parity_tests.lesson_runs import check_comparisons


@pytest.fixture(scope="module")
def summary(tf_lesson) -> dict:
    return tf_lesson("11")


def test_lesson_11_matches_tf(summary):
    check_comparisons(summary, expected=[
        "timeseries_dataset_from_array", "the naive forecast's errors",
        "model 1: dense, raw prices: training loss per epoch", "model 4: dense, relative: training loss per epoch",
        "model 7: N-BEATS: training loss per epoch", "model 7: N-BEATS: test forecasts (relative)"], max_tol=1e-2)
