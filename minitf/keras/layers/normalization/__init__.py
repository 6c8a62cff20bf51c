"""Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization, GroupNormalization,
RMSNormalization."""
