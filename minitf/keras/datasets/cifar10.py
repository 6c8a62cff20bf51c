"""``tf.keras.datasets.cifar10``: refused (Keras's file is a pickle); see the package docstring."""
from minitf.keras.datasets._cache import refuse


def load_data(*args, **kwargs):
    refuse("cifar10")
