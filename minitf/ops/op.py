"""How an op is defined: an array kernel and its gradient, side by side, written once.

    class Exp(Op):
        '''e^x.            dy/dx = e^x = y.'''

        def forward(x):                 # backend arrays in (NumPy or CuPy), an array out
            return B.xp.exp(x)

        def backward(ctx, dy):          # Tensors: dy = dL/dy, ctx.inputs, ctx.output
            return dy * ctx.output      # dL/dx: one gradient per input (a tuple for several)

    def exp(x, name=None):              # the public function: check and convert, then apply
        return Exp.apply(float_operand("Exp", x))

``forward`` computes on arrays: it is what runs, eagerly or replayed from a traced graph.
``backward`` is written in minitf ops on Tensors, so an outer tape records the backward pass
too (that is how second derivatives work). Non-tensor parameters (an axis, a permutation)
are keyword arguments: ``Sum.apply(x, axis=(0,), keepdims=False)`` calls
``forward(x, axis=(0,), keepdims=False)``, and ``backward`` reads them as ``ctx.axis``.

``Op.apply(*inputs, **attrs)`` does the rest, the same for every op:

1. while ``minitf.function`` traces this thread, the op becomes a node of the graph;
2. otherwise ``forward`` runs on the inputs' arrays (a Variable's array is its value now);
3. the result is wrapped in a new Tensor (a tuple of arrays: a tuple of Tensors);
4. each recording tape that tracks an input keeps a ``Context``: the inputs as they were
   read (a Variable input is recorded as a read of the variable, TF's ReadVariableOp, so
   that a later ``assign`` never changes a recorded gradient), the outputs, the attributes.
   ``tape.gradient`` later calls ``backward(ctx, dy)``, with ``ctx.needs_input_grad[i]``
   telling whether input i wants a gradient at all (it may return None for the others).

Class attributes an op may set:
    name            TF's name of the op ("AddV2"); default: the class name
    backward = None the op has no gradient (comparisons, argmax, floor ...): nothing is recorded
    stateful        the op has side effects (assign, print, random draws): a traced graph never
                    drops or folds it, and tracing does not run it (``trace_forward`` instead)
    view            ``forward`` may return (a view of) an input's array rather than a new one
    quiet           inf and nan are normal results (division by zero, log of 0): NumPy's floating-point
                    warnings are off while ``forward`` runs, as TF computes them silently
    shape(...)      the output's static shape from the inputs' static shapes (None = unknown),
                    used while tracing; it may raise InvalidArgumentError for bad shapes
    shape_only      ``forward`` reads nothing of its input but the shape (``ones_like``)
    shape_value_inputs  the inputs that are shapes given as tensors (``tf.fill``'s dims): while
                    tracing, ``shape`` gets what the trace knows of their values (a tuple of ints
                    and None, or None) instead of their shapes (``graph.static_value``)
    elementwise     each output element depends only on the input elements at its own position
                    (broadcast): the replay compiler may run a chain of such ops block by block
    grad_reads_inputs, grad_reads_outputs
                    (default True) whether ``backward`` reads the VALUES of the inputs / the outputs
                    (an add's gradient needs only the inputs' shapes, a conv's not its output): a
                    trace may drop the example arrays a tape holds only for an op that does not
                    read them (``FuncGraph._release_unreachable_examples``)
    fresh_output    ``forward`` always returns a new C-ordered array that nothing else holds (a
                    convolution, a pooling, a matmul, an embedding's gradient): when its result's
                    only reader is an elementwise op of the same shape, the replay may write that
                    op's result (or the new value of a variable it assigns) over it instead of a
                    new array. (C order: a variable's value laid out otherwise would make a later
                    matmul take another BLAS kernel, with other bits than the eager run's.)
    static_line(shapes, dtypes, **attrs)
                    ``forward`` as one line of code for inputs of these static shapes and dtypes
                    (``{0}``, ``{1}``: the input arrays), or None: a kernel whose Python work
                    depends on shapes alone (which axes a bias gradient sums, whether a sum goes
                    in blocks) decides it once, when the replay is compiled, and the replay
                    writes the line in place of a call (a reduction of a small batch: ~2 µs less)

A ``forward`` parameter named ``like`` (or ``*likes``) is an input read only for its shape (the
gradient of a broadcast needs the shape of the input it goes back to): a traced graph whose
shapes are known hands the kernel a stand-in of that shape instead, so the real array can be
freed early, and the op can often be computed once, when the replay is compiled.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from minitf._context import state
from minitf.errors import InvalidArgumentError, OpError
from minitf.tensor import Tensor, Variable


class Context:
    """What a tape keeps of one op call, and what ``backward`` reads: ``ctx.inputs``,
    ``ctx.outputs`` (``ctx.output`` for the one output), ``ctx.needs_input_grad``, and the
    attributes by name (``ctx.axis``)."""

    __slots__ = ("op", "inputs", "outputs", "attrs", "many", "needs_input_grad")

    def __init__(self, op: type, inputs: tuple, outputs, attrs: dict):
        # many: the op returned a tuple (split, unstack), so backward gets a tuple of gradients
        self.many = many = type(outputs) is tuple
        self.op, self.inputs, self.attrs = op, inputs, attrs
        self.outputs = outputs if many else (outputs,)
        self.needs_input_grad = None  # set by the tape just before it calls backward

    @property
    def output(self) -> Tensor:
        return self.outputs[0]

    @property
    def name(self) -> str:
        """TF's name of the op ("MatMul")."""
        return self.op.name

    def __getattr__(self, name: str) -> Any:
        try:
            return self.attrs[name]
        except KeyError:
            raise AttributeError(f"{self.op.name}'s context has no attribute {name!r}") from None

    def __repr__(self) -> str:
        ins = ", ".join(str(tuple(x.shape)) for x in self.inputs)
        outs = ", ".join(str(tuple(y.shape)) for y in self.outputs)
        return f"{self.op.name}({ins}) -> {outs}"


