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
        "13 solver error, 2 unreadable file or invalid formulation."
    )
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
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
def solve(file: Path, time_limit: float | None, backend: str, as_json: bool, show_log: bool) -> None:
    """Solve FILE: a .json Formulation, an .mps or .lp model, or a .py Pyomo model file."""
    from optiforge.solvers.io import from_file

    model = from_file(file)
    _report(_run(model, backend, time_limit), as_json, show_log)


def _run(model: Any, backend: str, time_limit: float | None) -> Any:
    from optiforge.solvers.solve import solve as do_solve

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
        for name, entry in result.nonzeros().items():
            if isinstance(entry, dict):
                for key, v in entry.items():
                    click.echo(f"  {name}[{key}] = {v:.10g}")
            else:
                click.echo(f"  {name} = {entry:.10g}")
    sys.stdout.flush()
    code = EXIT_CODES.get(result.status, 13)
    if code:
        raise SystemExit(code)
