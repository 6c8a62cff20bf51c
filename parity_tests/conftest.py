"""Parity tests: the same code under TensorFlow and minitf. Skipped, with one line, without TF."""
import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # reference values without oneDNN's reordering

try:
    import tensorflow  # noqa: F401

    HAVE_TF = True
except ImportError:
    HAVE_TF = False


def pytest_collection_modifyitems(config, items):
    if HAVE_TF:
        return
    skip = pytest.mark.skip(reason="TensorFlow is not installed: pip install tensorflow-cpu==2.21.0 (or '.[dev]')")
    for item in items:
        if "parity_tests" in str(item.fspath):
            item.add_marker(skip)


def pytest_report_header(config):
    if not HAVE_TF:
        return "parity_tests: SKIPPED, TensorFlow is not installed (pip install tensorflow-cpu==2.21.0)"
    import tensorflow as tf

    return f"parity_tests: TensorFlow {tf.__version__}"


@pytest.fixture(scope="session")
def tf():
    import tensorflow as tf_module

    return tf_module


@pytest.fixture(scope="session")
def mtf():
    import minitf

    return minitf


@pytest.fixture(scope="session")
def tf_lesson(tmp_path_factory, tf):
    """``tf_lesson("03")`` -> summary.json of lesson 03 run in fast mode with TF, in-process,
    at most once per session (see parity_tests/lesson_runs.py)."""
    import json

    pytest.importorskip("matplotlib", reason="the lessons draw figures: pip install matplotlib")
    from lessons import runner

    done: dict[str, dict] = {}

    def get(number: str) -> dict:
        if number not in done:
            out = tmp_path_factory.mktemp(f"lesson_{number}_tf")
            rc = runner.main(["run", number, "--fast", "--out", str(out)])
            assert rc == 0, (f"lesson {number} failed under TensorFlow (exit {rc}); "
                             f"to see why: python -m lessons run {number} --fast")
            done[number] = json.loads((out / "summary.json").read_text())
        return done[number]

    return get


@pytest.fixture
def op_determinism(tf):
    """TF's deterministic kernels for one test (reference values free of thread-order noise), then
    TF's default again: determinism changes some kernels' results (softmax crossentropy with
    broadcast labels gives -0.0), and a later test must see TF as a user's program does."""
    from tensorflow.python.framework import config

    was_on = config.is_op_determinism_enabled()
    config.enable_op_determinism()
    yield
    if not was_on:
        config.disable_op_determinism()


@pytest.fixture(autouse=True)
def seeded_keras():
    """Keras draws initial weights (and dropout masks) from an unseeded generator: seed it before every
    test, so that each run compares the same numbers and a tolerance that held once holds always
    (unseeded, a rare Conv3D draw once put a float32 sum's rounding just past its tolerance)."""
    if HAVE_TF:
        import tensorflow as tf_module

        tf_module.keras.utils.set_random_seed(0)
    yield
