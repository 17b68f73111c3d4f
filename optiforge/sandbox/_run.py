"""The public ``run``/``arun``: turn a Python or C++ program into a sandboxed command and run it."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from optiforge.errors import InputError
from optiforge.sandbox._python import Interpreter, resolve_interpreter
from optiforge.sandbox._sandbox import sandboxed
from optiforge.sandbox._types import Language, Limits, RunResult

DEFAULT_LIMITS = Limits()
T = TypeVar("T")


def _is_path(program: str | os.PathLike[str]) -> bool:
    return isinstance(program, os.PathLike) or ("\n" not in program and program.endswith((".py", ".cpp", ".cc", ".cxx")))


def read_program(program: str | os.PathLike[str]) -> str:
    """Source text of ``program``: a path to a file, or the source itself."""
    if not _is_path(program):
        return str(program)
    path = Path(program)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read program file {str(path)!r}: {exc}") from None


def guess_language(path: str) -> Language:
    """'cpp' for .cpp/.cc/.cxx files, else 'python'."""
    return "cpp" if path.endswith((".cpp", ".cc", ".cxx", ".C")) else "python"


def _as_bytes(data: str | bytes | None) -> bytes | None:
    if data is None:
        return None
    return data.encode() if isinstance(data, str) else data


@dataclass
class Prepared:
    """A program made ready to run: its command (relative to the work dir) and files."""

    argv: list[str]
    files: dict[str, bytes]
    ro_dirs: tuple[str, ...] = ()
    interpreter: Interpreter | None = None


def prepare(
    program: str | os.PathLike[str], *, language: Language = "python", python: str | None = None, isolation: str | None = None
) -> Prepared | RunResult:
    """Turn a program into a command line; a C++ compile failure comes back as its RunResult."""
    if language not in ("python", "cpp"):
        raise InputError(f"unknown language {language!r}; use 'python' or 'cpp'")
    source = read_program(program)
    if language == "python":
        interp = resolve_interpreter(python)
        return Prepared([interp.executable, "-s", "main.py"], {"main.py": source.encode()}, interp.mounts, interp)
    from optiforge.sandbox._cpp import compile_cpp

    binary, failure = compile_cpp(source, isolation=isolation)
    if failure is not None:
        return failure
    assert binary is not None
    return Prepared(["./main"], {"main": binary.read_bytes()})


def run(
    program: str | os.PathLike[str],
    *,
    language: Language | None = None,
    stdin: str | bytes | None = None,
    args: Sequence[str] = (),
    files: Mapping[str, str | bytes] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    python: str | None = None,
    env: Mapping[str, str] | None = None,
    collect: Iterable[str] = (),
    isolation: str | None = None,
) -> RunResult:
    """Run a program in the sandbox and report what happened; never raises for program failures.

    ``program`` is source text or a path; ``language`` defaults to "cpp" for a .cpp/.cc/.cxx
    path and "python" otherwise. Python programs run under ``python`` (default:
    the interpreter running optiforge); C++ programs are compiled with g++ -O2 -std=c++17
    inside the sandbox first (cached by source hash) and a compile failure comes back as a
    RunResult with ``phase="compile"``. ``files`` are written into the private work dir,
    ``collect`` names work-dir files to read back into ``RunResult.files``. ``env`` adds
    variables to the allow-listed environment; nothing is inherited from the caller.
    """
    if language is None:
        language = guess_language(str(program)) if _is_path(program) else "python"
    prepared = prepare(program, language=language, python=python, isolation=isolation)
    if isinstance(prepared, RunResult):
        return prepared
    for name in files or {}:
        if not name or "/" in name or name in (".", "..") or name in prepared.files:
            raise InputError(f"bad file name {name!r} for the work dir (plain names only, not {', '.join(prepared.files)})")
    payload = {name: (data.encode() if isinstance(data, str) else data) for name, data in (files or {}).items()}
    payload.update(prepared.files)
    argv = [*prepared.argv, *args]
    ro_dirs = prepared.ro_dirs
    return sandboxed(
        argv,
        files=payload,
        stdin=_as_bytes(stdin),
        limits=limits,
        ro_dirs=ro_dirs,
        env=env,
        collect=collect,
        isolation=isolation,
    )


_executor: ThreadPoolExecutor | None = None


def in_thread(func: Callable[[], T]) -> Awaitable[T]:
    """Run a blocking sandbox call on the sandbox's own thread pool (4 per core), so
    many runs overlap without taking the event loop's default executor."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=min(64, 4 * (os.cpu_count() or 1)), thread_name_prefix="optiforge-sandbox")
    return asyncio.get_running_loop().run_in_executor(_executor, func)


async def arun(program: str | os.PathLike[str], **kwargs: Any) -> RunResult:
    """``run`` for asyncio code: the run happens in a worker thread, so many can overlap."""
    return await in_thread(functools.partial(run, program, **kwargs))
