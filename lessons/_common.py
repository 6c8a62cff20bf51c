"""What every lesson shares: its settings, its figures, its comparisons with TF, its summary.

A lesson is a plain script (and a notebook, through Jupytext). The runner,
``python -m lessons run NN``, talks to it through three environment variables,
read here so that a lesson run by hand behaves the same way:

==========================  ============================================================
``MINITF_LESSON_FAST=1``    fast mode: fewer steps, smaller grids (for the tests)
``MINITF_LESSON_OUT=DIR``   where figures and ``summary.json`` go
                            (default ``lesson_output/<lesson name>``)
``MINITF_LESSON_NO_TF=1``   do not import TensorFlow, even where it is installed
==========================  ============================================================

A lesson calls ``begin(name)`` first and ``summary(...)`` last. In between it
uses ``tf_or_none()`` for TensorFlow, ``savefig`` for figures and ``compare`` /
``side_by_side`` to put minitf's numbers beside TF's, and ``build_pair`` / ``fit_pair`` to
train the same Keras model under both. Every comparison is kept,
with its largest absolute difference, and written to ``summary.json``: the
tests read that file to check what the lesson claims.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

FAST_ENV = "MINITF_LESSON_FAST"
OUT_ENV = "MINITF_LESSON_OUT"
NO_TF_ENV = "MINITF_LESSON_NO_TF"
TF_INSTALL = "pip install tensorflow-cpu==2.21.0"

# A lesson run as `python lessons/NN_x.py` (or a notebook opened in lessons/) has
# lessons/ on sys.path but not the repository root: put the root first, so that
# `import minitf` finds the minitf beside these lessons (not another one installed), and
# works without installing the package.
_ROOT = Path(__file__).resolve().parent.parent
if (_ROOT / "minitf").is_dir() and ((_ROOT / "pyproject.toml").is_file()
                                   or importlib.util.find_spec("minitf") is None):
    sys.path.insert(0, str(_ROOT))


class _State:
    """What the running lesson has produced so far (reset by ``begin``)."""

    def __init__(self, name: str = "lesson"):
        self.name = name
        self.started = time.perf_counter()
        self.figures: list[str] = []
        self.figure_axes: dict[str, list[dict]] = {}
        self.files: list[str] = []
        self.comparisons: dict[str, dict] = {}
        self.tf: Any = None
        self.tf_checked = False


_state = _State()


def _in_notebook() -> bool:
    return "ipykernel" in sys.modules


def _flag(env: str) -> bool:
    return os.environ.get(env, "").strip().lower() in ("1", "true", "yes", "on")


# --- settings ------------------------------------------------------------------------
def begin(name: str) -> None:
    """Start a lesson: forget earlier figures and comparisons, say how it runs."""
    global _state
    _state = _State(name)
    mode = "fast" if fast() else "full"
    print(f"== lesson {name} ({mode} mode); figures and summary.json go to {out_dir()}")


def fast() -> bool:
    """True in fast mode (``--fast``): the lesson shrinks its loops to run in seconds."""
    return _flag(FAST_ENV)


def pick(full: Any, fast_value: Any) -> Any:
    """``full`` normally, ``fast_value`` in fast mode: ``steps = L.pick(2000, 100)``."""
    return fast_value if fast() else full


def out_dir() -> Path:
    """The output folder (created if needed)."""
    path = Path(os.environ.get(OUT_ENV) or Path("lesson_output") / _state.name)
    path.mkdir(parents=True, exist_ok=True)
    return path


def tf_or_none():
    """TensorFlow, or None (with one line saying why, and how to get it)."""
    if _state.tf_checked:
        return _state.tf
    _state.tf_checked = True
    if _flag(NO_TF_ENV):
        print("TensorFlow comparison is off (--no-tf): minitf runs alone.")
        return None
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # reference numbers without oneDNN's reordering
    try:
        import tensorflow
    except ImportError:
        print(f"TensorFlow is not installed, so minitf runs alone. To see TF's numbers beside "
              f"minitf's: {TF_INSTALL}")
        return None
    print(f"TensorFlow {tensorflow.__version__} found: every computation runs under both.")
    _state.tf = tensorflow
    return tensorflow


MEASURED_TAG = "[measured]"


def measured(text: str) -> None:
    """Print a line of measurements (times, speed-ups) that change from run to run.

    Everything else a lesson prints must be the same on every run; the tag tells a reader, and
    the tests, which lines are measurements instead of results."""
    print(f"{text}  {MEASURED_TAG}")


def heading(text: str) -> None:
    """A section title in the printed output (the notebook has the markdown cell)."""
    print(f"\n--- {text} " + "-" * max(3, 70 - len(text)))


# --- figures -------------------------------------------------------------------------
def pyplot():
    """matplotlib.pyplot, drawing off-screen (Agg) unless inside a notebook."""
    import matplotlib

    if not _in_notebook():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def savefig(fig, name: str) -> Path:
    """Write ``fig`` as ``<out_dir>/<name>.png`` and record it for the summary."""
    if not name.endswith(".png"):
        name += ".png"
    path = out_dir() / name
    # Fast mode draws once, at half the resolution: a tight bounding box costs a second drawing.
    fig.savefig(path, dpi=pick(100, 50), bbox_inches=pick("tight", None))
    if name not in _state.figures:
        _state.figures.append(name)
    _state.figure_axes[name] = [_axes_labels(ax) for ax in fig.axes]
    print(f"figure: {path}")
    if not _in_notebook():
        pyplot().close(fig)
    return path


def _axes_labels(ax) -> dict:
    """What a reader needs to read one panel: its title and axis labels (for the tests: every plot
    has its axes labelled). ``kind``: "plot", "colorbar", or "drawing" (axes or ticks hidden: a graph, a
    picture of a matrix)."""
    hidden = not ax.axison or (len(ax.get_xticks()) == 0 and len(ax.get_yticks()) == 0)
    kind = "colorbar" if hasattr(ax, "_colorbar") else ("drawing" if hidden else "plot")
    return {"kind": kind, "title": ax.get_title(), "x": ax.get_xlabel(), "y": ax.get_ylabel()}


def output_file(name: str) -> Path:
    """The path for another file the lesson writes (e.g. a .dot graph); listed in the summary."""
    if name not in _state.files:
        _state.files.append(name)
    return out_dir() / name


# --- comparisons -------------------------------------------------------------------------
def _as_array(values: Any) -> np.ndarray:
    if isinstance(values, (list, tuple)) and values:  # flatten each item, in order
        return np.concatenate([np.ravel(_as_array(v)) for v in values])
    return np.asarray(values, dtype=np.float64)


def _fmt(x: float) -> str:
    return f"{x: .9g}"


def compare(name: str, minitf_values: Any, tf_values: Any, tol: float | None = None, show: int = 6,
            labels: tuple[str, str] = ("minitf", "TF"), means: str = "", table: bool = False) -> float | None:
    """Put minitf's numbers beside TF's, keep their largest absolute difference, and say what it means.

    Values may be tensors, arrays, numbers or lists of them (flattened in order).
    With ``tf_values`` None (no TF) only minitf's numbers are printed.
    ``tol`` is the lesson's claim: the difference should not exceed it.
    ``means``: what the agreement shows, in a few words ("the same chain rule as TF's").

    Agreement takes one line: bit for bit, or within the tolerance. A table of the ``show``
    numbers that differ most is printed where it teaches something: when the lesson asks for it
    (``table=True``: float32 rounding, seeds) or when the tolerance is exceeded.
    Returns the largest |difference|, or None without TF.
    """
    mine = _as_array(minitf_values).ravel()
    if tf_values is None:
        head = ", ".join(_fmt(v).strip() for v in mine[:show])
        print(f"[{name}] {labels[0]}: {head}{' ...' if mine.size > show else ''}  (no TF to compare with)")
        return None
    theirs = _as_array(tf_values).ravel()
    if mine.shape != theirs.shape:
        print(f"[{name}] SHAPES DIFFER: minitf has {mine.size} numbers, TF {theirs.size}")
        _state.comparisons[name] = {"max_abs_diff": None, "tol": tol, "n": int(mine.size), "mismatch": "size"}
        return math.inf
    diffs = np.abs(mine - theirs)
    both_nan = np.isnan(mine) & np.isnan(theirs)
    diffs[both_nan] = 0.0
    largest = float(np.nanmax(np.where(np.isnan(diffs), np.inf, diffs))) if diffs.size else 0.0
    exceeded = tol is not None and largest > tol
    _state.comparisons[name] = {"max_abs_diff": largest, "tol": tol, "n": int(mine.size)}
    numbers = f"{mine.size} number{'s' if mine.size != 1 else ''}"
    if exceeded:
        verdict = f"largest |diff| = {largest:.3g}  (tolerance {tol:.0e}: EXCEEDED)"
    elif largest == 0:
        verdict = f"{labels[0]} = {labels[1]} bit for bit, all {numbers}"
    else:
        within = "" if tol is None else f", tolerance {tol:.0e}"
        verdict = f"{labels[0]} ~ {labels[1]}: largest |diff| {largest:.3g} over {numbers}{within}"
    if not (table or exceeded):
        print(f"[{name}] {verdict}{': ' + means if means else ''}")
        return largest
    print(f"[{name}]{' ' + means if means else ''}")
    if mine.size > show:  # the rows that differ most, in their order
        rows = np.sort(np.argsort(-np.nan_to_num(diffs, nan=np.inf), kind="stable")[:show])
        print(f"  the {show} of {mine.size} numbers that differ most:")
    else:
        rows = range(mine.size)
    print(f"  {'#':>4} {labels[0]:>17} {labels[1]:>17} {'|diff|':>10}")
    for i in rows:
        print(f"  {i:>4} {_fmt(mine[i]):>17} {_fmt(theirs[i]):>17} {diffs[i]:10.3g}")
    print(f"  {verdict}")
    return largest


def _is_dtype(value: Any) -> bool:
    return hasattr(value, "as_numpy_dtype") and hasattr(value, "is_floating")


def _describe(value: Any) -> str:
    text = repr(value) if _is_dtype(value) else str(value)  # both print dtypes as tf.float32
    text = text.replace("tf.Tensor(\n", "tf.Tensor(", 1)  # TF breaks the line there; line them up
    return text.replace("\n", "\n" + " " * 12)


def _agreement(value: Any, other: Any, tol: float) -> tuple[bool, float, str]:
    """(same?, |diff| of the numbers, why not) for one result under both frameworks: the same
    dtype, the same shape, numbers within ``tol`` (text compared as text)."""
    if _is_dtype(value) or _is_dtype(other):
        same = getattr(value, "name", value) == getattr(other, "name", other)
        return same, 0.0, "" if same else "dtypes differ"
    try:
        a, b = np.asarray(value), np.asarray(other)
    except Exception:  # noqa: BLE001 (not array-like: compare the text)
        return str(value) == str(other), 0.0, "text differs"
    if a.dtype.kind in "OUS" or b.dtype.kind in "OUS":
        return str(value) == str(other), 0.0, "text differs"
    dtype_a, dtype_b = getattr(value, "dtype", None), getattr(other, "dtype", None)
    same_dtype = (dtype_a is None or dtype_b is None
                  or getattr(dtype_a, "name", str(dtype_a)) == getattr(dtype_b, "name", str(dtype_b)))
    if a.shape != b.shape or not same_dtype:
        return False, 0.0, f"shape {a.shape} vs {b.shape}, dtype {dtype_a} vs {dtype_b}"
    d = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
    return d <= tol, d, "" if d <= tol else f"differs by {d:.3g} (tolerance {tol:g})"


def side_by_side(title: str, fn: Callable[[Any], dict], tf: Any, check: bool = True,
                 tol: float = 0.0, means: str = "") -> tuple[dict, dict | None]:
    """Run ``fn(framework)`` under minitf and under TF and print the results.

    ``fn`` takes the framework module (``minitf`` or ``tensorflow``) and returns
    ``{label: value}``. minitf's results are printed; TF's are printed under a result only
    where they differ (a different dtype, shape or value), and one line says whether all the
    rest agree, and ``means`` what that shows. With ``check``, every numeric value must agree
    within ``tol`` and have the same shape and dtype; the worst difference is recorded under
    ``title`` and labels that disagree are listed as mismatches. ``check=False`` is for
    results that differ by design (random draws, error messages): both are always printed.
    """
    import minitf

    heading(title)
    mine = fn(minitf)
    theirs = fn(tf) if tf is not None else None
    worst, mismatches = 0.0, []
    for label, value in mine.items():
        print(f"{label}")
        print(f"  minitf:   {_describe(value)}")
        if theirs is None:
            continue
        other = theirs[label]
        if not check:
            print(f"  TF:       {_describe(other)}")
            continue
        same, d, why = _agreement(value, other, tol)
        worst = max(worst, d)
        if not same:
            mismatches.append(label)
        if not same or (d > 0 and _describe(value) != _describe(other)):
            print(f"  TF:       {_describe(other)}")
        if not same:
            print(f"  !! {why}")
    if theirs is not None and check:
        _state.comparisons[title] = {"max_abs_diff": worst, "tol": tol, "n": len(mine),
                                     "mismatch": mismatches or None}
        if mismatches:
            print(f"=> {len(mine)} results; TF DIFFERS on: {', '.join(mismatches)}")
        else:
            exact = "bit for bit" if worst == 0 else f"within {worst:.2g}"
            print(f"=> TF gives the same {len(mine)} results, values {exact}, shapes and dtypes alike"
                  + (f": {means}" if means else ""))
    return mine, theirs


# --- the same Keras model under both frameworks ---------------------------------------------
def build_pair(build: Callable[[Any], Any], tf_in_fast_mode: bool = True) -> tuple[Any, Any]:
    """``build(minitf)`` and ``build(tf)`` (None without TF), both starting from TF's initial weights.

    Each framework draws initial weights with its own random generator, so they cannot agree by
    chance: we seed both (as the course's ``tf.random.set_seed(42)``), then copy TF's weights into
    minitf's model. Without TF, minitf's own seeded weights are used.

    ``tf_in_fast_mode=False``: in fast mode this model runs on minitf alone. Each Keras model
    costs about half a second of tracing before its first step, so fast mode compares a few
    models with TF, not every variant; the full lesson compares them all.
    """
    import minitf

    minitf.keras.utils.set_random_seed(42)
    ours = build(minitf)
    theirs = None
    if _state.tf is not None and not tf_in_fast_mode and fast():
        print("(fast mode: this model runs on minitf alone; the full lesson compares it with TF)")
    elif _state.tf is not None:
        _state.tf.keras.utils.set_random_seed(42)
        theirs = build(_state.tf)
        ours.set_weights(theirs.get_weights())
    return ours, theirs


def fit_pair(ours: Any, theirs: Any, x: Any, y: Any, *, epochs: int = 1, batch_size: int = 32,
             callbacks: Callable[[Any], list] | None = None,
             validation_data: tuple | None = None) -> tuple[dict, dict | None]:
    """Fit both models on the same batches in the same order (``shuffle=False``); their
    ``History.history`` dicts (TF's None without TF). ``callbacks(framework)`` builds each side's;
    ``validation_data=(x_val, y_val)`` is evaluated after every epoch by both.

    TF is handed the batches as a ``tf.data.Dataset``: given NumPy arrays, Keras rebuilds its
    input pipeline every epoch (~25 ms, more than the training of these small models); given a
    Dataset it does not. And it runs several steps per call of its compiled train function
    (``steps_per_execution``), which spares Python overhead per step. Same batches in the same
    order, same History, bit for bit; several times faster.
    """
    import minitf

    mine = ours.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0,
                    callbacks=callbacks(minitf) if callbacks else None, validation_data=validation_data).history
    if theirs is None:
        return mine, None
    tf = _state.tf

    def dataset(xs, ys):
        return tf.data.Dataset.from_tensor_slices((np.asarray(xs), np.asarray(ys))).batch(batch_size)

    theirs.steps_per_execution = 32  # Keras's compile option: up to 32 steps per graph call, same numbers
    other = theirs.fit(dataset(x, y), epochs=epochs, shuffle=False, verbose=0,
                       callbacks=callbacks(tf) if callbacks else None,
                       validation_data=None if validation_data is None else dataset(*validation_data)).history
    return mine, other


def scaled_tol(values: Any, rel: float) -> float:
    """An absolute tolerance of ``rel`` times the largest |value|: float32 rounding grows with the
    numbers (a loss near 10^4 carries rounding errors near 10^-3)."""
    return rel * max(1.0, float(np.max(np.abs(np.asarray(values, dtype=np.float64)))))


# --- the end -------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if hasattr(value, "numpy") or isinstance(value, np.ndarray):
        return _jsonable(np.asarray(value).tolist())
    if value is None or isinstance(value, str):
        return value
    return str(value)


def summary(measured_outcomes: tuple[str, ...] = (), **outcomes: Any) -> dict:
    """Print what the lesson found and write it, with figures and comparisons, to summary.json.
    ``measured_outcomes`` names the outcomes that are measurements (see ``measured``)."""
    tf = _state.tf
    report = {
        "lesson": _state.name,
        "mode": "fast" if fast() else "full",
        "tensorflow": getattr(tf, "__version__", None),
        "seconds": round(time.perf_counter() - _state.started, 2),
        "figures": list(_state.figures),
        "figure_axes": dict(_state.figure_axes),
        "files": list(_state.files),
        "comparisons": _jsonable(_state.comparisons),
        "outcomes": _jsonable(outcomes),
    }
    path = out_dir() / "summary.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    os.replace(tmp, path)  # never a half-written summary

    heading(f"summary of lesson {_state.name}")
    for key, value in outcomes.items():
        text = json.dumps(_jsonable(value))
        line = f"  {key}: {text if len(text) <= 100 else text[:97] + '...'}"
        if key in measured_outcomes:
            measured(line)
        else:
            print(line)
    if _state.comparisons:
        print("  compared with TensorFlow (largest |diff|, tolerance):")
        for name, c in _state.comparisons.items():
            bad = c.get("mismatch") or (c["max_abs_diff"] is not None and c["tol"] is not None
                                        and c["max_abs_diff"] > c["tol"])
            d = "n/a" if c["max_abs_diff"] is None else f"{c['max_abs_diff']:.3g}"
            print(f"    {'!!' if bad else 'ok'} {name}: {d} (tol {c['tol']})")
    elif tf is None and _flag(NO_TF_ENV):
        print("  not compared with TensorFlow (--no-tf)")
    elif tf is None:
        print(f"  not compared with TensorFlow (to compare: {TF_INSTALL})")
    print(f"  figures: {', '.join(_state.figures) or 'none'}")
    measured(f"  written: {path} ({report['seconds']} s)")
    return report
