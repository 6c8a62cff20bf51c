"""tf.data's generator and CSV sources and the grouping/choosing transformations (issue 18)."""
import gzip

import numpy as np
import pytest

import minitf as tf


def py(tensor):
    """A scalar tensor's Python value (a string scalar's numpy() is already its bytes)."""
    value = tensor.numpy()
    return value if isinstance(value, bytes) else value.item()


def values(ds):
    return [x.numpy().tolist() for x in ds]


def test_from_generator_with_signature_and_types():
    def gen():
        for i in range(4):
            yield i, np.arange(i)
    ds = tf.data.Dataset.from_generator(gen, output_signature=(tf.TensorSpec((), tf.int32),
                                                               tf.TensorSpec((None,), tf.int32)))
    assert [(a.numpy().tolist(), b.numpy().tolist()) for a, b in ds] == [(0, []), (1, [0]), (2, [0, 1]),
                                                                         (3, [0, 1, 2])]
    assert list(ds) and len(list(ds)) == 4  # a new pass calls the generator again
    old = tf.data.Dataset.from_generator(lambda: iter([[1.0, 2.0]]), output_types=tf.float32, output_shapes=[2])
    assert values(old) == [[1.0, 2.0]] and old.element_spec.dtype == tf.float32
    bad = tf.data.Dataset.from_generator(lambda: iter([[1.0, 2.0, 3.0]]), output_types=tf.float32, output_shapes=[2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="shape \\[3\\] where an element of shape"):
        list(bad)


def test_padded_batch():
    ds = tf.data.Dataset.from_generator(lambda: (np.arange(i) for i in range(1, 5)),
                                        output_signature=tf.TensorSpec((None,), tf.int64))
    assert values(ds.padded_batch(2)) == [[[0, 0], [0, 1]], [[0, 1, 2, 0], [0, 1, 2, 3]]]
    assert values(ds.padded_batch(3, padded_shapes=[5], padding_values=np.int64(-1), drop_remainder=True)) == [
        [[0, -1, -1, -1, -1], [0, 1, -1, -1, -1], [0, 1, 2, -1, -1]]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="larger than the padded shape"):
        list(ds.padded_batch(2, padded_shapes=[2]))


def test_window_flat_map_interleave():
    ds = tf.data.Dataset.range(7)
    assert values(ds.window(3, shift=2, drop_remainder=True).flat_map(lambda w: w.batch(3))) == [
        [0, 1, 2], [2, 3, 4], [4, 5, 6]]
    assert values(tf.data.Dataset.range(5).window(2).flat_map(lambda w: w.batch(2))) == [[0, 1], [2, 3], [4]]
    assert values(tf.data.Dataset.range(6).window(2, stride=2, shift=1, drop_remainder=True)
                  .flat_map(lambda w: w.batch(2))) == [[0, 2], [1, 3], [2, 4], [3, 5]]
    pairs = tf.data.Dataset.zip((tf.data.Dataset.range(4), tf.data.Dataset.range(10, 14))).window(2)
    assert [(a.numpy().tolist(), b.numpy().tolist()) for a, b in
            pairs.flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(2), b.batch(2))))] == [([0, 1], [10, 11]),
                                                                                          ([2, 3], [12, 13])]
    inter = tf.data.Dataset.range(3).interleave(lambda x: tf.data.Dataset.range(x * 10, x * 10 + 3), cycle_length=2)
    assert values(inter) == [0, 10, 1, 11, 2, 12, 20, 21, 22]
    blocks = tf.data.Dataset.range(2).interleave(lambda x: tf.data.Dataset.range(x * 10, x * 10 + 4), cycle_length=2,
                                                 block_length=2)
    assert values(blocks) == [0, 1, 10, 11, 2, 3, 12, 13]
    with pytest.raises(tf.errors.InvalidArgumentError, match="window: size must be greater than zero"):
        ds.window(0)


def test_counter_sample_and_choose():
    assert values(tf.data.experimental.Counter().take(3)) == [0, 1, 2]
    assert values(tf.data.experimental.Counter(5, 2).take(2)) == [5, 7]
    zeros = tf.data.Dataset.range(10000).map(lambda x: x * 0)
    ones = tf.data.Dataset.range(10000).map(lambda x: x * 0 + 1)
    drawn = np.array(values(tf.data.Dataset.sample_from_datasets([zeros, ones], [0.8, 0.2], seed=1).take(2000)))
    assert abs(drawn.mean() - 0.2) < 0.03  # binomial sd 0.009
    same = values(tf.data.Dataset.sample_from_datasets([zeros, ones], [0.5, 0.5], seed=3).take(50))
    assert same == values(tf.data.Dataset.sample_from_datasets([zeros, ones], [0.5, 0.5], seed=3).take(50))
    short = tf.data.Dataset.sample_from_datasets([tf.data.Dataset.range(3), tf.data.Dataset.range(10, 12)], seed=0)
    assert sorted(values(short)) == [0, 1, 2, 10, 11]  # runs on until both are empty
    chosen = tf.data.Dataset.choose_from_datasets([tf.data.Dataset.range(10, 20), tf.data.Dataset.range(20, 30)],
                                                  tf.data.Dataset.from_tensor_slices(np.array([0, 1, 1, 0], np.int64)))
    assert values(chosen) == [10, 20, 21, 11]


