"""SimpleRNN (``keras.layers.SimpleRNN``) and its one-step cell, SimpleRNNCell (Elman network).

Weights (``get_weights()`` order): kernel (features, u), recurrent_kernel (u, u), bias (u,).

One step:   h = activation(x_t W + b + h_prev U)        (h is the output and the only state)

x W + b is computed for all time steps at once; each step is then three plain minitf ops
(MatMul, AddV2, Tanh), so backpropagation through time is the tape differentiating those:
the simplest place to watch BPTT happen (``tape.operations`` lists them, step by step).
"""
from __future__ import annotations

from minitf.keras.layers.rnn.base_rnn import CELL_SETTINGS, RNN, RecurrentCell
from minitf.ops import elementwise as E
from minitf.tensor import Tensor


class SimpleRNNCell(RecurrentCell):
    """One Elman step: h = activation(x W + b + h_prev U)."""

    gate_count = 1

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)

    def build(self, input_shape) -> None:
        self._add_kernels(int(input_shape[-1]), (self.units,))

    def _masked_step(self, step_input: Tensor, states: list, mask) -> tuple[Tensor, list]:
        h_prev = states[0]
        h = self.activation(step_input + self._recurrent_product(h_prev))
        if mask is not None:
            h = E.where(mask, h, h_prev)
        return h, [h]


class SimpleRNN(RNN):
    """Fully-connected RNN whose output is fed back as the next input state, with Keras's arguments.

    ``stateful=True`` is not implemented; ``unroll`` is accepted and changes nothing.
    """

    cell_settings = CELL_SETTINGS

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, seed: int | None = None, **kwargs):
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                             kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                             dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
                             dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                             name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

