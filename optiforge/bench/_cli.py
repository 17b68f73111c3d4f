"""``optiforge bench run|status|report|diff|methods``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from optiforge.errors import BudgetExceeded, ConfigError


def _spec_from_args(spec_file: Path | None, kw: dict[str, Any]) -> Any:
    from optiforge.bench._spec import build_spec, load_spec

    datasets: list[Any] | None = None
    if kw["dataset"]:
        datasets = []
        for name in kw["dataset"]:
            d: dict[str, Any] = {"name": name}
            as_path = Path(name)
            if as_path.suffix.lower() in (".json", ".jsonl") and as_path.is_file():
                d = {"name": as_path.stem.lower().replace("-", "_"), "path": str(as_path)}
            for key in ("limit", "split", "data_dir"):
                if kw[key] is not None:
                    d[key] = kw[key]
            if kw["ids"]:
                d["ids"] = [x.strip() for x in kw["ids"].split(",") if x.strip()]
            datasets.append(d)
    models: list[Any] | None = None
    if kw["model"]:
        models = [{"model": m, **({"api_base": kw["api_base"]} if kw["api_base"] else {})} for m in kw["model"]]
    seeds: list[int] | None = None
    if kw["seed"]:
        seeds = list(kw["seed"])
    elif kw["seeds"] is not None:
        seeds = list(range(kw["seeds"]))
    budget: dict[str, Any] | None = None
    if kw["budget_usd"] is not None or kw["budget_tokens"] is not None:
        budget = {"usd": kw["budget_usd"], "tokens": kw["budget_tokens"]}
    overrides = {
        "datasets": datasets, "methods": list(kw["method"]) or None, "models": models, "seeds": seeds,
        "budget": budget, "concurrency": kw["concurrency"], "timeout_s": kw["timeout"], "store": kw["store"],
        "executor": kw["executor"], "ray_address": kw["ray_address"], "cache": False if kw["no_cache"] else None,
    }
    if spec_file is not None:
        if kw["limit"] is not None and not kw["dataset"]:
            raise ConfigError("--limit applies to --dataset flags; with --spec, set limit: in the file")
        return load_spec(spec_file, **overrides)
    if not kw["dataset"] or not kw["method"]:
        raise ConfigError("give --spec FILE, or at least --dataset and --method (and --model or OPTIFORGE_MODEL)")
    if models is None:
        from optiforge.config import get_settings

        s = get_settings()
        if not s.model:
            raise ConfigError("no model: pass --model or set OPTIFORGE_MODEL")
        models = [{"model": s.model, **({"api_base": kw["api_base"] or s.api_base} if (kw["api_base"] or s.api_base) else {})}]
        overrides["models"] = models
    if kw["concurrency"] is None:
        from optiforge.config import get_settings

        overrides["concurrency"] = get_settings().concurrency
    if budget is None:
        from optiforge.config import get_settings

        s = get_settings()
        if s.budget_usd is not None or s.budget_tokens is not None:
            overrides["budget"] = {"usd": s.budget_usd, "tokens": s.budget_tokens}
    return build_spec({k: v for k, v in overrides.items() if v is not None}, "command line")


@click.group()
def bench() -> None:
    """Run, watch, report and compare benchmark grids (datasets x methods x models x seeds)."""


@bench.command("run")
@click.option("--spec", "spec_file", type=click.Path(path_type=Path), help="YAML experiment spec; flags override its keys.")
@click.option("--dataset", "-d", multiple=True, help="Data set name, or a .json/.jsonl file of word problems (repeatable).")
@click.option("--method", "-m", multiple=True, help="Method spec, e.g. direct, formulate+selfcons5 (repeatable).")
@click.option("--model", multiple=True, help="litellm model string or a name served at --api-base (repeatable).")
@click.option("--api-base", help="OpenAI-compatible endpoint for --model.")
@click.option("--limit", type=int, help="First N items of each data set.")
@click.option("--ids", help="Comma-separated item ids.")
@click.option("--split", type=click.Choice(["train", "test"]), help="A stable hash split of the items.")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where data set files are looked up first.")
@click.option("--seeds", type=int, help="Run seeds 0..N-1.")
@click.option("--seed", type=int, multiple=True, help="A seed (repeatable).")
@click.option("--budget-usd", type=float, help="Stop new LLM calls past this spend.")
@click.option("--budget-tokens", type=int, help="Stop new LLM calls past this many tokens.")
@click.option("--concurrency", "-j", type=int, help="Cells in flight.")
@click.option("--timeout", type=float, help="Seconds per cell.")
@click.option("--store", type=click.Path(path_type=Path), help="Result store (default: <home>/results.sqlite).")
@click.option("--executor", type=click.Choice(["local", "ray"]), help="Where cells run.")
@click.option("--ray-address", help="Ray cluster address (default: start a local instance).")
@click.option("--no-cache", is_flag=True, help="Do not use the persistent LLM cache.")
@click.option("--retry-errors", is_flag=True, help="Also rerun cells stored as errors.")
@click.option("--plain", is_flag=True, help="Plain progress lines even on a terminal.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
def run_cmd(spec_file: Path | None, retry_errors: bool, plain: bool, quiet: bool, **kw: Any) -> None:
    """Run (or resume) an experiment: every unfinished cell is run and stored."""
    from optiforge.bench._progress import Progress
    from optiforge.bench._runner import run_experiment

    spec = _spec_from_args(spec_file, kw)
    progress = None if quiet else Progress(live=False if plain else None)
    summary = run_experiment(spec, progress=progress, retry_errors=retry_errors)
    head = f"spec {summary.spec_hash}: {summary.already_done + summary.ran}/{summary.total} cells done"
    if summary.replayed:
        head += " (REPLAYED responses, not a live model)"
    detail = (f"this run: {summary.ran} ran, {summary.correct} correct, {summary.not_run} not run, "
              f"${summary.cost_usd:.4f}, {summary.tokens:,} tokens, {summary.elapsed_s:.1f}s; store {summary.store_path}")
    click.echo(head)
    click.echo(detail)
    if summary.status == "budget":
        raise BudgetExceeded(f"{summary.message}; {summary.remaining} cells not run (finished rows are kept; raise the budget and rerun to continue)")
    if summary.status == "interrupted":
        click.echo(f"interrupted: {summary.remaining} cells left; rerun the same command to resume", err=True)
        raise SystemExit(130)


def _store_arg(store: Path | None) -> Path:
    if store is not None:
        return store
    from optiforge.config import get_settings

    return get_settings().resolved_store_path


@bench.command("status")
@click.option("--store", type=click.Path(path_type=Path), help="Result store (default: <home>/results.sqlite).")
@click.option("--spec-hash", help="Only this spec (hash or prefix).")
def status_cmd(store: Path | None, spec_hash: str | None) -> None:
    """Per spec: cells done/total, errors, cost."""
    from optiforge.bench._report import status_lines
    from optiforge.bench._store import Store

    with Store(_store_arg(store), readonly=True) as st:
        for line in status_lines(st, spec_hash):
            click.echo(line)


@bench.command("report")
@click.option("--store", type=click.Path(path_type=Path), help="Result store (default: <home>/results.sqlite).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for report.md, CSV tables and PNG plots.")
@click.option("--spec-hash", help="Only this spec (hash or prefix); default: every spec in the store.")
@click.option("--no-plots", is_flag=True, help="Tables only.")
def report_cmd(store: Path | None, out: Path, spec_hash: str | None, no_plots: bool) -> None:
    """Markdown/CSV tables (accuracy per rule with 95% CIs, cost, failures, published numbers) and PNG plots."""
    from optiforge.bench._report import write_report
    from optiforge.bench._store import Store

    with Store(_store_arg(store), readonly=True) as st:
        files = write_report(st, out, spec_hash=spec_hash, plots=not no_plots)
    for f in files:
        click.echo(str(f))


@bench.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--store", type=click.Path(path_type=Path), help="Store holding spec hashes A and B.")
@click.option("--rule", help="Answer rule to compare under (default: each item's own rule).")
def diff_cmd(a: str, b: str, store: Path | None, rule: str | None) -> None:
    """Items whose correctness changed between runs A and B (spec hashes or store paths)."""
    from optiforge.bench._report import diff_lines

    for line in diff_lines(a, b, store=_store_arg(store), rule=rule):
        click.echo(line)


@bench.command("methods")
def methods_cmd() -> None:
    """List registered methods and whether they can be loaded."""
    from optiforge.bench._methods import make_method, registered_methods
    from optiforge.errors import OptiforgeError

    for name in registered_methods():
        try:
            make_method(name)
            click.echo(f"{name}: available")
        except OptiforgeError as exc:
            click.echo(f"{name}: unavailable ({exc})")
