"""Functional: a model defined by a graph of layer calls, ``keras.Model(inputs, outputs)``.

    a = keras.Input((3,), name="a"); b = keras.Input((4,), name="b")
    h = keras.layers.Concatenate()([a, b])
    out = keras.layers.Dense(1)(h)
    model = keras.Model(inputs=[a, b], outputs=out)

Construction walks back from the outputs through each KerasTensor's ``_keras_history`` to the
inputs (``map_graph``, a port of Keras's), giving every node a *depth* (its distance from the
outputs) and the layers in Keras's order: by decreasing depth, ties broken by the order a
depth-first walk from the outputs first met them. Running the model (``call``) executes the
recorded calls in that order on real tensors: each node's KerasTensor arguments are replaced
by the values computed for them.
"""
from __future__ import annotations

import collections
import inspect
from typing import Any

import numpy as np

from minitf import nest
from minitf.keras.engine.keras_tensor import KerasTensor
from minitf.keras.engine.model import Model
from minitf.keras.engine.node import Node
from minitf.keras.layers.core.input_layer import InputLayer
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor


def _build_map(inputs: list, outputs: list) -> tuple[list[Node], dict]:
    """Nodes in topological order (inputs first) and each operation's first-visit index."""
    finished, in_progress = set(), set()
    ordered: list[Node] = []
    visit_index: dict[Any, int] = {}
    input_ids = {id(t) for t in inputs}

    def visit(tensor: KerasTensor) -> None:
        history = tensor._keras_history
        if history is None:
            raise ValueError(f"Output tensors of a Functional model must be the output of a Keras layer; "
                             f"{tensor} was not produced by a layer call")
        operation = history.operation
        node = operation._inbound_nodes[history.node_index]
        if node in finished:
            return
        if not node.is_input and id(tensor) in input_ids:
            finished.add(node)
            return
        if node in in_progress:
            raise ValueError(f"Tensor {tensor} from operation '{operation.name}' is part of a cycle.")
        visit_index.setdefault(operation, len(visit_index))
        in_progress.add(node)
        if not node.is_input:
            for t in node.input_tensors:
                visit(t)
        finished.add(node)
        in_progress.discard(node)
        ordered.append(node)

    for output in outputs:
        visit(output)
    return ordered, visit_index


def map_graph(inputs: list, outputs: list) -> tuple[set, dict, list, dict]:
    """(nodes, nodes_by_depth, operations, operations_by_depth) of the graph from inputs to outputs."""
    ordered, visit_index = _build_map(inputs, outputs)
    in_graph = set(ordered)
    node_depth: dict[Node, int] = {}
    op_depth: dict[Any, int] = {}
    for node in reversed(ordered):
        depth = node_depth.setdefault(node, 0)
        depth = max(depth, op_depth.get(node.operation, 0))  # a shared layer takes its deepest use
        op_depth[node.operation] = depth
        node_depth[node] = depth
        for parent in node.parent_nodes:
            if parent in in_graph:
                node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for t in inputs:  # inputs not connected to any output still belong to the model
        operation = t._keras_history.operation
        if operation not in op_depth:
            node = operation._inbound_nodes[t._keras_history.node_index]
            if node.is_input:
                op_depth[operation] = 0
                visit_index[operation] = -1
                node_depth[node] = 0
    nodes_by_depth: dict[int, list[Node]] = collections.defaultdict(list)
    for node, depth in node_depth.items():
        nodes_by_depth[depth].append(node)
    ops_by_depth: dict[int, list] = collections.defaultdict(list)
    for operation, depth in op_depth.items():
        ops_by_depth[depth].append(operation)
    operations = []
    for depth in sorted(ops_by_depth, reverse=True):
        operations.extend(sorted(ops_by_depth[depth], key=lambda op: visit_index[op]))
    # Every tensor a node needs must be computable from the inputs.
    computable = {id(t) for t in inputs}
    for node in ordered:
        if node.is_input and not any(id(t) in computable for t in node.output_tensors):
            raise ValueError(f"Output is not connected to `inputs`: the graph reaches the input "
                             f"'{node.operation.name}', which is not one of the model's inputs (Graph disconnected)")
    done = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for t in node.input_tensors:
                if id(t) not in computable:
                    raise ValueError(f"Graph disconnected: cannot find parent for tensor {t} at layer "
                                     f"'{node.operation.name}'. The following previous layers were accessed "
                                     f"without issue: {done}")
            done.append(node.operation.name)
            computable.update(id(t) for t in node.output_tensors)
    names = [op.name for op in operations]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the model. '
                             "All layer names should be unique.")
    return in_graph, dict(nodes_by_depth), operations, dict(ops_by_depth)


