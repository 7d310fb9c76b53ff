#!/usr/bin/env python3
"""Generate reference values for the Distributions module tests.

Run from this directory:  python3 make_reference.py   (writes reference.json next to it)

Every case is computed twice:
  * with SciPy (scipy.stats.norm / t / f / chi2: pdf, cdf, sf, ppf, isf), and
  * with mpmath at 40 significant digits, from independent formulas:
      normal   : mp.ncdf / mp.npdf
      chi2     : mp.gammainc (regularized lower / upper incomplete gamma)
      t, F     : mp.betainc (regularized incomplete beta, always evaluated on the side where
                 the hypergeometric series converges, the other side as 1 - that at 40 digits);
                 if mpmath's betainc does not converge (huge parameters, far tails), the
                 positive-term series of DLMF 8.17.8 is summed in mpmath instead
      quantiles: SciPy's ppf/isf polished in mpmath by Newton steps on log(cdf/p) (or log(sf/p))
                 in log|x|, until the step is below 1e-34 relative.
The value written is SciPy's when it agrees with mpmath to 1e-14 relative; otherwise (far tails,
where SciPy itself is inaccurate or underflows) the mpmath value is written. The field "source"
of each case says which library produced "expected" ("scipy" or "mpmath"), and "scipy_rel_err"
records SciPy's relative deviation from mpmath. Numbers are written as repr() strings so that
they round-trip exactly (and so that inf / 0 need no JSON extensions).
"""
import json
import math
import os
import sys

import mpmath as mp
import numpy as np
import scipy
from scipy import stats

mp.mp.dps = 40
AGREE = 1e-14

# ---------------------------------------------------------------------------------------------
# mpmath reference functions (return mpf)


def mp_betainc_pair(a, b, x, y):
    """(I_x(a,b), 1 - I_x(a,b)) with x + y = 1, all mpf."""
    def positive_series(p, q, z, w):
        # DLMF 8.17.8: I_z(p,q) = z^p w^q / (p B(p,q)) * sum_k (p+q)_k/(p+1)_k z^k, all terms > 0;
        # the term ratio z (p+q+k)/(p+1+k) is < 1 on the side z < (p+1)/(p+q+2) used here.
        lb = mp.loggamma(p) + mp.loggamma(q) - mp.loggamma(p + q)
        total, term, k = mp.mpf(1), mp.mpf(1), 0
        while k < 10**6:
            term *= z * (p + q + k) / (p + 1 + k)
            total += term
            k += 1
            if term < total * mp.mpf(10) ** (-45):
                break
        return mp.exp(p * mp.log(z) + q * mp.log(w) - lb) / p * total

    def small_side(p, q, z, w):
        try:
            return mp.betainc(p, q, 0, z, regularized=True)
        except (mp.libmp.libhyper.NoConvergence, ValueError):
            return positive_series(p, q, z, w)
    if x < (a + 1) / (a + b + 2):
        v = small_side(a, b, x, y)
        return v, 1 - v
    v = small_side(b, a, y, x)
    return 1 - v, v


def mp_norm(fn, z):
    z = mp.mpf(z)
    if fn == "pdf":
        return mp.npdf(z)
    if fn == "cdf":
        return mp.ncdf(z)
    return mp.ncdf(-z)


def mp_t(fn, t, nu):
    t = mp.mpf(t)
    if nu == math.inf:
        return mp_norm(fn, t)
    nu = mp.mpf(nu)
    if fn == "pdf":
        return mp.exp(mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2)) / mp.sqrt(nu * mp.pi) \
            * (1 + t * t / nu) ** (-(nu + 1) / 2)
    s = abs(t)
    x = nu / (nu + s * s)
    y = s * s / (nu + s * s)
    lower_ix, upper_ix = mp_betainc_pair(nu / 2, mp.mpf(0.5), x, y)
    sf_s = lower_ix / 2          # P(T > s)
    cdf_s = 1 - sf_s             # P(T <= s)
    upper_side = (fn == "sf")
    if t < 0:
        upper_side = not upper_side
    return sf_s if upper_side else cdf_s


