"""Automatic names, with Keras's rules (``keras/src/utils/naming.py``, ``backend/common/global_state.py``).

Every Keras object that is not given a name gets one from its class: ``Dense`` -> ``dense``,
then ``dense_1``, ``dense_2`` ...; ``Adam`` -> ``adam``; ``Sequential`` -> ``sequential``. One
counter per prefix, kept in ONE table for every family (layers, models, optimizers, metrics,
losses, symbolic tensors), per thread as in Keras::

    auto_name("MyBlock")   # "my_block", then "my_block_1" ...
    uniquify("dense")      # "dense", then "dense_1" ... (the name as given, made unique)
    get_uid("dense")       # 1, then 2 ... (Keras's ``backend.get_uid``; the same table)

``tf.keras.backend.clear_session()`` empties the table (``clear``): the next Dense is ``dense``
again, the next Adam ``adam``.
"""
from __future__ import annotations

import collections
import re
import threading
from typing import Any

# Keras keeps its global state in a threading.local: each thread counts on its own, and
# clear_session() replaces the whole object (every thread starts again).
_STATE = threading.local()


def _uids() -> collections.defaultdict:
    uids = getattr(_STATE, "object_name_uids", None)
    if uids is None:
        uids = _STATE.object_name_uids = collections.defaultdict(int)
    return uids


def to_snake_case(name: str) -> str:
    """``"MyDenseLayer"`` -> ``"my_dense_layer"``; ``"AUC"`` -> ``"auc"`` (non-word characters dropped)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def uniquify(name: str) -> str:
    """``name`` the first time, then ``name_1``, ``name_2`` ... (the count of earlier requests)."""
    uids = _uids()
    unique = f"{name}_{uids[name]}" if name in uids else name
    uids[name] += 1
    return unique


def auto_name(prefix: str) -> str:
    """The automatic name of an object of class ``prefix``: ``uniquify(to_snake_case(prefix))``."""
    return uniquify(to_snake_case(prefix))


def get_uid(prefix: str = "") -> int:
    """1 the first time ``prefix`` is asked for, then 2, 3 ... (shares ``uniquify``'s counts, as in Keras)."""
    uids = _uids()
    uids[prefix] += 1
    return uids[prefix]


def get_object_name(obj: Any) -> str:
    """The name Keras reports for a metric or loss given as an object: its ``name``, else its
    function's or class's name in snake case."""
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return to_snake_case(obj.__name__)
    return to_snake_case(type(obj).__name__)


def clear() -> None:
    """Forget every count, in every thread (what ``clear_session`` does to names)."""
    global _STATE
    _STATE = threading.local()


__all__ = ["to_snake_case", "uniquify", "auto_name", "get_uid", "get_object_name", "clear"]
