"""Keras's HDF5 weights file (``model.weights.h5``, ``*.weights.h5``): writing it, and reading it warily.

Layout (see ``saveables.py`` for the paths): a group per saveable object, holding a ``vars``
group (attribute ``name``: the object's name) with one dataset per variable, ``"0"``, ``"1"``...

Reading checks every dataset against what the model expects *before* reading it: it must be a
plain dataset stored in this file (no soft or external links, no external or virtual storage),
of a numeric dtype and of exactly the variable's shape. So a file can never make the loader
allocate more than the model's own weights, whatever its datasets declare.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np

from minitf.keras.saving import saveables


# An array whose size the config does not fix (a vocabulary's idf weights) may hold at most this many values.
_MAX_OPEN_SIZE = 1 << 24


class SavedModelError(ValueError):
    """A model or weights file that cannot be read: says which file and why."""


def _h5py():
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is a dependency of minitf
        raise ImportError("Reading and writing Keras's .keras and .weights.h5 files needs h5py: pip install h5py") \
            from None
    return h5py


def write(root: Any, objects: list[tuple[str, Any]] | None = None) -> bytes:
    """The HDF5 bytes holding the state of ``root`` and everything ``saveables.walk`` finds under it."""
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for path, obj in (objects if objects is not None else list(saveables.walk(root))):
            group = f.require_group(path) if path else f
            vars_group = group.create_group("vars")
            name = getattr(obj, "name", None)
            if isinstance(name, str):
                vars_group.attrs["name"] = name
            for key, array in saveables.own_state(obj).items():
                vars_group.create_dataset(key, data=np.asarray(array, order="C"))
    return buffer.getvalue()



def stored_in_file(parent, name: str, kind, where: str, fail):
    """``parent[name]`` if it is a ``kind`` (``h5py.Group`` or ``h5py.Dataset``) stored in this very
    file; otherwise ``fail(message)`` is raised. Soft and external links are refused (a link could
    point outside the file, to /etc/passwd), and so is a dataset whose data lies outside the file
    (external or virtual storage). Shared by the ``.weights.h5`` reader and the legacy ``.h5`` reader."""
    h5py = _h5py()
    link = parent.get(name, getlink=True)
    if not isinstance(link, h5py.HardLink):
        raise fail(f"'{where}' is a {type(link).__name__}: weights files never hold links, refused "
                   "(a link could point outside the file)")
    found = parent[name]
    if not isinstance(found, kind):
        raise fail(f"'{where}' should be a {kind.__name__.lower()}, it is a {type(found).__name__}")
    if kind is h5py.Dataset and (found.external or found.is_virtual):
        raise fail(f"'{where}' keeps its data outside the file (external or virtual dataset): refused")
    return found

class Reader:
    """An open weights file; ``read(path, expected)`` gives one object's checked arrays."""

    def __init__(self, source: Any, filename: str, what: str = "weights"):
        h5py = _h5py()
        self.filename, self.what = filename, what
        try:
            self.file = h5py.File(source, "r")
        except (OSError, ValueError) as e:
            raise SavedModelError(f"'{filename}': its {what} are not a readable HDF5 file (truncated or corrupted?): "
                                  f"{e}") from None

    def close(self) -> None:
        self.file.close()

    def _fail(self, message: str) -> SavedModelError:
        return SavedModelError(f"'{self.filename}': {message}")

    def group(self, path: str):
        """The ``<path>/vars`` group, or None if there is none. Links of any kind but hard ones are refused."""
        h5py = _h5py()
        current = self.file
        for part in [p for p in path.split("/") if p] + ["vars"]:
            try:
                if part not in current:
                    return None
            except (KeyError, OSError, ValueError, RuntimeError) as e:
                raise self._fail(f"cannot read group '{path}' ({e})") from None
            try:
                current = stored_in_file(current, part, h5py.Group, f"{path}/{part}", self._fail)
            except (KeyError, OSError, ValueError, RuntimeError) as e:
                raise self._fail(f"cannot read group '{path}/{part}' ({e})") from None
        return current

    def keys(self, path: str) -> list[str] | None:
        group = self.group(path)
        return None if group is None else list(group.keys())

    def read(self, path: str, expected: dict[str, tuple[tuple, np.dtype]], owner: str) -> dict[str, np.ndarray]:
        """The arrays of ``path/vars``: exactly the keys of ``expected``, each of its shape (checked first)."""
        h5py = _h5py()
        where = f"{path}/vars" if path else "vars"
        group = self.group(path)
        if group is None:
            if not expected:
                return {}
            raise self._fail(f"has no weights for {owner} (no group '{where}'); it expects {len(expected)} arrays: "
                             "the file was saved from a different model")
        found = sorted(group.keys())
        if sorted(expected) != found:
            raise self._fail(f"{owner} expects {len(expected)} arrays ({sorted(expected)}) in '{where}', the file has "
                             f"{len(found)} ({found[:10]}): the file was saved from a different model")
        checked = {}
        for key, (shape, dtype) in expected.items():
            dataset = stored_in_file(group, key, h5py.Dataset, f"{where}/{key}", self._fail)
            if dataset.dtype.kind not in "biuf":
                raise self._fail(f"'{where}/{key}' holds {dataset.dtype} values, not numbers")
            if len(dataset.shape) != len(shape) or any(e is not None and d != e for d, e in zip(dataset.shape, shape)):
                raise self._fail(f"{owner}: array '{where}/{key}' has shape {tuple(dataset.shape)} in the file, the "
                                 f"model's variable has shape {tuple(shape)}")
            if None in shape and int(np.prod(dataset.shape, dtype=np.int64)) > _MAX_OPEN_SIZE:
                raise self._fail(f"{owner}: array '{where}/{key}' declares shape {tuple(dataset.shape)}, more than "
                                 f"{_MAX_OPEN_SIZE} values: refused before reading")
            checked[key] = dataset
        arrays = {}
        for key, dataset in checked.items():
            dtype = expected[key][1]
            out = np.empty(dataset.shape, dtype=dataset.dtype)
            try:
                if out.size:
                    dataset.read_direct(out)
            except (OSError, ValueError, RuntimeError, TypeError) as e:
                raise self._fail(f"array '{where}/{key}' cannot be read (corrupted?): {e}") from None
            arrays[key] = out.astype(dtype, copy=False)
        return arrays
