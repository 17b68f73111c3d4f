"""Value types of the sandbox: resource limits, the result of one run, the isolation in use."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

LimitName = Literal["none", "cpu", "wall", "memory", "output", "processes", "filesize"]
Language = Literal["python", "cpp"]


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed program.

    ``memory_mb`` bounds the address space (RLIMIT_AS), ``processes`` the number of
    processes and threads (RLIMIT_NPROC, enforced because the program runs as its own
    non-root uid), ``output_bytes`` each of stdout and stderr; past it the program is killed.
    """

    cpu_s: float = 10.0
    wall_s: float = 20.0
    memory_mb: int = 1024
    processes: int = 64
    file_size_mb: int = 64
    open_files: int = 256
    output_bytes: int = 1_000_000
    tmp_mb: int = 256

    def __post_init__(self) -> None:
        for name in ("cpu_s", "wall_s", "memory_mb", "processes", "file_size_mb", "open_files", "output_bytes", "tmp_mb"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and value > 0 and math.isfinite(value)):
                raise ValueError(f"Limits.{name} must be a positive number, got {value!r}")

    def scaled(self, **changes: Any) -> Limits:
        """A copy with some fields replaced."""
        data = asdict(self)
        data.update(changes)
        return Limits(**data)


#: Limits used to compile C++: compilers need more memory and time than the programs they build.
COMPILE_LIMITS = Limits(cpu_s=60, wall_s=120, memory_mb=4096, processes=64, file_size_mb=256, output_bytes=200_000)


@dataclass
class RunResult:
    """What happened when one program ran in the sandbox.

    ``limit`` names the limit that stopped the program ("none" if it ended on its own);
    "memory" and "processes" are read from the program's error output (MemoryError,
    bad_alloc, EAGAIN on fork), the others are certain. ``phase`` is "compile" when a C++
    program did not compile (then ``stderr`` holds the compiler's message). ``signal`` is
    set when the program died of a signal. ``cpu_s`` is user + system time and
    ``peak_memory_mb`` the largest resident set of any process of the run. Under
    bubblewrap the program is pid 1 of its namespace, so, like any init, it ignores
    signals it sends itself whose action is the default.
    """

    exit_code: int | None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    wall_s: float = 0.0
    cpu_s: float = 0.0
    user_s: float = 0.0
    sys_s: float = 0.0
    peak_memory_mb: float = 0.0
    limit: LimitName = "none"
    phase: Literal["run", "compile"] = "run"
    isolation: str = ""
    files: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when the program exited with status 0 and no limit fired."""
        return self.exit_code == 0 and self.limit == "none" and self.phase == "run"

    @property
    def status(self) -> str:
        """One word: ok, exit, signal, limit or compile_error."""
        if self.phase == "compile":
            return "compile_error"
        if self.limit != "none":
            return "limit"
        if self.signal is not None:
            return "signal"
        return "ok" if self.exit_code == 0 else "exit"

    def summary(self) -> str:
        """A one-line human description, e.g. ``ok exit=0 cpu=0.02s wall=0.03s mem=9.1MB``."""
        what = {"compile_error": "compile error", "limit": f"{self.limit} limit"}.get(self.status, self.status)
        code = f"signal={self.signal}" if self.signal is not None else f"exit={self.exit_code}"
        return (
            f"{what} {code} cpu={self.cpu_s:.3f}s wall={self.wall_s:.3f}s "
            f"mem={self.peak_memory_mb:.1f}MB isolation={self.isolation}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (collected files are left out)."""
        data = asdict(self)
        data.pop("files")
        data["status"] = self.status
        data["ok"] = self.ok
        return data


@dataclass(frozen=True)
class IsolationInfo:
    """Which isolation the sandbox uses on this machine.

    ``kind`` is "bwrap" (namespaces + read-only system + rlimits), "unshare" (namespaces +
    rlimits, the host file system stays visible) or "rlimits" (limits only). ``working``
    says whether a probe program ran under it; ``detail`` explains the choice.
    """

    kind: Literal["bwrap", "unshare", "rlimits"]
    working: bool
    detail: str
