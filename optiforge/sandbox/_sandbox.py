"""Run one command inside the chosen isolation with limits, in a fresh private work dir."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from optiforge.sandbox import _isolation as iso
from optiforge.sandbox._proc import RawRun, execute
from optiforge.sandbox._types import LimitName, Limits, RunResult

_MAX_COLLECT = 64 * 1024 * 1024
_BASE_PATH = "/usr/local/bin:/usr/bin:/bin"


def base_env(workdir: str, *, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment a program sees: an allow-list, never the caller's variables."""
    env = {
        "PATH": _BASE_PATH,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": workdir,
        "TMPDIR": "/tmp" if workdir == iso.SANDBOX_WORKDIR else workdir,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }
    if extra:
        env.update(extra)
    return env


def _classify(raw: RawRun, result: RunResult, limits: Limits) -> LimitName:
    if raw.killed_for == "wall":
        return "wall"
    if raw.killed_for == "output":
        return "output"
    if result.exit_code == 0 and result.signal is None:
        return "none"
    cpu_cap = max(1.0, float(int(limits.cpu_s + 0.999999)))
    # The kernel enforces RLIMIT_CPU on its precise run time, while rusage reports sampled
    # user/sys time that can read ~15% lower on a busy VM. A SIGKILL we did not send, after
    # a good part of the budget, is the CPU limit. Under unshare a signal death shows as
    # exit 1 (unshare cannot re-raise it), so there the whole budget must have been used.
    if result.signal in (signal.SIGKILL, signal.SIGXCPU) and result.cpu_s >= 0.5 * cpu_cap:
        return "cpu"
    if result.signal is None and result.cpu_s >= 0.8 * cpu_cap:
        return "cpu"
    if result.signal == signal.SIGXFSZ:
        return "filesize"
    err = result.stderr[-4000:]
    if "MemoryError" in err or "std::bad_alloc" in err or "Cannot allocate memory" in err or "out of memory" in err:
        return "memory"
    if "File too large" in err:
        return "filesize"
    if "Resource temporarily unavailable" in err or "can't start new thread" in err:
        return "processes"
    return "none"


