"""Lesson 02 (reverse-mode autodiff) in fast mode, without TensorFlow.

The lesson runs once per test session, in-process, through the runner's command line
(``python -m lessons run 02 --fast --no-tf --out DIR``) and writes ``summary.json``. The tests
check its claims against values derived here by hand, independently of the lesson: the
derivatives of f(a, b) = tanh(ab + b^2), of the micrograd neuron and of g = x/y + exp(x - y);
the second derivative of x^3 (6x) and of tanh (-2 tanh (1 - tanh^2)); the jacobian of
(x0^2 x1, 5 x0 + sin x1, x0 e^x1); the engine's MLP learns micrograd's four examples; tracing
(section 12): trace counts by TF's rules, side effects, the traced graph's ops, replay equal to eager
bit for bit. Figures must be PNGs matplotlib reads back, and the graph must be written as Graphviz DOT.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402

TOL = 1e-9  # everything in the lesson runs in float64: the hand formulas agree to rounding


@pytest.fixture(scope="module")
def lesson(fast_lesson) -> tuple[dict, Path]:
    return fast_lesson("02")

def close(what: str, got: float, expected: float, tol: float = TOL) -> None:
    assert abs(got - expected) <= tol, f"lesson 02: {what} = {got!r}, expected {expected!r} (|diff| {abs(got - expected):.3g} > {tol})"


def test_engine_gradients_of_f_equal_the_chain_rule_by_hand(lesson):
    outcomes = lesson[0]["outcomes"]
    a, b = outcomes["inputs"]["f"]["a"], outcomes["inputs"]["f"]["b"]
    value = math.tanh(a * b + b * b)
    slope = 1.0 - value ** 2  # tanh'(u) = 1 - tanh(u)^2
    expected = {"value": value, "a": slope * b, "b": slope * (a + 2 * b)}
    for key, want in expected.items():
        close(f"engine f {key}", outcomes["engine"]["f"][key], want)


def test_engine_gradients_of_the_neuron_and_of_x_over_y(lesson):
    outcomes = lesson[0]["outcomes"]
    v = outcomes["inputs"]["neuron"]
    o = math.tanh(v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["beta"])
    s = 1.0 - o * o
    expected = {"value": o, "x1": s * v["w1"], "w1": s * v["x1"], "x2": s * v["w2"], "w2": s * v["x2"], "beta": s}
    for key, want in expected.items():
        close(f"engine neuron {key}", outcomes["engine"]["neuron"][key], want)
    close("micrograd neuron output", o, math.sqrt(0.5), 1e-6)  # the example's known value, a check on the inputs
    x, y = outcomes["inputs"]["g"]["x"], outcomes["inputs"]["g"]["y"]
    e = math.exp(x - y)
    expected = {"value": x / y + e, "x": 1 / y + e, "y": -x / y ** 2 - e}  # quotient rule
    for key, want in expected.items():
        close(f"engine g {key}", outcomes["engine"]["g"][key], want)


def test_engine_equals_minitf_tape(lesson):
    outcomes = lesson[0]["outcomes"]
    assert 0 <= outcomes["engine_vs_tape_max_diff"] < 1e-6, outcomes["engine_vs_tape_max_diff"]
    worst = max(abs(outcomes["engine"][fn][k] - outcomes["tape"][fn][k])
                for fn in outcomes["engine"] for k in outcomes["engine"][fn])
    assert worst < 1e-6, f"lesson 02: engine and tape differ by {worst} (tolerance 1e-6)"
    assert set(outcomes["tape"]) == {"f", "neuron", "g"}, sorted(outcomes["tape"])


def test_persistent_tape_watch_and_reuse_error(lesson):
    outcomes = lesson[0]["outcomes"]
    p = outcomes["persistent"]
    close("dz/dx of (x^2)^2 at 3", p["dz_dx"], 4 * 3.0 ** 3)
    close("dy/dx of x^2 at 3", p["dy_dx"], 2 * 3.0)
    assert p["reuse_error"] and p["reuse_error"].startswith("RuntimeError") and "persistent" in p["reuse_error"], p
    assert outcomes["unwatched_constant_gradient_is_none"] is True


def test_second_derivatives_from_nested_tapes(lesson):
    outcomes = lesson[0]["outcomes"]
    cube = outcomes["cube_derivatives"]
    x = cube["x"]
    assert 3 * x ** 2 != 6 * x, "pick a point where the first and second derivatives of x^3 differ"
    close("d/dx x^3", cube["first"], 3 * x ** 2)
    close("d2/dx2 x^3", cube["second"], 6 * x)
    t = outcomes["tanh_at"]
    th = math.tanh(t["x"])
    close("tanh", t["tanh"], th)
    close("tanh'", t["first"], 1 - th ** 2)
    close("tanh''", t["second"], -2 * th * (1 - th ** 2))
    assert 0 <= outcomes["tanh_formula_max_diff"] < 1e-9, outcomes["tanh_formula_max_diff"]


def test_jacobian_equals_the_analytic_matrix(lesson):
    jac = lesson[0]["outcomes"]["jacobian"]
    x0, x1 = jac["x"]
    expected = np.array([[2 * x0 * x1, x0 ** 2], [5.0, math.cos(x1)], [math.exp(x1), x0 * math.exp(x1)]])
    got = np.array(jac["matrix"], dtype=np.float64)
    assert got.shape == (3, 2), f"lesson 02: jacobian shape {got.shape}, expected (3, 2)"
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL, err_msg="lesson 02: tape.jacobian vs analytic J")


def test_figures_are_pngs_and_the_graph_is_dot(lesson):
    summary, out = lesson
    check_figures(summary, out, {"tape_graph.png", "tanh_derivatives.png", "engine_mlp_loss.png"})
    assert "tape_graph.dot" in summary["files"], summary["files"]
    dot = (out / "tape_graph.dot").read_text()
    assert dot.startswith("digraph"), dot[:40]
    for op in ("Mul", "Pow", "AddV2", "Tanh"):  # the four ops of tanh(ab + b^2)
        assert f'label="{op}"' in dot, f"lesson 02: op {op} missing from the DOT graph"


def test_the_manual_backward_walk_equals_the_chain_rule(lesson):
    """Step 2 calls each _backward by hand on tanh(ab + b*b): the same gradients as the formula."""
    outcomes = lesson[0]["outcomes"]
    a, b = outcomes["inputs"]["f"]["a"], outcomes["inputs"]["f"]["b"]
    slope = 1.0 - math.tanh(a * b + b * b) ** 2
    close("manual df/da", outcomes["engine_manual_backward"]["a"], slope * b)
    close("manual df/db", outcomes["engine_manual_backward"]["b"], slope * (a + 2 * b))


def test_the_engine_trains_an_mlp(lesson):
    """MLP(3, [4, 4, 1]) has 3*4+4 + 4*4+4 + 4*1+1 = 41 parameters; its engine gradients equal the tape's
    (float64), and gradient descent fits micrograd's four targets (the squared error falls 100-fold)."""
    mlp = lesson[0]["outcomes"]["engine_mlp"]
    assert mlp["parameters"] == 3 * 4 + 4 + 4 * 4 + 4 + 4 * 1 + 1
    assert 0 <= mlp["grad_vs_tape_max_diff"] < 1e-12, mlp["grad_vs_tape_max_diff"]
    assert mlp["final_loss"] < mlp["first_loss"] / 100, (mlp["first_loss"], mlp["final_loss"])
    predictions, targets = np.array(mlp["predictions"]), np.array(mlp["targets"])
    assert np.all(np.sign(predictions) == np.sign(targets)) and np.max(np.abs(predictions - targets)) < 0.2, predictions
    # the reported final loss is the squared error of the predictions before the last step: close to theirs
    assert abs(float(np.sum((predictions - targets) ** 2)) - mlp["final_loss"]) < 0.01


