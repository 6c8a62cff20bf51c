"""String tensors, tf.strings and RaggedTensor: hand-computed values, TF's errors, traces (no TF needed)."""
import numpy as np
import pytest

import minitf as tf
from minitf import array_backend as B
from minitf.errors import InvalidArgumentError, UnimplementedError


# --- making and showing them -------------------------------------------------------------------------------
def test_string_tensors_hold_bytes_in_host_object_arrays():
    s = tf.constant(["héllo", b"\xff", np.str_("x")])
    assert s.dtype == tf.string and s.dtype.name == "string" and s.shape == (3,)
    assert s._value.dtype == object and s.numpy().tolist() == ["héllo".encode(), b"\xff", b"x"]
    assert all(type(v) is bytes for v in s.numpy().tolist())  # not np.bytes_
    assert s.device.endswith("CPU:0")
    assert tf.constant("a").numpy() == b"a" and type(tf.constant("a").numpy()) is bytes
    assert tf.constant(np.array([["a"], ["b"]])).shape == (2, 1)
    assert tf.constant("ab", shape=(2, 2)).numpy().tolist() == [[b"ab", b"ab"], [b"ab", b"ab"]]
    assert tf.constant([], dtype=tf.string).shape == (0,)
    assert tf.convert_to_tensor(["x", b"y"]).numpy().tolist() == [b"x", b"y"]
    v = tf.Variable(["a", "b"])
    assert v.dtype == tf.string and not v._auto_watch  # never watched by a tape


def test_string_tensors_print_as_tf_prints_them():
    assert repr(tf.constant("a")) == "<tf.Tensor: shape=(), dtype=string, numpy=b'a'>"
    assert str(tf.constant(["x", "yz"])) == "tf.Tensor([b'x' b'yz'], shape=(2,), dtype=string)"
    assert repr(tf.constant(["x"])) == "<tf.Tensor: shape=(1,), dtype=string, numpy=array([b'x'], dtype=object)>"
    assert f"{tf.constant('a')}" == "b'a'"


def test_the_string_dtype():
    assert tf.as_dtype("string") is tf.string and tf.as_dtype(np.str_) is tf.string
    assert tf.as_dtype(np.dtype("S3")) is tf.string and tf.as_dtype(object) is tf.string
    assert tf.string.as_numpy_dtype is object and tf.string.size == 0 and tf.string.is_string
    assert not (tf.string.is_floating or tf.string.is_integer or tf.string.is_bool)
    assert tf.string != tf.float32 and repr(tf.string) == "tf.string" and str(tf.string) == "<dtype: 'string'>"
    with pytest.raises(TypeError, match="minimum"):
        tf.string.min  # noqa: B018
    with pytest.raises(TypeError, match="TensorFlow DType"):
        tf.as_dtype(str)


def test_conversions_tf_refuses():
    with pytest.raises(ValueError, match="mixed types"):
        tf.constant(["a", 1])
    with pytest.raises(ValueError, match="non-rectangular|Cannot convert"):
        tf.constant([["a"], ["b", "c"]])
    with pytest.raises(ValueError, match="unsupported type"):
        tf.constant(["a", None])
    with pytest.raises(TypeError, match="dtype float32"):
        tf.constant(["1.5"], dtype=tf.float32)
    with pytest.raises(TypeError, match="dtype string"):
        tf.constant([1.5], dtype=tf.string)


# --- which ops take strings ----------------------------------------------------------------------------------
def test_shape_ops_move_strings():
    s = tf.constant(["a", "b", "c", "d"])
    assert tf.reshape(s, (2, 2)).numpy().tolist() == [[b"a", b"b"], [b"c", b"d"]]
    assert tf.concat([s[:1], s[3:]], 0).numpy().tolist() == [b"a", b"d"]
    assert tf.stack([s[:2], s[2:]], axis=1).numpy().tolist() == [[b"a", b"c"], [b"b", b"d"]]
    assert tf.gather(s, [3, 3, 0]).numpy().tolist() == [b"d", b"d", b"a"]
    assert tf.gather(s, 2).numpy() == b"c" and s[-1].numpy() == b"d"
    assert tf.expand_dims(s, 0).shape == (1, 4) and tf.squeeze(tf.constant([["q"]])).numpy() == b"q"
    assert tf.reverse(s, [0]).numpy().tolist() == [b"d", b"c", b"b", b"a"]
    assert tf.tile(s[:1], [3]).numpy().tolist() == [b"a"] * 3
    assert tf.pad(s[:1], [[1, 1]]).numpy().tolist() == [b"", b"a", b""]
    assert tf.pad(s[:1], [[0, 1]], constant_values="z").numpy().tolist() == [b"a", b"z"]
    assert [t.numpy() for t in tf.unstack(s[:2])] == [b"a", b"b"]
    assert tf.boolean_mask(s, [True, False, False, True]).numpy().tolist() == [b"a", b"d"]
    assert tf.where([True, False], s[:2], "z").numpy().tolist() == [b"a", b"z"]
    assert tf.zeros_like(s[:2]).numpy().tolist() == [b"", b""] and tf.zeros([1], tf.string).numpy().tolist() == [b""]
    assert tf.fill([2], "x").numpy().tolist() == [b"x", b"x"]
    assert tf.shape(s).numpy().tolist() == [4] and int(tf.size(s)) == 4


