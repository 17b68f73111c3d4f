"""``optiforge llm ...``: talk to a model through the LLM layer (cache, cost, retries)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from optiforge.errors import ConfigError, InputError


@click.group()
def llm() -> None:
    """Talk to a model through optiforge's LLM layer (cache, cost, retries)."""


@llm.command()
@click.argument("prompt")
@click.option("--model", "-m", help="model name (default: OPTIFORGE_MODEL); e.g. openai/gpt-4o-mini")
@click.option("--api-base", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
@click.option("--api-key-env", metavar="VAR", help="read the API key from this environment variable")
@click.option("--system", "system_prompt", help="a system message to send first")
@click.option("--no-cache", is_flag=True, help="neither read nor write the LLM cache")
@click.option("--json", "as_json", is_flag=True, help="print the whole result as JSON")
@click.option("--temperature", type=float, help="sampling temperature")
@click.option("--max-tokens", type=int, help="cap on the reply length in tokens")
def ask(
    prompt: str,
    model: str | None,
    api_base: str | None,
    api_key_env: str | None,
    system_prompt: str | None,
    no_cache: bool,
    as_json: bool,
    temperature: float | None,
    max_tokens: int | None,
) -> None:
    """Ask PROMPT ("-" reads standard input) and print the answer, tokens, cost, latency, cache hit."""
    from optiforge.llm._lm import LM

    if prompt == "-":
        prompt = sys.stdin.read()
    if not prompt.strip():
        raise InputError("the prompt is empty")
    overrides: dict[str, Any] = {"model": model, "api_base": api_base}
    if api_key_env:
        key = os.environ.get(api_key_env)
        if not key:
            raise ConfigError(f"--api-key-env {api_key_env}: that environment variable is not set")
        overrides["api_key"] = key
    if no_cache:
        overrides["cache"] = False
    params: dict[str, Any] = {}
    if temperature is not None:
        params["temperature"] = temperature
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    lm = LM.from_settings(**overrides)
    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    messages.append({"role": "user", "content": prompt})
    result = lm.complete_sync(messages, **params)
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "backend": lm.backend_name}, indent=2))
        return
    click.echo(result.text)
    u = result.usage if not result.cache_hit else (result.original_usage or result.usage)
    tokens = f"{u.prompt_tokens}+{u.completion_tokens}={u.total_tokens} tokens"
    if result.cache_hit:
        tokens += " (cached, not billed)"
    finish = f" · finish {result.finish_reason}" if result.finish_reason not in (None, "stop") else ""
    click.echo(
        f"[{result.model} via {lm.backend_name}] {tokens} · cost ${result.cost_usd:.6f} · "
        f"latency {result.latency_s:.3f} s · cache {'hit' if result.cache_hit else 'miss'}{finish}",
        err=True,
    )
