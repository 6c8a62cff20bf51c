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
import weakref
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
# A minitf Tensor has fixed slots, so what Keras keeps as ``tensor._keras_mask`` lives in a side
# table: id(tensor) -> (weak reference, mask). The weak reference's callback drops the entry when
# the tensor dies, so an id is never confused with a later tensor's. (The logits of the
# crossentropy shortcut live in the same kind of table: ``minitf.keras.losses.register_logits``.)
_MASKS: dict[int, tuple[weakref.ref, Any]] = {}


def get_keras_mask(tensor: Any) -> Any:
    """The mask ``tensor`` carries (set by a masking layer), or None."""
    entry = _MASKS.get(id(tensor))
    if entry is not None and entry[0]() is tensor:
        return entry[1]
    return getattr(tensor, "_keras_mask", None) if not isinstance(tensor, Tensor) else None


def set_keras_mask(tensor: Tensor, mask: Any) -> Tensor:
    """Attach ``mask`` to ``tensor`` (None removes it); returns ``tensor``."""
    key = id(tensor)
    if mask is None:
        _MASKS.pop(key, None)
        return tensor

    def forget(ref: weakref.ref, key: int = key) -> None:
        entry = _MASKS.get(key)
        if entry is not None and entry[0] is ref:
            del _MASKS[key]

    _MASKS[key] = (weakref.ref(tensor, forget), mask)
    return tensor


def in_compiled_step() -> bool:
    """True while a training/evaluation step is being traced (Keras's compiled ``tf.function`` step).

    Two of Keras's numbers differ between its compiled and eager steps, and minitf's follow:
    the per-output ``<name>_loss`` means (the compiled step sees an unknown batch size, so each
    batch weighs 1; see ``compile_utils.CompileLoss``), and the crossentropy logits shortcut for a
    raw ``tf.nn.sigmoid``/``tf.nn.softmax`` activation (found from a graph tensor's op only; see
    ``layers/activation.py``). Everything else is the same, bit for bit, traced or eager.
    """
    return not executing_eagerly()
