"""Trainer: ``compile``, ``fit``, ``evaluate``, ``predict`` and the ``*_on_batch`` methods of a Model.

One training step (``train_step``), as Keras 3 does it:

    with GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = compiled_loss(y, y_pred, sample_weight) + sum(model.losses)   # regularization too
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply(grads, model.trainable_variables)
    loss_tracker.update_state(loss, sample_weight=batch_size)              # with the weights BEFORE the update
    compiled_metrics.update_state(y, y_pred, sample_weight)

so the epoch's ``loss`` in ``History`` is ``sum_b n_b * L_b / N``: each batch's training-mode
loss, computed before that batch's update, weighted by the batch size. ``val_*`` values come
from ``evaluate`` on the validation data at the end of the epoch.

Traced steps: as in Keras, ``train_step``, ``test_step`` and ``predict_step`` (the model's own or
a user's override) run through ``minitf.function`` unless ``compile(run_eagerly=True)``: the first
batch of a shape traces the whole step (model, loss, gradients, optimizer update, metric
updates) into a graph, and every later batch of that shape replays it without running Python
(the last, smaller batch of an epoch traces once more). ``run_eagerly=True`` runs them op by op.

A custom step gets each batch as Keras hands it (``data_adapter.pack_x_y_sample_weight``): ``x``,
``(x, y)`` or ``(x, y, sample_weight)``, so ``x, y = data`` works as in Keras's guide; the model's
variables are read after its forward pass (a subclassed model creates them in its first call).
``make_train_function`` (and its test and predict kin) give Keras's step functions of an iterator.

Speed: the loop slices arrays converted once (``data_adapter``), gathers the trainable and
regularized variables once per ``fit``, and calls a callback's per-batch hook only if the
callback has one (with ``verbose=0`` and no callbacks, nothing runs between steps).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import cuda_graph, nest
from minitf.autodiff import GradientTape
from minitf.errors import InvalidArgumentError
from minitf.function import function, functions_run_eagerly
from minitf.keras.callbacks.callback_list import CallbackList, pythonify_logs
from minitf._tf_compat import keras_execution_end_step, keras_single_batch_data
from minitf.keras.engine import data_adapter
from minitf.keras.engine.compile_utils import CompileLoss, CompileMetrics, MeanTracker, _flatten_outputs, log_value
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor


class Trainer:
    """Mixin of Model: the training, evaluation and prediction loops."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self._compile_loss: CompileLoss | None = None
        self._compile_metrics: CompileMetrics | None = None
        self._loss_tracker: MeanTracker | None = None
        self._compile_args: dict = {}
        self._run_eagerly = False
        self.stop_training = False
        self.stop_evaluating = False
        self.stop_predicting = False
        self.history = None
        self._step_cache = None
        self._step_cache_built = False  # whether the model was built when _step_cache was taken
        self._traced_steps: dict = {}  # "train"/"test"/"predict" -> the step as a minitf.function
        self._steps_per_execution = 1
        self._jit_compile = None  # None: "auto"
        # Keras's step functions (make_train_function ...), built on demand, forgotten by compile
        self.train_function = self.test_function = self.predict_function = None

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None, metrics: Any = None,
                weighted_metrics: Any = None, run_eagerly: bool = False, steps_per_execution: int = 1,
                jit_compile: Any = "auto", auto_scale_loss: bool = True) -> None:
        """Choose the optimizer, the loss (per output) and the metrics (see ``compile_utils``).

        ``run_eagerly=False`` (the default) traces the steps (see the module docstring);
        ``run_eagerly=True`` runs them op by op. ``steps_per_execution=N`` runs N batches per
        execution, as Keras: callbacks see the batch hooks once per N batches (the begin hook with
        the first batch's index, the end hook with the last's); the numbers do not change.
        ``jit_compile=True`` replays the traced steps as captured CUDA graphs on CuPy (``"auto"``, the
        default, follows ``tf.config.optimizer.set_jit``; see minitf/cuda_graph.py); NumPy ignores it.
        """
        self._steps_per_execution = _checked_steps_per_execution(steps_per_execution)
        if jit_compile is True and run_eagerly:  # as Keras
            warnings.warn("If `run_eagerly` is True, then `jit_compile` cannot also be True. Disabling "
                          "`jit_compile`.", stacklevel=2)
            jit_compile = False
        from minitf.keras import optimizers
        self.optimizer = optimizers.get(optimizer)
        if auto_scale_loss and self.optimizer is not None and getattr(self, "dtype_policy", None) is not None \
                and self.dtype_policy.name == "mixed_float16" \
                and not isinstance(self.optimizer, optimizers.LossScaleOptimizer):
            # Keras: float16 gradients underflow, so a mixed_float16 model trains with dynamic loss scaling
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer, name="loss_scale_optimizer")
        output_names = self._output_names_for_compile()
        self._compile_loss = CompileLoss(loss, loss_weights, output_names) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, output_names, loss) \
            if (metrics or weighted_metrics) else None
        self.loss = loss
        self._loss_tracker = MeanTracker("loss")
        self._run_eagerly = bool(run_eagerly)
        self._jit_compile = jit_compile if isinstance(jit_compile, bool) else None
        self.stop_training = False
        self.compiled = True
        self._step_cache = None
        self._traced_steps = {}
        self.train_function = self.test_function = self.predict_function = None
        self._compile_args = {"optimizer": self.optimizer, "loss": loss, "loss_weights": loss_weights,
                              "metrics": metrics, "weighted_metrics": weighted_metrics, "run_eagerly": run_eagerly,
                              "steps_per_execution": steps_per_execution}

    @property
    def run_eagerly(self) -> bool:
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._run_eagerly = bool(value)
        self._traced_steps = {}

    @property
    def jit_compile(self) -> bool:
        """Whether the traced steps replay as captured CUDA graphs (CuPy; NumPy has nothing to compile).
        "auto", compile's default, follows ``tf.config.optimizer.set_jit`` there, and is False on NumPy,
        as Keras's "auto" is False on a machine without a GPU."""
        return cuda_graph.wanted(None) if self._jit_compile is None else self._jit_compile

    @jit_compile.setter
    def jit_compile(self, value) -> None:
        self._jit_compile = value if isinstance(value, bool) else None
        self._traced_steps = {}  # the next step is traced with it

    @property
    def steps_per_execution(self) -> int:
        """Batches per execution: the callbacks' batch hooks run once per this many (see ``compile``)."""
        return self._steps_per_execution

    @steps_per_execution.setter
    def steps_per_execution(self, value: int) -> None:
        self._steps_per_execution = _checked_steps_per_execution(value)

    def _output_names_for_compile(self) -> list[str] | None:
        try:
            return list(self.output_names)
        except AttributeError:
            return None

    def _assert_compile_called(self, method: str) -> None:
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before using the model (before calling `{method}()`): "
                             "it sets the optimizer and the loss, e.g. model.compile(optimizer='adam', loss='mse').")

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list:
        """Loss tracker, the compiled metrics (one container, "compile_metrics", as in Keras), then one
        loss tracker per output (when there are several)."""
        out = []
        if self.compiled:
            if self._loss_tracker is not None:
                out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            if self._compile_loss is not None:
                out.extend(self._compile_loss.metrics)
        return out

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict:
        """The current values of ``metrics`` as floats, in Keras's order (tensors inside a traced step,
        see ``compile_utils.log_value``)."""
        logs = {}
        if self._loss_tracker is not None:
            logs["loss"] = log_value(self._loss_tracker.result())
        if self._compile_metrics is not None and self._compile_metrics.built:
            logs.update(self._compile_metrics.result())
        if self._compile_loss is not None:
            for tracker in self._compile_loss.metrics:
                logs[tracker.name] = log_value(tracker.result())
        return logs

    def _flatten_metrics_in_order(self, logs: dict) -> Any:
        """Keras's order: the metrics' names (compiled metrics by their own, unprefixed names), then
        the remaining log keys sorted."""
        names = []
        for m in self.metrics:
            names.extend([sub.name for sub in m.metrics] if isinstance(m, CompileMetrics) else [m.name])
        results = [logs[n] for n in names if n in logs] + [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    # ------------------------------------------------------------------ the steps
    def _prepare_steps(self) -> tuple:
        """Gather, once per fit/evaluate, what every step needs (variables, regularizers, loss layers)."""
        layers = self._flatten_layers()
        train_vars = self.trainable_variables
        reg_vars = [v for v in train_vars if getattr(v, "regularizer", None) is not None]
        output_names = self._output_names_for_compile()
        self._step_cache = (train_vars, reg_vars, layers, output_names)
        self._step_cache_built = self.built
        return self._step_cache

    def _steps_cache(self) -> tuple:
        """``_prepare_steps``'s cache, gathered again when it was taken before the model was built: a
        subclassed model creates its layers' variables in its first call (inside the first step), and
        Keras too reads the variables after that forward pass."""
        if self._step_cache is None or not getattr(self, "_step_cache_built", True):
            return self._prepare_steps()
        return self._step_cache

    def _flat(self, value: Any, output_names: list[str] | None) -> list | None:
        if value is None:
            return None
        if isinstance(value, Tensor):
            return [value]
        return _flatten_outputs(value, output_names)

    def _flat_sample_weights(self, sample_weight: Any, output_names: list[str] | None, outputs: int) -> list | None:
        """The sample weights one per output; a single weight array applies to every output."""
        sws = self._flat(sample_weight, output_names)
        if sws is not None and len(sws) < outputs:
            sws = [sws[0]] * outputs
        return sws

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training: bool = True):
        """Compiled loss (summed over outputs) plus the model's ``losses`` (regularization, add_loss)."""
        _, reg_vars, layers, output_names = self._steps_cache()
        losses = []
        if self._compile_loss is not None:
            _check_keys(y, y_pred, output_names, "y")
            _check_keys(sample_weight, y_pred, output_names, "sample_weight")
            ys, yps = self._flat(y, output_names), self._flat(y_pred, output_names)
            if ys is None:
                raise ValueError("The model was compiled with a loss, but no targets `y` were given: pass y to "
                                 "fit/evaluate (or yield (x, y) from the dataset).")
            if len(ys) != len(yps):
                raise ValueError(f"y and y_pred have different structures: the model has {len(yps)} output(s) "
                                 f"{output_names or ''} but {len(ys)} target array(s) were given.")
            sws = self._flat_sample_weights(sample_weight, output_names, len(ys))
            try:
                losses.append(self._compile_loss(ys, yps, sws))
            except (ValueError, InvalidArgumentError, TypeError) as e:
                raise _loss_error(e, self._compile_loss, ys, yps, sws, output_names) from e
        for layer in layers:
            for extra in layer._losses:
                losses.append(R.reduce_sum(extra) if extra.ndim else extra)
        for v in reg_vars:
            losses.append(v.regularizer(v))
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        if len(losses) == 1:
            return losses[0]
        dtype = losses[0].dtype
        return R.reduce_sum(S.stack([l if l.dtype == dtype else S.cast(l, dtype) for l in losses]))

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        output_names = self._steps_cache()[3]
        if self._compile_metrics is not None:
            self._update_compiled_metrics(y, y_pred, sample_weight, output_names)
        return self.get_metrics_result()

    def _update_compiled_metrics(self, y, y_pred, sample_weight, output_names: list[str] | None) -> None:
        ys, yps = self._flat(y, output_names), self._flat(y_pred, output_names)
        self._compile_metrics.update_state(ys, yps, self._flat_sample_weights(sample_weight, output_names, len(ys)))

    def train_step(self, data: Any) -> dict | None:
        """One update on a batch (``x, y = data`` for a custom step written as Keras's guide does; see
        ``data_adapter.pack_x_y_sample_weight``); override for a custom step (return logs)."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
            scaled_loss = self.optimizer.scale_loss(loss)  # the loss itself unless loss scaling is on
        train_vars = self._steps_cache()[0]  # after the forward pass, which builds an unbuilt model
        if train_vars:
            grads = tape.gradient(scaled_loss, train_vars)
            self.optimizer.apply(grads, train_vars)
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        self._loss_tracker.update_state(loss, _batch_size(x))
        self._update_metrics(x, y, y_pred, sample_weight)
        return None

    def _update_metrics(self, x, y, y_pred, sample_weight) -> None:
        """compute_metrics, without building the logs dict (nobody reads it here) unless overridden."""
        if type(self).compute_metrics is not Trainer.compute_metrics:
            self.compute_metrics(x, y, y_pred, sample_weight)
        elif self._compile_metrics is not None:
            output_names = self._steps_cache()[3]
            self._update_compiled_metrics(y, y_pred, sample_weight, output_names)

    def test_step(self, data: Any) -> dict | None:
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(loss, _batch_size(x))
        self._update_metrics(x, y, y_pred, sample_weight)
        return None

    def predict_step(self, data: Any) -> Any:
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _step_function(self, kind: str, step_fn):
        """``step_fn`` (a bound train/test/predict step) traced with ``minitf.function``, once per model
        and compile, or ``step_fn`` itself when the model runs eagerly."""
        if self._run_eagerly or functions_run_eagerly():
            return step_fn
        traced = self._traced_steps.get(kind)
        if traced is None or traced.python_function != step_fn:
            traced = self._traced_steps[kind] = function(step_fn, name=f"{kind}_function",
                                                         jit_compile=getattr(self, "_jit_compile", None))
            # Keras builds the model's, optimizer's and metrics' variables before the first traced step, so
            # TF traces it once; here the first trace builds them, and it is the one kept (no second trace).
            traced._retrace_after_creating_variables = False
        return traced

    def _run_step(self, step_fn, data: Any) -> dict | None:
        return step_fn(data)

    def _logs_after(self, returned: dict | None) -> dict:
        """Logs for callbacks: the model's metrics, or what a custom step returned."""
        if returned is None:
            return self.get_metrics_result()
        metric_logs = self.get_metrics_result()
        if isinstance(returned, dict) and set(returned) == set(metric_logs):
            return metric_logs
        return {k: _to_python(v) for k, v in returned.items()} if isinstance(returned, dict) else returned

    # ------------------------------------------------------------------ data
    def _data(self, x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False, class_weight=None):
        return data_adapter.make_data(x, y, sample_weight, batch_size=batch_size, steps=steps, shuffle=shuffle,
                                      class_weight=class_weight, x_dtype=self._input_float_dtype())

    def _input_float_dtype(self) -> str | None:
        try:
            dtype = self.input_dtype
        except AttributeError:
            return None
        return dtype if dtype != "string" and np.dtype(dtype).kind == "f" else None

    def _maybe_build_for(self, data: Any) -> None:
        """Build a lazily-built Sequential with an unknown batch size, as Keras's fit does."""
        from minitf.keras.engine.sequential import Sequential
        if self.built or not isinstance(self, Sequential) or not isinstance(data, data_adapter.ArrayData):
            return
        if isinstance(data.x, (list, dict)):
            return
        self.build((None,) + tuple(data.x.shape[1:]))

    # ------------------------------------------------------------------ fit
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1, verbose: Any = "auto",
            callbacks: list | None = None, validation_split: float = 0.0, validation_data: Any = None,
            shuffle: Any = True, class_weight: dict | None = None, sample_weight: Any = None, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: Any = 1):
        """Train for ``epochs`` epochs; returns the ``History`` (see the module docstring)."""
        self._assert_compile_called("fit")
        _check_verbose(verbose)
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)):  # Keras: a TypeError in range()
            raise TypeError(f"`epochs` must be an integer, got {epochs!r} of type {type(epochs).__name__}")
        if epochs < 0:  # Keras trains no epoch then; a negative count is a mistake worth saying
            raise ValueError(f"`epochs` must be a non-negative integer, got {epochs!r}")
        for name, value in (("batch_size", batch_size), ("steps_per_epoch", steps_per_epoch),
                            ("validation_batch_size", validation_batch_size), ("validation_steps", validation_steps)):
            data_adapter.check_count(name, value)
        if validation_split and validation_data is None:
            if data_adapter.is_dataset(x):
                raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, not for a "
                                 f"dataset or generator. Received: x={x!r}")
            x, y, sample_weight = data_adapter.convert_arrays(x, y, sample_weight, self._input_float_dtype())
            (x, y, sample_weight), validation_data = data_adapter.split_validation(x, y, sample_weight,
                                                                                   validation_split)
        train = data_adapter.EpochIterator(
            self._data(x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight), steps_per_epoch)
        val = None
        if validation_data is not None:
            val = self._validation_iterator(validation_data, validation_batch_size or batch_size, validation_steps)
        self._maybe_build_for(train.data)

        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=epochs, steps=train.steps)
        custom_step = type(self).train_step is not Trainer.train_step
        step_fn = self._step_function("train", self.train_step)
        self.stop_training = False
        self._prepare_steps()
        callbacks.on_train_begin()
        training_logs = None
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            returned = self._run_pass(train, step_fn, callbacks, "train")
            epoch_logs = _epoch_logs(self, returned, custom_step)
            if val is not None and _should_eval(epoch, validation_freq):
                val_logs = self._evaluate_loop(val, callbacks)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        callbacks.on_train_end(logs=training_logs)
        return self.history

    def _validation_iterator(self, validation_data: Any, batch_size: int | None, steps: int | None):
        if data_adapter.is_dataset(validation_data):
            data = data_adapter.DatasetData(validation_data)
        else:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or `(x_val, y_val, "
                                 f"val_sample_weights)`, or a dataset. Received: validation_data={validation_data!r}"[:400])
            vx, vy = validation_data[0], validation_data[1]
            vsw = validation_data[2] if len(validation_data) == 3 else None
            data = self._data(vx, vy, vsw, batch_size, steps, shuffle=False)
        return data_adapter.EpochIterator(data, steps)

    def _evaluate_loop(self, iterator: Any, callbacks: Any) -> dict:
        """Run test steps over one pass of ``iterator``; returns the logs (floats)."""
        self._prepare_steps()
        custom_step = type(self).test_step is not Trainer.test_step
        self.stop_evaluating = False
        test_fn = self._step_function("test", self.test_step)
        callbacks.on_test_begin()
        self.reset_metrics()
        returned = self._run_pass(iterator, test_fn, callbacks, "test")
        logs = _epoch_logs(self, returned, custom_step)
        callbacks.on_test_end(logs)
        return logs

    def _run_pass(self, iterator: Any, step_fn, callbacks: Any, kind: str):
        """One pass over ``iterator`` (an epoch of fit, or evaluate), ``steps_per_execution`` batches at a time,
        calling the callbacks' batch hooks only if one of them has any; stops early when ``stop_training``
        (``kind`` "train") or ``stop_evaluating`` ("test") is set. Returns what the last step returned."""
        begin_hook = callbacks.needs_batch_logs(f"on_{kind}_batch_begin")
        end_hook = callbacks.needs_batch_logs(f"on_{kind}_batch_end")
        on_begin, on_end = getattr(callbacks, f"on_{kind}_batch_begin"), getattr(callbacks, f"on_{kind}_batch_end")
        stop_flag = "stop_training" if kind == "train" else "stop_evaluating"
        returned = _NO_STEP
        for execution in _executions(iterator.epoch(), self._steps_per_execution):
            if begin_hook:
                on_begin(execution[0][0])
            for _, batch in execution:
                returned = self._run_step(step_fn, batch)
            if end_hook:
                on_end(_end_step(execution, self), self._logs_after(returned))
            if getattr(self, stop_flag):
                break
        return returned

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: list | None = None,
                 return_dict: bool = False, **kwargs):
        """Loss and metrics on the data, in test mode: a scalar, a list (``metrics_names`` order) or a dict."""
        self._assert_compile_called("evaluate")
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        _check_verbose(verbose)
        data_adapter.check_count("batch_size", batch_size)
        data_adapter.check_count("steps", steps)
        iterator = data_adapter.EpochIterator(self._data(x, y, sample_weight, batch_size, steps, shuffle=False),
                                              steps)
        self._maybe_build_for(iterator.data)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                                     steps=iterator.steps)
        logs = pythonify_logs(self._evaluate_loop(iterator, callbacks))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto", steps: int | None = None,
                callbacks: list | None = None):
        """The model's outputs on ``x``, batch by batch, as NumPy arrays (a list/dict for several outputs)."""
        _check_verbose(verbose)
        data_adapter.check_count("batch_size", batch_size)
        data_adapter.check_count("steps", steps)
        data = self._data(x, None, None, batch_size, steps, shuffle=False) if not data_adapter.is_dataset(x) \
            else data_adapter.DatasetData(x)
        iterator = data_adapter.EpochIterator(data, steps)
        self._maybe_build_for(data)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                                     steps=iterator.steps)
        end_hook = callbacks.needs_batch_logs("on_predict_batch_end")
        begin_hook = callbacks.needs_batch_logs("on_predict_batch_begin")
        self.stop_predicting = False
        predict_fn = self._step_function("predict", self.predict_step)
        callbacks.on_predict_begin()
        outputs = None
        for step, batch in iterator.epoch():
            if begin_hook:
                callbacks.on_predict_batch_begin(step)
            batch_outputs = self._run_step(predict_fn, batch)
            flat = [B.to_numpy(t._value) if isinstance(t, Tensor) else np.asarray(t) for t in nest.flatten(batch_outputs)]
            if outputs is None:
                structure = batch_outputs
                outputs = [[a] for a in flat]
            else:
                for store, a in zip(outputs, flat):
                    store.append(a)
            if end_hook:
                callbacks.on_predict_batch_end(step, {"outputs": batch_outputs})
            if self.stop_predicting:
                break
        callbacks.on_predict_end()
        if outputs is None:  # Keras fails here too (with an UnboundLocalError)
            raise ValueError("predict() got no data: the input has no samples (or `steps` allowed none), so "
                             "there is no output to return. (predict_on_batch on an empty batch returns an empty "
                             "array.)")
        results = [np.concatenate(parts, axis=0) for parts in outputs]
        return nest.pack_sequence_as(structure, results) if nest.is_nested(structure) else results[0]

    # ------------------------------------------------------------------ single batches
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: dict | None = None,
                       return_dict: bool = False):
        """One gradient update on one batch; returns the loss (and metrics) of that batch."""
        return self._on_batch("train", x, y, sample_weight, class_weight, return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False):
        """Loss (and metrics) of one batch, in test mode."""
        return self._on_batch("test", x, y, sample_weight, None, return_dict)

    def _on_batch(self, kind: str, x, y, sample_weight, class_weight, return_dict: bool):
        """train_on_batch / test_on_batch: the whole input as one batch through the train or test step."""
        self._assert_compile_called(f"{kind}_on_batch")
        data = self._data(x, y, sample_weight, batch_size=None, shuffle=False, class_weight=class_weight)
        _refuse_empty_batch(data, f"{kind}_on_batch")
        data.batch_size = data.num_samples
        data.num_batches = 1
        self._maybe_build_for(data)
        self._prepare_steps()
        self.reset_metrics()
        step = self.train_step if kind == "train" else self.test_step
        returned = None
        for batch in data:
            batch = keras_single_batch_data(*data_adapter.unpack_x_y_sample_weight(batch))
            returned = self._run_step(self._step_function(kind, step), batch)
        logs = pythonify_logs(self._logs_after(returned))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x: Any):
        """The model's output on one batch, as NumPy."""
        if not isinstance(x, Tensor) and not isinstance(x, (list, dict)):
            x = data_adapter.convert_arrays(x, None, None, self._input_float_dtype())[0]
            x = Tensor(x)
        outputs = self._run_step(self._step_function("predict", self.predict_step),
                                 keras_single_batch_data(x, predict=True))
        return nest.map_structure(lambda t: B.to_numpy(t._value) if isinstance(t, Tensor) else t, outputs)

    # ------------------------------------------------------------------ Keras's step functions
    def make_train_function(self, force: bool = False):
        """``model.train_function``: a function of an iterator of batches that runs up to
        ``steps_per_execution`` train steps on it (traced unless ``run_eagerly``) and returns the logs,
        as Keras's. Made once per compile; ``force=True`` makes it again."""
        if self.train_function is None or force:
            self.train_function = self._make_function("train", self.train_step)
        return self.train_function

    def make_test_function(self, force: bool = False):
        """``model.test_function``: as ``make_train_function``, with test steps."""
        if self.test_function is None or force:
            self.test_function = self._make_function("test", self.test_step)
        return self.test_function

    def make_predict_function(self, force: bool = False):
        """``model.predict_function``: a function of a list of batches (Keras's takes a list here, not an
        iterator) that returns the model's outputs on them: on the first batch alone when
        ``steps_per_execution`` is 1, else on all of them, joined along the batch axis."""
        if self.predict_function is None or force:
            def predict_function(batches):
                step_fn = self._step_function("predict", self.predict_step)
                batches = batches[:1] if self._steps_per_execution == 1 else batches
                outputs = [self._run_step(step_fn, data_adapter.batch_tensors(data)) for data in batches]
                flat = [nest.flatten(o) for o in outputs]
                return nest.pack_sequence_as(outputs[0], [S.concat(list(parts), 0) for parts in zip(*flat)])
            self.predict_function = predict_function
        return self.predict_function

    def _make_function(self, kind: str, step):
        def function(iterator):
            step_fn = self._step_function(kind, step)
            returned = _NO_STEP
            for _, data in zip(range(self._steps_per_execution), iterator):
                returned = self._run_step(step_fn, data_adapter.batch_tensors(data))
            if returned is _NO_STEP:  # Keras's function ends the iteration the same way
                raise StopIteration
            return self._logs_after(returned)
        function.__name__ = f"{kind}_function"
        return function

    # ------------------------------------------------------------------ saving support
    def get_compile_config(self) -> dict:
        """The compile() arguments as JSON-able data (for ``model.save``), as Keras writes them."""
        if not self.compiled:
            return {}
        from minitf.keras.saving.serialization import serialize_keras_object
        args = self._compile_args
        return serialize_keras_object({
            "optimizer": self.optimizer, "loss": args.get("loss"), "loss_weights": args.get("loss_weights"),
            "metrics": args.get("metrics"), "weighted_metrics": args.get("weighted_metrics"),
            "run_eagerly": bool(args.get("run_eagerly", False)),
            "steps_per_execution": args.get("steps_per_execution", 1), "jit_compile": self.jit_compile})

    def compile_from_config(self, config: dict, custom_objects: dict | None = None) -> None:
        """Compile with the arguments ``get_compile_config`` (minitf's or Keras's) saved."""
        from minitf.keras.saving.serialization import deserialize_keras_object
        config = deserialize_keras_object(config, custom_objects, what="compile setting")
        known = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                 "steps_per_execution", "jit_compile")
        self.compile(**{k: v for k, v in config.items() if k in known})


