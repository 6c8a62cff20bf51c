"""``minitf.keras.layers``, as ``tf.keras.layers``: one file per layer (or per small family).

The base class and the core layers are imported by name below. Every other module or package
in this folder (convolution, pooling, normalization, recurrent, embedding, preprocessing ...)
is found automatically and its ``__all__`` re-exported, so a new layer file needs no edit here:
give it an ``__all__`` listing its public names. Files starting with ``_`` are private.
"""
import importlib as _importlib
import pkgutil as _pkgutil

from minitf.keras.layers.activation import Activation
from minitf.keras.layers.dense import Dense
from minitf.keras.layers.dropout import Dropout
from minitf.keras.layers.flatten import Flatten
from minitf.keras.layers.input_layer import Input, InputLayer
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.lambda_layer import Lambda
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add, average,
                                         concatenate, maximum, minimum, multiply, subtract)
from minitf.keras.layers.preprocessing_normalization import Normalization
from minitf.keras.layers.rescaling import Rescaling
from minitf.keras.layers.reshape import Reshape

# Modules above (and internal helpers) that are not scanned for an __all__.
_CORE = {"activation", "dense", "dropout", "flatten", "input_layer", "input_spec", "lambda_layer", "layer",
         "merging", "preprocessing_normalization", "rescaling", "reshape", "op_layer"}


def _export_layer_files() -> list:
    """Import every other public module/package here and re-export the names in its ``__all__``."""
    exported = []
    for info in _pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name in _CORE:
            continue
        module = _importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "__all__", ()):
            if name in globals() and globals()[name] is not getattr(module, name):
                raise ImportError(f"minitf.keras.layers: '{name}' from {info.name}.py would replace the "
                                  f"'{name}' already exported by another layer file")
            globals()[name] = getattr(module, name)
            exported.append(name)
    return exported


__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Flatten", "Reshape", "Dropout",
           "Lambda", "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Rescaling",
           "Normalization", "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate"]
__all__ += _export_layer_files()