def mp_f(fn, f, d1, d2):
    f = mp.mpf(f)
    d1 = mp.mpf(d1)
    d2 = mp.mpf(d2)
    a, b = d1 / 2, d2 / 2
    x = d1 * f / (d1 * f + d2)
    y = d2 / (d1 * f + d2)
    if fn == "pdf":
        lb = mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)
        return mp.exp(a * mp.log(x) + b * mp.log(y) - lb) / f
    lo, up = mp_betainc_pair(a, b, x, y)
    return lo if fn == "cdf" else up


def mp_chi2(fn, x, k):
    x = mp.mpf(x)
    a = mp.mpf(k) / 2
    if fn == "pdf":
        return mp.exp((a - 1) * mp.log(x / 2) - x / 2 - mp.loggamma(a)) / 2
    if fn == "cdf":
        return mp.gammainc(a, 0, x / 2, regularized=True)
    return mp.gammainc(a, x / 2, mp.inf, regularized=True)


def mp_quantile(cdf_sf, pdf, fn, p, start):
    """Polish a quantile: solve cdf(x) = p (fn == 'ppf') or sf(x) = p (fn == 'isf')."""
    p = mp.mpf(p)
    x = mp.mpf(start)
    sign = 1 if fn == "ppf" else -1
    tail = "cdf" if fn == "ppf" else "sf"
    for _ in range(100):
        # Newton on log(tail / p) in the variable u = log|x| (x = 0 is never a start): exact for
        # power-law tails, keeps the sign of x, and converges from SciPy's start even when that
        # start is far off in a far tail.
        t_val = cdf_sf(tail, x)
        slope = sign * pdf(x) * x / t_val      # d log(tail) / du
        new = x * mp.exp(-mp.log(t_val / p) / slope)
        done = abs(new - x) <= abs(x) * mp.mpf(10) ** (-34)
        x = new
        if done:
            return x
    raise RuntimeError(f"quantile polish did not converge: {fn} p={p} start={start}")


# ---------------------------------------------------------------------------------------------
# Case grids

P_LIST = [1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-5, 1e-3, 0.025, 0.1, 0.3, 0.5,
          0.7, 0.9, 0.975, 0.999, 1 - 1e-10, 1 - 1e-16]
P_SHORT = [1e-300, 1e-100, 1e-20, 1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-9, 1 - 1e-16]

cases = []


def add(dist, params, fn, x, expected_mp, scipy_value):
    mpv = expected_mp
    sv = float(scipy_value)
    mpf_float = float(mpv)
    if mpv == 0:
        rel = 0.0 if sv == 0 else math.inf
    else:
        rel = float(abs((mp.mpf(sv) - mpv) / mpv)) if math.isfinite(sv) else math.inf
    if rel <= AGREE:
        expected, source = sv, "scipy"
    else:
        expected, source = mpf_float, "mpmath"
    cases.append({
        "dist": dist,
        "params": [repr(float(v)) for v in params],
        "fn": fn,
        "x": repr(float(x)),
        "expected": repr(expected),
        "source": source,
        "scipy_rel_err": "%.3g" % rel,
    })


def quantile_cases(dist, params, frozen, mp_fun, p_list):
    pdf = lambda x: mp_fun("pdf", x)
    for fn in ("ppf", "isf"):
        for p in p_list:
            start = float(getattr(frozen, fn)(p))
            if not math.isfinite(start) or start == 0.0:
                continue  # not representable (overflow / underflow): tested separately in Swift
            ref = mp_quantile(mp_fun, pdf, fn, p, start)
            add(dist, params, fn, p, ref, start)


