"""The weaker isolation modes (forced): limits still hold, the environment stays clean,
and the user is warned once."""

from __future__ import annotations

import os
import shutil
import time
import warnings

import pytest

from optiforge import sandbox
from optiforge.errors import ConfigError
from optiforge.sandbox import Limits, _isolation

# A system interpreter any uid can reach (a pyenv interpreter under /root is not, and
# without bubblewrap's mounts the run then cannot switch uid).
SYSTEM_PY = next((p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if os.access(p, os.X_OK)), None)
needs_system_python = pytest.mark.skipif(SYSTEM_PY is None, reason="no system python3")
LIM = Limits(cpu_s=2, wall_s=4, memory_mb=384, processes=32, output_bytes=100_000)
pytestmark = pytest.mark.filterwarnings("ignore:optiforge sandbox:RuntimeWarning")
SECRET = "sk-fallback-test-secret-0123456789"


def _live(marker: str) -> bool:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        with open(f"/proc/{entry}/stat") as st:
                            if st.read().rsplit(")", 1)[1].split()[0] != "Z":
                                return True
            except OSError:
                continue
    return False


@pytest.fixture(params=["unshare", "rlimits"])
def forced(request, monkeypatch):
    if request.param == "unshare" and shutil.which("unshare") is None:
        pytest.skip("unshare not installed")
    monkeypatch.setenv(_isolation.FORCE_ENV, request.param)
    info = sandbox.isolation()
    if not info.working or info.kind != request.param:
        pytest.skip(f"{request.param} does not work here: {info.detail}")
    return request.param


def test_isolation_reports_the_forced_mode(forced):
    info = sandbox.isolation()
    assert info.kind == forced and info.working
    assert "forced" in info.detail


def test_unknown_mode_is_a_config_error(monkeypatch):
    monkeypatch.setenv(_isolation.FORCE_ENV, "docker")
    with pytest.raises(ConfigError):
        sandbox.isolation()


def test_fallback_warns_once(monkeypatch):
    monkeypatch.setattr(_isolation, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sandbox.isolation("rlimits")
        sandbox.isolation("rlimits")
    messages = [str(w.message) for w in caught if "WITHOUT bubblewrap" in str(w.message)]
    assert len(messages) == 1


@needs_system_python
def test_fallback_runs_and_keeps_secrets_out(forced, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sandbox.run("import os\nprint(input(), dict(os.environ))", stdin="hi\n", python=SYSTEM_PY, limits=LIM)
    assert r.ok, r.stderr
    assert r.isolation == forced
    assert r.stdout.startswith("hi ") and SECRET not in r.stdout


@pytest.mark.slow
@needs_system_python
def test_fallback_contains_loops_bombs_and_daemons(forced, marker):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.monotonic()
        loop = sandbox.run("while True: pass", python=SYSTEM_PY, args=[marker], limits=LIM.scaled(cpu_s=1, wall_s=30))
        sleep = sandbox.run("import time\ntime.sleep(60)", python=SYSTEM_PY, args=[marker], limits=LIM)
        bomb = sandbox.run(
            "import os, time\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.01)\n",
            python=SYSTEM_PY, args=[marker], limits=LIM,
        )
        daemon = sandbox.run(
            "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            "        os.close(1); os.close(2)\n        time.sleep(30)\n    os._exit(0)\nprint('bye')\n",
            python=SYSTEM_PY, args=[marker], limits=LIM,
        )
        flood = sandbox.run("while True: print('x' * 1000)", python=SYSTEM_PY, args=[marker], limits=LIM)
    assert time.monotonic() - t0 < 60
    assert loop.limit == "cpu", loop
    assert sleep.limit == "wall", sleep
    assert not bomb.ok, bomb
    assert daemon.stdout == "bye\n", daemon
    assert flood.limit == "output", flood
    time.sleep(0.2)
    assert not _live(marker), "a process outlived its run"


def test_without_a_c_compiler_the_util_linux_chain_does_the_same(monkeypatch, marker):
    from optiforge.sandbox import _sandbox

    monkeypatch.setattr(_sandbox, "_launcher", lambda: None)
    r = sandbox.run(
        "import resource\nprint(input(), resource.getrlimit(resource.RLIMIT_NPROC))\n"
        "try:\n    resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY,) * 2)\n    print('RAISED')\n"
        "except (ValueError, OSError):\n    print('refused')\n",
        stdin="hi\n", limits=LIM,
    )
    assert r.ok, r.stderr
    assert r.stdout == f"hi ({LIM.processes}, {LIM.processes})\nrefused\n"
    bomb = sandbox.run(
        "import os, time\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.01)\n",
        args=[marker], limits=LIM,
    )
    assert not bomb.ok
    time.sleep(0.2)
    assert not _live(marker)


@needs_system_python
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("bwrap") is None, reason="needs root (to become an unprivileged user) and bwrap")
def test_unprivileged_user_gets_bwrap_with_a_user_namespace():
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    import optiforge

    repo = str(Path(optiforge.__file__).resolve().parents[1])
    site = next((p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)), None)
    nobody_ok = all(os.stat(p).st_mode & 0o005 == 0o005 for p in (repo, site or "/"))
    if site is None or not nobody_ok or not sys.version.startswith(".".join(map(str, sys.version_info[:2]))):
        pytest.skip("optiforge's files are not readable by other users")
    home = Path(tempfile.mkdtemp(prefix="optiforge-nobody-"))
    os.chown(home, 65534, 65534)
    script = (
        "from optiforge import sandbox as s\n"
        "L = s.Limits(cpu_s=2, wall_s=6, processes=16)\n"
        f"py = {SYSTEM_PY!r}\n"
        "print(s.isolation().detail)\n"
        "r = s.run('import os, resource; print(input(), resource.getrlimit(resource.RLIMIT_NPROC))', stdin='hi', python=py, limits=L)\n"
        "print(r.stdout.strip(), r.isolation)\n"
        "code = 'import os, time\\nn = 0\\nfor _ in range(100):\\n    try:\\n        if os.fork() == 0:\\n            time.sleep(2)\\n            os._exit(0)\\n        n += 1\\n    except OSError:\\n        break\\nprint(n)'\n"
        "print(s.run(code, python=py, limits=L).stdout.strip())\n"
    )
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "PYTHONPATH": f"{repo}:{site}"}
    try:
        proc = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", SYSTEM_PY, "-W", "ignore", "-c", script],
            capture_output=True, text=True, env=env, cwd=home, timeout=60,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if "No module named" in proc.stderr:
        pytest.skip("the system python cannot import optiforge's dependencies")
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert "unprivileged" in lines[0]
    assert lines[1] == "hi (16, 16) bwrap"
    assert int(lines[2]) < 16
