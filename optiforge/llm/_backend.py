"""The interface every backend (HTTP, litellm, script, replay) implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

from optiforge.llm._types import Reply, Request


class Backend(ABC):
    """Turns one ``Request`` into one ``Reply``.

    Backends raise ``TransientError`` for what retrying may fix, ``SchemaRejected`` when
    the server refuses ``response_format``, and ``optiforge.errors`` subclasses for the
    rest. Caching, retries, parsing and accounting live in ``LM``, shared by all backends.
    """

    name = "base"
    #: whether to send ``response_format`` for structured output (else prompt + parse)
    native_schema = False
    #: where requests go, for error messages (never contains a key)
    url: str | None = None

    def wire_model(self, model: str) -> str:
        """The model name as this backend sends it."""
        return model

    def supports_schema(self, model: str) -> bool:
        """Whether to send ``response_format`` for ``model`` (asked once, on first use)."""
        return self.native_schema

    @abstractmethod
    async def call(self, req: Request) -> Reply:
        """Answer one request."""

    async def aclose(self) -> None:  # noqa: B027 (an optional hook: most backends hold no connections)
        """Release connections held for the running event loop."""
