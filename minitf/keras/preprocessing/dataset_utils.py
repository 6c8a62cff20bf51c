"""Listing a directory of files by class, in Keras's order (for the ``*_dataset_from_directory`` functions).

With ``labels="inferred"``, each subdirectory of ``directory`` is a class: the class names are
the subdirectory names in sorted order (or ``class_names`` in the order given), and a file's
label is its class's index. Files are listed class by class, each class's folder walked in
sorted order, keeping only the allowed extensions. With ``shuffle=True`` the list is shuffled with
NumPy's legacy generator, ``np.random.RandomState(seed).shuffle`` (the paths, and the labels with
a fresh generator of the same seed, so they stay paired): the same seed gives the same order as
Keras, file for file.

``validation_split`` keeps the last ``int(split * n)`` files for validation, the rest for
training, after that shuffle: both subsets need the same seed to be disjoint.
"""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np


def iter_valid_files(directory: str, follow_links: bool, formats: tuple[str, ...]):
    """(folder, file name) of every allowed file under ``directory``, folders and names sorted."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield root, name


def index_subdirectory(directory: str, class_indices: dict, follow_links: bool,
                       formats: tuple[str, ...]) -> tuple[list[str], list[int]]:
    """Paths relative to ``directory``'s parent (``class_a/x.txt``) and their labels, for one folder."""
    folder = os.path.basename(directory)
    filenames, labels = [], []
    for root, name in iter_valid_files(directory, follow_links, formats):
        labels.append(class_indices[folder])
        filenames.append(os.path.join(folder, os.path.relpath(os.path.join(root, name), directory)))
    return filenames, labels


def index_directory(directory: str, labels: Any, formats: tuple[str, ...], class_names: Sequence[str] | None = None,
                    shuffle: bool = True, seed: int | None = None, follow_links: bool = False,
                    verbose: bool = True) -> tuple[list[str], Any, list[str] | None]:
    """(file paths, labels, class names) of the files under ``directory`` (see the module docstring).

    ``labels``: "inferred" (from the subdirectories), None (no labels) or a list of integer labels,
    one per file in sorted-path order.
    """
    if not os.path.isdir(directory):
        raise ValueError(f"The directory {directory!r} does not exist (or is not a directory).")
    if labels == "inferred":
        subdirs = [name for name in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError("The `class_names` passed did not match the names of the subdirectories of the "
                                 f"target directory. Expected: {subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            subdirs = list(class_names)  # the order given
    else:
        subdirs = [""]  # explicit labels or none: every file under the directory itself
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` cannot be specified (the "
                             "`class_names` will be the sorted list of labels).")
    class_names = subdirs
    class_indices = dict(zip(class_names, range(len(class_names))))
    filenames: list[str] = []
    labels_list = []
    for subdir in subdirs:
        partial_filenames, partial_labels = index_subdirectory(os.path.join(directory, subdir), class_indices,
                                                               follow_links, formats)
        filenames += partial_filenames
        labels_list.append(partial_labels)
    if labels == "inferred":
        labels = np.zeros((len(filenames),), dtype="int32")
        i = 0
        for partial in labels_list:
            labels[i:i + len(partial)] = partial
            i += len(partial)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target directory. "
                             f"len(labels) is {len(labels)} while we found {len(filenames)} files in directory "
                             f"{directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, name) for name in filenames]
    if shuffle:  # globally, to erase the order of the folders (Keras's generator: the same order)
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(samples: list, labels: Any, validation_split: float | None,
                                     subset: str | None) -> tuple[list, Any]:
    """The training part (all but the last ``int(split * n)``) or the validation part (those last ones)."""
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val_samples} files for training.")
        samples = samples[:-num_val_samples]
        if labels is not None:
            labels = labels[:-num_val_samples]
    elif subset == "validation":
        print(f"Using {num_val_samples} files for validation.")
        samples = samples[-num_val_samples:]
        if labels is not None:
            labels = labels[-num_val_samples:]
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')
    return samples, labels


def check_validation_split_arg(validation_split: float | None, subset: str | None, shuffle: bool,
                               seed: int | None) -> None:
    """Keras's checks of ``validation_split``/``subset``/``seed`` (a shuffled split needs a seed)."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` argument, "
                         "to make sure that there is no overlap between the training and validation subset.")


def check_label_args(labels: Any, label_mode: str | None, class_names: Sequence[str] | None, files: str,
                     samples: str) -> tuple[Any, str | None]:
    """Keras's checks of ``labels``/``label_mode``/``class_names``, the same for images and texts
    (``files``/``samples`` name what the folders hold: "image files"/"images"). Returns
    (labels, label_mode), both None when either asks for a dataset without labels."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"`labels` argument should be a list/tuple of integer labels, of the same size as the "
                             f"number of {files} in the target directory. If you wish to infer the labels from "
                             'the subdirectory names in the target directory, pass `labels="inferred"`. If you wish '
                             f"to get a dataset that only contains {samples} (no labels), pass `labels=None`. "
                             f"Received: labels={labels}")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, '
                             f"and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def check_binary_class_count(label_mode: str | None, class_names: Sequence[str]) -> None:
    """``label_mode="binary"`` needs exactly two classes."""
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f"class_names={class_names}")
