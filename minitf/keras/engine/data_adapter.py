"""Feeding ``fit``/``evaluate``/``predict``: from user data to batches of tensors.

Two kinds of input, as in Keras:

* **arrays** -- NumPy arrays, minitf tensors, nested Python lists, or lists/dicts of those
  (several inputs or outputs). They are converted ONCE (floats to float32, moved to the
  backend's device) and then sliced per batch: ``x[i*b:(i+1)*b]`` without a copy when
  ``shuffle=False``, or ``x[perm[i*b:(i+1)*b]]`` for a new random order each epoch. The last,
  partial batch is kept. ``validation_split`` takes the *last* fraction of the samples, before
  any shuffling (``split_validation``).
* **datasets** -- ``minitf.data.Dataset`` or any re-iterable (or generator) yielding
  ``(x, y)`` or ``(x, y, sample_weight)`` batches; ``batch_size``/``shuffle`` are the
  dataset's business then.

Each batch reaches ``train_step``/``test_step``/``predict_step`` in Keras's form
(``pack_x_y_sample_weight``): ``x`` alone when there are no targets, ``(x, y)``, or
``(x, y, sample_weight)`` when there are weights; a dataset's element as the dataset yields it.
The default steps take it apart with ``unpack_x_y_sample_weight``, as a custom ``train_step``
written for Keras does with ``x, y = data``.

``EpochIterator`` adds Keras's ``steps_per_epoch`` rule: with fewer steps than batches, the next
epoch continues where the last one stopped; when the data runs out first, the epoch ends
with a warning. An epoch with no batch at all (empty arrays, an empty dataset, a generator
already spent) warns the same way, and the trainer then logs nothing for it: no metric was
computed (see ``trainer._epoch_logs``).
"""
from __future__ import annotations

import itertools
import math
import random
import warnings
from typing import Any, Iterator

import numpy as np

from minitf import array_backend as B
from minitf import nest
from minitf import random as mt_random
from minitf.tensor import Tensor, convert_to_tensor


def is_dataset(x: Any) -> bool:
    """True for datasets and generators: iterables that are not arrays, tensors or containers."""
    if x is None or isinstance(x, (Tensor, np.ndarray, list, tuple, dict, str, bytes, int, float)) or B.is_array(x):
        return False
    if hasattr(x, "__array__"):  # a pandas DataFrame/Series: data as its array, as Keras takes it
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


def _is_dataframe(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "dtypes") and hasattr(value, "astype")


def _to_array(value: Any, name: str, float_dtype: str | None) -> Any:
    """One leaf of x/y/sample_weight as a backend array (floats cast to ``float_dtype``)."""
    if value is None:
        return None
    if isinstance(value, Tensor):
        array = value._value
    elif B.is_array(value):
        array = value
    else:
        if _is_dataframe(value) and any(d.kind == "f" and d != np.float32 for d in map(np.dtype, value.dtypes)):
            # Keras: a frame with a float column other than float32 is cast whole to float32, so
            # bool/int columns beside it (pd.get_dummies) become numbers instead of an object array
            value = value.astype("float32")
        try:
            array = np.asarray(value)
        except ValueError as e:
            raise ValueError(f"Could not convert `{name}` to an array: {e}") from None
    if array.dtype.kind in "OUS":  # strings: a string tensor's array (bytes, on the host), as TF feeds them
        try:
            array = convert_to_tensor(array, dtype="string")._value
        except (TypeError, ValueError) as e:
            raise ValueError(f"`{name}` holds {array.dtype} values that are not all strings: {e}") from None
    if array.ndim == 0:
        raise ValueError(f"`{name}` must have a batch axis; got a scalar")
    if float_dtype is not None and array.dtype.kind == "f" and array.dtype != np.dtype(float_dtype):
        array = array.astype(float_dtype)
    if array.dtype == np.float64 and float_dtype is None:
        array = array.astype(np.float32)
    return B.module_of(array).asarray(array)


def convert_arrays(x: Any, y: Any, sample_weight: Any, x_dtype: str | None = None) -> tuple:
    """(x, y, sample_weight) with every leaf a backend array; structures (lists/dicts) kept."""
    def convert(struct, name, dtype):
        if struct is None:
            return None
        if isinstance(struct, dict):
            return {k: convert(v, f"{name}[{k!r}]", dtype) for k, v in struct.items()}
        if isinstance(struct, (list, tuple)) and any(isinstance(v, (Tensor, np.ndarray, list, tuple, dict))
                                                     or B.is_array(v) for v in struct) and not _is_numeric(struct):
            return [convert(v, f"{name}[{i}]", dtype) for i, v in enumerate(struct)]
        return _to_array(struct, name, dtype)
    return convert(x, "x", x_dtype), convert(y, "y", "float32"), convert(sample_weight, "sample_weight", "float32")


