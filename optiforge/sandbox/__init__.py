"""Program evaluation: run untrusted Python/C++ in an isolated, resource-limited sandbox,
check correctness against tests and measure speed repeatably.

Public surface: ``run``/``arun`` (one program, one run), ``Limits``, ``RunResult``,
``isolation()``; ``check`` (correctness), ``time`` and ``profile`` (speed), and the
task set (``load_tasks``, ``load_task``, ``load_pie``, ``load_evalperf``).
"""

from __future__ import annotations

from optiforge._lazy import lazy_attributes
from optiforge.sandbox._isolation import isolation
from optiforge.sandbox._types import COMPILE_LIMITS, IsolationInfo, Limits, RunResult

_LAZY = {
    "run": "optiforge.sandbox._run",
    "arun": "optiforge.sandbox._run",
    "check": "optiforge.sandbox._check",
    "acheck": "optiforge.sandbox._check",
    "CheckResult": "optiforge.sandbox._check",
    "StdioTest": "optiforge.sandbox._check",
    "FunctionTest": "optiforge.sandbox._check",
    "time": "optiforge.sandbox._timing",
    "atime": "optiforge.sandbox._timing",
    "profile": "optiforge.sandbox._timing",
    "TimingResult": "optiforge.sandbox._timing",
    "Stats": "optiforge.sandbox._timing",
    "Task": "optiforge.sandbox._tasks",
    "load_tasks": "optiforge.sandbox._tasks",
    "load_task": "optiforge.sandbox._tasks",
    "load_pie": "optiforge.sandbox._tasks",
    "load_evalperf": "optiforge.sandbox._tasks",
}

__all__ = ["COMPILE_LIMITS", "IsolationInfo", "Limits", "RunResult", "isolation", *_LAZY]


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())
