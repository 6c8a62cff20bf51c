"""Reading the files minitf wrote before it adopted Keras's format (minitf's own zip, format version 1).

Such a file is a zip of ``metadata.json`` (``"format": "minitf.keras"``, a manifest of the arrays),
``config.json``, ``model.weights.npz`` (the weights in ``model.weights`` order, named "0000",
"0001" ...) and, for a compiled and trained model, ``optimizer.npz``. minitf still reads them
(``load_model``, ``load_weights``); it writes only Keras's format now.

Every ``.npy`` member's header is read and checked (a numeric dtype, the shape the model's
variable has, no more bytes than the member holds) before its data is read, so a hostile header
(say, one declaring 2**40 floats) is refused without allocating anything.
"""
from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from typing import Any

import numpy as np

from minitf.keras.saving.h5_store import SavedModelError

FORMAT = "minitf.keras"
FORMAT_VERSION = 1


def is_legacy(meta: Any) -> bool:
    return isinstance(meta, dict) and meta.get("format") == FORMAT


def check_version(meta: dict, filepath: str) -> None:
    version = meta.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise SavedModelError(f"'{filepath}' has an invalid format_version {version!r} in metadata.json")
    if version > FORMAT_VERSION:
        raise SavedModelError(f"'{filepath}' was written by a newer minitf (file format version {version}; this "
                              f"minitf reads up to version {FORMAT_VERSION}): upgrade minitf to load it")


def read_arrays(npz_bytes: bytes, expected: list[tuple[tuple, np.dtype]], filepath: str, entry: str) -> list:
    """The arrays "0000", "0001" ... of an npz, each checked against ``expected`` (shape, dtype) first."""
    try:
        inner = zipfile.ZipFile(io.BytesIO(npz_bytes))
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise SavedModelError(f"'{filepath}' is corrupted: {entry} is not an npz archive ({e})") from None
    names = sorted(inner.namelist())
    wanted = [f"{i:04d}.npy" for i in range(len(expected))]
    if names != wanted:
        raise SavedModelError(f"'{filepath}': {entry} holds {len(names)} arrays, the model expects {len(expected)} "
                              f"(named {wanted[:3]}...): the file was saved from a different model")
    arrays = []
    for name, (shape, dtype) in zip(wanted, expected):
        info = inner.getinfo(name)
        try:
            with inner.open(info) as f:
                major, _ = np.lib.format.read_magic(f)
                if major == 1:
                    header_shape, fortran, file_dtype = np.lib.format.read_array_header_1_0(f)
                elif major in (2, 3):
                    header_shape, fortran, file_dtype = np.lib.format.read_array_header_2_0(f)
                else:
                    raise ValueError(f"unknown .npy version {major}")
                if file_dtype.hasobject or file_dtype.kind not in "biuf":
                    raise SavedModelError(f"'{filepath}': {entry}/{name} holds {file_dtype} values, not numbers "
                                          "(refused: loading them could run code)")
                if tuple(header_shape) != tuple(shape):
                    raise SavedModelError(f"'{filepath}': {entry}/{name} declares shape {tuple(header_shape)}, the "
                                          f"model's variable has shape {tuple(shape)}: refused before reading")
                nbytes = int(np.prod(shape, dtype=np.int64)) * file_dtype.itemsize
                if nbytes > info.file_size:
                    raise SavedModelError(f"'{filepath}': {entry}/{name} declares {nbytes} bytes of data but the "
                                          f"member holds {info.file_size}: truncated or forged")
                data = f.read(nbytes)
        except SavedModelError:
            raise
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as e:
            raise SavedModelError(f"'{filepath}' is corrupted: {entry}/{name} cannot be read ({e})") from None
        if len(data) != nbytes:
            raise SavedModelError(f"'{filepath}' is corrupted: {entry}/{name} is truncated")
        array = np.frombuffer(data, dtype=file_dtype)
        array = array.reshape(shape, order="F" if fortran else "C")
        arrays.append(np.array(array, dtype=dtype, copy=True))
    return arrays


def expected_of(variables: list) -> list[tuple[tuple, np.dtype]]:
    return [(tuple(v.shape), np.dtype(v.dtype.name)) for v in variables]


def load_into(model, archive, filepath: str, meta: dict, read_entry, with_optimizer: bool) -> None:
    """Assign the file's weights (and optimizer state) to ``model``, rebuilt from the file's config."""
    weights = model.weights
    arrays = read_arrays(read_entry("model.weights.npz", _npz_bound(weights)), expected_of(weights), filepath,
                         "model.weights.npz")
    optimizer_arrays = None
    if with_optimizer:
        optimizer = model.optimizer
        if "optimizer.npz" in archive.namelist():
            if not optimizer.built:
                optimizer.build(model.trainable_variables)
            listed = meta.get("optimizer") or []
            if len(listed) != len(optimizer.variables):
                warnings.warn(f"'{filepath}': its optimizer state ({len(listed)} arrays) does not fit the rebuilt "
                              f"{type(optimizer).__name__} ({len(optimizer.variables)} variables): not restored",
                              stacklevel=3)
            else:
                optimizer_arrays = read_arrays(read_entry("optimizer.npz", _npz_bound(optimizer.variables)),
                                               expected_of(optimizer.variables), filepath, "optimizer.npz")
        elif meta.get("optimizer"):
            warnings.warn(f"'{filepath}': metadata.json lists {len(meta['optimizer'])} optimizer arrays but the file "
                          "has no optimizer.npz: the optimizer starts afresh", stacklevel=3)
    for v, a in zip(weights, arrays):
        v.assign(a)
    if optimizer_arrays is not None:
        model.optimizer.set_state(optimizer_arrays)


def _npz_bound(variables: list) -> int:
    """The most bytes an npz of these variables can take (data, headers and zip records, generously)."""
    return sum(int(np.prod(v.shape, dtype=np.int64)) * np.dtype(v.dtype.name).itemsize for v in variables) + \
        1024 * (len(variables) + 1) + (1 << 16)
