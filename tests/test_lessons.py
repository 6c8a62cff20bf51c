"""Lesson 00, the lesson contract every lesson follows, and the pieces of
``lessons/_common.py`` that the per-lesson test files do not cover. No TensorFlow needed.

Lesson 00 runs in fast mode with ``--no-tf`` through the runner's entry point
(``lessons.runner.main``) into a temporary folder; its outcomes are read back from
``summary.json`` and checked against values computed here with NumPy. (Lessons 01-07 have
their own files: tests/test_lesson_01.py, test_lesson_02.py, test_lessons_part_a2.py,
test_lessons_part_b.py; the runner: test_lessons_runner.py.)
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lessons import _common, runner
from tests.lesson_runs import PNG_SIGNATURE, check_figures

REPO = Path(__file__).resolve().parent.parent
LESSON_00_FIGURES = ["random_normal_hist.png", "reshape_vs_transpose.png"]


@pytest.fixture(scope="module")
def lesson_00(fast_lesson):
    """Lesson 00 run once (fast, no TF): (summary, output folder)."""
    return fast_lesson("00")

# --------------------------------------------------------------------------- lesson 00
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


# --------------------------------------------------------------------------- every lesson's file
@pytest.mark.parametrize("lesson", runner.discover(), ids=lambda lesson: lesson.name)
def test_lesson_file_follows_the_contract(lesson):
    text = lesson.path.read_text(encoding="utf-8")
    assert text.startswith("# ---\n# jupyter:") and "format_name: percent" in text, "Jupytext percent header"
    assert text.count("# %% [markdown]") >= 5 and "\n# %%\n" in text, "prose and code cells"
    assert lesson.title != lesson.path.stem and len(lesson.summary) > 20, "'# # Lesson NN: Title' and '# > summary'"
    assert f'L.begin("{lesson.name}")' in text, "begin() must name the file, so the default output folder matches"
    assert text.count("L.summary(") == 1
    assert "## Exercises" in text.split("# %% [markdown]")[-1], "the last cell holds the exercises"


# --------------------------------------------------------------------------- lessons/_common.py
@pytest.fixture
def fresh_lesson(tmp_path, monkeypatch):
    monkeypatch.setenv(_common.OUT_ENV, str(tmp_path))
    monkeypatch.setenv(_common.NO_TF_ENV, "1")
    monkeypatch.delenv(_common.FAST_ENV, raising=False)
    _common.begin("99_unit")
    return tmp_path


def test_settings_come_from_the_environment(fresh_lesson, monkeypatch):
    assert not _common.fast() and _common.pick("full", "fast") == "full"
    monkeypatch.setenv(_common.FAST_ENV, "1")
    assert _common.fast() and _common.pick("full", "fast") == "fast"
    assert _common.out_dir() == fresh_lesson
    assert _common.tf_or_none() is None  # --no-tf: never imports TensorFlow


def test_compare_records_the_largest_difference(fresh_lesson, capsys):
    assert _common.compare("two lists", [1.0, np.array([2.0, 3.0])], [1.0, 2.5, 3.0], tol=0.1) == pytest.approx(0.5)
    assert "EXCEEDED" in capsys.readouterr().out
    assert _common.compare("no tf", [1.0], None) is None
    assert _common.compare("sizes", [1.0, 2.0], [1.0]) == math.inf
    recorded = _common._state.comparisons
    assert recorded["two lists"] == {"max_abs_diff": 0.5, "tol": 0.1, "n": 3}
    assert "no tf" not in recorded and recorded["sizes"]["mismatch"] == "size"


def test_side_by_side_checks_values_shapes_and_dtypes(fresh_lesson):
    import minitf

    class FakeTF:  # stands in for TensorFlow: answers one value wrongly, one with another dtype
        __name__ = "fake"
        float32 = minitf.float32

        @staticmethod
        def constant(value, dtype=None):
            return minitf.constant(value, dtype=dtype)

    def cell(tf):
        wrong = tf is FakeTF
        return {"same": tf.constant([1.0, 2.0]), "value": tf.constant([1.0, 2.5 if wrong else 2.0]),
                "dtype": tf.constant([1, 2], dtype=minitf.float32 if wrong else None),
                "text": "None", "a dtype": minitf.float32}

    mine, theirs = _common.side_by_side("cell", cell, FakeTF, tol=0.1)
    assert set(mine) == set(theirs)
    record = _common._state.comparisons["cell"]
    assert record["mismatch"] == ["value", "dtype"] and record["max_abs_diff"] == pytest.approx(0.5)


def test_summary_writes_json_with_figures_and_outcomes(fresh_lesson):
    plt = _common.pyplot()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    _common.savefig(fig, "line")
    _common.output_file("extra.txt").write_text("x")
    report = _common.summary(a=np.float32(1.5), b=np.arange(3), c={"d": None, "e": float("nan")}, f=True)
    written = json.loads((fresh_lesson / "summary.json").read_text())
    assert written == report
    assert written["figures"] == ["line.png"] and written["files"] == ["extra.txt"]
    assert written["outcomes"] == {"a": 1.5, "b": [0, 1, 2], "c": {"d": None, "e": "nan"}, "f": True}
    assert (fresh_lesson / "line.png").read_bytes()[:8] == PNG_SIGNATURE
    assert not list(fresh_lesson.glob("*.tmp"))
