"""Choose and build the isolation layer: bubblewrap, else ``unshare``, else rlimits only.

Every mode ends in the same launch step: as root, switch to a fresh uid unique to the run
(so RLIMIT_NPROC is enforced and the program owns nothing on the host), set the rlimits
with hard = soft (so the program cannot raise them) and a parent-death signal, then exec
the program. The compiled launcher (``_launcher``) does this in one exec; without a C
compiler, util-linux ``setpriv`` + ``prlimit`` do it. Outside the sandbox a guard ends
the run's processes if optiforge itself dies.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from optiforge.sandbox._types import IsolationInfo, Limits

#: Where the private work directory appears inside a bubblewrap sandbox.
SANDBOX_WORKDIR = "/sandbox"
#: Environment variable that forces a weaker isolation (for tests and debugging).
FORCE_ENV = "OPTIFORGE_SANDBOX_ISOLATION"
KINDS = ("bwrap", "unshare", "rlimits")

# Only the dynamic linker's cache from /etc: every bind mount costs start-up time (~0.5 ms),
# programs run in UTC, and compilers are called by their resolved paths, not through
# /etc/alternatives.
_ETC_FILES = ("/etc/ld.so.cache",)
_TOP_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")

# Launcher used only when util-linux prlimit is missing: sets limits, then execs.
_PY_LAUNCHER = (
    "import os,resource as r,sys;"
    "a=sys.argv;i=a.index('--');"
    "[r.setrlimit(getattr(r,k),(int(v),int(v))) for k,v in (x.split('=') for x in a[1:i])];"
    "os.execvp(a[i+1],a[i+1:])"
)

_uid_counter = itertools.count()
_warned = False
_warned_texts: set[str] = set()
_warn_lock = threading.Lock()


@lru_cache(maxsize=32)
def which(name: str) -> str | None:
    """``shutil.which``, cached: these tools do not move while optiforge runs."""
    return shutil.which(name)


def is_root() -> bool:
    """True when optiforge runs as root (then each program gets its own uid)."""
    return os.geteuid() == 0


def next_uid() -> int | None:
    """A uid no other concurrent run uses (root only), so per-uid limits are per run."""
    if not is_root():
        return None
    return 1_000_000 + ((os.getpid() & 0xFFFFF) << 8) + (next(_uid_counter) & 0xFF)


def _rlimit_values(limits: Limits) -> dict[str, int]:
    cpu = max(1, math.ceil(limits.cpu_s))
    return {
        "RLIMIT_CPU": cpu,
        "RLIMIT_AS": limits.memory_mb * 1024 * 1024,
        "RLIMIT_NPROC": limits.processes,
        "RLIMIT_FSIZE": limits.file_size_mb * 1024 * 1024,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_CORE": 0,
    }


def limiter_argv(limits: Limits, *, address_space: bool = True) -> list[str]:
    """The command prefix that applies the rlimits (hard = soft) and then execs the rest."""
    values = _rlimit_values(limits)
    if not address_space:
        values.pop("RLIMIT_AS")
    prlimit = which("prlimit")
    if prlimit:
        flags = {"RLIMIT_CPU": "--cpu", "RLIMIT_AS": "--as", "RLIMIT_NPROC": "--nproc", "RLIMIT_FSIZE": "--fsize", "RLIMIT_NOFILE": "--nofile", "RLIMIT_CORE": "--core"}
        return [prlimit, *(f"{flags[k]}={v}:{v}" for k, v in values.items()), "--"]
    return [os.path.realpath(sys.executable), "-S", "-c", _PY_LAUNCHER, *(f"{k}={v}" for k, v in values.items()), "--"]


def dropper_argv(uid: int | None) -> list[str]:
    """As root: switch to ``uid`` with no groups, no capabilities and no-new-privs."""
    if uid is None:
        return []
    setpriv = which("setpriv")
    if setpriv is None:
        return []
    # Changing credentials clears the parent-death signal, so a second setpriv sets it
    # again once the uid has changed.
    return [
        setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
        setpriv, "--pdeathsig=KILL", "--",
    ]


_GUARD = (
    'u=$1; shift; '
    'trap \'"$0" --reuid="$u" --regid="$u" --clear-groups -- kill -KILL -1; exit 137\' TERM; '
    # Asynchronous commands get /dev/null as stdin, so hand the real one over on fd 3.
    'exec 3<&0; "$@" <&3 3<&- & exec 3<&-; wait $! 2>/dev/null'
)


def die_with_us_argv(uid: int | None, launcher: str | None = None, report_fd: int = -1) -> list[str]:
    """Prefix that ends the sandbox if the thread that started it dies.

    A root-owned parent cannot deliver a parent-death signal to the program once it runs
    as another uid, so a guard (the compiled launcher, else a shell) gets SIGTERM when we
    die and then, as the run's uid, kills every process of that uid (the uid is unique to
    this run). Without a uid of our own, bubblewrap's --die-with-parent and a
    parent-death signal suffice. The compiled guard also writes the sandbox's own rusage
    to ``report_fd``.
    """
    if launcher is not None:
        return [launcher, "--guard", "-" if uid is None else str(uid), str(report_fd), "--"]
    setpriv, sh = which("setpriv"), which("sh")
    if setpriv is None:
        return []
    if uid is None or sh is None:
        return [setpriv, "--pdeathsig=KILL", "--"]
    return [setpriv, "--pdeathsig=TERM", "--", sh, "-c", _GUARD, setpriv, str(uid)]


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


#: Where the compiled launcher appears inside a bubblewrap sandbox.
SANDBOX_LAUNCHER = "/run/optiforge-launch"


def launch_argv(limits: Limits, uid: int | None, *, launcher: str | None, address_space: bool = True) -> list[str]:
    """The in-sandbox prefix: switch uid, set rlimits (hard = soft) and the parent-death
    signal, exec the program. ``launcher`` is the compiled launcher's path as seen by the
    program, or None for the util-linux chain (setpriv + setpriv + prlimit)."""
    if launcher is None:
        return dropper_argv(uid) + limiter_argv(limits, address_space=address_space)
    v = _rlimit_values(limits)
    return [
        launcher,
        "-" if uid is None else str(uid),
        str(v["RLIMIT_CPU"]),
        str(v["RLIMIT_AS"]) if address_space else "-",
        str(v["RLIMIT_NPROC"]),
        str(v["RLIMIT_FSIZE"]),
        str(v["RLIMIT_NOFILE"]),
        "--",
    ]


def bwrap_argv(workdir: str, *, ro_dirs: Iterable[str], limits: Limits, uid: int | None, launcher: str | None = None) -> list[str]:
    """The bubblewrap command prefix: no network, read-only system, private /tmp and work dir."""
    argv = [
        which("bwrap") or "bwrap",
        # No UTS or cgroup namespaces: without capabilities the program cannot change the
        # hostname, and each extra namespace costs about a millisecond per run.
        "--unshare-ipc", "--unshare-pid", "--unshare-net",
        # The program is pid 1 of its namespace: when it exits, the kernel kills everything
        # it left behind (detached daemons included), and its rusage reaches us via wait4.
        "--as-pid-1",
        "--die-with-parent", "--new-session",
    ]
    if uid is not None:
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user", "--disable-userns"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in _TOP_DIRS:
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    argv += ["--perms", "0755", "--dir", "/etc"]
    for item in _ETC_FILES:
        if os.path.exists(item):
            argv += ["--ro-bind", item, item]
    # The private /tmp comes before the read-only binds, so an interpreter or venv that lives
    # under /tmp (a clone in /tmp, CI) is bound on top of it instead of being hidden by it.
    argv += ["--size", str(limits.tmp_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[str] = {"/", "/usr", "/etc", "/tmp", "/proc", "/dev", SANDBOX_WORKDIR}
    bound: list[str] = []
    for directory in sorted(set(ro_dirs)):
        if directory == "/usr" or directory.startswith("/usr/") or not os.path.isdir(directory):
            continue
        if any(directory == b or directory.startswith(b + "/") for b in bound):
            continue
        for parent in _ancestors(directory):
            if parent not in made:
                argv += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        argv += ["--ro-bind", directory, directory]
        bound.append(directory)
    if launcher is not None:
        argv += ["--ro-bind", launcher, SANDBOX_LAUNCHER]
    argv += [
        "--proc", "/proc", "--dev", "/dev",
        "--bind", workdir, SANDBOX_WORKDIR, "--chdir", SANDBOX_WORKDIR,
        "--",
    ]
    return argv


def unshare_argv() -> list[str]:
    """util-linux ``unshare``: new PID and network namespaces, killed with its parent."""
    argv = [which("unshare") or "unshare", "--pid", "--fork", "--net", "--ipc", "--uts", "--mount", "--mount-proc", "--kill-child"]
    if not is_root():
        argv.insert(1, "--map-root-user")
        argv.insert(1, "--user")
    return argv


def _probe(kind: str) -> tuple[bool, str]:
    from optiforge.sandbox._types import Limits as _L

    true = shutil.which("true") or "/usr/bin/true"
    limits = _L(cpu_s=5, wall_s=10, memory_mb=256, processes=16)
    if kind == "bwrap":
        if which("bwrap") is None:
            return False, "bwrap not found (install the 'bubblewrap' package)"
        import tempfile

        with tempfile.TemporaryDirectory(prefix="optiforge-probe-") as tmp:
            uid = next_uid()
            if uid is not None:
                os.chown(tmp, uid, uid)
            argv = bwrap_argv(tmp, ro_dirs=(), limits=limits, uid=uid) + dropper_argv(uid) + limiter_argv(limits) + [true]
            return _try(argv)
    if kind == "unshare":
        if which("unshare") is None:
            return False, "unshare not found (util-linux)"
        return _try(unshare_argv() + dropper_argv(next_uid()) + limiter_argv(limits) + [true])
    return _try(dropper_argv(next_uid()) + limiter_argv(limits) + [true])


def _try(argv: Sequence[str]) -> tuple[bool, str]:
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=20, env={"PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    if proc.returncode != 0:
        return False, (proc.stderr.decode(errors="replace").strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return True, "probe ran"


@lru_cache(maxsize=8)
def _detect(forced: str | None) -> IsolationInfo:
    order = KINDS[KINDS.index(forced):] if forced else KINDS
    reasons: list[str] = []
    for kind in order:
        ok, why = _probe(kind)
        if ok:
            who = "as root: each run gets its own uid" if is_root() else "as an unprivileged user"
            forced_note = f"forced by {FORCE_ENV}={forced}; " if forced else ""
            detail = f"{forced_note}{kind} works ({who})"
            if reasons:
                detail += "; not used: " + "; ".join(reasons)
            return IsolationInfo(kind=kind, working=True, detail=detail)  # type: ignore[arg-type]
        reasons.append(f"{kind}: {why}")
    return IsolationInfo(kind="rlimits", working=False, detail="no isolation works: " + "; ".join(reasons))


def isolation(kind: str | None = None) -> IsolationInfo:
    """The isolation the sandbox uses here (probed once per process and cached).

    ``kind`` (or the ``OPTIFORGE_SANDBOX_ISOLATION`` environment variable) forces a mode
    and everything weaker after it: "bwrap", "unshare" or "rlimits".
    """
    forced = kind or os.environ.get(FORCE_ENV) or None
    if forced is not None and forced not in KINDS:
        from optiforge.errors import ConfigError

        raise ConfigError(f"unknown sandbox isolation {forced!r}; use one of {', '.join(KINDS)}")
    info = _detect(forced)
    if info.kind != "bwrap" or not info.working:
        _warn_once(info)
    return info


def _warn_once(info: IsolationInfo) -> None:
    global _warned
    with _warn_lock:
        if _warned:
            return
        _warned = True
    warnings.warn(
        f"optiforge sandbox is running WITHOUT bubblewrap isolation ({info.kind}): {info.detail}. "
        "Programs can read the host file system; install bubblewrap for full isolation.",
        RuntimeWarning,
        stacklevel=3,
    )


def warn_once_text(text: str) -> None:
    """Emit a RuntimeWarning with ``text`` once per process."""
    with _warn_lock:
        if text in _warned_texts:
            return
        _warned_texts.add(text)
    warnings.warn("optiforge sandbox: " + text, RuntimeWarning, stacklevel=3)
