"""How fast could im2col + this machine's BLAS possibly run a model's training step?

``python -m benchmarks.floors [--quick]``: for the course's TinyVGG at 224x224 and the Udacity CNN,
the matrix products a training step needs (each convolution's forward, input gradient and filter
gradient as im2col products, each Dense layer's three products), each timed alone on one core at
the best rate NumPy's BLAS gives for its shape (its rows taken in pieces of 256 to all of them,
whichever is fastest), summed, and divided by the number of cores as if the split were perfect.

That sum is a floor for minitf's step, which computes these products with NumPy's BLAS: it leaves
out everything else (building the patch matrices, pooling, activations, the optimizer's update).
Printed beside the Keras step a target would need, it says whether a target is out of reach for
this design on this machine. Nothing here is asserted in tests; ``--quick`` only smoke-tests it.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

BATCH = 32


def conv_products(name: str, pixels_in: int, pixels_out: int, c: int, f: int, k: int = 3,
                  input_gradient: bool = True) -> list[tuple]:
    """(label, rows, inner, columns, kind) of a k x k convolution's products: forward
    (output pixels x k*k*c) @ (k*k*c x f); input gradient (input pixels x k*k*f) @ (k*k*f x c);
    filter gradient (k*k*c x output pixels) @ (output pixels x f), kind "summed"."""
    products = [(f"{name} forward", pixels_out, k * k * c, f, "product")]
    if input_gradient:
        products.append((f"{name} input gradient", pixels_in, k * k * f, c, "product"))
    products.append((f"{name} filter gradient", pixels_out, k * k * c, f, "summed"))
    return products


def dense_products(name: str, batch: int, n_in: int, n_out: int) -> list[tuple]:
    return [(f"{name} forward", batch, n_in, n_out, "product"), (f"{name} input gradient", batch, n_out, n_in, "product"),
            (f"{name} kernel gradient", batch, n_in, n_out, "summed")]


def tiny_vgg(size: int) -> list[tuple]:
    """``models.build_tiny_vgg``: Conv2D(10, 3) twice (valid), MaxPool2D, again, Flatten, Dense(1)."""
    s1, s2 = size - 2, size - 4
    s3 = s2 // 2 - 2
    s4 = s3 - 2
    px = lambda s: BATCH * s * s  # noqa: E731
    return (conv_products(f"conv1 3->10 @{size}", px(size), px(s1), 3, 10, input_gradient=False)
            + conv_products(f"conv2 10->10 @{s1}", px(s1), px(s2), 10, 10)
            + conv_products(f"conv3 10->10 @{s2 // 2}", px(s2 // 2), px(s3), 10, 10)
            + conv_products(f"conv4 10->10 @{s3}", px(s3), px(s4), 10, 10))


def udacity_cnn() -> list[tuple]:
    """``models.build_cnn``: Conv2D(32, 3, same), MaxPool2D, Conv2D(64, 3, same), MaxPool2D, Dense(128), Dense(10)."""
    return (conv_products("conv1 1->32 @28", BATCH * 28 * 28, BATCH * 28 * 28, 1, 32, input_gradient=False)
            + conv_products("conv2 32->64 @14", BATCH * 14 * 14, BATCH * 14 * 14, 32, 64)
            + dense_products("dense 3136->128", BATCH, 3136, 128))


def best_seconds(rows: int, inner: int, columns: int, kind: str, reps: int) -> float:
    """The least time one core takes for the product, its rows in pieces of 256, 1024, 4096 or all."""
    rng = np.random.default_rng(0)
    best = float("inf")
    for piece in sorted({min(p, rows) for p in (256, 1024, 4096, rows)}):
        a = rng.standard_normal((piece, inner), dtype=np.float32)
        if kind == "product":
            b = rng.standard_normal((inner, columns), dtype=np.float32)
            out = np.empty((piece, columns), dtype=np.float32)
            run = lambda: np.matmul(a, b, out=out)  # noqa: E731
        else:
            d = rng.standard_normal((piece, columns), dtype=np.float32)
            run = lambda: a.T @ d  # noqa: E731
        run()
        for _ in range(reps):
            start = time.perf_counter()
            run()
            best = min(best, (time.perf_counter() - start) * rows / piece)
    return best


def report(title: str, products: list[tuple], cores: int, reps: int) -> float:
    """Print each product's best time and the floor; returns the floor in seconds."""
    print(f"\n{title}")
    total = 0.0
    for label, rows, inner, columns, kind in products:
        seconds = best_seconds(rows, inner, columns, kind, reps)
        total += seconds
        flop = 2 * rows * inner * columns
        print(f"  {label:40s} {flop / 1e9:6.3f} GFLOP {seconds * 1e3:8.2f} ms on one core "
              f"({flop / seconds / 1e9:4.0f} GFLOP/s)")
    print(f"  all products: {total * 1e3:.1f} ms on one core; {total / cores * 1e3:.1f} ms on {cores} cores at best")
    return total / cores


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floors", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke test: 32x32 images, one repetition")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    reps = 1 if args.quick else 5
    size = 32 if args.quick else 224
    with threadpool_limits(1):
        report(f"TinyVGG {size}x{size}x3, batch {BATCH}: conv products", tiny_vgg(size), cores, reps)
        report(f"Udacity CNN 28x28x1, batch {BATCH}: conv and Dense products", udacity_cnn(), cores, reps)


if __name__ == "__main__":
    main()