# ---------------------------------------------------------------------- helpers
def _batch_size(x: Any) -> int:
    first = x if isinstance(x, Tensor) else next(t for t in nest.flatten(x) if t is not None)
    return int(first.shape[0]) if first.ndim else 1


# ``returned`` before any step ran: an epoch (or evaluation) without data.
_NO_STEP = object()


def _epoch_logs(model: Trainer, returned: Any, custom_step: bool) -> dict:
    """The logs of an epoch or evaluation: the metrics (or what a custom step returned), or ``{}``
    when no step ran. A metric that was never updated has no value to report (a reset mean would
    say 0.0): Keras too logs ``{}`` then, so History gets no entries and ``evaluate`` returns ``[]``.
    (Keras keeps the last step's logs from one epoch to the next, so an epoch without steps after
    one with steps reports its reset metrics, 0.0, there; minitf logs ``{}`` for it too.)"""
    if returned is _NO_STEP:
        return {}
    return dict(model._logs_after(returned) if custom_step else model.get_metrics_result())


def _refuse_empty_batch(data: Any, method: str) -> None:
    """An empty batch has no loss: refuse it rather than report one (Keras returns 0.0 for each metric)."""
    if getattr(data, "num_samples", None) == 0:
        raise ValueError(f"{method}() got an empty batch (0 samples): there is no loss or metric to compute.")


