"""The GPU check: one command that checks and measures minitf on CuPy, on a machine with a CUDA
GPU and CuPy but no TensorFlow and no network (in under 8 minutes).

    python -m benchmarks.gpu_check                       # on the GPU machine (MINITF_BACKEND=cupy)
    python -m benchmarks.gpu_check --record-references   # on a CPU machine with TensorFlow
    python -m benchmarks.gpu_check --backend cupy-standin --smoke   # CI: the same, end to end, on
                                                                    # the CuPy stand-in, tiny sizes

Three parts, each with its share of the time budget:

1. ``unit``: the unit suite (``python -m pytest tests``) on the backend;
2. ``parity``: every case of ``gpu_parity.py`` (ops, gradients, layer outputs, short training
   curves of the course models) run by minitf on the backend and compared with TensorFlow's
   values, recorded on a CPU machine by ``--record-references`` into ``gpu_references/`` (small
   and regenerable: never edit them by hand); the training curves run twice, the second time
   with their steps replayed as captured CUDA graphs (``minitf/cuda_graph.py``);
3. ``bench``: the ``gpu`` benchmark case (MLP, CNN and LSTM steps at batch 32 ... 1024: minitf on
   CuPy vs minitf on NumPy vs PyTorch on CUDA where importable), written to
   ``benchmarks/results/latest_cupy.json``, which ``python -m benchmarks --report`` turns into
   the GPU table of ``benchmarks/README.md``.

A summary (``gpu_check_<backend>.json`` and a Markdown table on stdout) says what passed. The
exit status is 0 only if every part that ran passed.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCES = Path(__file__).resolve().with_name("gpu_references")
REFERENCE_ARRAYS = REFERENCES / "references.npz"
REFERENCE_META = REFERENCES / "references.json"
RESULTS_DIR = Path(__file__).resolve().with_name("results")
BUDGET_S = 480  # the whole check, on the GPU machine
SMOKE_UNIT_TESTS = ["tests/test_cupy_standin.py", "tests/test_gpu_host_copies.py", "tests/test_tensor.py",
                    "tests/test_cuda_graph.py"]


# ---------------------------------------------------------------------------------- references
def record_references() -> int:
    """Run every parity case under TensorFlow (CPU) and store the values."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""  # the references are TF's CPU values
    try:
        import tensorflow as tf
    except ImportError:
        print("gpu_check --record-references needs TensorFlow (pip install -e '.[dev]')", file=sys.stderr)
        return 2
    from . import gpu_parity

    tf.config.experimental.enable_op_determinism()
    arrays: dict[str, np.ndarray] = {}
    for name, fn in gpu_parity.CASES.items():
        tf.keras.utils.clear_session()
        for key, value in fn(tf).items():
            arrays[f"{name}/{key}"] = np.asarray(value)
        print(f"[gpu_check] recorded {name}", file=sys.stderr)
    REFERENCES.mkdir(exist_ok=True)
    meta = {
        "what": "TensorFlow's values for benchmarks/gpu_parity.py; regenerate with "
                "`python -m benchmarks.gpu_check --record-references`; do not edit by hand",
        "tensorflow": tf.__version__, "keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else None,
        "numpy": np.__version__, "python": platform.python_version(), "machine": platform.machine(),
        "cases": sorted(gpu_parity.CASES), "arrays": len(arrays),
    }
    _atomic_write(REFERENCE_ARRAYS, lambda f: np.savez_compressed(f, **arrays))
    _atomic_write(REFERENCE_META, lambda f: f.write(json.dumps(meta, indent=1, sort_keys=True).encode() + b"\n"))
    size = REFERENCE_ARRAYS.stat().st_size
    print(f"[gpu_check] wrote {REFERENCE_ARRAYS} ({len(arrays)} arrays, {size / 1024:.0f} KiB) and {REFERENCE_META}")
    return 0


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------- parity
def compare(name: str, got: dict[str, np.ndarray], refs: Any, rtol: float, atol: float) -> dict[str, Any]:
    """A case against its references, array by array: each array must be within
    ``atol + rtol * max|reference|`` everywhere (the array's own scale: a sum of many float32
    terms errs in proportion to the terms, not to a small result). Reports the worst array."""
    worst = {"case": name, "ok": True, "arrays": 0, "max_abs_err": 0.0, "rel_err": 0.0, "where": "",
             "rtol": rtol, "atol": atol}
    expected_keys = sorted(k[len(name) + 1:] for k in refs.files if k.startswith(name + "/"))
    if sorted(got) != expected_keys:
        return {**worst, "ok": False, "where": f"arrays {sorted(got)} vs references {expected_keys}"}
    for key in expected_keys:
        ref = refs[f"{name}/{key}"].astype(np.float64)
        value = np.asarray(got[key])
        if value.shape != ref.shape:
            return {**worst, "ok": False, "where": f"{key}: shape {value.shape} vs reference {ref.shape}"}
        err = float(np.max(np.abs(value.astype(np.float64) - ref))) if ref.size else 0.0
        if np.isnan(err):
            return {**worst, "ok": False, "max_abs_err": err, "where": f"{key}: NaN"}
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        rel = err / scale if scale else err
        worst["arrays"] += 1
        if rel >= worst["rel_err"]:
            worst.update(max_abs_err=err, rel_err=rel, where=key)
        if err > atol + rtol * scale:
            worst.update(ok=False, max_abs_err=err, rel_err=rel, where=key)
            return worst
    return worst


