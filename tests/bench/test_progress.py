"""The progress view: a rich live panel and plain lines show counts, accuracy, budget and errors."""

from __future__ import annotations

import io

from optiforge.bench import BudgetSpec, CellRow, Progress
from optiforge.llm import Ledger


def _row(i: int, correct: bool, status: str = "answered", cat: str | None = None) -> CellRow:
    return CellRow(cell_key=str(i), spec_hash="h", dataset="d", item=str(i), method="direct", model="m", seed=0,
                   status=status, correct=correct, prompt_tokens=10, completion_tokens=5, cost_usd=0.001,
                   error_category=cat)


def _feed(p: Progress) -> None:
    ledger = Ledger(budget_usd=1.0)
    ledger.add(30, 15, 0.003)
    p.start(total=5, already=1, ledger=ledger, budget=BudgetSpec(usd=1.0, tokens=None))
    p.update(_row(1, True))
    p.update(_row(2, False))
    p.update(_row(3, False, "error", "parse"))
    p.note("interrupted: finishing cells in flight")
    p.stop()


def test_live_panel():
    buf = io.StringIO()
    _feed(Progress(buf, live=True))
    text = buf.getvalue()
    assert "cells 4/5 (1 before this run)" in text
    assert "$0.0030 / $1.00" in text
    assert "33.3%" in text  # 1 of 3 right for direct/m
    assert "errors: parse 1" in text and "interrupted" in text


def test_plain_lines():
    buf = io.StringIO()
    _feed(Progress(buf, live=False, interval_s=0))
    lines = buf.getvalue().strip().splitlines()
    assert lines[0].startswith("[bench] 1/5 cells")
    assert "[bench] 4/5 cells" in lines[-1] and "correct direct/m: 1/3" in lines[-1] and "errors parse 1" in lines[-1]
    assert any(line.startswith("interrupted") for line in lines)
