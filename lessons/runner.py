"""``python -m lessons``: list the lessons, run one, or write one as a notebook.

    python -m lessons                       list the lessons, one line each
    python -m lessons run 02 [--fast] [--out DIR] [--no-tf]
    python -m lessons notebook 02 [--out DIR]
    python -m lessons check 02 [--answers FILE] [--solutions]

A lesson is ``lessons/NN_slug.py``, a Jupytext percent-format file that runs as
a plain script. Its first markdown cell holds its title (``# # Lesson NN: Title``)
and a one-line summary (``# > ...``): the listing reads them from the text,
without running anything. ``run`` passes its options to the lesson through the
environment variables that ``lessons/_common.py`` reads, then runs the file with
``runpy.run_path`` in a fresh namespace (file names start with a digit, so they
cannot be imported as modules).
"""
from __future__ import annotations

import argparse
import os
import re
import runpy
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

LESSONS_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = Path("lesson_output")

FAST_ENV, OUT_ENV, NO_TF_ENV = "MINITF_LESSON_FAST", "MINITF_LESSON_OUT", "MINITF_LESSON_NO_TF"

_FILE = re.compile(r"^(\d\d)_([a-z0-9_]+)\.py$")
_TITLE = re.compile(r"^#\s*#\s+(?:Lesson\s+\d+\s*[:.·-]\s*)?(.+?)\s*$")
_SUMMARY = re.compile(r"^#\s*>\s*(.+?)\s*$")


class LessonError(Exception):
    """Bad input to the runner: an unknown lesson, an output folder that cannot be written."""


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    path: Path
    title: str
    summary: str

    @property
    def name(self) -> str:
        """``NN_slug``, the file's stem and the default output folder's name."""
        return f"{self.number:02d}_{self.slug}"


def _header(path: Path) -> tuple[str, str]:
    """Title and one-line summary from the first markdown cell of a lesson file."""
    title = summary = ""
    in_markdown = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            if in_markdown:
                break  # only the first markdown cell counts
            in_markdown = "[markdown]" in line
            continue
        if not in_markdown:
            continue
        if not title and (m := _TITLE.match(line)):
            title = m.group(1)
        elif not summary and (m := _SUMMARY.match(line)):
            summary = m.group(1)
    return title or path.stem, summary


def discover(directory: Path = LESSONS_DIR) -> list[Lesson]:
    """Every ``NN_slug.py`` lesson in ``directory``, in order."""
    lessons = []
    for path in sorted(directory.glob("[0-9][0-9]_*.py")):
        m = _FILE.match(path.name)
        if m:
            title, summary = _header(path)
            lessons.append(Lesson(int(m.group(1)), m.group(2), path, title, summary))
    return lessons


def listing(lessons: Sequence[Lesson]) -> str:
    """One line per lesson: number, title, summary."""
    width = max((len(lesson.title) for lesson in lessons), default=0)
    return "\n".join(f"  {lesson.number:02d}  {lesson.title:<{width}}  {lesson.summary}" for lesson in lessons)


def find(spec: str, lessons: Sequence[Lesson] | None = None) -> Lesson:
    """The lesson named by ``spec``: ``5``, ``05``, ``05_first_neuron`` (``.py`` allowed)."""
    lessons = discover() if lessons is None else lessons
    text = str(spec).strip()
    if text.endswith(".py"):
        text = text[:-3]
    m = re.fullmatch(r"(\d{1,2})(?:_([a-z0-9_]+))?", text)
    if m:
        number, slug = int(m.group(1)), m.group(2)
        for lesson in lessons:
            if lesson.number == number and (slug is None or slug == lesson.slug):
                return lesson
    raise LessonError(f"no lesson {spec!r}. The lessons are:\n{listing(lessons)}\n"
                      "Name one by its number (5 or 05) or its file name (05_first_neuron).")


def check_writable(directory: Path) -> Path:
    """Create ``directory`` and prove a file can be written there, before any work starts."""
    directory = Path(directory)
    probe = directory / f".minitf_write_probe_{os.getpid()}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"probe")
        probe.unlink()
    except OSError as e:
        raise LessonError(f"cannot write to the output folder {directory}: {e.strerror or e}") from None
    return directory


