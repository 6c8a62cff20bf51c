"""GradientTape: record the ops as they run, then walk the record backwards.

How it works, in four sentences. Every op, after computing its output, hands a ``Context``
(the op, the inputs as read, the outputs, the attributes) to each recording tape of this
thread that *tracks* one of the inputs (a watched tensor, or the output of an op it
recorded); the tape keeps it and starts tracking the outputs. ``tape.gradient`` then visits
the entries newest first, handing each op's ``backward`` its upstream gradient ``dy`` and
adding what it returns into the gradients of its inputs (the chain rule, one op at a time).
Each ``backward`` is written in minitf ops, so an outer tape records the backward pass too:
that is how second derivatives work.

The record holds values, not objects: an op that reads a Variable records the value it read
(a ``ReadVariableOp``), so a later ``assign`` never changes a gradient. Tapes are per thread
(``minitf._context.state.tapes``): a tape never sees another thread's ops.

Skipping unneeded gradients: before calling ``backward`` the tape sets
``ctx.needs_input_grad[i]``, True only for inputs it tracks, so expensive gradients (the conv
input gradient, matmul's da) are not computed for e.g. the model's input batch.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

from minitf import nest
from minitf._context import state
from minitf.ops import creation, elementwise, shape_ops
from minitf.ops.op import Context
from minitf.tensor import Tensor, Variable, convert_to_tensor


def is_recording() -> bool:
    """True while a tape records in this thread."""
    return bool(state.tapes)


class GradientTape:
    """Records operations for automatic differentiation (``tf.GradientTape``).

    >>> x = minitf.Variable(3.0)
    >>> with minitf.GradientTape() as tape:
    ...     y = x * x
    >>> tape.gradient(y, x)   # dy/dx = 2x
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._entries: list[Context] | None = []
        self._tracked: dict[int, Tensor] = {}  # id -> tensor; holding it keeps the id valid
        self._watched: dict[int, Tensor] = {}  # what watch() or variable access added

    # --- recording ---------------------------------------------------------
    def __enter__(self) -> "GradientTape":
        if self in state.tapes:
            raise ValueError("GradientTape: this tape is already recording")
        state.tapes.append(self)
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    def _stop(self) -> None:
        tapes = state.tapes
        for i, tape in enumerate(tapes):
            if tape is self:
                del tapes[i]
                return

    def watch(self, tensor: Any) -> None:
        """Track ``tensor`` (or each tensor of a nested structure) from now on."""
        for t in ((tensor,) if isinstance(tensor, Tensor) else nest.flatten(tensor)):
            if not isinstance(t, Tensor):
                raise ValueError(f"GradientTape.watch: expected Tensors or Variables, got {type(t).__name__}")
            if t._value.dtype.kind == "f":
                self._tracked[id(t)] = t
                self._watched[id(t)] = t

    def _tracks_any(self, inputs: tuple) -> bool:
        """Does this tape track one of ``inputs``? (A trainable variable read here gets watched.)"""
        if self._entries is None:
            return False
        tracked = False
        known = self._tracked
        for x in inputs:  # no early exit: every trainable variable among them gets watched
            if id(x) in known:
                tracked = True
            elif x._auto_watch and self.watch_accessed_variables:
                known[id(x)] = self._watched[id(x)] = x
                tracked = True
        return tracked

    def _record(self, ctx: Context) -> None:
        recorded = False
        for y in ctx.outputs:
            if y._value.dtype.kind == "f":  # integer and boolean results carry no gradient
                self._tracked[id(y)] = y
                recorded = True
        if recorded:
            self._entries.append(ctx)

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Ops inside this block are not recorded by this tape."""
        if not any(t is self for t in state.tapes):
            raise ValueError("GradientTape.stop_recording: the tape is not recording")
        self._stop()
        try:
            yield
        finally:
            state.tapes.append(self)

    def reset(self) -> None:
        """Forget everything recorded so far (the tape keeps recording)."""
        self._entries, self._tracked, self._watched = [], {}, {}

    def watched_variables(self) -> tuple:
        return tuple(t for t in self._watched.values() if isinstance(t, Variable))

    @property
    def operations(self) -> list[Context]:
        """The record, oldest first: each entry's op name, inputs and outputs."""
        return list(self._entries or [])

    # --- differentiation -----------------------------------------------------
    def gradient(self, target: Any, sources: Any, output_gradients: Any = None,
                 unconnected_gradients: str = "none") -> Any:
        """d(sum of target)/d(source) for each source, in the structure of ``sources``.

        ``output_gradients`` seeds the walk (default: ones, so a non-scalar target is summed).
        A source not connected to the target gets None, or zeros with
        ``unconnected_gradients="zero"``; integer sources get None.
        """
        self._check_usable("gradient")
        unconnected_gradients = getattr(unconnected_gradients, "value", unconnected_gradients)
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"GradientTape.gradient: unconnected_gradients must be 'none' or 'zero', "
                             f"got {unconnected_gradients!r}")
        if target is None:
            raise TypeError("GradientTape.gradient: the target is None; expected a Tensor (or a structure of them)")
        targets = nest.flatten(target)
        seeds = nest.flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        if len(seeds) != len(targets):
            raise ValueError(f"GradientTape.gradient: {len(targets)} targets but {len(seeds)} output_gradients")
        flat_sources = nest.flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise ValueError(f"GradientTape.gradient: sources must be Tensors or Variables, "
                                 f"got {type(s).__name__}")
        try:
            grads = self._backward(targets, seeds, flat_sources, consume=not self.persistent)
        finally:
            if not self.persistent:
                self._release()  # also after an error: a half-walked record must not be walked again
        result = []
        for s in flat_sources:
            g = grads.get(id(s))
            if s._value.dtype.kind != "f":
                g = None  # TF: integer sources get no gradient
            elif g is None and unconnected_gradients == "zero":
                g = creation.zeros_like(s)
            result.append(g)
        return nest.pack_sequence_as(sources, result)

    def backward_steps(self, target: Any, sources: Any) -> list[tuple[Context, Any, tuple]]:
        """The backward walk, step by step: (entry, upstream gradient, input gradients).

        For lessons: the same walk as ``gradient``, kept for printing.
        """
        self._check_usable("backward_steps")
        steps: list = []
        self._backward(nest.flatten(target), [None] * len(nest.flatten(target)),
                       nest.flatten(sources), on_step=lambda *step: steps.append(step))
        if not self.persistent:
            self._release()
        return steps

    def jacobian(self, target: Any, sources: Any, unconnected_gradients: str = "none",
                 parallel_iterations=None, experimental_use_pfor: bool = True) -> Any:
        """d target[i...] / d source[j...] for every pair: shape target.shape + source.shape."""
        self._check_usable("jacobian")
        target = _single_target("jacobian", target)
        flat_sources = nest.flatten(sources)
        rows = [[] for _ in flat_sources]
        size = int(target._value.size)
        for i in range(size):
            grads = self._backward([target], [_one_hot_seed(target, i)], flat_sources)
            for k, s in enumerate(flat_sources):
                rows[k].append(grads.get(id(s)))
        if not self.persistent:
            self._release()
        result = []
        for k, s in enumerate(flat_sources):
            if all(g is None for g in rows[k]):
                result.append(creation.zeros(tuple(target.shape) + tuple(s.shape), s.dtype)
                              if unconnected_gradients == "zero" else None)
                continue
            filled = [g if g is not None else creation.zeros_like(s) for g in rows[k]]
            stacked = shape_ops.stack(filled) if filled else creation.zeros((0,) + tuple(s.shape), s.dtype)
            result.append(shape_ops.reshape(stacked, tuple(target.shape) + tuple(s.shape)))
        return nest.pack_sequence_as(sources, result)

    def batch_jacobian(self, target: Tensor, source: Tensor, unconnected_gradients: str = "none",
                       parallel_iterations=None, experimental_use_pfor: bool = True) -> Tensor | None:
        """Per-example jacobians: result[b, i..., j...] = d target[b, i...] / d source[b, j...].

        Assumes, as TF does, that row b of target depends only on row b of source.
        """
        self._check_usable("batch_jacobian")
        batch = target.shape[0]
        if source.shape[0] != batch:
            raise ValueError(f"batch_jacobian: target batch {batch} != source batch {source.shape[0]}")
        per_row = int(target._value.size // batch) if batch else 0
        columns = []
        for j in range(per_row):
            grads = self._backward([target], [_one_hot_seed(target, j, per_row=True)], [source])
            columns.append(grads.get(id(source)))
        if not self.persistent:
            self._release()
        if all(g is None for g in columns):
            if unconnected_gradients == "zero":
                return creation.zeros(tuple(target.shape) + tuple(source.shape[1:]), source.dtype)
            return None
        columns = [g if g is not None else creation.zeros_like(source) for g in columns]
        stacked = shape_ops.stack(columns, axis=1)  # (batch, target_elems, source...)
        return shape_ops.reshape(stacked, tuple(target.shape) + tuple(source.shape[1:]))

    # --- the walk itself -----------------------------------------------------------
    def _check_usable(self, what: str) -> None:
        if self._entries is None:
            raise RuntimeError(
                f"GradientTape.{what}: a non-persistent GradientTape can only be used to compute one "
                "set of gradients (or jacobians). Its record was freed after the first call; "
                "use GradientTape(persistent=True) to differentiate more than once.")

    def _release(self) -> None:
        # The record goes; the watched variables stay listed (TF's watched_variables() still answers).
        self._entries, self._tracked = None, {}
        self._watched = {k: v for k, v in self._watched.items() if isinstance(v, Variable)}

    def _backward(self, targets: list, seeds: list, sources: list, on_step=None,
                  consume: bool = False) -> dict[int, Tensor]:
        """The chain rule, entry by entry, newest first: {id(tensor): its gradient}.

        ``consume`` (a non-persistent tape's one ``gradient`` call): each entry is dropped once
        walked, and its outputs untracked, so the forward values that only it kept (a layer's
        activation, saved for its gradient) are freed during the walk, not after it, as TF's
        tape frees them: a training step's memory falls during its backward pass instead of
        holding the whole forward pass to the end."""
        grads: dict[int, Tensor] = {}
        for t, seed in zip(targets, seeds):
            if not isinstance(t, Tensor) or id(t) not in self._tracked:
                continue
            seed = creation.ones_like(t) if seed is None else _as_seed(seed, t)
            grads[id(t)] = elementwise.add(grads[id(t)], seed) if id(t) in grads else seed
        keep = {id(s) for s in sources}
        tracked = self._tracked
        was_recording = any(tape is self for tape in state.tapes)
        self._stop()  # this tape does not record its own backward pass; outer tapes do
        entries = self._entries if consume else list(self._entries)
        watched = self._watched
        try:
            while entries:
                ctx = entries.pop()
                if consume:  # no earlier entry reads ctx's outputs: they are made here
                    for y in ctx.outputs:
                        if id(y) not in watched:
                            tracked.pop(id(y), None)
                dys = [grads.get(id(y)) for y in ctx.outputs]
                if all(d is None for d in dys):
                    continue
                for y in ctx.outputs:  # every consumer of y is done: its gradient is complete
                    if id(y) not in keep:
                        grads.pop(id(y), None)
                if not ctx.many:
                    upstream = dys[0]
                else:
                    upstream = tuple(d if d is not None else creation.zeros_like(y)
                                     for d, y in zip(dys, ctx.outputs))
                # backward_steps (on_step) reports every input's gradient, so it asks for all of them.
                ctx.needs_input_grad = tuple(on_step is not None or id(x) in tracked for x in ctx.inputs)
                input_grads = ctx.op.backward(ctx, upstream)
                if not isinstance(input_grads, (tuple, list)):
                    input_grads = (input_grads,)
                if on_step is not None:
                    on_step(ctx, upstream, tuple(input_grads))
                for x, g in zip(ctx.inputs, input_grads):
                    if g is None or id(x) not in tracked:
                        continue
                    grads[id(x)] = elementwise.add(grads[id(x)], g) if id(x) in grads else g
        finally:
            if was_recording:
                state.tapes.append(self)
        return grads


def _single_target(what: str, target: Any) -> Tensor:
    flat = nest.flatten(target)
    if len(flat) != 1 or not isinstance(flat[0], Tensor):
        raise ValueError(f"GradientTape.{what}: target must be a single Tensor")
    return flat[0]


def _as_seed(seed: Any, target: Tensor) -> Tensor:
    seed = convert_to_tensor(seed, dtype_hint=target.dtype)
    if tuple(seed.shape) != tuple(target.shape):
        raise ValueError(f"GradientTape.gradient: output_gradients of shape {tuple(seed.shape)} "
                         f"do not match target of shape {tuple(target.shape)}")
    return seed


def _one_hot_seed(target: Tensor, index: int, per_row: bool = False) -> Tensor:
    """A seed with a single 1 (per row, for batch_jacobian): picks one output element."""
    from minitf import array_backend as B
    shape = target._value.shape
    flat = (shape[0], int(np.prod(shape[1:]))) if per_row else (int(np.prod(shape)),)
    seed = B.xp.zeros(flat, dtype=target._value.dtype)
    if per_row:
        seed[:, index] = 1
    else:
        seed[index] = 1
    return Tensor(seed.reshape(shape))
