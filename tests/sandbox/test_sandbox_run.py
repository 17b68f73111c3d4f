"""run/arun: results, limits, inputs, environment, C++ compilation and caching."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest

from optiforge import sandbox
from optiforge.errors import InputError
from optiforge.sandbox import Limits

SMALL = Limits(cpu_s=3, wall_s=5, memory_mb=512, processes=32)

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")


def test_run_reports_stdout_exit_and_resources():
    r = sandbox.run("import sys\nprint(input().upper())\nprint('err', file=sys.stderr)\nsys.exit(3)", stdin="abc\n", limits=SMALL)
    assert r.stdout == "ABC\n"
    assert "err" in r.stderr
    assert r.exit_code == 3 and r.signal is None and r.limit == "none"
    assert r.status == "exit" and not r.ok
    assert r.wall_s > 0 and r.cpu_s > 0 and r.peak_memory_mb > 1
    assert r.isolation == sandbox.isolation().kind


def test_args_files_and_collect():
    prog = "import sys\ndata = open('in.txt').read()\nopen('out.txt', 'w').write(data[::-1] + sys.argv[1])\n"
    r = sandbox.run(prog, args=["!"], files={"in.txt": "abc"}, collect=["out.txt", "../etc/passwd"], limits=SMALL)
    assert r.ok, r.stderr
    assert r.files == {"out.txt": b"cba!"}


def test_collect_does_not_follow_symlinks_out_of_the_work_dir():
    r = sandbox.run("import os\nos.symlink('/etc/hostname', 'leak.txt')\n", collect=["leak.txt"], limits=SMALL)
    assert r.ok, r.stderr
    assert r.files == {}


def test_file_names_must_be_plain():
    for bad in ("../x", "a/b", "main.py", ""):
        with pytest.raises(InputError):
            sandbox.run("pass", files={bad: "x"}, limits=SMALL)


@needs_gxx
def test_language_follows_a_cpp_path(tmp_path):
    path = tmp_path / "prog.cpp"
    path.write_text("#include <cstdio>\nint main(){ puts(\"from c++\"); }\n")
    assert sandbox.run(path, limits=SMALL).stdout == "from c++\n"


def test_program_path_is_read(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text("print(6 * 7)\n")
    assert sandbox.run(path, limits=SMALL).stdout == "42\n"
    assert sandbox.run(str(path), limits=SMALL).stdout == "42\n"
    with pytest.raises(InputError):
        sandbox.run(tmp_path / "missing.py")


def test_environment_is_an_allow_list(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unit-test-secret")
    monkeypatch.setenv("SOME_TOKEN", "tok-unit-test-secret")
    r = sandbox.run("import os\nprint(sorted(os.environ.items()))", env={"EXTRA": "1"}, limits=SMALL)
    assert r.ok
    assert "secret" not in r.stdout
    assert "'EXTRA', '1'" in r.stdout
    assert "'PYTHONHASHSEED', '0'" in r.stdout


def test_time_limits_fire():
    t0 = time.monotonic()
    r = sandbox.run("while True: pass", limits=Limits(cpu_s=1, wall_s=10))
    assert r.limit == "cpu" and not r.ok
    r2 = sandbox.run("import time\ntime.sleep(60)", limits=Limits(cpu_s=5, wall_s=1))
    assert r2.limit == "wall"
    assert time.monotonic() - t0 < 8


def test_output_cap_truncates_and_kills():
    r = sandbox.run("import sys\nwhile True: sys.stdout.write('x' * 65536)", limits=Limits(cpu_s=5, wall_s=10, output_bytes=100_000))
    assert r.limit == "output"
    assert r.stdout_truncated and len(r.stdout) == 100_000


def test_memory_limit_fires():
    r = sandbox.run("x = bytearray(900 * 2**20)", limits=Limits(cpu_s=5, wall_s=10, memory_mb=256))
    assert r.limit == "memory" and not r.ok


def test_bad_language_is_an_input_error():
    with pytest.raises(InputError):
        sandbox.run("print(1)", language="rust")  # type: ignore[arg-type]


def test_limits_validate():
    with pytest.raises(ValueError):
        Limits(cpu_s=0)
    assert Limits().scaled(cpu_s=2).cpu_s == 2


def test_arun_runs_concurrently():
    async def main():
        t0 = time.perf_counter()
        results = await asyncio.gather(*(sandbox.arun("import time\ntime.sleep(0.5)\nprint('done')", limits=SMALL) for _ in range(6)))
        return results, time.perf_counter() - t0

    results, elapsed = asyncio.run(main())
    assert all(r.ok and r.stdout == "done\n" for r in results)
    assert elapsed < 2.5  # six half-second sleeps overlapped, not 3 s in a row


@needs_gxx
def test_cpp_compiles_runs_and_caches(_isolated_home):
    src = "#include <iostream>\nint main(){long a,b; std::cin>>a>>b; std::cout<<a*b<<std::endl; return 0;}\n"
    r = sandbox.run(src, language="cpp", stdin="6 7", limits=SMALL)
    assert r.ok and r.stdout.strip() == "42"
    cached = list((_isolated_home / "cache" / "sandbox-cpp").glob("*.bin"))
    assert len(cached) == 1
    mtime = cached[0].stat().st_mtime_ns
    t0 = time.perf_counter()
    r2 = sandbox.run(src, language="cpp", stdin="2 3", limits=SMALL)
    assert r2.stdout.strip() == "6"
    assert cached[0].stat().st_mtime_ns == mtime
    assert time.perf_counter() - t0 < 1.0  # no recompilation


@needs_gxx
def test_cpp_compile_error_is_a_result_not_an_exception():
    r = sandbox.run("int main() { return undefined_name; }", language="cpp", limits=SMALL)
    assert r.phase == "compile" and r.status == "compile_error" and not r.ok
    assert "undefined_name" in r.stderr


@needs_gxx
def test_cpp_runtime_signal_is_reported():
    r = sandbox.run("#include <cstdlib>\nint main(){ std::abort(); }", language="cpp", limits=SMALL)
    assert r.signal is not None and r.status == "signal"


def test_a_shell_shim_interpreter_is_resolved_to_the_real_binary(tmp_path):
    import os
    import sys

    from optiforge.sandbox._python import resolve_interpreter

    shim = tmp_path / "python3"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    shim.chmod(0o755)
    interp = resolve_interpreter(str(shim))
    assert interp.real == os.path.realpath(sys.executable)
    with open(interp.real, "rb") as fh:
        assert fh.read(4) == b"\x7fELF"
    r = sandbox.run("import sys\nprint(sys.version_info[:2])", python=str(shim), limits=SMALL)
    assert r.ok and r.stdout.strip() == str(tuple(sys.version_info[:2]))


def test_peak_memory_is_the_programs_own():
    from optiforge.sandbox._sandbox import _launcher

    if _launcher() is None:
        pytest.skip("no C compiler for the launcher: peak memory then includes the forking process")
    small = sandbox.run("print(1)", limits=SMALL)
    big = sandbox.run("x = bytearray(150 * 2**20)\nx[::4096] = b'a' * len(x[::4096])", limits=SMALL)
    assert small.ok and big.ok
    # not the size of the optiforge process that started it
    assert small.peak_memory_mb < 30
    assert 150 <= big.peak_memory_mb < 200
