"""The Attention layer: values against the formulas written in NumPy here (dot and concat scores,
scale, masks, causality), gradients (gradcheck over the inputs and the scale), errors.
Keras's values: parity_tests/test_keras_layers_parity.py."""
import numpy as np
import pytest

import minitf as tf
from minitf.testing import gradcheck

layers = tf.keras.layers
RNG = np.random.default_rng(5)


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_dot_and_concat_attention_are_their_formulas():
    q, v, k = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 5, 4)), RNG.normal(size=(2, 5, 4))
    out, weights = layers.Attention(dtype="float64")([q, v, k], return_attention_scores=True)
    expected_weights = softmax(q @ k.transpose(0, 2, 1))
    np.testing.assert_allclose(weights.numpy(), expected_weights, rtol=1e-10)
    np.testing.assert_allclose(out.numpy(), expected_weights @ v, rtol=1e-10)
    concat = layers.Attention(score_mode="concat", dtype="float64")([q, v]).numpy()
    scores = np.tanh(q[:, :, None, :] + v[:, None, :, :]).sum(axis=-1)
    np.testing.assert_allclose(concat, softmax(scores) @ v, rtol=1e-10)


def test_masks_and_causality():
    q, v = RNG.normal(size=(1, 3, 2)), RNG.normal(size=(1, 3, 2))
    v_mask = np.array([[True, True, False]])
    out, weights = layers.Attention(dtype="float64")([q, v], mask=[None, v_mask], return_attention_scores=True)
    assert np.allclose(weights.numpy()[..., 2], 0) and np.allclose(weights.numpy().sum(axis=-1), 1)
    _, causal = layers.Attention(dtype="float64")([q, v], use_causal_mask=True, return_attention_scores=True)
    assert np.allclose(np.triu(causal.numpy()[0], 1), 0)  # query i gives no weight to values after i
    q_mask = np.array([[True, False, True]])
    out = layers.Attention(dtype="float64")([q, v], mask=[q_mask, None]).numpy()
    assert (out[0, 1] == 0).all() and (out[0, 0] != 0).any()


def test_gradients_through_inputs_and_scale():
    q, v = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 5, 4))
    gradcheck(lambda a, b: layers.Attention(dtype="float64")([a, b]), [q, v])
    layer = layers.Attention(use_scale=True, score_mode="concat", dtype="float64")
    layer([q, v])

    def with_scale(scale):
        saved, layer.scale = layer.scale, scale
        try:
            return layer.call([tf.constant(q), tf.constant(v)])
        finally:
            layer.scale = saved

    gradcheck(with_scale, [np.array(0.7)])


def test_errors():
    with pytest.raises(ValueError, match="must be called on a list of inputs"):
        layers.Attention()(np.ones((1, 2, 2), "float32"))
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="add")
    with pytest.raises(ValueError, match="mask must be a list"):
        layers.Attention()([np.ones((1, 2, 2), "float32")] * 2, mask=np.ones((1, 2), bool))


def test_additive_attention_scores_with_a_learned_scale_vector():
    q, v = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 5, 4))
    layer = layers.AdditiveAttention(dtype="float64")
    out, weights = layer([q, v], return_attention_scores=True)
    scale = layer.scale.numpy()
    assert scale.shape == (4,) and "score_mode" not in layer.get_config()
    scores = (scale * np.tanh(q[:, :, None, :] + v[:, None, :, :])).sum(axis=-1)
    np.testing.assert_allclose(weights.numpy(), softmax(scores), rtol=1e-10)
    np.testing.assert_allclose(out.numpy(), softmax(scores) @ v, rtol=1e-10)
    gradcheck(lambda a, b: layers.AdditiveAttention(use_scale=False, dtype="float64")([a, b]), [q, v])
