"""minitf.data against tf.data: the same pipeline code, built with each framework, gives the same elements.

Deterministic pipelines (batch, take, skip, repeat, zip, map, filter, unbatch, enumerate,
concatenate, dicts and nested tuples) must match element by element: same structure, same
dtypes, same values (exactly: nothing here rounds differently). Their cardinality and
element_spec must match too. Shuffles cannot match element by element (different RNGs):
each epoch must be the same multiset, and the distribution of which value lands at each
position is compared with a chi-square homogeneity test (threshold 45 with 5 degrees of
freedom: a false alarm has probability < 1e-8; both sides are seeded, so the test is fixed).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module", autouse=True)
def quiet_autograph(tf):
    tf.get_logger().setLevel("ERROR")  # "AutoGraph could not transform <lambda>" notes are noise here
    tf.autograph.set_verbosity(0)


def assert_same(what: str, want, got, path: str = "element") -> None:
    """Same nesting, dtypes and values; the message names the pipeline and where they differ."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), f"{what}: {path} is {got!r}, tf has {want!r}"
        for k in want:
            assert_same(what, want[k], got[k], f"{path}[{k!r}]")
        return
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), f"{what}: {path} is {got!r}, tf has {want!r}"
        for i, (w, g) in enumerate(zip(want, got)):
            assert_same(what, w, g, f"{path}[{i}]")
        return
    w, g = np.asarray(want), np.asarray(got)
    assert w.dtype == g.dtype, f"{what}: {path} dtype tf {w.dtype}, minitf {g.dtype}"
    assert w.shape == g.shape, f"{what}: {path} shape tf {w.shape}, minitf {g.shape}"
    assert np.array_equal(w, g), f"{what}: {path} values differ: tf {w!r}, minitf {g!r}"


def check_pipeline(tf, mtf, what: str, build) -> None:
    """build(fw) under each framework: same elements, cardinality and element_spec."""
    t, m = build(tf), build(mtf)  # built once each: TF traces map/filter functions when building
    want, got = list(t.as_numpy_iterator()), list(m.as_numpy_iterator())
    assert len(want) == len(got), f"{what}: tf gives {len(want)} elements, minitf {len(got)}"
    for i, (w, g) in enumerate(zip(want, got)):
        assert_same(what, w, g, f"element {i}")
    assert int(t.cardinality()) == int(m.cardinality()), (
        f"{what}: cardinality tf {int(t.cardinality())}, minitf {int(m.cardinality())}")
    assert_same_spec(what, t.element_spec, m.element_spec)


def assert_same_spec(what: str, want, got) -> None:
    if isinstance(want, dict):
        assert set(want) == set(got), f"{what}: element_spec keys {set(got)} vs tf {set(want)}"
        for k in want:
            assert_same_spec(what, want[k], got[k])
    elif isinstance(want, tuple):
        assert isinstance(got, tuple) and len(want) == len(got), f"{what}: element_spec {got} vs tf {want}"
        for w, g in zip(want, got):
            assert_same_spec(what, w, g)
    else:
        assert want.shape.as_list() == got.shape.as_list() and want.dtype.name == got.dtype.name, (
            f"{what}: element_spec {got} vs tf {want}")


# --- deterministic pipelines ---------------------------------------------------------------------
@given(n=st.integers(0, 13), size=st.integers(1, 5), drop=st.booleans(), seed=st.integers(0, 1000))
def test_slices_batch(tf, mtf, n, size, drop, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((n, 3)).astype(np.float32), rng.integers(0, 9, n)
    check_pipeline(tf, mtf, f"from_tensor_slices((x, y)).batch({size}, drop_remainder={drop}), n={n}",
                   lambda fw: fw.data.Dataset.from_tensor_slices((x, y)).batch(size, drop_remainder=drop))


@given(n=st.integers(0, 12), take=st.integers(-1, 8), skip=st.integers(-1, 8), times=st.integers(0, 3),
       size=st.integers(1, 4))
def test_take_skip_repeat_batch(tf, mtf, n, take, skip, times, size):
    check_pipeline(tf, mtf, f"range({n}).take({take}).skip({skip}).repeat({times}).batch({size})",
                   lambda fw: fw.data.Dataset.range(n).take(take).skip(skip).repeat(times).batch(size))
    check_pipeline(tf, mtf, f"range({n}).repeat({times}).skip({skip}).take({take})",
                   lambda fw: fw.data.Dataset.range(n).repeat(times).skip(skip).take(take))


@settings(max_examples=6)  # TF traces each map/filter function: ~0.1 s per pipeline
@given(n=st.integers(1, 10), size=st.integers(1, 4), seed=st.integers(0, 1000))
def test_map_filter_unbatch(tf, mtf, n, size, seed):
    x = np.random.default_rng(seed).integers(-5, 5, (n, 2)).astype(np.float32)
    y = np.arange(n, dtype=np.int32)
    check_pipeline(tf, mtf, "map with unpacked tuple components",
                   lambda fw: fw.data.Dataset.from_tensor_slices((x, y)).map(lambda a, b: (a * 2, b + 1)))
    check_pipeline(tf, mtf, "filter on a tuple element, then batch",
                   lambda fw: fw.data.Dataset.from_tensor_slices((x, y)).filter(
                       lambda a, b: fw.reduce_sum(a) > 0).batch(size))
    check_pipeline(tf, mtf, "batch, map over batches, unbatch",
                   lambda fw: fw.data.Dataset.from_tensor_slices(x).batch(size).map(
                       lambda a: fw.reduce_max(a, axis=1)).unbatch())
    check_pipeline(tf, mtf, "range filter map",
                   lambda fw: fw.data.Dataset.range(3 * n).filter(lambda v: v % 3 == 1).map(lambda v: v * v))


def test_structures_zip_enumerate_concatenate(tf, mtf):
    x = np.arange(12, dtype=np.float64).reshape(6, 2)
    labels = np.array([3, 1, 4, 1, 5, 9], np.int64)
    cases = {
        "dict slices, batched": lambda fw: fw.data.Dataset.from_tensor_slices({"x": x, "label": labels}).batch(4),
        "dict passed whole to map": lambda fw: fw.data.Dataset.from_tensor_slices(
            {"x": x, "label": labels}).map(lambda d: d["x"][0] + fw.cast(d["label"], fw.float64)),
        "nested tuple with a dict": lambda fw: fw.data.Dataset.from_tensor_slices(((x, {"l": labels}), labels)),
        "a Python list is one tensor": lambda fw: fw.data.Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]]),
        "python floats are float32": lambda fw: fw.data.Dataset.from_tensor_slices(([0.5, 1.5], [1, 2])),
        "zip(*args), shortest wins": lambda fw: fw.data.Dataset.zip(
            fw.data.Dataset.range(4), fw.data.Dataset.from_tensor_slices(x)).batch(3),
        "zip of a dict of datasets": lambda fw: fw.data.Dataset.zip(
            {"a": fw.data.Dataset.range(3), "b": fw.data.Dataset.range(5, 9).repeat()}),
        "enumerate(start)": lambda fw: fw.data.Dataset.from_tensor_slices(labels).enumerate(start=10),
        "concatenate": lambda fw: fw.data.Dataset.range(3).concatenate(fw.data.Dataset.range(7, 9)).batch(2),
        "concatenate relaxes shapes": lambda fw: fw.data.Dataset.from_tensor_slices(x).concatenate(
            fw.data.Dataset.from_tensor_slices(np.zeros((2, 5)))),
        "from_tensors": lambda fw: fw.data.Dataset.from_tensors((x, labels)).repeat(2),
        "unbatch after batch": lambda fw: fw.data.Dataset.from_tensor_slices((x, labels)).batch(4).unbatch(),
        "prefetch and cache": lambda fw: fw.data.Dataset.from_tensor_slices(x).cache().batch(5).prefetch(
            fw.data.AUTOTUNE),
        "range with step": lambda fw: fw.data.Dataset.range(10, 0, -3).batch(2, drop_remainder=True),
    }
    for what, build in cases.items():
        check_pipeline(tf, mtf, what, build)


def length_or_error(ds):
    try:
        return len(ds)
    except TypeError as e:  # "The dataset is infinite." / "The dataset length is unknown."
        return str(e)


def test_cardinality_and_len(tf, mtf):
    pipelines = {
        "filter": lambda D: D.range(10).filter(lambda v: v > 3),
        "filter().take": lambda D: D.range(10).filter(lambda v: v > 3).take(2),
        "filter().repeat()": lambda D: D.range(10).filter(lambda v: v > 3).repeat(),
        "filter().repeat(3)": lambda D: D.range(10).filter(lambda v: v > 3).repeat(3),
        "take(0).repeat()": lambda D: D.range(10).take(0).repeat(),
        "repeat().take": lambda D: D.range(10).repeat().take(5),
        "zip finite+infinite": lambda D: D.zip(D.range(10), D.range(3).repeat()),
        "zip with unknown": lambda D: D.zip(D.range(10).repeat(), D.range(10).filter(lambda v: v > 3)),
        "concatenate infinite": lambda D: D.range(3).concatenate(D.range(3).repeat()),
        "unbatch": lambda D: D.range(10).batch(3).unbatch(),
        "repeat().batch": lambda D: D.range(10).repeat().batch(3),
        "skip(-1)": lambda D: D.range(10).skip(-1),
        "shuffle.map.enumerate": lambda D: D.range(10).shuffle(4).map(lambda v: v).enumerate(),
    }
    for what, build in pipelines.items():
        t, m = build(tf.data.Dataset), build(mtf.data.Dataset)
        assert int(t.cardinality()) == int(m.cardinality()), (
            f"{what}: cardinality tf {int(t.cardinality())}, minitf {int(m.cardinality())}")
        assert length_or_error(m) == length_or_error(t), (
            f"{what}: len() tf {length_or_error(t)!r}, minitf {length_or_error(m)!r}")
    assert (tf.data.AUTOTUNE, tf.data.INFINITE_CARDINALITY, tf.data.UNKNOWN_CARDINALITY) == (
        mtf.data.AUTOTUNE, mtf.data.INFINITE_CARDINALITY, mtf.data.UNKNOWN_CARDINALITY)