def _to_python(value: Any) -> Any:
    if isinstance(value, Tensor):
        value = B.to_numpy(value._value)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return float(value)
    if isinstance(value, (np.floating, np.integer)):
        return float(value)
    return value


def _should_eval(epoch: int, validation_freq: Any) -> bool:
    epoch = epoch + 1
    if isinstance(validation_freq, int):
        return epoch % validation_freq == 0
    if isinstance(validation_freq, (list, tuple)):
        return epoch in validation_freq
    raise ValueError(f"Expected `validation_freq` to be a list or int. Received: validation_freq={validation_freq} "
                     f"of the type {type(validation_freq)}.")


def _executions(steps, per_execution: int):
    """(step, batch) pairs grouped per execution (``steps_per_execution`` of them, fewer at the end)."""
    group = []
    for pair in steps:
        group.append(pair)
        if len(group) == per_execution:
            yield group
            group = []
    if group:
        yield group


def _end_step(execution: list, model) -> int:
    per_execution = model._steps_per_execution
    return execution[-1][0] if per_execution == 1 else keras_execution_end_step(execution[0][0], per_execution)


def _checked_steps_per_execution(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"steps_per_execution must be a positive integer, got {value!r}")
    return int(value)


def _check_verbose(verbose: Any) -> None:
    if verbose not in ("auto", 0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")


def _check_keys(value: Any, y_pred: Any, output_names: list[str] | None, what: str) -> None:
    """A dict of targets (or sample weights) must name exactly the model's outputs: the keys of a dict
    output, else the output names. Any other set of keys would be paired with the outputs by sorted
    order, a silent mix-up (Keras refuses such dicts, with less clear errors)."""
    if not isinstance(value, dict):
        return
    expected = list(y_pred) if isinstance(y_pred, dict) else list(output_names or [])
    if set(value) == set(expected):
        return
    missing, unexpected = sorted(set(expected) - set(value)), sorted(set(value) - set(expected))
    raise ValueError(f"`{what}` is a dict with keys {sorted(value)}, but the model's outputs are named {expected}"
                     + (f"; missing: {missing}" if missing else "") + (f"; unexpected: {unexpected}" if unexpected
                                                                        else "") + ".")


def _loss_error(error: Exception, compile_loss: CompileLoss, ys: list, yps: list, sws: list | None,
                output_names) -> Exception:
    """The loss's own error, prefixed with which loss, which output and which shapes were compared;
    of the loss's class when that is InvalidArgumentError (TF's class for a bad label or weight)."""
    parts = []
    for i, (yt, yp) in enumerate(zip(ys, yps)):
        if not compile_loss.built or i >= len(compile_loss.losses) or compile_loss.losses[i] is None:
            name = str(compile_loss._user_loss)
        else:
            name = compile_loss.describe(i)
        output = output_names[i] if output_names and i < len(output_names) else f"output {i}"
        weights = sws[i] if sws is not None and i < len(sws) else None
        parts.append(f"loss '{name}' on output '{output}': y_true shape {tuple(np.shape(yt))}, "
                     f"y_pred shape {tuple(yp.shape)}"
                     + ("" if weights is None else f", sample_weight shape {tuple(np.shape(weights))}"))
    message = ("The targets do not fit the loss (" + "; ".join(parts) + f"):\n{error}")
    return InvalidArgumentError(message) if isinstance(error, InvalidArgumentError) else ValueError(message)


__all__ = ["Trainer"]
