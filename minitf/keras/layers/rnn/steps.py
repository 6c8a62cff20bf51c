"""The LSTM and GRU time step, each ONE op: a fused kernel on arrays, and its gradient.

A recurrent layer runs in two parts (see ``base_rnn.py``):

1. the inputs of ALL time steps are projected at once: ``xw = x @ kernel + bias``,
   one matmul of shape (batch * time, features) @ (features, k * units);
2. then one op per time step: ``h @ recurrent_kernel`` for all k gates in ONE matmul,
   followed by the gate math. Backpropagation through time needs no code of its own:
   the tape records these ops and walks them backwards, newest step first.

Writing the gate math of a step as a dozen separate ops would record a dozen entries per
step. Instead each step is one op (``LSTMCell``, ``GRUCell``, ``GRUCellResetBefore``) whose
gradient is one op too (``...Grad``). The formulas are written ONCE, against a tiny namespace
``k`` of array functions, and run

* on backend arrays (``ARRAYS``): the kernels of the step and of its gradient;
* on minitf ops (``OPS``): the gradient of the gradient (second derivatives), which
  differentiates the same formulas, recomputed as ops, with a tape (``_grad_of_grad``).

Masks: ``mask`` is a (batch, 1) bool tensor; a row whose mask is False keeps its previous
state (h, and c for the LSTM), exactly as Keras's ``backend.rnn`` does with ``where``.
Its gradient therefore passes straight through to the previous state for that row.
"""
from __future__ import annotations

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError
from minitf.ops import elementwise as E
from minitf.ops import linalg as L
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import Tensor


# --- the two namespaces the formulas run on ---------------------------------------------
class _ArrayMath:
    """Backend arrays (NumPy or CuPy): the kernels."""

    @staticmethod
    def sigmoid(a):
        """1 / (1 + e^-a), in place on one new array. For a < -88, e^-a = inf and 1/inf = 0, as it
        should be: the step ops are ``quiet`` (no overflow warning, as in TF)."""
        y = B.xp.negative(a)
        B.xp.exp(y, out=y)
        y += 1
        return B.xp.reciprocal(y, out=y)

    @staticmethod
    def tanh(a):
        return B.xp.tanh(a)

    @staticmethod
    def matmul(a, b):
        return a @ b

    @staticmethod
    def matmul_bt(a, b):  # a @ b^T
        return a @ b.T

    @staticmethod
    def matmul_at(a, b):  # a^T @ b
        return a.T @ b

    @staticmethod
    def split(a, n: int) -> list:
        width = a.shape[-1] // n
        return [a[:, j * width:(j + 1) * width] for j in range(n)]

    @staticmethod
    def concat(parts: list):
        return B.xp.concatenate(parts, axis=-1)

    @staticmethod
    def where(mask, a, b):
        return B.xp.where(mask, a, b)

    @staticmethod
    def sum_rows(a):
        return a.sum(axis=0)


class _OpsMath:
    """minitf ops: the same formulas, differentiable (for the gradient of a gradient)."""

    sigmoid = staticmethod(E.sigmoid)
    tanh = staticmethod(E.tanh)

    @staticmethod
    def matmul(a, b):
        return L.matmul(a, b)

    @staticmethod
    def matmul_bt(a, b):
        return L.matmul(a, b, transpose_b=True)

    @staticmethod
    def matmul_at(a, b):
        return L.matmul(a, b, transpose_a=True)

    @staticmethod
    def split(a, n: int) -> list:
        return S.split(a, n, axis=-1)

    @staticmethod
    def concat(parts: list):
        return S.concat(parts, axis=-1)

    @staticmethod
    def where(mask, a, b):
        return E.where(mask, a, b)

    @staticmethod
    def sum_rows(a):
        return R.reduce_sum(a, axis=0)


ARRAYS = _ArrayMath()
OPS = _OpsMath()


def _grad_of_grad(formula, inputs: tuple, differentiable: tuple, upstream) -> tuple:
    """The gradient of a fused gradient kernel: ``formula(OPS, *inputs)`` recomputes its outputs
    with minitf ops, and a tape differentiates them with respect to ``inputs[i]`` for each i in
    ``differentiable`` (seeded with ``upstream``). None for the other inputs."""
    from minitf.autodiff import GradientTape
    watched = [inputs[i] for i in differentiable]
    with GradientTape() as tape:
        tape.watch(watched)
        outputs = formula(OPS, *inputs)
    seeds = upstream if isinstance(upstream, tuple) else (upstream,)
    pairs = [(o, g) for o, g in zip(outputs, seeds) if g is not None]
    grads = tape.gradient([o for o, _ in pairs], watched, output_gradients=[g for _, g in pairs])
    result = [None] * len(inputs)
    for i, g in zip(differentiable, grads):
        result[i] = g
    return tuple(result)


