"""Interval statistics for rates: Wilson score intervals and funnel-plot control limits.

Pure functions on numbers or numpy/pandas arrays; no database. Rates are fractions 0-1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Two-sided standard normal quantiles.
Z_95 = 1.959963984540054     # 95%
Z_998 = 3.090232306167813    # 99.8% (the outer funnel limit, about 3 standard deviations)
SMALL_DENOMINATOR = 10       # below this, a rate is flagged as resting on too few cases


def wilson_interval(numerator, denominator, z: float = Z_95):
    """Wilson score interval for a binomial proportion, numerator ÷ denominator.

    Works on scalars or arrays (element-wise). A zero or missing denominator gives (nan, nan), never an
    error. Example: ``wilson_interval(8, 10)`` → ``(0.4902, 0.9433)`` (rounded).
    Reference: Wilson (1927); Newcombe (1998) method 3; recommended for small counts by Brown, Cai and
    DasGupta (2001).
    """
    x = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        n_ok = np.where(n > 0, n, np.nan)
        p = x / n_ok
        z2 = z * z
        centre = (p + z2 / (2 * n_ok)) / (1 + z2 / n_ok)
        half = (z / (1 + z2 / n_ok)) * np.sqrt(p * (1 - p) / n_ok + z2 / (4 * n_ok * n_ok))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def funnel_limits(reference_rate, denominator, z: float = Z_95):
    """Funnel-plot control limits around ``reference_rate`` for a unit with ``denominator`` cases.

    Normal approximation to the binomial, p0 ± z·sqrt(p0(1 − p0)/n), clipped to [0, 1]
    (Spiegelhalter 2005, "Funnel plots for comparing institutional performance"). Use ``Z_95`` for the
    inner (warning) and ``Z_998`` for the outer (control) limits. Element-wise; n = 0 gives nan.
    Example: ``funnel_limits(0.5, 100)`` → ``(0.402, 0.598)``.
    """
    p0 = np.asarray(reference_rate, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        n_ok = np.where(n > 0, n, np.nan)
        half = z * np.sqrt(p0 * (1 - p0) / n_ok)
        low = np.clip(p0 - half, 0.0, 1.0)
        high = np.clip(p0 + half, 0.0, 1.0)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def safe_rate(numerator, denominator):
    """numerator ÷ denominator as float, nan where the denominator is 0 or missing (the SQL nullif rule)."""
    num = pd.to_numeric(pd.Series(numerator), errors="coerce").astype("float64")
    den = pd.to_numeric(pd.Series(denominator), errors="coerce").astype("float64")
    out = num / den.where(den > 0)
    return out.to_numpy() if not np.isscalar(numerator) else float(out.iloc[0])
