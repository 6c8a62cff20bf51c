"""What TF's tf.function guide shows of concrete functions: how calls bind to a trace, how traces
print, graph defs, TraceTypes, leaked tensors and recursion (issue 18)."""
import pytest

import minitf as tf


@tf.function
def double(a):
    return a + a


def test_signatures_print_as_tfs():
    double(tf.constant(1))
    strings = double.get_concrete_function(tf.constant("a"))
    text = double.pretty_printed_concrete_signatures()
    assert "a (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(), dtype=tf.int32, name=None)" in text
    assert "Captures:\n  None" in text and "\n\n" in text  # one block per trace
    assert str(strings.function_type) == ("(a: TensorSpec(shape=(), dtype=tf.string, name=None)) -> "
                                          "TensorSpec(shape=(), dtype=tf.string, name=None)")
    assert str(strings).startswith("ConcreteFunction Input Parameters:\n  a (POSITIONAL_OR_KEYWORD)")
    assert repr(strings).startswith("<ConcreteFunction (a: TensorSpec(shape=(), dtype=tf.string, name=None)) -> ")
    assert strings(a=tf.constant("b")).numpy() == b"bb"
    assert strings.inference_fn(tf.constant("c")).numpy() == b"cc"
    assert repr(strings.inference_fn).startswith("<AtomicFunction> double(a: TensorSpec(")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"input #0\(zero-based\) was expected to be a string "
                                                             "tensor but is a int32 tensor"):
        strings(tf.constant(1))


def test_graph_def_lists_nodes_with_their_inputs():
    graph = double.get_concrete_function(tf.constant("a")).graph
    assert [(n.input, n.name, n.op) for n in graph.as_graph_def().node] == [
        ([], "a", "Placeholder"), (["a", "a"], "add", "AddV2"), (["add"], "Identity", "Identity")]


def test_python_arguments_are_literals_of_the_trace():
    @tf.function
    def power(a, b):
        return a ** b
    square = power.get_concrete_function(a=tf.TensorSpec(None, tf.float32), b=2)
    assert "b (POSITIONAL_OR_KEYWORD): Literal[2]" in str(square)
    assert "TensorSpec(shape=<unknown>, dtype=tf.float32" in str(square)
    assert float(square(tf.constant(10.0))) == 100.0 and float(square(tf.constant(3.0), b=2)) == 9.0
    with pytest.raises(TypeError, match="(?s)Can not cast 3 to Literal\\[2\\].*Fallback to flat signature also failed"):
        square(tf.constant(10.0), b=3)

    class Model:
        weight, bias = 2.0, 0.5

    def evaluate(model, x):
        return model.weight * x + model.bias
    concrete = tf.function(evaluate).get_concrete_function(Model(), tf.constant(1.0))
    assert float(concrete(tf.constant(10.0))) == 20.5  # the flat signature: evaluate(x)


def test_trace_types_decide_which_trace_is_used():
    class FruitType(tf.types.experimental.TraceType):
        def __init__(self, fruit):
            self.kind, self.fruit = type(fruit), fruit

        def is_subtype_of(self, other):
            return type(other) is FruitType and self.kind is other.kind

        def most_specific_common_supertype(self, others):
            return self if all(self == o for o in others) else None

        def placeholder_value(self, placeholder_context=None):
            return self.fruit

        def __eq__(self, other):
            return type(other) is FruitType and self.kind == other.kind

        def __hash__(self):
            return hash(self.kind)

    class Apple:
        flavor = tf.constant([1, 2])

        def __tf_tracing_type__(self, context):
            return FruitType(self)

    class Plain:
        flavor = tf.constant([1, 2])

    @tf.function
    def taste(fruit):
        return fruit.flavor * 2
    taste(Apple())
    taste(Apple())  # a new object of the same TraceType: the same trace
    assert taste.experimental_get_tracing_count() == 1
    taste(Plain())
    taste(Plain())  # plain objects trace per object
    assert taste.experimental_get_tracing_count() == 3


def test_leaked_tensors_raise_tfs_errors():
    leaked = []

    @tf.function
    def leaky(a):
        leaked.append(a + 1)
        return a + 2
    assert int(leaky(tf.constant(1))) == 3
    with pytest.raises(AttributeError):  # TF's graph tensors have no numpy()
        leaked[0].numpy()

    @tf.function
    def uses_leaked(b):
        return b + leaked[0]
    with pytest.raises(TypeError, match="is out of scope and cannot be used here"):
        uses_leaked(tf.constant(2))


def test_recursive_function_traces_each_depth():
    @tf.function
    def countdown(n):
        if n > 0:
            return countdown(n - 1)
        return 1
    assert int(countdown(3)) == 1
    assert countdown.experimental_get_tracing_count() == 4  # n = 3, 2, 1, 0: Python ints, a trace each


def test_generator_without_shapes_in_a_traced_loop():
    @tf.function
    def total(dataset):
        loss = tf.constant(0)
        for x, y in dataset:
            loss += tf.abs(y - x)
        return loss
    ds = tf.data.Dataset.from_generator(lambda: [(1, 3), (5, 1)], (tf.int32, tf.int32))
    assert repr(ds.element_spec[0]) == "TensorSpec(shape=<unknown>, dtype=tf.int32, name=None)"
    assert int(total(ds)) == 6


def _clip_gradients(tf_module):
    @tf_module.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf_module.clip_by_norm(dy, 0.5)
        return y, backward
    return clip_gradients


def test_custom_gradient_inside_a_traced_function_and_a_saved_model(tmp_path):
    clip_gradients = _clip_gradients(tf)

    class Clipper(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec(None)])
        def call_custom_grad(self, x):
            return clip_gradients(x)

    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(upstream):  # reads `e` of the forward pass: the traced gradient captures it
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad

    traced = tf.function(log1pexp)
    module = Clipper()
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        output = module.call_custom_grad(v * v)
    assert float(tape.gradient(output, v)) == 2.0  # 4 = d(v*v)/dv, clipped to norm 0.5 of dy: 0.5 * 4
    for x, expected in ((100.0, 1.0), ([0.0], [0.5])):  # each call's own e, not the trace's
        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = traced(x)
        assert tape.gradient(y, x).numpy().tolist() == expected
    tf.saved_model.save(module, str(tmp_path / "clip"), options=tf.saved_model.SaveOptions(
        experimental_custom_gradients=True))
    loaded = tf.saved_model.load(str(tmp_path / "clip"))
    with tf.GradientTape() as tape:
        output = loaded.call_custom_grad(v * v)
    assert float(tape.gradient(output, v)) == 2.0
