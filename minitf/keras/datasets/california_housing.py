"""``tf.keras.datasets.california_housing``: from Keras's cached ``california_housing.npz``."""
import numpy as np

from minitf.keras.datasets._cache import cached


def load_data(version: str = "large", path: str = "california_housing.npz", test_split: float = 0.2, seed: int = 113):
    with np.load(cached(path), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
