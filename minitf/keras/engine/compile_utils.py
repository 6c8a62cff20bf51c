"""What ``compile(loss=..., metrics=...)`` turns into: one loss and a list of metrics per output.

Keras 3's rules (``keras/src/trainers/compile_utils.py``), for a model with outputs named
``output_names`` (the names of the layers that produce them):

* ``loss``: one loss for every output, or a list (one per output, in output order), or a dict
  keyed by output name; ``loss_weights`` likewise. The training loss is
  ``sum(weight_i * loss_i(y_i, y_pred_i, sample_weight))``. With more than one loss, each
  output's *unweighted* loss is also reported as ``"<output name>_loss"`` -- averaged over
  batches with every batch counting once (Keras weights it by ``y_pred.shape[0]``, which is
  unknown in its compiled step), unlike ``loss``, which is weighted by batch size.
* ``metrics``: a list applies to a single output; a list of lists or a dict gives each output
  its own. Names: the identifier as given ("accuracy", "mae"), or the metric object's name;
  with several outputs they are prefixed ``"<output name>_"``. "accuracy"/"acc" become Binary,
  SparseCategorical or Categorical accuracy from the shapes (``metrics.resolve``), and
  "crossentropy"/"ce" likewise pick a crossentropy loss (``losses.resolve``).
* ``weighted_metrics`` are updated with ``sample_weight``; plain ``metrics`` never are.

Both are resolved on the first batch, when the shapes of y and y_pred are known.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import nest
from minitf._context import executing_eagerly, init_scope
from minitf.keras import backend
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, Variable, convert_to_tensor


class MeanTracker:
    """A running mean of scalars weighted by batch size, in float32 like Keras's ``Mean`` metric:
    ``total += value * n; count += n; result = total / count``. Its state is two Variables, updated
    by ops, so that a traced training step updates it on every call."""

    def __init__(self, name: str):
        self.name = name
        with init_scope():
            self.total = Variable(np.float32(0.0), trainable=False, name=f"{name}/total")
            self.count = Variable(np.float32(0.0), trainable=False, name=f"{name}/count")

    def reset_state(self) -> None:
        self.total.assign(np.float32(0.0))
        self.count.assign(np.float32(0.0))

    def update_state(self, value: Any, sample_weight: Any = 1.0) -> None:
        value = S.cast(S.stop_gradient(convert_to_tensor(value)), "float32")
        n = S.cast(convert_to_tensor(sample_weight), "float32")
        self.total.assign_add(value * n)
        self.count.assign_add(n)

    def result(self) -> Tensor:
        """total / count (0 before any update), a float32 scalar tensor."""
        empty = E.equal(self.count, 0.0)
        return E.where(empty, 0.0, self.total / E.where(empty, 1.0, self.count))

    @property
    def variables(self) -> list:
        return [self.total, self.count]


def _flatten_outputs(value: Any, output_names: list[str] | None) -> list:
    """y or y_pred as a flat list in output order (dicts are read by output name)."""
    if isinstance(value, dict) and output_names and set(output_names) <= set(value):
        return [value[name] for name in output_names]
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return nest.flatten(value)
    return [value]


def _per_output(spec: Any, output_names: list[str], what: str) -> list:
    """``spec`` (one value, a list, or a dict by output name) as one entry per output."""
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(f"Unknown entries in {what} dictionary: {sorted(unknown)}. Only expected the "
                             f"following keys: {output_names}")
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and n > 1:
        if len(spec) != n:
            raise ValueError(f"When there are multiple outputs, `{what}` should be a list of {n} entries (one per "
                             f"output {output_names}) or a dict keyed by output name. Received: {what}={spec!r}")
        return list(spec)
    return [spec] * n


class CompileLoss:
    """The compiled loss: one resolved Loss (and weight) per output, summed."""

    def __init__(self, loss: Any, loss_weights: Any = None, output_names: list[str] | None = None):
        self._user_loss = loss
        self._user_loss_weights = loss_weights
        self.output_names = output_names
        self.built = False
        self.losses: list = []
        self.weights: list = []
        self.metrics: list[MeanTracker] = []

    def build(self, y_true: list, y_pred: list) -> None:
        from minitf.keras import losses
        names = self.output_names if self.output_names and len(self.output_names) == len(y_pred) else \
            [f"output_{i}" for i in range(len(y_pred))]
        user = self._user_loss
        if isinstance(user, (list, tuple)) and len(y_pred) == 1 and len(user) == 1:
            user = user[0]
        specs = _per_output(user, names, "loss")
        weights = _per_output(self._user_loss_weights, names, "loss_weights") if self._user_loss_weights \
            is not None else [None] * len(names)
        self.losses, self.weights, self.names = [], [], []
        for spec, weight, name, yt, yp in zip(specs, weights, names, y_true, y_pred):
            if spec is None:
                self.losses.append(None)
                self.weights.append(None)
                self.names.append(name)
                continue
            loss = losses.resolve(spec, tuple(np.shape(yt)) if yt is not None else None, tuple(yp.shape))
            self.losses.append(loss)
            self.weights.append(None if weight is None else float(weight))
            self.names.append(name)
        active = [i for i, l in enumerate(self.losses) if l is not None]
        if not active:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()` for at least one output.")
        self.metrics = [MeanTracker(f"{self.names[i]}_loss") for i in active] if len(active) > 1 else []
        self._active = active
        self.built = True

    def __call__(self, y_true: list, y_pred: list, sample_weight: list | None) -> Tensor:
        """The weighted sum of the output losses (y_true, y_pred, sample_weight as flat lists)."""
        if not self.built:
            self.build(y_true, y_pred)
        total = None
        for k, i in enumerate(self._active):
            sw = None if sample_weight is None else sample_weight[i]
            value = self.losses[i](y_true[i], y_pred[i], sw)
            if self.metrics:
                # Keras weights this mean by y_pred.shape[0], which is unknown (None, so weight 1:
                # every batch counts once) inside its compiled step; run eagerly it is the batch size.
                batch = 1 if backend.in_compiled_step() or not y_pred[i].ndim else y_pred[i].shape[0]
                self.metrics[k].update_state(value, batch)
            if self.weights[i] is not None:
                value = value * self.weights[i]
            total = value if total is None else total + value
        return total

    def describe(self, i: int) -> str:
        loss = self.losses[i]
        return getattr(loss, "name", type(loss).__name__)


class CompileMetrics:
    """The compiled metrics of every output, updated after each step, reset each epoch."""

    def __init__(self, metrics: Any, weighted_metrics: Any, output_names: list[str] | None = None, loss: Any = None):
        for what, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value and not isinstance(value, (list, tuple, dict)):
                raise ValueError(f"Expected `{what}` argument to be a list, tuple, or dict. Received instead: "
                                 f"{what}={value} of type {type(value)}")
        self._user_metrics = metrics
        self._user_weighted = weighted_metrics
        self.output_names = output_names
        self._loss = loss
        self.name = "compile_metrics"
        self._prefixes: list = [None]
        self.built = False
        self.plain: list[list] = []
        self.weighted: list[list] = []

    def _build_set(self, spec: Any, names: list[str], y_true: list, y_pred: list) -> list[list]:
        from minitf.keras import metrics as metrics_module
        if not spec:
            return [[] for _ in names]
        if len(names) == 1:
            per_output = [nest.flatten(spec) if not isinstance(spec, dict) else nest.flatten(list(spec.values()))]
        else:
            per_output = _per_output(spec, names, "metrics") if isinstance(spec, dict) or (
                isinstance(spec, (list, tuple)) and len(spec) == len(names) and
                all(isinstance(s, (list, tuple)) or s is None for s in spec)) else [list(spec)] * len(names)
        built = []
        for entries, yt, yp in zip(per_output, y_true, y_pred):
            entries = [] if entries is None else (list(entries) if isinstance(entries, (list, tuple)) else [entries])
            built.append([metrics_module.resolve(identifier, tuple(np.shape(yt)) if yt is not None else None,
                                                 tuple(yp.shape)) for identifier in entries])
        return built

    def build(self, y_true: list, y_pred: list) -> None:
        names = self.output_names if self.output_names and len(self.output_names) == len(y_pred) else \
            [f"output_{i}" for i in range(len(y_pred))]
        self._prefixes = names if len(names) > 1 else [None]
        self.plain = self._build_set(self._user_metrics, names, y_true, y_pred)
        self.weighted = self._build_set(self._user_weighted, names, y_true, y_pred)
        self.built = True

    @property
    def metrics(self) -> list:
        """The metric objects (names without the output prefix, as Keras keeps them)."""
        return [m for group in (self.plain, self.weighted) for metrics in group for m in metrics]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Update every metric with its output's y_true, y_pred (flat lists in output order, or the
        structures a model takes and returns: one tensor, a list, a dict by output name)."""
        y_true = _flatten_outputs(y_true, self.output_names)
        y_pred = _flatten_outputs(y_pred, self.output_names)
        if sample_weight is not None:
            sample_weight = _flatten_outputs(sample_weight, self.output_names)
            if len(sample_weight) < len(y_true):
                sample_weight = [sample_weight[0]] * len(y_true)
        if not self.built:
            self.build(y_true, y_pred)
        for metrics, yt, yp in zip(self.plain, y_true, y_pred):
            for m in metrics:
                m.update_state(yt, yp)
        for i, (metrics, yt, yp) in enumerate(zip(self.weighted, y_true, y_pred)):
            sw = None if sample_weight is None else sample_weight[i]
            for m in metrics:
                m.update_state(yt, yp, sample_weight=sw)

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def result(self) -> dict:
        """{name: value}: names prefixed by the output name when there are several outputs; a name
        already taken becomes ``<name>_1`` (plain metrics) or ``weighted_<name>`` (weighted ones)."""
        results: dict = {}
        counters: dict[str, int] = {}
        for group, weighted in ((self.plain, False), (self.weighted, True)):
            for prefix, metrics in zip(self._prefixes, group):
                for m in metrics:
                    name = f"{prefix}_{m.name}" if prefix else m.name
                    if name in counters:
                        if weighted:
                            name = f"{prefix}_weighted_{m.name}" if prefix else f"weighted_{m.name}"
                        else:
                            counters[name] += 1
                            name = f"{name}_{counters[name] - 1}"
                    counters.setdefault(name, 1)
                    results[name] = log_value(m.result())
        return results


def log_value(value: Any) -> Any:
    """A metric's result as the logs hold it: a Python float (a NumPy array for a metric with several
    values, e.g. one per threshold); but while a step is traced, the tensor itself (the step returns
    it, and the logs are read after the call)."""
    if not executing_eagerly():
        return value
    array = np.asarray(B.to_numpy(value._value) if isinstance(value, Tensor) else value)
    return float(array) if array.ndim == 0 else array