def run_parity(deadline: float) -> dict[str, Any]:
    """Every case of gpu_parity on this process's backend, against the stored references."""
    try:
        import minitf
    except ImportError as exc:  # e.g. MINITF_BACKEND=cupy without CuPy
        return {"ok": False, "reason": f"minitf did not import: {exc}"}
    from . import gpu_parity

    if not REFERENCE_ARRAYS.is_file():
        return {"ok": False, "reason": f"no references at {REFERENCE_ARRAYS}: run --record-references"}
    rows = []
    with np.load(REFERENCE_ARRAYS) as refs:
        recorded = {k.rsplit("/", 1)[0] for k in refs.files}
        for name, fn in gpu_parity.CASES.items():
            if time.monotonic() > deadline:
                rows.append({"case": name, "ok": False, "where": "not run: out of time"})
                continue
            if name not in recorded:
                rows.append({"case": name, "ok": False, "where": "no reference: run --record-references"})
                continue
            rtol, atol = gpu_parity.TOLERANCES[name.split("/")[0]]
            start = time.perf_counter()
            try:
                got = fn(minitf)
            except Exception as exc:  # noqa: BLE001 - reported per case
                rows.append({"case": name, "ok": False, "where": f"{type(exc).__name__}: {exc}"[:300]})
                continue
            row = compare(name, got, refs, rtol, atol)
            row["seconds"] = round(time.perf_counter() - start, 3)
            rows.append(row)
        # The training curves again with the traced steps replayed as captured CUDA graphs
        # (minitf/cuda_graph.py): the same references, and at least one graph launch per case.
        for name, fn in gpu_parity.CASES.items():
            if not name.startswith("train/") or name not in recorded or time.monotonic() > deadline:
                continue
            rows.append(_captured_case(minitf, name, fn, refs))
    return {"ok": all(r["ok"] for r in rows), "cases": rows, "backend": minitf.config.get_backend()}


def _captured_case(minitf: Any, name: str, fn: Any, refs: Any) -> dict[str, Any]:
    from minitf import cuda_graph

    rtol, atol = _tolerances("train")
    launches = cuda_graph.totals["launches"]
    start = time.perf_counter()
    minitf.config.optimizer.set_jit(True)
    try:
        got = fn(minitf)
    except Exception as exc:  # noqa: BLE001 - reported per case
        return {"case": f"{name} (CUDA graph)", "ok": False, "where": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        minitf.config.optimizer.set_jit(False)
    row = compare(name, got, refs, rtol, atol)
    row.update(case=f"{name} (CUDA graph)", seconds=round(time.perf_counter() - start, 3))
    launched = cuda_graph.totals["launches"] - launches
    if not launched:
        row.update(ok=False, where="no CUDA graph was launched: the steps fell back to the ordinary replay")
    return row


def _tolerances(group: str) -> tuple[float, float]:
    from . import gpu_parity

    return gpu_parity.TOLERANCES[group]


# ---------------------------------------------------------------------------------- unit suite, bench
def _child_env(backend: str) -> dict[str, str]:
    env = dict(os.environ, MINITF_BACKEND=backend, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def run_unit(backend: str, smoke: bool, timeout_s: float) -> dict[str, Any]:
    """The unit suite in a child process; its pytest summary line."""
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q", "--tb=line"]
    cmd += SMOKE_UNIT_TESTS if smoke else ["tests"]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=_child_env(backend), capture_output=True, text=True,
                              timeout=max(timeout_s, 1))
    except subprocess.TimeoutExpired:
        return {"ok": False, "summary": f"ran over its {timeout_s:.0f} s share of the budget",
                "seconds": round(time.perf_counter() - start, 1)}
    lines = proc.stdout.strip().splitlines()
    summary = next((ln.strip("= ") for ln in reversed(lines) if re.search(r"\d+ (passed|failed|error)", ln)),
                   (lines or ["no output"])[-1])
    failures = [ln for ln in lines if ln.startswith(("FAILED", "ERROR"))][:30]
    return {"ok": proc.returncode == 0, "summary": summary, "failures": failures,
            "command": " ".join(cmd[1:]), "seconds": round(time.perf_counter() - start, 1)}


def run_bench(backend: str, smoke: bool, out: Path, timeout_s: float) -> dict[str, Any]:
    """The ``gpu`` benchmark case in a child process (``python -m benchmarks --only gpu``)."""
    cmd = [sys.executable, "-m", "benchmarks", "--backend", backend, "--only", "gpu", "--out", str(out)]
    cmd += ["--quick"] if smoke else []
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=_child_env(backend), capture_output=True, text=True,
                              timeout=max(timeout_s, 1))
    except subprocess.TimeoutExpired:
        return {"ok": False, "summary": f"ran over its {timeout_s:.0f} s share of the budget",
                "seconds": round(time.perf_counter() - start, 1)}
    latest = out / f"latest_{backend}.json"
    status = "missing"
    if latest.is_file():
        gpu = next((c for c in json.loads(latest.read_text())["cases"] if c["name"] == "gpu"), {})
        status = gpu.get("status", "missing") + (f": {gpu.get('reason')}" if gpu.get("reason") else "")
    return {"ok": proc.returncode == 0 and status == "ok", "summary": f"gpu case {status}", "results": str(latest),
            "table": proc.stdout[-6000:], "stderr": proc.stderr[-1500:] if proc.returncode else "",
            "seconds": round(time.perf_counter() - start, 1)}