def test_tracing_section_follows_tfs_rules(lesson):
    """Section 12 (minitf.function): the trace count after each call follows TF's documented rules,
    written out here: a tensor signature (shape, dtype) is traced once and replayed; a new shape
    traces again; each new Python value traces again. The Variable counts every call (an op runs on
    every call); the Python list only the traces."""
    tracing = lesson[0]["outcomes"]["tracing"]
    calls = tracing["calls"]
    assert len(calls) == 5 and calls[0].startswith("tensors") and "Python" in calls[3] and "Python" in calls[4], calls
    seen, expected = set(), []
    inputs = {0: ("tensor", ()), 1: ("tensor", ()), 2: ("tensor", (2,)), 3: ("python", 0.7), 4: ("python", 0.2)}
    for i in range(5):
        seen.add(inputs[i])
        expected.append(len(seen))
    assert tracing["trace_counts"] == expected == [1, 1, 2, 3, 4], (tracing["trace_counts"], expected)
    assert tracing["variable_calls"] == 5, f"assign_add must run on every call: counted {tracing['variable_calls']}"


def test_traced_results_equal_the_formula_and_replay_equals_eager(lesson):
    tracing = lesson[0]["outcomes"]["tracing"]
    a, b = lesson[0]["outcomes"]["inputs"]["f"]["a"], lesson[0]["outcomes"]["inputs"]["f"]["b"]
    pairs = [(a, b), (0.2, 0.5), ([a, 0.2], [b, 0.5]), (a, b), (0.2, 0.5)]
    for i, ((x, y), got) in enumerate(zip(pairs, tracing["values"])):
        want = np.tanh(np.asarray(x) * np.asarray(y) + np.asarray(y) ** 2)
        tol = 1e-12 if i < 3 else 1e-6  # calls 4 and 5: Python floats become float32 constants (TF's rule)
        np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=0, atol=tol,
                                   err_msg=f"lesson 02: traced call {i + 1} ({tracing['calls'][i]})")
    assert tracing["replay_equals_eager"] is True, "a traced call must give the eager call's bits"
    assert tracing["traced_gradients_equal_eager"] is True, "a tape inside a traced function: not the eager bits"
    x, y = tracing["first_point"]
    value = math.tanh(x * y + y * y)
    slope = 1 - value ** 2
    got = tracing["traced_gradients_at_first_point"]
    for what, g, w in zip(("f", "df/da", "df/db"), got, (value, slope * y, slope * (x + 2 * y))):
        close(f"traced {what} at {tracing['first_point']}", g, w)


def test_traced_graph_lists_the_ops_and_is_drawn(lesson):
    summary, out = lesson
    tracing = summary["outcomes"]["tracing"]
    types = tracing["graph_op_types"]
    assert types.count("Placeholder") == 2, types  # a and b
    arithmetic = [t for t in types if t in ("Mul", "Pow", "AddV2", "Tanh")]
    assert arithmetic == ["Mul", "Pow", "AddV2", "Tanh"], f"tanh(ab + b^2) traced as {types}"
    assert "AssignAddVariableOp" in types and "PrintV2" in types, f"side-effect ops missing from the graph: {types}"
    backward = tracing["gradient_graph_op_types"]
    assert len(backward) > len(types) and "Tanh" in backward, backward
    # the tape's backward pass is traced too: tanh' = 1 - tanh^2 appears as a Sub, the chain as Muls
    assert backward.count("Mul") >= 3 and "Sub" in backward, backward
    check_figures(summary, out, {"traced_graph.png"})
