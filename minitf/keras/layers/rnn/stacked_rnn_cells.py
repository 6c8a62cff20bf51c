"""StackedRNNCells: several recurrent cells that behave as one (``keras.layers.StackedRNNCells``).

At each time step the cells run in order, each on the previous one's output:

    out_0, states_0 = cell_0(x_t, states_0)
    out_1, states_1 = cell_1(out_0, states_1)   ...   output = out_last

so ``RNN(StackedRNNCells([c0, c1]))`` is a stack of recurrent layers run step by step (one loop over
time instead of one per layer). ``RNN([c0, c1])`` makes the stack itself, as Keras does.

States are nested per cell, as Keras nests them: ``state_size`` is ``[c.state_size for c in cells]``
and the RNN's states are the cells' initial states, e.g. ``[[h, c], [h]]`` for an LSTMCell over a
GRUCell (``return_state=True`` returns ``output, [h, c], [h]``).

Dropout (Keras's ``RNN._maybe_config_dropout_masks``): before the loop the RNN draws every cell's
masks once, in cell order: cell 0's input and recurrent masks, then cell 1's (its input mask
shaped like cell 0's output), ... each from its own cell's seed generator; the same masks serve
every time step. ``prepare_dropout`` does that here; ``end_call`` forgets them.
"""
from __future__ import annotations

from minitf.keras.layers.layer import Layer
from minitf.keras.layers.rnn.base_rnn import RecurrentCell
from minitf.ops import creation
from minitf.ops import shape_ops as S

__all__ = ["StackedRNNCells"]


def _is_nested(value) -> bool:
    return isinstance(value, (list, tuple))


def cell_output_size(cell) -> int:
    """The width of a cell's output (Keras's rule: output_size, else the first state's size)."""
    if getattr(cell, "output_size", None) is not None:
        return cell.output_size
    if _is_nested(cell.state_size):
        return cell.state_size[0]
    return cell.state_size


class StackedRNNCells(Layer):
    """Run ``cells`` one after the other at each time step, as one cell (see module doc)."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not _is_nested(cells) or not cells:
            raise ValueError(f"StackedRNNCells: `cells` must be a non-empty list of RNN cells, got cells={cells!r}")
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError(f"StackedRNNCells: all cells must have a `call` method. Received cell without a "
                                 f"`call` method: {cell}")
            if not hasattr(cell, "state_size"):
                raise ValueError(f"StackedRNNCells: all cells must have a `state_size` attribute. Received cell "
                                 f"without a `state_size`: {cell}")
        self.cells = list(cells)
        self._input_masks = None  # during an RNN's call: each built-in cell's input dropout masks (or None)

    @property
    def state_size(self) -> list:
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self) -> int:
        return cell_output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None) -> list:
        """Each cell's initial states, in a list per cell (zeros where a cell has no ``get_initial_state``)."""
        states = []
        for cell in self.cells:
            if hasattr(cell, "get_initial_state"):
                states.append(cell.get_initial_state(batch_size=batch_size))
            elif _is_nested(cell.state_size):
                states.append([creation.zeros((batch_size, d), dtype=self._np_dtype) for d in cell.state_size])
            else:
                states.append(creation.zeros((batch_size, cell.state_size), dtype=self._np_dtype))
        return states

    def build(self, input_shape) -> None:
        """Build each cell on the previous one's output shape (batch, output width)."""
        input_shape = tuple(input_shape)
        batch = input_shape[0]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
                for variable in cell.weights:  # Keras's paths: "stacked_rnn_cells/lstm_cell/kernel"
                    variable.path = f"{self.name}/{variable.path}"
            input_shape = (batch, cell_output_size(cell))

    # ---- dropout masks for one call of an RNN ----
    def prepare_dropout(self, batch: int, features: int, dtype, training: bool) -> None:
        """Draw each built-in cell's dropout masks, in cell order (Keras's order), for this call."""
        masks = []
        for cell in self.cells:
            if isinstance(cell, RecurrentCell):
                masks.append(cell._use_dropout_masks(*cell._draw_dropout_masks(batch, features, dtype), training))
            else:
                masks.append(None)
            features, dtype = cell_output_size(cell), self.compute_dtype
        self._input_masks = masks

    def end_call(self) -> None:
        self._input_masks = None
        for cell in self.cells:
            if isinstance(cell, RecurrentCell):
                cell._end_call()

    # ---- one time step ----
    def call(self, inputs, states, training: bool = False):
        """inputs (batch, features), states nested per cell -> (last cell's output, new states per cell)."""
        if len(states) != len(self.cells):
            raise ValueError(f"StackedRNNCells layer '{self.name}': expected one entry of states per cell "
                             f"({len(self.cells)}), got {len(states)}")
        new_states = []
        for k, (cell, cell_states) in enumerate(zip(self.cells, states)):
            state_is_list = _is_nested(cell_states)
            cell_states = list(cell_states) if state_is_list else [cell_states]
            if isinstance(cell, RecurrentCell) and self._input_masks is not None:
                # Inside an RNN: this call's masks are drawn already (prepare_dropout).
                step_input = cell._project(S.expand_dims(inputs, 1), self._input_masks[k])[0]
                inputs, cell_states = cell._masked_step(step_input, cell_states, None)
            else:
                kwargs = {"training": training} if getattr(cell, "_call_has_training_arg", False) else {}
                inputs, cell_states = (cell if callable(cell) else cell.call)(inputs, cell_states, **kwargs)
            cell_states = list(cell_states) if _is_nested(cell_states) else [cell_states]
            new_states.append(cell_states[0] if len(cell_states) == 1 and not state_is_list else cell_states)
        return inputs, new_states

    def get_config(self) -> dict:
        from minitf.keras.saving.serialization import serialize_keras_object
        return {**super().get_config(), "cells": [serialize_keras_object(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from minitf.keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        cells = [deserialize_keras_object(c, what="RNN cell") for c in config.pop("cells")]
        return cls(cells, **config)
