"""``minitf.nn``, as ``tf.nn``: activations, crossentropy from logits, normalization, dropout."""
from minitf.nn.activations import (elu, gelu, leaky_relu, log_softmax, relu, relu6, selu, sigmoid, silu,
                                   softmax, softplus, softsign, swish, tanh)
from minitf.nn.crossentropy import (l2_normalize, sigmoid_cross_entropy_with_logits,
                                    softmax_cross_entropy_with_logits, sparse_softmax_cross_entropy_with_logits)
from minitf.nn.normalization import batch_normalization, dropout, moments
from minitf.ops.shape_ops import top_k
