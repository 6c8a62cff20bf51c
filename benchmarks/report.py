"""Markdown tables from a run's JSON, and the README's "Latest results" section.

Works on the plain dicts of the JSON file (not the dataclasses), so that
``python -m benchmarks --report`` can regenerate the tables from saved results.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Iterable

from .storage import atomic_write_text, load_latest

START_MARKER = "<!-- results:start -->"
END_MARKER = "<!-- results:end -->"
README = Path(__file__).resolve().parent / "README.md"

LEGEND = (
    "Times are medians per unit (op, step, ...) over interleaved repetitions; "
    "`±x%` is half the inter-quartile range relative to the median. "
    "A ratio `a/b` is a's time ÷ b's time, taken per repetition and then the median: "
    "**in `peer/minitf`, >1 means minitf faster** (for memory: smaller). "
    "A target like `≤3` is an upper bound on that ratio."
)


def fmt_seconds(s: float) -> str:
    """Seconds with a unit chosen for 3 significant figures: ``12.3 µs``, ``4.56 ms``."""
    if not math.isfinite(s):
        return str(s)
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if abs(s) >= scale or unit == "ns":
            return f"{s / scale:.3g} {unit}"
    return f"{s:.3g} s"  # pragma: no cover


def fmt_bytes(b: float) -> str:
    """Bytes as MiB or GiB."""
    mib = b / 2 ** 20
    return f"{mib / 1024:.2f} GiB" if mib >= 1024 else f"{mib:.0f} MiB"


def fmt_cell(cand: dict[str, Any], row: dict[str, Any], notes: "Footnotes") -> str:
    """One candidate's cell: value ± spread, or a footnoted skip/failure."""
    status = cand.get("status", "ok")
    if status == "ok" and cand.get("median") is None:
        return "—"
    if status != "ok" or "median" not in cand:
        reason = cand.get("reason", "")
        return f"{status} [{notes.ref(f'{status}: {reason}')}]"
    median = cand["median"]
    spread = ""
    if cand.get("n", 0) > 1 and median and cand.get("q1") is not None \
            and cand.get("q3") is not None:
        spread = f" ±{50.0 * (cand['q3'] - cand['q1']) / median:.0f}%"
    if row.get("value_kind") == "bytes":
        return fmt_bytes(median) + spread
    if row.get("flops") and median > 0:
        return f"{row['flops'] / median / 1e9:.1f} GFLOP/s ({fmt_seconds(median)}){spread}"
    return fmt_seconds(median) + spread


def fmt_ratio(ratio: dict[str, Any] | None) -> str:
    """A ratio cell: ``2.31``, with ``✓ ≤3`` / ``✗ ≤3`` when the case set a target."""
    if ratio is None or ratio.get("median") is None:
        return "—"
    text = f"{ratio['median']:.2f}"
    if not ratio.get("paired", True):
        text += " (unpaired)"
    if "target" in ratio:
        text += f" {'✓' if ratio.get('meets_target') else '✗'} ≤{ratio['target']:g}"
    return text


class Footnotes:
    """Long skip reasons go under the table, numbered, so that cells stay narrow."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def ref(self, text: str) -> str:
        """The footnote number for ``text`` (identical texts share one)."""
        if text not in self.items:
            self.items.append(text)
        return str(self.items.index(text) + 1)

    def lines(self) -> list[str]:
        """``[n] text`` lines for under the table."""
        return [f"[{i}] {t}  " for i, t in enumerate(self.items, 1)]


def _ordered_union(lists: Iterable[Iterable[str]]) -> list[str]:
    seen: list[str] = []
    for items in lists:
        for item in items:
            if item not in seen:
                seen.append(item)
    return seen


def case_markdown(case: dict[str, Any], level: int = 3) -> str:
    """A heading (``level`` #s) with the case's table (or its skip reason), notes and plots."""
    out = [f"{'#' * level} `{case['name']}`: {case.get('title', '')}", ""]
    if case.get("status", "ok") != "ok":
        out += [f"{case['status']}: {case.get('reason', '')}", ""]
        return "\n".join(out)
    rows = case.get("rows", [])
    names = _ordered_union(r["candidates"].keys() for r in rows)
    ratio_labels = _ordered_union((q["label"] for q in r["ratios"]) for r in rows)
    notes = Footnotes()
    header = ["benchmark", *names, *ratio_labels]
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "|".join(["---"] + ["--:"] * (len(header) - 1)) + "|")
    for row in rows:
        cells = [f"{row['label']} (per {row.get('unit', 'call')})"]
        for name in names:
            cand = row["candidates"].get(name)
            cells.append(fmt_cell(cand, row, notes) if cand is not None else "—")
        by_label = {q["label"]: q for q in row["ratios"]}
        cells += [fmt_ratio(by_label.get(label)) for label in ratio_labels]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    if notes.items:
        out += notes.lines() + [""]
    out += [f"Note: {n}  " for n in case.get("notes", [])]
    out += [f"![{p}](results/{p})" for p in case.get("plots", [])]
    return "\n".join(out).rstrip() + "\n"


def run_markdown(run: dict[str, Any], level: int = 2) -> str:
    """The full report of one run: machine line, legend, one section per case.

    ``level`` is the heading depth of the run's title; cases go one deeper.
    """
    m = run.get("meta", {})
    subject = m.get("subject_module", "minitf")
    lines = [
        f"{'#' * level} Backend `{m.get('backend', '?')}`, {m.get('date', '?')}"
        + (" (quick)" if m.get("quick") else ""),
        "",
        f"{m.get('cpu_model', '?')}, {m.get('usable_cores', '?')} usable cores "
        f"(cpu_count {m.get('cpu_count', '?')}); {m.get('platform', '?')}; "
        f"Python {m.get('python', '?')}, NumPy {m.get('numpy', '?')}, "
        f"TensorFlow {m.get('tensorflow') or 'not installed'}, minitf {m.get('minitf') or '?'}"
        + (f", BLAS {m['blas']}" if m.get("blas") else "")
        + (f" (pinned: OPENBLAS_CORETYPE={m['env']['OPENBLAS_CORETYPE']})"
           if "OPENBLAS_CORETYPE" in m.get("env", {}) else "")
        + (f", commit {m['git_commit']}" if m.get("git_commit") else "") + ".",
        "",
    ]
    if subject != "minitf":
        lines += [f"**Self-test run: `{subject}` stands in for minitf in the `minitf` column.**", ""]
    lines += [LEGEND, ""]
    for case in run.get("cases", []):
        lines.append(case_markdown(case, level + 1))
    return "\n".join(lines).rstrip() + "\n"


def replace_between_markers(text: str, body: str) -> str:
    """``text`` with everything between the result markers replaced by ``body``."""
    pattern = re.compile(re.escape(START_MARKER) + r".*?" + re.escape(END_MARKER), re.S)
    if not pattern.search(text):
        raise ValueError(f"markers {START_MARKER} / {END_MARKER} not found")
    return pattern.sub(lambda _m: f"{START_MARKER}\n{body.rstrip()}\n{END_MARKER}", text, count=1)


def update_readme(results_dir: Path, readme: Path = README) -> str:
    """Regenerate the README's results section from ``latest_<backend>.json``; returns it."""
    runs = load_latest(results_dir)
    if runs:
        # Under the README's "## Latest results": one level deeper.
        body = "\n".join(run_markdown(runs[b], level=3) for b in sorted(runs))
    else:
        body = "_No results yet: run `python -m benchmarks`, then `python -m benchmarks --report`._"
    atomic_write_text(readme, replace_between_markers(readme.read_text(encoding="utf-8"), body))
    return body
