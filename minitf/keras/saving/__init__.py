"""``minitf.keras.saving``: models saved and loaded in Keras 3's own files (``tf.keras.saving``).

``model.save("m.keras")`` writes the zip Keras 3 writes (``config.json``, ``metadata.json``,
``model.weights.h5`` in Keras's HDF5 layout); ``model.save_weights("w.weights.h5")`` the HDF5
file alone. TensorFlow's ``keras.models.load_model`` reads them, and minitf reads Keras's. Loading
runs no code from the file (see ``serialization``); every size is checked before it is read (see
``saving_lib``); saves are atomic (see ``file_io``).
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
           "save_model", "load_model", "save_weights", "load_weights", "SavedModelError"]
