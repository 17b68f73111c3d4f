"""One resource (HTTP session, semaphore) per running event loop, closed when that loop shuts down."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# asyncio keeps only weak references to tasks; guardians must not vanish while pending.
_LIVE_GUARDS: set[asyncio.Task[None]] = set()


async def _guard(item: Any, closer: Callable[[Any], Awaitable[object]]) -> None:
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await closer(item)


def _cancel_guards(guards: dict[asyncio.AbstractEventLoop, asyncio.Task[None]]) -> None:
    for loop, task in list(guards.items()):
        if loop.is_closed() or task.done():
            _LIVE_GUARDS.discard(task)
            continue
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(task.cancel)
    guards.clear()


class PerLoop(Generic[T]):
    """Lazily creates one ``T`` per event loop.

    asyncio objects (sessions, semaphores) are bound to the loop that first uses them, and
    sync callers may run several loops over a program's life. When a ``closer`` is given,
    a small guardian task holds the resource and closes it when it is cancelled: by the
    loop's shutdown (``asyncio.run`` cancels leftover tasks), by ``aclose_current``, or
    when this object is garbage-collected — so no session is left unclosed.
    """

    def __init__(self, factory: Callable[[], T], closer: Callable[[T], Awaitable[object]] | None = None) -> None:
        self._factory = factory
        self._closer = closer
        self._items: dict[asyncio.AbstractEventLoop, T] = {}
        self._guards: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        if closer is not None:
            weakref.finalize(self, _cancel_guards, self._guards)

    def get(self) -> T:
        """The resource of the running loop, created on first use."""
        loop = asyncio.get_running_loop()
        item = self._items.get(loop)
        if item is None or (loop in self._guards and self._guards[loop].done()):
            self._purge()
            item = self._factory()
            self._items[loop] = item
            if self._closer is not None:
                task = loop.create_task(_guard(item, self._closer), name="optiforge-llm-closer")
                _LIVE_GUARDS.add(task)
                task.add_done_callback(_LIVE_GUARDS.discard)
                self._guards[loop] = task
        return item

    def _purge(self) -> None:
        for loop in [lp for lp in self._items if lp.is_closed()]:
            self._items.pop(loop, None)
            guard = self._guards.pop(loop, None)
            if guard is not None:
                _LIVE_GUARDS.discard(guard)

    async def aclose_current(self) -> None:
        """Close the running loop's resource now (a later ``get`` makes a new one)."""
        loop = asyncio.get_running_loop()
        item = self._items.pop(loop, None)
        guard = self._guards.pop(loop, None)
        if guard is not None and not guard.done():
            guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await guard
        elif item is not None and self._closer is not None:
            with contextlib.suppress(Exception):
                await self._closer(item)
