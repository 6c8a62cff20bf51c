"""``minitf.keras.layers``, as ``tf.keras.layers``: the layers, in folders by family as Keras 3 has them.

    layer.py, input_spec.py   the base class and the input checks
    core/                     Dense, EinsumDense, Embedding, Input/InputLayer, Lambda, Masking, Identity,
                              Wrapper (the base of TimeDistributed, SpectralNormalization)
    activations/              Activation, Softmax, ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU
    attention/                Attention, AdditiveAttention, MultiHeadAttention
    regularization/           Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout,
                              ActivityRegularization
    convolutional/            Conv1D, Conv2D, Conv3D, Conv1DTranspose, Conv2DTranspose, Conv3DTranspose,
                              DepthwiseConv1D/2D,
                              SeparableConv1D/2D
    pooling/                  max and average pooling (1D, 2D, 3D), their global and adaptive forms
    normalization/            BatchNormalization, LayerNormalization, UnitNormalization, GroupNormalization,
                              RMSNormalization, SpectralNormalization
    preprocessing/            Rescaling, Normalization, CategoryEncoding, Discretization, Hashing, HashedCrossing,
                              lookups, TextVectorization, image layers
    merging/                  Add, Concatenate, Dot, ... and their functions
    reshaping/                Flatten, Reshape, Permute, RepeatVector, ZeroPadding, UpSampling, Cropping (1D, 2D, 3D)
    rnn/                      RNN, SimpleRNN, LSTM, GRU, their cells, StackedRNNCells, Bidirectional,
                              TimeDistributed

Every public layer is imported by name below (a new layer file adds its line here and to
``__all__``; ``tests/test_keras_layers.py`` checks that no module's ``__all__`` is left out).
Files starting with ``_`` are private.
"""
from minitf.keras.layers.activations.activation import Activation
from minitf.keras.layers.activations.elu import ELU
from minitf.keras.layers.activations.leaky_relu import LeakyReLU
from minitf.keras.layers.activations.prelu import PReLU
from minitf.keras.layers.activations.relu import ReLU
from minitf.keras.layers.activations.softmax import Softmax
from minitf.keras.layers.activations.thresholded_relu import ThresholdedReLU
from minitf.keras.layers.attention.additive_attention import AdditiveAttention
from minitf.keras.layers.attention.attention import Attention
from minitf.keras.layers.attention.multi_head_attention import MultiHeadAttention
from minitf.keras.layers.convolutional.conv1d import Conv1D, Convolution1D
from minitf.keras.layers.convolutional.conv2d import Conv2D, Convolution2D
from minitf.keras.layers.convolutional.conv3d import Conv3D, Convolution3D
from minitf.keras.layers.convolutional.conv1d_transpose import Conv1DTranspose, Convolution1DTranspose
from minitf.keras.layers.convolutional.conv2d_transpose import Conv2DTranspose, Convolution2DTranspose
from minitf.keras.layers.convolutional.conv3d_transpose import Conv3DTranspose, Convolution3DTranspose
from minitf.keras.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from minitf.keras.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from minitf.keras.layers.convolutional.separable_conv1d import SeparableConv1D, SeparableConvolution1D
from minitf.keras.layers.convolutional.separable_conv2d import SeparableConv2D, SeparableConvolution2D
from minitf.keras.layers.core.dense import Dense
from minitf.keras.layers.core.einsum_dense import EinsumDense
from minitf.keras.layers.core.embedding import Embedding
from minitf.keras.layers.core.identity import Identity
from minitf.keras.layers.core.input_layer import Input, InputLayer
from minitf.keras.layers.core.lambda_layer import Lambda
from minitf.keras.layers.core.masking import Masking
from minitf.keras.layers.core.wrapper import Wrapper
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.merging.merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add,
                                                 average, concatenate, maximum, minimum, multiply, subtract)
from minitf.keras.layers.merging.dot import Dot, dot
from minitf.keras.layers.normalization.normalization import BatchNormalization, LayerNormalization
from minitf.keras.layers.normalization.unit_normalization import UnitNormalization
from minitf.keras.layers.normalization.group_normalization import GroupNormalization
from minitf.keras.layers.normalization.rms_normalization import RMSNormalization
from minitf.keras.layers.normalization.spectral_normalization import SpectralNormalization
from minitf.keras.layers.pooling.adaptive_pooling import (AdaptiveAveragePooling1D, AdaptiveAveragePooling2D,
                                                          AdaptiveAveragePooling3D, AdaptiveMaxPooling1D,
                                                          AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)
from minitf.keras.layers.pooling.global_pooling import (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                                        GlobalAveragePooling3D, GlobalAvgPool1D, GlobalAvgPool2D,
                                                        GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D,
                                                        GlobalMaxPool3D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                                                        GlobalMaxPooling3D)
from minitf.keras.layers.pooling.pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D,
                                                 AvgPool2D, AvgPool3D, MaxPool1D, MaxPool2D, MaxPool3D, MaxPooling1D,
                                                 MaxPooling2D, MaxPooling3D)
from minitf.keras.layers.preprocessing.category_encoding import CategoryEncoding
from minitf.keras.layers.preprocessing.discretization import Discretization
from minitf.keras.layers.preprocessing.hashed_crossing import HashedCrossing
from minitf.keras.layers.preprocessing.hashing import Hashing
from minitf.keras.layers.preprocessing.image_augmentation import (RandomBrightness, RandomCrop, RandomGrayscale,
                                                                   RandomInvert, Solarization)
