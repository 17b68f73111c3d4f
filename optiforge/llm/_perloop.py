"""One resource (HTTP session, semaphore) per running event loop, closed when that loop shuts down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerLoop(Generic[T]):
    """Lazily creates one ``T`` per event loop.

    asyncio objects (sessions, semaphores) are bound to the loop that first uses them, and
    sync callers may run several loops over a program's life. When a ``closer`` is given,
    a small guardian task holds the resource and closes it when the loop cancels its
    remaining tasks at shutdown (what ``asyncio.run`` does), so no session is left unclosed.
    """

    def __init__(self, factory: Callable[[], T], closer: Callable[[T], Awaitable[object]] | None = None) -> None:
        self._factory = factory
        self._closer = closer
        self._items: dict[asyncio.AbstractEventLoop, T] = {}
        self._guards: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}

    def get(self) -> T:
        """The resource of the running loop, created on first use."""
        loop = asyncio.get_running_loop()
        item = self._items.get(loop)
        if item is None:
            self._purge()
            item = self._factory()
            self._items[loop] = item
            if self._closer is not None:
                self._guards[loop] = loop.create_task(self._guard(loop, item), name="optiforge-llm-closer")
        return item

    def _purge(self) -> None:
        for loop in [lp for lp in self._items if lp.is_closed()]:
            self._items.pop(loop, None)
            self._guards.pop(loop, None)

    async def _guard(self, loop: asyncio.AbstractEventLoop, item: T) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await self._close(loop, item)

    async def _close(self, loop: asyncio.AbstractEventLoop, item: T) -> None:
        if self._items.get(loop) is item:
            del self._items[loop]
        self._guards.pop(loop, None)
        if self._closer is not None:
            with contextlib.suppress(Exception):
                await self._closer(item)

    async def aclose_current(self) -> None:
        """Close the running loop's resource now (a later ``get`` makes a new one)."""
        loop = asyncio.get_running_loop()
        item = self._items.get(loop)
        guard = self._guards.get(loop)
        if item is None:
            return
        if guard is not None and guard is not asyncio.current_task():
            guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await guard
        else:
            await self._close(loop, item)
