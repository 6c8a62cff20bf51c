"""tf.data's generator and CSV sources and the grouping transformations: the same pipelines under
TF and minitf give the same elements (sample_from_datasets: the same proportions; TF's stream differs)."""
import gzip

import numpy as np

from parity_tests.harness import frameworks


def both(fn, *args):
    tf, mtf = frameworks()
    return fn(tf, *args), fn(mtf, *args)


def flat(ds):
    out = []
    for e in ds:
        parts = e if isinstance(e, tuple) else (e,)
        out.append([p.numpy().tolist() for p in parts])
    return out


def test_generator_padded_batch_window_interleave():
    def run(tf):
        def gen():
            for i in range(1, 6):
                yield i, np.arange(i)
        ds = tf.data.Dataset.from_generator(gen, output_signature=(tf.TensorSpec((), tf.int32),
                                                                   tf.TensorSpec((None,), tf.int32)))
        return [flat(ds), flat(ds.padded_batch(2)), flat(ds.padded_batch(2, padded_shapes=([], [6]),
                                                                          padding_values=(0, -1))),
                flat(tf.data.Dataset.range(9).window(4, shift=3, stride=1).flat_map(lambda w: w.batch(4))),
                flat(tf.data.Dataset.range(8).window(3, shift=2, drop_remainder=True).flat_map(lambda w: w.batch(3))),
                flat(tf.data.Dataset.range(3).interleave(lambda x: tf.data.Dataset.range(x * 10, x * 10 + 3),
                                                         cycle_length=2, block_length=2)),
                flat(tf.data.experimental.Counter(3, 2).take(4)),
                flat(tf.data.Dataset.choose_from_datasets(
                    [tf.data.Dataset.range(10, 20), tf.data.Dataset.range(20, 30)],
                    tf.data.Dataset.from_tensor_slices(np.array([0, 1, 1, 0], np.int64))))]
    theirs, ours = both(run)
    for i, (a, b) in enumerate(zip(theirs, ours)):
        assert a == b, f"pipeline {i}: {a} != {b}"


def test_sample_from_datasets_proportions():
    def run(tf):
        zeros = tf.data.Dataset.range(100000).map(lambda x: x * 0)
        ones = tf.data.Dataset.range(100000).map(lambda x: x * 0 + 1)
        ds = tf.data.Dataset.sample_from_datasets([zeros, ones], [0.7, 0.3], seed=4)
        return np.mean([x.numpy() for x in ds.take(3000)])
    theirs, ours = both(run)
    assert abs(theirs - 0.3) < 0.03 and abs(ours - 0.3) < 0.03


def test_csv_readers(tmp_path):
    gz = tmp_path / "h.csv.gz"
    with gzip.open(gz, "wt") as f:
        f.write("".join(f"{i % 2},{i * 0.5},{i * 1.25}\n" for i in range(7)))
    plain = tmp_path / "c.csv"
    plain.write_text("a,b,Class\n" + "".join(f"{i + 0.5},{i},{i % 2}\n" for i in range(5)))

    def run(tf):
        rows = tf.data.experimental.CsvDataset(str(gz), [float(), ] * 3, compression_type="GZIP")
        picked = tf.data.experimental.CsvDataset(str(plain), [0.0, 0], header=True, select_cols=[0, 2])
        made = tf.data.experimental.make_csv_dataset(str(plain), batch_size=2, label_name="Class", num_epochs=1,
                                                     shuffle=False)
        batches = [({k: (v.dtype.name, v.numpy().tolist()) for k, v in f.items()}, (lab.dtype.name, lab.numpy().tolist()))
                   for f, lab in made]
        typed = tf.data.experimental.make_csv_dataset(str(plain), batch_size=5, label_name="Class", num_epochs=1,
                                                      shuffle=False, column_defaults=[float()] * 2 + [int()])
        f, lab = next(iter(typed))
        return flat(rows), flat(picked), [r.dtype.name for r in next(iter(rows))], batches, \
            sorted((k, v.dtype.name) for k, v in f.items()), lab.dtype.name
    theirs, ours = both(run)
    assert theirs == ours


