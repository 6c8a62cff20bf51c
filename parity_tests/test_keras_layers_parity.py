"""The core Keras layers under TF and minitf, weights copied: outputs, and gradients with respect
to the inputs and to every weight (the scalar is sum(w * output) with fixed random w).

Tolerance: float32 single-layer, rtol 1e-5 / atol 1e-6 (the harness's defaults) unless stated.
"""
import numpy as np
import pytest

from parity_tests.harness import assert_close

RNG = np.random.default_rng(7)


def layer_outputs_and_grads(fw, make_layer, inputs, weights=None, training=None):
    """(output, grads w.r.t. inputs, grads w.r.t. weights, weights) of ``make_layer(fw)`` on ``inputs``."""
    layer = make_layer(fw)
    tensors = [fw.constant(x) for x in inputs]
    arg = tensors if len(tensors) > 1 else tensors[0]
    layer(arg)  # build
    if weights is not None:
        layer.set_weights(weights)
    with fw.GradientTape(persistent=True) as tape:
        for t in tensors:
            tape.watch(t)
        out = layer(arg, training=training) if training is not None else layer(arg)
        w = fw.constant(np.random.default_rng(0).uniform(0.5, 1.5, tuple(out.shape)).astype(np.float32))
        scalar = fw.reduce_sum(out * w)
    g_in = tape.gradient(scalar, tensors)
    g_w = tape.gradient(scalar, layer.trainable_weights) if layer.trainable_weights else []
    return out, g_in, g_w, layer.get_weights()


def compare(tf, mtf, name, make_layer, inputs, rtol=1e-5, atol=1e-6, training=None):
    t_out, t_gin, t_gw, weights = layer_outputs_and_grads(tf, make_layer, inputs, training=training)
    m_out, m_gin, m_gw, _ = layer_outputs_and_grads(mtf, make_layer, inputs, weights=weights, training=training)
    assert_close(f"{name}: output", t_out, m_out, rtol, atol)
    for i, (a, b) in enumerate(zip(t_gin, m_gin)):
        assert_close(f"{name}: gradient of input {i}", a, b, rtol, atol)
    assert len(t_gw) == len(m_gw), f"{name}: {len(t_gw)} trainable weights in TF, {len(m_gw)} in minitf"
    for i, (a, b) in enumerate(zip(t_gw, m_gw)):
        assert_close(f"{name}: gradient of weight {i}", a, b, rtol, atol)


@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "tanh", "softmax", "elu"])
def test_dense(tf, mtf, activation):
    x = RNG.normal(size=(6, 5)).astype(np.float32)
    compare(tf, mtf, f"Dense({activation})",
            lambda fw: fw.keras.layers.Dense(4, activation=activation, bias_initializer="glorot_uniform"), [x])


def test_dense_rank3_and_no_bias(tf, mtf):
    x = RNG.normal(size=(2, 3, 5)).astype(np.float32)
    compare(tf, mtf, "Dense rank 3", lambda fw: fw.keras.layers.Dense(4, bias_initializer="ones"), [x])
    compare(tf, mtf, "Dense no bias", lambda fw: fw.keras.layers.Dense(4, use_bias=False), [x[0]])


def test_dense_get_weights_layout(tf, mtf):
    t, m = tf.keras.layers.Dense(3), mtf.keras.layers.Dense(3)
    t.build((None, 4))
    m.build((None, 4))
    assert [w.shape for w in t.get_weights()] == [w.shape for w in m.get_weights()] == [(4, 3), (3,)]
    assert t.count_params() == m.count_params() == 15


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "softmax", "softplus", "linear"])
def test_activation(tf, mtf, activation):
    x = RNG.normal(size=(4, 6)).astype(np.float32)
    compare(tf, mtf, f"Activation({activation})", lambda fw: fw.keras.layers.Activation(activation), [x])


def test_flatten_and_reshape(tf, mtf):
    x = RNG.normal(size=(3, 2, 4, 5)).astype(np.float32)
    compare(tf, mtf, "Flatten", lambda fw: fw.keras.layers.Flatten(), [x])
    compare(tf, mtf, "Reshape", lambda fw: fw.keras.layers.Reshape((8, -1)), [x])


