"""The benchmark cases, one module each; every module has ``NAME``, ``TITLE`` and ``run(ctx)``.

Order here is the order of a full run (fast, informative cases first).
"""

CASE_NAMES: tuple[str, ...] = (
    "op_overhead",
    "matmul",
    "mlp_circles",
    "cnn_step",
    "conv2d_flops",
    "tinyvgg",
    "lstm_step",
    "scaling",
    "memory_startup",
    "gpu",
)
