"""Optimizers (``tf.keras.optimizers``): SGD, Adam, AdamW, Adamax, Nadam, RMSprop, Adagrad, Adadelta, Lion,
Adafactor, Ftrl, Lamb, and LR schedules.

``get("adam")`` (any case), a config dict, or an Optimizer instance gives an optimizer; see
``optimizer.py`` for the update order, the state layout used for saving, and the speed notes.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.optimizers import schedules
from minitf.keras.optimizers.adadelta import Adadelta
from minitf.keras.optimizers.adagrad import Adagrad
from minitf.keras.optimizers.adam import Adam
from minitf.keras.optimizers.adamax import Adamax
from minitf.keras.optimizers.adamw import AdamW
from minitf.keras.optimizers.adafactor import Adafactor
from minitf.keras.optimizers.ftrl import Ftrl
from minitf.keras.optimizers.lamb import Lamb
from minitf.keras.optimizers.lion import Lion
from minitf.keras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from minitf.keras.optimizers.nadam import Nadam
from minitf.keras.optimizers.optimizer import Optimizer
from minitf.keras.optimizers.rmsprop import RMSprop
from minitf.keras.optimizers.sgd import SGD

ALL_OBJECTS = (Optimizer, SGD, Adam, AdamW, Adamax, Nadam, RMSprop, Adagrad, Adadelta, Lion, Adafactor, Ftrl, Lamb,
               LossScaleOptimizer)
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


def serialize(optimizer: Optimizer) -> dict:
    """{"module", "class_name", "config", "registered_name"}, as Keras writes it."""
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizers.serialize: expected an Optimizer, got {optimizer!r}")
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """The optimizer ``serialize`` described (class names are case-insensitive, as in Keras)."""
    custom = {k.lower(): v for k, v in (custom_objects or {}).items()}
    table = {**ALL_OBJECTS_DICT, **custom}
    name = str(config.get("class_name", "")).lower() if isinstance(config, dict) else None
    if name not in table:
        raise ValueError(f"Could not interpret optimizer identifier: {config!r}. Known optimizers: "
                         f"{sorted(k for k in ALL_OBJECTS_DICT if k != 'optimizer')}")
    return table[name].from_config(dict(config.get("config") or {}), custom_objects)


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name ("adam", "SGD", "rmsprop", "adagrad", "adamw"), a config, or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta", "Lion",
           "Adafactor", "Ftrl", "Lamb",
           "LossScaleOptimizer", "schedules", "get", "serialize", "deserialize"]
