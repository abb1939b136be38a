"""Wilson intervals and funnel limits against published / hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.metrics import stats


def test_wilson_8_of_10_matches_published_value():
    low, high = stats.wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),      # all failures: lower bound 0, upper z²/(n+z²)
        (10, 10, 0.7225, 1.0),
        (1, 2, 0.0945, 0.9055),
        (50, 100, 0.4038, 0.5962),
    ],
)
def test_wilson_known_values(x, n, low, high):
    got = stats.wilson_interval(x, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_wilson_zero_denominator_is_nan_not_error():
    low, high = stats.wilson_interval(0, 0)
    assert math.isnan(low)
    assert math.isnan(high)
    lows, highs = stats.wilson_interval(np.array([1, 0]), np.array([2, 0]))
    assert not math.isnan(lows[0])
    assert math.isnan(lows[1])
    assert math.isnan(highs[1])


def test_funnel_limits_known_values():
    assert stats.funnel_limits(0.5, 100) == pytest.approx((0.402, 0.598), abs=1e-3)
    assert stats.funnel_limits(0.5, 100, stats.Z_998) == pytest.approx((0.3455, 0.6545), abs=1e-4)
    # clipped to [0, 1] for small denominators
    assert stats.funnel_limits(0.1, 4) == pytest.approx((0.0, 0.394), abs=1e-3)
    low, high = stats.funnel_limits(0.3, 0)
    assert math.isnan(low)
    assert math.isnan(high)


def test_funnel_narrows_with_denominator():
    lows, highs = stats.funnel_limits(0.3, np.array([10, 100, 1000]))
    assert np.all(np.diff(highs - lows) < 0)


def test_z_values():
    assert pytest.approx(1.96, abs=1e-3) == stats.Z_95
    assert pytest.approx(3.09, abs=1e-3) == stats.Z_998


def test_safe_rate_nullif_rule():
    assert math.isnan(stats.safe_rate(1, 0))
    assert stats.safe_rate(1, 4) == 0.25
