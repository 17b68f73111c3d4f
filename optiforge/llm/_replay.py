"""Record every call of a run to JSONL, and replay such a file offline, byte-identical."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from optiforge.errors import InputError, LLMError
from optiforge.llm._backend import Backend
from optiforge.llm._cache import Cache
from optiforge.llm._ledger import Ledger
from optiforge.llm._lm import LM
from optiforge.llm._types import Messages, Reply, Request, messages_text


class ReplayMissing(LLMError):
    """A replayed run asked for a call that the record file does not hold."""


class Recorder:
    """Appends one JSON line per call: key, model, messages, params, sample and the reply.

    Holds no credentials: the LM never puts keys or endpoints into messages or params.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot open record file {self.path}: {exc.strerror or exc}") from None

    def write(
        self,
        key: str,
        model: str,
        messages: Messages,
        params: dict[str, Any],
        schema: dict[str, Any] | None,
        sample: int,
        reply: Reply,
    ) -> None:
        """Append one call."""
        line = json.dumps(
            {
                "key": key,
                "model": model,
                "messages": messages,
                "params": params,
                "schema": schema.get("title") if schema else None,
                "sample": sample,
                "text": reply.text,
                "usage": reply.usage.to_dict(),
                "cost_usd": reply.cost_usd,
                "response_id": reply.response_id,
                "finish_reason": reply.finish_reason,
                "response_model": reply.model,
            },
            ensure_ascii=False,
            default=str,
        )
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._fh.close()


def load_record(path: str | Path) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """(key -> recorded line, models seen) from a record file."""
    path = Path(path)
    entries: dict[str, dict[str, Any]] = {}
    models: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read record file {path}: {exc.strerror or exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            key = entry["key"]
            if not isinstance(entry["text"], str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path}:{number}: not a record line (expected JSON with key and text)") from None
        entries.setdefault(key, entry)
        models.add(entry.get("model", ""))
    return entries, models


class ReplayBackend(Backend):
    """Answers each request with the reply recorded under its key."""

    name = "replay"

    def __init__(self, path: str | Path, entries: dict[str, dict[str, Any]]) -> None:
        self.path = Path(path)
        self.entries = entries
        self.url = str(path)

    async def call(self, req: Request) -> Reply:
        entry = self.entries.get(req.key)
        if entry is None:
            last = messages_text(req.messages[-1:])[:60]
            raise ReplayMissing(
                f"no recorded reply for request key {req.key} (model {req.model!r}, last message {last!r}) "
                f"in {self.path}; the run differs from the recorded one — record it again"
            )
        return Reply(
            text=entry["text"],
            model=entry.get("response_model") or req.model,
            usage=Reply.from_dict({"text": "", "usage": entry.get("usage")}).usage,
            cost_usd=float(entry.get("cost_usd") or 0.0),
            response_id=entry.get("response_id"),
            finish_reason=entry.get("finish_reason"),
        )


class ReplayLM(LM):
    """An LM that answers offline from a record file written by ``LM(..., record=path)``.

    Requests are matched by key (model, messages, params, schema, sample), so the replayed
    text is byte-identical to the recorded one. ``model`` defaults to the file's only model.
    Usage and cost are those recorded. A request not in the file raises ``ReplayMissing``.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        model: str | None = None,
        cache: bool | Cache = False,
        ledger: Ledger | None = None,
        **kwargs: Any,
    ) -> None:
        entries, models = load_record(path)
        if model is None:
            if len(models) != 1:
                found = ", ".join(sorted(models)) or "none"
                raise InputError(f"{path} records models {found}; pass model=... to ReplayLM")
            model = next(iter(models))
        kwargs.setdefault("max_retries", 0)
        super().__init__(model, backend=ReplayBackend(path, entries), cache=cache, ledger=ledger, **kwargs)
