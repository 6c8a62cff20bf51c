"""Lessons 05-07, in fast and in full mode, WITH TensorFlow: every comparison a lesson records holds.

Each lesson trains its models under minitf and under TF from the same initial weights and
records, in ``summary.json``, the largest |minitf - TF| of each compared quantity beside the
tolerance it claims (losses per epoch, weights, predictions, test metrics, confusion
matrices). These tests run the lessons as ``python -m lessons run NN [--fast] --out DIR`` and
check every recorded comparison: a difference is present (TF really ran), finite, within its
tolerance, and with no shape or dtype mismatch.

Most of the time goes to Keras (its import, tracing, per-epoch overhead), not to arithmetic, so
the six runs start together in separate processes and each test waits for its own.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")

from parity_tests.lesson_runs import check_comparisons  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LESSONS = ("05", "06", "07")
MODES = ("fast", "full")
NEEDS_SKLEARN = {"06", "07"}  # their data come from scikit-learn's bundled datasets
# A few comparisons each lesson must have made (so a lesson that silently skipped TF fails).
# Fast mode compares each lesson's main models with TF (see L.build_pair); full mode all of them.
EXPECTED_FAST = {
    "05": ["loss per epoch (first 20)", "[w, b] after the compared epochs", "deeper model: loss per epoch (first 20)"],
    "06": ["model_1: training loss, first 20 epochs", "MAE loss of errors -3..3", "Huber loss of errors -3..3"],
    "07": ["non-linear model: training loss per epoch",
           "circles: confusion matrix (tf.math.confusion_matrix of TF's model)"],
}
EXPECTED_FULL = {
    "05": EXPECTED_FAST["05"],
    "06": EXPECTED_FAST["06"] + ["model_3: training loss, first 20 epochs",
                                 "diabetes, Huber loss: training loss, first 10 epochs",
                                 "insurance (min-max scaled): training loss per epoch"],
    "07": EXPECTED_FAST["07"] + ["learning-rate finder: learning_rate per epoch",
                                 "digits, CCE on one-hot labels: training loss per epoch"],
}


@pytest.fixture(scope="module")
def lesson_runs(tmp_path_factory):
    """Start lessons 05-07 in both modes, with TF, all at once; {(number, mode): (process, output folder)}."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0",
               OPENBLAS_NUM_THREADS="1")  # six processes on two cores: no BLAS thread pools fighting
    runs, logs = {}, []
    for mode in MODES:
        for number in LESSONS:
            out = tmp_path_factory.mktemp(f"lesson_{number}_{mode}_with_tf")
            log = open(out / "lesson.log", "w")
            logs.append(log)
            flags = ["--fast"] if mode == "fast" else []
            process = subprocess.Popen([sys.executable, "-m", "lessons", "run", number, *flags, "--out", str(out)],
                                       cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
            runs[number, mode] = (process, out)
    yield runs
    for process, _ in runs.values():
        if process.poll() is None:  # a test failed or timed out before this one finished
            process.kill()
            process.wait()
    for log in logs:
        log.close()


def finished_summary(number: str, lesson_runs, mode: str = "fast") -> dict:
    """Wait for lesson ``number`` in ``mode``; its summary.json (the lesson's output in the failure message)."""
    process, out = lesson_runs[number, mode]
    rc = process.wait(timeout=900)
    printed = (out / "lesson.log").read_text(errors="replace")
    assert rc == 0, f"lesson {number} ({mode} mode) with TF failed (exit {rc}):\n{printed[-6000:]}"
    return json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("number", LESSONS)
def test_lesson_agrees_with_tensorflow(number, mode, lesson_runs, tf):
    if number in NEEDS_SKLEARN:
        pytest.importorskip("sklearn", reason=f"lesson {number} loads scikit-learn's bundled datasets")
    summary = finished_summary(number, lesson_runs, mode)
    assert summary["tensorflow"] == tf.__version__, (summary["tensorflow"], tf.__version__)
    assert summary["mode"] == mode
    check_comparisons(summary, (EXPECTED_FAST if mode == "fast" else EXPECTED_FULL)[number])


@pytest.mark.parametrize("mode", MODES)
def test_key_outcomes_hold_from_tensorflow_initial_weights(mode, lesson_runs):
    """With TF present, minitf starts from TF's initial weights: the lessons' claims must still hold."""
    pytest.importorskip("sklearn", reason="lessons 06 and 07 load scikit-learn's bundled datasets")
    neuron = finished_summary("05", lesson_runs, mode)["outcomes"]
    assert abs(neuron["slope"] - 1.8) <= 0.05 and abs(neuron["intercept"] - 32.0) <= 1.0, neuron
    regression = finished_summary("06", lesson_runs, mode)["outcomes"]
    assert regression["save_load_identical"] is True
    classification = finished_summary("07", lesson_runs, mode)["outcomes"]
    assert classification["circles_test_accuracy"] >= 0.95, classification["circles_test_accuracy"]
    assert classification["scce_vs_cce_max_abs_diff"] <= 1e-5, classification["scce_vs_cce_max_abs_diff"]
