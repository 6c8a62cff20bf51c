"""MultiHeadAttention and EinsumDense: values against the formulas written in NumPy here (projections,
scaled dot-product scores per head, masks, causality, attention over two axes), gradients (gradcheck
over the inputs and every weight), dropout, errors, configs, traced vs eager bits, a transformer block
trained with fit. Keras's values: parity_tests/test_multi_head_attention_parity.py."""
import math

import numpy as np
import pytest

import minitf as tf
from minitf.testing import gradcheck

layers = tf.keras.layers
RNG = np.random.default_rng(11)


def softmax(s, axis=-1):
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def scale(key_dim):
    """1 / sqrt(key_dim) as Keras multiplies by it: tf.cast of a Python float goes through float32 first,
    so a float64 layer too is scaled by the float32 rounding."""
    return np.float64(np.float32(1 / math.sqrt(key_dim)))


def mha_formula(weights, query, value, key=None, mask=None, num_heads=2, key_dim=3):
    """Multi-head attention written out: per head n, softmax_s(q_tn . k_sn / sqrt(key_dim)) v_sn,
    then the heads' outputs projected back. ``weights`` in Keras's order (kernels and biases of query,
    key, value, output); ``mask`` (B, T, S), True = may attend."""
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    key = value if key is None else key
    out = np.zeros(query.shape[:2] + (wo.shape[-1],))
    for n in range(num_heads):
        q = query @ wq[:, n, :] + bq[n]            # (B, T, key_dim)
        k = key @ wk[:, n, :] + bk[n]              # (B, S, key_dim)
        v = value @ wv[:, n, :] + bv[n]            # (B, S, value_dim)
        logits = q @ k.transpose(0, 2, 1) * scale(key_dim)
        if mask is not None:
            logits = np.where(mask, logits, -np.inf)
        out += (softmax(logits) @ v) @ wo[n]
    return out + bo


def random_weights(layer):
    layer.set_weights([RNG.normal(size=w.shape) * 0.5 for w in layer.get_weights()])
    return layer.get_weights()


# ------------------------------------------------------------------------------------ the formula
def test_self_and_cross_attention_are_the_formula():
    query, value, key = RNG.normal(size=(2, 4, 5)), RNG.normal(size=(2, 6, 3)), RNG.normal(size=(2, 6, 7))
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, dtype="float64")
    out = layer(query, query)
    assert [w.path for w in layer.weights] == [f"{layer.name}/{p}/{n}" for p in ("query", "key", "value",
                                                                               "attention_output")
                                               for n in ("kernel", "bias")]
    assert [w.shape for w in layer.get_weights()] == [(5, 2, 3), (2, 3)] * 3 + [(2, 3, 5), (5,)]
    assert out.shape == (2, 4, 5)
    weights = random_weights(layer)
    np.testing.assert_allclose(layer(query, query).numpy(), mha_formula(weights, query, query), rtol=1e-10)

    cross = layers.MultiHeadAttention(2, 3, dtype="float64")
    cross(query, value, key)
    weights = random_weights(cross)
    assert [w.shape for w in weights][:6] == [(5, 2, 3), (2, 3), (7, 2, 3), (2, 3), (3, 2, 3), (2, 3)]
    out, scores = cross(query, value, key, return_attention_scores=True)
    assert out.shape == (2, 4, 5) and scores.shape == (2, 2, 4, 6)
    np.testing.assert_allclose(out.numpy(), mha_formula(weights, query, value, key), rtol=1e-10)
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0, rtol=1e-12)


