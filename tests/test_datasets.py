"""Tests for minitf.datasets: shapes, dtypes, determinism, and that each dataset teaches what it
is meant to (circles have the right radii, shapes are distinguishable, sentence labels depend
on word order, windows line up). Needs NumPy and pytest; scikit-learn only for the loaders."""

from __future__ import annotations

import ast
import collections
import pathlib
import re
import socket
import subprocess
import sys

import numpy as np
import pytest

import minitf.datasets as ds

PACKAGE_DIR = pathlib.Path(ds.__file__).parent


# --------------------------------------------------------------------------- package hygiene


def test_package_depends_on_no_other_minitf_module():
    # The datasets must import with NumPy alone, so no module may reach outside the package.
    for path in PACKAGE_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{path.name} imports from a parent package"
                if node.level == 0:
                    assert not (node.module or "").startswith("minitf"), f"{path.name}: {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("minitf"), f"{path.name}: {alias.name}"


def test_import_does_not_load_sklearn():
    code = "import sys, minitf.datasets; assert 'sklearn' not in sys.modules, 'sklearn imported eagerly'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE_DIR.parent.parent)


def test_all_exports_exist():
    for name in ds.__all__:
        assert hasattr(ds, name), name


def test_nothing_touches_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a dataset function tried to open a network connection")

    try:
        import sklearn.datasets  # noqa: F401  (import first: importing it is not the point here)
        have_sklearn = True
    except ImportError:
        have_sklearn = False
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    ds.make_circles(50), ds.make_moons(50), ds.make_blobs(50), ds.make_linear(), ds.celsius_fahrenheit()
    ds.insurance_to_arrays(ds.make_insurance(100))
    ds.make_shapes(20), ds.make_sentences(20), ds.make_abstracts(3), ds.make_price_series(50)
    if not have_sklearn:
        return
    for load in (ds.load_digits, ds.load_breast_cancer, ds.load_diabetes, ds.load_iris, ds.load_wine):
        load()


# --------------------------------------------------------------------------- synthetic


@pytest.mark.parametrize("make", [ds.make_circles, ds.make_moons, ds.make_blobs])
def test_point_sets_shapes_dtypes_determinism(make):
    X, y = make(n_samples=101, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int32
    X2, y2 = make(n_samples=101, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(n_samples=101, seed=4)
    assert not np.array_equal(X, X3)


def test_circles_geometry_matches_sklearn():
    # Noise-free: 500 points evenly spaced on the unit circle (label 0), 500 on radius 0.8 (label 1).
    X, y = ds.make_circles(1000, noise=0.0, factor=0.8)
    assert np.bincount(y).tolist() == [500, 500]
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.8, atol=1e-6)
    # Same point set as sklearn.datasets.make_circles (written out here: linspace, endpoint=False).
    angle = np.sort(np.mod(np.arctan2(X[y == 0, 1], X[y == 0, 0]), 2 * np.pi))
    np.testing.assert_allclose(angle, np.linspace(0, 2 * np.pi, 500, endpoint=False), atol=1e-5)
    # Shuffled, so a plain slice sees both classes.
    assert 0 < y[:100].sum() < 100
    # With noise the radii spread around the same values.
    X, y = ds.make_circles(1000, noise=0.03, factor=0.5)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert abs(radius[y == 0].mean() - 1.0) < 0.01 and abs(radius[y == 1].mean() - 0.5) < 0.01
    # Odd counts: outer gets n // 2, as in scikit-learn.
    assert np.bincount(ds.make_circles(7)[1]).tolist() == [3, 4]


def test_moons_geometry():
    X, y = ds.make_moons(200, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-6)
    assert (upper[:, 1] >= -1e-6).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()


def test_blobs_counts_and_given_centers():
    X, y = ds.make_blobs(10, centers=3, n_features=5)
    assert X.shape == (10, 5) and sorted(np.bincount(y)) == [3, 3, 4]
    centers = np.array([[0.0, 0.0], [5.0, 5.0]])
    X, y = ds.make_blobs(50, centers=centers, cluster_std=0.0)
    np.testing.assert_array_equal(X, centers[y].astype(np.float32))


def test_linear_and_celsius():
    X, y = ds.make_linear()
    assert X.shape == y.shape == (50,) and X.dtype == y.dtype == np.float32
    np.testing.assert_array_equal(X, np.arange(-100, 100, 4))
    np.testing.assert_array_equal(y, X + 10)
    c, f = ds.celsius_fahrenheit()
    assert c.dtype == f.dtype == np.float32 and c.shape == f.shape == (7,)
    assert c.tolist() == [-40, -10, 0, 8, 15, 22, 38]
    assert f.tolist() == [-40, 14, 32, 46, 59, 72, 100]
    np.testing.assert_allclose(f, 1.8 * c + 32, atol=0.5)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="noise"):
        ds.make_circles(noise=-1)
    with pytest.raises(ValueError, match="factor"):
        ds.make_circles(factor=1.5)
    with pytest.raises(TypeError, match="n_samples"):
        ds.make_moons(10.5)


