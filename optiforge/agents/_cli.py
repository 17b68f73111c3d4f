"""``optiforge formulate TEXT`` and the ``--text`` mode of ``optiforge solve``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from optiforge.errors import InputError

# Exit status of a word-problem solve, aligned with `optiforge solve FILE`.
EXIT_CODES = {"answered": 0, "infeasible": 10, "no_answer": 14, "error": 13}


def model_options(fn: Any) -> Any:
    """The options that choose the model: --model, --api-base, --replay, --record, --no-cache."""
    for opt in reversed([
        click.option("--model", "-m", help="Model (default OPTIFORGE_MODEL), e.g. openai/gpt-4o-mini."),
        click.option("--api-base", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1."),
        click.option("--replay", "replay", type=click.Path(dir_okay=False, path_type=Path), help="Answer offline from a record file (no model is called)."),
        click.option("--record", "record", type=click.Path(dir_okay=False, path_type=Path), help="Append every model call to this JSONL file."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the LLM cache."),
    ]):
        fn = opt(fn)
    return fn


def make_lm(model: str | None, api_base: str | None, replay: Path | None, record: Path | None, no_cache: bool) -> Any:
    """Build the LM the options describe."""
    if replay is not None:
        from optiforge.llm import ReplayLM

        if not replay.is_file():
            raise InputError(f"replay file {replay} does not exist")
        return ReplayLM(replay)
    from optiforge.llm import LM

    overrides: dict[str, Any] = {"model": model, "api_base": api_base, "record": str(record) if record else None}
    if no_cache:
        overrides["cache"] = False
    return LM.from_settings(**{k: v for k, v in overrides.items() if v is not None})


def _read_text(text: str) -> str:
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not text.strip():
        raise InputError("the problem text is empty")
    return text


def run_text(text: str, *, queried: tuple[str, ...], lm_args: dict[str, Any], agent_args: dict[str, Any], as_json: bool, out: Path | None, steps: bool) -> None:
    """Formulate and solve a word problem; print the result and exit with its status code."""
    from optiforge.agents.formulate import FormulateAgent

    lm = make_lm(**lm_args)
    result = FormulateAgent(lm, **agent_args).run(_read_text(text), queried=list(queried) or None)
    if out is not None and result.formulation is not None:
        out.write_text(json.dumps(result.formulation, indent=2) + "\n", encoding="utf-8")
    elif out is not None and result.code is not None:
        out.write_text(result.code, encoding="utf-8")
    if as_json:
        click.echo(result.model_dump_json(indent=2, exclude=None if steps else {"steps"}))
    else:
        click.echo(result.summary())
        tok = result.prompt_tokens + result.completion_tokens
        click.echo(f"[{getattr(lm, 'model', '?')}] {result.llm_calls} call(s), {tok} tokens, ${result.cost_usd:.6f}, solver {result.solver or '-'}"
                   + (f", formulation written to {out}" if out is not None and result.formulation is not None else ""), err=True)
    sys.stdout.flush()
    code = EXIT_CODES.get(result.status, 13)
    if code:
        raise SystemExit(code)


def agent_options(fn: Any) -> Any:
    """Options of the formulation agent."""
    for opt in reversed([
        click.option("--ask", "queried", multiple=True, metavar="LABEL", help="A quantity to report (repeatable); default: the objective."),
        click.option("--rounds", type=click.IntRange(1, 20), default=3, show_default=True, help="Formulate attempts, counting repairs."),
        click.option("--samples", type=click.IntRange(1, 50), default=1, show_default=True, help="Self-consistency: independent samples, vote on the objective."),
        click.option("--temperature", type=float, default=None, help="Sampling temperature (default 0, or 0.7 with --samples > 1)."),
        click.option("--understand", is_flag=True, help="Ask for an analysis of the problem before the model."),
        click.option("--few-shot", type=click.IntRange(0, 2), default=0, help="Worked examples in the prompt."),
        click.option("--mode", type=click.Choice(["formulation", "pyomo"]), default="formulation", show_default=True,
                     help="formulation: a validated Formulation JSON; pyomo: Pyomo code, run only inside the sandbox."),
        click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, help="Solver seconds per solve."),
    ]):
        fn = opt(fn)
    return fn


@click.command(epilog="Exit status: 0 answered, 10 infeasible, 14 no answer after all repairs, 2 bad input, 3 model error, 4 budget spent.")
@click.argument("text")
@model_options
@agent_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the final Formulation JSON (or, with --mode pyomo, the program) here.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option("--steps", is_flag=True, help="With --json: include every step (messages, formulations, solver logs).")
def formulate(text: str, model: str | None, api_base: str | None, replay: Path | None, record: Path | None, no_cache: bool,
              queried: tuple[str, ...], rounds: int, samples: int, temperature: float | None, understand: bool, few_shot: int,
              mode: str, time_limit: float, out: Path | None, as_json: bool, steps: bool) -> None:
    """Turn a word problem TEXT ("-" for stdin, @FILE for a file) into a verified model and answer."""
    run_text(text, queried=queried, as_json=as_json, out=out, steps=steps,
             lm_args={"model": model, "api_base": api_base, "replay": replay, "record": record, "no_cache": no_cache},
             agent_args={"max_rounds": rounds, "samples": samples, "temperature": temperature, "understand": understand,
                         "few_shot": few_shot, "time_limit": time_limit, "mode": mode})
