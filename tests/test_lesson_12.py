"""Lesson 12 (where speed comes from) in fast mode, without TensorFlow.

The lesson times eager and traced training steps; times vary from run to run and machine to
machine, so these tests check only what does not: the traced and the eager ``fit`` give the
same losses bit for bit, the traced step is a real graph (many operations, a replay of many
lines), Adam on a large Variable is fused into one blocked loop, and every figure is a PNG.
"""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
from tests.lesson_runs import check_figures  # noqa: E402


@pytest.fixture(scope="module")
def lesson(fast_lesson):
    return fast_lesson("12")


def test_lesson_12_traced_and_eager_training_agree_bit_for_bit(lesson):
    summary, _ = lesson
    assert summary["outcomes"]["histories_identical"] is True, "lesson 12: eager and traced fit gave different losses"


def test_lesson_12_shows_a_real_trace_and_a_fused_update(lesson):
    outcomes = lesson[0]["outcomes"]
    # A 3-layer MLP step with Adam: forward, loss, backward, 6 variables updated, a loss tracker.
    assert outcomes["traced_operations"] > 100, outcomes["traced_operations"]
    assert outcomes["replay_lines"] > 50, outcomes["replay_lines"]
    assert outcomes["fused_loop"] is True, "lesson 12: Adam on a (20000, 64) Variable was not fused into a loop"
    assert 0 < outcomes["kernel_share_eager"] < 1, outcomes["kernel_share_eager"]
    assert outcomes["gpu"] in (True, False)
    # the BLAS under NumPy's matmuls, as threadpoolctl names it ("openblas SkylakeX")
    assert outcomes["blas"].split()[0] in {"openblas", "mkl", "blis", "accelerate", "flexiblas"}, outcomes["blas"]


def test_lesson_12_figures(lesson):
    summary, out = lesson
    check_figures(summary, out, {"step_times.png", "step_profile.png", "scaling.png"})
