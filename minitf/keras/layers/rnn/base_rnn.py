"""RNN: run a recurrent cell over the time axis (``keras.layers.RNN``), and what the cells share.

A recurrent layer = a *cell* (one time step: ``(x_t, states) -> (output, new_states)``) + this
loop. For an input of shape (batch, timesteps, features)::

    step_inputs = cell._step_inputs(x)         # LSTM/GRU/SimpleRNN: x @ kernel + bias for ALL steps,
                                               #   one matmul, then cut into timesteps pieces
    states = initial_state or zeros
    for t in 0 .. T-1 (T-1 .. 0 if go_backwards):
        output_t, states = cell step on (step_inputs[t], states)
    return output_T (or all outputs, return_sequences=True) (and the final states, return_state=True)

Backpropagation through time is the tape walking these steps backwards: no code of its own.

Masks (Keras's ``backend.rnn``), for a (batch, timesteps) bool mask, e.g. from
``Embedding(mask_zero=True)``: at a masked step a row keeps its previous states, and its
output is the previous step's output (zeros before the first unmasked step), or zeros
when ``zero_output_for_mask=True`` (what ``Bidirectional`` sets for return_sequences).
With ``go_backwards=True`` the steps run from last to first and the outputs come back in
that (reversed) order, as in Keras.

Dropout (Keras's ``DropoutRNNCell``): one mask per call, the SAME for every time step, with
values 0 or 1/(1 - rate); ``dropout`` on the inputs, ``recurrent_dropout`` on the state
entering the recurrent matmul. With recurrent_dropout > 0, Keras's LSTM/GRU switch to
``implementation=1``: one separate mask per gate (4 for LSTM, 3 for GRU), for both.
Used only in training (``fit``, or ``training=True``); drawn with the cell's SeedGenerator,
in Keras's order, so a seeded layer drops what Keras's drops.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf._context import init_scope
from minitf.keras import activations, constraints, initializers, regularizers
from minitf.keras import random as keras_random
from minitf.keras.layers.layer import Layer
from minitf.ops import creation
from minitf.ops import elementwise as E
from minitf.ops import linalg as L
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor


# --- serialization helpers shared by the recurrent layers ----------------------------------
def serialize_object(obj: Any) -> Any:
    """A regularizer/constraint/initializer as config data (None stays None)."""
    from minitf.keras.saving.serialization import serialize_keras_object
    if isinstance(obj, initializers.Initializer):
        return initializers.serialize(obj)
    return serialize_keras_object(obj)


def check_sequence_shape(layer: Layer, shape: Any) -> None:
    """Recurrent layers read (batch, timesteps, features): say so, and show what came."""
    shape = tuple(shape) if shape is not None else None
    if shape is None or len(shape) != 3:
        rank = "unknown" if shape is None else len(shape)
        hint = (" For token ids of shape (batch, timesteps), put an Embedding layer first; for a single "
                "feature per step, add an axis: x[..., None]." if shape is not None and len(shape) == 2 else "")
        raise ValueError(f"{type(layer).__name__} layer '{layer.name}' expects input of shape "
                         f"(batch, timesteps, features), i.e. rank 3, but received shape {shape} "
                         f"(rank {rank}).{hint}")


# --- the cells' common part ----------------------------------------------------------------------
class RecurrentCell(Layer):
    """What SimpleRNNCell, LSTMCell and GRUCell share: weights' settings, input projection, dropout.

    A subclass sets ``gate_count`` (1, 3 or 4 blocks of ``units`` columns), creates its weights
    in ``build`` and implements ``_masked_step(step_input, states, mask)``.
    """

    gate_count = 1

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None, **kwargs):
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a positive integer, "
                             f"got {units!r}.")
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))  # Keras clips the rates to [0, 1]
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        # Keras: recurrent dropout switches LSTM/GRU to implementation 1 (one mask per gate).
        self.implementation = 1 if self.recurrent_dropout != 0.0 else implementation
        self.seed = seed
        self.seed_generator = keras_random.layer_seed_generator(seed)  # every cell has one, as in Keras
        self._recurrent_masks = None  # this call's recurrent dropout masks, if any
        self.state_size = self.units
        self.output_size = self.units

    # ---- weights ----
    def _add_kernels(self, input_dim: int, bias_shape: tuple | None, bias_initializer=None) -> None:
        width = self.gate_count * self.units
        self.kernel = self.add_weight(shape=(input_dim, width), name="kernel", initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=bias_shape, name="bias",
                                        initializer=bias_initializer or self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None

    def _input_bias(self):
        """The bias added to x @ kernel (GRU with reset_after: row 0 of its (2, 3u) bias)."""
        return self.bias

    # ---- dropout ----
    def _draw_dropout_masks(self, batch: int, features: int, dtype) -> tuple:
        """(input masks, recurrent masks): 0 or 1/(1 - rate) per element, Keras's
        ``dropout(ones_like(x), rate, seed=cell.seed_generator)``, one per gate with implementation 1.

        Keras's order and rule: the input masks (batch, features) first, then the recurrent ones
        (batch, units), drawn at EVERY call whose rate is > 0, in training or not (Keras prepares
        them before its loop either way), so the seed generator steps as Keras's does and a seeded
        layer draws Keras's masks. Only training uses them."""
        count = self._mask_count()

        def draw(shape: tuple, rate: float, dtype):
            if rate <= 0:
                return None
            ones = creation.ones(shape, dtype=dtype)
            if count is None:
                return keras_random.dropout(ones, rate, seed=self.seed_generator)
            return [keras_random.dropout(ones, rate, seed=self.seed_generator) for _ in range(count)]
        return (draw((batch, features), self.dropout, dtype),
                draw((batch, self.units), self.recurrent_dropout, self.compute_dtype))

    def _mask_count(self) -> int | None:
        return self.gate_count if self.implementation == 1 and self.gate_count > 1 else None

    # ---- the input projection: all time steps in one matmul ----
    def _step_inputs(self, sequences: Tensor, training: bool = False) -> list[Tensor]:
        """x @ kernel + bias for every step at once, cut into a list of (batch, k*units) per step.

        Time-major first, (T, B, F) -> (T*B, F), so that each step's rows are contiguous.
        """
        batch, features = sequences.shape[0], sequences.shape[2]
        if batch is None:  # a trace whose signature leaves the batch size open: read when it runs
            batch = S.shape(sequences)[0]
        masks = self._use_dropout_masks(*self._draw_dropout_masks(batch, features, sequences.dtype), training)
        return self._project(sequences, masks)

    def _use_dropout_masks(self, input_masks, recurrent_masks, training: bool):
        """Keep this call's recurrent masks (training only) and return the input masks to apply, or None."""
        self._recurrent_masks = recurrent_masks if training and 0.0 < self.recurrent_dropout < 1.0 else None
        return input_masks if training and 0.0 < self.dropout < 1.0 else None

    def _project(self, sequences: Tensor, masks) -> list[Tensor]:
        """x (times the input dropout masks, if any) @ kernel + bias, per step (see ``_step_inputs``)."""
        steps, features = sequences.shape[1], self.kernel.shape[0]  # (a traced input's width may be unknown)
        x = S.transpose(sequences, (1, 0, 2))
        if masks is None or not isinstance(masks, list):
            if masks is not None:
                x = x * masks  # the same mask at every time step (it broadcasts over time)
            xw = L.matmul(S.reshape(x, (-1, features)), self.kernel)
        else:  # implementation 1: one input mask per gate
            u = self.units
            xw = S.concat([L.matmul(S.reshape(x * m, (-1, features)),
                                    self.kernel[:, j * u:(j + 1) * u]) for j, m in enumerate(masks)], axis=1)
        bias = self._input_bias()
        if bias is not None:
            xw = xw + bias
        return S.unstack(S.reshape(xw, (steps, -1, self.gate_count * self.units)))

    def _recurrent_product(self, h: Tensor) -> Tensor:
        """h @ recurrent_kernel, with this call's recurrent dropout masks (one per gate) if any."""
        masks = self._recurrent_masks
        if masks is None:
            return L.matmul(h, self.recurrent_kernel)
        if not isinstance(masks, list):
            return L.matmul(h * masks, self.recurrent_kernel)
        u = self.units
        return S.concat([L.matmul(h * m, self.recurrent_kernel[:, j * u:(j + 1) * u])
                         for j, m in enumerate(masks)], axis=1)

    def _end_call(self) -> None:
        self._recurrent_masks = None

    def _uses_default_activations(self) -> bool:
        return self.activation is activations.tanh and self.recurrent_activation is activations.sigmoid

    # ---- Keras's cell API: one step by hand ----
    def get_initial_state(self, batch_size: int | None = None) -> list[Tensor]:
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [creation.zeros((batch_size, d), dtype=self._np_dtype) for d in sizes]

    def call(self, inputs, states, training: bool = False):
        """One step: inputs (batch, features), states a list -> (output, new_states)."""
        inputs = convert_to_tensor(inputs, dtype_hint=self.compute_dtype)
        states = states if isinstance(states, (list, tuple)) else [states]
        states = [convert_to_tensor(s, dtype_hint=self.compute_dtype) for s in states]
        try:
            step_input = self._step_inputs(S.expand_dims(inputs, 1), training)[0]
            return self._masked_step(step_input, states, None)
        finally:
            self._end_call()

    def _masked_step(self, step_input: Tensor, states: list, mask) -> tuple[Tensor, list]:
        raise NotImplementedError

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize_object(self.kernel_initializer),
            "recurrent_initializer": serialize_object(self.recurrent_initializer),
            "bias_initializer": serialize_object(self.bias_initializer),
            "kernel_regularizer": serialize_object(self.kernel_regularizer),
            "recurrent_regularizer": serialize_object(self.recurrent_regularizer),
            "bias_regularizer": serialize_object(self.bias_regularizer),
            "kernel_constraint": serialize_object(self.kernel_constraint),
            "recurrent_constraint": serialize_object(self.recurrent_constraint),
            "bias_constraint": serialize_object(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config


# --- the layer: the loop over time -----------------------------------------------------------------
# The settings of a built-in cell that SimpleRNN, GRU and LSTM show as their own (``lstm.units``).
CELL_SETTINGS = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                 "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                 "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout")


def check_use_cudnn(use_cudnn: Any) -> None:
    """GRU's and LSTM's ``use_cudnn`` (accepted; minitf has one implementation)."""
    if use_cudnn not in ("auto", True, False):
        raise ValueError(f"Invalid valid received for argument `use_cudnn`. Expected one of "
                         f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn}")


class RNN(Layer):
    """Runs ``cell`` over the time axis of a (batch, timesteps, features) input (see module doc).

    ``cell``: a minitf cell (SimpleRNNCell, LSTMCell, GRUCell) or any Layer with ``state_size``
    and ``call(inputs, states) -> (output, new_states)``. ``stateful=True`` keeps the final states
    of each call (in ``states``, Variables) as the next call's initial states, for a fixed batch
    size, until ``reset_states()``; ``unroll`` is accepted and changes nothing (minitf always runs the steps in Python).

    SimpleRNN, GRU and LSTM are this loop over their own cell: they list in ``cell_settings`` the
    cell's settings that Keras shows on the layer (read-only properties here), and their config is
    the cell's, flat, as in Keras (``RNN`` itself saves ``{"cell": ...}``).
    """

    cell_settings: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in cls.__dict__.get("cell_settings", ()):
            setattr(cls, name, property(lambda self, n=name: getattr(self.cell, n)))

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs):
        if isinstance(cell, (list, tuple)):  # Keras: a list of cells runs as one StackedRNNCells
            from minitf.keras.layers.rnn.stacked_rnn_cells import StackedRNNCells
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: `cell` needs a `call` method and a `state_size` attribute. Received: cell={cell}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.states = None  # stateful: the final states of the last call, as Variables (Keras's)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        sizes = cell.state_size
        self.state_size = list(sizes) if isinstance(sizes, (list, tuple)) else [int(sizes)]
        # The loop keeps the states in a flat list; _state_structure nests them back (stacked cells).
        self._state_structure = _state_structure(cell)
        self._flat_state_sizes = _flatten(self._state_structure)

    # ---- shapes, masks ----
    def build(self, sequences_shape, initial_state_shape=None) -> None:
        check_sequence_shape(self, sequences_shape)
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be static. Found dynamic "
                                 f"batch size: sequence.shape={tuple(sequences_shape)}")
            self._create_state_variables(int(sequences_shape[0]))
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((sequences_shape[0],) + tuple(sequences_shape[2:]))
            for variable in self.cell.weights:  # Keras's paths: "lstm/lstm_cell/kernel"
                variable.path = f"{self.name}/{variable.path}"

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        check_sequence_shape(self, sequences_shape)
        batch, steps = sequences_shape[0], sequences_shape[1]
        units = getattr(self.cell, "output_size", None) or self.state_size[0]
        output = (batch, steps, units) if self.return_sequences else (batch, units)
        if self.return_state:
            return [output] + [[(batch, s) for s in size] if isinstance(size, (list, tuple)) else (batch, size)
                               for size in self.state_size]
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + _pack(self._state_structure, [None] * len(self._flat_state_sizes))
        return output_mask

    def get_initial_state(self, batch_size: int) -> list[Tensor]:
        """Zeros, one (batch, size) tensor per state (nested per cell for stacked cells, as Keras)."""
        flat = [creation.zeros((batch_size, size), dtype=self._np_dtype) for size in self._flat_state_sizes]
        return _pack(self._state_structure, flat)

    # ---- stateful: the last call's final states start the next call ----
    def _create_state_variables(self, batch_size: int) -> None:
        from minitf.tensor import Variable
        with init_scope():  # made once, eagerly, even when the first call is traced
            # Plain Variables, not add_weight: Keras does not count them among the layer's weights.
            # nested per cell for stacked cells, as Keras's
            self.states = _pack(self._state_structure, [Variable(s, trainable=False, name="rnn_state")
                                                        for s in _flatten(self.get_initial_state(batch_size))])

    def reset_state(self) -> None:
        """Set the kept states back to zeros (``stateful=True``)."""
        if self.states is not None:
            for variable in _flatten(self.states):
                variable.assign(creation.zeros_like(variable))

    reset_states = reset_state

    # ---- the loop ----
    def call(self, sequences, initial_state=None, mask=None, training: bool = False):
        x = convert_to_tensor(sequences)
        check_sequence_shape(self, x.shape)
        if x._value.dtype.kind != "f":
            x = S.cast(x, self.compute_dtype)
        batch, steps = x.shape[0], x.shape[1]
        if steps == 0:
            raise ValueError(f"{type(self).__name__} layer '{self.name}': the input has 0 timesteps "
                             f"(shape {tuple(x.shape)}); there is nothing to run over")
        given_state = initial_state is not None
        if self.stateful and initial_state is None:
            kept = None if self.states is None else _flatten(self.states)
            if kept is None or tuple(kept[0].shape)[0] != batch:
                raise ValueError(f"{type(self).__name__} layer '{self.name}' is stateful, built for batches of "
                                 f"{None if kept is None else kept[0].shape[0]}; got a batch of {batch}")
            initial_state = [v.value() for v in kept]
        states = self._initial_states(initial_state, batch, x)
        mask_array = _mask_array(self, mask, batch, steps)
        cell = self.cell
        builtin = isinstance(cell, RecurrentCell)
        stacked = hasattr(cell, "prepare_dropout")  # StackedRNNCells: its cells' masks, drawn once per call
        try:
            if stacked:
                cell.prepare_dropout(batch, x.shape[2], x.dtype, bool(training))
            step_inputs = cell._step_inputs(x, bool(training)) if builtin else S.unstack(x, axis=1)
            order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
            outputs, output = [], None
            previous = None
            for t in order:
                step_mask = None if mask_array is None else mask_array[:, t:t + 1]
                if builtin:
                    output, states = cell._masked_step(step_inputs[t], states, step_mask)
                else:
                    output, states, previous = self._generic_step(step_inputs[t], states, step_mask, previous,
                                                                  training)
                if self.return_sequences:
                    outputs.append(output)
        finally:
            if builtin:
                cell._end_call()
            if stacked:
                cell.end_call()
        if self.stateful:
            for variable, state in zip(_flatten(self.states), states):
                variable.assign(state)
        result = S.stack(outputs, axis=1) if self.return_sequences else output
        if builtin and mask_array is not None and (self.zero_output_for_mask or given_state):
            result = self._mask_outputs(result, mask_array)
        if self.return_state:
            return (result, *_pack(self._state_structure, list(states)))
        return result

    def _initial_states(self, initial_state, batch: int | None, x: Tensor) -> list[Tensor]:
        if initial_state is None and batch is None:  # traced with an unknown batch size: zeros shaped from x
            column = S.cast(creation.zeros_like(x[:, 0, :1]), self._np_dtype)
            return [column + creation.zeros((1, size), dtype=self._np_dtype) for size in self._flat_state_sizes]
        if initial_state is None:
            return _flatten(self.get_initial_state(batch))
        given = _flatten(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        sizes = self._flat_state_sizes
        if len(given) != len(sizes):
            raise ValueError(f"{type(self).__name__} layer '{self.name}' expects {len(sizes)} initial "
                             f"state(s) (shapes {[(batch, s) for s in sizes]}), got {len(given)}")
        states = []
        for value, size in zip(given, sizes):
            value = convert_to_tensor(value, dtype_hint=self.compute_dtype)
            if tuple(value.shape) != (batch, size):
                raise ValueError(f"{type(self).__name__} layer '{self.name}': an initial state must have shape "
                                 f"{(batch, size)}, got {tuple(value.shape)}")
            states.append(value)
        return states

    def _generic_step(self, step_input, states, step_mask, previous, training):
        """A user cell: call it, then apply the mask as Keras's ``backend.rnn`` does."""
        kwargs = {"training": training} if getattr(self.cell, "_call_has_training_arg", False) else {}
        output, new_states = self.cell(step_input, _pack(self._state_structure, list(states)), **kwargs)
        new_states = _flatten(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if step_mask is None:
            return output, new_states, output
        keep = step_mask
        if previous is None or self.zero_output_for_mask:
            previous = creation.zeros_like(output)
        output = E.where(keep, output, previous)
        new_states = [E.where(keep, new, old) for new, old in zip(new_states, states)]
        return output, new_states, output

    def _mask_outputs(self, result: Tensor, mask_array) -> Tensor:
        """Outputs of the built-in cells are their (masked, carried) h states; Keras's outputs differ
        from h only (a) with zero_output_for_mask: zeros at masked steps, and (b) with an initial state:
        zeros until the first unmasked step (the output starts from zeros, the state from h0)."""
        processed = mask_array[:, ::-1] if self.go_backwards else mask_array  # in the order steps ran
        keep = processed if self.zero_output_for_mask else R.cumsum(S.cast(processed, "int32"), axis=1) > 0
        if self.return_sequences:
            return E.where(keep[:, :, None], result, 0.0)
        return E.where(keep[:, -1:], result, 0.0)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"return_sequences": self.return_sequences, "return_state": self.return_state,
                       "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                       "zero_output_for_mask": self.zero_output_for_mask})
        if type(self) is RNN:
            from minitf.keras.saving.serialization import serialize_keras_object
            config["cell"] = serialize_keras_object(self.cell)
        elif self.cell_settings:  # SimpleRNN, GRU, LSTM: the cell's settings, flat, as Keras's
            cell_config = self.cell.get_config()
            for key in ("name", "trainable", "dtype"):
                cell_config.pop(key, None)
            config.update(cell_config)
            config["activity_regularizer"] = serialize_object(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "cell" not in config:  # LSTM, GRU, SimpleRNN: the cell's settings are the layer's own
            return cls(**config)
        from minitf.keras.saving.serialization import deserialize_keras_object
        cell = deserialize_keras_object(config.pop("cell"), what="RNN cell")
        return cls(cell, **config)


def _state_structure(cell) -> list:
    """The cell's state sizes, nested as its states are: a flat list for one cell; for stacked cells
    (Keras's nesting) one list per cell that has ``get_initial_state`` or several states, else its size."""
    if not hasattr(cell, "prepare_dropout"):
        sizes = cell.state_size
        return [int(s) for s in sizes] if isinstance(sizes, (list, tuple)) else [int(sizes)]
    structure = []
    for sub in cell.cells:
        sizes = sub.state_size
        if isinstance(sizes, (list, tuple)):
            structure.append([int(s) for s in sizes])
        else:
            structure.append([int(sizes)] if hasattr(sub, "get_initial_state") else int(sizes))
    return structure


def _flatten(nested) -> list:
    """The leaves of nested lists/tuples, in order."""
    if not isinstance(nested, (list, tuple)):
        return [nested]
    return [leaf for item in nested for leaf in _flatten(item)]


def _pack(structure, flat: list):
    """``flat`` nested like ``structure`` (the inverse of ``_flatten``)."""
    leaves = iter(flat)

    def build(node):
        if isinstance(node, (list, tuple)):
            return [build(n) for n in node]
        return next(leaves)
    return build(structure)


def _mask_array(layer: Layer, mask, batch: int, steps: int):
    """The mask as a (batch, timesteps) bool tensor, checked, or None."""
    if mask is None:
        return None
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
        if mask is None:
            return None
    mask = convert_to_tensor(mask)
    if mask.ndim == 3 and mask.shape[-1] == 1:
        mask = mask[..., 0]
    if tuple(mask.shape) != (batch, steps):
        raise ValueError(f"{type(layer).__name__} layer '{layer.name}': the mask must have shape (batch, timesteps) "
                         f"= {(batch, steps)}, got {tuple(mask.shape)}")
    return mask if mask.dtype == "bool" else S.cast(mask, "bool")
