"""``optiforge datasets``: list, show, check and fetch benchmark data sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from optiforge.errors import DatasetError


def _snippet(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _fmt(v: float) -> str:
    return f"{v:g}" if abs(v) < 1e15 else repr(v)


@click.group("datasets")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Look here first for data files (before OPTIFORGE_DATA_DIR, the cache and ../shared/data).",
)
@click.pass_context
def datasets(ctx: click.Context, data_dir: Path | None) -> None:
    """List, inspect, check and fetch benchmark data sets."""
    ctx.obj = {"data_dir": data_dir}


@datasets.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """Every data set: items, usable/skipped counts, license, and where it was found."""
    from optiforge.datasets import list_datasets, load
    from optiforge.datasets._locate import locate

    data_dir = ctx.obj["data_dir"]
    rows: list[dict[str, Any]] = []
    for spec in list_datasets():
        row: dict[str, Any] = {
            "name": spec.name,
            "license": spec.license,
            "rule": spec.default_rule,
            "items": None,
            "usable": None,
            "skipped": None,
            "where": None,
        }
        hit = locate(spec, data_dir)
        if hit is None:
            row["where"] = (
                f"not found — optiforge datasets fetch {spec.name}"
                if spec.fetchable
                else f"not found — not redistributable; put a copy under <data-dir>/{spec.name}/"
            )
        else:
            path, origin = hit
            try:
                loaded = load(spec.name, path=path)
                row.update(items=loaded.total, usable=len(loaded), skipped=len(loaded.skipped))
                row["where"] = f"{path} ({origin})"
            except DatasetError as exc:
                row["where"] = f"{path} ({origin}): unreadable: {exc}"
        rows.append(row)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    header = (
        f"{'name':<16} {'items':>5} {'usable':>6} {'skip':>4}  {'rule':<8} {'license':<14} where"
    )
    click.echo(header)
    for r in rows:

        def num(k: str, row: dict[str, Any] = r) -> str:
            return "-" if row[k] is None else str(row[k])

        lic = r["license"] if len(r["license"]) <= 14 else r["license"][:13] + "…"
        click.echo(
            f"{r['name']:<16} {num('items'):>5} {num('usable'):>6} {num('skipped'):>4}  {r['rule']:<8} {lic:<14} {r['where']}"
        )


@datasets.command("show")
@click.argument("name")
@click.option(
    "--limit", "-n", type=click.IntRange(min=0), default=5, show_default=True, help="Items to show."
)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON lines.")
@click.option(
    "--path", type=click.Path(path_type=Path), default=None, help="Load from this file/folder."
)
@click.option("--id", "ids", multiple=True, help="Show only these ids (repeatable).")
@click.option(
    "--exclude",
    "exclude",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Extra exclusion list: lines of 'ID reason', or JSON {id: reason}.",
)
@click.option(
    "--no-exclude", is_flag=True, help="Do not apply the shipped list of known-bad items."
)
@click.option(
    "--keep-no-solution", is_flag=True, help="Keep 'No Best Solution' golds (as infeasible items)."
)
@click.option("--rule", default=None, help="Answer rule to attach (default: the set's own).")
@click.pass_context
def show_cmd(
    ctx: click.Context,
    name: str,
    limit: int,
    as_json: bool,
    path: Path | None,
    ids: tuple[str, ...],
    exclude: Path | None,
    no_exclude: bool,
    keep_no_solution: bool,
    rule: str | None,
) -> None:
    """Items of data set NAME with a text snippet and the gold value(s)."""
    from optiforge.datasets import load

    loaded = load(
        name,
        data_dir=ctx.obj["data_dir"],
        path=path,
        ids=ids or None,
        exclude=exclude,
        shipped_exclude=not no_exclude,
        no_solution="keep" if keep_no_solution else "skip",
        rule=rule,
    )
    shown = loaded.problems[:limit]
    if as_json:
        for p in shown:
            click.echo(p.model_dump_json())
        return
    click.echo(f"{loaded.summary()}  [rule {loaded.rule}; {loaded.source}]")
    for p in shown:
        if p.gold_status == "no_solution":
            gold = "no optimal solution"
        else:
            gold = ", ".join(
                f"{'*' if g.is_objective else ''}{g.label}={_fmt(g.value)}" for g in p.gold[:4]
            )
            gold += f", … (+{len(p.gold) - 4})" if len(p.gold) > 4 else ""
        click.echo(f"\n{p.id}\n  {_snippet(p.text)}\n  gold: {gold}")
    if loaded.skipped:
        click.echo(f"\nskipped ({len(loaded.skipped)}):")
        for s in loaded.skipped[:20]:
            click.echo(f"  {s.id}" + (f" (line {s.line})" if s.line else "") + f": {s.reason}")
        if len(loaded.skipped) > 20:
            click.echo(f"  … and {len(loaded.skipped) - 20} more")


@datasets.command("check")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--text-field", default=None, help="Field with the problem text (default: detected).")
@click.option(
    "--answer-field", default=None, help="Field with the gold answer (default: detected)."
)
@click.option(
    "--id-field", default=None, help="Field with the item id (default: detected, else position)."
)
def check_cmd(
    path: Path, text_field: str | None, answer_field: str | None, id_field: str | None
) -> None:
    """Validate a JSON/JSONL benchmark file; report bad rows with line numbers (non-zero exit if any)."""
    from optiforge.datasets._load import Fields, convert, detect_fields
    from optiforge.datasets._read import read_records

    records, bad = read_records(path, collect=True)
    if records:
        if text_field is None or answer_field is None:
            guess = detect_fields(records, path)
            fields = Fields(
                text_field or guess.text, answer_field or guess.answer, id_field or guess.id
            )
        else:
            fields = Fields(text_field, answer_field, id_field)
        problems, _skipped, bad_rows = convert(
            records, path, fields, dataset="check", rule="rel_1e4", no_solution="keep", collect=True
        )
        bad = sorted([*bad, *bad_rows], key=lambda b: b.line)
        no_sol = sum(1 for p in problems if p.gold_status == "no_solution")
        click.echo(
            f"{path}: {len(records)} rows; fields text={fields.text!r} answer={fields.answer!r} id={fields.id!r}; "
            f"{len(problems) - no_sol} with numeric gold, {no_sol} 'no solution', {len(bad)} bad"
        )
    for b in bad:
        click.echo(f"{path}, line {b.line}: {b.message}")
    if bad:
        raise DatasetError(f"{path}: {len(bad)} bad row(s)")


@datasets.command("fetch")
@click.argument("names", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Download again even if a verified copy is cached.")
@click.option(
    "--base-url",
    default=None,
    help="Mirror of raw.githubusercontent.com (also OPTIFORGE_DATASETS_BASE_URL).",
)
def fetch_cmd(names: tuple[str, ...], force: bool, base_url: str | None) -> None:
    """Download NAMES (or 'all') from upstream at pinned commits, verify SHA-256, cache them."""
    from optiforge.datasets import fetch, list_datasets

    wanted = [s.name for s in list_datasets() if s.fetchable] if names == ("all",) else list(names)
    for name in wanted:
        path = fetch(name, force=force, base_url=base_url)
        click.echo(f"{name}: {path}")
