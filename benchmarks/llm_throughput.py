"""Throughput of optiforge's direct LLM backend vs litellm vs a bare aiohttp client.

A loopback OpenAI-compatible fake server runs in a separate process (so it does not share
the GIL with the clients) and answers every chat completion after a fixed latency
(default 50 ms). Each client sends N requests at concurrency 1, 8, 64 and 256, in one run:

  optiforge  optiforge.llm.LM, direct aiohttp backend, cache off
  litellm    litellm.acompletion(model="openai/...", api_base=...)
  bare       aiohttp ClientSession.post + json, nothing else

Every timed run happens in a fresh worker process, so one client's imports (litellm's heap
makes Python's garbage collector slower for everyone) do not tax the others.

Printed per row: requests/s, fraction of the ideal (concurrency / latency), client CPU ms
per request, and the ratios optiforge/bare and optiforge/litellm.
Targets at concurrency 64: optiforge >= 0.9x bare and >= 4x litellm.

    .venv/bin/python benchmarks/llm_throughput.py            # N = 2000
    .venv/bin/python benchmarks/llm_throughput.py --quick    # a smaller, faster run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

MESSAGES = [{"role": "user", "content": "Say hello in one word."}]


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "optiforge.llm.fakeserver", "--port", "0", "--latency", str(latency), "--reply", "Hello"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise SystemExit("fake server did not start")
    return proc, line.strip().rsplit(" ", 1)[-1]


async def run_optiforge(base_url: str, concurrency: int, n: int) -> None:
    from optiforge.llm import LM, Ledger

    lm = LM("openai/fake", api_base=base_url, cache=False, concurrency=concurrency, ledger=Ledger(), max_retries=0)
    async with lm:
        await asyncio.gather(*(lm.complete(MESSAGES) for _ in range(_warm(concurrency, n))))
        await _timed(lambda: lm.complete(MESSAGES), concurrency, n, own_limit=True)


async def run_litellm(base_url: str, concurrency: int, n: int) -> None:
    from optiforge.llm._litellm import import_litellm

    litellm = import_litellm()

    async def one() -> object:
        return await litellm.acompletion(
            model="openai/fake", api_base=base_url, api_key="not-needed", messages=MESSAGES, num_retries=0
        )

    await _limited_gather(one, concurrency, _warm(concurrency, n))
    await _timed(one, concurrency, n)


async def run_bare(base_url: str, concurrency: int, n: int) -> None:
    import aiohttp

    url = base_url + "/chat/completions"
    body = json.dumps({"model": "fake", "messages": MESSAGES}).encode()
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def one() -> str:
            async with session.post(url, data=body, headers=headers) as resp:
                data = json.loads(await resp.read())
                return data["choices"][0]["message"]["content"]

        await _limited_gather(one, concurrency, _warm(concurrency, n))
        await _timed(one, concurrency, n)


_RESULT: dict[str, float] = {}


def _warm(concurrency: int, n: int) -> int:
    # Enough warm-up calls to open every pooled connection before timing starts.
    return min(n, max(4, concurrency))


async def _limited_gather(call: Callable[[], Awaitable[object]], concurrency: int, n: int) -> None:
    sem = asyncio.Semaphore(concurrency)

    async def limited() -> object:
        async with sem:
            return await call()

    await asyncio.gather(*(limited() for _ in range(n)))


async def _timed(call: Callable[[], Awaitable[object]], concurrency: int, n: int, own_limit: bool = False) -> None:
    sem = asyncio.Semaphore(concurrency)

    async def limited() -> object:
        async with sem:
            return await call()

    fn = call if own_limit else limited
    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(fn() for _ in range(n)))
    _RESULT["wall"] = time.perf_counter() - t0
    _RESULT["cpu"] = time.process_time() - cpu0


CLIENTS: dict[str, Callable[[str, int, int], Awaitable[None]]] = {
    "optiforge": run_optiforge,
    "litellm": run_litellm,
    "bare": run_bare,
}


def worker(client: str, base_url: str, concurrency: int, n: int) -> None:
    """Run one timed measurement in this process and print it as JSON."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    asyncio.run(CLIENTS[client](base_url, concurrency, n))
    print(json.dumps(_RESULT), flush=True)


