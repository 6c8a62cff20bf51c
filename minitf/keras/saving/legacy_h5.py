"""Keras's legacy whole-model HDF5 file (``model.save("m.h5")``, ``load_model("m.h5")``), as Keras 3.15 writes it.

Keras 3 still writes and reads this Keras 2 format (``keras/src/legacy/saving/legacy_h5_format.py``);
minitf writes the same layout, so files cross both ways::

    /  attrs: keras_version, backend, model_config (JSON), training_config (JSON, if compiled)
    /model_weights            attrs: layer_names, backend, keras_version
        /<layer name>         attrs: weight_names (the variables' paths); one dataset per name
        /top_level_model_weights   (a model's own variables: usually none)
    /optimizer_weights        attrs: weight_names; one dataset per optimizer variable

``model_config`` is ``{"class_name", "config": model.get_config()}`` with each entry of the
``layers`` lists in the legacy short form (``class_name`` and ``config``, plus ``name`` and
``inbound_nodes`` in a functional model). A layer's weights are listed trainable ones first, then
the non-trainable ones (Keras's ``_legacy_weights``), and loaded by position, layer by layer.

Reading is as wary as for ``.keras`` files: the JSON attributes are bounded in size and nesting,
every dataset must be a plain numeric dataset of exactly the shape of the variable it fills
(checked before it is read), and nothing is assigned unless every weight could be read. The
training config's objects are found by name; no code stored in the file runs.
"""
from __future__ import annotations

import io
import json
import os
import warnings
from typing import Any

import numpy as np

from minitf.keras.saving.file_io import atomic_write
from minitf.keras.saving.h5_store import SavedModelError, _h5py, stored_in_file

KERAS_VERSION = "3.15.1"
_MAX_JSON_BYTES = 64 << 20
_MAX_NAMES = 1 << 20
HDF5_OBJECT_HEADER_LIMIT = 64512  # bytes: a longer attribute is split in chunks name0, name1 ... (as Keras)


