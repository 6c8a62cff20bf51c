"""``tf.keras.applications``: ready-made architectures, as Keras 3.15 builds them. minitf provides
``MobileNetV2`` (``mobilenet_v2``) and ``imagenet_utils``. Nothing downloads: build with ``weights=None``,
or load a weights file Keras saved by passing its path as ``weights``."""
from minitf.keras.applications import imagenet_utils, mobilenet_v2
from minitf.keras.applications.mobilenet_v2 import MobileNetV2

__all__ = ["MobileNetV2", "imagenet_utils", "mobilenet_v2"]
