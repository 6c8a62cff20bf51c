"""One example of every class minitf exports, for the saving tests (the same code builds it under TF).

Each entry makes the object from a framework module (``fw`` is ``minitf`` or ``tensorflow``), so a
test can build the same object in both frameworks, save it in one and load it in the other. The
tests are parametrized over ``exported_classes()`` (what minitf's modules export), not over this
table: a class exported without an example here fails its test, saying so.

Layers carry the inputs to call them on: ``shape`` (without the batch axis, or a list of shapes for
several inputs), ``dtype``, and ``data(rng)`` giving a batch (float normals by default).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass
class LayerExample:
    make: Callable[[Any], Any]            # fw.keras.layers -> layer
    shape: Any = (4,)                     # input shape without the batch axis; a list for several inputs
    dtype: str = "float32"
    data: Callable | None = None          # rng -> input batch (default: normals of `shape`)
    adapt: Any = None                     # data to adapt() the layer on before use
    trains: bool = True                   # whether a training step changes it (has float trainable weights)
    spread: bool = False                  # called as layer(*inputs) (MultiHeadAttention(query, value)), not on a list
    notes: str = ""

    def batch(self, rng: np.random.Generator, n: int = 5):
        if self.data is not None:
            return self.data(rng)
        if isinstance(self.shape, list):
            return [rng.normal(size=(n, *s)).astype(self.dtype) for s in self.shape]
        return rng.normal(size=(n, *self.shape)).astype(self.dtype)


def _ints(high, shape, n=5):
    return lambda rng: rng.integers(0, high, size=(n, *shape)).astype("int64")


def _images(rng, n=3):
    return rng.uniform(0, 1, size=(n, 8, 8, 3)).astype("float32")


def _tokens(rng):
    x = rng.integers(1, 10, size=(4, 6)).astype("int64")
    x[:, 4:] = 0  # padding, for masking layers
    return x


def _padded_sequences(rng, n=5):
    x = rng.normal(size=(n, 6, 3)).astype("float32")
    x[:, 4:] = 0.0  # padded time steps, for Masking
    return x


IMAGE = (8, 8, 3)
VOLUME = (4, 5, 6, 2)
SEQ = (6, 3)

LAYERS: dict[str, LayerExample] = {
    "ActivityRegularization": LayerExample(lambda L: L.ActivityRegularization(l1=0.01, l2=0.02), trains=False),
    "Activation": LayerExample(lambda L: L.Activation("tanh"), trains=False),
    "Add": LayerExample(lambda L: L.Add(), shape=[(4,), (4,)], trains=False),
    "AdditiveAttention": LayerExample(lambda L: L.AdditiveAttention(), shape=[(3, 4), (5, 4)]),
    "AlphaDropout": LayerExample(lambda L: L.AlphaDropout(0.2, noise_shape=(None, 1), seed=4), trains=False),
    "Attention": LayerExample(lambda L: L.Attention(use_scale=True, score_mode="concat"), shape=[(3, 4), (5, 4)]),
    "Average": LayerExample(lambda L: L.Average(), shape=[(4,), (4,)], trains=False),
    "AveragePooling1D": LayerExample(lambda L: L.AveragePooling1D(2, padding="same"), shape=SEQ, trains=False),
    "AveragePooling2D": LayerExample(lambda L: L.AveragePooling2D(2), shape=IMAGE, trains=False),
    "BatchNormalization": LayerExample(lambda L: L.BatchNormalization(momentum=0.9), shape=IMAGE),
    "Bidirectional": LayerExample(lambda L: L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="sum"),
                                  shape=SEQ),
    "CategoryEncoding": LayerExample(lambda L: L.CategoryEncoding(num_tokens=6, output_mode="multi_hot"),
                                     shape=(3,), dtype="int64", data=_ints(6, (3,)), trains=False),
    "CenterCrop": LayerExample(lambda L: L.CenterCrop(4, 6), shape=IMAGE, trains=False),
    "Concatenate": LayerExample(lambda L: L.Concatenate(axis=-1), shape=[(4,), (2,)], trains=False),
    "Conv1D": LayerExample(lambda L: L.Conv1D(4, 3, padding="causal", activation="relu"), shape=SEQ),
    "Conv2D": LayerExample(lambda L: L.Conv2D(4, 3, strides=2, padding="same", kernel_regularizer="l2"), shape=IMAGE),
    "Conv3D": LayerExample(lambda L: L.Conv3D(3, 2, padding="same"), shape=VOLUME),
    "Conv2DTranspose": LayerExample(lambda L: L.Conv2DTranspose(2, 3, strides=2), shape=IMAGE),
    "Conv1DTranspose": LayerExample(lambda L: L.Conv1DTranspose(2, 3, strides=2, padding="same"), shape=SEQ),
    "Cropping1D": LayerExample(lambda L: L.Cropping1D((1, 2)), shape=SEQ, trains=False),
    "Cropping2D": LayerExample(lambda L: L.Cropping2D(((1, 2), (0, 1))), shape=IMAGE, trains=False),
    "Cropping3D": LayerExample(lambda L: L.Cropping3D(((1, 0), (0, 1), (1, 1))), shape=VOLUME, trains=False),
    "Dense": LayerExample(lambda L: L.Dense(3, activation="relu", kernel_constraint="max_norm",
                                            bias_regularizer="l1")),
    "Discretization": LayerExample(lambda L: L.Discretization(bin_boundaries=[-0.5, 0.0, 0.5], output_mode="count"),
                                   trains=False),
    "Dot": LayerExample(lambda L: L.Dot(axes=1, normalize=True), shape=[(4,), (4,)], trains=False),
    "Dropout": LayerExample(lambda L: L.Dropout(0.3, noise_shape=(None, 1), seed=2), trains=False),
    "ELU": LayerExample(lambda L: L.ELU(alpha=0.5), trains=False),
    # mask_zero=True crosses in the parity tests' Embedding + Bidirectional LSTM model: here the Embedding's
    # output is the model's, and minitf's losses do not yet read an output's mask (Keras's do).
    "Embedding": LayerExample(lambda L: L.Embedding(10, 4), shape=(6,), dtype="int64", data=_tokens),
    "Flatten": LayerExample(lambda L: L.Flatten(), shape=IMAGE, trains=False),
    "GRU": LayerExample(lambda L: L.GRU(3, return_sequences=True, go_backwards=True), shape=SEQ),
    "GRUCell": LayerExample(lambda L: L.RNN(L.GRUCell(3)), shape=SEQ, notes="inside RNN"),
    "GlobalAveragePooling1D": LayerExample(lambda L: L.GlobalAveragePooling1D(), shape=SEQ, trains=False),
    "GlobalAveragePooling2D": LayerExample(lambda L: L.GlobalAveragePooling2D(keepdims=True), shape=IMAGE,
                                           trains=False),
    "GlobalMaxPooling1D": LayerExample(lambda L: L.GlobalMaxPooling1D(), shape=SEQ, trains=False),
    "GlobalMaxPooling2D": LayerExample(lambda L: L.GlobalMaxPooling2D(), shape=IMAGE, trains=False),
    "GlobalMaxPooling3D": LayerExample(lambda L: L.GlobalMaxPooling3D(), shape=VOLUME, trains=False),
    "GlobalAveragePooling3D": LayerExample(lambda L: L.GlobalAveragePooling3D(), shape=VOLUME, trains=False),
    "InputLayer": LayerExample(lambda L: L.Dense(2), shape=(3,), dtype="float32",
                               notes="the model's Input is the layer under test (named, of a given shape)"),
    "ThresholdedReLU": LayerExample(lambda L: L.ThresholdedReLU(theta=0.5), trains=False),
    "Hashing": LayerExample(lambda L: L.Hashing(num_bins=5, mask_value="", salt=[3, 4]), shape=(3,), dtype="string",
                            data=lambda rng: np.array([["a", "", "zebra"], ["b", "b", ""]]), trains=False),
    "HashedCrossing": LayerExample(lambda L: L.HashedCrossing(num_bins=6, output_mode="one_hot"), shape=(), dtype="string",
                                   data=lambda rng: [np.array(["a", "b", "a"]), np.array(["x", "y", "y"])], trains=False),
    "IntegerLookup": LayerExample(lambda L: L.IntegerLookup(vocabulary=[3, 5, 7], output_mode="one_hot"),
                                  shape=(1,), dtype="int64", data=_ints(9, (1,)), trains=False),
    "LSTM": LayerExample(lambda L: L.LSTM(3, unit_forget_bias=False), shape=SEQ),
    "LSTMCell": LayerExample(lambda L: L.RNN(L.LSTMCell(3), return_state=False), shape=SEQ, notes="inside RNN"),
    "Lambda": LayerExample(lambda L: L.Lambda(_double), trains=False),
    "LayerNormalization": LayerExample(lambda L: L.LayerNormalization(epsilon=1e-4), shape=SEQ),
    "GaussianDropout": LayerExample(lambda L: L.GaussianDropout(0.2, seed=4), trains=False),
    "GaussianNoise": LayerExample(lambda L: L.GaussianNoise(0.1, seed=4), trains=False),
    "Identity": LayerExample(lambda L: L.Identity(), trains=False),
    "LeakyReLU": LayerExample(lambda L: L.LeakyReLU(negative_slope=0.2), trains=False),
    "Masking": LayerExample(lambda L: L.Masking(mask_value=0.0), shape=SEQ, data=_padded_sequences, trains=False),
    "MaxPooling1D": LayerExample(lambda L: L.MaxPooling1D(2), shape=SEQ, trains=False),
    "MaxPooling2D": LayerExample(lambda L: L.MaxPooling2D(2, padding="same"), shape=IMAGE, trains=False),
    "MaxPooling3D": LayerExample(lambda L: L.MaxPooling3D(2, padding="same"), shape=VOLUME, trains=False),
    "AveragePooling3D": LayerExample(lambda L: L.AveragePooling3D(2), shape=VOLUME, trains=False),
    "Conv3DTranspose": LayerExample(lambda L: L.Conv3DTranspose(2, (2, 3, 2), strides=(2, 1, 2), padding="same"),
                                    shape=VOLUME),
    "AdaptiveAveragePooling1D": LayerExample(lambda L: L.AdaptiveAveragePooling1D(4), shape=SEQ, trains=False),
    "AdaptiveAveragePooling2D": LayerExample(lambda L: L.AdaptiveAveragePooling2D((3, 5)), shape=IMAGE, trains=False),
    "AdaptiveAveragePooling3D": LayerExample(lambda L: L.AdaptiveAveragePooling3D((2, 3, 4), data_format="channels_first"),
                                             shape=VOLUME, trains=False),
    "AdaptiveMaxPooling1D": LayerExample(lambda L: L.AdaptiveMaxPooling1D(4), shape=SEQ, trains=False),
    "AdaptiveMaxPooling2D": LayerExample(lambda L: L.AdaptiveMaxPooling2D((3, 5)), shape=IMAGE, trains=False),
    "AdaptiveMaxPooling3D": LayerExample(lambda L: L.AdaptiveMaxPooling3D(3), shape=VOLUME, trains=False),
    "Maximum": LayerExample(lambda L: L.Maximum(), shape=[(4,), (4,)], trains=False),
    "Minimum": LayerExample(lambda L: L.Minimum(), shape=[(4,), (4,)], trains=False),
    "Multiply": LayerExample(lambda L: L.Multiply(), shape=[(4,), (4,)], trains=False),
    "Normalization": LayerExample(lambda L: L.Normalization(), adapt=np.arange(40, dtype="float32").reshape(10, 4),
                                  trains=False),
    "PReLU": LayerExample(lambda L: L.PReLU(alpha_initializer="random_uniform", shared_axes=[1, 2]), shape=IMAGE),
    "Permute": LayerExample(lambda L: L.Permute((2, 1)), shape=SEQ, trains=False),
    "RNN": LayerExample(lambda L: L.RNN(L.SimpleRNNCell(3), return_sequences=True), shape=SEQ),
    "ReLU": LayerExample(lambda L: L.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2), trains=False),
    "RepeatVector": LayerExample(lambda L: L.RepeatVector(3), trains=False),
    "RandomContrast": LayerExample(lambda L: L.RandomContrast(0.2), shape=IMAGE, data=_images, trains=False),
    "RandomFlip": LayerExample(lambda L: L.RandomFlip("horizontal"), shape=IMAGE, trains=False),
    "RandomHeight": LayerExample(lambda L: L.RandomHeight(0.2, seed=1), shape=IMAGE, trains=False),
    "RandomRotation": LayerExample(lambda L: L.RandomRotation(0.1), shape=IMAGE, trains=False),
    "RandomTranslation": LayerExample(lambda L: L.RandomTranslation(0.1, 0.2), shape=IMAGE, trains=False),
    "RandomWidth": LayerExample(lambda L: L.RandomWidth(0.3, interpolation="nearest"), shape=IMAGE, trains=False),
    "RandomZoom": LayerExample(lambda L: L.RandomZoom(0.1), shape=IMAGE, trains=False),
    "Rescaling": LayerExample(lambda L: L.Rescaling(1 / 255.0, offset=-1.0), trains=False),
    "Reshape": LayerExample(lambda L: L.Reshape((2, 2)), trains=False),
    "Resizing": LayerExample(lambda L: L.Resizing(4, 5), shape=IMAGE, trains=False),
    "SimpleRNN": LayerExample(lambda L: L.SimpleRNN(3, activation="relu"), shape=SEQ),
    "SimpleRNNCell": LayerExample(lambda L: L.RNN(L.SimpleRNNCell(2)), shape=SEQ, notes="inside RNN"),
    "Softmax": LayerExample(lambda L: L.Softmax(axis=-1), trains=False),
    "SpatialDropout1D": LayerExample(lambda L: L.SpatialDropout1D(0.3, seed=2), shape=SEQ, trains=False),
    "SpatialDropout2D": LayerExample(lambda L: L.SpatialDropout2D(0.3), shape=IMAGE, trains=False),
    "SpatialDropout3D": LayerExample(lambda L: L.SpatialDropout3D(0.3), shape=VOLUME, trains=False),
    "StringLookup": LayerExample(lambda L: L.StringLookup(vocabulary=["a", "b", "c"], num_oov_indices=2, salt=7),
                                 shape=(2,), dtype="string",
                                 data=lambda rng: np.array([["a", "z"], ["c", "b"]]), trains=False),
    "Subtract": LayerExample(lambda L: L.Subtract(), shape=[(4,), (4,)], trains=False),
    "TextVectorization": LayerExample(lambda L: L.TextVectorization(max_tokens=8, output_sequence_length=4),
                                      shape=(1,), dtype="string", adapt=["the cat sat", "the dog ran", "a cat"],
                                      data=lambda rng: np.array([["the cat ran"], ["a bird"]]), trains=False),
    "TimeDistributed": LayerExample(lambda L: L.TimeDistributed(L.Dense(2)), shape=SEQ),
    "UnitNormalization": LayerExample(lambda L: L.UnitNormalization(axis=[1, 2]), shape=SEQ, trains=False),
    "UpSampling1D": LayerExample(lambda L: L.UpSampling1D(3), shape=SEQ, trains=False),
    "UpSampling2D": LayerExample(lambda L: L.UpSampling2D(2), shape=IMAGE, trains=False),
    "UpSampling3D": LayerExample(lambda L: L.UpSampling3D(2), shape=VOLUME, trains=False),
    "ZeroPadding3D": LayerExample(lambda L: L.ZeroPadding3D(1), shape=VOLUME, trains=False),
    "ZeroPadding1D": LayerExample(lambda L: L.ZeroPadding1D((1, 2)), shape=SEQ, trains=False),
    "ZeroPadding2D": LayerExample(lambda L: L.ZeroPadding2D((1, 2)), shape=IMAGE, trains=False),
    # depthwise and separable convolutions
    "DepthwiseConv1D": LayerExample(lambda L: L.DepthwiseConv1D(3, depth_multiplier=2, padding="same"), shape=SEQ),
    "DepthwiseConv2D": LayerExample(lambda L: L.DepthwiseConv2D(3, strides=2, depth_multiplier=2,
                                                                depthwise_regularizer="l2"), shape=IMAGE),
    "SeparableConv1D": LayerExample(lambda L: L.SeparableConv1D(4, 3, dilation_rate=2, activation="relu"), shape=SEQ),
    "SeparableConv2D": LayerExample(lambda L: L.SeparableConv2D(4, 3, padding="same", depth_multiplier=2,
                                                                pointwise_constraint="max_norm"), shape=IMAGE),
    "GroupNormalization": LayerExample(lambda L: L.GroupNormalization(groups=3, epsilon=1e-4), shape=SEQ),
    "RMSNormalization": LayerExample(lambda L: L.RMSNormalization(axis=[1, 2], epsilon=1e-5), shape=SEQ),
    "SpectralNormalization": LayerExample(lambda L: L.SpectralNormalization(L.Dense(3), power_iterations=2)),
    "StackedRNNCells": LayerExample(lambda L: L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)]),
                                                    return_sequences=True), shape=SEQ),
    # image augmentations with Keras's draws (augment); RandomCrop passes images unchanged in inference
    "RandomCrop": LayerExample(lambda L: L.RandomCrop(8, 8, seed=2), shape=IMAGE, data=_images, trains=False),
    "RandomBrightness": LayerExample(lambda L: L.RandomBrightness(0.2, value_range=(0, 1), seed=3), shape=IMAGE,
                                     data=_images, trains=False),
    "RandomGrayscale": LayerExample(lambda L: L.RandomGrayscale(0.5, seed=4), shape=IMAGE, data=_images, trains=False),
    "RandomInvert": LayerExample(lambda L: L.RandomInvert(value_range=(0, 1), seed=5), shape=IMAGE, data=_images,
                                 trains=False),
    "Solarization": LayerExample(lambda L: L.Solarization(0.1, 0.5, value_range=(0, 1), seed=6), shape=IMAGE,
                                 data=_images, trains=False),
    "EinsumDense": LayerExample(lambda L: L.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de",
                                                        activation="tanh", bias_initializer="ones"), shape=SEQ),
    "MultiHeadAttention": LayerExample(lambda L: L.MultiHeadAttention(2, 3, value_dim=4, output_shape=5, dropout=0.1,
                                                                      seed=3, bias_initializer="ones"),
                                       shape=[(3, 4), (5, 2), (5, 6)], spread=True),
}


def _double(x):
    return x * 2.0


def _wrapper(module, family, class_name, name):
    """A wrapper of the mean squared error (tf.keras exports neither wrapper class nor the function under
    tf.keras.metrics: take them from Keras itself there)."""
    if module.__name__.startswith("minitf"):
        import minitf
        return getattr(module, class_name)(minitf.keras.losses.mean_squared_error, name=name)
    import keras
    from keras.src.losses.losses import LossFunctionWrapper
    cls = LossFunctionWrapper if class_name == "LossFunctionWrapper" else keras.metrics.MeanMetricWrapper
    return cls(keras.losses.mean_squared_error, name=name)


# Objects that are configured, not called on data: make(fw.keras.<module>) -> object.
OBJECTS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "losses": {
        "BinaryCrossentropy": lambda m: m.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        "BinaryFocalCrossentropy": lambda m: m.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=3.0),
        "CategoricalCrossentropy": lambda m: m.CategoricalCrossentropy(label_smoothing=0.2, axis=-1),
        "CategoricalFocalCrossentropy": lambda m: m.CategoricalFocalCrossentropy(alpha=0.5, from_logits=True),
        "CategoricalGeneralizedCrossEntropy": lambda m: m.CategoricalGeneralizedCrossEntropy(q=0.3),
        "CategoricalHinge": lambda m: m.CategoricalHinge(),
        "Circle": lambda m: m.Circle(gamma=40.0, margin=0.3),
        "CosineSimilarity": lambda m: m.CosineSimilarity(axis=-1),
        "Dice": lambda m: m.Dice(axis=-1),
        "Hinge": lambda m: m.Hinge(),
        "Huber": lambda m: m.Huber(delta=2.0),
        "KLDivergence": lambda m: m.KLDivergence(),
        "LogCosh": lambda m: m.LogCosh(),
        "LossFunctionWrapper": lambda m: _wrapper(m, "losses", "LossFunctionWrapper", "wrapped_mse"),
        "MeanAbsoluteError": lambda m: m.MeanAbsoluteError(reduction="sum"),
        "MeanAbsolutePercentageError": lambda m: m.MeanAbsolutePercentageError(),
        "MeanSquaredError": lambda m: m.MeanSquaredError(name="my_mse"),
        "MeanSquaredLogarithmicError": lambda m: m.MeanSquaredLogarithmicError(),
        "Poisson": lambda m: m.Poisson(),
        "SparseCategoricalCrossentropy": lambda m: m.SparseCategoricalCrossentropy(from_logits=True),
        "SquaredHinge": lambda m: m.SquaredHinge(),
        "Tversky": lambda m: m.Tversky(alpha=0.3, beta=0.7),
    },
    "metrics": {
        "AUC": lambda m: m.AUC(num_thresholds=50, curve="PR"),
        "Accuracy": lambda m: m.Accuracy(),
        "BinaryAccuracy": lambda m: m.BinaryAccuracy(threshold=0.4),
        "BinaryCrossentropy": lambda m: m.BinaryCrossentropy(from_logits=True),
        "BinaryIoU": lambda m: m.BinaryIoU(threshold=0.4),
        "CategoricalAccuracy": lambda m: m.CategoricalAccuracy(),
        "CategoricalCrossentropy": lambda m: m.CategoricalCrossentropy(label_smoothing=0.1),
        "CategoricalHinge": lambda m: m.CategoricalHinge(),
        "ConcordanceCorrelation": lambda m: m.ConcordanceCorrelation(),
        "CosineSimilarity": lambda m: m.CosineSimilarity(),
        "F1Score": lambda m: m.F1Score(average="macro", threshold=0.5),
        # Scalar-valued settings: minitf's compiled metrics cannot report an array (per class or threshold) yet.
        "FBetaScore": lambda m: m.FBetaScore(beta=2.0, average="weighted"),
        "FalseNegatives": lambda m: m.FalseNegatives(thresholds=0.4),
        "FalsePositives": lambda m: m.FalsePositives(),
        "Hinge": lambda m: m.Hinge(),
        "IoU": lambda m: m.IoU(num_classes=2, target_class_ids=[1]),
        "KLDivergence": lambda m: m.KLDivergence(),
        "LogCoshError": lambda m: m.LogCoshError(),
        "Mean": lambda m: m.Mean(name="my_mean"),
        "MeanAbsoluteError": lambda m: m.MeanAbsoluteError(),
        "MeanAbsolutePercentageError": lambda m: m.MeanAbsolutePercentageError(),
        "MeanIoU": lambda m: m.MeanIoU(num_classes=2, dtype="float32"),
        "MeanMetricWrapper": lambda m: _wrapper(m, "metrics", "MeanMetricWrapper", "wrapped"),
        "MeanSquaredError": lambda m: m.MeanSquaredError(),
        "MeanSquaredLogarithmicError": lambda m: m.MeanSquaredLogarithmicError(),
        "OneHotIoU": lambda m: m.OneHotIoU(num_classes=2, target_class_ids=[0]),
        "OneHotMeanIoU": lambda m: m.OneHotMeanIoU(num_classes=2),
        "PearsonCorrelation": lambda m: m.PearsonCorrelation(),
        "Poisson": lambda m: m.Poisson(),
        "Precision": lambda m: m.Precision(thresholds=0.7),
        "PrecisionAtRecall": lambda m: m.PrecisionAtRecall(recall=0.5, num_thresholds=20),
        "R2Score": lambda m: m.R2Score(),
        "Recall": lambda m: m.Recall(top_k=2),
        "RecallAtPrecision": lambda m: m.RecallAtPrecision(precision=0.5, num_thresholds=20),
        "RootMeanSquaredError": lambda m: m.RootMeanSquaredError(),
        "SensitivityAtSpecificity": lambda m: m.SensitivityAtSpecificity(specificity=0.5, num_thresholds=20),
        "SparseCategoricalAccuracy": lambda m: m.SparseCategoricalAccuracy(),
        "SparseCategoricalCrossentropy": lambda m: m.SparseCategoricalCrossentropy(from_logits=True),
        "SparseTopKCategoricalAccuracy": lambda m: m.SparseTopKCategoricalAccuracy(k=3),
        "SpecificityAtSensitivity": lambda m: m.SpecificityAtSensitivity(sensitivity=0.5, num_thresholds=20),
        "SquaredHinge": lambda m: m.SquaredHinge(),
        "Sum": lambda m: m.Sum(),
        "TopKCategoricalAccuracy": lambda m: m.TopKCategoricalAccuracy(k=2),
        "TrueNegatives": lambda m: m.TrueNegatives(),
        "TruePositives": lambda m: m.TruePositives(),
    },
    "optimizers": {
        "Adadelta": lambda m: m.Adadelta(learning_rate=1.0, rho=0.9),
        "Adafactor": lambda m: m.Adafactor(learning_rate=0.05, clip_threshold=0.5),
        "Adagrad": lambda m: m.Adagrad(learning_rate=0.05, initial_accumulator_value=0.2),
        "Adam": lambda m: m.Adam(learning_rate=0.01, amsgrad=True, clipnorm=1.0),
        "AdamW": lambda m: m.AdamW(learning_rate=0.01, weight_decay=0.01),
        "Adamax": lambda m: m.Adamax(learning_rate=0.01, beta_2=0.99),
        "LossScaleOptimizer": lambda m: m.LossScaleOptimizer(m.SGD(learning_rate=0.1), initial_scale=256.0,
                                                             dynamic_growth_steps=3),
        "Ftrl": lambda m: m.Ftrl(learning_rate=0.1, l1_regularization_strength=0.01, beta=0.1),
        "Lamb": lambda m: m.Lamb(learning_rate=0.01, beta_1=0.8),
        "Lion": lambda m: m.Lion(learning_rate=0.01, beta_2=0.95),
        "Nadam": lambda m: m.Nadam(learning_rate=0.01, beta_1=0.8),
        "RMSprop": lambda m: m.RMSprop(momentum=0.5, centered=True),
        "SGD": lambda m: m.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
    },
    "schedules": {
        "CosineDecay": lambda m: m.CosineDecay(0.1, 100, alpha=0.1, warmup_target=0.2, warmup_steps=10),
        "ExponentialDecay": lambda m: m.ExponentialDecay(0.1, 10, 0.9, staircase=True),
        "InverseTimeDecay": lambda m: m.InverseTimeDecay(0.1, 10, 0.5),
        "PiecewiseConstantDecay": lambda m: m.PiecewiseConstantDecay([10, 20], [0.1, 0.05, 0.01]),
        "PolynomialDecay": lambda m: m.PolynomialDecay(0.1, 100, end_learning_rate=0.01, power=2.0),
    },
    "initializers": {
        "Constant": lambda m: m.Constant(0.5),
        "GlorotNormal": lambda m: m.GlorotNormal(seed=1),
        "GlorotUniform": lambda m: m.GlorotUniform(seed=2),
        "HeNormal": lambda m: m.HeNormal(seed=3),
        "HeUniform": lambda m: m.HeUniform(),
        "Identity": lambda m: m.Identity(gain=2.0),
        "LecunNormal": lambda m: m.LecunNormal(),
        "LecunUniform": lambda m: m.LecunUniform(),
        "Ones": lambda m: m.Ones(),
        "Orthogonal": lambda m: m.Orthogonal(gain=0.5, seed=4),
        "RandomNormal": lambda m: m.RandomNormal(mean=1.0, stddev=0.1),
        "RandomUniform": lambda m: m.RandomUniform(-0.1, 0.2),
        "TruncatedNormal": lambda m: m.TruncatedNormal(stddev=0.3),
        "VarianceScaling": lambda m: m.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform"),
        "Zeros": lambda m: m.Zeros(),
    },
    "regularizers": {
        "L1": lambda m: m.L1(0.02),
        "L1L2": lambda m: m.L1L2(l1=0.01, l2=0.03),
        "L2": lambda m: m.L2(0.05),
    },
    "constraints": {
        "MaxNorm": lambda m: m.MaxNorm(max_value=1.5, axis=0),
        "MinMaxNorm": lambda m: m.MinMaxNorm(min_value=0.1, max_value=2.0, rate=0.5),
        "NonNeg": lambda m: m.NonNeg(),
        "UnitNorm": lambda m: m.UnitNorm(axis=1),
    },
}

# Abstract bases: exported for subclassing, nothing to save on their own.
BASES = {"Layer", "InputSpec", "Loss", "Metric", "Optimizer", "LearningRateSchedule", "Initializer",
         "RandomInitializer", "Regularizer", "Constraint",
         "Reduction",  # tf.keras.losses.Reduction: an enum of names, not an object a model file holds
         "Wrapper"}  # abstract (no call): its subclasses TimeDistributed and SpectralNormalization have examples


def module_of(fw: Any, family: str):
    """``fw.keras.layers``, ``fw.keras.losses`` ... (``schedules`` is ``fw.keras.optimizers.schedules``)."""
    return fw.keras.optimizers.schedules if family == "schedules" else getattr(fw.keras, family)


def exported_classes() -> list[tuple[str, str]]:
    """(family, class name) for every class minitf's keras modules export, aliases counted once."""
    import minitf
    found = []
    for family in ("layers", "losses", "metrics", "optimizers", "schedules", "initializers", "regularizers",
                   "constraints"):
        module = module_of(minitf, family)
        names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        seen = {}
        for name in names:
            obj = getattr(module, name, None)
            if not inspect.isclass(obj) or not obj.__module__.startswith("minitf.keras") or name in BASES:
                continue
            if obj.__name__ != name and obj.__name__ in names:
                continue  # an alias (Convolution2D, MaxPool2D, glorot_uniform ...): its class is tested once
            seen.setdefault(obj, name)
        found += [(family, name) for name in seen.values()]
    return sorted(found)


