"""CUDA graphs: on CuPy, a traced function's replay runs as one captured graph launch.

Why, how and when: see "CUDA graphs" in ``minitf/compiler.py``'s docstring. In short, a replay
that CUDA may hold (every op in ``CAPTURABLE_OPS``) is run once as usual (the warm-up), then
once under stream capture, reading its inputs from fixed input buffers and writing each new
variable value back into the variable's own array (so every address stays fixed); every later
call copies its inputs into those buffers, launches the graph, and hands out copies of the
outputs. ``ConcreteFunction.cuda_graph`` (a ``CapturedReplay``) tells what happened:
``status``, ``captures``, ``launches``; each change of status is logged at DEBUG level on the
"minitf" logger.

Switches (TF's): ``tf.function(jit_compile=True)`` for one function, ``tf.config.optimizer.set_jit(True)``
for every traced function that does not say (``jit_compile=None``), ``model.compile(jit_compile=True)``
for ``fit``/``evaluate``/``predict``. Off by default. On NumPy they change nothing.
"""
from __future__ import annotations

import logging
import sys

from minitf import array_backend as B
from minitf.ops.op import ReadVariableOp

_log = logging.getLogger("minitf")

# The ops known to run on the device only, whatever their inputs hold: no copy to the host, no
# sync, no decision on values, no host random draw, output shapes from input shapes alone. (Each
# was read for that; the CuPy stand-in also refuses any host copy during a capture.) Anything
# else (a print, py_function, boolean masks, unique, random ops, string ops, control flow ...)
# keeps its function on the ordinary replay. Names are "module.Class". Besides these, any op whose
# kernel is one line of ufuncs of its inputs (``_ufunc_formula``: Neg, Exp, Maximum ...).
CAPTURABLE_OPS = frozenset(f"minitf.{name}" for name in """
    ops.elementwise.AddV2 ops.elementwise.Sub ops.elementwise.Mul ops.elementwise.RealDiv
    ops.elementwise.Square ops.elementwise.Sqrt ops.elementwise.Sigmoid ops.elementwise.Cast
    ops.elementwise.SumTo ops.elementwise.SqrtGrad ops.elementwise.SelectV2 ops.elementwise.ClipByValue
    ops.elementwise.BroadcastLike _tf_compat.PowRounded
    ops.linalg.MatMul
    ops.reductions.Sum ops.reductions.Mean ops.reductions.ReduceGrad ops.reductions.Max ops.reductions.Min
    ops.reductions.ArgMax
    ops.creation.OnesLike ops.creation.ZerosLike
    ops.shape_ops.Reshape ops.shape_ops.ReshapeLike ops.shape_ops.ExpandDims ops.shape_ops.Transpose
    ops.shape_ops.Squeeze ops.shape_ops.BroadcastTo ops.shape_ops.Tile ops.shape_ops.ConcatV2
    ops.shape_ops.Split ops.shape_ops.SplitLike ops.shape_ops.StridedSlice ops.shape_ops.StridedSliceGrad
    ops.shape_ops.StopGradient ops.shape_ops.Pack ops.shape_ops.Unpack ops.shape_ops.OneHot
    ops.shape_ops.GatherV2 ops.shape_ops.GatherGrad
    ops.state_ops.AssignVariableOp ops.state_ops.AssignAddVariableOp ops.state_ops.AssignSubVariableOp
    nn.activations.Relu nn.activations.ReluGrad nn.activations.Softmax nn.activations.LogSoftmax
    nn.activations.Softplus nn.activations.LeakyRelu nn.activations.Elu
    nn.crossentropy.SigmoidCrossEntropyWithLogits nn.crossentropy.SparseSoftmaxCrossEntropyWithLogits
    nn.crossentropy.SoftmaxCrossEntropyWithLogits
    nn.conv.Conv2D nn.conv.Conv2DBackpropFilter nn.conv.Conv2DBackpropInput
    nn.pooling.MaxPool nn.pooling.MaxPoolGrad
    keras.layers.rnn.steps.LSTMCell keras.layers.rnn.steps.LSTMCellGrad
    keras.layers.rnn.steps.GRUCell keras.layers.rnn.steps.GRUCellGrad
    keras.layers.rnn.steps.GRUCellResetBefore keras.layers.rnn.steps.GRUCellResetBeforeGrad
""".split())

