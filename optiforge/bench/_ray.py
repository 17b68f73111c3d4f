"""The Ray executor: each cell runs as a Ray task; the driver keeps the budget and writes the store.

Ray is an optional extra (``uv sync --extra ray``) and is imported only here. Workers build
their own method and LM from the spec; all of them share the persistent LLM cache file
(on one machine, or wherever OPTIFORGE_CACHE_DIR points on a cluster).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from optiforge.errors import ConfigError

if TYPE_CHECKING:
    from optiforge.bench._grid import Cell
    from optiforge.bench._spec import ExperimentSpec
    from optiforge.bench._store import CellRow
    from optiforge.llm import Ledger

_WORKER_CACHE: dict[str, Any] = {}


def _worker_cell(payload: dict[str, Any]) -> tuple[Any, int, int, float]:
    """Run one cell in a Ray worker: (row, billed prompt tokens, billed completion tokens, cost)."""
    from optiforge.bench._cell import run_cell
    from optiforge.bench._methods import make_method
    from optiforge.bench._runner import default_lm_factory
    from optiforge.bench._spec import ModelSpec
    from optiforge.llm import Cache, Ledger

    key = payload["method"] + repr(sorted(payload["settings"].items()))
    method = _WORKER_CACHE.get(key)
    if method is None:
        method = _WORKER_CACHE[key] = make_method(payload["method"], payload["settings"])
    cache: Any = False
    if payload["cache_path"]:
        cache = _WORKER_CACHE.get(payload["cache_path"])
        if cache is None:
            cache = _WORKER_CACHE[payload["cache_path"]] = Cache(payload["cache_path"])
    ledger = Ledger(budget_usd=payload["budget_usd"], budget_tokens=payload["budget_tokens"])
    model = ModelSpec.model_validate(payload["model"])

    async def go() -> Any:
        lm = default_lm_factory(model, ledger=ledger, cache=cache, concurrency=payload["concurrency"])
        return await run_cell(payload["cell"], method, lm, settings=payload["settings"], timeout_s=payload["timeout_s"],
                              run_id=payload["run_id"], rule=payload["rule"])

    row = asyncio.run(go())
    return row, ledger.prompt_tokens, ledger.completion_tokens, ledger.cost_usd


def ray_cell_fn(
    spec: ExperimentSpec, ledger: Ledger, run_id: int
) -> tuple[Callable[[Cell], Awaitable[CellRow]], Callable[[], str | None], Callable[[], None]]:
    """(cell function, budget check, shutdown) for the runner, backed by Ray tasks."""
    try:
        import ray
    except ImportError:
        raise ConfigError("the Ray executor needs the ray extra: run `uv sync --extra ray` (or pip install 'ray[default]')") from None
    from optiforge.bench._runner import open_cache

    started_here = False
    if not ray.is_initialized():
        try:
            ray.init(address=spec.ray_address, include_dashboard=False, log_to_driver=False,
                     ignore_reinit_error=True, configure_logging=False)
        except Exception as exc:  # ray raises many types (ConnectionError, RuntimeError, ...)
            where = spec.ray_address or "a local instance"
            raise ConfigError(f"cannot start Ray at {where}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
        started_here = True
    remote = ray.remote(max_retries=0)(_worker_cell)
    cache = open_cache(spec)
    cache_path = None if cache is False else str(cache.path)  # a Cache has __len__: empty is falsy
    models = {m.label: m.model_dump(mode="json") for m in spec.models}
    rule_of = {d.name: d.rule for d in spec.datasets}

    async def cell_fn(cell: Cell) -> CellRow:
        left_usd = None if spec.budget.usd is None else max(0.0, spec.budget.usd - ledger.cost_usd)
        left_tok = None if spec.budget.tokens is None else max(0, spec.budget.tokens - ledger.total_tokens)
        payload = {
            "cell": cell, "method": cell.method, "settings": spec.settings_for(cell.method),
            "model": models[cell.model], "cache_path": cache_path, "budget_usd": left_usd, "budget_tokens": left_tok,
            "concurrency": spec.concurrency, "timeout_s": spec.timeout_s, "run_id": run_id, "rule": rule_of.get(cell.dataset),
        }
        ref = remote.remote(payload)
        try:
            row, p_tok, c_tok, cost = await asyncio.wrap_future(ref.future())
        except asyncio.CancelledError:
            ray.cancel(ref, force=True)
            raise
        ledger.add(p_tok, c_tok, cost)
        return row  # type: ignore[no-any-return]

    def shutdown() -> None:
        if started_here:
            ray.shutdown()

    return cell_fn, ledger.exhausted, shutdown
