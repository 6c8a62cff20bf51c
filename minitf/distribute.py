"""``minitf.distribute``, as ``tf.distribute`` on a machine with one device.

minitf runs every op on one device (the backend's), so a strategy has one replica, as TF's
strategies have on a one-device machine: ``scope()`` is where variables and models are made
(nothing changes inside it), ``run(fn, args)`` calls ``fn(*args)`` once, ``reduce`` reduces the
one replica's value (over ``axis`` when given), a distributed dataset is the dataset itself.
``MirroredStrategy(devices=[...])`` with more than one device, and the multi-worker strategies,
are refused with a message: minitf has no second device to mirror to.

    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = make_model(); model.compile(...)
    print(strategy.num_replicas_in_sync)   # 1
"""
from __future__ import annotations

import contextlib
import enum
import threading
from typing import Any, Callable, Iterator

from minitf import nest

__all__ = ["Strategy", "MirroredStrategy", "OneDeviceStrategy", "ReduceOp", "InputContext", "ReplicaContext",
           "get_strategy", "has_strategy", "in_cross_replica_context", "get_replica_context", "experimental_set_strategy"]

_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class ReduceOp(enum.Enum):
    """How replicas' values combine (``tf.distribute.ReduceOp.SUM`` / ``MEAN``)."""

    SUM = "SUM"
    MEAN = "MEAN"

    @staticmethod
    def from_variable_aggregation(aggregation) -> "ReduceOp":
        return ReduceOp.MEAN if "MEAN" in str(aggregation).upper() else ReduceOp.SUM


class InputContext:
    """What ``distribute_datasets_from_function`` passes its function: one pipeline, one replica."""

    def __init__(self, num_input_pipelines: int = 1, input_pipeline_id: int = 0, num_replicas_in_sync: int = 1):
        self.num_input_pipelines = num_input_pipelines
        self.input_pipeline_id = input_pipeline_id
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size: int) -> int:
        if global_batch_size % self.num_replicas_in_sync:
            raise ValueError(f"The `global_batch_size` {global_batch_size} is not divisible by "
                             f"`num_replicas_in_sync` {self.num_replicas_in_sync}")
        return global_batch_size // self.num_replicas_in_sync


class ReplicaContext:
    """The context ``fn`` runs in under ``strategy.run``: replica 0 of 1."""

    def __init__(self, strategy: "Strategy"):
        self.strategy = strategy
        self.replica_id_in_sync_group = 0
        self.num_replicas_in_sync = 1

    def all_reduce(self, reduce_op, value: Any) -> Any:
        """The sum (or mean) over replicas of ``value``: with one replica, the value itself."""
        _reduce_op(reduce_op)
        return value

    def merge_call(self, merge_fn: Callable, args=(), kwargs=None) -> Any:
        return merge_fn(self.strategy, *args, **(kwargs or {}))


class _Extended:
    def __init__(self, strategy: "Strategy"):
        self._strategy = strategy
        self.worker_devices = (_DEVICE,)
        self.parameter_devices = (_DEVICE,)

    def variable_created_in_scope(self, v) -> bool:
        return True


_local = threading.local()


def _stack() -> list:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def _reduce_op(reduce_op) -> ReduceOp:
    if isinstance(reduce_op, ReduceOp):
        return reduce_op
    try:
        return ReduceOp(str(reduce_op).upper())
    except ValueError:
        raise ValueError(f"reduce_op must be tf.distribute.ReduceOp.SUM or .MEAN (or 'SUM'/'MEAN'), "
                         f"got {reduce_op!r}") from None


class Strategy:
    """One replica on the one device. Subclasses differ only by name (and what they accept)."""

    def __init__(self):
        self.extended = _Extended(self)

    @property
    def num_replicas_in_sync(self) -> int:
        return 1

    @contextlib.contextmanager
    def scope(self) -> Iterator["Strategy"]:
        """Variables, models and optimizers made inside belong to this strategy (one replica: as outside)."""
        _stack().append(self)
        try:
            yield self
        finally:
            _stack().pop()

    def run(self, fn: Callable, args=(), kwargs=None, options=None) -> Any:
        """``fn(*args, **kwargs)`` on each replica (here: once), returning its result."""
        _stack().append(_ReplicaMarker(self))
        try:
            return fn(*args, **(kwargs or {}))
        finally:
            _stack().pop()

    def reduce(self, reduce_op, value: Any, axis: int | None) -> Any:
        """Sum/mean over replicas (one: the value itself), then over ``axis`` of each tensor if given."""
        op = _reduce_op(reduce_op)
        if axis is None:
            return value
        from minitf.ops import reductions as R
        fn = R.reduce_sum if op is ReduceOp.SUM else R.reduce_mean
        return nest.map_structure(lambda t: fn(t, axis=axis), value)

    def experimental_distribute_dataset(self, dataset, options=None):
        return dataset

    def distribute_datasets_from_function(self, dataset_fn: Callable, options=None):
        return dataset_fn(InputContext())

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    def experimental_local_results(self, value: Any) -> tuple:
        return (value,)

    def gather(self, value: Any, axis: int) -> Any:
        return value

    def __repr__(self) -> str:
        return f"<minitf.distribute.{type(self).__name__} (1 replica)>"


class _ReplicaMarker:
    def __init__(self, strategy: Strategy):
        self.strategy = strategy


class _DefaultDistributionStrategy(Strategy):
    """The strategy in force outside any ``scope()`` (TF's default strategy)."""


_DEFAULT = _DefaultDistributionStrategy()


def _one_device(devices, who: str) -> None:
    from minitf.device import canonical_device
    if devices is None:
        return
    devices = [devices] if isinstance(devices, str) else list(devices)
    names = {canonical_device(d) for d in devices}
    if len(names) > 1:
        raise ValueError(f"{who}: minitf runs on one device, so it cannot mirror over {len(devices)} devices "
                         f"({devices}); pass one device, or none")


class MirroredStrategy(Strategy):
    """Synchronous training on the local devices: here, the one device (one replica)."""

    def __init__(self, devices=None, cross_device_ops=None):
        _one_device(devices, "MirroredStrategy")
        super().__init__()


class OneDeviceStrategy(Strategy):
    """Everything on ``device`` (a TF device string)."""

    def __init__(self, device: str):
        _one_device([device], "OneDeviceStrategy")
        super().__init__()


def get_strategy() -> Strategy:
    """The strategy of the innermost ``scope()``, else the default strategy."""
    for entry in reversed(_stack()):
        return entry.strategy if isinstance(entry, _ReplicaMarker) else entry
    return _DEFAULT


def has_strategy() -> bool:
    """True inside a (non-default) strategy's ``scope()`` or ``run``."""
    return bool(_stack())


def in_cross_replica_context() -> bool:
    """True outside ``strategy.run`` (TF: also outside any scope, in the default strategy)."""
    return not any(isinstance(e, _ReplicaMarker) for e in _stack()[-1:])


def get_replica_context() -> ReplicaContext | None:
    """The replica context inside ``strategy.run`` (or outside any scope); None in cross-replica context."""
    stack = _stack()
    if not stack:
        return ReplicaContext(_DEFAULT)
    if isinstance(stack[-1], _ReplicaMarker):
        return ReplicaContext(stack[-1].strategy)
    return None


def experimental_set_strategy(strategy: Strategy | None) -> None:
    """Enter ``strategy``'s scope for good (None: leave it)."""
    stack = _stack()
    stack.clear()
    if strategy is not None:
        stack.append(strategy)
