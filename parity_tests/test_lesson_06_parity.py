"""Lesson 06 (regression), in fast and in full mode, WITH TensorFlow: every comparison holds.

Fast mode compares each section's main model with TF (see ``L.build_pair``); full mode all of them.
Both modes start together in separate processes; each test waits for its own.
"""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
pytest.importorskip("sklearn", reason="lesson 06 loads scikit-learn's bundled diabetes data")

from parity_tests.lesson_runs import MODES, check_comparisons, finished_summary, start_both_modes, stop  # noqa: E402

EXPECTED = {
    "fast": ["model_1: training loss, first 20 epochs", "MAE loss of errors -3..3", "Huber loss of errors -3..3"],
}
EXPECTED["full"] = EXPECTED["fast"] + ["model_3: training loss, first 20 epochs",
                                       "diabetes, Huber loss: training loss, first 10 epochs",
                                       "insurance (min-max scaled): training loss per epoch"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    started = start_both_modes("06", tmp_path_factory)
    yield started
    stop(started)


@pytest.mark.parametrize("mode", MODES)
def test_lesson_06_agrees_with_tensorflow(mode, runs, tf):
    summary = finished_summary(runs, mode)
    assert summary["tensorflow"] == tf.__version__ and summary["mode"] == mode
    check_comparisons(summary, EXPECTED[mode])
    assert summary["outcomes"]["save_load_identical"] is True
