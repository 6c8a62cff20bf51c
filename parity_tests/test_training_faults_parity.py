"""Training, evaluation and prediction under faults: the same code under Keras 3.15 and minitf.

Each case below (NaN/inf data, mismatched lengths, odd batch sizes and step counts, epochs=0,
initial_epoch >= epochs, tiny validation splits, class weights for unknown classes, sample weights
of the wrong shape, callbacks that raise or stop training early, models never built, int/bool/float
targets, empty data ...) runs under both frameworks with the same fixed weights, shuffle=False.
The outcomes must agree: the same error class, or the same results (History keys, epochs and
values to rtol 1e-4, which NaNs, which shapes) and the same number of "ran out of data" warnings.

``DIFFERENT`` lists where minitf differs on purpose, with why: each is checked to still hold on
both sides (so a change in Keras is noticed). This file is the fault-injection probe of issue 11,
kept as tests.
"""
from __future__ import annotations

import math
import os
import tempfile
import warnings

import numpy as np
import pytest

import minitf

R = np.random.default_rng(0)
X = R.normal(size=(8, 3)).astype(np.float32)
Y = R.normal(size=(8, 1)).astype(np.float32)
YC = np.array([0, 1, 2, 0, 1, 2, 0, 1])


class Boom(Exception):
    """What the raising callbacks raise."""


def summarize(result):
    """A framework-free description of a result: History -> keys, epochs, values; arrays -> shape, finite."""
    if hasattr(result, "history") and isinstance(result.history, dict):
        return {"history": {k: [float(v) for v in vs] for k, vs in result.history.items()},
                "epoch": [int(e) for e in result.epoch]}
    if isinstance(result, np.ndarray):
        return {"shape": list(result.shape), "finite": bool(np.isfinite(result).all())}
    if isinstance(result, (list, tuple)):
        return [summarize(v) for v in result]
    if isinstance(result, dict):
        return {k: summarize(v) for k, v in result.items()}
    if isinstance(result, (float, np.floating)):
        return float(result)
    if isinstance(result, (bool, np.bool_, int, np.integer, str)) or result is None:
        return result
    return repr(type(result))


