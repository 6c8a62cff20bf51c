"""LSTM (``keras.layers.LSTM``) and its one-step cell, LSTMCell.

Weights, as Keras lays them out (``get_weights()`` order):
    kernel            (features, 4u)   columns in gate order i, f, c, o
    recurrent_kernel  (u, 4u)          same order
    bias              (4u,)            ``unit_forget_bias=True`` starts the f block at 1

One step, with z = x_t W + b + h_prev U (all four gates from one matmul each):
    i = sigmoid(z_i)  f = sigmoid(z_f)  g = tanh(z_c)  o = sigmoid(z_o)
    c = f * c_prev + i * g
    h = o * tanh(c)          (h is both the output and the first state; c the second)

x W + b is computed for all time steps at once (``RecurrentCell._step_inputs``); each step is
then one recorded op, ``steps.lstm_step`` (its derivative is written out there). Other
activations, or recurrent dropout in training, run the same formulas as separate minitf ops.
"""
from __future__ import annotations

from minitf.keras import activations, initializers
from minitf.keras.layers.rnn import steps
from minitf.keras.layers.rnn.base_rnn import CELL_SETTINGS, RNN, RecurrentCell, check_use_cudnn
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor


class LSTMCell(RecurrentCell):
    """One LSTM step (see the module docstring for the formulas and weight layout)."""

    gate_count = 4

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape) -> None:
        forget_bias = self.use_bias and self.unit_forget_bias
        self._add_kernels(int(input_shape[-1]), (4 * self.units,), self._unit_forget_bias if forget_bias else None)

    def _unit_forget_bias(self, shape, dtype=None):
        """[bias_initializer(u), ones(u), bias_initializer(2u)]: the forget gate starts open, as in Keras."""
        u, base = self.units, self.bias_initializer
        ones = initializers.get("ones")((u,), dtype=dtype)
        return S.concat([base((u,), dtype=dtype), ones, base((2 * u,), dtype=dtype)], axis=0)

    def _masked_step(self, step_input: Tensor, states: list, mask) -> tuple[Tensor, list]:
        h_prev, c_prev = states
        if self._recurrent_masks is None and self._uses_default_activations():
            h, c = steps.lstm_step(step_input, h_prev, c_prev, self.recurrent_kernel, mask)
            return h, [h, c]
        # The same formulas as separate ops (other activations, or recurrent dropout masks).
        z = step_input + self._recurrent_product(h_prev)
        _, _, _, _, c, _, h = steps.lstm_gates(steps.OPS, z, c_prev, self.activation, self.recurrent_activation)
        if mask is not None:
            keep = mask
            h, c = E.where(keep, h, h_prev), E.where(keep, c, c_prev)
        return h, [h, c]

    def get_config(self) -> dict:
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class LSTM(RNN):
    """Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997), with Keras's arguments.

    ``stateful=True`` is not implemented; ``unroll`` and ``use_cudnn`` are accepted and change nothing.
    """

    cell_settings = CELL_SETTINGS + ("recurrent_activation", "unit_forget_bias")

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, use_cudnn="auto", **kwargs):
        check_use_cudnn(use_cudnn)
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                        kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                        bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                        kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                        dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
                        dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True), name="lstm_cell",
                        implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn
