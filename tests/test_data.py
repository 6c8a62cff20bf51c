"""minitf.data.Dataset: elements, structures, dtypes, cardinality and shuffle semantics (no TF needed).

Expected values are written out by hand or come from plain NumPy/Python; shuffle is checked
by its defining properties (a permutation; the buffer bound; repeatability with a seed) and
statistically (a chi-square bound far from the edge: a false alarm has probability < 1e-6).
"""
from __future__ import annotations

import collections

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from minitf.data import dataset as dataset_module

Dataset = tf.data.Dataset


def items(ds):
    return list(ds.as_numpy_iterator())


# --- sources and structures ---------------------------------------------------------------------
def test_from_tensor_slices_structures_and_dtypes():
    x = np.arange(6, dtype=np.float64).reshape(3, 2)
    ds = Dataset.from_tensor_slices((x, [1, 2, 3], {"w": [0.5, 1.5, 2.5]}))
    elements = list(ds)
    assert len(elements) == 3
    first = elements[0]
    assert isinstance(first, tuple) and isinstance(first[0], tf.Tensor) and isinstance(first[2], dict)
    assert first[0].dtype == tf.float64 and first[1].dtype == tf.int32 and first[2]["w"].dtype == tf.float32
    np.testing.assert_array_equal(elements[2][0].numpy(), [4.0, 5.0])
    assert [int(e[1]) for e in elements] == [1, 2, 3]
    spec = ds.element_spec
    assert spec[0] == tf.data.TensorSpec((2,), tf.float64)
    assert spec[1] == tf.data.TensorSpec((), tf.int32) and spec[2]["w"] == tf.data.TensorSpec((), tf.float32)


def test_a_list_is_one_tensor_and_a_tuple_a_structure():
    assert items(Dataset.from_tensor_slices([[1, 2], [3, 4]]))[1].tolist() == [3, 4]
    assert [tuple(int(v) for v in e) for e in items(Dataset.from_tensor_slices(([1, 2], [3, 4])))] == [(1, 3), (2, 4)]


def test_namedtuple_and_nested_structures_survive():
    Pair = collections.namedtuple("Pair", "image label")
    ds = Dataset.from_tensor_slices(Pair(np.zeros((4, 2, 2)), ({"a": np.arange(4)}, np.ones(4))))
    e = next(iter(ds))
    assert type(e) is Pair and e.image.shape == (2, 2)
    assert isinstance(e.label, tuple) and set(e.label[0]) == {"a"}


def test_tensors_are_snapshotted_and_sliced_values_right():
    x = np.arange(5, dtype=np.float32)
    ds = Dataset.from_tensor_slices(tf.constant(x))
    x[:] = -1  # the caller's array changes after the dataset was made
    assert [float(v) for v in ds] == [0, 1, 2, 3, 4]


def test_from_tensor_slices_errors():
    with pytest.raises(ValueError, match=r"same size in their first dimension.*\(2,\).*\(3,\)"):
        Dataset.from_tensor_slices(([1, 2], [1, 2, 3]))
    with pytest.raises(ValueError, match="component 0 is a scalar"):
        Dataset.from_tensor_slices(3.0)
    with pytest.raises(ValueError, match="from_tensor_slices: cannot convert.*unsupported type"):
        Dataset.from_tensor_slices([object(), object()])  # (TF: a ValueError too)


def test_from_tensors_and_range():
    e = items(Dataset.from_tensors(([1, 2], 3.0)))
    assert len(e) == 1 and e[0][0].tolist() == [1, 2] and e[0][1] == np.float32(3.0)
    assert items(Dataset.range(4)) == [0, 1, 2, 3]
    assert items(Dataset.range(2, 9, 3)) == [2, 5, 8]
    assert items(Dataset.range(5, 0, -2)) == [5, 3, 1]
    assert items(Dataset.range(3, 3)) == []
    r = Dataset.range(3)
    assert r.element_spec == tf.data.TensorSpec((), tf.int64) and next(iter(r)).dtype == tf.int64
    assert Dataset.range(3, output_type=tf.int32).element_spec.dtype == tf.int32
    assert type(items(r)[0]) is np.int64  # rank-0 values come out as NumPy scalars, as in TF


