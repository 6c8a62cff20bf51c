"""``minitf.keras.utils``: the progress bar, one-hot labels, seeds, the serialization registry, and (loaded on
first use) ``image_dataset_from_directory``, ``load_img`` / ``img_to_array`` / ``array_to_img`` / ``save_img``
and ``PyDataset``.

``Progbar`` draws Keras's progress bar (``fit(verbose=1)``)::

    32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.6931

The count, a bar of 20 cells, the ETA while running (the elapsed seconds once done), the time
per step (the first step, which is slow, is left out of that estimate once there are more),
then each metric with 4 decimals (scientific notation below 1e-3).
"""
from __future__ import annotations

import math
import os
import sys
import time
from typing import Any, Iterable

import numpy as np

from minitf.keras.backend import clear_session  # Keras exports it here too
from minitf.keras.engine.data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight  # what steps get
from minitf.keras.saving.object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                                     get_registered_name, get_registered_object,
                                                     register_keras_serializable)


class Progbar:
    """A progress bar: ``update(current, values)`` redraws it (see the module docstring).

    ``target`` is the number of steps (None if unknown); ``verbose`` 1 redraws in place, 2 prints
    one line when finished, 0 prints nothing. Metrics named in ``stateful_metrics`` are shown as
    given; others are averaged over the steps (Keras's rule; ``fit`` passes running means
    already and so sets ``stateless_metrics=set()``, i.e. shows everything as given).
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1, interval: float = 0.05,
                 stateful_metrics: Iterable[str] | None = None, stateless_metrics: Iterable[str] | None = None,
                 unit_name: str = "step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be provided.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateful_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = set(stateful_metrics), None
        elif stateless_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        else:
            self.stateful_metrics, self.stateless_metrics = set(), None
        self._dynamic_display = ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
                                 or "ipykernel" in sys.modules or "posix" in sys.modules
                                 or "PYCHARM_HOSTED" in os.environ)
        self._seen_so_far = 0
        self._values: dict[str, list] = {}
        self._values_order: list[str] = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current: int, values: list | None = None, finalize: bool | None = None) -> None:
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            stateless = (k not in self.stateful_metrics) if self.stateful_metrics is not None \
                else (k in self.stateless_metrics)
            if stateless:
                if finalize:
                    self._values[k] = [v, 1]
                else:
                    base = max(current - self._seen_so_far, 1)
                    if k not in self._values:
                        self._values[k] = [v * base, base]
                    else:
                        self._values[k][0] += v * base
                        self._values[k][1] += base
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            message = ("\b" * self._prev_total_width + "\r") if self._dynamic_display else "\n"
            special = 0
            if self.target is not None and self.target > 0:
                digits = int(math.log10(self.target)) + 1
                bar = f"\x1b[1m{f'%{digits}d/%d' % (current, self.target)}\x1b[0m "
                special += 8
                filled = int(self.width * current / self.target)
                if filled > 0:
                    bar += f"\33[32m{'━' * filled}\x1b[0m"
                    special += 9
                bar += f"\33[37m{'━' * (self.width - filled)}\x1b[0m"
                special += 9
            else:
                bar = "%7d/Unknown" % current
            message += bar
            if self.target is not None and self.target > 0 and not finalize:
                eta = time_per_unit * (self.target - current)
                if eta > 3600:
                    eta_text = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
                elif eta > 60:
                    eta_text = "%d:%02d" % (eta // 60, eta % 60)
                else:
                    eta_text = "%ds" % eta
                info = f" \x1b[1m{eta_text}\x1b[0m"
            else:
                info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
            special += 8
            info += self._format_time(time_per_unit, self.unit_name)
            for k in self._values_order:
                info += f" - {k}:"
                total, count = self._values[k]
                avg = float(np.mean(total)) / max(1, count)
                info += f" {avg:.4f}" if abs(avg) > 1e-3 else f" {avg:.4e}"
            message += info
            total_width = len(bar) + len(info) - special
            if self._prev_total_width > total_width:
                message += " " * (self._prev_total_width - total_width)
            if finalize:
                message += "\n"
            sys.stdout.write(message)
            sys.stdout.flush()
            self._prev_total_width = total_width
        elif self.verbose == 2:
            if finalize and self.target is not None and self.target > 0:
                digits = int(math.log10(self.target)) + 1
                info = f"{f'%{digits}d/%d' % (current, self.target)} - {now - self._start:.0f}s"
                info += f" -{self._format_time(time_per_unit, self.unit_name)}"
                for k in self._values_order:
                    total, count = self._values[k]
                    avg = float(np.mean(total)) / max(1, count)
                    info += f" - {k}:" + (f" {avg:.4f}" if avg > 1e-3 else f" {avg:.4e}")
                sys.stdout.write(info + "\n")
                sys.stdout.flush()
        self._last_update = now

    def add(self, n: int, values: list | None = None) -> None:
        self.update(self._seen_so_far + n, values)

    @staticmethod
    def _format_time(time_per_unit: float, unit_name: str) -> str:
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
        return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"

    def _estimate_step_duration(self, current: int, now: float) -> float:
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """Class indices -> one-hot rows (float32), as ``keras.utils.to_categorical``.

    A trailing axis of size 1 is dropped first, so (n, 1) labels give (n, num_classes).
    """
    from minitf.tensor import Tensor
    x = np.asarray(x.numpy() if isinstance(x, Tensor) else x)
    if x.dtype.kind == "f" and not np.all(np.equal(np.mod(x, 1), 0)):
        raise ValueError("to_categorical: labels must be whole numbers (class indices)")
    x = x.astype(np.int64)
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if x.size and x.min() < 0:
        raise ValueError(f"to_categorical: class indices must be >= 0, got {x.min()}")
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    elif x.size and x.max() >= num_classes:
        raise ValueError(f"to_categorical: label {int(x.max())} is out of range for num_classes={num_classes}")
    out = np.zeros((x.shape[0], num_classes), dtype=np.float32)
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """``x`` divided by its L-``order`` norm along ``axis`` (zero vectors stay zero)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and minitf's, and start keras.random's global
    SeedGenerator anew (``keras.utils.set_random_seed``)."""
    import random

    from minitf import random as mt_random
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})")
    from minitf.keras import random as keras_random
    keras_random.reset_global_seed_generator()  # the next unseeded keras.random draw starts from this seed
    random.seed(int(seed))
    np.random.seed(int(seed))
    mt_random.set_seed(int(seed))


# Loaded on first use (they import Pillow or build on the data pipeline): tf.keras.utils.<name>.
_LAZY = {"image_dataset_from_directory": "minitf.keras.preprocessing.image_dataset",
         "load_img": "minitf.keras.preprocessing.image", "img_to_array": "minitf.keras.preprocessing.image",
         "array_to_img": "minitf.keras.preprocessing.image", "save_img": "minitf.keras.preprocessing.image",
         "PyDataset": "minitf.keras.engine.py_dataset", "Sequence": "minitf.keras.engine.py_dataset",
         "pad_sequences": "minitf.keras.preprocessing.sequence",
         "text_dataset_from_directory": "minitf.keras.preprocessing.text_dataset",
         "timeseries_dataset_from_array": "minitf.keras.preprocessing.timeseries_dataset"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'minitf.keras.utils' has no attribute {name!r}")


__all__ = ["Progbar", "to_categorical", "normalize", "set_random_seed", "register_keras_serializable",
           "get_registered_name", "get_registered_object", "get_custom_objects", "custom_object_scope",
           "CustomObjectScope", "clear_session", "pack_x_y_sample_weight", "unpack_x_y_sample_weight",
           # loaded on first use (_LAZY)
           "image_dataset_from_directory", "load_img", "img_to_array", "array_to_img", "save_img", "PyDataset",
           "Sequence", "pad_sequences", "text_dataset_from_directory", "timeseries_dataset_from_array"]


def get_file(fname=None, origin=None, untar: bool = False, md5_hash=None, file_hash=None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto", extract: bool = False,
             archive_format: str = "auto", cache_dir=None, force_download: bool = False) -> str:
    """The path Keras's ``get_file`` would return, when the file (or its extracted folder) is
    already in the cache. minitf downloads nothing: a file not there is a FileNotFoundError."""
    import os
    import urllib.parse

    from minitf.keras.datasets._cache import OFFLINE_HINT
    base = os.path.expanduser(cache_dir) if cache_dir else (
        os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras"))
    datadir = os.path.join(base, cache_subdir)
    provided = fname
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin or "").path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. Please specify the "
                         "`fname` argument.")
    if extract or untar:  # Keras 3's names for the archive and the folder it extracts to
        if provided and "." in fname:
            target = os.path.join(datadir, fname[: fname.find(".")] + "_extracted")
        else:
            target = os.path.join(datadir, fname)
    else:
        target = os.path.join(datadir, fname)
    if force_download or not os.path.exists(target):
        raise FileNotFoundError(f"get_file: {target} is not in the cache (origin {origin}). {OFFLINE_HINT}")
    return target


from minitf.keras.model_plot import model_to_dot, plot_model  # noqa: E402,F401 (keras.utils names)
