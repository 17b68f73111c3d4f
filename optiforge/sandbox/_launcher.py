"""A tiny compiled launcher that switches uid, sets the rlimits and the parent-death
signal, then execs the program: one exec instead of setpriv + setpriv + prlimit.

It is built once with the system C compiler into optiforge's cache. Without a compiler
the sandbox uses the util-linux tools instead (slower by a few milliseconds per run).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

LAUNCHER_C = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * launch UID|- CPU AS|- NPROC FSIZE NOFILE -- PROGRAM ARGS...
 *     (inside the sandbox) switch to UID, set the rlimits (hard = soft), no_new_privs and
 *     the parent-death signal, then exec PROGRAM.
 * launch --guard UID|- FD|-1 -- COMMAND ARGS...
 *     (outside) run COMMAND as a child; if our own parent dies, kill every process of
 *     UID (unique to this run) so the sandbox cannot outlive optiforge. Writes the
 *     child's "maxrss_kb user_us sys_us" to FD, exits with the child's status (128+N
 *     if it died of signal N).
 */
static void die(const char *what) {
    fprintf(stderr, "optiforge-launch: %s: %s\n", what, strerror(errno));
    _exit(126);
}

static void limit(int resource, const char *value, const char *what) {
    if (strcmp(value, "-") == 0) return;
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = (rlim_t)strtoull(value, NULL, 10);
    if (setrlimit(resource, &rl) != 0) die(what);
}

static void become(uid_t id) {
    if (setgroups(0, NULL) != 0) die("setgroups");
    if (setresgid(id, id, id) != 0) die("setresgid");
    if (setresuid(id, id, id) != 0) die("setresuid");
    if (getuid() != id || geteuid() != id) die("uid check");
}

static volatile sig_atomic_t orphaned = 0;
static void on_term(int sig) { (void)sig; orphaned = 1; }

static int guard(const char *uid_arg, const char *report_arg, char **cmd) {
    int killer = strcmp(uid_arg, "-") != 0;
    uid_t id = killer ? (uid_t)strtoul(uid_arg, NULL, 10) : 0;
    int report = atoi(report_arg);
    if (report >= 0) fcntl(report, F_SETFD, FD_CLOEXEC); /* never reaches the program */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, killer ? SIGTERM : SIGKILL, 0, 0, 0) != 0) die("pdeathsig");
    if (getppid() != parent) orphaned = 1;
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        signal(SIGTERM, SIG_DFL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) die("pdeathsig");
        execvp(cmd[0], cmd);
        die("exec");
    }
    int status = 0, killed = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        if (killer && orphaned && !killed) {
            killed = 1;
            pid_t k = fork();
            if (k == 0) {
                become(id);
                kill(-1, SIGKILL);
                _exit(0);
            }
            if (k > 0) waitpid(k, NULL, 0);
        }
        if (wait4(child, &status, 0, &ru) == child) break;
        if (errno != EINTR) die("wait4");
    }
    /* The sandbox's own usage: ours would include the memory of the process that forked
       us, which a fork shares until exec. */
    if (report >= 0) {
        dprintf(report, "%ld %ld %ld\n", ru.ru_maxrss,
                (long)ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
                (long)ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec);
        close(report);
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int main(int argc, char **argv) {
    if (argc >= 6 && strcmp(argv[1], "--guard") == 0 && strcmp(argv[4], "--") == 0)
        return guard(argv[2], argv[3], argv + 5);
    if (argc < 9 || strcmp(argv[7], "--") != 0) {
        fprintf(stderr, "optiforge-launch: bad arguments\n");
        return 126;
    }
    if (strcmp(argv[1], "-") != 0) become((uid_t)strtoul(argv[1], NULL, 10));
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs");
    limit(RLIMIT_CPU, argv[2], "RLIMIT_CPU");
    limit(RLIMIT_AS, argv[3], "RLIMIT_AS");
    limit(RLIMIT_NPROC, argv[4], "RLIMIT_NPROC");
    limit(RLIMIT_FSIZE, argv[5], "RLIMIT_FSIZE");
    limit(RLIMIT_NOFILE, argv[6], "RLIMIT_NOFILE");
    limit(RLIMIT_CORE, "0", "RLIMIT_CORE");
    /* set after the uid change, which would clear it */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) die("pdeathsig");
    execvp(argv[8], argv + 8);
    fprintf(stderr, "optiforge-launch: cannot run %s: %s\n", argv[8], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
"""

_lock = threading.Lock()
_built: dict[str, str | None] = {}


def _compiler() -> list[str] | None:
    for name in ("cc", "gcc", "clang"):
        path = shutil.which(name)
        if path:
            return [path]
    gxx = shutil.which("g++")
    return [gxx, "-x", "c"] if gxx else None


def launcher_path(cache_dir: Path) -> str | None:
    """Path of the compiled launcher (built on first use), or None if it cannot be built."""
    try:
        return _launcher_path(cache_dir)
    except (OSError, subprocess.SubprocessError):
        return None


def _launcher_path(cache_dir: Path) -> str | None:
    key = hashlib.sha256(LAUNCHER_C.encode()).hexdigest()[:16]
    target = cache_dir / f"launch-{key}"
    with _lock:
        # The binary depends only on the source: one built under another cache dir in this
        # process (tests give every test its own home) is just as good.
        for path in _built.values():
            if path and os.path.exists(path):
                return path
        known = _built.get(str(target), "")
        if known is None:
            return None
        if known and os.path.exists(known):
            return known
        if target.is_file() and os.access(target, os.X_OK):
            _built[str(target)] = str(target)
            return str(target)
        cc = _compiler()
        if cc is None:
            _built[str(target)] = None
            return None
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
            src = Path(tmp) / "launch.c"
            src.write_text(LAUNCHER_C)
            out = Path(tmp) / "launch"
            # Static when possible: no dynamic loader on the start path of every run.
            for extra in (["-static"], []):
                proc = subprocess.run([*cc, "-O2", *extra, "-o", str(out), str(src)], capture_output=True, timeout=120)
                if proc.returncode == 0:
                    break
            else:
                _built[str(target)] = None
                return None
            os.chmod(out, 0o755)
            os.replace(out, target)
        _built[str(target)] = str(target)
        return str(target)
