"""The benchmark runner's overhead and crash safety, measured in one run.

1. Throughput. A loopback OpenAI-compatible fake server (separate process, 50 ms latency)
   answers every call. The same work is done twice, alternating, at concurrency 64:
     lm      N calls of ``LM.complete`` (the ``direct`` method's prompt and schema), fresh cache
     runner  ``run_experiment`` over N cells of method ``direct`` (one LLM call per cell):
             grid, scoring under every answer rule, step records and store writes included
   Printed: cells/s vs calls/s and the ratio (target >= 0.8x).

2. Kill and resume. ``optiforge bench run`` over N cells runs as a subprocess against a fake
   server in this process (which counts requests); it is SIGKILLed 10 times at random
   moments and restarted each time, then resumed to the end. Printed: lost cells (grid
   cells without a finished row), duplicated cells (rows rewritten after they were
   committed, or duplicate keys), and LLM requests repeated beyond the calls in flight
   at each kill (targets 0, 0 and 0).

    .venv/bin/python benchmarks/bench_runner.py            # N = 1000
    .venv/bin/python benchmarks/bench_runner.py --quick    # N = 300, 5 kills
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPLY = json.dumps({"status": "optimal", "values": [{"label": "objective", "value": 7}]})
CONCURRENCY = 64


def write_problems(path: Path, n: int) -> None:
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"q{i}", "question": f"Item {i}: maximize x subject to x <= 7.", "answer": "7"}) + "\n")


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "optiforge.llm.fakeserver", "--port", "0", "--latency", str(latency), "--reply", REPLY],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"(http://\S+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"fake server did not start: {line!r}")
    return proc, m.group(1)


async def lm_throughput(url: str, problems: list, cache_path: Path) -> float:
    from optiforge.bench._direct import DirectMethod
    from optiforge.bench._methods import CellContext
    from optiforge.llm import LM, Cache, Ledger

    lm = LM("fake", api_base=url, cache=Cache(cache_path), ledger=Ledger(), concurrency=CONCURRENCY)
    method = DirectMethod()
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one(p) -> None:
        # The same prompt and schema as the runner's cells, without the runner around it.
        async with sem:
            await method.run(p, CellContext(lm=lm, seed=0, cell_id=p.id))

    t0 = time.perf_counter()
    await asyncio.gather(*(one(p) for p in problems))
    return len(problems) / (time.perf_counter() - t0)


def runner_throughput(url: str, data: Path, n: int, store: Path) -> float:
    from optiforge.bench import build_spec, run_experiment

    spec = build_spec({
        "datasets": [{"name": "synthetic", "path": str(data), "limit": n}], "methods": ["direct"],
        "models": [{"model": "fake", "api_base": url}], "concurrency": CONCURRENCY, "store": str(store),
    })
    t0 = time.perf_counter()
    s = run_experiment(spec)
    dt = time.perf_counter() - t0
    assert s.ran == n and s.status == "finished", s
    return n / dt


def throughput(n: int, rounds: int, tmp: Path) -> float:
    import optiforge.datasets as datasets

    data = tmp / "problems.jsonl"
    write_problems(data, n)
    problems = list(datasets.load_file(data, dataset="synthetic").problems)
    proc, url = start_server(0.05)
    try:
        lm_rates, run_rates = [], []
        for r in range(rounds):
            # fresh caches, so every call reaches the server
            os.environ["OPTIFORGE_HOME"] = str(tmp / f"home-run-{r}")
            from optiforge.config import get_settings

            get_settings.cache_clear()
            lm_rates.append(asyncio.run(lm_throughput(url, problems, tmp / f"lm-cache-{r}.sqlite")))
            run_rates.append(runner_throughput(url, data, n, tmp / f"store-{r}.sqlite"))
            print(f"  round {r + 1}: LM.complete {lm_rates[-1]:7.1f} calls/s   runner {run_rates[-1]:7.1f} cells/s")
    finally:
        proc.terminate()
        proc.wait()
    lm_rate = sum(lm_rates) / len(lm_rates)
    run_rate = sum(run_rates) / len(run_rates)
    ideal = CONCURRENCY / 0.05
    print(f"throughput at concurrency {CONCURRENCY}, {n} cells, 50 ms latency (ideal {ideal:.0f}/s):")
    print(f"  LLM layer  {lm_rate:8.1f} calls/s")
    print(f"  runner     {run_rate:8.1f} cells/s (store writes included)")
    ratio = run_rate / lm_rate
    print(f"  ratio runner/LLM layer = {ratio:.2f}x (target >= 0.8x)")
    return ratio


def kill_loop(n: int, kills: int, tmp: Path, seed: int) -> tuple[int, int, int]:
    from optiforge.llm.fakeserver import FakeOpenAIServer

    rng = random.Random(seed)
    data = tmp / "kill-problems.jsonl"
    write_problems(data, n)
    store = tmp / "kill.sqlite"
    env = dict(os.environ, OPTIFORGE_HOME=str(tmp / "home-kill"))
    conc = 32
    with FakeOpenAIServer(latency_s=0.05, reply=REPLY) as srv:
        cmd = [sys.executable, "-m", "optiforge", "bench", "run", "--dataset", str(data), "--method", "direct",
               "--model", "fake", "--api-base", srv.base_url, "--store", str(store), "-j", str(conc), "-q"]
        committed: dict[str, float] = {}
        rewritten = 0
        in_flight_bound = 0
        # Kill points: random numbers of committed cells spread over the run, plus a random
        # few milliseconds, so kills land mid-batch, mid-write and mid-call.
        targets = sorted(rng.sample(range(n // 20, n - n // 20), kills))
        for k, target in enumerate(targets):
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while len(_finished(store)) < target and proc.poll() is None:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.03))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            in_flight_bound += conc
            rows = _finished(store)
            rewritten += sum(1 for key, t in committed.items() if rows.get(key) != t)
            committed = rows
            print(f"  kill {k + 1:2d}: {len(rows):5d}/{n} cells committed, {srv.count} requests so far")
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"final resume failed: {err.strip()}")
        rows = _finished(store)
        rewritten += sum(1 for key, t in committed.items() if rows.get(key) != t)
        con = sqlite3.connect(store)
        keys = con.execute("SELECT dataset, item, method, model, seed FROM cells").fetchall()
        con.close()
        dup_keys = sum(c - 1 for c in Counter(keys).values() if c > 1)
        per_item = Counter(re.search(r"Item (\d+):", [m for m in b["messages"] if m["role"] == "user"][-1]["content"]).group(1)
                           for b in srv.requests)
        repeated = sum(c - 1 for c in per_item.values() if c > 1)
    lost = n - len(rows)
    duplicated = rewritten + dup_keys
    print(f"kill-and-resume: {kills} SIGKILLs during one run of {n} cells, then a final resume:")
    print(f"  lost cells {lost} (target 0), duplicated cells {duplicated} (target 0)")
    print(f"  LLM requests {sum(per_item.values())} for {n} cells: {repeated} repeated, all of them calls in flight "
          f"at a kill (bound {in_flight_bound})" if repeated <= in_flight_bound else f"  {repeated} repeated requests")
    return lost, duplicated, repeated


def _finished(store: Path) -> dict[str, float]:
    if not store.exists():
        return {}
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30)
    try:
        return dict(con.execute("SELECT cell_key, finished FROM cells WHERE status IN ('answered','no_answer','error')"))
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="300 cells, 1 round, 5 kills")
    ap.add_argument("--cells", type=int, default=None)
    ap.add_argument("--kills", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    n = args.cells or (300 if args.quick else 1000)
    kills = args.kills if args.kills is not None else (5 if args.quick else 10)
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    with tempfile.TemporaryDirectory(prefix="bench-runner-") as d:
        tmp = Path(d)
        ratio = throughput(n, 1 if args.quick else 2, tmp)
        lost, dup, _ = kill_loop(n, kills, tmp, args.seed)
    ok = ratio >= 0.8 and lost == 0 and dup == 0
    print(f"summary: runner/LLM throughput {ratio:.2f}x, lost {lost}, duplicated {dup}: {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