def _is_numeric(struct: Any) -> bool:
    """Nested lists of plain numbers (one array), as opposed to a list of arrays (several inputs)."""
    if isinstance(struct, (list, tuple)):
        return all(_is_numeric(v) for v in struct)
    return isinstance(struct, (int, float, bool, np.number))


def num_samples(*structs: Any) -> int:
    """The common first dimension of every array, or Keras's "Data cardinality is ambiguous" error."""
    sizes = {}
    for name, struct in zip(("x", "y", "sample_weight"), structs):
        leaves = [a for a in nest.flatten(struct) if a is not None]
        if leaves:
            sizes[name] = [int(a.shape[0]) for a in leaves]
    all_sizes = {s for v in sizes.values() for s in v}
    if len(all_sizes) > 1:
        lines = "\n".join(f"'{k}' sizes: {', '.join(str(s) for s in v)}" for k, v in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous. Make sure all arrays contain the same number of samples.\n"
                         f"{lines}")
    if not all_sizes:
        raise ValueError("No data: `x` is empty or None")
    return all_sizes.pop()


def split_validation(x: Any, y: Any, sample_weight: Any, validation_split: float) -> tuple:
    """((x, y, sw) for training, (x, y, sw) for validation): the last ``validation_split`` of the samples."""
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, got {validation_split}")
    n = num_samples(x, y, sample_weight)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                         f"validation and training set as specified by `validation_split={validation_split}`. "
                         "Either provide more data, or a different value for the `validation_split` argument.")

    def cut(struct, start, stop):
        return nest.map_structure(lambda a: None if a is None else a[start:stop], struct) if struct is not None else None
    return ((cut(x, 0, split_at), cut(y, 0, split_at), cut(sample_weight, 0, split_at)),
            (cut(x, split_at, n), cut(y, split_at, n), cut(sample_weight, split_at, n)))


def check_count(name: str, value: Any) -> None:
    """``batch_size`` / ``steps``: None, or a positive integer. A float or a string is a TypeError (as in
    Keras, where it fails later); 0 or less a ValueError (Keras reads 0 as "not given" and negative
    values as nothing sensible; minitf asks for None instead)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer (or None), got {value!r} of type {type(value).__name__}")
    if value < 1:
        hint = " (Keras reads 0 as None: pass None for the default)" if value == 0 else ""
        raise ValueError(f"`{name}` must be a positive integer or None, got {value}{hint}")


def class_weight_to_sample_weights(y: Any, class_weight: dict) -> Any:
    """One weight per sample: ``class_weight.get(class of the sample, 1.0)``, Keras's lookup.

    The class is the label rounded to an int (the argmax of a one-hot row). A key that is no
    integer class id (``"0"``, ``0.5``) matches no label, in Keras too: minitf warns about it.
    """
    if not isinstance(class_weight, dict):
        raise TypeError(f"`class_weight` must be a dict {{class id: weight}}, got {type(class_weight).__name__}")
    labels = B.to_numpy(y)
    if labels.ndim > 1:
        labels = np.argmax(labels, axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    labels = np.round(labels).astype(np.int64)
    weights = np.ones(labels.shape[0], dtype=np.float32)
    for cls, w in class_weight.items():
        if isinstance(cls, (int, np.integer)) or (isinstance(cls, (float, np.floating)) and float(cls).is_integer()):
            weights[labels == int(cls)] = w
        else:
            warnings.warn(f"class_weight key {cls!r} is not an integer class id, so it matches no label (Keras "
                          "looks weights up by int(label) too): its weight is not used.", stacklevel=4)
    return B.xp.asarray(weights)


class ArrayData:
    """Arrays sliced into batches of ``batch_size`` (shuffled each epoch if asked)."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None, batch_size: int | None = None,
                 steps: int | None = None, shuffle: Any = False, class_weight: dict | None = None):
        if sample_weight is not None and class_weight is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
        if class_weight is not None:
            if isinstance(y, (list, dict)):
                raise ValueError("`class_weight` is only supported for Models with a single output.")
            sample_weight = class_weight_to_sample_weights(y, class_weight)
        if sample_weight is not None and isinstance(y, (list, dict)) and not isinstance(sample_weight, (list, dict)):
            sample_weight = nest.map_structure(lambda _: sample_weight, y)  # one weight array for every output
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.num_samples = num_samples(x, y, sample_weight)
        check_count("batch_size", batch_size)
        if not batch_size:
            batch_size = int(math.ceil(self.num_samples / steps)) if steps else 32
        self.batch_size = int(batch_size)
        self.num_batches = int(math.ceil(self.num_samples / self.batch_size))
        self.shuffle = shuffle
        self._leaves = nest.flatten((x, y, sample_weight))
        self._single = not any(isinstance(s, (list, dict)) for s in (x, y, sample_weight))

    def __iter__(self) -> Iterator[Any]:
        """One epoch of batches as tensors, packed as Keras packs them (``pack_x_y_sample_weight``)."""
        n, b = self.num_samples, self.batch_size
        order = None
        if self.shuffle == "batch":
            order = _batch_shuffle(n, b)
        elif self.shuffle:
            order = B.xp.asarray(mt_random.global_numpy_rng().permutation(n))
        if self._single:  # the common case, kept lean: one x array, one y array
            x, y, sw = self.x, self.y, self.sample_weight
            for start in range(0, n, b):
                index = slice(start, start + b) if order is None else order[start:start + b]
                yield pack_x_y_sample_weight(Tensor(_rows(x, index)), None if y is None else Tensor(_rows(y, index)),
                                             None if sw is None else Tensor(_rows(sw, index)))
            return
        structure = (self.x, self.y, self.sample_weight)
        for start in range(0, n, b):
            index = slice(start, start + b) if order is None else order[start:start + b]
            leaves = [None if a is None else Tensor(_rows(a, index)) for a in self._leaves]
            yield pack_x_y_sample_weight(*nest.pack_sequence_as(structure, leaves))


