"""Start-up time and peak memory, each measured in a fresh Python process.

``python -c`` runs (1) an import of the framework, (2) import + build + one training
epoch of the circles MLP (1024 samples, batch 32). The parent times the whole process
(interpreter start included: what a learner waits for); the child reports its peak
resident set size: ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, or on Linux ``VmHWM``
from ``/proc/self/status``, because ru_maxrss carries over the forking parent's peak.
The ``numpy`` column is the floor: ``import numpy``, and the hand-written NumPy MLP
for training.
Runs are interleaved (minitf, tf, numpy, minitf, ...) like every other measurement.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..context import Context
from ..measure import Measurement
from ..results import CaseResult, Row, peer_ratios
from ..stats import summarize

NAME = "memory_startup"
TITLE = "Start-up time and peak memory (fresh process each)"
REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 300

# The child prints one JSON line last; errors become {"error": ...} so that the parent
# can report "skipped: minitf import failed: ..." instead of parsing a traceback.
CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
module, train = sys.argv[1], sys.argv[2] == "1"
out = {}
try:
    if module == "numpy":
        import numpy as fw
    else:
        import importlib
        fw = importlib.import_module(module)
    out["import_s"] = time.perf_counter() - t0
    if train:
        from benchmarks import models
        x, y = models.circles_data(1024)
        if module == "numpy":
            from benchmarks.numpy_models import NumpyMLP
            NumpyMLP(lr=0.01).fit_epoch(x, y, 32)
        else:
            model = models.compile_circles_mlp(fw, models.build_circles_mlp(fw))
            model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False)
    out["inner_s"] = time.perf_counter() - t0
except BaseException as exc:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    out["error"] = type(exc).__name__ + (": " + msg if msg else "")
    out["skip"] = isinstance(exc, (ImportError, AttributeError, NotImplementedError))
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# Linux reports KiB, macOS bytes.
out["ru_maxrss_bytes"] = rss if sys.platform == "darwin" else rss * 1024
out["peak_bytes"] = out["ru_maxrss_bytes"]
# On Linux ru_maxrss survives exec: a child forked from this (TensorFlow-sized) parent
# would report the parent's size. VmHWM, the peak of this process's own address space,
# starts afresh at exec, so it is the honest number where it exists.
try:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                out["peak_bytes"] = int(line.split()[1]) * 1024
except OSError:
    pass
print(json.dumps(out))
"""


def run_child(module: str, train: bool, backend: str) -> dict:
    """One fresh process; returns the child's JSON plus the parent-measured ``wall_s``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["MINITF_BACKEND"] = backend
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, module, "1" if train else "0"],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"child ran over {TIMEOUT_S} s", "skip": False}
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"child exited {proc.returncode}: {tail}", "skip": False}
    out = json.loads(lines[-1])
    out["wall_s"] = wall
    return out


def _measurement(name: str, samples: list[float], error: dict | None) -> Measurement:
    """A Measurement from raw samples, or the skip/failure a child reported."""
    if error is not None:
        reason = error["error"]
        if error.get("skip"):
            reason = f"{name} import or model failed: {reason}"
        return Measurement(name, "skipped" if error.get("skip") else "failed", reason)
    return Measurement(name, samples=samples, summary=summarize(samples), calls_per_block=1)


def run(ctx: Context) -> CaseResult:
    """Interleaved fresh-process runs; rows for wall time and peak RSS of each scenario."""
    modules = {"minitf": ctx.subject.module_name, "tf": ctx.tf.module_name, "numpy": "numpy"}
    reps = 1 if ctx.quick else ctx.settings.reps  # TensorFlow alone takes seconds per start
    result = CaseResult(NAME, TITLE)
    scenarios = [(False, "import"), (True, "import + build + fit 1 epoch (circles, 1024)")]
    if ctx.quick:  # a TensorFlow process takes seconds: the smoke test starts fewer
        scenarios = scenarios[:1]
    for train, what in scenarios:
        wall: dict[str, list[float]] = {k: [] for k in modules}
        rss: dict[str, list[float]] = {k: [] for k in modules}
        errors: dict[str, dict] = {}
        for _ in range(reps):
            for name, module in modules.items():
                if name in errors:
                    continue
                out = run_child(module, train, ctx.backend)
                if "error" in out:
                    errors[name] = out
                    continue
                wall[name].append(out["wall_s"])
                rss[name].append(float(out["peak_bytes"]))
        wall_meas = {k: _measurement(k, wall[k], errors.get(k)) for k in modules}
        rss_meas = {k: _measurement(k, rss[k], errors.get(k)) for k in modules}
        result.rows.append(Row(f"{what}: process wall time", wall_meas, peer_ratios(wall_meas),
                               unit="process", params={"train": train}))
        result.rows.append(Row(f"{what}: peak RSS", rss_meas, peer_ratios(rss_meas),
                               unit="process", params={"train": train}, value_kind="bytes"))
    if ctx.quick:
        result.notes.append("--quick: import only, one process per cell, so no spread.")
    return result
