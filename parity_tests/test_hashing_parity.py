"""Keras's Hashing layer and the lookups' hashed OOV slots under Keras 3.15 and minitf: the same bins,
bit for bit (FarmHash Fingerprint64 and SipHash-2-4 reproduced in minitf/_string_hashes.py), and the
same configs. The bucket ops themselves: test_strings_parity.py."""
import numpy as np
import pytest

WORDS = [["a", "b", "c"], ["d", "", "f"], ["hello", "world", "a rather longer token, past 64 bytes of text...."]]


@pytest.mark.parametrize("kwargs,data", [
    (dict(num_bins=7), WORDS),
    (dict(num_bins=5, mask_value=""), WORDS),
    (dict(num_bins=5, salt=[133, 137]), WORDS),
    (dict(num_bins=4, salt=7, mask_value=3), [[1, 2, 3], [4, 5, -6]]),
    (dict(num_bins=9), np.array([[1.5, 2.0, -3.7]], np.float32)),
    (dict(num_bins=4, output_mode="multi_hot"), WORDS),
    (dict(num_bins=4, output_mode="count"), WORDS),
    (dict(num_bins=4, output_mode="one_hot"), [["a"], ["c"]]),
    (dict(num_bins=6, dtype="int32"), np.array([10, 20, 30], np.int64)),
    (dict(num_bins=1, mask_value="a"), [["a", "b"]]),
], ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_hashing_layer_gives_kerass_bins(tf, mtf, kwargs, data):
    t, m = tf.keras.layers.Hashing(**kwargs), mtf.keras.layers.Hashing(**kwargs)
    expected, got = np.asarray(t(data)), m(data).numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    assert m.get_config() == {**t.get_config(), "name": m.name}


@pytest.mark.parametrize("cls,kwargs,data", [
    ("StringLookup", dict(num_oov_indices=3), WORDS),
    ("StringLookup", dict(num_oov_indices=4, salt=[5, 9]), WORDS),
    ("StringLookup", dict(num_oov_indices=2, mask_token="", salt=3), WORDS),
    ("StringLookup", dict(num_oov_indices=3, output_mode="count"), WORDS),
    ("IntegerLookup", dict(num_oov_indices=3), [[1, 7, 100], [-5, 3, 12345]]),
    ("IntegerLookup", dict(num_oov_indices=3, oov_method="farmhash"), [[1, 7, 100], [-5, 3, 12345]]),
    ("IntegerLookup", dict(num_oov_indices=4, oov_method="farmhash", salt=[1, 2]), [[1, 7, 100], [-5, 3, 12345]]),
], ids=lambda v: str(v) if isinstance(v, (str, dict)) else "")
def test_lookups_put_unknown_tokens_in_kerass_oov_slots(tf, mtf, cls, kwargs, data):
    vocabulary = ["a", "b", "c"] if cls == "StringLookup" else [1, 2, 3]
    t = getattr(tf.keras.layers, cls)(vocabulary=vocabulary, **kwargs)
    m = getattr(mtf.keras.layers, cls)(vocabulary=vocabulary, **kwargs)
    np.testing.assert_array_equal(m(data).numpy(), np.asarray(t(data)))
    assert m.get_config() == {**t.get_config(), "name": m.name}


@pytest.mark.parametrize("make", [lambda fw: fw.keras.layers.IntegerLookup(salt=3),
                                  lambda fw: fw.keras.layers.StringLookup(oov_method="md5"),
                                  lambda fw: fw.keras.layers.Hashing(num_bins=3, salt="x")])
def test_bad_arguments_raise_kerass_error(tf, mtf, make):
    with pytest.raises(ValueError) as expected:
        make(tf)
    with pytest.raises(ValueError) as got:
        make(mtf)
    assert str(got.value)[:40] == str(expected.value)[:40]


@pytest.mark.parametrize("kwargs,data", [
    (dict(num_bins=5), [np.array(["a", "b", "c"]), np.array([1, 2, 3])]),
    (dict(num_bins=5), [np.array([["a"], ["b"]]), np.array([["x"], ["y"]])]),
    (dict(num_bins=7, output_mode="one_hot"), [np.array(["a", "b", "c"]), np.array(["u", "v", "w"])]),
    (dict(num_bins=7, output_mode="one_hot"), [np.array([["a"], ["b"]]), np.array([["x"], ["y"]])]),
    (dict(num_bins=3), ["a", 7]),
    (dict(num_bins=11), [np.array([1, 2]), np.array(["p", "q"]), np.array([-9, 10**12])]),
], ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_hashed_crossing_gives_kerass_bins(tf, mtf, kwargs, data):
    t, m = tf.keras.layers.HashedCrossing(**kwargs), mtf.keras.layers.HashedCrossing(**kwargs)
    expected, got = np.asarray(t(data)), m(data).numpy()
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    assert m.get_config() == {**t.get_config(), "name": m.name}


@pytest.mark.parametrize("kwargs,adapt", [
    (dict(bin_boundaries=[0.0, 0.5, 1.0]), None), (dict(bin_boundaries=[0.1, 1 / 3]), None),
    (dict(num_bins=4), "array"), (dict(num_bins=7, epsilon=0.001), "array"), (dict(num_bins=4), "dataset"),
    (dict(num_bins=5, output_mode="count"), "array"), (dict(num_bins=3, output_mode="one_hot"), "array"),
    (dict(num_bins=3, output_mode="multi_hot"), "batches"),
], ids=lambda v: str(v))
def test_discretization_learns_kerass_boundaries_and_bins(tf, mtf, kwargs, adapt):
    data = np.random.default_rng(0).normal(size=(1000, 3)).astype(np.float32)
    x = np.array([[-1.0, 0.0, 0.3], [2.0, -0.2, 1 / 3]], np.float32)
    layers = []
    for fw in (tf, mtf):
        layer = fw.keras.layers.Discretization(**kwargs)
        if adapt == "array":
            layer.adapt(data)
        elif adapt == "dataset":
            layer.adapt(fw.data.Dataset.from_tensor_slices(data).batch(128))
        elif adapt == "batches":
            layer.adapt([data[:400], data[400:]])
        layers.append(layer)
    t, m = layers
    assert m.bin_boundaries == t.bin_boundaries
    expected, got = np.asarray(t(x)), m(x).numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    assert m.get_config() == {**t.get_config(), "name": m.name}
