"""Shared bits of the examples: command-line flags, the model choice, and an offline optimizer script."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from typing import Any

OPTIMIZER_NAMES = ("optoprime", "textgrad", "opro", "evoprompt")


def add_model_flags(ap: argparse.ArgumentParser, default_optimizer: str) -> None:
    """--model / --api-base / --optimizer / --steps, shared by every example."""
    ap.add_argument("--model", help="run with this model (e.g. openai/gpt-4o-mini); default: offline ScriptedLM")
    ap.add_argument("--api-base", help="OpenAI-compatible endpoint for --model (vLLM, llama.cpp, Ollama)")
    ap.add_argument("--optimizer", choices=OPTIMIZER_NAMES, default=default_optimizer)
    ap.add_argument("--steps", type=int, default=3, help="optimizer steps")


def real_lm(args: argparse.Namespace) -> Any:
    """The LM named on the command line (cached, with the usual retries and ledger)."""
    from optiforge.llm import LM

    return LM(args.model, api_base=args.api_base)


def make_optimizer(name: str, params: list[Any], lm: Any, objective: str) -> Any:
    """Build the named optimizer with example-friendly settings."""
    from optiforge.optimizers import OPRO, EvoPrompt, OptoPrime, TextGrad

    if name == "optoprime":
        return OptoPrime(params, lm, objective=objective, memory_size=3)
    if name == "textgrad":
        return TextGrad(params, lm, objective=objective, momentum=2)
    if name == "opro":
        return OPRO(params, lm, objective=objective)
    return EvoPrompt(params, lm, objective=objective, population_size=3)


def scripted_optimizer(proposals: Callable[[str, int], dict[str, Any] | str]) -> Any:
    """An offline optimizer model: ``proposals(prompt_text, call_index)`` gives new values.

    It answers each optimizer's request in the shape that optimizer asks for
    (critiques for TextGrad's backward calls, candidate lists for OPRO, a
    ``suggestion`` object otherwise). Returning a string sends it verbatim, which the
    examples use to show how invalid replies are refused.
    """
    from optiforge.llm import ScriptedLM

    counter = {"n": 0}

    def answer(messages: list[dict[str, Any]]) -> str:
        system = messages[0]["content"]
        text = "\n".join(m["content"] for m in messages)
        if system.startswith("You critique one parameter"):
            fb = re.search(r"<FEEDBACK>(.*?)</FEEDBACK>", text, re.DOTALL)
            return "Change the parameter to address: " + (fb.group(1).strip() if fb else "the feedback")
        values = proposals(text, counter["n"])
        counter["n"] += 1
        if isinstance(values, str):
            return values
        if '"candidates"' in text:
            return json.dumps({"candidates": [values]})
        return json.dumps({"reasoning": "scripted offline proposal", "suggestion": values})

    return ScriptedLM(rules=[(lambda m: True, answer)])