class Op:
    """Base class of every op; see the module docstring."""

    name: str = "Op"
    stateful = False
    view = False
    quiet = False
    elementwise = False
    fresh_output = False
    grad_reads_inputs = True
    grad_reads_outputs = True
    shape_value_inputs: tuple = ()
    backward: Callable | None = None
    shape: Callable | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__
        # forward/backward/shape are plain functions of the class (no self): make them static.
        for method in ("forward", "backward", "shape", "trace_forward", "static_line"):
            fn = cls.__dict__.get(method)
            if fn is not None and not isinstance(fn, staticmethod):
                setattr(cls, method, staticmethod(fn))

    @staticmethod
    def forward(*arrays, **attrs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **attrs) -> Any:
        """Run (or trace) the op on Tensors; returns a Tensor, or a tuple of them."""
        if state.graph is not None:
            return state.graph.add_op(cls, inputs, attrs)
        try:
            if cls.quiet:
                with np.errstate(all="ignore"):
                    out = cls.forward(*[x._value for x in inputs], **attrs)
            # The common arities spelled out: this is the hot path of every eager op.
            elif attrs:
                out = cls.forward(*[x._value for x in inputs], **attrs)
            elif len(inputs) == 2:
                out = cls.forward(inputs[0]._value, inputs[1]._value)
            elif len(inputs) == 1:
                out = cls.forward(inputs[0]._value)
            else:
                out = cls.forward(*[x._value for x in inputs])
        except OpError:
            raise
        except (ValueError, IndexError) as e:  # NumPy refused the shapes: say so in TF's terms
            raise cls.invalid(inputs, attrs, e) from None
        except TypeError:  # a string tensor reached a kernel of numbers: TF's error, not NumPy's
            strings = [x for x in inputs if x._value.dtype.kind == "O"]
            if strings:
                from minitf.ops.elementwise import refuse_strings
                raise refuse_strings(cls.name, *strings) from None
            raise
        if type(out) is tuple:
            outputs = tuple(map(Tensor, out))
        elif out is None:  # an op with only a side effect (an assignment)
            return None
        else:
            outputs = Tensor(out)
        if state.tapes and cls.backward is not None:
            _record(cls, inputs, outputs, attrs)
        return outputs

    @classmethod
    def invalid(cls, inputs: tuple, attrs: dict, error: Exception) -> InvalidArgumentError:
        """The error for inputs ``forward`` could not take (ops override it for a better message)."""
        shapes = ", ".join(f"{x.dtype.name}{list(x.shape)}" for x in inputs)
        return InvalidArgumentError(f"{cls.name}: cannot compute {cls.name} of {shapes}: {error}", cls.name)

    @classmethod
    def trace_forward(cls, *arrays, **attrs):
        """A stateful op's stand-in result while tracing (same shape and dtype, no side effect)."""
        return cls.forward(*arrays, **attrs)


def _record(op: type, inputs: tuple, outputs, attrs: dict) -> None:
    """Hand one op call to every recording tape of this thread that tracks one of its inputs."""
    if op is not ReadVariableOp:
        for x in inputs:
            if x._auto_watch or isinstance(x, Variable):  # recorded as a read of its value now
                inputs = tuple(read_variable(x) if isinstance(x, Variable) else x for x in inputs)
                break
    ctx = None
    for tape in state.tapes:
        if tape._tracks_any(inputs):
            if ctx is None:
                ctx = Context(op, inputs, outputs, attrs)
            tape._record(ctx)


class ReadVariableOp(Op):
    """The value of a Variable now (TF's ReadVariableOp).   Gradient: dy, to the variable.

    A tape records this read in place of the variable itself, so that what it
    differentiates later is the value that was used, whatever is assigned since.
    """

    view = True  # the variable's own array: variables never change an array in place

    def forward(value):
        return value

    def backward(ctx, dy):
        return dy


def read_variable(variable: Variable) -> Tensor:
    """``variable``'s current value as a Tensor, recorded as a read by the tapes watching it."""
    return ReadVariableOp.apply(variable)