from minitf.keras.layers.preprocessing.image_preprocessing import (CenterCrop, RandomContrast, RandomFlip,
                                                                   RandomHeight, RandomRotation, RandomTranslation,
                                                                   RandomWidth, RandomZoom, Resizing)
from minitf.keras.layers.preprocessing.lookup import IntegerLookup, StringLookup
from minitf.keras.layers.preprocessing.normalization import Normalization
from minitf.keras.layers.preprocessing.rescaling import Rescaling
from minitf.keras.layers.preprocessing.text_vectorization import TextVectorization
from minitf.keras.layers.regularization.activity_regularization import ActivityRegularization
from minitf.keras.layers.regularization.alpha_dropout import AlphaDropout
from minitf.keras.layers.regularization.dropout import Dropout
from minitf.keras.layers.regularization.gaussian_dropout import GaussianDropout
from minitf.keras.layers.regularization.gaussian_noise import GaussianNoise
from minitf.keras.layers.regularization.spatial_dropout import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from minitf.keras.layers.reshaping.flatten import Flatten
from minitf.keras.layers.reshaping.padding_cropping_upsampling import Cropping2D, UpSampling2D, ZeroPadding2D
from minitf.keras.layers.reshaping.padding_cropping_upsampling_1d import Cropping1D, UpSampling1D, ZeroPadding1D
from minitf.keras.layers.reshaping.padding_cropping_upsampling_3d import Cropping3D, UpSampling3D, ZeroPadding3D
from minitf.keras.layers.reshaping.permute import Permute
from minitf.keras.layers.reshaping.repeat_vector import RepeatVector
from minitf.keras.layers.reshaping.reshape import Reshape
from minitf.keras.layers.rnn import (GRU, LSTM, RNN, Bidirectional, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell,
                                     StackedRNNCells, TimeDistributed)

__all__ = [
    # the base class and the inputs
    "Layer", "InputSpec", "Input", "InputLayer",
    # core
    "Dense", "Activation", "Softmax", "Dropout", "Lambda", "Embedding", "Masking", "Identity",
    # activations
    "ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU",
    # attention
    "Attention", "AdditiveAttention",
    # reshaping
    "Flatten", "Reshape", "Permute", "RepeatVector", "ZeroPadding1D", "UpSampling1D", "Cropping1D", "ZeroPadding2D",
    "UpSampling2D", "Cropping2D", "ZeroPadding3D", "UpSampling3D", "Cropping3D",
    # regularization (Dropout: with the core layers)
    "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization",
    # merging
    "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
    "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "Dot", "dot",
    # convolutional
    "Conv1D", "Convolution1D", "Conv2D", "Convolution2D", "Conv2DTranspose", "Convolution2DTranspose", "Conv3DTranspose", "Convolution3DTranspose",
    "Conv1DTranspose", "Convolution1DTranspose", "Conv3D", "Convolution3D",
    # pooling
    "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "MaxPool1D", "MaxPool2D", "AvgPool1D",
    "AvgPool2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D",
    "MaxPooling3D", "AveragePooling3D", "MaxPool3D", "AvgPool3D", "GlobalAveragePooling3D", "GlobalMaxPooling3D",
    "GlobalAvgPool3D", "GlobalMaxPool3D", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
    # normalization
    "BatchNormalization", "LayerNormalization", "UnitNormalization", "GroupNormalization", "RMSNormalization",
    "SpectralNormalization",
    # recurrent
    "RNN", "SimpleRNN", "SimpleRNNCell", "LSTM", "LSTMCell", "GRU", "GRUCell", "Bidirectional", "TimeDistributed", "Wrapper",
    "StackedRNNCells",
    # preprocessing
    "Rescaling", "Normalization", "CategoryEncoding", "Hashing", "HashedCrossing", "Discretization", "StringLookup", "IntegerLookup", "TextVectorization",
    "Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
    "RandomHeight", "RandomWidth",
    # depthwise and separable convolutions
    "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
    "SeparableConvolution2D",
    # image augmentations drawing Keras's random numbers (image_augmentation.py)
    "RandomCrop", "RandomBrightness", "RandomGrayscale", "RandomInvert", "Solarization",
    # transformers
    "MultiHeadAttention", "EinsumDense",
]
__all__ += ["serialize", "deserialize"]


def serialize(layer) -> dict:
    """``keras.layers.serialize``: the layer's config as Keras saves it ({"module", "class_name",
    "config", "registered_name", ...}), the same dict ``keras.saving.serialize_keras_object`` gives."""
    from minitf.keras.layers.core.wrapper import serialize_layer
    return serialize_layer(layer)


def deserialize(config: dict, custom_objects: dict | None = None):
    """``keras.layers.deserialize``: the layer a ``serialize`` dict (minitf's or Keras's) describes."""
    from minitf.keras.layers.core.wrapper import deserialize_layer
    layer = deserialize_layer(config, custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError("`keras.layers.deserialize` was passed a `config` object that is not a "
                         f"`keras.layers.Layer`. Received: {config}")
    return layer
