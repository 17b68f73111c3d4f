"""Answer rules: the published checkers that decide whether a predicted answer matches the gold.

Papers on these benchmarks differ more in how they check answers than in anything else, so
each checker is a named rule with its source, and one run can be scored under all of them
(:func:`score_all_rules`). A rule compares one predicted number with one gold value;
:func:`check` applies it to every queried value of an item:

* a **mapping** prediction (label -> number) is matched to the gold values by label (exact,
  then case/punctuation-insensitive; the key ``"objective"`` names the objective), and every
  gold value must match (scope ``"all"``, as ReSocratic's scorer requires); a gold label the
  prediction lacks counts as wrong ("missing");
* a **scalar** prediction is the model's objective value: it is checked against the gold
  objective only (scope ``"objective"``) — the documented fallback for agents that report
  just the optimum. Items whose gold stores decision values only cannot be judged on a
  scalar and count as wrong. Pass ``scope="all"`` to require every value even then.

Infeasibility: a prediction of ``"infeasible"`` / ``"No Best Solution"`` (or
:data:`INFEASIBLE`) is correct exactly when the gold says the item has no optimal solution,
under every rule (ORLM, OptMATH and SIRL evaluators all do this). ``None``, NaN, infinities
and unparseable text are never correct.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from optiforge.datasets._model import GoldValue, Problem
from optiforge.datasets._read import is_no_solution, parse_number
from optiforge.errors import InputError

INFEASIBLE = "infeasible"
"""The prediction that says "this problem has no optimal solution"."""

Scope = Literal["all", "objective"]


@dataclass(frozen=True)
class AnswerRule:
    """A named per-value comparison ``compare(predicted, gold) -> bool`` with its source."""

    name: str
    compare: Callable[[float, GoldValue], bool]
    summary: str
    source: str


def abs_tol(predicted: float, gold: GoldValue, tol: float = 1e-4) -> bool:
    """``|p - g| < 1e-4`` for each queried value — OptiBench / ReSocratic style.

    Source: yangzhch6/ReSocratic ``eval_sft_code.py`` (``abs(llm_ans - gt_ans) < 1e-4`` for
    every key of ``results``; an item counts only if all keys match). Strict ``<`` as there.
    """
    return abs(predicted - gold.value) < tol


def sirl_rel(predicted: float, gold: GoldValue, tol: float = 1e-6) -> bool:
    """``|p - g| / (|g| + 1) <= 1e-6`` — SIRL.

    Source: Cardinal-Operations/SIRL ``check_result.py`` (``np.abs(solver_result -
    sub_answer) / (np.abs(sub_answer) + 1) <= 1e-6``). The ``+1`` makes zero golds work.
    """
    return abs(predicted - gold.value) / (abs(gold.value) + 1.0) <= tol


def _decimals(gold: GoldValue) -> int:
    text = (gold.raw if gold.raw is not None else repr(gold.value)).strip()
    if "e" in text.lower():
        return 0
    return len(text.split(".", 1)[1]) if "." in text else 0


def mamo(predicted: float, gold: GoldValue) -> bool:
    """One unit in the gold's last written decimal, or relative error ``<= 1e-4`` — MAMO.

    Source: FreedomIntelligence/Mamo
    ``scripts/scripts_optimization/mamo_script_optimization/3.run_code_comp_optimization.py``
    (``compare_output_with_standard``): with ``d`` decimals in the gold *string*, correct if
    ``|p·10^d - g·10^d| <= 1`` (so ``"10000"`` allows ±1, ``"57.0"`` ±0.1), or if
    ``|p - g| / |g| <= 1e-4`` (``|p - g|·1e-4 <= 1e-4`` when ``g == 0``). The often-quoted
    "abs 0.01 or rel 1e-4" is the two-decimal case. Without the stored text the gold is
    written as ``repr(float)`` (``150.0``: ±0.1).
    """
    d = _decimals(gold)
    scale = 10.0**d
    if abs(predicted * scale - gold.value * scale) <= 1.0:
        return True
    diff = abs(predicted - gold.value)
    rate = diff * 1e-4 if gold.value == 0 else diff / gold.value
    return abs(rate) <= 1e-4


def orlm(predicted: float, gold: GoldValue, tol: float = 0.05) -> bool:
    """Round both to integers, then relative error ``<= 0.05`` — ORLM and OptMATH evaluators.

    Source: Cardinal-Operations/ORLM ``eval/execute.py`` and optsuite/OptMATH
    ``eval/executor.py`` (``ResultEvaluator``): ``round(float(gt))`` and ``round(float(pred))``
    (Python's round-half-even, applied always, not only to integral golds), then
    ``|pr - gr| / |gr| <= numerical_err_tolerance`` (default 0.05), or ``|pr| <= 0.05`` when
    ``gr == 0``. Loose: 5% off counts as right, and non-integer optima compare after rounding.
    """
    gr = round(gold.value)
    pr = round(predicted)
    if gr == 0:
        return abs(pr) <= tol
    return abs((pr - gr) / gr) <= tol


def rel_1e4(predicted: float, gold: GoldValue, tol: float = 1e-4) -> bool:
    """``|p - g| <= 1e-4 · max(1, |g|)`` — relative 1e-4 with an absolute floor near zero.

    Source: optiforge's own strict-but-fair default for sets without an upstream checker; it
    is the common "relative 1e-4" criterion (as in MAMO's relative branch) made safe for the
    zero golds of OptMATH-Bench by the ``max(1, |g|)`` floor.
    """
    return abs(predicted - gold.value) <= tol * max(1.0, abs(gold.value))


RULES: dict[str, AnswerRule] = {
    r.name: r
    for r in (
        AnswerRule(
            "abs_tol",
            abs_tol,
            "every queried value within absolute 1e-4",
            "ReSocratic eval_sft_code.py",
        ),
        AnswerRule("sirl_rel", sirl_rel, "|p-g|/(|g|+1) <= 1e-6", "SIRL check_result.py"),
        AnswerRule(
            "mamo",
            mamo,
            "±1 in the gold's last decimal, or relative 1e-4",
            "Mamo 3.run_code_comp_optimization.py",
        ),
        AnswerRule(
            "orlm",
            orlm,
            "round both, relative 0.05",
            "ORLM eval/execute.py; OptMATH eval/executor.py",
        ),
        AnswerRule("rel_1e4", rel_1e4, "|p-g| <= 1e-4·max(1,|g|)", "optiforge default"),
    )
}
"""Every answer rule by name."""


class ValueCheck(BaseModel):
    """How one gold value fared: the matched prediction (if any) and the verdict."""

    model_config = ConfigDict(frozen=True)

    label: str
    gold: float | None
    predicted: float | None
    is_objective: bool
    correct: bool
    reason: str = ""


class RuleResult(BaseModel):
    """The verdict of one rule on one item, with per-value details."""

    model_config = ConfigDict(frozen=True)

    rule: str
    correct: bool
    scope: Scope
    values: tuple[ValueCheck, ...] = ()
    reason: str = ""


def get_rule(name: str) -> AnswerRule:
    """The rule called ``name``; InputError listing the known rules otherwise."""
    try:
        return RULES[name]
    except KeyError:
        raise InputError(f"unknown answer rule {name!r}; known rules: {', '.join(RULES)}") from None


Prediction = float | int | str | Mapping[str, Any] | None
GoldLike = Problem | Sequence[GoldValue] | GoldValue | float | int | str


def _norm(label: str) -> str:
    text = re.sub(r"[^a-z0-9]+", " ", label.lower()).strip()
    return re.sub(r"\s+(is|are|was)$", "", text)


def _gold_of(gold: GoldLike) -> tuple[tuple[GoldValue, ...], bool]:
    """(gold values, gold says no solution)."""
    if isinstance(gold, Problem):
        return gold.gold, gold.gold_status == "no_solution"
    if isinstance(gold, GoldValue):
        return (gold,), False
    if isinstance(gold, str) and is_no_solution(gold):
        return (), True
    if isinstance(gold, str | int | float) and not isinstance(gold, bool):
        parsed = parse_number(gold)
        if parsed is None:
            raise InputError(f"gold answer {gold!r} is not a number")
        return (
            GoldValue(
                label="objective", value=parsed[0], raw=parsed[1] if isinstance(gold, str) else None
            ),
        ), False
    if (
        isinstance(gold, Sequence)
        and not isinstance(gold, str)
        and all(isinstance(g, GoldValue) for g in gold)
    ):
        return tuple(gold), False
    raise InputError(f"cannot use {type(gold).__name__} as a gold answer")


_MISSING = object()


def _pred_value(value: Any) -> tuple[float | None, str]:
    """(number, "") or (None, why not)."""
    if value is None:
        return None, "no answer"
    if isinstance(value, float) and not math.isfinite(value):
        return None, f"not finite ({value})"
    if isinstance(value, str) and value.strip().lower() in {
        "nan",
        "inf",
        "-inf",
        "+inf",
        "infinity",
        "-infinity",
    }:
        return None, f"not finite ({value.strip()})"
    if is_no_solution(value):
        return None, "predicted no solution"
    parsed = parse_number(value)
    if parsed is None:
        return None, f"not a number: {value!r}"
    return parsed[0], ""


def check(
    rule: str | AnswerRule, predicted: Prediction, gold: GoldLike, *, scope: Scope | None = None
) -> RuleResult:
    """Judge ``predicted`` against ``gold`` under ``rule`` (see the module docstring for forms)."""
    r = rule if isinstance(rule, AnswerRule) else get_rule(rule)
    golds, gold_none = _gold_of(gold)
    is_mapping = isinstance(predicted, Mapping)
    used: Scope = scope or ("all" if is_mapping else "objective")
    pred_infeasible = (
        predicted is not None and not is_mapping and is_no_solution(predicted)
    ) or predicted == INFEASIBLE
    if gold_none:
        ok = bool(pred_infeasible)
        why = (
            "gold and prediction: no optimal solution"
            if ok
            else "gold says no optimal solution; prediction gives one"
        )
        return RuleResult(rule=r.name, correct=ok, scope=used, reason=why)
    if pred_infeasible:
        return RuleResult(
            rule=r.name, correct=False, scope=used, reason="predicted no solution; gold has one"
        )
    targets = [g for g in golds if g.is_objective] if used == "objective" else list(golds)
    if not targets:
        why = (
            "gold stores decision values only; a scalar answer cannot be judged"
            if used == "objective"
            else "no gold values"
        )
        return RuleResult(rule=r.name, correct=False, scope=used, reason=why)

    if is_mapping:
        assert isinstance(predicted, Mapping)
        by_norm = {_norm(str(k)): v for k, v in predicted.items()}
        lookups: list[Any] = []
        for g in targets:
            v = predicted.get(g.label, _MISSING)
            if v is _MISSING:
                v = by_norm.get(_norm(g.label), _MISSING)
            if v is _MISSING and g.is_objective:
                v = by_norm.get("objective", _MISSING)
            lookups.append(v)
    else:
        lookups = [predicted if g.is_objective else _MISSING for g in targets]

    checks: list[ValueCheck] = []
    for g, v in zip(targets, lookups, strict=True):
        p, why = (None, "missing") if v is _MISSING else _pred_value(v)
        if p is None:
            checks.append(
                ValueCheck(
                    label=g.label,
                    gold=g.value,
                    predicted=None,
                    is_objective=g.is_objective,
                    correct=False,
                    reason=why,
                )
            )
            continue
        ok = r.compare(p, g)
        checks.append(
            ValueCheck(
                label=g.label,
                gold=g.value,
                predicted=p,
                is_objective=g.is_objective,
                correct=ok,
                reason="" if ok else "outside tolerance",
            )
        )
    all_ok = all(c.correct for c in checks)
    wrong = [c for c in checks if not c.correct]
    reason = (
        ""
        if all_ok
        else f"{len(wrong)} of {len(checks)} value(s) wrong: "
        + "; ".join(f"{c.label}: {c.reason}" for c in wrong[:3])
    )
    return RuleResult(rule=r.name, correct=all_ok, scope=used, values=tuple(checks), reason=reason)


def score_all_rules(
    predicted: Prediction, gold: GoldLike, *, scope: Scope | None = None
) -> dict[str, RuleResult]:
    """The verdict of every rule in :data:`RULES` on one item, for side-by-side reports."""
    return {name: check(name, predicted, gold, scope=scope) for name in RULES}


def suspect_label(
    answers: Sequence[float | None],
    gold: GoldLike,
    rule: str | AnswerRule = "rel_1e4",
    *,
    min_agree: int = 2,
) -> bool:
    """True when independent verified answers agree with each other but not with the gold.

    ``answers`` are objective values from independent, verified formulations (``None``
    entries — runs that produced no verified answer — are ignored). The item is suspect if at
    least ``min_agree`` answers remain, each matches the first under ``rule`` (the first is
    taken as the reference value), and that shared value does not match the gold objective.
    A gold of "no solution" is suspect when the answers agree on a number; a gold with no
    objective entry (OptiBench's decision-only items) never is.
    """
    vals = [float(a) for a in answers if a is not None and math.isfinite(float(a))]
    if len(vals) < max(2, min_agree):
        return False
    r = rule if isinstance(rule, AnswerRule) else get_rule(rule)
    golds, gold_none = _gold_of(gold)
    if not gold_none and not any(gv.is_objective for gv in golds):
        return False  # decision values only: objective answers cannot be compared with them
    ref = GoldValue(label="consensus", value=vals[0])
    if not all(
        r.compare(v, ref) and r.compare(vals[0], GoldValue(label="consensus", value=v))
        for v in vals[1:]
    ):
        return False
    return not check(r, vals[0], gold, scope="objective").correct
