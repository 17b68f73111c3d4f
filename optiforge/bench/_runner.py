"""The run loop: expand the grid, skip finished cells, execute the rest, write rows, stop cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optiforge.bench._cell import FATAL_ERRORS, not_run_row, run_cell
from optiforge.bench._grid import Cell, expand_grid
from optiforge.bench._methods import Method, make_method
from optiforge.bench._spec import ExperimentSpec, ModelSpec
from optiforge.bench._store import CellRow, Store
from optiforge.errors import ConfigError, OptiforgeError

if TYPE_CHECKING:
    from optiforge.datasets import Problem
    from optiforge.llm import Ledger

LMFactory = Callable[..., Any]
"""``factory(model_spec, *, ledger, cache, concurrency) -> LM`` (see :func:`default_lm_factory`)."""

CellFn = Callable[[Cell], Awaitable[CellRow]]


@dataclass(slots=True)
class RunSummary:
    """What a run did. ``status``: finished, budget, interrupted or error."""

    spec_hash: str
    store_path: str
    run_id: int
    total: int
    already_done: int
    ran: int = 0
    not_run: int = 0
    correct: int = 0
    status: str = "finished"
    message: str | None = None
    errors: dict[str, int] = field(default_factory=dict)
    cost_usd: float = 0.0
    tokens: int = 0
    elapsed_s: float = 0.0
    replayed: bool = False

    @property
    def remaining(self) -> int:
        """Cells of the grid that are still not finished."""
        return self.total - self.already_done - self.ran


def default_lm_factory(model: ModelSpec, *, ledger: Ledger, cache: Any, concurrency: int) -> Any:
    """An ``optiforge.llm.LM`` for a model spec (``ReplayLM`` when the spec names a record file)."""
    import optiforge.llm as llm

    if model.replay is not None:
        return llm.ReplayLM(model.replay, model=model.model, ledger=ledger, concurrency=concurrency, **model.params)
    return llm.LM(model.model, api_base=model.api_base, cache=cache, ledger=ledger, concurrency=concurrency,
                  record=model.record, **model.params)


def open_cache(spec: ExperimentSpec) -> Any:
    """The persistent LLM cache the run shares (False when the spec turns caching off)."""
    if not spec.cache:
        return False
    from optiforge.config import get_settings
    from optiforge.llm import Cache

    return Cache(get_settings().resolved_cache_dir / "llm.sqlite")


def store_path_for(spec: ExperimentSpec) -> Path:
    """The spec's store, or the settings' default store."""
    if spec.store is not None:
        return spec.store
    from optiforge.config import get_settings

    return get_settings().resolved_store_path


def build_methods(spec: ExperimentSpec) -> dict[str, Method]:
    """Every method of the spec, built (ConfigError, one line, for unknown/unavailable ones)."""
    return {m: make_method(m, spec.settings_for(m)) for m in spec.methods}


def load_grid(spec: ExperimentSpec, problems: Mapping[str, Sequence[Problem]] | None = None) -> list[Cell]:
    """Load every dataset (or take ``problems[name]``) and expand the grid."""
    from optiforge.bench._data import load_problems

    by_name: dict[str, Sequence[Problem]] = {}
    for ds in spec.datasets:
        if problems is not None and ds.name in problems:
            items: Sequence[Problem] = list(problems[ds.name])[: ds.limit] if ds.limit else problems[ds.name]
            by_name[ds.name] = items
        else:
            name, loaded, _ = load_problems(ds)
            by_name[name] = loaded
    return expand_grid(spec, by_name)


class _Writer:
    """Group commit: rows queue up while a write runs in a thread; each batch is one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.buf: list[CellRow] = []
        self.event = asyncio.Event()
        self.closing = False
        self.written = 0
        self.task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            await self.event.wait()
            self.event.clear()
            while self.buf:
                batch, self.buf = self.buf, []
                self.written += await asyncio.to_thread(self.store.write_cells, batch)
            if self.closing:
                return

    def add(self, row: CellRow) -> None:
        if self.task.done():
            self.task.result()  # re-raise a failed write (disk full, ...)
        self.buf.append(row)
        self.event.set()

    async def close(self) -> None:
        self.closing = True
        self.event.set()
        await self.task


