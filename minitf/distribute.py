"""``minitf.distribute``, as ``tf.distribute`` on one machine.

minitf runs every op on one device (the backend's), so a strategy has one replica, as TF's
strategies have on a one-device machine: ``scope()`` is where variables and models are made
(nothing changes inside it), ``run(fn, args)`` calls ``fn(*args)`` once, ``reduce`` reduces the
one replica's value (over ``axis`` when given), a distributed dataset is the dataset itself.

Several replicas exist only over logical CPUs (``tf.config.set_logical_device_configuration``
split the CPU, as TF's guides do to show MirroredStrategy on one machine):
``MirroredStrategy(devices=["cpu:0", "cpu:1"])`` then has 2 replicas, ``run`` calls ``fn`` once
per replica, one after another (replica context ``replica_id_in_sync_group`` = 0, 1, ...), and
returns TF's ``PerReplica`` values; ``reduce`` and ``experimental_local_results`` take them. What
needs the replicas to run together (``all_reduce``/``merge_call`` inside ``run``, distributed
datasets, ``fit``) is refused with 2+ replicas. A ``tf.random.Generator`` made in such a scope keeps
one state per replica and mixes the replica id into its key, as TF's. Devices that were not made
(``cpu:1`` without the split, a second GPU) are refused with a message.

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

__all__ = ["Strategy", "MirroredStrategy", "PerReplica", "OneDeviceStrategy", "ReduceOp", "InputContext", "ReplicaContext",
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
    """The context ``fn`` runs in under ``strategy.run``: replica ``replica_id_in_sync_group``."""

    def __init__(self, strategy: "Strategy", replica_id: int = 0):
        self.strategy = strategy
        self._replica_id = replica_id
        self.num_replicas_in_sync = strategy.num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        """This replica's index, an int32 scalar tensor (as TF)."""
        from minitf.tensor import constant
        return constant(self._replica_id, dtype="int32")

    def _together(self, what: str) -> None:
        if self.num_replicas_in_sync > 1:
            raise NotImplementedError(f"ReplicaContext.{what}: minitf runs the {self.num_replicas_in_sync} replicas one "
                                      f"after another, so they cannot meet inside `run`; reduce run's results "
                                      f"with strategy.reduce instead")

    def all_reduce(self, reduce_op, value: Any) -> Any:
        """The sum (or mean) over replicas of ``value``: with one replica, the value itself."""
        _reduce_op(reduce_op)
        self._together("all_reduce")
        return value

    def merge_call(self, merge_fn: Callable, args=(), kwargs=None) -> Any:
        self._together("merge_call")
        return merge_fn(self.strategy, *args, **(kwargs or {}))


