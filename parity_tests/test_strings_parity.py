"""String tensors, ``tf.strings`` and ``tf.RaggedTensor`` against TensorFlow 2.21.

Each case is one expression written once as a function of the framework module and run under
both: the results must be equal exactly (strings are bytes: there is no rounding), ragged
results row for row (``to_list()``), and where TF raises, minitf must raise an error of the same
kind (TF's ``InvalidArgumentError`` / ``UnimplementedError`` as minitf's classes of those names,
Python's ``TypeError`` / ``ValueError`` as those or their subclasses). ``repr``/``str`` of string
tensors and ragged tensors must read as TF's, character for character.
"""
import numpy as np
import pytest

TEXTS = ["Hello World", "ÄÖÜ straße", "  pad  ", "", "a,b,,c", "Tab\there\nnewline", "1.5e3"]


def _texts(fw):
    return fw.constant(TEXTS)


def _hash_inputs(fw):
    """Strings of every length from 0 to 130 bytes and a few longer, of all byte values."""
    rng = np.random.default_rng(3)
    lengths = list(range(131)) + [191, 192, 193, 300]
    return fw.constant([bytes(rng.integers(0, 256, n, dtype=np.uint8)) for n in lengths])


CASES = {
    # making, showing, indexing
    "constant_scalar": lambda fw: fw.constant("héllo"),
    "constant_bytes": lambda fw: fw.constant([b"x", b"\xff\x00"]),
    "constant_numpy_str": lambda fw: fw.constant(np.array(["x", "yy"])),
    "constant_numpy_object": lambda fw: fw.constant(np.array(["x", b"yy"], dtype=object)),
    "constant_2d": lambda fw: fw.constant([["a", "b"], ["c", "d"]]),
    "constant_shape": lambda fw: fw.constant("a", shape=(2, 2)),
    "constant_empty": lambda fw: fw.constant([], dtype=fw.string),
    "mixed_types": lambda fw: fw.constant(["a", 1]),
    "ragged_list": lambda fw: fw.constant([["a"], ["b", "c"]]),
    "string_to_float_dtype": lambda fw: fw.constant(["a"], dtype=fw.float32),
    "number_to_string_dtype": lambda fw: fw.constant([1.0], dtype=fw.string),
    "getitem": lambda fw: _texts(fw)[1],
    "getitem_slice": lambda fw: _texts(fw)[::-2],
    "getitem_2d": lambda fw: fw.constant([["a", "b"], ["c", "d"]])[:, 1],
    # shape ops
    "reshape": lambda fw: fw.reshape(_texts(fw)[:6], (2, 3)),
    "concat": lambda fw: fw.concat([_texts(fw), fw.constant(["z"])], 0),
    "stack": lambda fw: fw.stack([_texts(fw), _texts(fw)], axis=1),
    "gather": lambda fw: fw.gather(_texts(fw), [3, 0, 3]),
    "gather_nd": lambda fw: fw.gather_nd(fw.constant([["a", "b"], ["c", "d"]]), [[1, 0], [0, 1]]),
    "expand_dims": lambda fw: fw.expand_dims(_texts(fw), -1),
    "squeeze": lambda fw: fw.squeeze(fw.constant([["a"], ["b"]]), axis=1),
    "transpose": lambda fw: fw.transpose(fw.constant([["a", "b", "c"]])),
    "tile": lambda fw: fw.tile(fw.constant(["a", "b"]), [3]),
    "reverse": lambda fw: fw.reverse(_texts(fw), [0]),
    "pad": lambda fw: fw.pad(fw.constant(["a", "b"]), [[1, 2]]),
    "pad_value": lambda fw: fw.pad(fw.constant(["a", "b"]), [[1, 0]], constant_values="?"),
    "boolean_mask": lambda fw: fw.boolean_mask(fw.constant(["a", "b", "c"]), [True, False, True]),
    "where": lambda fw: fw.where([True, False], fw.constant(["a", "b"]), "z"),
    "split": lambda fw: fw.split(fw.constant(["a", "b", "c", "d"]), 2),
    "unstack": lambda fw: fw.unstack(fw.constant(["a", "b"])),
    "fill": lambda fw: fw.fill([2, 2], "x"),
    "zeros_like": lambda fw: fw.zeros_like(fw.constant(["a", "b"])),
    "zeros": lambda fw: fw.zeros([2], dtype=fw.string),
    "shape_size": lambda fw: (fw.shape(_texts(fw)), fw.size(_texts(fw)), fw.rank(_texts(fw))),
    "identity": lambda fw: fw.identity(_texts(fw)),
    "broadcast_to": lambda fw: fw.broadcast_to(fw.constant("a"), [3]),
    # the operators strings have
    "equal": lambda fw: fw.equal(_texts(fw), "Hello World"),
    "eq_operator": lambda fw: _texts(fw) == "",
    "ne_operator": lambda fw: _texts(fw) != "",
    "add": lambda fw: fw.constant(["a", "b"]) + fw.constant(["x", "y"]),
    "add_python": lambda fw: "<" + fw.constant(["a", "b"]) + ">",
    "add_scalar": lambda fw: fw.constant("a") + "b",
    "add_math": lambda fw: fw.math.add(fw.constant(["a"]), "b"),
    # and the ones they do not
    "mul": lambda fw: fw.constant(["a"]) * fw.constant(["b"]),
    "mul_int": lambda fw: fw.constant("a") * 2,
    "add_int": lambda fw: fw.constant(["a"]) + 1,
    "sub": lambda fw: fw.constant(["a"]) - fw.constant(["b"]),
    "less": lambda fw: fw.constant(["a"]) < fw.constant(["b"]),
    "negative": lambda fw: -fw.constant(["a"]),
    "reduce_sum": lambda fw: fw.reduce_sum(fw.constant(["a"])),
    "reduce_max": lambda fw: fw.reduce_max(fw.constant(["a"])),
    "reduce_mean": lambda fw: fw.reduce_mean(fw.constant(["a"])),
    "argmax": lambda fw: fw.argmax(fw.constant(["a", "b"])),
    "maximum": lambda fw: fw.maximum(fw.constant(["a"]), fw.constant(["b"])),
    "abs": lambda fw: fw.abs(fw.constant(["a"])),
    "exp": lambda fw: fw.exp(fw.constant(["a"])),
    "square": lambda fw: fw.square(fw.constant(["a"])),
    "matmul": lambda fw: fw.matmul(fw.constant([["a"]]), fw.constant([["b"]])),
    "softmax": lambda fw: fw.nn.softmax(fw.constant(["a"])),
    "ones_like": lambda fw: fw.ones_like(fw.constant(["a"])),
    "cast_to_float": lambda fw: fw.cast(fw.constant(["1"]), fw.float32),
    "cast_to_string": lambda fw: fw.cast(fw.constant([1]), fw.string),
    "one_hot": lambda fw: fw.one_hot(fw.constant(["a"]), 2),
    # tf.strings
    "lower": lambda fw: fw.strings.lower(_texts(fw)),
    "lower_utf8": lambda fw: fw.strings.lower(_texts(fw), encoding="utf-8"),
    "upper": lambda fw: fw.strings.upper(_texts(fw)),
    "upper_utf8": lambda fw: fw.strings.upper(_texts(fw), encoding="utf-8"),
    "regex_replace": lambda fw: fw.strings.regex_replace(_texts(fw), "[aeiou]", "_"),
    "regex_replace_first": lambda fw: fw.strings.regex_replace(_texts(fw), "l", "L", replace_global=False),
    "regex_replace_groups": lambda fw: fw.strings.regex_replace(_texts(fw), r"(\w+) (\w+)", r"\2 \1"),
    "regex_replace_whole": lambda fw: fw.strings.regex_replace(_texts(fw), r"\w+", r"<\0>"),
    "regex_replace_ascii_w": lambda fw: fw.strings.regex_replace(fw.constant("straße über"), r"\w", "x"),
    "regex_replace_dot_utf8": lambda fw: fw.strings.regex_replace(fw.constant("äb"), ".", "x"),
    "regex_replace_keras_punct": lambda fw: fw.strings.regex_replace(
        fw.constant("it's x-y_z, (ok)! 1.5"), r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']', ""),
    "regex_full_match": lambda fw: fw.strings.regex_full_match(_texts(fw), r"[A-Z].*"),
    "split_scalar": lambda fw: fw.strings.split(fw.constant("a b  c ")),
    "split": lambda fw: fw.strings.split(_texts(fw)),
    "split_sep": lambda fw: fw.strings.split(_texts(fw), sep=","),
    "split_maxsplit": lambda fw: fw.strings.split(fw.constant(["a b c d", " x  y z"]), maxsplit=1),
    "split_sep_maxsplit": lambda fw: fw.strings.split(fw.constant(["a,b,c"]), sep=",", maxsplit=1),
    "split_2d": lambda fw: fw.strings.split(fw.constant([["a b", "c"], ["d e f", ""]])),
    "split_empty_sep": lambda fw: fw.strings.split(fw.constant(["", "a"]), sep=","),
    "length": lambda fw: fw.strings.length(_texts(fw)),
    "length_chars": lambda fw: fw.strings.length(_texts(fw), unit="UTF8_CHAR"),
    "join": lambda fw: fw.strings.join([_texts(fw), _texts(fw)], separator="-"),
    "join_scalar": lambda fw: fw.strings.join(["<", _texts(fw), ">"]),
    "reduce_join": lambda fw: fw.strings.reduce_join(_texts(fw)),
    "reduce_join_axis": lambda fw: fw.strings.reduce_join(fw.constant([["a", "b"], ["c", "d"]]), axis=1,
                                                          separator=" "),
    "reduce_join_axis0_keepdims": lambda fw: fw.strings.reduce_join(fw.constant([["a", "b"], ["c", "d"]]), axis=0,
                                                                    keepdims=True),
    "reduce_join_ragged": lambda fw: fw.strings.reduce_join(fw.strings.split(_texts(fw)), axis=-1, separator="|"),
    "strip": lambda fw: fw.strings.strip(_texts(fw)),
    "substr": lambda fw: fw.strings.substr(_texts(fw)[:3], 1, 3),
    "substr_chars": lambda fw: fw.strings.substr(_texts(fw)[:3], 1, 3, unit="UTF8_CHAR"),
    "substr_negative": lambda fw: fw.strings.substr(_texts(fw)[:3], -3, 2),
    "substr_long": lambda fw: fw.strings.substr(fw.constant(["abc"]), 1, 10),
    "substr_out_of_range": lambda fw: fw.strings.substr(_texts(fw), 20, 2),
    "substr_tensor_pos": lambda fw: fw.strings.substr(fw.constant(["abcd", "efgh"]), [0, 2], [2, 1]),
    "unicode_split": lambda fw: fw.strings.unicode_split(_texts(fw), "UTF-8"),
    "unicode_split_scalar": lambda fw: fw.strings.unicode_split(fw.constant("ÄbC"), "UTF-8"),
    "unicode_decode": lambda fw: fw.strings.unicode_decode(_texts(fw), "UTF-8"),
    "unicode_decode_scalar": lambda fw: fw.strings.unicode_decode(fw.constant("Äb"), "UTF-8"),
    "bytes_split": lambda fw: fw.strings.bytes_split(fw.constant(["ab", "Ä"])),
    "bytes_split_scalar": lambda fw: fw.strings.bytes_split(fw.constant("ab")),
    "to_number": lambda fw: fw.strings.to_number(fw.constant(["1.5", "-2", "3e2", " 7 ", ".5", "inf"])),
    "to_number_float64": lambda fw: fw.strings.to_number(fw.constant(["0.1"]), out_type=fw.float64),
    "to_number_int32": lambda fw: fw.strings.to_number(fw.constant(["1", "-2", "+3"]), out_type=fw.int32),
    "to_number_int64": lambda fw: fw.strings.to_number(fw.constant(["12345678901"]), out_type=fw.int64),
    "to_number_bad": lambda fw: fw.strings.to_number(fw.constant(["abc"])),
    "to_number_underscore": lambda fw: fw.strings.to_number(fw.constant(["1_000"])),
    "to_number_float_as_int": lambda fw: fw.strings.to_number(fw.constant(["1.5"]), out_type=fw.int32),
    "to_number_int_overflow": lambda fw: fw.strings.to_number(fw.constant(["3000000000"]), out_type=fw.int32),
    "as_string": lambda fw: fw.strings.as_string(fw.constant([1.5, 2.0, -0.25, 1e-7])),
    "as_string_int": lambda fw: fw.strings.as_string(fw.constant([1, -20])),
    "as_string_int64": lambda fw: fw.strings.as_string(fw.constant([12345678901], dtype=fw.int64)),
    "as_string_precision": lambda fw: fw.strings.as_string(fw.constant([1.23456, 2.5]), precision=2),
    "as_string_bool": lambda fw: fw.strings.as_string(fw.constant([True, False])),
    "as_string_width_fill": lambda fw: fw.strings.as_string(fw.constant([3, 42]), width=4, fill="0"),
    "as_string_width": lambda fw: fw.strings.as_string(fw.constant([3.5]), width=10),
    "as_string_scientific": lambda fw: fw.strings.as_string(fw.constant([1234.5]), scientific=True),
    "as_string_shortest": lambda fw: fw.strings.as_string(fw.constant([1e-7, 1e10, 0.1, 123456789.0]),
                                                          shortest=True),
    "as_string_float64": lambda fw: fw.strings.as_string(fw.constant([0.1, 1 / 3], dtype=fw.float64)),
    "format": lambda fw: fw.strings.format("x={} y={}", (fw.constant(3), fw.constant([1.5, 2.0]))),
    "format_strings": lambda fw: fw.strings.format("s: {}", fw.constant(["a", 'q"t'])),
    "format_scalar_string": lambda fw: fw.strings.format("{}", fw.constant("ab")),
    "format_summarize": lambda fw: fw.strings.format("{}", fw.range(10)),
    "format_summarize_2": lambda fw: fw.strings.format("{}", fw.range(10), summarize=2),
    "format_2d": lambda fw: fw.strings.format("{}", fw.reshape(fw.range(6), (2, 3))),
    "format_floats": lambda fw: fw.strings.format("{} {}", (fw.constant([0.1, 1 / 3]),
                                                            fw.constant([0.1, 1 / 3], dtype=fw.float64))),
    "format_bool": lambda fw: fw.strings.format("{}", fw.constant([True, False])),
    "ngrams": lambda fw: fw.strings.ngrams(fw.constant(["a", "b", "c"]), 2),
    "ngrams_widths": lambda fw: fw.strings.ngrams(fw.strings.split(fw.constant(["a b c", "d e", "f"])), (1, 3)),
    "ngrams_2d": lambda fw: fw.strings.ngrams(fw.constant([["a", "b", "c"], ["d", "e", "f"]]), 2, separator="_"),
    "lower_ragged": lambda fw: fw.strings.lower(fw.strings.split(_texts(fw))),
    "length_ragged": lambda fw: fw.strings.length(fw.strings.split(_texts(fw))),
    "strings_on_numbers": lambda fw: fw.strings.lower(fw.constant([1, 2])),
    # tf.RaggedTensor
    "ragged_constant": lambda fw: fw.ragged.constant([[1, 2], [], [3]]),
    "ragged_constant_strings": lambda fw: fw.ragged.constant([["a", "b"], ["c"]]),
    "ragged_constant_3d": lambda fw: fw.ragged.constant([[[1], [2, 3]], [[4]]]),
    "ragged_to_tensor": lambda fw: fw.strings.split(_texts(fw)).to_tensor(),
    "ragged_to_tensor_default": lambda fw: fw.strings.split(_texts(fw)).to_tensor(default_value="<pad>"),
    "ragged_to_tensor_shape": lambda fw: fw.strings.split(_texts(fw)).to_tensor(shape=[None, 2]),
    "ragged_to_tensor_wider": lambda fw: fw.ragged.constant([[1, 2], [3]]).to_tensor(shape=[2, 4]),
    "ragged_to_tensor_3d": lambda fw: fw.strings.split(fw.constant([["a b", "c"], ["d e f", ""]])).to_tensor(),
    "ragged_row_lengths": lambda fw: fw.strings.split(_texts(fw)).row_lengths(),
    "ragged_row_splits": lambda fw: fw.strings.split(_texts(fw)).row_splits,
    "ragged_values": lambda fw: fw.strings.split(_texts(fw)).values,
    "ragged_flat_values": lambda fw: fw.ragged.constant([[[1], [2, 3]], [[4]]]).flat_values,
    "ragged_nested_row_splits": lambda fw: fw.ragged.constant([[[1], [2, 3]], [[4]]]).nested_row_splits,
    "ragged_getitem": lambda fw: fw.ragged.constant([[1, 2], [], [3]])[0],
    "ragged_getitem_negative": lambda fw: fw.ragged.constant([[1, 2], [], [3]])[-1],
    "ragged_getitem_slice": lambda fw: fw.ragged.constant([[1, 2], [], [3]])[1:],
    "ragged_getitem_pair": lambda fw: fw.ragged.constant([[1, 2], [], [3]])[0, 1],
    "ragged_getitem_column": lambda fw: fw.ragged.constant([[1, 2], [3, 4, 5]])[:, 0],
    "ragged_from_row_lengths": lambda fw: fw.RaggedTensor.from_row_lengths([1, 2, 3, 4], [1, 0, 3]),
    "ragged_from_row_splits": lambda fw: fw.RaggedTensor.from_row_splits(["a", "b", "c"], [0, 2, 3]),
    "ragged_from_value_rowids": lambda fw: fw.RaggedTensor.from_value_rowids([1, 2, 3], [0, 0, 2], nrows=4),
    "ragged_from_tensor_lengths": lambda fw: fw.RaggedTensor.from_tensor([[1, 2, 3], [4, 5, 6]], lengths=[2, 1]),
    "ragged_from_tensor_padding": lambda fw: fw.RaggedTensor.from_tensor([[1, 0, 0], [4, 5, 0]], padding=0),
    "ragged_map_flat_values": lambda fw: fw.ragged.map_flat_values(fw.strings.upper, fw.strings.split(_texts(fw))),
    "ragged_bad_splits": lambda fw: fw.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 5]),
    # hashing into buckets (FarmHash Fingerprint64 and SipHash-2-4: every length branch, 0 to 300 bytes)
    "hash_fast": lambda fw: fw.strings.to_hash_bucket_fast(_hash_inputs(fw), 2**63 - 1),
    "hash_fast_small": lambda fw: fw.strings.to_hash_bucket_fast(_texts(fw), 7),
    "hash_fast_2d": lambda fw: fw.strings.to_hash_bucket_fast(fw.constant([["a", "b"], ["c", ""]]), 3),
    "hash_fast_scalar": lambda fw: fw.strings.to_hash_bucket_fast("token", 1000),
    "hash_fast_zero_buckets": lambda fw: fw.strings.to_hash_bucket_fast(["a"], 0),
    "hash_fast_numbers": lambda fw: fw.strings.to_hash_bucket_fast(fw.constant([1, 2]), 3),
    "hash_strong": lambda fw: fw.strings.to_hash_bucket_strong(_hash_inputs(fw), 2**63 - 1, key=[1234567, 89]),
    "hash_strong_big_key": lambda fw: fw.strings.to_hash_bucket_strong(_texts(fw), 11, key=[-5, 2**62]),
    "hash_strong_bad_key": lambda fw: fw.strings.to_hash_bucket_strong(["a"], 3, key=[1]),
    "fingerprint_strings": lambda fw: fw.fingerprint(_hash_inputs(fw)),
    "fingerprint_string_rows": lambda fw: fw.fingerprint(fw.constant([["a", "bc"], ["d", "e"]])),
    "fingerprint_string_columns": lambda fw: fw.fingerprint(fw.constant([["a"], ["b"]])),
    "fingerprint_ints": lambda fw: fw.fingerprint(np.arange(12, dtype=np.int32).reshape(3, 2, 2)),
    "fingerprint_floats": lambda fw: fw.fingerprint(fw.constant([[1.5, 2.0], [-0.0, 0.0]], dtype=fw.float64)),
    "fingerprint_bools": lambda fw: fw.fingerprint(fw.constant([True, False])),
    "fingerprint_empty_rows": lambda fw: fw.fingerprint(fw.zeros((2, 0))),
    "fingerprint_scalar": lambda fw: fw.fingerprint(fw.constant(3)),
    "fingerprint_method": lambda fw: fw.fingerprint([1, 2], method="md5"),
}


