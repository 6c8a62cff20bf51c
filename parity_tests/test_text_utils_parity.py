"""Keras 3's text and series utilities against minitf, and a model fed raw strings.

1. ``pad_sequences`` (every padding/truncating combination, maxlen, values, steps with a shape),
   ``timeseries_dataset_from_array`` (strides, sampling rates, start/end, no targets, shuffled
   start positions), ``text_dataset_from_directory`` (label modes, max_length, splits, file order
   after the seeded shuffle), ``Masking`` (+ an LSTM reading the mask), ``tf.nn.embedding_lookup``
   and TextVectorization's options (ngrams, standardize/split choices and callables, tf_idf,
   vocabulary=, set_vocabulary) give Keras's values exactly.
2. ``keras.Input(shape=(1,), dtype="string")`` -> TextVectorization -> Embedding -> pooling -> Dense,
   weights copied from Keras, trained 3 epochs on raw strings (minitf traced and eager, identical):
   every epoch's loss within rtol 1e-6 of Keras's, accuracies equal, predictions after a .keras
   save and load equal to the model's own.
"""
import numpy as np
import pytest

from parity_tests.harness import assert_close, traced_and_eager


@pytest.mark.parametrize("kwargs", [
    {}, {"maxlen": 3}, {"maxlen": 3, "padding": "post"}, {"maxlen": 3, "truncating": "post"},
    {"maxlen": 2, "padding": "post", "truncating": "post", "value": -1}, {"maxlen": 6, "dtype": "float32"},
])
def test_pad_sequences_matches_keras(tf, mtf, kwargs):
    sequences = [[1, 2, 3, 4], [5], [], [6, 7, 8]]
    theirs = tf.keras.preprocessing.sequence.pad_sequences(sequences, **kwargs)
    ours = mtf.keras.preprocessing.sequence.pad_sequences(sequences, **kwargs)
    assert ours.dtype == theirs.dtype and ours.tolist() == theirs.tolist(), kwargs
    steps = [np.ones((2, 3)), np.arange(9.0).reshape(3, 3)]
    assert_close("pad_sequences of steps with a shape", tf.keras.utils.pad_sequences(steps, dtype="float32"),
                 mtf.keras.utils.pad_sequences(steps, dtype="float32"))
    for bad in ({"padding": "middle"}, {"truncating": "x", "maxlen": 1}, {"value": "x"}):
        with pytest.raises(ValueError):
            tf.keras.utils.pad_sequences(sequences, **bad)
        with pytest.raises(ValueError):
            mtf.keras.utils.pad_sequences(sequences, **bad)


def _batches(dataset):
    out = []
    for element in dataset:
        parts = element if isinstance(element, tuple) else (element,)
        out.append(tuple((np.asarray(p.numpy()).dtype.name, np.asarray(p.numpy()).tolist()) for p in parts))
    return out


@pytest.mark.parametrize("kwargs", [
    {"sequence_length": 5, "batch_size": 4},
    {"sequence_length": 3, "sequence_stride": 2, "sampling_rate": 2, "batch_size": 3},
    {"sequence_length": 4, "start_index": 3, "end_index": 20, "batch_size": None},
    {"sequence_length": 7, "batch_size": 8, "targets": None},
    {"sequence_length": 5, "batch_size": 64, "shuffle": True, "seed": 3},
])
def test_timeseries_dataset_matches_keras(tf, mtf, kwargs):
    series = np.arange(40, dtype=np.float32) ** 1.5
    data = np.stack([series, -series], axis=-1)
    kwargs = dict(kwargs)
    targets = kwargs.pop("targets", series[kwargs["sequence_length"]:])
    theirs = tf.keras.utils.timeseries_dataset_from_array(data, targets, **kwargs)
    ours = mtf.keras.utils.timeseries_dataset_from_array(data, targets, **kwargs)
    if kwargs.get("shuffle"):  # one batch holds everything: the start positions' order is Keras's, the rest
        (t_x, t_y), = _batches(theirs)  # is a per-epoch buffer shuffle, minitf's own draws: compare as sets
        (m_x, m_y), = _batches(ours)
        assert sorted(map(str, m_x[1])) == sorted(map(str, t_x[1])) and sorted(m_y[1]) == sorted(t_y[1])
        return
    assert _batches(ours) == _batches(theirs)


