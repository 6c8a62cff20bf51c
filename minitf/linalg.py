"""``minitf.linalg``, as ``tf.linalg``: matrix products, inverses, determinants, solves, decompositions
(Cholesky, QR, eigen, SVD, LU), least squares, the pseudo-inverse, the matrix exponential, diagonals."""
from minitf.nn.crossentropy import l2_normalize
from minitf.ops.clip_ops import global_norm
from minitf.ops.creation import eye
from minitf.ops.diagonals import band_part, diag, diag_part, set_diag, trace
from minitf.ops.linalg import adjoint, cross, einsum, matmul, matrix_transpose, matvec, norm, tensordot
from minitf.ops.decompositions import eigh, eigvalsh, lu, qr, svd
from minitf.ops.linalg_composites import (cholesky_solve, expm, logdet, lstsq, lu_matrix_inverse, lu_reconstruct,
                                          lu_solve, matrix_rank, normalize, pinv)
from minitf.ops.matrix_ops import cholesky, det, inv, slogdet, solve, triangular_solve

__all__ = ["l2_normalize", "eye", "einsum", "matmul", "matrix_transpose", "norm", "tensordot", "cholesky", "det",
           "inv", "solve", "global_norm", "band_part", "diag", "diag_part", "set_diag", "trace", "adjoint", "cross",
           "matvec", "slogdet", "triangular_solve", "qr", "eigh", "eigvalsh", "svd", "lu", "cholesky_solve", "logdet",
           "lstsq", "pinv", "matrix_rank", "normalize", "lu_solve", "lu_reconstruct", "lu_matrix_inverse", "expm"]
