"""Running one cell: call the method under a timeout, classify failures, score, build the row."""

from __future__ import annotations

import asyncio
import time
import traceback
from typing import TYPE_CHECKING, Any

from optiforge.bench._methods import CellContext, CellOutcome, Method, parse_method
from optiforge.bench._store import CellRow
from optiforge.errors import (
    AuthenticationError,
    BudgetExceeded,
    FormulationError,
    LLMError,
    OutputParseError,
    SandboxError,
    ServerUnreachable,
    SolverError,
)

if TYPE_CHECKING:
    from optiforge.bench._grid import Cell
    from optiforge.datasets import Problem

FATAL_ERRORS: tuple[type[Exception], ...] = (AuthenticationError, ServerUnreachable)
"""Failures of the setup, not of a cell: the run stops instead of marking every cell wrong."""


def score(problem: Problem, outcome: CellOutcome, rule: str | None = None) -> tuple[bool, dict[str, bool]]:
    """(correct under the item's own rule, correct under every rule) for an outcome.

    A method's own verdict (``outcome.correct``), or an item judged only by its method
    (rule :data:`~optiforge.bench._data.METHOD_RULE`), is stored as is: ``{rule: verdict}``.
    """
    from optiforge.bench._data import METHOD_RULE
    from optiforge.datasets import score_all_rules
    from optiforge.datasets.rules import INFEASIBLE

    own_rule = rule or problem.rule
    if outcome.correct is not None or own_rule == METHOD_RULE:
        verdict = bool(outcome.correct) and outcome.status == "answered"
        return verdict, {own_rule: verdict}

    if outcome.status != "answered":
        predicted: Any = None
    elif outcome.no_solution:
        predicted = INFEASIBLE
    else:
        predicted = outcome.answers
    results = score_all_rules(predicted, problem)
    correctness = {name: r.correct for name, r in results.items()}
    own = rule or problem.rule
    if own not in correctness:
        from optiforge.datasets import check

        correctness[own] = check(own, predicted, problem).correct
    return correctness[own], correctness


def classify(exc: BaseException) -> tuple[str, str]:
    """(error category, one-line message) for an exception a method raised."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, BudgetExceeded):
        return "budget", msg
    if isinstance(exc, TimeoutError):
        return "timeout", msg or "timed out"
    if isinstance(exc, OutputParseError):
        return "parse", msg
    if isinstance(exc, LLMError):
        return "llm", msg
    if isinstance(exc, FormulationError):
        return "validation", msg
    if isinstance(exc, SolverError):
        return "solver", msg
    if isinstance(exc, SandboxError):
        return "sandbox", msg
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
    return "other", f"{type(exc).__name__}: {msg}{where}"


def not_run_row(cell: Cell, run_id: int | None, why: str) -> CellRow:
    """The row of a cell that could not run (budget spent): not a wrong answer, redone on resume."""
    return CellRow(
        cell_key=cell.key, spec_hash=cell.spec_hash, dataset=cell.dataset, item=cell.item, method=cell.method,
        model=cell.model, seed=cell.seed, status="not_run", rule=cell.problem.rule, error_category="budget",
        error_message=why, run_id=run_id, finished=time.time(),
    )


async def run_cell(
    cell: Cell,
    method: Method,
    lm: Any,
    *,
    settings: dict[str, Any],
    timeout_s: float,
    run_id: int | None,
    rule: str | None = None,
) -> CellRow:
    """Run one cell and return its row. Raises only FATAL_ERRORS and cancellation."""
    from optiforge.llm import MeteredLM

    metered = MeteredLM(lm)
    ctx = CellContext(lm=metered, seed=cell.seed, cell_id=cell.key, settings=settings, method=parse_method(cell.method))
    started = time.time()
    t0 = time.perf_counter()
    try:
        outcome = await asyncio.wait_for(method.run(cell.problem, ctx), timeout=timeout_s)
        if not isinstance(outcome, CellOutcome):
            outcome = CellOutcome(status="error", error_category="other",
                                  error_message=f"method returned {type(outcome).__name__}, not CellOutcome")
    except FATAL_ERRORS:
        raise
    except TimeoutError:
        outcome = CellOutcome(status="error", error_category="timeout", error_message=f"cell exceeded {timeout_s:g}s")
    except Exception as exc:
        cat, msg = classify(exc)
        outcome = CellOutcome(status="error", error_category=cat, error_message=msg)
    latency = time.perf_counter() - t0
    budget_stop = outcome.error_category == "budget" or (metered.budget_hit and outcome.status != "answered")
    status = "not_run" if budget_stop else outcome.status
    correct: bool | None = None
    correctness: dict[str, bool] | None = None
    if status != "not_run":
        correct, correctness = score(cell.problem, outcome, rule)
    answer: Any = "infeasible" if outcome.no_solution else outcome.answers
    return CellRow(
        cell_key=cell.key, spec_hash=cell.spec_hash, dataset=cell.dataset, item=cell.item, method=cell.method,
        model=cell.model, seed=cell.seed, status=status, rule=rule or cell.problem.rule, correct=correct,
        answer=answer, correctness=correctness, prompt_tokens=metered.prompt_tokens,
        completion_tokens=metered.completion_tokens, cost_usd=metered.cost_usd, latency_s=latency,
        llm_calls=metered.calls, cache_hits=metered.cache_hits, error_category=outcome.error_category,
        error_message=outcome.error_message, trace_id=outcome.trace_id,
        meta={**outcome.meta, "metrics": dict(outcome.metrics)} if outcome.metrics else dict(outcome.meta), run_id=run_id,
        started=started, finished=time.time(), steps=ctx.steps,
    )
