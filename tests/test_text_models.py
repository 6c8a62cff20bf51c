"""Models fed raw strings (traced fit, saving, SavedModel) and the text/series utilities (no TF needed)."""
import numpy as np
import pytest

import minitf as tf
from minitf.keras import backend as keras_backend
from minitf.keras import layers


def _string_model(vocabulary_from="adapt", seed=0):
    tf.keras.utils.set_random_seed(seed)
    tweets, labels = tf.datasets.make_tweets(128, seed=seed)
    if vocabulary_from == "adapt":
        vectorize = layers.TextVectorization(max_tokens=60, output_sequence_length=8)
        vectorize.adapt(tweets)
    else:
        vectorize = layers.TextVectorization(vocabulary=["fire", "flood", "the", "a"], output_sequence_length=8)
    inputs = tf.keras.Input(shape=(1,), dtype="string")
    h = layers.Embedding(60, 4)(vectorize(inputs))
    outputs = layers.Dense(1, activation="sigmoid")(layers.GlobalAveragePooling1D()(h))
    model = tf.keras.Model(inputs, outputs)
    x = np.array(tweets).reshape(-1, 1)
    return model, x, labels.astype(np.float32).reshape(-1, 1)


def test_string_input_model_traces_once_and_matches_eager():
    histories = []
    for run_eagerly in (False, True):
        model, x, y = _string_model()
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], run_eagerly=run_eagerly)
        histories.append(model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0).history)
        if not run_eagerly:
            # 4 batches of 32 per epoch, 2 epochs: one trace (the lookup ops replay), not one per batch
            assert model._traced_steps["train"].experimental_get_tracing_count() == 1
            graph_ops = {op.type for concrete in model._traced_steps["train"]._concrete.values()
                         for op in concrete.graph.get_operations()}
            assert {"StringLower", "StaticRegexReplace", "StringSplitV2", "LookupTableFind"} <= graph_ops
    assert histories[0] == histories[1]


def test_string_input_model_evaluates_predicts_and_takes_datasets():
    model, x, y = _string_model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    model.fit(dataset, epochs=1, verbose=0)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(dataset, verbose=0), rel=1e-6)
    from_list = model.predict(tf.constant([["a tornado hit leeds"], ["my exam was a disaster"]]), verbose=0)
    from_numpy = model.predict(np.array([["a tornado hit leeds"], ["my exam was a disaster"]], dtype=object),
                               verbose=0)
    assert from_list.shape == (2, 1) and np.array_equal(from_list, from_numpy)


@pytest.mark.parametrize("vocabulary_from", ["adapt", "argument"])
def test_string_input_model_saves_and_loads(tmp_path, vocabulary_from):
    model, x, y = _string_model(vocabulary_from)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = tf.keras.models.load_model(path)
    np.testing.assert_array_equal(again.predict(x[:10], verbose=0), model.predict(x[:10], verbose=0))
    assert again.layers[1].get_vocabulary() == model.layers[1].get_vocabulary()


def test_string_input_model_exports_a_saved_model(tmp_path):
    model, x, _ = _string_model()
    tf.saved_model.save(model, str(tmp_path / "sm"))
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    serve = loaded.signatures["serving_default"]
    (out,) = serve(tf.constant(x[:6])).values()
    np.testing.assert_array_equal(out.numpy(), model.predict(x[:6], verbose=0))


def _colour_model(output_mode, run_eagerly=False):
    """StringLookup as the first layer: a colour name -> is it red or pink?"""
    tf.keras.utils.set_random_seed(0)
    inputs = tf.keras.Input(shape=(1,), dtype="string")
    h = layers.StringLookup(vocabulary=["red", "green", "blue"], output_mode=output_mode)(inputs)
    if output_mode == "int":
        h = layers.Flatten()(layers.Embedding(4, 3)(h))
    model = tf.keras.Model(inputs, layers.Dense(1, activation="sigmoid")(h))
    model.compile(optimizer=tf.keras.optimizers.SGD(0.5), loss="binary_crossentropy", run_eagerly=run_eagerly)
    return model