def _collect(workdir: str, names: Iterable[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for name in names:
        if "/" in name or name in ("", ".", ".."):
            continue
        # The program controls the work dir: never follow its symlinks or block on its FIFOs.
        try:
            fd = os.open(os.path.join(workdir, name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                with os.fdopen(fd, "rb", closefd=False) as fh:
                    out[name] = fh.read(_MAX_COLLECT)
        finally:
            os.close(fd)
    return out


def _reported_usage(report: tuple[int, int], fallback: Any) -> Any:
    """The guard's report of the sandbox's own rusage; wait4's view of the guard would
    count the memory of this (forking) process as the program's peak."""
    os.close(report[1])
    try:
        os.set_blocking(report[0], False)
        try:
            data = os.read(report[0], 4096)
        except BlockingIOError:
            data = b""
    finally:
        os.close(report[0])
    try:
        maxrss, user_us, sys_us = (int(x) for x in data.split())
    except ValueError:
        return fallback
    return SimpleNamespace(ru_maxrss=maxrss, ru_utime=user_us / 1e6, ru_stime=sys_us / 1e6)


def _launcher() -> str | None:
    from optiforge.config import get_settings
    from optiforge.sandbox._launcher import launcher_path

    return launcher_path(get_settings().resolved_cache_dir)


def _others_can_enter(directory: str) -> bool:
    path = os.path.realpath(directory)
    while True:
        try:
            if not os.stat(path).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
        if path == "/":
            return True
        path = os.path.dirname(path)


def _kill_uid(uid: int) -> None:
    """Kill every process left running as ``uid`` (the fallbacks have no namespace to do it)."""
    for _ in range(5):
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status") as fh:
                    for line in fh:
                        if line.startswith("Uid:"):
                            if int(line.split()[1]) == uid:
                                found = True
                                os.kill(int(entry), signal.SIGKILL)
                            break
            except (OSError, ValueError):
                continue
        if not found:
            return
        time.sleep(0.01)


def sandboxed(
    argv: Sequence[str],
    *,
    files: Mapping[str, bytes] | None = None,
    stdin: bytes | None = None,
    limits: Limits,
    ro_dirs: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
    collect: Iterable[str] = (),
    isolation: str | None = None,
    address_space: bool = True,
) -> RunResult:
    """Run ``argv`` (paths relative to the work dir) in a new private work dir holding ``files``."""
    info = iso.isolation(isolation)
    uid = iso.next_uid()
    if uid is not None and info.kind != "bwrap" and not all(_others_can_enter(d) for d in ro_dirs):
        # Without bwrap's mounts, a fresh uid cannot reach an interpreter under a private
        # directory such as /root: the run stays root, so RLIMIT_NPROC is not enforced.
        iso.warn_once_text(
            f"the interpreter lives under a directory other users cannot enter ({', '.join(ro_dirs)}); "
            f"in {info.kind} mode programs then run as root and the process limit is NOT enforced"
        )
        uid = None
    workdir = tempfile.mkdtemp(prefix="optiforge-sbx-")
    try:
        for name, data in (files or {}).items():
            path = os.path.join(workdir, name)
            with open(path, "wb") as fh:
                fh.write(data)
            if name.endswith((".bin", ".exe")) or name == "main":
                os.chmod(path, 0o755)
            if uid is not None:
                os.chown(path, uid, uid)
        if uid is not None:
            os.chown(workdir, uid, uid)
        inside = iso.SANDBOX_WORKDIR if info.kind == "bwrap" else workdir
        launcher = _launcher()
        inside_launcher = iso.SANDBOX_LAUNCHER if (launcher and info.kind == "bwrap") else launcher
        prefix = iso.launch_argv(limits, uid, launcher=inside_launcher, address_space=address_space)
        info_fd: tuple[int, int] | None = None
        if info.kind == "bwrap":
            info_fd = os.pipe()
            bwrap = iso.bwrap_argv(workdir, ro_dirs=ro_dirs, limits=limits, uid=uid, launcher=launcher)
            prefix = [bwrap[0], "--info-fd", str(info_fd[1]), *bwrap[1:], *prefix]
        elif info.kind == "unshare":
            prefix = iso.unshare_argv() + prefix
        report = os.pipe() if launcher else None
        try:
            raw = execute(
                iso.die_with_us_argv(uid, launcher, report[1] if report else -1) + prefix + list(argv),
                env=base_env(inside, extra=env),
                cwd=workdir,
                stdin=stdin,
                wall_s=limits.wall_s,
                output_bytes=limits.output_bytes,
                info_fd=info_fd,
                pass_fds=(report[1],) if report else (),
            )
        except BaseException:
            for fd in report or ():
                os.close(fd)
            raise
        if report:
            raw.rusage = _reported_usage(report, raw.rusage)
        if uid is not None and info.kind != "bwrap":
            _kill_uid(uid)
        return _result(raw, limits, info.kind, _collect(workdir, collect))
    finally:
        if uid is not None and info.kind != "bwrap":
            _kill_uid(uid)
        shutil.rmtree(workdir, ignore_errors=True)


def _result(raw: RawRun, limits: Limits, kind: str, files: dict[str, bytes]) -> RunResult:
    code: int | None
    sig: int | None = None
    if os.WIFSIGNALED(raw.status):
        code, sig = None, os.WTERMSIG(raw.status)
    else:
        status = os.WEXITSTATUS(raw.status)
        code = status
        # bwrap, unshare and our guard shell report a child killed by signal N as 128+N.
        if 128 < status <= 128 + 64:
            code, sig = None, status - 128
    ru = raw.rusage
    stderr = raw.stderr.decode("utf-8", errors="replace")
    if kind == "unshare":
        stderr = stderr.replace("unshare: sigprocmask unblock failed: Invalid argument\n", "")
    result = RunResult(
        exit_code=code,
        signal=sig,
        stdout=raw.stdout.decode("utf-8", errors="replace"),
        stderr=stderr,
        stdout_truncated=raw.stdout_truncated,
        stderr_truncated=raw.stderr_truncated,
        wall_s=raw.wall_s,
        user_s=ru.ru_utime if ru else 0.0,
        sys_s=ru.ru_stime if ru else 0.0,
        cpu_s=(ru.ru_utime + ru.ru_stime) if ru else 0.0,
        peak_memory_mb=(ru.ru_maxrss / 1024.0) if ru else 0.0,
        isolation=kind,
        files=files,
    )
    result.limit = _classify(raw, result, limits)
    return result