# ----------------------------------------------------------------------------------- building hosts
def is_string_layer(example: LayerExample) -> bool:
    return example.dtype == "string"


def layer_model(fw: Any, name: str, example: LayerExample):
    """A functional model around the layer (adapted first if it learns from data): Input(s) -> layer."""
    keras = fw.keras
    layer = example.make(keras.layers)
    if example.adapt is not None:
        layer.adapt(example.adapt)
    shapes = example.shape if isinstance(example.shape, list) else [example.shape]
    inputs = [keras.Input(shape, dtype=example.dtype, name=f"input_{i}" if name != "InputLayer" else "features")
              for i, shape in enumerate(shapes)]
    outputs = layer(*inputs) if example.spread else layer(inputs if len(inputs) > 1 else inputs[0])
    return keras.Model(inputs if len(inputs) > 1 else inputs[0], outputs, name=f"host_{name.lower()}")


def object_model(fw: Any, family: str, obj: Any):
    """A small compiled classifier that holds ``obj`` where its family goes: the first Dense's
    initializer/regularizer/constraint, the optimizer (or its learning rate), the loss or a metric."""
    keras = fw.keras
    dense_args = {"initializers": "kernel_initializer", "regularizers": "kernel_regularizer",
                  "constraints": "kernel_constraint"}
    kwargs = {dense_args[family]: obj} if family in dense_args else {}
    inputs = keras.Input((4,), name="x")
    hidden = keras.layers.Dense(3, name="hidden", **kwargs)(inputs)
    outputs = keras.layers.Dense(3, activation="softmax", name="probabilities")(hidden)
    model = keras.Model(inputs, outputs, name=f"host_{family}")
    # MAPE's gradient is 100 / |y| per unit of error: a smaller step keeps the weights at a sane scale.
    rate = 1e-3 if type(obj).__name__ == "MeanAbsolutePercentageError" and family == "losses" else 0.1
    optimizer = obj if family == "optimizers" else keras.optimizers.SGD(obj if family == "schedules" else rate)
    sparse = type(obj).__name__.startswith("Sparse") and family == "metrics"
    loss = obj if family == "losses" else "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy"
    # Metrics host eagerly: minitf's confusion-matrix metrics, AUC and R2Score do not trace yet.
    model.compile(optimizer=optimizer, loss=loss, metrics=[obj] if family == "metrics" else None,
                  run_eagerly=family == "metrics")
    return model


