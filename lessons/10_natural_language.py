# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 10: Natural language
# > Strings as tensors, tokens and embeddings, the course's models 0-6 on generated tweets, and why an LSTM remembers.
#
# The course's NLP notebook reads tweets and decides which ones are about a real disaster. Text
# is not numbers, so the first job is to turn it into numbers:
#
# 1. **tokenise**: cut each string into words (tokens), after lower-casing it and dropping
#    punctuation;
# 2. **vectorise**: give each token of a vocabulary an integer index, and pad every tweet to
#    the same length;
# 3. **embed**: look each index up in a trainable table of vectors, the **embedding**.
#
# Then a model reads the sequence of vectors. This lesson builds the course's models on
# generated tweets (``minitf.datasets.make_tweets``), made so that **word order matters**: half
# of them come in mirrored pairs with the same words and opposite labels,
#
#     "flood in leeds , not a drill"     -> disaster
#     "a drill , not flood in leeds"     -> not a disaster
#
# so a model that only counts words (a "bag of words") cannot do better than a coin toss on
# those, and a model that reads the words in order can. Along the way: why an embedding's
# gradient is a scatter-add, backpropagation through time written out, and why an LSTM keeps
# gradients alive over many steps where a plain RNN loses them, measured with the tape.

# %%
try:
    from lessons import _common as L
except ImportError:  # run as a plain script, or as a notebook, from inside lessons/
    import _common as L

L.begin("10_natural_language")

import numpy as np

import minitf
from minitf.datasets import ABSTRACT_CLASS_NAMES, make_abstracts, make_tweets

tf = L.tf_or_none()
if tf is not None:  # Keras makes a tf.function per model; TF's warning about retracing them names memory
    tf.get_logger().setLevel("ERROR")  # addresses, which would make the printed output differ run to run
plt = L.pyplot()

N_TRAIN, N_TEST = L.pick(1600, 400), L.pick(400, 200)
EPOCHS = L.pick(5, 4)
MAX_TOKENS, SEQ_LEN, EMBED = 200, 12, 16

# %% [markdown]
# ## 1. The data: tweets as strings
# `make_tweets` returns Python strings and 0/1 labels (1 = about a real disaster). As in the
# course, we keep them as they are and let the model's first layer turn them into numbers. In
# minitf, as in TF, strings are tensors too: `tf.constant("héllo")` is a scalar of dtype
# `tf.string` holding the **bytes** of the UTF-8 text (`b'h\xc3\xa9llo'`), and the
# `tf.strings` functions work on them.

# %%
tweets, labels = make_tweets(N_TRAIN + N_TEST, seed=42)
train_sentences, test_sentences = np.array(tweets[:N_TRAIN]), np.array(tweets[N_TRAIN:])
train_labels, test_labels = labels[:N_TRAIN].astype("float32"), labels[N_TRAIN:].astype("float32")
# The mirrored test tweets: their words alone do not decide the label.
test_bags = [tuple(sorted(s.split())) for s in test_sentences]
bag_labels = {}
for bag, label in zip([tuple(sorted(s.split())) for s in tweets], labels):
    bag_labels.setdefault(bag, set()).add(int(label))
mirrored = np.array([len(bag_labels[bag]) == 2 for bag in test_bags])
print(f"{N_TRAIN} training tweets, {N_TEST} test tweets ({mirrored.sum()} of them mirrored: same words, either label)")
for text, label in list(zip(tweets, labels))[:6]:
    print(f"  {int(label)} {'disaster    ' if label else 'not disaster'}  {text}")


def strings_demo(fw):
    text = fw.constant(["Flood in LEEDS, not a drill!", "this new song is FIRE"])
    lowered = fw.strings.lower(text)
    stripped = fw.strings.regex_replace(lowered, r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']', "")
    words = fw.strings.split(stripped)
    return {"tf.constant(...)": text, "tf.strings.lower": lowered, "regex_replace (Keras's punctuation)": stripped,
            "tf.strings.split -> RaggedTensor .to_list()": words.to_list(),
            "row_lengths()": words.row_lengths(), "to_tensor(default_value='')": words.to_tensor(default_value=""),
            "tf.strings.length": fw.strings.length(text)}