# --- batch / unbatch --------------------------------------------------------------------------------
@given(st.integers(0, 23), st.integers(1, 7), st.booleans())
def test_batch_matches_python_chunks(n, size, drop):
    x = np.arange(n * 2).reshape(n, 2)
    want = [x[i:i + size] for i in range(0, n, size) if not (drop and i + size > n)]
    for ds in (Dataset.from_tensor_slices(x), Dataset.from_tensor_slices(x).map(lambda v: v)):  # fast and general
        got = items(ds.batch(size, drop_remainder=drop))
        assert len(got) == len(want) == len(ds.batch(size, drop))
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


def test_batch_spec_and_unbatch():
    ds = Dataset.from_tensor_slices((np.zeros((5, 3), np.float32), np.arange(5)))
    assert ds.batch(2).element_spec[0].shape.as_list() == [None, 3]
    assert ds.batch(2, drop_remainder=True).element_spec[0].shape.as_list() == [2, 3]
    un = ds.batch(2).unbatch()
    assert [int(b) for _, b in un] == [0, 1, 2, 3, 4]
    assert un.element_spec[0].shape.as_list() == [3]
    assert un.cardinality() == tf.data.UNKNOWN_CARDINALITY


def test_batch_refuses_ragged_elements():
    ds = Dataset.from_tensors([1, 2]).concatenate(Dataset.from_tensors([1, 2, 3]))
    with pytest.raises(ValueError, match=r"different shapes in component 0.*\[2\].*\[3\]"):
        items(ds.batch(2))


def test_fast_path_reads_one_slice_per_batch(monkeypatch):
    """from_tensor_slices(arrays)[.shuffle(n)].batch(b) does array work per batch, not per element."""
    calls = []
    original = dataset_module._TensorSliceDataset._rows
    monkeypatch.setattr(dataset_module._TensorSliceDataset, "_rows",
                        lambda self, index: calls.append(index) or original(self, index))
    x, y = np.arange(200, dtype=np.float32).reshape(100, 2), np.arange(100)
    base = Dataset.from_tensor_slices((x, y))
    batches = items(base.batch(32))
    assert len(calls) == 4 and all(isinstance(c, slice) for c in calls)
    np.testing.assert_array_equal(batches[1][0], x[32:64])
    calls.clear()
    shuffled = items(base.shuffle(100, seed=0).batch(32).prefetch(tf.data.AUTOTUNE))
    assert len(calls) == 4
    order = np.concatenate([b[1] for b in shuffled])
    assert sorted(order.tolist()) == list(range(100)) and order.tolist() != list(range(100))
    np.testing.assert_array_equal(np.concatenate([b[0] for b in shuffled]), x[order])  # rows stay paired
    calls.clear()
    items(base.cache().skip(10).take(50).batch(16))
    assert len(calls) == 4


# --- shuffle ------------------------------------------------------------------------------------------
def test_shuffle_seeded_is_repeatable_and_reshuffles_each_epoch():
    a = Dataset.range(50).shuffle(50, seed=7)
    b = Dataset.range(50).shuffle(50, seed=7)
    epochs_a = [items(a) for _ in range(3)]
    assert epochs_a == [items(b) for _ in range(3)]
    assert epochs_a[0] != epochs_a[1] and sorted(epochs_a[0]) == list(range(50))
    fixed = Dataset.range(50).shuffle(50, seed=7, reshuffle_each_iteration=False)
    assert items(fixed) == items(fixed)


def test_shuffle_global_seed_makes_unseeded_shuffles_repeatable():
    tf.random.set_seed(3)
    first = items(Dataset.range(30).shuffle(8))
    tf.random.set_seed(3)
    assert items(Dataset.range(30).shuffle(8)) == first


def test_shuffle_order_is_the_same_on_the_fast_and_general_paths():
    x = np.arange(40)
    fast = np.concatenate(items(Dataset.from_tensor_slices(x).shuffle(64, seed=5).batch(6)))
    elementwise = items(Dataset.from_tensor_slices(x).shuffle(64, seed=5))
    general = items(Dataset.from_tensor_slices(x).map(lambda v: v).shuffle(64, seed=5))  # no direct row access
    assert fast.tolist() == elementwise == general


