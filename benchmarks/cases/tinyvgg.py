"""The course's TinyVGG on 224x224x3 food images: time per ``fit`` step and peak memory growth.

TinyVGG (``models.build_tiny_vgg``: Conv2D(10, 3, relu) x 2, MaxPool2D, the same again, Flatten,
Dense(1, sigmoid); Adam, binary crossentropy, batch 32) is the network the course trains on
224x224 pizza/steak photos. Each framework runs in its own fresh process (``python -m
benchmarks.cases.tinyvgg MODULE ...``), which builds the data and the model, then:

1. resets the kernel's peak-RSS counter (``/proc/self/clear_refs``) and reads the resident size;
2. runs one warm-up ``fit`` (tracing) and then ``FITS`` timed ``fit`` calls of ``STEPS`` steps
   each (epoch time / steps);
3. reports the step times and the peak RSS (``VmHWM``) minus the resident size of step 1: the
   peak memory growth of ``fit``, everything it allocates included (Keras's copy of the arrays
   into a tf.data pipeline too).

Processes alternate (minitf, Keras, minitf, ...) and each contributes the median of its timed
fits, so the ratios are paired like every other case's. Without ``/proc`` (not Linux) the
memory rows are skipped. The full run adds other image sizes and filter counts, each timed in
this process with the usual interleaved loop (no memory). BLAS threads stay at their defaults.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..candidates import fit_candidate
from ..context import Context
from ..measure import Measurement
from ..results import CaseResult, Row, peer_ratios
from ..stats import summarize

NAME = "tinyvgg"
TITLE = "The course's TinyVGG (224x224x3, batch 32, Adam): fit step time and peak memory growth"
BATCH = 32
SIZE, QUICK_SIZE = 224, 32
STEPS, FITS = 4, 3
PROCESS_PAIRS = 3
# (image size, filters): other sizes and channel counts, timed in-process in the full run only.
SWEEP = ((64, 10), (112, 32), (56, 64), (28, 128))
SWEEP_STEPS = 4
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


def child_main(module: str, size: int, steps: int, fits: int) -> dict:
    """What one process measures (see the module docstring); returns the JSON-ready result."""
    import importlib

    from .. import models

    fw = importlib.import_module(module)
    x, y = models.binary_image_data(steps * BATCH, size)
    model = models.compile_tiny_vgg(fw, models.build_tiny_vgg(fw, size))
    try:  # "5" resets the peak RSS (VmHWM) to the current RSS (Linux >= 4.0)
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    base = _proc_status("VmRSS")
    model.fit(x[:BATCH], y[:BATCH], batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    step_s = []
    for _ in range(fits):
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        step_s.append((time.perf_counter() - start) / steps)
    peak = _proc_status("VmHWM")
    out: dict = {"step_s": step_s}
    if base is not None and peak is not None:
        out["growth_bytes"] = peak - base
    return out


def run_child(module: str, size: int, steps: int, fits: int, backend: str) -> dict:
    """One fresh process; its JSON result, or {"error": ..., "skip": ...}."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["MINITF_BACKEND"] = backend
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    cmd = [sys.executable, "-m", "benchmarks.cases.tinyvgg", module, str(size), str(steps), str(fits)]
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


def run(ctx: Context) -> CaseResult:
    """Process pairs for the 224x224 model (time and memory); in the full run, the sweep."""
    result = CaseResult(NAME, TITLE)
    size = QUICK_SIZE if ctx.quick else SIZE
    steps, fits, pairs = (2, 1, 1) if ctx.quick else (STEPS, FITS, PROCESS_PAIRS)
    modules = {"minitf": ctx.subject.module_name, "tf": ctx.tf.module_name}
    times: dict[str, list[float]] = {k: [] for k in modules}
    growth: dict[str, list[float]] = {k: [] for k in modules}
    errors: dict[str, dict] = {}
    for _ in range(pairs):
        for name, module in modules.items():
            if name in errors:
                continue
            out = run_child(module, size, steps, fits, ctx.backend)
            if "error" in out:
                errors[name] = out
                continue
            times[name].append(sorted(out["step_s"])[len(out["step_s"]) // 2])
            if "growth_bytes" in out:
                growth[name].append(float(out["growth_bytes"]))
    what = f"{size}x{size}x3, {steps} steps per fit, one process per sample"
    time_meas = {k: _measurement(k, times[k], errors.get(k), "time") for k in modules}
    mem_meas = {k: _measurement(k, growth[k], errors.get(k), "/proc memory counters") for k in modules}
    params = {"size": size, "channels": 3, "filters": 10, "batch": BATCH, "steps": steps}
    result.rows.append(Row(f"fit step ({what}; tf = Keras)", time_meas, peer_ratios(time_meas),
                           unit="step", params=params))
    result.rows.append(Row(f"peak memory growth during fit ({size}x{size}x3)", mem_meas, peer_ratios(mem_meas),
                           unit="process", params=params, value_kind="bytes"))
    if ctx.quick:
        result.notes.append(f"--quick: {size}x{size} images, one process per framework (no spread), no sweep.")
        return result
    for sweep_size, filters in SWEEP:
        from .. import models

        x, y = models.binary_image_data(SWEEP_STEPS * BATCH, sweep_size)
        build = lambda fw, s=sweep_size, f=filters: models.build_tiny_vgg(fw, s, 3, f)  # noqa: E731
        meas = ctx.measure([
            fit_candidate("minitf", ctx.subject, build, models.compile_tiny_vgg, x, y, BATCH, ctx.sync),
            fit_candidate("tf", ctx.tf, build, models.compile_tiny_vgg, x, y, BATCH),
        ])
        result.rows.append(Row(f"fit step, {sweep_size}x{sweep_size}x3, {filters} filters (in-process)", meas,
                               peer_ratios(meas), unit="step",
                               params={"size": sweep_size, "channels": 3, "filters": filters, "batch": BATCH,
                                       "steps": SWEEP_STEPS}))
    result.notes.append("Memory: peak RSS minus the RSS before the first fit, in each framework's own process "
                        "(Keras's tf.data copy of the arrays included).")
    return result


if __name__ == "__main__":
    module_name, size_arg, steps_arg, fits_arg = sys.argv[1:5]
    try:
        result = child_main(module_name, int(size_arg), int(steps_arg), int(fits_arg))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as JSON
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        result = {"error": type(exc).__name__ + (": " + message if message else ""),
                  "skip": isinstance(exc, (ImportError, AttributeError, NotImplementedError))}
    print(json.dumps(result))
