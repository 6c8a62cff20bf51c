"""Dtype policies (``keras.DTypePolicy``, legacy ``keras.mixed_precision.Policy``), as in Keras 3.

A policy names two dtypes of a layer::

    variable_dtype   the dtype its weights are created in
    compute_dtype    the dtype its inputs are cast to and its arithmetic runs in

``"float32"`` (any float dtype name) makes both that dtype; ``"mixed_float16"`` makes weights
float32 and computation float16 (``"mixed_bfloat16"``: bfloat16, which minitf has no dtype for,
so it is refused). Inside a layer whose two dtypes differ, every float weight it reads is cast
to the compute dtype (Keras's ``AutocastScope``; see ``Layer._call_autocast``), so ``x @ self.kernel``
multiplies float16 by float16 while the float32 kernel is what the optimizer updates.

The global policy (``set_global_policy`` / ``keras.config.set_dtype_policy``) is what a layer
built without ``dtype=`` gets; by default ``DTypePolicy(keras.backend.floatx())``.
"""
from __future__ import annotations

from typing import Any

from minitf import dtypes

_MIXED = {"mixed_float16": ("float16", "float32")}
_global_policy: "DTypePolicy | None" = None


class DTypePolicy:
    """A layer's compute and variable dtypes, from a name: ``"float32"``, ``"mixed_float16"`` ..."""

    def __init__(self, name: str | None = None):
        if name is None:
            name = global_policy().name
        if not isinstance(name, str):
            raise TypeError(f"'name' must be a string, such as 'mixed_float16'. Received: name={name} "
                            f"(of type {type(name)})")
        self._name = name
        self._compute_dtype, self._variable_dtype = _parse_name(name)

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype inputs are cast to and computations run in."""
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype weights are created in (cast to ``compute_dtype`` when a layer reads them)."""
        return self._variable_dtype

    @property
    def quantization_mode(self) -> None:
        return None

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> "DTypePolicy":
        return cls(**config)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other: Any) -> bool:
        return type(other) is DTypePolicy and other._name == self._name

    def __hash__(self) -> int:
        return hash(self._name)


FloatDTypePolicy = DTypePolicy  # Keras keeps the old name as an alias
Policy = DTypePolicy            # keras.mixed_precision.Policy (legacy name)


def _parse_name(name: str) -> tuple[str, str]:
    if name in _MIXED:
        return _MIXED[name]
    if name == "mixed_bfloat16":
        raise ValueError("DTypePolicy 'mixed_bfloat16' is not supported by minitf: it has no bfloat16 dtype. Use "
                         "'mixed_float16' (float16 computation, float32 weights) or a float dtype name")
    try:
        dtype = dtypes.as_dtype(name)
    except (TypeError, ValueError):
        dtype = None
    if dtype is None or not (dtype.is_floating or dtype.is_integer or dtype.is_bool or dtype.name == "string"):
        raise ValueError(f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies include "
                         "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as 'float32'.")
    return dtype.name, dtype.name


def get(identifier: Any) -> DTypePolicy:
    """A policy from None (the global one), a name, a dtype, a config dict or a policy."""
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        if identifier.get("class_name") not in ("DTypePolicy", "FloatDTypePolicy"):
            raise ValueError(f"Cannot interpret dtype policy config {identifier!r}: minitf knows the class "
                             "'DTypePolicy' only (no quantized policies)")
        return DTypePolicy.from_config(dict(identifier.get("config") or {}))
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    return DTypePolicy(dtypes.as_dtype(identifier).name)  # tf.float32, np.float32, "float32" ...


def serialize(policy: DTypePolicy) -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects: dict | None = None) -> DTypePolicy:
    return get(config)


def global_policy() -> DTypePolicy:
    """The policy of layers made without ``dtype=`` (default: ``DTypePolicy(floatx())``)."""
    if _global_policy is None:
        from minitf.keras import backend
        return DTypePolicy(backend.floatx())
    return _global_policy


def set_global_policy(policy: Any) -> None:
    """Set the policy layers made from now on get: a name (``"mixed_float16"``) or a ``DTypePolicy``."""
    global _global_policy
    if not isinstance(policy, DTypePolicy):
        if not isinstance(policy, str):
            raise ValueError("Invalid `policy` argument. Expected the string name of a policy (such as "
                             f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy} "
                             f"(of type {type(policy)})")
        policy = DTypePolicy(policy)
    _global_policy = policy


dtype_policy = global_policy
set_dtype_policy = set_global_policy
