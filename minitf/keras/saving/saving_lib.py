"""Keras 3's own files, written and read by minitf: ``.keras`` archives and ``.weights.h5`` files.

A ``model.save("m.keras")`` file is what Keras 3 writes (``keras/src/saving/saving_lib.py``), a zip
of entries stored uncompressed::

    metadata.json       {"keras_version": "3.15.1", "date_saved": ..., "minitf_version": ..., ...}
    config.json         serialize_keras_object(model): the architecture, each layer's build_config,
                        the model's compile_config (see serialization.py)
    model.weights.h5    every variable, in Keras's HDF5 layout: layers/<name>/vars/0 ...,
                        optimizer/vars/0 ... (see saveables.py and h5_store.py)
    assets/...          a learned vocabulary (TextVectorization, StringLookup), as vocabulary.txt

so ``keras.models.load_model`` in TensorFlow loads it, and minitf loads what Keras writes. A
``save_weights("w.weights.h5")`` file is that HDF5 file alone. Files in minitf's own first
format (a zip of JSON and ``.npz``) are still read (``legacy.py``).

Safety. Loading runs no code from the file: classes and functions are found by name
(``serialization.py``), and a stored Python lambda is refused unless ``safe_mode=False``. Every
size is checked before anything is read: the JSON entries against fixed limits (and their
nesting depth), the weights entry against what the rebuilt model's variables need, and each
HDF5 dataset against its variable's shape. Any bad file gives one ``SavedModelError`` (a
ValueError) naming the file and the problem; loading weights changes nothing unless all of them
can be read.

Saving is atomic (``file_io.py``): a crash leaves the old file or the new one, never half of one.
"""
from __future__ import annotations

import datetime
import io
import json
import os
import re
import warnings
import zipfile
import zlib
from typing import Any

import numpy as np

from minitf.keras.saving import h5_store, legacy, saveables
from minitf.keras.saving.file_io import atomic_write
from minitf.keras.saving.h5_store import SavedModelError
from minitf.keras.saving.serialization import (MAX_DEPTH, deserialize_keras_object, object_sharing_scope,
                                               safe_mode_scope, serialize_keras_object)

KERAS_VERSION = "3.15.1"  # the Keras whose format minitf writes
_CONFIG, _METADATA, _WEIGHTS, _ASSETS = "config.json", "metadata.json", "model.weights.h5", "assets"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_MAX_CONFIG_BYTES = 64 << 20      # a config of thousands of layers is a few MB
_MAX_METADATA_BYTES = 1 << 20
_MAX_ASSET_BYTES = 64 << 20       # a vocabulary file
_MAX_DEPTH = MAX_DEPTH


# =============================================================================================== saving
def _check_target(filepath: str, overwrite: bool) -> None:
    if os.path.isdir(filepath):
        raise SavedModelError(f"Cannot save to '{filepath}': it is a directory")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"'{filepath}' already exists and overwrite=False")


