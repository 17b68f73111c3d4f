"""The sandbox's cost and the repeatability of its speed measures, measured in one run.

1. Overhead. The same trivial program runs bare (``subprocess.run``) and through
   ``optiforge.sandbox.run``, alternating, N times each:
     python   ``python -c pass`` bare vs ``sandbox.run("pass")`` (the project's interpreter)
     native   a compiled C++ ``int main(){}`` (cached binary) bare vs ``sandbox.run(..., language="cpp")``
   Printed: median wall ms of each, the extra ms per run (target <= 15 ms) and the ratio.

2. Repeatability under load. A fixed Python program of about 200 ms CPU runs while another
   process keeps one core busy:
     cpu           B batches of ``sandbox.time(..., repeats=R, measure="cpu")``: the medians'
                   spread across batches (target: within 3% of each other) and the
                   within-batch coefficient of variation; wall-clock CV for comparison
     instructions  ``sandbox.time(..., measure="instructions")`` repeated (target: identical)

    .venv/bin/python benchmarks/sandbox_overhead.py            # N = 40, B = 5, R = 7, 3 callgrind runs
    .venv/bin/python benchmarks/sandbox_overhead.py --quick    # N = 15, B = 3, R = 3, 2 callgrind runs
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

from optiforge import sandbox
from optiforge.sandbox import Limits

LIM = Limits(cpu_s=60, wall_s=600)
CPP_EMPTY = "int main() { return 0; }\n"


def _ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def overhead(n: int) -> None:
    print(f"1. per-run overhead (median of {n} alternating runs, wall clock)")
    print(f"   isolation: {sandbox.isolation().kind}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    python = sys.executable
    # Both sides of each pair start the same way: a fresh process, no shell.
    bare_py, box_py, bare_cc, box_cc, bwrap_only = [], [], [], [], []
    bwrap = shutil.which("bwrap")
    from optiforge.sandbox._cpp import compile_cpp

    binary, failure = compile_cpp(CPP_EMPTY)
    if failure is not None or binary is None:
        print("   (C++ compile failed; native row skipped)")
    sandbox.run("pass", limits=LIM)  # warm caches: interpreter resolution, isolation probe
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([python, "-c", "pass"], check=True)
        bare_py.append(time.perf_counter() - t)
        t = time.perf_counter()
        r = sandbox.run("pass", limits=LIM)
        box_py.append(time.perf_counter() - t)
        assert r.ok, r.stderr
        if binary is not None:
            t = time.perf_counter()
            subprocess.run([str(binary)], check=True)
            bare_cc.append(time.perf_counter() - t)
            t = time.perf_counter()
            r = sandbox.run(CPP_EMPTY, language="cpp", limits=LIM)
            box_cc.append(time.perf_counter() - t)
            assert r.ok, r.stderr
        if bwrap is not None:
            # bubblewrap's own floor: one bind, no namespaces beyond the mount one
            t = time.perf_counter()
            subprocess.run([bwrap, "--ro-bind", "/", "/", "true"], check=True)
            bwrap_only.append(time.perf_counter() - t)
    rows = [("python -c pass", bare_py, box_py)]
    if binary is not None:
        rows.append(("native true-like", bare_cc, box_cc))
    if bwrap_only:
        print(f"   for scale: a minimal `bwrap --ro-bind / / true` takes {_ms(bwrap_only):.1f} ms here")
    for name, bare, box in rows:
        extra = _ms(box) - _ms(bare)
        verdict = "OK" if extra <= 15 else "ABOVE TARGET"
        print(f"   {name:18} bare {_ms(bare):6.1f} ms   sandbox {_ms(box):6.1f} ms   extra {extra:5.1f} ms ({verdict}, target <= 15)   ratio {_ms(box) / _ms(bare):4.2f}x")


def _calibrate() -> str:
    """A pure-Python loop sized to about 200 ms of CPU on this machine."""
    n = 200_000
    while True:
        prog = f"total = 0\nfor i in range({n}):\n    total += i * i % 7\nprint(total)\n"
        r = sandbox.run(prog, limits=LIM)
        # startup is ~20 ms of the total; grow the loop until the whole run is ~200 ms
        if r.cpu_s >= 0.18 or n > 10**8:
            return prog
        n = int(n * 0.2 / max(r.cpu_s, 0.01))


def repeatability(batches: int, repeats: int, callgrind_runs: int) -> None:
    prog = _calibrate()
    loader = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        print(f"\n2. repeatability of a ~200 ms program while another process loads a core (cores: {os.cpu_count()})")
        medians, mins, cvs, walls = [], [], [], []
        for _ in range(batches):
            result = sandbox.time(prog, repeats=repeats, measure="cpu", limits=LIM)
            assert result.failed is None, result.note
            medians.append(result.candidate.median)
            mins.append(result.candidate.min)
            cvs.append(result.candidate.cv)
            w = []
            for _ in range(repeats):
                w.append(sandbox.run(prog, limits=LIM).wall_s)
            walls.append(statistics.pstdev(w) / statistics.fmean(w))
        overall = statistics.median(medians)
        spread = (max(medians) - min(medians)) / overall * 100
        worst = max(abs(m - overall) / overall * 100 for m in medians)
        cv_of_medians = statistics.pstdev(medians) / statistics.fmean(medians) * 100
        verdict = "OK" if worst <= 3 else "ABOVE TARGET"
        print(f"   cpu: {batches} batches x {repeats} runs; medians (ms): " + ", ".join(f"{m * 1000:.1f}" for m in medians))
        print(f"        largest deviation of a batch median from the overall median {worst:.2f}% ({verdict}, target <= 3%)")
        print(f"        max-min spread of medians {spread:.2f}%   CV of medians {cv_of_medians:.2f}%   mean within-batch CV {statistics.fmean(cvs) * 100:.2f}%")
        min_spread = (max(mins) - min(mins)) / statistics.median(mins) * 100
        print(f"        batch minimums spread {min_spread:.2f}% (best-of-{repeats} is steadier than the median when load comes and goes)")
        print(f"        for comparison, wall-clock CV within a batch {statistics.fmean(walls) * 100:.2f}%")
        if callgrind_runs < 1:
            return
        if shutil.which("valgrind") is None:
            print("   instructions: valgrind not installed; skipped")
            return
        t = time.perf_counter()
        result = sandbox.time(prog, repeats=callgrind_runs, measure="instructions", limits=LIM)
        elapsed = time.perf_counter() - t
        assert result.failed is None, result.note
        counts = [int(x) for x in result.candidate.samples]
        identical = len(set(counts)) == 1
        cpu_one = overall
        print(f"   instructions: {callgrind_runs} callgrind runs -> " + ", ".join(f"{c:,}" for c in counts))
        print(f"        identical run to run: {'YES' if identical else 'NO'} (target: identical)   CV {result.candidate.cv * 100:.4f}%")
        print(f"        cost: {elapsed / callgrind_runs:.2f} s per callgrind run vs {cpu_one:.3f} s CPU per plain run ({elapsed / callgrind_runs / cpu_one:.0f}x)")
    finally:
        loader.kill()
        loader.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (about a minute)")
    args = parser.parse_args()
    if args.quick:
        overhead(15)
        repeatability(3, 3, 2)
    else:
        overhead(40)
        repeatability(5, 7, 3)


if __name__ == "__main__":
    main()
