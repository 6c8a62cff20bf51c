"""minitf's model file: one zip archive of JSON and NumPy arrays, written atomically.

A ``model.save("m.keras")`` file holds::

    metadata.json        {"format": "minitf.keras", "format_version": 1, ..., "weights": [manifest]}
    config.json          the model's class and config (layers, their configs), compile config, format version
    model.weights.npz    the weights, in model.weights order ("0000", "0001", ...)
    optimizer.npz        the optimizer's state, in optimizer.variables order (when built)

A ``save_weights`` file is the same archive without ``config.json`` and ``optimizer.npz``.

Safety: the arrays are read with ``np.load(allow_pickle=False)`` and the configs are plain
JSON; classes are found by *name* among minitf's layers, ``custom_objects`` and the
``register_keras_serializable`` registry. Nothing in a file is ever executed.

Atomicity: a save writes a temporary file in the destination's directory, flushes and fsyncs
it, then ``os.replace``-s it over the destination. A crash (or an exception) mid-save leaves
the previous file untouched and no temporary file behind.

Errors: a missing, truncated, corrupted, foreign (any other zip, a text file, Keras's own
HDF5/.keras files) or newer-format file raises ``SavedModelError`` (a ValueError) naming the
file and what is wrong. Loading weights into an existing model checks every array first and
only then assigns: a failed load leaves the model as it was.
"""
from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import warnings
import zipfile
import zlib
from typing import Any

import numpy as np

from minitf.keras.saving.serialization import deserialize_keras_object, serialize_keras_object

FORMAT = "minitf.keras"
FORMAT_VERSION = 1
_METADATA, _CONFIG, _WEIGHTS, _OPTIMIZER = "metadata.json", "config.json", "model.weights.npz", "optimizer.npz"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class SavedModelError(ValueError):
    """A model or weights file that cannot be read: says which file and why."""


# ---------------------------------------------------------------------------- writing
def _arrays_to_npz(arrays: list[np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{f"{i:04d}": np.asarray(a, order="C") for i, a in enumerate(arrays)})
    return buffer.getvalue()


def _manifest(variables: list, names: list[str]) -> list[dict]:
    return [{"path": name, "shape": list(v.shape), "dtype": np.dtype(v._value.dtype).name}
            for v, name in zip(variables, names)]


def _write_entries(archive: zipfile.ZipFile, entries: list[tuple[str, bytes]]) -> None:
    for name, data in entries:
        archive.writestr(name, data)


def atomic_write_zip(filepath: str, entries: list[tuple[str, bytes]]) -> None:
    """Write ``entries`` as a zip at ``filepath``: to a temp file, fsync, then rename over it."""
    directory = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".partial", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                _write_entries(archive, entries)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (best effort: not every platform allows this)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _metadata(model, with_optimizer: bool) -> dict:
    import minitf
    weights = model.weights
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "minitf_version": minitf.__version__,
            "keras_version": "3.15.1", "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "weights": _manifest(weights, [getattr(v, "path", v.name) for v in weights])}
    if with_optimizer:
        opt_vars = model.optimizer.variables
        meta["optimizer"] = _manifest(opt_vars, [v.name for v in opt_vars])
    return meta


def _check_overwrite(filepath: str, overwrite: bool) -> None:
    if os.path.isdir(filepath):
        raise SavedModelError(f"Cannot save to '{filepath}': it is a directory")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"'{filepath}' already exists and overwrite=False")


def save_model(model, filepath: str, overwrite: bool = True, zipped: bool | None = None, **kwargs) -> None:
    """Save architecture, weights, compile config and optimizer state to ``filepath`` (``.keras``)."""
    filepath = os.fspath(filepath)
    if kwargs:
        raise ValueError(f"save_model: arguments not recognized: {sorted(kwargs)}")
    if not filepath.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add a `.keras` extension for the native "
                         "Keras format (minitf writes no `.h5` files and no SavedModel directories). "
                         f"Received: filepath={filepath}")
    _check_overwrite(filepath, overwrite)
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built yet (it has no weights): call it on data or build it "
                         "before saving")
    config = serialize_keras_object(model)
    config["format"], config["format_version"] = FORMAT, FORMAT_VERSION
    config["compile_config"] = model.get_compile_config() if getattr(model, "compiled", False) else None
    config["build_config"] = model.get_build_config()
    optimizer = getattr(model, "optimizer", None)
    with_optimizer = bool(getattr(model, "compiled", False) and optimizer is not None and optimizer.built)
    meta = _metadata(model, with_optimizer)
    entries = [(_METADATA, json.dumps(meta, indent=1).encode()),
               (_CONFIG, json.dumps(config, indent=1, default=_json_default).encode()),
               (_WEIGHTS, _arrays_to_npz(model.get_weights()))]
    if with_optimizer:
        entries.append((_OPTIMIZER, _arrays_to_npz(optimizer.get_state())))
    atomic_write_zip(filepath, entries)


