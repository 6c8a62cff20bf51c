"""SpectralNormalization: divide a layer's kernel by its largest singular value (Keras's wrapper).

Wraps a layer with a ``kernel`` (Dense, Conv*) or ``embeddings`` (Embedding). The kernel W, seen
as a matrix (-1, last axis), has a spectral norm sigma (its largest singular value), estimated by
power iteration from a kept vector u (1, units), not trained (``vector_u``, TruncatedNormal(0.02)):

    repeat power_iterations times:   v = l2_normalize(u W^T);   u = l2_normalize(v W)
    sigma = v W u^T                   (u, v held constant: stop_gradient)

(l2_normalize(x) = x * min(rsqrt(sum(x^2)), 1e7), over all elements, Keras's ``ops.normalize``).
In training, as Keras, the layer ASSIGNS u and W / sigma to its variables (unless W is all zeros),
then runs the wrapped layer, which reads the normalized kernel: gradients reach the kernel
variable through that read only. In inference the wrapped layer runs with the kernel as it is.

Keras's output is cast to the INPUT's dtype (so around an Embedding the output holds integers:
Keras's behaviour, kept: ``_tf_compat.keras_output_in_input_dtype``). Weights as Keras lists them:
the kernel (which the wrapper also tracks as its own), ``vector_u``, then the wrapped layer's
other weights.
"""
from __future__ import annotations

from minitf._tf_compat import keras_output_in_input_dtype
from minitf.keras import initializers
from minitf.keras.layers.core.wrapper import Wrapper
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.normalization.unit_normalization import l2_normalize
from minitf.ops import control_flow
from minitf.ops import elementwise as E
from minitf.ops import linalg as L
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S

__all__ = ["SpectralNormalization"]


class SpectralNormalization(Wrapper):
    """Wrap ``layer`` so that training divides its kernel by the kernel's spectral norm (see module doc)."""

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"SpectralNormalization: layer {layer} supplied to the wrapper isn't a supported layer "
                             f"type. Please ensure the wrapped layer is a valid Keras layer.")
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(f"SpectralNormalization: `power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations
        self.kernel = self.vector_u = None

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
            for variable in self.layer.weights:  # built inside: Keras's "spectral_normalization/dense/kernel"
                variable.path = f"{self.name}/{variable.path}"
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"SpectralNormalization layer '{self.name}': {type(self.layer).__name__} object has no "
                             f"attribute 'kernel' nor 'embeddings'")
        self.kernel = kernel
        # Keras tracks the kernel as the wrapper's own variable too (an attribute): same weights order, same file.
        (self._trainable_variables if kernel.trainable else self._non_trainable_variables).append(kernel)
        self.kernel_shape = tuple(kernel.shape)
        self.vector_u = self.add_weight(shape=(1, self.kernel_shape[-1]),
                                        initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
                                        name="vector_u", dtype=kernel.dtype)

    def call(self, inputs, training=False):
        if training:
            kernel = self.kernel.value()
            new_u, new_kernel = control_flow.cond(R.reduce_all(E.equal(kernel, 0)),
                                                  lambda: (self.vector_u.value(), kernel),
                                                  self.normalized_weights)
            self.vector_u.assign(new_u)
            self.kernel.assign(new_kernel)
        return keras_output_in_input_dtype(self.layer(inputs), inputs)

    def normalized_weights(self):
        """(u after the power iterations, W / sigma), the values ``call`` assigns in training."""
        from minitf.keras import backend
        epsilon = backend.epsilon()
        weights = S.reshape(self.kernel.value(), (-1, self.kernel_shape[-1]))
        vector_u = self.vector_u.value()
        for _ in range(self.power_iterations):
            vector_v = l2_normalize(L.matmul(vector_u, S.transpose(weights)), axis=None, epsilon=epsilon)
            vector_u = l2_normalize(L.matmul(vector_v, weights), axis=None, epsilon=epsilon)
        vector_u = S.stop_gradient(vector_u)
        vector_v = S.stop_gradient(vector_v)
        sigma = L.matmul(L.matmul(vector_v, weights), S.transpose(vector_u))
        kernel = S.reshape(E.divide(self.kernel.value(), sigma), self.kernel_shape)
        return S.cast(vector_u, self.vector_u.dtype), S.cast(kernel, self.kernel.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:  # (Wrapper's, with the wrapped layer, and the iterations)
        return {**super().get_config(), "power_iterations": self.power_iterations}
