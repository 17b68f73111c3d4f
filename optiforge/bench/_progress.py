"""Progress of a run: a rich live panel on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import Any, TextIO

from optiforge.bench._store import CellRow


def _fmt_s(s: float) -> str:
    if s != s or s == float("inf"):
        return "?"
    s = int(s)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


class Progress:
    """Counts finished cells and shows them: done/total, rate, ETA, accuracy per method x model,
    tokens and cost against the budget, errors by category.

    ``live=None`` picks the rich live display when ``stream`` is a terminal, plain lines
    (at most one per ``interval_s``) otherwise.
    """

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None, interval_s: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.interval_s = interval_s
        self.total = 0
        self.already = 0
        self.done = 0
        self.tokens = 0
        self.cost = 0.0
        self.errors: Counter[str] = Counter()
        self.acc: dict[tuple[str, str], list[int]] = {}
        self.notes: list[str] = []
        self.ledger: Any = None
        self.budget: Any = None
        self._t0 = time.perf_counter()
        self._last = 0.0
        self._live: Any = None

    def start(self, *, total: int, already: int, ledger: Any = None, budget: Any = None) -> None:
        """Begin showing progress for a grid of ``total`` cells, ``already`` of them finished before."""
        self.total, self.already, self.ledger, self.budget = total, already, ledger, budget
        self._t0 = time.perf_counter()
        if self.live:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(self._render(), console=Console(file=self.stream), refresh_per_second=4, transient=False)
            self._live.start()
        else:
            self._line(force=True)

    def update(self, row: CellRow) -> None:
        """Count one finished cell."""
        self.done += 1
        self.tokens += row.prompt_tokens + row.completion_tokens
        self.cost += row.cost_usd
        a = self.acc.setdefault((row.method, row.model), [0, 0])
        a[0] += int(bool(row.correct))
        a[1] += 1
        if row.status != "answered" and row.error_category:
            self.errors[row.error_category] += 1
        if self._live is not None:
            self._live.update(self._render())
        else:
            self._line()

    def note(self, message: str) -> None:
        """Show a one-off message (interrupts, budget)."""
        self.notes.append(message)
        if self._live is not None:
            self._live.update(self._render())
        else:
            print(message, file=self.stream, flush=True)

    def stop(self) -> None:
        """Show the final state and release the terminal."""
        if self._live is not None:
            self._live.update(self._render())
            self._live.stop()
            self._live = None
        else:
            self._line(force=True)

    # -- rendering ---------------------------------------------------------------------

    def _stats(self) -> tuple[float, float]:
        elapsed = time.perf_counter() - self._t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = self.total - self.already - self.done
        eta = left / rate if rate > 0 else float("inf")
        return rate, eta

    def _budget_text(self) -> str:
        spent_usd = self.ledger.cost_usd if self.ledger is not None else self.cost
        spent_tok = self.ledger.total_tokens if self.ledger is not None else self.tokens
        usd = f"${spent_usd:.4f}" + (f" / ${self.budget.usd:.2f}" if self.budget is not None and self.budget.usd is not None else "")
        tok = f"{spent_tok:,} tok" + (f" / {self.budget.tokens:,}" if self.budget is not None and self.budget.tokens is not None else "")
        return f"{usd}  {tok}"

    def _line(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last < self.interval_s:
            return
        self._last = now
        rate, eta = self._stats()
        acc = "  ".join(f"{m}/{mo}: {c}/{n}" for (m, mo), (c, n) in sorted(self.acc.items()))
        errs = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        print(
            f"[bench] {self.already + self.done}/{self.total} cells  {rate:.1f}/s  eta {_fmt_s(eta)}  "
            f"{self._budget_text()}  correct {acc or '-'}  errors {errs}",
            file=self.stream, flush=True,
        )

    def _render(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        rate, eta = self._stats()
        head = Text(
            f"cells {self.already + self.done}/{self.total} ({self.already} before this run)   "
            f"{rate:.1f} cells/s   ETA {_fmt_s(eta)}   {self._budget_text()}"
        )
        t = Table(box=None, pad_edge=False)
        t.add_column("method")
        t.add_column("model")
        t.add_column("done", justify="right")
        t.add_column("accuracy", justify="right")
        for (m, mo), (c, n) in sorted(self.acc.items()):
            t.add_row(m, mo, str(n), f"{100 * c / n:.1f}%" if n else "-")
        errs = Text("errors: " + (", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"))
        parts: list[Any] = [head, t, errs]
        parts.extend(Text(n, style="yellow") for n in self.notes[-3:])
        return Group(*parts)
