"""``minitf.train``, as ``tf.train``: checkpoints of variables, found by walking objects.

    ckpt = tf.train.Checkpoint(model=model, optimizer=opt)
    path = ckpt.save("ckpts/run")          # "ckpts/run-1", "ckpts/run-2" ...
    ckpt.restore(tf.train.latest_checkpoint("ckpts"))
    tf.train.list_variables(path)          # [(name, shape), ...]

What is saved: every Variable reachable from the objects given to ``Checkpoint``, named by the
path of attribute names that leads to it (``model/layers/0/w``), as TF names them, with TF's
suffix ``/.ATTRIBUTES/VARIABLE_VALUE``. Lists and tuples count by position, dicts by key. A
Keras layer or model names its own weights by their short names and its sublayers by position
(``model/layer-1/kernel``), an optimizer its variables by position (``optimizer/variables/0``), so
two models built alike match whatever their layers' unique names. These keys differ from TF's for
Keras objects (TF uses Keras's internal attribute names): a checkpoint moves between minitf runs,
not to TF.
``restore`` writes each saved value into the variable at the same path; ``status.assert_consumed()``
says what did not match.

Files: ``<prefix>.index`` (JSON: names, shapes, dtypes) and ``<prefix>.data-00000-of-00001``
(the arrays, NumPy's ``.npz``), written to a temporary name and then renamed (a crash never
leaves half a checkpoint), and the ``checkpoint`` text file in the folder that ``latest_checkpoint``
reads (TF's format: ``model_checkpoint_path: "run-2"``).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from typing import Any, Iterator

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError, NotFoundError
from minitf.tensor import Variable

__all__ = ["Checkpoint", "CheckpointManager", "CheckpointOptions", "latest_checkpoint", "list_variables",
           "load_checkpoint"]

_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_DATA = ".data-00000-of-00001"
_SKIP = frozenset({"_inbound_nodes", "_outbound_nodes", "_call_signature", "_build_input_shape", "_name",
                   "_scope_name", "_parent", "_outer"})


class CheckpointOptions:
    """Accepted for TF compatibility (device placement options do not apply: one device)."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False, **kwargs):
        self.experimental_io_device = experimental_io_device
        self.experimental_enable_async_checkpoint = experimental_enable_async_checkpoint


# ------------------------------------------------------------------------------------------------
# Walking objects to their variables.
def _is_keras(obj: Any) -> str | None:
    from minitf.keras.layers.layer import Layer
    from minitf.keras.optimizers.optimizer import Optimizer
    if isinstance(obj, Layer):
        return "layer"
    if isinstance(obj, Optimizer):
        return "optimizer"
    return None


def _children(obj: Any) -> Iterator[tuple[str, Any]]:
    """(name, child) pairs of an object, in a fixed order."""
    kind = _is_keras(obj)
    if kind == "layer" and "_trainable_variables" not in vars(obj):
        kind = None  # a layer whose __init__ never called Layer's: its attributes, as TF tracks them
    if kind == "layer":  # own weights by their short names, then sublayers by position
        used: dict[str, int] = {}
        for v in obj._trainable_variables + obj._non_trainable_variables:
            short = v.name.split(":")[0].rsplit("/", 1)[-1]
            used[short] = used.get(short, -1) + 1
            yield (short if not used[short] else f"{short}_{used[short]}"), v
        for i, layer in enumerate(obj._layers):
            yield f"layer-{i}", layer
        return
    if kind == "optimizer":  # by position: iterations, learning rate, then the slots in build order
        yield from ((f"variables/{i}", v) for i, v in enumerate(obj.variables))
        return
    if isinstance(obj, dict):
        for key in sorted(obj, key=str):
            yield str(key), obj[key]
        return
    if isinstance(obj, (list, tuple)):
        yield from ((str(i), v) for i, v in enumerate(obj))
        return
    state = getattr(obj, "_checkpoint_state", None)  # an object that says what it saves (tf.random.Generator)
    if state is not None:
        yield from state().items()
        return
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        for key in sorted(vars(obj)):
            if key not in _SKIP:
                yield key, vars(obj)[key]