@pytest.mark.parametrize("cls", ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"])
def test_elementwise_merges(tf, mtf, cls):
    n = 2 if cls == "Subtract" else 3
    xs = [RNG.normal(size=(4, 5)).astype(np.float32) for _ in range(n)]
    compare(tf, mtf, cls, lambda fw: getattr(fw.keras.layers, cls)(), xs)


@pytest.mark.parametrize("axis", [-1, 1])
def test_concatenate(tf, mtf, axis):
    xs = [RNG.normal(size=(3, 2, 4)).astype(np.float32), RNG.normal(size=(3, 2, 4)).astype(np.float32)]
    compare(tf, mtf, f"Concatenate(axis={axis})", lambda fw: fw.keras.layers.Concatenate(axis=axis), xs)


def test_rescaling(tf, mtf):
    x = RNG.uniform(0, 255, size=(3, 4)).astype(np.float32)
    compare(tf, mtf, "Rescaling", lambda fw: fw.keras.layers.Rescaling(1 / 127.5, offset=-1.0), [x])


def test_lambda(tf, mtf):
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    compare(tf, mtf, "Lambda", lambda fw: fw.keras.layers.Lambda(lambda t: t * t + 1.0), [x])


def test_dropout_inference_is_identity_and_rate_zero(tf, mtf):
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    compare(tf, mtf, "Dropout inference", lambda fw: fw.keras.layers.Dropout(0.5), [x])
    compare(tf, mtf, "Dropout(0) training", lambda fw: fw.keras.layers.Dropout(0.0), [x], training=True)


def test_dropout_training_statistics(tf, mtf):
    # Unseeded layers (seeds drawn differently); seeded ones drop the same cells (test_dropout_parity.py).
    # The statistics: kept values are x / (1 - rate), the kept fraction 1 - rate (20000 draws: standard
    # error 0.0035; tolerance 0.02).
    x = np.ones((100, 200), np.float32)
    for fw in (tf, mtf):
        y = fw.keras.layers.Dropout(0.4)(x, training=True).numpy()
        kept = y != 0
        np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)
        assert abs(kept.mean() - 0.6) < 0.02


def test_normalization_adapt(tf, mtf):
    data = (RNG.normal(size=(50, 3)) * [1.0, 10.0, 0.0] + [0.0, 5.0, 2.0]).astype(np.float32)
    t, m = tf.keras.layers.Normalization(), mtf.keras.layers.Normalization()
    t.adapt(data)
    m.adapt(data)
    for i, (a, b) in enumerate(zip(t.get_weights(), m.get_weights())):
        assert_close(f"Normalization.adapt weight {i}", a, b)
    x = RNG.normal(size=(4, 3)).astype(np.float32)
    assert_close("Normalization output (adapted)", t(x), m(x))
    compare(tf, mtf, "Normalization(mean, variance)",
            lambda fw: fw.keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.25, 0.0]), [x])
    compare(tf, mtf, "Normalization(invert)",
            lambda fw: fw.keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.25, 1.0], invert=True), [x])


def test_input_and_sequential_shapes_and_counts(tf, mtf):
    def build(fw):
        return fw.keras.Sequential([fw.keras.Input((5,)), fw.keras.layers.Dense(7, activation="relu"),
                                    fw.keras.layers.Dropout(0.1), fw.keras.layers.Dense(2)])
    t, m = build(tf), build(mtf)
    assert tuple(t.output_shape) == tuple(m.output_shape) == (None, 2)
    assert t.count_params() == m.count_params()
    assert [w.shape for w in t.get_weights()] == [w.shape for w in m.get_weights()]


def test_keras_mask_attribute_matches(tf, mtf):
    padded = np.array([[3, 1, 0, 0], [5, 0, 0, 0]])
    masks = []
    for fw in (mtf, tf):
        embedded = fw.keras.layers.Embedding(10, 4, mask_zero=True)(padded)
        masked = fw.keras.layers.Masking()(fw.cast(fw.tile(fw.expand_dims(padded, -1), [1, 1, 3]), fw.float32))
        masks.append((np.asarray(embedded._keras_mask).tolist(), np.asarray(masked._keras_mask).tolist()))
        with pytest.raises(AttributeError):
            fw.constant([1.0])._keras_mask  # a tensor without a mask has no such attribute
    assert masks[0] == masks[1]