@given(st.integers(1, 30), st.integers(1, 12), st.integers(0, 1000))
def test_shuffle_buffer_bound_and_permutation(n, buffer, seed):
    """Output k can only be one of the first k + buffer inputs (TF's buffer semantics)."""
    out = items(Dataset.range(n).map(lambda v: v).shuffle(buffer, seed=seed))
    assert sorted(out) == list(range(n))
    assert all(v < k + buffer for k, v in enumerate(out)), f"buffer {buffer} exceeded: {out}"
    if buffer == 1:
        assert out == list(range(n))


def test_shuffle_is_uniform_statistically():
    """Over 4000 epochs of 5 elements, the first value is uniform over what the buffer can hold."""
    cases = [(Dataset.range(5).shuffle(5, seed=11), np.full(5, 800.0)),              # whole-permutation path
             (Dataset.range(5).shuffle(3, seed=11), np.array([4000 / 3] * 3 + [0, 0]))]  # buffer of 3
    for ds, expected in cases:
        firsts = np.bincount([items(ds)[0] for _ in range(4000)], minlength=5)
        seen = expected > 0
        chi2 = float((((firsts - expected)[seen]) ** 2 / expected[seen]).sum())
        assert (firsts[~seen] == 0).all(), f"impossible first values drawn: {firsts}"
        assert chi2 < 35, f"first-element counts {firsts} far from uniform (chi2 {chi2:.1f})"  # p < 1e-6


def test_shuffle_then_repeat_reshuffles_each_repetition():
    epochs = items(Dataset.range(20).shuffle(20, seed=1).repeat(3).batch(20))
    assert len(epochs) == 3 and all(sorted(e.tolist()) == list(range(20)) for e in epochs)
    assert epochs[0].tolist() != epochs[1].tolist()


# --- map / filter -------------------------------------------------------------------------------------
def test_map_unpacks_tuples_and_passes_dicts_whole():
    ds = Dataset.from_tensor_slices((np.array([1.0, 2.0]), np.array([10, 20])))
    assert items(ds.map(lambda x, y: x * 2)) == [2.0, 4.0]
    swapped = items(ds.map(lambda x, y: (y, x)))
    assert swapped[1] == (20, 2.0)
    d = Dataset.from_tensor_slices({"a": [1, 2], "b": [3, 4]}).map(lambda e: e["a"] + e["b"])
    assert items(d) == [4, 6]
    listed = items(Dataset.range(2).map(lambda v: [v, v + 1]))  # a list result is one tensor
    assert listed[1].tolist() == [1, 2]
    assert items(Dataset.range(2).map(lambda v: 1.5)) == [1.5, 1.5]


def test_map_element_spec_marks_varying_dims_unknown():
    ds = Dataset.from_tensor_slices(np.zeros((5, 3), np.float32)).batch(2).map(lambda x: tf.reduce_sum(x, axis=1))
    assert ds.element_spec == tf.data.TensorSpec((None,), tf.float32)
    nested = Dataset.range(3).map(lambda v: {"v": v, "pair": (tf.cast(v, tf.float32), tf.ones((2,)))})
    assert nested.element_spec["pair"][1] == tf.data.TensorSpec((2,), tf.float32)
    assert nested.element_spec["v"] == tf.data.TensorSpec((), tf.int64)


def test_filter_keeps_true_elements_and_checks_the_predicate():
    assert items(Dataset.range(10).filter(lambda v: v % 3 == 0)) == [0, 3, 6, 9]
    assert Dataset.range(10).filter(lambda v: v > 2).cardinality() == tf.data.UNKNOWN_CARDINALITY
    with pytest.raises(ValueError, match="filter: Invalid `predicate`. `predicate` must return a `tf.bool` scalar"):
        items(Dataset.range(3).filter(lambda v: v))


