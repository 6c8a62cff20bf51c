"""``minitf.nn``, as ``tf.nn``: activations, crossentropy from logits, normalization and moments, dropout, conv
and pooling, bias_add, space_to_depth, and the plain losses (l2_loss, weighted crossentropy, Poisson)."""
from minitf.nn.activations import (crelu, elu, gelu, leaky_relu, log_softmax, relu, relu6, selu, sigmoid, silu,
                                   softmax, softplus, softsign, swish, tanh)
from minitf.nn.crossentropy import (l2_normalize, sigmoid_cross_entropy_with_logits,
                                    softmax_cross_entropy_with_logits, sparse_softmax_cross_entropy_with_logits)
from minitf.nn.bias_add import bias_add
from minitf.nn.embedding_ops import embedding_lookup
from minitf.nn.losses import (compute_average_loss, l2_loss, log_poisson_loss, scale_regularization_loss,
                              weighted_cross_entropy_with_logits)
from minitf.nn.normalization import (batch_normalization, dropout, local_response_normalization, lrn, moments,
                                     normalize_moments, sufficient_statistics, weighted_moments, zero_fraction)
from minitf.nn.space_to_depth import depth_to_space, space_to_depth
from minitf.ops.counting import in_top_k
from minitf.ops.shape_ops import top_k
from minitf.nn.conv import conv1d, conv1d_transpose, conv2d, conv2d_transpose
from minitf.nn.volume_ops import avg_pool3d, conv3d, conv3d_transpose, max_pool3d
from minitf.nn.depthwise_conv import (depthwise_conv2d, depthwise_conv2d_backprop_filter,
                                      depthwise_conv2d_backprop_input, separable_conv2d)
from minitf.nn.pooling import avg_pool, avg_pool1d, avg_pool2d, max_pool, max_pool1d, max_pool2d