@pytest.mark.parametrize("output_mode", ["int", "one_hot", "multi_hot", "count"])
def test_string_lookup_as_first_layer_fits_traced_saves_and_loads(tmp_path, output_mode):
    colours = np.random.default_rng(0).choice(["red", "green", "blue", "pink"], size=64)  # pink: out of vocabulary
    x = colours.astype(object).reshape(-1, 1)
    y = np.isin(colours, ["red", "pink"]).astype(np.float32).reshape(-1, 1)
    traced, eager = _colour_model(output_mode), _colour_model(output_mode, run_eagerly=True)
    histories = [m.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history for m in (traced, eager)]
    assert histories[0] == histories[1]
    assert traced._traced_steps["train"].experimental_get_tracing_count() == 1
    assert histories[0]["loss"][-1] < histories[0]["loss"][0]
    probe = np.array([["red"], ["blue"], ["pink"], ["mauve"]], dtype=object)
    predicted = traced.predict(probe, verbose=0)
    assert predicted[0, 0] > 0.5 > predicted[1, 0]  # red yes, blue no
    assert predicted[2, 0] == predicted[3, 0]  # both out of vocabulary: the same [UNK] row
    assert traced.evaluate(x, y, verbose=0) == pytest.approx(eager.evaluate(x, y, verbose=0), rel=1e-6)
    path = str(tmp_path / "colours.keras")
    traced.save(path)
    again = tf.keras.models.load_model(path)
    np.testing.assert_array_equal(again.predict(probe, verbose=0), predicted)
    assert again.layers[1].get_vocabulary() == ["[UNK]", "red", "green", "blue"]


def test_lookup_layers_keep_their_vocabulary_in_config_and_assets(tmp_path):
    tv = layers.TextVectorization(output_mode="tf_idf")
    tv.adapt(["a b a", "b c"])
    again = layers.TextVectorization.from_config(tv.get_config())
    assert again.get_vocabulary() == tv.get_vocabulary()
    np.testing.assert_allclose(again(["a c q"]).numpy(), tv(["a c q"]).numpy())
    # Keras's own saving hooks: the vocabulary as vocabulary.txt, the idf weights as layer state
    tv.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text().splitlines() == tv.get_vocabulary()
    store = {}
    tv.save_own_variables(store)
    fresh = layers.TextVectorization(output_mode="tf_idf")
    fresh.load_own_variables(store)
    fresh.load_assets(str(tmp_path))
    np.testing.assert_allclose(fresh(["a c q"]).numpy(), tv(["a c q"]).numpy())
    lookup = layers.StringLookup(vocabulary=["x", "y"], invert=True)
    assert lookup([2, 0]).numpy().tolist() == [b"y", b"[UNK]"] and lookup([2, 0]).dtype == tf.string


def test_text_vectorization_takes_tensors_ragged_and_callables():
    tv = layers.TextVectorization(standardize=lambda s: tf.strings.regex_replace(s, "[0-9]", ""),
                                  split=lambda s: tf.strings.split(s, sep="-"))
    tv.adapt(tf.constant(["a1-b", "b-c2"]))
    assert tv.get_vocabulary() == ["", "[UNK]", "b", "c", "a"]
    assert tv(tf.constant(["a-c-z"])).numpy().tolist() == [[4, 3, 1]]
    chars = layers.TextVectorization(split="character", standardize=None, output_mode="count")
    chars.adapt(tf.data.Dataset.from_tensor_slices(["abba", "ac"]).batch(1))
    assert chars.get_vocabulary() == ["[UNK]", "a", "b", "c"] and chars(["cab"]).numpy().tolist() == [[0, 1, 1, 1]]