def run(lesson: Lesson, fast: bool = False, out: Path | None = None, no_tf: bool = False) -> int:
    """Run one lesson in a fresh namespace; 0 on success, 1 if the lesson raised."""
    out = check_writable(Path(out) if out is not None else DEFAULT_OUT / lesson.name)
    settings = {FAST_ENV: "1" if fast else "", OUT_ENV: str(out), NO_TF_ENV: "1" if no_tf else ""}
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    started = time.perf_counter()
    try:
        runpy.run_path(str(lesson.path), run_name="__main__")
    except SystemExit as e:  # a lesson that calls sys.exit(0) has still finished
        if e.code not in (None, 0):
            print(f"lesson {lesson.name} exited with {e.code}", file=sys.stderr)
            return 1
    except Exception:  # noqa: BLE001 (report any failure of the lesson, then exit non-zero)
        traceback.print_exc()
        print(f"lesson {lesson.name} FAILED after {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return 1
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    print(f"lesson {lesson.name} finished in {time.perf_counter() - started:.1f} s; output in {out}  [measured]")
    return 0


def write_notebook(lesson: Lesson, out: Path | None = None) -> Path:
    """Convert the lesson to ``<out>/<name>.ipynb`` with Jupytext (imported only here).

    The notebook is the lesson's cells and nothing else: no path of this machine is written into
    it. Its kernel imports ``minitf`` and ``lessons`` as any package, so it runs wherever it is
    opened once the package is installed (``pip install -e ".[notebooks]"`` from the repository)."""
    out = check_writable(Path(out) if out is not None else DEFAULT_OUT / lesson.name)
    try:
        import jupytext
    except ImportError:
        raise LessonError("writing notebooks needs Jupytext: pip install jupytext "
                          "(or pip install -e '.[notebooks]', which also installs Jupyter)") from None
    notebook = jupytext.read(lesson.path, fmt="py:percent")
    path = out / f"{lesson.name}.ipynb"
    jupytext.write(notebook, path, fmt="ipynb")
    return path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lessons",
                                     description="The minitf course: list, run, or export the lessons.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("list", help="list the lessons (the default)")
    run_p = sub.add_parser("run", help="run one lesson")
    run_p.add_argument("lesson", help="its number (5 or 05) or file name (05_first_neuron)")
    run_p.add_argument("--fast", action="store_true", help="a shrunken run, seconds long (for tests)")
    run_p.add_argument("--out", type=Path, help="output folder (default lesson_output/NN_slug)")
    run_p.add_argument("--no-tf", action="store_true", help="do not compare with TensorFlow")
    nb_p = sub.add_parser("notebook", help="write one lesson as a Jupyter notebook (.ipynb)")
    nb_p.add_argument("lesson", help="its number (5 or 05) or file name (05_first_neuron)")
    nb_p.add_argument("--out", type=Path, help="output folder (default lesson_output/NN_slug)")
    check_p = sub.add_parser("check", help="check your answers to a lesson's exercises")
    check_p.add_argument("lesson", help="its number (5 or 05) or file name (05_first_neuron)")
    check_p.add_argument("--answers", type=Path,
                         help="your answers file (default lessons/exercises/NN_answers.py, copied from the "
                              "template on first use)")
    check_p.add_argument("--solutions", action="store_true", help="check the worked solutions instead")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status (0 ok, 1 lesson failed, 2 bad input)."""
    args = _parser().parse_args(argv)
    lessons = discover()
    try:
        if args.command in (None, "list"):
            print(f"The minitf lessons ({len(lessons)}); run one with: python -m lessons run NN [--fast]")
            print(listing(lessons))
            return 0
        lesson = find(args.lesson, lessons)
        if args.command == "run":
            return run(lesson, fast=args.fast, out=args.out, no_tf=args.no_tf)
        if args.command == "check":
            from lessons.exercises import checking

            return checking.check(f"{lesson.number:02d}", answers=args.answers, solutions=args.solutions)
        path = write_notebook(lesson, args.out)
        print(f"wrote {path}")
        return 0
    except LessonError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
