"""Pooling layers: max/average over windows (``pooling``), over all positions (``global_pooling``), and
over windows sized to give an output size (``adaptive_pooling``)."""
