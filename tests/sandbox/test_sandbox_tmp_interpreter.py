"""Regression: an interpreter (venv) under /tmp must stay visible behind the sandbox's private /tmp.

A clean clone in /tmp (or a CI checkout there) has its .venv under /tmp; the private tmpfs
once hid it and every sandboxed Python run failed with exit 127.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from optiforge.sandbox import run


def test_interpreter_in_a_venv_under_tmp_runs():
    with tempfile.TemporaryDirectory(dir="/tmp") as d:
        venv = Path(d) / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        r = run("import sys; print(sys.prefix)", python=str(venv / "bin" / "python"))
        assert r.exit_code == 0, r.stderr
        assert r.stdout.strip() == str(venv)
        # The program still gets a private, empty /tmp of its own.
        r2 = run("import os; print(sorted(os.listdir('/tmp')))", python=str(venv / "bin" / "python"))
        assert r2.exit_code == 0
        assert r2.stdout.strip() == str([Path(d).name])  # only the bound venv's parent, nothing of the host
