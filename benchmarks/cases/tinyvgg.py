"""The course's TinyVGG on 224x224x3 food images: time per ``fit`` step and peak memory growth.

TinyVGG (``models.build_tiny_vgg``: Conv2D(10, 3, relu) x 2, MaxPool2D, the same again, Flatten,
Dense(1, sigmoid); Adam, binary crossentropy, batch 32) is the network the course trains on
224x224 pizza/steak photos. minitf, Keras and the hand-written NumPy model
(``numpy_models.NumpyTinyVGG``: whole-batch im2col, as a first NumPy version does it) each run
in their own fresh process (``python -m benchmarks.cases.tinyvgg MODULE ...``), which builds the
data and the model, then:

1. resets the kernel's peak-RSS counter (``/proc/self/clear_refs``) and reads the resident size;
2. runs one warm-up ``fit`` (tracing, Keras's tf.data pipeline) and notes the peak; resets the
   counter again and runs ``FITS`` timed ``fit`` calls of ``STEPS`` steps each, timing each by
   the wall clock and by the process's CPU time (every thread: TF runs several);
3. reports the step times and the peak RSS (``VmHWM``) minus the resident size of step 1 (the
   peak memory growth of all its fits, everything they allocate included), and the peak of the
   timed fits alone over that same resident size (what training costs once traced, memory kept
   from the warm-up for later steps included).

Processes take turns (minitf, Keras, NumPy, minitf, ...) and each contributes the median of its
timed fits, so the ratios are paired like every other case's. Without ``/proc`` (not Linux) the
memory rows are skipped. The full run adds other image sizes and filter counts (``SWEEP``), each
timed in this process by CPU time with the usual interleaved loop, and each one's peak memory
growth measured as above in fresh processes (minitf and Keras, ``SWEEP_MEMORY_STEPS`` steps in one
warm-up and one later fit, ``PROCESS_ROUNDS`` processes each; the hand-written model, whose
whole-batch im2col is its known cost, only at 224x224). BLAS threads stay at their
defaults (OPENBLAS_NUM_THREADS=1 in the environment makes minitf's and NumPy's matmuls single-threaded).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..candidates import fit_candidate, numpy_candidate
from ..context import Context
from ..measure import Measurement, measure_interleaved
from ..results import CaseResult, Row, peer_ratios
from ..stats import summarize

NAME = "tinyvgg"
TITLE = "The course's TinyVGG (224x224x3, batch 32, Adam): fit step time and peak memory growth"
BATCH = 32
SIZE, QUICK_SIZE = 224, 32
STEPS, FITS = 4, 3
PROCESS_ROUNDS = 3
# (image size, filters): other sizes and channel counts, timed in-process in the full run only.
SWEEP = ((64, 10), (112, 32), (56, 64), (28, 128))
SWEEP_STEPS = 4
SWEEP_MEMORY_STEPS = 2
REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 600


def _proc_status(field: str) -> int | None:
    """A ``/proc/self/status`` size field in bytes (Linux), or None."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_peak() -> None:
    """Make the kernel's peak-RSS counter (VmHWM) the current RSS (Linux >= 4.0; else nothing)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def child_main(module: str, size: int, steps: int, fits: int, filters: int = 10) -> dict:
    """What one process measures (see the module docstring); returns the JSON-ready result."""
    import importlib

    from .. import models

    x, y = models.binary_image_data(steps * BATCH, size)
    if module == "numpy":  # the hand-written model (numpy_models.NumpyTinyVGG)
        from ..numpy_models import NumpyTinyVGG

        net = NumpyTinyVGG(size, 3, filters)
        fit = lambda xs, ys: net.fit_epoch(xs, ys, BATCH)  # noqa: E731
    else:
        fw = importlib.import_module(module)
        model = models.compile_tiny_vgg(fw, models.build_tiny_vgg(fw, size, 3, filters))
        fit = lambda xs, ys: model.fit(xs, ys, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)  # noqa: E731
    _reset_peak()
    base = _proc_status("VmRSS")
    fit(x[:BATCH], y[:BATCH])  # the first fit: tracing, a tf.data pipeline, caches
    first_peak = _proc_status("VmHWM")
    _reset_peak()
    step_s, step_cpu_s = [], []
    for _ in range(fits):
        start, start_cpu = time.perf_counter(), time.process_time()
        fit(x, y)
        step_s.append((time.perf_counter() - start) / steps)
        step_cpu_s.append((time.process_time() - start_cpu) / steps)  # every thread of the process
    later_peak = _proc_status("VmHWM")
    out: dict = {"step_s": step_s, "step_cpu_s": step_cpu_s}
    if None not in (base, first_peak, later_peak):
        out["growth_bytes"] = max(first_peak, later_peak) - base
        # Over the same base: memory a framework keeps from the first fit for the next (minitf's
        # freed blocks, minitf/host_memory.py; TF's caches) counts, as it is still in use.
        out["later_growth_bytes"] = later_peak - base
    return out


def run_child(module: str, size: int, steps: int, fits: int, backend: str, filters: int = 10) -> dict:
    """One fresh process; its JSON result, or {"error": ..., "skip": ...}."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["MINITF_BACKEND"] = backend
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    cmd = [sys.executable, "-m", "benchmarks.cases.tinyvgg", module, str(size), str(steps), str(fits), str(filters)]
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"child ran over {TIMEOUT_S} s", "skip": False}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"child exited {proc.returncode}: {tail}", "skip": False}
    return json.loads(lines[-1])