def test_value_dim_output_shape_and_no_bias():
    query = RNG.normal(size=(2, 3, 4))
    layer = layers.MultiHeadAttention(3, 2, value_dim=5, output_shape=(2, 3), use_bias=False, dtype="float64")
    out = layer(query, query)
    assert out.shape == (2, 3, 2, 3)
    assert [w.shape for w in layer.get_weights()] == [(4, 3, 2), (4, 3, 2), (4, 3, 5), (3, 5, 2, 3)]
    wq, wk, wv, wo = layer.get_weights()
    q = np.einsum("btd,dnh->btnh", query, wq)
    k = np.einsum("bsd,dnh->bsnh", query, wk)
    v = np.einsum("bsd,dnh->bsnh", query, wv)
    probs = softmax(np.einsum("btnh,bsnh->bnts", q, k) * scale(2))
    expected = np.einsum("btnh,nhxy->btxy", np.einsum("bnts,bsnh->btnh", probs, v), wo)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10)
    assert layer.compute_output_shape((None, 3, 4), (None, 3, 4)) == (None, 3, 2, 3)


def test_attention_over_two_axes_is_attention_over_the_flattened_positions():
    # attention_axes=(1, 2) on (B, H, W, dim): every position (h, w) attends to every (h', w')
    x = RNG.normal(size=(2, 3, 2, 4))
    layer = layers.MultiHeadAttention(2, 3, attention_axes=(1, 2), dtype="float64")
    out, scores = layer(x, x, return_attention_scores=True)
    weights = random_weights(layer)
    out, scores = layer(x, x, return_attention_scores=True)
    assert scores.shape == (2, 2, 3, 2, 3, 2)
    flat = x.reshape(2, 6, 4)
    np.testing.assert_allclose(out.numpy().reshape(2, 6, 4), mha_formula(weights, flat, flat), rtol=1e-10)
    # the default for 4-D inputs: attention along axis 2 only, rows (axis 1) independent
    rows = layers.MultiHeadAttention(2, 3, attention_axes=2, dtype="float64")
    rows(x, x)
    rows.set_weights(weights)
    out = rows(x, x).numpy()
    for r in range(3):
        np.testing.assert_allclose(out[:, r], mha_formula(weights, x[:, r], x[:, r]), rtol=1e-10)


# ------------------------------------------------------------------------------------------ masks
def test_attention_mask_and_causal_mask():
    query, value = RNG.normal(size=(2, 4, 5)), RNG.normal(size=(2, 3, 5))
    layer = layers.MultiHeadAttention(2, 3, dtype="float64")
    layer(query, value)
    weights = random_weights(layer)
    mask = RNG.uniform(size=(2, 4, 3)) > 0.4
    mask[:, :, 0] = True  # every query sees something (see the fully masked case below)
    for scores in (False, True):  # Keras's two computations (dot_product_attention, and einsum + Softmax)
        out = layer(query, value, attention_mask=mask, return_attention_scores=scores)
        out = out[0] if scores else out
        np.testing.assert_allclose(out.numpy(), mha_formula(weights, query, value, mask=mask), rtol=1e-10)
    lower = np.tril(np.ones((4, 4), bool))[None]
    for scores in (False, True):
        out = layer(query, query, use_causal_mask=True, return_attention_scores=scores)
        if scores:
            out, probs = out
            assert np.all(probs.numpy()[..., np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]] == 0)
        np.testing.assert_allclose(out.numpy(), mha_formula(weights, query, query, mask=lower), rtol=1e-10)
    both = layer(query, query, attention_mask=mask[:, :, :1].repeat(4, -1), use_causal_mask=True)
    np.testing.assert_allclose(both.numpy(), mha_formula(weights, query, query, mask=lower & mask[:, :, :1]),
                               rtol=1e-10)


def test_a_fully_masked_query_row_differs_between_kerass_two_computations():
    """Keras quirk, kept: dot_product_attention gives a masked-out row uniform weights (its mean of the
    values); the Softmax layer's path (scores asked for, or dropout) gives it zero weights."""
    x = RNG.normal(size=(1, 3, 4))
    layer = layers.MultiHeadAttention(1, 2, dtype="float64")
    layer(x, x)
    weights = random_weights(layer)
    mask = np.ones((1, 3, 3), bool)
    mask[0, 1] = False
    fast = layer(x, x, attention_mask=mask).numpy()
    slow, probs = layer(x, x, attention_mask=mask, return_attention_scores=True)
    assert np.all(probs.numpy()[0, 0, 1] == 0)
    v = x[0] @ weights[4][:, 0] + weights[5][0]
    np.testing.assert_allclose(fast[0, 1], v.mean(axis=0) @ weights[6][0] + weights[7], rtol=1e-10)
    np.testing.assert_allclose(slow.numpy()[0, 1], weights[7], rtol=1e-10)  # zero attention: the bias
    np.testing.assert_allclose(fast[0, [0, 2]], slow.numpy()[0, [0, 2]], rtol=1e-10)


