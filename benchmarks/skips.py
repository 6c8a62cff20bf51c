"""How a benchmark that cannot run is described instead of crashing the run.

A case (or one candidate inside a case) may be impossible on this machine: TensorFlow
is not installed, minitf does not have that layer yet, there is no GPU. Those are
*skips*, reported as ``skipped: <reason>``. Any other exception is a *failure*,
reported as ``failed: <reason>``. Neither stops the other benchmarks.
"""

from __future__ import annotations


class Skip(Exception):
    """Raised on purpose when a benchmark cannot run here (missing framework, no GPU...)."""


# Exceptions that mean "this framework does not have that yet": minitf is written
# while the benchmarks exist, so a missing layer shows up as one of these.
SKIP_ERRORS: tuple[type[BaseException], ...] = (
    Skip,
    ImportError,
    AttributeError,
    NotImplementedError,
)

SKIPPED = "skipped"
FAILED = "failed"


def describe(exc: BaseException) -> tuple[str, str]:
    """Map an exception to ``(status, reason)``; status is ``"skipped"`` or ``"failed"``."""
    status = SKIPPED if isinstance(exc, SKIP_ERRORS) else FAILED
    if isinstance(exc, Skip):
        reason = str(exc)
    else:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        reason = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    # Keep table cells readable: a one-line reason of bounded length.
    if len(reason) > 160:
        reason = reason[:157] + "..."
    return status, reason
