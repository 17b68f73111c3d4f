"""``optiforge sandbox …``: run a program in the sandbox from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from optiforge.errors import InputError

EXIT_TIME_LIMIT = 124
EXIT_OTHER_LIMIT = 125
EXIT_COMPILE_ERROR = 126


@click.group("sandbox")
def sandbox() -> None:
    """Run programs in the isolated, resource-limited sandbox."""


@sandbox.command("run")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--language", type=click.Choice(["python", "cpp"]), default=None, help="default: from the file suffix (.cpp/.cc/.cxx = cpp)")
@click.option("--stdin", "stdin_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None, help="file fed to the program's stdin ('-' = this stdin)")
@click.option("--time-limit", type=click.FloatRange(min=0.01), default=10.0, show_default=True, help="CPU seconds; wall clock gets 2x + 1 s")
@click.option("--memory-mb", type=click.IntRange(min=16), default=1024, show_default=True, help="address-space limit")
@click.option("--python", "python", default=None, help="Python interpreter for .py programs (default: optiforge's own)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object (result, stdout, stderr) instead")
@click.argument("args", nargs=-1)
def run_cmd(file: Path, language: str | None, stdin_file: Path | None, time_limit: float, memory_mb: int, python: str | None, as_json: bool, args: tuple[str, ...]) -> None:
    """Run FILE (Python or C++) in the sandbox; extra ARGS go to the program.

    Prints the program's stdout and stderr, then a status line on stderr. The exit
    code mirrors the program: its own exit status; 128+N if it died of signal N;
    124 if a CPU or wall-clock limit stopped it; 125 for the memory, output,
    process or file-size limits; 126 if a C++ program did not compile.
    """
    from optiforge.sandbox._run import guess_language, run
    from optiforge.sandbox._types import Limits

    if not file.is_file():
        raise InputError(f"no such file: {file}")
    stdin: bytes | None = None
    if stdin_file is not None:
        if str(stdin_file) == "-":
            stdin = sys.stdin.buffer.read()
        else:
            try:
                stdin = stdin_file.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read stdin file {stdin_file}: {exc.strerror}") from None
    lang = language or guess_language(str(file))
    limits = Limits(cpu_s=time_limit, wall_s=2 * time_limit + 1, memory_mb=memory_mb)
    result = run(file, language=lang, stdin=stdin, args=args, limits=limits, python=python)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        sys.stdout.write(result.stdout)
        sys.stdout.flush()
        sys.stderr.write(result.stderr)
        notes = " (stdout truncated)" if result.stdout_truncated else ""
        notes += " (stderr truncated)" if result.stderr_truncated else ""
        click.echo(f"[sandbox] {result.summary()}{notes}", err=True)
    sys.exit(exit_code(result))


def exit_code(result: object) -> int:
    """The CLI exit code for a RunResult (see ``optiforge sandbox run --help``)."""
    from optiforge.sandbox._types import RunResult

    assert isinstance(result, RunResult)
    if result.phase == "compile":
        return EXIT_COMPILE_ERROR
    if result.limit in ("cpu", "wall"):
        return EXIT_TIME_LIMIT
    if result.limit != "none":
        return EXIT_OTHER_LIMIT
    if result.signal is not None:
        return 128 + result.signal
    return result.exit_code if result.exit_code is not None else 1


@sandbox.command("info")
def info_cmd() -> None:
    """Show which isolation the sandbox uses on this machine."""
    from optiforge.sandbox._isolation import isolation

    iso = isolation()
    click.echo(f"isolation: {iso.kind} ({'working' if iso.working else 'NOT working'})\n{iso.detail}")


@sandbox.command("tasks")
def tasks_cmd() -> None:
    """List the code-speed tasks shipped with optiforge."""
    from optiforge.sandbox._tasks import load_tasks

    for task in load_tasks():
        first = task.statement.splitlines()[2] if len(task.statement.splitlines()) > 2 else ""
        click.echo(f"{task.name:20} {task.language:6} {task.kind:8} {len(task.tests):2} tests  {first[:60]}")
