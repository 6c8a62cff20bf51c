"""Run public notebooks cell by cell under TensorFlow and under minitf, and count what runs.

    python tools/notebook_parity.py NOTEBOOK_OR_FOLDER ... [--json out.json] [--max-epochs 2]

Each notebook runs twice, each time in a fresh process and a fresh working folder: once with the
real TensorFlow, once with ``import tensorflow as tf`` meaning minitf (an import hook maps
``tensorflow.*`` to ``minitf.*`` and ``keras.*`` / ``tf_keras.*`` to ``minitf.keras.*``), so the
notebook's text stays verbatim. Shell lines (``!wget ...``) and magics go through
``tools/notebook_standins.py``, which also replaces every download with generated data of the
same layout, and caps ``fit`` at ``--max-epochs`` epochs (the same for both frameworks).

The report gives, per notebook, the code cells that run under TF and how many of those run under
minitf, with the first error of each cell that fails under minitf only. A cell "runs" when it
raises nothing (a last expression is evaluated and its ``repr`` taken, as a notebook displays it).
Cells are not compared value by value. Nothing in ``minitf`` knows about this tool.

Never commit the notebooks: they belong to their authors. Point this tool at a copy elsewhere.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import glob
import importlib
import importlib.abc
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


# ---------------------------------------------------------------------------------------------
# The alias: `import tensorflow` (and keras) give minitf.
class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target
        self.spec = getattr(target, "__spec__", None)

    def create_module(self, spec):
        return self.target

    def exec_module(self, module):
        if self.spec is not None:  # importlib overwrote __spec__ with the alias's: give the module its own back
            try:
                module.__spec__ = self.spec
            except AttributeError:
                pass


class MinitfAlias(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow.x.y`` as ``minitf.x.y`` (a module, or else an attribute of its parent)."""

    PREFIXES = {"tensorflow": "minitf", "keras": "minitf.keras", "tf_keras": "minitf.keras"}

    def find_spec(self, fullname, path=None, target=None):
        head, _, rest = fullname.partition(".")
        if head not in self.PREFIXES:
            return None
        real = self.PREFIXES[head] + ("." + rest if rest else "")
        obj = self._resolve(real)
        if obj is None:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(obj))

    @staticmethod
    def _resolve(name):
        try:
            return importlib.import_module(name)
        except ImportError:
            pass
        parent, _, attr = name.rpartition(".")
        if not parent:
            return None
        owner = MinitfAlias._resolve(parent)
        if owner is None:
            return None
        return getattr(owner, attr, None)


# ---------------------------------------------------------------------------------------------
# One notebook, one framework (runs in its own process).
def _cells(path):
    with open(path) as f:
        nb = json.load(f)
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            source = cell["source"]
            yield index, "".join(source) if isinstance(source, list) else source


def _transform(source):
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(source)


def _has_code(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True
    return bool(tree.body)


class _CellTimeout(Exception):
    pass


def _run_cell(code, ns, timeout, filename="<cell>"):
    """Run ``code`` as a notebook cell: statements, then the last expression's repr. The source is
    registered with ``linecache`` under ``filename`` (as IPython does), so that code which reads
    a function's source (``inspect.getsource``: TF's AutoGraph) finds it."""
    import linecache
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None

    def alarm(signum, frame):
        raise _CellTimeout(f"cell ran longer than {timeout} s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(timeout)
    try:
        exec(compile(tree, filename, "exec"), ns)  # noqa: S102 (the notebook's own code)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), filename, "eval"), ns)  # noqa: S307
            if value is not None:
                repr(value)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def worker(framework, notebook, out_json, max_epochs, timeout):
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, REPO)
    sys.path.insert(0, HERE)
    import notebook_standins as standins
    workdir = tempfile.mkdtemp(prefix=f"nb_{framework}_")
    os.chdir(workdir)
    sys.path.insert(0, workdir)  # `from helper_functions import ...` after `!wget helper_functions.py`
    os.environ["KERAS_HOME"] = os.path.join(workdir, ".keras")
    if framework == "minitf":
        sys.meta_path.insert(0, MinitfAlias())
    tf = importlib.import_module("tensorflow")
    keras = importlib.import_module("tensorflow.keras") if framework == "minitf" else importlib.import_module("keras")
    standins.patch_framework(tf, keras, max_epochs)
    standins.patch_environment(workdir)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shell = standins.FakeIPython()
    ns = {"__name__": "__main__", "get_ipython": lambda: shell, "display": lambda *a, **k: None}
    shell.user_ns = ns
    results = []
    for index, source in _cells(notebook):
        entry = {"cell": index, "source": source[:200]}
        try:
            code = _transform(source)
        except Exception as e:  # noqa: BLE001
            code = None
            entry.update(status="error", error=f"{type(e).__name__}: {e}")
        if code is not None:
            if not _has_code(code):
                entry["status"] = "empty"
            else:
                start = time.time()
                sink = io.StringIO()
                try:
                    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                        _run_cell(code, ns, timeout, f"<cell-{index}>")
                    entry["status"] = "ok"
                except BaseException as e:  # noqa: BLE001 (a notebook cell may raise anything)
                    if isinstance(e, KeyboardInterrupt):
                        raise
                    entry["status"] = "error"
                    entry["error"] = f"{type(e).__name__}: {str(e)[:300]}"
                    tb = traceback.extract_tb(e.__traceback__)
                    entry["where"] = [f"{os.path.relpath(fr.filename, REPO) if fr.filename.startswith(REPO) else os.path.basename(fr.filename)}:{fr.lineno}" for fr in tb[-3:]]
                entry["seconds"] = round(time.time() - start, 2)
                plt.close("all")
        results.append(entry)
        with open(out_json, "w") as f:  # written after every cell: a crash keeps what ran
            json.dump(results, f)


# ---------------------------------------------------------------------------------------------
# The comparison.
def run_notebook(notebook, framework, max_epochs, timeout, total_timeout):
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", framework, notebook, "--json", out,
           "--max-epochs", str(max_epochs), "--cell-timeout", str(timeout)]
    env = dict(os.environ, PYTHONHASHSEED="0")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=total_timeout, env=env)
        crash = proc.stderr[-800:] if proc.returncode else None
    except subprocess.TimeoutExpired:
        crash = f"notebook ran longer than {total_timeout} s"
    try:
        with open(out) as f:
            results = json.load(f)
    except (OSError, ValueError):
        results = []
    os.unlink(out)
    return results, crash


