"""Saving against TensorFlow: a minitf model saved and loaded still predicts what the TF model it was
copied from predicts, and training resumed from a minitf file continues TF's uninterrupted curve
(optimizer state included). Files written by Keras itself are refused with a clear message.
"""
import numpy as np
import pytest

RNG = np.random.default_rng(11)
X = RNG.normal(size=(64, 4)).astype(np.float32)
Y = (X[:, :1] * X[:, 1:2] > 0).astype(np.float32)


def build(fw):
    return fw.keras.Sequential([fw.keras.Input((4,)), fw.keras.layers.Dense(16, activation="relu"),
                                fw.keras.layers.Dense(1, activation="sigmoid")])


def compile_model(fw, model):
    model.compile(optimizer=fw.keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])


def test_saved_and_loaded_model_predicts_like_tf(tf, mtf, tmp_path):
    t_model, m_model = build(tf), build(mtf)
    compile_model(tf, t_model)
    t_model.fit(X, Y, epochs=2, verbose=0)
    m_model.set_weights(t_model.get_weights())
    m_model.save(tmp_path / "m.keras")
    loaded = mtf.keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), t_model.predict(X, verbose=0), rtol=1e-5, atol=1e-7)


def test_resumed_training_continues_the_tf_curve(tf, mtf, tmp_path):
    t_model, m_model = build(tf), build(mtf)
    m_model.set_weights(t_model.get_weights())
    compile_model(tf, t_model)
    compile_model(mtf, m_model)
    t_first = t_model.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    m_first = m_model.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    np.testing.assert_allclose(m_first["loss"], t_first["loss"], rtol=1e-5)
    m_model.save(tmp_path / "resume.keras")
    resumed = mtf.keras.models.load_model(tmp_path / "resume.keras")
    t_next = t_model.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0).history
    m_next = resumed.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0).history
    # rtol 1e-5: the third epoch of TF's run, continued from the file (Adam's moments and step count).
    np.testing.assert_allclose(m_next["loss"], t_next["loss"], rtol=1e-5)
    for a, b in zip(t_model.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)


def test_files_written_by_keras_are_refused_clearly(tf, mtf, tmp_path):
    t_model = build(tf)
    compile_model(tf, t_model)
    t_model.save(tmp_path / "keras_model.keras")
    t_model.save_weights(tmp_path / "keras.weights.h5")
    with pytest.raises(ValueError, match="keras_model.keras.*not a minitf model file"):
        mtf.keras.models.load_model(tmp_path / "keras_model.keras")
    with pytest.raises(ValueError, match="keras.weights.h5.*HDF5"):
        build(mtf).load_weights(tmp_path / "keras.weights.h5")
    # The portable way across frameworks: the weights themselves.
    m_model = build(mtf)
    m_model.set_weights(t_model.get_weights())
    np.testing.assert_allclose(m_model.predict(X, verbose=0), t_model.predict(X, verbose=0), rtol=1e-5, atol=1e-7)
