"""Answer rules against hand-checked edge cases: zero, negative, rounding, several values, NaN, no solution."""

from __future__ import annotations

import math

import pytest

from optiforge.datasets import GoldValue, Problem, check, score_all_rules, suspect_label
from optiforge.datasets.rules import INFEASIBLE, RULES, mamo, orlm, rel_1e4, sirl_rel
from optiforge.errors import InputError


def g(
    value: float, raw: str | None = None, label: str = "objective", obj: bool = True
) -> GoldValue:
    return GoldValue(label=label, value=value, raw=raw, is_objective=obj)


def test_rule_table_names_and_sources():
    assert set(RULES) == {"abs_tol", "sirl_rel", "mamo", "orlm", "rel_1e4"}
    for rule in RULES.values():
        assert rule.compare.__doc__ and "Source" in rule.compare.__doc__
        assert rule.source


@pytest.mark.parametrize(
    ("pred", "gold", "ok"),
    [
        (3600.00005, 3600.0, True),
        (3600.0002, 3600.0, False),
        (0.0, "-0.0", True),  # OptiBench stores "-0.0"
        (0.00005, 0.0, True),
        (-0.0002, 0.0, False),
    ],
)
def test_abs_tol(pred, gold, ok):
    assert check("abs_tol", pred, gold).correct is ok


def test_zero_gold_under_every_rule():
    # |p - 0| = 1e-7: within all the tolerances that have an absolute floor.
    results = score_all_rules(1e-7, 0.0)
    assert all(r.correct for r in results.values())
    # 0.4 rounds to 0 (ORLM), is within one unit of "0" (MAMO), but beyond 1e-4 / 1e-6 floors.
    assert orlm(0.4, g(0.0)) and mamo(0.4, g(0.0, "0"))
    assert not sirl_rel(0.4, g(0.0)) and not rel_1e4(0.4, g(0.0))
    assert not check("abs_tol", 0.4, 0.0).correct
    assert not orlm(0.6, g(0.0))  # rounds to 1
    assert not mamo(1.5, g(0.0, "0"))  # 1.5 > one unit; relative branch: 1.5e-4 > 1e-4


def test_negative_values():
    assert orlm(-162.4, g(-162.0))
    assert orlm(-170.0, g(-162.0))  # 8/162 = 4.9%: inside ORLM's 5%
    assert not orlm(-171.0, g(-162.0))  # 9/162 = 5.6%
    assert mamo(-162.9, g(-162.0, "-162"))
    assert not mamo(-163.5, g(-162.0, "-162"))
    assert sirl_rel(-162.0001, g(-162.0))  # 1e-4/163 = 6.1e-7
    assert not sirl_rel(-162.001, g(-162.0))  # 6.1e-6


def test_orlm_rounds_both_half_to_even():
    # ORLM/OptMATH apply Python round() to gold and prediction alike.
    assert orlm(166.67, g(166.66666666666669))
    assert orlm(1.5, g(2.0))  # round(1.5) == 2
    assert not orlm(2.5, g(3.0))  # round(2.5) == 2; 1/3 off
    assert orlm(0.5, g(0.0))  # round(0.5) == 0


def test_mamo_reads_decimals_from_the_gold_text():
    assert mamo(57.09, g(57.0, "57.0"))  # one unit of 0.1
    assert not mamo(57.2, g(57.0, "57.0"))
    assert mamo(10000.9, g(10000.0, "10000"))
    assert not mamo(10001.5, g(10000.0, "10000"))  # 1.5 > 1 and 1.5e-4 > 1e-4
    assert mamo(1000000050000.0, g(1e12, "1000000000000"))  # relative 5e-8
    assert check("mamo", 172666.667, " 172666.667").correct  # leading space in the stored answer


def _multi() -> Problem:
    return Problem(
        id="t/1",
        dataset="t",
        text="x",
        rule="abs_tol",
        gold=(
            g(250.0, "250.0", "The number of Process P", obj=False),
            g(-0.0, "-0.0", "The number of Process Q", obj=False),
            g(2250.0, "2250.0", "The total metal extracted"),
        ),
    )