def test_keras_masks_of_the_inputs_from_an_embedding():
    tokens = np.array([[3, 1, 4, 0, 0], [5, 9, 2, 6, 0]])
    embedding = layers.Embedding(10, 4, mask_zero=True, dtype="float64")
    layer = layers.MultiHeadAttention(2, 3, dtype="float64")
    embedded = embedding(tokens)
    out = layer(embedded, embedded)
    weights = random_weights(layer)
    embedded = embedding(tokens)
    out = layer(embedded, embedded)
    np.testing.assert_array_equal(out._keras_mask.numpy(), tokens != 0)  # the query's mask marks the output
    valid = tokens != 0
    mask = valid[:, :, None] & valid[:, None, :]
    expected = mha_formula(weights, embedded.numpy(), embedded.numpy(), mask=mask | ~valid[:, :, None])
    # padded queries see nothing: Keras's dot_product_attention gives them the mean of all values
    for b in range(2):
        np.testing.assert_allclose(out.numpy()[b][valid[b]], expected[b][valid[b]], rtol=1e-10)
    assert not hasattr(embedded, "_keras_mask") or embedded._keras_mask is None  # consumed, as Keras does
    # the value's mask alone (a query without one): padded values get no weight
    query = RNG.normal(size=(2, 2, 4))
    embedded = embedding(tokens)
    out, probs = layer(query, embedded, return_attention_scores=True)
    assert np.all(probs.numpy()[..., ~valid[0]][0] == 0) and np.all(probs.numpy()[1][..., ~valid[1]] == 0)
    np.testing.assert_allclose(out.numpy(), mha_formula(weights, query, embedded.numpy(),
                                                        mask=np.broadcast_to(valid[:, None, :], (2, 2, 5))),
                               rtol=1e-10)


# -------------------------------------------------------------------------------------- gradients
def test_gradients_through_the_inputs_and_every_weight():
    query, value, key = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4, 2)), RNG.normal(size=(2, 4, 3))
    mask = RNG.uniform(size=(2, 3, 4)) > 0.3
    mask[..., 0] = True
    for scores in (False, True):
        layer = layers.MultiHeadAttention(2, 3, dtype="float64")
        gradcheck(lambda q, v, k: layer(q, v, k, attention_mask=mask, return_attention_scores=scores)[0]
                  if scores else layer(q, v, k, attention_mask=mask), [query, value, key])
        names = [(dense, attr) for dense in (layer._query_dense, layer._key_dense, layer._value_dense,
                                             layer._output_dense) for attr in ("kernel", "bias")]
        initial = [getattr(d, a).numpy() + RNG.normal(size=getattr(d, a).shape) * 0.3 for d, a in names]

        def with_weights(*ws):
            saved = [getattr(d, a) for d, a in names]
            try:
                for (d, a), w in zip(names, ws):
                    setattr(d, a, w)
                return layer(tf.constant(query), tf.constant(value), tf.constant(key), use_causal_mask=True)
            finally:
                for (d, a), w in zip(names, saved):
                    setattr(d, a, w)
        gradcheck(with_weights, initial)


def test_einsum_dense_gradients():
    x = RNG.normal(size=(2, 3, 4))
    for equation, output_shape, bias_axes in (("abc,cde->abde", (None, 2, 3), "de"), ("...b,bc->...c", 5, "c"),
                                              ("abc,cd->abd", (3, 2), None)):
        layer = layers.EinsumDense(equation, output_shape, bias_axes=bias_axes, activation="tanh", dtype="float64")
        gradcheck(lambda t: layer(t), [x])
        layer(x)
        weights = [layer.kernel.numpy()] + ([layer.bias.numpy() + 0.1] if layer.bias is not None else [])

        def with_weights(*ws):
            saved = layer.kernel, layer.bias
            layer.kernel, layer.bias = ws[0], (ws[1] if len(ws) > 1 else None)
            try:
                return layer(tf.constant(x))
            finally:
                layer.kernel, layer.bias = saved
        gradcheck(with_weights, weights)


