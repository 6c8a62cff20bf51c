"""``tf.keras.datasets.fashion_mnist``: 28x28 clothing images, from Keras's cached IDX files."""
import gzip

import numpy as np

from minitf.keras.datasets._cache import cached

_FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz"]


def _read(name: str, offset: int) -> np.ndarray:
    with gzip.open(cached("fashion-mnist", name), "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 (60000, 28, 28), (60000,) and 10000 test images."""
    y_train, x_train = _read(_FILES[0], 8), _read(_FILES[1], 16)
    y_test, x_test = _read(_FILES[2], 8), _read(_FILES[3], 16)
    return (x_train.reshape(len(y_train), 28, 28), y_train), (x_test.reshape(len(y_test), 28, 28), y_test)
