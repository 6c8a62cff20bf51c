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


class SaveOptions:
    """Options of ``save`` (``tf.saved_model.SaveOptions``), accepted for TF's code. minitf's saved graphs
    always keep each op's gradient (a ``tf.custom_gradient``'s too: its graphs are saved as data), so
    ``experimental_custom_gradients`` is what minitf does in any case; the other options concern TF's
    devices and protocol buffers."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_debug_stripper=False, experimental_io_device=None, experimental_variable_policy=None,
                 experimental_custom_gradients=True, experimental_image_format=False,
                 experimental_skip_saver=False, experimental_sharding_callback=None, extra_tags=None):
        self.namespace_whitelist = namespace_whitelist
        self.save_debug_info = save_debug_info
        self.function_aliases = dict(function_aliases or {})
        self.experimental_io_device = experimental_io_device
        self.experimental_variable_policy = experimental_variable_policy
        self.experimental_custom_gradients = experimental_custom_gradients
        self.experimental_image_format = experimental_image_format
        self.experimental_skip_saver = experimental_skip_saver
        self.extra_tags = extra_tags


class LoadOptions:
    """Options of ``load`` (``tf.saved_model.LoadOptions``), accepted for TF's code (they concern TF's
    devices and protocol buffers)."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):
        self.allow_partial_checkpoint = allow_partial_checkpoint
        self.experimental_io_device = experimental_io_device
        self.experimental_skip_checkpoint = experimental_skip_checkpoint
        self.experimental_variable_policy = experimental_variable_policy
        self.experimental_load_function_aliases = experimental_load_function_aliases


__all__ = ["save", "load", "DEFAULT_SIGNATURE_KEY", "SERVING", "FileFormatError", "SaveError", "SaveOptions",
           "LoadOptions"]
