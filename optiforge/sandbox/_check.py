"""Correctness: a candidate passes only if every test passes, judged outside the sandbox.

Two styles: stdin/stdout pairs (PIE/CodeNet; whitespace- and float-tolerant token
comparison) and Python function tests (EvalPerf; call ``entry_point`` with arguments,
compare the return value with tolerance). Programs only ever run inside the sandbox.
"""

from __future__ import annotations

import functools
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

from optiforge.errors import InputError
from optiforge.sandbox._harness import HARNESS
from optiforge.sandbox._run import DEFAULT_LIMITS, Prepared, in_thread, prepare, read_program
from optiforge.sandbox._sandbox import sandboxed
from optiforge.sandbox._types import Language, Limits, RunResult

_MISSING: Any = object()


@dataclass(frozen=True)
class StdioTest:
    """One stdin/stdout test case: feed ``input``, expect ``output`` (tolerantly compared)."""

    input: str
    output: str


@dataclass(frozen=True)
class FunctionTest:
    """One function test: call ``entry_point(*args, **kwargs)``; compare with ``expected``.

    Leave ``expected`` out to take it from the reference solution (run in the sandbox).
    """

    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    expected: Any = _MISSING

    @property
    def has_expected(self) -> bool:
        """Whether an expected value was given."""
        return self.expected is not _MISSING


Test = StdioTest | FunctionTest


@dataclass
class Failure:
    """The first failing test: its index and input, what was expected and what came out."""

    index: int
    input: str
    expected: str
    got: str
    reason: str


@dataclass
class CheckResult:
    """Outcome of checking a program against all its tests."""

    correct: bool
    passed: int
    total: int
    failure: Failure | None = None
    runs: list[RunResult] = field(default_factory=list, repr=False)

    def feedback(self) -> str:
        """A short text for an agent: all passed, or the first failure with input/expected/got."""
        if self.correct:
            return f"correct: all {self.total} tests passed"
        f = self.failure
        assert f is not None
        return (
            f"incorrect ({self.passed}/{self.total} passed); test {f.index} failed: {f.reason}\n"
            f"input: {f.input[:500]}\nexpected: {f.expected[:500]}\ngot: {f.got[:500]}"
        )


def _num(token: str) -> float | None:
    try:
        value = float(token)
    except ValueError:
        return None
    return value