@pytest.fixture(scope="module")
def text_folder(tmp_path_factory, mtf):
    root = tmp_path_factory.mktemp("texts")
    tweets, labels = mtf.datasets.make_tweets(23, seed=5)
    for i, (text, label) in enumerate(zip(tweets, labels)):
        folder = root / ("disaster" if label else "not_disaster")
        folder.mkdir(exist_ok=True)
        (folder / f"t{i:02d}.txt").write_text(text + "\n", encoding="utf-8")
    (root / "disaster" / "notes.md").write_text("not a .txt file")
    return str(root)


@pytest.mark.parametrize("kwargs", [
    {"shuffle": False},
    {"shuffle": False, "label_mode": "categorical", "max_length": 12},
    {"shuffle": False, "label_mode": "binary", "batch_size": 5},
    {"shuffle": False, "labels": None},
    {"shuffle": True, "seed": 11, "batch_size": 100},
    {"shuffle": True, "seed": 11, "batch_size": 100, "validation_split": 0.3, "subset": "validation"},
])
def test_text_dataset_from_directory_matches_keras(tf, mtf, text_folder, kwargs):
    theirs = tf.keras.utils.text_dataset_from_directory(text_folder, verbose=False, **kwargs)
    ours = mtf.keras.utils.text_dataset_from_directory(text_folder, verbose=False, **kwargs)
    assert ours.class_names == theirs.class_names
    if kwargs["shuffle"]:  # the files (and the split) are Keras's; the per-epoch Dataset.shuffle draws minitf's own
        (t_text, t_label), = _batches(theirs)  # order: one batch holds them all, compared as (text, label) pairs
        (m_text, m_label), = _batches(ours)
        assert sorted(zip(m_text[1], m_label[1])) == sorted(zip(t_text[1], t_label[1]))
        return
    assert _batches(ours) == _batches(theirs)


def test_text_dataset_from_directory_both_subsets_and_errors(tf, mtf, text_folder):
    for fw in (tf, mtf):
        with pytest.raises(ValueError):
            fw.keras.utils.text_dataset_from_directory(text_folder, validation_split=0.2, subset="training")
        with pytest.raises(ValueError):
            fw.keras.utils.text_dataset_from_directory(text_folder, label_mode="sparse")
    pairs = [fw.keras.utils.text_dataset_from_directory(text_folder, validation_split=0.25, subset="both", seed=2,
                                                        shuffle=False, verbose=False) for fw in (tf, mtf)]
    assert [_batches(d) for d in pairs[1]] == [_batches(d) for d in pairs[0]]


def test_masking_and_embedding_lookup_match_keras(tf, mtf):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 4)).astype(np.float32)
    x[0, 1:3] = 0.0
    x[2, 4] = -1.0
    for mask_value in (0.0, -1.0):
        layers = [fw.keras.layers.Masking(mask_value=mask_value) for fw in (tf, mtf)]
        assert_close(f"Masking({mask_value}) output", layers[0](x), layers[1](x))
        masks = [layers[0].compute_mask(x), layers[1].compute_mask(x)]
        assert np.asarray(masks[1].numpy()).tolist() == np.asarray(masks[0]).tolist()
    models = [fw.keras.Sequential([fw.keras.Input((5, 4)), fw.keras.layers.Masking(), fw.keras.layers.LSTM(3)])
              for fw in (tf, mtf)]
    models[1].set_weights(models[0].get_weights())
    assert_close("Masking -> LSTM (masked steps skipped)", models[0](x), models[1](x), rtol=1e-5, atol=1e-6)
    table = rng.normal(size=(6, 2)).astype(np.float32)
    ids = [[0, 5, 5], [2, 2, 1]]
    assert_close("embedding_lookup", tf.nn.embedding_lookup(table, ids), mtf.nn.embedding_lookup(table, ids))


