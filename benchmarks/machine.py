"""What machine and software a run measured; saved with every result file."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .frameworks import Framework, installed_version


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo`` on Linux, else ``platform``)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask), which can be fewer than cpu_count: the
    count minitf's kernels use (``minitf.parallel``)."""
    from minitf.parallel import usable_cores as cores  # noqa: PLC0415 (the harness imports minitf lazily)

    return cores()


def git_commit(repo: Path) -> str | None:
    """The checked-out commit, read-only; None outside git or before the first commit."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo,
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def blas_kernels() -> str | None:
    """The BLAS NumPy runs and the kernels it runs ("openblas SkylakeX"): OpenBLAS picks them for the CPU
    when it loads, unless OPENBLAS_CORETYPE names others (see "How to run" in the README)."""
    try:
        from threadpoolctl import threadpool_info  # noqa: PLC0415
        found = [f"{i.get('internal_api')} {i.get('architecture') or ''}".strip()
                 for i in threadpool_info() if i.get("user_api") == "blas"]
    except Exception:  # noqa: BLE001 - informational only
        return None
    return ", ".join(sorted(set(found))) or None


def machine_info(subject: Framework, tf: Framework, backend: str) -> dict[str, Any]:
    """CPU, cores, platform, versions and date, for the results file header."""
    tf_version = tf.version() if tf.loaded else installed_version("tensorflow")
    keras_version = None
    if tf.loaded:
        keras_mod = sys.modules.get("keras")
        keras_version = getattr(keras_mod, "__version__", None) if keras_mod else None
    info: dict[str, Any] = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cores": usable_cores(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "tensorflow": tf_version,
        "keras": keras_version or installed_version("keras"),
        "minitf": (subject.version() if subject.module_name == "minitf"
                   else installed_version("minitf")),
        "subject_module": subject.module_name,
        "subject_version": subject.version(),
        "backend": backend,
        "git_commit": git_commit(Path(__file__).resolve().parent.parent),
        "blas": blas_kernels(),
        # Threads are left at the frameworks' defaults; these say what those were.
        "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                           "OPENBLAS_NUM_THREADS", "TF_ENABLE_ONEDNN_OPTS",
                                           "MINITF_BACKEND", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                           "OPENBLAS_THREAD_TIMEOUT") if k in os.environ},
    }
    cupy_mod = sys.modules.get("cupy")
    if cupy_mod is not None:
        info["cupy"] = getattr(cupy_mod, "__version__", None)
        try:
            dev = cupy_mod.cuda.Device()
            props = cupy_mod.cuda.runtime.getDeviceProperties(dev.id)
            name = props.get("name", b"")
            info["gpu"] = name.decode() if isinstance(name, bytes) else str(name)
        except Exception:  # noqa: BLE001 - informational only
            pass
    return info
