"""Node: one call of a layer on symbolic tensors, an edge bundle of the functional graph.

``y = dense(x)`` on KerasTensors appends a Node to ``dense._inbound_nodes`` holding the call's
arguments (``x`` and any constants) and its outputs (``y``); ``y._keras_history`` points back
at (dense, that node's index, 0). A layer called twice (shared) has two nodes.
"""
from __future__ import annotations

from typing import Any

from minitf import nest
from minitf.keras.engine.keras_tensor import KerasHistory, KerasTensor


class Node:
    """``operation(*call_args, **call_kwargs) -> outputs``, recorded symbolically."""

    def __init__(self, operation: Any, call_args: tuple = (), call_kwargs: dict | None = None, outputs: Any = None):
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.input_tensors = [t for t in nest.flatten((self.call_args, self.call_kwargs)) if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in nest.flatten(outputs) if isinstance(t, KerasTensor)]
        # An input node has no input tensors: it is where data enters (an InputLayer).
        self.is_input = not self.input_tensors
        operation._inbound_nodes.append(self)
        index = len(operation._inbound_nodes) - 1
        for i, tensor in enumerate(self.output_tensors):
            tensor._keras_history = KerasHistory(operation, index, i)
        # Fast path for running the graph: a single tensor argument and no keyword arguments.
        self.single_input = (len(self.call_args) == 1 and isinstance(self.call_args[0], KerasTensor)
                             and not self.call_kwargs)

    @property
    def parent_nodes(self) -> list["Node"]:
        """The nodes that produced this node's inputs."""
        parents = []
        for t in self.input_tensors:
            history = t._keras_history
            if history is not None:
                parents.append(history.operation._inbound_nodes[history.node_index])
        return parents

    def arguments(self, values: dict[int, Any]) -> tuple[tuple, dict]:
        """The call's args and kwargs with each KerasTensor replaced by ``values[id(tensor)]``."""
        def fill(node_arg):
            return nest.map_structure(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, node_arg)
        return fill(self.call_args), fill(self.call_kwargs)

    def __repr__(self) -> str:
        return f"<Node {self.operation.name}: {len(self.input_tensors)} in -> {len(self.output_tensors)} out>"
