"""The special functions of ``tf.math`` with their gradients: ``lgamma``, ``digamma``, ``polygamma``,
``zeta``, ``lbeta``, ``erfinv``, ``ndtri``.

Each kernel computes in float64 from a textbook formula (no SciPy) and rounds once to the input's
dtype. The gradients, with psi = digamma:

    lgamma:  d/dx log|Gamma(x)| = psi(x)
    digamma: d/dx psi(x) = psi'(x) = polygamma(1, x)
    polygamma(n, x): d/dx = polygamma(n + 1, x)             (none for n, an integer)
    zeta(s, q) = sum_k (q + k)^-s:  d/dq = -s zeta(s + 1, q)  (none for s, as in TF)
    erfinv:  y = erfinv(x), x = erf(y): dy/dx = 1 / erf'(y) = sqrt(pi)/2 e^(y^2)
    ndtri:   y = ndtri(p), p = Phi(y):  dy/dp = 1 / Phi'(y) = sqrt(2 pi) e^(y^2 / 2)
"""
from __future__ import annotations

import math

import numpy as np

from minitf import array_backend as B
from minitf._tf_compat import erfinv_through_ndtri
from minitf.errors import InvalidArgumentTypeError, NotFoundError
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops.creation import ones_like
from minitf.ops.elementwise import Broadcasting, _erf_array, exp
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["lgamma", "digamma", "polygamma", "zeta", "lbeta", "erfinv", "ndtri"]

# Lanczos's approximation of Gamma, g = 7, nine terms (relative error ~1e-15 for x >= 1/2).
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
# Bernoulli numbers B_2, B_4, ..., B_24: the Euler-Maclaurin and asymptotic series' coefficients.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798,
              -174611 / 330, 854513 / 138, -236364091 / 2730)


def _nonpositive_integer(x):
    return (x <= 0) & (x == B.xp.floor(x))


def _lgamma(x):
    """log|Gamma(x)| in float64: Lanczos for x >= 1/2; below, the reflection
    Gamma(x) Gamma(1 - x) = pi / sin(pi x)."""
    xp = B.xp
    reflect = x < 0.5
    z = xp.where(reflect, 1 - x, x) - 1
    series = _LANCZOS[0] + sum(c / (z + i) for i, c in enumerate(_LANCZOS[1:], start=1))
    t = z + _LANCZOS_G + 0.5
    with np.errstate(all="ignore"):
        positive = 0.5 * math.log(2 * math.pi) + (z + 0.5) * xp.log(t) - t + xp.log(series)
        # sin(pi x) from x's distance to the nearest integer: exact periodicity for large |x|
        sine = xp.abs(xp.sin(math.pi * (x - xp.round(x))))
        out = xp.where(reflect, math.log(math.pi) - xp.log(sine) - positive, positive)
    out = xp.where(xp.isinf(x) | _nonpositive_integer(x), xp.inf, out)  # poles, and Gamma(+-inf)
    return xp.where(xp.isnan(x), x, out)


def _digamma(x):
    """psi(x) = Gamma'(x) / Gamma(x) in float64: the reflection psi(1 - x) - pi / tan(pi x) for
    x < 1/2, the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic series
    log x - 1/(2x) - sum_k B_2k / (2k x^2k). NaN at the poles 0, -1, -2, ... (as TF)."""
    xp = B.xp
    reflect = x < 0.5
    y = xp.where(reflect, 1 - x, x)
    shift = xp.zeros_like(y)
    for _ in range(10):  # y < 10: psi(y) = psi(y + 1) - 1/y
        small = y < 10
        shift = shift - xp.where(small, 1 / xp.where(small, y, 1), 0)
        y = xp.where(small, y + 1, y)
    with np.errstate(all="ignore"):
        inv2 = 1 / (y * y)
        tail, power = 0.0, inv2
        for k, b in enumerate(_BERNOULLI[:7], start=1):
            tail = tail + b / (2 * k) * power
            power = power * inv2
        psi = xp.log(y) - 0.5 / y - tail + shift
        psi = xp.where(reflect, psi - math.pi / xp.tan(math.pi * (x - xp.round(x))), psi)
    psi = xp.where(_nonpositive_integer(x) | (x == -xp.inf), xp.nan, psi)
    return xp.where(x == xp.inf, xp.inf, psi)


