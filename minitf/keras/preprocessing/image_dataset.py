"""``keras.utils.image_dataset_from_directory``: a folder of class folders of images -> a ``Dataset``.

    train = tf.keras.utils.image_dataset_from_directory("pizza_steak/train", image_size=(64, 64),
                                                        label_mode="binary", batch_size=32, seed=42)
    train.class_names          # ['pizza', 'steak']  (the folder names, sorted)
    for images, labels in train: ...   # (32, 64, 64, 3) float32 in 0..255, (32, 1) float32

The pipeline is Keras's, step for step:

1. list the files (``dataset_utils.index_directory``): the same order as Keras, including its
   seeded shuffle of the whole list, so ``file_paths`` and the training/validation split equal
   Keras's file for file;
2. pair each file with its label (``int``: int32; ``binary``: float32 of shape (1,);
   ``categorical``: float32 one-hot), shuffle with a buffer of 8 batches (``shuffle=True``; a new
   order every epoch, seeded by ``seed``: minitf's stream, not TF's, so batches are not TF's);
3. read each file, decode it (``tf.io.decode_image``, pixels equal to TF's) to ``color_mode``'s
   channels, resize it to ``image_size`` (``tf.image.resize``, bilinear by default: float32
   pixels 0.0..255.0, not rescaled);
4. batch (the last batch may be smaller) and prefetch.

With ``shuffle=False`` the batches are exactly Keras's.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras.preprocessing import dataset_utils

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")
_IMPLEMENTED_INTERPOLATIONS = ("bilinear", "nearest")


def _labels_array(labels: Any, label_mode: str, num_classes: int) -> np.ndarray:
    """Per-file labels as the dataset yields them (Keras's ``labels_to_dataset``)."""
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype(np.float32).reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels.astype(np.int64)]
    return labels.astype(np.int32)


def load_image(path: str, image_size: tuple[int, int], num_channels: int, interpolation: str,
               data_format: str = "channels_last", crop_to_aspect_ratio: bool = False):
    """One file as a (height, width, channels) float32 tensor: read, decode, resize (Keras's ``_load_image_tf``)."""
    import minitf as tf
    from minitf.keras.layers.preprocessing._image_ops import aspect_crop_box

    image = tf.image.decode_image(tf.io.read_file(path), channels=num_channels, expand_animations=False)
    if crop_to_aspect_ratio:  # Keras's smart_resize: the largest centred box of the target's aspect ratio
        height, width = image.shape[0], image.shape[1]
        top, left, crop_height, crop_width = aspect_crop_box(height, width, image_size[0], image_size[1])
        image = image[top:top + crop_height, left:left + crop_width]
    image = tf.image.resize(image, image_size, method=interpolation)
    if data_format == "channels_first":
        image = tf.transpose(image, (2, 0, 1))
    return image


def _paths_and_labels_to_dataset(image_paths: list[str], image_size: tuple[int, int], num_channels: int,
                                 labels: Any, label_mode: str | None, num_classes: int, interpolation: str,
                                 data_format: str, crop_to_aspect_ratio: bool, shuffle: bool,
                                 shuffle_buffer_size: int | None, seed: int | None):
    """(image, label) elements (or images alone) in the order Keras's pipeline makes them."""
    from minitf.data import Dataset

    index = np.arange(len(image_paths), dtype=np.int64)  # each element carries its file's index in `image_paths`
    if label_mode:
        ds = Dataset.from_tensor_slices((index, _labels_array(labels, label_mode, num_classes)))
    else:
        ds = Dataset.from_tensor_slices(index)
    if shuffle:
        ds = ds.shuffle(buffer_size=shuffle_buffer_size or 1024, seed=seed)

    def load(i):
        return load_image(image_paths[int(i)], image_size, num_channels, interpolation, data_format,
                          crop_to_aspect_ratio)

    if label_mode:
        return ds.map(lambda i, y: (load(i), y))
    return ds.map(load)