def test_equality_and_concatenation():
    s = tf.constant(["a", "bb"])
    assert (s == "a").numpy().tolist() == [True, False] and (s != "a").numpy().tolist() == [False, True]
    assert tf.equal(tf.constant("x"), "x").numpy()
    assert (s + "!").numpy().tolist() == [b"a!", b"bb!"] and ("<" + s).numpy().tolist() == [b"<a", b"<bb"]
    assert (tf.constant("a") + tf.constant("b")).numpy() == b"ab"  # a scalar stays a 0-d array
    assert tf.add(s, s).numpy().tolist() == [b"aa", b"bbbb"]


@pytest.mark.parametrize("fn", [
    lambda s: s * s, lambda s: s - s, lambda s: s / s, lambda s: -s, lambda s: s < s, lambda s: tf.maximum(s, s),
    lambda s: tf.reduce_sum(s), lambda s: tf.reduce_max(s), lambda s: tf.reduce_mean(s), lambda s: tf.argmax(s),
    lambda s: tf.abs(s), lambda s: tf.exp(s), lambda s: tf.square(s), lambda s: tf.sort(s), lambda s: tf.math.cumsum(s),
    lambda s: tf.add_n([s, s]), lambda s: tf.ones_like(s), lambda s: tf.nn.softmax(s), lambda s: tf.einsum("i,i->", s, s),
    lambda s: tf.matmul(tf.reshape(s, (1, 2)), tf.reshape(s, (2, 1))), lambda s: tf.math.top_k(s),
    lambda s: tf.clip_by_value(s, "a", "b"), lambda s: tf.ones([1], tf.string),
])
def test_ops_of_numbers_refuse_strings_with_tfs_error(fn):
    with pytest.raises(InvalidArgumentError, match="string"):
        fn(tf.constant(["a", "b"]))


def test_mixing_strings_and_numbers_and_casting():
    with pytest.raises(TypeError, match="strings and numbers"):
        tf.constant("a") * 2
    with pytest.raises(TypeError, match="strings and numbers"):
        tf.constant(["a"]) + 1
    with pytest.raises(UnimplementedError, match="to_number"):
        tf.cast(tf.constant(["1"]), tf.float32)
    with pytest.raises(UnimplementedError, match="as_string"):
        tf.cast(tf.constant([1]), tf.string)


# --- tf.strings -------------------------------------------------------------------------------------------
def test_case_regex_and_strip():
    s = tf.constant(["Hello World", "ÄÖ straße"])
    assert tf.strings.lower(s).numpy().tolist() == [b"hello world", "ÄÖ straße".encode()]  # ASCII only
    assert tf.strings.lower(s, encoding="utf-8").numpy()[1] == "äö straße".encode()
    assert tf.strings.upper(s, encoding="utf-8").numpy()[1] == "ÄÖ STRASSE".encode()
    assert tf.strings.regex_replace(s, "o", "0").numpy()[0] == b"Hell0 W0rld"
    assert tf.strings.regex_replace(s, "o", "0", replace_global=False).numpy()[0] == b"Hell0 World"
    assert tf.strings.regex_replace(s, r"(\w+) (\w+)", r"\2 \1").numpy()[0] == b"World Hello"
    assert tf.strings.regex_replace(tf.constant("straße"), r"\w", "x").numpy() == "xxxxßx".encode()  # RE2: ASCII \w
    assert tf.strings.regex_replace(tf.constant("äb"), ".", "x").numpy() == b"xx"  # one character, not one byte
    assert tf.strings.regex_full_match(s, "H.*").numpy().tolist() == [True, False]
    assert tf.strings.strip(tf.constant([" \t a b \n\x0b"])).numpy().tolist() == [b"a b"]
    with pytest.raises(InvalidArgumentError, match="group"):
        tf.strings.regex_replace(s, "o", r"\1")
    with pytest.raises(TypeError, match="string tensor"):
        tf.strings.lower(tf.constant([1.0]))