# --------------------------------------------------------------------------- preprocessing


def test_train_test_split_sizes_alignment_and_determinism():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = ds.train_test_split(X, y, test_size=0.25, seed=0)
    assert len(X_test) == 3 and len(X_train) == 7  # ceil(0.25 * 10), as scikit-learn
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay paired
    np.testing.assert_array_equal(X_test[:, 0] // 2, y_test)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(10))
    again = ds.train_test_split(X, y, test_size=0.25, seed=0)
    np.testing.assert_array_equal(again[3], y_test)
    # Unshuffled: the last rows are the test set.
    _, _, y_train, y_test = ds.train_test_split(X, y, test_size=2, shuffle=False)
    assert y_train.tolist() == list(range(8)) and y_test.tolist() == [8, 9]


def test_train_test_split_tables_and_lists():
    table = {"a": np.arange(5), "b": np.array(list("vwxyz"))}
    words = ["zero", "one", "two", "three", "four"]
    t_train, t_test, w_train, w_test = ds.train_test_split(table, words, test_size=0.4, seed=1)
    assert isinstance(t_train, dict) and isinstance(w_train, list)
    assert [words[i] for i in t_test["a"]] == w_test
    assert ["vwxyz"[i] for i in t_train["a"]] == t_train["b"].tolist()
    with pytest.raises(ValueError, match="same number of rows"):
        ds.train_test_split(np.arange(5), np.arange(6))


def test_min_max_scaler_round_trip():
    rng = np.random.default_rng(0)
    X = rng.normal(50, 20, size=(30, 3))
    X[:, 2] = 7.0  # a constant column must not give NaN
    scaler = ds.MinMaxScaler()
    Z = scaler.fit_transform(X)
    assert Z.dtype == np.float32 and Z.shape == X.shape
    np.testing.assert_allclose(Z[:, :2].min(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(Z[:, :2].max(axis=0), 1.0, atol=1e-6)
    assert np.isfinite(Z).all()
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-5)
    Z = ds.MinMaxScaler(feature_range=(-1, 1)).fit_transform(X)
    np.testing.assert_allclose(Z[:, 0].min(), -1.0, atol=1e-6)
    # 1-D input is one column (e.g. a regression target).
    y = np.array([10.0, 20.0, 30.0])
    s = ds.MinMaxScaler().fit(y)
    np.testing.assert_allclose(s.transform(y), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(s.inverse_transform([0.25]), [15.0])
    with pytest.raises(RuntimeError, match="fit"):
        ds.MinMaxScaler().transform(X)
    with pytest.raises(ValueError, match="shape"):
        scaler.transform(X[:, :2])


def test_standard_scaler_round_trip():
    X = np.random.default_rng(1).normal(3, 4, size=(200, 4))
    scaler = ds.StandardScaler()
    Z = scaler.fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=1e-5)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-5, atol=1e-5)


def test_one_hot():
    out = ds.one_hot([2, 0, 1])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert ds.one_hot(np.array([[0, 1]]), num_classes=4).shape == (1, 2, 4)
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        ds.one_hot([0, 2], num_classes=2)
    with pytest.raises(TypeError, match="integers"):
        ds.one_hot([0.5])


def test_one_hot_categories_and_encoder():
    matrix, categories = ds.one_hot_categories(np.array(["yes", "no", "no", "yes"]))
    assert categories == ["no", "yes"]
    np.testing.assert_array_equal(matrix, [[0, 1], [1, 0], [1, 0], [0, 1]])
    enc = ds.OneHotEncoder().fit(np.array(["b", "a", "c"]))
    np.testing.assert_array_equal(enc.transform(np.array(["c", "a"])), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="not seen"):
        enc.transform(np.array(["d"]))
    lenient = ds.OneHotEncoder(handle_unknown="ignore").fit(np.array(["b", "a"]))
    np.testing.assert_array_equal(lenient.transform(np.array(["z", "b"])), [[0, 0], [0, 1]])


def test_column_transformer():
    table = {"n": np.array([0.0, 5.0, 10.0]), "c": np.array(["x", "y", "x"])}
    ct = ds.make_column_transformer((ds.MinMaxScaler(), ["n"]), (ds.OneHotEncoder(), ["c"]))
    X = ct.fit_transform(table)
    np.testing.assert_array_equal(X, [[0, 1, 0], [0.5, 0, 1], [1, 1, 0]])
    assert ct.get_feature_names_out() == ["n", "c_x", "c_y"]
    with pytest.raises(KeyError, match="no column"):
        ct.transform({"n": table["n"]})


# --------------------------------------------------------------------------- insurance


def test_insurance_table():
    table = ds.make_insurance()
    assert list(table) == ["age", "sex", "bmi", "children", "smoker", "region", "charges"]
    assert all(len(col) == 1338 for col in table.values())
    assert table["age"].min() >= 18 and table["age"].max() <= 64
    assert set(table["sex"]) == {"male", "female"}
    assert set(table["smoker"]) == {"yes", "no"}
    assert set(table["region"]) == {"southwest", "southeast", "northwest", "northeast"}
    assert set(table["children"]) <= set(range(6))
    assert abs(table["bmi"].mean() - 30.7) < 0.6
    smoker = table["smoker"] == "yes"
    assert 0.15 < smoker.mean() < 0.25
    charges = table["charges"]
    assert charges.dtype == np.float32 and (charges > 0).all()
    assert charges[smoker].mean() > 2 * charges[~smoker].mean()
    assert np.corrcoef(table["age"][~smoker], charges[~smoker])[0, 1] > 0.5
    again = ds.make_insurance()
    assert all(np.array_equal(table[k], again[k]) for k in table)


def test_insurance_to_arrays_recipe():
    table = ds.make_insurance()
    X, y = ds.insurance_to_arrays(table)
    assert X.shape == (1338, 11) and X.dtype == np.float32 and y.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X[:, 3:].sum(axis=1), 3.0)  # one hot per categorical column
    # The documented recipe: fit on the training rows only, apply to both.
    train, test = ds.train_test_split(table, test_size=0.2, seed=42)
    ct = ds.insurance_column_transformer().fit(train)
    X_train, y_train = ds.insurance_to_arrays(train, ct)
    X_test, y_test = ds.insurance_to_arrays(test, ct)
    assert X_train.shape == (1070, 11) and X_test.shape == (268, 11)
    assert X_train[:, :3].min() == 0.0 and X_train[:, :3].max() == 1.0