def _trackable(value: Any) -> bool:
    if isinstance(value, (Variable, dict, list, tuple)) or _is_keras(value):
        return True
    from minitf.module import Module
    return isinstance(value, (Module, Checkpoint)) or hasattr(value, "_checkpoint_state")


def _variables_by_path(roots: dict) -> dict[str, Variable]:
    """{path: Variable}, breadth first, each Variable under the first (shortest) path that reaches it."""
    found: dict[str, Variable] = {}
    seen: set[int] = set()
    queue = [(name, obj) for name, obj in sorted(roots.items())]
    while queue:
        path, obj = queue.pop(0)
        if id(obj) in seen or not _trackable(obj):
            continue
        seen.add(id(obj))
        if isinstance(obj, Variable):
            found[path] = obj
            continue
        for name, child in _children(obj):
            if _trackable(child) and (not isinstance(child, (dict, list, tuple)) or child):
                queue.append((f"{path}/{name}", child))
    return found


# ------------------------------------------------------------------------------------------------
# Files.
def _read_index(prefix: str) -> dict:
    try:
        with open(prefix + ".index") as f:
            index = json.load(f)
    except FileNotFoundError:
        raise NotFoundError(f"Unsuccessful TensorSliceReader constructor: Failed to find any matching files for "
                            f"{prefix} (no file {prefix}.index)") from None
    except ValueError as e:
        raise InvalidArgumentError(f"{prefix}.index is not a minitf checkpoint index: {e}") from None
    if index.get("format") != "minitf-checkpoint":
        raise InvalidArgumentError(f"{prefix}.index is not a minitf checkpoint index")
    return index


def _read_values(prefix: str) -> dict[str, np.ndarray]:
    index = _read_index(prefix)
    with np.load(prefix + _DATA, allow_pickle=False) as data:
        arrays = [data[f"v{i}"] for i in range(len(index["variables"]))]
    return dict(zip(index["variables"], arrays))


def _write_atomic(path: str, write) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp_" + os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_checkpoint(prefix: str, variables: dict[str, Variable]) -> None:
    names = sorted(variables)
    arrays = [B.to_numpy(variables[n]._value).copy() for n in names]
    _write_atomic(prefix + _DATA, lambda f: np.savez(f, **{f"v{i}": a for i, a in enumerate(arrays)}))
    index = {"format": "minitf-checkpoint", "variables": [n + _SUFFIX for n in names],
             "shapes": [list(a.shape) for a in arrays], "dtypes": [a.dtype.name for a in arrays]}
    _write_atomic(prefix + ".index", lambda f: f.write(json.dumps(index).encode()))


def _resolve(save_path: str) -> str:
    """A checkpoint prefix from a prefix or a folder (its latest checkpoint)."""
    save_path = os.fspath(save_path)
    if os.path.isdir(save_path):
        latest = latest_checkpoint(save_path)
        if latest is None:
            raise NotFoundError(f"No checkpoint found in the folder {save_path}")
        return latest
    return save_path


# ------------------------------------------------------------------------------------------------
class CheckpointLoadStatus:
    """What ``restore`` matched; its ``assert_*`` methods raise when something did not."""

    def __init__(self, unused_saved: list[str], unmatched_objects: list[str]):
        self._unused_saved = unused_saved
        self._unmatched = unmatched_objects

    def assert_consumed(self) -> "CheckpointLoadStatus":
        """Every saved value was restored into a variable, and every variable got a value."""
        if self._unused_saved or self._unmatched:
            raise AssertionError(f"Unresolved object in checkpoint: saved values not restored: {self._unused_saved}; "
                                 f"variables with no saved value: {self._unmatched}")
        return self

    def assert_existing_objects_matched(self) -> "CheckpointLoadStatus":
        if self._unmatched:
            raise AssertionError(f"Objects with no saved value in the checkpoint: {self._unmatched}")
        return self

    def assert_nontrivial_match(self) -> "CheckpointLoadStatus":
        return self

    def expect_partial(self) -> "CheckpointLoadStatus":
        return self

    def initialize_or_restore(self, session=None) -> None:
        return None

    def run_restore_ops(self, session=None) -> None:
        return None


