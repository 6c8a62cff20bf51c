"""EinsumDense: a Dense layer whose product is any einsum, ``y = activation(einsum(equation, x, kernel) + bias)``.

The equation names the input's axes, the kernel's and the output's, e.g.

    "ab,bc->ac"        Dense: kernel (b, c)
    "abc,cde->abde"    each time step to (heads, size): kernel (c, d, e), what MultiHeadAttention projects with
    "...b,bc->...c"    Dense on any number of leading axes

``output_shape`` gives the output's axes after the batch axis (None where the input says; an int for
one axis); the kernel's shape follows from it and the input's shape. ``bias_axes`` names the output
letters the bias runs along (shape: those sizes from the first of them to the end, 1 elsewhere).

Initial values: a variance-scaling initializer (glorot_uniform by default) counts its fans over the
kernel's axes that meet the input (fan_in) and those that reach the output (fan_out), as Keras 3.15
does: for kernel (c, d, e) of "abc,cde->abde", fan_in = c and fan_out = d * e.
The gradients are the einsum's (``minitf/ops/linalg.py``) and the add's.
LoRA and quantization (Keras's ``lora_rank``, ``quantization_config``) are not implemented.
"""
from __future__ import annotations

import re
from typing import Any

from minitf.keras import activations, constraints, initializers, regularizers
from minitf.keras.layers.activations.activation import apply_activation
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.saving.serialization import serialize_keras_object
from minitf.ops import elementwise as E
from minitf.ops import linalg as L
from minitf.ops import shape_ops as S

__all__ = ["EinsumDense"]


