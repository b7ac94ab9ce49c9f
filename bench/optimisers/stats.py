"""stats.py - the figures bench/optimisers/run and batch print: quartiles
of regrets, and the ratio of two medians with a 95% bootstrap interval."""

import math
import random
import statistics


def quartiles(v):
    """ "median [q1, q3]" of v; "-" when a value is missing (NaN)"""
    if any(x != x for x in v):
        return "-"
    v = sorted(v)
    qs = statistics.quantiles(v, n=4, method="inclusive") if len(v) > 1 else [v[0]] * 3
    return "%.3g [%.3g, %.3g]" % (qs[1], qs[0], qs[2])


def ratio_interval(v, base):
    """ "ratio [lo, hi]": the median of v over the median of base, and its
    95% percentile bootstrap interval (the values of each resampled 2000
    times from a fixed stream, so that a table prints the same twice).
    Below 1 v is better; an interval wholly below or above 1 is more than
    chance.  "-" without a base, with a missing value or a base median of
    0."""
    med = statistics.median
    if base is None or any(x != x for x in v + base) or not med(base) > 0:
        return "-"
    rng, rs = random.Random(1), []
    for _ in range(2000):
        b = med([rng.choice(base) for _ in base])
        rs.append(med([rng.choice(v) for _ in v]) / b if b > 0 else math.inf)
    rs.sort()
    return "%.2f [%.2f, %.2f]" % (med(v) / med(base), rs[49], rs[1949])