def test_split_length_join_substr():
    s = tf.constant(["a b  c", "", "x,y,,z"])
    assert tf.strings.split(s).to_list() == [[b"a", b"b", b"c"], [], [b"x,y,,z"]]
    assert tf.strings.split(s, sep=",").to_list() == [[b"a b  c"], [b""], [b"x", b"y", b"", b"z"]]
    assert tf.strings.split(s, maxsplit=1).to_list()[0] == [b"a", b"b  c"]
    assert tf.strings.split(tf.constant("p q")).numpy().tolist() == [b"p", b"q"]  # a scalar: dense pieces
    deep = tf.strings.split(tf.constant([["a b", "c"], ["d", ""]]))
    assert deep.to_list() == [[[b"a", b"b"], [b"c"]], [[b"d"], []]] and tuple(deep.shape) == (2, 2, None)
    assert tf.strings.length(tf.constant(["héllo"])).numpy().tolist() == [6]
    assert tf.strings.length(tf.constant(["héllo"]), unit="UTF8_CHAR").numpy().tolist() == [5]
    assert tf.strings.join([tf.constant(["a", "b"]), "-", tf.constant(["c", "d"])]).numpy().tolist() == [b"a-c",
                                                                                                       b"b-d"]
    assert tf.strings.reduce_join(tf.constant([["a", "b"], ["c", "d"]]), axis=1, separator=" ").numpy().tolist() \
        == [b"a b", b"c d"]
    assert tf.strings.reduce_join(tf.constant(["a", "b"])).numpy() == b"ab"
    assert tf.strings.substr(tf.constant(["hello"]), 1, 3).numpy().tolist() == [b"ell"]
    assert tf.strings.substr(tf.constant(["hello"]), -2, 5).numpy().tolist() == [b"lo"]
    assert tf.strings.substr(tf.constant(["äbc"]), 0, 1, unit="UTF8_CHAR").numpy().tolist() == ["ä".encode()]
    with pytest.raises(InvalidArgumentError, match="out of range"):
        tf.strings.substr(tf.constant(["ab"]), 3, 1)


def test_unicode_numbers_format_ngrams():
    assert tf.strings.unicode_split(tf.constant(["äb"]), "UTF-8").to_list() == [["ä".encode(), b"b"]]
    assert tf.strings.unicode_decode(tf.constant(["äb"]), "UTF-8").to_list() == [[228, 98]]
    assert tf.strings.bytes_split(tf.constant("ä")).numpy().tolist() == [b"\xc3", b"\xa4"]
    assert tf.strings.to_number(tf.constant(["1.5", " -2 ", "1e3"])).numpy().tolist() == [1.5, -2.0, 1000.0]
    assert tf.strings.to_number(tf.constant(["7"]), out_type=tf.int64).dtype == tf.int64
    for bad, out in (("abc", tf.float32), ("1_000", tf.float32), ("1.5", tf.int32), ("3000000000", tf.int32)):
        with pytest.raises(InvalidArgumentError, match="could not correctly convert"):
            tf.strings.to_number(tf.constant([bad]), out_type=out)
    assert tf.strings.as_string(tf.constant([1.5, -0.25])).numpy().tolist() == [b"1.500000", b"-0.250000"]
    assert tf.strings.as_string(tf.constant([3]), width=3, fill="0").numpy().tolist() == [b"003"]
    assert tf.strings.as_string(tf.constant([0.1]), shortest=True).numpy().tolist() == [b"0.1"]
    assert tf.strings.as_string(tf.constant([True])).numpy().tolist() == [b"true"]
    assert tf.strings.format("x={} s={}", (tf.constant([0.1, 1 / 3]), tf.constant(["a"]))).numpy() == \
        b'x=[0.1 0.333333343] s=["a"]'
    assert tf.strings.format("{}", tf.range(10)).numpy() == b"[0 1 2 ... 7 8 9]"
    assert tf.strings.ngrams(tf.constant(["a", "b", "c"]), 2).numpy().tolist() == [b"a b", b"b c"]
    rows = tf.strings.ngrams(tf.strings.split(tf.constant(["a b c", "d"])), (1, 2))
    assert rows.to_list() == [[b"a", b"b", b"c", b"a b", b"b c"], [b"d"]]


