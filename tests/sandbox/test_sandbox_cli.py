"""``optiforge sandbox run|info|tasks`` as a user runs them."""

from __future__ import annotations

import json
import shutil

import pytest

from optiforge.cli import main

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_run_prints_output_and_status(tmp_path, capsys):
    prog = tmp_path / "p.py"
    prog.write_text("import sys\nprint('hello', input(), sys.argv[1:])\n")
    stdin = tmp_path / "in.txt"
    stdin.write_text("world\n")
    code, out, err = _run(["sandbox", "run", str(prog), "--stdin", str(stdin), "a1"], capsys)
    assert code == 0
    assert out == "hello world ['a1']\n"
    assert "[sandbox] ok exit=0" in err


def test_exit_codes_mirror_the_program(tmp_path, capsys):
    prog = tmp_path / "p.py"
    prog.write_text("raise SystemExit(7)\n")
    assert _run(["sandbox", "run", str(prog)], capsys)[0] == 7
    prog.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\nimport time\ntime.sleep(5)\n")
    code, _, err = _run(["sandbox", "run", str(prog), "--time-limit", "1"], capsys)
    # pid 1 of a namespace ignores its own SIGTERM; then the wall clock stops it
    assert code in (128 + 15, 124)
    prog.write_text("while True: pass\n")
    code, _, err = _run(["sandbox", "run", str(prog), "--time-limit", "1"], capsys)
    assert code == 124 and "cpu limit" in err
    prog.write_text("x = bytearray(1 << 30)\n")
    code, _, err = _run(["sandbox", "run", str(prog), "--memory-mb", "128"], capsys)
    assert code == 125 and "memory limit" in err


def test_json_output(tmp_path, capsys):
    prog = tmp_path / "p.py"
    prog.write_text("print('hi')\n")
    code, out, _ = _run(["sandbox", "run", str(prog), "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["stdout"] == "hi\n" and data["status"] == "ok" and data["limit"] == "none"
    assert {"cpu_s", "wall_s", "peak_memory_mb", "isolation", "exit_code", "signal"} <= set(data)


@needs_gxx
def test_cpp_file_and_compile_error(tmp_path, capsys):
    prog = tmp_path / "p.cpp"
    prog.write_text("#include <cstdio>\nint main(){ puts(\"cpp!\"); }\n")
    code, out, _ = _run(["sandbox", "run", str(prog)], capsys)
    assert code == 0 and out == "cpp!\n"
    prog.write_text("int main( {\n")
    code, _, err = _run(["sandbox", "run", str(prog)], capsys)
    assert code == 126 and "compile error" in err


def test_missing_file_is_a_one_line_error(tmp_path, capsys):
    code, _, err = _run(["sandbox", "run", str(tmp_path / "nope.py")], capsys)
    assert code == 2
    assert err.strip().count("\n") == 0 and err.startswith("error: no such file")
    code, _, err = _run(["sandbox", "run", str(tmp_path / "nope.py"), "--stdin", str(tmp_path / "x")], capsys)
    assert code == 2


def test_info_and_tasks(capsys):
    main(["sandbox", "info"])
    assert "isolation:" in capsys.readouterr().out
    main(["sandbox", "tasks"])
    out = capsys.readouterr().out
    assert "max_subarray" in out and "cpp_lis" in out