# --------------------------------------------------------------------------------------- EinsumDense
def test_einsum_dense_is_its_equation_with_kerass_shapes():
    x = RNG.normal(size=(2, 3, 4))
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 5), bias_axes="de", dtype="float64")
    out = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (4, 2, 5) and bias.shape == (2, 5) and out.shape == (2, 3, 2, 5)
    layer.set_weights([kernel, RNG.normal(size=(2, 5))])
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(layer(x).numpy(), np.tensordot(x, kernel, axes=1) + bias, rtol=1e-12)
    # "..." on the left, a bias on one of two output letters (shape from that letter to the end)
    left = layers.EinsumDense("...b,bc->...c", output_shape=6, bias_axes="c", activation="relu", dtype="float64")
    assert left(x).shape == (2, 3, 6) and left.bias.shape == (6,)
    np.testing.assert_allclose(left(x).numpy(), np.maximum(x @ left.kernel.numpy(), 0), rtol=1e-12)
    bias_middle = layers.EinsumDense("abc,cde->abde", output_shape=(3, 2, 5), bias_axes="b")
    bias_middle.build((None, 3, 4))
    assert tuple(bias_middle.bias.shape) == (3, 1, 1)
    right = layers.EinsumDense("ab...,bc->ac...", output_shape=7)
    assert right.compute_output_shape((None, 3, 4)) == (None, 7, 4)
    assert tuple(right(x.astype("float32")).shape) == (2, 7, 4)


def test_einsum_dense_kernel_fans_follow_the_equation():
    # glorot_uniform over kernel (in=64, heads=4, size=8): fan_in 64, fan_out 32 (Keras 3.15), not 4*64 / 8*64
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 8), kernel_initializer="glorot_uniform")
    layer.build((None, 5, 64))
    limit = math.sqrt(6 / (64 + 32))
    values = layer.kernel.numpy()
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.95 * limit
    assert layer.get_config()["kernel_initializer"]["config"]["input_axes"] is None  # the config keeps the original
    seeded = [layers.EinsumDense("ab,bc->ac", 3, kernel_initializer=tf.keras.initializers.GlorotUniform(seed=4))
              for _ in range(2)]
    for s in seeded:
        s.build((None, 5))
    np.testing.assert_array_equal(seeded[0].kernel.numpy(), seeded[1].kernel.numpy())


def test_seeded_initializers_give_each_projection_the_same_draws():
    init = tf.keras.initializers.GlorotUniform(seed=3)
    layer = layers.MultiHeadAttention(2, 3, kernel_initializer=init)
    layer.build((None, 4, 5), (None, 4, 5))
    query_kernel, _, key_kernel, _, value_kernel = layer.get_weights()[:5]
    np.testing.assert_array_equal(query_kernel, key_kernel)  # as Keras: copies of one seeded initializer
    np.testing.assert_array_equal(query_kernel, value_kernel)


# ---------------------------------------------------------------------------------------- dropout
def test_dropout_drops_attention_weights_in_training_only():
    x = RNG.normal(size=(4, 6, 8)).astype("float32")
    layer = layers.MultiHeadAttention(2, 4, dropout=0.5, seed=9)
    again = layers.MultiHeadAttention(2, 4, dropout=0.5, seed=9)
    layer(x, x)
    again(x, x)
    again.set_weights(layer.get_weights())
    inference, scores = layer(x, x, return_attention_scores=True)
    np.testing.assert_array_equal(layer(x, x).numpy(), inference.numpy())
    first = layer(x, x, training=True).numpy()
    np.testing.assert_array_equal(first, again(x, x, training=True).numpy())  # the same seed, the same draws
    assert not np.array_equal(first, layer(x, x, training=True).numpy())      # a new draw on every call
    assert not np.allclose(first, inference.numpy())
    _, kept = layer(x, x, training=True, return_attention_scores=True)
    np.testing.assert_array_equal(kept.numpy(), scores.numpy())  # the scores returned are before dropout


