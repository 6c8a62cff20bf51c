"""Small real datasets, from the copies scikit-learn ships inside its wheel.

``sklearn.datasets.load_*`` read files bundled with the package, so these loaders never touch
the network. scikit-learn is optional for minitf: it is imported only when a loader is called,
and a missing install gets an ImportError that says what to do.

Replacements for the course's downloads: digits (8x8) stands in for Fashion-MNIST;
breast_cancer for binary classification; diabetes for regression; iris and wine for small
multi-class problems.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

__all__ = ["load_digits", "load_breast_cancer", "load_diabetes", "load_iris", "load_wine"]


def _sklearn_datasets(loader: str) -> ModuleType:
    # Imported here, not at the top, so that `import minitf.datasets` needs NumPy alone.
    try:
        import sklearn.datasets
    except ImportError as err:
        raise ImportError(
            f"{loader} needs scikit-learn, which ships this dataset: pip install scikit-learn"
        ) from err
    return sklearn.datasets


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Handwritten digits, 8x8 grey images (1797 of them, classes 0-9): the course's
    Fashion-MNIST replacement for image classification and the first CNN.

    Returns:
        X: ``(1797, 8, 8)`` float32 pixel intensities in 0..16 (divide by 16 to normalise).
           ``X.reshape(-1, 64)`` flattens them for a Dense model; ``X[..., None]`` adds the
           channel axis a Conv2D expects (``(1797, 8, 8, 1)``).
        y: ``(1797,)`` int32 digit 0..9.
    """
    bunch = _sklearn_datasets("load_digits").load_digits()
    return bunch.images.astype(np.float32), bunch.target.astype(np.int32)


def load_breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """Breast cancer diagnosis (Wisconsin): binary classification from 30 tumour measurements.

    Returns:
        X: ``(569, 30)`` float32, unscaled (columns differ by orders of magnitude, which is
           why the lesson scales them).
        y: ``(569,)`` int32, 0 = malignant, 1 = benign.
    """
    bunch = _sklearn_datasets("load_breast_cancer").load_breast_cancer()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int32)


def load_diabetes() -> tuple[np.ndarray, np.ndarray]:
    """Diabetes progression: regression of a disease measure one year on from 10 baseline values.

    Returns:
        X: ``(442, 10)`` float32 (age, sex, bmi, blood pressure, six serum measures), already
           mean-centred and scaled by scikit-learn.
        y: ``(442,)`` float32 target, roughly 25..346.
    """
    bunch = _sklearn_datasets("load_diabetes").load_diabetes()
    return bunch.data.astype(np.float32), bunch.target.astype(np.float32)


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Iris flowers: three species from four measurements (cm); a tiny multi-class problem.

    Returns:
        X: ``(150, 4)`` float32 sepal length/width, petal length/width.
        y: ``(150,)`` int32, 0 = setosa, 1 = versicolor, 2 = virginica.
    """
    bunch = _sklearn_datasets("load_iris").load_iris()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int32)


def load_wine() -> tuple[np.ndarray, np.ndarray]:
    """Wine cultivars: three classes from 13 chemical measurements (unscaled).

    Returns:
        X: ``(178, 13)`` float32.
        y: ``(178,)`` int32 class 0..2.
    """
    bunch = _sklearn_datasets("load_wine").load_wine()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int32)
