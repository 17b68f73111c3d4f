"""Speed measurement: interleaved repeated runs (median and spread of CPU time) or
instruction counts from ``valgrind --tool=callgrind`` (load-independent), plus a cheap
profile summary for an optimizing agent. Every run happens inside the sandbox.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import statistics
from dataclasses import dataclass, field
from typing import Any, Literal

from optiforge.errors import InputError, SandboxError
from optiforge.sandbox._check import FunctionTest, StdioTest, run_function_tests
from optiforge.sandbox._harness import PROFILE_SCRIPT
from optiforge.sandbox._run import DEFAULT_LIMITS, Prepared, in_thread, prepare, read_program
from optiforge.sandbox._sandbox import sandboxed
from optiforge.sandbox._types import Language, Limits, RunResult

Measure = Literal["cpu", "instructions", "perf", "auto"]
_TOTALS = re.compile(rb"^(?:totals|summary):\s*(\d+)", re.MULTILINE)


@dataclass
class Stats:
    """Summary of repeated measurements: median, spread (IQR, MAD) and coefficient of variation."""

    samples: list[float]
    median: float
    iqr: float
    mad: float
    cv: float
    min: float

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        """Statistics of a non-empty list of samples."""
        med = statistics.median(samples)
        if len(samples) >= 2:
            q = statistics.quantiles(samples, n=4, method="inclusive")
            iqr = q[2] - q[0]
            mean = statistics.fmean(samples)
            cv = statistics.stdev(samples) / mean if mean else 0.0
        else:
            iqr, cv = 0.0, 0.0
        mad = statistics.median(abs(x - med) for x in samples)
        return cls(list(samples), med, iqr, mad, cv, min(samples))


@dataclass
class TimingResult:
    """How fast a candidate is, and (if given) how fast the reference is, in one measure.

    ``measure`` is what was actually used ("cpu": user+sys seconds of the whole process
    tree; "instructions": callgrind instruction count); ``note`` says why it differs from
    the one asked for. ``speedup`` is reference median / candidate median.
    """

    measure: Literal["cpu", "instructions"]
    unit: str
    candidate: Stats
    reference: Stats | None = None
    speedup: float | None = None
    note: str = ""
    failed: RunResult | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (samples included)."""
        from dataclasses import asdict

        data = asdict(self)
        data.pop("failed")
        return data


class MeasureFailed(SandboxError):
    """A timed program did not run cleanly (wrong exit, limit, compile error)."""

    def __init__(self, message: str, run: RunResult) -> None:
        super().__init__(message)
        self.run = run


def resolve_measure(measure: Measure) -> tuple[Literal["cpu", "instructions"], str]:
    """Map a requested measure to one this machine supports, with a note when it differs."""
    if measure not in ("cpu", "instructions", "perf", "auto"):
        raise InputError(f"unknown measure {measure!r}; use cpu, instructions, perf or auto")
    has_valgrind = shutil.which("valgrind") is not None
    if measure == "perf":
        note = "perf stat is not supported by optiforge here (no hardware counters in most VMs/containers)"
        return ("instructions", note + "; used callgrind instruction counts") if has_valgrind else ("cpu", note + "; used CPU time")
    if measure in ("instructions", "auto"):
        if has_valgrind:
            return "instructions", ""
        if measure == "instructions":
            return "cpu", "valgrind not found; used CPU time"
    return "cpu", ""


