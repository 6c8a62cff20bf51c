"""``minitf.keras.layers``, as ``tf.keras.layers``: one file per layer (or per small family).

Every public layer is imported by name below (a new layer file adds its line here and to
``__all__``; ``tests/test_keras_layers.py`` checks that no module's ``__all__`` is left out).
Files starting with ``_`` are private.
"""
from minitf.keras.layers.activation import Activation
from minitf.keras.layers.category_encoding import CategoryEncoding
from minitf.keras.layers.conv1d import Conv1D, Convolution1D
from minitf.keras.layers.conv2d import Conv2D, Convolution2D
from minitf.keras.layers.conv2d_transpose import Conv2DTranspose, Convolution2DTranspose
from minitf.keras.layers.dense import Dense
from minitf.keras.layers.dropout import Dropout
from minitf.keras.layers.embedding import Embedding
from minitf.keras.layers.flatten import Flatten
from minitf.keras.layers.global_pooling import (GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAvgPool1D,
                                                GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPooling1D,
                                                GlobalMaxPooling2D)
from minitf.keras.layers.image_preprocessing import (CenterCrop, RandomContrast, RandomFlip, RandomRotation,
                                                     RandomTranslation, RandomZoom, Resizing)
from minitf.keras.layers.input_layer import Input, InputLayer
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.lambda_layer import Lambda
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.lookup import IntegerLookup, StringLookup
from minitf.keras.layers.masking import Masking
from minitf.keras.layers.merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add, average,
                                         concatenate, maximum, minimum, multiply, subtract)
from minitf.keras.layers.normalization import BatchNormalization, LayerNormalization
from minitf.keras.layers.pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D, MaxPool1D, MaxPool2D,
                                         MaxPooling1D, MaxPooling2D)
from minitf.keras.layers.preprocessing_normalization import Normalization
from minitf.keras.layers.rescaling import Rescaling
from minitf.keras.layers.reshape import Reshape
from minitf.keras.layers.reshaping import Cropping2D, UpSampling2D, ZeroPadding2D
from minitf.keras.layers.rnn import (GRU, LSTM, RNN, Bidirectional, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell,
                                     TimeDistributed)
from minitf.keras.layers.text_vectorization import TextVectorization

__all__ = [
    # the base class and the inputs
    "Layer", "InputSpec", "Input", "InputLayer",
    # core
    "Dense", "Activation", "Dropout", "Lambda", "Embedding", "Masking",
    # reshaping
    "Flatten", "Reshape", "ZeroPadding2D", "UpSampling2D", "Cropping2D",
    # merging
    "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
    "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate",
    # convolutional
    "Conv1D", "Convolution1D", "Conv2D", "Convolution2D", "Conv2DTranspose", "Convolution2DTranspose",
    # pooling
    "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "MaxPool1D", "MaxPool2D", "AvgPool1D",
    "AvgPool2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D",
    # normalization
    "BatchNormalization", "LayerNormalization",
    # recurrent
    "RNN", "SimpleRNN", "SimpleRNNCell", "LSTM", "LSTMCell", "GRU", "GRUCell", "Bidirectional", "TimeDistributed",
    # preprocessing
    "Rescaling", "Normalization", "CategoryEncoding", "StringLookup", "IntegerLookup", "TextVectorization",
    "Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
]
