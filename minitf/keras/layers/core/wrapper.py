"""Wrapper (``keras.layers.Wrapper``): the base of layers that wrap another layer.

A wrapper holds the wrapped layer as ``self.layer`` (its weights are the wrapper's), builds it
with the wrapper's input shape unless the subclass says otherwise, and saves it inside its own
config under ``"layer"``, so that ``from_config`` rebuilds the pair. ``TimeDistributed`` is one;
a custom wrapper subclasses it and writes ``call``.
"""
from __future__ import annotations

from minitf.keras.layers.layer import Layer


def serialize_layer(layer: Layer) -> dict:
    """A layer's saved form ({"module", "class_name", "config", ...}): ``keras.layers.serialize``."""
    from minitf.keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(layer)


def deserialize_layer(config: dict, custom_objects: dict | None = None):
    """The object a saved layer config describes, its class looked up among the layers (and
    ``custom_objects``): ``keras.layers.deserialize`` without its check that a layer came out."""
    from minitf.keras import layers
    from minitf.keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, custom_objects=custom_objects, module_objects=vars(layers), what="layer")


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
        config = super().get_config()
        config["layer"] = serialize_layer(self.layer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        return cls(deserialize_layer(config.pop("layer"), custom_objects), **config)