class _Workload:
    """One program bound to its workload (stdin inputs or function tests), ready to repeat."""

    def __init__(self, program: str, *, language: Language, tests: list[Any] | None, stdin: str | None, entry_point: str | None, limits: Limits, python: str | None, isolation: str | None) -> None:
        self.source = read_program(program)
        self.language, self.limits, self.python, self.isolation, self.entry_point = language, limits, python, isolation, entry_point
        self.function_tests: list[FunctionTest] | None = None
        self.inputs: list[str | None] = [stdin]
        if tests:
            if all(isinstance(t, FunctionTest) for t in tests):
                if not entry_point or language != "python":
                    raise InputError("function tests need language='python' and an entry_point")
                self.function_tests = list(tests)
            elif all(isinstance(t, StdioTest) for t in tests):
                self.inputs = [t.input for t in tests]
            else:
                raise InputError("tests must be all StdioTest or all FunctionTest")
        prepared = prepare(self.source, language=language, python=python, isolation=isolation)
        if isinstance(prepared, RunResult):
            raise MeasureFailed("the program does not compile", prepared)
        self.prepared: Prepared = prepared

    def _valgrind_prefix(self) -> tuple[list[str], dict[str, str]]:
        valgrind = shutil.which("valgrind")
        assert valgrind is not None
        prefix = [valgrind, "--tool=callgrind", "--callgrind-out-file=callgrind.out", "-q"]
        env: dict[str, str] = {}
        interp = self.prepared.interpreter
        if interp is not None:
            # Count the real ELF interpreter (a pyenv shim is a shell script), keeping the
            # venv's packages importable.
            if interp.site_packages:
                env["PYTHONPATH"] = os.pathsep.join(interp.site_packages)
            prefix.append(interp.real)
        return prefix, env

    def measure(self, kind: str) -> float:
        total = 0.0
        limits = self.limits
        env: dict[str, str] = {}
        wrap: list[str] = []
        collect: tuple[str, ...] = ()
        if kind == "instructions":
            # valgrind maps large regions of its own and runs ~50x slower.
            limits = limits.scaled(memory_mb=max(limits.memory_mb * 4, 8192), cpu_s=limits.cpu_s * 60, wall_s=limits.wall_s * 60)
            wrap, env = self._valgrind_prefix()
            collect = ("callgrind.out",)
        if self.function_tests is not None:
            interp = self.prepared.interpreter
            assert interp is not None
            run, lines = run_function_tests(
                self.source, self.function_tests, entry_point=self.entry_point or "", limits=limits, python=self.python, mode="quiet",
                wrap=wrap or None, env=env, collect=collect, isolation=self.isolation,
            )
            if not run.ok or len(lines) != len(self.function_tests) or any("error" in line for line in lines):
                raise MeasureFailed("the program failed while being timed", run)
            return self._cost(run, kind)
        for stdin in self.inputs:
            argv = self.prepared.argv
            if wrap:
                # For Python the wrap already ends with the real interpreter, replacing argv[0].
                argv = [*wrap, *(argv[1:] if self.prepared.interpreter else argv)]
            run = sandboxed(
                argv, files=self.prepared.files, stdin=stdin.encode() if stdin else None, limits=limits,
                ro_dirs=self.prepared.ro_dirs, env=env, collect=collect, isolation=self.isolation,
            )
            if not run.ok:
                raise MeasureFailed("the program failed while being timed", run)
            total += self._cost(run, kind)
        return total

    @staticmethod
    def _cost(run: RunResult, kind: str) -> float:
        if kind == "cpu":
            return run.cpu_s
        match = _TOTALS.search(run.files.get("callgrind.out", b""))
        if match is None:
            raise MeasureFailed("callgrind wrote no instruction totals", run)
        return float(match.group(1))


