"""The op families. Each file holds ops with their gradients side by side:

- ``elementwise.py``: arithmetic, exp/log, comparisons; ``unbroadcast`` (the one
  place a gradient is summed back to a broadcast input's shape)
- ``reductions.py``: reduce_sum/mean/max/..., argmax, cumsum
- ``shape_ops.py``: reshape, transpose, concat, slicing, gather, cast, sort
- ``linalg.py``: matmul, tensordot, einsum
- ``creation.py``: zeros, ones, range, eye (nothing to differentiate)
"""
