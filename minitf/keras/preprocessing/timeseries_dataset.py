"""``tf.keras.utils.timeseries_dataset_from_array``: sliding windows of a series as a Dataset.

    data    = [0, 1, 2, ..., 9]
    windows = timeseries_dataset_from_array(data, targets=data[3:], sequence_length=3, batch_size=2)
    -> ([[0, 1, 2], [1, 2, 3]], [3, 4]), ([[2, 3, 4], [3, 4, 5]], [5, 6]), ...

Window i starts at ``start_index + i * sequence_stride`` and takes ``sequence_length`` steps,
``sampling_rate`` apart; its target is ``targets[start_index + i * sequence_stride]`` (the same
position as the window's first step: pass ``targets=data[sequence_length:]`` to forecast the
step after each window, as above). There are
``end_index - start_index - (sequence_length - 1) * sampling_rate`` start positions (no more than
``len(targets)``), every ``sequence_stride``-th of them used. ``shuffle=True`` shuffles the start
positions with ``np.random.RandomState(seed)`` (Keras's order), then each epoch again with a
``Dataset.shuffle`` of 8 batches (minitf's own draws, unlike TF's). Keras computes the windows
lazily; minitf gathers them once, when the dataset is made.
"""
from __future__ import annotations

import numpy as np

__all__ = ["timeseries_dataset_from_array"]


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1, batch_size=128,
                                  shuffle=False, seed=None, start_index=None, end_index=None, format="tf"):  # noqa: A002
    """Keras's ``timeseries_dataset_from_array`` (see the module docstring)."""
    from minitf.data import Dataset
    from minitf.tensor import Tensor
    if isinstance(data, Tensor):
        data = data.numpy()
    if isinstance(targets, Tensor):
        targets = targets.numpy()
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= len(data):
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {len(data)}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                             f"and end_index={end_index} ")
        if end_index >= len(data):
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: end_index={end_index}, "
                             f"for data of length {len(data)}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be higher than 0. Received: sampling_rate={sampling_rate}")
    if sampling_rate >= len(data):
        raise ValueError(f"`sampling_rate` must be lower than the length of the data. Received: "
                         f"sampling_rate={sampling_rate}, for data of length {len(data)}")
    if sequence_stride <= 0:
        raise ValueError(f"`sequence_stride` must be higher than 0. Received: sequence_stride={sequence_stride}")
    if sequence_stride >= len(data):
        raise ValueError(f"`sequence_stride` must be lower than the length of the data. Received: "
                         f"sequence_stride={sequence_stride}, for data of length {len(data)}")
    if format != "tf":
        raise ValueError(f'`format`: minitf makes tf.data-style datasets only ("tf"). Received: format={format}')
    start_index = 0 if start_index is None else start_index
    end_index = len(data) if end_index is None else end_index
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    index_dtype = "int32" if num_seqs < 2147483647 else "int64"
    start_positions = np.arange(0, num_seqs, sequence_stride, dtype=index_dtype)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(start_positions)
    steps = np.asarray(data[start_index:end_index])
    window = start_positions[:, None] + np.arange(sequence_length, dtype=np.int64) * sampling_rate
    windows = steps[window] if len(start_positions) else steps[:0][None][:0]
    if targets is not None:
        target_values = np.asarray(targets[start_index:end_index])[start_positions]
        dataset = Dataset.from_tensor_slices((windows, target_values))
    else:
        dataset = Dataset.from_tensor_slices(windows)
    if batch_size is not None:
        if shuffle:
            dataset = dataset.shuffle(buffer_size=batch_size * 8, seed=seed)
        return dataset.batch(batch_size)
    if shuffle:
        dataset = dataset.shuffle(buffer_size=1024, seed=seed)
    return dataset
