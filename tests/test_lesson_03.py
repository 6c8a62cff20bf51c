"""Lessons 03 (backprop through layers) and 04 (optimizers) run in fast mode without TensorFlow.

Each lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run NN --fast --no-tf --out DIR``) and writes ``summary.json``. The tests
check what the lesson claims there: its hand-derived gradients equal minitf's tape, gradcheck
passes (and catches the planted bug), softmax-crossentropy's gradient is p - y, the hand-written
optimizer rules equal ``minitf.keras.optimizers`` step by step. Where a value can be worked out
independently, it is: plain SGD on the diagonal quadratic has a closed-form path, and the
Rosenbrock start has a known loss. Every figure listed must be a PNG matplotlib reads back.
"""
from __future__ import annotations

import math

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402

RULES = ("SGD", "momentum", "Nesterov", "RMSprop", "Adam")


# ---------------------------------------------------------------------------------------- lesson 03
def test_lesson_03_hand_backward_passes_equal_the_tape(fast_lesson):
    summary, _ = fast_lesson("03")
    outcomes = summary["outcomes"]
    # float32 formulas against float32 tape: a few units in the last place, far below 1e-5.
    for key in ("dense_hand_vs_tape_max_diff", "two_layer_hand_vs_tape_max_diff"):
        assert 0 <= outcomes[key] < 1e-5, f"lesson 03: {key} = {outcomes[key]} (tolerance 1e-5)"
    per_rule = outcomes["hand_vs_tape_max_diff"]
    expected = {"matmul", "bias", "broadcast", "sigmoid", "tanh", "relu", "softmax_jacobian", "dense", "two_layer"}
    assert expected <= set(per_rule), f"lesson 03: hand-vs-tape checks missing: {sorted(expected - set(per_rule))}"
    worse = {k: v for k, v in per_rule.items() if not 0 <= v < 1e-5}
    assert not worse, f"lesson 03: hand formula and tape differ by more than 1e-5: {worse}"
    # relu's derivative is exactly 0 or 1 (0 at the kink, as TF): nothing to round.
    assert per_rule["relu"] == 0.0, f"lesson 03: relu derivative differs from [x > 0] by {per_rule['relu']}"


def test_lesson_03_softmax_crossentropy_gradient_is_p_minus_y(fast_lesson):
    summary, _ = fast_lesson("03")
    d = summary["outcomes"]["softmax_ce_grad_vs_p_minus_y_max_diff"]
    # (p - y)/N is at most 1/6 here; float32 rounding of softmax leaves ~1e-8.
    assert 0 <= d < 1e-6, f"lesson 03: tape's softmax-CE gradient differs from (p - y)/N by {d} (tolerance 1e-6)"


def test_lesson_03_gradcheck_passes_and_catches_the_bug(fast_lesson):
    summary, _ = fast_lesson("03")
    outcomes = summary["outcomes"]
    for key in ("gradcheck_op", "gradcheck_net"):
        assert outcomes[f"{key}_ok"] is True, f"lesson 03: {key} failed: {outcomes[key]}"
        assert outcomes[key].startswith("gradcheck ok"), f"lesson 03: {key} printed {outcomes[key]!r}"
    assert outcomes["gradcheck_buggy_op_caught"] is True, "lesson 03: gradcheck missed the sigmoid without (1 - y)"


def test_lesson_03_moons_network_trains(fast_lesson):
    summary, out = fast_lesson("03")
    outcomes = summary["outcomes"]
    first, final = outcomes["moons_first_loss"], outcomes["moons_final_loss"]
    # Two balanced classes: an untrained net is near chance, log 2 = 0.693 (its random weights add a little).
    assert 0.5 < first < 1.2, f"lesson 03: initial moons loss {first}, expected near log 2"
    assert final < 0.25 * first, f"lesson 03: moons loss only fell from {first} to {final}"
    assert outcomes["moons_accuracy"] >= 0.9, f"lesson 03: moons accuracy {outcomes['moons_accuracy']} < 0.9"
    check_figures(summary, out, {"activations_and_derivatives.png", "moons_training.png"})


# ---------------------------------------------------------------------------------------- lesson 04
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
