"""Core layers: Dense, EinsumDense, Embedding, Input/InputLayer, Lambda, and the layer around a raw op (``op_layer``)."""
