"""``tf.keras.preprocessing.image``: the Keras 1 image tools the course uses, with Keras 3.15's behaviour.

    datagen = ImageDataGenerator(rescale=1 / 255., rotation_range=20, zoom_range=0.2, horizontal_flip=True)
    train = datagen.flow_from_directory("pizza_steak/train", target_size=(64, 64), class_mode="binary")
    images, labels = train[0]                   # a batch: (32, 64, 64, 3) float32, (32,) float32
    model.fit(train, epochs=5)                  # a PyDataset: fit reads train[0], train[1], ...

* ``load_img`` reads a file with Pillow (converted to ``color_mode``, resized with Pillow's
  ``resample`` filter, "nearest" by default); ``img_to_array`` / ``array_to_img`` / ``save_img``
  convert between Pillow images and float32 arrays.
* ``ImageDataGenerator`` describes random augmentations; ``flow_from_directory`` (files in class
  folders) and ``flow`` (arrays) return iterators of augmented batches. For each image, in this
  order: draw the transform (NumPy's global generator, the same draws as Keras), apply the affine
  part (rotation, shift, shear, zoom: ``apply_affine_transform``), the channel shift, the flips,
  the brightness; then ``standardize`` (``preprocessing_function``, ``rescale``, centring and
  normalisation). With the same NumPy seed the batches equal Keras's (float32 rounding aside).
* An iterator is a ``PyDataset``: ``it[i]`` is batch i (with ``seed``, NumPy is reseeded with
  ``seed + batches seen so far`` first, as in Keras); ``next(it)`` walks the batches endlessly;
  ``len(it)`` is the number of batches; ``on_epoch_end()`` draws a new order when ``shuffle``.

``apply_affine_transform`` is the one piece Keras leaves to SciPy (``scipy.ndimage.affine_transform``,
order 1): minitf computes it with NumPy, in float64 with SciPy's order of additions, so the
pixels match SciPy's to the last bit of float32 (checked by the parity tests).
"""
from __future__ import annotations

import io
import os
import pathlib
import threading
import warnings
from typing import Any

import numpy as np

from minitf.keras.engine.py_dataset import PyDataset

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img", "smart_resize", "ImageDataGenerator", "Iterator",
           "DirectoryIterator", "NumpyArrayIterator", "apply_affine_transform", "apply_channel_shift",
           "apply_brightness_shift", "random_rotation", "random_shift", "random_shear", "random_zoom",
           "random_channel_shift", "random_brightness", "transform_matrix_offset_center"]

_PIL_FILTERS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Could not import PIL.Image: the image tools need Pillow (pip install pillow).") from None
    return Image


