"""Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization, GroupNormalization,
RMSNormalization, SpectralNormalization (a wrapper)."""