# --- take / skip / repeat / zip / concatenate / enumerate / cache ------------------------------------------------
def test_take_skip_repeat():
    r = Dataset.range(6)
    assert items(r.take(3)) == [0, 1, 2] and items(r.take(-1)) == list(range(6)) and items(r.take(0)) == []
    assert items(r.skip(4)) == [4, 5] and items(r.skip(-1)) == [] and items(r.skip(9)) == []
    assert items(r.take(2).repeat(3)) == [0, 1] * 3
    assert items(r.repeat().take(8)) == [0, 1, 2, 3, 4, 5, 0, 1]
    assert items(r.take(0).repeat()) == []  # repeating nothing ends
    assert [b.tolist() for b in items(r.skip(1).take(3).batch(2))] == [[1, 2], [3]]


def test_zip_forms_and_shortest_wins():
    a, b = Dataset.range(3), Dataset.range(10, 20)
    assert items(Dataset.zip(a, b)) == [(0, 10), (1, 11), (2, 12)]
    assert items(Dataset.zip((a, b))) == items(Dataset.zip(a, b))
    zipped = items(Dataset.zip({"x": a, "y": (b, a)}))
    assert zipped[2] == {"x": 2, "y": (12, 2)}
    assert Dataset.zip(a, b.repeat()).cardinality() == 3
    with pytest.raises(TypeError, match="expected Datasets"):
        Dataset.zip(a, [1, 2])


def test_concatenate_relaxes_shapes_and_refuses_other_dtypes():
    a = Dataset.from_tensor_slices(np.zeros((2, 3)))
    b = Dataset.from_tensor_slices(np.ones((1, 5)))
    ab = a.concatenate(b)
    assert ab.element_spec.shape.as_list() == [None] and len(ab) == 3
    assert [e.shape for e in items(ab)] == [(3,), (3,), (5,)]
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        a.concatenate(Dataset.range(3))


def test_enumerate_and_reduce_and_apply():
    e = items(Dataset.from_tensor_slices([7, 8]).enumerate(start=3))
    assert e == [(3, 7), (4, 8)] and type(e[0][0]) is np.int64
    total = Dataset.range(7).batch(3).reduce(np.int64(0), lambda s, x: s + tf.reduce_sum(x))
    assert int(total) == 21
    assert items(Dataset.range(4).apply(lambda d: d.skip(2))) == [2, 3]


def test_cache_replays_the_first_pass():
    calls = []
    ds = Dataset.range(5).map(lambda v: calls.append(1) or v).shuffle(5, seed=2).cache()
    first, second = items(ds), items(ds)
    assert first == second and len(calls) == 5  # the map ran once per element, the order is fixed
    base = Dataset.from_tensor_slices([1, 2])
    assert base.cache() is base and base.prefetch(2) is base


# --- cardinality, len, iteration -------------------------------------------------------------------------------
def test_cardinality_rules():
    r = Dataset.range(10)
    unknown, infinite = tf.data.UNKNOWN_CARDINALITY, tf.data.INFINITE_CARDINALITY
    cases = {
        r.batch(3): 4, r.batch(3, drop_remainder=True): 3, r.repeat(): infinite, r.repeat(2): 20,
        r.repeat().batch(4): infinite, r.filter(lambda v: v > 1).repeat(): infinite,
        r.filter(lambda v: v > 1).repeat(2): unknown, r.filter(lambda v: v > 1).take(2): unknown,
        r.repeat().take(5): 5, r.repeat().skip(5): infinite, r.skip(20): 0, r.take(-1): 10,
        r.concatenate(r.repeat()): infinite, Dataset.zip(r, r.filter(lambda v: v > 1)): unknown,
        r.shuffle(3).map(lambda v: v).enumerate(): 10, r.take(0).repeat(): 0, r.repeat(0): 0,
    }
    for ds, want in cases.items():
        got = ds.cardinality()
        assert got.dtype == tf.int64 and int(got) == want, f"{ds}: cardinality {int(got)}, expected {want}"
    assert tf.data.experimental.cardinality(r.batch(4)) == 3


def test_len_and_truthiness():
    assert len(Dataset.range(7).batch(2)) == 4
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(Dataset.range(3).repeat())
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(Dataset.range(3).filter(lambda v: v > 0))
    assert bool(Dataset.range(3).repeat())


def test_each_iter_is_a_new_pass_of_tensors():
    ds = Dataset.from_tensor_slices(np.arange(4.0)).batch(3)
    first, second = iter(ds), iter(ds)
    a = next(first)
    assert isinstance(a, tf.Tensor) and a.shape == (3,)
    np.testing.assert_array_equal(next(second).numpy(), a.numpy())
    np.testing.assert_array_equal(next(first).numpy(), [3.0])