L.side_by_side("text as tf.string tensors", strings_demo, tf)

# %% [markdown]
# ## 2. Tokenising and vectorising: `TextVectorization`
# Keras's `TextVectorization` does those steps as ops: lower-case and strip punctuation,
# split on whitespace, then look each token up in a vocabulary learned by `adapt` (the most
# frequent tokens first; index 0 is padding, index 1 the out-of-vocabulary token `[UNK]`) and
# pad or cut to `output_sequence_length`.

# %%
def make_vectorizer(fw):
    vectorizer = fw.keras.layers.TextVectorization(max_tokens=MAX_TOKENS, output_sequence_length=SEQ_LEN)
    vectorizer.adapt(train_sentences)
    return vectorizer


vectorizer = make_vectorizer(minitf)
vocabulary = vectorizer.get_vocabulary()
VOCAB = len(vocabulary)
print(f"vocabulary: {VOCAB} tokens; the most common: {vocabulary[:12]}")
vectorizer_tf = make_vectorizer(tf) if tf is not None else None


def vectorize_demo(fw):
    v = vectorizer if fw is minitf else vectorizer_tf
    return {"vocabulary[:10]": v.get_vocabulary()[:10] if fw is minitf else [str(t) for t in v.get_vocabulary()[:10]],
            "vectorizer(['a tornado hit leeds', 'my exam was a disaster'])":
                v(["a tornado hit leeds", "my exam was a disaster"])}


L.side_by_side("TextVectorization: vocabulary and token ids", vectorize_demo, tf)

# %% [markdown]
# ## 3. An embedding, and why its gradient is a scatter-add
# `Embedding(vocab, d)` holds a table $E$ of shape (vocab, d); the output for token ids
# $i_1 \dots i_n$ is the rows $E[i_1], \dots, E[i_n]$, a **gather**. Each output row is one
# table row, copied, so the gradient flows back row by row:
#
# $$\frac{\partial L}{\partial E[r]} = \sum_{k:\, i_k = r} \frac{\partial L}{\partial \text{out}_k},$$
#
# the gradients of every lookup of row $r$ **added up** (a scatter-add), and zero for the rows
# no token used. The tape shows it: below, token 2 is looked up three times, so its row gets
# three gradients.
#
# TF hands this gradient over as `tf.IndexedSlices` (the looked-up rows, one per lookup, not yet
# added up); minitf gives the dense sum. The numbers are the same, but one consequence matters:
# Keras's Adam squares the gradient **before** the duplicate rows are added, so its second moment
# for an embedding is $\sum_k g_k^2$ where a dense gradient gives $(\sum_k g_k)^2$. SGD, linear in
# the gradient, is the same either way. So below the models train with Adam (as the course's do)
# on minitf, and each is checked against Keras with SGD + momentum.

# %%
ids = np.array([[2, 5, 2], [2, 0, 1]])


def embedding_gradient(fw):
    fw.keras.utils.set_random_seed(42)
    table = fw.Variable(np.arange(18, dtype="float32").reshape(6, 3) / 10)
    weights = fw.constant(np.arange(18, dtype="float32").reshape(2, 3, 3))  # a different dL/d(out) per lookup
    with fw.GradientTape() as tape:
        rows = fw.nn.embedding_lookup(table, ids)
        loss = fw.reduce_sum(rows * weights)
    grad = tape.gradient(loss, table)
    return {"looked-up rows": rows, "type of the gradient": type(grad).__name__,
            "gradient as a dense table": fw.convert_to_tensor(grad)}


emb_ours, emb_tf = L.side_by_side("an embedding's gradient", embedding_gradient, tf, check=False)
dense_grad = emb_ours["gradient as a dense table"].numpy()
by_hand = np.zeros((6, 3), np.float32)
np.add.at(by_hand, ids.reshape(-1), np.arange(18, dtype="float32").reshape(6, 3))  # scatter-add, by hand
embedding_gradient_is_scatter_add = bool(np.array_equal(dense_grad, by_hand))
print(f"the gradient equals the scatter-add of dL/d(out) by hand: {embedding_gradient_is_scatter_add}")
if emb_tf is not None:
    L.compare("embedding gradient (TF's IndexedSlices made dense)", dense_grad,
              np.asarray(emb_tf["gradient as a dense table"]), tol=0.0)

