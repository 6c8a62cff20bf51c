"""TextVectorization, StringLookup, IntegerLookup, CategoryEncoding: hand-computed vocabularies and outputs."""
import math

import numpy as np
import pytest

import minitf as mt
from minitf.keras import layers

CORPUS = ["The cat sat.", "the CAT ran!", "a dog sat", "Ä dog, é"]
# After lower-casing A-Z (not Ä) and stripping punctuation:
#   the:2 cat:2 sat:2 ran:1 a:1 dog:2 Ä:1 é:1
# Equal counts: the token that sorts last comes first ("é" > "Ä" > "ran" > "a" as code points).
VOCAB = ["", "[UNK]", "the", "sat", "dog", "cat", "é", "Ä", "ran", "a"]


def test_vocabulary_order_and_int_output():
    tv = layers.TextVectorization()
    tv.adapt(CORPUS)
    assert tv.get_vocabulary() == VOCAB
    assert tv.vocabulary_size() == 10
    assert tv.get_vocabulary(include_special_tokens=False) == VOCAB[2:]
    out = tv(["the dog", "a zebra sat sat", "cat"])
    assert out.dtype == mt.int64
    np.testing.assert_array_equal(out.numpy(), [[2, 4, 0, 0], [9, 1, 3, 3], [5, 0, 0, 0]])


def test_max_tokens_and_output_sequence_length():
    tv = layers.TextVectorization(max_tokens=5, output_sequence_length=3)
    tv.adapt(CORPUS)
    assert tv.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog"]
    np.testing.assert_array_equal(tv(["cat sat the dog", "dog"]).numpy(), [[1, 3, 2], [4, 0, 0]])
    np.testing.assert_array_equal(tv(np.array([["cat sat"], ["dog"]])).numpy(), [[1, 3, 0], [4, 0, 0]])
    np.testing.assert_array_equal(tv("dog the").numpy(), [4, 2, 0])  # a single string


def test_standardize_and_split_rules():
    tv = layers.TextVectorization(standardize="lower_and_strip_punctuation")
    tv.adapt(["Hello, World! it's ÀB x-y_z\tq\u00a0r"])
    # Only A-Z are lowered; ' - _ are punctuation; only ASCII whitespace splits (not \u00a0).
    assert sorted(tv.get_vocabulary()[2:]) == sorted(["hello", "world", "its", "Àb", "xyz", "q\u00a0r"])
    tv = layers.TextVectorization(standardize=None, split="character")
    tv.adapt(["abca"])
    assert tv.get_vocabulary() == ["", "[UNK]", "a", "c", "b"]
    tv = layers.TextVectorization(split=None)
    tv.adapt(["x y", "z", "x y"])
    assert tv.get_vocabulary() == ["", "[UNK]", "x y", "z"]
    np.testing.assert_array_equal(tv(["z", "x y", "q"]).numpy(), [3, 2, 1])
    # As in Keras (TF backend), the callables get string tensors.
    tv = layers.TextVectorization(standardize=mt.strings.upper, split=lambda s: mt.strings.split(s, sep="-"))
    tv.adapt(["a-b-a"])
    assert tv.get_vocabulary() == ["", "[UNK]", "A", "B"]


def test_ngrams():
    tv = layers.TextVectorization(ngrams=2, standardize=None)
    tv.adapt(["a b a", "b c"])
    # counts: a:2 b:2 c:1 "a b":1 "b a":1 "b c":1
    assert tv.get_vocabulary() == ["", "[UNK]", "b", "a", "c", "b c", "b a", "a b"]
    np.testing.assert_array_equal(tv(["a b c"]).numpy(), [[3, 2, 4, 7, 5]])  # unigrams, then bigrams


