"""``tf.keras.preprocessing``: Keras's older data tools, still used by the course.

* ``sequence``: ``pad_sequences`` (also ``tf.keras.utils.pad_sequences``);
* ``text_dataset_from_directory``: a ``minitf.data.Dataset`` of (text, label) from class folders
  (``text_dataset.py``; also ``tf.keras.utils.text_dataset_from_directory``);
* ``timeseries_dataset_from_array``: windows of a series as a Dataset (``timeseries_dataset.py``).

Submodules load on first use.
"""
import importlib as _importlib

_SUBMODULES = ("sequence", "dataset_utils", "text_dataset", "timeseries_dataset")
_FUNCTIONS = {"text_dataset_from_directory": "text_dataset", "timeseries_dataset_from_array": "timeseries_dataset"}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return _importlib.import_module(f"minitf.keras.preprocessing.{name}")
    if name in _FUNCTIONS:
        return getattr(_importlib.import_module(f"minitf.keras.preprocessing.{_FUNCTIONS[name]}"), name)
    raise AttributeError(f"module 'minitf.keras.preprocessing' has no attribute {name!r}")


__all__ = ["sequence", "text_dataset_from_directory", "timeseries_dataset_from_array"]
