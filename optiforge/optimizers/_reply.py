"""Pull a JSON object out of a model reply (bare, fenced, or surrounded by prose)."""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class ReplyError(ValueError):
    """The reply holds no usable JSON object; the message says why, for feedback to the model."""


def extract_object(text: str) -> dict[str, Any]:
    """Return the first JSON object found in ``text`` or raise ReplyError."""
    candidates = [text.strip()]
    candidates += [m.strip() for m in _FENCE.findall(text)]
    start = text.find("{")
    end = text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    decoder = json.JSONDecoder()
    for cand in candidates:
        try:
            value = json.loads(cand)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    # fall back to the first decodable object starting at any brace
    for m in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    snippet = text.strip().replace("\n", " ")[:120]
    raise ReplyError(f"the reply was not a JSON object (it began: {snippet!r})")


def suggestion_of(obj: dict[str, Any], key: str = "suggestion") -> dict[str, Any]:
    """The ``suggestion`` mapping of a reply object, or ReplyError if it is missing or not a mapping."""
    value = obj.get(key)
    if value is None:
        raise ReplyError(f'the reply JSON had no "{key}" object')
    if not isinstance(value, dict):
        raise ReplyError(f'"{key}" must be a JSON object mapping parameter names to values')
    return value
