"""``tf.keras.datasets.reuters``: refused (Keras's file is a pickle); see the package docstring."""
from minitf.keras.datasets._cache import refuse


def load_data(*args, **kwargs):
    refuse("reuters")
