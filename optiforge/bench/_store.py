"""The result store: one SQLite file (WAL) with one row per grid cell, step records, and runs.

A cell counts as finished only once its row is committed, and a row and its step records
are written in one transaction, so a process killed at any moment (``kill -9``) leaves
either the whole cell or none of it. Writes are idempotent upserts on the cell key.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from optiforge.errors import InputError

FINISHED = ("answered", "no_answer", "error")
"""Row statuses that count as done; ``not_run`` rows (budget spent) are redone on resume."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS specs (
    spec_hash TEXT PRIMARY KEY,
    name TEXT,
    spec_json TEXT NOT NULL,
    replayed INTEGER NOT NULL DEFAULT 0,
    total_cells INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    spec_hash TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    replayed INTEGER NOT NULL DEFAULT 0,
    models_json TEXT NOT NULL DEFAULT '[]',
    started REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL DEFAULT 'running',
    message TEXT,
    host TEXT,
    pid INTEGER
);
CREATE TABLE IF NOT EXISTS cells (
    cell_key TEXT PRIMARY KEY,
    spec_hash TEXT NOT NULL,
    dataset TEXT NOT NULL,
    item TEXT NOT NULL,
    method TEXT NOT NULL,
    model TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL,
    rule TEXT,
    correct INTEGER,
    answer_json TEXT,
    correctness_json TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    latency_s REAL NOT NULL DEFAULT 0,
    llm_calls INTEGER NOT NULL DEFAULT 0,
    cache_hits INTEGER NOT NULL DEFAULT 0,
    error_category TEXT,
    error_message TEXT,
    trace_id TEXT,
    meta_json TEXT,
    run_id INTEGER,
    started REAL,
    finished REAL,
    UNIQUE (spec_hash, dataset, item, method, model, seed)
);
CREATE INDEX IF NOT EXISTS cells_spec ON cells (spec_hash, status);
CREATE TABLE IF NOT EXISTS steps (
    cell_key TEXT NOT NULL,
    idx INTEGER NOT NULL,
    record_json TEXT NOT NULL,
    PRIMARY KEY (cell_key, idx)
);
"""


@dataclass(slots=True)
class CellRow:
    """One stored cell: the grid coordinates, the outcome, its score and its cost."""

    cell_key: str
    spec_hash: str
    dataset: str
    item: str
    method: str
    model: str
    seed: int
    status: str
    rule: str | None = None
    correct: bool | None = None
    answer: Any = None
    correctness: dict[str, bool] | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    llm_calls: int = 0
    cache_hits: int = 0
    error_category: str | None = None
    error_message: str | None = None
    trace_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    run_id: int | None = None
    started: float | None = None
    finished: float | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def finished_ok(self) -> bool:
        """True when the row counts as done (not ``not_run``)."""
        return self.status in FINISHED

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the step records)."""
        d = asdict(self)
        d.pop("steps")
        return d


_COLS = (
    "cell_key", "spec_hash", "dataset", "item", "method", "model", "seed", "status", "rule", "correct",
    "answer_json", "correctness_json", "prompt_tokens", "completion_tokens", "cost_usd", "latency_s",
    "llm_calls", "cache_hits", "error_category", "error_message", "trace_id", "meta_json", "run_id",
    "started", "finished",
)

# A finished row is never downgraded to not_run; anything else replaces the row.
_UPSERT = (
    f"INSERT INTO cells ({', '.join(_COLS)}) VALUES ({', '.join('?' for _ in _COLS)}) "
    f"ON CONFLICT (cell_key) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _COLS[7:])} "
    "WHERE cells.status = 'not_run' OR excluded.status != 'not_run'"
)


def _dumps(v: Any) -> str | None:
    return None if v is None else json.dumps(v, default=str, separators=(",", ":"))


def _row_values(r: CellRow) -> tuple[Any, ...]:
    return (
        r.cell_key, r.spec_hash, r.dataset, r.item, r.method, r.model, r.seed, r.status, r.rule,
        None if r.correct is None else int(r.correct), _dumps(r.answer), _dumps(r.correctness),
        r.prompt_tokens, r.completion_tokens, r.cost_usd, r.latency_s, r.llm_calls, r.cache_hits,
        r.error_category, r.error_message, r.trace_id, _dumps(r.meta or {}), r.run_id, r.started, r.finished,
    )