def _is_ragged(fw, value) -> bool:
    return isinstance(value, fw.RaggedTensor)


def _plain(fw, value):
    """A comparable form: nested lists for tensors and ragged tensors (bytes stay bytes), plus the dtype."""
    if isinstance(value, (tuple, list)):
        return [_plain(fw, v) for v in value]
    if _is_ragged(fw, value):
        return ("ragged", value.dtype.name, value.to_list(), list(value.shape))
    array = np.asarray(value.numpy())
    return ("tensor", value.dtype.name, array.tolist(), list(value.shape))


def _same_error_kind(theirs: BaseException, ours: BaseException, mtf) -> bool:
    name = type(theirs).__name__
    if name in ("InvalidArgumentError", "UnimplementedError", "NotFoundError"):
        return isinstance(ours, getattr(mtf.errors, name))
    for builtin in (TypeError, ValueError, IndexError, NotImplementedError):
        if isinstance(theirs, builtin):
            return isinstance(ours, builtin)
    return False


@pytest.mark.parametrize("case", sorted(CASES))
def test_strings_match_tf(tf, mtf, case):
    fn = CASES[case]
    try:
        expected, error = _plain(tf, fn(tf)), None
    except Exception as e:  # noqa: BLE001 (TF's refusal is the expected outcome)
        expected, error = None, e
    if error is not None:
        with pytest.raises(Exception) as raised:
            fn(mtf)
        assert _same_error_kind(error, raised.value, mtf), (
            f"{case}: TF raises {type(error).__name__} ({str(error)[:120]}), minitf "
            f"{type(raised.value).__name__} ({raised.value})")
        return
    ours = _plain(mtf, fn(mtf))
    assert ours == expected, f"{case}:\n TF     {expected}\n minitf {ours}"


