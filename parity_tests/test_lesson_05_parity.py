"""Lesson 05 (the first neuron), in fast and in full mode, WITH TensorFlow: every comparison holds.

The lesson trains the same Keras models under minitf and TF from the same initial weights (TF's,
copied) and records, in ``summary.json``, the largest |minitf - TF| of each compared quantity beside
the tolerance it claims. Both modes start together in separate processes; each test waits for its own.
"""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")

from parity_tests.lesson_runs import MODES, check_comparisons, finished_summary, start_both_modes, stop  # noqa: E402

EXPECTED = ["loss per epoch (first 20)", "[w, b] after the compared epochs", "deeper model: loss per epoch (first 20)"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    started = start_both_modes("05", tmp_path_factory)
    yield started
    stop(started)


@pytest.mark.parametrize("mode", MODES)
def test_lesson_05_agrees_with_tensorflow(mode, runs, tf):
    summary = finished_summary(runs, mode)
    assert summary["tensorflow"] == tf.__version__ and summary["mode"] == mode
    comparisons = check_comparisons(summary, EXPECTED)
    # One neuron, seven examples, Adam: the same float32 operations in the same order, bit for bit.
    assert comparisons["loss per epoch (first 20)"]["max_abs_diff"] == 0.0, comparisons["loss per epoch (first 20)"]


@pytest.mark.parametrize("mode", MODES)
def test_lesson_05_learns_the_line_from_tensorflow_initial_weights(mode, runs):
    outcomes = finished_summary(runs, mode)["outcomes"]
    assert abs(outcomes["slope"] - 1.8) <= 0.05 and abs(outcomes["intercept"] - 32.0) <= 1.0, outcomes


def test_lesson_05_starts_from_tensorflows_seed_42_weights_in_both_modes(runs, tf):
    """Both modes start from TF's initial weights under tf.keras.utils.set_random_seed(42), rebuilt here
    in this process: the same numbers in every process and every run (an unseeded TF model draws new
    weights per process, which once made the full run's comparisons differ between runs)."""
    tf.keras.utils.set_random_seed(42)
    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(units=1)])
    expected = [w.ravel().tolist() for w in model.get_weights()]
    for mode in MODES:
        got = finished_summary(runs, mode)["outcomes"]["initial_weights"]
        assert got == expected, f"lesson 05 ({mode} mode) started from {got}, TF's seed-42 weights are {expected}"
