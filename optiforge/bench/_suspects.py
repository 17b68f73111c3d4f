"""Suspect labels: items where independent, verified answers agree with each other but not the gold.

Benchmarks' gold answers are often wrong (published audits find 16-54% label errors), so
the report lists the items where at least two cells — different models, methods or seeds,
each with a solver-verified answer — reach the same objective and the gold disagrees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from optiforge.bench._store import CellRow, SpecInfo

OBJECTIVE = "objective"


def _verified_objective(row: CellRow) -> float | None:
    if row.status != "answered" or not isinstance(row.answer, dict):
        return None
    if not (row.meta or {}).get("verified"):
        return None  # only solver-verified answers count as independent evidence
    value = row.answer.get(OBJECTIVE)
    return float(value) if isinstance(value, int | float) else None


def _gold_problems(specs: Sequence[SpecInfo]) -> dict[str, Any]:
    """Problems by (dataset, item) id for every dataset of the specs that can still be loaded."""
    from optiforge.bench._data import load_problems
    from optiforge.bench._spec import DatasetSpec
    from optiforge.errors import OptiforgeError

    problems: dict[str, Any] = {}
    for s in specs:
        for ds in s.spec.get("datasets", []):
            try:
                spec = DatasetSpec.model_validate(ds)
                _, loaded, _ = load_problems(spec.model_copy(update={"limit": None}))
            except (OptiforgeError, ValueError):
                continue  # data no longer available: those items cannot be checked here
            for p in loaded:
                problems[p.id] = p
    return problems


def suspect_rows(specs: Sequence[SpecInfo], rows: Iterable[CellRow], *, min_agree: int = 2) -> tuple[list[str], list[list[str]]]:
    """Table (head, rows) of items whose verified answers agree with each other and not with the gold."""
    from optiforge.datasets import suspect_label

    by_item: dict[str, list[tuple[CellRow, float]]] = defaultdict(list)
    for r in rows:
        v = _verified_objective(r)
        if v is not None:
            by_item[r.item].append((r, v))
    candidates = {k: v for k, v in by_item.items() if len(v) >= min_agree}
    head = ["item", "gold_objective", "consensus", "agreeing_cells", "cells"]
    if not candidates:
        return head, []
    problems = _gold_problems(specs)
    out: list[list[str]] = []
    for item, entries in sorted(candidates.items()):
        problem = problems.get(item)
        if problem is None:
            continue
        values = [v for _, v in entries]
        if not suspect_label(values, problem, problem.rule, min_agree=min_agree):
            continue
        gold = problem.objective
        cells = "; ".join(f"{r.method}/{r.model}/seed{r.seed}" for r, _ in entries)
        out.append([item, "-" if gold is None else f"{gold.value:.10g}", f"{values[0]:.10g}", str(len(values)), cells])
    return head, out
