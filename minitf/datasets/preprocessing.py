"""Data preparation in plain NumPy: splitting, scaling, and one-hot encoding.

These mirror the scikit-learn tools the TensorFlow course uses (``train_test_split``,
``MinMaxScaler``, ``StandardScaler``, ``OneHotEncoder``, ``make_column_transformer``) closely
enough that a lesson's code reads the same, without needing scikit-learn installed.

Tables are plain dicts of column name -> 1-D NumPy array (that is what
``make_insurance`` returns); they stand in for pandas DataFrames.

The one rule these tools exist to teach: fit a scaler or encoder on the *training* data only,
then use it to transform both the training and the test data, so nothing about the test set
leaks into training.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "train_test_split",
    "MinMaxScaler",
    "StandardScaler",
    "one_hot",
    "one_hot_categories",
    "OneHotEncoder",
    "ColumnTransformer",
    "make_column_transformer",
]


# --------------------------------------------------------------------------- splitting


def _num_rows(data: Any) -> int:
    if isinstance(data, dict):
        lengths = {len(column) for column in data.values()}
        if len(lengths) != 1:
            raise ValueError(f"train_test_split: the table's columns have different lengths {sorted(lengths)}")
        return lengths.pop()
    return len(data)


def _take_rows(data: Any, index: np.ndarray) -> Any:
    # Keep each input's kind: a table stays a table, a list (e.g. of sentences) stays a list.
    if isinstance(data, dict):
        return {name: np.asarray(column)[index] for name, column in data.items()}
    if isinstance(data, np.ndarray):
        return data[index]
    if isinstance(data, (list, tuple)):
        return [data[i] for i in index]
    return np.asarray(data)[index]


def train_test_split(
    *arrays: Any, test_size: float | int = 0.2, seed: int | None = 42, shuffle: bool = True
) -> list[Any]:
    """Split arrays (and/or tables) into random train and test parts, rows kept aligned.

    Like ``sklearn.model_selection.train_test_split``: the result is
    ``[a_train, a_test, b_train, b_test, ...]``, so ``X_train, X_test, y_train, y_test =
    train_test_split(X, y)`` works. ``test_size`` is a fraction of the rows (rounded up, as
    scikit-learn does) or a number of rows. With ``shuffle=False`` the last rows are the test
    set. Each input may be a NumPy array (split along axis 0), a list (e.g. of sentences), or a
    dict table of equal-length columns; each output has its input's kind.
    """
    if not arrays:
        raise ValueError("train_test_split: give at least one array to split")
    lengths = [_num_rows(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"train_test_split: all inputs must have the same number of rows, got {lengths}")
    n = lengths[0]

    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"train_test_split: a float test_size must be in (0, 1), got {test_size}")
        n_test = math.ceil(test_size * n)
    else:
        n_test = int(test_size)
    if not 0 < n_test < n:
        raise ValueError(
            f"train_test_split: test_size={test_size} leaves {n_test} test and {n - n_test} "
            f"train rows out of {n}; both must be at least 1"
        )

    if shuffle:
        order = np.random.default_rng(seed).permutation(n)
        test_index, train_index = order[:n_test], order[n_test:]
    else:
        train_index, test_index = np.arange(n - n_test), np.arange(n - n_test, n)

    result: list[Any] = []
    for a in arrays:
        result += [_take_rows(a, train_index), _take_rows(a, test_index)]
    return result


# --------------------------------------------------------------------------- scaling


class _ColumnScaler:
    """Shared machinery: learn a per-column ``offset`` and ``scale``, then map
    ``x -> (x - offset) / scale`` and back. A 2-D input is ``(rows, columns)``; a 1-D input is
    one column (handy for scaling regression targets)."""

    offset_: np.ndarray
    scale_: np.ndarray

    def _fit_stats(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def _as_float(X: ArrayLike, where: str) -> np.ndarray:
        try:
            X = np.asarray(X, dtype=np.float64)  # compute in float64, return float32
        except (TypeError, ValueError) as err:
            raise TypeError(f"{where}: expected numeric data, could not convert it to numbers ({err})") from None
        if X.ndim not in (1, 2):
            raise ValueError(f"{where}: expected a 1-D or 2-D array (rows x columns), got shape {X.shape}")
        return X

    def fit(self, X: ArrayLike) -> "_ColumnScaler":
        """Learn the per-column statistics of ``X`` (``(n,)`` or ``(n, features)``)."""
        X = self._as_float(X, f"{type(self).__name__}.fit")
        if len(X) == 0:
            raise ValueError(f"{type(self).__name__}.fit: cannot fit on 0 rows")
        offset, scale = self._fit_stats(X)
        # A constant column would divide by zero; leave it unscaled, as scikit-learn does.
        scale = np.where(scale == 0, 1.0, scale)
        self.offset_, self.scale_ = offset, scale
        return self

    def _check(self, X: ArrayLike, where: str) -> np.ndarray:
        if not hasattr(self, "scale_"):
            raise RuntimeError(f"{type(self).__name__}.{where}: call fit (on the training data) first")
        X = self._as_float(X, f"{type(self).__name__}.{where}")
        if X.shape[1:] != self.scale_.shape:
            raise ValueError(
                f"{type(self).__name__}.{where}: fitted on rows of shape {self.scale_.shape}, "
                f"got rows of shape {X.shape[1:]}"
            )
        return X

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Scale ``X`` with the fitted statistics; returns float32 of ``X``'s shape."""
        X = self._check(X, "transform")
        return ((X - self.offset_) / self.scale_).astype(np.float32)

    def fit_transform(self, X: ArrayLike) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``: use on the training data only."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Undo ``transform`` (e.g. turn scaled predictions back into dollars); float32."""
        X = self._check(X, "inverse_transform")
        return (X * self.scale_ + self.offset_).astype(np.float32)


