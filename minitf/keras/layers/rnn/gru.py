"""GRU (``keras.layers.GRU``) and its one-step cell, GRUCell.

Weights, as Keras lays them out (``get_weights()`` order), gate order z, r, h:
    kernel            (features, 3u)
    recurrent_kernel  (u, 3u)
    bias              (2, 3u) with reset_after=True (the default): row 0 input bias, row 1 recurrent bias;
                      (3u,)   with reset_after=False: the input bias only

One step, reset_after=True (Keras's default, the cuDNN formulation):
    z = sigmoid(x W_z + b_z + h_prev U_z + b'_z)
    r = sigmoid(x W_r + b_r + h_prev U_r + b'_r)
    n = tanh(x W_h + b_h + r * (h_prev U_h + b'_h))
    h = z * h_prev + (1 - z) * n

reset_after=False: n = tanh(x W_h + b_h + (r * h_prev) U_h) (the reset gate acts before the matmul).

x W + b is computed for all time steps at once; each step is one recorded op
(``steps.gru_step`` / ``steps.gru_step_reset_before``, derivatives written out there).
"""
from __future__ import annotations

from minitf.keras import activations
from minitf.keras.layers.rnn import steps
from minitf.keras.layers.rnn.base_rnn import CELL_SETTINGS, RNN, RecurrentCell, check_use_cudnn
from minitf.ops import elementwise as E
from minitf.ops import linalg as L
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor


class GRUCell(RecurrentCell):
    """One GRU step (see the module docstring for the formulas and weight layout)."""

    gate_count = 3

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, reset_after: bool = True, seed: int | None = None, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.reset_after = bool(reset_after)
        self._recurrent_bias = None  # bias[1] for this call, sliced once (reset_after=True)

    def build(self, input_shape) -> None:
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_kernels(int(input_shape[-1]), bias_shape)

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def _project(self, sequences: Tensor, masks) -> list[Tensor]:
        if self.bias is not None and self.reset_after:
            self._recurrent_bias = self.bias[1]
        return super()._project(sequences, masks)

    def _end_call(self) -> None:
        super()._end_call()
        self._recurrent_bias = None

    def _masked_step(self, step_input: Tensor, states: list, mask) -> tuple[Tensor, list]:
        h_prev = states[0]
        if self.reset_after and self._recurrent_bias is None and self.bias is not None:
            self._recurrent_bias = self.bias[1]
        if self._recurrent_masks is None and self._uses_default_activations():
            if self.reset_after:
                h = steps.gru_step(step_input, h_prev, self.recurrent_kernel, self._recurrent_bias, mask)
            else:
                h = steps.gru_step_reset_before(step_input, h_prev, self.recurrent_kernel, mask)
            return h, [h]
        h = self._composite_step(step_input, h_prev)
        if mask is not None:
            h = E.where(mask, h, h_prev)
        return h, [h]

    def _composite_step(self, step_input: Tensor, h_prev: Tensor) -> Tensor:
        """The step as separate minitf ops (other activations, or recurrent dropout masks)."""
        act, rec_act = self.activation, self.recurrent_activation
        if self.reset_after:
            hu = self._recurrent_product(h_prev)
            if self._recurrent_bias is not None:
                hu = hu + self._recurrent_bias
            return steps.gru_gates(steps.OPS, step_input, hu, h_prev, act, rec_act)[4]
        u = self.units
        masks = self._recurrent_masks if isinstance(self._recurrent_masks, list) else [self._recurrent_masks] * 3
        h_z, h_r, h_h = (h_prev if m is None else h_prev * Tensor(m) for m in masks)
        x_z, x_r, x_h = S.split(step_input, 3, axis=-1)
        z = rec_act(x_z + L.matmul(h_z, self.recurrent_kernel[:, :u]))
        r = rec_act(x_r + L.matmul(h_r, self.recurrent_kernel[:, u:2 * u]))
        n = act(x_h + L.matmul(r * h_h, self.recurrent_kernel[:, 2 * u:]))
        return z * h_prev + (1 - z) * n

    def get_config(self) -> dict:
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        return config


class GRU(RNN):
    """Gated Recurrent Unit (Cho et al., 2014), with Keras's arguments and defaults (reset_after=True).

    ``stateful=True`` is not implemented; ``unroll`` and ``use_cudnn`` are accepted and change nothing.
    """

    cell_settings = CELL_SETTINGS + ("recurrent_activation", "reset_after")

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, reset_after: bool = True, use_cudnn="auto",
                 **kwargs):
        check_use_cudnn(use_cudnn)
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                       kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                       recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                       kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                       bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                       reset_after=reset_after, seed=seed, dtype=kwargs.get("dtype"),
                       trainable=kwargs.get("trainable", True), name="gru_cell",
                       implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn

