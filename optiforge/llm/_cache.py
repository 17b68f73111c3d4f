"""The persistent LLM response cache: SQLite in WAL mode, safe across threads and processes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from optiforge.errors import ConfigError
from optiforge.llm import _jsonutil

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    reply BLOB NOT NULL,
    created REAL NOT NULL
)
"""


class Cache:
    """Request key -> reply, persisted in one SQLite file.

    Keys are hashes of (model, messages, params, schema, sample) and never include API
    keys or endpoints, so the file holds no secrets. Each thread gets its own connection;
    WAL mode plus a busy timeout lets several processes read and write at once.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open LLM cache {self.path}: {exc} (set OPTIFORGE_CACHE_DIR or disable the cache)") from None

    @classmethod
    def default(cls) -> Cache:
        """The cache in ``settings.resolved_cache_dir``."""
        from optiforge.config import get_settings

        return cls(get_settings().resolved_cache_dir / "llm.sqlite")

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: durable across process crashes, no fsync per insert.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute(_SCHEMA)
            self._local.conn = conn
        return conn

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored reply for ``key``, or None."""
        row = self._conn().execute("SELECT reply FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else _jsonutil.loads(row[0])

    def put(self, key: str, model: str, reply: dict[str, Any]) -> None:
        """Store a reply; the first writer of a key wins (concurrent writers agree anyway)."""
        self._conn().execute(
            "INSERT OR IGNORE INTO responses (key, model, reply, created) VALUES (?, ?, ?, ?)",
            (key, model, _jsonutil.dumps(reply), time.time()),
        )

    def __len__(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def clear(self) -> None:
        """Delete every entry."""
        self._conn().execute("DELETE FROM responses")

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __repr__(self) -> str:
        return f"Cache({str(self.path)!r})"