def test_several_values_matched_by_label():
    item = _multi()
    good = {
        "the number of process p": 250,
        "The number of Process Q": "0",
        "The total metal extracted": 2250.00001,
    }
    res = check("abs_tol", good, item)
    assert res.correct and res.scope == "all" and len(res.values) == 3
    bad = dict(good, **{"The number of Process Q": 1})
    res = check("abs_tol", bad, item)
    assert not res.correct
    assert [v.correct for v in res.values] == [True, False, True]
    assert "The number of Process Q" in res.reason


def test_missing_value_counts_as_wrong():
    res = check("abs_tol", {"The total metal extracted": 2250}, _multi())
    assert not res.correct
    assert [v.reason for v in res.values if not v.correct] == ["missing", "missing"]


def test_scalar_prediction_falls_back_to_objective_only():
    res = check("abs_tol", 2250.0, _multi())
    assert res.correct and res.scope == "objective" and len(res.values) == 1
    assert not check("abs_tol", 2250.0, _multi(), scope="all").correct
    # a mapping may name the objective "objective"
    assert check("abs_tol", {"objective": 2250}, _multi(), scope="objective").correct


def test_decision_only_gold_cannot_be_judged_on_a_scalar():
    item = Problem(
        id="t/2",
        dataset="t",
        text="x",
        rule="abs_tol",
        gold=(g(15.0, label="miter saws", obj=False),),
    )
    res = check("abs_tol", 15.0, item)
    assert not res.correct and "decision values only" in res.reason
    assert check("abs_tol", {"miter saws": 15}, item).correct


@pytest.mark.parametrize("pred", [math.nan, math.inf, -math.inf, "inf", "NaN", None, "abc", ""])
def test_non_numbers_are_never_correct(pred):
    for rule in RULES:
        assert not check(rule, pred, 1.0).correct


def test_no_best_solution():
    for res in score_all_rules("infeasible", "No Best Solution").values():
        assert res.correct
    assert check("orlm", INFEASIBLE, "No Best Solution").correct
    assert check("sirl_rel", "No Best Solution", "no best solution").correct
    assert not check("orlm", 5.0, "No Best Solution").correct
    assert not check("orlm", None, "No Best Solution").correct
    res = check("orlm", "infeasible", 5.0)
    assert not res.correct and "no solution" in res.reason
    item = Problem(id="t/3", dataset="t", text="x", rule="orlm", gold=(), gold_status="no_solution")
    assert check("orlm", "No Best Solution", item).correct


def test_unknown_rule_and_bad_gold():
    with pytest.raises(InputError, match="unknown answer rule"):
        check("nope", 1.0, 1.0)
    with pytest.raises(InputError, match="not a number"):
        check("abs_tol", 1.0, "lots")


def test_score_all_rules_side_by_side():
    # 104 vs 100: only ORLM's 5% tolerance accepts it.
    res = score_all_rules(104.0, "100")
    assert {k: v.correct for k, v in res.items()} == {
        "abs_tol": False,
        "sirl_rel": False,
        "mamo": False,
        "orlm": True,
        "rel_1e4": False,
    }


def test_suspect_label():
    assert suspect_label([250.0, 250.00001, 250.0], "130")
    assert not suspect_label([130.0, 130.0], "130")  # agree with gold
    assert not suspect_label([250.0, 300.0], "130")  # disagree with each other
    assert not suspect_label([250.0], "130")  # one answer is not a consensus
    assert not suspect_label([250.0, None, 250.0], "130", min_agree=3)
    assert suspect_label([250.0, None, 250.0, math.nan], "130")
    assert suspect_label([18.0, 18.0], "No Best Solution")
    assert not suspect_label([104.0, 104.0], "100", rule="orlm")  # within ORLM's 5%
    assert suspect_label([104.0, 104.0], "100", rule="sirl_rel")
    decision_only = Problem(
        id="t/4", dataset="t", text="x", rule="abs_tol", gold=(g(15.0, label="saws", obj=False),)
    )
    assert not suspect_label([26.0, 26.0], decision_only)
    assert suspect_label([2000.0, 2000.0], _multi()) and not suspect_label(
        [2250.0, 2250.0], _multi()
    )
