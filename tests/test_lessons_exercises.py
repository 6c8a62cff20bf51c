"""``python -m lessons check NN``: the shipped solutions pass, wrong answers fail with a message a
learner can act on, an untouched template is 'not answered yet', and the first run copies it.

Each wrong answer is a worked solution with one mistake a learner makes (a sum for a mean, an
accumulator started at 0, the test rows scaled by their own minimum ...), written to a temporary
file and checked through the runner's command line, as a learner would.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from lessons import runner
from lessons.exercises import checking

LESSONS_WITH_EXERCISES = sorted(p.name[:2] for p in checking.TEMPLATES.glob("[0-9][0-9]_answers.py"))


def check(capsys, *argv) -> tuple[int, str]:
    rc = runner.main(["check", *argv])
    captured = capsys.readouterr()
    return rc, captured.out + captured.err


def test_every_lesson_of_part_a_and_b_has_checked_exercises():
    assert LESSONS_WITH_EXERCISES == ["00", "01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("number", LESSONS_WITH_EXERCISES)
def test_the_shipped_solutions_pass(number, capsys):
    rc, printed = check(capsys, number, "--solutions")
    n = len(checking.checks_of(__import__(f"lessons.exercises.checks_{number}", fromlist=["_"])))
    assert rc == 0 and f"{n} of {n} pass." in printed, printed


@pytest.mark.parametrize("number", LESSONS_WITH_EXERCISES)
def test_template_solution_lesson_and_checks_name_the_same_functions(number):
    """Each function a check needs is stubbed in the template (raising NotImplementedError), written in the
    solution, and named '(checked: `...`)' in the lesson's exercises cell."""
    template = checking.template_path(number).read_text()
    solution = (checking.SOLUTIONS / f"{number}_answers.py").read_text()
    checks = Path(checking.__file__).with_name(f"checks_{number}.py").read_text()
    lesson = runner.find(number).path.read_text().split("## Exercises")[-1]
    needed = set(re.findall(r'need\(answers, "(\w+)"\)', checks))
    assert needed, f"checks_{number}.py names no function"
    for name in needed:
        assert re.search(rf"^(def|class) {name}\b", template, re.M), f"template {number} has no stub for {name}"
        assert re.search(rf"^(def|class) {name}\b", solution, re.M), f"solution {number} has no {name}"
    named = set(re.findall(r"`(\w+)(?:\.\w+)?`", " ".join(re.findall(r"\(checked: ([^)]*)\)", lesson))))
    assert needed <= named, f"lesson {number}'s exercises cell does not name {sorted(needed - named)}"
    assert template.count("raise NotImplementedError") >= len(needed) and "NotImplementedError" not in solution


@pytest.mark.parametrize("number", LESSONS_WITH_EXERCISES)
def test_the_first_run_copies_the_template_and_then_reports_nothing_answered(number, tmp_path, capsys):
    answers = tmp_path / "mine" / f"{number}_answers.py"
    rc, printed = check(capsys, number, "--answers", str(answers))
    assert rc == 1 and "copied the template" in printed and str(answers) in printed, printed
    assert answers.read_text() == checking.template_path(number).read_text()
    rc, printed = check(capsys, number, "--answers", str(answers))
    assert rc == 1 and re.search(r"^0 of \d+ pass; \d+ not answered yet\.$", printed, re.M), printed


WRONG_ANSWERS = {
    # lesson: (text of the solution, the mistake, what the message must say)
    "00": ("tf.matmul(a, tf.transpose(b))", "tf.matmul(tf.transpose(a), b)", ["(300, 300)", "Transpose the second"]),
    "01": ("return np.mean(signs * celsius), np.mean(signs)", "return np.sum(signs * celsius), np.mean(signs)",
           ["with respect to w", "finite differences"]),
    "02": ("self.grad += (out.data > 0) * out.grad", "self.grad += out.grad",
           ["relu neuron", "finite differences", "gradcheck"]),
    "03": ("return dy * minitf.sigmoid(ctx.inputs[0])", "return dy * ctx.output",
           ["Softplus", "with respect to x"]),
    "04": ("self.accumulator = np.full_like(w, self.initial)", "self.accumulator = np.zeros_like(w)",
           ["after step 1", "start at 0.1"]),
    "05": ("        optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))\n"
           "        losses.append(float(loss.numpy()))",
           "        optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))\n"
           "        losses.append(float(minitf.reduce_mean(minitf.square(w * c + b - f)).numpy()))",
           ["before the step"]),
    "06": ("low, high = train.min(axis=0), train.max(axis=0)  # the test rows must stay unseen, even here\n"
           "    return (train - low) / (high - low), (test - low) / (high - low)",
           "low, high = train.min(axis=0), train.max(axis=0)\n"
           "    t_low, t_high = test.min(axis=0), test.max(axis=0)\n"
           "    return (train - low) / (high - low), (test - t_low) / (t_high - t_low)",
           ["test rows' own min and max"]),
    "07": ("return x * keep / (1 - rate)", "return x * keep", ["1/(1 - rate)"]),
}


@pytest.mark.parametrize("number", sorted(WRONG_ANSWERS))
def test_a_wrong_answer_fails_with_a_helpful_message(number, tmp_path, capsys):
    right, wrong, expected = WRONG_ANSWERS[number]
    solution = (checking.SOLUTIONS / f"{number}_answers.py").read_text()
    assert solution.count(right) == 1, f"the solution of lesson {number} changed: update the planted mistake"
    answers = tmp_path / f"{number}_answers.py"
    answers.write_text(solution.replace(right, wrong))
    rc, printed = check(capsys, number, "--answers", str(answers))
    assert rc == 1, printed
    failing = [line for line in printed.splitlines() if line.strip().startswith("FAIL")]
    assert len(failing) == 1, f"one planted mistake, one failing exercise:\n{printed}"
    for fragment in expected:
        assert fragment in printed, f"the message should say {fragment!r}:\n{printed}"


def test_an_error_in_the_learners_code_names_the_line(tmp_path, capsys):
    solution = (checking.SOLUTIONS / "07_answers.py").read_text()
    answers = tmp_path / "07_answers.py"
    answers.write_text(solution.replace("    e = np.exp(z - z.max(axis=1, keepdims=True))",
                                        "    e = np.exp(z - z.max(axis=1, keepdims=True))\n    e = e[7, 7, 7]"))
    rc, printed = check(capsys, "07", "--answers", str(answers))
    assert rc == 1 and "IndexError" in printed and "your line" in printed and "e = e[7, 7, 7]" in printed, printed


def test_an_answers_file_that_does_not_import_is_reported(tmp_path, capsys):
    answers = tmp_path / "00_answers.py"
    answers.write_text("import minitf as tf\ndef matmul_of(a, b)\n    return a\n")
    rc, printed = check(capsys, "00", "--answers", str(answers))
    assert rc == 1 and "SyntaxError" in printed, printed


def test_a_lesson_without_exercises_says_so(capsys):
    rc, printed = check(capsys, "12")
    assert rc == 2 and "no checked exercises" in printed
