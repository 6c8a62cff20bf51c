"""Lesson 03 (backprop through layers) runs in fast mode without TensorFlow and finds what it claims.

The lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run 03 --fast --no-tf --out DIR``) and writes ``summary.json``. The tests
check what the lesson claims there: its hand-derived gradients equal minitf's tape, gradcheck
passes (and catches the planted bug), softmax-crossentropy's gradient is p - y, every node of the
drawn neuron graph carries the gradient worked out here by the chain rule, and the moons network
trains. Every figure listed must be a PNG matplotlib reads back.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402


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




def test_lesson_03_graph_nodes_carry_the_chain_rule_gradients(fast_lesson):
    """The drawn neuron L = (sigmoid(w.x + b) - y)^2 at x = (1, 2), w = (0.5, -0.3), b = 0.3, y = 1:
    each node's gradient, worked out here in float64 by the chain rule, against the lesson's tape."""
    summary, out = fast_lesson("03")
    assert summary["outcomes"]["hand_vs_tape_max_diff"]["graph"] < 1e-6
    graph = summary["outcomes"]["graph_gradients"]
    x, w, b, y = np.array([1.0, 2.0]), np.array([0.5, -0.3]), 0.3, 1.0
    p = 1 / (1 + math.exp(-(w @ x + b)))
    e_bar = 2 * (p - y)
    z_bar = e_bar * p * (1 - p)
    expected = {"L": 1.0, "e": e_bar, "p": e_bar, "z": z_bar, "s": z_bar, "b": z_bar, "wx": [z_bar, z_bar],
                "w": z_bar * x, "x": z_bar * w}
    for name, want in expected.items():
        np.testing.assert_allclose(graph[name], want, rtol=1e-6, err_msg=f"lesson 03: dL/d{name} on the drawn graph")
    assert graph["y"] is None, "the label y is a constant nobody watches: its gradient is None"
    check_figures(summary, out, {"neuron_graph_gradients.png"})