class Checkpoint:
    """The objects given by keyword, saved and restored together (``tf.train.Checkpoint``)."""

    def __init__(self, root=None, **kwargs):
        for name, value in kwargs.items():
            if not _trackable(value):
                raise ValueError(f"`Checkpoint` was expecting a trackable object (an object derived from "
                                 f"`Trackable`), got {value!r} for {name!r}")
        self._roots = dict(kwargs)
        if root is not None:
            self._roots["root"] = root
        for name, value in kwargs.items():
            setattr(self, name, value)
        self._save_counter = None

    @property
    def save_counter(self) -> Variable:
        """How many times ``save`` ran (made on first use, as in TF: ``write`` alone saves no counter)."""
        if self._save_counter is None:
            self._save_counter = Variable(0, dtype="int64", trainable=False, name="save_counter")
        return self._save_counter

    def _checkpoint_state(self) -> dict:
        state = dict(self._roots)
        if self._save_counter is not None:
            state["save_counter"] = self._save_counter
        return state

    def _variables(self) -> dict[str, Variable]:
        return _variables_by_path(self._checkpoint_state())

    def write(self, file_prefix: str, options=None) -> str:
        """Save to exactly ``file_prefix`` (no counter, no ``checkpoint`` file); returns it."""
        file_prefix = os.fspath(file_prefix)
        _write_checkpoint(file_prefix, self._variables())
        return file_prefix

    def save(self, file_prefix: str, options=None) -> str:
        """Save to ``file_prefix-N`` (N = ``save_counter`` + 1) and record it in the folder's
        ``checkpoint`` file; returns the path."""
        self.save_counter.assign_add(1)
        path = self.write(f"{os.fspath(file_prefix)}-{int(self.save_counter.numpy())}")
        _update_checkpoint_state(os.path.dirname(os.path.abspath(path)), path)
        return path

    def read(self, save_path: str, options=None) -> CheckpointLoadStatus:
        """Restore from ``save_path`` (as written by ``write`` or ``save``)."""
        return self.restore(save_path, options)

    def restore(self, save_path: str | None, options=None) -> CheckpointLoadStatus:
        """Write each saved value into the variable at the same path. ``None`` restores nothing
        (TF: start from scratch); a folder restores its latest checkpoint."""
        variables = self._variables()
        if save_path is None:
            return CheckpointLoadStatus([], [])
        values = _read_values(_resolve(save_path))
        unused, unmatched = [], []
        for key, value in values.items():
            path = key[: -len(_SUFFIX)] if key.endswith(_SUFFIX) else key
            variable = variables.get(path)
            if variable is None:
                unused.append(path)
                continue
            if tuple(variable.shape) != value.shape:
                raise InvalidArgumentError(f"Checkpoint.restore: the saved value of {path!r} has shape {value.shape}, "
                                           f"the variable has shape {tuple(variable.shape)}")
            variable.assign(value.astype(variable.dtype._np, copy=False))
        if "save_counter" + _SUFFIX in values and "save_counter" not in variables:
            self.save_counter.assign(values["save_counter" + _SUFFIX])  # TF restores the counter too
            unused.remove("save_counter")
        unmatched = [p for p in variables if p + _SUFFIX not in values and p != "save_counter"]
        return CheckpointLoadStatus(unused, unmatched)


# ------------------------------------------------------------------------------------------------
def _update_checkpoint_state(folder: str, latest: str, all_paths: list[str] | None = None) -> None:
    def rel(p):
        return os.path.relpath(p, folder) if os.path.dirname(os.path.abspath(p)) == folder else p
    paths = all_paths if all_paths is not None else [latest]
    text = f'model_checkpoint_path: "{rel(latest)}"\n' + "".join(
        f'all_model_checkpoint_paths: "{rel(p)}"\n' for p in paths)
    _write_atomic(os.path.join(folder, "checkpoint"), lambda f: f.write(text.encode()))