def _cache_key(notebook, max_epochs, timeout):
    """What the TF run depends on: the notebook, this tool and its stand-ins, the settings."""
    import hashlib
    h = hashlib.sha1()
    for path in (notebook, __file__, os.path.join(HERE, "notebook_standins.py")):
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(f"{max_epochs}/{timeout}".encode())
    return h.hexdigest()[:20]


def run_tf_cached(notebook, max_epochs, timeout, total_timeout, cache_dir):
    """The TF run, reused from ``cache_dir`` when the notebook, the tool and the settings are unchanged
    (TF's side does not change while minitf does)."""
    if not cache_dir:
        return run_notebook(notebook, "tf", max_epochs, timeout, total_timeout)
    os.makedirs(cache_dir, exist_ok=True)
    path = os.path.join(cache_dir, f"{os.path.basename(notebook)}.{_cache_key(notebook, max_epochs, timeout)}.json")
    if os.path.exists(path):
        with open(path) as f:
            cached = json.load(f)
        return cached["cells"], cached["crash"]
    cells, crash = run_notebook(notebook, "tf", max_epochs, timeout, total_timeout)
    with open(path, "w") as f:
        json.dump({"cells": cells, "crash": crash}, f)
    return cells, crash


def compare(notebook, max_epochs, timeout, total_timeout, cache_dir=None):
    tf_cells, tf_crash = run_tf_cached(notebook, max_epochs, timeout, total_timeout, cache_dir)
    mt_cells, mt_crash = run_notebook(notebook, "minitf", max_epochs, timeout, total_timeout)
    mt_by_cell = {c["cell"]: c for c in mt_cells}
    ran_tf = [c for c in tf_cells if c["status"] == "ok"]
    failures = []
    for c in ran_tf:
        m = mt_by_cell.get(c["cell"])
        if m is None or m["status"] != "ok":
            failures.append({"cell": c["cell"], "source": c["source"],
                             "error": (m or {}).get("error", "not run (the minitf process stopped)"),
                             "where": (m or {}).get("where", [])})
    return {"notebook": os.path.basename(notebook), "path": notebook,
            "code_cells": sum(c["status"] != "empty" for c in tf_cells),
            "ran_tf": len(ran_tf), "ran_both": len(ran_tf) - len(failures),
            "failures": failures, "tf_crash": tf_crash, "minitf_crash": mt_crash,
            "minitf_only": [c["cell"] for c in mt_cells if c["status"] == "ok"
                            and c["cell"] not in {t["cell"] for t in ran_tf}]}


def _expand(paths):
    out = []
    for p in paths:
        out.extend(sorted(glob.glob(os.path.join(p, "*.ipynb"))) if os.path.isdir(p) else [p])
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--json", help="write the full report here")
    ap.add_argument("--max-epochs", type=int, default=2)
    ap.add_argument("--cell-timeout", type=int, default=120)
    ap.add_argument("--notebook-timeout", type=int, default=3600)
    ap.add_argument("--worker", choices=["tf", "minitf"], help=argparse.SUPPRESS)
    ap.add_argument("--errors", action="store_true", help="print each failing cell's first error")
    ap.add_argument("--tf-cache", help="folder where TF's runs are kept and reused (they do not change)")
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.paths[0], args.json, args.max_epochs, args.cell_timeout)
        return 0
    reports = []
    for nb in _expand(args.paths):
        r = compare(nb, args.max_epochs, args.cell_timeout, args.notebook_timeout, args.tf_cache)
        reports.append(r)
        pct = 100 * r["ran_both"] / r["ran_tf"] if r["ran_tf"] else 100.0
        print(f"{r['notebook']:60s} {r['ran_both']:4d} / {r['ran_tf']:4d}  ({pct:5.1f}%)"
              f"   [{r['code_cells']} code cells]", flush=True)
        if args.errors:
            for f in r["failures"]:
                print(f"    cell {f['cell']:3d}: {f['error'][:160]}")
        for who in ("tf", "minitf"):
            if r[f"{who}_crash"]:
                print(f"    {who} process: {r[f'{who}_crash'][-300:]}")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(reports, f, indent=1)
    ran_tf = sum(r["ran_tf"] for r in reports)
    ran_both = sum(r["ran_both"] for r in reports)
    print(f"{'TOTAL':60s} {ran_both:4d} / {ran_tf:4d}  ({100 * ran_both / max(ran_tf, 1):5.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