def _zeta(s, q):
    """Hurwitz's zeta(s, q) = sum_{k>=0} (q + k)^-s in float64 (s > 1), by Euler-Maclaurin: the first
    N terms summed, the rest as the integral w^(1-s)/(s-1) + w^-s/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2)
    w^(-s-2j+1), with w = q + N >= 16. As TF (Eigen's zeta): inf at s = 1, NaN for s < 1; at
    q = 0, -1, -2, ... inf for an even s and NaN for any other; for other q < 0 NaN unless s is whole."""
    xp = B.xp
    s, q = xp.broadcast_arrays(s, q)
    finite_q = q[xp.isfinite(q)]
    lowest = float(xp.min(finite_q)) if finite_q.size else 0.0
    terms = int(max(16, math.ceil(16 - lowest)))  # enough terms that w = q + N >= 16 for every q
    with np.errstate(all="ignore"):
        total = xp.zeros(s.shape)
        for k in range(terms):
            total = total + (q + k) ** -s
        w = q + terms
        total = total + w ** (1 - s) / (s - 1) + 0.5 * w ** -s
        rising, power, factorial = s, w ** (-s - 1), 2.0  # s(s+1)...(s+2j-2), w^(-s-2j+1), (2j)!
        for j, b in enumerate(_BERNOULLI, start=1):
            term = b / factorial * rising * power
            total = total + xp.where(power == 0, 0.0, term)  # s = inf: 0, not inf * 0
            rising = rising * (s + 2 * j - 1) * (s + 2 * j)
            power = power / (w * w)
            factorial = factorial * (2 * j + 1) * (2 * j + 2)
    whole_s = s == xp.floor(s)
    total = xp.where((q < 0) & ~whole_s, xp.nan, total)
    total = xp.where(_nonpositive_integer(q), xp.where(whole_s & (s % 2 == 0), xp.inf, xp.nan), total)
    total = xp.where(s < 1, xp.nan, total)
    total = xp.where(s == 1, xp.inf, total)
    return xp.where(xp.isnan(s) | xp.isnan(q), xp.nan, total)


