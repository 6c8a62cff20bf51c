"""Sequential: a plain stack of layers, each feeding the next.

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(10, activation="relu"),
                              keras.layers.Dense(1)])

The input shape can come from ``keras.Input`` (first item), from ``input_shape=`` on the first
layer (Keras still accepts it, with a warning), from ``model.build((None, 2))``, or from the
first batch of data the model sees (then the model is built lazily on that call). Once the
input shape is known, a functional graph is built behind the scenes (``_functional``), giving
output shapes for the summary, ``model.inputs``/``outputs`` and a saved config; running the
model simply calls the layers one after the other.
"""
from __future__ import annotations

import warnings
from typing import Any

from minitf.keras.engine.keras_tensor import KerasTensor
from minitf.keras.engine.model import Model
from minitf.keras.layers.core.input_layer import InputLayer
from minitf.keras.layers.layer import Layer, _plain_shape
from minitf.tensor import Tensor


class Sequential(Model):
    """A linear stack of layers: ``Sequential([layer1, layer2, ...])`` or ``.add(layer)``."""

    def __init__(self, layers: list | None = None, trainable: bool = True, name: str | None = None):
        super().__init__(trainable=trainable, name=name)
        self._functional = None
        self._stack: list[Layer] = []
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise ValueError(f"Sequential: `layers` must be a list of layers, got {type(layers).__name__}")
        for layer in layers or []:
            self.add(layer, rebuild=False)
        if self._stack:
            self._maybe_rebuild()

    # ---- the stack ----
    @property
    def _layers(self) -> list[Layer]:
        return list(self._stack)

    @property
    def layers(self) -> list[Layer]:
        """The layers added, without the InputLayer at the bottom."""
        stack = self._stack
        return stack[1:] if stack and isinstance(stack[0], InputLayer) else list(stack)

    @layers.setter
    def layers(self, _value):
        raise AttributeError("`Sequential.layers` attribute is reserved and should not be used. Use `add()` and "
                             "`pop()` to change the layers in this model.")

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Put ``layer`` (or a ``keras.Input`` tensor) on top of the stack."""
        if not self._stack and getattr(layer, "_input_shape_arg", None) is not None:
            warnings.warn("Do not pass an `input_shape`/`input_dim` argument to a layer. When using Sequential "
                          "models, prefer using an `Input(shape)` object as the first layer in the model instead.",
                          stacklevel=3)
            self.add(InputLayer(shape=layer._input_shape_arg), rebuild=False)
        if isinstance(layer, KerasTensor) and layer._keras_history is not None and \
                isinstance(layer._keras_history.operation, InputLayer):
            layer = layer._keras_history.operation
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential model. Received: {layer!r} "
                             f"(of type {type(layer).__name__})")
        for existing in self._stack:
            if existing.name == layer.name and existing is not layer:
                raise ValueError(f"All layers added to a Sequential model should have unique names. Name "
                                 f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                                 "argument to pass a unique name.")
        if isinstance(layer, InputLayer) and self._stack and isinstance(self._stack[0], InputLayer):
            raise ValueError(f"Sequential model '{self.name}' has already been configured to use input shape "
                             f"{self._stack[0].batch_shape}. You cannot add a different Input layer to it.")
        self._stack.append(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self.built = False
            self._functional = None

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the top layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self.built = False
        self._functional = None
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        self.built = False
        self._functional = None
        if self._stack and isinstance(self._stack[0], InputLayer) and len(self._stack) > 1:
            self._build_graph(self._stack[0].batch_shape)

    # ---- building ----
    def build(self, input_shape=None) -> None:
        """Build for inputs of ``input_shape`` (with the batch dimension, e.g. ``(None, 2)``)."""
        if input_shape is None:
            raise ValueError(f"Sequential model '{self.name}': build() needs an input_shape, e.g. (None, 2)")
        if not self._stack:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no layers. "
                             "Call `model.add(layer)`.")
        self._build_graph(tuple(input_shape))

    def _build_graph(self, input_shape: tuple) -> None:
        input_shape = _plain_shape(tuple(input_shape))
        if isinstance(self._stack[0], InputLayer):
            if tuple(self._stack[0].batch_shape) != tuple(input_shape):
                raise ValueError(f"Sequential model '{self.name}' has already been configured to use input shape "
                                 f"{self._stack[0].batch_shape}. You cannot build it with input_shape {input_shape}")
        else:
            self._stack.insert(0, InputLayer(batch_shape=input_shape, dtype=self._stack[0].dtype))
        from minitf.keras.engine.functional import Functional
        x = inputs = self._stack[0].output
        for layer in self._stack[1:]:
            x = layer(x)
        self._functional = Functional(inputs=inputs, outputs=x)
        self._build_input_shape = input_shape
        self.built = True

    def _maybe_build(self, first: Any) -> None:
        if isinstance(first, (Tensor, KerasTensor)) and self._stack:
            self._build_graph(tuple(first.shape))
        else:
            self.built = True

    # ---- running ----
    def call(self, inputs, training=None, mask=None):
        if isinstance(inputs, dict):  # else the first layer fails on it with a bare AttributeError
            raise ValueError(f"The structure of `inputs` doesn't match the expected structure: Sequential model "
                             f"'{self.name}' takes one tensor, got a dict with keys {sorted(inputs)}. Pass the array "
                             "itself, or use a functional model with named inputs.")
        functional = self._functional
        if functional is not None and isinstance(inputs, Tensor) and len(functional._inputs) == 1:
            ref = functional._inputs[0]
            value = inputs._value
            if value.ndim != len(ref.shape) or (value.dtype.kind == "f" and value.dtype != ref.np_dtype):
                inputs = functional._standardize_inputs(inputs)[0]
        for layer in self.layers:
            inputs = layer(inputs)
        return inputs

    # ---- graph facts ----
    def _graph(self, what: str):
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")
        return self._functional

    @property
    def inputs(self):
        return self._graph("inputs").inputs

    @property
    def outputs(self):
        return self._graph("outputs").outputs

    @property
    def input(self):
        return self._graph("input").input

    @property
    def output(self):
        return self._graph("output").output

    @property
    def input_shape(self):
        return self._graph("input shape").input_shape

    @property
    def output_shape(self):
        return self._graph("output shape").output_shape

    @property
    def output_names(self) -> list[str]:
        return [self.layers[-1].name] if self.layers else []

    @property
    def input_dtype(self) -> str:
        if self._stack and isinstance(self._stack[0], InputLayer):
            return self._stack[0].dtype
        return self._dtype

    # ---- config ----
    def get_config(self) -> dict:
        from minitf.keras.saving.serialization import dtype_policy_config, serialize_keras_object
        config = {"name": self.name, "trainable": self.trainable, "dtype": dtype_policy_config(self._dtype_policy.name),
                  "layers": [serialize_keras_object(layer) for layer in self._stack]}
        if self._functional is not None:
            config["build_input_shape"] = list(self._stack[0].batch_shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Sequential":
        from minitf.keras.saving.serialization import deserialize_keras_object
        if "layers" not in config:
            raise ValueError("A Sequential model configuration must be a dictionary containing the 'name' and "
                             f"'layers' keys. Received: config={config}")
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config["layers"]:
            layer = deserialize_keras_object(entry, custom_objects, what="layer")
            model.add(layer, rebuild=False)
        if model._stack and isinstance(model._stack[0], InputLayer) and len(model._stack) > 1:
            model._maybe_rebuild()
        elif config.get("build_input_shape") and model._stack:
            model.build(tuple(config["build_input_shape"]))
        return model