def test_csv_dataset_numeric_gzip_select_defaults(tmp_path):
    path = tmp_path / "h.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("1,2.5,3\n0,,6\n")
    rows = tf.data.experimental.CsvDataset(str(path), [tf.int32, 9.5, tf.float32], compression_type="GZIP")
    assert [[v.numpy().item() for v in row] for row in rows] == [[1, 2.5, 3.0], [0, 9.5, 6.0]]
    assert [r.dtype for r in next(iter(rows))] == [tf.int32, tf.float32, tf.float32]
    plain = tmp_path / "m.csv"
    plain.write_text("a,b,c,d\n1,2,3,4\n5,6,7,8\n")
    picked = tf.data.experimental.CsvDataset(str(plain), [999, 999], header=True, select_cols=[1, 3])
    assert [[v.numpy().item() for v in row] for row in picked] == [[2, 4], [6, 8]]
    missing = tf.data.experimental.CsvDataset(str(plain), [tf.float32] * 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a valid float32: 'a'"):
        list(missing)
    text = tmp_path / "s.csv"
    text.write_text("bob,x,1,7\n,,,8\n")
    words = tf.data.experimental.CsvDataset(str(text), ["anon", tf.string, [0], tf.constant([], tf.int64)])
    assert [[py(v) for v in row] for row in words.take(1)][0] == [b"bob", b"x", 1, 7]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Field 1 is required but missing in record 1"):
        list(words)
    filled = tf.data.experimental.CsvDataset(str(text), ["anon", "?", [5], [0]])
    assert [[py(v) for v in row] for row in filled][1] == [b"anon", b"?", 5, 8]
    assert [s.dtype for s in filled.element_spec] == [tf.string, tf.string, tf.int32, tf.int32]


def test_make_csv_dataset(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("a,b,Class\n1.5,2,0\n2.5,3,1\n3.5,4,0\n")
    ds = tf.data.experimental.make_csv_dataset(str(path), batch_size=2, label_name="Class", num_epochs=1,
                                               shuffle=False)
    (features, label), (f2, l2) = list(ds)
    assert features["a"].dtype == tf.float32 and features["b"].dtype == tf.int32 and label.dtype == tf.int32
    assert features["a"].numpy().tolist() == [1.5, 2.5] and label.numpy().tolist() == [0, 1]
    assert l2.numpy().tolist() == [0]
    forever = tf.data.experimental.make_csv_dataset(str(path), batch_size=2, column_defaults=[float()] * 3)
    assert len(list(forever.take(5))) == 5  # num_epochs=None repeats, as TF
    text = tmp_path / "t.csv"
    text.write_text("name,x,big,wide\nbob,1,3000000000,1e40\n,,,\nann,2,1,2\n")
    features = next(iter(tf.data.experimental.make_csv_dataset(str(text), batch_size=3, shuffle=False)))
    # TF's inference: int32, int64, float32, float64, else string; empty fields default to 0 / ""
    assert list(features) == ["name", "x", "big", "wide"]
    assert [v.dtype for v in features.values()] == [tf.string, tf.int32, tf.int64, tf.float64]
    assert features["name"].numpy().tolist() == [b"bob", b"", b"ann"] and features["x"].numpy().tolist() == [1, 0, 2]
    picked, label = next(iter(tf.data.experimental.make_csv_dataset(
        str(text), batch_size=1, shuffle=False, label_name="x", select_columns=["wide", "name", "x"])))
    assert list(picked) == ["name", "wide"] and label.numpy().tolist() == [1]
    with pytest.raises(ValueError, match="`label_name` provided must be one of the columns"):
        tf.data.experimental.make_csv_dataset(str(text), batch_size=1, label_name="nope")


def test_text_line_dataset(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt.gz"
    first.write_bytes(b"one\r\ntwo\n\nfour")
    with gzip.open(second, "wb") as f:
        f.write(b"x\ny\n")
    lines = tf.data.TextLineDataset(str(first))
    assert lines.element_spec == tf.TensorSpec((), tf.string)
    assert [line.numpy() for line in lines] == [b"one", b"two", b"", b"four"]  # '\r\n' ends a line too
    assert list(tf.data.TextLineDataset([str(second)], compression_type="GZIP").as_numpy_iterator()) == [b"x", b"y"]
    both = tf.data.Dataset.from_tensor_slices([str(first), str(first)]).interleave(tf.data.TextLineDataset,
                                                                                  cycle_length=2)
    assert list(both.take(4).as_numpy_iterator()) == [b"one", b"one", b"two", b"two"]
    kept = lines.filter(lambda line: tf.not_equal(tf.strings.substr(line, 0, 1), "t"))
    assert list(kept.as_numpy_iterator()) == [b"one", b"", b"four"]
    assert next(iter(lines.batch(3))).numpy().tolist() == [b"one", b"two", b""]
    numbered = tf.data.Dataset.zip((tf.data.experimental.Counter(), lines)).batch(2)
    assert [(n.numpy().tolist(), t.numpy().tolist()) for n, t in numbered][1] == ([2, 3], [b"", b"four"])
    with pytest.raises(tf.errors.NotFoundError, match="No such file"):
        list(tf.data.TextLineDataset(str(tmp_path / "missing.txt")))
    with pytest.raises(tf.errors.InvalidArgumentError, match="compression_type"):
        tf.data.TextLineDataset(str(first), compression_type="BZ2")


def test_list_files_and_string_generators(tmp_path):
    for name in ("b.txt", "a.txt", "c.png"):
        (tmp_path / name).write_text(name)
    names = tf.data.Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
    assert list(names.as_numpy_iterator()) == [str(tmp_path / n).encode() for n in ("a.txt", "b.txt")]
    shuffled = sorted(tf.data.Dataset.list_files(str(tmp_path / "*"), seed=4).as_numpy_iterator())
    assert shuffled == sorted(str(tmp_path / n).encode() for n in ("a.txt", "b.txt", "c.png"))
    read = names.map(lambda path: tf.io.read_file(path))
    assert list(read.as_numpy_iterator()) == [b"a.txt", b"b.txt"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched pattern"):
        tf.data.Dataset.list_files(str(tmp_path / "*.jpg"))
    words = tf.data.Dataset.from_generator(lambda: iter(["x", b"yz"]), output_signature=tf.TensorSpec((), tf.string))
    assert list(words.as_numpy_iterator()) == [b"x", b"yz"]
    padded = tf.data.Dataset.from_generator(lambda: iter([["a"], ["b", "c"]]),
                                            output_signature=tf.TensorSpec((None,), tf.string)).padded_batch(2)
    assert next(iter(padded)).numpy().tolist() == [[b"a", b""], [b"b", b"c"]]
    with pytest.raises(TypeError, match="type int64 where an element of type string"):
        list(tf.data.Dataset.from_generator(lambda: iter([1]), output_signature=tf.TensorSpec((), tf.string)))


def test_window_elements_are_datasets_when_iterated():
    for window in tf.data.Dataset.range(10).window(3, shift=1).take(2):
        assert isinstance(window, tf.data.Dataset)
        assert repr(window) == "<_VariantDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>"
    assert [[int(v) for v in w] for w in tf.data.Dataset.range(4).window(2)] == [[0, 1], [2, 3]]


def test_iterator_position_in_a_checkpoint(tmp_path):
    iterator = iter(tf.data.Dataset.range(20).map(lambda x: x * 2))
    ckpt = tf.train.Checkpoint(step=tf.Variable(0), iterator=iterator)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=3)
    assert [int(next(iterator)) for _ in range(3)] == [0, 2, 4]
    manager.save()
    assert [int(next(iterator)) for _ in range(3)] == [6, 8, 10]
    ckpt.restore(manager.latest_checkpoint)
    assert [int(next(iterator)) for _ in range(3)] == [6, 8, 10]
    other = iter(tf.data.Dataset.range(20).map(lambda x: x * 2))  # a fresh iterator restored from the file
    tf.train.Checkpoint(step=tf.Variable(0), iterator=other).restore(manager.latest_checkpoint)
    assert int(next(other)) == 6


def test_sparse_tensor_elements():
    st = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])
    one = tf.data.Dataset.from_tensors(st)
    assert repr(one.element_spec) == "SparseTensorSpec(TensorShape([3, 4]), tf.int32)"
    assert one.element_spec.value_type is tf.SparseTensor
    (element,) = list(one)
    assert isinstance(element, tf.SparseTensor)
    assert tf.sparse.to_dense(element).numpy().tolist() == [[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]]
    rows = tf.data.Dataset.from_tensor_slices(st)
    assert repr(rows.element_spec) == "SparseTensorSpec(TensorShape([4]), tf.int32)"
    assert [tf.sparse.to_dense(r).numpy().tolist() for r in rows] == [[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]]
    batches = list(rows.batch(2))
    assert repr(rows.batch(2).element_spec) == "SparseTensorSpec(TensorShape([None, 4]), tf.int32)"
    assert tf.sparse.to_dense(batches[0]).numpy().tolist() == [[1, 0, 0, 0], [0, 0, 2, 0]]
    assert batches[1].dense_shape.numpy().tolist() == [1, 4]
    doubled = rows.map(lambda x: tf.sparse.to_dense(x) * 2)
    assert doubled.element_spec == tf.TensorSpec((4,), tf.int32)
    assert [v.numpy().tolist() for v in doubled][1] == [0, 0, 4, 0]
    assert next(one.as_numpy_iterator()).tolist()[1] == [0, 0, 2, 0]  # TF gives the dense value
