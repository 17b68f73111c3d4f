"""``optiforge code-opt``: make a program (or a shipped task) faster with a model.

A tests DIR holds the tests that define correctness, in one of two forms:

* ``NAME.in`` / ``NAME.out`` pairs: the program reads ``NAME.in`` on stdin and must print
  ``NAME.out`` (whitespace-insensitive; numbers within 1e-6 relative). Pairs in an optional
  ``perf/`` subfolder are the heavier workload that is timed (and also checked); without
  it, all tests are timed.
* ``tests.json``: a JSON list of ``{"input": ..., "output": ...}`` objects (stdin/stdout), or
  with ``--entry-point F`` of ``{"args": [...], "kwargs": {...}, "expected": ...}`` objects
  (Python function tests; ``expected`` may be left out, then it comes from FILE itself).

An optional ``statement.md`` in DIR describes the problem to the model.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from optiforge.agents._cli import make_lm, model_options
from optiforge.agents.code._agent import STRATEGIES
from optiforge.errors import InputError

EXIT_CODES = {"improved": 0, "correct": 0, "no_correct": 14, "error": 13}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def _pairs(folder: Path) -> list[Any]:
    from optiforge.sandbox import StdioTest

    tests = []
    for inp in sorted(folder.glob("*.in")):
        out = inp.with_suffix(".out")
        if not out.is_file():
            raise InputError(f"{inp} has no matching {out.name}")
        tests.append(StdioTest(_read(inp), _read(out)))
    orphans = [p.name for p in folder.glob("*.out") if not p.with_suffix(".in").is_file()]
    if orphans:
        raise InputError(f"{folder / orphans[0]} has no matching .in file")
    return tests


def load_tests_dir(folder: Path, *, entry_point: str | None = None) -> tuple[list[Any], list[Any], str]:
    """(tests, timed workload, statement) from a tests DIR (format in the module docstring)."""
    from optiforge.sandbox import FunctionTest, StdioTest

    if not folder.is_dir():
        raise InputError(f"tests directory {folder} does not exist")
    statement = _read(folder / "statement.md") if (folder / "statement.md").is_file() else ""
    if (folder / "tests.json").is_file():
        try:
            items = json.loads(_read(folder / "tests.json"))
        except ValueError as exc:
            raise InputError(f"{folder / 'tests.json'}: not valid JSON ({exc})") from None
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise InputError(f"{folder / 'tests.json'}: expected a non-empty JSON list of objects")
        if entry_point:
            tests: list[Any] = [FunctionTest(list(i.get("args", [])), dict(i.get("kwargs", {})), **({"expected": i["expected"]} if "expected" in i else {})) for i in items]
        else:
            if not all("input" in i and "output" in i for i in items):
                raise InputError(f"{folder / 'tests.json'}: each test needs \"input\" and \"output\" (or pass --entry-point for function tests)")
            tests = [StdioTest(str(i["input"]), str(i["output"])) for i in items]
        return tests, [], statement
    if entry_point:
        raise InputError(f"--entry-point needs function tests in {folder / 'tests.json'}")
    tests = _pairs(folder)
    perf = _pairs(folder / "perf") if (folder / "perf").is_dir() else []
    if not tests and not perf:
        raise InputError(f"no tests in {folder}: put NAME.in/NAME.out pairs or a tests.json there")
    return tests or perf, perf, statement


def build_task(file: Path | None, tests_dir: Path | None, task_name: str | None, language: str | None, entry_point: str | None) -> Any:
    """The task the options describe: a shipped task, or FILE with the tests in DIR."""
    from optiforge.sandbox import Task, load_task

    if task_name is not None:
        if file is not None or tests_dir is not None:
            raise InputError("give either --task NAME or FILE with --tests DIR, not both")
        return load_task(task_name)
    if file is None:
        raise InputError("give a program FILE with --tests DIR, or --task NAME (see `optiforge sandbox tasks`)")
    if tests_dir is None:
        raise InputError("FILE needs --tests DIR (NAME.in/NAME.out pairs, or tests.json)")
    if not file.is_file():
        raise InputError(f"program file {file} does not exist")
    lang = language or ("cpp" if file.suffix.lower() in (".cpp", ".cc", ".cxx") else "python")
    if entry_point and lang != "python":
        raise InputError("--entry-point is for Python function tests")
    tests, perf, statement = load_tests_dir(tests_dir, entry_point=entry_point)
    return Task(name=file.stem, language=lang, kind="function" if entry_point else "stdio", statement=statement or f"Program {file.name}.",  # type: ignore[arg-type]
                reference=_read(file), tests=tests, perf_tests=perf, entry_point=entry_point, source=str(file))


@click.command(epilog="Exit status: 0 a correct program (improved or not), 14 no correct candidate, 2 bad input, 3 model error, 4 budget spent.")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tests", "tests_dir", type=click.Path(file_okay=False, path_type=Path), help="Tests DIR: NAME.in/NAME.out pairs (+ perf/ for the timed workload) or tests.json.")
@click.option("--task", "task_name", help="Use a shipped task instead of FILE/--tests (list them: optiforge sandbox tasks).")
@click.option("--language", type=click.Choice(["python", "cpp"]), help="Language of FILE (default: from its suffix).")
@click.option("--entry-point", help="Function tests: the function tests.json calls.")
@model_options
@click.option("--method", "strategy", type=click.Choice(STRATEGIES), default="self-refine", show_default=True, help="How to search: prompting strategy or graph optimizer.")
@click.option("--rounds", type=click.IntRange(1, 50), default=3, show_default=True, help="Self-refine rounds / optimizer steps.")
@click.option("--k", "k", type=click.IntRange(1, 64), default=4, show_default=True, help="Samples for best-of-k.")
@click.option("--measure", type=click.Choice(["cpu", "instructions"]), default="cpu", show_default=True, help="cpu: CPU time (median of repeats); instructions: callgrind counts.")
@click.option("--repeats", type=click.IntRange(1, 100), help="Timed runs per program (default 5 for cpu, 1 for instructions).")
@click.option("--few-shot", type=click.IntRange(0, 3), help="Slow->fast example pairs in the prompt (default 2 with --method few-shot).")
@click.option("--no-profile", is_flag=True, help="Leave the profile of hot spots out of the feedback.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=20.0, show_default=True, help="CPU seconds per sandboxed run.")
@click.option("--memory-mb", type=click.IntRange(64, 65536), default=2048, show_default=True, help="Address-space limit per sandboxed run.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the best program here.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option("--steps", is_flag=True, help="With --json: include every candidate (program, verdict, feedback).")
def code_opt(file: Path | None, tests_dir: Path | None, task_name: str | None, language: str | None, entry_point: str | None,
             model: str | None, api_base: str | None, replay: Path | None, record: Path | None, no_cache: bool, strategy: str,
             rounds: int, k: int, measure: str, repeats: int | None, few_shot: int | None, no_profile: bool, time_limit: float,
             memory_mb: int, out: Path | None, as_json: bool, steps: bool) -> None:
    """Make program FILE faster: the model proposes, the sandbox checks and times, the best correct program wins.

    \b
    The tests DIR holds either
      NAME.in / NAME.out pairs  stdin -> expected stdout (tolerant compare);
                                pairs in DIR/perf/ are the timed workload
      tests.json                [{"input": ..., "output": ...}, ...], or with
                                --entry-point F: [{"args": [...], "expected": ...}]
    and optionally statement.md, shown to the model.
    """
    from optiforge.agents.code._agent import CodeOptAgent
    from optiforge.sandbox import Limits

    task = build_task(file, tests_dir, task_name, language, entry_point)
    lm = make_lm(model, api_base, replay, record, no_cache)
    agent = CodeOptAgent(lm, strategy=strategy, rounds=rounds, k=k, measure=measure, repeats=repeats, few_shot=few_shot,
                         profile=not no_profile, limits=Limits(cpu_s=time_limit, wall_s=2 * time_limit + 5, memory_mb=memory_mb))
    result = agent.run(task)
    if out is not None:
        try:
            out.write_text(result.program, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    if as_json:
        click.echo(result.model_dump_json(indent=2, exclude=None if steps else {"steps"}))
    else:
        click.echo(result.summary())
        shown = {key: result.metrics[key] for key in ("pie_speedup", "percentile", "eff", "pass@1", "eff@1") if key in result.metrics}
        if shown:
            click.echo("metrics: " + ", ".join(f"{key} {val:.3g}" for key, val in shown.items()))
        tok = result.prompt_tokens + result.completion_tokens
        click.echo(f"[{getattr(lm, 'model', '?')}] {result.llm_calls} call(s), {tok} tokens, ${result.cost_usd:.6f}"
                   + (f", program written to {out}" if out is not None else ""), err=True)
    sys.stdout.flush()
    code = EXIT_CODES.get(result.status, 13)
    if code:
        raise SystemExit(code)
