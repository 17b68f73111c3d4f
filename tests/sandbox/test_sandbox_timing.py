"""Timing (CPU time, callgrind instruction counts) and profile summaries."""

from __future__ import annotations

import shutil

import pytest

from optiforge import sandbox
from optiforge.sandbox import FunctionTest, Limits
from optiforge.sandbox._timing import Stats, resolve_measure

needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
LIM = Limits(cpu_s=10, wall_s=30)
SLOW = "def f(n):\n    total = 0\n    for i in range(n):\n        for j in range(30):\n            total += i * j\n    return total\n"
FAST = "def f(n):\n    return sum(range(30)) * (n * (n - 1) // 2)\n"
TESTS = [FunctionTest([20000])]


def test_stats():
    s = Stats.of([1.0, 2.0, 3.0, 4.0, 100.0])
    assert s.median == 3.0 and s.min == 1.0 and s.mad == 1.0
    assert s.iqr == 2.0 and s.cv > 1
    one = Stats.of([5.0])
    assert one.median == 5.0 and one.cv == 0.0


def test_cpu_timing_tells_slow_from_fast():
    result = sandbox.time(FAST, SLOW, tests=TESTS, entry_point="f", repeats=3, limits=LIM)
    assert result.measure == "cpu" and result.unit == "s"
    assert len(result.candidate.samples) == 3 and len(result.reference.samples) == 3
    assert result.speedup is not None and result.speedup > 1.3
    assert result.failed is None


def test_stdin_workload_and_failures_are_reported():
    ok = sandbox.time("print(sum(int(x) for x in input().split()))", stdin="1 2 3\n", repeats=2, limits=LIM)
    assert ok.candidate.median > 0 and ok.reference is None
    bad = sandbox.time("raise SystemExit(2)", repeats=2, limits=LIM)
    assert bad.failed is not None and bad.failed.exit_code == 2
    assert "failed" in bad.note


@pytest.mark.slow
@needs_valgrind
def test_instruction_counts_are_identical_run_to_run():
    result = sandbox.time(FAST, SLOW, tests=[FunctionTest([500])], entry_point="f", repeats=2, measure="instructions", limits=LIM)
    assert result.measure == "instructions" and result.note == ""
    assert result.candidate.samples[0] == result.candidate.samples[1]
    assert result.reference.samples[0] == result.reference.samples[1]
    assert result.speedup > 1.0
    assert result.candidate.median > 1e6  # the real interpreter's instructions, not a shim's


@needs_valgrind
@needs_gxx
def test_cpp_instruction_counts():
    src = "#include <cstdio>\nint main(){long n; if(scanf(\"%ld\", &n)!=1) return 1; long s=0; for(long i=0;i<n;i++) s+=i%7; printf(\"%ld\\n\", s);}"
    small = sandbox.time(src, language="cpp", stdin="1000", repeats=1, measure="instructions", limits=LIM)
    big = sandbox.time(src, language="cpp", stdin="100000", repeats=1, measure="instructions", limits=LIM)
    assert big.candidate.median > small.candidate.median + 100_000 * 3


@pytest.mark.slow
def test_perf_is_not_supported_and_falls_back():
    kind, note = resolve_measure("perf")
    assert kind in ("instructions", "cpu")
    assert "perf stat is not supported" in note
    result = sandbox.time("pass", repeats=1, measure="perf", limits=LIM)
    assert "perf stat is not supported" in result.note


def test_profile_names_the_hot_function():
    text = sandbox.profile(SLOW + "print(f(20000))\n", limits=LIM)
    assert "program.py" in text and "(f)" in text
    text2 = sandbox.profile(SLOW, tests=TESTS, entry_point="f", limits=LIM)
    assert "solution.py" in text2 and "(f)" in text2


@needs_valgrind
@needs_gxx
def test_cpp_profile_is_a_callgrind_summary():
    text = sandbox.profile("int main(){ volatile long s=0; for(long i=0;i<1000000;i++) s+=i; return 0; }", language="cpp", limits=LIM)
    assert "PROGRAM TOTALS" in text and "main" in text


def test_atime_runs_in_asyncio():
    import asyncio

    result = asyncio.run(sandbox.atime("print(1)", repeats=1, limits=LIM))
    assert result.candidate.median > 0
