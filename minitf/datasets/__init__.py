"""Offline data for the lessons: generated datasets, scikit-learn's bundled ones, and the
preprocessing tools to prepare them. Nothing here downloads anything; it needs NumPy alone
(scikit-learn only for the ``load_*`` functions). Re-exports only: see the modules.
"""

from .images import SHAPE_CLASS_NAMES, make_shapes, shape_class_names
from .insurance import (
    INSURANCE_CATEGORICAL_COLUMNS,
    INSURANCE_NUMERIC_COLUMNS,
    insurance_column_transformer,
    insurance_to_arrays,
    make_insurance,
)
from .preprocessing import (
    ColumnTransformer,
    MinMaxScaler,
    OneHotEncoder,
    StandardScaler,
    make_column_transformer,
    one_hot,
    one_hot_categories,
    train_test_split,
)
from .sklearn_data import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
from .synthetic import celsius_fahrenheit, make_blobs, make_circles, make_linear, make_moons
from .text import (
    ABSTRACT_CLASS_NAMES,
    SENTENCE_CLASS_NAMES,
    TWEET_CLASS_NAMES,
    make_abstracts,
    make_sentences,
    make_tweets,
    sentence_class_names,
)
from .timeseries import make_price_series, make_windows, train_test_split_series

__all__ = [
    # synthetic
    "make_circles",
    "make_moons",
    "make_blobs",
    "make_linear",
    "celsius_fahrenheit",
    # insurance
    "make_insurance",
    "insurance_column_transformer",
    "insurance_to_arrays",
    "INSURANCE_NUMERIC_COLUMNS",
    "INSURANCE_CATEGORICAL_COLUMNS",
    # preprocessing
    "train_test_split",
    "MinMaxScaler",
    "StandardScaler",
    "one_hot",
    "one_hot_categories",
    "OneHotEncoder",
    "ColumnTransformer",
    "make_column_transformer",
    # scikit-learn's bundled datasets
    "load_digits",
    "load_breast_cancer",
    "load_diabetes",
    "load_iris",
    "load_wine",
    # images
    "make_shapes",
    "shape_class_names",
    "SHAPE_CLASS_NAMES",
    # text
    "make_tweets",
    "TWEET_CLASS_NAMES",
    "make_sentences",
    "sentence_class_names",
    "SENTENCE_CLASS_NAMES",
    "make_abstracts",
    "ABSTRACT_CLASS_NAMES",
    # time series
    "make_price_series",
    "make_windows",
    "train_test_split_series",
]
