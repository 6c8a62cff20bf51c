"""``minitf.keras.saving``: save and load models as plain data (``tf.keras.saving``).

A saved model is ONE zip file holding ``config.json`` (the architecture and compile settings),
``model.weights.npz`` and ``optimizer.npz`` (arrays, read with ``allow_pickle=False``) and
``metadata.json``. Loading runs no code from the file. See ``saving_lib`` for the format.
"""
from minitf.keras.saving.object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                                     get_registered_name, get_registered_object,
                                                     register_keras_serializable)
from minitf.keras.saving.serialization import deserialize_keras_object, serialize_keras_object


def __getattr__(name: str):
    # saving_lib imports the models; load it on first use to keep imports acyclic.
    if name in ("save_model", "load_model", "save_weights", "load_weights", "SavedModelError"):
        from minitf.keras.saving import saving_lib
        return getattr(saving_lib, name)
    raise AttributeError(f"module 'minitf.keras.saving' has no attribute {name!r}")


__all__ = ["register_keras_serializable", "get_registered_name", "get_registered_object", "get_custom_objects",
           "custom_object_scope", "CustomObjectScope", "serialize_keras_object", "deserialize_keras_object",
           "save_model", "load_model"]