# --- RaggedTensor ---------------------------------------------------------------------------------------------
def test_ragged_tensor():
    rt = tf.ragged.constant([[1, 2], [], [3]])
    assert rt.to_list() == [[1, 2], [], [3]] and rt.dtype == tf.int32 and tuple(rt.shape) == (3, None)
    assert rt.row_splits.numpy().tolist() == [0, 2, 2, 3] and rt.row_lengths().numpy().tolist() == [2, 0, 1]
    assert rt.values.numpy().tolist() == [1, 2, 3] and rt.flat_values.numpy().tolist() == [1, 2, 3]
    assert rt.to_tensor().numpy().tolist() == [[1, 2], [0, 0], [3, 0]]
    assert rt.to_tensor(default_value=-1, shape=[3, 3]).numpy().tolist() == [[1, 2, -1], [-1, -1, -1], [3, -1, -1]]
    assert rt.to_tensor(shape=[None, 1]).numpy().tolist() == [[1], [0], [3]]
    assert rt[0].numpy().tolist() == [1, 2] and rt[1:].to_list() == [[], [3]] and int(rt[0, 1]) == 2
    assert repr(rt) == "<tf.RaggedTensor [[1, 2], [], [3]]>"
    assert tf.RaggedTensor.from_row_lengths([1, 2, 3], [2, 1]).to_list() == [[1, 2], [3]]
    assert tf.RaggedTensor.from_value_rowids([5, 6], [0, 2]).to_list() == [[5], [], [6]]
    assert tf.RaggedTensor.from_tensor([[1, 0], [2, 3]], padding=0).to_list() == [[1], [2, 3]]
    deep = tf.ragged.constant([[[1], [2, 3]], [[4]]])
    assert deep.ragged_rank == 2 and deep.to_tensor().numpy().tolist() == [[[1, 0], [2, 3]], [[4, 0], [0, 0]]]
    upper = tf.ragged.map_flat_values(tf.strings.upper, tf.strings.split(tf.constant(["a b"])))
    assert upper.to_list() == [[b"A", b"B"]]
    with pytest.raises(InvalidArgumentError, match="row_splits"):
        tf.RaggedTensor.from_row_splits([1, 2], [0, 3])
    with pytest.raises(ValueError, match="inner ragged"):
        rt[:, 0]
    with pytest.raises(ValueError, match="private"):
        tf.RaggedTensor([1], [0, 1])


# --- pipelines and traces ---------------------------------------------------------------------------------------
def test_datasets_of_strings():
    texts = ["a", "bb", "ccc"]
    ds = tf.data.Dataset.from_tensor_slices((texts, [0, 1, 2]))
    assert list(ds.map(lambda s, i: s).as_numpy_iterator()) == [b"a", b"bb", b"ccc"]
    batch = next(iter(ds.batch(2)))
    assert batch[0].dtype == tf.string and batch[0].numpy().tolist() == [b"a", b"bb"]
    lengths = ds.map(lambda s, i: tf.strings.length(s)).filter(lambda n: n > 1)
    assert list(lengths.as_numpy_iterator()) == [2, 3]
    shuffled = list(tf.data.Dataset.from_tensor_slices(texts).shuffle(3, seed=1).as_numpy_iterator())
    assert sorted(shuffled) == [b"a", b"bb", b"ccc"]
    assert list(tf.data.Dataset.from_tensors(texts).unbatch().as_numpy_iterator()) == [b"a", b"bb", b"ccc"]
    assert repr(tf.data.Dataset.from_tensor_slices(texts).element_spec) == \
        "TensorSpec(shape=(), dtype=tf.string, name=None)"


