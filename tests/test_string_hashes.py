"""TF's string hashes (FarmHash Fingerprint64, SipHash-2-4), tf.strings.to_hash_bucket_fast/strong, the
Hashing layer and the lookups' hashed OOV slots. Reference values: SipHash's from its paper, the
fingerprints from TF 2.21; TF's own outputs for every length branch: parity_tests/test_strings_parity.py."""
import numpy as np
import pytest

import minitf as tf
from minitf._string_hashes import fingerprint64, siphash24

layers = tf.keras.layers

# to_hash_bucket_fast(s, 2**63 - 1) as TF 2.21 computes it (one string per FarmHash length branch).
TF_STRINGS = [b"", b"a", b"abc", b"hello", b"backprop", b"hello, world!!", b"0123456789abcdefXYZ",
              b"the quick brown fox jumps over the lazy dog", b"minitf " * 10, b"gradient " * 40]
TF_FAST = [1936946117179621456, 3694432073954588132, 2640714258260161385, 3786372426573024489, 5126997826252528809,
           8088702362038286425, 4324627561306006267, 3200379034145657812, 7313362362991609585, 52240859763606701]
TF_STRONG_1234567_89 = [5527909990957264801, 9108564842541536909, 2716290440620034098, 1298183592621142198,
                        5894106256910125146, 7203591901215383058, 3680232685217108006, 6660599600647988345,
                        4814639844921830102, 1687165198180817704]


