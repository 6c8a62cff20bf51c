"""What every case receives: the settings of the run and the frameworks to compare."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable, Sequence

from .frameworks import Framework
from .measure import Candidate, Measurement, Settings, Unavailable, measure_interleaved
from .skips import describe


@dataclass
class Context:
    """Run-wide state handed to each case's ``run(ctx)``.

    ``xp`` is the array module of the chosen backend (numpy, or cupy with
    ``--backend cupy``), used by the hand-written baselines; ``sync`` waits for the
    GPU (None on CPU) and is attached to candidates that may run there.
    """

    quick: bool
    backend: str
    settings: Settings
    subject: Framework
    tf: Framework
    out_dir: Path
    xp: ModuleType
    sync: Callable[[], object] | None = None
    file_tag: str = ""  # appended to output file names, e.g. "_selftest-tensorflow"
    clock: Callable[[], float] = time.perf_counter
    extra_meta: dict[str, object] = field(default_factory=dict)

    @property
    def xp_name(self) -> str:
        """Name of the baseline column: ``numpy`` or ``cupy``."""
        return self.xp.__name__.split(".")[0]

    def measure(self, candidates: Sequence[Candidate | Unavailable]) -> dict[str, Measurement]:
        """Interleaved measurement with the run's settings (see :mod:`benchmarks.measure`)."""
        return measure_interleaved(candidates, self.settings, self.clock)

    def plot_path(self, stem: str) -> Path:
        """Where a case writes its PNG, e.g. ``results/scaling_batch_numpy.png``."""
        return self.out_dir / f"{stem}_{self.backend}{self.file_tag}.png"


def prepare(name: str, factory: Callable[[], Candidate]) -> Candidate | Unavailable:
    """Run a candidate's set-up (import, build, compile); a failure becomes :class:`Unavailable`.

    This is what lets a case list minitf, TF and NumPy side by side while minitf is
    still missing layers: that candidate says ``skipped: AttributeError: ...`` and the
    others are measured.
    """
    try:
        return factory()
    except Exception as exc:  # noqa: BLE001 - reported, never raised
        status, reason = describe(exc)
        return Unavailable(name, status, reason)
