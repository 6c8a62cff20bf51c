"""SpatialDropout1D / 2D / 3D: dropout of whole feature maps. One keep-or-drop draw per (sample, channel),
shared by every step (1D), pixel (2D) or voxel (3D): neighbouring values of one map are strongly correlated,
so dropping single values would hardly regularize. Drawn with ``keras.random.dropout`` and the
layer's own SeedGenerator, as Keras."""
from __future__ import annotations

from minitf.keras import random as keras_random
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.regularization.dropout import Dropout

__all__ = ["SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]


class _SpatialDropout(Dropout):
    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return keras_random.dropout(inputs, self.rate, noise_shape=self._noise_shape(tuple(inputs.shape)),
                                        seed=self.seed_generator)
        return inputs

    def get_config(self) -> dict:  # Keras's: no noise_shape, no trainable
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(_SpatialDropout):
    """(batch, steps, channels): one draw per (sample, channel)."""

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, shape):
        return (shape[0], 1, shape[2])


class _SpatialMapsDropout(_SpatialDropout):
    """Maps of ``spatial_rank`` axes, channels last (or first): one draw per (sample, channel)."""

    spatial_rank = 2

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"The `data_format` argument must be one of {{'channels_first', 'channels_last'}}. "
                             f"Received: data_format={data_format}")
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(ndim=self.spatial_rank + 2)

    def _noise_shape(self, shape):
        ones = (1,) * self.spatial_rank
        return (shape[0], shape[1]) + ones if self.data_format == "channels_first" else (shape[0],) + ones + (shape[-1],)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout2D(_SpatialMapsDropout):
    """(batch, height, width, channels) (or channels first): one draw per (sample, channel)."""

    spatial_rank = 2


class SpatialDropout3D(_SpatialMapsDropout):
    """(batch, depth, height, width, channels) (or channels first): one draw per (sample, channel)."""

    spatial_rank = 3