# ----------------------------------------------------------------------------------------- errors
def test_errors_name_the_layer_and_the_arguments():
    with pytest.raises(ValueError, match="MultiHeadAttention.*num_heads=0"):
        layers.MultiHeadAttention(0, 3)
    with pytest.raises(ValueError, match="MultiHeadAttention.*key_dim='4'"):
        layers.MultiHeadAttention(2, "4")
    with pytest.raises(ValueError, match="MultiHeadAttention.*value_dim=-1"):
        layers.MultiHeadAttention(2, 4, value_dim=-1)
    with pytest.raises(ValueError, match="MultiHeadAttention.*attention_axes"):
        layers.MultiHeadAttention(2, 4, attention_axes="1")
    with pytest.raises(ValueError, match="MultiHeadAttention.*sliding_window"):
        layers.MultiHeadAttention(2, 4, sliding_window=0)
    with pytest.raises(ValueError, match="MultiHeadAttention.*flash attention"):
        layers.MultiHeadAttention(2, 4, flash_attention=True)
    with pytest.raises(ValueError, match=r"MultiHeadAttention.*value_shape=\(2, 5, 3\) and key_shape=\(2, 4, 3\)"):
        layers.MultiHeadAttention(2, 4)(np.ones((2, 3, 3)), np.ones((2, 5, 3)), np.ones((2, 4, 3)))
    with pytest.raises(ValueError, match="MultiHeadAttention.*rank >= 3"):
        layers.MultiHeadAttention(2, 4)(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="MultiHeadAttention.*attention_axes"):
        layers.MultiHeadAttention(2, 4, attention_axes=(0,))(np.ones((2, 3, 3)), np.ones((2, 3, 3)))
    with pytest.raises(ValueError, match="EinsumDense '.*': invalid einsum equation 'ab->b'"):
        layers.EinsumDense("ab->b", 3).build((None, 4))
    with pytest.raises(ValueError, match="EinsumDense.*bias dimension 'x' was requested"):
        layers.EinsumDense("ab,bc->ac", 3, bias_axes="x").build((None, 4))
    with pytest.raises(ValueError, match="EinsumDense.*do not match at shared dimension 'b'"):
        layers.EinsumDense("abc,cd->abd", (5, 2)).build((None, 3, 4))
    with pytest.raises(ValueError, match="EinsumDense 'narrow'.*rank 2"):
        layers.EinsumDense("abc,cd->abd", (3, 2), name="narrow").build((None, 4))
    with pytest.raises(ValueError, match="EinsumDense.*dimension 'z' was specified in the output 'acz'"):
        layers.EinsumDense("ab,bc->acz", (3, 2)).build((None, 4))
    with pytest.raises(ValueError, match="EinsumDense.*weight dimension 'z' did not have a match"):
        layers.EinsumDense("ab,bz->ab", (4,)).build((None, 4))
    layer = layers.EinsumDense("abc,cd->abd", (3, 2))
    layer(np.ones((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="expected ndim=3"):
        layer(np.ones((2, 4), "float32"))


# ---------------------------------------------------------------------------------------- configs
def test_config_round_trip_and_build_config():
    layer = layers.MultiHeadAttention(2, 3, value_dim=4, dropout=0.1, use_bias=False, output_shape=6,
                                      attention_axes=-2, kernel_regularizer="l2", use_gate=True, seed=5)
    config = layer.get_config()
    assert config["output_shape"] == (6,) and config["attention_axes"] == (-2,) and config["value_dim"] == 4
    clone = layers.MultiHeadAttention.from_config(config)
    assert clone.get_config() == config
    x = np.ones((2, 3, 4, 5), "float32")
    layer(x, x)
    assert layer.get_config()["attention_axes"] == (2,)  # made non-negative at build, as Keras
    assert layer.get_build_config() == {"shapes_dict": {"query_shape": [2, 3, 4, 5], "value_shape": [2, 3, 4, 5]}}
    rebuilt = layers.MultiHeadAttention.from_config(layer.get_config())
    rebuilt.build_from_config(layer.get_build_config())
    assert [w.shape for w in rebuilt.weights] == [w.shape for w in layer.weights]
    assert len(layer.losses) == 5  # one L2 penalty per kernel (query, key, gate, value, output)
    dense = layers.EinsumDense("...b,bc->...c", output_shape=3, bias_axes="c", activation="relu",
                               kernel_initializer="he_normal", bias_regularizer="l1")
    config = dense.get_config()
    assert config["output_shape"] == (3,) and config["equation"] == "...b,bc->...c"
    assert layers.EinsumDense.from_config(config).get_config() == config


# ------------------------------------------------------------------------------ traced, Functional, fit
def test_traced_calls_give_the_eager_bits():
    x = RNG.normal(size=(2, 5, 4)).astype("float32")
    mask = RNG.uniform(size=(2, 5, 5)) > 0.3
    layer = layers.MultiHeadAttention(2, 3, dropout=0.2, seed=1)
    eager_layer = layers.MultiHeadAttention(2, 3, dropout=0.2, seed=1)
    layer(x, x)
    eager_layer(x, x)
    eager_layer.set_weights(layer.get_weights())

    def run(m, training):
        out, scores = m(x, x, attention_mask=mask, use_causal_mask=True, return_attention_scores=True,
                        training=training)
        return out, scores, m(x, x), m(x, x, use_causal_mask=True)
    traced = tf.function(lambda training: run(layer, training))
    for training in (False, True, True):
        for a, b in zip(traced(training), run(eager_layer, training)):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_traces_with_unknown_batch_and_length_give_the_eager_bits():
    """An input signature (None, None, dim): the causal and sliding-window masks take the length from
    tf.shape (tf.range of an unknown size has an unknown static shape, not the first call's)."""
    x = RNG.normal(size=(2, 4, 5)).astype("float32")
    layer = layers.MultiHeadAttention(2, 3, sliding_window=2)
    layer(x, x)
    for kwargs in ({}, {"use_causal_mask": True}, {"use_causal_mask": True, "return_attention_scores": True}):
        traced = tf.function(lambda q: layer(q, q, **kwargs), input_signature=[tf.TensorSpec([None, None, 5])])
        for data in (x, RNG.normal(size=(3, 6, 5)).astype("float32")):
            got, expected = traced(data), layer(data, data, **kwargs)
            for a, b in zip(got if isinstance(got, tuple) else (got,),
                            expected if isinstance(expected, tuple) else (expected,)):
                np.testing.assert_array_equal(a.numpy(), b.numpy())
    static = []

    def ranges(q):
        static.extend([tuple(tf.range(tf.shape(q)[1]).shape), tuple(tf.range(tf.shape(q)[2], 0, -2).shape)])
        return q
    tf.function(ranges, input_signature=[tf.TensorSpec([None, None, 5])])(x)
    assert static == [(None,), (3,)]


def transformer_classifier(maxlen=6, vocab=12, embed_dim=8, mask_zero=False, mha_dropout=0.0):
    """The "text classification with a transformer" tutorial's model, small: token + position embeddings,
    one transformer block (MultiHeadAttention, residual + LayerNormalization, a feed-forward network),
    average pooling, a softmax over two classes."""
    class TransformerBlock(layers.Layer):
        def __init__(self, embed_dim, num_heads, ff_dim):
            super().__init__()
            self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim, dropout=mha_dropout, seed=2)
            self.ffn = tf.keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
            self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
            self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)

        def call(self, inputs, training=False):
            out1 = self.layernorm1(inputs + self.att(inputs, inputs, training=training))
            return self.layernorm2(out1 + self.ffn(out1))

    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self):
            super().__init__()
            self.token_emb = layers.Embedding(vocab, embed_dim)
            self.pos_emb = layers.Embedding(maxlen, embed_dim)

        def call(self, x):
            return self.token_emb(x) + self.pos_emb(tf.range(maxlen))

    inputs = tf.keras.Input((maxlen,), dtype="int64")
    x = TokenAndPositionEmbedding()(inputs)
    x = TransformerBlock(embed_dim, 2, 8)(x)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return tf.keras.Model(inputs, outputs)


