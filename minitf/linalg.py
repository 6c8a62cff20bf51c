"""``minitf.linalg``, as ``tf.linalg``: matrix products, inverses, determinants, solves, Cholesky, diagonals."""
from minitf.nn.crossentropy import l2_normalize
from minitf.ops.clip_ops import global_norm
from minitf.ops.creation import eye
from minitf.ops.diagonals import band_part, diag, diag_part, set_diag, trace
from minitf.ops.linalg import adjoint, cross, einsum, matmul, matrix_transpose, matvec, norm, tensordot
from minitf.ops.matrix_ops import cholesky, det, inv, solve

__all__ = ["l2_normalize", "eye", "einsum", "matmul", "matrix_transpose", "norm", "tensordot", "cholesky", "det",
           "inv", "solve", "global_norm", "band_part", "diag", "diag_part", "set_diag", "trace", "adjoint", "cross",
           "matvec"]
