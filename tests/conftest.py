"""minitf's own tests: no TensorFlow needed. They run on the backend MINITF_BACKEND selects
(hypothesis settings: the repository's conftest.py).

Under ``MINITF_BACKEND=cupy-standin`` the tests listed in ``cupy_standin_known_failures.txt``
(failures a core file causes by breaking one of CuPy's rules) are marked ``xfail(strict=True)``
with the reason the list gives: a fix makes the test pass, the strict xfail then fails, and the
line has to go. The list names only tests that exist (``test_cupy_standin_known_failures_exist``).

Tests marked ``host_range_checks`` expect TF's CPU errors for an index or label out of range. TF's
GPU kernels check nothing there (zeros for gather, NaN for sparse crossentropy), and so does minitf
on a device backend: those tests run on the host backend only, and
``test_edge_semantics.py::test_indices_out_of_range_as_tf_on_cpu_and_on_gpu`` checks the device's answers.
"""
from pathlib import Path
from typing import Callable

import pytest

KNOWN_STANDIN_FAILURES = Path(__file__).with_name("cupy_standin_known_failures.txt")


def known_standin_failures() -> dict[str, str]:
    """``{test node id: reason}`` from ``cupy_standin_known_failures.txt``."""
    known = {}
    for line in KNOWN_STANDIN_FAILURES.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            node, where, rule, fix = (part.strip() for part in line.split(" | "))
            known[node] = f"cupy-standin, core: {where}: {rule}. Fix: {fix}"
    return known


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "host_range_checks: expects TF's CPU range errors (host backend only)")


def pytest_collection_modifyitems(config, items) -> None:
    from minitf import array_backend as B

    if B.xp.__name__ != "numpy":
        device_answers = pytest.mark.skip(reason="TF's GPU kernels do not check index ranges; the device's "
                                                 "answers are tested in test_edge_semantics.py")
        for item in items:
            if item.get_closest_marker("host_range_checks"):
                item.add_marker(device_answers)
    if B.name != "cupy-standin":
        return
    known = known_standin_failures()
    for item in items:
        if item.nodeid in known:
            item.add_marker(pytest.mark.xfail(reason=known[item.nodeid], strict=True))


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


@pytest.fixture(scope="session")
def full_image_lesson(tmp_path_factory) -> Callable[[str], dict]:
    """``full_image_lesson("09")`` -> summary.json of lesson 09 run in full mode without TF, in a
    subprocess, at most once per session. Lessons 08 and 09 share one private data cache, and 09
    runs after 08 (it reuses the network 08 saves there), as a learner runs them."""
    from tests.lesson_runs import run_full_without_tf

    pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
    pytest.importorskip("PIL", reason="the image lessons read and write photos with Pillow: pip install pillow")
    data = tmp_path_factory.mktemp("image_lesson_data")
    done: dict[str, dict] = {}

    def get(number: str) -> dict:
        assert number in ("08", "09"), number
        for needed in ("08", number):
            if needed not in done:
                done[needed] = run_full_without_tf(needed, tmp_path_factory.mktemp(f"lesson_{needed}_full"), data)
        return done[number]

    return get


@pytest.fixture(params=[False, True], ids=["traced", "eager"])
def fit_mode(request, monkeypatch) -> bool:
    """Run a test twice: with ``compile()``'s default (``fit``/``evaluate``/``predict`` trace their
    steps) and with ``run_eagerly=True`` as the default (op by op), as Keras offers both. A test
    that passes ``run_eagerly`` itself keeps its choice. Returns the mode's run_eagerly.

    Use it for a whole file with ``pytestmark = pytest.mark.usefixtures("fit_mode")``."""
    if request.param:
        from minitf.keras.engine.trainer import Trainer

        compile_traced = Trainer.compile

        def compile_eager(self, *args, **kwargs):
            kwargs.setdefault("run_eagerly", True)
            return compile_traced(self, *args, **kwargs)

        monkeypatch.setattr(Trainer, "compile", compile_eager)
    return request.param
