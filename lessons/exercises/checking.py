"""What ``python -m lessons check NN`` runs: a lesson's checks on a learner's answers file.

A lesson's checks live in ``checks_NN.py``: functions decorated with ``@exercise("3", "title")``
that receive the learner's answers (the imported file) and raise ``Failed`` with a message a
learner can act on ("expected shape (5, 5), got (5, 300): transpose the second matrix"). The
helpers here say the common things the same way: a missing function, numbers that differ, and,
for hand-derived derivatives, a ``gradcheck`` that names the input and the element that is off.
"""
from __future__ import annotations

import importlib
import importlib.util
import shutil
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Sequence

import numpy as np

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
SOLUTIONS = HERE.parent / "solutions"


class Failed(Exception):
    """An answer that is wrong; the message says what was expected and what came back."""


@dataclass
class Result:
    number: str
    title: str
    status: str  # "ok", "FAIL", "todo"
    message: str = ""


def exercise(number: str, title: str):
    """Mark a function of a checks module as the check of exercise ``number``."""
    def mark(check: Callable[[ModuleType], str | None]):
        check.exercise = (str(number), title)
        return check
    return mark


def checks_of(module: ModuleType) -> list[Callable]:
    """The module's checks, in the order they are written."""
    return [fn for fn in vars(module).values() if callable(fn) and hasattr(fn, "exercise")]


# --- what a check says ------------------------------------------------------------------------
def need(answers: ModuleType, name: str) -> Any:
    """``answers.name``, or a Failed that says where to find it."""
    if not hasattr(answers, name):
        raise Failed(f"your answers file has no `{name}`: copy its stub from the template "
                     f"(lessons/exercises/templates/) and fill it in")
    return getattr(answers, name)


def as_array(value: Any, what: str) -> np.ndarray:
    """A tensor, array or number as a float64 NumPy array (tensors through ``.numpy()``)."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Failed(f"{what} should be numbers (a tensor, an array or a float), got {type(value).__name__}: "
                     f"{value!r:.80}") from None


def close(what: str, got: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Fail unless ``got`` has ``expected``'s shape and values (within rtol/atol)."""
    got_a, expected_a = as_array(got, what), np.asarray(expected, dtype=np.float64)
    if got_a.shape != expected_a.shape:
        raise Failed(f"{what}: expected shape {expected_a.shape}, got {got_a.shape}")
    bad = ~np.isclose(got_a, expected_a, rtol=rtol, atol=atol)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {index}" if got_a.ndim else ""
        raise Failed(f"{what}{where}: expected {expected_a[index]:.8g}, got {got_a[index]:.8g} "
                     f"({int(bad.sum())} of {bad.size} numbers differ by more than rtol {rtol:g}, atol {atol:g})")


def gradient_op(forward: Callable, gradient: Callable, name: str = "YourFunction"):
    """An op made of a hand-written function and its hand-written derivative.

    ``forward(*arrays)`` computes the value with NumPy; ``gradient(*arrays)`` returns, for each
    input, the derivative of that value with respect to it, with the input's shape: for a scalar
    value (a loss), its gradient; for an elementwise function, the derivative at every element.
    The op's backward pass multiplies the upstream gradient by them, as every op's backward does,
    so ``minitf.testing.gradcheck`` can judge the hand-written derivative against finite differences.
    """
    from minitf import constant
    from minitf.ops.op import Op

    def backward(ctx, dy):
        arrays = [x.numpy() for x in ctx.inputs]
        grads = gradient(*arrays)
        grads = grads if isinstance(grads, (tuple, list)) else (grads,)
        if len(grads) != len(arrays):
            raise Failed(f"{name}'s gradient returned {len(grads)} arrays for {len(arrays)} inputs")
        out = []
        for k, (g, a) in enumerate(zip(grads, arrays)):
            g = as_array(g, f"{name}'s gradient for input {k}")
            if g.shape != a.shape:
                raise Failed(f"{name}'s gradient for input {k} has shape {g.shape}, the input has shape {a.shape}: "
                             f"a gradient has its input's shape")
            out.append(dy * constant(g))
        return tuple(out) if len(out) > 1 else out[0]

    def forward_on_host(*arrays):
        """The learner's NumPy function, on host copies of the inputs; its value goes back to the backend's
        arrays (the same arrays under NumPy; a device upload under CuPy)."""
        from minitf import array_backend as backend

        value = np.asarray(forward(*[backend.to_numpy(a) for a in arrays]), dtype=np.float64)
        return backend.xp.asarray(value)

    return type(name, (Op,), {"forward": forward_on_host, "backward": backward})


