"""Automatic names (``minitf.keras.naming``) against Keras's: the same objects created in the same
order after ``clear_session()`` get the same names, nested creations included (sublayers made in
``__init__`` or ``build``, wrappers, nested models, a compiled model's metrics)."""
import numpy as np


def _flat_creations(fw) -> list[str]:
    keras = fw.keras
    keras.backend.clear_session()
    names = [keras.optimizers.Adam().name, keras.optimizers.Adam().name, keras.optimizers.SGD().name]
    names += [keras.layers.Dense(2).name for _ in range(3)]
    names += [keras.layers.LSTM(2).name, keras.layers.Conv2D(2, 3).name, keras.layers.Embedding(3, 2).name,
              keras.layers.BatchNormalization().name]
    names += [keras.metrics.AUC().name, keras.metrics.AUC().name, keras.metrics.Mean().name,
              keras.losses.MeanSquaredError().name]
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    names += [model.name] + [layer.name for layer in model.layers]
    inputs = keras.Input((3,))
    functional = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    names += [inputs.name, functional.name] + [layer.name for layer in functional.layers]
    keras.backend.clear_session()
    names += [keras.optimizers.Adam().name, keras.layers.Dense(2).name, keras.Sequential().name,
              keras.metrics.AUC().name]
    return names


def _nested_creations(fw) -> list[str]:
    keras = fw.keras
    keras.backend.clear_session()

    class Block(keras.layers.Layer):  # sublayers made in __init__
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = keras.layers.Dense(2)

        def call(self, x):
            return self.inner(x)

    class LazyBlock(keras.layers.Layer):  # sublayers made in build, on the first call
        def build(self, input_shape):
            self.a = keras.layers.Dense(2)
            self.b = keras.layers.Dense(2)

        def call(self, x):
            return self.b(self.a(x))

    class MyModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    names = []
    block = Block()
    names += [block.name, block.inner.name]
    lazy = LazyBlock()
    lazy(np.zeros((1, 3), "float32"))
    names += [lazy.name, lazy.a.name, lazy.b.name]
    model = MyModel()
    names += [model.name, model.dense.name]
    bidirectional = keras.layers.Bidirectional(keras.layers.LSTM(2))
    names += [bidirectional.name, bidirectional.forward_layer.name, bidirectional.backward_layer.name]
    distributed = keras.layers.TimeDistributed(keras.layers.Dense(2))
    names += [distributed.name, distributed.layer.name]
    inner = keras.Sequential([keras.layers.Dense(2), keras.layers.Dense(2)])
    inputs = keras.Input((3,))
    outer = keras.Model(inputs, inner(inputs))
    names += [inner.name, outer.name] + [layer.name for layer in outer.layers] + [layer.name for layer in inner.layers]
    shifted = inputs + 1.0  # an operation on a symbolic tensor names its output too
    names.append(shifted.name)
    compiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    compiled.compile(optimizer="sgd", loss="mse", metrics=["mae", keras.metrics.AUC()])
    compiled.fit(np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32"), verbose=0)
    names += [metric.name for metric in compiled.metrics] + [compiled.optimizer.name, keras.metrics.AUC().name]
    return names


def test_names_after_clear_session(tf, mtf):
    ours, theirs = _flat_creations(mtf), _flat_creations(tf)
    assert ours == theirs
    assert ours[-4:] == ["adam", "dense", "sequential", "auc"]  # clear_session restarted every count


def test_names_of_nested_creations(tf, mtf):
    assert _nested_creations(mtf) == _nested_creations(tf)
