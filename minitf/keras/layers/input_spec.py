"""InputSpec: what a layer accepts (rank, dtype, some axis sizes), checked on every call.

A Dense layer built for 2 features sets ``InputSpec(min_ndim=2, axes={-1: 2})``; calling it
on a tensor of shape (32, 3) then fails with a message that names the layer and both shapes,
worded as Keras words it.
"""
from __future__ import annotations

from typing import Any

from minitf import nest


class InputSpec:
    """Expected rank / shape / dtype of one input (``None`` anywhere means "anything")."""

    def __init__(self, dtype=None, shape=None, ndim: int | None = None, max_ndim: int | None = None,
                 min_ndim: int | None = None, axes: dict | None = None, allow_last_axis_squeeze: bool = False,
                 name: str | None = None, optional: bool = False):
        self.dtype = None if dtype is None else _dtype_name(dtype)
        if shape is not None:
            self.shape = tuple(None if d is None else int(d) for d in shape)
            self.ndim = len(self.shape)
        else:
            self.shape = None
            self.ndim = ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            self.axes = {int(k): v for k, v in (axes or {}).items()}
        except (TypeError, ValueError):
            raise TypeError(f"InputSpec: `axes` must be a dict with integer keys, got axes={axes}") from None

    def __repr__(self) -> str:
        parts = [f"{k}={getattr(self, k)}" for k in ("dtype", "shape", "ndim", "max_ndim", "min_ndim", "axes")
                 if getattr(self, k)]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes}


def _dtype_name(dtype) -> str:
    from minitf import dtypes
    return dtypes.as_dtype(dtype).name


def _prefix(index: int, spec: InputSpec, layer_name: str) -> str:
    return f"Input {index} with name '{spec.name}' of layer '{layer_name}' is incompatible with the layer: "


def assert_input_compatibility(input_spec: Any, inputs: Any, layer_name: str) -> None:
    """Raise ValueError (naming the layer, expected vs received) if ``inputs`` break ``input_spec``."""
    if not input_spec:
        return
    specs = nest.flatten(input_spec)
    if isinstance(inputs, dict) and all(s is not None and s.name for s in specs):
        missing = [s.name for s in specs if s.name not in inputs]
        if missing:
            raise ValueError(f'Missing data for input "{missing[0]}". You passed a data dictionary with keys '
                             f"{list(inputs)}. Expected the following keys: {[s.name for s in specs]}")
        inputs = [inputs[s.name] for s in specs]
    flat = nest.flatten(inputs)
    if len(flat) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} '
                         f"input tensors.")
    for index, (x, spec) in enumerate(zip(flat, specs)):
        if spec is None or (x is None and spec.optional):
            continue
        check_input(spec, x, layer_name, index)


def check_input(spec: InputSpec, x: Any, layer_name: str, index: int = 0) -> None:
    """Check one input against one spec (the fast path of ``assert_input_compatibility``)."""
    value = getattr(x, "_value", None)  # a minitf Tensor: read its array's shape directly (fast path)
    if value is not None and hasattr(value, "shape"):
        shape = value.shape
    elif hasattr(x, "shape"):
        shape = tuple(x.shape)
    else:
        raise ValueError(f"Inputs to a layer should be tensors. Got '{x}' (of type {type(x).__name__}) "
                         f"as input for layer '{layer_name}'.")
    ndim = len(shape)
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ValueError(_prefix(index, spec, layer_name) + f"expected ndim={spec.ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(_prefix(index, spec, layer_name) + f"expected max_ndim={spec.max_ndim}, "
                         f"found ndim={ndim}. Full shape received: {shape}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(_prefix(index, spec, layer_name) + f"expected min_ndim={spec.min_ndim}, "
                         f"found ndim={ndim}. Full shape received: {shape}")
    if spec.dtype is not None:
        dtype = _dtype_name(x.dtype)
        if dtype != spec.dtype:
            raise ValueError(_prefix(index, spec, layer_name) + f"expected dtype={spec.dtype}, "
                             f"found dtype={dtype}")
    for axis, value in spec.axes.items():
        if value is not None and -ndim <= axis < ndim and shape[axis] not in (value, None):
            raise ValueError(_prefix(index, spec, layer_name) + f"expected axis {axis} of input shape to "
                             f"have value {value}, but received input with shape {shape}")
    if spec.shape is not None:
        spec_shape, got = spec.shape, shape
        if spec.allow_last_axis_squeeze:
            got = got[:-1] if got and got[-1] == 1 else got
            spec_shape = spec_shape[:-1] if spec_shape and spec_shape[-1] == 1 else spec_shape
        # Axis by axis, as Keras (the ranks were checked above, or may differ with a squeezed last axis:
        # the model then adds or drops that axis itself).
        if any(s is not None and d is not None and s != d for s, d in zip(spec_shape, got)):
            raise ValueError(_prefix(index, spec, layer_name) + f"expected shape={spec.shape}, "
                             f"found shape={shape}")
