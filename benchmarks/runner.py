"""Running the selected cases and saving what they produced.

Every case runs inside a guard: whatever it raises becomes a ``skipped``/``failed``
case in the results, and the next case runs.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .cases import CASE_NAMES
from .context import Context
from .frameworks import DEFAULT_SUBJECT, Framework
from .machine import machine_info
from .measure import Settings
from .results import CaseResult
from .skips import describe
from .storage import RESULTS_DIR, write_results

SCHEMA_VERSION = 1

FULL_SETTINGS = Settings(reps=5, warmup=2, min_block_s=0.02, target_block_s=0.035)
# --quick is a smoke test of the harness, not a measurement: fewer and shorter blocks.
QUICK_SETTINGS = Settings(reps=3, warmup=1, min_block_s=0.01, target_block_s=0.015)


@dataclass
class RunConfig:
    """What the command line asked for."""

    quick: bool = False
    only: Sequence[str] = field(default_factory=lambda: list(CASE_NAMES))
    backend: str = "numpy"
    out_dir: Path = RESULTS_DIR
    subject_module: str = DEFAULT_SUBJECT

    @property
    def file_tag(self) -> str:
        """Suffix for output files of a self-test run (stand-in subject), else empty."""
        return "" if self.subject_module == DEFAULT_SUBJECT else f"_selftest-{self.subject_module}"


def array_module(backend: str) -> tuple[Any, Any]:
    """``(xp, sync)`` for the backend: cupy and a device-synchronise, or numpy and None."""
    if backend == "cupy-standin":  # the CuPy stand-in (minitf/_cupy_standin): a smoke test, not a GPU
        from minitf._cupy_standin import cupy as standin

        return standin, lambda: standin.cuda.Device().synchronize()
    if backend == "cupy":
        try:
            import cupy

            cupy.cuda.runtime.getDeviceCount()
            return cupy, lambda: cupy.cuda.Device().synchronize()
        except Exception:  # noqa: BLE001 - no CuPy or no GPU: the baselines stay on NumPy
            return np, None
    return np, None


def make_context(config: RunConfig) -> Context:
    """Frameworks (not yet imported), settings and output folder for a run."""
    # minitf picks its array module when imported; set it before anything imports it.
    os.environ["MINITF_BACKEND"] = config.backend
    # TensorFlow's C++ start-up chatter would bury the table; it does not change timings.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    xp, sync = array_module(config.backend)
    return Context(
        quick=config.quick,
        backend=config.backend,
        settings=QUICK_SETTINGS if config.quick else FULL_SETTINGS,
        subject=Framework("minitf", config.subject_module),
        tf=Framework("tf", "tensorflow"),
        out_dir=Path(config.out_dir),
        xp=xp,
        sync=sync,
        file_tag=config.file_tag,
    )


def run_case(name: str, ctx: Context) -> CaseResult:
    """Import and run one case module; any exception becomes a skipped/failed result."""
    start = time.perf_counter()
    title = name
    try:
        module = importlib.import_module(f"benchmarks.cases.{name}")
        title = getattr(module, "TITLE", name)
        result = module.run(ctx)
    except Exception as exc:  # noqa: BLE001 - one case never stops the others
        status, reason = describe(exc)
        result = CaseResult(name, title, status=status, reason=reason)
    result.seconds = time.perf_counter() - start
    return result


def run(config: RunConfig, log: Any = sys.stderr) -> dict[str, Any]:
    """Run the cases, write the JSON files, return the run as a dict."""
    ctx = make_context(config)
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    cases: list[CaseResult] = []
    for name in config.only:
        print(f"[benchmarks] {name} ...", file=log, flush=True)
        result = run_case(name, ctx)
        extra = f" ({result.status}: {result.reason})" if result.status != "ok" else ""
        print(f"[benchmarks] {name} done in {result.seconds:.1f} s{extra}", file=log, flush=True)
        cases.append(result)
    meta = machine_info(ctx.subject, ctx.tf, config.backend)
    meta.update({
        "quick": config.quick,
        "settings": asdict(ctx.settings),
        "argv": sys.argv[1:],
        "duration_s": round(time.perf_counter() - started, 1),
        "subject_import_error": ctx.subject.error if ctx.subject.attempted else None,
        "baseline_array_module": ctx.xp_name,
    })
    run_dict = {"schema": SCHEMA_VERSION, "meta": meta, "cases": [c.to_dict() for c in cases]}
    dated, latest = write_results(run_dict, ctx.out_dir, stamp, config.backend, config.file_tag)
    run_dict["files"] = {"dated": str(dated), "latest": str(latest)}
    return run_dict