def _check_inputs(op: str, gates: int, xw: Tensor, h_prev: Tensor, recurrent_kernel: Tensor,
                  states: tuple = (), bias: Tensor | None = None) -> None:
    """A step's inputs share one float dtype (TF's ops refuse a mix with InvalidArgumentError) and
    have the step's shapes: xw (batch, gates * units), h_prev and the other states (batch, units),
    the recurrent kernel (units, gates * units), the bias (gates * units,). None is a size not known
    while tracing."""
    tensors = [xw, h_prev, *states, recurrent_kernel] + ([] if bias is None else [bias])
    names = [t.dtype.name for t in tensors]
    shapes = [tuple(t.shape) for t in tensors]
    if not tensors[0].dtype.is_floating or len(set(names)) > 1:
        raise InvalidArgumentError(f"{op}: the inputs must share one float dtype, got {names} (shapes {shapes})", op)
    batch, units = h_prev.shape if h_prev.ndim == 2 else (None, None)
    width = None if units is None else gates * units
    expected = [(batch, width), (batch, units), *[(batch, units)] * len(states), (units, width)]
    expected += [] if bias is None else [(width,)]
    fits = h_prev.ndim == 2 and all(len(got) == len(want) and all(g is None or w is None or g == w
                                                                   for g, w in zip(got, want))
                                    for got, want in zip(shapes, expected))
    if not fits:
        raise InvalidArgumentError(f"{op}: input shapes {shapes} do not fit one step of {units} units: expected "
                                   f"{expected} (xw, h_prev, {'c_prev, ' if states else ''}recurrent kernel"
                                   f"{', bias' if bias is not None else ''})", op)


def _masked_carry(k, mask, d):
    """Split an upstream gradient by the mask: (part for the new cell value, part carried to the old state)."""
    if mask is None:
        return d, None
    return k.where(mask, d, 0), k.where(mask, 0, d)


# --- LSTM ---------------------------------------------------------------------------------
def lstm_gates(k, z, c_prev, activation=None, recurrent_activation=None):
    """The LSTM cell after the matmuls. ``z`` (batch, 4u) = x W + b + h_prev U, columns i, f, c, o.

        i = sigmoid(z_i)   f = sigmoid(z_f)   g = tanh(z_c)   o = sigmoid(z_o)
        c = f * c_prev + i * g
        h = o * tanh(c)

    Returns (i, f, g, o, c, tanh(c), h). ``activation`` / ``recurrent_activation``
    replace tanh / sigmoid (the composite path of a layer with other activations).
    """
    act = activation or k.tanh
    z_i, z_f, z_c, z_o = k.split(z, 4)
    if recurrent_activation is None:
        # sigmoid is elementwise: ONE call over all of z (a contiguous array) gives i, f and o as
        # its column blocks, the same numbers as three calls on column slices, in ~2/3 of the time
        # (each NumPy call on a slice costs more than the unused z_c block's arithmetic)
        i, f, _, o = k.split(k.sigmoid(z), 4)
    else:
        i, f, o = recurrent_activation(z_i), recurrent_activation(z_f), recurrent_activation(z_o)
    g = act(z_c)
    c = f * c_prev + i * g
    tanh_c = act(c)
    return i, f, g, o, c, tanh_c, o * tanh_c


def _lstm_backward(k, gates, c_prev, h_prev, recurrent_kernel, dh, dc, mask):
    """Gradients of (h, c) -> (xw, h_prev, c_prev, recurrent_kernel), by the chain rule:

        dc_total = dc + dh * o * (1 - tanh(c)^2)             (c feeds h through tanh)
        dz_i = dc_total * g * i (1 - i)                      (sigmoid' = s (1 - s))
        dz_f = dc_total * c_prev * f (1 - f)
        dz_c = dc_total * i * (1 - g^2)                      (tanh' = 1 - tanh^2)
        dz_o = dh * tanh(c) * o (1 - o)
        d xw = dz;  d h_prev = dz U^T;  d U = h_prev^T dz;  d c_prev = dc_total * f
    """
    i, f, g, o, _, tanh_c, _ = gates
    dh, dh_carry = _masked_carry(k, mask, dh)
    dc, dc_carry = _masked_carry(k, mask, dc)
    dc_total = dc + dh * o * (1 - tanh_c * tanh_c)
    dz = k.concat([dc_total * g * i * (1 - i),
                   dc_total * c_prev * f * (1 - f),
                   dc_total * i * (1 - g * g),
                   dh * tanh_c * o * (1 - o)])
    dh_prev = k.matmul_bt(dz, recurrent_kernel)
    dc_prev = dc_total * f
    if mask is not None:
        dh_prev, dc_prev = dh_prev + dh_carry, dc_prev + dc_carry
    return dz, dh_prev, dc_prev, k.matmul_at(h_prev, dz)