_GPU_BACKENDS = ("cupy", "cupy-standin")
totals = {"captures": 0, "launches": 0}  # over every function since import (benchmarks/gpu_check.py reads it)
_jit = {"enabled": False}
# A graph replaced after fewer launches than this counts as a miss; this many misses in a row and
# the function stays on the ordinary replay (something keeps changing under it).
_MIN_LAUNCHES, _MAX_MISSES = 2, 3


def set_jit(enabled) -> None:
    """``tf.config.optimizer.set_jit``: True (or "autoclustering") captures every traced function
    with ``jit_compile=None`` as a CUDA graph on CuPy; False does not."""
    if enabled not in (True, False, "autoclustering"):
        raise ValueError(f"set_jit: expected True, False or 'autoclustering', got {enabled!r}")
    _jit["enabled"] = enabled in (True, "autoclustering")


def get_jit() -> str:
    """``tf.config.optimizer.get_jit``: "autoclustering" when on, "" when off (TF's answers)."""
    return "autoclustering" if _jit["enabled"] else ""


def wanted(jit_compile) -> bool:
    """Whether a function traced with this ``jit_compile`` runs as a CUDA graph now."""
    if B.name not in _GPU_BACKENDS:
        return False
    return _jit["enabled"] if jit_compile is None else bool(jit_compile)


def replay_for(concrete):
    """The replay a ConcreteFunction calls now: its ``CapturedReplay`` when capture is wanted."""
    if not wanted(getattr(concrete, "_jit_compile", None)):
        return concrete._replay
    if concrete.cuda_graph is None:
        concrete.cuda_graph = CapturedReplay(concrete._replay, len(concrete.graph.inputs),
                                             concrete.graph.variables, concrete.name)
    return concrete.cuda_graph


def uncapturable(plan: list) -> str | None:
    """Why a replay's steps cannot be captured, or None when they all can."""
    for step in plan:
        if step.kind == "Placeholder" or step.op is ReadVariableOp:
            continue
        if step.kind == "Const":
            if not isinstance(step.value, B.xp.ndarray):
                return f"the constant {step.name} is not a device array"
            continue
        if not isinstance(step.op, type):
            return f"{step.name} ({step.kind}) is not an op the capture knows"
        name = f"{step.op.__module__}.{step.op.__qualname__}"
        if name not in CAPTURABLE_OPS and not _ufunc_formula(step.op):
            return f"{step.name} ({step.op.name}) is not known to run on the device only"
    return None


def _ufunc_formula(op) -> bool:
    """True for an op whose kernel is one line of ufuncs, arithmetic and comparisons of its inputs
    and number literals (``return -x``, ``return B.xp.exp(x)``): device-only by construction."""
    from minitf import compiler  # noqa: PLC0415 (compiler imports the graph machinery)

    form = compiler._inline_form(op)
    return form is not None and form[0] == "return" and compiler._pure_ufunc_expression(
        compiler._template(form[1]), dict(form[2]))


class _Probe:
    __slots__ = ("_value",)


def _refs(holder) -> int:
    return sys.getrefcount(holder._value)


_probe = _Probe()
_probe._value = object()
_probe_pinned = (_probe._value,)
_HELD_BY_VARIABLE_AND_GRAPH = _refs(_probe)  # the references when only the variable and the graph hold it


