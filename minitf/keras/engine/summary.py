"""``model.summary()``: Keras 3's table of layers, output shapes and parameter counts.

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 100)            │           300 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 300 (1.17 KB)
     Trainable params: 300 (1.17 KB)
     Non-trainable params: 0 (0.00 B)

Param # of a Dense layer = in * out + out. Total = trainable + non-trainable + the optimizer's
variables once it is built ("Optimizer params"). Keras draws the table with the ``rich``
library; this file reproduces its layout without it: the line length is
``min(88, terminal columns - 4)`` (108 with a "Connected to" column, for non-sequential
functional models), split at ``positions`` and shrunk as rich shrinks columns.
"""
from __future__ import annotations

import math
import re
import shutil
from typing import Any, Callable

import numpy as np

from minitf import nest


def count_params(weights: list) -> int:
    return int(sum(math.prod(tuple(v.shape)) for v in weights))


def weight_memory_size(weights: list) -> float:
    unique = {id(w): w for w in weights}.values()
    return float(sum(math.prod(tuple(w.shape)) * np.dtype(w._value.dtype).itemsize for w in unique))


def readable_memory_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _format_shape(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def format_layer_shape(layer) -> str:
    """The layer's output shape as the summary prints it ("?" if never called nor built)."""
    nodes = [n for n in layer._inbound_nodes]
    if nodes:
        outputs = nodes[-1].outputs
        flat = nest.flatten(outputs)
        shapes = [_format_shape(t.shape) for t in flat]
        if len(shapes) == 1:
            return shapes[0]
        return str(nest.pack_sequence_as(outputs, shapes)).replace("'", "")
    if getattr(layer, "_build_input_shape", None) is not None and layer.built:
        try:
            shape = layer.compute_output_shape(layer._build_input_shape)
        except (NotImplementedError, Exception):  # noqa: BLE001 (any failure: unknown shape)
            return "?"
        if isinstance(shape, (list, tuple)) and shape and all(d is None or isinstance(d, (int, np.integer))
                                                               for d in shape):
            return _format_shape(shape)
        return "?"
    return "?"


def _ratio_reduce(total: int, widths: list[int]) -> list[int]:
    """rich's ``ratio_reduce`` with equal ratios: take ``total`` cells off the columns evenly."""
    ratios = [1 if w else 0 for w in widths]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(widths)
    remaining = total
    out = []
    for ratio, width in zip(ratios, widths):
        if ratio and total_ratio > 0:
            distributed = min(width, round(ratio * remaining / total_ratio))
            out.append(width - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            out.append(width)
    return out


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap, as rich wraps cell text; a word longer than the width gets a line of its own,
    cut to width - 1 characters and "…" (rich's default overflow, "ellipsis": "(MultiHeadAttentio…")."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if len(word) > width:
            if current:
                lines.append(current)
            lines.append(word[:width - 1] + "…")
            current = ""
            continue
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return lines


def _render_table(header: list[str], rows: list[list[str]], widths: list[int], align: list[str]) -> list[str]:
    """Lines of a rich-style table (heavy header, light body, a rule between rows)."""
    inner = [w - 2 for w in widths]  # one cell of padding on each side

    def cells(values: list[str], bar: str) -> list[str]:
        wrapped = [_wrap(v, w) for v, w in zip(values, inner)]
        height = max(len(w) for w in wrapped)
        lines = []
        for i in range(height):
            parts = []
            for col, (w, a) in enumerate(zip(inner, align)):
                text = wrapped[col][i] if i < len(wrapped[col]) else ""
                parts.append(" " + (text.rjust(w) if a == "right" else text.center(w) if a == "center"
                                    else text.ljust(w)) + " ")
            lines.append(bar + bar.join(parts) + bar)
        return lines

    out = ["┏" + "┳".join("━" * w for w in widths) + "┓"]
    out += cells(header, "┃")
    out.append("┡" + "╇".join("━" * w for w in widths) + "┩")
    for i, row in enumerate(rows):
        if i:
            out.append("├" + "┼".join("─" * w for w in widths) + "┤")
        out += cells(row, "│")
    out.append("└" + "┴".join("─" * w for w in widths) + "┘")
    return out


def _is_sequential_like(model) -> tuple[bool, list]:
    from minitf.keras.engine.functional import Functional
    if not isinstance(model, Functional):
        return True, model.layers
    layers = model._operations
    nodes = []
    for depth in sorted(model._nodes_by_depth, reverse=True):
        v = model._nodes_by_depth[depth]
        if len(v) > 1 or (len(v) == 1 and len(v[0].input_tensors) > 1):
            return False, layers
        nodes += v
    for layer in model.layers:
        used = [n for n in layer._inbound_nodes if n in nodes]
        if len(used) > 1:
            return False, layers
    return True, layers


def print_summary(model, line_length: int | None = None, positions=None, print_fn: Callable | None = None,
                  expand_nested: bool = False, show_trainable: bool = False, layer_range=None) -> None:
    """Print (or hand to ``print_fn``) the summary of ``model``; see the module docstring."""
    sequential_like, layers = _is_sequential_like(model)
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header, align = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header, align = ["Layer (type)", "Output Shape", "Param #", "Connected to"], ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        align.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    # As rich does: each column gets 2 cells of padding, then all shrink evenly to fit the line.
    widths = [w + 2 for w in widths]
    excess = sum(widths) - (line_length - (len(widths) + 1))
    if excess > 0:
        widths = _ratio_reduce(excess, widths)

    network_nodes = getattr(model, "_network_nodes", None)

    def connections(layer) -> str:
        out = []
        for node in layer._inbound_nodes:
            if network_nodes is not None and node not in network_nodes:
                continue
            for t in node.input_tensors:
                h = t._keras_history
                out.append(f"{h.operation.name}[{h.node_index}][{h.tensor_index}]")
        return ", ".join(out) if out else "-"

    def fields(layer, prefix: str = "") -> list[str]:
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", format_layer_shape(layer), params]
        if not sequential_like:
            row.append(connections(layer))
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        return row

    def rows_of(layer, level: int = 0) -> list[list[str]]:
        prefix = "   " * level + "└ " if level else ""
        rows = [fields(layer, prefix)]
        if expand_nested and hasattr(layer, "layers") and layer.layers:
            for sub in layer.layers:
                rows.extend(rows_of(sub, level + 1))
        return rows

    start, stop = _layer_range(layers, layer_range)
    rows = [row for layer in layers[start:stop] for row in rows_of(layer)]
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    t_count, nt_count = count_params(trainable), count_params(non_trainable)
    t_size, nt_size = weight_memory_size(trainable), weight_memory_size(non_trainable)
    optimizer = getattr(model, "optimizer", None)
    opt_built = bool(getattr(model, "compiled", False) and optimizer is not None and getattr(optimizer, "built", False))
    o_vars = optimizer.variables if opt_built else []
    o_count, o_size = count_params(o_vars), weight_memory_size(o_vars)
    lines = [f'Model: "{model.name}"']
    lines += _render_table(header, rows, widths, align)
    lines.append(f" Total params: {t_count + nt_count + o_count:,} ({readable_memory_size(t_size + nt_size + o_size)})")
    lines.append(f" Trainable params: {t_count:,} ({readable_memory_size(t_size)})")
    lines.append(f" Non-trainable params: {nt_count:,} ({readable_memory_size(nt_size)})")
    if opt_built:
        lines.append(f" Optimizer params: {o_count:,} ({readable_memory_size(o_size)})")
    text = "\n".join(lines) + "\n"
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)


def _layer_range(layers: list, layer_range: Any) -> tuple[int, int]:
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2 or not all(isinstance(n, str) for n in layer_range):
        raise ValueError(f"layer_range must be a list or tuple of 2 strings. Received: layer_range={layer_range}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1