def _polygamma(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for integers n >= 1; psi(x) for n = 0; NaN for other n."""
    xp = B.xp
    n, x = xp.broadcast_arrays(n, x)
    whole = (n >= 0) & (n == xp.floor(n))
    order = xp.where(whole, n, 1.0)
    with np.errstate(all="ignore"):
        factorial = xp.exp(_lgamma(order + 1))
        higher = xp.where(order % 2 == 1, 1.0, -1.0) * factorial * _zeta(order + 1, x)
    out = xp.where(order == 0, _digamma(x), higher)
    return xp.where(whole, out, xp.nan)


def _log_erfc(z):
    """log erfc(z) for z > 0, without the underflow of erfc itself in the far tail (z > 26)."""
    xp = B.xp
    near = z < 2
    with np.errstate(all="ignore"):
        head = xp.log(1 - _erf_array(xp.where(near, z, 0.0)))
        far = xp.where(near, 2.0, z)
        fraction = far.copy()
        for k in range(60, 0, -1):  # Laplace's continued fraction, as in _erfc_tail
            fraction = far + (k / 2) / fraction
        tail = -far * far - xp.log(math.sqrt(math.pi) * fraction)
    return xp.where(near, head, tail)


def _giles_guess(w):
    """Giles's single-precision erfinv(y) / y, as a polynomial in w = -log(1 - y^2): the start of
    the Newton steps (M. Giles, "Approximating the erfinv function", 2010)."""
    xp = B.xp
    central = w - 2.5
    p_central = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
              0.246640727, 1.50140941):
        p_central = c + p_central * central
    tail = xp.sqrt(w) - 3
    p_tail = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
              1.00167406, 2.83297682):
        p_tail = c + p_tail * tail
    return xp.where(w < 5, p_central, p_tail)


def _inverse_erf_erfc(y, c):
    """z >= 0 with erf(z) = y (where y <= 1/2) or erfc(z) = c (elsewhere, c = 1 - y given exactly):
    Giles's guess, then Newton's steps on erf(z) - y, or on log erfc(z) - log c in the tail (where
    erfc(z) is too small for differences). Quadratic convergence: 4 steps reach float64."""
    xp = B.xp
    with np.errstate(all="ignore"):
        w = -xp.log(c * (2 - c))  # -log(1 - y^2), from c without cancellation
        tiny = c < 1e-12
        guess = xp.where(tiny, xp.sqrt(-xp.log(c * math.sqrt(math.pi) * xp.sqrt(xp.maximum(-xp.log(c), 1.0)))),
                         _giles_guess(w) * y)
        z = xp.where(xp.isfinite(guess), guess, 0.0)
        use_erfc = y > 0.5
        log_c = xp.log(c)
        for _ in range(6):
            density = (2 / math.sqrt(math.pi)) * xp.exp(-z * z)
            step_erf = (_erf_array(z) - y) / density
            log_erfc = _log_erfc(xp.maximum(z, 1e-300))
            step_erfc = -(log_erfc - log_c) / (density / xp.exp(log_erfc))
            z = z - xp.where(use_erfc, step_erfc, step_erf)
    return z


def _ndtri(p):
    """Phi^-1(p), the standard normal quantile, in float64: -sqrt(2) erfc^-1(2p), with the tail
    p < 1/4 (or 1 - p < 1/4) taken through erfc so that small p keeps its digits."""
    xp = B.xp
    inside = (p > 0) & (p < 1)
    q = xp.where(inside, p, 0.5)
    upper = q > 0.5
    c = 2 * xp.where(upper, 1 - q, q)  # erfc(z) = c, z = |x| / sqrt(2)
    z = _inverse_erf_erfc(1 - c, c)
    out = math.sqrt(2) * xp.where(upper, z, -z)
    out = xp.where(inside, out, xp.where(p == 0, -xp.inf, xp.where(p == 1, xp.inf, xp.nan)))
    return xp.where(xp.isnan(p), p, out)


def _in_float64(kernel, *arrays):
    """The kernel on float64 copies of the inputs, rounded once to the first input's dtype."""
    return B.xp.asarray(kernel(*[a.astype(np.float64) for a in arrays])).astype(arrays[0].dtype, copy=False)


class Lgamma(Op):
    """log|Gamma(x)|.      dy/dx = digamma(x)."""

    elementwise = True

    def forward(x):
        return _in_float64(_lgamma, x)

    def backward(ctx, dy):
        return dy * Digamma.apply(ctx.inputs[0])


class Digamma(Op):
    """psi(x) = d/dx log Gamma(x).      dy/dx = polygamma(1, x)."""

    elementwise = True

    def forward(x):
        return _in_float64(_digamma, x)

    def backward(ctx, dy):
        x = ctx.inputs[0]
        return dy * polygamma(ones_like(x), x)  # (float16: TF's error, as TF has no half Polygamma)


class Polygamma(Broadcasting):
    """psi^(n)(x), the n-th derivative of digamma.      d/dx = polygamma(n + 1, x); none for n."""

    def forward(n, x):
        return _in_float64(_polygamma, n, x)

    def backward(ctx, dy):
        n, x = ctx.inputs
        return None, E.unbroadcast(dy * Polygamma.apply(n + 1, x), x)


class Zeta(Broadcasting):
    """Hurwitz's zeta(s, q) = sum_k (q + k)^-s.      d/dq = -s zeta(s + 1, q); none for s (as TF)."""

    def forward(s, q):
        return _in_float64(_zeta, s, q)

    def backward(ctx, dy):
        s, q = ctx.inputs
        return None, E.unbroadcast(dy * -s * Zeta.apply(s + 1, q), q)


class Erfinv(Op):
    """erf^-1(x) = Phi^-1((x + 1)/2) / sqrt(2) (TF's route, its rounding of (x + 1)/2 kept:
    ``_tf_compat.erfinv_through_ndtri``).      dy/dx = sqrt(pi)/2 e^(y^2)."""

    elementwise = True

    def forward(x):
        return erfinv_through_ndtri(x, _ndtri)

    def backward(ctx, dy):
        y = ctx.output
        return dy * (math.sqrt(math.pi) / 2) * exp(y * y)


class Ndtri(Op):
    """Phi^-1(p), the standard normal quantile.      dy/dp = sqrt(2 pi) e^(y^2 / 2)."""

    elementwise = True

    def forward(p):
        return _in_float64(_ndtri, p)

    def backward(ctx, dy):
        y = ctx.output
        return dy * math.sqrt(2 * math.pi) * exp(y * y / 2)


def _float_input(op: str, x, half: bool = True) -> Tensor:
    x = E.float_operand(op, x)
    if x.dtype.name == "float16" and not half:
        raise NotFoundError(f"{op}: no kernel for float16 (half); cast to float32 first", op)
    return x


def _float_pair(op: str, a, b) -> tuple[Tensor, Tensor]:
    """Two inputs of one dtype, float32 or float64 (TF's zeta and polygamma have no float16)."""
    a, b = E.float_operands(op, a, b)
    if b.dtype != a.dtype or a.dtype.name == "float16":
        raise InvalidArgumentTypeError(f"{op}: expected two float32 or float64 tensors of one dtype, got "
                                       f"{a.dtype.name} and {b.dtype.name}", op)
    return a, b


def lgamma(x, name=None) -> Tensor:
    """log|Gamma(x)| (inf at 0, -1, -2, ...)."""
    return Lgamma.apply(_float_input("Lgamma", x))


def digamma(x, name=None) -> Tensor:
    """psi(x) = Gamma'(x) / Gamma(x) (NaN at 0, -1, -2, ...)."""
    return Digamma.apply(_float_input("Digamma", x))


def polygamma(a, x, name=None) -> Tensor:
    """psi^(a)(x): the a-th derivative of digamma (a a non-negative integer; NaN otherwise)."""
    return Polygamma.apply(*_float_pair("Polygamma", a, x))


def zeta(x, q, name=None) -> Tensor:
    """Hurwitz's zeta function sum_{k>=0} (q + k)^-x."""
    return Zeta.apply(*_float_pair("Zeta", x, q))


def lbeta(x, name=None) -> Tensor:
    """log|B(x)| over the last axis: sum(lgamma(x)) - lgamma(sum(x)) (TF's formula; -inf for an empty axis)."""
    x = convert_to_tensor(x)
    return R.reduce_sum(lgamma(x), axis=-1) - lgamma(R.reduce_sum(x, axis=-1))


def erfinv(x, name=None) -> Tensor:
    """The inverse of erf on [-1, 1]."""
    return Erfinv.apply(_float_input("Erfinv", x, half=False))


def ndtri(x, name=None) -> Tensor:
    """The inverse of the standard normal CDF on [0, 1]."""
    return Ndtri.apply(_float_input("Ndtri", x, half=False))