@pytest.mark.parametrize("kwargs", [
    {"ngrams": (1, 3), "output_mode": "count"},
    {"ngrams": 2, "output_mode": "tf_idf", "max_tokens": 50},
    {"standardize": "strip_punctuation", "split": None, "output_sequence_length": 4},
    {"standardize": None, "output_mode": "multi_hot", "pad_to_max_tokens": True, "max_tokens": 80},
    {"split": "character", "output_sequence_length": 30},
], ids=["ngrams13-count", "bigrams-tf_idf", "no-split", "no-standardize-multi_hot", "characters"])
def test_text_vectorization_options_match_keras(tf, mtf, kwargs):
    tweets, _ = mtf.datasets.make_tweets(120, seed=1)
    probe = tweets[:20] + ["A Tornado, hits LEEDS!!", ""]
    layers = [fw.keras.layers.TextVectorization(**kwargs) for fw in (tf, mtf)]
    for layer in layers:
        layer.adapt(tweets)
    assert layers[1].get_vocabulary() == [str(t) for t in layers[0].get_vocabulary()]
    if kwargs.get("split", "whitespace") is None:
        probe = np.array(probe).reshape(-1, 1)
    assert_close(f"TextVectorization{kwargs}", np.asarray(layers[0](probe)), layers[1](probe), rtol=1e-6, atol=1e-7)


def test_text_vectorization_callables_vocabulary_and_datasets_match_keras(tf, mtf):
    tweets, _ = mtf.datasets.make_tweets(60, seed=2)
    outputs = []
    for fw in (tf, mtf):
        custom = fw.keras.layers.TextVectorization(
            standardize=lambda s: fw.strings.regex_replace(fw.strings.upper(s), "[AEIOU]", ""),
            split=lambda s: fw.strings.split(s, sep=" "), output_sequence_length=6)
        custom.adapt(fw.data.Dataset.from_tensor_slices(tweets).batch(16))
        given = fw.keras.layers.TextVectorization(vocabulary=["fire", "flood", "a", "the"], output_mode="count")
        tf_idf = fw.keras.layers.TextVectorization(output_mode="tf_idf")
        tf_idf.set_vocabulary(["fire", "flood"], idf_weights=[0.5, 1.25])
        lookup = fw.keras.layers.StringLookup(vocabulary=["a", "b"], invert=True)
        outputs.append([custom.get_vocabulary(), np.asarray(custom(tweets[:8])).tolist(),
                        given.get_vocabulary(), np.asarray(given(tweets[:8])).tolist(),
                        np.asarray(tf_idf(["fire fire flood x"])).tolist(),
                        np.asarray(lookup([[0, 1], [2, 3]])).tolist()])
    theirs, ours = outputs
    theirs[0] = [str(t) for t in theirs[0]]
    theirs[2] = [str(t) for t in theirs[2]]
    assert ours == theirs