# --- shuffle -----------------------------------------------------------------------------------------
def test_shuffle_epochs_are_permutations_in_both(tf, mtf):
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    for fw in (tf, mtf):
        ds = fw.data.Dataset.from_tensor_slices((x, np.arange(20))).shuffle(20, seed=3).batch(7)
        for _ in range(2):
            batches = list(ds.as_numpy_iterator())
            idx = np.concatenate([b[1] for b in batches])
            assert sorted(idx.tolist()) == list(range(20)), f"{fw.__name__}: an epoch is not a permutation"
            np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x[idx])


@pytest.mark.parametrize("buffer", [2, 4, 6])
def test_shuffle_position_distributions_match_tf(tf, mtf, buffer):
    """Which value lands at each position, over 3000 epochs of range(6): tf vs minitf, chi-square per position."""
    epochs, n = 3000, 6
    counts = {}
    for fw in (tf, mtf):
        ds = fw.data.Dataset.range(n).shuffle(buffer, seed=17).batch(n).repeat(epochs)
        orders = np.stack(list(ds.as_numpy_iterator()))  # (epochs, n): each row one epoch's order
        counts[fw.__name__] = np.stack([np.bincount(orders[:, p], minlength=n) for p in range(n)])
        # The buffer bound holds in both: position p holds one of the first p + buffer values.
        assert (orders < np.arange(n) + buffer).all(), f"{fw.__name__}: buffer {buffer} bound broken"
    a, b = counts["tensorflow"], counts["minitf"]
    for p in range(n):
        seen = (a[p] + b[p]) > 0
        expected = (a[p] + b[p])[seen] / 2  # equal sample sizes
        chi2 = float((((a[p][seen] - expected) ** 2 + (b[p][seen] - expected) ** 2) / expected).sum())
        assert chi2 < 45, (f"shuffle(buffer={buffer}): position {p} value counts differ: tf {a[p].tolist()}, "
                           f"minitf {b[p].tolist()} (chi2 {chi2:.1f})")


# --- argument checking: the classes TF raises, and what it accepts ---------------------------------
from tests.test_data import ACCEPTED_ARGUMENTS, BAD_ARGUMENTS  # noqa: E402  (the tables the unit tests use)


@pytest.mark.parametrize("what, call, error", BAD_ARGUMENTS, ids=[c[0] for c in BAD_ARGUMENTS])
def test_bad_arguments_raise_the_class_tf_raises(tf, mtf, what, call, error):
    """The table's class is TF's (checked here); tests/test_data.py checks minitf raises it too."""
    for fw in (tf, mtf):
        with pytest.raises(Exception) as caught:
            call(fw, fw.data.Dataset.range(6))
        assert type(caught.value).__name__ == error, (
            f"{what}: {fw.__name__} raises {type(caught.value).__name__} ({caught.value}), the table says {error}")


@pytest.mark.parametrize("what, call, expected", ACCEPTED_ARGUMENTS, ids=[c[0] for c in ACCEPTED_ARGUMENTS])
def test_accepted_arguments_mean_the_same(tf, mtf, what, call, expected):
    for fw in (tf, mtf):
        got = [np.asarray(e).tolist() for e in call(fw, fw.data.Dataset.range(6)).as_numpy_iterator()]
        assert got == expected, f"{what}: {fw.__name__} gives {got}, the table says {expected}"


def test_shuffle_buffer_of_unknown_cardinality_is_a_full_shuffle_in_both(tf, mtf):
    for fw in (tf, mtf):
        firsts = {int(next(fw.data.Dataset.range(50).shuffle(-2, seed=s).as_numpy_iterator())) for s in range(60)}
        assert max(firsts) > 40 and int(fw.data.Dataset.range(50).shuffle(-2).cardinality()) == 50, fw.__name__