# --- Pillow images <-> arrays ---------------------------------------------------------------------------
def load_img(path: Any, color_mode: str = "rgb", target_size: tuple[int, int] | None = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False):
    """A Pillow image from a file (or ``io.BytesIO``), converted to ``color_mode`` ("grayscale", "rgb",
    "rgba") and, if ``target_size`` = (height, width) is given, resized with Pillow's ``interpolation``
    filter; ``keep_aspect_ratio`` first crops the centre to the target's aspect ratio."""
    Image = _pil()
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        width_height = (int(target_size[1]), int(target_size[0]))
        if img.size != width_height:
            if interpolation not in _PIL_FILTERS:
                raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported methods are "
                                 f"{', '.join(_PIL_FILTERS)}")
            resample = getattr(Image.Resampling, interpolation.upper())
            if keep_aspect_ratio:  # the largest centred box with the target's aspect ratio (integer arithmetic)
                width, height = img.size
                crop_height = min(height, (width * width_height[1]) // width_height[0])
                crop_width = min(width, (height * width_height[0]) // width_height[1])
                top, left = (height - crop_height) // 2, (width - crop_width) // 2
                img = img.resize(width_height, resample, box=[left, top, left + crop_width, top + crop_height])
            else:
                img = img.resize(width_height, resample)
    return img


def img_to_array(img: Any, data_format: str | None = None, dtype: Any = None) -> np.ndarray:
    """A Pillow image as a float32 array (height, width, channels); grayscale gets a channel axis."""
    data_format = data_format or "channels_last"
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x.reshape((1,) + x.shape) if data_format == "channels_first" else x.reshape(x.shape + (1,))
    raise ValueError(f"Unsupported image shape: {x.shape}")


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True, dtype: Any = None):
    """A (height, width, 1|3|4) array as a Pillow image; ``scale`` stretches its values to 0..255 first."""
    Image = _pil()
    x = np.array(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if (data_format or "channels_last") == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:  # 32-bit signed integer grayscale
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path: Any, x: Any, data_format: str | None = None, file_format: str | None = None, scale: bool = True,
             **kwargs: Any) -> None:
    """Save an image array to a file (through ``array_to_img``; RGBA becomes RGB for JPEG)."""
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def smart_resize(x: Any, size: tuple[int, int], interpolation: str = "bilinear", data_format: str = "channels_last"):
    """Resize to ``size`` without distorting: crop the largest centred box of the target's aspect
    ratio, then ``tf.image.resize`` it. Returns a tensor (Keras returns a NumPy array for one)."""
    import minitf as tf
    from minitf.keras.layers.preprocessing._image_ops import aspect_crop_box
    image = tf.convert_to_tensor(x)
    if image.ndim not in (3, 4):
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or `(batch_size, height, "
                         f"width, channels)`, but got input with incorrect rank, of shape {tuple(image.shape)}.")
    height, width = image.shape[-3], image.shape[-2]
    top, left, crop_height, crop_width = aspect_crop_box(height, width, size[0], size[1])
    image = image[..., top:top + crop_height, left:left + crop_width, :]
    resized = tf.image.resize(image, size, method=interpolation)
    return resized.numpy() if isinstance(x, np.ndarray) else resized


# --- the affine transform (SciPy's order-1 ndimage.affine_transform, in NumPy) --------------------------------
def _map_coordinate(c: np.ndarray, length: int, mode: str) -> np.ndarray:
    """Input coordinates outside [0, length - 1] mapped back as scipy.ndimage's ``mode`` does;
    ``constant`` marks them -1 (they read ``cval``)."""
    c = c.copy()
    low, high = c < 0, c > length - 1
    if mode == "nearest":
        c[low], c[high] = 0, length - 1
    elif mode == "constant":
        c[low | high] = -1
    elif length <= 1:
        c[low | high] = 0
    elif mode == "reflect":  # d c b a | a b c d | d c b a
        size2 = 2 * length
        lo = c[low]
        lo = np.where(lo < -size2, size2 * np.trunc(-lo / size2) + lo, lo)
        c[low] = np.where(lo < -length, lo + size2, np.where(lo > -1e-15, 1e-15, -lo) - 1)
        hi = c[high]
        hi = hi - size2 * np.trunc(hi / size2)
        c[high] = np.where(hi >= length, size2 - hi - 1, hi)
    elif mode == "wrap":  # SciPy's "wrap": period length - 1
        size = length - 1
        c[low] = c[low] + size * (np.trunc(-c[low] / size) + 1)
        c[high] = c[high] - size * np.trunc(c[high] / size)
    return c


def _tap_index(index: np.ndarray, length: int, mode: str) -> np.ndarray:
    """Where a filter tap reads. Inside the image: itself. Beyond the edge, "reflect" mirrors about
    the pixel edge (-1 -> 0, length -> length - 1), as SciPy does; in the other modes the
    coordinate was already brought inside, so a tap beyond the edge has weight 0 and any pixel
    will do (SciPy reads the mirror image; the edge pixel gives the same sum for finite pixels)."""
    if mode == "reflect" and length > 1:
        index = np.mod(index, 2 * length)
        return np.where(index >= length, 2 * length - index - 1, index)
    return np.clip(index, 0, length - 1)


def _affine_sample(channels: np.ndarray, matrix: np.ndarray, offset: np.ndarray, mode: str, cval: float) -> np.ndarray:
    """``scipy.ndimage.affine_transform(c, matrix, offset, order=1, mode=mode, cval=cval)`` for each
    channel c of ``channels`` (C, rows, cols): output pixel (i, j) reads the input at
    matrix @ (i, j) + offset, blending its 2 x 2 neighbours linearly. Summed in float64 in
    SciPy's order (tap by tap, value * row weight * column weight), then rounded to the input's dtype."""
    _, rows, cols = channels.shape
    i, j = np.meshgrid(np.arange(rows, dtype=np.float64), np.arange(cols, dtype=np.float64), indexing="ij")
    coords = [(offset[d] + matrix[d, 0] * i) + matrix[d, 1] * j for d in range(2)]  # SciPy's order of additions
    coords = [_map_coordinate(coords[0], rows, mode), _map_coordinate(coords[1], cols, mode)]
    outside = (coords[0] <= -1) | (coords[1] <= -1) if mode == "constant" else None
    if outside is not None:
        coords = [np.where(outside, 0, c) for c in coords]
    starts = [np.floor(c).astype(np.int64) for c in coords]
    # SciPy's order-1 spline weights: w0 = 1 - t, and w1 = 1 - w0 (not t: the weights sum to 1 exactly)
    weights = []
    for c, start in zip(coords, starts):
        w0 = 1.0 - (c - start)
        weights.append((w0, 1.0 - w0))
    data = channels.astype(np.float64)
    total = np.zeros(channels.shape, np.float64)
    for a in (0, 1):
        row = _tap_index(starts[0] + a, rows, mode)
        for b in (0, 1):
            col = _tap_index(starts[1] + b, cols, mode)
            total += data[:, row, col] * weights[0][a] * weights[1][b]
    if outside is not None:
        total = np.where(outside, cval, total)
    return total.astype(channels.dtype)


def transform_matrix_offset_center(matrix: np.ndarray, x: float, y: float) -> np.ndarray:
    """``matrix`` about the image centre ((x - 1) / 2, (y - 1) / 2) instead of the corner."""
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


_FILL_MODES = ("nearest", "constant", "reflect", "wrap")


def apply_affine_transform(x: np.ndarray, theta: float = 0, tx: float = 0, ty: float = 0, shear: float = 0,
                           zx: float = 1, zy: float = 1, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                           fill_mode: str = "nearest", cval: float = 0.0, order: int = 1) -> np.ndarray:
    """One image (3-D) rotated by ``theta`` degrees, shifted by (tx, ty) pixels, sheared by ``shear``
    degrees and zoomed by (zx, zy), about its centre, as Keras composes them:
    M = rotation @ shift @ shear @ zoom, where output pixel p reads the input at M p.
    Points outside the image are filled by ``fill_mode``: "nearest" (Keras's default; the edge
    pixel), "constant" (``cval``), "reflect" or "wrap"."""
    if len({row_axis, col_axis, channel_axis}) != 3:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be distinct")
    if {row_axis, col_axis, channel_axis} != {0, 1, 2}:
        raise ValueError(f"Invalid axis' indices: {({row_axis, col_axis, channel_axis}) - {0, 1, 2}}")
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError("Input arrays must be multi-channel 2D images.")
    if channel_axis not in (0, 2):
        raise ValueError("Channels are allowed and the first and last dimensions.")
    if order != 1:
        from minitf.errors import UnimplementedError
        raise UnimplementedError(f"apply_affine_transform: interpolation_order={order} is not implemented in minitf "
                                 "(Keras's default, 1 = bilinear, is)")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"fill_mode must be one of {_FILL_MODES}, got {fill_mode!r}")
    matrix = None
    if theta != 0:
        angle = np.deg2rad(theta)
        matrix = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    if tx != 0 or ty != 0:
        shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        matrix = shift if matrix is None else matrix @ shift
    if shear != 0:
        angle = np.deg2rad(shear)
        shear_matrix = np.array([[1, -np.sin(angle), 0], [0, np.cos(angle), 0], [0, 0, 1]])
        matrix = shear_matrix if matrix is None else matrix @ shear_matrix
    if zx != 1 or zy != 1:
        zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
        matrix = zoom if matrix is None else matrix @ zoom
    if matrix is None:
        return x
    h, w = x.shape[row_axis], x.shape[col_axis]
    matrix = transform_matrix_offset_center(matrix, h, w)
    channels = np.rollaxis(x, channel_axis, 0)
    if col_axis > row_axis:  # the matrix is written for (x, y); the arrays are indexed (row, column)
        matrix[:, [0, 1]] = matrix[:, [1, 0]]
        matrix[[0, 1]] = matrix[[1, 0]]
    out = _affine_sample(channels, matrix[:2, :2], matrix[:2, 2], fill_mode, cval)
    return np.rollaxis(out, 0, channel_axis + 1)


