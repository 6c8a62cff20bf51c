"""Lambda: wrap any function of tensors as a layer, ``Lambda(lambda x: x ** 2)``.

The function gets ``mask=`` and ``training=`` only if it declares them. Saving, as in Keras 3: a
*named* function is saved by name, and loading finds it in ``custom_objects`` (or the
``register_keras_serializable`` registry); a Python ``lambda`` is saved as its bytecode, with a
warning, and loading it runs code from the file, so ``load_model`` refuses it unless called with
``safe_mode=False``.
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
                       "arguments": serialize_keras_object(self.arguments)})
        # As Keras: output_shape and mask are stored when given, a function (lambda or named) like `function`.
        if self._output_shape is not None:
            config["output_shape"] = (serialize_keras_object(self._output_shape) if callable(self._output_shape)
                                      else self._output_shape)
        if self.mask is not None:
            config["mask"] = serialize_keras_object(self.mask)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Lambda":
        from minitf.keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        config["function"] = deserialize_keras_object(config["function"], custom_objects=custom_objects,
                                                      what="Lambda function")  # a stored lambda needs safe_mode off
        for key in ("output_shape", "mask"):
            value = config.get(key)
            if isinstance(value, dict) and "class_name" in value:  # a stored function (needs safe_mode off if a lambda)
                config[key] = deserialize_keras_object(value, custom_objects=custom_objects,
                                                       what=f"Lambda {key} function")
        if config.get("output_shape") is not None and not callable(config["output_shape"]):
            config["output_shape"] = tuple(config["output_shape"])
        return cls(**config)