def _measurement(name: str, samples: list[float], error: dict | None, what: str) -> Measurement:
    if error is not None:
        status = "skipped" if error.get("skip") else "failed"
        return Measurement(name, status, f"{name}: {error['error']}")
    if not samples:
        return Measurement(name, "skipped", f"{name}: no {what} on this platform")
    return Measurement(name, samples=samples, summary=summarize(samples), calls_per_block=1)


SERIES = ("step_s", "step_cpu_s", "growth_bytes", "later_growth_bytes")


def run_rounds(modules: dict[str, str], rounds: int, size: int, steps: int, fits: int, backend: str,
               filters: int = 10) -> tuple[dict[str, dict[str, list[float]]], dict[str, dict]]:
    """``rounds`` fresh processes per framework, taking turns: ({name: {series: one sample per
    process}}, {name: the error that stopped its processes}). A time sample is the median of the
    process's timed fits."""
    samples: dict[str, dict[str, list[float]]] = {k: {s: [] for s in SERIES} for k in modules}
    errors: dict[str, dict] = {}
    for _ in range(rounds):
        for name, module in modules.items():
            if name in errors:
                continue
            out = run_child(module, size, steps, fits, backend, filters)
            if "error" in out:
                errors[name] = out
                continue
            for key in SERIES[:2]:
                samples[name][key].append(sorted(out[key])[len(out[key]) // 2])
            for key in SERIES[2:]:
                if key in out:
                    samples[name][key].append(float(out[key]))
    return samples, errors


def run(ctx: Context) -> CaseResult:
    """Process triples for the 224x224 model (time and memory); in the full run, the sweep."""
    result = CaseResult(NAME, TITLE)
    size = QUICK_SIZE if ctx.quick else SIZE
    steps, fits, rounds = (2, 1, 1) if ctx.quick else (STEPS, FITS, PROCESS_ROUNDS)
    modules = {"minitf": ctx.subject.module_name, "tf": ctx.tf.module_name}
    if ctx.backend == "numpy":  # the hand-written model runs on NumPy only
        modules["numpy"] = "numpy"
    samples, errors = run_rounds(modules, rounds, size, steps, fits, ctx.backend)
    params = {"size": size, "channels": 3, "filters": 10, "batch": BATCH, "steps": steps}
    rows = (("step_s", f"fit step, wall clock ({size}x{size}x3, {steps} steps per fit; tf = Keras, "
                       f"numpy = by hand, whole-batch im2col)", "step", "seconds"),
            ("step_cpu_s", f"fit step, CPU time of every thread (process time; {size}x{size}x3)", "step", "seconds"),
            ("growth_bytes", f"peak memory growth, first fit (tracing) and later fits ({size}x{size}x3)",
             "process", "bytes"),
            ("later_growth_bytes", f"peak memory growth of the later fits only ({size}x{size}x3)", "process", "bytes"))
    for key, label, unit, kind in rows:
        meas = {k: _measurement(k, samples[k][key], errors.get(k),
                                "time" if kind == "seconds" else "/proc memory counters") for k in modules}
        result.rows.append(Row(label, meas, peer_ratios(meas), unit=unit, params=params,
                               **({"value_kind": "bytes"} if kind == "bytes" else {})))
    if ctx.quick:
        result.notes.append(f"--quick: {size}x{size} images, one process per framework (no spread), no sweep.")
        return result
    from .. import models
    from ..numpy_models import NumpyTinyVGG

    xp = ctx.xp
    for sweep_size, filters in SWEEP:
        x, y = models.binary_image_data(SWEEP_STEPS * BATCH, sweep_size)
        build = lambda fw, s=sweep_size, f=filters: models.build_tiny_vgg(fw, s, 3, f)  # noqa: E731
        # CPU time of the process (every thread), not wall clock: steadier on a shared machine
        meas = measure_interleaved([
            fit_candidate("minitf", ctx.subject, build, models.compile_tiny_vgg, x, y, BATCH, ctx.sync),
            fit_candidate("tf", ctx.tf, build, models.compile_tiny_vgg, x, y, BATCH),
            numpy_candidate(ctx.xp_name, lambda s=sweep_size, f=filters: NumpyTinyVGG(s, 3, f, xp=xp),
                            xp.asarray(x), xp.asarray(y), BATCH, ctx.sync),
        ], ctx.settings, time.process_time if ctx.sync is None else ctx.clock)
        result.rows.append(Row(f"fit step, CPU time, {sweep_size}x{sweep_size}x3, {filters} filters (in-process)", meas,
                               peer_ratios(meas), unit="step",
                               params={"size": sweep_size, "channels": 3, "filters": filters, "batch": BATCH,
                                       "steps": SWEEP_STEPS}))
    for sweep_size, filters in SWEEP:
        memory = {"minitf": modules["minitf"], "tf": modules["tf"]}
        grown, failed = run_rounds(memory, rounds, sweep_size, SWEEP_MEMORY_STEPS, 1, ctx.backend, filters)
        meas = {k: _measurement(k, grown[k]["growth_bytes"], failed.get(k), "/proc memory counters") for k in memory}
        result.rows.append(Row(f"peak memory growth, first and later fits, {sweep_size}x{sweep_size}x3, {filters} filters",
                               meas, peer_ratios(meas), unit="process", value_kind="bytes",
                               params={"size": sweep_size, "channels": 3, "filters": filters, "batch": BATCH,
                                       "steps": SWEEP_MEMORY_STEPS}))
    result.notes.append("Memory: peak RSS minus the RSS before the first fit, in each framework's own process "
                        "(Keras's tf.data copy of the arrays included); 'later fits': the peak during the timed fits "
                        "alone, over the same base. CPU time counts every thread (TF runs several).")
    return result


if __name__ == "__main__":
    module_name, size_arg, steps_arg, fits_arg = sys.argv[1:5]
    filters_arg = sys.argv[5] if len(sys.argv) > 5 else "10"
    try:
        result = child_main(module_name, int(size_arg), int(steps_arg), int(fits_arg), int(filters_arg))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as JSON
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        result = {"error": type(exc).__name__ + (": " + message if message else ""),
                  "skip": isinstance(exc, (ImportError, AttributeError, NotImplementedError))}
    print(json.dumps(result))
