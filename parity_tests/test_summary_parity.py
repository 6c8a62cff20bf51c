"""minitf's event files, read by TensorFlow's own Event reader (what TensorBoard reads)."""
import glob
import os

import numpy as np

from parity_tests.harness import frameworks


def _read_with_tf(tf, logdir):
    [path] = glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
    events = []
    for event in tf.compat.v1.train.summary_iterator(path):  # checks both CRCs of every record
        values = {}
        for v in event.summary.value:
            if v.HasField("histo"):
                values[v.tag] = (v.histo.min, v.histo.max, v.histo.num, v.histo.sum, v.histo.sum_squares,
                                 list(v.histo.bucket_limit), list(v.histo.bucket))
            else:
                values[v.tag] = v.simple_value
        events.append((event.step, event.file_version, values))
    return events


def test_tf_reads_minitf_event_files(tmp_path):
    tf, mtf = frameworks()
    writer = mtf.summary.create_file_writer(str(tmp_path / "run"))
    with writer.as_default():
        for step in range(3):
            mtf.summary.scalar("loss", 1.0 / (step + 1), step=step)
        mtf.summary.histogram("w", np.array([0.0, 1.0, 1.0, 3.0]), step=5, buckets=3)
    writer.close()
    events = _read_with_tf(tf, str(tmp_path / "run"))
    assert events[0][1] == "brain.Event:2"
    assert [(s, v) for s, _, v in events[1:4]] == [(0, {"loss": 1.0}), (1, {"loss": np.float32(0.5)}),
                                                   (2, {"loss": float(np.float32(1 / 3))})]
    assert events[4][0] == 5
    assert events[4][2]["w"] == (0.0, 3.0, 4.0, 5.0, 11.0, [1.0, 2.0, 3.0], [1.0, 2.0, 1.0])


def test_tensorboard_callback_layout_as_keras(tmp_path):
    """Keras 3's TensorBoard needs the tensorboard package for its scalars; where it is missing,
    compare minitf's files with the tags and steps Keras documents (epoch_<metric> in train/ and
    validation/, step = epoch), and the values with minitf's own History."""
    tf, mtf = frameworks()
    x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    model = mtf.keras.Sequential([mtf.keras.Input((1,)), mtf.keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    hist = model.fit(x, 2 * x, epochs=2, validation_split=0.25, verbose=0,
                     callbacks=[mtf.keras.callbacks.TensorBoard(str(tmp_path))])
    train = _read_with_tf(tf, str(tmp_path / "train"))
    val = _read_with_tf(tf, str(tmp_path / "validation"))
    assert [(s, list(v)) for s, _, v in train[1:]] == [(0, ["epoch_loss"]), (0, ["epoch_learning_rate"]),
                                                      (1, ["epoch_loss"]), (1, ["epoch_learning_rate"])]
    # validation/ also gets evaluation_loss_vs_iterations (step = optimizer iterations: 1 step an epoch), as Keras
    assert [(s, list(v)) for s, _, v in val[1:]] == [(1, ["evaluation_loss_vs_iterations"]), (0, ["epoch_loss"]),
                                                    (2, ["evaluation_loss_vs_iterations"]), (1, ["epoch_loss"])]
    np.testing.assert_allclose([v["epoch_loss"] for _, _, v in val[1:] if "epoch_loss" in v],
                               hist.history["val_loss"], rtol=1e-6)


def test_profiler_start_stop_errors_like_tf(tmp_path):
    import pytest
    tf, mtf = frameworks()
    for fw in (tf, mtf):
        with pytest.warns(UserWarning) if fw is mtf else _nothing():
            fw.profiler.experimental.start(str(tmp_path / fw.__name__))
        with pytest.raises(fw.errors.AlreadyExistsError):
            fw.profiler.experimental.start(str(tmp_path / fw.__name__))
        fw.profiler.experimental.stop()
        with pytest.raises(fw.errors.UnavailableError):
            fw.profiler.experimental.stop()


def _nothing():
    import contextlib
    return contextlib.nullcontext()
