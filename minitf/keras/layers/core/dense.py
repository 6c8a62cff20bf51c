"""Dense: the fully connected layer, ``y = activation(x @ kernel + bias)``.

Shapes: kernel (input_dim, units), bias (units,). x may have any rank >= 2: the product is
over the last axis, so (batch, time, input_dim) gives (batch, time, units), as in Keras.

Its gradients come from the ops it is made of: for z = x @ W + b and upstream dz,

    dx = dz @ W^T        dW = x^T @ dz        db = sum of the rows of dz

(``MatMul`` and ``AddV2`` in ``minitf/ops``; the bias's sum is ``unbroadcast``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras import activations, constraints, initializers, regularizers
from minitf.keras.layers.activations.activation import apply_activation
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.saving.serialization import serialize_keras_object
from minitf.ops import elementwise as E
from minitf.ops import linalg as L
from minitf.ops import shape_ops as S


class Dense(Layer):
    """Densely connected layer: ``activation(dot(inputs, kernel) + bias)``.

    Weights (``get_weights()`` order): ``[kernel (input_dim, units), bias (units,)]``;
    ``use_bias=False`` leaves out the bias. Defaults: glorot_uniform kernel, zeros bias.
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, quantization_config: Any = None,
                 **kwargs):
        if quantization_config is not None:
            raise NotImplementedError(f"Dense: quantized layers are not implemented in minitf "
                                      f"(quantization_config={quantization_config!r})")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Layer '{self.name}': the last dimension of the input must be known to build a "
                             f"Dense layer; received input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs, training=None):
        if inputs._value.dtype.kind != "f":  # Keras promotes integer inputs to the float type
            inputs = S.cast(inputs, self.kernel.dtype)
        x = L.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = E.add(x, self.bias)
        return apply_activation(self.activation, x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "quantization_config": None,
        })
        return config