def image_dataset_from_directory(directory: str, labels: Any = "inferred", label_mode: str | None = "int",
                                 class_names: list[str] | None = None, color_mode: str = "rgb",
                                 batch_size: int | None = 32, image_size: Any = (256, 256), shuffle: bool = True,
                                 seed: int | None = None, validation_split: float | None = None,
                                 subset: str | None = None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False, data_format: str | None = None,
                                 format: str = "tf", verbose: bool = True):
    """A ``Dataset`` of (images, labels) batches from ``directory/<class>/<image files>`` (see the module docstring).

    Returns one dataset, or (training, validation) for ``subset="both"``; each has
    ``class_names`` and ``file_paths``. Images are (batch, height, width, channels) float32 with
    values 0..255; ``color_mode`` "grayscale", "rgb" or "rgba" gives 1, 3 or 4 channels.
    """
    labels, label_mode = dataset_utils.check_label_args(labels, label_mode, class_names, "image files", "images")
    channels_by_mode = {"rgb": 3, "rgba": 4, "grayscale": 1}
    if color_mode not in channels_by_mode:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: color_mode={color_mode}')
    num_channels = channels_by_mode[color_mode]
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(f"Invalid `image_size` value. Expected a tuple of 2 integers. Received: "
                         f"image_size={image_size}")
    image_size = (int(image_size[0]), int(image_size[1]))
    interpolation = interpolation.lower()
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {_INTERPOLATIONS}. Received: "
                         f"interpolation={interpolation}")
    if interpolation not in _IMPLEMENTED_INTERPOLATIONS:
        from minitf.errors import UnimplementedError
        raise UnimplementedError(f"image_dataset_from_directory: interpolation={interpolation!r} is not implemented "
                                 f"in minitf; use one of {_IMPLEMENTED_INTERPOLATIONS}")
    if pad_to_aspect_ratio:
        from minitf.errors import UnimplementedError
        raise UnimplementedError("image_dataset_from_directory: pad_to_aspect_ratio=True is not implemented in minitf "
                                 "(crop_to_aspect_ratio=True is)")
    if format != "tf":
        raise ValueError(f'`format` should be "tf" in minitf (a minitf.data.Dataset). Received: format={format}')
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)

    if seed is None:
        seed = np.random.randint(1e6)
    image_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWLIST_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    dataset_utils.check_binary_class_count(label_mode, class_names)
    shuffle_buffer_size = batch_size * 8 if batch_size is not None else 1024
    num_classes = len(class_names) if class_names else 0
    common = dict(image_size=image_size, num_channels=num_channels, label_mode=label_mode, num_classes=num_classes,
                  interpolation=interpolation, data_format=data_format, crop_to_aspect_ratio=crop_to_aspect_ratio)

    def finish(dataset, paths):
        if batch_size is not None:
            dataset = dataset.batch(batch_size)
        dataset = dataset.prefetch(-1)
        dataset.class_names = class_names  # as Keras: the users may need them
        dataset.file_paths = paths
        return dataset

    if subset == "both":
        train_paths, train_labels = dataset_utils.get_training_or_validation_split(image_paths, labels,
                                                                                   validation_split, "training")
        val_paths, val_labels = dataset_utils.get_training_or_validation_split(image_paths, labels,
                                                                               validation_split, "validation")
        if not train_paths:
            raise ValueError(f"No training images found in directory {directory}. Allowed formats: "
                             f"{ALLOWLIST_FORMATS}")
        if not val_paths:
            raise ValueError(f"No validation images found in directory {directory}. Allowed formats: "
                             f"{ALLOWLIST_FORMATS}")
        train = _paths_and_labels_to_dataset(train_paths, labels=train_labels, shuffle=shuffle,
                                             shuffle_buffer_size=shuffle_buffer_size, seed=seed, **common)
        val = _paths_and_labels_to_dataset(val_paths, labels=val_labels, shuffle=False, shuffle_buffer_size=None,
                                           seed=None, **common)
        return [finish(train, train_paths), finish(val, val_paths)]

    image_paths, labels = dataset_utils.get_training_or_validation_split(image_paths, labels, validation_split,
                                                                         subset)
    if not image_paths:
        raise ValueError(f"No images found in directory {directory}. Allowed formats: {ALLOWLIST_FORMATS}")
    dataset = _paths_and_labels_to_dataset(image_paths, labels=labels, shuffle=shuffle,
                                           shuffle_buffer_size=shuffle_buffer_size, seed=seed, **common)
    return finish(dataset, image_paths)


__all__ = ["image_dataset_from_directory", "load_image", "ALLOWLIST_FORMATS"]
