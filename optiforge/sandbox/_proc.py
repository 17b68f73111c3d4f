"""Run one command line with a wall-clock deadline and capped output; collect rusage via wait4."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class RawRun:
    """What the operating system told us about one finished command."""

    status: int
    rusage: Any
    stdout: bytes
    stderr: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    wall_s: float
    killed_for: str | None  # "wall" or "output" when we killed it


class _Child:
    """The started command, and (under bubblewrap) the sandbox's pid 1."""

    def __init__(self, proc: subprocess.Popen[bytes], info_read: int | None) -> None:
        self.proc = proc
        self.info_read = info_read
        self.sandbox_pid: int | None = None
        self.killed = False

    def _read_info(self) -> None:
        if self.info_read is None or self.sandbox_pid is not None:
            return
        # bubblewrap writes its info before it runs the program, so this read is short.
        sel = selectors.DefaultSelector()
        sel.register(self.info_read, selectors.EVENT_READ)
        data = b""
        while sel.select(0.5):
            chunk = os.read(self.info_read, 4096)
            if not chunk:
                break
            data += chunk
            with contextlib.suppress(ValueError, TypeError, KeyError):
                self.sandbox_pid = int(json.loads(data)["child-pid"])
                break
        sel.close()

    def kill(self) -> None:
        """Kill the program: its namespace's pid 1 if known, else the process group."""
        self.killed = True
        self._read_info()
        if self.sandbox_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.sandbox_pid, signal.SIGKILL)
            return
        self.kill_group()

    def kill_group(self) -> None:
        """Kill the started command's process group and the command itself."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        # Not proc.kill(): Popen.send_signal polls first and would reap the child, losing rusage.
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)

    def reap(self, pidfd: int) -> tuple[int, Any]:
        """wait4 the command; if it lingers after a kill, kill its whole group."""
        if self.killed:
            sel = selectors.DefaultSelector()
            sel.register(pidfd, selectors.EVENT_READ)
            if not sel.select(5.0):
                self.kill_group()
            sel.close()
        _, status, rusage = os.wait4(self.proc.pid, 0)
        return status, rusage

    def close(self) -> None:
        if self.info_read is not None:
            with contextlib.suppress(OSError):
                os.close(self.info_read)
            self.info_read = None


def execute(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str,
    stdin: bytes | None,
    wall_s: float,
    output_bytes: int,
    info_fd: tuple[int, int] | None = None,
    pass_fds: tuple[int, ...] = (),
) -> RawRun:
    """Start ``argv`` in its own session, feed ``stdin``, read both pipes incrementally.

    Kills the whole process group when the deadline passes or a stream exceeds
    ``output_bytes``; always reaps the child with wait4 so CPU time and peak memory of
    the process tree are known. ``info_fd`` is a (read, write) pipe on which bubblewrap
    reports the sandbox's pid 1: killing that pid tears down the whole PID namespace,
    and bubblewrap exits only once every process in it is gone.
    """
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
            pass_fds=((info_fd[1],) if info_fd else ()) + pass_fds,
        )
    except BaseException:
        for fd in info_fd or ():
            os.close(fd)
        raise
    child = _Child(proc, info_fd[0] if info_fd else None)
    if info_fd:
        os.close(info_fd[1])
    deadline = start + wall_s
    bufs: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}
    truncated = {"stdout": False, "stderr": False}
    killed_for: str | None = None
    pidfd = os.pidfd_open(proc.pid)
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None and proc.stderr is not None
    for name, pipe in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        os.set_blocking(pipe.fileno(), False)
        sel.register(pipe.fileno(), selectors.EVENT_READ, name)
    sel.register(pidfd, selectors.EVENT_READ, "exit")
    pending_in = memoryview(stdin or b"")
    if stdin:
        assert proc.stdin is not None
        os.set_blocking(proc.stdin.fileno(), False)
        sel.register(proc.stdin.fileno(), selectors.EVENT_WRITE, "stdin")
    exited = False
    open_pipes = 2
    try:
        while open_pipes or not exited:
            timeout = deadline - time.perf_counter()
            if timeout <= 0:
                killed_for = killed_for or "wall"
                child.kill()
                break
            # Once the program is gone, whatever still holds the pipes (in rlimits mode, a
            # detached child) gets a short idle window to flush, then the group is killed.
            events = sel.select(min(timeout, 0.1) if exited else timeout)
            if exited and not events:
                child.kill()
                break
            for key, _ in events:
                what = key.data
                if what == "exit":
                    exited = True
                    sel.unregister(pidfd)
                elif what == "stdin":
                    try:
                        sent = os.write(key.fd, pending_in[:65536])
                    except (BrokenPipeError, BlockingIOError, OSError):
                        sent = len(pending_in)
                    pending_in = pending_in[sent:]
                    if not pending_in:
                        sel.unregister(key.fd)
                        assert proc.stdin is not None
                        proc.stdin.close()
                else:
                    try:
                        chunk = os.read(key.fd, 65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        sel.unregister(key.fd)
                        open_pipes -= 1
                        continue
                    buf = bufs[what]
                    room = output_bytes - len(buf)
                    buf += chunk[: max(room, 0)]
                    if len(chunk) > room:
                        truncated[what] = True
                        killed_for = "output"
                        child.kill()
                        open_pipes = 0
                        break
            if killed_for == "output":
                break
        status, rusage = child.reap(pidfd)
    except BaseException:
        # Interrupted (Ctrl-C, cancelled thread): never leave the program running.
        child.kill()
        child.kill_group()
        with contextlib.suppress(ChildProcessError):
            os.wait4(proc.pid, 0)
        raise
    finally:
        sel.close()
        os.close(pidfd)
        child.close()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
    proc.returncode = os.waitstatus_to_exitcode(status)  # keeps Popen from reaping again
    wall = time.perf_counter() - start
    return RawRun(
        status=status,
        rusage=rusage,
        stdout=bytes(bufs["stdout"]),
        stderr=bytes(bufs["stderr"]),
        stdout_truncated=truncated["stdout"],
        stderr_truncated=truncated["stderr"],
        wall_s=wall,
        killed_for=killed_for,
    )