REPRS = {
    "scalar": lambda fw: fw.constant("héllo"),
    "vector": lambda fw: fw.constant(["hello", "wörld"]),
    "matrix": lambda fw: fw.constant([["a", "b"], ["c", "d"]]),
    "long": lambda fw: fw.constant([["a" * 80] * 3]),
    "empty": lambda fw: fw.constant([[]], dtype=fw.string),
    "variable": lambda fw: fw.Variable(["a", "b"]),
    "ragged_strings": lambda fw: fw.strings.split(fw.constant(["Hello World", "ÄÖÜ straße", "  pad  "])),
    "ragged_chars": lambda fw: fw.strings.unicode_split(fw.constant(["Hello World", "ÄÖÜ straße"]), "UTF-8"),
    "ragged_ints": lambda fw: fw.ragged.constant([[1, 2], [], [3]]),
    "ragged_3d": lambda fw: fw.strings.split(fw.constant([["a b", "c"], ["d e f", ""]])),
    "ragged_uniform": lambda fw: fw.ragged.constant([[1, 2], [3, 4]]),
}


@pytest.mark.parametrize("case", sorted(REPRS))
def test_reprs_match_tf(tf, mtf, case):
    theirs, ours = REPRS[case](tf), REPRS[case](mtf)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


def test_scalar_and_numpy_values_match_tf(tf, mtf):
    for fw in (tf, mtf):
        s = fw.constant("héllo")
        assert s.numpy() == "héllo".encode() and type(s.numpy()) is bytes
        assert f"{s}" == "b'h\\xc3\\xa9llo'"
        assert bool(fw.constant("a")) and float(fw.constant("1.5")) == 1.5
        v = fw.constant(["a", "b"]).numpy()
        assert v.dtype == object and v.tolist() == [b"a", b"b"]
        assert np.array(fw.constant("a")).dtype == object
        assert fw.constant(["a"]).dtype == fw.string and fw.string.name == "string"
        assert fw.as_dtype(np.str_) == fw.string and fw.as_dtype(np.bytes_) == fw.string
        assert fw.as_dtype("string") == fw.string and fw.as_dtype(np.object_) == fw.string
        assert fw.string.as_numpy_dtype is object and not fw.string.is_floating
        assert repr(fw.TensorSpec([None], fw.string)) == "TensorSpec(shape=(None,), dtype=tf.string, name=None)"
        with pytest.raises(TypeError):
            fw.string.min  # noqa: B018
        with pytest.raises(TypeError):
            fw.as_dtype(str)