class Functional(Model):
    """A Model built from ``inputs`` and ``outputs`` KerasTensors (single, list or dict of them)."""

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)  # trainable, dtype ... (Keras's signature: inputs, outputs, name)
        if isinstance(inputs, dict):
            for k, v in inputs.items():
                if isinstance(v, KerasTensor) and k != v.name:
                    pass  # Keras warns; the dict key is what callers use
        flat_inputs = nest.flatten(inputs)
        flat_outputs = nest.flatten(outputs)
        for t in flat_inputs + flat_outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"All `inputs` and `outputs` of a Functional model must be KerasTensors (made by "
                                 f"keras.Input and layer calls). Received: {t!r} (of type {type(t).__name__})")
        if not flat_outputs:
            raise ValueError("A Functional model needs at least one output")
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs = flat_inputs
        self._outputs = flat_outputs
        nodes, nodes_by_depth, operations, _ = map_graph(flat_inputs, flat_outputs)
        self._network_nodes = nodes
        self._nodes_by_depth = nodes_by_depth
        self._operations = operations
        # The execution plan: every non-input node, deepest (closest to the inputs) first.
        self._plan = [node for depth in sorted(nodes_by_depth, reverse=True) for node in nodes_by_depth[depth]
                      if not node.is_input]
        self._input_ids = [id(t) for t in flat_inputs]
        self._output_ids = [id(t) for t in flat_outputs]
        self.built = True
        self._build_input_shape = [tuple(t.shape) for t in flat_inputs] if len(flat_inputs) > 1 \
            else tuple(flat_inputs[0].shape)

    # ---- structure ----
    @property
    def _layers(self) -> list[Layer]:
        return [op for op in self._operations if isinstance(op, Layer)]

    @property
    def layers(self) -> list[Layer]:
        return self._layers

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [tuple(t.shape) for t in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [tuple(t.shape) for t in self._outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_names(self) -> list[str]:
        return [t._keras_history.operation.name for t in self._outputs]

    @property
    def input_names(self) -> list[str]:
        return [t._keras_history.operation.name for t in self._inputs]

    @property
    def input_dtype(self) -> str:
        return self._inputs[0].dtype

    @property
    def input_spec(self):
        specs = [InputSpec(shape=(None,) + tuple(t.shape[1:]), allow_last_axis_squeeze=True,
                           name=t._keras_history.operation.name) for t in self._inputs]
        return specs[0] if len(specs) == 1 and not isinstance(self._inputs_struct, (list, tuple, dict)) else specs

    @input_spec.setter
    def input_spec(self, value):  # the spec follows from the inputs; Layer.__init__ sets None
        pass

    # ---- running the graph ----
    def _standardize_inputs(self, inputs: Any) -> list[Tensor]:
        """The model inputs as a flat list in ``self._inputs`` order, as tensors of the right rank."""
        n = len(self._inputs)
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                keys = sorted(self._inputs_struct)  # the order nest.flatten gave self._inputs
            else:
                keys = [t.name if t.name in inputs else t._keras_history.operation.name for t in self._inputs]
            missing = [k for k in keys if k not in inputs]
            if missing:
                raise ValueError(f"Model '{self.name}': missing data for input '{missing[0]}'. You passed a data "
                                 f"dictionary with keys {sorted(inputs)}. Expected the following keys: {keys}")
            flat = [inputs[k] for k in keys]
        elif isinstance(inputs, (list, tuple)) and not _looks_like_one_array(inputs, n):
            flat = list(inputs)
        else:
            flat = [inputs]
        if len(flat) != n:
            raise ValueError(f'Model "{self.name}" expects {n} input(s), but it received {len(flat)} input tensors.')
        out = []
        for x, ref in zip(flat, self._inputs):
            if x is None:
                out.append(x)
                continue
            if not isinstance(x, Tensor):
                x = convert_to_tensor(np.asarray(x) if isinstance(x, (list, tuple)) else x)
            if x._value.dtype.kind == "f" and x._value.dtype != ref.np_dtype and ref.np_dtype.kind == "f":
                x = S.cast(x, ref.dtype)  # float inputs take the Input's float type (Keras's autocast)
            out.append(_adjust_rank(x, ref))
        return out

    def call(self, inputs, training=None, mask=None):
        flat = self._standardize_inputs(inputs)
        values: dict[int, Any] = dict(zip(self._input_ids, flat))
        if mask is not None:
            from minitf.keras import backend
            for x, m in zip(flat, nest.flatten(mask)):
                if m is not None:
                    backend.set_keras_mask(x, m)
        for node in self._plan:
            if node.single_input:
                result = node.operation(values[id(node.call_args[0])])
            else:
                args, kwargs = node.arguments(values)
                if training is not None and "training" in kwargs:
                    # As Keras 3: the training flag of this call wins over one written when the model
                    # was built (`base(inputs, training=False)` runs in training mode inside `fit`).
                    kwargs["training"] = training
                result = node.operation(*args, **kwargs)
            outs = node.output_tensors
            if len(outs) == 1:
                values[id(outs[0])] = result if not isinstance(result, (list, tuple)) else nest.flatten(result)[0]
            else:
                for t, v in zip(outs, nest.flatten(result)):
                    values[id(t)] = v
        results = [values[i] for i in self._output_ids]
        return nest.pack_sequence_as(self._outputs_struct, results) if nest.is_nested(self._outputs_struct) \
            else results[0]

    # ---- config ----
    def _node_indices(self) -> dict[int, int]:
        """id(node) -> its index among the nodes of its layer that belong to this model."""
        index = {}
        for layer in self._operations:
            k = 0
            for node in layer._inbound_nodes:
                if node in self._network_nodes or (node.is_input and isinstance(layer, InputLayer)):
                    index[id(node)] = k
                    k += 1
        return index

    def get_config(self) -> dict:
        """The layers, their connections, and the model's inputs and outputs. A subclass whose
        ``__init__`` takes other arguments than Functional's cannot be rebuilt from those: it gets
        Model's config (its own ``get_config``, as in Keras)."""
        from minitf.keras.saving.serialization import serialize_keras_object
        if not functional_like_constructor(type(self)):
            return Model.get_config(self)
        node_index = self._node_indices()

        def history(t: KerasTensor) -> list:
            h = t._keras_history
            node = h.operation._inbound_nodes[h.node_index]
            return [h.operation.name, node_index.get(id(node), 0), h.tensor_index]

        def encode(value):
            if isinstance(value, KerasTensor):
                return {"class_name": "__keras_tensor__", "config": {"shape": list(value.shape), "dtype": value.dtype,
                                                                     "keras_history": history(value)}}
            if isinstance(value, (list, tuple)):
                return [encode(v) for v in value]
            if isinstance(value, dict):
                return {k: encode(v) for k, v in value.items()}
            return serialize_keras_object(value)

        layers = []
        for layer in self._operations:
            entry = serialize_keras_object(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = [{"args": encode(list(node.call_args)), "kwargs": encode(node.call_kwargs)}
                                      for node in layer._inbound_nodes
                                      if node in self._network_nodes and not node.is_input]
            layers.append(entry)

        def structure(struct):
            if isinstance(struct, KerasTensor):
                return history(struct)
            if isinstance(struct, dict):
                return {k: structure(v) for k, v in struct.items()}
            return [structure(v) for v in struct]

        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": structure(self._inputs_struct), "output_layers": structure(self._outputs_struct)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Functional":
        from minitf.keras.saving.serialization import deserialize_keras_object
        if "layers" not in config:  # a subclass's own config (see get_config): its __init__ takes it
            return Model.from_config.__func__(cls, config, custom_objects)
        created: dict[str, Layer] = {}
        outputs_of: dict[tuple, Any] = {}  # (layer name, node index) -> outputs
        pending = []
        for entry in config["layers"]:
            layer = deserialize_keras_object(entry, custom_objects, what="layer")
            created[entry["name"]] = layer
            # keyed by the config's names: a layer whose get_config leaves out `name` gets a new one (as Keras)
            if isinstance(layer, InputLayer):
                outputs_of[(entry["name"], 0)] = layer.output
            pending.extend((layer, entry["name"], i, node) for i, node in enumerate(entry.get("inbound_nodes", [])))

        def decode(value):
            if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
                name, node_idx, tensor_idx = value["config"]["keras_history"]
                if (name, node_idx) not in outputs_of:
                    raise LookupError
                return nest.flatten(outputs_of[(name, node_idx)])[tensor_idx]
            if isinstance(value, list):
                return [decode(v) for v in value]
            if isinstance(value, dict):
                return {k: decode(v) for k, v in value.items()}
            return value

        while pending:  # run each recorded call once all its inputs exist
            progress = False
            for item in list(pending):
                layer, config_name, i, node = item
                try:
                    args, kwargs = decode(node["args"]), decode(node.get("kwargs", {}))
                except LookupError:
                    continue
                # Keras records the training flag a layer's call defaulted to (training=True for the
                # random augmentation layers); the model's own call decides it, as in Keras.
                kwargs.pop("training", None)
                outputs_of[(config_name, i)] = layer(*args, **kwargs)
                pending.remove(item)
                progress = True
            if not progress:
                raise ValueError(f"Functional.from_config: cannot reconnect the layers "
                                 f"{sorted({name for _, name, _, _ in pending})}; the saved graph is inconsistent")

        def rebuild(struct):
            if isinstance(struct, list) and len(struct) == 3 and isinstance(struct[0], str):
                name, node_idx, tensor_idx = struct
                return nest.flatten(outputs_of[(name, node_idx)])[tensor_idx]
            if isinstance(struct, dict):
                return {k: rebuild(v) for k, v in struct.items()}
            return [rebuild(v) for v in struct]

        inputs = rebuild(config["input_layers"])
        outputs = rebuild(config["output_layers"])
        return cls(inputs=inputs, outputs=outputs, name=config.get("name"), trainable=config.get("trainable", True))


def functional_like_constructor(cls: type) -> bool:
    """Whether ``cls.__init__`` takes Functional's arguments, or ``*args`` and ``**kwargs`` (so that a
    config of layers rebuilds it), as Keras decides it."""
    init = inspect.getfullargspec(cls.__init__)
    return init.args[1:] == inspect.getfullargspec(Functional.__init__).args[1:] or \
        (init.varargs is not None and init.varkw is not None)


def _looks_like_one_array(inputs: Any, n_inputs: int) -> bool:
    """A list given to a model is several inputs, unless it is nested Python numbers (one array)."""
    if n_inputs > 1:
        return False
    return all(isinstance(v, (int, float, np.number)) or (isinstance(v, (list, tuple)) and _looks_like_one_array(v, 1))
               for v in inputs)


def _adjust_rank(x: Tensor, ref: KerasTensor) -> Tensor:
    """Keras's ``_adjust_input_rank``: add or drop a trailing axis of size 1, else refuse."""
    rank, ref_rank = x.ndim, len(ref.shape)
    if rank == ref_rank:
        return x
    if rank == ref_rank + 1 and x.shape[-1] == 1:
        return S.squeeze(x, -1)
    if rank == ref_rank - 1 and ref.shape[-1] == 1:
        return S.expand_dims(x, -1)
    raise ValueError(f"Invalid input shape for input {ref.name}. Expected shape {tuple(ref.shape)}, but input has "
                     f"incompatible shape {tuple(x.shape)}")
