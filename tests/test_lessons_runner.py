"""The lessons runner, ``python -m lessons``: listing, bad lesson names, unwritable output, notebooks.

Everything goes through ``runner.main([...])``, the function ``python -m lessons`` calls, with
pytest's ``capsys`` catching what it prints. No lesson is actually run here (a lesson that ran
would be slow and is tested in its own file): the error paths must fail before any work starts.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lessons import runner

LESSON_FILES = sorted(p for p in Path(runner.__file__).parent.glob("[0-9][0-9]_*.py"))


def first_title(path: Path) -> str:
    """The title in the lesson's first markdown cell, read here independently of the runner."""
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^# # Lesson \d+: (.+?)\s*$", line)
        if m:
            return m.group(1)
    raise AssertionError(f"{path.name} has no '# # Lesson NN: Title' line")


def test_there_are_lessons():
    assert len(LESSON_FILES) >= 2, [p.name for p in LESSON_FILES]


@pytest.mark.parametrize("argv", [[], ["list"]])
def test_listing_shows_every_lesson_with_its_title(argv, capsys):
    assert runner.main(argv) == 0
    printed = capsys.readouterr().out
    for path in LESSON_FILES:
        number, title = path.name[:2], first_title(path)
        lines = [line for line in printed.splitlines() if line.strip().startswith(number + " ")]
        assert len(lines) == 1, f"lesson {path.name}: expected one listing line starting with {number}, got {lines}"
        assert title in lines[0], f"lesson {path.name}: title {title!r} missing from {lines[0]!r}"


@pytest.mark.parametrize("spec", ["99", "abc", "02_no_such_slug"])
def test_unknown_lesson_fails_and_prints_the_list(spec, capsys, tmp_path):
    out = tmp_path / "out"
    rc = runner.main(["run", spec, "--fast", "--no-tf", "--out", str(out)])
    printed = capsys.readouterr()
    assert rc != 0, f"run {spec} exited 0"
    assert spec in printed.err, f"the error does not name {spec!r}: {printed.err!r}"
    for path in LESSON_FILES:
        assert first_title(path) in printed.err, f"the error does not list {path.name}: {printed.err!r}"
    assert not out.exists(), "an unknown lesson must fail before creating the output folder"


def test_unwritable_out_fails_before_the_lesson_starts(capsys, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out = blocker / "sub"  # a folder cannot be made under a regular file
    lesson = LESSON_FILES[0].name[:2]
    rc = runner.main(["run", lesson, "--fast", "--no-tf", "--out", str(out)])
    printed = capsys.readouterr()
    assert rc != 0, "an unwritable --out must fail"
    assert "cannot write" in printed.err and str(out) in printed.err, f"unclear message: {printed.err!r}"
    assert "== lesson" not in printed.out, f"the lesson started before the output folder was checked:\n{printed.out}"
    assert blocker.read_text() == "not a folder"


def test_notebook_is_valid_ipynb(capsys, tmp_path):
    pytest.importorskip("jupytext", reason="notebooks need jupytext: pip install jupytext")
    path = next(p for p in LESSON_FILES if p.name.startswith("05_"))
    assert runner.main(["notebook", "05", "--out", str(tmp_path)]) == 0, capsys.readouterr().err
    notebook_path = tmp_path / f"{path.stem}.ipynb"
    assert notebook_path.is_file(), list(tmp_path.iterdir())
    notebook = json.loads(notebook_path.read_text())
    assert notebook.get("nbformat") == 4 and isinstance(notebook.get("cells"), list), list(notebook)
    kinds = {cell["cell_type"] for cell in notebook["cells"]}
    assert kinds == {"code", "markdown"}, kinds
    text = "".join("".join(cell["source"]) for cell in notebook["cells"])
    assert first_title(path) in text and "L.summary(" in text, "the notebook lost the lesson's cells"
    assert str(notebook_path) in capsys.readouterr().out
