"""The tf.function guide's concrete-function behaviour under TF and minitf: the same printed
signatures, graph nodes, error classes and values."""
from parity_tests.harness import frameworks


def outcome(fn):
    try:
        value = fn()
    except Exception as e:  # the class that a guide's `assert_raises` / `except` would catch
        names = [c for c in ("TypeError", "ValueError", "AttributeError", "InvalidArgumentError")
                 if any(k.__name__ == c for k in type(e).__mro__)]
        if "InvalidArgumentError" in names:  # (minitf's is a ValueError too, by design)
            names.remove("ValueError") if "ValueError" in names else None
        return ("error", names)
    value = value.numpy() if hasattr(value, "numpy") else value
    return ("value", value.tolist() if hasattr(value, "tolist") else value)


def guide(tf):
    @tf.function
    def double(a):
        return a + a
    double(tf.constant(1))
    double(tf.constant(1.5))
    strings = double.get_concrete_function(tf.constant("a"))

    @tf.function
    def power(a, b):
        return a ** b
    square = power.get_concrete_function(a=tf.TensorSpec(None, tf.float32), b=2)

    class Model:
        weight, bias = 2.0, 0.5

    def evaluate(model, x):
        return model.weight * x + model.bias
    no_model = tf.function(evaluate).get_concrete_function(Model(), tf.constant(1.0))

    leaked = []

    @tf.function
    def leaky(a):
        leaked.append(a + 1)
        return a + 2
    leaky(tf.constant(1))

    @tf.function
    def uses_leaked(b):
        return b + leaked[0]

    @tf.function
    def countdown(n):
        if n > 0:
            return countdown(n - 1)
        return 1

    return [double.pretty_printed_concrete_signatures(), str(strings), repr(strings).split(" at 0x")[0],
            str(strings.function_type),
            [(n.input, n.name) for n in strings.graph.as_graph_def().node],  # (strings: TF names the op Add)
            outcome(lambda: strings.inference_fn(tf.constant("x"))), outcome(lambda: strings(tf.constant(1))),
            outcome(lambda: square(tf.constant(10.0))), outcome(lambda: square(tf.constant(10.0), b=3)),
            "b (POSITIONAL_OR_KEYWORD): Literal[2]" in str(square), outcome(lambda: no_model(tf.constant(10.0))),
            outcome(lambda: leaked[0].numpy()), outcome(lambda: uses_leaked(tf.constant(2))),
            outcome(lambda: countdown(3)), countdown.experimental_get_tracing_count()]


def test_concrete_functions_as_the_guide_shows_them():
    tf, mtf = frameworks()
    assert guide(tf) == guide(mtf)


def custom_gradients(tf, folder):
    @tf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf.clip_by_norm(dy, 0.5)
        return y, backward

    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad

    class Clipper(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec(None)])
        def call_custom_grad(self, x):
            return clip_gradients(x)

    traced = tf.function(log1pexp)
    out = []
    for x in (100.0, [0.0, 1.0]):
        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = traced(x)
        out.append(tape.gradient(y, x).numpy().tolist())
    module = Clipper()
    tf.saved_model.save(module, folder, options=tf.saved_model.SaveOptions(experimental_custom_gradients=True))
    v = tf.Variable(2.0)
    for fn in (module.call_custom_grad, tf.saved_model.load(folder).call_custom_grad):
        with tf.GradientTape() as tape:
            output = fn(v * v)
        out.append(float(tape.gradient(output, v)))
    return out


def test_custom_gradients_in_traced_and_saved_functions(tmp_path):
    tf, mtf = frameworks()
    assert custom_gradients(tf, str(tmp_path / "tf")) == custom_gradients(mtf, str(tmp_path / "minitf"))


def variable_creation(tf):
    traced = []

    class Lazy(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = None

        @tf.function
        def __call__(self, x):
            traced.append(1)  # TF traces a first call that creates variables twice
            if self.v is None:
                self.v = tf.Variable(2.0)
            return self.v * x

    @tf.function
    def creates_every_time(x):
        return tf.Variable(1.0) * x

    m = Lazy()
    values = [float(m(tf.constant(1.0))), float(m(tf.constant(3.0)))]
    return values, len(traced), m.__call__.experimental_get_tracing_count(), \
        outcome(lambda: creates_every_time(tf.constant(1.0)))


def test_variables_created_on_the_first_call_only():
    tf, mtf = frameworks()
    assert variable_creation(tf) == variable_creation(mtf)
