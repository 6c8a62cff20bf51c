"""Pooling layers: max/average over windows (``pooling``) and over all positions (``global_pooling``)."""
