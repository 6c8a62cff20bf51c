"""Activation: applies an activation function to its input, ``Activation("relu")(x)``.

Also home of ``apply_activation``, which Dense uses too: Keras's sigmoid and softmax
activations mark their output with the logits they came from (the crossentropy shortcut, see
``minitf/keras/losses.py``). ``keras.activations.sigmoid`` does that itself; the raw ops
``tf.nn.sigmoid`` / ``tf.nn.softmax`` / ``tf.math.sigmoid`` passed as ``activation=`` do not,
but in Keras's compiled ``fit`` the loss still finds their logits (it looks at the op that made
the output, which a graph tensor has and an eager tensor does not), so here they are marked as
well, but only while a step is traced (``backend.in_compiled_step()``): with
``run_eagerly=True`` Keras clips such outputs (a saturated sigmoid's BCE: 16.1, not 30.0), and so
does minitf. Keras's eager and compiled steps differ here, so minitf's do too (the other such
place: the per-output loss means, ``compile_utils.CompileLoss``).
"""
from __future__ import annotations

from typing import Any, Callable

from minitf.keras import activations, backend
from minitf.keras.layers.layer import Layer
from minitf.nn import activations as nn_activations
from minitf.ops import elementwise as E


def _raw_logit_activations() -> tuple:
    return (E.sigmoid, nn_activations.softmax)


def apply_activation(activation: Callable, x: Any) -> Any:
    """``activation(x)``; a raw sigmoid/softmax op's output is marked with its logits ``x``."""
    y = activation(x)
    if activation in _raw_logit_activations() and backend.in_compiled_step():
        from minitf.keras.losses import register_logits
        register_logits(y, x)
    return y


class Activation(Layer):
    """``activation(inputs)``, elementwise (softmax: along the last axis). Output shape = input shape."""

    def __init__(self, activation: Any, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)
        self._build_at_init()

    def call(self, inputs):
        return apply_activation(self.activation, inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
