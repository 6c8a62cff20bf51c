"""``keras.utils.model_to_dot`` / ``plot_model``: a model's layers and connections as a Graphviz graph.

As in Keras, drawing needs the ``pydot`` package and Graphviz's ``dot`` program. Without them,
``plot_model`` prints Keras's message and returns None inside a notebook (IPython loaded), and
raises ImportError elsewhere. ``model_to_dot_source`` gives the DOT text with no dependency.
"""
from __future__ import annotations

import sys


def _edges(model) -> list[tuple]:
    """(from layer, to layer) pairs: a Functional model's graph, a Sequential model's chain."""
    layers = model.layers
    network = getattr(model, "_network_nodes", None)
    if not network:
        return list(zip(layers, layers[1:]))
    edges = []
    for layer in getattr(model, "_operations", layers):
        for node in layer._inbound_nodes:
            if node in network:
                for parent in node.parent_nodes:
                    edges.append((parent.operation, layer))
    return edges


def model_to_dot_source(model, show_shapes: bool = False, show_layer_names: bool = True, rankdir: str = "TB") -> str:
    """The DOT text of the model: one box per layer (name, class, and shapes with ``show_shapes``)."""
    lines = [f'digraph "{model.name}" {{', f"  rankdir={rankdir};", "  node [shape=record];"]
    layers = list(getattr(model, "_operations", model.layers))
    for layer in layers:
        label = f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__
        if show_shapes:
            out = getattr(layer, "output", None)
            shape = getattr(out, "shape", None)
            label += f"|output: {tuple(shape) if shape is not None else '?'}"
        lines.append(f'  "{id(layer)}" [label="{label}"];')
    for a, b in _edges(model):
        lines.append(f'  "{id(a)}" -> "{id(b)}";')
    lines.append("}")
    return "\n".join(lines)


def _missing(message: str):
    if "IPython.core.magics.namespace" in sys.modules:  # a notebook: say so and go on, as Keras
        print(message)
        return None
    raise ImportError(message)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB", expand_nested=False,
                 dpi=200, subgraph=False, show_layer_activations=False, show_trainable=False, **kwargs):
    try:
        import pydot
    except ImportError:
        return _missing("You must install pydot (`pip install pydot`) for `model_to_dot` to work.")
    return pydot.graph_from_dot_data(model_to_dot_source(model, show_shapes, show_layer_names, rankdir))[0]


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
               expand_nested=False, dpi=200, show_layer_activations=False, show_trainable=False, **kwargs):
    """Draw the model to ``to_file`` (needs pydot and Graphviz, as Keras)."""
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    try:
        import pydot
    except ImportError:
        return _missing("You must install pydot (`pip install pydot`) for `plot_model` to work.")
    import shutil
    if shutil.which("dot") is None:
        return _missing("You must install graphviz (see instructions at https://graphviz.gitlab.io/download/) for "
                        "`plot_model` to work.")
    graph = pydot.graph_from_dot_data(model_to_dot_source(model, show_shapes, show_layer_names, rankdir))[0]
    extension = to_file.rsplit(".", 1)[-1] if "." in to_file else "png"
    graph.write(to_file, format=extension)
    return None
