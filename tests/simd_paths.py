"""The value of NPY_DISABLE_CPU_FEATURES that switches NumPy's AVX-512 code paths off.

NumPy picks a SIMD kernel for float32 ``power``, ``expm1``, ``log1p``, ``arctan`` ... when it
starts, from the CPU's features; the AVX-512 kernels do not round every result as the others do.
Tests and ``.ci/run`` exercise both paths on one machine by starting NumPy again with the
AVX-512 targets disabled. The names differ between NumPy versions (2.4: ``X86_V4``,
``AVX512_ICL``, ``AVX512_SPR``; 1.26: ``AVX512F``, ``AVX512_SKX`` ...), so they are read from
NumPy's own list of dispatch targets. Disabling a target the CPU lacks is harmless (NumPy
ignores it); the value is empty where NumPy has no AVX-512 targets (not x86).

    python tests/simd_paths.py     # prints the value, for a shell: export NPY_DISABLE_CPU_FEATURES="$(...)"
"""
from __future__ import annotations

import os
import subprocess
import sys


def _dispatch_targets() -> tuple[list[str], list[str]]:
    try:
        from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__
    return list(__cpu_dispatch__), list(__cpu_baseline__)


def avx512_off_value() -> str:
    """The NPY_DISABLE_CPU_FEATURES value naming every AVX-512 dispatch target of this NumPy."""
    dispatch, baseline = _dispatch_targets()
    return " ".join(f for f in dispatch if (f.startswith("AVX512") or f == "X86_V4") and f not in baseline)


def active_avx512_targets() -> list[str]:
    """The AVX-512 dispatch targets NumPy uses in this process (none once they are disabled)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:
        from numpy.core._multiarray_umath import __cpu_features__
    dispatch, _ = _dispatch_targets()
    return [f for f in dispatch if (f.startswith("AVX512") or f == "X86_V4") and __cpu_features__.get(f)]


def run_without_avx512(code: str, timeout: float = 120) -> str:
    """Run ``python -c code`` with NumPy's AVX-512 paths off; return its stdout (raises on failure)."""
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=avx512_off_value())
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"subprocess without AVX-512 failed:\n{done.stderr[-3000:]}")
    return done.stdout


if __name__ == "__main__":
    print(avx512_off_value())
