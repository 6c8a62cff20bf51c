"""``minitf.keras``, as ``tf.keras``: layers, models, training, callbacks and saving on minitf.

    import minitf as tf
    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=5)

Submodules load on first use (``tf.keras.layers``, ``tf.keras.callbacks`` ...), so importing
``minitf.keras`` stays quick.
"""
import importlib as _importlib

from minitf.keras import backend

_SUBMODULES = ("layers", "models", "callbacks", "losses", "metrics", "optimizers", "activations", "initializers",
               "regularizers", "utils", "saving", "engine", "constraints", "preprocessing", "datasets",
               "applications", "mixed_precision", "dtype_policies", "random")
_FROM = {"Input": "minitf.keras.layers", "InputSpec": "minitf.keras.layers", "Layer": "minitf.keras.layers",
         "Model": "minitf.keras.models", "Sequential": "minitf.keras.models",
         "KerasTensor": "minitf.keras.engine.keras_tensor", "DTypePolicy": "minitf.keras.dtype_policies"}


def __getattr__(name: str):
    if name in _FROM:
        return getattr(_importlib.import_module(_FROM[name]), name)
    if name in _SUBMODULES:
        try:
            return _importlib.import_module(f"minitf.keras.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"minitf.keras.{name}":
                raise AttributeError(f"module 'minitf.keras' has no attribute {name!r} (minitf does not provide "
                                     f"tf.keras.{name})") from None
            raise
    raise AttributeError(f"module 'minitf.keras' has no attribute {name!r}")


__all__ = ["backend", "Input", "InputSpec", "KerasTensor", "Layer", "Model", "Sequential", "DTypePolicy",
           # submodules, loaded on first use (_SUBMODULES)
           "layers", "models", "callbacks", "losses", "metrics", "optimizers", "activations", "initializers",
           "regularizers", "utils", "saving", "engine", "constraints", "preprocessing", "datasets", "applications",
           "mixed_precision", "dtype_policies", "random"]
