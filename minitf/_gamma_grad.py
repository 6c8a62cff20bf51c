"""d sample / d alpha of a Gamma(alpha, 1) sample: TF's RandomGammaGrad (Eigen's
``gamma_sample_der_alpha``), the implicit reparameterization gradient (Figurnov, Mohamed and Mnih,
"Implicit Reparameterization Gradients", 2018).

A sample x is the inverse CDF of a uniform u: ``P(alpha, x) = u`` with P the regularized lower
incomplete gamma function. Differentiating both sides with u fixed::

    dP/dalpha + p(x) dx/dalpha = 0,    so    dx/dalpha = -(dP/dalpha) / p(x),

p the Gamma density. As Eigen, dP/dalpha comes from forward-mode differentiation of Cephes' igam:
its power series for ``x <= 1 or x <= alpha`` and the continued fraction of igamc otherwise, with
the density's factor ``x^a e^-x / Gamma(a)`` cancelled in closed form. minitf evaluates it in
double for every dtype (Eigen uses the dtype's own precision and Cephes' digamma and iteration
limits, 200 for float32 and 500 for float64): values agree with TF's to float32's accuracy
(Eigen's float32 code is itself good to about 1e-6 absolute) and to about 1e-12 in float64.
"""
from __future__ import annotations

import math

import numpy as np

from minitf._philox_samplers import libm

_EPS = np.finfo(np.float64).eps
_MACHEP = _EPS / 2
_BIG, _BIGINV = 1.0 / _EPS, _EPS
_ITERATIONS = 500  # Eigen's limit for double in the derivative modes


def digamma(x: np.ndarray) -> np.ndarray:
    """psi(x) for x > 0 (Cephes' method, as Eigen): the recurrence psi(x) = psi(x + 1) - 1/x up to
    x >= 10, then ``log x - 1/(2x) - sum B_2k / (2k x^2k)``."""
    s = np.array(x, dtype=np.float64, copy=True)
    w = np.zeros_like(s)
    small = s < 10
    while small.any():
        w[small] += 1.0 / s[small]
        s[small] += 1.0
        small = s < 10
    z = 1.0 / (s * s)
    coefficients = (8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
                    -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
                    8.33333333333333333333e-2)
    poly = np.zeros_like(s)
    for c in coefficients:
        poly = poly * z + c
    y = np.where(s < 1e17, z * poly, 0.0)
    return libm(math.log, s) - 0.5 / s - y - w


def _series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """-(d igam/da) / p(x) from the power series of igam (x <= 1 or x <= a)."""
    r, c, ans = a.copy(), np.ones_like(a), np.ones_like(a)
    dc_da, dans_da = np.zeros_like(a), np.zeros_like(a)
    active = np.ones(a.shape, dtype=bool)
    for _ in range(_ITERATIONS):
        if not active.any():
            break
        i = active
        r[i] += 1.0
        term = x[i] / r[i]
        dterm_da = -x[i] / (r[i] * r[i])
        dc_da[i] = term * dc_da[i] + dterm_da * c[i]
        dans_da[i] += dc_da[i]
        c[i] *= term
        ans[i] += c[i]
        active[i] = ~(np.abs(dc_da[i]) <= _MACHEP * np.abs(dans_da[i]))
    dlogax_da = libm(math.log, x) - digamma(a + 1.0)
    return -(dans_da + ans * dlogax_da) * x / a


def _continued_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """-(d igam/da) / p(x) = (d igamc/da) / p(x) from igamc's continued fraction (x > 1 and x > a)."""
    y = 1.0 - a
    z = x + y + 1.0
    c = np.zeros_like(a)
    pkm2, qkm2 = np.ones_like(a), x.copy()
    pkm1, qkm1 = x + 1.0, z * x
    ans = pkm1 / qkm1
    dpkm2, dqkm2, dpkm1, dqkm1 = np.zeros_like(a), np.zeros_like(a), np.zeros_like(a), -x
    dans = (dpkm1 - ans * dqkm1) / qkm1
    active = np.ones(a.shape, dtype=bool)
    for _ in range(_ITERATIONS):
        if not active.any():
            break
        i = active
        c[i] += 1.0
        y[i] += 1.0
        z[i] += 2.0
        yc = y[i] * c[i]
        pk = pkm1[i] * z[i] - pkm2[i] * yc
        qk = qkm1[i] * z[i] - qkm2[i] * yc
        dpk = dpkm1[i] * z[i] - pkm1[i] - dpkm2[i] * yc + pkm2[i] * c[i]
        dqk = dqkm1[i] * z[i] - qkm1[i] - dqkm2[i] * yc + qkm2[i] * c[i]
        nonzero = qk != 0
        previous = dans[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            new_ans = np.where(nonzero, pk / qk, ans[i])
            new_dans = np.where(nonzero, (dpk - new_ans * dqk) / qk, previous)
        ans[i], dans[i] = new_ans, new_dans
        converged = nonzero & (np.abs(new_dans - previous) <= _MACHEP)
        pkm2[i], pkm1[i], qkm2[i], qkm1[i] = pkm1[i], pk, qkm1[i], qk
        dpkm2[i], dpkm1[i], dqkm2[i], dqkm1[i] = dpkm1[i], dpk, dqkm1[i], dqk
        big = ~converged & (np.abs(pk) > _BIG)
        if big.any():
            rows = np.flatnonzero(i)[big]
            for arr in (pkm2, pkm1, qkm2, qkm1, dpkm2, dpkm1, dqkm2, dqkm1):
                arr[rows] *= _BIGINV
        active[np.flatnonzero(i)[converged]] = False
    dlogax_da = libm(math.log, x) - digamma(a)
    return (dans + ans * dlogax_da) * x  # -(-(...)): igam = 1 - igamc


def _main_term_is_zero(a: np.ndarray, x: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Eigen returns 0 where ``x^a e^-x / Gamma(a + shift)`` underflows (there the CDF is flat)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        logax = a * libm(math.log, x) - x - libm(math.lgamma, a + shift)
    return (logax < -math.log(np.finfo(np.float64).max)) | np.isnan(logax)


def gamma_sample_der_alpha(alpha, sample) -> np.ndarray:
    """dx/dalpha for Gamma(alpha, 1) samples x (broadcast together), in double."""
    a, x = np.broadcast_arrays(np.asarray(alpha, np.float64), np.asarray(sample, np.float64))
    a, x = a.astype(np.float64).reshape(-1), x.astype(np.float64).reshape(-1)
    out = np.full(a.shape, np.nan)
    ok = (x > 0) & (a > 0) & ~np.isnan(a) & ~np.isnan(x)
    out[x == 0] = 0.0
    fraction = ok & (x > 1) & (x > a)
    series = ok & ~fraction
    for rows, fn, shift in ((fraction, _continued_fraction, 0.0), (series, _series, 0.0)):
        if rows.any():
            aa, xx = a[rows], x[rows]
            value = np.zeros(aa.shape)
            live = ~_main_term_is_zero(aa, xx, shift)
            if fn is _continued_fraction:
                live &= ~np.isinf(xx)
            if live.any():
                value[live] = fn(aa[live], xx[live])
            out[rows] = value
    return out.reshape(np.broadcast_shapes(np.shape(alpha), np.shape(sample)))
