"""Settings shared by tests/ and parity_tests/: one hypothesis profile for the whole run, and how
pytest-xdist spreads the tests over the cores.

CI (and anyone with CI=1) draws 25 examples per property, the same ones on every run
(derandomized: a CI result depends on the code, not on the draw); a local run draws 10 new ones
each time, so that development keeps exploring. HYPOTHESIS_PROFILE overrides either.

``python -m pytest`` runs the tests in parallel (``-n auto --dist loadfile`` in pyproject.toml;
``-n 0`` runs them in this one process): most of them are Python-bound and keep one core busy, so
two workers on two cores take about two thirds of the time (726 s instead of 1103 s, measured).
Each worker is its own process, which imports TensorFlow (about 1.5 GB by the end), so ``auto``
means one per core we may use, at most four. Tests go out file by file (a file's module fixtures
are built once), and the files that share the session's lesson runs (``fast_lesson``,
``full_image_lesson`` in tests/conftest.py) go to one worker together, so that no lesson runs twice.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

MAX_AUTO_WORKERS = 4
# Files whose tests share the session's lesson runs: one worker runs them all.
LESSON_RUN_FILES = ("tests/test_lesson_", "tests/test_lessons.py", "tests/test_keras_traced_training.py")

try:
    from xdist.scheduler import LoadFileScheduling
except ImportError:  # without pytest-xdist the tests run in one process, and these hooks are unknown
    LoadFileScheduling = None

if LoadFileScheduling is not None:
    class LoadFileKeepingLessonRunsTogether(LoadFileScheduling):
        """xdist's ``--dist loadfile``, with the LESSON_RUN_FILES as one unit of work."""

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "lesson runs" if path.startswith(LESSON_RUN_FILES) else path

    def pytest_xdist_make_scheduler(config, log):
        if config.getvalue("dist") == "loadfile":  # pyproject.toml's choice; any other as asked
            return LoadFileKeepingLessonRunsTogether(config, log)
        return None

    def pytest_xdist_auto_num_workers(config) -> int:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return max(1, min(cores, MAX_AUTO_WORKERS))