def _lstm_grads(k, dh, dc, xw, h_prev, c_prev, recurrent_kernel, mask=None):
    """The LSTM step's gradients, from its inputs (the gates recomputed): ``_lstm_backward``."""
    gates = lstm_gates(k, xw + k.matmul(h_prev, recurrent_kernel), c_prev)
    return _lstm_backward(k, gates, c_prev, h_prev, recurrent_kernel, dh, dc, mask)


class LSTMCell(Op):
    """One LSTM step: (xw_t, h_prev, c_prev, U[, mask]) -> (h, c, activations).

    ``xw`` (batch, 4u) is this step's slice of x W + b; ``mask`` (batch, 1) bool.
    Forward: z = xw + h_prev U, then ``lstm_gates``. ``activations`` (5, batch, u) is
    [i, f, g, o, tanh(c)], kept for the gradient (``LSTMCellGrad``), which would otherwise
    compute them again (a matmul and five activations per step, as the forward did). Stacked,
    not side by side in (batch, 5u): each one is then a contiguous array, and NumPy's
    arithmetic on those is about 3x faster than on column slices (same bits).
    """

    quiet = True  # (see _ArrayMath.sigmoid)

    def forward(xw, h_prev, c_prev, recurrent_kernel, *mask):
        i, f, g, o, c, tanh_c, h = lstm_gates(ARRAYS, xw + h_prev @ recurrent_kernel, c_prev)
        activations = B.xp.concatenate([i, f, g, o, tanh_c]).reshape((5, *i.shape))  # (np.stack, but faster)
        if mask:
            h, c = B.xp.where(mask[0], h, h_prev), B.xp.where(mask[0], c, c_prev)
        return h, c, activations

    def backward(ctx, dys):
        grads = LSTMCellGrad.apply(dys[0], dys[1], ctx.outputs[2], *ctx.inputs)
        return grads + (None,) * (len(ctx.inputs) - 4)


class LSTMCellGrad(Op):
    """(dh, dc, activations, xw, h_prev, c_prev, U[, mask]) -> (d xw, d h_prev, d c_prev, dU):
    ``_lstm_backward`` on the forward's activations [i, f, g, o, tanh(c)]. Its own gradient
    (second derivatives) recomputes them from xw with ops (``_lstm_grads``)."""

    quiet = True

    def forward(dh, dc, activations, xw, h_prev, c_prev, recurrent_kernel, *mask):
        i, f, g, o, tanh_c = activations
        return _lstm_backward(ARRAYS, (i, f, g, o, None, tanh_c, None), c_prev, h_prev, recurrent_kernel,
                              dh, dc, *(mask or (None,)))

    def backward(ctx, ggs):
        formula = lambda k, dh, dc, activations, *inputs: _lstm_grads(k, dh, dc, *inputs)  # noqa: E731
        return _grad_of_grad(formula, ctx.inputs, (0, 1, 3, 4, 5, 6), ggs)


