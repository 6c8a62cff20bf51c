"""``minitf.linalg``, as ``tf.linalg``: matrix products."""
from minitf.ops.creation import eye
from minitf.ops.linalg import einsum, matmul, matrix_transpose, norm, tensordot

__all__ = ["eye", "einsum", "matmul", "matrix_transpose", "norm", "tensordot"]