def _rows(array, index):
    """``array[index]``; a string array lives on the host, so it takes a host index."""
    if array.dtype.kind == "O" and not isinstance(index, slice):
        return array[B.to_numpy(index)]
    return array[index]


def _batch_shuffle(n: int, b: int):
    """Keras's shuffle="batch": the order of batch-sized chunks is shuffled, not the samples."""
    chunks = mt_random.global_numpy_rng().permutation(int(math.ceil(n / b)))
    order = np.concatenate([np.arange(c * b, min((c + 1) * b, n)) for c in chunks])
    return B.xp.asarray(order)


_END = object()


class DatasetData:
    """A dataset or generator of batches: each element with its arrays as tensors, in the form the
    dataset yields it (``(x, y)``, ``(x,)``, ``x`` ...), or ``(x, y, sample_weight)`` with ``class_weight``.

    A ``PyDataset`` (e.g. from ``flow_from_directory``) is read by index, batches 0 .. len - 1 each
    epoch (in an order shuffled with Python's ``random`` when ``fit`` has ``shuffle=True``, as
    Keras's PyDatasetAdapter does), with its ``on_epoch_begin`` / ``on_epoch_end`` called around
    every epoch; before that, Keras on TensorFlow reads its first two batches once and resets it
    (``_tf_compat.peek_py_dataset``), which minitf repeats.
    """

    def __init__(self, dataset: Any, class_weight: dict | None = None, shuffle: bool = False):
        from minitf.keras.engine.py_dataset import is_py_dataset
        self.dataset = dataset
        self.class_weight = class_weight
        self.py_dataset = is_py_dataset(dataset)
        if self.py_dataset:
            from minitf._tf_compat import peek_py_dataset
            self.num_batches = dataset.num_batches if hasattr(dataset, "num_batches") else len(dataset)
            self.shuffle = bool(shuffle)
            peek_py_dataset(dataset)
            return
        try:
            self.num_batches = len(dataset)
        except TypeError:
            self.num_batches = None
        self._reiterable = not (hasattr(dataset, "__next__") and iter(dataset) is dataset)
        if not self._reiterable:
            # A generator is read once; Keras refuses one that yields nothing (it peeks at the first batches).
            first = next(dataset, _END)
            if first is _END:
                raise ValueError("When passing a Python generator to a Keras model, the generator must yield at "
                                 "least one batch. Received an empty generator.")
            self.dataset = itertools.chain([first], dataset)

    def on_epoch_begin(self) -> None:
        if self.py_dataset:
            self.dataset.on_epoch_begin()

    def on_epoch_end(self) -> None:
        if self.py_dataset:
            self.dataset.on_epoch_end()

    def __iter__(self) -> Iterator[Any]:
        if self.py_dataset:
            order = list(range(self.num_batches))
            if self.shuffle:  # Keras's PyDatasetAdapter: the batches in a new order each epoch, Python's `random`
                random.shuffle(order)
            source = (self.dataset[i] for i in order)
        else:
            source = self.dataset
        for element in source:
            element = batch_tensors(element)
            if self.class_weight is not None:  # as Keras maps its class-weight function over a dataset
                x, y, sample_weight = unpack_x_y_sample_weight(element)
                if sample_weight is not None:
                    raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
                if not isinstance(y, Tensor):
                    raise ValueError("`class_weight` is only supported for Models with a single output.")
                element = (x, y, Tensor(class_weight_to_sample_weights(y._value, self.class_weight)))
            yield element