def lstm_step(xw: Tensor, h_prev: Tensor, c_prev: Tensor, recurrent_kernel: Tensor,
              mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step as one op; ``mask`` a (batch, 1) bool tensor or None."""
    _check_inputs("LSTMCell", 4, xw, h_prev, recurrent_kernel, states=(c_prev,))
    h, c, _ = LSTMCell.apply(xw, h_prev, c_prev, recurrent_kernel, *(() if mask is None else (mask,)))
    return h, c


# --- GRU ----------------------------------------------------------------------------------
def gru_gates(k, xw, hu, h_prev, activation=None, recurrent_activation=None):
    """The GRU cell (``reset_after=True``) after the matmuls; columns z, r, h.

    ``xw`` = x W + b_input and ``hu`` = h_prev U + b_recurrent, both (batch, 3u):

        z = sigmoid(xw_z + hu_z)     r = sigmoid(xw_r + hu_r)
        n = tanh(xw_h + r * hu_h)    (the reset gate applied AFTER the matmul)
        h = z * h_prev + (1 - z) * n

    Returns (z, r, n, hu_h, h).
    """
    act = activation or k.tanh
    rec_act = recurrent_activation or k.sigmoid
    x_z, x_r, x_h = k.split(xw, 3)
    u_z, u_r, u_h = k.split(hu, 3)
    z = rec_act(x_z + u_z)
    r = rec_act(x_r + u_r)
    n = act(x_h + r * u_h)
    return z, r, n, u_h, z * h_prev + (1 - z) * n


def _gru_backward(k, gates, h_prev, recurrent_kernel, dh, mask, with_bias):
    """Gradients of h -> (xw, h_prev, U, b_recurrent):

        dn = dh (1 - z);   da_h = dn (1 - n^2)                  (pre-activation of n)
        da_z = dh (h_prev - n) z (1 - z);   da_r = da_h * hu_h * r (1 - r)
        d xw = [da_z, da_r, da_h];   d hu = [da_z, da_r, da_h * r]
        d h_prev = dh z + d hu U^T;   d U = h_prev^T d hu;   d b_recurrent = sum over the batch of d hu
    """
    z, r, n, u_h, _ = gates
    dh, dh_carry = _masked_carry(k, mask, dh)
    da_h = dh * (1 - z) * (1 - n * n)
    da_z = dh * (h_prev - n) * z * (1 - z)
    da_r = da_h * u_h * r * (1 - r)
    dxw = k.concat([da_z, da_r, da_h])
    dhu = k.concat([da_z, da_r, da_h * r])
    dh_prev = dh * z + k.matmul_bt(dhu, recurrent_kernel)
    if mask is not None:
        dh_prev = dh_prev + dh_carry
    grads = (dxw, dh_prev, k.matmul_at(h_prev, dhu))
    return grads + (k.sum_rows(dhu),) if with_bias else grads


def _gru_grads(k, dh, xw, h_prev, recurrent_kernel, *bias_and_mask, with_bias: bool):
    """The GRU step's gradients, from its inputs (the gates recomputed): ``_gru_backward``."""
    bias = bias_and_mask[0] if with_bias else None
    mask = bias_and_mask[1 if with_bias else 0] if len(bias_and_mask) > with_bias else None
    hu = k.matmul(h_prev, recurrent_kernel)
    gates = gru_gates(k, xw, hu + bias if with_bias else hu, h_prev)
    return _gru_backward(k, gates, h_prev, recurrent_kernel, dh, mask, with_bias)


class GRUCell(Op):
    """One GRU step (``reset_after=True``): (xw_t, h_prev, U[, b_recurrent][, mask]) -> h.

    Forward: hu = h_prev U + b_recurrent, then ``gru_gates``. Gradient: ``GRUCellGrad``.
    """

    quiet = True

    def forward(xw, h_prev, recurrent_kernel, *bias_and_mask, with_bias):
        hu = h_prev @ recurrent_kernel
        if with_bias:
            hu += bias_and_mask[0]
        h = gru_gates(ARRAYS, xw, hu, h_prev)[4]
        return h if len(bias_and_mask) == with_bias else B.xp.where(bias_and_mask[-1], h, h_prev)

    def backward(ctx, dh):
        grads = GRUCellGrad.apply(dh, *ctx.inputs, with_bias=ctx.with_bias)
        return grads + (None,) * (len(ctx.inputs) - len(grads))


class GRUCellGrad(Op):
    """(dh, xw, h_prev, U[, b][, mask]) -> (d xw, d h_prev, dU[, db]): ``_gru_backward``."""

    quiet = True

    def forward(dh, xw, h_prev, recurrent_kernel, *bias_and_mask, with_bias):
        return _gru_grads(ARRAYS, dh, xw, h_prev, recurrent_kernel, *bias_and_mask, with_bias=with_bias)

    def backward(ctx, ggs):
        formula = lambda k, *inputs: _gru_grads(k, *inputs, with_bias=ctx.with_bias)  # noqa: E731
        return _grad_of_grad(formula, ctx.inputs, range(4 + ctx.with_bias), ggs)


def gru_step(xw: Tensor, h_prev: Tensor, recurrent_kernel: Tensor, recurrent_bias: Tensor | None = None,
             mask: Tensor | None = None) -> Tensor:
    """One GRU step (``reset_after=True``) as one op."""
    _check_inputs("GRUCell", 3, xw, h_prev, recurrent_kernel, bias=recurrent_bias)
    extra = (() if recurrent_bias is None else (recurrent_bias,)) + (() if mask is None else (mask,))
    return GRUCell.apply(xw, h_prev, recurrent_kernel, *extra, with_bias=recurrent_bias is not None)


def gru_gates_reset_before(k, xw, h_prev, recurrent_kernel, activation=None, recurrent_activation=None):
    """The GRU cell with ``reset_after=False`` (the reset gate applied BEFORE the matmul).

        z = sigmoid(xw_z + (h_prev U)_z)    r = sigmoid(xw_r + (h_prev U)_r)
        n = tanh(xw_h + (r * h_prev) U_h)
        h = z * h_prev + (1 - z) * n

    Two matmuls per step: h_prev U_{z,r} and (r * h_prev) U_h. Returns (z, r, n, r * h_prev, h).
    """
    act = activation or k.tanh
    rec_act = recurrent_activation or k.sigmoid
    units = h_prev.shape[-1]
    x_z, x_r, x_h = k.split(xw, 3)
    u_z, u_r = k.split(k.matmul(h_prev, recurrent_kernel[:, :2 * units]), 2)
    z = rec_act(x_z + u_z)
    r = rec_act(x_r + u_r)
    rh = r * h_prev
    n = act(x_h + k.matmul(rh, recurrent_kernel[:, 2 * units:]))
    return z, r, n, rh, z * h_prev + (1 - z) * n


def _gru_reset_before_backward(k, gates, h_prev, recurrent_kernel, dh, mask):
    """Gradients of h -> (xw, h_prev, U) for ``reset_after=False``:

        da_h = dh (1 - z)(1 - n^2);   d(r h_prev) = da_h U_h^T;   d U_h = (r h_prev)^T da_h
        da_z = dh (h_prev - n) z (1 - z);   da_r = d(r h_prev) * h_prev * r (1 - r)
        d h_prev = dh z + d(r h_prev) r + [da_z, da_r] U_{z,r}^T;   d U_{z,r} = h_prev^T [da_z, da_r]
    """
    z, r, n, rh, _ = gates
    units = h_prev.shape[-1]
    u_zr, u_h = recurrent_kernel[:, :2 * units], recurrent_kernel[:, 2 * units:]
    dh, dh_carry = _masked_carry(k, mask, dh)
    da_h = dh * (1 - z) * (1 - n * n)
    drh = k.matmul_bt(da_h, u_h)
    da_z = dh * (h_prev - n) * z * (1 - z)
    da_r = drh * h_prev * r * (1 - r)
    dzr = k.concat([da_z, da_r])
    dh_prev = dh * z + drh * r + k.matmul_bt(dzr, u_zr)
    if mask is not None:
        dh_prev = dh_prev + dh_carry
    du = k.concat([k.matmul_at(h_prev, dzr), k.matmul_at(rh, da_h)])
    return k.concat([da_z, da_r, da_h]), dh_prev, du


def _gru_reset_before_grads(k, dh, xw, h_prev, recurrent_kernel, mask=None):
    gates = gru_gates_reset_before(k, xw, h_prev, recurrent_kernel)
    return _gru_reset_before_backward(k, gates, h_prev, recurrent_kernel, dh, mask)


class GRUCellResetBefore(Op):
    """One GRU step (``reset_after=False``): (xw_t, h_prev, U[, mask]) -> h.
    Forward: ``gru_gates_reset_before``. Gradient: ``GRUCellResetBeforeGrad``."""

    quiet = True

    def forward(xw, h_prev, recurrent_kernel, *mask):
        h = gru_gates_reset_before(ARRAYS, xw, h_prev, recurrent_kernel)[4]
        return h if not mask else B.xp.where(mask[0], h, h_prev)

    def backward(ctx, dh):
        grads = GRUCellResetBeforeGrad.apply(dh, *ctx.inputs)
        return grads + (None,) * (len(ctx.inputs) - 3)


class GRUCellResetBeforeGrad(Op):
    """(dh, xw, h_prev, U[, mask]) -> (d xw, d h_prev, dU): ``_gru_reset_before_backward``."""

    quiet = True

    def forward(dh, xw, h_prev, recurrent_kernel, *mask):
        return _gru_reset_before_grads(ARRAYS, dh, xw, h_prev, recurrent_kernel, *mask)

    def backward(ctx, ggs):
        return _grad_of_grad(_gru_reset_before_grads, ctx.inputs, range(4), ggs)


def gru_step_reset_before(xw: Tensor, h_prev: Tensor, recurrent_kernel: Tensor, mask: Tensor | None = None) -> Tensor:
    """One GRU step (``reset_after=False``) as one op."""
    _check_inputs("GRUCellResetBefore", 3, xw, h_prev, recurrent_kernel)
    return GRUCellResetBefore.apply(xw, h_prev, recurrent_kernel, *(() if mask is None else (mask,)))
