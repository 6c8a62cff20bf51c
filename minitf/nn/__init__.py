"""``minitf.nn``, as ``tf.nn``: activations, crossentropy from logits, normalization, dropout, conv and pooling,
bias_add and l2_loss."""
from minitf.nn.activations import (elu, gelu, leaky_relu, log_softmax, relu, relu6, selu, sigmoid, silu,
                                   softmax, softplus, softsign, swish, tanh)
from minitf.nn.crossentropy import (l2_normalize, sigmoid_cross_entropy_with_logits,
                                    softmax_cross_entropy_with_logits, sparse_softmax_cross_entropy_with_logits)
from minitf.nn.bias_add import bias_add
from minitf.nn.embedding_ops import embedding_lookup
from minitf.nn.losses import l2_loss
from minitf.nn.normalization import batch_normalization, dropout, moments
from minitf.ops.shape_ops import top_k
from minitf.nn.conv import conv1d, conv1d_transpose, conv2d, conv2d_transpose
from minitf.nn.depthwise_conv import (depthwise_conv2d, depthwise_conv2d_backprop_filter,
                                      depthwise_conv2d_backprop_input, separable_conv2d)
from minitf.nn.pooling import avg_pool, avg_pool1d, avg_pool2d, max_pool, max_pool1d, max_pool2d
