"""The ``optiforge`` command. Subcommands are imported only when invoked, so ``--help`` stays fast."""

from __future__ import annotations

import importlib
import sys

import click

# name -> ("module:attribute", one-line help). The help text lives here so that listing
# commands never imports the heavy modules behind them.
COMMANDS: dict[str, tuple[str, str]] = {
    "doctor": ("optiforge._doctor:doctor", "Check the installation: Python, packages, solvers, sandbox, model endpoint."),
    "llm": ("optiforge.llm._cli:llm", "Talk to a model through optiforge's LLM layer (cache, cost, retries)."),
    "solve": ("optiforge.solvers._cli:solve", "Solve a model file (.json Formulation, .mps, .lp)."),
    "formulate": ("optiforge.agents._cli:formulate", "Turn an optimization word problem into a verified model and answer."),
    "code-opt": ("optiforge.agents.code._cli:code_opt", "Make a program faster with an LLM, checked and timed in the sandbox."),
    "sandbox": ("optiforge.sandbox._cli:sandbox", "Run programs in the isolated, resource-limited sandbox."),
    "datasets": ("optiforge.datasets._cli:datasets", "List, inspect, check and fetch benchmark data sets."),
    "bench": ("optiforge.bench._cli:bench", "Run, watch, report and compare benchmark grids (datasets x methods x models x seeds)."),
    "demo": ("optiforge._demo:demo", "Run the main job end to end (what `make demo` runs)."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are resolved from COMMANDS on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, _, attr = entry[0].partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry[0]} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in sorted(COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("optiforge")
    except PackageNotFoundError:
        return "unknown"


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="optiforge", message="optiforge %(version)s")
def app() -> None:
    """optiforge: LLM agents that optimize real things, measured.

    Formulate and solve optimization word problems, tune configurations, speed up
    programs, and benchmark it all: sandboxed, cached, resumable, cost-bounded.
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit status; user errors become one line on stderr.

    Commands signal other statuses by raising ``SystemExit(code)``; its code is returned.
    """
    from optiforge.errors import OptiforgeError

    try:
        app.main(args=argv, prog_name="optiforge", standalone_mode=False)
        return 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:  # commands signal statuses (infeasible, no answer, ...) this way
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except click.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except OptiforgeError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130

if __name__ == "__main__":
    sys.exit(main())
