"""Structured output: schema prompts, JSON extraction from prose, validation and repair prompts."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from optiforge.llm._types import Messages

_FENCE = re.compile(r"```[ \t]*(?:json|JSON|javascript|js)?[ \t]*\r?\n?(.*?)```", re.DOTALL)
_DECODER = json.JSONDecoder()


@lru_cache(maxsize=256)
def schema_json(schema: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of a pydantic model (part of the cache key); computed once per class."""
    return schema.model_json_schema()


def response_format(schema: type[BaseModel]) -> dict[str, Any]:
    """The OpenAI ``response_format`` asking for JSON that matches ``schema``."""
    return {
        "type": "json_schema",
        "json_schema": {"name": schema.__name__, "schema": schema_json(schema), "strict": False},
    }


def instruction(schema: type[BaseModel]) -> str:
    """Text telling the model to answer with JSON for ``schema`` (used without response_format)."""
    return (
        "Answer with a single JSON object that matches this JSON schema, and nothing else "
        "(no prose, no markdown):\n" + json.dumps(schema_json(schema), separators=(",", ":"))
    )


def with_instruction(messages: Messages, schema: type[BaseModel]) -> Messages:
    """Messages with the schema instruction appended to the system message (added if none)."""
    text = instruction(schema)
    out = [dict(m) for m in messages]
    if out and out[0].get("role") == "system" and isinstance(out[0].get("content"), str):
        out[0]["content"] = out[0]["content"].rstrip() + "\n\n" + text
    else:
        out.insert(0, {"role": "system", "content": text})
    return out


def _candidates(text: str) -> list[str]:
    blocks = [m.group(1) for m in _FENCE.finditer(text)]
    return [*blocks, text]


def extract_json(text: str) -> Any:
    """The first JSON object or array in ``text``: fenced blocks first, then anywhere in prose.

    Raises ValueError when there is none.
    """
    for chunk in _candidates(text):
        stripped = chunk.strip()
        if not stripped:
            continue
        try:
            return json.loads(stripped)
        except ValueError:
            pass
        for i, ch in enumerate(stripped):
            if ch in "{[":
                try:
                    value, _ = _DECODER.raw_decode(stripped, i)
                except ValueError:
                    continue
                if isinstance(value, (dict, list)):
                    return value
    raise ValueError("no JSON object found in the reply")


def parse(text: str, schema: type[BaseModel]) -> BaseModel:
    """Extract JSON from ``text`` and validate it; raises ValueError with a short reason."""
    data = extract_json(text)
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        data = data[0]
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()[:8]
        )
        raise ValueError(f"JSON does not match {schema.__name__}: {problems}") from None


def repair_messages(messages: Messages, bad_text: str, error: str) -> Messages:
    """The conversation extended with the bad reply and a request to fix it."""
    return [
        *messages,
        {"role": "assistant", "content": bad_text},
        {
            "role": "user",
            "content": (
                f"Your reply could not be used: {error}. "
                "Reply again with only the corrected JSON object that matches the schema."
            ),
        },
    ]