def _from_sql(row: sqlite3.Row) -> CellRow:
    return CellRow(
        cell_key=row["cell_key"], spec_hash=row["spec_hash"], dataset=row["dataset"], item=row["item"],
        method=row["method"], model=row["model"], seed=row["seed"], status=row["status"], rule=row["rule"],
        correct=None if row["correct"] is None else bool(row["correct"]),
        answer=json.loads(row["answer_json"]) if row["answer_json"] else None,
        correctness=json.loads(row["correctness_json"]) if row["correctness_json"] else None,
        prompt_tokens=row["prompt_tokens"], completion_tokens=row["completion_tokens"], cost_usd=row["cost_usd"],
        latency_s=row["latency_s"], llm_calls=row["llm_calls"], cache_hits=row["cache_hits"],
        error_category=row["error_category"], error_message=row["error_message"], trace_id=row["trace_id"],
        meta=json.loads(row["meta_json"]) if row["meta_json"] else {}, run_id=row["run_id"],
        started=row["started"], finished=row["finished"],
    )


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (killed, not yet reaped by its parent) is not running.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@dataclass(frozen=True, slots=True)
class SpecInfo:
    """A spec recorded in the store, with whether any of its runs replayed recorded responses."""

    spec_hash: str
    name: str | None
    spec: dict[str, Any]
    replayed: bool
    total_cells: int
    created: float
    updated: float