@pytest.mark.parametrize("name,make,shape", [
    ("ReLU", lambda fw: fw.keras.layers.ReLU(), (6, 5)),
    ("ReLU(max 6)", lambda fw: fw.keras.layers.ReLU(max_value=6.0), (6, 5)),
    ("ReLU(all three)", lambda fw: fw.keras.layers.ReLU(max_value=1.0, negative_slope=0.2, threshold=0.3), (6, 5)),
    ("LeakyReLU", lambda fw: fw.keras.layers.LeakyReLU(), (6, 5)),
    ("PReLU", lambda fw: fw.keras.layers.PReLU(alpha_initializer="random_uniform"), (6, 5)),
    ("PReLU shared", lambda fw: fw.keras.layers.PReLU(alpha_initializer="ones", shared_axes=[1, 2]), (2, 3, 4, 5)),
    ("ELU", lambda fw: fw.keras.layers.ELU(), (6, 5)),
    ("ELU(0.5)", lambda fw: fw.keras.layers.ELU(alpha=0.5), (6, 5)),
    ("ThresholdedReLU", lambda fw: fw.keras.layers.ThresholdedReLU(theta=0.3), (6, 5)),
    ("Identity", lambda fw: fw.keras.layers.Identity(), (6, 5)),
    ("Activation", lambda fw: fw.keras.layers.Activation("tanh"), (6, 5)),
    ("Softmax", lambda fw: fw.keras.layers.Softmax(axis=0), (6, 5)),
    ("Masking", lambda fw: fw.keras.layers.Masking(0.5), (2, 3, 4)),
    ("MaxPooling1D", lambda fw: fw.keras.layers.MaxPooling1D(2), (2, 6, 4)),
    ("GlobalAveragePooling2D", lambda fw: fw.keras.layers.GlobalAveragePooling2D(), (2, 3, 4, 5)),
    ("RepeatVector", lambda fw: fw.keras.layers.RepeatVector(3), (6, 5)),
    ("Permute", lambda fw: fw.keras.layers.Permute((3, 1, 2)), (2, 3, 4, 5)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_activation_and_reshaping_layers(tf, mtf, name, make, shape):
    x = RNG.normal(size=shape).astype(np.float32) * 3
    compare(tf, mtf, name, make, [x])
    t_layer, m_layer = make(tf), make(mtf)
    assert m_layer.get_config() == {**t_layer.get_config(), "name": m_layer.name}
    assert m_layer.built == t_layer.built  # the weightless ones are built from the start, as Keras's
    assert tuple(m_layer.compute_output_shape((None,) + shape[1:])) == \
        tuple(t_layer.compute_output_shape((None,) + shape[1:]))


@pytest.mark.parametrize("name,make,shape", [
    ("ZeroPadding1D", lambda fw: fw.keras.layers.ZeroPadding1D((1, 2)), (2, 5, 3)),
    ("ZeroPadding1D channels_first", lambda fw: fw.keras.layers.ZeroPadding1D(1, data_format="channels_first"),
     (2, 5, 3)),
    ("UpSampling1D", lambda fw: fw.keras.layers.UpSampling1D(3), (2, 5, 3)),
    ("Cropping1D", lambda fw: fw.keras.layers.Cropping1D((1, 2)), (2, 5, 3)),
    ("Cropping1D end 0", lambda fw: fw.keras.layers.Cropping1D((2, 0)), (2, 5, 3)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_sequence_padding_upsampling_and_cropping(tf, mtf, name, make, shape):
    compare(tf, mtf, name, make, [RNG.normal(size=shape).astype(np.float32)])
    t_layer, m_layer = make(tf), make(mtf)
    assert m_layer.get_config() == {**t_layer.get_config(), "name": m_layer.name}
    assert tuple(m_layer.compute_output_shape((None,) + shape[1:])) == \
        tuple(t_layer.compute_output_shape((None,) + shape[1:]))


@pytest.mark.parametrize("name,make,shape", [
    ("GaussianNoise", lambda fw: fw.keras.layers.GaussianNoise(0.3, seed=5), (4, 6)),
    ("GaussianDropout", lambda fw: fw.keras.layers.GaussianDropout(0.4, seed=5), (4, 6)),
    ("SpatialDropout1D", lambda fw: fw.keras.layers.SpatialDropout1D(0.5, seed=5), (4, 3, 6)),
    ("SpatialDropout2D", lambda fw: fw.keras.layers.SpatialDropout2D(0.5, seed=5), (2, 3, 3, 6)),
    ("SpatialDropout2D channels_first", lambda fw: fw.keras.layers.SpatialDropout2D(0.5, "channels_first", seed=5),
     (2, 6, 3, 3)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_seeded_noise_layers_draw_kerass_numbers(tf, mtf, name, make, shape):
    """Each holds a SeedGenerator of its seed, so training-mode calls give Keras's values, call after call
    (keras.random's stateless draws); inference is the identity."""
    x = RNG.normal(size=shape).astype(np.float32)
    t_layer, m_layer = make(tf), make(mtf)
    for call in range(2):
        np.testing.assert_array_equal(m_layer(mtf.constant(x), training=True).numpy(),
                                      t_layer(tf.constant(x), training=True).numpy(), err_msg=f"{name}, call {call}")
    np.testing.assert_array_equal(m_layer(mtf.constant(x)).numpy(), x)
    compare(tf, mtf, name, make, [x], training=True)  # the gradient through the drawn noise or mask
    assert m_layer.get_config() == {**t_layer.get_config(), "name": m_layer.name}


@pytest.mark.parametrize("name,make,shapes", [
    ("Attention dot", lambda fw: fw.keras.layers.Attention(), [(2, 3, 4), (2, 5, 4)]),
    ("Attention dot, key, scale", lambda fw: fw.keras.layers.Attention(use_scale=True), [(2, 3, 4), (2, 5, 6), (2, 5, 4)]),
    ("Attention concat", lambda fw: fw.keras.layers.Attention(score_mode="concat"), [(2, 3, 4), (2, 5, 4)]),
    ("Attention concat scale", lambda fw: fw.keras.layers.Attention(use_scale=True, score_mode="concat"),
     [(2, 3, 4), (2, 5, 4)]),
    ("AdditiveAttention", lambda fw: fw.keras.layers.AdditiveAttention(), [(2, 3, 4), (2, 5, 4)]),
    ("AdditiveAttention key, no scale", lambda fw: fw.keras.layers.AdditiveAttention(use_scale=False),
     [(2, 3, 4), (2, 5, 6), (2, 5, 4)]),
], ids=lambda v: v if isinstance(v, str) else "")
def test_attention(tf, mtf, name, make, shapes):
    compare(tf, mtf, name, make, [RNG.normal(size=s).astype(np.float32) for s in shapes])
    t_layer, m_layer = make(tf), make(mtf)
    assert m_layer.get_config() == {**t_layer.get_config(), "name": m_layer.name}


def test_attention_masks_causality_scores_and_dropout(tf, mtf):
    q, v = RNG.normal(size=(2, 4, 3)).astype(np.float32), RNG.normal(size=(2, 5, 3)).astype(np.float32)
    q_mask = np.array([[True, True, False, True], [True, False, True, True]])
    v_mask = np.array([[True, True, True, False, False], [True, True, True, True, False]])

    def run(fw):
        layer = fw.keras.layers.Attention(dropout=0.3, seed=4)
        out = []
        for kwargs in ({"mask": [q_mask, v_mask]}, {"use_causal_mask": True}, {"mask": [None, v_mask], "use_causal_mask": True},
                       {"return_attention_scores": True}, {"training": True}):
            result = layer([fw.constant(q), fw.constant(v)], **kwargs)
            out += [r.numpy() for r in (result if isinstance(result, tuple) else (result,))]
        return out

    for i, (t, m) in enumerate(zip(run(tf), run(mtf), strict=True)):
        np.testing.assert_allclose(m, t, rtol=1e-5, atol=1e-6, err_msg=f"output {i}")


@pytest.mark.parametrize("name,make,shape", [
    ("UnitNormalization", lambda fw: fw.keras.layers.UnitNormalization(), (4, 5)),
    ("UnitNormalization axes", lambda fw: fw.keras.layers.UnitNormalization(axis=[1, 2]), (2, 3, 4)),
    ("ActivityRegularization", lambda fw: fw.keras.layers.ActivityRegularization(l1=0.1, l2=0.01), (4, 5)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_unit_normalization_and_activity_regularization(tf, mtf, name, make, shape):
    x = RNG.normal(size=shape).astype(np.float32)
    compare(tf, mtf, name, make, [x])
    t_layer, m_layer = make(tf), make(mtf)
    assert m_layer.get_config() == {**t_layer.get_config(), "name": m_layer.name}
    t_layer(tf.constant(x)), m_layer(mtf.constant(x))
    np.testing.assert_allclose([float(v) for v in m_layer.losses], [float(v) for v in t_layer.losses], rtol=1e-6)


@pytest.mark.parametrize("name,make,shapes", [
    ("Dot 2D", lambda fw: fw.keras.layers.Dot(axes=1), [(4, 5), (4, 5)]),
    ("Dot 2D normalized", lambda fw: fw.keras.layers.Dot(axes=-1, normalize=True), [(4, 5), (4, 5)]),
    ("Dot 3D x 3D", lambda fw: fw.keras.layers.Dot(axes=(2, 2)), [(2, 3, 4), (2, 5, 4)]),
    ("Dot 3D x 3D, axes (1, 2)", lambda fw: fw.keras.layers.Dot(axes=(1, 2)), [(2, 3, 4), (2, 5, 3)]),
    ("Dot 3D x 2D", lambda fw: fw.keras.layers.Dot(axes=(2, 1)), [(2, 3, 4), (2, 4)]),
    ("Dot 4D x 3D", lambda fw: fw.keras.layers.Dot(axes=(3, 1)), [(2, 3, 2, 4), (2, 4, 5)]),
], ids=lambda v: v if isinstance(v, str) else "")
def test_dot(tf, mtf, name, make, shapes):
    compare(tf, mtf, name, make, [RNG.normal(size=s).astype(np.float32) for s in shapes])
    t_layer, m_layer = make(tf), make(mtf)
    assert m_layer.get_config() == {**t_layer.get_config(), "name": m_layer.name}
    none_batch = [(None,) + s[1:] for s in shapes]
    assert tuple(m_layer.compute_output_shape(none_batch)) == tuple(t_layer.compute_output_shape(none_batch))