def _metadata(model, objects: list) -> dict:
    import minitf
    meta = {"keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "minitf_version": minitf.__version__}
    optimizer = getattr(model, "optimizer", None)
    if any(obj is optimizer for _, obj in objects) and optimizer is not None:
        # Keras's metadata lists nothing; minitf's lets a loader tell a file that lost its optimizer state.
        meta["optimizer_variables"] = len(optimizer.variables)
    return meta


def save_model(model, filepath, overwrite: bool = True, zipped: bool | None = None, **kwargs) -> None:
    """Write ``model`` (architecture, weights, compile settings, optimizer state) to a ``.keras`` file."""
    filepath = os.fsdecode(filepath)  # str, bytes or os.PathLike, as open() takes
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", False)
    if save_format and not filepath.endswith((".h5", ".hdf5", ".keras")):
        raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove this argument and pass a "
                         f"file path with either `.keras` or `.h5` extension.Received: save_format={save_format}")
    if kwargs:
        raise ValueError(f"save_model: arguments not recognized: {sorted(kwargs)}")
    if filepath.endswith((".h5", ".hdf5")) and zipped is not False:
        # Keras 3 still writes Keras 2's whole-model HDF5 file for these names (it warns that it is legacy)
        from minitf.keras.saving import legacy_h5
        legacy_h5.save_model_to_hdf5(model, filepath, overwrite, include_optimizer)
        return
    if zipped is False:
        raise ValueError("save_model: zipped=False (a directory of files) is not supported by minitf; save to a "
                         "`.keras` file")
    if not filepath.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add either a `.keras` extension for the "
                         "native Keras format (recommended) or a `.h5` extension. Use `model.export(filepath)` if "
                         f"you want to export a SavedModel. Received: filepath={filepath}.")
    _check_target(filepath, overwrite)
    from minitf.keras.engine.model import Model
    if isinstance(model, Model) and not model.built:
        # Keras saves it (a config and no weights) with this warning; loading gives the unbuilt model back.
        warnings.warn("You are saving a model that has not yet been built. It might not contain any weights yet. "
                      "Consider building the model first by calling it on some data.", UserWarning, stacklevel=3)
    config = json.dumps(serialize_keras_object(model))
    objects = list(saveables.walk(model))
    weights = h5_store.write(model, objects)
    entries = [(_METADATA, json.dumps(_metadata(model, objects)).encode()), (_CONFIG, config.encode()),
               (_WEIGHTS, weights)]
    for path, obj in objects:
        for name, data in saveables.assets(obj).items():
            entries.append(("/".join(p for p in (_ASSETS, path, name) if p), data))

    def write(f):
        # Keras stores its entries uncompressed: the weights are read straight from the archive.
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
            _write_entries(archive, entries)

    atomic_write(filepath, write=write)


def _write_entries(archive: zipfile.ZipFile, entries: list[tuple[str, bytes]]) -> None:
    for name, data in entries:
        archive.writestr(name, data)


def save_weights(model, filepath, overwrite: bool = True, max_shard_size=None) -> None:
    """Write every variable of ``model`` (and of its optimizer, if built) to a ``.weights.h5`` file."""
    filepath = os.fsdecode(filepath)  # str, bytes or os.PathLike, as open() takes
    if max_shard_size is not None:
        raise ValueError("save_weights: sharded weights (max_shard_size) are not supported by minitf")
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={filepath}")
    _check_target(filepath, overwrite)
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the model first by "
                         "calling it on some data or by using `build()`.")
    atomic_write(filepath, h5_store.write(model))


# ============================================================================================== reading
class _Archive:
    """An opened ``.keras`` zip: bounded, checked reads of its entries."""

    def __init__(self, filepath: str):
        self.filepath = filepath
        _check_readable(filepath)
        with open(filepath, "rb") as f:
            head = f.read(8)
        if head.startswith(_HDF5_SIGNATURE):
            raise SavedModelError(f"'{filepath}' is an HDF5 file, not a `.keras` archive: a `.weights.h5` file "
                                  "(load it with model.load_weights) or a legacy `.h5` model (give it a `.h5` name "
                                  "to load it with load_model)")
        if not zipfile.is_zipfile(filepath):
            what = "an empty file" if not head else "not a zip archive"
            raise SavedModelError(f"'{filepath}' is not a Keras model file: it is {what} (a truncated or corrupted "
                                  "file, or a file of another format)")
        try:
            self.zip = zipfile.ZipFile(filepath, "r")
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise SavedModelError(f"'{filepath}' is corrupted or truncated: cannot open it as a zip archive ({e})") \
                from None
        self.names = set(self.zip.namelist())

    def read(self, name: str, limit: int, why: str = "") -> bytes:
        """Entry ``name``, refused before inflating if it declares more than ``limit`` bytes."""
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            raise SavedModelError(f"'{self.filepath}' is incomplete: it has no {name}") from None
        if info.file_size > limit:
            raise SavedModelError(f"'{self.filepath}': entry {name} declares {info.file_size} bytes uncompressed, "
                                  f"more than the {limit} {why or 'such an entry can need'}: refused before "
                                  "reading it (a decompression bomb?)")
        try:
            with self.zip.open(info) as f:
                data = f.read(limit + 1)  # zipfile stops at the declared size and checks the CRC
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, RuntimeError) as e:
            raise SavedModelError(f"'{self.filepath}' is corrupted: entry {name} cannot be read ({e})") from None
        if len(data) > limit:
            raise SavedModelError(f"'{self.filepath}': entry {name} is larger than declared: refused")
        return data

    def json(self, name: str, limit: int) -> Any:
        return parse_json(self.read(name, limit), f"'{self.filepath}': {name}")

    def close(self) -> None:
        self.zip.close()


