"""Wrapper (``keras.layers.Wrapper``): the base of layers that wrap another layer.

A wrapper holds the wrapped layer as ``self.layer`` (its weights are the wrapper's), builds it
with the wrapper's input shape unless the subclass says otherwise, and saves it inside its own
config under ``"layer"``, so that ``from_config`` rebuilds the pair. ``TimeDistributed`` is one;
a custom wrapper subclasses it and writes ``call``.
"""
from __future__ import annotations

from minitf.keras.layers.layer import Layer


class Wrapper(Layer):
    """Abstract base of wrappers: ``Wrapper(layer)``; subclasses write ``call``."""

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please ensure "
                             "wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)

    def get_config(self) -> dict:
        from minitf.keras.saving.serialization import serialize_keras_object
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        from minitf.keras import layers
        from minitf.keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects,
                                         module_objects=vars(layers), what="layer")
        return cls(layer, **config)
