"""Shared by the lesson parity tests: check every minitf-vs-TF comparison a lesson recorded.

A lesson run with TF writes, for each compared quantity, the largest |minitf - TF| beside the
tolerance it claims (``summary.json``). ``tf_lesson`` (a fixture in ``parity_tests/conftest.py``)
runs a lesson that way once per session; ``check_comparisons`` then holds it to its claims.
"""
from __future__ import annotations

import math
from typing import Iterable


def check_comparisons(summary: dict, expected: Iterable[str] = (), max_tol: float | None = None) -> dict:
    """Every comparison has a finite difference within its tolerance and no shape/dtype
    mismatch; the ``expected`` names are among them; no tolerance is looser than ``max_tol``.
    Returns the comparisons."""
    lesson, comparisons = summary["lesson"], summary["comparisons"]
    assert summary["tensorflow"], f"lesson {lesson}: TF is installed, but the lesson did not use it"
    assert comparisons, f"lesson {lesson} recorded no comparison with TF"
    missing = [name for name in expected if name not in comparisons]
    assert not missing, f"lesson {lesson} did not compare {missing} with TF (it compared {list(comparisons)})"
    failures = []
    for name, c in comparisons.items():
        diff, tol = c["max_abs_diff"], c["tol"]
        if c.get("mismatch"):
            failures.append(f"{name}: mismatch {c['mismatch']}")
        elif not isinstance(diff, (int, float)) or not math.isfinite(diff):
            failures.append(f"{name}: no finite difference recorded ({diff!r})")
        elif tol is None:
            failures.append(f"{name}: no tolerance claimed (|diff| {diff:.3g})")
        elif diff > tol:
            failures.append(f"{name}: |minitf - TF| = {diff:.3g} exceeds the tolerance {tol:.3g}")
        elif max_tol is not None and tol > max_tol:
            failures.append(f"{name}: claims tolerance {tol:.3g}, looser than {max_tol:.3g}")
    assert not failures, (f"lesson {lesson}: {len(failures)} of {len(comparisons)} comparisons with TF fail:\n  "
                          + "\n  ".join(failures))
    return comparisons
