"""Retries with exponential backoff and full jitter, bounded in count and total time."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

from optiforge.errors import RetriesExhausted, ServerUnreachable
from optiforge.llm._types import Reply, TransientError

# A refused connection rarely heals within seconds (a server that is still starting is
# waited for by optiforge.serving), so it gets few quick retries instead of the full budget.
CONNECT_RETRIES = 2


async def with_retries(
    attempt: Callable[[], Awaitable[Reply]],
    *,
    max_retries: int,
    max_total_s: float,
    base_s: float = 0.5,
    cap_s: float = 30.0,
    url: str | None = None,
    first_error: TransientError | None = None,
    start: float | None = None,
) -> Reply:
    """Run ``attempt`` until it succeeds or a non-transient error escapes.

    Waits ``Retry-After`` when the server sends one, else a full-jitter exponential delay.
    Never starts a wait that would end past ``max_total_s``. Raises ``ServerUnreachable``
    when connections kept failing, else ``RetriesExhausted`` naming tries, time and the
    last error. ``first_error``: a failure of a try already made (at ``start``, monotonic).
    """
    start = time.monotonic() if start is None else start
    tries = 0
    pending = first_error
    while True:
        try:
            if pending is not None:
                exc, pending = pending, None
                raise exc
            return await attempt()
        except TransientError as exc:
            tries += 1
            elapsed = time.monotonic() - start
            limit = min(max_retries, CONNECT_RETRIES) if exc.connection else max_retries
            if exc.retry_after is not None:
                delay = exc.retry_after
            else:
                delay = random.uniform(0, min(cap_s, base_s * 2 ** (tries - 1)))
            if tries > limit or elapsed + delay > max_total_s:
                raise _final(exc, tries, time.monotonic() - start, url) from None
            await asyncio.sleep(delay)


def _final(exc: TransientError, tries: int, elapsed: float, url: str | None) -> Exception:
    span = f"{tries} {'try' if tries == 1 else 'tries'} over {elapsed:.1f} s"
    if exc.connection:
        where = exc.url or url or "the endpoint"
        return ServerUnreachable(
            f"no server answers at {where} ({exc.detail}; {span}); start it or fix --api-base / OPTIFORGE_API_BASE"
        )
    return RetriesExhausted(
        f"gave up after {span}; last error: {exc.detail}"
        + (f" from {url}" if url else "")
        + "; lower the concurrency or raise OPTIFORGE_MAX_RETRIES / OPTIFORGE_RETRY_MAX_TOTAL_S"
    )
