"""Regression: the package's public functions stay functions whatever was imported first."""

from __future__ import annotations

import subprocess
import sys


def test_functions_are_not_shadowed_by_their_modules():
    code = (
        "import optiforge.solvers._solve, optiforge.solvers._verify, optiforge.solvers._classify\n"
        "from optiforge.solvers import solve, verify, classify, evaluate\n"
        "print(all(callable(f) and type(f).__name__ == 'function' for f in (solve, verify, classify, evaluate)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