def test_multi_hot_count_and_tf_idf():
    docs = ["x y x", "y z"]
    tv = layers.TextVectorization(output_mode="multi_hot")
    tv.adapt(docs)
    assert tv.get_vocabulary() == ["[UNK]", "y", "x", "z"]  # no padding index outside "int" mode
    np.testing.assert_array_equal(tv(["x x q", "z"]).numpy(), [[1, 0, 1, 0], [0, 0, 0, 1]])
    tv = layers.TextVectorization(output_mode="count")
    tv.adapt(docs)
    np.testing.assert_array_equal(tv(["x x q", "z"]).numpy(), [[1, 0, 2, 0], [0, 0, 0, 1]])
    tv = layers.TextVectorization(output_mode="tf_idf")
    tv.adapt(docs)
    idf = {t: math.log(1 + 2 / (1 + df)) for t, df in {"y": 2, "x": 1, "z": 1}.items()}
    unk = np.mean([idf["y"], idf["x"], idf["z"]])
    expected = [[unk, 0, 2 * idf["x"], 0], [0, 0, 0, idf["z"]]]
    out = tv(["x x q", "z"])
    assert out.dtype == mt.float32
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    tv = layers.TextVectorization(output_mode="multi_hot", max_tokens=6, pad_to_max_tokens=True)
    tv.adapt(docs)
    assert tuple(tv(["x"]).shape) == (1, 6)


def test_text_vectorization_errors():
    tv = layers.TextVectorization()
    with pytest.raises(RuntimeError, match="call `adapt"):
        tv(["hello"])
    tv.adapt(["hello"])
    with pytest.raises(TypeError, match="expects strings"):
        tv(np.array([1, 2, 3]))
    with pytest.raises(TypeError, match="expects strings"):
        tv(mt.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="expects strings"):
        tv(["ok", 3])
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        tv(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="standardize"):
        layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="Cannot adapt"):
        layers.TextVectorization(vocabulary=["a"]).adapt(["a"])


def test_vocabulary_argument_and_config():
    tv = layers.TextVectorization(vocabulary=["x", "y"], output_sequence_length=2)
    assert tv.get_vocabulary() == ["", "[UNK]", "x", "y"]
    np.testing.assert_array_equal(tv(["y q x"]).numpy(), [[3, 1]])
    again = layers.TextVectorization.from_config(tv.get_config())
    np.testing.assert_array_equal(again(["y q x"]).numpy(), [[3, 1]])
    with pytest.raises(ValueError, match="repeated"):
        layers.TextVectorization(vocabulary=["x", "x"])


def test_adapt_from_batches():
    tv = layers.TextVectorization()
    tv.adapt(iter([["b a", "a"], ["c"]]))
    assert tv.get_vocabulary() == ["", "[UNK]", "a", "c", "b"]


def test_make_sentences_pipeline():
    sentences, labels = mt.datasets.make_sentences(64, seed=3)
    tv = layers.TextVectorization(max_tokens=50, output_sequence_length=15)
    tv.adapt(sentences)
    ids = tv(sentences).numpy()
    assert ids.shape == (64, 15) and ids.max() < 50 and labels.shape == (64,)
    vocab = tv.get_vocabulary()
    words = sentences[0].replace(",", "").split()
    np.testing.assert_array_equal(ids[0, :len(words)], [vocab.index(w) if w in vocab else 1 for w in words])


# --- StringLookup / IntegerLookup ------------------------------------------------------------------------
def test_string_lookup_modes():
    lookup = layers.StringLookup()
    lookup.adapt(["a", "b", "a", "c"])
    assert lookup.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    np.testing.assert_array_equal(lookup([["a", "z"], ["c", "b"]]).numpy(), [[1, 0], [2, 3]])
    one_hot = layers.StringLookup(vocabulary=["x", "y"], output_mode="one_hot")
    np.testing.assert_array_equal(one_hot(["x", "q"]).numpy(), [[0, 1, 0], [1, 0, 0]])
    multi = layers.StringLookup(vocabulary=["x", "y"], output_mode="multi_hot")
    np.testing.assert_array_equal(multi([["x", "y"], ["y", "y"]]).numpy(), [[0, 1, 1], [0, 0, 1]])
    count = layers.StringLookup(vocabulary=["x", "y"], output_mode="count")
    np.testing.assert_array_equal(count([["x", "y"], ["y", "y"]]).numpy(), [[0, 1, 1], [0, 0, 2]])
    masked = layers.StringLookup(vocabulary=["x"], mask_token="")
    assert masked.get_vocabulary() == ["", "[UNK]", "x"]
    np.testing.assert_array_equal(masked(["x", "", "q"]).numpy(), [2, 0, 1])
    invert = layers.StringLookup(vocabulary=["x", "y"], invert=True)
    assert invert([0, 1, 2, 9]).numpy().tolist() == [b"[UNK]", b"x", b"y", b"[UNK]"]
    strict = layers.StringLookup(vocabulary=["x"], num_oov_indices=0)
    np.testing.assert_array_equal(strict(["x"]).numpy(), [0])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        strict(["q"])
    with pytest.raises(TypeError, match="expects strings"):
        lookup([1, 2])
    with pytest.raises(RuntimeError, match="adapt"):
        layers.StringLookup()(["a"])