def save_weights(model, filepath: str, overwrite: bool = True) -> None:
    """Save ``model.weights`` only, to a ``.weights.h5`` or ``.weights.npz`` file (minitf's zip format)."""
    filepath = os.fspath(filepath)
    if not (filepath.endswith(".weights.h5") or filepath.endswith(".weights.npz")):
        raise ValueError("The filename must end in `.weights.h5` (or `.weights.npz`). "
                         f"Received: filepath={filepath}")
    _check_overwrite(filepath, overwrite)
    meta = _metadata(model, with_optimizer=False)
    atomic_write_zip(filepath, [(_METADATA, json.dumps(meta, indent=1).encode()),
                                (_WEIGHTS, _arrays_to_npz(model.get_weights()))])


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{value!r} (of type {type(value).__name__}) cannot be written to a model config")


# ---------------------------------------------------------------------------- reading
class _Archive:
    """A validated minitf archive: its metadata, and readers for its entries."""

    def __init__(self, filepath: str):
        self.filepath = filepath = os.fspath(filepath)
        if not os.path.exists(filepath):
            raise SavedModelError(f"File not found: filepath={filepath}. Please ensure the file is an accessible "
                                  "`.keras` zip file.")
        if os.path.isdir(filepath):
            raise SavedModelError(f"'{filepath}' is a directory (a TF SavedModel?), not a minitf model file")
        with open(filepath, "rb") as f:
            head = f.read(8)
        if head.startswith(_HDF5_SIGNATURE):
            raise SavedModelError(f"'{filepath}' is an HDF5 file (Keras's .h5 / .weights.h5 format); minitf reads "
                                  "only the zip files it writes itself (model.save / save_weights in minitf)")
        if not zipfile.is_zipfile(filepath):
            what = "an empty file" if not head else "not a zip archive"
            raise SavedModelError(f"'{filepath}' is not a minitf model file: it is {what} (a truncated or corrupted "
                                  "file, or a file of another format)")
        try:
            self.zip = zipfile.ZipFile(filepath, "r")
        except (zipfile.BadZipFile, OSError) as e:
            raise SavedModelError(f"'{filepath}' is corrupted or truncated: cannot open it as a zip archive ({e})") \
                from None
        names = set(self.zip.namelist())
        if _METADATA not in names:
            raise SavedModelError(f"'{filepath}' is not a minitf model file: it has no {_METADATA} "
                                  f"(entries: {sorted(names)[:8]})")
        meta = self._json(_METADATA)
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            origin = "Keras itself (a TensorFlow-Keras .keras file)" if "keras_version" in (meta or {}) and \
                "format" not in (meta or {}) else "another program"
            raise SavedModelError(f"'{filepath}' is not a minitf model file: it was written by {origin}; minitf "
                                  "reads only the files minitf writes")
        version = meta.get("format_version")
        if not isinstance(version, int) or version < 1:
            raise SavedModelError(f"'{filepath}' has an invalid format_version {version!r} in {_METADATA}")
        if version > FORMAT_VERSION:
            raise SavedModelError(f"'{filepath}' was written by a newer minitf (file format version {version}; this "
                                  f"minitf reads up to version {FORMAT_VERSION}): upgrade minitf to load it")
        if _WEIGHTS not in names:
            raise SavedModelError(f"'{filepath}' is incomplete: it has no {_WEIGHTS}")
        self.meta = meta
        self.names = names

    def _read(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, RuntimeError) as e:
            raise SavedModelError(f"'{self.filepath}' is corrupted: entry {name} cannot be read ({e})") from None

    def _json(self, name: str) -> Any:
        try:
            return json.loads(self._read(name).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise SavedModelError(f"'{self.filepath}' is corrupted: {name} is not valid JSON ({e})") from None

    def config(self) -> dict:
        if _CONFIG not in self.names:
            raise SavedModelError(f"'{self.filepath}' holds weights only (no {_CONFIG}): create the model in code and "
                                  "use model.load_weights() instead of load_model()")
        return self._json(_CONFIG)

    def arrays(self, name: str, manifest_key: str) -> list[np.ndarray]:
        try:
            with np.load(io.BytesIO(self._read(name)), allow_pickle=False) as npz:
                keys = sorted(npz.files)
                arrays = [npz[k] for k in keys]
        except SavedModelError:
            raise
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
            raise SavedModelError(f"'{self.filepath}' is corrupted: {name} cannot be read as NumPy arrays ({e})") \
                from None
        if keys != [f"{i:04d}" for i in range(len(keys))]:
            raise SavedModelError(f"'{self.filepath}' is corrupted: unexpected array names in {name}")
        manifest = self.meta.get(manifest_key)
        if manifest is not None:
            if len(manifest) != len(arrays) or any(list(a.shape) != m["shape"] for a, m in zip(arrays, manifest)):
                raise SavedModelError(f"'{self.filepath}' is corrupted: {name} does not match its manifest in "
                                      f"{_METADATA}")
        return arrays

    def close(self) -> None:
        self.zip.close()


def _check_and_assign(model, arrays: list[np.ndarray], filepath: str, skip_mismatch: bool = False) -> None:
    """Assign ``arrays`` to ``model.weights`` after checking all of them (nothing changes on error)."""
    weights = model.weights
    if not weights and arrays:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it (call it on data, or model.build(shape)) "
                         f"before loading weights from '{filepath}'")
    if len(weights) != len(arrays):
        raise ValueError(f"Cannot load weights from '{filepath}' into model '{model.name}': the file has "
                         f"{len(arrays)} arrays, the model has {len(weights)} weights")
    pairs = []
    for v, a in zip(weights, arrays):
        if tuple(v.shape) != tuple(a.shape):
            if skip_mismatch:
                warnings.warn(f"Skipping loading weight '{getattr(v, 'path', v.name)}': the file has shape "
                              f"{a.shape}, the model {tuple(v.shape)}", stacklevel=3)
                continue
            raise ValueError(f"Cannot load weights from '{filepath}' into model '{model.name}': weight "
                             f"'{getattr(v, 'path', v.name)}' has shape {tuple(v.shape)}, the file's array has shape "
                             f"{a.shape}")
        pairs.append((v, a))
    for v, a in pairs:
        v.assign(a)


