"""Lesson 04 (optimizers) runs in fast mode without TensorFlow and finds what it claims.

The lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run 04 --fast --no-tf --out DIR``) and writes ``summary.json``. The tests
check that the hand-written optimizer rules equal ``minitf.keras.optimizers`` step by step; where a
value can be worked out independently, it is: plain SGD on the diagonal quadratic has a closed-form
path, the Rosenbrock start has a known loss, Adam's folded factor has a formula, and for a constant
gradient Adam's step is the learning rate. Every figure listed must be a PNG matplotlib reads back.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402

RULES = ("SGD", "momentum", "Nesterov", "RMSprop", "Adam")


def test_lesson_04_hand_rules_equal_minitf_optimizers(fast_lesson):
    summary, _ = fast_lesson("04")
    outcomes = summary["outcomes"]
    by_problem = outcomes["hand_vs_minitf_max_diff_by_problem"]
    assert set(by_problem) == {"quadratic", "rosenbrock"}, f"lesson 04: problems {sorted(by_problem)}"
    for problem, diffs in by_problem.items():
        assert set(diffs) == set(RULES), f"lesson 04, {problem}: rules {sorted(diffs)}, expected {RULES}"
        bad = {rule: d for rule, d in diffs.items() if not 0 <= d <= 1e-6}
        assert not bad, f"lesson 04, {problem}: hand-written rule differs from minitf.keras.optimizers by {bad}"
    # Keras's order of operations, replicated in float32, gives the same bits: exactly 0, every step.
    assert by_problem["quadratic"]["Adam"] == 0.0 and by_problem["rosenbrock"]["Adam"] == 0.0, \
        f"lesson 04: hand Adam vs minitf Adam {by_problem['quadratic']['Adam']}, {by_problem['rosenbrock']['Adam']}"
    assert outcomes["hand_vs_minitf_max_diff"] == {r: max(by_problem[p][r] for p in by_problem) for r in RULES}
    steps = outcomes["steps"]
    assert steps["quadratic"] >= 50 and steps["rosenbrock"] >= 50, f"lesson 04: too few steps checked: {steps}"


def test_lesson_04_sgd_path_matches_the_closed_form(fast_lesson):
    """On f = (x^2 + 100 y^2)/2, SGD multiplies x by (1 - lr) and y by (1 - 100 lr) each step."""
    summary, _ = fast_lesson("04")
    outcomes = summary["outcomes"]
    lr, t = outcomes["learning_rates"]["quadratic"]["SGD"], outcomes["steps"]["quadratic"]
    x0, y0 = outcomes["start"]["quadratic"]
    x, y = x0 * (1 - lr) ** t, y0 * (1 - 100 * lr) ** t
    expected = 0.5 * (x * x + 100 * y * y)
    got = outcomes["final_loss"]["quadratic"]["SGD"]
    assert math.isclose(got, expected, rel_tol=1e-4), \
        f"lesson 04: SGD loss after {t} steps is {got}, closed form gives {expected} (rtol 1e-4)"
    assert math.isclose(outcomes["initial_loss"]["quadratic"], 0.5 * (x0 * x0 + 100 * y0 * y0), rel_tol=1e-6)
    rx, ry = outcomes["start"]["rosenbrock"]
    assert math.isclose(outcomes["initial_loss"]["rosenbrock"], (1 - rx) ** 2 + 100 * (ry - rx * rx) ** 2,
                        rel_tol=1e-6)


def test_lesson_04_every_rule_makes_progress_and_figures_are_pngs(fast_lesson):
    summary, out = fast_lesson("04")
    outcomes = summary["outcomes"]
    for problem, losses in outcomes["final_loss"].items():
        start = outcomes["initial_loss"][problem]
        # Fast mode runs few steps (the adaptive rules are still on Rosenbrock's valley floor): ask for half.
        slow = {rule: loss for rule, loss in losses.items() if not loss < 0.5 * start}
        assert not slow, f"lesson 04, {problem}: rules that did not halve the loss from {start}: {slow}"
    # The textbook ordering of Adam is the same math: its path stays within float32 noise of Keras's.
    for problem, d in outcomes["textbook_adam_vs_keras_order_max_diff"].items():
        assert 0 <= d < 1e-4, f"lesson 04, {problem}: textbook Adam strays {d} from Keras-order Adam"
    check_figures(summary, out, {"quadratic_paths.png", "rosenbrock_paths.png", "adam_bias_correction.png"})


def test_lesson_04_adam_factor_dips_while_the_step_stays_the_learning_rate(fast_lesson):
    """sqrt(1 - 0.999^t) / (1 - 0.9^t), worked out here: 0.316 at t = 1, its minimum ~0.152 at t = 12.
    For a constant gradient, m_hat = g and sqrt(v_hat) = |g|: every step is the learning rate (float32)."""
    outcomes = fast_lesson("04")[0]["outcomes"]
    t = np.arange(1, 5001)
    factor = np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
    assert outcomes["adam_factor"]["minimum_at"] == int(t[np.argmin(factor)]) == 12
    assert math.isclose(outcomes["adam_factor"]["minimum"], float(factor.min()), rel_tol=1e-12)
    assert math.isclose(outcomes["adam_factor"]["t1"], math.sqrt(0.001) / 0.1, rel_tol=1e-12)
    step = outcomes["adam_constant_gradient_step"]
    # epsilon_hat = 1e-7 / sqrt(1 - 0.999^t) shortens the first steps by ~3e-6; float32 rounding of
    # w (which grows to 50) moves each step by a few 1e-5 of the learning rate.
    assert 0.999 < step["min"] <= step["max"] < 1.001, step


def test_lesson_04_powers_are_computed_as_tf_does():
    """The lesson's `power` must give TF's correctly rounded float32 value on every CPU: 0.9^4 = 0.6560999
    (NumPy's float32 power gives 0.6561 on CPUs with AVX-512)."""
    from minitf._tf_compat import pow_rounded_array

    assert pow_rounded_array(np.float32(0.9), 4) == np.float32(0.6560999)
    source = (__import__("pathlib").Path(__file__).resolve().parent.parent / "lessons" / "04_optimizers.py").read_text()
    assert "np.power(self.b" not in source and "self.b1 ** self.t" not in source, \
        "lesson 04 computes a float32 power of beta directly: use power(), TF's rounding"


def test_lesson_04_states_the_epsilon_that_makes_the_textbook_rule_keras():
    """Issue 12: the text had eps_hat = eps * sqrt(1 - beta2^t); the relation that makes the textbook
    rule eta * m_hat / (sqrt(v_hat) + eps_hat) equal Keras's alpha_t * m / (sqrt(v) + eps) is
    eps_hat = eps / sqrt(1 - beta2^t). Worked out here in float64, on a gradient small enough for eps to
    matter, over 30 steps; the stated relation is then the lesson's."""
    from pathlib import Path

    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    rng = np.random.default_rng(0)
    m = v = 0.0
    right, wrong = [], []
    for t in range(1, 31):
        g = 1e-7 * rng.standard_normal()
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        keras = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (math.sqrt(v) + eps)
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        right.append(abs(lr * m_hat / (math.sqrt(v_hat) + eps / math.sqrt(1 - b2 ** t)) - keras) / abs(keras))
        wrong.append(abs(lr * m_hat / (math.sqrt(v_hat) + eps * math.sqrt(1 - b2 ** t)) - keras) / abs(keras))
    assert max(right) < 1e-12 and min(wrong) > 0.1, (max(right), min(wrong))
    text = (Path(__file__).resolve().parent.parent / "lessons" / "04_optimizers.py").read_text()
    assert r"\hat\epsilon = \epsilon / \sqrt{1 - \beta_2^t}" in text
    assert r"\epsilon \sqrt{1 - \beta_2^t}" not in text and r"\epsilon\sqrt{1 - \beta_2^t}" not in text
