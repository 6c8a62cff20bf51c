"""Tests of the benchmark harness's measurement utilities (benchmarks/).

No TensorFlow, no minitf, and no assertion on a wall-clock time: every timing here
comes from a fake clock that the fake candidates advance.
"""

from __future__ import annotations

import json
import math
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from benchmarks import machine, report, storage
from benchmarks.__main__ import parse_args
from benchmarks.context import prepare
from benchmarks.fit_overhead import ONE_BATCH, marginal_step
from benchmarks.frameworks import SUBJECT_ENV, Framework, subject_module_name
from benchmarks.measure import (Candidate, Measurement, Settings, Unavailable, calibrate,
                                measure_interleaved)
from benchmarks.results import CaseResult, Row, make_ratio, peer_ratios
from benchmarks.skips import Skip, describe
from benchmarks.stats import paired_ratio, quantile, summarize


class FakeClock:
    """A clock that only moves when a fake candidate says it spent time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def spend(self, seconds: float) -> None:
        self.now += seconds


def costly(clock: FakeClock, name: str, log: list[str], cost: float | list[float]) -> Candidate:
    """A candidate that logs its name and advances the clock by ``cost`` per call.

    A list gives the cost of each successive call (warm-up calls included).
    """
    costs = iter(cost) if isinstance(cost, list) else None

    def fn() -> None:
        log.append(name)
        clock.spend(next(costs) if costs is not None else cost)
    return Candidate(name, fn)


SETTINGS = Settings(reps=5, warmup=1, min_block_s=0.02, target_block_s=0.035)


# ----------------------------------------------------------------- interleaving


def test_candidates_take_turns_in_each_repetition() -> None:
    clock, log = FakeClock(), []
    cands = [costly(clock, n, log, 0.03) for n in ("minitf", "tf", "numpy")]
    measure_interleaved(cands, Settings(reps=3, warmup=1), clock)
    # warm-up of each in turn, then rep 1: minitf, tf, numpy; rep 2: ...
    assert log == ["minitf", "tf", "numpy"] + ["minitf", "tf", "numpy"] * 3


def test_each_block_runs_its_own_calibrated_number_of_calls() -> None:
    clock, log = FakeClock(), []
    fast = costly(clock, "fast", log, 0.001)   # needs a block of many calls
    slow = costly(clock, "slow", log, 0.05)    # one call fills a block
    res = measure_interleaved([fast, slow], Settings(reps=2, warmup=1), clock)
    n_fast = res["fast"].calls_per_block
    assert res["slow"].calls_per_block == 1
    timed = log[-2 * (n_fast + 1):]
    assert timed == (["fast"] * n_fast + ["slow"]) * 2


def test_calibration_lands_in_the_block_window() -> None:
    for cost in (1e-6, 3.3e-5, 0.001, 0.007):
        clock, log = FakeClock(), []
        cand = costly(clock, "x", log, cost)
        calls = calibrate(cand.fn, clock, SETTINGS)
        assert SETTINGS.min_block_s <= calls * cost <= 0.05 + 1e-12, (cost, calls)
    clock = FakeClock()
    assert calibrate(costly(clock, "y", [], 2.0).fn, clock, SETTINGS) == 1


def test_calibration_survives_a_clock_that_does_not_tick() -> None:
    clock = FakeClock()
    calls = calibrate(lambda: None, clock, Settings(max_calls=1000))
    assert calls == 1000


def test_sync_runs_once_per_block_inside_the_timing() -> None:
    clock, syncs = FakeClock(), []
    cand = Candidate("gpu", lambda: clock.spend(0.03),
                     sync=lambda: (syncs.append(1), clock.spend(0.01)))
    res = measure_interleaved([cand], Settings(reps=4, warmup=1), clock)
    assert res["gpu"].summary.median == pytest.approx(0.04)  # the wait is part of the time
    assert len(syncs) == 1 + 4


# ----------------------------------------------------------------- statistics


def test_median_and_spread_on_a_fake_clock() -> None:
    clock = FakeClock()
    warmup_cost, rep_costs = [0.05], [0.03, 0.05, 0.04, 0.10, 0.02]
    cand = costly(clock, "c", [], warmup_cost + rep_costs)
    cand.work = 4  # e.g. 4 training steps per call: times are per step
    meas = measure_interleaved([cand], Settings(reps=5, warmup=1), clock)["c"]
    assert meas.ok and meas.calls_per_block == 1
    s = meas.summary
    assert s.median == pytest.approx(0.04 / 4)
    assert (s.q1, s.q3) == (pytest.approx(0.03 / 4), pytest.approx(0.05 / 4))
    assert (s.min, s.max) == (pytest.approx(0.02 / 4), pytest.approx(0.10 / 4))
    assert s.n == 5
    assert s.rel_spread == pytest.approx(0.5 * (0.05 - 0.03) / 0.04)


def test_quantile_matches_numpy_linear_interpolation() -> None:
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 8, 13):
        xs = list(rng.random(n))
        for q in (0.0, 0.25, 0.5, 0.75, 1.0):
            assert quantile(xs, q) == pytest.approx(float(np.percentile(xs, 100 * q)))
    with pytest.raises(ValueError):
        quantile([], 0.5)


# ----------------------------------------------------------------- ratios


def test_ratio_is_peer_over_minitf_so_above_one_means_minitf_faster() -> None:
    meas = {"minitf": Measurement("minitf", samples=[1.0, 1.0, 1.0]),
            "tf": Measurement("tf", samples=[3.0, 3.0, 3.0])}
    for m in meas.values():
        m.summary = summarize(m.samples)
    (ratio,) = peer_ratios(meas)
    assert ratio.label == "tf/minitf"
    assert ratio.summary.median == pytest.approx(3.0)


def test_paired_ratio_cancels_drift() -> None:
    # The machine slows down 5x during the run; minitf stays 2x faster throughout.
    minitf = [1.0, 2.0, 3.0, 4.0, 5.0]
    tf = [2.0, 4.0, 6.0, 8.0, 10.0]
    r = paired_ratio(tf, minitf)
    assert r.median == pytest.approx(2.0) and r.iqr == pytest.approx(0.0)
    with pytest.raises(ValueError):
        paired_ratio([1.0], [1.0, 2.0])


def test_ratio_target_and_missing_side() -> None:
    ok = Measurement("minitf", samples=[2.0] * 3, summary=summarize([2.0] * 3))
    base = Measurement("numpy", samples=[1.0] * 3, summary=summarize([1.0] * 3))
    r = make_ratio({"minitf": ok, "numpy": base}, "minitf", "numpy", target=3.0)
    assert r.summary.median == pytest.approx(2.0) and r.meets_target is True
    skipped = Measurement("minitf", "skipped", "no minitf")
    r = make_ratio({"minitf": skipped, "numpy": base}, "minitf", "numpy", target=3.0)
    assert r.summary is None and r.meets_target is None
    assert report.fmt_ratio(r.to_dict()) == "—"


def test_unpaired_ratio_is_ratio_of_medians() -> None:
    a = Measurement("a", samples=[1.0, 9.0, 2.0], summary=summarize([1.0, 9.0, 2.0]))
    b = Measurement("b", samples=[4.0], summary=summarize([4.0]))
    r = make_ratio({"a": a, "b": b}, "b", "a", paired=False)
    assert r.summary.median == pytest.approx(2.0) and r.to_dict()["paired"] is False


def test_marginal_step_removes_fixed_cost() -> None:
    # fit over 8 steps: 0.1 s fixed + 8 * 0.01 s; one-batch fit: 0.1 + 0.01.
    per_step = [(0.1 + 8 * 0.01) / 8] * 3
    one = [0.1 + 0.01] * 3
    meas = {"tf": Measurement("tf", samples=per_step, summary=summarize(per_step)),
            "tf" + ONE_BATCH: Measurement("tf" + ONE_BATCH, samples=one, summary=summarize(one))}
    m = marginal_step(meas, "tf", steps=8)
    assert m.summary.median == pytest.approx(0.01)
    meas["tf" + ONE_BATCH] = Measurement("tf" + ONE_BATCH, "skipped", "no TF")
    assert marginal_step(meas, "tf", 8).status == "skipped"


# ----------------------------------------------------------------- skips


def test_failing_candidates_are_reported_and_the_others_measured() -> None:
    clock, log = FakeClock(), []

    def not_yet() -> None:
        raise NotImplementedError("LSTM is not implemented yet")

    def broken() -> None:
        raise ValueError("shapes (2,3) and (4,5)")

    cands = [Candidate("minitf", not_yet), Candidate("other", broken),
             Unavailable("tf", "skipped", "tf import failed: ModuleNotFoundError"),
             costly(clock, "numpy", log, 0.03)]
    res = measure_interleaved(cands, Settings(reps=3, warmup=1), clock)
    assert (res["minitf"].status, res["minitf"].reason) == \
        ("skipped", "NotImplementedError: LSTM is not implemented yet")
    assert res["other"].status == "failed"
    assert res["tf"].status == "skipped" and res["tf"].summary is None
    assert res["numpy"].ok and len(res["numpy"].samples) == 3
    assert list(res) == ["minitf", "other", "tf", "numpy"]


def test_prepare_turns_setup_errors_into_skips() -> None:
    def no_layer() -> Candidate:
        raise AttributeError("module 'minitf.keras.layers' has no attribute 'LSTM'")

    cand = prepare("minitf", no_layer)
    assert isinstance(cand, Unavailable) and cand.status == "skipped"
    assert "has no attribute 'LSTM'" in cand.reason


def test_missing_framework_is_a_skip_with_reason() -> None:
    fw = Framework("minitf", "no_such_module_for_benchmarks_test")
    with pytest.raises(Skip) as info:
        fw.require()
    assert describe(info.value) == ("skipped", str(info.value))
    assert str(info.value).startswith("minitf import failed: ModuleNotFoundError")
    assert fw.version() is None


def test_a_crashing_case_becomes_a_skipped_result(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    from benchmarks.runner import RunConfig, make_context, run_case

    case = types.ModuleType("benchmarks.cases.fake_case")
    case.TITLE = "A fake case"

    def run(ctx):  # noqa: ANN001, ANN202
        raise ImportError("No module named 'tensorflow'")
    case.run = run
    monkeypatch.setitem(sys.modules, "benchmarks.cases.fake_case", case)
    # make_context sets these for the frameworks; monkeypatch restores them afterwards.
    monkeypatch.setenv("MINITF_BACKEND", "numpy")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    ctx = make_context(RunConfig(quick=True, out_dir=tmp_path))
    result = run_case("fake_case", ctx)
    assert (result.status, result.title) == ("skipped", "A fake case")
    assert result.reason == "ImportError: No module named 'tensorflow'"
    text = report.case_markdown(result.to_dict())
    assert "skipped: ImportError: No module named 'tensorflow'" in text


def test_skipped_cells_are_footnoted_in_the_table() -> None:
    ok = Measurement("numpy", samples=[1e-6] * 3, summary=summarize([1e-6] * 3))
    reason = "minitf import failed: ModuleNotFoundError: No module named 'minitf'"
    meas = {"minitf": Measurement("minitf", "skipped", reason), "numpy": ok}
    case = CaseResult("op_overhead", "ops", rows=[
        Row("add", meas, [make_ratio(meas, "minitf", "numpy", target=3)]),
        Row("mul", dict(meas), [make_ratio(meas, "minitf", "numpy", target=3)]),
    ])
    text = report.case_markdown(case.to_dict())
    assert text.count("skipped [1]") == 2  # one footnote for the same reason
    assert f"[1] skipped: {reason}" in text
    assert "1 µs" in text


# ----------------------------------------------------------------- storage and report


def test_atomic_json_write_round_trips_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "r.json"
    storage.atomic_write_json(path, {"a": [1, 2.5], "bad": math.inf, "nan": math.nan})
    assert json.loads(path.read_text()) == {"a": [1, 2.5], "bad": None, "nan": None}
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    storage.atomic_write_json(path, {"version": 1})

    def half_then_crash(fh) -> None:  # noqa: ANN001
        fh.write(b'{"version": ')
        raise KeyboardInterrupt  # even Ctrl-C mid-write leaves the old file

    with pytest.raises(KeyboardInterrupt):
        storage.atomic_write(path, half_then_crash)
    assert json.loads(path.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_results_files_and_latest_selection(tmp_path: Path) -> None:
    run = {"schema": 1, "meta": {"backend": "numpy"}, "cases": []}
    dated, latest = storage.write_results(run, tmp_path, "20250101-000000", "numpy")
    assert dated.name == "bench_20250101-000000_numpy.json"
    assert latest.name == "latest_numpy.json"
    storage.write_results(run, tmp_path, "20250101-000001", "numpy", "_selftest-tensorflow")
    assert set(storage.load_latest(tmp_path)) == {"numpy"}  # self-tests are never published


def test_readme_section_is_replaced_between_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# B\n\nintro\n{report.START_MARKER}\nold\n{report.END_MARKER}\ntail\n")
    run = {"schema": 1, "meta": {"backend": "numpy", "date": "2025-01-01"}, "cases": [
        {"name": "gpu", "title": "GPU", "status": "skipped", "reason": "no CuPy/GPU"}]}
    storage.write_results(run, tmp_path, "x", "numpy")
    report.update_readme(tmp_path, readme)
    text = readme.read_text()
    assert text.startswith("# B\n\nintro\n") and text.endswith(f"{report.END_MARKER}\ntail\n")
    assert "old" not in text and "skipped: no CuPy/GPU" in text
    with pytest.raises(ValueError):
        report.replace_between_markers("no markers", "x")


@pytest.mark.parametrize("env, pinned", [({}, False), ({"OPENBLAS_CORETYPE": "Haswell"}, True)])
def test_the_header_names_the_blas_kernels_and_whether_the_environment_pinned_them(env: dict,
                                                                                  pinned: bool) -> None:
    run = {"schema": 1, "meta": {"backend": "numpy", "blas": "openblas SkylakeX", "env": env}, "cases": []}
    header = report.run_markdown(run)
    assert "BLAS openblas SkylakeX" in header
    assert ("pinned: OPENBLAS_CORETYPE=Haswell" in header) is pinned


def test_machine_info_records_the_blas_kernels_numpy_runs() -> None:
    kernels = machine.blas_kernels()  # this process's NumPy, read by threadpoolctl
    assert kernels is not None and kernels.split()[0] in {"openblas", "mkl", "blis", "accelerate", "flexiblas"}


def test_time_formatting() -> None:
    assert report.fmt_seconds(1.234e-5) == "12.3 µs"
    assert report.fmt_seconds(0.5) == "500 ms"
    assert report.fmt_seconds(2.0) == "2 s"
    assert report.fmt_bytes(300 * 2 ** 20) == "300 MiB"


# ----------------------------------------------------------------- command line


def test_cli_subject_defaults_to_minitf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SUBJECT_ENV, raising=False)
    args = parse_args(["--quick", "--only", "matmul,op_overhead"])
    assert args.subject_module == "minitf" and args.only == ["matmul", "op_overhead"]
    assert parse_args(["--subject-module", "tensorflow"]).subject_module == "tensorflow"
    monkeypatch.setenv(SUBJECT_ENV, "tensorflow")
    assert subject_module_name(None) == "tensorflow"
    with pytest.raises(SystemExit):
        parse_args(["--only", "no_such_case"])


def test_machine_info_does_not_import_tensorflow() -> None:
    from benchmarks.machine import machine_info

    had_tf = "tensorflow" in sys.modules
    info = machine_info(Framework("minitf", "no_such_module_for_benchmarks_test"),
                        Framework("tf", "tensorflow"), "numpy")
    assert {"cpu_model", "cpu_count", "platform", "python", "numpy", "tensorflow",
            "minitf", "date", "backend"} <= set(info)
    assert ("tensorflow" in sys.modules) == had_tf  # importing TF would cost seconds


def test_quick_runs_write_elsewhere_unless_told() -> None:
    """--quick is a smoke test: it must not overwrite the committed full-run results and plots."""
    from benchmarks.storage import QUICK_DIR, RESULTS_DIR
    assert QUICK_DIR != RESULTS_DIR
    assert parse_args(["--quick"]).out == QUICK_DIR
    assert parse_args([]).out == RESULTS_DIR
    assert parse_args(["--quick", "--out", "/tmp/x"]).out == Path("/tmp/x")
    assert parse_args(["--report"]).out == RESULTS_DIR


def test_hand_written_tiny_vgg_gradients_equal_minitf_s() -> None:
    """The benchmark's NumPy TinyVGG (a baseline the ratios are taken against) computes the same
    gradients as minitf's Keras model with the same weights (minitf's are checked against TF)."""
    import minitf as tf

    from benchmarks import models
    from benchmarks.numpy_models import NumpyTinyVGG

    x, y = models.binary_image_data(4, 16)
    net = NumpyTinyVGG(size=16)
    captured: list = []
    net.optimizer.apply = captured.append  # the gradients the Adam step would get
    net.train_step(x, y)
    model = models.build_tiny_vgg(tf, 16)
    weights = [w for k, b in zip(net.kernels, net.biases) for w in (k.reshape(3, 3, -1, 10), b)]
    model.set_weights(weights + [net.w, net.b])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, model(x)))
    expected = tape.gradient(loss, model.trainable_variables)
    for mine, theirs in zip(captured[0], expected):
        theirs = theirs.numpy().reshape(mine.shape)
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5 * float(np.abs(theirs).max()))


def test_the_product_floors_list_each_product_of_a_step_and_their_total(capsys: pytest.CaptureFixture) -> None:
    """``python -m benchmarks.floors --quick``: every product of TinyVGG's and the CNN's steps, each
    with a positive time, and a total over the cores no larger than over one core."""
    import re

    from benchmarks import floors

    floors.main(["--quick"])
    out = capsys.readouterr().out
    assert len(floors.tiny_vgg(32)) == 11 and len(floors.udacity_cnn()) == 8  # no input gradient of an image
    for label, *_ in floors.tiny_vgg(32) + floors.udacity_cnn():
        assert re.search(re.escape(label) + r" +[\d.]+ GFLOP +[\d.]+ ms on one core", out), label
    totals = re.findall(r"all products: ([\d.]+) ms on one core; ([\d.]+) ms on (\d+) cores", out)
    assert len(totals) == 2
    for one, many, cores in totals:
        assert 0 < float(many) <= float(one) and abs(float(one) / int(cores) - float(many)) < 0.2