class _Control:
    """Why scheduling stopped, if it did."""

    def __init__(self) -> None:
        self.stop_reason: str | None = None
        self.budget_message: str | None = None
        self.fatal: BaseException | None = None
        self.interrupts = 0

    @property
    def stopping(self) -> bool:
        return self.stop_reason is not None

    def stop(self, reason: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason


async def execute(
    cells: Sequence[Cell],
    cell_fn: CellFn,
    *,
    concurrency: int,
    on_row: Callable[[CellRow], None],
    control: _Control,
    budget_check: Callable[[], str | None],
    on_interrupt: Callable[[int], None] | None = None,
) -> list[Cell]:
    """Run cells with at most ``concurrency`` in flight; return the cells never started.

    First Ctrl-C: stop scheduling and let in-flight cells finish (their rows are written);
    second: cancel them (no row is written for a cancelled cell).
    """
    it = iter(enumerate(cells))
    started: set[int] = set()

    async def worker() -> None:
        for i, cell in it:
            if control.stopping:
                return
            why = budget_check()
            if why is not None:
                control.budget_message = why
                control.stop("budget")
                return
            started.add(i)
            try:
                row = await cell_fn(cell)
            except FATAL_ERRORS as exc:
                control.fatal = exc
                control.stop("error")
                return
            if row.status == "not_run":
                control.budget_message = control.budget_message or row.error_message
                control.stop("budget")
            on_row(row)
            # Return to the loop between cells, so a pool of quick cells cannot starve it.
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(worker()) for _ in range(max(1, min(concurrency, len(cells))))]
    loop = asyncio.get_running_loop()

    def interrupt() -> None:
        control.interrupts += 1
        control.stop("interrupted")
        if on_interrupt is not None:
            on_interrupt(control.interrupts)
        if control.interrupts >= 2:
            for t in tasks:
                t.cancel()

    installed = False
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGINT, interrupt)
        installed = True
    try:
        results = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGINT)
    for r in results:
        if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError):
            raise r
    return [c for i, c in enumerate(cells) if i not in started]


async def run_experiment_async(
    spec: ExperimentSpec,
    *,
    store: Store | str | Path | None = None,
    problems: Mapping[str, Sequence[Problem]] | None = None,
    lm_factory: LMFactory | None = None,
    methods: Mapping[str, Method] | None = None,
    progress: Any = None,
    retry_errors: bool = False,
) -> RunSummary:
    """Run (or resume) an experiment; see :func:`run_experiment`."""
    t_start = time.perf_counter()
    built = dict(methods) if methods is not None else build_methods(spec)
    cells = load_grid(spec, problems)
    own_store = not isinstance(store, Store)
    st = store if isinstance(store, Store) else Store(store if store is not None else store_path_for(spec))
    try:
        return await _run(spec, st, cells, built, lm_factory, progress, retry_errors, t_start)
    except OptiforgeError as exc:
        for run in st.runs(spec.spec_hash):
            if run["status"] == "running" and run["pid"] == os.getpid():
                st.finish_run(run["run_id"], "error", str(exc))
        raise
    finally:
        if own_store:
            st.close()


