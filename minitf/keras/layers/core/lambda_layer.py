"""Lambda: wrap any function of tensors as a layer, ``Lambda(lambda x: x ** 2)``.

The function gets ``mask=`` and ``training=`` only if it declares them. A Lambda layer can be
saved only when its function is a *named* function that loading can find by name (in
``custom_objects`` or registered with ``register_keras_serializable``): a saved model never
carries code, so an anonymous ``lambda`` cannot be saved (Keras 3 refuses to load one by
default, too).
"""
from __future__ import annotations

import inspect
from typing import Callable

from minitf.keras.layers.layer import Layer


class Lambda(Layer):
    """``function(inputs, **arguments)`` as a layer."""

    def __init__(self, function: Callable, output_shape=None, mask=None, arguments: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda: `function` must be callable, got {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_takes_mask = "mask" in params
        self._fn_takes_training = "training" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is not None and not callable(self._output_shape):
            from minitf.keras.engine.keras_tensor import KerasTensor
            first = args[0]
            batch = first.shape[0] if hasattr(first, "shape") else (first[0].shape[0] if first else None)
            return KerasTensor((batch,) + tuple(self._output_shape), dtype=self.compute_dtype)
        return super().compute_output_spec(*args, **kwargs)

    def get_config(self) -> dict:
        from minitf.keras.saving.serialization import serialize_keras_object
        config = super().get_config()
        config.update({"function": serialize_keras_object(self.function),
                       "arguments": serialize_keras_object(self.arguments),
                       "output_shape": self._output_shape if not callable(self._output_shape) else None})
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Lambda":
        from minitf.keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        config["function"] = deserialize_keras_object(config["function"], custom_objects=custom_objects,
                                                      what="Lambda function")
        if config.get("output_shape") is not None:
            config["output_shape"] = tuple(config["output_shape"])
        return cls(**config)
