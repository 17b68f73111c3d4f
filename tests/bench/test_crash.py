"""Crash safety: a `bench run` subprocess killed with SIGKILL (or stopped with Ctrl-C) resumes exactly."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from optiforge.llm.fakeserver import FakeOpenAIServer


def _rows(store) -> list[tuple[str, str]]:
    if not store.exists():
        return []
    try:
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT item, status FROM cells").fetchall()
        finally:
            con.close()
    except sqlite3.OperationalError:
        return []


def _start_cmd(server, mini_path, store, conc):
    return [sys.executable, "-m", "optiforge", "bench", "run", "--dataset", str(mini_path), "--method", "direct",
            "--model", "fake", "--api-base", server.base_url, "--store", str(store), "-j", str(conc), "--plain"]


def _start(server, mini_path, store, conc=2):
    cmd = _start_cmd(server, mini_path, store, conc)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ), text=True)


def _wait_rows(store, n, proc, timeout=60.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if len(_rows(store)) >= n:
            return
        if proc.poll() is not None:
            raise AssertionError(f"run ended early: {proc.communicate()}")
        time.sleep(0.02)
    raise AssertionError("no progress")


def _item_of(body) -> str:
    user = [m for m in body["messages"] if m["role"] == "user"][-1]["content"]
    return re.search(r"sells item (\d+)", user).group(1)


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_loses_and_repeats_nothing(tmp_path, mini_path, reply_fn):
    store = tmp_path / "crash.sqlite"
    with FakeOpenAIServer(latency_s=0.1, reply=reply_fn) as srv:
        proc = _start(srv, mini_path, store)
        _wait_rows(store, 8, proc)
        # a second run of the same spec while the first is alive is refused
        second = subprocess.run(_start_cmd(srv, mini_path, store, 2), capture_output=True, text=True, timeout=60)
        assert second.returncode == 2 and "is already running (pid" in second.stderr
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        before = {item for item, _ in _rows(store)}
        requests_before = srv.count
        assert 8 <= len(before) < 40
        proc = _start(srv, mini_path, store)
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        assert "40/40 cells done" in out
        rows = _rows(store)
        assert len(rows) == 40 and len({i for i, _ in rows}) == 40
        assert all(status == "answered" for _, status in rows)
        per_item = Counter(_item_of(b) for b in srv.requests)
        assert set(per_item) == {str(i) for i in range(1, 41)}
        # A committed cell is never asked again; only calls in flight at the kill (<= 2) repeat.
        assert all(per_item[i.rsplit("m", 1)[1]] == 1 for i in before)
        assert sum(per_item.values()) - 40 <= 2
        assert requests_before <= srv.count
        con = sqlite3.connect(store)
        statuses = [r[0] for r in con.execute("SELECT status FROM runs ORDER BY run_id")]
        con.close()
        assert statuses == ["killed", "finished"]


@pytest.mark.slow
def test_ctrl_c_stops_scheduling_and_keeps_finished_rows(tmp_path, mini_path, reply_fn):
    store = tmp_path / "int.sqlite"
    with FakeOpenAIServer(latency_s=0.1, reply=reply_fn) as srv:
        proc = _start(srv, mini_path, store)
        _wait_rows(store, 4, proc)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, err
        assert "interrupted" in err
        rows = _rows(store)
        assert 4 <= len(rows) < 40 and all(s == "answered" for _, s in rows)
        con = sqlite3.connect(store)
        assert con.execute("SELECT status FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()[0] == "interrupted"
        con.close()
        # every request that was answered produced a row: in-flight cells were finished, not dropped
        assert srv.count == len(rows)
