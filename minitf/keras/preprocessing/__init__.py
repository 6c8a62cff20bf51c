"""``tf.keras.preprocessing``: Keras's older data tools, still used by the course.

* ``image``: ``ImageDataGenerator`` (augmented batches from folders or arrays), ``load_img``,
  ``img_to_array`` ... (``image.py``);
* ``image_dataset_from_directory``: a ``minitf.data.Dataset`` of images from class folders
  (``image_dataset.py``; also ``tf.keras.utils.image_dataset_from_directory``).

Submodules load on first use.
"""
import importlib as _importlib

_SUBMODULES = ("image", "dataset_utils")


def __getattr__(name: str):
    if name in _SUBMODULES:
        return _importlib.import_module(f"minitf.keras.preprocessing.{name}")
    if name == "image_dataset_from_directory":
        from minitf.keras.preprocessing.image_dataset import image_dataset_from_directory
        return image_dataset_from_directory
    raise AttributeError(f"module 'minitf.keras.preprocessing' has no attribute {name!r}")


__all__ = ["image", "image_dataset_from_directory"]
