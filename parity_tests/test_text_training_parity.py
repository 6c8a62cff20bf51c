"""Text pipelines against Keras 3: TextVectorization / lookup layers, then whole training curves.

1. On a generated corpus (``minitf.datasets.make_sentences``), Keras's and minitf's
   TextVectorization, StringLookup and IntegerLookup learn the same vocabularies (same order)
   and give the same outputs, in every output mode.
2. Training-curve parity: the sentences vectorized (output_sequence_length 15), then four
   models as in the course's NLP notebook, each trained 3 epochs with Adam + binary
   crossentropy + "accuracy", weights copied from Keras, ``shuffle=False``, batch 32. Every
   epoch's loss and accuracy in ``History`` must match.

Tolerance of the loss curves: rtol 1e-6 (the curves reached agree to <= 1e-7 relative, i.e. to
float32's last digit, over all 3 epochs = 24 steps). Accuracies are exact: each is a count of
predictions on either side of 0.5. Weights after training: rtol 1e-4, atol 1e-5. minitf trains
each model with compile()'s default (traced steps) and with run_eagerly=True: identical Histories
(``harness.traced_and_eager``).
"""
import numpy as np
import pytest

from parity_tests.harness import assert_close, traced_and_eager

LOSS_RTOL = 1e-6
N_SAMPLES, SEQ_LEN, EPOCHS = 256, 15, 3


@pytest.fixture(scope="module")
def corpus(mtf):
    sentences, labels = mtf.datasets.make_sentences(N_SAMPLES, seed=7)
    return sentences, labels.astype(np.float32).reshape(-1, 1)