def _check_readable(filepath: str) -> None:
    if not os.path.exists(filepath):
        raise SavedModelError(f"File not found: filepath={filepath}. Please ensure the file is an accessible "
                              "`.keras` zip file.")
    if os.path.isdir(filepath):
        raise SavedModelError(f"'{filepath}' is a directory (a TF SavedModel? load it with tf.saved_model.load), "
                              "not a `.keras` file")


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def parse_json(raw: bytes, what: str) -> Any:
    """JSON, after checking it is UTF-8 and nested at most ``MAX_DEPTH`` deep (so parsing cannot recurse away)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SavedModelError(f"{what} is not valid JSON (not UTF-8: {e})") from None
    structure = np.frombuffer(_STRING.sub(b'""', raw), dtype=np.uint8)
    steps = (np.isin(structure, (ord("["), ord("{"))).astype(np.int32)
             - np.isin(structure, (ord("]"), ord("}"))).astype(np.int32))
    depth = int(np.cumsum(steps).max()) if steps.size else 0
    if depth > _MAX_DEPTH:
        raise SavedModelError(f"{what} is nested {depth} levels deep (the limit is {_MAX_DEPTH}): not a config "
                              "Keras or minitf writes, refused")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, RecursionError, ValueError) as e:
        raise SavedModelError(f"{what} is not valid JSON ({e})") from None


def _variable_bytes(objects: list) -> int:
    total = 0
    for _, obj in objects:
        for shape, dtype in saveables.expected_state(obj).values():
            total += int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    return total


def _weights_bound(objects: list) -> int:
    """The most bytes a genuine HDF5 weights file for these objects takes: its data plus HDF5's own
    records (a few KB per group and dataset), with a wide margin."""
    datasets = sum(len(saveables.expected_state(obj)) for _, obj in objects)
    return 2 * _variable_bytes(objects) + (64 << 10) * (len(objects) + datasets) + (4 << 20)


def _prepare_optimizer(model) -> Any:
    """The model's optimizer, built on its variables as Keras's ``compile_from_config`` builds it."""
    optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    if optimizer is not None and not optimizer.built and model.trainable_variables:
        optimizer.build(model.trainable_variables)
    return optimizer


def _read_state(model, reader: h5_store.Reader, objects: list, optimizer: Any, filepath: str, meta: dict,
                skip_mismatch: bool = False) -> list:
    """Read (and check) every object's arrays; returns the assignments to make once all are read."""
    assignments = []
    for path, obj in objects:
        if obj is optimizer:
            continue
        owner = f"layer '{obj.name}' ({type(obj).__name__})" if hasattr(obj, "name") else type(obj).__name__
        try:
            arrays = reader.read(path, saveables.expected_state(obj), owner)
        except SavedModelError as e:
            if not skip_mismatch:
                raise
            warnings.warn(f"Skipping loading weights for {owner}: {e}", stacklevel=3)
            continue
        if arrays:
            assignments.append((obj, arrays))
    if optimizer is not None:
        path = next(p for p, o in objects if o is optimizer)
        found = _read_optimizer(optimizer, reader, path, filepath, meta)
        if found is not None:
            assignments.append(found)
    return assignments


def _read_optimizer(optimizer, reader: h5_store.Reader, path: str, filepath: str, meta: dict):
    expected = saveables.expected_state(optimizer)
    keys = reader.keys(path)
    declared = meta.get("optimizer_variables")
    name = f"{type(optimizer).__name__} optimizer '{optimizer.name}'"
    if keys is None:
        listed = f" although its metadata.json lists {declared} optimizer variables" if declared else ""
        warnings.warn(f"'{filepath}' holds no optimizer state (no group '{path}/vars'){listed}: the {name} starts "
                      f"afresh (iterations=0, no moments), so training does not resume where it stopped. Missing: "
                      f"{path}/vars/0..{len(expected) - 1}", stacklevel=4)
        return None
    if len(keys) == len(expected):
        return optimizer, reader.read(path, expected, name)
    # An optimizer saved before its first step holds only iterations (and its learning rate): restoring
    # those and leaving the slots at zero is exactly the state it had.
    head = {str(i): expected[str(i)] for i in range(1 + isinstance(getattr(optimizer, "_learning_rate", None),
                                                                   _variable_type()))}
    if sorted(keys) == sorted(head):
        return optimizer, reader.read(path, head, name)
    missing = sorted(set(expected) - set(keys), key=int)
    warnings.warn(f"'{filepath}': its optimizer state has {len(keys)} variables, the rebuilt {name} has "
                  f"{len(expected)} (iterations, learning rate, slots){'' if not missing else f'; missing: {path}/vars/' + ','.join(missing[:8])}"
                  f"{'...' if len(missing) > 8 else ''}: not restored, the optimizer starts afresh", stacklevel=4)
    return None


