"""PNG plots of scaling curves (matplotlib, Agg backend: no display needed), written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from .storage import atomic_write


def line_plot(path: Path, series: Mapping[str, Sequence[tuple[float, float]]], title: str,
              xlabel: str, ylabel: str, logx: bool = True, logy: bool = True) -> Path:
    """One line per candidate (log-log by default); returns ``path``."""
    import matplotlib

    matplotlib.use("Agg")  # headless: benchmarks run on servers and in CI
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=110)
    try:
        for name, points in series.items():
            if not points:
                continue
            xs, ys = zip(*sorted(points))
            ax.plot(xs, ys, marker="o", label=name)
        if logx:
            ax.set_xscale("log", base=2)
        if logy:
            ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        atomic_write(path, lambda fh: fig.savefig(fh, format="png"))
    finally:
        plt.close(fig)
    return path
