"""``optiforge solve FILE``: solve a model file and report status, objective and values."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

# exit status per solve status; input errors exit 2 through optiforge.cli.main
EXIT_CODES = {"optimal": 0, "feasible": 0, "infeasible": 10, "unbounded": 11, "time_limit": 12, "error": 13}


@click.command(
    epilog=(
        "Exit status: 0 optimal (or feasible), 10 infeasible, 11 unbounded, 12 time limit reached, "
        "13 solver error, 14 no answer (--text), 2 unreadable file or invalid formulation."
    )
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--text", help="Solve a word problem instead of a file (\"-\" reads stdin, @FILE reads a file); needs a model.")
@click.option("--model", "-m", help="With --text: the model (default OPTIFORGE_MODEL).")
@click.option("--api-base", help="With --text: OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1.")
@click.option("--ask", "queried", multiple=True, metavar="LABEL", help="With --text: a quantity to report (repeatable).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None, help="Seconds before the solver stops.")
@click.option(
    "--backend",
    type=click.Choice(["auto", "highs", "pyomo", "scip"]),
    default="auto",
    show_default=True,
    help="auto: HiGHS for LP/MILP/convex QP, SCIP for nonlinear or non-convex.",
)
@click.option("--json", "as_json", is_flag=True, help="Print status, objective, values and times as JSON.")
@click.option("--log", "show_log", is_flag=True, help="Also print the solver log (to stderr).")
def solve(file: Path | None, text: str | None, model: str | None, api_base: str | None, queried: tuple[str, ...],
          time_limit: float | None, backend: str, as_json: bool, show_log: bool) -> None:
    """Solve FILE (a .json Formulation, an .mps or .lp model, or a .py Pyomo model file),
    or, with --text, an optimization word problem through the formulation agent."""
    if (file is None) == (text is None):
        raise click.UsageError("give either FILE or --text")
    if text is not None:
        from optiforge.agents._cli import run_text

        run_text(text, queried=queried, as_json=as_json, out=None, steps=False,
                 lm_args={"model": model, "api_base": api_base, "replay": None, "record": None, "no_cache": False},
                 agent_args={"time_limit": time_limit or 60.0})
        return
    from optiforge.solvers.io import from_file

    assert file is not None
    loaded = from_file(file)
    _report(_run(loaded, backend, time_limit), as_json, show_log)


def _run(model: Any, backend: str, time_limit: float | None) -> Any:
    from optiforge.solvers._solve import solve as do_solve

    return do_solve(model, backend=backend, time_limit=time_limit)  # type: ignore[arg-type]


def _report(result: Any, as_json: bool, show_log: bool) -> None:
    if show_log and result.log:
        click.echo(result.log, err=True)
    if as_json:
        payload = result.model_dump(exclude={"log"})
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(result.summary())
        if result.message:
            click.echo(result.message)
        if result.iis:
            click.echo("irreducible infeasible subset: " + ", ".join(result.iis))
        if result.unbounded_vars:
            click.echo("unbounded along: " + ", ".join(result.unbounded_vars[:20]))
        for name, entries in result.nonzeros().items():
            for key, v in entries.items():
                label = f"{name}[{','.join(key)}]" if key else name
                click.echo(f"  {label} = {v:.10g}")
    sys.stdout.flush()
    code = EXIT_CODES.get(result.status, 13)
    if code:
        raise SystemExit(code)
