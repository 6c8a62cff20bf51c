"""Attention layers: ``Attention`` (Luong's dot-product attention, or Bahdanau-style "concat" scores)."""
