"""Where Keras keeps downloaded datasets, and the error minitf gives when a file is not there."""
from __future__ import annotations

import os

OFFLINE_HINT = ("minitf downloads nothing: download it once with Keras (the file then sits in Keras's cache), "
                "or use minitf's offline data (minitf.datasets: load_digits, make_shapes, make_sentences, ...)")


def cache_dir() -> str:
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def cached(*parts: str) -> str:
    """The path of a cached file, or FileNotFoundError saying what to do."""
    path = os.path.join(cache_dir(), *parts)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{os.path.join(*parts)} is not in Keras's dataset cache ({cache_dir()}). "
                                f"{OFFLINE_HINT}")
    return path


def refuse(name: str) -> None:
    raise NotImplementedError(f"tf.keras.datasets.{name}.load_data: Keras stores this dataset with Python's pickle, "
                              f"which minitf does not load (loading it can run code). {OFFLINE_HINT}")
