"""Lesson 01 (derivatives and gradient descent) runs in fast mode without TF and finds what it claims.

The lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run 01 --fast --no-tf --out DIR``). The checks read its ``summary.json``
and compare with values worked out here independently: the orders of the finite differences
from Taylor's theorem (slopes 1 and 2), the Celsius->Fahrenheit gradient from the formula
written out again in this file, and the least-squares line from ``np.polyfit``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402
from minitf.datasets import celsius_fahrenheit  # noqa: E402

FIGURES = {"finite_difference_error.png", "gradient_descent_1d.png", "loss_surface.png", "loss_vs_step.png"}


@pytest.fixture(scope="module")
def lesson(fast_lesson) -> tuple[dict, Path]:
    """(summary.json of lesson 01 run fast without TF, its output folder)."""
    summary, out = fast_lesson("01")
    assert summary["lesson"] == "01_derivatives_gradient_descent", summary["lesson"]
    return summary, out

def test_finite_difference_error_slopes(lesson):
    outcomes = lesson[0]["outcomes"]
    # Taylor: forward difference error h/2 f'' = O(h), central h^2/6 f''' = O(h^2).
    assert 1.7 <= outcomes["central_slope"] <= 2.3, f"central-difference slope {outcomes['central_slope']}, expected ~2"
    assert 0.8 <= outcomes["forward_slope"] <= 1.2, f"forward-difference slope {outcomes['forward_slope']}, expected ~1"


def test_best_steps_follow_machine_epsilon(lesson):
    """Optimal h ~ sqrt(eps) (forward) and eps^(1/3) (central), within a factor 10 (constants of order 1)."""
    best = lesson[0]["outcomes"]["best_h"]
    for dtype in ("float64", "float32"):
        eps = float(np.finfo(dtype).eps)
        for kind, predicted in (("forward", np.sqrt(eps)), ("central", np.cbrt(eps))):
            h = best[f"{kind}_{dtype}"]["h"]
            assert predicted / 10 <= h <= predicted * 10, f"{dtype} {kind}: best h {h:.2e}, theory ~{predicted:.2e}"
    # float32's floor is far above float64's: the best central error differs by orders of magnitude.
    assert best["central_float64"]["error"] < 1e-9 < best["central_float32"]["error"], best


def test_chain_rule_matches_finite_differences_and_tape(lesson):
    outcomes = lesson[0]["outcomes"]
    # float64 central difference at h = eps^(1/3): error ~ eps^(2/3) * |f| ~ 1e-10; 1e-8 leaves margin.
    assert outcomes["chain_rule_hand_vs_central_difference_max_diff"] < 1e-8, outcomes
    assert outcomes["chain_rule_hand_vs_tape_max_diff"] < 1e-12, outcomes  # float64, same product


def test_one_dimensional_descent_follows_the_contraction_formula(lesson):
    """x_k - 3 = (1 - 2 eta)^k (x_0 - 3) for f = (x - 3)^2 + 1, x_0 = -1, 25 steps (worked out here)."""
    finals = lesson[0]["outcomes"]["gd_1d_final_x"]
    for lr_text, x_final in finals.items():
        expected = 3 + (1 - 2 * float(lr_text)) ** 25 * (-1 - 3)
        assert x_final == pytest.approx(expected, rel=1e-9, abs=1e-9), f"eta {lr_text}: x_25 {x_final}, formula {expected}"
    assert abs(finals["1.05"] - 3) > 4, "eta 1.05 > 1 must diverge"


def test_hand_gradient_equals_tape(lesson):
    outcomes = lesson[0]["outcomes"]
    celsius, fahrenheit = (a.astype(np.float64) for a in celsius_fahrenheit())
    residual = 0.0 * celsius + 0.0 - fahrenheit  # at w = b = 0
    expected = np.array([2 * np.mean(residual * celsius), 2 * np.mean(residual)])
    np.testing.assert_allclose(outcomes["celsius_grad_hand"], expected, rtol=1e-12,
                               err_msg="lesson's hand-derived [dL/dw, dL/db] at w = b = 0")
    # The tape runs in float32: relative 1e-5 is generous for two float32 reductions of 7 numbers.
    np.testing.assert_allclose(outcomes["celsius_grad_tape"], expected, rtol=1e-5,
                               err_msg="minitf tape's [dL/dw, dL/db] at w = b = 0")
    assert outcomes["celsius_hand_vs_tape_max_rel_diff"] < 1e-5, outcomes["celsius_hand_vs_tape_max_rel_diff"]


def test_gradient_descent_finds_the_least_squares_line(lesson):
    outcomes = lesson[0]["outcomes"]
    celsius, fahrenheit = (a.astype(np.float64) for a in celsius_fahrenheit())
    w_ls, b_ls = np.polyfit(celsius, fahrenheit, 1)
    w, b = outcomes["w"], outcomes["b"]
    assert abs(w - w_ls) <= 0.05, f"w {w}, least squares {w_ls} (tol 0.05)"
    assert abs(b - b_ls) <= 1.0, f"b {b}, least squares {b_ls} (tol 1.0)"
    assert abs(w - 1.8) <= 0.05, f"w {w}, expected 1.8 +- 0.05"
    assert abs(b - 32.0) <= 1.0, f"b {b}, expected 32 +- 1"
    # The raw (unstandardized) problem is ill-conditioned: Hessian 2/n [[sum C^2, sum C], [sum C, n]].
    n = celsius.size
    hessian = 2 / n * np.array([[np.sum(celsius**2), np.sum(celsius)], [np.sum(celsius), n]])
    eig = np.linalg.eigvalsh(hessian)
    assert outcomes["condition_number_raw"] == pytest.approx(eig[-1] / eig[0], rel=1e-9)
    assert abs(outcomes["raw_b"] - b_ls) > 1.0, "fast-mode raw descent should still be short of the intercept"


def test_figures_are_valid_pngs(lesson):
    check_figures(*lesson, FIGURES)

def test_the_numbers_in_the_prose_are_the_datas():
    """Issue 12: the text said |C| 'reaches 38' (it is 40) and float32's round-off line was '10^9
    times higher' (it is 2^29 ~ 5.4e8). The numbers the prose of lessons 01 and 05 quotes are
    computed here from the data and from float32/float64's epsilons."""
    repo = Path(__file__).resolve().parent.parent
    lesson_01 = (repo / "lessons" / "01_derivatives_gradient_descent.py").read_text()
    lesson_05 = (repo / "lessons" / "05_first_neuron.py").read_text()
    celsius, _ = (a.astype(np.float64) for a in celsius_fahrenheit())
    largest = int(np.max(np.abs(celsius)))
    assert largest == 40, largest
    assert f"reaches {largest}" in lesson_01 and f"reaches {largest}" in lesson_05
    assert "reach 38" not in lesson_01 + lesson_05 and "reaches 38" not in lesson_01 + lesson_05
    assert f"\\sum C_i^2 = {int(np.sum(celsius ** 2))}$ against $n = {celsius.size}$" in lesson_01
    ratio = np.finfo(np.float32).eps / np.finfo(np.float64).eps
    assert ratio == 2.0 ** 29 and f"{ratio:.0e}" == "5e+08"
    assert "$5 \\times 10^8$ times higher" in lesson_01 and "2^{29}" in lesson_01 and "10^9" not in lesson_01