class CapturedReplay:
    """A replay that runs as a CUDA graph where it can; called as the replay is:
    ``(*input arrays, *variables) -> output arrays`` (copies, never the graph's buffers)."""

    def __init__(self, replay, n_inputs: int, graph_variables: list, name: str):
        self.replay, self.n_inputs, self.name = replay, n_inputs, name
        self.graph_variables = list(graph_variables)
        self.status = "waiting for a warm-up call"
        self.captures = self.launches = 0
        self._graph = None
        self._pinned: tuple = ()
        self._warm_key = None
        self._assigned: tuple = ()  # the variables the warm-up gave new arrays (written in place when captured)
        self._misses = 0
        reason = uncapturable(replay.__minitf_ops__)
        if reason is not None:
            self._off(reason)

    def _say(self, status: str) -> None:
        self.status = status
        _log.debug("minitf.function %s: CUDA graph: %s", self.name, status)

    def _off(self, reason: str) -> None:
        self._graph, self._pinned = None, ()
        self._say(f"off (ordinary replay): {reason}")

    @property
    def is_off(self) -> bool:
        return self.status.startswith("off")

    def _key(self, arrays: tuple, variables: tuple) -> tuple:
        return (tuple((type(a), a.shape, a.dtype) for a in arrays), tuple(id(v) for v in variables))

    def _variables(self, variables: tuple) -> list:
        seen, out = set(), []
        for v in self.graph_variables + list(variables):
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def __call__(self, *args):
        if self.is_off:
            return self.replay(*args)
        arrays, variables = args[:self.n_inputs], args[self.n_inputs:]
        key = self._key(arrays, variables)
        if self._graph is not None:
            stale = self._stale(key, variables)
            if stale is None:
                return self._launch(arrays)
            self._drop(stale)
            if self.is_off:
                return self.replay(*args)
        if self._warm_key != key:
            return self._warm_up(arrays, variables, key)
        held = self._held()
        if held is not None:  # capturing now would write into an array someone else holds
            self._miss(held)
            return self._warm_up(arrays, variables, key)
        return self._capture(arrays, variables, key)

    # --- the ordinary replay, run once first --------------------------------------------------
    def _warm_up(self, arrays: tuple, variables: tuple, key: tuple) -> tuple:
        """The ordinary replay, which also prepares what a capture cannot do: CuPy compiles and loads
        its kernels, cuBLAS makes its handle; and it tells which variables the function assigns."""
        every = self._variables(variables)
        before = [v._value for v in every]
        out = self.replay(*arrays, *variables)
        self._assigned = tuple(v for v, old in zip(every, before) if v._value is not old)
        # An output that is a variable's new array (a read after an assignment) is handed out as a
        # copy: the graph will write into that array, and a result must keep its value.
        values = {id(v._value) for v in self._assigned}
        out = tuple(a.copy() if id(a) in values else a for a in out)
        if not all(isinstance(a, B.xp.ndarray) for a in arrays):
            self._off("an input is not a device array")
        elif not all(isinstance(a, B.xp.ndarray) for a in out):
            self._off("an output is not a device array")
        elif not all(isinstance(v._value, B.xp.ndarray) for v in every):
            self._off("a variable's value is not a device array")
        elif any(v._value.shape != old.shape or v._value.dtype != old.dtype
                 for v, old in zip(every, before) if v._value is not old):
            self._off("a variable changes shape or dtype")
        else:
            # The copy kernels the capture adds (outputs out, new values into the variables' arrays),
            # run once now for the same reason.
            for a in out:
                a.copy()
            for v in self._assigned:
                B.xp.empty_like(v._value)[...] = v._value
            self._warm_key = key
            self._say("warmed up: captures on the next call")
        return out

    def _held(self) -> str | None:
        """Who else holds an array the graph would write in place, if anyone (a value read earlier:
        writing into it would change a tensor handed out before; TF's reads are snapshots)."""
        expected = _HELD_BY_VARIABLE_AND_GRAPH - (0 if self._graph is not None else 1)
        for v in self._assigned:
            if _refs(v) > expected:
                return f"a value of variable {getattr(v, 'name', '?')} read earlier is still held"
        return None

    # --- capture --------------------------------------------------------------------------------
    def _capture(self, arrays: tuple, variables: tuple, key: tuple) -> tuple:
        xp = B.xp
        every = self._variables(variables)
        pinned = tuple(v._value for v in every)
        inputs = tuple(xp.empty(a.shape, dtype=a.dtype) for a in arrays)  # fixed input buffers
        for buffer, a in zip(inputs, arrays):
            buffer[...] = a
        # A pool of the graph's own: the blocks the graph uses stay its own after capture (the default
        # pool would hand a block freed during capture to the next array, which each launch overwrites).
        pool = xp.cuda.MemoryPool()
        stream = xp.cuda.Stream(non_blocking=True)
        graph = failure = None
        try:
            with xp.cuda.using_allocator(pool.malloc), stream:
                stream.begin_capture()
                try:
                    out = self.replay(*inputs, *variables)
                    # The outputs, copied into buffers of the graph before the write-back below (an
                    # output may be a variable's value read before its assignment).
                    out = tuple(a.copy() for a in out)
                    for v, old in zip(every, pinned):
                        if v._value is not old:  # the new value, copied into the variable's own array
                            old[...] = v._value
                except Exception as e:  # noqa: BLE001 (anything CUDA refuses in a capture: see below)
                    failure = e
                finally:
                    for v, old in zip(every, pinned):
                        v._value = old
                try:
                    graph = stream.end_capture()
                except Exception as e:  # noqa: BLE001
                    failure = failure or e
        except Exception as e:  # noqa: BLE001
            failure = failure or e
        if failure is not None:  # fall back, once and for all (the capture ran nothing: values are as they were)
            self._off(f"capture failed: {type(failure).__name__}: {failure}")
            return self.replay(*arrays, *variables)
        self._graph, self._pool, self._inputs, self._outputs = graph, pool, inputs, out
        self._pinned, self._key_now = pinned, key
        self.captures += 1
        totals["captures"] += 1
        self._launches_of_graph = 0
        self._say(f"captured (capture {self.captures})")
        return self._launch(None)

    def _stale(self, key: tuple, variables: tuple) -> str | None:
        """Why the captured graph does not fit this call, or None."""
        if key != self._key_now:
            return "the inputs' shapes or dtypes, or the variables passed, changed"
        moved = [(i, v) for i, (v, old) in enumerate(zip(self._variables(variables), self._pinned))
                 if v._value is not old]
        for i, v in moved:  # given a new array outside the graph (e.g. a metric's reset_state)
            if not self._adopt(i, v):
                return f"variable {getattr(v, 'name', '?')} was given a new array outside the graph"
        return self._held()  # (no local here may hold a variable's array: they would be counted)

    def _adopt(self, i: int, v) -> bool:
        """Copy ``v``'s new array into the array the graph reads and writes, and give ``v`` that one
        back: possible when they match and nothing else holds the graph's array (a value read before)."""
        new = v._value
        if (not isinstance(new, B.xp.ndarray) or new.shape != self._pinned[i].shape
                or new.dtype != self._pinned[i].dtype
                or sys.getrefcount(self._pinned[i]) > _HELD_BY_VARIABLE_AND_GRAPH - 1):
            return False
        self._pinned[i][...] = new
        v._value = self._pinned[i]
        return True

    def _drop(self, why: str) -> None:
        if self._launches_of_graph < _MIN_LAUNCHES:
            self._miss(why)
        self._graph, self._pinned = None, ()
        if not self.is_off:
            self._say(f"graph dropped: {why}")

    def _miss(self, why: str) -> None:
        self._misses += 1
        if self._misses >= _MAX_MISSES:
            self._off(f"{_MAX_MISSES} captures in a row were of no use ({why})")

    def _launch(self, arrays) -> tuple:
        if arrays is not None:
            for buffer, a in zip(self._inputs, arrays):
                buffer[...] = a
        # On the current stream, after the input copies and before the output copies (stream order).
        self._graph.launch(B.xp.cuda.get_current_stream())
        self.launches += 1
        totals["launches"] += 1
        self._launches_of_graph += 1
        if self._launches_of_graph >= _MIN_LAUNCHES:
            self._misses = 0
        return tuple(a.copy() for a in self._outputs)  # never the graph's own buffers
