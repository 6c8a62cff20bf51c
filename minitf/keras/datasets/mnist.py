"""``tf.keras.datasets.mnist``: 28x28 handwritten digits, from Keras's cached ``mnist.npz``."""
import numpy as np

from minitf.keras.datasets._cache import cached


def load_data(path: str = "mnist.npz"):
    """((x_train, y_train), (x_test, y_test)): uint8 (60000, 28, 28), (60000,) and 10000 test images."""
    with np.load(cached(path), allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