def test_siphash_gives_the_papers_test_vectors():
    """Aumasson and Bernstein (2012): key 00 01 .. 0f; the empty message and 00 01 .. 0e."""
    key = (int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little"))
    assert siphash24(key, b"") == 0x726FDB47DD0E0E31
    assert siphash24(key, bytes(range(15))) == 0xA129CA6149BE45E5


def test_fingerprints_and_keyed_hashes_are_tfs():
    np.testing.assert_array_equal(tf.strings.to_hash_bucket_fast(TF_STRINGS, 2**63 - 1).numpy(), TF_FAST)
    np.testing.assert_array_equal(
        tf.strings.to_hash_bucket_strong(TF_STRINGS, 2**63 - 1, key=[1234567, 89]).numpy(), TF_STRONG_1234567_89)
    assert fingerprint64(b"") == 0x9AE16A3B2F90404F  # the empty string's fingerprint is the constant k2


def test_fingerprint_gives_eight_little_endian_bytes_per_row():
    rows = tf.fingerprint(tf.constant(["hello", "x"])).numpy()
    assert rows.dtype == np.uint8 and rows.shape == (2, 8)
    assert [int.from_bytes(bytes(r), "little") % (2**63 - 1) for r in rows] == \
        list(tf.strings.to_hash_bucket_fast(["hello", "x"], 2**63 - 1).numpy())
    numbers = np.arange(6, dtype=np.int32).reshape(3, 2)  # a row of numbers: the fingerprint of its bytes
    assert [bytes(r) for r in tf.fingerprint(numbers).numpy()] == \
        [fingerprint64(row.tobytes()).to_bytes(8, "little") for row in numbers]
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least one dimension"):
        tf.fingerprint(tf.constant(3))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Unsupported fingerprint method: md5"):
        tf.fingerprint([1, 2], method="md5")


def test_buckets_are_in_range_spread_evenly_and_repeat():
    words = [f"token{i}".encode() for i in range(6000)]
    buckets = tf.strings.to_hash_bucket_fast(words, 6).numpy()
    assert buckets.dtype == np.int64 and buckets.min() >= 0 and buckets.max() < 6
    counts = np.bincount(buckets, minlength=6)
    chi2 = float(((counts - 1000) ** 2 / 1000).sum())
    assert chi2 < 20.5, f"chi-square {chi2:.1f} over 5 degrees of freedom (p < 0.001)"
    np.testing.assert_array_equal(tf.strings.to_hash_bucket_fast(words, 6).numpy(), buckets)
    strong = tf.strings.to_hash_bucket_strong(words, 6, key=[1, 2]).numpy()
    assert not np.array_equal(strong, tf.strings.to_hash_bucket_strong(words, 6, key=[1, 3]).numpy())


def test_bucket_ops_check_their_arguments():
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_buckets' of 0 must be at least minimum 1"):
        tf.strings.to_hash_bucket_fast(["a"], 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Key must have 2 elements"):
        tf.strings.to_hash_bucket_strong(["a"], 3, key=[1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="StringToHashBucketFast: expected a string tensor"):
        tf.strings.to_hash_bucket_fast(tf.constant([1, 2]), 3)
    assert tf.strings.to_hash_bucket_fast("a", 5).shape == ()


def test_hashing_layer_bins_values_as_strings_and_keeps_bin_zero_for_the_mask():
    x = np.array([["cat", "", "dog"], ["", "emu", "cat"]], dtype=object)
    plain = layers.Hashing(num_bins=4)(x).numpy()
    np.testing.assert_array_equal(plain, tf.strings.to_hash_bucket_fast(x, 4).numpy())
    assert plain.dtype == np.int64
    masked = layers.Hashing(num_bins=4, mask_value="")(x).numpy()
    np.testing.assert_array_equal(masked, np.where(x == "", 0, tf.strings.to_hash_bucket_fast(x, 3).numpy() + 1))
    ints = np.array([7, -3, 7])
    np.testing.assert_array_equal(layers.Hashing(num_bins=5)(ints).numpy(),
                                  tf.strings.to_hash_bucket_fast(["7", "-3", "7"], 5).numpy())
    floats = np.array([7.9, -3.2], np.float32)  # cast to int64 first (toward zero), as Keras
    np.testing.assert_array_equal(layers.Hashing(num_bins=5)(floats).numpy(),
                                  tf.strings.to_hash_bucket_fast(["7", "-3"], 5).numpy())
    salted = layers.Hashing(num_bins=5, salt=133)
    assert salted.salt == [133, 133]
    np.testing.assert_array_equal(salted(x).numpy(), tf.strings.to_hash_bucket_strong(x, 5, key=[133, 133]).numpy())


def test_hashing_layer_encodes_its_bins():
    x = np.array([["a", "b"], ["c", "c"]], dtype=object)
    bins = tf.strings.to_hash_bucket_fast(x, 4).numpy()
    counts = layers.Hashing(num_bins=4, output_mode="count")(x).numpy()
    assert counts.dtype == np.float32
    np.testing.assert_array_equal(counts, [np.bincount(row, minlength=4) for row in bins])
    np.testing.assert_array_equal(layers.Hashing(num_bins=4, output_mode="multi_hot")(x).numpy(),
                                  [np.bincount(row, minlength=4) > 0 for row in bins])
    one_hot = layers.Hashing(num_bins=4, output_mode="one_hot")(np.array([["a"], ["c"]], dtype=object)).numpy()
    np.testing.assert_array_equal(one_hot, np.eye(4)[bins[[0, 1], [0, 0]]])
    layer = layers.Hashing(num_bins=4, mask_value="", salt=[1, 2], output_mode="count")
    assert layers.Hashing.from_config(layer.get_config()).get_config() == layer.get_config()
    assert layer.compute_output_shape((None, 3)) == (None, 4)


@pytest.mark.parametrize("kwargs,message", [
    (dict(num_bins=0), "`num_bins` for `Hashing` cannot be `None` or non-positive"),
    (dict(num_bins=3, output_mode="bits"), "Invalid value for argument `output_mode`"),
    (dict(num_bins=3, dtype="float32"), "`dtype` should be an integer type"),
    (dict(num_bins=3, salt="x"), "`salt` argument for `Hashing` can only be"),
    (dict(num_bins=3, sparse=True), "`sparse` may only be true"),
])
def test_hashing_layer_checks_its_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Hashing(**kwargs)


def test_lookups_spread_unknown_tokens_over_their_oov_slots_by_hash():
    lookup = layers.StringLookup(vocabulary=["a", "b"], num_oov_indices=3)  # OOV slots 0..2, "a" 3, "b" 4
    tokens = np.array(["a", "zebra", "b", "yak", "x"], dtype=object)
    expected = np.where(tokens == "a", 3, np.where(tokens == "b", 4, tf.strings.to_hash_bucket_fast(tokens, 3).numpy()))
    np.testing.assert_array_equal(lookup(tokens).numpy(), expected)
    salted = layers.StringLookup(vocabulary=["a"], num_oov_indices=2, mask_token="", salt=[4, 5])  # mask 0, OOV 1..2
    np.testing.assert_array_equal(salted(np.array(["", "q", "a"], dtype=object)).numpy(),
                                  [0, 1 + tf.strings.to_hash_bucket_strong(["q"], 2, key=[4, 5]).numpy()[0], 3])
    ints = np.array([10, 11, 1000])
    floormod = layers.IntegerLookup(vocabulary=[1], num_oov_indices=3)
    np.testing.assert_array_equal(floormod(ints).numpy(), ints % 3)
    hashed = layers.IntegerLookup(vocabulary=[1], num_oov_indices=3, oov_method="farmhash")
    np.testing.assert_array_equal(hashed(ints).numpy(),
                                  tf.strings.to_hash_bucket_fast(["10", "11", "1000"], 3).numpy())
    assert hashed.get_config()["oov_method"] == "farmhash"
    with pytest.raises(ValueError, match="`salt` can only be used when `oov_method='farmhash'`"):
        layers.IntegerLookup(salt=3)
    with pytest.raises(ValueError, match="Unknown value for `oov_method`"):
        layers.StringLookup(oov_method="md5")


def test_hashed_crossing_is_tfs_cross_hashed():
    """Bins of tf.sparse.cross_hashed([a, b], 2**62) as TF 2.21 computes them (strings, and integers,
    which enter the chain as they are)."""
    cross = layers.HashedCrossing(num_bins=2**62)
    np.testing.assert_array_equal(cross([np.array(["x", "hello", ""]), np.array(["y", "world", "z"])]).numpy(),
                                  [3012276415503108816, 192022212995605711, 3625035325615656787])
    np.testing.assert_array_equal(cross([np.array([3, -7, 12345]), np.array(["y", "world", "z"])]).numpy(),
                                  [2652734367581441683, 4145588195224341845, 78372968725962266])
    small = layers.HashedCrossing(num_bins=5)([np.array([["a"], ["b"]]), np.array([[1], [2]])]).numpy()
    assert small.shape == (2, 1) and small.dtype == np.int64 and ((0 <= small) & (small < 5)).all()
    one_hot = layers.HashedCrossing(num_bins=5, output_mode="one_hot")([np.array(["a", "b"]), np.array([1, 2])])
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(5, dtype=np.float32)[small[:, 0]])
    layer = layers.HashedCrossing(num_bins=5, output_mode="one_hot")
    assert layers.HashedCrossing.from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize("inputs,message", [
    (np.array(["a"]), "should be called on a list or tuple"),
    ([np.array(["a"])], "at least two inputs"),
    ([np.array([["a", "b"]]), np.array([["c", "d"]])], "should have shape `\\(\\)`, `\\(batch_size\\)`"),
    ([np.array(["a"]), np.array(["b", "c"])], "should have equal shape"),
    ([np.array([1.5]), np.array([2.5])], "integer or string dtype"),
])
def test_hashed_crossing_checks_its_inputs(inputs, message):
    with pytest.raises(ValueError, match=message):
        layers.HashedCrossing(num_bins=3)(inputs)