# --------------------------------------------------------------------------- scikit-learn data


@pytest.mark.parametrize(
    "name, x_shape, y_dtype",
    [
        ("load_digits", (1797, 8, 8), np.int32),
        ("load_breast_cancer", (569, 30), np.int32),
        ("load_diabetes", (442, 10), np.float32),
        ("load_iris", (150, 4), np.int32),
        ("load_wine", (178, 13), np.int32),
    ],
)
def test_sklearn_loaders(name, x_shape, y_dtype):
    pytest.importorskip("sklearn")
    X, y = getattr(ds, name)()
    assert X.shape == x_shape and X.dtype == np.float32
    assert y.shape == (x_shape[0],) and y.dtype == y_dtype
    if name == "load_digits":
        assert X.min() == 0 and X.max() == 16
        assert sorted(set(y.tolist())) == list(range(10))
        assert X.reshape(-1, 64).shape == (1797, 64)


def test_missing_sklearn_error_is_clear(monkeypatch):
    # A None entry in sys.modules makes `import sklearn...` raise ImportError, as if not installed.
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    message = r"load_digits needs scikit-learn, which ships this dataset: pip install scikit-learn"
    with pytest.raises(ImportError, match=message):
        ds.load_digits()
    with pytest.raises(ImportError, match="load_wine needs scikit-learn"):
        ds.load_wine()


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize("image_size, channels", [(16, 1), (28, 1), (32, 3)])
def test_shapes_images_shapes_dtypes_range(image_size, channels):
    X, y = ds.make_shapes(50, image_size=image_size, channels=channels, seed=5)
    assert X.shape == (50, image_size, image_size, channels) and X.dtype == np.float32
    assert y.shape == (50,) and y.dtype == np.int32
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert np.bincount(y).tolist() == [5] * 10  # balanced
    X2, y2 = ds.make_shapes(50, image_size=image_size, channels=channels, seed=5)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_shapes_binary_and_class_names():
    assert ds.shape_class_names(2) == ["circle", "square"]
    assert len(set(ds.shape_class_names(10))) == 10
    _, y = ds.make_shapes(31, num_classes=2)
    assert set(y.tolist()) == {0, 1} and abs(int(np.sum(y)) - 15.5) <= 0.5
    with pytest.raises(ValueError, match="channels"):
        ds.make_shapes(4, channels=2)
    with pytest.raises(ValueError, match="num_classes"):
        ds.make_shapes(4, num_classes=11)