# --- 1. vocabularies and outputs ---------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    {"max_tokens": 40, "output_sequence_length": SEQ_LEN},
    {"output_mode": "multi_hot"},
    {"output_mode": "count", "max_tokens": 30, "pad_to_max_tokens": True},
    {"output_mode": "tf_idf"},
    {"ngrams": 2, "max_tokens": 100},
    {"standardize": "lower", "split": "character"},
], ids=["int", "multi_hot", "count_padded", "tf_idf", "bigrams", "characters"])
def test_text_vectorization_matches_keras(tf, mtf, corpus, kwargs):
    sentences, _ = corpus
    theirs, ours = tf.keras.layers.TextVectorization(**kwargs), mtf.keras.layers.TextVectorization(**kwargs)
    theirs.adapt(sentences)
    ours.adapt(sentences)
    vocab_t = [str(t) for t in theirs.get_vocabulary()]
    assert ours.get_vocabulary() == vocab_t, f"TextVectorization{kwargs}: vocabularies differ"
    assert ours.vocabulary_size() == theirs.vocabulary_size()
    probe = sentences[:40] + ["a completely unknown sentence", "", "GREAT!!! film, not boring."]
    assert_close(f"TextVectorization{kwargs} output", np.asarray(theirs(probe)), ours(probe), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count", "tf_idf"])
def test_lookup_layers_match_keras(tf, mtf, corpus, mode):
    sentences, _ = corpus
    words = [w for s in sentences[:60] for w in s.replace(",", "").split()]
    k_str, m_str = (fw.keras.layers.StringLookup(max_tokens=25, output_mode=mode) for fw in (tf, mtf))
    k_str.adapt(words)
    m_str.adapt(words)
    assert m_str.get_vocabulary() == [str(t) for t in k_str.get_vocabulary()], f"StringLookup({mode}) vocabulary"
    probe = np.array(words[:30]).reshape(10, 3) if mode != "one_hot" else np.array(words[:30])
    assert_close(f"StringLookup({mode})", np.asarray(k_str(probe)), m_str(probe), rtol=1e-6, atol=1e-7)
    numbers = np.array([len(w) * 7 % 23 for w in words])
    k_int, m_int = (fw.keras.layers.IntegerLookup(output_mode=mode, mask_token=0 if mode == "int" else None)
                    for fw in (tf, mtf))
    k_int.adapt(numbers)
    m_int.adapt(numbers)
    assert m_int.get_vocabulary() == [int(t) for t in k_int.get_vocabulary()], f"IntegerLookup({mode}) vocabulary"
    probe = numbers[:30].reshape(10, 3) if mode != "one_hot" else numbers[:30]
    assert_close(f"IntegerLookup({mode})", np.asarray(k_int(probe)), m_int(probe), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_category_encoding_matches_keras(tf, mtf, mode):
    ids = np.random.default_rng(0).integers(0, 6, (8, 3))
    for probe in (ids, ids[:, :1], ids[:, 0], np.int64(4)):
        theirs = tf.keras.layers.CategoryEncoding(num_tokens=6, output_mode=mode)(probe)
        ours = mtf.keras.layers.CategoryEncoding(num_tokens=6, output_mode=mode)(probe)
        assert_close(f"CategoryEncoding({mode}) on shape {np.shape(probe)}", theirs, ours)
    if mode == "count":
        weights = np.random.default_rng(1).uniform(size=ids.shape).astype(np.float32)
        theirs = tf.keras.layers.CategoryEncoding(num_tokens=6, output_mode=mode)(ids, count_weights=weights)
        ours = mtf.keras.layers.CategoryEncoding(num_tokens=6, output_mode=mode)(ids, count_weights=weights)
        assert_close("CategoryEncoding(count) with count_weights", theirs, ours)


# --- 2. training curves -----------------------------------------------------------------------------------
# Keras's optimizers get the Embedding's gradient as tf.IndexedSlices (one row per token occurrence,
# duplicates not summed) and Adam squares those rows BEFORE summing them (keras ops.square on
# IndexedSlices), so its second moment v uses sum(g_i^2) where a dense gradient gives (sum g_i)^2.
# minitf's gradients are dense. So: Adam runs with the Embedding frozen (the recurrent and conv
# layers train), and the Embedding trains under SGD, whose update is linear in the gradient.
def _lstm(fw, vocab, trainable):
    layers = fw.keras.layers
    return [layers.Embedding(vocab, 32, trainable=trainable), layers.LSTM(64), layers.Dense(1, activation="sigmoid")]


def _gru(fw, vocab, trainable):
    layers = fw.keras.layers
    return [layers.Embedding(vocab, 32, mask_zero=True, trainable=trainable), layers.GRU(32),
            layers.Dense(1, activation="sigmoid")]


def _bidirectional(fw, vocab, trainable):
    layers = fw.keras.layers
    return [layers.Embedding(vocab, 32, mask_zero=True, trainable=trainable), layers.Bidirectional(layers.LSTM(16)),
            layers.Dense(1, activation="sigmoid")]


def _conv1d(fw, vocab, trainable):
    layers = fw.keras.layers
    return [layers.Embedding(vocab, 32, trainable=trainable), layers.Conv1D(32, 5, activation="relu"),
            layers.GlobalMaxPool1D(), layers.Dense(1, activation="sigmoid")]


@pytest.fixture(scope="module")
def token_ids(tf, mtf, corpus):
    sentences, labels = corpus
    vectorizers = [fw.keras.layers.TextVectorization(max_tokens=60, output_sequence_length=SEQ_LEN)
                   for fw in (tf, mtf)]
    for v in vectorizers:
        v.adapt(sentences)
    x_tf, x_mt = np.asarray(vectorizers[0](sentences)), vectorizers[1](sentences).numpy()
    np.testing.assert_array_equal(x_mt, x_tf, err_msg="TextVectorization: the token ids differ from Keras's")
    return x_mt, labels, vectorizers[0].vocabulary_size()


@pytest.mark.parametrize("body,optimizer", [
    (_lstm, "adam"), (_gru, "adam"), (_bidirectional, "adam"), (_conv1d, "adam"), (_lstm, "sgd"), (_gru, "sgd"),
], ids=["Embedding-LSTM-Adam", "Embedding(mask)-GRU-Adam", "Embedding(mask)-Bidirectional(LSTM)-Adam",
        "Embedding-Conv1D-GlobalMaxPool1D-Adam", "Embedding-LSTM-SGD(trainable embedding)",
        "Embedding(mask)-GRU-SGD(trainable embedding)"])
def test_training_curve(tf, mtf, token_ids, body, optimizer):
    x, labels, vocab = token_ids
    name = f"{body.__name__.strip('_')} ({optimizer})"

    def build(fw, run_eagerly=False):
        model = fw.keras.Sequential([fw.keras.Input((SEQ_LEN,), dtype="int64")]
                                    + body(fw, vocab, trainable=optimizer == "sgd"))
        opt = fw.keras.optimizers.Adam(1e-3) if optimizer == "adam" else fw.keras.optimizers.SGD(0.5)
        model.compile(optimizer=opt, loss="binary_crossentropy", metrics=["accuracy"], run_eagerly=run_eagerly)
        return model

    keras_model = build(tf)
    initial = keras_model.get_weights()
    theirs = keras_model.fit(x, labels, batch_size=32, epochs=EPOCHS, shuffle=False, verbose=0).history

    def train(run_eagerly):
        model = build(mtf, run_eagerly)
        model.set_weights(initial)
        return model.fit(x, labels, batch_size=32, epochs=EPOCHS, shuffle=False, verbose=0).history, model

    (ours, minitf_model), _ = traced_and_eager(name, train)
    models = [keras_model, minitf_model]
    for epoch in range(EPOCHS):
        assert_close(f"{name}: loss of epoch {epoch + 1}", np.float64(theirs["loss"][epoch]),
                     np.float64(ours["loss"][epoch]), rtol=LOSS_RTOL, atol=0)
        assert_close(f"{name}: accuracy of epoch {epoch + 1}", np.float64(theirs["accuracy"][epoch]),
                     np.float64(ours["accuracy"][epoch]), rtol=0, atol=1e-7)
    for weight_t, weight_m, variable in zip(models[0].get_weights(), models[1].get_weights(), models[0].weights):
        assert_close(f"{name}: {variable.path} after training", weight_t, weight_m, rtol=1e-4, atol=1e-5)