def assert_same(name, want, got, path="result"):
    """``got`` (minitf) matches ``want`` (Keras): same structure, floats to rtol 1e-4, NaN where NaN."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), (
            f"{name}: {path} keys: keras {list(want)}, minitf {got}")
        for k in want:
            assert_same(name, want[k], got[k], f"{path}[{k!r}]")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{name}: {path}: keras {want}, minitf {got}"
        for i, (w, g) in enumerate(zip(want, got)):
            assert_same(name, w, g, f"{path}[{i}]")
    elif isinstance(want, float):
        ok = (math.isnan(want) and math.isnan(got)) or (not math.isnan(got) and math.isclose(got, want, rel_tol=1e-4,
                                                                                               abs_tol=1e-6))
        assert ok, f"{name}: {path}: keras {want!r}, minitf {got!r}"
    else:
        assert want == got, f"{name}: {path}: keras {want!r}, minitf {got!r}"


def make_cases(fw):
    """The cases, written once against the framework module ``fw`` (tensorflow or minitf)."""
    tf, keras = fw, fw.keras

    def reg(metrics=None, loss="mse", out=1, act=None, compile=True):
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(out, activation=act)])
        m.set_weights([np.full((3, out), 0.1, np.float32), np.zeros(out, np.float32)])
        if compile:
            m.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss, metrics=metrics)
        return m

    def fit(m, *args, **kwargs):
        kwargs.setdefault("verbose", 0)
        kwargs.setdefault("shuffle", False)
        return m.fit(*args, **kwargs)

    CASES = {}

    def case(f):
        CASES[f.__name__] = f
        return f

    @case
    def nan_in_x():
        x = X.copy()
        x[3, 1] = np.nan
        return fit(reg(["mae"]), x, Y, batch_size=4, epochs=2)

    @case
    def inf_in_y():
        y = Y.copy()
        y[0, 0] = np.inf
        return fit(reg(["mae"]), X, y, batch_size=4, epochs=1)

    @case
    def nan_in_sample_weight():
        sw = np.ones(8, np.float32)
        sw[2] = np.nan
        return fit(reg(), X, Y, sample_weight=sw, batch_size=4, epochs=1)

    @case
    def nan_x_evaluate():
        x = X.copy()
        x[0, 0] = np.nan
        return reg(["mae"]).evaluate(x, Y, verbose=0)

    @case
    def nan_x_predict():
        x = X.copy()
        x[0, 0] = np.nan
        p = reg().predict(x, verbose=0)
        return {"nan_rows": np.isnan(p).any(axis=1).tolist()}

    @case
    def mismatched_xy():
        return fit(reg(), X, Y[:5])

    @case
    def mismatched_sample_weight_len():
        return fit(reg(), X, Y, sample_weight=np.ones(5, np.float32))

    @case
    def mismatched_val():
        return fit(reg(), X, Y, validation_data=(X, Y[:3]))

    @case
    def batch_bigger_than_data():
        return fit(reg(), X, Y, batch_size=100, epochs=2)

    @case
    def batch_size_zero():
        return fit(reg(), X, Y, batch_size=0)

    @case
    def batch_size_negative():
        return fit(reg(), X, Y, batch_size=-2)

    @case
    def batch_size_float():
        return fit(reg(), X, Y, batch_size=2.5)

    @case
    def batch_size_str():
        return fit(reg(), X, Y, batch_size="4")

    @case
    def batch_size_bool():
        return fit(reg(), X, Y, batch_size=True)

    @case
    def evaluate_batch_zero():
        return reg().evaluate(X, Y, batch_size=0, verbose=0)

    @case
    def predict_batch_zero():
        return reg().predict(X, batch_size=0, verbose=0)

    @case
    def predict_batch_negative():
        return reg().predict(X, batch_size=-1, verbose=0)

    @case
    def steps_beyond_data():
        h = fit(reg(), X, Y, batch_size=4, steps_per_epoch=5, epochs=2)
        return h

    @case
    def steps_zero():
        return fit(reg(), X, Y, batch_size=4, steps_per_epoch=0, epochs=2)

    @case
    def steps_negative():
        return fit(reg(), X, Y, batch_size=4, steps_per_epoch=-1, epochs=2)

    @case
    def steps_float():
        return fit(reg(), X, Y, batch_size=4, steps_per_epoch=1.5, epochs=1)

    @case
    def evaluate_steps_beyond():
        return reg().evaluate(X, Y, batch_size=4, steps=5, verbose=0)

    @case
    def evaluate_steps_zero():
        return reg().evaluate(X, Y, batch_size=4, steps=0, verbose=0)

    @case
    def predict_steps_beyond():
        return reg().predict(X, batch_size=4, steps=5, verbose=0)

    @case
    def predict_steps_one():
        return reg().predict(X, batch_size=4, steps=1, verbose=0)

    @case
    def epochs_zero():
        return fit(reg(), X, Y, epochs=0)

    @case
    def epochs_negative():
        return fit(reg(), X, Y, epochs=-1)

    @case
    def epochs_float():
        return fit(reg(), X, Y, epochs=2.0)

    @case
    def epochs_float_frac():
        return fit(reg(), X, Y, epochs=1.5)

    @case
    def epochs_str():
        return fit(reg(), X, Y, epochs="2")

    @case
    def epochs_none():
        return fit(reg(), X, Y, epochs=None)

    @case
    def initial_epoch_eq():
        return fit(reg(), X, Y, epochs=2, initial_epoch=2)

    @case
    def initial_epoch_gt():
        return fit(reg(), X, Y, epochs=2, initial_epoch=5)

    @case
    def initial_epoch_one():
        return fit(reg(), X, Y, epochs=3, initial_epoch=1)

    @case
    def initial_epoch_negative():
        return fit(reg(), X, Y, epochs=2, initial_epoch=-1)

    @case
    def val_split_tiny():
        return fit(reg(), X[:1], Y[:1], validation_split=0.5)

    @case
    def val_split_two():
        return fit(reg(), X[:2], Y[:2], validation_split=0.5, epochs=1)

    @case
    def val_split_small_frac():
        return fit(reg(), X, Y, validation_split=0.01)

    @case
    def val_split_one():
        return fit(reg(), X, Y, validation_split=1.0)

    @case
    def val_split_zero():
        return fit(reg(), X, Y, validation_split=0.0, epochs=1)

    @case
    def val_split_negative():
        return fit(reg(), X, Y, validation_split=-0.2)

    @case
    def val_split_str():
        return fit(reg(), X, Y, validation_split="0.2")

    @case
    def val_split_dataset():
        return fit(reg(), tf.data.Dataset.from_tensor_slices((X, Y)).batch(4), validation_split=0.25)

    @case
    def val_data_wrong_len():
        return fit(reg(), X, Y, validation_data=(X,))

    @case
    def val_data_four():
        return fit(reg(), X, Y, validation_data=(X, Y, np.ones(8), np.ones(8)))

    @case
    def val_data_list():
        return fit(reg(), X, Y, validation_data=[X, Y], epochs=1)

    @case
    def val_steps_beyond():
        h = fit(reg(), X, Y, validation_data=(X, Y), validation_steps=10, validation_batch_size=4, epochs=2)
        return h

    @case
    def val_freq_zero():
        return fit(reg(), X, Y, validation_data=(X, Y), validation_freq=0, epochs=2)

    @case
    def val_freq_list():
        return fit(reg(), X, Y, validation_data=(X, Y), validation_freq=[2], epochs=2)

    @case
    def val_freq_str():
        return fit(reg(), X, Y, validation_data=(X, Y), validation_freq="2", epochs=2)
    def cls_model(n=3):
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(n, activation="softmax")])
        m.set_weights([np.full((3, n), 0.1, np.float32), np.zeros(n, np.float32)])
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return m
    YC = np.array([0, 1, 2, 0, 1, 2, 0, 1])

    @case
    def class_weight_ok():
        return fit(cls_model(), X, YC, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, epochs=1)

    @case
    def class_weight_missing_class():
        return fit(cls_model(), X, YC, class_weight={0: 1.0, 1: 2.0}, epochs=1)

    @case
    def class_weight_extra_class():
        return fit(cls_model(), X, YC, class_weight={0: 1.0, 1: 2.0, 2: 1.0, 7: 3.0}, epochs=1)

    @case
    def class_weight_only_unknown():
        return fit(cls_model(), X, YC, class_weight={5: 3.0}, epochs=1)

    @case
    def class_weight_negative_key():
        return fit(cls_model(), X, YC, class_weight={-1: 3.0, 0: 1.0}, epochs=1)

    @case
    def class_weight_str_key():
        return fit(cls_model(), X, YC, class_weight={"0": 3.0}, epochs=1)

    @case
    def class_weight_float_key():
        return fit(cls_model(), X, YC, class_weight={0.0: 3.0, 1.0: 1.0, 2.0: 1.0}, epochs=1)

    @case
    def class_weight_empty():
        return fit(cls_model(), X, YC, class_weight={}, epochs=1)

    @case
    def class_weight_list():
        return fit(cls_model(), X, YC, class_weight=[1.0, 2.0, 3.0], epochs=1)

    @case
    def class_weight_with_sample_weight():
        return fit(cls_model(), X, YC, class_weight={0: 1.0}, sample_weight=np.ones(8), epochs=1)

    @case
    def class_weight_onehot():
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])
        m.set_weights([np.full((3, 3), 0.1, np.float32), np.zeros(3, np.float32)])
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy")
        return fit(m, X, np.eye(3)[YC], class_weight={0: 1.0, 1: 2.0, 2: 0.5}, epochs=1)

    @case
    def class_weight_float_labels():
        return fit(cls_model(), X, YC.astype(np.float32) + 0.4, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, epochs=1)

    @case
    def sample_weight_2d_col():
        return fit(reg(), X, Y, sample_weight=np.ones((8, 1), np.float32) * 2, epochs=1)

    @case
    def sample_weight_2d_wide():
        return fit(reg(), X, Y, sample_weight=np.ones((8, 2), np.float32), epochs=1)

    @case
    def sample_weight_scalar():
        return fit(reg(), X, Y, sample_weight=2.0, epochs=1)

    @case
    def sample_weight_3d():
        return fit(reg(), X, Y, sample_weight=np.ones((8, 1, 1), np.float32), epochs=1)

    @case
    def sample_weight_zeros():
        return fit(reg(["mae"]), X, Y, sample_weight=np.zeros(8, np.float32), epochs=1)

    @case
    def sample_weight_negative():
        return fit(reg(), X, Y, sample_weight=-np.ones(8, np.float32), epochs=1)

    @case
    def sample_weight_list():
        return fit(reg(), X, Y, sample_weight=[1.0] * 8, epochs=1)

    @case
    def sample_weight_evaluate_wrong():
        return reg().evaluate(X, Y, sample_weight=np.ones((8, 2), np.float32), verbose=0)

    def raising(hook):
        """A callback whose ``hook`` raises Boom."""
        def boom(self, *args, **kwargs):
            raise Boom(hook)
        return type("Raises", (keras.callbacks.Callback,), {hook: boom})()

    def callback_raises(hook):
        def run():
            m = reg()
            try:
                fit(m, X, Y, batch_size=4, epochs=2, validation_data=(X, Y), callbacks=[raising(hook)])
            except Boom:
                pass
            else:
                return "no raise"
            # What the failed fit left behind shows in a second, clean fit.
            h = fit(m, X, Y, batch_size=4, epochs=1)
            return ["raised", summarize(h), bool(m.stop_training)]
        run.__name__ = f"callback_raises_{hook}"
        return run

    for hook in ("on_train_begin", "on_epoch_begin", "on_train_batch_begin", "on_train_batch_end", "on_epoch_end",
                 "on_train_end", "on_test_begin", "on_test_batch_end"):
        case(callback_raises(hook))

    @case
    def stop_in_train_begin():
        class CB(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.model.stop_training = True
        h = fit(reg(), X, Y, batch_size=4, epochs=3, callbacks=[CB()])
        return h

    @case
    def stop_in_epoch_begin():
        class CB(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.model.stop_training = True
        return fit(reg(), X, Y, batch_size=4, epochs=3, callbacks=[CB()])

    @case
    def stop_in_batch_begin():
        class CB(keras.callbacks.Callback):
            def on_train_batch_begin(self, batch, logs=None):
                if batch == 1: self.model.stop_training = True
        return fit(reg(), X, Y, batch_size=2, epochs=3, callbacks=[CB()])

    @case
    def stop_evaluating_in_test_begin():
        class CB(keras.callbacks.Callback):
            def on_test_begin(self, logs=None):
                self.model.stop_evaluating = True
        return reg().evaluate(X, Y, batch_size=2, callbacks=[CB()], verbose=0)

    @case
    def stop_predicting():
        class CB(keras.callbacks.Callback):
            def on_predict_batch_end(self, batch, logs=None):
                self.model.stop_predicting = True
        return reg().predict(X, batch_size=2, callbacks=[CB()], verbose=0)

    @case
    def callbacks_single_object():
        return fit(reg(), X, Y, epochs=1, callbacks=keras.callbacks.History())

    @case
    def callbacks_not_callback():
        return fit(reg(), X, Y, epochs=1, callbacks=[3])

    @case
    def predict_never_built_sequential():
        m = keras.Sequential([keras.layers.Dense(2)])
        return m.predict(X, verbose=0)

    @case
    def predict_never_built_subclass():
        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(2)
            def call(self, x):
                return self.d(x)
        return M().predict(X, verbose=0)

    @case
    def evaluate_not_compiled():
        return reg(compile=False).evaluate(X, Y, verbose=0)

    @case
    def fit_not_compiled():
        return reg(compile=False).fit(X, Y, verbose=0)

    @case
    def predict_not_compiled():
        return reg(compile=False).predict(X, verbose=0)

    @case
    def fit_unbuilt_subclass_then_weights():
        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(1)
            def call(self, x):
                return self.d(x)
        m = M()
        m.compile("sgd", "mse")
        fit(m, X, Y, epochs=1)
        return [w.shape for w in m.get_weights()]

    @case
    def y_int_mse():
        return fit(reg(), X, np.arange(8).reshape(8, 1), batch_size=4, epochs=1)

    @case
    def y_int64_bce():
        m = reg(act="sigmoid", loss="binary_crossentropy", metrics=["accuracy"])
        return fit(m, X, (np.arange(8) % 2).reshape(8, 1).astype(np.int64), batch_size=4, epochs=1)

    @case
    def y_bool_bce():
        m = reg(act="sigmoid", loss="binary_crossentropy", metrics=["accuracy"])
        return fit(m, X, (np.arange(8) % 2 == 0).reshape(8, 1), batch_size=4, epochs=1)

    @case
    def y_float_sparse():
        return fit(cls_model(), X, YC.astype(np.float32), epochs=1)

    @case
    def y_float_frac_sparse():
        return fit(cls_model(), X, YC.astype(np.float32) + 0.5, epochs=1)

    @case
    def y_out_of_range_sparse():
        return fit(cls_model(), X, YC + 5, epochs=1)

    @case
    def y_negative_sparse():
        return fit(cls_model(), X, YC - 1, epochs=1)

    @case
    def y_1d_for_2d_output():
        return fit(reg(["mae"]), X, Y[:, 0], batch_size=4, epochs=1)

    @case
    def y_1d_for_3wide_output_mse():
        return fit(reg(out=3), X, Y[:, 0], batch_size=4, epochs=1)

    @case
    def y_2d_wrong_width_mse():
        return fit(reg(out=3), X, np.ones((8, 2), np.float32), batch_size=4, epochs=1)

    @case
    def y_3d_for_2d_output():
        return fit(reg(), X, Y[:, :, None], batch_size=4, epochs=1)

    @case
    def y_none_with_loss():
        return fit(reg(), X, None, epochs=1)

    @case
    def y_str():
        return fit(reg(), X, np.array(["a"] * 8), epochs=1)

    @case
    def x_wrong_features():
        return fit(reg(), np.ones((8, 4), np.float32), Y, epochs=1)

    @case
    def x_wrong_rank():
        return fit(reg(), np.ones((8,), np.float32), Y, epochs=1)

    @case
    def x_int():
        return fit(reg(), np.arange(24).reshape(8, 3), Y, epochs=1, batch_size=4)

    @case
    def x_bool():
        return fit(reg(), np.ones((8, 3), bool), Y, epochs=1, batch_size=4)

    @case
    def x_float64():
        return fit(reg(), X.astype(np.float64), Y, epochs=1, batch_size=4)

    @case
    def x_float16():
        return fit(reg(), X.astype(np.float16), Y, epochs=1, batch_size=4)

    @case
    def x_none():
        return fit(reg(), None, Y, epochs=1)

    @case
    def x_list_of_lists():
        return fit(reg(), X.tolist(), Y.tolist(), epochs=1, batch_size=4)

    @case
    def x_ragged_list():
        return fit(reg(), [[1.0, 2.0, 3.0], [1.0, 2.0]], [[1.0], [2.0]], epochs=1)

    @case
    def x_scalar():
        return fit(reg(), 3.0, 1.0, epochs=1)

    @case
    def verbose_bad():
        return fit(reg(), X, Y, verbose=3)

    @case
    def shuffle_batch():
        return fit(reg(), X, Y, shuffle="batch", batch_size=4, epochs=1) and "ok"

    @case
    def unknown_kwarg():
        return fit(reg(), X, Y, epoch=2)

    @case
    def dataset_with_y():
        return fit(reg(), tf.data.Dataset.from_tensor_slices((X, Y)).batch(4), Y)

    @case
    def dataset_with_batch_size():
        return fit(reg(), tf.data.Dataset.from_tensor_slices((X, Y)).batch(4), batch_size=2, epochs=1)

    @case
    def dataset_unbatched():
        return fit(reg(), tf.data.Dataset.from_tensor_slices((X, Y)), epochs=1)

    @case
    def dataset_x_only():
        return fit(reg(), tf.data.Dataset.from_tensor_slices(X).batch(4), epochs=1)

    @case
    def dataset_four_tuple():
        return fit(reg(), tf.data.Dataset.from_tensor_slices((X, Y, Y[:, 0], Y[:, 0])).batch(4), epochs=1)

    @case
    def dataset_steps_beyond():
        h = fit(reg(), tf.data.Dataset.from_tensor_slices((X, Y)).batch(4), steps_per_epoch=3, epochs=2)
        return h

    @case
    def dataset_repeat_no_steps_evaluate_steps():
        return reg().evaluate(tf.data.Dataset.from_tensor_slices((X, Y)).batch(4).repeat(), steps=3, verbose=0)

    @case
    def dataset_filter_unknown_cardinality():
        ds = tf.data.Dataset.from_tensor_slices((X, Y)).filter(lambda a, b: b[0] > -100.0).batch(4)
        h = fit(reg(), ds, epochs=2)
        return h

    @case
    def generator_fit():
        def gen():
            for i in range(2):
                yield X[4 * i:4 * i + 4], Y[4 * i:4 * i + 4]
        h = fit(reg(), gen(), epochs=2)
        return h

    @case
    def generator_empty():
        def gen():
            return
            yield
        return fit(reg(), gen(), epochs=1)

    @case
    def generator_list_element():
        def gen():
            yield [X, Y]
        return fit(reg(), gen(), epochs=1)

    @case
    def generator_non_tuple():
        def gen():
            yield X
        return fit(reg(), gen(), epochs=1)

    @case
    def empty_fit():
        return fit(reg(["mae"]), X[:0], Y[:0], epochs=2)

    @case
    def empty_evaluate():
        return reg(["mae"]).evaluate(X[:0], Y[:0], verbose=0)

    @case
    def empty_predict():
        return reg().predict(X[:0], verbose=0)

    @case
    def empty_train_on_batch():
        return reg(["mae"]).train_on_batch(X[:0], Y[:0])

    @case
    def empty_test_on_batch():
        return reg(["mae"]).test_on_batch(X[:0], Y[:0])

    @case
    def empty_predict_on_batch():
        return reg().predict_on_batch(X[:0])

    @case
    def empty_val():
        return fit(reg(["mae"]), X, Y, validation_data=(X[:0], Y[:0]), epochs=2)

    @case
    def empty_dataset_fit():
        return fit(reg(["mae"]), tf.data.Dataset.from_tensor_slices((X[:0], Y[:0])).batch(4), epochs=2)

    @case
    def empty_dataset_val():
        return fit(reg(), X, Y, validation_data=tf.data.Dataset.from_tensor_slices((X[:0], Y[:0])).batch(4), epochs=2)

    @case
    def empty_dataset_evaluate_dict():
        empty = tf.data.Dataset.from_tensor_slices((X[:0], Y[:0])).batch(4)
        return reg(["mae"]).evaluate(empty, verbose=0, return_dict=True)

    @case
    def earlystop_missing_monitor():
        cb = keras.callbacks.EarlyStopping(monitor="val_loss")
        h = fit(reg(), X, Y, epochs=3, callbacks=[cb])
        return [summarize(h), cb.stopped_epoch, repr(cb.best)]

    @case
    def earlystop_empty_val():
        cb = keras.callbacks.EarlyStopping(monitor="val_loss", restore_best_weights=True)
        h = fit(reg(), X, Y, epochs=3, validation_data=(X[:0], Y[:0]), callbacks=[cb])
        return [summarize(h), cb.stopped_epoch, repr(cb.best)]

    @case
    def rlrop_empty_val():
        cb = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=0)
        h = fit(reg(), X, Y, epochs=3, validation_data=(X[:0], Y[:0]), callbacks=[cb])
        return [summarize(h), repr(cb.best)]

    @case
    def checkpoint_empty_val():
        with tempfile.TemporaryDirectory() as d:
            cb = keras.callbacks.ModelCheckpoint(os.path.join(d, "m.weights.h5"), save_weights_only=True,
                                                 save_best_only=True)
            h = fit(reg(), X, Y, epochs=2, validation_data=(X[:0], Y[:0]), callbacks=[cb])
            return [summarize(h), repr(cb.best), os.path.exists(os.path.join(d, "m.weights.h5"))]

    @case
    def earlystop_nan_loss():
        cb = keras.callbacks.EarlyStopping(monitor="loss", patience=1)
        x = X.copy()
        x[:] = np.nan
        h = fit(reg(), x, Y, epochs=4, callbacks=[cb])
        return [summarize(h), cb.stopped_epoch, repr(cb.best)]

    @case
    def rlrop_nan_loss():
        cb = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=1)
        x = X.copy()
        x[:] = np.nan
        h = fit(reg(), x, Y, epochs=4, callbacks=[cb])
        return [summarize(h), repr(cb.best)]

    @case
    def terminate_on_nan_weights():
        x = X.copy()
        x[4:] = np.nan
        m = reg()
        h = fit(m, x, Y, batch_size=4, epochs=2, callbacks=[keras.callbacks.TerminateOnNaN()])
        finite = [bool(np.isfinite(w).all()) for w in m.get_weights()]
        return [summarize(h), finite, int(m.optimizer.iterations.numpy())]

    @case
    def terminate_on_nan_raise_then_fit():
        x = X.copy()
        x[4:] = np.nan
        m = reg()
        try:
            fit(m, x, Y, batch_size=4, epochs=2, callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)])
        except RuntimeError:
            pass
        m2 = reg()
        h = fit(m2, x, Y, batch_size=4, epochs=1)
        return [summarize(h), [bool(np.isfinite(w).all()) for w in m2.get_weights()]]

    @case
    def multi_output_missing_y():
        i = keras.Input((3,))
        a = keras.layers.Dense(1, name="a")(i)
        b = keras.layers.Dense(1, name="b")(i)
        m = keras.Model(i, [a, b])
        m.compile("sgd", "mse")
        return fit(m, X, [Y], epochs=1)

    @case
    def multi_output_dict_wrong_key():
        i = keras.Input((3,))
        a = keras.layers.Dense(1, name="a")(i)
        b = keras.layers.Dense(1, name="b")(i)
        m = keras.Model(i, {"a": a, "b": b})
        m.compile("sgd", "mse")
        return fit(m, X, {"a": Y, "c": Y}, epochs=1)

    @case
    def multi_input_missing_x():
        i1 = keras.Input((3,))
        i2 = keras.Input((3,))
        m = keras.Model([i1, i2], keras.layers.Dense(1)(keras.layers.Concatenate()([i1, i2])))
        m.compile("sgd", "mse")
        return fit(m, [X], Y, epochs=1)

    @case
    def multi_input_dict_wrong_key():
        i1 = keras.Input((3,), name="p")
        i2 = keras.Input((3,), name="q")
        m = keras.Model({"p": i1, "q": i2}, keras.layers.Dense(1)(keras.layers.Concatenate()([i1, i2])))
        m.compile("sgd", "mse")
        return fit(m, {"p": X, "r": X}, Y, epochs=1)

    @case
    def evaluate_return_dict_metrics():
        return reg(["mae", "mse"]).evaluate(X, Y, verbose=0, return_dict=True)

    @case
    def train_on_batch_nan():
        x = X.copy()
        x[0] = np.nan
        return reg().train_on_batch(x, Y)

    @case
    def train_on_batch_class_weight_unknown():
        return cls_model().train_on_batch(X, YC, class_weight={9: 2.0})

    @case
    def predict_on_batch_never_built():
        return keras.Sequential([keras.layers.Dense(2)]).predict_on_batch(X)

    @case
    def fit_huge_lr_overflow():
        m = reg()
        m.compile(optimizer=keras.optimizers.SGD(1e30), loss="mse")
        return fit(m, X * 1e10, Y, batch_size=4, epochs=2)

    @case
    def class_weight_str_key_is_ignored():
        return fit(cls_model(), X, YC, class_weight={"0": 3.0, 1: 2.0}, epochs=1)

    @case
    def class_weight_half_key_is_ignored():
        return fit(cls_model(), X, YC, class_weight={0.5: 3.0, 1: 2.0}, epochs=1)

    @case
    def class_weight_on_dataset():
        return fit(cls_model(), tf.data.Dataset.from_tensor_slices((X, YC)).batch(4), class_weight={0: 2.0, 1: 1.0,
                                                                                                      2: 0.5})

    @case
    def dict_outputs_targets_by_key():
        i = keras.Input((3,))
        a, b = keras.layers.Dense(1, name="a")(i), keras.layers.Dense(1, name="b")(i)
        m = keras.Model(i, [a, b])
        m.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)] * 2)
        m.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
        return fit(m, X, {"a": Y, "b": 2 * Y}, epochs=1)

    @case
    def dict_targets_with_an_extra_key():
        i = keras.Input((3,))
        a, b = keras.layers.Dense(1, name="a")(i), keras.layers.Dense(1, name="b")(i)
        m = keras.Model(i, [a, b])
        m.compile(optimizer="sgd", loss="mse")
        return fit(m, X, {"a": Y, "b": Y, "c": Y}, epochs=1)

    @case
    def x_dict_for_a_sequential():
        return fit(reg(), {"a": X}, Y, epochs=1)

    @case
    def validation_generator_is_read_once():
        def one_batch():
            yield X[:4], Y[:4]
        return fit(reg(), X, Y, validation_data=one_batch(), epochs=2)

    @case
    def validation_split_with_sample_weight():
        return fit(reg(), X, Y, sample_weight=np.arange(8, dtype=np.float32), validation_split=0.25, epochs=1)

    @case
    def checkpoint_with_nan_monitor():
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.weights.h5")
            cb = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_weights_only=True, save_best_only=True)
            h = fit(reg(), np.full_like(X, np.nan), Y, epochs=2, callbacks=[cb])
            return [summarize(h), repr(cb.best), os.path.exists(path)]

    @case
    def early_stopping_restores_nan_weights_when_all_are_nan():
        cb = keras.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
        m = reg()
        h = fit(m, np.full_like(X, np.nan), Y, epochs=3, callbacks=[cb])
        return [summarize(h), cb.stopped_epoch, [bool(np.isfinite(w).all()) for w in m.get_weights()]]

    @case
    def fit_twice_returns_two_histories():
        m = reg()
        first, second = fit(m, X, Y, epochs=1), fit(m, X, Y, epochs=2)
        return [first is second, summarize(first), summarize(second), m.history is second]

    @case
    def stop_training_set_before_fit_is_reset():
        m = reg()
        m.stop_training = True
        return fit(m, X, Y, epochs=2)

    @case
    def evaluate_after_a_callback_raised_in_evaluate():
        class Raises(keras.callbacks.Callback):
            def on_test_batch_end(self, batch, logs=None):
                raise Boom("evaluate")
        m = reg()
        try:
            m.evaluate(X, Y, callbacks=[Raises()], verbose=0)
        except Boom:
            pass
        return m.evaluate(X, Y, verbose=0)

    @case
    def time_distributed_custom_layer_trains():
        class Doubled(keras.layers.Layer):
            def call(self, x):
                return tf.concat([x, 2.0 * x], axis=-1)
        m = keras.Sequential([keras.Input((4, 2)), keras.layers.TimeDistributed(Doubled()), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
        x = np.linspace(-1, 1, 24, dtype=np.float32).reshape(3, 4, 2)
        m(x)  # Keras cannot build this Sequential from its Input (no compute_output_shape): a call builds it
        m.set_weights([np.full((16, 1), 0.05, np.float32), np.zeros(1, np.float32)])
        m.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
        return [fit(m, x, np.ones((3, 1), np.float32), epochs=2), m.predict(x, verbose=0)]

    return CASES


CASE_NAMES = list(make_cases(minitf))

# Where minitf differs on purpose: name -> (Keras's outcome, minitf's outcome, why). "ok" = no error.
DIFFERENT = {
    "batch_size_zero": ("ok", "ValueError", "Keras reads batch_size=0 as 32; minitf asks for None"),
    "evaluate_batch_zero": ("ok", "ValueError", "as batch_size_zero"),
    "predict_batch_zero": ("ok", "ValueError", "as batch_size_zero"),
    "batch_size_bool": ("ok", "TypeError", "Keras reads True as 1; minitf wants an integer"),
    "steps_zero": ("ok", "ValueError", "Keras reads steps_per_epoch=0 as None; minitf asks for None"),
    "evaluate_steps_zero": ("ok", "ValueError", "as steps_zero"),
    "steps_negative": ("ok", "ValueError", "Keras trains some other number of steps on steps_per_epoch=-1"),
    "epochs_negative": ("ok", "ValueError", "Keras trains no epoch on epochs=-1, silently"),
    "val_split_negative": ("ok", "ValueError", "Keras trains on everything and validates on nothing, silently"),
    "verbose_bad": ("ok", "ValueError", "minitf knows verbose 'auto', 0, 1, 2 only"),
    "class_weight_list": ("AttributeError", "TypeError", "minitf says class_weight must be a dict"),
    "callbacks_not_callback": ("AttributeError", "TypeError", "minitf names the bad callback"),
    "sample_weight_list": ("ValueError", "ok", "minitf takes Python lists as arrays"),
    "x_list_of_lists": ("ValueError", "ok", "minitf takes Python lists as arrays"),
    "generator_list_element": ("ValueError", "ok", "minitf takes a list element as it takes a tuple"),
    "sample_weight_2d_wide": ("InvalidArgumentError", "ValueError",
                              "not fixed: minitf's loss names the shapes, but raises ValueError"),
    "sample_weight_evaluate_wrong": ("InvalidArgumentError", "ValueError", "as sample_weight_2d_wide"),
    "empty_predict": ("UnboundLocalError", "ValueError", "a Keras bug; minitf says there is no data"),
    "empty_train_on_batch": ("ok", "ValueError", "Keras reports 0.0 for a loss it did not compute"),
    "empty_test_on_batch": ("ok", "ValueError", "as empty_train_on_batch"),
    "multi_output_missing_y": ("KeyError", "ValueError", "minitf counts outputs and targets"),
    "multi_output_dict_wrong_key": ("TypeError", "ValueError", "minitf names the missing and unexpected keys"),
    "dict_targets_with_an_extra_key": ("ValueError", "ValueError", "same class; minitf names the extra key"),
    "generator_fit": ("ok", "ok", "Keras replays a spent generator's first batches in later epochs "
                                  "(peek_and_restore); minitf's later epochs have no data and log nothing"),
    "validation_generator_is_read_once": ("ok", "ok", "as generator_fit: Keras validates on the replayed batches "
                                                      "in epoch 2, minitf has no validation data left then"),
    "dataset_filter_unknown_cardinality": ("ok", "ok", "Keras warns 'ran out of data' after the first epoch "
                                                       "of a dataset of unknown length; minitf does not"),
}


def outcome(fw, name):
    """(result or error class, number of 'ran out of data' warnings) of case ``name`` under ``fw``."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            result = ("ok", summarize(make_cases(fw)[name]()))
        except Exception as e:  # noqa: BLE001 (the class is the outcome)
            result = ("raise", type(e).__name__)
    return result, sum("ran out of data" in str(w.message) for w in record)


@pytest.fixture(autouse=True)
def quiet_tf(tf):
    tf.get_logger().setLevel("ERROR")
    tf.autograph.set_verbosity(0)
    tf.keras.utils.set_random_seed(0)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_fault_outcome_matches_keras(tf, mtf, name):
    (theirs, their_warnings), (ours, our_warnings) = outcome(tf, name), outcome(mtf, name)
    if name in DIFFERENT:
        keras_kind, minitf_kind, why = DIFFERENT[name]
        kind = lambda r: "ok" if r[0] == "ok" else r[1]  # noqa: E731
        assert kind(theirs) == keras_kind, f"{name}: Keras now gives {theirs}, recorded {keras_kind} ({why})"
        assert kind(ours) == minitf_kind, f"{name}: minitf gives {ours}, recorded {minitf_kind} ({why})"
        return
    if theirs[0] == "raise" or ours[0] == "raise":
        assert ours == theirs, f"{name}: Keras {theirs}, minitf {ours}"
    else:
        assert_same(name, theirs[1], ours[1])
    assert our_warnings == their_warnings, (
        f"{name}: {their_warnings} 'ran out of data' warnings from Keras, {our_warnings} from minitf")
