"""``keras.Input``: where data enters a functional model, as a symbolic KerasTensor.

``x = keras.Input(shape=(2,))`` makes an InputLayer and returns its output, a KerasTensor of
shape (None, 2): the batch size is left open. Layers called on it record the graph that
``keras.Model(inputs, outputs)`` later runs.
"""
from __future__ import annotations

from typing import Any

from minitf.keras import naming
from minitf.keras.engine.keras_tensor import KerasTensor
from minitf.keras.engine.node import Node
from minitf.keras.layers.layer import Layer


class InputLayer(Layer):
    """The layer behind ``keras.Input``: no weights; its only node has no inputs."""

    def __init__(self, shape=None, batch_size: int | None = None, dtype=None, sparse: bool | None = None,
                 batch_shape=None, input_tensor: KerasTensor | None = None, optional: bool = False,
                 name: str | None = None, **kwargs):
        kwargs.pop("ragged", None)
        tensor_name = name  # as in Keras: an unnamed Input's tensor is "keras_tensor_N"
        super().__init__(name=name or naming.auto_name("input_layer"), dtype=dtype, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("InputLayer: pass `shape` or `batch_shape`, not both. "
                             f"Received: shape={shape}, batch_shape={batch_shape}")
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(f"InputLayer: input_tensor must be a KerasTensor, got {type(input_tensor).__name__}")
            batch_shape = tuple(input_tensor.shape)
        elif batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to Input (e.g. keras.Input(shape=(2,))).")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        for d in self.batch_shape:
            if d is not None and d < 0:
                raise ValueError(f"Input: dimensions must be None or >= 0, got shape {self.batch_shape}")
        self.sparse = bool(sparse)
        self.optional = optional
        if input_tensor is None:
            input_tensor = KerasTensor(self.batch_shape, dtype=self._dtype, name=tensor_name)
        self._input_tensor = input_tensor
        Node(self, call_args=(), call_kwargs={}, outputs=input_tensor)
        self.built = True

    def call(self):
        return None

    @property
    def output(self) -> KerasTensor:
        return self._input_tensor

    @property
    def dtype(self) -> str:
        return self._dtype

    def get_config(self) -> dict:
        return {"batch_shape": self.batch_shape, "dtype": self._dtype, "sparse": self.sparse,
                "name": self.name, "optional": self.optional}

    @classmethod
    def from_config(cls, config: dict) -> "InputLayer":
        config = dict(config)
        if config.get("batch_shape") is not None:
            config["batch_shape"] = tuple(config["batch_shape"])
        return cls(**config)


def Input(shape=None, batch_size: int | None = None, dtype: Any = None, sparse: bool | None = None,  # noqa: N802
          batch_shape=None, name: str | None = None, tensor: KerasTensor | None = None,
          optional: bool = False) -> KerasTensor:
    """A symbolic input of ``shape`` (without the batch dimension), e.g. ``Input((28, 28, 1))``."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, input_tensor=tensor, optional=optional)
    return layer.output