# %% [markdown]
# ## 4. The course's models, small
# Every model takes raw strings: its first layer is the vectorizer, its second an embedding.
#
# | # | model | reads word order? |
# |---|---|---|
# | 0 | TF-IDF vector + one logistic unit (the course uses naive Bayes on TF-IDF) | no |
# | 1 | embeddings averaged (`GlobalAveragePooling1D`) + dense | no |
# | 2 | `LSTM` | yes |
# | 3 | `GRU` | yes |
# | 4 | `Bidirectional(LSTM)` | yes |
# | 5 | `Conv1D` + `GlobalMaxPool1D` | yes, within its window |
# | 6 | model 1's embedding, frozen, + a new head, on 10% of the data (the course's transfer model) | no |
#
# TF-IDF weighs a token's count in a tweet by $\log\big(1 + \frac{N}{1 + \text{df}}\big)$, where df
# counts the tweets holding it: frequent, uninformative words weigh less.

# %%
CHECK_ROWS = L.pick(512, 256)  # the SGD check against Keras: one epoch on these rows


def text_model(fw, kind, optimizer="adam", vectorizer_layer=None):
    layers = fw.keras.layers
    inputs = fw.keras.Input(shape=(1,), dtype="string")
    if kind == "tfidf":
        tfidf = layers.TextVectorization(max_tokens=MAX_TOKENS, output_mode="tf_idf")
        tfidf.adapt(train_sentences)
        outputs = layers.Dense(1, activation="sigmoid")(tfidf(inputs))
        return fw.keras.Model(inputs, outputs, name="model_0_tfidf")
    x = (vectorizer_layer or (vectorizer if fw is minitf else vectorizer_tf))(inputs)
    x = layers.Embedding(VOCAB, EMBED, name="embedding")(x)
    if kind == "dense":
        x = layers.GlobalAveragePooling1D()(x)
    elif kind == "lstm":
        x = layers.LSTM(16)(x)
    elif kind == "gru":
        x = layers.GRU(16)(x)
    elif kind == "bidirectional":
        x = layers.Bidirectional(layers.LSTM(8))(x)
    elif kind == "conv1d":
        x = layers.Conv1D(16, 3, activation="relu")(x)
        x = layers.GlobalMaxPool1D()(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return fw.keras.Model(inputs, outputs, name=f"model_{kind}")


def compile_model(model, fw, optimizer):
    opt = fw.keras.optimizers.Adam(0.01) if optimizer == "adam" else fw.keras.optimizers.SGD(0.05, momentum=0.9)
    model.compile(optimizer=opt, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def check_against_keras(name, kind):
    """One epoch of SGD + momentum from the same weights, under both frameworks: the same losses."""
    if tf is None:
        return
    ours, theirs = L.build_pair(lambda fw: compile_model(text_model(fw, kind), fw, "sgd"), tf_in_fast_mode=kind in
                                ("tfidf", "conv1d"))
    if theirs is None:
        return
    x, y = train_sentences[:CHECK_ROWS].reshape(-1, 1), train_labels[:CHECK_ROWS]
    mine, other = L.fit_pair(ours, theirs, x, y, epochs=1)
    L.compare(f"{name}: loss after one epoch of SGD vs Keras", mine["loss"], other["loss"], tol=1e-5)


results = {}


def train(name, kind, x=train_sentences, y=train_labels):
    minitf.keras.utils.set_random_seed(42)
    model = compile_model(text_model(minitf, kind), minitf, "adam")
    history = model.fit(x.reshape(-1, 1), y, epochs=EPOCHS, batch_size=32, verbose=0).history
    predictions = model(test_sentences.reshape(-1, 1)).numpy()[:, 0] > 0.5  # (one batch: a direct call)
    correct = predictions == test_labels.astype(bool)
    results[name] = {"accuracy": float(correct.mean()), "mirrored accuracy": float(correct[mirrored].mean()),
                     "plain accuracy": float(correct[~mirrored].mean()), "loss": history["loss"]}
    print(f"{name:28s} test accuracy {correct.mean():.3f}   on mirrored tweets {correct[mirrored].mean():.3f}   "
          f"on the others {correct[~mirrored].mean():.3f}")
    check_against_keras(name, kind)
    return model


train("model 0: TF-IDF + linear", "tfidf")
model_1 = train("model 1: averaged embedding", "dense")
train("model 2: LSTM", "lstm")
train("model 3: GRU", "gru")
train("model 4: Bidirectional LSTM", "bidirectional")
train("model 5: Conv1D", "conv1d")

# %% [markdown]
# Model 6, the course's transfer model, reuses what model 1 learned: its embedding table, frozen
# (`trainable = False`), under a new dense head trained on 10% of the tweets only.

# %%
def transfer_model():
    minitf.keras.utils.set_random_seed(7)
    inputs = minitf.keras.Input(shape=(1,), dtype="string")
    frozen = minitf.keras.layers.Embedding(VOCAB, EMBED, trainable=False)
    x = frozen(vectorizer(inputs))
    x = minitf.keras.layers.GlobalAveragePooling1D()(x)
    x = minitf.keras.layers.Dense(8, activation="relu")(x)
    model = minitf.keras.Model(inputs, minitf.keras.layers.Dense(1, activation="sigmoid")(x))
    frozen.set_weights(model_1.get_layer("embedding").get_weights())
    return compile_model(model, minitf, "adam")


tenth = N_TRAIN // 10
model_6 = transfer_model()
model_6.fit(train_sentences[:tenth].reshape(-1, 1), train_labels[:tenth], epochs=EPOCHS * 2, verbose=0)
correct = (model_6(test_sentences.reshape(-1, 1)).numpy()[:, 0] > 0.5) == test_labels.astype(bool)
results["model 6: frozen embedding, 10%"] = {"accuracy": float(correct.mean()),
                                             "mirrored accuracy": float(correct[mirrored].mean()),
                                             "plain accuracy": float(correct[~mirrored].mean())}
print(f"model 6: frozen embedding, 10%: test accuracy {correct.mean():.3f}, mirrored {correct[mirrored].mean():.3f}")

fig, ax = plt.subplots(figsize=(9, 4))
names = list(results)
xs = np.arange(len(names))
ax.bar(xs - 0.2, [results[n]["plain accuracy"] for n in names], 0.4, label="plain tweets")
ax.bar(xs + 0.2, [results[n]["mirrored accuracy"] for n in names], 0.4, label="mirrored tweets (order decides)")
ax.axhline(0.5, color="black", linestyle="--", linewidth=1)
ax.set_xticks(xs)
ax.set_xticklabels([n.split(": ")[1] for n in names], rotation=25, ha="right")
ax.set_ylabel("test accuracy")
ax.set_title("bag-of-words models cannot read order")
ax.legend()
L.savefig(fig, "model_accuracies")

# %% [markdown]
# The bag-of-words models (0, 1, 6) are right on the plain tweets and at chance on the mirrored
# ones; the models that read in order (2-5) get both.
#
# ## 5. Backpropagation through time, written out
# A SimpleRNN reads $x_1 \dots x_T$ and keeps a state
#
# $$h_t = \tanh(W x_t + U h_{t-1} + b).$$
#
# The gradient of the last state with respect to an early input goes back through every step:
#
# $$\frac{\partial L}{\partial h_{t-1}} = U^\top \Big(\big(1 - h_t^2\big) \odot \frac{\partial L}{\partial h_t}\Big),
# \qquad \frac{\partial L}{\partial x_t} = W^\top \Big(\big(1 - h_t^2\big) \odot \frac{\partial L}{\partial h_t}\Big).$$
#
# Each step multiplies by $U^\top \operatorname{diag}(1 - h_t^2)$: when those factors shrink
# vectors, the gradient that reaches step 1 is a product of T shrinkings, and **vanishes**. Below,
# that recursion is written in NumPy and checked against the tape.

# %%
T, FEATURES, UNITS = 50, 8, 32
rng = np.random.default_rng(0)
sequence = rng.normal(size=(16, T, FEATURES)).astype("float32")


def rnn_layer(fw, kind, forget_bias=None):
    fw.keras.utils.set_random_seed(1)
    layer = fw.keras.layers.SimpleRNN(UNITS) if kind == "rnn" else fw.keras.layers.LSTM(UNITS)
    layer.build((None, T, FEATURES))
    return layer


def gradient_per_step(fw, layer):
    """||dL/dx_t|| for L = sum(h_T), averaged over the batch: one number per time step."""
    x = fw.constant(sequence)
    with fw.GradientTape() as tape:
        tape.watch(x)
        loss = fw.reduce_sum(layer(x))
    return np.linalg.norm(np.asarray(tape.gradient(loss, x)), axis=2).mean(axis=0)


rnn = rnn_layer(minitf, "rnn")
W, U, b = rnn.get_weights()
h = np.zeros((16, UNITS), np.float32)
states = []
for t in range(T):  # the forward pass, kept for the backward one
    h = np.tanh(sequence[:, t] @ W + h @ U + b)
    states.append(h)
dh = np.ones((16, UNITS), np.float32)  # dL/dh_T for L = sum(h_T)
by_hand = np.zeros_like(sequence)
for t in reversed(range(T)):  # backpropagation through time
    dz = (1 - states[t] ** 2) * dh
    by_hand[:, t] = dz @ W.T
    dh = dz @ U.T
tape_norms = gradient_per_step(minitf, rnn)
hand_norms = np.linalg.norm(by_hand, axis=2).mean(axis=0)
bptt_max_rel_diff = float(np.max(np.abs(hand_norms - tape_norms) / tape_norms))
print(f"BPTT by hand vs the tape: largest relative difference {bptt_max_rel_diff:.2e}")

# %% [markdown]
# ## 6. Why an LSTM keeps gradients alive
# An LSTM keeps a second state, the cell $c_t$, updated by **adding**:
#
# $$c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t, \qquad h_t = o_t \odot \tanh(c_t),$$
#
# so the gradient along the cells is multiplied at each step by the forget gate $f_t$ only,
# not by a weight matrix and a tanh derivative. With $f_t$ near 1 the gradient passes almost
# unchanged: the "constant error carousel". Keras starts the forget gate's bias at 1
# (`unit_forget_bias=True`, so $f \approx \sigma(1) = 0.73$); an LSTM that has learned to
# remember pushes it higher. We measure $\lVert \partial L / \partial x_t \rVert$ for a
# SimpleRNN, Keras's LSTM, and the same LSTM with its forget bias set to 3 ($f \approx 0.95$).

# %%
lstm = rnn_layer(minitf, "lstm")
lstm_remembering = rnn_layer(minitf, "lstm")
weights = lstm_remembering.get_weights()
weights[2][UNITS:2 * UNITS] = 3.0  # the forget gate's bias (gates are ordered i, f, c, o)
lstm_remembering.set_weights(weights)
norms = {"SimpleRNN": tape_norms, "LSTM (forget bias 1)": gradient_per_step(minitf, lstm),
         "LSTM (forget bias 3)": gradient_per_step(minitf, lstm_remembering)}
ratios = {name: float(n[0] / n[-1]) for name, n in norms.items()}
for name, ratio in ratios.items():
    print(f"{name:22s} gradient at step 1 / gradient at step {T}: {ratio:.2e}")
if tf is not None:
    for name, layer in (("SimpleRNN", rnn), ("LSTM (forget bias 1)", lstm), ("LSTM (forget bias 3)", lstm_remembering)):
        twin = rnn_layer(tf, "rnn" if name == "SimpleRNN" else "lstm")
        twin.set_weights(layer.get_weights())
        theirs = gradient_per_step(tf, twin)
        L.compare(f"{name}: log10 gradient norm per step vs TF", np.log10(norms[name]), np.log10(theirs), tol=1e-4)

fig, ax = plt.subplots(figsize=(8, 4))
for name, n in norms.items():
    ax.semilogy(np.arange(1, T + 1), n, linewidth=2, label=name)
ax.semilogy(np.arange(1, T + 1), hand_norms, "k:", linewidth=1, label="SimpleRNN, BPTT by hand")
ax.set_xlabel("time step t")
ax.set_ylabel("||dL/dx_t||")
ax.set_title(f"gradient reaching each step of a {T}-step sequence")
ax.legend()
L.savefig(fig, "gradient_per_time_step")

# %% [markdown]
# ## 7. Embeddings, projected
# Model 1 learned a 16-number vector per token. Projected onto their two main directions
# (principal components, from an SVD), tokens that push a tweet toward "disaster" gather on one
# side and figurative ones on the other. The course exports `vectors.tsv` and `metadata.tsv`
# for TensorFlow's embedding projector (projector.tensorflow.org); so does this lesson.

# %%
table = model_1.get_layer("embedding").get_weights()[0]
centered = table - table.mean(axis=0)
_, _, directions = np.linalg.svd(centered, full_matrices=False)
projected = centered @ directions[:2].T
counts = {}
for text, label in zip(train_sentences, train_labels):
    for word in set(text.replace(",", " ").split()):
        n, d = counts.get(word, (0, 0))
        counts[word] = (n + 1, d + label)
share = np.array([counts.get(w, (1, 0.5))[1] / counts.get(w, (1, 0.5))[0] for w in vocabulary])
fig, ax = plt.subplots(figsize=(8, 7))
points = ax.scatter(projected[:, 0], projected[:, 1], c=share, cmap="coolwarm", s=15)
for i in np.argsort(-np.linalg.norm(projected, axis=1))[:30]:
    ax.annotate(vocabulary[i] or "<pad>", projected[i], fontsize=8)
fig.colorbar(points, label="share of the tweets holding the word that are disasters")
ax.set_title("model 1's embeddings, first two principal components")
L.savefig(fig, "embedding_projection")
with open(L.output_file("vectors.tsv"), "w", encoding="utf-8") as vectors, \
        open(L.output_file("metadata.tsv"), "w", encoding="utf-8") as metadata:
    for word, vector in zip(vocabulary[1:], table[1:]):  # row 0 is padding
        vectors.write("\t".join(f"{v:.6f}" for v in vector) + "\n")
        metadata.write(word + "\n")
pc1_disaster_correlation = float(abs(np.corrcoef(projected[2:, 0], share[2:])[0, 1]))
print(f"|correlation| of the first component with the disaster share: {pc1_disaster_correlation:.2f}")

# %% [markdown]
# ## 8. A multi-input model: the course's SkimLit
# The course's last NLP project labels each sentence of a medical abstract with its role
# (background, objective, methods, results, conclusions). The words help; so does where the
# sentence sits: the first lines are background, the last conclusions. Its model takes three
# inputs: the sentence (a string, vectorised and embedded inside the model), its line number and
# the abstract's length (one-hot), and concatenates what each branch makes of them. We split by
# abstract, so no abstract is in both the training and the test set.
#
# Our generated abstracts say their role in their words (a model reading whole sentences gets
# nearly all of them right), so to see what the positions add, the text branch reads only the
# first three words of each sentence.

# %%
abstracts = make_abstracts(L.pick(150, 50), seed=0)
sentences = np.array(abstracts["sentences"])
roles = abstracts["labels"]
line_onehot = np.eye(15, dtype="float32")[np.minimum(abstracts["line_numbers"], 14)]
total_onehot = np.eye(20, dtype="float32")[np.minimum(abstracts["total_lines"], 19)]
train_rows = abstracts["abstract_ids"] < int(0.8 * abstracts["abstract_ids"].max())
test_rows = ~train_rows


def skimlit(fw, positions=True):
    layers = fw.keras.layers
    words = layers.TextVectorization(max_tokens=150, output_sequence_length=3)
    words.adapt(sentences[train_rows])
    text_in = fw.keras.Input(shape=(1,), dtype="string", name="sentence")
    x = layers.Embedding(words.vocabulary_size(), 16)(words(text_in))
    x = layers.GlobalAveragePooling1D()(layers.Conv1D(32, 3, activation="relu", padding="same")(x))
    inputs, branches = [text_in], [x]
    if positions:
        line_in = fw.keras.Input(shape=(15,), name="line_number")
        total_in = fw.keras.Input(shape=(20,), name="total_lines")
        inputs += [line_in, total_in]
        branches += [layers.Dense(8, activation="relu")(line_in), layers.Dense(8, activation="relu")(total_in)]
        x = layers.Concatenate()(branches)
    outputs = layers.Dense(5, activation="softmax")(layers.Dense(32, activation="relu")(x))
    model = fw.keras.Model(inputs, outputs)
    model.compile(optimizer=fw.keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def skimlit_inputs(rows, positions=True):
    return [sentences[rows].reshape(-1, 1), line_onehot[rows], total_onehot[rows]] if positions else \
        sentences[rows].reshape(-1, 1)


skim_accuracy = {}
for positions in (False, True):
    minitf.keras.utils.set_random_seed(3)
    model = skimlit(minitf, positions)
    model.fit(skimlit_inputs(train_rows, positions), roles[train_rows], epochs=L.pick(8, 5), verbose=0)
    _, accuracy = model.evaluate(skimlit_inputs(test_rows, positions), roles[test_rows], verbose=0)
    skim_accuracy["words and positions" if positions else "words only"] = accuracy
    print(f"SkimLit, {'words and positions' if positions else 'words only':20s}: test accuracy {accuracy:.3f}")
skimlit_model = model
path = L.out_dir() / "skimlit.keras"
skimlit_model.save(path)
reloaded = minitf.keras.models.load_model(path)
probe = skimlit_inputs(test_rows)
probabilities = skimlit_model(probe).numpy()
reload_identical = bool(np.array_equal(reloaded(probe).numpy(), probabilities))
print(f"saved to {path.name} and loaded again: identical predictions {reload_identical}")
if tf is not None:  # the same three-input model under Keras, with minitf's weights: the same probabilities
    keras_skimlit = skimlit(tf)
    keras_skimlit.set_weights(skimlit_model.get_weights())
    theirs = keras_skimlit([tf.constant(part) for part in probe])
    L.compare("SkimLit: class probabilities vs Keras (same weights)", probabilities, theirs, tol=1e-5)
example = sentences[test_rows][:6]
predicted = np.argmax(probabilities, axis=1)[:6]
for sentence, role, truth in zip(example, predicted, roles[test_rows][:6]):
    print(f"  {ABSTRACT_CLASS_NAMES[role]:12s} (true {ABSTRACT_CLASS_NAMES[truth]:12s}) {sentence}")

# %% [markdown]
# ## Exercises
# 1. (Course) Rebuild model 1 (the averaged embedding) with the Sequential API instead of the
#    functional one, and check that it reaches the same accuracy from the same seed.
# 2. (Course) Retrain model 0 on 10% of the data. How does it compare with model 6 on 10%?
# 3. (Course) Make a confusion matrix of your best model on the test tweets, and find its most
#    wrong predictions (the highest probability on the wrong class). Are they mirrored tweets?
# 4. (Course) Write `predict_on_sentence(model, sentence)` that prints the label and the
#    probability for a new string, and try it on tweets you make up.
# 5. Set `mask_zero=True` in the LSTM model's embedding (the padding then is skipped, as after a
#    `Masking` layer). Does the accuracy change? Why might it with longer padding?
# 6. Repeat section 6 with a GRU. Which of its gates plays the forget gate's part?
# 7. (Course, SkimLit) Add a character-level branch (`TextVectorization(split="character")`) to
#    the multi-input model, as the course's model 5 does. Does it help on these sentences?

# %%
L.summary(
    vocabulary_size=VOCAB,
    mirrored_test_tweets=int(mirrored.sum()),
    accuracies={name: {k: v for k, v in r.items() if k != "loss"} for name, r in results.items()},
    embedding_gradient_is_scatter_add=embedding_gradient_is_scatter_add,
    bptt_by_hand_max_rel_diff=bptt_max_rel_diff,
    gradient_first_over_last=ratios,
    pc1_disaster_correlation=pc1_disaster_correlation,
    skimlit_accuracy=skim_accuracy,
    skimlit_reload_identical=reload_identical,
)