def test_traced_functions_take_string_placeholders_and_replay_string_ops():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def words(s):
        return tf.strings.split(tf.strings.lower(s)).to_tensor(default_value="-", shape=[None, 2])

    for batch in (["A b c", "D"], ["x", "Y z", "w"]):
        eager = tf.strings.split(tf.strings.lower(tf.constant(batch))).to_tensor(default_value="-", shape=[None, 2])
        assert words(tf.constant(batch)).numpy().tolist() == eager.numpy().tolist()
    assert words.experimental_get_tracing_count() == 1
    concrete = words.get_concrete_function()
    assert concrete.inputs[0].dtype == tf.string
    assert {op.type for op in concrete.graph.get_operations()} >= {"StringLower", "StringSplitV2"}

    @tf.function
    def numbers(s):  # a NumPy array of str is a string tensor argument, not a Python value
        return tf.strings.to_number(s) * 2.0

    assert numbers(np.array(["1", "2"])).numpy().tolist() == [2.0, 4.0]
    assert numbers(np.array(["3", "4"])).numpy().tolist() == [6.0, 8.0]
    assert numbers.experimental_get_tracing_count() == 1


def test_string_tensors_stay_on_the_host():
    """The rule of backend.module_of: an object array is computed on with NumPy, whatever the backend."""
    s = tf.constant(["a"])
    assert B.module_of(s._value) is np
    assert B.module_of(np.zeros(2)) is B.xp
    assert B.zeros((2,), np.dtype(object)).tolist() == [b"", b""]


class _NoStringsBackend:
    """A stand-in for CuPy's rule: its functions refuse host object arrays (strings), as CuPy has none."""

    class ndarray:  # noqa: N801 (CuPy's name): no array is one of these
        pass

    def __getattr__(self, name):
        target = getattr(np, name)
        if not callable(target):
            return target

        def refuse_strings(*args, **kwargs):
            for a in list(args) + list(kwargs.values()):
                items = a if isinstance(a, (list, tuple)) else [a]
                for item in items:
                    if isinstance(item, np.ndarray) and item.dtype.kind in "OUS" or isinstance(item, (str, bytes)):
                        raise TypeError(f"the stand-in backend has no strings ({name})")
            if name in ("asarray", "array") and args and isinstance(args[0], (list, tuple)):
                if np.asarray(args[0], dtype=object).dtype.kind == "O" and any(
                        isinstance(v, (str, bytes)) for v in np.asarray(args[0], dtype=object).reshape(-1)):
                    raise TypeError(f"the stand-in backend has no strings ({name})")
            return target(*args, **kwargs)
        return refuse_strings


def test_strings_never_reach_a_backend_without_strings(monkeypatch):
    """Under a backend that has no strings (CuPy), string tensors and the kernels they pass through stay on
    the host: conversion, shape ops, ==, +, where, tf.strings, ragged padding, lookups, datasets."""
    monkeypatch.setattr(B, "xp", _NoStringsBackend())
    s = tf.constant(["b a", "c"])
    assert type(s._value) is np.ndarray and s.dtype == tf.string
    assert tf.reshape(tf.concat([s, s], 0), (2, 2)).shape == (2, 2)
    assert tf.gather(s, [1]).numpy().tolist() == [b"c"] and tf.stack([s, s]).shape == (2, 2)
    assert tf.where([True, False], s, "z").numpy().tolist() == [b"b a", b"z"]
    assert (s + "!").numpy().tolist() == [b"b a!", b"c!"] and (s == "c").numpy().tolist() == [False, True]
    assert tf.strings.split(s).to_tensor().numpy().tolist() == [[b"b", b"a"], [b"c", b""]]
    assert tf.fill([2], "x").numpy().tolist() == [b"x", b"x"] and tf.zeros_like(s).numpy().tolist() == [b"", b""]
    assert tf.transpose(tf.expand_dims(s, 0)).shape == (2, 1) and tf.tile(s, [2]).shape == (4,)
    from minitf.keras import layers
    vectorize = layers.TextVectorization(vocabulary=["a", "b"])
    assert vectorize(["b a q"]).numpy().tolist() == [[3, 2, 1]]
    batches = list(tf.data.Dataset.from_tensor_slices(["x", "y", "z"]).shuffle(3, seed=0).batch(2))
    assert sorted(v for b in batches for v in b.numpy().tolist()) == [b"x", b"y", b"z"]


def test_one_hot_with_string_on_and_off_values():
    hot = tf.one_hot([0, 2, 5], depth=3, on_value="on", off_value="off")
    assert hot.dtype == tf.string
    assert hot.numpy().tolist() == [[b"on", b"off", b"off"], [b"off", b"off", b"on"], [b"off", b"off", b"off"]]
    turned = tf.one_hot([1, 0], depth=2, on_value="y", off_value="n", axis=0)
    assert turned.numpy().tolist() == [[b"n", b"y"], [b"y", b"n"]]
