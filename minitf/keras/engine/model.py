"""Model: a Layer that can be trained (``compile``/``fit``/``evaluate``/``predict``), saved and summarized.

Three ways to make one, as in Keras:

* ``keras.Sequential([...])``: a stack of layers (see ``sequential.py``);
* ``keras.Model(inputs, outputs)``: a graph of layer calls (returns a ``Functional``);
* subclassing: write ``__init__`` (create layers as attributes) and ``call``: see below. A
  subclass may also be built like a functional model, ``MyModel(inputs, outputs)`` (how Keras's
  guide overrides ``train_step``): it then becomes a Functional with the subclass's methods on top
  (``_inject_functional``).

Subclassing::

      class MLP(keras.Model):
          def __init__(self):
              super().__init__()
              self.hidden = keras.layers.Dense(10, activation="relu")
              self.out = keras.layers.Dense(1)

          def call(self, x, training=False):
              return self.out(self.hidden(x))

The training methods live in ``trainer.py``; this file holds what every model has besides.
"""
from __future__ import annotations

from minitf.keras.engine.trainer import Trainer
from minitf.keras.layers.layer import Layer, default


def _is_functional_call(args: tuple, kwargs: dict) -> bool:
    return ("inputs" in kwargs and "outputs" in kwargs) or (len(args) == 2) or (len(args) == 1 and "outputs" in kwargs)


class Model(Trainer, Layer):
    """A trainable Layer: ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``, ``save``."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and _is_functional_call(args, kwargs):
            from minitf.keras.engine.functional import Functional
            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if type(self) is not Model and _is_functional_call(args, kwargs) and not _is_engine_class(type(self)):
            from minitf.keras.engine.functional import Functional
            _inject_functional(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        if args:
            raise TypeError(f"{type(self).__name__}: unexpected positional arguments {args!r}")
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype, **kwargs)
        Trainer.__init__(self)

    # ---- structure ----
    @property
    def layers(self) -> list[Layer]:
        """The model's layers (for a subclassed model: the layers assigned as its attributes)."""
        return list(self._layers)

    @layers.setter
    def layers(self, _value):
        raise AttributeError("`Model.layers` is read-only: add layers as attributes, or use Sequential.add()")

    def get_layer(self, name: str | int | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or the one at position ``index`` in ``model.layers``."""
        if isinstance(name, int) and index is None:
            name, index = None, name
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Model {type(self).__name__} does not have a `call()` method implemented: "
                                  "a subclassed Model must define call(self, inputs, training=None).")

    @default
    def build(self, input_shape=None) -> None:
        """Build a subclassed model by calling it once on zeros of ``input_shape`` (None = batch of 1)."""
        if self.built or input_shape is None:
            self.built = True
            return
        from minitf import array_backend as B
        from minitf.tensor import Tensor

        def zeros(shape):
            return Tensor(B.xp.zeros(tuple(1 if d is None else int(d) for d in shape), dtype=self._np_dtype))
        shapes = input_shape
        is_list = isinstance(shapes, list) and shapes and isinstance(shapes[0], (list, tuple))
        x = [zeros(s) for s in shapes] if is_list else zeros(shapes)
        self(x, training=False)
        self._build_input_shape = tuple(input_shape) if not is_list else [tuple(s) for s in input_shape]
        self.built = True

    # ---- summary ----
    def summary(self, line_length: int | None = None, positions=None, print_fn=None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range=None) -> None:
        """Print Keras's table of layers, output shapes and parameter counts."""
        from minitf.keras.engine.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable, layer_range=layer_range)

    # ---- saving ----
    def save(self, filepath: str, overwrite: bool = True, **kwargs) -> None:
        """Save architecture, weights, compile settings and optimizer state to one ``.keras`` file
        (Keras 3's format: TensorFlow's ``keras.models.load_model`` reads it)."""
        from minitf.keras.saving import saving_lib
        saving_lib.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath: str, overwrite: bool = True, max_shard_size=None) -> None:
        """Save the weights (and the optimizer's state, if built) to a ``.weights.h5`` file, Keras's HDF5 layout."""
        from minitf.keras.saving import saving_lib
        saving_lib.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath: str, skip_mismatch: bool = False, **kwargs) -> None:
        """Load weights saved by ``save_weights`` (or the weights of a ``.keras`` file), Keras's or minitf's."""
        from minitf.keras.saving import saving_lib
        if kwargs:
            raise ValueError(f"load_weights: arguments not recognized: {sorted(kwargs)}")
        saving_lib.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def export(self, filepath: str, format: str = "tf_saved_model", verbose: bool = True,  # noqa: A002
               input_signature=None, **kwargs) -> None:
        """A SavedModel for inference (``tf.saved_model.load(path).serve(x)``); see minitf.saved_model."""
        if format != "tf_saved_model":
            raise ValueError(f"Unrecognized format={format!r}: minitf exports 'tf_saved_model' only")
        if input_signature is not None:
            raise NotImplementedError("export: minitf exports the model's call on its Input shapes; "
                                      "input_signature is not supported")
        from minitf.saved_model.save import export
        export(self, filepath, verbose=verbose)

    def get_config(self) -> dict:
        from minitf.keras.saving.serialization import dtype_policy_config
        config = {"name": self.name, "trainable": self.trainable, "dtype": dtype_policy_config(self._dtype_policy.name)}
        # Keras fills in the arguments of a subclass's __init__ only where get_config is Model's own:
        # not for a subclass built as a Functional (Functional.get_config hands over to this one)
        if type(self).get_config is Model.get_config and not _is_engine_class(type(self)):
            if self._auto_config is None:
                raise NotImplementedError(
                    f"Model {type(self).__name__} was created by passing non-serializable argument values in "
                    "`__init__()`, and therefore the model must override `get_config()` in order to be "
                    "serializable. Please implement `get_config()`.")
            config.update(self._auto_config)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Model":
        from minitf.keras.engine.functional import Functional, functional_like_constructor
        # Keras: a functional model's config (layers and their connections) revives as a functional
        # model, also through keras.Model.from_config, and as a subclass built like one (its __init__
        # takes Functional's arguments, or *args and **kwargs) when the subclass is loaded
        is_functional_config = all(k in config for k in ("name", "layers", "input_layers", "output_layers"))
        if is_functional_config and (cls is Model or functional_like_constructor(cls)):
            return Functional.from_config.__func__(Functional if cls is Model else cls, config, custom_objects)
        return cls(**config)

    def to_json(self, **kwargs) -> str:
        import json

        from minitf.keras.saving.serialization import serialize_keras_object
        return json.dumps(serialize_keras_object(self), **kwargs)

    def get_weight_paths(self) -> dict:
        return {v.path: v for v in self.weights}


def _is_engine_class(cls: type) -> bool:
    return cls.__module__.startswith("minitf.keras.engine")


def _inject_functional(cls: type) -> type:
    """Keras's rule for ``class MyModel(keras.Model)`` built as ``MyModel(inputs, outputs)``: Model is
    replaced by Functional among the class's bases (and its bases' bases), once. The model then runs
    its graph of layers with Functional's ``call``, ``layers`` and config, and keeps the subclass's
    own methods (a custom ``train_step``) on top. Later instances of the class are Functionals too."""
    from minitf.keras.engine.functional import Functional
    if cls is Model:
        return Functional
    if cls is object or not issubclass(cls, Model) or issubclass(cls, Functional):
        return cls
    cls.__bases__ = tuple(_inject_functional(base) for base in cls.__bases__)
    return cls


__all__ = ["Model"]

