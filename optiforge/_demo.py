"""`optiforge demo`: the main job end to end — ten OptiBench problems through the formulation
agent (Formulation mode, and Pyomo code run in the sandbox), the result store, the report
and its plots.

With a model (``--model``/``OPTIFORGE_MODEL``, or an ``OPTIFORGE_API_BASE`` server that
answers) the demo asks that model. With none it replays hand-written responses shipped in
the package, and says so on screen and in the report.
"""

from __future__ import annotations

from pathlib import Path

import click

from optiforge.errors import ConfigError


def _served_model(api_base: str) -> str | None:
    """The first model an OpenAI-compatible server lists, or None if it does not answer."""
    import json
    import urllib.request

    try:
        with urllib.request.urlopen(api_base.rstrip("/") + "/models", timeout=5) as resp:
            data = json.load(resp).get("data") or []
    except (OSError, ValueError):
        return None
    return str(data[0]["id"]) if data and isinstance(data[0], dict) and data[0].get("id") else None


def choose_model(model: str | None, api_base: str | None, replay: bool) -> dict[str, object]:
    """The demo's model spec: the configured live model, else the shipped replay."""
    from optiforge.config import get_settings
    from optiforge.demo import REPLAY, REPLAY_MODEL

    s = get_settings()
    model = model or s.model
    api_base = api_base or s.api_base
    if not replay and model:
        return {"model": model, "api_base": api_base}
    if not replay and api_base:
        served = _served_model(api_base)
        if served is None:
            raise ConfigError(f"no model given and the server at {api_base} does not answer GET /models; pass --model or start the server")
        return {"model": f"openai/{served}", "api_base": api_base}
    return {"model": REPLAY_MODEL, "replay": str(REPLAY)}


@click.command()
@click.option("--model", "-m", help="Model to run (default OPTIFORGE_MODEL); without one the demo replays.")
@click.option("--api-base", help="OpenAI-compatible endpoint (default OPTIFORGE_API_BASE).")
@click.option("--replay", is_flag=True, help="Use the shipped replay even if a model is configured.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("optiforge-demo"), show_default=True,
              help="Folder for the store, report and plots.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True)
def demo(model: str | None, api_base: str | None, replay: bool, out: Path, concurrency: int) -> None:
    """Run ten OptiBench problems through agent, store, report and plots (what `make demo` runs)."""
    from rich.console import Console
    from rich.panel import Panel

    from optiforge.bench import build_spec, run_experiment, write_report
    from optiforge.bench._progress import Progress
    from optiforge.bench._store import Store
    from optiforge.demo import DATASET, ITEMS, METHODS

    console = Console(stderr=True)
    chosen = choose_model(model, api_base, replay)
    if "replay" in chosen:
        console.print(Panel(
            "No model is configured, so this demo [bold]replays hand-written responses[/] shipped in "
            "optiforge/demo/replay.jsonl. They stand in for a model's replies (three are deliberately "
            "flawed first, to show the repair loop; the Pyomo programs run in the sandbox); no language "
            "model is called and the accuracy below measures the pipeline, not a model.\n"
            "Use a real model: [bold]optiforge demo --model openai/gpt-4o-mini[/] (with OPENAI_API_KEY), or "
            "[bold]--model M --api-base http://127.0.0.1:8000/v1[/] for vLLM / llama.cpp.",
            title="REPLAY — not a live model", border_style="yellow"))
    else:
        where = f" at {chosen['api_base']}" if chosen.get("api_base") else ""
        console.print(f"demo model: [bold]{chosen['model']}[/]{where} (live)")
    out.mkdir(parents=True, exist_ok=True)
    spec = build_spec({
        "name": "demo", "datasets": [{"name": DATASET, "ids": ITEMS}], "methods": METHODS,
        "models": [chosen], "seeds": [0], "concurrency": concurrency, "store": str(out / "demo.sqlite"),
    })
    summary = run_experiment(spec, progress=Progress(live=None))
    with Store(out / "demo.sqlite") as store:
        files = write_report(store, out / "report", spec_hash=spec.spec_hash)
        rows = store.cells(spec.spec_hash)
    _print_rows(rows, console)
    label = " (REPLAYED responses, not a live model)" if summary.replayed else ""
    resumed = f" ({summary.already_done} cells were already in the store)" if summary.already_done else ""
    for method in METHODS:
        mine = [r for r in rows if r.method == method]
        console.print(f"{method}: {sum(1 for r in mine if r.correct)}/{len(mine)} correct under {DATASET}'s rule{label}")
    console.print(f"this run: {summary.tokens:,} tokens, ${summary.cost_usd:.4f}, {summary.elapsed_s:.1f} s{resumed}")
    suspects = (out / "report" / "suspect_labels.csv").read_text().splitlines()[1:]
    if suspects:
        console.print("suspect labels (both methods verified the same objective, the gold disagrees): "
                      + ", ".join(line.split(",")[0] for line in suspects))
    console.print(f"report: {out / 'report' / 'report.md'}; plots: " + ", ".join(str(f) for f in files if f.suffix == ".png"))
    console.print(f"store: {out / 'demo.sqlite'} (rerun to resume; `optiforge bench report --store {out / 'demo.sqlite'} --out DIR`)")


def _print_rows(rows: list, console) -> None:
    from rich.table import Table

    table = Table(title="demo cells")
    for col in ("item", "method", "status", "correct", "answer (first values)", "error"):
        table.add_column(col, overflow="fold")
    for r in sorted(rows, key=lambda r: (int(str(r.item).split("/")[-1]) if str(r.item).split("/")[-1].isdigit() else 0, r.method)):
        answers = r.answer or {}
        shown = ", ".join(f"{v:.6g}" for v in list(answers.values())[:3]) if isinstance(answers, dict) else str(answers)
        table.add_row(str(r.item), r.method, str(r.status), "yes" if r.correct else "no", shown, (r.error_message or "")[:60])
    console.print(table)
