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


@needs_system_python
def test_fallback_contains_loops_bombs_and_daemons(forced, marker):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.monotonic()
        loop = sandbox.run("while True: pass", python=SYSTEM_PY, args=[marker], limits=LIM.scaled(cpu_s=1, wall_s=10))
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
    assert time.monotonic() - t0 < 30
    assert loop.limit == "cpu"
    assert sleep.limit == "wall"
    assert not bomb.ok
    assert daemon.stdout == "bye\n"
    assert flood.limit == "output"
    time.sleep(0.2)
    assert not _live(marker), "a process outlived its run"