class MinMaxScaler(_ColumnScaler):
    """Scale each column linearly so its training min/max map to ``feature_range`` (default 0..1).

    ``x_scaled = (x - min) / (max - min) * (hi - lo) + lo``. Test data may land slightly outside
    the range: that is expected, it was not part of the fit.
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)) -> None:
        lo, hi = feature_range
        if not lo < hi:
            raise ValueError(f"MinMaxScaler: feature_range must be (low, high) with low < high, got {feature_range}")
        self.feature_range = (float(lo), float(hi))

    def _fit_stats(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.feature_range
        self.data_min_, self.data_max_ = X.min(axis=0), X.max(axis=0)
        data_range = self.data_max_ - self.data_min_
        data_range = np.where(data_range == 0, 1.0, data_range)
        # Written as (x - offset) / scale: offset = min - lo * scale, scale = range / (hi - lo).
        scale = data_range / (hi - lo)
        return self.data_min_ - lo * scale, scale


class StandardScaler(_ColumnScaler):
    """Scale each column to zero mean and unit standard deviation (population std, ddof=0,
    as scikit-learn): ``x_scaled = (x - mean) / std``."""

    def _fit_stats(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.mean_, self.std_ = X.mean(axis=0), X.std(axis=0)
        return self.mean_, self.std_


# --------------------------------------------------------------------------- one-hot


def one_hot(labels: ArrayLike, num_classes: int | None = None) -> np.ndarray:
    """Integer class labels -> one-hot rows, as ``tf.one_hot(labels, depth)`` (float32).

    ``labels`` of any shape ``S`` gives ``S + (num_classes,)``. ``num_classes`` defaults to
    ``max(labels) + 1``. Unlike ``tf.one_hot`` (which silently gives an all-zero row), a label
    outside ``[0, num_classes)`` raises: in a data pipeline that is always a bug.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iub":
        if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
            labels = labels.astype(np.int64)  # e.g. float labels 0., 1., 2. from a CSV
        else:
            raise TypeError(f"one_hot: labels must be integers, got dtype {labels.dtype}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"one_hot: labels must be in [0, {num_classes}), got values from {labels.min()} to {labels.max()}"
        )
    # Row i of the identity matrix is the one-hot vector of class i.
    return np.eye(num_classes, dtype=np.float32)[labels]


def one_hot_categories(column: ArrayLike) -> tuple[np.ndarray, list[Any]]:
    """A column of categories (e.g. ``'yes'``/``'no'`` strings) -> one-hot matrix.

    Categories are sorted (as scikit-learn's ``OneHotEncoder`` orders them).

    Returns:
        matrix: ``(n, k)`` float32, one 1 per row.
        categories: the ``k`` distinct values; column ``j`` of ``matrix`` is ``categories[j]``.
    """
    column = np.asarray(column)
    if column.ndim != 1:
        raise ValueError(f"one_hot_categories: expected one column (1-D), got shape {column.shape}")
    categories, codes = np.unique(column, return_inverse=True)
    return one_hot(codes.reshape(-1), len(categories)), categories.tolist()