def test_shapes_classes_are_distinguishable():
    # A nearest-centroid classifier on raw pixels, fitted on one seed and tested on another,
    # is far above chance (10%): the classes really look different.
    X, y = ds.make_shapes(1000, image_size=28, seed=0)
    X_new, y_new = ds.make_shapes(300, image_size=28, seed=1)
    flat, flat_new = X.reshape(len(X), -1), X_new.reshape(len(X_new), -1)
    centroids = np.stack([flat[y == c].mean(axis=0) for c in range(10)])
    distances = ((flat_new[:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    accuracy = (distances.argmin(axis=1) == y_new).mean()
    assert accuracy > 0.4, accuracy


# --------------------------------------------------------------------------- text


def _bag(sentence: str) -> tuple[str, ...]:
    return tuple(sorted(re.findall(r"[a-z]+", sentence)))


def test_sentences_basic():
    sentences, y = ds.make_sentences(400, seed=1)
    assert len(sentences) == 400 and all(isinstance(s, str) for s in sentences)
    assert y.shape == (400,) and y.dtype == np.int32 and np.bincount(y).tolist() == [200, 200]
    assert ds.make_sentences(400, seed=1)[0] == sentences
    assert ds.make_sentences(400, seed=2)[0] != sentences
    assert ds.sentence_class_names() == ["negative", "positive"]
    with pytest.raises(ValueError, match="make_abstracts"):
        ds.make_sentences(10, num_classes=5)


def test_sentence_labels_depend_on_word_order():
    sentences, y = ds.make_sentences(2000, seed=0)
    # The word sequence decides the label: no sentence appears with both labels...
    by_sentence = collections.defaultdict(set)
    for s, label in zip(sentences, y):
        by_sentence[s].add(int(label))
    assert all(len(labels) == 1 for labels in by_sentence.values())
    # ...but the same bag of words does, with the words in a different order.
    by_bag = collections.defaultdict(set)
    for s, label in zip(sentences, y):
        by_bag[_bag(s)].add(int(label))
    assert sum(len(labels) == 2 for labels in by_bag.values()) >= 10
    assert ("our team beat their team" in by_sentence) and ("their team beat our team" in by_sentence)


def test_bag_of_words_model_cannot_reach_100_percent():
    # Best possible bag-of-words classifier on new data: the majority label of each bag, taken
    # from a large sample. On the mirrored sentences it is a coin toss, so overall ~75%.
    train, y_train = ds.make_sentences(10000, seed=0)
    test, y_test = ds.make_sentences(2000, seed=1)
    counts = collections.defaultdict(lambda: np.zeros(2))
    for s, label in zip(train, y_train):
        counts[_bag(s)][label] += 1
    predictions = np.array([counts[_bag(s)].argmax() for s in test])
    accuracy = (predictions == y_test).mean()
    assert 0.6 < accuracy < 0.85, accuracy


def test_abstracts():
    data = ds.make_abstracts(20, seed=0)
    n = len(data["sentences"])
    assert 20 * 7 <= n <= 20 * 13
    for key in ("labels", "line_numbers", "total_lines", "abstract_ids"):
        assert data[key].shape == (n,) and data[key].dtype == np.int32
    assert set(data["labels"].tolist()) == set(range(5))
    order = [ds.ABSTRACT_CLASS_NAMES.index(r) for r in ["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]]
    rank = np.argsort(order)[data["labels"]]  # the role's position in reading order
    for a in range(20):
        rows = data["abstract_ids"] == a
        assert np.all(np.diff(rank[rows]) >= 0)  # roles come in reading order
        assert data["line_numbers"][rows].tolist() == list(range(rows.sum()))
        assert (data["total_lines"][rows] == rows.sum() - 1).all()
        assert len(set(np.array(data["sentences"])[rows])) == rows.sum()  # no repeats


# --------------------------------------------------------------------------- time series


def test_price_series():
    dates, prices, reward = ds.make_price_series(2800, seed=0)
    assert dates.dtype == np.dtype("datetime64[D]") and dates.shape == (2800,)
    assert prices.dtype == reward.dtype == np.float32
    assert (np.diff(dates) == np.timedelta64(1, "D")).all() and dates[0] == np.datetime64("2013-10-01")
    assert (prices > 0).all() and prices[0] == pytest.approx(123.65)
    # Block reward halves on Bitcoin's halving days.
    assert reward[dates == np.datetime64("2016-07-08")][0] == 25.0
    assert reward[dates == np.datetime64("2016-07-09")][0] == 12.5
    assert reward[dates == np.datetime64("2020-05-11")][0] == 6.25
    assert sorted(set(reward.tolist())) == [6.25, 12.5, 25.0]
    again = ds.make_price_series(2800, seed=0)
    np.testing.assert_array_equal(prices, again[1])
    assert not np.array_equal(prices, ds.make_price_series(2800, seed=1)[1])
    # It moves: daily log-returns have a crypto-like spread.
    assert 0.01 < np.diff(np.log(prices)).std() < 0.1


def test_make_windows_against_a_loop():
    series = np.arange(10)
    windows, labels = ds.make_windows(series, window_size=3, horizon=2)
    expected_windows, expected_labels = [], []
    for i in range(10 - 3 - 2 + 1):
        expected_windows.append(series[i : i + 3])
        expected_labels.append(series[i + 3 : i + 5])
    np.testing.assert_array_equal(windows, expected_windows)
    np.testing.assert_array_equal(labels, expected_labels)
    assert windows.dtype == labels.dtype == np.float32
    assert windows.shape == (6, 3) and labels.shape == (6, 2)
    np.testing.assert_array_equal(windows[0], [0, 1, 2])
    np.testing.assert_array_equal(labels[-1], [8, 9])
    # The course's default: a week of prices -> the next day.
    w, l = ds.make_windows(np.arange(100.0))
    assert w.shape == (93, 7) and l.shape == (93, 1) and l[0, 0] == 7
    with pytest.raises(ValueError, match="too short"):
        ds.make_windows(np.arange(5), window_size=5, horizon=1)
    with pytest.raises(ValueError, match="1-D"):
        ds.make_windows(np.zeros((5, 2)))


def test_train_test_split_series_keeps_time_order():
    windows, labels = ds.make_windows(np.arange(20), window_size=4, horizon=1)  # 16 pairs
    w_train, w_test, l_train, l_test = ds.train_test_split_series(windows, labels, test_split=0.25)
    assert len(w_train) == len(l_train) == 12 and len(w_test) == len(l_test) == 4
    np.testing.assert_array_equal(np.concatenate([w_train, w_test]), windows)
    assert l_train.max() < l_test.min()  # the test set is the future
