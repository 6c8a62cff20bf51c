"""TimeDistributed (``keras.layers.TimeDistributed``): the same layer applied at every time step.

For an input of shape (batch, timesteps, ...), ``TimeDistributed(layer)`` calls ``layer`` on
each slice x[:, t] (shape (batch, ...)) and stacks the results back along axis 1. One set of
weights serves every step. As in Keras, each step is a separate call of the inner layer (so a
BatchNormalization inside sees per-step batch statistics). A custom inner layer needs no
``compute_output_shape``: its output shape is found by calling it on one placeholder time step.
"""
from __future__ import annotations

from minitf.keras.engine.keras_tensor import KerasTensor
from minitf.keras.layers.core.wrapper import Wrapper
from minitf.keras.layers.layer import Layer
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor


class TimeDistributed(Wrapper):
    """Applies ``layer`` to every temporal slice of a (batch, timesteps, ...) input (its config: ``Wrapper``'s)."""

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_input_shape(self, input_shape) -> tuple:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                             f"dimensions (batch, timesteps, ...), received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape) -> None:
        child = self._child_input_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer.build(child)

    def compute_output_shape(self, input_shape):
        child_input = self._child_input_shape(tuple(input_shape))
        if type(self.layer).compute_output_shape is Layer.compute_output_shape:
            child_output = self._probe_child_output_shape(child_input)
        else:
            child_output = self.layer.compute_output_shape(child_input)
        return (child_output[0], input_shape[1], *child_output[1:])

    def _probe_child_output_shape(self, child_input: tuple) -> tuple:
        """The inner layer's output shape for one time step, found by calling it on placeholder data
        (``Layer.compute_output_spec``'s way), for layers without ``compute_output_shape`` (custom ones).

        Keras builds such a model when it runs on data (a Sequential, ``fit``), but a functional call
        raises NotImplementedError there; minitf infers the shape in both cases.
        """
        placeholder = KerasTensor(child_input, dtype=self.compute_dtype)
        if not self.layer.built:
            self.layer._maybe_build(placeholder)
        spec = self.layer._probe_output_spec((placeholder,), {})
        if not isinstance(spec, KerasTensor):
            raise NotImplementedError(f"TimeDistributed({type(self.layer).__name__}): the wrapped layer returns "
                                      f"{type(spec).__name__}, not one tensor; TimeDistributed stacks one output "
                                      "per time step.")
        return tuple(spec.shape)

    def call(self, inputs, training=None, mask=None) -> Tensor:
        x = convert_to_tensor(inputs)
        self._child_input_shape(tuple(x.shape))
        if mask is not None:
            mask_shape = tuple(mask.shape)
            if len(mask_shape) < 2 or mask_shape[:2] != tuple(x.shape[:2]):
                raise ValueError(f"The `mask` passed to the `TimeDistributed` layer has a shape {mask_shape} that is "
                                 f"incompatible with the input shape {tuple(x.shape)}: its first two dimensions "
                                 f"(batch size and timesteps) must match the input's.")
        kwargs = {}
        if self.layer._call_has_training_arg and training is not None:
            kwargs["training"] = training
        outputs = []
        for t, x_t in enumerate(S.unstack(x, axis=1)):  # one op for all slices (its gradient is one stack)
            if self.layer._call_has_mask_arg and mask is not None:
                kwargs["mask"] = mask[:, t]
            outputs.append(self.layer.call(x_t, **kwargs))
        return S.stack(outputs, axis=1)
