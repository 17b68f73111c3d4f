"""The CLI shell: fast help, version, lazy subcommands, one-line errors."""

from __future__ import annotations

import subprocess
import sys

from optiforge.cli import COMMANDS, main

HEAVY = ["litellm", "pyomo", "langgraph", "textual", "ray", "highspy", "pyscipopt", "optuna", "matplotlib", "numpy", "aiohttp", "pydantic"]


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from optiforge.cli import main\n"
        "main(['--help'])\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands:" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_import_optiforge_is_cheap_and_lazy():
    code = f"import sys, optiforge; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_every_registered_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_every_registered_command_resolves():
    from optiforge.cli import LazyGroup, app

    assert isinstance(app, LazyGroup)
    import click

    ctx = click.Context(app)
    for name in COMMANDS:
        assert app.get_command(ctx, name) is not None, name


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("optiforge ")


def test_unknown_command_is_one_line_usage_error(capsys):
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert "No such command" in err
    assert "Traceback" not in err


def test_bad_setting_is_one_line_error():
    env = {"OPTIFORGE_CONCURRENCY": "lots", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "optiforge", "doctor", "--json"], capture_output=True, text=True, env=env)
    # doctor reports broken settings as failed checks instead of crashing
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "concurrency" in out.stdout
