"""Merge layers: combine a list of tensors. Add, Subtract, Multiply, Average, Concatenate.

All take a list of inputs, ``Add()([a, b, c])``. The elementwise ones broadcast like NumPy over
the non-batch axes; each gradient is its op's gradient summed back to each input's shape:

    Add:       y = a + b + ...        dy/da = 1
    Subtract:  y = a - b              dy/da = 1, dy/db = -1
    Multiply:  y = a * b * ...        dy/da = b * ...  (the product of the others)
    Average:   y = (a + b + ...) / n  dy/da = 1/n
    Concatenate(axis): the pieces side by side; dy is split back into them.

Masks: the elementwise layers AND the input masks; Concatenate concatenates them (as Keras).
"""
from __future__ import annotations

import functools
from typing import Any


from minitf.keras.layers.layer import Layer
from minitf.ops import creation as C
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor


def _broadcast_shape(layer: Layer, shapes: list) -> tuple:
    """The broadcast of the input shapes, as Keras computes it (an unknown size stays unknown)."""
    out = tuple(shapes[0])
    for shape in shapes[1:]:
        shape = tuple(shape)
        if len(shape) > len(out):
            out, shape = shape, out
        merged = list(out[:len(out) - len(shape)])
        for a, b in zip(out[len(out) - len(shape):], shape):
            if a is None or b is None:
                merged.append(None)
            elif a == 1:
                merged.append(b)
            elif b == 1 or a == b:
                merged.append(a)
            else:
                raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}): inputs have incompatible shapes. "
                                 f"Received shapes {[tuple(s) for s in shapes]}")
        out = tuple(merged)
    return out


class _Merge(Layer):
    """Base of the merge layers: checks the input list, combines with ``_merge``."""

    _min_inputs = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_list(self, inputs: Any) -> None:
        if not isinstance(inputs, (list, tuple)) or (inputs and not all(
                isinstance(x, (list, tuple)) or hasattr(x, "shape") for x in inputs)):
            raise ValueError(f"A merge layer ({type(self).__name__} '{self.name}') should be called on a list of "
                             f"inputs. Received: inputs={inputs!r} (not a list of tensors)")
        if len(inputs) < self._min_inputs:
            raise ValueError(f"A merge layer ({type(self).__name__} '{self.name}') should be called on a list of "
                             f"at least {self._min_inputs} input(s). Got {len(inputs)} inputs.")

    def build(self, input_shape) -> None:
        self._check_list(input_shape)
        self._output_shape(input_shape)  # validates the shapes

    def _output_shape(self, shapes: list) -> tuple:
        return _broadcast_shape(self, shapes)

    def call(self, inputs):
        self._check_list(inputs)
        return self._merge(list(inputs))

    def _merge(self, inputs: list) -> Tensor:
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        return self._output_shape(input_shape)

    def compute_mask(self, inputs, mask=None):
        """As Keras 3.15's merge layers: no mask if any input has none, else the OR of the masks (a
        position counts if any input has it). So ``Add()([x, attention(x, x)])``, where the attention
        consumed x's mask, passes no mask on."""
        if mask is None or any(m is None for m in mask):
            return None
        masks = [convert_to_tensor(m) for m in mask]
        out = masks[0]
        for m in masks[1:]:
            out = E.logical_or(out, m)  # (broadcasting, as Keras's ops.logical_or)
        return out


class Add(_Merge):
    """Elementwise sum of the inputs."""

    def _merge(self, inputs):
        return functools.reduce(E.add, inputs)


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    _min_inputs = 2

    def _check_list(self, inputs):
        super()._check_list(inputs)
        if len(inputs) != 2:
            raise ValueError(f"A `Subtract` layer ('{self.name}') should be called on exactly 2 inputs. "
                             f"Received: {len(inputs)} inputs")

    def _merge(self, inputs):
        return E.subtract(inputs[0], inputs[1])


class Multiply(_Merge):
    """Elementwise product of the inputs."""

    def _merge(self, inputs):
        return functools.reduce(E.multiply, inputs)


class Average(_Merge):
    """Elementwise mean of the inputs: (sum of them) / n."""

    def _merge(self, inputs):
        return E.divide(functools.reduce(E.add, inputs), float(len(inputs)))


class Maximum(_Merge):
    """Elementwise maximum of the inputs."""

    def _merge(self, inputs):
        return functools.reduce(E.maximum, inputs)


class Minimum(_Merge):
    """Elementwise minimum of the inputs."""

    def _merge(self, inputs):
        return functools.reduce(E.minimum, inputs)


class Concatenate(_Merge):
    """The inputs joined along ``axis`` (default -1, the features); other sizes must match."""

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _output_shape(self, shapes: list) -> tuple:
        shapes = [tuple(s) for s in shapes]
        ranks = {len(s) for s in shapes}
        bad = len(ranks) != 1
        out = None
        if not bad:
            rank = ranks.pop()
            axis = self.axis % rank if -rank <= self.axis < rank else None
            if axis is None:
                raise ValueError(f"Layer '{self.name}' (Concatenate): axis {self.axis} is out of range for inputs "
                                 f"of rank {rank}. Received: input_shape={shapes}")
            out = list(shapes[0])
            for s in shapes[1:]:
                for i, (a, b) in enumerate(zip(out, s)):
                    if i == axis:
                        out[i] = None if a is None or b is None else a + b
                    elif a is not None and b is not None and a != b:
                        bad = True
                    elif a is None:
                        out[i] = b
        if bad:
            raise ValueError(f"A `Concatenate` layer ('{self.name}') requires inputs with matching shapes except "
                             f"for the concatenation axis. Received: input_shape={shapes}")
        return tuple(out)

    def _merge(self, inputs):
        self._output_shape([tuple(x.shape) for x in inputs])
        dtype = inputs[0].dtype
        inputs = [x if x.dtype == dtype else S.cast(x, dtype) for x in inputs]
        return S.concat(inputs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        pieces = []
        for x, m in zip(inputs, mask):
            if m is None:
                pieces.append(C.ones_like(x, dtype="bool"))
                continue
            m = convert_to_tensor(m)
            if m.ndim < x.ndim:
                m = E.logical_and(S.expand_dims(m, -1), C.ones_like(x, dtype="bool"))  # broadcast to x's shape
            pieces.append(m)
        return R.reduce_any(S.concat(pieces, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


def add(inputs: list, **kwargs) -> Any:
    """Functional form of ``Add()(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs) -> Any:
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs) -> Any:
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs) -> Any:
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs) -> Any:
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs) -> Any:
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs) -> Any:
    return Concatenate(axis=axis, **kwargs)(inputs)