# Keras (and minitf) cannot update these as compile metrics (update_state(values, sample_weight)):
# they are saved and loaded in a compile config, never evaluated.
COMPILE_ONLY = {"Mean", "Sum"}


def object_data(family: str, name: str, rng: np.random.Generator, n: int = 8):
    """Inputs and labels for ``object_model``: integer labels for the sparse losses and metrics (and for
    the generalized cross entropy and the circle loss, which take class ids)."""
    x = rng.normal(size=(n, 4)).astype("float32")
    labels = rng.integers(0, 3, size=(n,))
    integer_labels = name.startswith("Sparse") or name in ("CategoricalGeneralizedCrossEntropy", "Circle")
    if integer_labels and family in ("losses", "metrics"):
        return x, labels.astype("int64")
    one_hot = np.eye(3, dtype="float32")[labels]
    if name == "MeanAbsolutePercentageError":
        return x, 0.1 + 0.8 * one_hot  # a percentage of 0 is undefined (its gradient is 1/epsilon)
    return x, one_hot


def held_config(model: Any, family: str) -> dict:
    """The serialized object ``object_model`` put in ``model``: {"class_name", "config", ...}."""
    if family in ("initializers", "regularizers", "constraints"):
        key = {"initializers": "kernel_initializer", "regularizers": "kernel_regularizer",
               "constraints": "kernel_constraint"}[family]
        return model.get_layer("hidden").get_config()[key]
    compiled = model.get_compile_config()
    if family == "optimizers":
        return compiled["optimizer"]
    if family == "schedules":
        return compiled["optimizer"]["config"]["learning_rate"]
    if family == "losses":
        return compiled["loss"]
    return compiled["metrics"][0]


def comparable_config(obj: Any) -> dict:
    """``obj.get_config()`` as JSON data, without the fields that name an instance."""
    import json
    config = obj.get_config() if hasattr(obj, "get_config") else obj
    config = json.loads(json.dumps(config, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v)))
    if isinstance(config, dict):
        for key in ("name", "seed"):
            config.pop(key, None)
    return config


def same_settings(a: dict, b: dict) -> dict:
    """The keys both configs have whose values differ (floats compared to float32 precision)."""
    def close(x, y):
        if isinstance(x, float) and isinstance(y, (int, float)) and not isinstance(y, bool):
            return np.float32(x) == np.float32(y)
        if isinstance(x, dict) and isinstance(y, dict):
            return not same_settings(x, y)
        if isinstance(x, list) and isinstance(y, list):
            return len(x) == len(y) and all(close(p, q) for p, q in zip(x, y))
        return x == y
    return {k: (a[k], b[k]) for k in set(a) & set(b) if k not in ("name", "seed") and not close(a[k], b[k])}