def test_argument_errors():
    r = Dataset.range(3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Batch size must be greater than zero"):
        r.batch(0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="buffer_size must be greater than zero"):
        r.shuffle(0)
    with pytest.raises(ValueError, match="map: Argument `func` must be a callable"):
        r.map(3)


# (what, the call on (framework, dataset), the class TF 2.21 raises): parity_tests/test_data_parity.py runs
# both tables under TF and checks them there.
BAD_ARGUMENTS = [
    ("batch(1.5)", lambda fw, d: d.batch(1.5), "TypeError"),
    ("batch(2.0)", lambda fw, d: d.batch(2.0), "TypeError"),
    ("batch('3')", lambda fw, d: d.batch("3"), "TypeError"),
    ("batch(None)", lambda fw, d: d.batch(None), "ValueError"),
    ("batch(-1)", lambda fw, d: d.batch(-1), "InvalidArgumentError"),
    ("batch([2])", lambda fw, d: d.batch([2]), "InvalidArgumentError"),
    ("batch(int32 tensor)", lambda fw, d: d.batch(fw.constant(2)), "ValueError"),
    ("batch(2, drop_remainder=1)", lambda fw, d: d.batch(2, drop_remainder=1), "TypeError"),
    ("batch(2, drop_remainder=None)", lambda fw, d: d.batch(2, drop_remainder=None), "ValueError"),
    ("batch(2, num_parallel_calls=1.5)", lambda fw, d: d.batch(2, num_parallel_calls=1.5), "TypeError"),
    ("shuffle(1.5)", lambda fw, d: d.shuffle(1.5), "TypeError"),
    ("shuffle(-1)", lambda fw, d: d.shuffle(-1), "InvalidArgumentError"),
    ("shuffle(-5)", lambda fw, d: d.shuffle(-5), "InvalidArgumentError"),
    ("shuffle([4])", lambda fw, d: d.shuffle([4]), "InvalidArgumentError"),
    ("shuffle(4, seed=1.0)", lambda fw, d: d.shuffle(4, seed=1.0), "TypeError"),
    ("shuffle(4, reshuffle_each_iteration=1)", lambda fw, d: d.shuffle(4, reshuffle_each_iteration=1), "TypeError"),
    ("take('3')", lambda fw, d: d.take("3"), "TypeError"),
    ("take(None)", lambda fw, d: d.take(None), "ValueError"),
    ("take(2**63)", lambda fw, d: d.take(2 ** 63), "ValueError"),
    ("skip(1.5)", lambda fw, d: d.skip(1.5), "TypeError"),
    ("repeat(2.0)", lambda fw, d: d.repeat(2.0), "TypeError"),
    ("repeat(np.array([2]))", lambda fw, d: d.repeat(np.array([2])), "InvalidArgumentError"),
    ("prefetch(1.5)", lambda fw, d: d.prefetch(1.5), "TypeError"),
    ("prefetch(-2)", lambda fw, d: d.prefetch(-2), "InvalidArgumentError"),
    ("prefetch(-5)", lambda fw, d: d.prefetch(-5), "InvalidArgumentError"),
    ("enumerate(0.5)", lambda fw, d: d.enumerate(0.5), "TypeError"),
    ("map(3)", lambda fw, d: d.map(3), "ValueError"),
    ("map(f, num_parallel_calls=0)", lambda fw, d: d.map(lambda v: v, num_parallel_calls=0), "InvalidArgumentError"),
    ("map(f, num_parallel_calls=-5)", lambda fw, d: d.map(lambda v: v, num_parallel_calls=-5), "InvalidArgumentError"),
    ("filter(None)", lambda fw, d: d.filter(None), "ValueError"),
    ("reduce(0, 3)", lambda fw, d: d.reduce(np.int64(0), 3), "ValueError"),
    ("apply(returns 3)", lambda fw, d: d.apply(lambda _: 3), "TypeError"),
    ("cache(123)", lambda fw, d: d.cache(123), "TypeError"),
    ("cache(None)", lambda fw, d: d.cache(None), "ValueError"),
    ("range(1.5)", lambda fw, d: fw.data.Dataset.range(1.5), "TypeError"),
    ("range(0, 5, 0)", lambda fw, d: fw.data.Dataset.range(0, 5, 0), "InvalidArgumentError"),
    ("range()", lambda fw, d: fw.data.Dataset.range(), "ValueError"),
    ("zip()", lambda fw, d: fw.data.Dataset.zip(), "TypeError"),
    ("from_tensor_slices(())", lambda fw, d: fw.data.Dataset.from_tensor_slices(()), "ValueError"),
    ("from_tensor_slices(ragged)", lambda fw, d: fw.data.Dataset.from_tensor_slices([[1, 2], [3]]), "ValueError"),
]

ACCEPTED_ARGUMENTS = [  # what TF takes, with what it means
    ("batch(True)", lambda fw, d: d.batch(True), [[0], [1], [2], [3], [4], [5]]),
    ("batch(np.int32(4))", lambda fw, d: d.batch(np.int32(4)), [[0, 1, 2, 3], [4, 5]]),
    ("batch(np.float32(4.0))", lambda fw, d: d.batch(np.float32(4.0)), [[0, 1, 2, 3], [4, 5]]),
    ("batch(int64 tensor)", lambda fw, d: d.batch(fw.constant(4, fw.int64)), [[0, 1, 2, 3], [4, 5]]),
    ("batch(4, drop_remainder=np.True_)", lambda fw, d: d.batch(4, drop_remainder=np.True_), [[0, 1, 2, 3]]),
    ("take(-5)", lambda fw, d: d.take(-5), [0, 1, 2, 3, 4, 5]),
    ("skip(-1)", lambda fw, d: d.skip(-1), []),
    ("repeat(np.array(2))", lambda fw, d: d.repeat(np.array(2)), [0, 1, 2, 3, 4, 5] * 2),
    ("prefetch(None)", lambda fw, d: d.prefetch(None), [0, 1, 2, 3, 4, 5]),
    ("prefetch(0)", lambda fw, d: d.prefetch(0), [0, 1, 2, 3, 4, 5]),
    ("prefetch(fw.data.AUTOTUNE)", lambda fw, d: d.prefetch(fw.data.AUTOTUNE), [0, 1, 2, 3, 4, 5]),
    ("enumerate(-2)", lambda fw, d: d.enumerate(-2).map(lambda i, v: i), [-2, -1, 0, 1, 2, 3]),
    ("range(True)", lambda fw, d: fw.data.Dataset.range(True), [0]),
    ("range(-3)", lambda fw, d: fw.data.Dataset.range(-3), []),
]


@pytest.mark.parametrize("what, call, error", BAD_ARGUMENTS, ids=[c[0] for c in BAD_ARGUMENTS])
def test_bad_arguments_are_refused_with_tfs_error_class(what, call, error):
    with pytest.raises(Exception) as caught:
        call(tf, Dataset.range(6))
    assert type(caught.value).__name__ == error, caught.value
    method = what.split("(")[0]
    assert method in str(caught.value)  # the message names the method


@pytest.mark.parametrize("what, call, expected", ACCEPTED_ARGUMENTS, ids=[c[0] for c in ACCEPTED_ARGUMENTS])
def test_arguments_tf_accepts(what, call, expected):
    assert [np.asarray(e).tolist() for e in call(tf, Dataset.range(6)).as_numpy_iterator()] == expected


def test_shuffle_with_unknown_cardinality_buffer_is_a_full_shuffle_and_seeds_take_any_int():
    for seed in (-1, 2 ** 64, np.int64(-7)):
        orders = [list(Dataset.range(50).shuffle(tf.data.UNKNOWN_CARDINALITY, seed=seed).as_numpy_iterator())
                  for _ in range(2)]
        assert sorted(orders[0]) == list(range(50)) and orders[0] == orders[1]  # a permutation, repeatable
    # a buffer of "the whole dataset" can move the last element to the front (a buffer of 2 never could)
    firsts = {int(next(Dataset.range(50).shuffle(-2, seed=s).as_numpy_iterator())) for s in range(200)}
    assert max(firsts) > 40