def _variable_type():
    from minitf.tensor import Variable
    return Variable


def _assign(assignments: list) -> None:
    for obj, arrays in assignments:
        saveables.set_own_state(obj, arrays)


def _read_assets(archive: _Archive, objects: list) -> list:
    found = []
    for path, obj in objects:
        files = {}
        for name in saveables.asset_names(obj):
            entry = "/".join(p for p in (_ASSETS, path, name) if p)
            files[name] = archive.read(entry, _MAX_ASSET_BYTES, "an asset file may take")
        if files:
            found.append((obj, files))
    return found


def model_from_config(config: dict, custom_objects: dict | None = None, safe_mode: bool = True):
    """The (fresh-weights) model a serialized config describes."""
    with object_sharing_scope(), safe_mode_scope(safe_mode):
        return deserialize_keras_object(config, custom_objects, what="model")


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """The model described by ``model.to_json()`` (architecture only, fresh weights)."""
    raw = json_string.encode("utf-8") if isinstance(json_string, str) else json_string
    return model_from_config(parse_json(raw, "the model's JSON"), custom_objects)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True,  # noqa: A002
               safe_mode: bool = True):
    """The model saved in ``filepath`` (a ``.keras`` file written by Keras or minitf).

    ``compile=True`` also restores the compile settings and the optimizer's state, so training
    resumes exactly where it stopped. ``safe_mode=False`` allows stored Python lambdas to run.
    """
    filepath = os.fsdecode(filepath)  # str, bytes or os.PathLike, as open() takes
    if filepath.endswith((".h5", ".hdf5")) and os.path.isfile(filepath):
        from minitf.keras.saving import legacy_h5
        return legacy_h5.load_model_from_hdf5(filepath, custom_objects, compile, safe_mode)
    archive = _Archive(filepath)
    try:
        meta = archive.json(_METADATA, _MAX_METADATA_BYTES) if _METADATA in archive.names else {}
        if not isinstance(meta, dict):
            raise SavedModelError(f"'{filepath}' is corrupted: {_METADATA} is not a JSON object")
        if legacy.is_legacy(meta):
            legacy.check_version(meta, filepath)
        elif _METADATA not in archive.names or _CONFIG not in archive.names:
            raise SavedModelError(f"'{filepath}' is not a Keras model file: it has no "
                                  f"{_METADATA if _METADATA not in archive.names else _CONFIG} "
                                  f"(entries: {sorted(archive.names)[:8]})")
        if _CONFIG not in archive.names:
            raise SavedModelError(f"'{filepath}' holds weights only (no {_CONFIG}): create the model in code and "
                                  "use model.load_weights() instead of load_model()")
        config = archive.json(_CONFIG, _MAX_CONFIG_BYTES)
        if not isinstance(config, dict) or "class_name" not in config:
            raise SavedModelError(f"'{filepath}' is corrupted: {_CONFIG} does not describe a model")
        if not compile:
            config["compile_config"] = None
        try:
            model = model_from_config(config, custom_objects, safe_mode)
        except MemoryError:
            raise SavedModelError(f"'{filepath}': {_CONFIG} describes a model too large to build in memory") \
                from None
        except RecursionError:
            raise SavedModelError(f"'{filepath}': {_CONFIG} nests too deeply to rebuild") from None
        except (TypeError, ValueError, KeyError, NotImplementedError) as e:
            if isinstance(e, SavedModelError):
                raise
            raise type(e)(f"Cannot rebuild the model saved in '{filepath}': {e}") from e
        if legacy.is_legacy(meta):
            with_optimizer = compile and getattr(model, "compiled", False)
            legacy.load_into(model, archive.zip, filepath, meta,
                             lambda name, limit: archive.read(name, limit, "the model's weights need"),
                             with_optimizer)
            return model
        if _WEIGHTS not in archive.names:
            extra = " (Keras's npz weights format, which minitf does not read)" \
                if "model.weights.npz" in archive.names else ""
            raise SavedModelError(f"'{filepath}' is incomplete: it has no {_WEIGHTS}{extra}")
        optimizer = _prepare_optimizer(model) if compile else None
        objects = [(p, o) for p, o in saveables.walk(model) if compile or o is not getattr(model, "optimizer", 0)]
        data = archive.read(_WEIGHTS, _weights_bound(objects), "this model's weights can take")
        reader = h5_store.Reader(io.BytesIO(data), filepath)
        try:
            assignments = _read_state(model, reader, objects, optimizer, filepath, meta)
        finally:
            reader.close()
        asset_files = _read_assets(archive, objects)
    finally:
        archive.close()
    _assign(assignments)
    for obj, files in asset_files:
        saveables.set_assets(obj, files)
    return model


