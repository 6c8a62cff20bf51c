"""Draw what a GradientTape recorded, or what tf.function traced: DOT text, or a matplotlib figure.

The tape and the trace are the two ways a framework sees a program; both draw alike. Nodes are
tensors (labelled by shape, and by name where the caller gives one, or where the graph names
them) and ops; edges follow the forward pass. The backward pass walks them in reverse.
A traced graph's sources (placeholders for the arguments, constants, variable reads) are drawn
as tensors named after their operation. ``notes`` adds lines under a named tensor's label: its
value, its gradient, anything.
"""
from __future__ import annotations

from typing import Any

from minitf.autodiff import GradientTape


_SOURCES = ("Placeholder", "Const", "ReadVariableOp")


def _traced_graph(source):
    """The FuncGraph of a ConcreteFunction or FuncGraph (None for a tape)."""
    from minitf.graph import FuncGraph

    graph = getattr(source, "graph", source)
    return graph if isinstance(graph, FuncGraph) else None


def _graph(source, names: dict | None, notes: dict | None = None):
    graph = _traced_graph(source)
    if graph is not None:
        return _graph_of_trace(graph)
    if not isinstance(source, GradientTape):
        raise TypeError(f"viz draws a GradientTape, a traced ConcreteFunction (f.get_concrete_function(...)) "
                        f"or its .graph; got {type(source).__name__}")
    return _graph_of_tape(source, names, notes)


def _graph_of_trace(graph):
    tensors: dict[int, str] = {}
    ops: list[tuple[str, str, list[int], list[int]]] = []
    for i, operation in enumerate(graph.get_operations()):
        outs = []
        for t in operation.outputs:
            label = f"{operation.name}\n" if operation.type in _SOURCES else ""
            tensors[id(t)] = label + f"{t.dtype.name}{list(t.shape)}"
            outs.append(id(t))
        if operation.type not in _SOURCES:
            ins = [id(t) for t in operation.inputs if id(t) in tensors]
            ops.append((f"op{i}", operation.type, ins, outs))
    return tensors, ops


def _graph_of_tape(tape: GradientTape, names: dict | None, notes: dict | None = None):
    notes = notes or {}
    names = {id(t): n for n, t in (names or {}).items()}
    tensors: dict[int, str] = {}
    ops: list[tuple[str, str, list[int], list[int]]] = []

    def node(t) -> int:
        if id(t) not in tensors:
            label = names.get(id(t), "")
            note = notes.get(label, "") if label else ""
            tensors[id(t)] = ((f"{label}\n" if label else "") + f"{t.dtype.name}{list(t.shape)}"
                              + (f"\n{note}" if note else ""))
        return id(t)

    for i, entry in enumerate(tape.operations):
        ops.append((f"op{i}", entry.name, [node(x) for x in entry.inputs], [node(y) for y in entry.outputs]))
    return tensors, ops


def to_dot(tape, names: dict[str, Any] | None = None, notes: dict[str, str] | None = None) -> str:
    """The graph of a tape (or of a traced ConcreteFunction) in Graphviz DOT (render with ``dot -Tpng``).
    ``names``: {name: tensor} (tapes); ``notes``: {name: text} shown under that tensor's label."""
    tensors, ops = _graph(tape, names, notes)
    lines = [f"digraph {'trace' if _traced_graph(tape) is not None else 'tape'} {{", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for tid, label in tensors.items():
        lines.append(f'  t{tid} [shape=box, label="{label}"];'.replace("\n", "\\n"))
    for oid, op, ins, outs in ops:
        lines.append(f'  {oid} [shape=ellipse, style=filled, fillcolor="#ffe9b3", label="{op}"];')
        lines += [f"  t{i} -> {oid};" for i in ins] + [f"  {oid} -> t{o};" for o in outs]
    lines.append("}")
    return "\n".join(lines)


def draw_graph(tape, names: dict[str, Any] | None = None, ax=None, path: str | None = None,
               notes: dict[str, str] | None = None):
    """Draw the graph of a tape (or of a traced ConcreteFunction) with matplotlib, layered left to right by depth; optionally save to ``path``.
    ``names``: {name: tensor} (tapes); ``notes``: {name: text} shown under that tensor's label."""
    import matplotlib

    if path is not None and matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tensors, ops = _graph(tape, names, notes)
    depth: dict[Any, int] = {tid: 0 for tid in tensors}
    for oid, _, ins, outs in ops:
        d = 1 + max((depth[i] for i in ins), default=0)
        depth[oid] = d
        for o in outs:
            depth[o] = d + 1
    made = {o for _, _, _, outs in ops for o in outs}
    for oid, _, ins, _ in ops:  # an input no op made sits just left of the first op that reads it
        for i in ins:
            if i not in made:
                depth[i] = max(depth[i], min(depth[o] for o, _, reads, _ in ops if i in reads) - 1)
    columns: dict[int, list] = {}
    for key, d in depth.items():
        columns.setdefault(d, []).append(key)
    pos = {key: (d, -row) for d, keys in columns.items() for row, key in enumerate(keys)}
    if ax is None:
        width = 2.2 * (max(columns) + 1) if columns else 4
        height = 1.2 * max((len(v) for v in columns.values()), default=1) + 1
        _, ax = plt.subplots(figsize=(min(width, 24), min(height, 16)))
    for oid, _, ins, outs in ops:
        for a, b in [(i, oid) for i in ins] + [(oid, o) for o in outs]:
            # shrink: stop the arrow short of the node boxes so its head shows which way data flows
            ax.annotate("", xy=pos[b], xytext=pos[a], zorder=3,
                        arrowprops=dict(arrowstyle="-|>", color="#555", shrinkA=22, shrinkB=22))
    for tid, label in tensors.items():
        ax.text(*pos[tid], label, ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round", facecolor="#dbe9ff", edgecolor="#4a78c2"))
    for oid, op, _, _ in ops:
        ax.text(*pos[oid], op, ha="center", va="center", fontsize=8, fontweight="bold",
                bbox=dict(boxstyle="round", facecolor="#ffe9b3", edgecolor="#c29a4a"))
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    if path is not None:
        ax.figure.tight_layout()
        ax.figure.savefig(path, dpi=120)
    return ax