def measure(client: str, base_url: str, concurrency: int, n: int) -> tuple[float, float]:
    """(wall seconds, client CPU seconds) of one run in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--worker", client, "--url", base_url, "--concurrency", str(concurrency), "-n", str(n)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise SystemExit(f"{client} worker failed:\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["wall"], result["cpu"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=list(CLIENTS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("-n", "--requests", type=int, default=2000, help="requests per client and concurrency")
    parser.add_argument("--latency", type=float, default=0.05, help="server latency in seconds")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64, 256])
    parser.add_argument("--quick", action="store_true", help="fewer requests (N=1000, at most 25 x concurrency)")
    parser.add_argument("--clients", nargs="+", default=list(CLIENTS), choices=list(CLIENTS))
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of optiforge and bare per concurrency (median kept); litellm runs once"
    )
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, args.concurrency[0], args.requests)
        return
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    n_max = 1000 if args.quick else args.requests
    per_conc = 25 if args.quick else 100

    proc, base_url = start_server(args.latency)
    print(f"fake server {base_url} (separate process), latency {args.latency * 1000:.0f} ms; cpus={os.cpu_count()}")
    print(
        f"requests per client = min({n_max}, {per_conc} x concurrency): low concurrency uses fewer "
        "requests so the run stays short"
    )
    samples: dict[tuple[str, int], list[tuple[float, float]]] = {}
    try:
        header = f"{'conc':>5} {'n':>5} {'client':>10} {'req/s':>9} {'of ideal':>9} {'cpu ms/req':>11}"
        print(header)
        print("-" * len(header))
        for c in args.concurrency:
            n = min(n_max, per_conc * c)
            ideal = c / args.latency
            for rep in range(max(1, args.repeat)):
                # Alternate the order each round: on a machine whose load drifts, whoever
                # always runs first would be penalised.
                order = args.clients if rep % 2 == 0 else list(reversed(args.clients))
                for name in order:
                    if name == "litellm" and rep > 0:
                        continue  # slow and not what we tune; one run is enough for the ratio
                    wall, cpu = measure(name, base_url, c, n)
                    rps = n / wall
                    cpu_ms = 1000 * cpu / n
                    samples.setdefault((name, c), []).append((rps, cpu_ms))
                    print(f"{c:>5} {n:>5} {name:>10} {rps:>9.1f} {rps / ideal:>9.2f} {cpu_ms:>11.2f}", flush=True)
    finally:
        proc.terminate()
        proc.wait(10)

    rows = {key: _median(vals) for key, vals in samples.items()}
    print()
    print(f"medians over runs (req/s; fraction of ideal = req/s / (concurrency / {args.latency:g} s)):")
    print(f"{'conc':>5} " + " ".join(f"{name:>17}" for name in args.clients))
    for c in args.concurrency:
        ideal = c / args.latency
        cells = []
        for name in args.clients:
            rps = rows.get((name, c), (0.0, 0.0))[0]
            cells.append(f"{rps:>8.1f} ({rps / ideal:4.2f})")
        print(f"{c:>5} " + " ".join(f"{cell:>17}" for cell in cells))
    print()
    print(f"{'conc':>5} {'optiforge/bare':>15} {'optiforge/litellm':>18}   (optiforge/bare: median of per-round ratios)")
    pair_ratio: dict[int, float] = {}
    for c in args.concurrency:
        ours_runs = [r for r, _ in samples.get(("optiforge", c), [])]
        bare_runs = [r for r, _ in samples.get(("bare", c), [])]
        ratios = sorted(o / b for o, b in zip(ours_runs, bare_runs, strict=False) if b)
        if ratios:
            pair_ratio[c] = ratios[len(ratios) // 2]
        ours = rows.get(("optiforge", c), (0.0, 0.0))[0]
        lite = rows.get(("litellm", c), (0.0, 0.0))[0]
        r_bare = f"{pair_ratio[c]:.2f}x" if c in pair_ratio else "-"
        r_lite = f"{ours / lite:.2f}x" if lite else "-"
        print(f"{c:>5} {r_bare:>15} {r_lite:>18}")
    if 64 in args.concurrency and all((k, 64) in rows for k in ("optiforge", "bare", "litellm")):
        ours, lite = rows[("optiforge", 64)][0], rows[("litellm", 64)][0]
        vs_bare = pair_ratio[64]
        ok_bare, ok_lite = vs_bare >= 0.9, ours >= 4 * lite
        print(
            f"targets at concurrency 64: optiforge/bare {vs_bare:.2f} (>= 0.9: {'met' if ok_bare else 'MISSED'}), "
            f"optiforge/litellm {ours / lite:.2f} (>= 4: {'met' if ok_lite else 'MISSED'})"
        )


def _median(values: list[tuple[float, float]]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


if __name__ == "__main__":
    main()