def apply_channel_shift(x: np.ndarray, intensity: float, channel_axis: int = 0) -> np.ndarray:
    """Add ``intensity`` to every channel, clipped to the image's own [min, max]."""
    x = np.rollaxis(x, channel_axis, 0)
    low, high = np.min(x), np.max(x)
    x = np.stack([np.clip(c + intensity, low, high) for c in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def apply_brightness_shift(x: np.ndarray, brightness: float, scale: bool = True) -> np.ndarray:
    """Pillow's ``ImageEnhance.Brightness(image).enhance(brightness)`` on the image (through uint8)."""
    from PIL import ImageEnhance
    x_min, x_max = np.min(x), np.max(x)
    local_scale = (x_min < 0) or (x_max > 255)
    image = ImageEnhance.Brightness(array_to_img(x, scale=local_scale or scale)).enhance(brightness)
    x = img_to_array(image)
    if not scale and local_scale:
        x = x / 255 * (x_max - x_min) + x_min
    return x


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                    interpolation_order=1):
    """Rotate by an angle drawn from [-rg, rg] degrees."""
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                 interpolation_order=1):
    """Shift by fractions drawn from [-hrg, hrg] of the height and [-wrg, wrg] of the width."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                 interpolation_order=1):
    """Shear by an angle drawn from [-intensity, intensity] degrees."""
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                interpolation_order=1):
    """Zoom by factors (zx, zy) drawn from ``zoom_range`` = (lower, upper)."""
    if len(zoom_range) != 2:
        raise ValueError(f"`zoom_range` should be a tuple or list of two floats. Received: {zoom_range}")
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """Channel shift by an intensity drawn from [-intensity_range, intensity_range]."""
    return apply_channel_shift(x, np.random.uniform(-intensity_range, intensity_range), channel_axis=channel_axis)


def random_brightness(x, brightness_range, scale=True):
    """Brightness by a factor drawn from ``brightness_range`` = (lower, upper)."""
    if len(brightness_range) != 2:
        raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}")
    return apply_brightness_shift(x, np.random.uniform(brightness_range[0], brightness_range[1]), scale)


def _flip_axis(x: np.ndarray, axis: int) -> np.ndarray:
    return np.flip(np.asarray(x), axis=axis)


# --- iterators ------------------------------------------------------------------------------------------
class Iterator(PyDataset):
    """Batches of ``n`` samples, ``batch_size`` at a time, in order or shuffled (``np.random.permutation``).

    ``it[i]`` gives batch i of the current order (drawn at the first batch, redrawn by
    ``on_epoch_end``); ``next(it)`` gives the batches one after the other forever, starting a new
    order at each pass. With ``seed``, NumPy's global generator is seeded with
    ``seed + batches seen`` before each batch, so augmentations and orders repeat.
    """

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int | None, **kwargs: Any):
        super().__init__(**kwargs)
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self) -> None:
        self.index_array = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __getitem__(self, idx: int):
        if idx >= len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length {len(self)}")
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(
            self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)])

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self) -> None:
        self._set_index_array()

    def reset(self) -> None:
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current = 0 if self.n == 0 else (self.batch_index * self.batch_size) % self.n
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current:current + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray):
        raise NotImplementedError


def _list_valid_filenames_in_directory(directory: str, white_list_formats: tuple[str, ...], split: Any,
                                       class_indices: dict, follow_links: bool) -> tuple[list[int], list[str]]:
    """Labels and paths (relative to ``directory``'s parent) of one class folder; ``split`` keeps a
    fraction (start, stop) of its sorted files."""
    from minitf.keras.preprocessing.dataset_utils import iter_valid_files
    folder = os.path.basename(directory)
    files = list(iter_valid_files(directory, follow_links, white_list_formats))
    if split:
        files = files[int(split[0] * len(files)):int(split[1] * len(files))]
    classes = [class_indices[folder]] * len(files)
    names = [os.path.join(folder, os.path.relpath(os.path.join(root, name), directory)) for root, name in files]
    return classes, names


class DirectoryIterator(Iterator):
    """Augmented batches of the images in ``directory/<class>/`` (``ImageDataGenerator.flow_from_directory``).

    Classes are the subfolders in sorted order (or ``classes``); files are listed folder by
    folder, sorted. ``class_mode``: "categorical" (one-hot float32 rows), "binary" / "sparse"
    (float32 class indices), "input" (the images again) or None (images only).
    """

    allowed_class_modes = {"categorical", "binary", "sparse", "input", None}

    def __init__(self, directory: str, image_data_generator: Any, target_size: tuple[int, int] = (256, 256),
                 color_mode: str = "rgb", classes: list[str] | None = None, class_mode: str | None = "categorical",
                 batch_size: int = 32, shuffle: bool = True, seed: int | None = None, data_format: str | None = None,
                 save_to_dir: str | None = None, save_prefix: str = "", save_format: str = "png",
                 follow_links: bool = False, subset: str | None = None, interpolation: str = "nearest",
                 keep_aspect_ratio: bool = False, dtype: Any = None):
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.keep_aspect_ratio = keep_aspect_ratio
        if color_mode not in {"rgb", "rgba", "grayscale"}:
            raise ValueError(f'Invalid color mode: {color_mode}; expected "rgb", "rgba", or "grayscale".')
        self.color_mode = color_mode
        self.data_format = data_format or "channels_last"
        channels = {"rgba": 4, "rgb": 3, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if self.data_format == "channels_last"
                            else (channels,) + self.target_size)
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        self.interpolation = interpolation
        if subset is not None:
            validation_split = image_data_generator._validation_split if image_data_generator else 0.0
            if subset == "validation":
                split = (0, validation_split)
            elif subset == "training":
                split = (validation_split, 1)
            else:
                raise ValueError(f'Invalid subset name: {subset};expected "training" or "validation"')
        else:
            split = None
        self.split, self.subset = split, subset
        self.directory = directory
        if class_mode not in self.allowed_class_modes:
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of: {self.allowed_class_modes}")
        self.class_mode = class_mode
        self.dtype = dtype or "float32"
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"flow_from_directory: no such directory: {directory!r}")
        if not classes:
            classes = [name for name in sorted(os.listdir(directory)) if os.path.isdir(os.path.join(directory, name))]
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        labels: list[int] = []
        self.filenames: list[str] = []
        for subdir in classes:
            found, names = _list_valid_filenames_in_directory(os.path.join(directory, subdir),
                                                              self.white_list_formats, self.split,
                                                              self.class_indices, follow_links)
            labels += found
            self.filenames += names
        self.samples = len(self.filenames)
        self.classes = np.asarray(labels, dtype="int32").reshape(-1)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        self._filepaths = [os.path.join(self.directory, name) for name in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self) -> list[str]:
        return self._filepaths

    @property
    def labels(self) -> np.ndarray:
        return self.classes

    @property
    def sample_weight(self):
        return None

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        generator = self.image_data_generator
        for i, j in enumerate(index_array):
            img = load_img(self._filepaths[j], color_mode=self.color_mode, target_size=self.target_size,
                           interpolation=self.interpolation, keep_aspect_ratio=self.keep_aspect_ratio)
            x = img_to_array(img, data_format=self.data_format)
            img.close()
            if generator:
                params = generator.get_random_transform(x.shape)
                x = generator.apply_transform(x, params)
                x = generator.standardize(x)
            batch_x[i] = x
        if self.save_to_dir:
            for i, j in enumerate(index_array):
                img = array_to_img(batch_x[i], self.data_format, scale=True)
                name = f"{self.save_prefix}_{j}_{np.random.randint(1e7)}.{self.save_format}"
                img.save(os.path.join(self.save_to_dir, name))
        if self.class_mode == "input":
            batch_y = batch_x.copy()
        elif self.class_mode in {"binary", "sparse"}:
            batch_y = self.classes[index_array].astype(self.dtype)
        elif self.class_mode == "categorical":
            batch_y = np.zeros((len(batch_x), len(self.class_indices)), dtype=self.dtype)
            batch_y[np.arange(len(batch_x)), self.classes[index_array]] = 1.0
        else:
            return batch_x
        return batch_x, batch_y


class NumpyArrayIterator(Iterator):
    """Augmented batches of images held in an array (``ImageDataGenerator.flow``): x (n, h, w, c), y (n, ...)."""

    def __init__(self, x: Any, y: Any, image_data_generator: Any, batch_size: int = 32, shuffle: bool = False,
                 sample_weight: Any = None, seed: int | None = None, data_format: str | None = None,
                 save_to_dir: str | None = None, save_prefix: str = "", save_format: str = "png",
                 subset: str | None = None, ignore_class_split: bool = False, dtype: Any = None):
        self.dtype = dtype or "float32"
        x = np.asarray(x) if not hasattr(x, "numpy") else x.numpy()
        if y is not None:
            y = np.asarray(y) if not hasattr(y, "numpy") else y.numpy()
        if y is not None and len(x) != len(y):
            raise ValueError(f"`x` (images tensor) and `y` (labels) should have the same length. Found: "
                             f"x.shape = {x.shape}, y.shape = {y.shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(f"`x` (images tensor) and `sample_weight` should have the same length. Found: "
                             f"x.shape = {x.shape}, sample_weight.shape = {np.asarray(sample_weight).shape}")
        if subset is not None:
            if subset not in {"training", "validation"}:
                raise ValueError(f'Invalid subset name: {subset}; expected "training" or "validation".')
            split_idx = int(len(x) * image_data_generator._validation_split)
            if (y is not None and not ignore_class_split
                    and not np.array_equal(np.unique(y[:split_idx]), np.unique(y[split_idx:]))):
                raise ValueError("Training and validation subsets have different number of classes after the split. "
                                 "If your numpy arrays are sorted by the label, you might want to shuffle them.")
            part = slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
            x = x[part]
            y = y[part] if y is not None else None
            sample_weight = np.asarray(sample_weight)[part] if sample_weight is not None else None
        self.x = np.asarray(x, dtype=self.dtype)
        if self.x.ndim != 4:
            raise ValueError(f"Input data in `NumpyArrayIterator` should have rank 4. You passed an array with shape "
                             f"{self.x.shape}")
        self.y = y
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format or "channels_last"
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray):
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        generator = self.image_data_generator
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = generator.standardize(x)
        if self.y is None:
            return batch_x
        output = (batch_x, self.y[index_array])
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


# --- the generator ---------------------------------------------------------------------------------------
class ImageDataGenerator:
    """Random image augmentations and normalisation, applied image by image as batches are read.

    Geometry (degrees and fractions as Keras takes them): ``rotation_range`` (rotate by U(-r, r)
    degrees), ``width_shift_range`` / ``height_shift_range`` (a float < 1: a fraction of the width /
    height; >= 1: pixels; a list: one of its values, either sign), ``shear_range`` (degrees),
    ``zoom_range`` (a float z: factors from U(1 - z, 1 + z) per axis; or (lower, upper)),
    ``horizontal_flip`` / ``vertical_flip`` (each with probability 1/2), ``fill_mode`` and ``cval``
    for the points the transform brings in from outside. Values: ``channel_shift_range``,
    ``brightness_range``, then ``rescale`` (multiply, e.g. 1/255), ``samplewise_center`` /
    ``samplewise_std_normalization``, ``featurewise_center`` / ``featurewise_std_normalization``
    (after ``fit(x)``). ``validation_split`` with ``subset=`` in the flows keeps a fraction apart.
    """

    def __init__(self, featurewise_center: bool = False, samplewise_center: bool = False,
                 featurewise_std_normalization: bool = False, samplewise_std_normalization: bool = False,
                 zca_whitening: bool = False, zca_epsilon: float = 1e-6, rotation_range: float = 0,
                 width_shift_range: Any = 0.0, height_shift_range: Any = 0.0, brightness_range: Any = None,
                 shear_range: float = 0.0, zoom_range: Any = 0.0, channel_shift_range: float = 0.0,
                 fill_mode: str = "nearest", cval: float = 0.0, horizontal_flip: bool = False,
                 vertical_flip: bool = False, rescale: float | None = None, preprocessing_function: Any = None,
                 data_format: str | None = None, validation_split: float = 0.0, interpolation_order: int = 1,
                 dtype: Any = None):
        if zca_whitening:
            from minitf.errors import UnimplementedError
            raise UnimplementedError("ImageDataGenerator: zca_whitening is not implemented in minitf")
        data_format = data_format or "channels_last"
        if data_format not in {"channels_last", "channels_first"}:
            raise ValueError('`data_format` should be `"channels_last"` (channel after row and column) or '
                             f'`"channels_first"` (channel before row and column). Received: {data_format}')
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"fill_mode must be one of {_FILL_MODES}, got {fill_mode!r}")
        self.featurewise_center = featurewise_center or featurewise_std_normalization
        self.samplewise_center = samplewise_center or samplewise_std_normalization
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode, self.cval = fill_mode, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or "float32"
        self.interpolation_order = interpolation_order
        self.data_format = data_format
        self.channel_axis, self.row_axis, self.col_axis = (3, 1, 2) if data_format == "channels_last" else (1, 2, 3)
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(f"`validation_split` must be strictly between 0 and 1.  Received: {validation_split}")
        self._validation_split = validation_split
        self.mean = self.std = self.zca_whitening_matrix = None
        if isinstance(zoom_range, (float, int)):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2 and all(isinstance(v, (float, int)) for v in zoom_range):
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(f"`zoom_range` should be a float or a tuple or list of two floats. Received: {zoom_range}")
        if brightness_range is not None and (not isinstance(brightness_range, (tuple, list))
                                             or len(brightness_range) != 2):
            raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}")
        self.brightness_range = brightness_range

    def flow(self, x: Any, y: Any = None, batch_size: int = 32, shuffle: bool = True, sample_weight: Any = None,
             seed: int | None = None, save_to_dir: str | None = None, save_prefix: str = "", save_format: str = "png",
             ignore_class_split: bool = False, subset: str | None = None) -> NumpyArrayIterator:
        """Augmented batches of the images in the array ``x`` (with labels ``y``)."""
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format,
                                  ignore_class_split=ignore_class_split, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory: str, target_size: tuple[int, int] = (256, 256), color_mode: str = "rgb",
                            classes: list[str] | None = None, class_mode: str | None = "categorical",
                            batch_size: int = 32, shuffle: bool = True, seed: int | None = None,
                            save_to_dir: str | None = None, save_prefix: str = "", save_format: str = "png",
                            follow_links: bool = False, subset: str | None = None, interpolation: str = "nearest",
                            keep_aspect_ratio: bool = False) -> DirectoryIterator:
        """Augmented batches of the images under ``directory`` (one subfolder per class)."""
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 keep_aspect_ratio=keep_aspect_ratio, classes=classes, class_mode=class_mode,
                                 data_format=self.data_format, batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix, save_format=save_format,
                                 follow_links=follow_links, subset=subset, interpolation=interpolation,
                                 dtype=self.dtype)

    def standardize(self, x: np.ndarray) -> np.ndarray:
        """Normalise one image (in place where possible): preprocessing_function, rescale, centring, scaling."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                warnings.warn("This ImageDataGenerator specifies `featurewise_center`, but it hasn't been fit on any "
                              "training data. Fit it first by calling `.fit(numpy_data)`.")
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= self.std + 1e-6
            else:
                warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, but it hasn't been "
                              "fit on any training data. Fit it first by calling `.fit(numpy_data)`.")
        return x

    def _shift(self, shift_range: Any, size: int) -> float:
        """A shift drawn as Keras does: from a list/int (either sign), or U(-r, r); fractions of ``size`` if < 1."""
        try:  # a 1-D array-like or an int: one of its values, with a random sign
            shift = np.random.choice(shift_range)
            shift *= np.random.choice([-1, 1])
        except ValueError:  # a float
            shift = np.random.uniform(-shift_range, shift_range)
        if np.max(shift_range) < 1:
            shift *= size
        return shift

    def get_random_transform(self, img_shape: tuple[int, ...], seed: int | None = None) -> dict:
        """Draw one image's transform from NumPy's global generator, in Keras's order."""
        img_row_axis, img_col_axis = self.row_axis - 1, self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = self._shift(self.height_shift_range, img_shape[img_row_axis]) if self.height_shift_range else 0
        ty = self._shift(self.width_shift_range, img_shape[img_col_axis]) if self.width_shift_range else 0
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(self.brightness_range[0], self.brightness_range[1])
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift_intensity, "brightness": brightness}

    def apply_transform(self, x: np.ndarray, transform_parameters: dict) -> np.ndarray:
        """Apply one drawn transform to one image: affine part, channel shift, flips, brightness."""
        img_row_axis, img_col_axis, img_channel_axis = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        p = transform_parameters
        x = apply_affine_transform(x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0), p.get("shear", 0),
                                   p.get("zx", 1), p.get("zy", 1), row_axis=img_row_axis, col_axis=img_col_axis,
                                   channel_axis=img_channel_axis, fill_mode=self.fill_mode, cval=self.cval,
                                   order=self.interpolation_order)
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], img_channel_axis)
        if p.get("flip_horizontal", False):
            x = _flip_axis(x, img_col_axis)
        if p.get("flip_vertical", False):
            x = _flip_axis(x, img_row_axis)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"], False)
        return x

    def random_transform(self, x: np.ndarray, seed: int | None = None) -> np.ndarray:
        """One image with a freshly drawn transform applied."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x: Any, augment: bool = False, rounds: int = 1, seed: int | None = None) -> None:
        """Learn ``featurewise_center`` / ``featurewise_std_normalization`` statistics from sample images."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4. Got array with shape: {x.shape}")
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            augmented = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    augmented[i + r * x.shape[0]] = self.random_transform(x[i])
            x = augmented
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x /= self.std + 1e-6