class OneHotEncoder:
    """One-hot encode categorical columns, fitted on training data (like scikit-learn's).

    ``fit`` learns the sorted categories of each column of ``X`` (``(n,)`` or ``(n, columns)``);
    ``transform`` returns float32 ``(n, total categories)``, the columns' blocks side by side.
    A category not seen during ``fit`` raises with ``handle_unknown="error"`` (the default) or
    gives an all-zero block with ``handle_unknown="ignore"`` (what the course uses).
    """

    def __init__(self, handle_unknown: str = "error") -> None:
        if handle_unknown not in ("error", "ignore"):
            raise ValueError(f"OneHotEncoder: handle_unknown must be 'error' or 'ignore', got {handle_unknown!r}")
        self.handle_unknown = handle_unknown

    @staticmethod
    def _as_columns(X: ArrayLike) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2:
            raise ValueError(f"OneHotEncoder: expected a 1-D or 2-D array, got shape {X.shape}")
        return X

    def fit(self, X: ArrayLike) -> "OneHotEncoder":
        X = self._as_columns(X)
        self.categories_ = [np.unique(X[:, j]) for j in range(X.shape[1])]
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        if not hasattr(self, "categories_"):
            raise RuntimeError("OneHotEncoder.transform: call fit (on the training data) first")
        X = self._as_columns(X)
        if X.shape[1] != len(self.categories_):
            raise ValueError(f"OneHotEncoder.transform: fitted on {len(self.categories_)} columns, got {X.shape[1]}")
        blocks = []
        for j, categories in enumerate(self.categories_):
            column = X[:, j]
            # categories is sorted, so searchsorted finds each value's index; check it is a hit.
            codes = np.clip(np.searchsorted(categories, column), 0, len(categories) - 1)
            known = categories[codes] == column
            if not known.all() and self.handle_unknown == "error":
                unknown = sorted({str(v) for v in column[~known]})
                raise ValueError(
                    f"OneHotEncoder.transform: column {j} has categories not seen in fit: {unknown}; "
                    "use OneHotEncoder(handle_unknown='ignore') to encode them as all zeros"
                )
            blocks.append(one_hot(codes, len(categories)) * known[:, None])
        return np.concatenate(blocks, axis=1).astype(np.float32)

    def fit_transform(self, X: ArrayLike) -> np.ndarray:
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        """Names of the output columns, e.g. ``['smoker_no', 'smoker_yes']``."""
        if input_features is None:
            input_features = [f"x{j}" for j in range(len(self.categories_))]
        return [f"{name}_{c}" for name, cats in zip(input_features, self.categories_) for c in cats]


# --------------------------------------------------------------------------- tables


class ColumnTransformer:
    """Apply a different transformer to different columns of a table, then stack the results.

    Built by ``make_column_transformer((MinMaxScaler(), ["age", "bmi"]), (OneHotEncoder(),
    ["sex"]))``. ``fit``/``transform`` take a dict table (column name -> 1-D array); the output
    is float32 ``(n, features)``, the transformers' outputs side by side in the order given.
    Columns not named are dropped (scikit-learn's default ``remainder="drop"``).
    """

    def __init__(self, transformers: Sequence[tuple[Any, Sequence[str]]]) -> None:
        self.transformers = [(t, list(columns)) for t, columns in transformers]

    @staticmethod
    def _select(table: dict[str, ArrayLike], columns: list[str]) -> np.ndarray:
        missing = [c for c in columns if c not in table]
        if missing:
            raise KeyError(f"ColumnTransformer: table has no column(s) {missing}; it has {list(table)}")
        return np.stack([np.asarray(table[c]) for c in columns], axis=1)

    def fit(self, table: dict[str, ArrayLike]) -> "ColumnTransformer":
        for transformer, columns in self.transformers:
            transformer.fit(self._select(table, columns))
        return self

    def transform(self, table: dict[str, ArrayLike]) -> np.ndarray:
        parts = [t.transform(self._select(table, columns)) for t, columns in self.transformers]
        return np.concatenate(parts, axis=1).astype(np.float32)

    def fit_transform(self, table: dict[str, ArrayLike]) -> np.ndarray:
        return self.fit(table).transform(table)

    def get_feature_names_out(self) -> list[str]:
        names: list[str] = []
        for transformer, columns in self.transformers:
            if hasattr(transformer, "get_feature_names_out"):
                names += transformer.get_feature_names_out(columns)
            else:
                names += columns  # scalers keep one output column per input column
        return names


def make_column_transformer(*transformers: tuple[Any, Sequence[str]]) -> ColumnTransformer:
    """``make_column_transformer((transformer, [column names]), ...)``, as in scikit-learn."""
    return ColumnTransformer(transformers)
