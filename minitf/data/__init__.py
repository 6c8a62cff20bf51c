"""``minitf.data``, as ``tf.data``: input pipelines (``Dataset``) over arrays in memory.

    ds = minitf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(32)
    for xb, yb in ds: ...

See ``dataset.py`` for how a pipeline runs and for its fast path.
"""
from types import SimpleNamespace

from minitf.data.dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset
from minitf.data.structure import TensorSpec

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN


def _cardinality(dataset: Dataset):
    """``tf.data.experimental.cardinality(ds)``: the same as ``ds.cardinality()``."""
    return dataset.cardinality()


experimental = SimpleNamespace(AUTOTUNE=AUTOTUNE, INFINITE_CARDINALITY=INFINITE, UNKNOWN_CARDINALITY=UNKNOWN,
                               cardinality=_cardinality)

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "TensorSpec", "UNKNOWN_CARDINALITY", "experimental"]
