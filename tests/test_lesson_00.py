"""Lesson 00 (tensors) runs in fast mode without TensorFlow and finds what it claims.

The lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run 00 --fast --no-tf --out DIR``); its outcomes are read back from
``summary.json`` and checked against values computed here with NumPy. It also runs as a plain
script (``python lessons/00_tensors.py``), the contract every lesson follows.
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lessons import _common
from tests.lesson_runs import check_figures

REPO = Path(__file__).resolve().parent.parent
LESSON_00_FIGURES = ["random_normal_hist.png", "reshape_vs_transpose.png"]


@pytest.fixture(scope="module")
def lesson_00(fast_lesson):
    """Lesson 00 run once (fast, no TF): (summary, output folder)."""
    return fast_lesson("00")


def test_lesson_00_summary_says_how_it_ran(lesson_00):
    summary, _ = lesson_00
    assert summary["lesson"] == "00_tensors" and summary["mode"] == "fast"
    assert summary["tensorflow"] is None and summary["comparisons"] == {}, "--no-tf must not compare"
    assert summary["outcomes"]["mismatches"] == {}


def test_lesson_00_matmul_reshape_and_the_shape_error(lesson_00):
    o = lesson_00[0]["outcomes"]
    X = np.array([[1, 2], [3, 4], [5, 6]])
    Y = np.array([[7, 8], [9, 10], [11, 12]])
    np.testing.assert_array_equal(o["X_times_Y_transposed"], X @ Y.T, err_msg="X @ transpose(Y)")
    np.testing.assert_array_equal(o["reshape_Y"], [[7, 8, 9], [10, 11, 12]], err_msg="tf.reshape(Y, (2, 3))")
    assert "MatMul" in o["matmul_error"] and "[3, 2]" in o["matmul_error"], o["matmul_error"]


def test_lesson_00_random_numbers_repeat_and_look_normal(lesson_00):
    o = lesson_00[0]["outcomes"]
    assert o["seeded_generator_repeats"] is True
    n = o["normal_samples"]
    # mean of n standard normals has std 1/sqrt(n); the sample std is within a few 1/sqrt(2n)
    assert abs(o["normal_mean"]) < 5 / math.sqrt(n), o["normal_mean"]
    assert abs(o["normal_std"] - 1) < 5 / math.sqrt(2 * n), o["normal_std"]


def test_lesson_00_figures_are_pngs(lesson_00):
    summary, out = lesson_00
    assert sorted(summary["figures"]) == sorted(LESSON_00_FIGURES)
    check_figures(summary, out, set(LESSON_00_FIGURES))


def test_a_lesson_runs_as_a_plain_script(tmp_path):
    # The lesson contract: `python lessons/NN_x.py` works without the runner or an installed package.
    env = {**os.environ, _common.FAST_ENV: "1", _common.NO_TF_ENV: "1", _common.OUT_ENV: str(tmp_path)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, str(REPO / "lessons" / "00_tensors.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "summary.json").is_file() and "fast mode" in done.stdout