# --- 2. a model fed raw strings ------------------------------------------------------------------------
def test_string_input_model_trains_as_keras(tf, mtf, tmp_path):
    tweets, labels = mtf.datasets.make_tweets(192, seed=0)
    x = np.array(tweets, dtype=object).reshape(-1, 1)  # (Keras takes object arrays of str, not NumPy's <U)
    y = labels.astype(np.float32).reshape(-1, 1)

    def build(fw, run_eagerly=False):
        vectorize = fw.keras.layers.TextVectorization(max_tokens=80, output_sequence_length=10)
        vectorize.adapt(tweets)
        inputs = fw.keras.Input(shape=(1,), dtype="string")
        h = fw.keras.layers.Embedding(80, 8)(vectorize(inputs))
        h = fw.keras.layers.GlobalAveragePooling1D()(h)
        outputs = fw.keras.layers.Dense(1, activation="sigmoid")(h)
        model = fw.keras.Model(inputs, outputs)
        model.compile(optimizer=fw.keras.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["accuracy"],
                      run_eagerly=run_eagerly)
        return model

    keras_model = build(tf)
    initial = keras_model.get_weights()
    # (Keras 3's fit refuses NumPy arrays of strings, object or <U: it takes them as a tf.constant)
    theirs = keras_model.fit(tf.constant(x), y, batch_size=32, epochs=3, shuffle=False, verbose=0).history

    def train(run_eagerly):
        model = build(mtf, run_eagerly)
        model.set_weights(initial)
        return model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0).history, model

    (ours, model), _ = traced_and_eager("string-input model", train)
    for epoch in range(3):
        assert_close(f"loss of epoch {epoch + 1}", np.float64(theirs["loss"][epoch]), np.float64(ours["loss"][epoch]),
                     rtol=1e-6, atol=0)
        assert theirs["accuracy"][epoch] == pytest.approx(ours["accuracy"][epoch], abs=1e-7)
    probe = np.array(["the fire is real , the movie is fake", "this new song is fire"], dtype=object).reshape(-1, 1)
    assert_close("predictions on raw strings", keras_model.predict(tf.constant(probe), verbose=0),
                 model.predict(probe, verbose=0), rtol=1e-5, atol=1e-6)
    assert_close("evaluate", np.array(keras_model.evaluate(tf.constant(x), y, verbose=0)),
                 np.array(model.evaluate(x, y, verbose=0)), rtol=1e-6, atol=1e-7)
    path = str(tmp_path / "strings.keras")
    model.save(path)
    again = mtf.keras.models.load_model(path)
    np.testing.assert_array_equal(again.predict(probe, verbose=0), model.predict(probe, verbose=0))


@pytest.mark.parametrize("output_mode", ["int", "one_hot", "multi_hot", "count"])
def test_string_lookup_first_layer_model_trains_as_keras(tf, mtf, output_mode):
    colours = np.random.default_rng(0).choice(["red", "green", "blue", "pink"], size=64)  # pink: out of vocabulary
    x = colours.astype(object).reshape(-1, 1)
    y = np.isin(colours, ["red", "pink"]).astype(np.float32).reshape(-1, 1)

    def build(fw, run_eagerly=False):
        inputs = fw.keras.Input(shape=(1,), dtype="string")
        h = fw.keras.layers.StringLookup(vocabulary=["red", "green", "blue"], output_mode=output_mode)(inputs)
        if output_mode == "int":
            h = fw.keras.layers.Flatten()(fw.keras.layers.Embedding(4, 3)(h))
        model = fw.keras.Model(inputs, fw.keras.layers.Dense(1, activation="sigmoid")(h))
        model.compile(optimizer=fw.keras.optimizers.SGD(0.5), loss="binary_crossentropy", run_eagerly=run_eagerly)
        return model

    keras_model = build(tf)
    initial = keras_model.get_weights()
    theirs = keras_model.fit(tf.constant(x), y, batch_size=16, epochs=3, shuffle=False, verbose=0).history

    def train(run_eagerly):
        model = build(mtf, run_eagerly)
        model.set_weights(initial)
        return model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history, model

    (ours, model), _ = traced_and_eager(f"StringLookup({output_mode}) model", train)
    assert_close("losses per epoch", np.array(theirs["loss"]), np.array(ours["loss"]), rtol=1e-6, atol=0)
    probe = np.array([["red"], ["blue"], ["pink"]], dtype=object)
    assert_close("predictions on raw strings", keras_model.predict(tf.constant(probe), verbose=0),
                 model.predict(probe, verbose=0), rtol=1e-6, atol=1e-7)
