"""``tf.keras.utils.text_dataset_from_directory``: a Dataset of (text, label) from class folders.

    data/
      neg/  a.txt  b.txt ...         -> label 0 ("neg")
      pos/  c.txt ...                -> label 1 ("pos")

    train = tf.keras.utils.text_dataset_from_directory("data", batch_size=32, validation_split=0.2,
                                                       subset="training", seed=42)

Each element is a batch of file contents (a string tensor; the first ``max_length`` bytes if
given) and their labels: ``label_mode="int"`` (int32 class index), ``"categorical"`` (one-hot
float32), ``"binary"`` (float32 of shape (batch, 1), two classes only) or None (texts alone).
Files are listed in Keras's order (``dataset_utils``), and each file is read when its element is
produced, as Keras reads it with ``tf.io.read_file``. ``dataset.class_names`` lists the classes.

One difference: with ``shuffle=True`` the file order (Keras's ``np.random.RandomState(seed)``
shuffle) is Keras's, but the per-epoch reshuffle of ``Dataset.shuffle`` draws minitf's own
random numbers, so batches past the first epoch hold other files than TF's.
"""
from __future__ import annotations

import numpy as np

from minitf.errors import NotFoundError
from minitf.keras.preprocessing import dataset_utils
from minitf.tensor import Tensor

__all__ = ["text_dataset_from_directory"]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):  # noqa: A002 (Keras's names)
    """Keras's ``text_dataset_from_directory`` (see the module docstring); ``subset="both"`` gives a
    (training, validation) pair."""
    labels, label_mode = dataset_utils.check_label_args(labels, label_mode, class_names, "text files",
                                                        "text samples")
    if format != "tf":
        raise ValueError(f'`format`: minitf makes tf.data-style datasets only ("tf"). Received: format={format}')
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    file_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=(".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    dataset_utils.check_binary_class_count(label_mode, class_names)
    shuffle_buffer_size = batch_size * 8 if batch_size is not None else 1024
    num_classes = len(class_names) if class_names else 0

    def make(subset_name, shuffled):
        paths, subset_labels = dataset_utils.get_training_or_validation_split(file_paths, labels, validation_split,
                                                                              subset_name)
        if not paths:
            what = {"training": "training ", "validation": "validation "}.get(subset_name, "")
            raise ValueError(f"No {what}text files found in directory {directory}. Allowed format: .txt")
        dataset = _paths_and_labels_to_dataset(paths, subset_labels, label_mode, num_classes, max_length, shuffled,
                                               shuffle_buffer_size, seed)
        if batch_size is not None:
            dataset = dataset.batch(batch_size)
        dataset.class_names = class_names
        return dataset

    if subset == "both":
        return [make("training", shuffle), make("validation", False)]
    return make(subset, shuffle)


def _paths_and_labels_to_dataset(file_paths, labels, label_mode, num_classes, max_length, shuffle,
                                 shuffle_buffer_size, seed):
    from minitf.data import Dataset
    from minitf.ops.shape_ops import cast, expand_dims, one_hot
    path_ds = Dataset.from_tensor_slices(file_paths)
    if label_mode:
        label_ds = Dataset.from_tensor_slices(np.asarray(labels, dtype=np.int32))
        if label_mode == "binary":
            label_ds = label_ds.map(lambda x: expand_dims(cast(x, "float32"), -1))
        elif label_mode == "categorical":
            label_ds = label_ds.map(lambda x: one_hot(x, num_classes))
        ds = Dataset.zip((path_ds, label_ds))
    else:
        ds = path_ds
    if shuffle:
        ds = ds.shuffle(buffer_size=shuffle_buffer_size, seed=seed)
    if label_mode:
        return ds.map(lambda x, y: (_read_text(x, max_length), y))
    return ds.map(lambda x: _read_text(x, max_length))


def _read_text(path: Tensor, max_length):
    """The file's bytes as a string scalar (``tf.io.read_file``), cut to ``max_length`` bytes."""
    from minitf.ops.string_ops import substr
    from minitf.tensor import convert_to_tensor
    name = path.numpy().decode("utf-8", "surrogateescape")
    try:
        with open(name, "rb") as f:
            text = convert_to_tensor(f.read())
    except FileNotFoundError:
        raise NotFoundError(f"{name}; No such file or directory", "ReadFile") from None
    return substr(text, 0, max_length) if max_length is not None else text