def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Load the weights of a ``.weights.h5`` (or ``.keras``) file into ``model``, all or nothing."""
    filepath = os.fsdecode(filepath)  # str, bytes or os.PathLike, as open() takes
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it (call it on data, or model.build(shape)) "
                         f"before loading weights from '{filepath}'")
    _check_readable(filepath)
    with open(filepath, "rb") as f:
        head = f.read(8)
    if not head.startswith(_HDF5_SIGNATURE):
        _load_weights_from_archive(model, filepath, skip_mismatch)
        return
    if filepath.endswith((".h5", ".hdf5")) and not filepath.endswith(".weights.h5"):
        from minitf.keras.saving import legacy_h5  # Keras 2's layout: by layer, in order
        legacy_h5.load_weights_from_hdf5(model, filepath, skip_mismatch)
        return
    optimizer = _prepare_optimizer(model)
    objects = list(saveables.walk(model))
    reader = h5_store.Reader(filepath, filepath)
    try:
        if reader.group("") is None and "model_weights" in reader.file:
            raise SavedModelError(f"'{filepath}' is a legacy Keras 2 `.h5` file (TF 2.15 or older), which minitf "
                                  "does not read: re-save it with Keras 3 (`model.save_weights('x.weights.h5')`)")
        if optimizer is not None and reader.keys(next(p for p, o in objects if o is optimizer)) is None:
            objects = [(p, o) for p, o in objects if o is not optimizer]  # a weights file without optimizer state
            optimizer = None
        assignments = _read_state(model, reader, objects, optimizer, filepath, {}, skip_mismatch)
    finally:
        reader.close()
    _assign(assignments)


def _load_weights_from_archive(model, filepath: str, skip_mismatch: bool) -> None:
    archive = _Archive(filepath)
    try:
        meta = archive.json(_METADATA, _MAX_METADATA_BYTES) if _METADATA in archive.names else {}
        if legacy.is_legacy(meta):
            legacy.check_version(meta, filepath)
            if len(meta.get("weights", [])) != len(model.weights):
                raise ValueError(f"Cannot load weights from '{filepath}' into model '{model.name}': the file has "
                                 f"{len(meta.get('weights', []))} arrays, the model has {len(model.weights)} weights")
            legacy.load_into(model, archive.zip, filepath, meta,
                             lambda name, limit: archive.read(name, limit, "the model's weights need"), False)
            return
        if _WEIGHTS not in archive.names:
            raise SavedModelError(f"'{filepath}' is not a Keras weights file: it has no {_WEIGHTS}")
        optimizer = _prepare_optimizer(model)
        objects = list(saveables.walk(model))
        data = archive.read(_WEIGHTS, _weights_bound(objects), "this model's weights can take")
    finally:
        archive.close()
    reader = h5_store.Reader(io.BytesIO(data), filepath)
    try:
        if optimizer is not None and reader.keys(next(p for p, o in objects if o is optimizer)) is None:
            objects = [(p, o) for p, o in objects if o is not optimizer]
            optimizer = None
        assignments = _read_state(model, reader, objects, optimizer, filepath, meta, skip_mismatch)
    finally:
        reader.close()
    _assign(assignments)