def test_iterator_checkpoint_and_window_datasets_like_tf(tmp_path):
    def run(tf):
        iterator = iter(tf.data.Dataset.range(20).map(lambda x: x * 3))
        ckpt = tf.train.Checkpoint(step=tf.Variable(0), iterator=iterator)
        manager = tf.train.CheckpointManager(ckpt, str(tmp_path / tf.__name__), max_to_keep=3)
        seen = [int(next(iterator)) for _ in range(4)]
        manager.save()
        seen += [int(next(iterator)) for _ in range(2)]
        ckpt.restore(manager.latest_checkpoint)
        seen += [int(next(iterator)) for _ in range(3)]
        windows = [repr(w) for w in tf.data.Dataset.range(5).window(2, shift=1).take(2)]
        return seen, windows
    tf, mtf = frameworks()
    assert run(tf) == run(mtf)


def test_text_lines_files_and_string_csv_columns(tmp_path):
    """TextLineDataset, list_files and string CSV columns (inferred and given) read as TF reads them."""
    lines = tmp_path / "lines.txt"
    lines.write_bytes(b"0,a\r\n1,b\n\n1,cc")
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("survived,sex,age,fare,big\n0,male,22,7.25,3000000000\n1,,,1e40,\n1,female,38,71.2833,1\n")
    (tmp_path / "extra.txt").write_text("z\n")

    def run(tf):
        text = tf.data.TextLineDataset([str(lines), str(tmp_path / "extra.txt")])
        kept = text.filter(lambda line: tf.not_equal(tf.strings.substr(line, 0, 1), "0"))
        files = tf.data.Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
        made = tf.data.experimental.make_csv_dataset(str(csv_path), batch_size=3, label_name="survived",
                                                     num_epochs=1, shuffle=False)
        features, label = next(iter(made))
        picked, _ = next(iter(tf.data.experimental.make_csv_dataset(
            str(csv_path), batch_size=2, label_name="survived", select_columns=["fare", "sex", "survived"],
            num_epochs=1, shuffle=False)))
        typed = tf.data.experimental.CsvDataset(str(csv_path), [tf.int32, "?", 0.5, tf.float32, tf.int64],
                                                header=True, select_cols=[0, 1, 2, 3, 4])
        first = [v.numpy() for v in next(iter(typed))]
        try:
            list(tf.data.experimental.CsvDataset(str(csv_path), [tf.int32, tf.string, 0.5, tf.float32, tf.int64],
                                                 header=True))
            missing = None
        except tf.errors.InvalidArgumentError:
            missing = "InvalidArgumentError"
        return ([t.numpy() for t in text], [t.numpy() for t in kept], text.element_spec.dtype.name,
                repr(text.element_spec), [f.numpy() for f in files],
                {k: (v.dtype.name, v.numpy().tolist()) for k, v in features.items()}, label.numpy().tolist(),
                list(features), list(picked), [v.tolist() if hasattr(v, "tolist") else v for v in first], missing,
                next(iter(text.batch(3))).numpy().tolist())
    theirs, ours = both(run)
    assert theirs == ours


def test_sparse_tensor_elements_like_tf():
    def run(tf):
        st = tf.SparseTensor(indices=[[0, 0], [1, 2], [2, 1]], values=[1, 2, 3], dense_shape=[3, 4])
        one = tf.data.Dataset.from_tensors(st)
        rows = tf.data.Dataset.from_tensor_slices((st, tf.constant([7, 8, 9])))
        # minitf shuffles with its own generator, not TF's: compare the shuffled rows as a set, and the batch sizes
        shuffled = [(tf.sparse.to_dense(e).numpy().tolist(), label.numpy().tolist())
                    for e, label in rows.shuffle(3, seed=2).batch(2)]
        pairs = sorted(str(pair) for batch, labels in shuffled for pair in zip(batch, labels))
        return (repr(one.element_spec), one.element_spec.value_type.__name__,
                [tf.sparse.to_dense(e).numpy().tolist() for e in one], repr(rows.element_spec),
                repr(rows.batch(2).element_spec), pairs, [len(labels) for _, labels in shuffled],
                [b.dense_shape.numpy().tolist() for b, _ in rows.batch(2)],
                [v.numpy().tolist() for v in rows.map(lambda x, y: tf.sparse.to_dense(x) * y)],
                [a.tolist() for a in one.as_numpy_iterator()])
    theirs, ours = both(run)
    assert theirs == ours