class EinsumDense(Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)``; weights ``[kernel, bias]`` (no bias without
    ``bias_axes``). See the module docstring."""

    def __init__(self, equation: str, output_shape, activation: Any = None, bias_axes: str | None = None,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, lora_rank=None, lora_alpha=None, gptq_unpacked_column_size=None,
                 quantization_config: Any = None, **kwargs):
        if lora_rank or quantization_config is not None or gptq_unpacked_column_size:
            raise NotImplementedError(f"EinsumDense: LoRA and quantized layers are not implemented in minitf "
                                      f"(lora_rank={lora_rank!r}, quantization_config={quantization_config!r})")
        super().__init__(**kwargs)
        if not isinstance(equation, str):
            raise ValueError(f"EinsumDense: `equation` must be a string such as 'ab,bc->ac'. "
                             f"Received: equation={equation!r}")
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank, self.lora_alpha, self.lora_enabled = None, None, False

    def build(self, input_shape) -> None:
        kernel_shape, bias_shape, _, input_axes, output_axes = _analyze_einsum_string(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape, self.name)
        if None in kernel_shape:
            raise ValueError(f"EinsumDense '{self.name}': the kernel's shape {tuple(kernel_shape)} is not fully known "
                             f"from input_shape={tuple(input_shape)} and output_shape={self.partial_output_shape}")
        self.input_spec = InputSpec(ndim=len(input_shape))
        kernel_initializer = self.kernel_initializer
        if isinstance(kernel_initializer, initializers.VarianceScaling) and (
                kernel_initializer.input_axes is None or kernel_initializer.output_axes is None):
            # Keras 3.15 counts the fans over the kernel's input and output axes (a copy; the config keeps the original)
            config = {**kernel_initializer.get_config(), "input_axes": input_axes, "output_axes": output_axes}
            kernel_initializer = type(kernel_initializer).from_config(config)
        self.kernel = self.add_weight(name="kernel", shape=tuple(kernel_shape), initializer=kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(bias_shape), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def call(self, inputs, training=None):
        if inputs.dtype != self.kernel.dtype:  # Keras computes in the kernel's (compute) float type
            inputs = S.cast(inputs, self.kernel.dtype)
        x = L.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = E.add(x, self.bias)
        return apply_activation(self.activation, x)

    def compute_output_shape(self, input_shape):
        return tuple(_analyze_einsum_string(self.equation, self.bias_axes, tuple(input_shape),
                                            self.partial_output_shape, self.name)[2])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "quantization_config": None,
        })
        return config


def _analyze_einsum_string(equation: str, bias_axes, input_shape: tuple, output_shape, layer_name: str = ""):
    """(kernel_shape, bias_shape or None, full output shape, kernel's input axes, kernel's output axes),
    as Keras's ``einsum_dense._analyze_einsum_string``: "..." may stand first or last in the input and output."""
    dot_replaced = re.sub(r"\.\.\.", "0", equation)
    forms = (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),       # no ellipsis
             ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),      # leading "..."
             ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False))  # trailing "..."
    for pattern, left_elided in forms:
        split = re.match(pattern, dot_replaced)
        if split:
            return _analyze_split_string(split, bias_axes, input_shape, output_shape, left_elided, layer_name)
    raise ValueError(f"EinsumDense '{layer_name}': invalid einsum equation '{equation}'. Equations must be in "
                     "the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _analyze_split_string(split, bias_axes, input_shape, output_shape, left_elided, layer_name):
    input_spec, weight_spec, output_spec = split.group(1), split.group(2), split.group(3)
    elided = len(input_shape) - len(input_spec)
    if elided < 0:
        raise ValueError(f"EinsumDense '{layer_name}': the equation's input '{input_spec}' names {len(input_spec)} "
                         f"axes, but the input has rank {len(input_shape)} (input_shape={input_shape})")
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        output_shape.extend(input_shape[len(input_shape) - elided:])

    if left_elided:  # input axes counted from the end, output axes after the elided ones
        input_dim_map = {dim: (i + elided) - len(input_shape) for i, dim in enumerate(input_spec)}
        output_dim_map = {dim: i + elided for i, dim in enumerate(output_spec)}
    else:
        input_dim_map = {dim: i for i, dim in enumerate(input_spec)}
        output_dim_map = {dim: i for i, dim in enumerate(output_spec)}
    if len(output_shape) != len(output_spec) + (elided if elided > 0 else 0):
        raise ValueError(f"EinsumDense '{layer_name}': output_shape gives {len(output_shape) - 1} axes after the "
                         f"batch axis, but the equation's output '{output_spec}' has {len(output_spec) - 1}")

    for dim in input_spec:
        input_size = input_shape[input_dim_map[dim]]
        if dim in output_dim_map:
            output_size = output_shape[output_dim_map[dim]]
            if output_size is not None and output_size != input_size:
                raise ValueError(f"EinsumDense '{layer_name}': input shape and output shape do not match at shared "
                                 f"dimension '{dim}'. Input shape is {input_size}, and output shape is {output_size}.")
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(f"EinsumDense '{layer_name}': dimension '{dim}' was specified in the output "
                             f"'{output_spec}' but has no corresponding dim in the input spec '{input_spec}' or "
                             f"weight spec '{weight_spec}'")

    weight_shape, input_axes, output_axes = [], [], []
    for i, dim in enumerate(weight_spec):
        if dim in output_dim_map:
            weight_shape.append(output_shape[output_dim_map[dim]])
            output_axes.append(i)
        elif dim in input_dim_map:
            weight_shape.append(input_shape[input_dim_map[dim]])
            input_axes.append(i)
        else:
            raise ValueError(f"EinsumDense '{layer_name}': weight dimension '{dim}' did not have a match in either "
                             f"the input spec '{input_spec}' or the output spec '{output_spec}'. For this layer, the "
                             "weight must be fully specified.")

    bias_shape = None
    if bias_axes is not None:
        num_left_elided = elided if left_elided else 0
        idx_map = {char: output_shape[i + num_left_elided] for i, char in enumerate(output_spec)}
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError(f"EinsumDense '{layer_name}': bias dimension '{char}' was requested, but is not "
                                 f"part of the output spec '{output_spec}'")
        first_bias_location = min(output_spec.find(char) for char in bias_axes)
        bias_shape = [idx_map[char] if char in bias_axes else 1 for char in output_spec[first_bias_location:]]
        if not left_elided:
            bias_shape.extend([1] * elided)
    return weight_shape, bias_shape, output_shape, input_axes, output_axes
