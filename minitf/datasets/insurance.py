"""A generated medical-insurance table, standing in for the course's ``insurance.csv``.

Same columns and kinds as the original (1338 rows): three numeric columns, three
categorical ones, and the target ``charges``. The charges follow a simple, documented rule
(older, heavier, more children -> more expensive; smokers far more, obese smokers most) plus
skewed noise, so a regression model has something real to learn and the lesson can show what
matters (smoker >> age >> bmi >> children).

Recipe (lesson 06): split first, fit the scaling/encoding on the training rows only::

    table = make_insurance()
    train, test = train_test_split(table, test_size=0.2, seed=42)
    ct = insurance_column_transformer().fit(train)
    X_train, y_train = insurance_to_arrays(train, ct)
    X_test, y_test = insurance_to_arrays(test, ct)
"""

from __future__ import annotations

import numpy as np

from .preprocessing import ColumnTransformer, MinMaxScaler, OneHotEncoder, make_column_transformer

__all__ = [
    "INSURANCE_NUMERIC_COLUMNS",
    "INSURANCE_CATEGORICAL_COLUMNS",
    "make_insurance",
    "insurance_column_transformer",
    "insurance_to_arrays",
]

INSURANCE_NUMERIC_COLUMNS = ["age", "bmi", "children"]
INSURANCE_CATEGORICAL_COLUMNS = ["sex", "smoker", "region"]
_REGIONS = ["southwest", "southeast", "northwest", "northeast"]
# Share of rows with 0..5 children in the original table (574, 324, 240, 157, 25, 18 of 1338).
_CHILDREN_P = np.array([574, 324, 240, 157, 25, 18]) / 1338


def make_insurance(n: int = 1338, seed: int = 42) -> dict[str, np.ndarray]:
    """Generate ``n`` rows of an insurance-like table, as a dict of column name -> array.

    Columns (each shape ``(n,)``):
        age: int32, uniform in 18..64.
        sex: str, ``'male'`` / ``'female'`` (about half each).
        bmi: float32, ~N(30.7, 6) clipped to 16..53.
        children: int32, 0..5 (mostly 0-2, as in the original).
        smoker: str, ``'yes'`` (~20%) / ``'no'``.
        region: str, one of southwest, southeast, northwest, northeast.
        charges: float32, yearly cost in dollars, always positive (>= 1121, the original's minimum).

    Charges: ``260 * age - 2300 + 475 * children + 40 * (bmi - 30)``, plus for smokers
    ``13000 + 20000 * (bmi >= 30)`` (the original's striking jump for obese smokers), plus
    right-skewed noise (exponential, mean 1500, and Gaussian, sd 600). Sex and region have no
    effect, on purpose: a model should learn to ignore them.
    """
    if n < 1:
        raise ValueError(f"make_insurance: n must be >= 1, got {n}")
    rng = np.random.default_rng(seed)

    age = rng.integers(18, 65, size=n)  # 18..64 inclusive
    sex = rng.choice(np.array(["female", "male"]), size=n)
    bmi = np.clip(rng.normal(30.7, 6.0, size=n), 16.0, 53.0)
    children = rng.choice(6, size=n, p=_CHILDREN_P)
    is_smoker = rng.random(n) < 0.2
    region = rng.choice(np.array(_REGIONS), size=n)

    charges = 260.0 * age - 2300.0 + 475.0 * children + 40.0 * (bmi - 30.0)
    charges += is_smoker * (13000.0 + 20000.0 * (bmi >= 30.0))
    charges += rng.exponential(1500.0, size=n) + rng.normal(0.0, 600.0, size=n)
    charges = np.maximum(charges, 1121.87)

    return {
        "age": age.astype(np.int32),
        "sex": sex,
        "bmi": bmi.astype(np.float32),
        "children": children.astype(np.int32),
        "smoker": np.where(is_smoker, "yes", "no"),
        "region": region,
        "charges": charges.astype(np.float32),
    }


def insurance_column_transformer() -> ColumnTransformer:
    """The course's preprocessing, unfitted: min-max scale age/bmi/children to 0..1 and one-hot
    encode sex/smoker/region (unknown categories -> zeros). Fit it on the training rows."""
    return make_column_transformer(
        (MinMaxScaler(), INSURANCE_NUMERIC_COLUMNS),
        (OneHotEncoder(handle_unknown="ignore"), INSURANCE_CATEGORICAL_COLUMNS),
    )


def insurance_to_arrays(
    table: dict[str, np.ndarray], transformer: ColumnTransformer | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Turn an insurance table into model-ready arrays.

    ``transformer`` should be ``insurance_column_transformer()`` fitted on the training rows
    (see the module docstring). Without one, a new one is fitted on ``table`` itself: fine for
    a quick look, but for train/test data it leaks the test rows' min/max into training.

    Returns:
        X: ``(n, 11)`` float32: age, bmi, children scaled to 0..1, then one-hot sex (female,
        male), smoker (no, yes), region (northeast, northwest, southeast, southwest).
        y: ``(n,)`` float32 charges in dollars (unscaled).
    """
    if transformer is None:
        transformer = insurance_column_transformer().fit(table)
    X = transformer.transform(table)
    y = np.asarray(table["charges"], dtype=np.float32)
    return X, y
