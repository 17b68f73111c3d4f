"""The code-efficiency metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from optiforge.agents.code import (
    correctness_rate,
    eff,
    eff_at_k,
    is_opt,
    mean_speedup,
    pass_at_k,
    pct_opt,
    percentile,
    pie_speedup,
)


def test_pct_opt_needs_correct_and_ten_percent():
    items = [(True, 1.5), (True, 1.09), (False, 3.0), (True, 1.1)]
    assert is_opt(True, 1.1) and not is_opt(True, 1.09) and not is_opt(False, 5.0) and not is_opt(True, None)
    assert pct_opt(items) == 50.0
    assert pct_opt([]) == 0.0


def test_mean_speedup_counts_incorrect_and_slower_as_one():
    # PIE: incorrect -> 1.0; a correct but slower program keeps the original -> 1.0
    items = [(True, 3.0), (False, 10.0), (True, 0.5), (True, None)]
    assert pie_speedup(True, 0.5) == 1.0 and pie_speedup(False, 10.0) == 1.0
    assert mean_speedup(items) == pytest.approx((3.0 + 1 + 1 + 1) / 4)


def test_correctness_rate():
    assert correctness_rate([True, False, True, True]) == 75.0
    assert correctness_rate([]) == 0.0


def test_percentile_among_references():
    refs = [1.0, 2.0, 8.0]  # the slow reference and two faster solutions
    assert percentile(2.5, refs) == pytest.approx(100 * 2 / 3)
    assert percentile(9.0, refs) == 100.0
    assert percentile(0.9, refs) == 0.0
    assert percentile(7.8, refs) == 100.0  # within 5% of the fastest counts as matching it
    assert percentile(9.0, refs, correct=False) == 0.0


def test_eff_matches_enamel_formula():
    # ENAMEL: e = max(0, T - t) / (T - t_expert), T = alpha * t_expert.
    t_ref, s_expert, alpha = 1.0, 8.0, 2.0
    t_expert = t_ref / s_expert
    for s in (2.0, 5.0, 8.0, 10.0, 100.0):
        t = t_ref / s
        T = alpha * t_expert
        assert eff(s, s_expert, alpha=alpha) == pytest.approx(max(0.0, T - t) / (T - t_expert))
    assert eff(8.0, 8.0) == pytest.approx(1.0)
    assert eff(4.0, 8.0) == 0.0  # twice as slow as the expert: at the timeout
    assert eff(5.0, 8.0, correct=False) == 0.0


def test_eff_at_k_is_the_expected_best_of_k():
    e = [0.1, 0.5, 0.2, 0.9]
    assert eff_at_k(e, 1) == pytest.approx(sum(e) / 4)
    assert eff_at_k(e, 4) == pytest.approx(0.9)
    # k=2: the mean of the max over all 6 pairs
    pairs = [max(a, b) for i, a in enumerate(e) for b in e[i + 1:]]
    assert eff_at_k(e, 2) == pytest.approx(sum(pairs) / 6)
    with pytest.raises(ValueError):
        eff_at_k(e, 5)


def test_pass_at_k():
    assert pass_at_k(5, 0, 1) == 0.0
    assert pass_at_k(5, 5, 3) == 1.0
    assert pass_at_k(4, 1, 2) == pytest.approx(1 - math.comb(3, 2) / math.comb(4, 2))


def test_summarize_aggregates_results_like_the_papers():
    from optiforge.agents.code import CodeOptResult, summarize

    def res(correct, speedup, **metrics):
        return CodeOptResult(task="t", language="python", strategy="instruction", status="improved" if correct else "no_correct",
                             program="", original="", correct=correct, speedup=speedup, metrics=metrics)

    out = summarize([res(True, 3.0, percentile=100.0, eff=0.8), res(True, 1.05, percentile=50.0, eff=0.0), res(False, None, percentile=0.0, eff=0.0)])
    assert out["n"] == 3 and out["pct_opt"] == pytest.approx(100 / 3) and out["correct_pct"] == pytest.approx(200 / 3)
    assert out["mean_speedup"] == pytest.approx((3.0 + 1.05 + 1.0) / 3)
    assert out["mean_percentile"] == pytest.approx(50.0) and out["mean_eff"] == pytest.approx(0.8 / 3)
