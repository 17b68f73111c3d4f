"""Fast JSON (orjson when installed) and the canonical request key."""

from __future__ import annotations

import hashlib
import json
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a transitive dependency, but optional
    _orjson = None  # type: ignore[assignment]


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes."""
    if _orjson is not None:
        return _orjson.dumps(obj)
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def loads(data: bytes | str) -> Any:
    """Parse JSON bytes or text."""
    if _orjson is not None:
        return _orjson.loads(data)
    return json.loads(data)


def canonical(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, compact, UTF-8 — equal objects give equal bytes."""
    if _orjson is not None:
        try:
            return _orjson.dumps(obj, option=_orjson.OPT_SORT_KEYS)
        except TypeError:
            pass
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def request_key(
    model: str, messages: Any, params: dict[str, Any], schema: dict[str, Any] | None, sample: int
) -> str:
    """sha256 of the canonical request. Never pass credentials or endpoints in here."""
    payload = {"model": model, "messages": messages, "params": params, "schema": schema, "sample": sample}
    return hashlib.sha256(canonical(payload)).hexdigest()