def test_a_transformer_classifier_learns_and_trains_alike_traced_and_eager():
    data_rng = np.random.default_rng(0)
    tokens = data_rng.integers(1, 12, size=(96, 6))
    labels = (np.sum(tokens < 4, axis=1) >= 2).astype("int64")  # "does a small token appear twice?"
    histories, weights = [], []
    for run_eagerly in (False, True):
        tf.keras.utils.set_random_seed(4)
        model = transformer_classifier(mha_dropout=0.1)
        model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], run_eagerly=run_eagerly)
        histories.append(model.fit(tokens, labels, batch_size=16, epochs=6, shuffle=False, verbose=0).history)
        weights.append(model.get_weights())
    assert histories[0] == histories[1]
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert histories[0]["loss"][-1] < 0.7 * histories[0]["loss"][0]
    assert histories[0]["accuracy"][-1] > 0.8


def test_functional_model_with_masks_and_scores():
    tokens = np.array([[3, 1, 4, 0], [5, 9, 0, 0]])
    inputs = tf.keras.Input((4,), dtype="int64")
    embedded = layers.Embedding(10, 6, mask_zero=True)(inputs)
    attended, scores = layers.MultiHeadAttention(2, 3)(embedded, embedded, return_attention_scores=True)
    assert tuple(attended.shape) == (None, 4, 6) and tuple(scores.shape) == (None, 2, 4, 4)
    pooled = layers.GlobalAveragePooling1D()(attended)  # averages the unmasked positions only
    model = tf.keras.Model(inputs, [pooled, attended, scores])
    pooled, attended, scores = model(tokens)
    valid = tokens != 0
    np.testing.assert_allclose(pooled.numpy(), (attended.numpy() * valid[..., None]).sum(1) / valid.sum(1)[:, None],
                               rtol=1e-6)
    assert np.all(scores.numpy()[1][..., 2:] == 0)