def _checkpoint_state(folder: str) -> tuple[str | None, list[str]]:
    try:
        with open(os.path.join(folder, "checkpoint")) as f:
            text = f.read()
    except FileNotFoundError:
        return None, []

    def absolute(p):
        return p if os.path.isabs(p) else os.path.join(folder, p)
    latest = re.search(r'^model_checkpoint_path: "(.*)"$', text, re.M)
    every = re.findall(r'^all_model_checkpoint_paths: "(.*)"$', text, re.M)
    return (absolute(latest.group(1)) if latest else None), [absolute(p) for p in every]


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    """The prefix of the latest checkpoint saved in ``checkpoint_dir``, or None."""
    latest, _ = _checkpoint_state(os.fspath(checkpoint_dir))
    if latest is None or not os.path.exists(latest + ".index"):
        return None
    return latest


class CheckpointReader:
    """``tf.train.load_checkpoint(path)``: read saved values by name."""

    def __init__(self, prefix: str):
        self._values = _read_values(prefix)
        self._values[_GRAPH_KEY] = np.array(b"")

    def get_tensor(self, name: str) -> np.ndarray:
        if name not in self._values:
            raise NotFoundError(f"Key {name} not found in checkpoint")
        return self._values[name].copy()

    def has_tensor(self, name: str) -> bool:
        return name in self._values

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        return {k: list(v.shape) for k, v in self._values.items()}

    def get_variable_to_dtype_map(self) -> dict:
        from minitf import dtypes
        return {k: dtypes.as_dtype(v.dtype) for k, v in self._values.items() if k != _GRAPH_KEY}


def load_checkpoint(ckpt_dir_or_file: str) -> CheckpointReader:
    return CheckpointReader(_resolve(ckpt_dir_or_file))


def list_variables(ckpt_dir_or_file: str) -> list[tuple[str, list[int]]]:
    """[(name, shape)] of every saved value, sorted by name (TF's first entry is the object graph)."""
    index = _read_index(_resolve(ckpt_dir_or_file))
    return sorted([(_GRAPH_KEY, [])] + [(n, list(s)) for n, s in zip(index["variables"], index["shapes"])])


class CheckpointManager:
    """Numbered checkpoints in ``directory``, keeping the last ``max_to_keep``."""

    def __init__(self, checkpoint: Checkpoint, directory: str, max_to_keep: int | None,
                 keep_checkpoint_every_n_hours=None, checkpoint_name: str = "ckpt", step_counter=None,
                 checkpoint_interval=None, init_fn=None):
        self._checkpoint = checkpoint
        self.directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._prefix = os.path.join(self.directory, checkpoint_name)
        _, existing = _checkpoint_state(self.directory)
        self._checkpoints = [p for p in existing if os.path.exists(p + ".index")]

    @property
    def checkpoints(self) -> list[str]:
        return list(self._checkpoints)

    @property
    def latest_checkpoint(self) -> str | None:
        return self._checkpoints[-1] if self._checkpoints else None

    def save(self, checkpoint_number: int | None = None, check_interval: bool = True, options=None) -> str:
        """Save the next checkpoint (``ckpt-N``), forget (and delete) the oldest beyond ``max_to_keep``."""
        if checkpoint_number is None:
            self._checkpoint.save_counter.assign_add(1)
            number = int(self._checkpoint.save_counter.numpy())
        else:
            number = int(checkpoint_number)
        path = self._checkpoint.write(f"{self._prefix}-{number}")
        self._checkpoints = [p for p in self._checkpoints if p != path] + [path]
        if self._max_to_keep is not None:
            while len(self._checkpoints) > self._max_to_keep:
                old = self._checkpoints.pop(0)
                for suffix in (".index", _DATA):
                    if os.path.exists(old + suffix):
                        os.unlink(old + suffix)
        _update_checkpoint_state(os.path.abspath(self.directory), path, self._checkpoints)
        return path

    def restore_or_initialize(self):
        if self.latest_checkpoint is not None:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        return None
