"""OpLayer: what ``x + y`` (or ``x * 2``, ``x[:, 0]`` ...) on symbolic KerasTensors becomes.

Keras 3 turns Python operators on KerasTensors into small graph operations (shown as
``add (Add)`` in a summary); here they are tiny layers that apply the matching minitf op.
Not meant to be created by hand.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.layer import Layer
from minitf.ops import elementwise as E
from minitf.ops import linalg as L
from minitf.ops import shape_ops as S

_OPS = {"add": E.add, "subtract": E.subtract, "multiply": E.multiply, "divide": E.divide, "pow": E.pow,
        "matmul": L.matmul, "negative": E.negative}


class OpLayer(Layer):
    """Applies one minitf op (named by ``op``) to its arguments."""

    def __init__(self, op: str, key: Any = None, **kwargs):
        super().__init__(**kwargs)
        if op not in _OPS and op != "getitem":
            raise ValueError(f"OpLayer: unknown op {op!r}")
        self.op = op
        self.key = key

    def call(self, *args):
        if self.op == "getitem":
            return S.getitem(args[0], self.key)
        return _OPS[self.op](*args)

    def get_config(self) -> dict:
        if self.key is not None:
            raise NotImplementedError(f"Layer '{self.name}' (indexing a KerasTensor) cannot be saved; "
                                      "use a Lambda layer with a named function instead")
        config = super().get_config()
        config["op"] = self.op
        return config
