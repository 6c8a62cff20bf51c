"""``clone_model``: a new model with the same architecture and NEW weights (not copied).

Built from the model's config, as Keras does: each layer is recreated with ``from_config``, so
its weights are initialized afresh. Copy them yourself if you want them:
``clone.set_weights(model.get_weights())``. ``clone_function(layer) -> new layer`` lets you
change layers on the way (Sequential and functional models).
"""
from __future__ import annotations

from typing import Any, Callable

from minitf.keras.engine.functional import Functional
from minitf.keras.engine.model import Model
from minitf.keras.engine.sequential import Sequential
from minitf.keras.layers.core.input_layer import InputLayer


def _default_clone(layer):
    return type(layer).from_config(layer.get_config())


def clone_model(model: Model, input_tensors: Any = None, clone_function: Callable | None = None,
                call_function: Callable | None = None, recursive: bool = False, **kwargs) -> Model:
    """A copy of ``model``'s architecture with freshly initialized weights."""
    if kwargs:
        raise ValueError(f"Unexpected keyword arguments: {sorted(kwargs)}")
    clone_function = clone_function or _default_clone
    if isinstance(model, Sequential):
        layers = [layer if isinstance(layer, InputLayer) else clone_function(layer) for layer in model._stack]
        layers = [InputLayer.from_config(layer.get_config()) if isinstance(layer, InputLayer) else layer
                  for layer in layers]
        clone = Sequential(layers, name=model.name, trainable=model.trainable)
        if not clone.built and model._build_input_shape is not None and model.built:
            clone.build(model._build_input_shape)
        return clone
    if isinstance(model, Functional):
        if input_tensors is not None or call_function is not None:
            raise NotImplementedError("clone_model: input_tensors/call_function are not supported in minitf")
        config = model.get_config()
        if clone_function is _default_clone:
            return Functional.from_config(config)
        new_layers = {layer.name: (layer if isinstance(layer, InputLayer) else clone_function(layer))
                      for layer in model.layers}
        from minitf.keras.saving.serialization import serialize_keras_object
        for entry in config["layers"]:
            rebuilt = serialize_keras_object(new_layers[entry["name"]])
            entry.update({"class_name": rebuilt["class_name"], "config": rebuilt["config"]})
        return Functional.from_config(config, custom_objects={type(l).__name__: type(l) for l in new_layers.values()})
    # A subclassed model: rebuild it from its config (needs get_config / auto-config).
    return type(model).from_config(model.get_config())