class PerReplica:
    """One value per replica, as ``strategy.run`` returns with 2+ replicas (printed as TF's)."""

    def __init__(self, values):
        self.values = tuple(values)

    def _text(self, show) -> str:
        inner = ",\n".join(f"  {i}: {show(v)}" for i, v in enumerate(self.values))
        return "PerReplica:{\n" + inner + "\n}"

    def __str__(self) -> str:
        return self._text(str)

    def __repr__(self) -> str:
        return self._text(repr)


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
    """One replica on the one device (or one per logical CPU given). Subclasses differ by name and
    what they accept."""

    def __init__(self, devices: tuple = (_DEVICE,)):
        self._devices = tuple(devices)
        self.extended = _Extended(self)
        self.extended.worker_devices = self._devices

    @property
    def num_replicas_in_sync(self) -> int:
        return len(self._devices)

    @contextlib.contextmanager
    def scope(self) -> Iterator["Strategy"]:
        """Variables, models and optimizers made inside belong to this strategy (one replica: as outside)."""
        _stack().append(self)
        try:
            yield self
        finally:
            _stack().pop()

    def run(self, fn: Callable, args=(), kwargs=None, options=None) -> Any:
        """``fn(*args, **kwargs)`` on each replica, one after another; one replica: its result, else
        the results regrouped as TF does (a ``PerReplica`` at each leaf)."""
        import sys
        replica_of_thread = sys.modules["minitf.function"]._replica  # (minitf.function is also tf.function)
        results = []
        for replica in range(self.num_replicas_in_sync):
            _stack().append(_ReplicaMarker(self, replica))
            replica_of_thread.id = replica
            try:
                results.append(fn(*_for_replica(args, replica), **_for_replica(kwargs or {}, replica)))
            finally:
                replica_of_thread.id = 0
                _stack().pop()
        if len(results) == 1:
            return results[0]
        if results[0] is None:
            return None
        leaves = [nest.flatten(r) for r in results]
        return nest.pack_sequence_as(results[0], [PerReplica(values) for values in zip(*leaves)])

    def reduce(self, reduce_op, value: Any, axis: int | None) -> Any:
        """Sum/mean over replicas, and over ``axis`` of each tensor if given (the mean over all the
        replicas' elements along it, as TF)."""
        op = _reduce_op(reduce_op)
        from minitf.ops import elementwise as E
        from minitf.ops import reductions as R
        from minitf.tensor import convert_to_tensor

        def one(v):
            values = [convert_to_tensor(x) for x in (v.values if isinstance(v, PerReplica) else (v,))]
            if axis is not None:
                count = sum(int(x.shape[axis]) for x in values)
                values = [R.reduce_sum(x, axis=axis) for x in values]
            else:
                count = len(values)
            total = values[0]
            for x in values[1:]:
                total = E.add(total, x)
            if op is ReduceOp.MEAN and count != 1:
                total = E.divide(total, convert_to_tensor(count, dtype=total.dtype))
            return total
        return nest.map_structure(one, value)

    def _one_replica(self, what: str) -> None:
        if self.num_replicas_in_sync > 1:
            raise NotImplementedError(f"{type(self).__name__}.{what}: minitf does not split input over "
                                      f"{self.num_replicas_in_sync} replicas; use one replica (no devices= list)")

    def experimental_distribute_dataset(self, dataset, options=None):
        self._one_replica("experimental_distribute_dataset")
        return dataset

    def distribute_datasets_from_function(self, dataset_fn: Callable, options=None):
        self._one_replica("distribute_datasets_from_function")
        return dataset_fn(InputContext())

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    def experimental_local_results(self, value: Any) -> tuple:
        if isinstance(value, PerReplica):
            return value.values
        return (value,)

    def gather(self, value: Any, axis: int) -> Any:
        if isinstance(value, PerReplica):
            from minitf.ops import shape_ops as S
            return S.concat(list(value.values), axis=axis)
        return value

    def __repr__(self) -> str:
        n = self.num_replicas_in_sync
        return f"<minitf.distribute.{type(self).__name__} ({n} replica{'s' if n > 1 else ''})>"


def _for_replica(structure, replica: int):
    """A replica's share of run's arguments: its value of each PerReplica, the rest as given."""
    return nest.map_structure(lambda v: v.values[replica] if isinstance(v, PerReplica) else v, structure)


class _ReplicaMarker:
    def __init__(self, strategy: Strategy, replica: int = 0):
        self.strategy = strategy
        self.replica = replica


class _DefaultDistributionStrategy(Strategy):
    """The strategy in force outside any ``scope()`` (TF's default strategy)."""


_DEFAULT = _DefaultDistributionStrategy()


def _devices(devices, who: str) -> tuple:
    """The canonical names of ``devices`` (each a logical device that exists), in order, once each."""
    from minitf.config import list_logical_devices
    from minitf.device import canonical_device
    if devices is None:
        return (_DEVICE,)
    devices = [devices] if isinstance(devices, str) else list(devices)
    names = list(dict.fromkeys(canonical_device(d) for d in devices))
    if len(names) == 1:
        return (_DEVICE,)  # one replica: placed on the backend's device, as every op
    known = {d.name for d in list_logical_devices()}
    missing = [d for d, name in zip(devices, names) if name not in known]
    if missing:
        raise ValueError(f"{who}: no device {missing} here: minitf runs on one device; to run {len(names)} replicas "
                         f"on one machine, split the CPU first with tf.config.set_logical_device_configuration "
                         f"(logical devices now: {sorted(known)})")
    return tuple(f"/job:localhost/replica:0/task:0{name}" for name in names)


class MirroredStrategy(Strategy):
    """Synchronous training on the local devices: the one device (one replica), or the logical CPUs
    named in ``devices`` (one replica each, run one after another)."""

    def __init__(self, devices=None, cross_device_ops=None):
        super().__init__(_devices(devices, "MirroredStrategy"))


class OneDeviceStrategy(Strategy):
    """Everything on ``device`` (a TF device string)."""

    def __init__(self, device: str):
        _devices([device], "OneDeviceStrategy")
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
        return ReplicaContext(stack[-1].strategy, stack[-1].replica)
    return None


def experimental_set_strategy(strategy: Strategy | None) -> None:
    """Enter ``strategy``'s scope for good (None: leave it)."""
    stack = _stack()
    stack.clear()
    if strategy is not None:
        stack.append(strategy)
