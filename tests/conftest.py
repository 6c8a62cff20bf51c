"""minitf's own tests: no TensorFlow needed. They run on the backend MINITF_BACKEND selects
(hypothesis settings: the repository's conftest.py)."""
from pathlib import Path
from typing import Callable

import pytest


@pytest.fixture(scope="session")
def fast_lesson(tmp_path_factory) -> Callable[[str], tuple[dict, Path]]:
    """``fast_lesson("05")`` -> (summary.json, output folder) of lesson 05 run fast without TF,
    run at most once per session (see tests/lesson_runs.py)."""
    from tests.lesson_runs import run_fast

    pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
    done: dict[str, tuple[dict, Path]] = {}

    def get(number: str) -> tuple[dict, Path]:
        if number not in done:
            out = tmp_path_factory.mktemp(f"lesson_{number}")
            done[number] = (run_fast(number, out), out)
        return done[number]

    return get