def time(
    candidate: str | os.PathLike[str],
    reference: str | os.PathLike[str] | None = None,
    *,
    language: Language = "python",
    tests: list[StdioTest] | list[FunctionTest] | None = None,
    stdin: str | None = None,
    entry_point: str | None = None,
    repeats: int = 5,
    measure: Measure = "cpu",
    limits: Limits = DEFAULT_LIMITS,
    python: str | None = None,
    isolation: str | None = None,
) -> TimingResult:
    """Measure ``candidate`` (and ``reference``, interleaved run by run) on a workload.

    The workload is ``stdin`` (one run), stdin ``tests`` (one run each, costs summed), or
    function ``tests`` with ``entry_point`` (one harness run). ``measure="cpu"`` reports
    user+sys CPU seconds of the sandboxed process tree; ``"instructions"`` counts executed
    instructions with callgrind (identical run to run with PYTHONHASHSEED=0; ~50x slower,
    so one repeat is usually enough); ``"perf"`` is not supported and falls back, as the
    result's ``note`` says. A run that fails comes back with ``failed`` set.
    """
    if repeats < 1:
        raise InputError("repeats must be >= 1")
    kind, note = resolve_measure(measure)
    common = dict(language=language, tests=tests, stdin=stdin, entry_point=entry_point, limits=limits, python=python, isolation=isolation)
    try:
        cand = _Workload(str(read_program(candidate)), **common)  # type: ignore[arg-type]
        ref = _Workload(str(read_program(reference)), **common) if reference is not None else None  # type: ignore[arg-type]
        c_samples: list[float] = []
        r_samples: list[float] = []
        for i in range(repeats):
            # Alternate the order (ABBA) so drift in machine load hits both sides equally.
            order = [(cand, c_samples), (ref, r_samples)] if i % 2 == 0 else [(ref, r_samples), (cand, c_samples)]
            for workload, samples in order:
                if workload is not None:
                    samples.append(workload.measure(kind))
    except MeasureFailed as exc:
        empty = Stats.of([float("nan")])
        return TimingResult(kind, "s" if kind == "cpu" else "instructions", empty, None, None, f"{note}; {exc}".strip("; "), exc.run)
    c_stats = Stats.of(c_samples)
    r_stats = Stats.of(r_samples) if r_samples else None
    speedup = (r_stats.median / c_stats.median) if r_stats and c_stats.median > 0 else None
    return TimingResult(kind, "s" if kind == "cpu" else "instructions", c_stats, r_stats, speedup, note)


async def atime(candidate: str | os.PathLike[str], reference: str | os.PathLike[str] | None = None, **kwargs: Any) -> TimingResult:
    """``time`` for asyncio code (runs in a worker thread)."""
    return await in_thread(functools.partial(time, candidate, reference, **kwargs))


def profile(
    program: str | os.PathLike[str],
    *,
    language: Language = "python",
    stdin: str | None = None,
    tests: list[FunctionTest] | None = None,
    entry_point: str | None = None,
    top: int = 15,
    limits: Limits = DEFAULT_LIMITS,
    python: str | None = None,
    isolation: str | None = None,
) -> str:
    """A short profile of one run, as text for an agent: cProfile's top functions by own
    time (Python), or callgrind_annotate's top functions (C++). Empty if it failed."""
    source = read_program(program)
    if language == "python" and tests:
        run, _ = run_function_tests(source, tests, entry_point=entry_point or "", limits=limits, python=python, mode="profile", collect=("profile.txt",), isolation=isolation, profile_top=top)
        return _clean(run.files.get("profile.txt", b""), top)
    prepared = prepare(source, language=language, python=python, isolation=isolation)
    if isinstance(prepared, RunResult):
        return "compile error:\n" + prepared.stderr[-2000:]
    if language == "python":
        assert prepared.interpreter is not None
        files = {"program.py": source.encode(), "_optiforge_profile.py": PROFILE_SCRIPT.encode()}
        argv = [prepared.interpreter.executable, "-s", "_optiforge_profile.py", str(top)]
        run = sandboxed(argv, files=files, stdin=stdin.encode() if stdin else None, limits=limits, ro_dirs=prepared.ro_dirs, collect=("profile.txt",), isolation=isolation)
        return _clean(run.files.get("profile.txt", b""), top)
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        return ""
    script = "valgrind --tool=callgrind --callgrind-out-file=callgrind.out -q ./main; callgrind_annotate callgrind.out > profile.txt 2>&1"
    big = limits.scaled(memory_mb=max(limits.memory_mb * 4, 8192), cpu_s=limits.cpu_s * 60, wall_s=limits.wall_s * 60)
    run = sandboxed(["/bin/sh", "-c", script], files=prepared.files, stdin=stdin.encode() if stdin else None, limits=big, collect=("profile.txt",), isolation=isolation)
    return _clean(run.files.get("profile.txt", b""), top + 20)


def _clean(text: bytes, top: int) -> str:
    lines = text.decode("utf-8", errors="replace").replace("/sandbox/", "").splitlines()
    return "\n".join(line.rstrip() for line in lines if line.strip())[:8000]