def main():
    # Normal ---------------------------------------------------------------------------------
    zs = [-38, -37.5, -30, -20, -12, -8, -5, -3, -1.96, -1, -0.5, -1e-8, 0, 1e-8, 0.25, 1, 1.5,
          2.5, 4, 6, 9, 15, 25, 37.5, 38]
    for z in zs:
        for fn in ("pdf", "cdf", "sf"):
            add("normal", [0, 1], fn, z, mp_norm(fn, z), getattr(stats.norm, fn)(z))
    for mu, sd in [(3.0, 2.0), (-1.5, 0.25)]:
        for x in [-10.0, -1.0, 0.0, 2.0, 7.5]:
            for fn in ("pdf", "cdf", "sf"):
                z = (mp.mpf(x) - mu) / sd
                v = mp_norm(fn, z) / (sd if fn == "pdf" else 1)
                add("normal", [mu, sd], fn, x, v, getattr(stats.norm(mu, sd), fn)(x))
    quantile_cases("normal", [0, 1], stats.norm, mp_norm, P_LIST + [1e-250, 1e-30, 0.4, 0.6])
    quantile_cases("normal", [3.0, 2.0], stats.norm(3.0, 2.0),
                   lambda fn, x: mp_norm(fn, (x - 3) / 2) / (2 if fn == "pdf" else 1), P_SHORT)

    # Student t ------------------------------------------------------------------------------
    t_dfs = [0.5, 1, 1.5, 2, 3, 4.99999998, 5, 10, 17.3, 30, 100, 1000, 1e5, 1e7, math.inf]
    ts = [-40, -3, -1, -1e-8, 0, 1e-8, 0.1, 0.5, 1, 1.96, 2.5, 4, 10, 40, 100, 1000]
    for nu in t_dfs:
        frozen = stats.t(nu) if math.isfinite(nu) else stats.norm
        for t in ts:
            for fn in ("pdf", "cdf", "sf"):
                add("t", [nu], fn, t, mp_t(fn, t, nu), getattr(frozen, fn)(t))
        quantile_cases("t", [nu], frozen, lambda fn, x, nu=nu: mp_t(fn, x, nu), P_LIST)

    # F --------------------------------------------------------------------------------------
    f_d1 = [1, 2, 3, 5, 10, 20, 2.7]
    f_d2 = [0.5, 1, 2.5, 7, 30, 100, 1e4, 1e6, math.inf]
    fs = [1e-6, 0.01, 0.5, 1, 2, 5, 20, 100, 1e3, 1e4]
    for d1 in f_d1:
        for d2 in f_d2:
            if math.isfinite(d2):
                frozen = stats.f(d1, d2)
                fun = lambda fn, x, d1=d1, d2=d2: mp_f(fn, x, d1, d2)
            else:
                frozen = stats.chi2(d1, scale=1.0 / d1)
                fun = lambda fn, x, d1=d1: mp_chi2(fn, d1 * mp.mpf(x), d1) * (d1 if fn == "pdf" else 1)
            for f in fs:
                for fn in ("pdf", "cdf", "sf"):
                    add("f", [d1, d2], fn, f, fun(fn, f), getattr(frozen, fn)(f))
            quantile_cases("f", [d1, d2], frozen, fun, P_SHORT)

    # Chi-squared ----------------------------------------------------------------------------
    k_list = [0.5, 1, 2, 3, 7.5, 10, 50, 100, 500, 1000]
    xs = [1e-10, 1e-5, 0.01, 0.5, 1, 3, 10, 50, 100, 300, 480, 520, 1000, 1500, 2000]
    for k in k_list:
        frozen = stats.chi2(k)
        for x in xs:
            for fn in ("pdf", "cdf", "sf"):
                add("chi2", [k], fn, x, mp_chi2(fn, x, k), getattr(frozen, fn)(x))
        quantile_cases("chi2", [k], frozen, lambda fn, x, k=k: mp_chi2(fn, x, k), P_LIST)

    out = {
        "generator": "make_reference.py",
        "scipy_version": scipy.__version__,
        "mpmath_version": mp.__version__,
        "numpy_version": np.__version__,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
    # One case per line: compact, yet diff-friendly.
    header = {k: v for k, v in out.items() if k != "cases"}
    with open(path, "w") as fh:
        fh.write(json.dumps(header)[:-1] + ', "cases": [\n')
        fh.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        fh.write("\n]}\n")
    n_mp = sum(1 for c in cases if c["source"] == "mpmath")
    print(f"wrote {len(cases)} cases to {path} ({n_mp} from mpmath)", file=sys.stderr)


if __name__ == "__main__":
    main()
