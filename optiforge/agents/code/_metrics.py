"""Code-efficiency metrics as the papers define them: PIE's %OPT and mean speedup, correctness
rate, an EvalPerf-style percentile among reference solutions, and ENAMEL's eff and eff@k.

Every function works on speedups (reference cost / candidate cost, measured interleaved in
one run), so the metrics do not depend on the machine's absolute speed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: PIE counts a program as optimized when it is correct and at least 10% faster.
OPT_THRESHOLD = 1.1

#: ENAMEL's timeout factor alpha: a candidate slower than alpha x the expert scores 0.
ENAMEL_ALPHA = 2.0


def is_opt(correct: bool, speedup: float | None, threshold: float = OPT_THRESHOLD) -> bool:
    """PIE's %OPT criterion for one program: correct and ``speedup >= threshold`` (1.1)."""
    return bool(correct) and speedup is not None and speedup >= threshold


def pct_opt(items: Sequence[tuple[bool, float | None]], threshold: float = OPT_THRESHOLD) -> float:
    """PIE %OPT: percent of (correct, speedup) items that are correct and >= 10% faster."""
    if not items:
        return 0.0
    return 100.0 * sum(is_opt(c, s, threshold) for c, s in items) / len(items)


def pie_speedup(correct: bool, speedup: float | None) -> float:
    """One item's speedup as PIE averages it: an incorrect (or unmeasured) program counts as 1.0.

    PIE also counts a correct program that got slower as 1.0 (the original is kept), so
    the value is ``max(1, speedup)`` for correct programs.
    """
    if not correct or speedup is None or not math.isfinite(speedup):
        return 1.0
    return max(1.0, speedup)


def mean_speedup(items: Sequence[tuple[bool, float | None]]) -> float:
    """PIE's mean speedup over (correct, speedup) items, incorrect ones counting as 1.0."""
    if not items:
        return 1.0
    return sum(pie_speedup(c, s) for c, s in items) / len(items)


def correctness_rate(correct: Sequence[bool]) -> float:
    """Percent of programs that pass all their tests."""
    return 100.0 * sum(bool(c) for c in correct) / len(correct) if correct else 0.0


def percentile(speedup: float | None, reference_speedups: Sequence[float], *, correct: bool = True, rel_tol: float = 0.05) -> float:
    """EvalPerf-style (DPS-like) score: percent of reference solutions the candidate matches or beats.

    ``reference_speedups`` are the speedups of the task's reference solutions (the slow
    reference itself is 1.0) measured against the same slow reference; a candidate with
    speedup ``s`` matches a reference with speedup ``r`` when ``s >= r * (1 - rel_tol)``
    (two runs of one program differ by a few percent). EvalPerf clusters references by
    performance and credits the cluster the candidate reaches; with our few distinct-speed
    references every reference is its own cluster. An incorrect candidate scores 0.
    """
    if not correct or speedup is None or not reference_speedups:
        return 0.0
    return 100.0 * sum(speedup >= r * (1 - rel_tol) for r in reference_speedups) / len(reference_speedups)


def eff(speedup: float | None, expert_speedup: float, *, correct: bool = True, alpha: float = ENAMEL_ALPHA) -> float:
    """ENAMEL's efficiency score of one sample on one workload.

    ENAMEL defines ``e = max(0, T - t) / (T - t_expert)`` with timeout ``T = alpha *
    t_expert`` (expert = the most efficient reference solution) and ``e = 0`` for an
    incorrect sample. With times expressed as speedups over the slow reference
    (``t = t_ref / s``) this is ``max(0, alpha - s_expert / s) / (alpha - 1)``: 1.0 at the
    expert's speed, 0 at or beyond ``alpha`` times slower, above 1 when faster than the
    expert. (ENAMEL averages this over input-size levels weighted by hardness; our tasks
    have one performance workload, so there is one level. A task without reference
    solutions has only the original program as its "expert", so there eff measures
    improvement over the original rather than closeness to an expert.)
    """
    if not correct or speedup is None or speedup <= 0 or not math.isfinite(speedup):
        return 0.0
    if alpha <= 1:
        raise ValueError("alpha must be > 1")
    return max(0.0, alpha - expert_speedup / speedup) / (alpha - 1.0)


def eff_at_k(effs: Sequence[float], k: int) -> float:
    """ENAMEL's unbiased estimator of eff@k from ``n >= k`` samples' efficiency scores.

    eff@k is the expected best efficiency among ``k`` samples drawn without replacement
    from the ``n``; with the scores sorted ascending ``e_(1) <= ... <= e_(n)`` it is
    ``sum_{i=k}^{n} C(i-1, k-1) / C(n, k) * e_(i)`` (the i-th smallest is the maximum of a
    random k-subset with that probability). For k = 1 it is the mean; for k = n the max.
    """
    n = len(effs)
    if not 1 <= k <= n:
        raise ValueError(f"eff@k needs 1 <= k <= n (k={k}, n={n})")
    ordered = sorted(effs)
    total = math.comb(n, k)
    return sum(math.comb(i - 1, k - 1) * ordered[i - 1] for i in range(k, n + 1)) / total


def pass_at_k(n: int, c: int, k: int) -> float:
    """The HumanEval unbiased pass@k from ``n`` samples of which ``c`` are correct."""
    if not 1 <= k <= n:
        raise ValueError(f"pass@k needs 1 <= k <= n (k={k}, n={n})")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)
