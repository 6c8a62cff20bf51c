"""``minitf.linalg``, as ``tf.linalg``: matrix products, inverses, determinants, solves, Cholesky."""
from minitf.nn.crossentropy import l2_normalize
from minitf.ops.clip_ops import global_norm
from minitf.ops.creation import eye
from minitf.ops.linalg import einsum, matmul, matrix_transpose, norm, tensordot
from minitf.ops.matrix_ops import cholesky, det, inv, solve

__all__ = ["l2_normalize", "eye", "einsum", "matmul", "matrix_transpose", "norm", "tensordot", "cholesky", "det",
           "inv", "solve", "global_norm"]
