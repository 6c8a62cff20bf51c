"""The lessons runner, ``python -m lessons``: listing, bad lesson names, unwritable output, notebooks.

Mostly through ``runner.main([...])``, the function ``python -m lessons`` calls, with pytest's
``capsys`` catching what it prints, plus ``runner.find``/``runner.run`` on made-up lessons. No
real lesson is run here (each is tested in its own file): the error paths must fail before
any work starts.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lessons import runner

REPO = Path(__file__).resolve().parent.parent
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


# --- finding, running and converting lessons: runner.find, runner.run, notebooks ------------------
@pytest.mark.parametrize("spec", ["0", "00", "00_tensors", "00_tensors.py", " 00 "])
def test_find_accepts_a_number_or_the_file_name(spec):
    assert runner.find(spec).name == "00_tensors"


@pytest.mark.parametrize("spec", ["5x", "-1", "", "000", "00_tensor"])
def test_find_refuses_malformed_names_and_lists_the_lessons(spec):
    with pytest.raises(runner.LessonError) as error:
        runner.find(spec)
    assert "00  Tensors" in str(error.value)


def test_command_line_lists_the_lessons():
    done = subprocess.run([sys.executable, "-m", "lessons"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "00  Tensors" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "lessons", "run", "99"], cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and "no lesson '99'" in bad.stderr and "00  Tensors" in bad.stderr


def _fake_lesson(tmp_path: Path, body: str) -> runner.Lesson:
    path = tmp_path / "98_fake.py"
    path.write_text(body)
    return runner.Lesson(98, "fake", path, "Fake", "a lesson made up by the test")


def test_run_hands_its_options_to_the_lesson_and_restores_the_environment(tmp_path, monkeypatch):
    for key in (runner.FAST_ENV, runner.OUT_ENV, runner.NO_TF_ENV):
        monkeypatch.delenv(key, raising=False)
    seen = tmp_path / "seen.json"
    lesson = _fake_lesson(tmp_path, "import json, os\n"
                                    f"json.dump({{k: os.environ.get(k) for k in {[runner.FAST_ENV, runner.OUT_ENV, runner.NO_TF_ENV]!r}}}, "
                                    f"open({str(seen)!r}, 'w'))\nassert __name__ == '__main__'\n")
    assert runner.run(lesson, fast=True, out=tmp_path / "out", no_tf=True) == 0
    assert json.loads(seen.read_text()) == {runner.FAST_ENV: "1", runner.OUT_ENV: str(tmp_path / "out"),
                                            runner.NO_TF_ENV: "1"}
    assert all(key not in os.environ for key in (runner.FAST_ENV, runner.OUT_ENV, runner.NO_TF_ENV))
    assert runner.run(lesson, out=tmp_path / "out") == 0
    assert json.loads(seen.read_text())[runner.FAST_ENV] == ""


def test_a_failing_lesson_exits_nonzero_with_its_traceback(tmp_path, capsys):
    lesson = _fake_lesson(tmp_path, "x = 1\nraise ZeroDivisionError('planted')\n")
    assert runner.run(lesson, out=tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "ZeroDivisionError: planted" in err and "FAILED" in err


def test_the_write_check_leaves_nothing_behind(tmp_path):
    runner.check_writable(tmp_path / "new" / "folder")
    assert list((tmp_path / "new" / "folder").iterdir()) == []


def test_notebook_holds_the_lesson_and_no_path_of_this_machine(tmp_path):
    pytest.importorskip("jupytext")
    nbformat = pytest.importorskip("nbformat")
    assert runner.main(["notebook", "0", "--out", str(tmp_path)]) == 0
    notebook = nbformat.read(tmp_path / "00_tensors.ipynb", as_version=4)
    nbformat.validate(notebook)
    text = (tmp_path / "00_tensors.ipynb").read_text()
    assert str(REPO) not in text and "sys.path.insert" not in text, "the notebook must run wherever it is opened"
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert markdown[0].startswith("# Lesson 00") and any("$$" in m for m in markdown)
    lesson_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert "L.begin(\"00_tensors\")" in lesson_cells[0].source, "the first code cell is the lesson's own"


@pytest.mark.parametrize("number", ["02", "05"])
def test_a_notebook_executes_in_a_fresh_directory(number, tmp_path, monkeypatch):
    """The notebook from `lessons notebook NN`, moved to an empty folder and run by a Jupyter kernel
    (nbclient), fast and without TF. The kernel finds minitf and lessons as an installed package does:
    on its path (PYTHONPATH stands for `pip install -e .` of this checkout), not through the notebook."""
    pytest.importorskip("jupytext")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient", reason="executing notebooks needs nbclient: pip install -e '.[notebooks]'")
    pytest.importorskip("ipykernel", reason="executing notebooks needs ipykernel: pip install -e '.[notebooks]'")
    written = tmp_path / "written"
    assert runner.main(["notebook", number, "--out", str(written)]) == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    name = next(p.stem for p in LESSON_FILES if p.name.startswith(number))
    (fresh / f"{name}.ipynb").write_bytes((written / f"{name}.ipynb").read_bytes())
    notebook = nbformat.read(fresh / f"{name}.ipynb", as_version=4)
    # One cell added here (not in the file): which minitf and lessons did the kernel import?
    notebook.cells.append(nbformat.v4.new_code_cell("import minitf, lessons\nprint(minitf.__file__, lessons.__file__)"))
    for key, value in {runner.FAST_ENV: "1", runner.NO_TF_ENV: "1", "PYTHONPATH": str(REPO), "MPLBACKEND": ""}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(runner.OUT_ENV, raising=False)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(fresh)}}).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    where = notebook.cells[-1].outputs[0]["text"]
    assert str(REPO / "minitf") in where and str(REPO / "lessons") in where, where
    summary = json.loads((fresh / "lesson_output" / name / "summary.json").read_text())
    assert summary["lesson"] == name and summary["mode"] == "fast" and summary["figures"]
    assert all((fresh / "lesson_output" / name / figure).is_file() for figure in summary["figures"])


def test_notebook_without_jupytext_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "jupytext", None)  # `import jupytext` now raises ImportError
    assert runner.main(["notebook", "0", "--out", str(tmp_path)]) == 2
    assert "pip install jupytext" in capsys.readouterr().err


def test_the_notebook_route_installs_what_it_needs():
    """Issue 12: the README's notebook route needed Jupyter, which no extra installed. The
    'notebooks' extra that lessons/README.md names installs Jupytext and Jupyter (and the lessons'
    own needs), and the README says so."""
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads pyproject.toml")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extra = {re.split(r"[<>=\[ ]", requirement)[0].lower() for requirement in project["optional-dependencies"]["notebooks"]}
    assert {"jupytext", "notebook", "ipykernel", "matplotlib", "scikit-learn"} <= extra, extra
    guide = (REPO / "lessons" / "README.md").read_text()
    assert 'pip install -e ".[notebooks]"' in guide and "python -m lessons notebook" in guide