class Store:
    """The SQLite result store. One connection, used by one thread at a time.

    Open it with ``Store(path)``; it creates the file and tables. ``write_cells`` is the
    only way rows get in: one transaction per batch, idempotent on the cell key.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        if readonly and not self.path.exists():
            raise InputError(f"no result store at {self.path} (run `optiforge bench run` first, or pass --store)")
        try:
            if not readonly:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA busy_timeout=30000")
            if not readonly:
                self._conn.execute("PRAGMA journal_mode=WAL")
                # WAL + NORMAL survives a killed process (not a power cut) without an fsync per commit.
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.executescript(_SCHEMA)
            else:
                self._conn.execute("SELECT 1 FROM cells LIMIT 1")
        except sqlite3.DatabaseError as exc:
            raise InputError(f"cannot open result store {self.path}: {exc}") from None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- writing -----------------------------------------------------------------------

    def save_spec(self, spec_hash: str, name: str | None, spec: dict[str, Any], *, replayed: bool, total_cells: int) -> None:
        """Record (or refresh) a spec and its cell count."""
        now = time.time()
        with self._tx() as c:
            c.execute(
                "INSERT INTO specs (spec_hash, name, spec_json, replayed, total_cells, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (spec_hash) DO UPDATE SET name = excluded.name, "
                "spec_json = excluded.spec_json, replayed = MAX(specs.replayed, excluded.replayed), "
                "total_cells = excluded.total_cells, updated = excluded.updated",
                (spec_hash, name, _dumps(spec), int(replayed), total_cells, now, now),
            )

    def start_run(self, spec_hash: str, spec: dict[str, Any], *, replayed: bool, models: list[dict[str, Any]]) -> int:
        """Open a run record; returns its id."""
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO runs (spec_hash, spec_json, replayed, models_json, started, host, pid) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (spec_hash, _dumps(spec), int(replayed), _dumps(models), time.time(), socket.gethostname(), os.getpid()),
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, message: str | None = None) -> None:
        """Close a run record with its final status (finished, interrupted, budget, error)."""
        with self._tx() as c:
            c.execute("UPDATE runs SET finished = ?, status = ?, message = ? WHERE run_id = ?", (time.time(), status, message, run_id))

    def write_cells(self, rows: Iterable[CellRow]) -> int:
        """Upsert rows and replace their step records, all in one transaction; returns the count."""
        rows = list(rows)
        if not rows:
            return 0
        try:
            self._write(rows)
        except sqlite3.Error as exc:
            raise InputError(f"cannot write result store {self.path}: {exc} (check disk space and permissions)") from None
        return len(rows)

    def _write(self, rows: list[CellRow]) -> None:
        with self._tx() as c:
            c.executemany(_UPSERT, [_row_values(r) for r in rows])
            steps: list[tuple[str, int, str]] = []
            for r in rows:
                if r.status == "not_run":
                    continue
                c.execute("DELETE FROM steps WHERE cell_key = ?", (r.cell_key,))
                steps.extend((r.cell_key, i, json.dumps(s, default=str)) for i, s in enumerate(r.steps))
            if steps:
                c.executemany("INSERT INTO steps (cell_key, idx, record_json) VALUES (?, ?, ?)", steps)

    # -- reading -----------------------------------------------------------------------

    def finished_keys(self, spec_hash: str) -> set[str]:
        """Cell keys of a spec whose rows count as done."""
        with self._lock:
            cur = self._conn.execute(
                f"SELECT cell_key FROM cells WHERE spec_hash = ? AND status IN ({', '.join('?' for _ in FINISHED)})",
                (spec_hash, *FINISHED),
            )
            return {r[0] for r in cur.fetchall()}

    def cells(self, spec_hash: str | None = None, *, status: str | None = None) -> list[CellRow]:
        """Stored rows, optionally of one spec and/or one status, in a stable order."""
        q, args = "SELECT * FROM cells WHERE 1=1", []
        if spec_hash:
            q += " AND spec_hash = ?"
            args.append(spec_hash)
        if status:
            q += " AND status = ?"
            args.append(status)
        q += " ORDER BY dataset, item, method, model, seed"
        with self._lock:
            return [_from_sql(r) for r in self._conn.execute(q, args).fetchall()]

    def steps(self, cell_key: str) -> list[dict[str, Any]]:
        """The step records of one cell, in order."""
        with self._lock:
            cur = self._conn.execute("SELECT record_json FROM steps WHERE cell_key = ? ORDER BY idx", (cell_key,))
            return [json.loads(r[0]) for r in cur.fetchall()]

    def specs(self) -> list[SpecInfo]:
        """Every spec recorded, newest first."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM specs ORDER BY updated DESC").fetchall()
        return [
            SpecInfo(r["spec_hash"], r["name"], json.loads(r["spec_json"]), bool(r["replayed"]), r["total_cells"], r["created"], r["updated"])
            for r in rows
        ]

    def spec(self, spec_hash: str) -> SpecInfo:
        """One spec by hash or unique hash prefix; InputError if absent or ambiguous."""
        matches = [s for s in self.specs() if s.spec_hash.startswith(spec_hash)]
        if not matches:
            raise InputError(f"no spec {spec_hash!r} in {self.path} (see `optiforge bench status`)")
        if len(matches) > 1:
            raise InputError(f"spec hash prefix {spec_hash!r} is ambiguous in {self.path}: {', '.join(s.spec_hash for s in matches)}")
        return matches[0]

    def runs(self, spec_hash: str | None = None) -> list[dict[str, Any]]:
        """Run records (oldest first), optionally of one spec."""
        q = "SELECT * FROM runs" + (" WHERE spec_hash = ?" if spec_hash else "") + " ORDER BY run_id"
        with self._lock:
            rows = self._conn.execute(q, (spec_hash,) if spec_hash else ()).fetchall()
        return [dict(r) for r in rows]

    def live_runs(self, spec_hash: str) -> list[dict[str, Any]]:
        """Runs of a spec still marked running whose process is alive on this host.

        Runs marked running whose process is gone (killed) are marked ``killed`` on the way.
        """
        alive: list[dict[str, Any]] = []
        host = socket.gethostname()
        for run in self.runs(spec_hash):
            if run["status"] != "running":
                continue
            if run["host"] != host:
                alive.append(run)  # cannot tell from here; assume it runs
            elif run["pid"] and _pid_alive(int(run["pid"])):
                alive.append(run)
            else:
                self.finish_run(run["run_id"], "killed", "the process ended without closing its run")
        return alive

    def counts(self) -> dict[str, int]:
        """Rows per status over the whole store."""
        with self._lock:
            return {r[0]: r[1] for r in self._conn.execute("SELECT status, COUNT(*) FROM cells GROUP BY status")}