def test_print_of_strings_matches_tf(tf, mtf, capfd):
    def printed(fw):
        fw.print(fw.constant("ab"), fw.constant(["ab", "c"]), fw.constant([0.1, 1 / 3]),
                 output_stream=__import__("sys").stdout)
        __import__("sys").stdout.flush()
        return capfd.readouterr().out
    assert printed(mtf) == printed(tf)


def test_dataset_of_strings_matches_tf(tf, mtf):
    def pipeline(fw):
        ds = fw.data.Dataset.from_tensor_slices((TEXTS, list(range(len(TEXTS)))))
        ds = ds.map(lambda s, i: (fw.strings.upper(s) + "!", i * 2)).filter(lambda s, i: fw.strings.length(s) > 1)
        batches = list(ds.batch(3).as_numpy_iterator())
        elements = list(fw.data.Dataset.from_tensor_slices(TEXTS).as_numpy_iterator())
        spec = fw.data.Dataset.from_tensor_slices(TEXTS).batch(2).element_spec
        unbatched = list(fw.data.Dataset.from_tensors(TEXTS).unbatch().as_numpy_iterator())
        return ([(s.tolist(), i.tolist()) for s, i in batches], elements, repr(spec), unbatched)
    assert pipeline(mtf) == pipeline(tf)


def test_traced_function_on_strings_matches_tf(tf, mtf):
    def run(fw):
        @fw.function(input_signature=[fw.TensorSpec([None], fw.string)])
        def f(s):
            words = fw.strings.split(fw.strings.lower(s))
            return words.to_tensor(default_value="<pad>", shape=[None, 3]), fw.strings.length(s)
        results = [f(fw.constant(batch)) for batch in (TEXTS, TEXTS[:2], ["x y z w"])]
        return [(a.numpy().tolist(), b.numpy().tolist()) for a, b in results]
    assert run(mtf) == run(tf)


def test_one_hot_with_string_values_matches_tf(tf, mtf):
    for kwargs in ({"depth": 4}, {"depth": 3, "axis": 0}):
        indices = [0, 1, 2, 5]
        ours = mtf.one_hot(indices, on_value="We're live!", off_value="Offline", **kwargs)
        theirs = tf.one_hot(indices, on_value="We're live!", off_value="Offline", **kwargs)
        assert ours.dtype.name == theirs.dtype.name == "string"
        assert ours.numpy().tolist() == theirs.numpy().tolist()
        assert repr(ours) == repr(theirs)
