"""Command line: ``python -m benchmarks [--quick] [--only a,b] [--backend numpy|cupy|cupy-standin] ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cases import CASE_NAMES
from .frameworks import SUBJECT_ENV, subject_module_name
from .storage import QUICK_DIR, RESULTS_DIR


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options, validated (unknown case names are an error listing the known ones)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark minitf against TensorFlow and hand-written NumPy.")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test of the harness: small sizes, 3 reps (< 60 s); writes to {QUICK_DIR} "
                             "unless --out is given, so the committed full-run results stay as they are")
    parser.add_argument("--only", default="",
                        help=f"comma-separated cases to run (default all): {', '.join(CASE_NAMES)}")
    parser.add_argument("--backend", choices=("numpy", "cupy", "cupy-standin"), default="numpy",
                        help="minitf's array backend (sets MINITF_BACKEND) and the baselines'; "
                             "cupy-standin (CuPy's rules on NumPy) only smoke-tests the gpu case")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"folder for JSON and PNG results (default {RESULTS_DIR}; with --quick {QUICK_DIR})")
    parser.add_argument("--subject-module", default=None,
                        help=f"HARNESS SELF-TEST ONLY: module that stands in for minitf "
                             f"(e.g. tensorflow); also ${SUBJECT_ENV}. Default: minitf")
    parser.add_argument("--report", action="store_true",
                        help="only regenerate benchmarks/README.md's results from latest_*.json")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in CASE_NAMES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASE_NAMES)}")
    args.only = only or list(CASE_NAMES)
    if args.out is None:
        args.out = QUICK_DIR if args.quick and not args.report else RESULTS_DIR
    args.subject_module = subject_module_name(args.subject_module)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks (or the report) and print the Markdown table."""
    args = parse_args(argv)
    if args.list:
        print("\n".join(CASE_NAMES))
        return 0
    from . import report

    if args.report:
        print(report.update_readme(args.out))
        print(f"[benchmarks] updated {report.README}", file=sys.stderr)
        return 0
    from .runner import RunConfig, run

    config = RunConfig(quick=args.quick, only=args.only, backend=args.backend,
                       out_dir=args.out, subject_module=args.subject_module)
    result = run(config)
    print(report.run_markdown(result))
    print(f"[benchmarks] wrote {result['files']['dated']} and {result['files']['latest']}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
