"""The contract every lesson follows, and the pieces of ``lessons/_common.py`` that the per-lesson
test files do not cover. No TensorFlow needed.

Each lesson has its own file (tests/test_lesson_NN.py) checking what it finds; the runner is
tested in test_lessons_runner.py, the exercise checker in test_lessons_exercises.py. Here: every
lesson file has the shape the runner and Jupytext expect, and every lesson prints the same output
on every run (its fast mode run twice, each in a fresh process, as a learner runs it).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lessons import _common, runner
from tests.lesson_runs import PNG_SIGNATURE, printed_output

REPO = Path(__file__).resolve().parent.parent

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


@pytest.mark.parametrize("lesson", runner.discover(), ids=lambda lesson: lesson.name)
def test_a_lesson_prints_the_same_on_every_run(lesson, tmp_path):
    """Fast mode without TF, twice, each in a fresh process as a learner runs it: the same printed
    output, line for line, apart from the lines tagged as measurements (times, speed-ups) and the
    output folder's name. Seeds, not luck, decide every number a lesson prints."""
    runs = [printed_output(lesson.name[:2], tmp_path / f"run{i}") for i in (1, 2)]
    first, second = runs
    assert len(first) == len(second), f"{lesson.name}: {len(first)} lines, then {len(second)}"
    differ = [(i, a, b) for i, (a, b) in enumerate(zip(first, second)) if a != b]
    assert not differ, (f"{lesson.name} printed different lines on two runs (first at line {differ[0][0]}):\n"
                        + "\n".join(f"  run 1: {a}\n  run 2: {b}" for _, a, b in differ[:5]))


PART_A_AND_B = [lesson for lesson in runner.discover() if lesson.name[:2] <= "07"]


@pytest.mark.parametrize("lesson", PART_A_AND_B, ids=lambda lesson: lesson.name)
def test_every_plot_in_a_lesson_has_labelled_axes(lesson, fast_lesson):
    """Every panel of every figure that plots data (not a drawn graph, a picture of a matrix or a
    colour bar) names both its axes: a learner cannot read a curve without them (issue 12 found a
    histogram and a scatter plot without labels). ``summary.json`` records each panel's labels."""
    summary, _ = fast_lesson(lesson.name[:2])
    assert set(summary["figure_axes"]) == set(summary["figures"]), "every figure's panels are recorded"
    unlabelled = [f"{figure} panel {i} ({panel['title'] or 'untitled'}): x {panel['x']!r}, y {panel['y']!r}"
                  for figure, panels in summary["figure_axes"].items() for i, panel in enumerate(panels)
                  if panel["kind"] == "plot" and not (panel["x"].strip() and panel["y"].strip())]
    assert not unlabelled, f"{lesson.name}: plots without axis labels:\n  " + "\n  ".join(unlabelled)


def test_readme_links_resolve_and_the_lesson_plan_is_current():
    """Issue 12: the README linked LESSONS.md, which the repository did not hold. Every relative link
    in the README and in lessons/README.md names a file of the repository, and the lesson plan lists
    every lesson there is."""
    import re

    for readme in (REPO / "README.md", REPO / "lessons" / "README.md"):
        links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", readme.read_text(encoding="utf-8"))
        missing = [link for link in links if not (readme.parent / link).exists()]
        assert not missing, f"{readme.relative_to(REPO)} links files that do not exist: {missing}"
    assert "lessons/README.md" in (REPO / "README.md").read_text(encoding="utf-8")
    plan = (REPO / "lessons" / "README.md").read_text(encoding="utf-8")
    for lesson in runner.discover():
        assert f"| {lesson.name[:2]} |" in plan, f"lessons/README.md does not list lesson {lesson.name}"


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


def test_agreement_takes_one_line_and_tables_are_for_disagreements(fresh_lesson, capsys):
    """Issue 12: where TF and minitf agree, one line says so and what it shows; a table of the numbers
    that differ most is printed only when asked (an instructive disagreement) or when the tolerance fails."""
    values = np.arange(10.0)
    _common.compare("exact", values, values.copy(), tol=0.0, means="the same rule")
    _common.compare("close", values, values + 1e-9, tol=1e-6)
    one_line = capsys.readouterr().out.splitlines()
    assert one_line == ["[exact] minitf = TF bit for bit, all 10 numbers: the same rule",
                        "[close] minitf ~ TF: largest |diff| 1e-09 over 10 numbers, tolerance 1e-06"], one_line
    _common.compare("float32 rounding", values, values + np.linspace(0, 1e-7, 10), tol=1e-6, table=True, show=3)
    table = capsys.readouterr().out.splitlines()
    assert table[1] == "  the 3 of 10 numbers that differ most:" and len(table) == 3 + 3 + 1, table
    assert [int(row.split()[0]) for row in table[3:6]] == [7, 8, 9], table  # the three largest differences, in order
    _common.compare("too far", values, values + 1.0, tol=1e-6)
    assert "EXCEEDED" in capsys.readouterr().out


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