async def _run(
    spec: ExperimentSpec,
    st: Store,
    cells: list[Cell],
    methods: dict[str, Method],
    lm_factory: LMFactory | None,
    progress: Any,
    retry_errors: bool,
    t_start: float,
) -> RunSummary:
    from optiforge.llm import Ledger

    h = spec.spec_hash
    spec_json = spec.model_dump(mode="json")
    replayed = spec.replayed
    others = [r for r in st.live_runs(h) if r["pid"] != os.getpid()]
    if others:
        r = others[0]
        raise ConfigError(f"spec {h} is already running (pid {r['pid']} on {r['host']}); wait for it, or stop it "
                          "and rerun to resume")
    st.save_spec(h, spec.name, spec_json, replayed=replayed, total_cells=len(cells))
    done = st.finished_keys(h)
    if retry_errors:
        done -= {r.cell_key for r in st.cells(h, status="error")}
    todo = [c for c in cells if c.key not in done]
    models_info = [{"model": m.model, "api_base": m.api_base, "replay": str(m.replay) if m.replay else None} for m in spec.models]
    run_id = st.start_run(h, spec_json, replayed=replayed, models=models_info)
    summary = RunSummary(h, str(st.path), run_id, total=len(cells), already_done=len(cells) - len(todo), replayed=replayed)
    if not todo:
        st.finish_run(run_id, "finished", "nothing to do")
        summary.elapsed_s = time.perf_counter() - t_start
        return summary

    ledger = Ledger(budget_usd=spec.budget.usd, budget_tokens=spec.budget.tokens)
    control = _Control()
    writer = _Writer(st)
    errors: Counter[str] = Counter()

    def on_row(row: CellRow) -> None:
        writer.add(row)
        if row.status == "not_run":
            summary.not_run += 1
            return
        summary.ran += 1
        summary.correct += int(bool(row.correct))
        summary.cost_usd += row.cost_usd
        summary.tokens += row.prompt_tokens + row.completion_tokens
        if row.error_category and row.status != "answered":
            errors[row.error_category] += 1
        if progress is not None:
            progress.update(row)

    def on_interrupt(n: int) -> None:
        if progress is not None:
            progress.note("interrupted: finishing cells in flight (Ctrl-C again to cancel them)" if n == 1 else "cancelling cells in flight")

    if progress is not None:
        progress.start(total=len(cells), already=summary.already_done, ledger=ledger, budget=spec.budget)
    shutdown: Callable[[], None] | None = None
    try:
        if spec.executor == "ray":
            from optiforge.bench._ray import ray_cell_fn

            cell_fn, budget_check, shutdown = ray_cell_fn(spec, ledger, run_id)
        else:
            factory = lm_factory or default_lm_factory
            cache = open_cache(spec) if lm_factory is None else False
            lms = {m.label: factory(m, ledger=ledger, cache=cache, concurrency=spec.concurrency) for m in spec.models}
            rule_of = {d.name: d.rule for d in spec.datasets}

            async def cell_fn(cell: Cell) -> CellRow:
                return await run_cell(
                    cell, methods[cell.method], lms[cell.model], settings=spec.settings_for(cell.method),
                    timeout_s=spec.timeout_s, run_id=run_id, rule=rule_of.get(cell.dataset),
                )

            budget_check = ledger.exhausted
        unstarted = await execute(
            todo, cell_fn, concurrency=spec.concurrency, on_row=on_row, control=control,
            budget_check=budget_check, on_interrupt=on_interrupt,
        )
        if control.stop_reason == "budget":
            why = control.budget_message or "budget spent"
            for c in unstarted:
                on_row(not_run_row(c, run_id, why))
    finally:
        try:
            await asyncio.shield(writer.close())
        finally:
            if shutdown is not None:
                shutdown()
            if progress is not None:
                progress.stop()
    summary.errors = dict(errors)
    summary.elapsed_s = time.perf_counter() - t_start
    if control.fatal is not None:
        summary.status, summary.message = "error", str(control.fatal)
        st.finish_run(run_id, "error", summary.message)
        if isinstance(control.fatal, OptiforgeError):
            raise control.fatal
        raise OptiforgeError(str(control.fatal))
    if control.stop_reason == "budget":
        summary.status, summary.message = "budget", control.budget_message
    elif control.stop_reason == "interrupted":
        summary.status, summary.message = "interrupted", "stopped by Ctrl-C"
    st.finish_run(run_id, summary.status, summary.message)
    return summary


def run_experiment(spec: ExperimentSpec, **kwargs: Any) -> RunSummary:
    """Run or resume ``spec``: every cell not yet finished in the store is run and written.

    ``problems`` maps dataset names to ``Problem`` lists (instead of loading files);
    ``lm_factory`` builds the model clients (default :func:`default_lm_factory`; tests pass
    one that returns ``ScriptedLM``); ``methods`` maps method spec strings to built
    methods; ``progress`` is a progress view (see ``optiforge.bench.progress``);
    ``retry_errors`` reruns cells stored as errors. Returns a :class:`RunSummary`; a spent
    budget gives ``status == "budget"`` (the CLI turns that into exit code 4).
    """
    return asyncio.run(run_experiment_async(spec, **kwargs))
