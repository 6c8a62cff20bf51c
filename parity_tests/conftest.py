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
    import tensorflow

    return tensorflow


@pytest.fixture(scope="session")
def mtf():
    import minitf

    return minitf
