"""Core layers: Dense, Embedding, Input/InputLayer, Lambda, and the layer around a raw op (``op_layer``)."""