# --- the utilities ---------------------------------------------------------------------------------------------
def test_pad_sequences():
    pad = tf.keras.preprocessing.sequence.pad_sequences
    assert pad([[1, 2, 3], [4]]).tolist() == [[1, 2, 3], [0, 0, 4]]
    assert pad([[1, 2, 3], [4]], maxlen=2).tolist() == [[2, 3], [0, 4]]
    assert pad([[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post").tolist() == [[1, 2], [4, 0]]
    assert pad([[1], []], maxlen=2, value=-1).tolist() == [[-1, 1], [-1, -1]]
    assert pad([[0.5]], dtype="float32").dtype == np.float32 and tf.keras.utils.pad_sequences is pad
    with pytest.raises(ValueError, match="Padding type"):
        pad([[1]], padding="middle")
    with pytest.raises(ValueError, match="dtype=object"):
        pad([[1]], value="x")


def test_masking_zeroes_and_masks_the_steps_that_are_all_mask_value():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], np.float32)
    out = layers.Masking()(x)
    np.testing.assert_array_equal(out.numpy(), x)
    assert keras_backend.get_keras_mask(out).numpy().tolist() == [[True, False, True]]
    lstm = layers.LSTM(2, kernel_initializer="ones", recurrent_initializer="zeros")
    skipped = lstm(layers.Masking()(x))
    np.testing.assert_allclose(skipped.numpy(), lstm(x[:, [0, 2]]).numpy(), rtol=1e-6)  # as if the step were not there
    assert layers.Masking.from_config(layers.Masking(mask_value=-1.0).get_config()).mask_value == -1.0


def test_embedding_lookup_and_its_gradient_is_a_scatter_add():
    table = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as tape:
        rows = tf.nn.embedding_lookup(table, [[2, 0], [2, 2]])
        loss = tf.reduce_sum(rows)
    assert rows.numpy().tolist() == [[[5, 6], [1, 2]], [[5, 6], [5, 6]]]
    np.testing.assert_array_equal(tape.gradient(loss, table).numpy(), [[1, 1], [0, 0], [3, 3]])


def test_timeseries_dataset_from_array():
    data = np.arange(10)
    batches = list(tf.keras.utils.timeseries_dataset_from_array(data, data[3:], sequence_length=3, batch_size=3))
    assert [b[0].numpy().tolist() for b in batches] == [[[0, 1, 2], [1, 2, 3], [2, 3, 4]],
                                                        [[3, 4, 5], [4, 5, 6], [5, 6, 7]], [[6, 7, 8]]]
    assert [b[1].numpy().tolist() for b in batches] == [[3, 4, 5], [6, 7, 8], [9]]
    strided = tf.keras.utils.timeseries_dataset_from_array(data, None, sequence_length=2, sequence_stride=3,
                                                           sampling_rate=2, batch_size=None)
    assert [w.numpy().tolist() for w in strided] == [[0, 2], [3, 5], [6, 8]]
    with pytest.raises(ValueError, match="sampling_rate"):
        tf.keras.utils.timeseries_dataset_from_array(data, None, 2, sampling_rate=0)


def test_text_dataset_from_directory(tmp_path):
    for folder, texts in (("neg", ["bad", "awful"]), ("pos", ["good"])):
        (tmp_path / folder).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / folder / f"{i}.txt").write_text(text)
    (tmp_path / "pos" / "skip.csv").write_text("x")
    ds = tf.keras.utils.text_dataset_from_directory(str(tmp_path), shuffle=False, verbose=False)
    (texts, labels), = list(ds.as_numpy_iterator())
    assert ds.class_names == ["neg", "pos"] and texts.tolist() == [b"bad", b"awful", b"good"]
    assert labels.tolist() == [0, 0, 1] and labels.dtype == np.int32
    binary = tf.keras.utils.text_dataset_from_directory(str(tmp_path), shuffle=False, label_mode="binary",
                                                        max_length=2, verbose=False)
    (texts, labels), = list(binary.as_numpy_iterator())
    assert texts.tolist() == [b"ba", b"aw", b"go"] and labels.tolist() == [[0.0], [0.0], [1.0]]
    # the shuffle is Keras's: np.random.RandomState(seed) over the sorted paths
    from minitf.keras.preprocessing import dataset_utils
    paths, shuffled_labels, _ = dataset_utils.index_directory(str(tmp_path), "inferred", (".txt",), seed=4,
                                                              verbose=False)
    expected = [str(tmp_path / p) for p in ("neg/0.txt", "neg/1.txt", "pos/0.txt")]
    np.random.RandomState(4).shuffle(expected)
    assert paths == expected and shuffled_labels.tolist() == [0 if "/neg/" in p else 1 for p in expected]
    shuffled = tf.keras.utils.text_dataset_from_directory(str(tmp_path), seed=4, verbose=False, batch_size=None)
    assert sorted(t for t, _ in shuffled.as_numpy_iterator()) == [b"awful", b"bad", b"good"]
    with pytest.raises(ValueError, match="seed"):
        tf.keras.utils.text_dataset_from_directory(str(tmp_path), validation_split=0.5, subset="training")


def test_make_tweets_needs_word_order():
    tweets, labels = tf.datasets.make_tweets(400, seed=3)
    assert len(tweets) == 400 and labels.dtype == np.int32 and labels.sum() == 200
    assert tf.datasets.make_tweets(400, seed=3)[0] == tweets and tf.datasets.make_tweets(400, seed=4)[0] != tweets
    # A bag of words cannot tell the mirrored pairs apart: the same multiset of words, both labels.
    bags = {}
    for text, label in zip(tweets, labels):
        bags.setdefault(tuple(sorted(text.split())), set()).add(int(label))
    assert sum(len(seen) == 2 for seen in bags.values()) >= 10
    with pytest.raises(ValueError):
        tf.datasets.make_tweets(0)
    _, prices, _ = tf.datasets.make_price_series(60, seed=0, seasonality=0.1)
    _, plain, _ = tf.datasets.make_price_series(60, seed=0)
    np.testing.assert_allclose(prices / plain, np.exp(0.1 * np.sin(2 * np.pi * np.arange(60) / 7)), rtol=1e-6)
