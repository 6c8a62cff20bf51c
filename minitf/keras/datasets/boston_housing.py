"""``tf.keras.datasets.boston_housing``: from Keras's cached ``boston_housing.npz``."""
import numpy as np

from minitf.keras.datasets._cache import cached


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Keras's split: shuffle with ``seed``, the last ``test_split`` is the test set."""
    with np.load(cached(path), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
