"""Small generated datasets for the first lessons: points in the plane and tiny tables.

Every generator is deterministic given ``seed`` (it draws only from
``np.random.default_rng(seed)``), needs NumPy alone, and returns float32 features so the
arrays can go straight into a model (TensorFlow's default dtype is float32 too).

- ``make_circles`` / ``make_moons`` / ``make_blobs``: classification in 2-D (lesson 07),
  with the same geometry as scikit-learn's generators of the same names.
- ``make_linear``: the course's regression toy data ``X = range(-100, 100, 4)``, ``y = X + 10``
  (lesson 06).
- ``celsius_fahrenheit``: the seven Celsius/Fahrenheit pairs of the Udacity course (lessons 01, 05).
"""

from __future__ import annotations

import numpy as np

__all__ = ["make_circles", "make_moons", "make_blobs", "make_linear", "celsius_fahrenheit"]


def _check_n_samples(n_samples: int, fn: str, minimum: int = 1) -> int:
    # Accept NumPy integers too, but not floats or bools: 10.5 samples is always a mistake.
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"{fn}: n_samples must be an int, got {type(n_samples).__name__}")
    if n_samples < minimum:
        raise ValueError(f"{fn}: n_samples must be >= {minimum}, got {n_samples}")
    return int(n_samples)


def _check_noise(noise: float, fn: str) -> float:
    if noise is None:
        return 0.0
    if noise < 0:
        raise ValueError(f"{fn}: noise is a standard deviation and must be >= 0, got {noise}")
    return float(noise)


def _shuffle_and_add_noise(
    X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    # The clean points come out ordered by class; shuffle so that a plain slice (or Keras'
    # validation_split, which takes the *last* rows) sees both classes.
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    X = X + rng.normal(scale=noise, size=X.shape)
    return X.astype(np.float32), y.astype(np.int32)


def make_circles(
    n_samples: int = 1000, noise: float = 0.03, factor: float = 0.8, seed: int = 42
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: the course's first data set that a linear model cannot split.

    Same geometry as ``sklearn.datasets.make_circles``: ``n_samples // 2`` points evenly spaced
    on the unit circle (label 0), the rest on a circle of radius ``factor`` (label 1), shuffled,
    then Gaussian noise with standard deviation ``noise`` added to both coordinates.
    (The random draws differ from scikit-learn's, so the points are not bit-identical.)

    Returns:
        X: ``(n_samples, 2)`` float32 coordinates.
        y: ``(n_samples,)`` int32 labels, 0 = outer circle, 1 = inner circle.
    """
    n_samples = _check_n_samples(n_samples, "make_circles", minimum=2)
    noise = _check_noise(noise, "make_circles")
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor is the inner radius and must be in [0, 1), got {factor}")
    rng = np.random.default_rng(seed)

    n_out = n_samples // 2
    n_in = n_samples - n_out
    # endpoint=False so the first and last points of a circle do not coincide.
    angle_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    angle_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate(
        [
            np.stack([np.cos(angle_out), np.sin(angle_out)], axis=1),
            factor * np.stack([np.cos(angle_in), np.sin(angle_in)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _shuffle_and_add_noise(X, y, noise, rng)


def make_moons(
    n_samples: int = 1000, noise: float = 0.1, seed: int = 42
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles ("moons"): another non-linear 2-D classification task.

    Same geometry as ``sklearn.datasets.make_moons``: the upper moon is the half unit circle
    centred at (0, 0) (label 0), the lower one is flipped and centred at (1, 0.5) (label 1).

    Returns:
        X: ``(n_samples, 2)`` float32 coordinates.
        y: ``(n_samples,)`` int32 labels in {0, 1}.
    """
    n_samples = _check_n_samples(n_samples, "make_moons", minimum=2)
    noise = _check_noise(noise, "make_moons")
    rng = np.random.default_rng(seed)

    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _shuffle_and_add_noise(X, y, noise, rng)


def make_blobs(
    n_samples: int = 1000,
    centers: int | np.ndarray = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    seed: int = 42,
    center_box: tuple[float, float] = (-10.0, 10.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs: the simplest multi-class classification task.

    Like ``sklearn.datasets.make_blobs``: ``centers`` is either a number of clusters (their
    centres drawn uniformly in ``center_box`` along every axis) or a ``(k, n_features)`` array
    of centres. Samples are split as evenly as possible between clusters (the first
    ``n_samples % k`` clusters get one extra), then shuffled.

    Returns:
        X: ``(n_samples, n_features)`` float32 points.
        y: ``(n_samples,)`` int32 cluster index in ``[0, k)``.
    """
    n_samples = _check_n_samples(n_samples, "make_blobs")
    if cluster_std < 0:
        raise ValueError(f"make_blobs: cluster_std must be >= 0, got {cluster_std}")
    rng = np.random.default_rng(seed)

    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        if centers < 1:
            raise ValueError(f"make_blobs: centers must be >= 1, got {centers}")
        low, high = center_box
        center_points = rng.uniform(low, high, size=(int(centers), n_features))
    else:
        center_points = np.asarray(centers, dtype=np.float64)
        if center_points.ndim != 2:
            raise ValueError(
                "make_blobs: centers must be an int or a (k, n_features) array, "
                f"got an array of shape {center_points.shape}"
            )
        n_features = center_points.shape[1]
    k = len(center_points)

    counts = np.full(k, n_samples // k)
    counts[: n_samples % k] += 1
    y = np.repeat(np.arange(k), counts)
    X = center_points[y] + rng.normal(scale=cluster_std, size=(n_samples, n_features))
    order = rng.permutation(n_samples)
    return X[order].astype(np.float32), y[order].astype(np.int32)


def make_linear(
    start: float = -100,
    stop: float = 100,
    step: float = 4,
    slope: float = 1.0,
    intercept: float = 10.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The course's regression toy data: ``X = tf.range(-100, 100, 4)``, ``y = X + 10``.

    No noise and no randomness, so a Dense(1) model can in principle find the exact line
    (weight ``slope``, bias ``intercept``). With the defaults there are 50 points; the course
    splits them 40/10 with ``X[:40], X[40:]`` (unshuffled).

    Returns:
        X: ``(n,)`` float32, ``np.arange(start, stop, step)``.
        y: ``(n,)`` float32, ``slope * X + intercept``.
    """
    if step == 0:
        raise ValueError("make_linear: step must not be 0")
    X = np.arange(start, stop, step, dtype=np.float64)
    y = slope * X + intercept
    return X.astype(np.float32), y.astype(np.float32)


def celsius_fahrenheit() -> tuple[np.ndarray, np.ndarray]:
    """The seven training pairs of the Udacity course's first neuron (F = 1.8 C + 32).

    Returns:
        celsius: ``(7,)`` float32, ``[-40, -10, 0, 8, 15, 22, 38]``.
        fahrenheit: ``(7,)`` float32, ``[-40, 14, 32, 46, 59, 72, 100]`` (rounded to whole
        degrees, as in the course, so a fitted model gets close to, not exactly, 1.8 and 32).
    """
    celsius = np.array([-40, -10, 0, 8, 15, 22, 38], dtype=np.float32)
    fahrenheit = np.array([-40, 14, 32, 46, 59, 72, 100], dtype=np.float32)
    return celsius, fahrenheit