# ============================================================================================== saving
def _legacy_entry(obj: Any) -> Any:
    """A serialized object in Keras 2's short form: ``{"class_name", "config"}`` (a function: its name)."""
    if isinstance(obj, dict) and "class_name" in obj and "config" in obj:
        if obj["class_name"] == "function":
            return obj["config"]
        out = {"class_name": obj["class_name"], "config": obj["config"]}
        for key in ("name", "inbound_nodes"):  # a functional model's layer entries keep their graph
            if key in obj:
                out[key] = obj[key]
        return out
    if isinstance(obj, list):
        return [_legacy_entry(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _legacy_entry(v) for k, v in obj.items()}
    return obj


def _legacy_model_config(config: dict) -> dict:
    """``layers`` entries (and those of nested models) in the legacy short form, as Keras writes them."""
    config = dict(config)
    if isinstance(config.get("layers"), list):
        layers = []
        for entry in config["layers"]:
            short = _legacy_entry(entry)
            if isinstance(short, dict) and isinstance(short.get("config"), dict) and "layers" in short["config"]:
                short["config"] = _legacy_model_config(short["config"])
            layers.append(short)
        config["layers"] = layers
    return config


def _legacy_weights(layer) -> list:
    """Keras 2's order: trainable weights, then non-trainable ones."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _own_variables(model) -> list:
    """The model's own variables (not those of its layers): Keras's top_level_model_weights."""
    return list(model._trainable_variables) + list(model._non_trainable_variables)


def _weight_names(variables: list, attr: str) -> list[str]:
    names, seen = [], set()
    for v in variables:
        name = str(getattr(v, attr, None) or v.name).split(":")[0]
        unique, i = name, 1
        while unique in seen:  # two variables of one name (unnamed ones): keep both, as distinct datasets
            unique, i = f"{name}_{i}", i + 1
        seen.add(unique)
        names.append(unique)
    return names


def _save_attribute(group, name: str, data: list[bytes]) -> None:
    """Keras's ``save_attributes_to_hdf5_group``: split a long list into chunks name0, name1 ..."""
    if not data:
        group.attrs[name] = np.asarray([])  # Keras writes an empty float64 array
        return
    array = np.asarray(data)
    chunks = 1
    parts = np.array_split(array, chunks)
    while any(p.nbytes > HDF5_OBJECT_HEADER_LIMIT for p in parts):
        chunks += 1
        parts = np.array_split(array, chunks)
    if chunks > 1:
        for i, part in enumerate(parts):
            group.attrs[f"{name}{i}"] = part
    else:
        group.attrs[name] = data


def _save_subset(group, variables: list, attr: str = "path") -> None:
    names = _weight_names(variables, attr)
    _save_attribute(group, "weight_names", [n.encode("utf8") for n in names])
    for name, v in zip(names, variables):
        group.create_dataset(name, data=np.asarray(v.numpy(), order="C"))


def save_model_to_hdf5(model, filepath: str, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Write ``model`` to a legacy ``.h5`` file (architecture, weights, compile settings, optimizer state)."""
    h5py = _h5py()
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"'{filepath}' already exists and overwrite=False")
    if os.path.isdir(filepath):
        raise SavedModelError(f"Cannot save to '{filepath}': it is a directory")
    from minitf.keras.saving.serialization import serialize_keras_object
    model_config = {"class_name": type(model).__name__, "config": _legacy_model_config(model.get_config())}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        optimizer = getattr(model, "optimizer", None)
        if include_optimizer and optimizer is not None and getattr(model, "compiled", False):
            training = dict(model.get_compile_config())
            training.pop("optimizer", None)
            training = _legacy_entry(training)
            training["optimizer_config"] = {"class_name": type(optimizer).__name__,
                                            "config": serialize_keras_object(optimizer)["config"]}
            f.attrs["training_config"] = json.dumps(training).encode("utf8")
        weights = f.create_group("model_weights")
        _save_attribute(weights, "layer_names", [layer.name.encode("utf8") for layer in model.layers])
        weights.attrs["backend"] = b"tensorflow"
        weights.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
        for layer in sorted(model.layers, key=lambda layer: layer.name):
            _save_subset(weights.create_group(layer.name), _legacy_weights(layer))
        _save_subset(weights.create_group("top_level_model_weights"), _own_variables(model))
        if include_optimizer and optimizer is not None and optimizer.variables:
            _save_subset(f.create_group("optimizer_weights"), optimizer.variables, attr="name")
    atomic_write(filepath, buffer.getvalue())


# ============================================================================================== reading
class _File:
    """An open legacy ``.h5`` model file, read warily (see the module docstring)."""

    def __init__(self, filepath: str):
        h5py = _h5py()
        self.filepath = filepath
        try:
            self.file = h5py.File(filepath, "r")
        except (OSError, ValueError) as e:
            raise SavedModelError(f"'{filepath}' is not a readable HDF5 file (truncated or corrupted?): {e}") from None

    def fail(self, message: str) -> SavedModelError:
        return SavedModelError(f"'{self.filepath}': {message}")

    def json_attr(self, name: str) -> Any:
        raw = self.file.attrs.get(name)
        if raw is None:
            return None
        if isinstance(raw, np.ndarray) or not isinstance(raw, (bytes, str)):
            raise self.fail(f"attribute {name} is not a JSON string")
        raw = raw.encode("utf8") if isinstance(raw, str) else bytes(raw)
        if len(raw) > _MAX_JSON_BYTES:
            raise self.fail(f"attribute {name} holds {len(raw)} bytes, more than a model config can need")
        from minitf.keras.saving.saving_lib import parse_json
        return parse_json(raw, f"'{self.filepath}': {name}")

    def group(self, parent, name: str):
        h5py = _h5py()
        if name not in parent:
            raise self.fail(f"it has no group '{name}' (not a Keras model file?)")
        return stored_in_file(parent, name, h5py.Group, name, self.fail)

    def names(self, group, name: str) -> list[str]:
        """Keras's ``load_attributes_from_hdf5_group``: a list attribute, maybe in chunks name0, name1 ..."""
        def decode(values) -> list[str]:
            values = np.asarray(values)
            if values.size > _MAX_NAMES:
                raise self.fail(f"attribute {name} lists {values.size} names: refused")
            if values.size == 0:
                return []
            if values.dtype.kind not in "OSU":
                raise self.fail(f"attribute {name} is not a list of names")
            return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values.ravel()]
        if name in group.attrs:
            return decode(group.attrs[name])
        out, i = [], 0
        while f"{name}{i}" in group.attrs:
            out.extend(decode(group.attrs[f"{name}{i}"]))
            i += 1
        return out

    def dataset(self, group, name: str, variable, owner: str) -> np.ndarray:
        h5py = _h5py()
        current = group
        parts = [p for p in name.split("/") if p]
        if not parts:
            raise self.fail(f"{owner}: a weight has an empty name")
        for i, part in enumerate(parts):
            if part not in current:
                raise self.fail(f"{owner}: weight '{name}' is listed but not stored")
            kind = h5py.Dataset if i == len(parts) - 1 else h5py.Group
            current = stored_in_file(current, part, kind, name, lambda message: self.fail(f"{owner}: weight {message}"))
        if current.dtype.kind not in "fiub":
            raise self.fail(f"{owner}: weight '{name}' has dtype {current.dtype}, not a number type")
        if tuple(current.shape) != tuple(variable.shape):
            raise ValueError(f"Shape mismatch in {owner} for weight {name}. Weight expects shape "
                             f"{tuple(variable.shape)}. Received saved weight with shape {tuple(current.shape)}")
        return np.asarray(current[()])

    def subset(self, group, variables: list, owner: str) -> list[np.ndarray]:
        names = self.names(group, "weight_names")
        if len(names) != len(variables):
            raise ValueError(f"Weight count mismatch for {owner}. It expects {len(variables)} weight(s); the file "
                             f"'{self.filepath}' holds {len(names)}")
        return [self.dataset(group, n, v, owner) for n, v in zip(names, variables)]

    def close(self) -> None:
        self.file.close()


def _read_model_weights(reader: _File, group, model) -> list[tuple[Any, np.ndarray]]:
    """Every (variable, array) pair of ``model``, read by layer position as Keras does; nothing assigned."""
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    saved = [name for name in reader.names(group, "layer_names")
             if reader.names(reader.group(group, name), "weight_names")]
    if len(saved) != len(layers):
        raise ValueError(f"Layer count mismatch when loading weights from file '{reader.filepath}'. Model expected "
                         f"{len(layers)} layers, found {len(saved)} saved layers.")
    pairs = []
    for k, (name, layer) in enumerate(zip(saved, layers)):
        variables = _legacy_weights(layer)
        arrays = reader.subset(reader.group(group, name), variables,
                               f"layer #{k} (named {layer.name} in the current model, {name} in the save file)")
        pairs.extend(zip(variables, arrays))
    if "top_level_model_weights" in group:
        own = _own_variables(model)
        arrays = reader.subset(reader.group(group, "top_level_model_weights"), own, "the top-level model")
        pairs.extend(zip(own, arrays))
    return pairs


def _assign(pairs: list) -> None:
    for variable, array in pairs:
        variable.assign(array.astype(np.dtype(variable.dtype.name), copy=False))


def load_model_from_hdf5(filepath: str, custom_objects: dict | None = None, compile: bool = True,  # noqa: A002
                         safe_mode: bool = True):
    """The model a legacy ``.h5`` file holds (written by Keras 3 / TF 2.16+ or by minitf)."""
    from minitf.keras.saving.saving_lib import model_from_config
    reader = _File(filepath)
    try:
        config = reader.json_attr("model_config")
        if not isinstance(config, dict) or "class_name" not in config:
            raise SavedModelError(f"No model config found in the file at {filepath}.")
        try:
            model = model_from_config(config, custom_objects, safe_mode)
        except (TypeError, ValueError, KeyError, NotImplementedError) as e:
            if isinstance(e, SavedModelError):
                raise
            raise type(e)(f"Cannot rebuild the model saved in '{filepath}': {e}") from e
        pairs = _read_model_weights(reader, reader.group(reader.file, "model_weights"), model)
        training = reader.json_attr("training_config") if compile else None
        optimizer_arrays = None
        if training is not None:
            _compile_from_training_config(model, training, custom_objects)
            if "optimizer_weights" in reader.file:
                optimizer_arrays = _read_optimizer(reader, model)
        elif compile:
            warnings.warn("No training configuration found in the save file, so the model was *not* compiled. "
                          "Compile it manually.", stacklevel=3)
    finally:
        reader.close()
    _assign(pairs)
    if optimizer_arrays is not None:
        model.optimizer.set_state(optimizer_arrays)
    return model


def _compile_from_training_config(model, training: dict, custom_objects: dict | None) -> None:
    from minitf.keras import optimizers
    from minitf.keras.saving import public_names
    from minitf.keras.saving.serialization import deserialize_keras_object
    if not isinstance(training, dict) or not isinstance(training.get("optimizer_config"), dict):
        raise SavedModelError("the training_config of the file has no optimizer_config")
    optimizer = optimizers.deserialize(training["optimizer_config"], custom_objects)
    # The short form names no module: a loss is looked up among the losses, a metric among the metrics
    # (MeanSquaredError is both), as Keras's compile_args_from_training_config does.
    tables = public_names.tables()

    def objects(value, family: str):
        if value is None or isinstance(value, str) and value in ("accuracy", "acc", "crossentropy", "ce"):
            return value
        if isinstance(value, list):
            return [objects(v, family) for v in value]
        if isinstance(value, dict) and "class_name" not in value:
            return {k: objects(v, family) for k, v in value.items()}
        return deserialize_keras_object(value, custom_objects, module_objects=tables[f"keras.{family}"],
                                        what=f"compile setting ({family})")
    model.compile(optimizer=optimizer, loss=objects(training.get("loss"), "losses"),
                  metrics=objects(training.get("metrics"), "metrics"),
                  weighted_metrics=objects(training.get("weighted_metrics"), "metrics"),
                  loss_weights=training.get("loss_weights"))


def _read_optimizer(reader: _File, model) -> list[np.ndarray] | None:
    optimizer = model.optimizer
    if not optimizer.built and model.trainable_variables:
        optimizer.build(model.trainable_variables)
    variables = optimizer.variables
    group = reader.group(reader.file, "optimizer_weights")
    names = reader.names(group, "weight_names")
    if len(names) != len(variables):
        warnings.warn(f"'{reader.filepath}': its optimizer state has {len(names)} variables, the rebuilt optimizer "
                      f"has {len(variables)}: not restored, the optimizer starts afresh", stacklevel=4)
        return None
    return [reader.dataset(group, n, v, f"optimizer '{optimizer.name}'") for n, v in zip(names, variables)]


def load_weights_from_hdf5(model, filepath: str, skip_mismatch: bool = False) -> None:
    """``model.load_weights("w.h5")``: the weights of a legacy ``.h5`` file (whole model or weights only)."""
    if skip_mismatch:
        raise ValueError("load_weights: skip_mismatch=True is not supported by minitf for legacy `.h5` files")
    reader = _File(filepath)
    try:
        group = reader.group(reader.file, "model_weights") if "model_weights" in reader.file else reader.file
        pairs = _read_model_weights(reader, group, model)
    finally:
        reader.close()
    _assign(pairs)