def batch_tensors(element: Any) -> Any:
    """A dataset element (``x``, or a tuple or list of 1 to 3 items) with its arrays as tensors; a list
    becomes a tuple, as tf.data makes it."""
    if isinstance(element, list):
        element = tuple(element)
    if not isinstance(element, tuple):
        return nest.map_structure(_as_tensor, element)
    unpack_x_y_sample_weight(element)  # refuses more than 3 items
    return tuple(nest.map_structure(_as_tensor, e) if e is not None else None for e in element)


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """A batch as Keras hands it to the steps (``keras.utils.pack_x_y_sample_weight``): ``x`` alone
    when ``y`` is None (``(x,)`` when x itself is a tuple or list, so that it is not mistaken for
    (x, y)), ``(x, y)`` when ``sample_weight`` is None, else ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data: Any) -> tuple:
    """(x, y, sample_weight) from a batch in any of the forms ``x``, ``(x,)``, ``(x, y)`` and
    ``(x, y, sample_weight)``, None where absent (``keras.utils.unpack_x_y_sample_weight``)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if not 1 <= len(data) <= 3:
        raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                         f"found: {data!r}"[:500])
    return tuple(data) + (None,) * (3 - len(data))


def _as_tensor(value: Any) -> Any:
    if value is None or isinstance(value, Tensor):
        return value
    array = value if B.is_array(value) else np.asarray(value)
    if array.dtype.kind in "OUS":  # strings from a generator
        return convert_to_tensor(array, dtype="string")
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    return Tensor(B.xp.asarray(array))


class EpochIterator:
    """Batches for one epoch at a time, honouring ``steps_per_epoch`` as Keras does."""

    def __init__(self, data: Any, steps_per_epoch: int | None = None):
        self.data = data
        self.steps_per_epoch = steps_per_epoch
        self.num_batches = data.num_batches
        self._iterator = None
        self._steps_seen = 0
        self.interrupted = False

    @property
    def steps(self) -> int | None:
        """Steps per epoch, as ``params["steps"]`` reports them (None = unknown)."""
        return self.steps_per_epoch or self.num_batches

    def epoch(self) -> Iterator[tuple[int, Any]]:
        """(step, batch) for one epoch; the data's epoch hooks (a PyDataset's) around it."""
        hooks = isinstance(self.data, DatasetData) and self.data.py_dataset
        if hooks:
            self.data.on_epoch_begin()
        yield from self._epoch()
        if hooks:
            self.data.on_epoch_end()

    def _epoch(self) -> Iterator[tuple[int, Any]]:
        self.interrupted = False
        if self.steps_per_epoch is None:
            step = -1
            for step, batch in enumerate(self.data):
                yield step, batch
            if step < 0:  # no batch at all (empty data, or a spent generator): Keras warns the same way
                self._interrupt()
            return
        if self._iterator is None:
            self._iterator = iter(self.data)
            self._steps_seen = 0
        for step in range(self.steps_per_epoch):
            if self.num_batches and self._steps_seen >= self.num_batches:
                self._interrupt()
                break
            try:
                batch = next(self._iterator)
            except StopIteration:
                if self.num_batches is None:
                    self.num_batches = self._steps_seen
                self._iterator = None
                self._interrupt()
                return
            self._steps_seen += 1
            yield step, batch
        if self.num_batches and self._steps_seen >= self.num_batches:
            self._iterator = iter(self.data)  # next epoch starts over
            self._steps_seen = 0

    def _interrupt(self) -> None:
        self.interrupted = True
        warnings.warn("Your input ran out of data; interrupting training. Make sure that your dataset or "
                      "generator can generate at least `steps_per_epoch * epochs` batches. You may need to use the "
                      "`.repeat()` function when building your dataset.", stacklevel=4)


def make_data(x: Any, y: Any = None, sample_weight: Any = None, batch_size: int | None = None,
              steps: int | None = None, shuffle: Any = False, class_weight: dict | None = None,
              x_dtype: str | None = None) -> Any:
    """ArrayData or DatasetData for the user's ``x``/``y``/``sample_weight``."""
    if is_dataset(x):
        if y is not None:
            raise ValueError("When providing `x` as a dataset or generator, `y` should not be passed. Instead, the "
                             "targets should be included as part of the dataset `x`.")
        if sample_weight is not None:
            raise ValueError("When providing `x` as a dataset or generator, `sample_weight` should not be passed. "
                             "Instead, the sample weights should be included as part of the dataset `x`.")
        return DatasetData(x, class_weight, shuffle=bool(shuffle))
    if x is None:
        raise ValueError("No data provided: `x` is None")
    x, y, sample_weight = convert_arrays(x, y, sample_weight, x_dtype)
    return ArrayData(x, y, sample_weight, batch_size=batch_size, steps=steps, shuffle=shuffle,
                     class_weight=class_weight)
