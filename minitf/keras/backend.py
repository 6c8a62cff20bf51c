"""``minitf.keras.backend``: Keras's global settings, layer naming, and what outputs carry.

Three small things every part of ``minitf.keras`` shares:

* settings, as Keras has them: ``epsilon()`` (1e-7, the clip of the crossentropies),
  ``floatx()`` ("float32"), ``image_data_format()``;
* automatic names (``minitf.keras.naming``): layers are named ``dense``, ``dense_1``,
  ``dense_2`` ... as in Keras; ``clear_session()`` restarts the counts;
* what a layer output carries besides its values: its mask (``get_keras_mask``), a boolean
  tensor saying which time steps are real (set by e.g. ``Embedding(mask_zero=True)``, handed
  from layer to layer by ``Layer.__call__``).
"""
from __future__ import annotations

import gc
from typing import Any

from minitf._context import executing_eagerly
from minitf.keras import naming
from minitf.tensor import Tensor

_EPSILON = 1e-7
_FLOATX = "float32"
_IMAGE_DATA_FORMAT = "channels_last"


# --- settings ------------------------------------------------------------------------
def epsilon() -> float:
    """The fuzz factor Keras adds or clips with (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def floatx() -> str:
    """The default float type of weights and inputs: ``"float32"``."""
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"set_floatx: expected 'float16', 'float32' or 'float64', got {value!r}")
    _FLOATX = str(value)


def image_data_format() -> str:
    """Always ``"channels_last"`` (NHWC), TensorFlow's CPU layout."""
    return _IMAGE_DATA_FORMAT


def backend() -> str:
    """The name Keras would print here ("tensorflow"); minitf's array module is ``minitf.config.get_backend()``."""
    return "tensorflow"


# --- names (one table for every family: ``minitf.keras.naming``) ------------------------------
get_uid = naming.get_uid


def clear_session(free_memory: bool = True) -> None:
    """Reset Keras's global state: the automatic names start again (the next Dense is ``dense``,
    the next Adam ``adam``). ``free_memory`` runs Python's garbage collector, as in Keras."""
    naming.clear()
    if free_memory:
        gc.collect()


# --- what outputs carry ------------------------------------------------------------------
# Keras sets attributes on its tensors (``x._keras_mask``, ``y._keras_logits``). A minitf Tensor has
# fixed slots; one of them, ``_keras_meta``, holds what Keras attaches, as a dict:
#     "mask":   which time steps are real (``get_keras_mask``)
#     "logits": what a sigmoid/softmax output was computed from (``minitf.keras.losses.logits_of``)
# It lives and dies with the tensor; any op applied afterwards makes a new tensor without it.
def get_keras_meta(tensor: Any, key: str) -> Any:
    """What Keras attached to ``tensor`` under ``key`` ("mask", "logits"), or None."""
    meta = getattr(tensor, "_keras_meta", None)
    return None if meta is None else meta.get(key)


def set_keras_meta(tensor: Tensor, key: str, value: Any) -> Tensor:
    """Attach ``value`` to ``tensor`` under ``key`` (None removes it); returns ``tensor``."""
    meta = getattr(tensor, "_keras_meta", None)
    if value is None:
        if meta is not None:
            meta.pop(key, None)
        return tensor
    if meta is None:
        meta = tensor._keras_meta = {}
    meta[key] = value
    return tensor


def get_keras_mask(tensor: Any) -> Any:
    """The mask ``tensor`` carries (set by a masking layer), or None."""
    if not isinstance(tensor, Tensor):
        return getattr(tensor, "_keras_mask", None)
    return get_keras_meta(tensor, "mask")


def set_keras_mask(tensor: Tensor, mask: Any) -> Tensor:
    """Attach ``mask`` to ``tensor`` (None removes it); returns ``tensor``."""
    return set_keras_meta(tensor, "mask", mask)


def in_compiled_step() -> bool:
    """True while a training/evaluation step is being traced (Keras's compiled ``tf.function`` step).

    Two of Keras's numbers differ between its compiled and eager steps, and minitf's follow:
    the per-output ``<name>_loss`` means (the compiled step sees an unknown batch size, so each
    batch weighs 1; see ``compile_utils.CompileLoss``), and the crossentropy logits shortcut for a
    raw ``tf.nn.sigmoid``/``tf.nn.softmax`` activation (found from a graph tensor's op only; see
    ``layers/activations/activation.py``). Everything else is the same, bit for bit, traced or eager.
    """
    return not executing_eagerly()


def random_normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype=None, seed=None):
    """Normal values (``keras.backend.random_normal``), drawn as ``tf.random.normal``."""
    from minitf import random as mt_random
    return mt_random.normal(shape, mean=mean, stddev=stddev, dtype=dtype or floatx(), seed=seed)


def random_uniform(shape, minval: float = 0.0, maxval: float = 1.0, dtype=None, seed=None):
    from minitf import random as mt_random
    return mt_random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype or floatx(), seed=seed)