def outputs_match(expected: str, got: str, *, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Token-wise comparison: any whitespace is equal, numbers equal within rtol/atol."""
    a, b = expected.split(), got.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        fx, fy = _num(x), _num(y)
        if fx is None or fy is None or not _close(fx, fy, rtol, atol):
            return False
    return True


def _close(x: float, y: float, rtol: float, atol: float) -> bool:
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=rtol, abs_tol=atol)


def values_match(expected: Any, got: Any, *, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Structural comparison of JSON-like values with tolerance for floats (bools stay exact)."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return _close(float(expected), float(got), rtol, atol) if (isinstance(expected, float) or isinstance(got, float)) else expected == got
    if isinstance(expected, list | tuple) and isinstance(got, list | tuple):
        return len(expected) == len(got) and all(values_match(e, g, rtol=rtol, atol=atol) for e, g in zip(expected, got, strict=True))
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(values_match(expected[k], got[k], rtol=rtol, atol=atol) for k in expected)
    return bool(expected == got)


def _status_reason(run: RunResult) -> str:
    if run.phase == "compile":
        return "compile error"
    if run.limit != "none":
        return f"{run.limit} limit exceeded"
    if run.signal is not None:
        return f"killed by signal {run.signal}"
    return f"runtime error (exit {run.exit_code})"


def run_function_tests(
    program: str,
    tests: list[FunctionTest],
    *,
    entry_point: str,
    limits: Limits = DEFAULT_LIMITS,
    python: str | None = None,
    mode: str = "values",
    wrap: list[str] | None = None,
    extra_files: dict[str, bytes] | None = None,
    env: dict[str, str] | None = None,
    collect: tuple[str, ...] = (),
    isolation: str | None = None,
    profile_top: int = 20,
) -> tuple[RunResult, list[dict[str, Any]]]:
    """Run the harness over ``tests`` in one sandboxed process; return the run and its result lines."""
    prepared = prepare(program, language="python", python=python, isolation=isolation)
    assert isinstance(prepared, Prepared) and prepared.interpreter is not None
    payload = {
        "solution.py": read_program(program).encode(),
        "_optiforge_harness.py": HARNESS.encode(),
        "tests.json": json.dumps([{"args": t.args, "kwargs": t.kwargs} for t in tests]).encode(),
        **(extra_files or {}),
    }
    interp = wrap[-1] if wrap else prepared.interpreter.executable
    argv = [*(wrap[:-1] if wrap else []), interp, "-s", "_optiforge_harness.py", mode, entry_point, *([str(profile_top)] if mode == "profile" else [])]
    run = sandboxed(argv, files=payload, limits=limits, ro_dirs=prepared.ro_dirs, env=env, collect=collect, isolation=isolation)
    lines = []
    for raw in run.stdout.splitlines():
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("i"), int):
            lines.append(item)
    return run, lines


def check(
    program: str | os.PathLike[str],
    tests: list[StdioTest] | list[FunctionTest],
    *,
    language: Language = "python",
    entry_point: str | None = None,
    reference: str | os.PathLike[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    python: str | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    isolation: str | None = None,
) -> CheckResult:
    """Check ``program`` against ``tests``; correct only if all pass. Stops at the first failure."""
    if not tests:
        raise InputError("no tests given: a program cannot be judged correct without tests")
    if all(isinstance(t, StdioTest) for t in tests):
        return _check_stdio(program, tests, language=language, limits=limits, python=python, rtol=rtol, atol=atol, isolation=isolation)  # type: ignore[arg-type]
    if all(isinstance(t, FunctionTest) for t in tests):
        if language != "python" or not entry_point:
            raise InputError("function tests need language='python' and an entry_point")
        return _check_function(program, tests, entry_point=entry_point, reference=reference, limits=limits, python=python, rtol=rtol, atol=atol, isolation=isolation)  # type: ignore[arg-type]
    raise InputError("tests must be all StdioTest or all FunctionTest")


async def acheck(program: str | os.PathLike[str], tests: list[StdioTest] | list[FunctionTest], **kwargs: Any) -> CheckResult:
    """``check`` for asyncio code (runs in a worker thread)."""
    return await in_thread(functools.partial(check, program, tests, **kwargs))


def _check_stdio(program, tests: list[StdioTest], *, language, limits, python, rtol, atol, isolation) -> CheckResult:
    from optiforge.sandbox._run import run

    runs: list[RunResult] = []
    for i, test in enumerate(tests):
        result = run(program, language=language, stdin=test.input, limits=limits, python=python, isolation=isolation)
        runs.append(result)
        if not result.ok:
            got = result.stderr.strip()[-500:] or result.stdout[:500]
            return CheckResult(False, i, len(tests), Failure(i, test.input, test.output, got, _status_reason(result)), runs)
        if not outputs_match(test.output, result.stdout, rtol=rtol, atol=atol):
            return CheckResult(False, i, len(tests), Failure(i, test.input, test.output, result.stdout, "wrong answer"), runs)
    return CheckResult(True, len(tests), len(tests), None, runs)


@functools.lru_cache(maxsize=256)
def _reference_values(reference: str, tests_json: str, entry_point: str, limits: Limits, python: str | None, isolation: str | None) -> tuple[str, ...]:
    tests = [FunctionTest(**t) for t in json.loads(tests_json)]
    run, lines = run_function_tests(reference, tests, entry_point=entry_point, limits=limits, python=python, isolation=isolation)
    values = {line["i"]: line for line in lines}
    if not run.ok or len(values) < len(tests) or any("error" in values.get(i, {"error": 1}) for i in range(len(tests))):
        raise InputError(f"the reference solution failed on its own tests ({_status_reason(run) if not run.ok else 'an exception'}): {run.stderr.strip()[-300:]}")
    return tuple(json.dumps(values[i]["value"]) for i in range(len(tests)))


def _check_function(program, tests: list[FunctionTest], *, entry_point, reference, limits, python, rtol, atol, isolation) -> CheckResult:
    if any(not t.has_expected for t in tests):
        if reference is None:
            raise InputError("function tests without expected values need a reference solution")
        payload = json.dumps([{"args": t.args, "kwargs": t.kwargs} for t in tests])
        expected = [json.loads(v) for v in _reference_values(read_program(reference), payload, entry_point, limits, python, isolation)]
        tests = [t if t.has_expected else FunctionTest(t.args, t.kwargs, expected[i]) for i, t in enumerate(tests)]
    run, lines = run_function_tests(str(read_program(program)), tests, entry_point=entry_point, limits=limits, python=python, isolation=isolation)
    by_index = {line["i"]: line for line in lines}
    if -1 in by_index:
        return CheckResult(False, 0, len(tests), Failure(0, "(module import)", "a module defining " + entry_point, by_index[-1]["error"], "import error"), [run])
    for i, test in enumerate(tests):
        shown = json.dumps({"args": test.args, "kwargs": test.kwargs} if test.kwargs else test.args)[:1000]
        line = by_index.get(i)
        if line is None:
            got = run.stderr.strip()[-500:]
            reason = _status_reason(run) if not run.ok else "no result"
            return CheckResult(False, i, len(tests), Failure(i, shown, json.dumps(test.expected)[:1000], got, reason), [run])
        if "error" in line:
            return CheckResult(False, i, len(tests), Failure(i, shown, json.dumps(test.expected)[:1000], line["error"], "exception"), [run])
        if not values_match(test.expected, line.get("value"), rtol=rtol, atol=atol):
            return CheckResult(False, i, len(tests), Failure(i, shown, json.dumps(test.expected)[:1000], json.dumps(line.get("value"))[:1000], "wrong answer"), [run])
    return CheckResult(True, len(tests), len(tests), None, [run])
