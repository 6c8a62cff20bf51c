"""tf.summary event files and keras.callbacks.TensorBoard (no TensorFlow needed)."""
import glob
import os

import numpy as np
import pytest

import minitf as tf
from minitf import summary


def test_crc32c_check_value():
    # The CRC-32C (Castagnoli) check value of "123456789" (RFC 3720, B.4 / every CRC catalogue).
    assert summary.crc32c(b"123456789") == 0xE3069283
    assert summary.crc32c(b"") == 0


def _events(logdir):
    files = glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
    assert len(files) == 1, files
    return summary.read_events(files[0])


def test_scalar_and_histogram_round_trip(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    values = np.array([0.0, 1.0, 1.0, 3.0])
    with writer.as_default():
        assert tf.summary.scalar("loss", tf.constant(0.25), step=3)
        assert tf.summary.histogram("w", tf.constant(values), step=4, buckets=3)
    writer.close()
    events = _events(str(tmp_path))
    assert events[0]["file_version"] == "brain.Event:2"
    assert events[1]["step"] == 3 and events[1]["values"] == {"loss": 0.25}
    histo = events[2]["values"]["w"]["histogram"]
    assert events[2]["step"] == 4
    import struct
    lo, hi, num, total, squares = (struct.unpack("<d", histo[k])[0] for k in (1, 2, 3, 4, 5))
    assert (lo, hi, num, total, squares) == (0.0, 3.0, 4.0, 5.0, 11.0)
    counts = struct.unpack("<3d", histo[7])
    assert counts == (1.0, 2.0, 1.0)


def test_no_writer_no_step(tmp_path):
    assert tf.summary.scalar("x", 1.0, step=0) is False  # no default writer: nothing written, as TF
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        with pytest.raises(ValueError, match="No step set"):
            tf.summary.scalar("x", 1.0)
        tf.summary.experimental.set_step(7)
        assert tf.summary.scalar("x", 2.0)
        tf.summary.experimental.set_step(None)
        with tf.summary.record_if(False):
            assert tf.summary.scalar("x", 3.0, step=1) is False
    writer.close()
    events = _events(str(tmp_path))
    assert [(e["step"], e["values"]) for e in events[1:]] == [(7, {"x": 2.0})]
    with pytest.raises(NotImplementedError, match="tf.summary.image"):
        tf.summary.image("img", np.zeros((1, 2, 2, 1)), step=0)


def test_tensorboard_callback_writes_epoch_metrics(tmp_path):
    tf.keras.utils.set_random_seed(0)
    x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    y = 2 * x
    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[tf.keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=1)])
    train = _events(str(tmp_path / "train"))
    val = _events(str(tmp_path / "validation"))
    train_loss = [e["values"]["epoch_loss"] for e in train if "epoch_loss" in e["values"]]
    val_mae = [e["values"]["epoch_mae"] for e in val if "epoch_mae" in e["values"]]
    np.testing.assert_allclose(train_loss, history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(val_mae, history.history["val_mae"], rtol=1e-6)
    lrs = [e["values"]["epoch_learning_rate"] for e in train if "epoch_learning_rate" in e["values"]]
    assert lrs == pytest.approx([0.1, 0.1])
    assert any(any(tag.endswith("/histogram") for tag in e["values"]) for e in train)


def test_profiler_is_accepted_and_says_it_records_nothing(tmp_path):
    with pytest.warns(UserWarning, match="minitf has no profiler"):
        tf.profiler.experimental.start(str(tmp_path))
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.profiler.experimental.start(str(tmp_path))
    tf.profiler.experimental.stop()
    with pytest.raises(tf.errors.UnavailableError):
        tf.profiler.experimental.stop()
    assert list(tmp_path.iterdir()) == []  # nothing written