def test_summary_cuts_a_long_class_name_as_keras_does():
    query = tf.keras.Input((4, 5))
    model = tf.keras.Model(query, layers.MultiHeadAttention(2, 3, name="mha")(query, query))
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.extend(s.splitlines()))
    row = lines.index(next(line for line in lines if line.startswith("│ mha ")))
    assert lines[row + 1].startswith("│ (MultiHeadAttentio… │")  # rich's "ellipsis" overflow, one line
    assert lines[row + 2].startswith("└")
    assert " 143 " in lines[row]  # 4 kernels of 5*2*3 (or 2*3*5), 3 biases of 2*3, one of 5


def test_a_residual_add_after_attention_passes_no_mask_on_as_keras():
    """Keras 3.15's merge layers: no mask if an input has none, else the OR of the masks. The attention
    consumes its inputs' masks (Keras's MultiHeadAttention does), so x + attention(x, x) is unmasked."""
    tokens = np.array([[1, 2, 0], [3, 0, 0]])
    embedding = layers.Embedding(10, 4, mask_zero=True)
    x = embedding(tokens)
    attended = layers.MultiHeadAttention(2, 2)(x, x)
    np.testing.assert_array_equal(attended._keras_mask.numpy(), tokens != 0)
    assert tf.keras.backend.get_keras_mask(x) is None
    assert tf.keras.backend.get_keras_mask(layers.Add()([x, attended])) is None
    other = tf.keras.backend.set_keras_mask(tf.ones((2, 3, 4)), tf.constant([[True, False, False]] * 2))
    both = layers.Add()([embedding(tokens), other])
    np.testing.assert_array_equal(both._keras_mask.numpy(), [[True, True, False], [True, False, False]])
