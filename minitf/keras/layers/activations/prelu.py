"""PReLU: a leaky rectifier whose slope is learned, one slope per input cell (or shared).

    f(x) = relu(x) - alpha * relu(-x)        (x for x >= 0, alpha * x below)

``alpha`` has the input's shape without the batch axis, with size 1 along ``shared_axes``
(e.g. ``shared_axes=[1, 2]`` after a Conv2D: one slope per channel). Its gradient is
``-relu(-x)``, summed over the batch and the shared axes (the broadcast of alpha).
"""
from __future__ import annotations

from minitf.keras import activations, constraints, initializers, regularizers
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.saving.serialization import serialize_keras_object

__all__ = ["PReLU"]


class PReLU(Layer):
    """Parametric ReLU with the weight ``alpha`` (initially zeros: a plain ReLU). Output shape = input shape."""

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape) -> None:
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            param_shape[axis - 1] = 1
        self.alpha = self.add_weight(shape=param_shape, name="alpha", initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={i: input_shape[i] for i in range(1, len(input_shape))
                                                                 if i not in (self.shared_axes or ())})

    def call(self, inputs):
        positive = activations.relu(inputs)
        negative = -self.alpha * activations.relu(-inputs)
        return positive + negative

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": serialize_keras_object(self.alpha_regularizer),
            "alpha_constraint": serialize_keras_object(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