def check_gradient(name: str, op_apply: Callable, inputs: Sequence[Any], input_names: Sequence[str]) -> str:
    """``gradcheck`` of ``op_apply`` at ``inputs`` (float64); a Failed naming the input and element that
    is off, or a one-line note of how close it came."""
    from minitf.testing import gradcheck

    result = gradcheck(op_apply, [np.asarray(x, dtype=np.float64) for x in inputs], raise_on_failure=False)
    if not result.ok:
        which = input_names[result.worst_input]
        index = f"[{', '.join(map(str, result.worst_index))}]" if result.worst_index else ""
        raise Failed(f"{name}: your derivative with respect to {which}{index} is {result.analytic:.8g}, but finite "
                     f"differences of the function give {result.numeric:.8g} (gradcheck)")
    return f"gradcheck ok, largest relative error {result.max_rel_error:.1e}"


# --- running the checks -----------------------------------------------------------------------
def template_path(number: str) -> Path:
    return TEMPLATES / f"{number}_answers.py"


def default_answers_path(number: str) -> Path:
    return HERE / f"{number}_answers.py"


def load_answers(path: Path) -> ModuleType:
    """Import the answers file at ``path`` as a fresh module."""
    spec = importlib.util.spec_from_file_location(f"lesson_answers_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _your_code(error: BaseException, path: Path) -> str:
    """The error, with the last line of the answers file it went through."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    where = f" (your line {frames[-1].lineno}: {frames[-1].line.strip()})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def run_checks(number: str, path: Path) -> list[Result]:
    """Run lesson ``number``'s checks on the answers at ``path``."""
    checks = importlib.import_module(f"lessons.exercises.checks_{number}")
    try:
        answers = load_answers(path)
    except Exception as error:  # noqa: BLE001 (any error in the learner's file is reported, not raised)
        return [Result("-", f"importing {path.name}", "FAIL", _your_code(error, path))]
    results = []
    for check in checks_of(checks):
        number_, title = check.exercise
        try:
            note = check(answers)
            results.append(Result(number_, title, "ok", note or ""))
        except NotImplementedError:
            results.append(Result(number_, title, "todo", "not answered yet"))
        except Failed as error:
            results.append(Result(number_, title, "FAIL", str(error)))
        except Exception as error:  # noqa: BLE001 (the learner's code raised: show where)
            results.append(Result(number_, title, "FAIL", _your_code(error, path)))
    return results


def report(number: str, path: Path, results: list[Result]) -> int:
    """Print one line per exercise and a total; 0 if every exercise passes, else 1."""
    print(f"lesson {number}'s exercises, checked in {path}")
    for r in results:
        inline = r.status != "FAIL" and r.message
        print(f"  {r.status:<4}  {r.number}. {r.title}" + (f": {r.message}" if inline else ""))
        if r.status == "FAIL":
            for line in r.message.splitlines():
                print(f"        {line}")
    passed = sum(r.status == "ok" for r in results)
    failed = sum(r.status == "FAIL" for r in results)
    todo = sum(r.status == "todo" for r in results)
    print(f"{passed} of {len(results)} pass" + (f"; {failed} fail" if failed else "")
          + (f"; {todo} not answered yet" if todo else "") + ".")
    return 0 if passed == len(results) else 1


def check(number: str, answers: Path | None = None, solutions: bool = False) -> int:
    """``python -m lessons check NN``: copy the template on first use, then check the answers."""
    if not template_path(number).is_file():
        print(f"lesson {number} has no checked exercises", file=sys.stderr)
        return 2
    if solutions:
        path = SOLUTIONS / f"{number}_answers.py"
    else:
        path = Path(answers) if answers is not None else default_answers_path(number)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template_path(number), path)
            print(f"No answers yet: copied the template to {path}.\n"
                  f"Fill in the functions marked TODO there, then run: python -m lessons check {number}"
                  + (f" --answers {path}" if answers is not None else ""))
            return 1
    return report(number, path, run_checks(number, path))
