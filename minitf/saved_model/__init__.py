"""``tf.saved_model``: save a module's variables and traced functions as data, load them back.

    tf.saved_model.save(module, "path")        # variables + every trace of its tf.functions
    loaded = tf.saved_model.load("path")       # attributes, variables and functions restored
    loaded(x); loaded.signatures["serving_default"](x=x)

See ``save.py`` (what is written), ``load.py`` (what comes back) and ``graph_codec.py`` (a graph
as JSON). minitf writes its own format (JSON + NumPy arrays), not TF's protocol buffers.
"""
from minitf.saved_model.graph_codec import FileFormatError, SaveError
from minitf.saved_model.load import load
from minitf.saved_model.save import DEFAULT_SIGNATURE_KEY, save

SERVING = "serve"

__all__ = ["save", "load", "DEFAULT_SIGNATURE_KEY", "SERVING", "FileFormatError", "SaveError"]