# ---------------------------------------------------------------------------------- main
def markdown(summary: dict[str, Any]) -> str:
    out = [f"## GPU check on `{summary['backend']}` ({summary['date']}, {summary['seconds']:.0f} s)", ""]
    out += ["| part | result | seconds |", "|---|---|--:|"]
    for part in ("unit", "parity", "bench"):
        r = summary["parts"].get(part)
        if r is None:
            continue
        text = r.get("summary") or r.get("reason") or ""
        if part == "parity" and "cases" in r:
            bad = [c for c in r["cases"] if not c["ok"]]
            text = f"{len(r['cases']) - len(bad)}/{len(r['cases'])} cases within tolerance"
        out.append(f"| {part} | {'ok' if r['ok'] else 'FAILED'}: {text} | {r.get('seconds', '')} |")
    parity = summary["parts"].get("parity", {})
    if parity.get("cases"):
        out += ["", "| parity case | ok | max abs error | / array scale | worst array | rtol, atol |",
                "|---|---|--:|--:|---|---|"]
        for c in parity["cases"]:
            out.append(f"| {c['case']} | {'ok' if c['ok'] else 'FAILED'} | {c.get('max_abs_err', float('nan')):.3g} "
                       f"| {c.get('rel_err', float('nan')):.2g} | {c.get('where', '')} | {c.get('rtol', '')}, "
                       f"{c.get('atol', '')} |")
    bench = summary["parts"].get("bench", {})
    if bench.get("table"):
        out += ["", bench["table"]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gpu_check", description=__doc__.split("\n\n")[0])
    parser.add_argument("--record-references", action="store_true",
                        help="run the parity cases under TensorFlow (CPU) and store the reference values")
    parser.add_argument("--backend", choices=("cupy", "cupy-standin"), default="cupy")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes and a few unit test files: the CI run on the stand-in")
    parser.add_argument("--skip", default="", help="comma-separated parts not to run: unit, parity, bench")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"folder for results (default {RESULTS_DIR}; with --smoke a temporary folder)")
    parser.add_argument("--budget-s", type=float, default=BUDGET_S, help="time for the whole check")
    args = parser.parse_args(argv)
    if args.record_references:
        return record_references()

    os.environ["MINITF_BACKEND"] = args.backend  # before minitf is imported: it picks its backend then
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    start = time.monotonic()
    deadline = start + args.budget_s
    out = args.out or (Path(tempfile.mkdtemp(prefix="gpu_check_")) if args.smoke else RESULTS_DIR)
    out.mkdir(parents=True, exist_ok=True)
    parts: dict[str, Any] = {}
    if "parity" not in skip:  # first: it is short, and it is what a GPU run must not miss
        print("[gpu_check] parity ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        parts["parity"] = run_parity(start + min(120, args.budget_s / 3))
        parts["parity"]["seconds"] = round(time.perf_counter() - t, 1)
    if "unit" not in skip:
        print("[gpu_check] unit suite ...", file=sys.stderr, flush=True)
        share = (deadline - time.monotonic()) * (0.55 if "bench" not in skip else 1.0)
        parts["unit"] = run_unit(args.backend, args.smoke, share)
    if "bench" not in skip:
        print("[gpu_check] gpu benchmark ...", file=sys.stderr, flush=True)
        parts["bench"] = run_bench(args.backend, args.smoke, out, deadline - time.monotonic())
    summary = {"backend": args.backend, "smoke": args.smoke, "date": _dt.datetime.now().isoformat(timespec="seconds"),
               "seconds": round(time.monotonic() - start, 1), "parts": parts,
               "ok": all(p["ok"] for p in parts.values())}
    path = out / f"gpu_check_{args.backend}.json"
    _atomic_write(path, lambda f: f.write(json.dumps(summary, indent=1, default=str).encode() + b"\n"))
    print(markdown(summary))
    print(f"[gpu_check] {'passed' if summary['ok'] else 'FAILED'}; summary in {path}", file=sys.stderr)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