def load_weights(model, filepath: str, skip_mismatch: bool = False) -> None:
    """Load the weights of a ``save_weights`` or ``model.save`` file into ``model``."""
    archive = _Archive(filepath)
    try:
        arrays = archive.arrays(_WEIGHTS, "weights")
    finally:
        archive.close()
    _check_and_assign(model, arrays, os.fspath(filepath), skip_mismatch)


def _module_objects() -> dict:
    from minitf.keras import layers
    from minitf.keras.engine.functional import Functional
    from minitf.keras.engine.model import Model
    from minitf.keras.engine.sequential import Sequential
    objects = {k: v for k, v in vars(layers).items() if isinstance(v, type)}
    objects.update({"Sequential": Sequential, "Functional": Functional, "Model": Model})
    return objects


def model_from_config(config: dict, custom_objects: dict | None = None):
    """The (unbuilt-weights) model a serialized config describes."""
    return deserialize_keras_object(config, _module_objects(), custom_objects, what="model")


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """The model described by ``model.to_json()`` (architecture only, fresh weights)."""
    return model_from_config(json.loads(json_string), custom_objects)


def load_model(filepath: str, custom_objects: dict | None = None, compile: bool = True,  # noqa: A002
               safe_mode: bool = True):
    """The model saved in ``filepath``: architecture, weights, and (``compile=True``) compile state.

    The optimizer's state is restored too, so training resumes exactly where it stopped.
    """
    filepath = os.fspath(filepath)
    archive = _Archive(filepath)
    try:
        config = archive.config()
        weights = archive.arrays(_WEIGHTS, "weights")
        opt_state = archive.arrays(_OPTIMIZER, "optimizer") if _OPTIMIZER in archive.names else None
    finally:
        archive.close()
    if not isinstance(config, dict) or "class_name" not in config:
        raise SavedModelError(f"'{filepath}' is corrupted: {_CONFIG} does not describe a model")
    try:
        model = model_from_config(config, custom_objects)
    except (TypeError, ValueError) as e:
        raise type(e)(f"Cannot rebuild the model saved in '{filepath}': {e}") from e
    if not model.built and config.get("build_config"):
        model.build_from_config(config["build_config"])
    _check_and_assign(model, weights, filepath)
    if compile and config.get("compile_config"):
        model.compile_from_config(config["compile_config"], custom_objects)
        if opt_state is not None:
            model.optimizer.build(model.trainable_variables)
            try:
                model.optimizer.set_state(opt_state)
            except ValueError as e:
                warnings.warn(f"The optimizer state saved in '{filepath}' does not fit the rebuilt optimizer and was "
                              f"not restored: {e}", stacklevel=2)
    return model
