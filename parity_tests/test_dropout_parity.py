"""Dropout under Keras 3.15 and minitf: a seeded layer drops the same cells, call after call, in the
layers (Dropout, AlphaDropout, SpatialDropout) and in the recurrent cells (dropout and
recurrent_dropout, one mask per gate with implementation 1), and a model with dropout trains to
Keras's losses with `fit`. Both draw from TF's stateless Philox stream with the layer's
SeedGenerator (keras.random.dropout), so the masks are equal bit for bit."""
import numpy as np
import pytest

from parity_tests.test_training_parity import compare_histories

RNG = np.random.default_rng(11)


def _calls(layer, x, n=3):
    """n calls in training (each steps the generator), then one at inference."""
    return [np.asarray(layer(x, training=True)) for _ in range(n)] + [np.asarray(layer(x, training=False))]


@pytest.mark.parametrize("name,make,shape", [
    ("Dropout", lambda L: L.Dropout(0.4, seed=3), (6, 9)),
    ("Dropout noise_shape", lambda L: L.Dropout(0.25, noise_shape=(None, 1, 5), seed=8), (4, 3, 5)),
    ("Dropout rate 1", lambda L: L.Dropout(1.0, seed=1), (3, 4)),
    ("AlphaDropout", lambda L: L.AlphaDropout(0.3, seed=5), (6, 9)),
    ("AlphaDropout noise_shape", lambda L: L.AlphaDropout(0.2, noise_shape=(1, 9), seed=2), (6, 9)),
    ("SpatialDropout1D", lambda L: L.SpatialDropout1D(0.5, seed=4), (3, 5, 6)),
    ("SpatialDropout2D", lambda L: L.SpatialDropout2D(0.5, seed=4), (2, 3, 3, 4)),
])
def test_a_seeded_layer_drops_kerass_cells(tf, mtf, name, make, shape):
    x = RNG.normal(size=shape).astype(np.float32)
    expected, got = _calls(make(tf.keras.layers), x), _calls(make(mtf.keras.layers), x)
    for i, (t, m) in enumerate(zip(expected, got)):
        np.testing.assert_array_equal(m, t, err_msg=f"{name}, call {i}")


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("rates", [dict(dropout=0.3), dict(recurrent_dropout=0.4),
                                   dict(dropout=0.2, recurrent_dropout=0.5)])
def test_recurrent_layers_drop_kerass_cells(tf, mtf, kind, rates):
    """Same weights and seed: equal outputs up to float32 rounding of the products, call after call
    (training, inference, training again: Keras steps the generator at inference too). A different
    mask would change the outputs by far more than the tolerance."""
    x = RNG.normal(size=(5, 7, 3)).astype(np.float32)
    t = getattr(tf.keras.layers, kind)(4, seed=11, return_sequences=True, **rates)
    m = getattr(mtf.keras.layers, kind)(4, seed=11, return_sequences=True, **rates)
    t.build(x.shape)
    m.build(x.shape)
    m.set_weights(t.get_weights())
    for i, training in enumerate((True, False, True, True)):
        np.testing.assert_allclose(m(x, training=training).numpy(), np.asarray(t(x, training=training)),
                                   rtol=1e-5, atol=1e-6, err_msg=f"{kind} {rates}, call {i}")
    np.testing.assert_array_equal(m.cell.seed_generator.state.numpy(), np.asarray(t.cell.seed_generator.state))


def _model(fw):
    keras = fw.keras
    inputs = keras.Input((6,))
    h = keras.layers.Dense(16, activation="relu")(inputs)
    h = keras.layers.Dropout(0.3, seed=7)(h)
    h = keras.layers.LSTM(5, dropout=0.2, recurrent_dropout=0.25, seed=9)(keras.layers.Reshape((4, 4))(h))
    h = keras.layers.AlphaDropout(0.1, seed=2)(h)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h))


def _history(fw, initial):
    model = _model(fw)
    model.set_weights(initial)
    model.compile(optimizer=fw.keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    data = np.random.default_rng(0)
    x = data.normal(size=(64, 6)).astype("float32")
    y = (x[:, :1] + x[:, 1:2] > 0).astype("float32")
    return model.fit(x, y, batch_size=16, epochs=6, shuffle=False, validation_data=(x[:16], y[:16]),
                     verbose=0).history


def test_a_model_with_dropout_trains_to_kerass_losses(tf, mtf, op_determinism):
    """Seeded Dropout, LSTM dropout and recurrent dropout, AlphaDropout: traced fit, validation
    between epochs (where Keras's LSTM steps its generator too)."""
    initial = _model(tf).get_weights()
    compare_histories("Dense-Dropout-LSTM(dropouts)-AlphaDropout", _history(tf, initial), _history(mtf, initial))
