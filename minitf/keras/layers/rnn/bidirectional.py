"""Bidirectional (``keras.layers.Bidirectional``): read the sequence both ways, merge the two readings.

Two copies of a recurrent layer: ``forward_layer`` reads t = 0 .. T-1, ``backward_layer``
(the same configuration with ``go_backwards`` flipped) reads t = T-1 .. 0. With
return_sequences the backward outputs are flipped back into time order, so that position t
holds both readings of step t. Then ``merge_mode``:

    "concat" [y_fwd, y_bwd] on the last axis (default)   "sum"  y_fwd + y_bwd
    "mul"    y_fwd * y_bwd                                "ave"  (y_fwd + y_bwd) / 2
    None     the list [y_fwd, y_bwd]

Weights: the forward layer's, then the backward layer's. With a mask and return_sequences,
both layers output zeros at masked steps (Keras sets ``zero_output_for_mask`` for them).
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.core.wrapper import deserialize_layer, serialize_layer
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.rnn.base_rnn import check_sequence_shape
from minitf.ops import shape_ops as S

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Wraps a recurrent layer (LSTM, GRU, SimpleRNN, RNN) to run forwards and backwards."""

    def __init__(self, layer: Layer, merge_mode: str | None = "concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        if not hasattr(layer, "go_backwards"):
            raise ValueError(f"Bidirectional: the wrapped layer must be a recurrent layer (with `go_backwards`), "
                             f"got {type(layer).__name__}")
        super().__init__(**kwargs)
        # Fresh copies from the layer's config, as Keras makes them (no state carried over).
        config = serialize_layer(layer)
        config["config"]["name"] = f"forward_{_strip(layer.name, 'forward_')}"
        self.forward_layer = deserialize_layer(config)
        if backward_layer is None:
            config = serialize_layer(layer)
            config["config"]["go_backwards"] = not layer.go_backwards
            config["config"]["name"] = f"backward_{_strip(layer.name, 'backward_')}"
            self.backward_layer = deserialize_layer(config)
        else:
            self.backward_layer = backward_layer
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = weights
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def _verify_layer_config(self) -> None:
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different `go_backwards` value. Received: "
                             f"forward_layer.go_backwards {self.forward_layer.go_backwards}, "
                             f"backward_layer.go_backwards={self.backward_layer.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            forward, backward = getattr(self.forward_layer, attr), getattr(self.backward_layer, attr)
            if forward != backward:
                raise ValueError(f'Forward layer and backward layer are expected to have the same value for '
                                 f'attribute "{attr}", got "{forward}" for forward layer and "{backward}" for '
                                 f'backward layer')

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        check_sequence_shape(self, sequences_shape)
        if not self.forward_layer.built:
            self.forward_layer.build(sequences_shape)
        if not self.backward_layer.built:
            self.backward_layer.build(sequences_shape)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = tuple(shape[:-1]) + (None if shape[-1] is None else 2 * shape[-1],)
        outputs = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state:
            return outputs + states + states
        return outputs if self.merge_mode is None else shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if self.merge_mode is None else mask
        else:
            output_mask = [None, None] if self.merge_mode is None else None
        if self.return_state:
            n_states = len(getattr(self.forward_layer, "state_size", [None]))
            head = output_mask if isinstance(output_mask, list) else [output_mask]
            return head + [None] * (2 * n_states)
        return output_mask

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs: dict[str, Any] = {}
        if self.forward_layer._call_has_training_arg and training is not None:
            kwargs["training"] = training
        if self.forward_layer._call_has_mask_arg and mask is not None:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states: tuple = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = S.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = S.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            return (output + states) if self.merge_mode is None else (output,) + states
        return output

    def get_config(self) -> dict:
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialize_layer(self.forward_layer)
        config["backward_layer"] = serialize_layer(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Bidirectional":
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = deserialize_layer(backward)
        return cls(layer, backward_layer=backward, **config)