def test_string_lookup_tf_idf_and_max_tokens():
    lookup = layers.StringLookup(max_tokens=3)
    lookup.adapt(["a", "b", "b", "c", "c", "c"])
    assert lookup.get_vocabulary() == ["[UNK]", "c", "b"]
    lookup = layers.StringLookup(output_mode="tf_idf")
    lookup.adapt([["a", "b"], ["b", "c"], ["a", "a"]])  # three documents
    idf = {"a": math.log(1 + 3 / 3), "b": math.log(1 + 3 / 3), "c": math.log(1 + 3 / 2)}
    assert lookup.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    expected = [[np.mean(list(idf.values())), idf["a"], idf["b"], 0]]
    np.testing.assert_allclose(lookup([["a", "b", "q"]]).numpy(), expected, rtol=1e-6)


def test_integer_lookup():
    lookup = layers.IntegerLookup()
    lookup.adapt([5, 5, 7, 9, 9, 1])
    assert lookup.get_vocabulary() == [-1, 9, 5, 7, 1]
    np.testing.assert_array_equal(lookup([5, 7, 100, 1]).numpy(), [2, 3, 0, 4])
    masked = layers.IntegerLookup(mask_token=0)
    masked.adapt([5, 5, 7, 0])
    assert masked.get_vocabulary() == [0, -1, 5, 7]
    np.testing.assert_array_equal(masked([5, 0, 3]).numpy(), [2, 0, 1])
    invert = layers.IntegerLookup(vocabulary=[12, 36], invert=True)
    np.testing.assert_array_equal(invert([0, 1, 2]).numpy(), [-1, 12, 36])
    hashed = layers.IntegerLookup(vocabulary=[12, 36], num_oov_indices=3)
    np.testing.assert_array_equal(hashed([12, 3, 4, -7]).numpy(), [3, 0, 1, 2])  # OOV slot = value mod 3
    with pytest.raises(TypeError, match="expects integers"):
        lookup([0.5])


# --- CategoryEncoding ------------------------------------------------------------------------------------
def test_category_encoding():
    one_hot = layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")
    np.testing.assert_array_equal(one_hot([3, 0]).numpy(), [[0, 0, 0, 1], [1, 0, 0, 0]])
    np.testing.assert_array_equal(one_hot([[1], [2]]).numpy(), [[0, 1, 0, 0], [0, 0, 1, 0]])
    multi = layers.CategoryEncoding(num_tokens=4)
    np.testing.assert_array_equal(multi([[0, 1], [3, 3]]).numpy(), [[1, 1, 0, 0], [0, 0, 0, 1]])
    np.testing.assert_array_equal(multi([1, 2]).numpy(), [0, 1, 1, 0])  # a 1-D input is one row
    count = layers.CategoryEncoding(num_tokens=4, output_mode="count")
    np.testing.assert_array_equal(count([[0, 1, 1], [0, 0, 3]]).numpy(), [[1, 2, 0, 0], [2, 0, 0, 1]])
    weighted = count([[0, 1, 1]], count_weights=np.array([[0.5, 0.25, 1.0]]))
    np.testing.assert_allclose(weighted.numpy(), [[0.5, 1.25, 0, 0]])
    assert multi([[0]]).dtype == mt.float32
    with pytest.raises(ValueError, match="0 <= values < num_tokens"):
        multi([[4]])
    with pytest.raises(ValueError, match="maximum supported output rank is 2"):
        multi(np.zeros((2, 2, 2), int))
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    assert layers.CategoryEncoding.from_config(count.get_config()).output_mode == "count"
