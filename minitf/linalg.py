"""``minitf.linalg``, as ``tf.linalg``: matrix products."""
from minitf.nn.crossentropy import l2_normalize
from minitf.ops.creation import eye
from minitf.ops.linalg import einsum, matmul, matrix_transpose, norm, tensordot

__all__ = ["l2_normalize", "eye", "einsum", "matmul", "matrix_transpose", "norm", "tensordot"]
