"""minitf.viz draws a tape and a traced function alike: DOT text and matplotlib figures."""
from __future__ import annotations

import re

import numpy as np
import pytest

import minitf as tf
from minitf import viz


def edges(dot: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+);$", dot, flags=re.M)


def labels(dot: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*(\w+) \[[^\]]*label="([^"]*)"\];$', dot, flags=re.M))


def test_tape_dot_links_each_op_to_its_inputs_and_outputs():
    x = tf.constant([[1.0, 2.0]])
    w = tf.Variable([[3.0], [4.0]])
    with tf.GradientTape() as tape:
        y = tf.nn.relu(tf.matmul(x, w))
    dot = viz.to_dot(tape, names={"x": x, "y": y})
    names = labels(dot)
    ops = {k: v for k, v in names.items() if k.startswith("op")}
    assert sorted(ops.values()) == sorted(e.name for e in tape.operations)
    # matmul has two inputs, one output; its output feeds relu
    (matmul,) = [k for k, v in ops.items() if v == tape.operations[-2].name]
    assert len([a for a, b in edges(dot) if b == matmul]) == 2
    assert any("x\\nfloat32[1, 2]" == v for v in names.values()), names


def test_traced_graph_dot_names_sources_and_keeps_static_shapes():
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x):
        return tf.reduce_sum(tf.nn.relu(x * v + 1.0))

    concrete = f.get_concrete_function(tf.TensorSpec([None, 2], tf.float32, name="x"))
    dot = viz.to_dot(concrete)
    assert dot.startswith("digraph trace {")
    names = labels(dot)
    op_types = [v for k, v in names.items() if k.startswith("op")]
    assert op_types == ["Mul", "AddV2", "Relu", "Sum"], op_types
    tensor_labels = [v for k, v in names.items() if k.startswith("t")]
    assert "x\\nfloat32[None, 2]" in tensor_labels, tensor_labels
    assert any(v.endswith("ReadVariableOp\\nfloat32[2]") for v in tensor_labels), tensor_labels
    # elementwise ops keep the known sizes of a partly unknown shape, as TF's shape inference does
    assert tensor_labels.count("float32[None, 2]") == 3, tensor_labels
    assert viz.to_dot(concrete.graph) == dot


def test_draw_graph_writes_a_png_for_tape_and_trace(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x + tf.sin(x)

    @tf.function
    def f(x):
        return x * x + tf.sin(x)

    for name, source in (("tape", tape), ("trace", f.get_concrete_function(tf.TensorSpec([], tf.float32)))):
        path = tmp_path / f"{name}.png"
        viz.draw_graph(source, path=str(path))
        image = matplotlib.image.imread(path)
        assert image.ndim == 3 and np.ptp(image) > 0, name


def test_other_objects_are_refused_by_name():
    with pytest.raises(TypeError, match="GradientTape, a traced ConcreteFunction.*got int"):
        viz.to_dot(3)


def test_notes_go_under_a_named_tensors_label_and_inputs_sit_next_to_their_reader(tmp_path):
    x, b = tf.constant([1.0, 2.0]), tf.constant(0.5)
    with tf.GradientTape() as tape:
        tape.watch([x, b])
        s = tf.reduce_sum(tf.exp(x))
        y = s + b
    dot = viz.to_dot(tape, names={"x": x, "y": y, "b": b}, notes={"y": "grad 1", "x": "value [1, 2]"})
    names = labels(dot)
    assert "y\\nfloat32[]\\ngrad 1" in names.values() and "x\\nfloat32[2]\\nvalue [1, 2]" in names.values(), names
    assert "b\\nfloat32[]" in names.values(), "a tensor without a note keeps its plain label"
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = viz.draw_graph(tape, names={"x": x, "b": b}, notes={"b": "grad 1"})
    positions = {t.get_text(): t.get_position() for t in ax.texts}
    # b is read only by AddV2 (depth 3): it is drawn in the column just left of it, not in column 0
    assert positions["b\nfloat32[]\ngrad 1"][0] == positions["AddV2"][0] - 1, positions
    assert positions["x\nfloat32[2]"][0] == 0
