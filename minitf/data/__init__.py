"""``minitf.data``, as ``tf.data``: input pipelines (``Dataset``) over arrays in memory.

    ds = minitf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(32)
    for xb, yb in ds: ...

See ``dataset.py`` for how a pipeline runs and for its fast path.
"""
from types import SimpleNamespace

from minitf.data import more_datasets as _more
from minitf.data.dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset
from minitf.data.more_datasets import TextLineDataset
from minitf.data.structure import TensorSpec

# The constructors and transformations of more_datasets.py, as Dataset's own (TF's names).
Dataset.from_generator = staticmethod(_more.from_generator)
Dataset.sample_from_datasets = staticmethod(_more.sample_from_datasets)
Dataset.choose_from_datasets = staticmethod(_more.choose_from_datasets)
Dataset.list_files = staticmethod(_more.list_files)
Dataset.counter = staticmethod(_more.Counter)
Dataset.padded_batch = _more.padded_batch
Dataset.window = _more.window
Dataset.flat_map = _more.flat_map
Dataset.interleave = _more.interleave

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN


def _cardinality(dataset: Dataset):
    """``tf.data.experimental.cardinality(ds)``: the same as ``ds.cardinality()``."""
    return dataset.cardinality()


experimental = SimpleNamespace(AUTOTUNE=AUTOTUNE, INFINITE_CARDINALITY=INFINITE, UNKNOWN_CARDINALITY=UNKNOWN,
                               cardinality=_cardinality, CsvDataset=_more.CsvDataset,
                               make_csv_dataset=_more.make_csv_dataset, Counter=_more.Counter,
                               sample_from_datasets=_more.sample_from_datasets,
                               choose_from_datasets=_more.choose_from_datasets)

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "TensorSpec", "TextLineDataset", "UNKNOWN_CARDINALITY",
           "experimental"]
