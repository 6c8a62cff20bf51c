"""Attention layers: ``Attention`` (Luong's dot-product attention, or "concat" scores) and
``AdditiveAttention`` (Bahdanau's additive scores with a learned scale vector), ``MultiHeadAttention``
(the transformer's scaled dot-product attention over several learned projections)."""
