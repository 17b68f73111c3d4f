"""`optiforge doctor`: an honest report of what this installation can do.

Each check returns a `Check` with a level: ok, warn (works, but degraded or not
configured) or fail (a required part is broken). The command exits 1 when any check fails.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata

import click

CORE_PACKAGES = ["pydantic", "pydantic-settings", "aiohttp", "litellm", "highspy", "pyscipopt", "pyomo", "langgraph", "textual", "optuna", "matplotlib"]
OPTIONAL_PACKAGES = ["ray", "vllm"]


@dataclass
class Check:
    """One line of the doctor's report."""

    name: str
    level: str  # ok | warn | fail
    detail: str


def _pkg_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", "ok" if ok else "fail", f"{platform.python_version()} at {sys.executable}")


def check_packages() -> Check:
    missing = [p for p in CORE_PACKAGES if _pkg_version(p) is None]
    found = ", ".join(f"{p} {_pkg_version(p)}" for p in CORE_PACKAGES if p not in missing)
    if missing:
        return Check("packages", "fail", f"missing: {', '.join(missing)} (run `make test` or `uv sync`); found: {found}")
    return Check("packages", "ok", found)


def check_optional() -> Check:
    parts = [f"{p} {_pkg_version(p) or 'not installed'}" for p in OPTIONAL_PACKAGES]
    return Check("optional extras", "ok", "; ".join(parts) + " (install with `uv sync --extra ray` / `--extra vllm`)")


def check_solvers() -> Check:
    from optiforge.solvers import Formulation, solve

    # max L*W s.t. 2L+2W <= 40: exercises both the HiGHS path (the bound) and the SCIP path (non-convex).
    lp = Formulation.model_validate({
        "variables": [{"name": "x", "lower": 0}, {"name": "y", "lower": 0}],
        "objective": {"sense": "max", "expression": "3*x + 2*y"},
        "constraints": [{"name": "c1", "expression": "x + y <= 4"}, {"name": "c2", "expression": "x + 3*y <= 6"}],
    })
    res = solve(lp)
    highs = f"HiGHS {_pkg_version('highspy')}: LP {res.status} obj={res.objective}"
    if res.status != "optimal" or abs((res.objective or 0) - 12.0) > 1e-6:
        return Check("solvers", "fail", highs + " (expected optimal 12)")
    nl = Formulation.model_validate({
        "variables": [{"name": "L", "lower": 0}, {"name": "W", "lower": 0}],
        "objective": {"sense": "max", "expression": "L*W"},
        "constraints": [{"name": "perimeter", "expression": "2*L + 2*W <= 40"}],
    })
    res2 = solve(nl)
    scip = f"SCIP (pyscipopt {_pkg_version('pyscipopt')}): non-convex {res2.status} obj={res2.objective}"
    level = "ok" if res2.status == "optimal" and abs((res2.objective or 0) - 100.0) < 1e-4 else "fail"
    return Check("solvers", level, f"{highs}; {scip}")


def check_sandbox() -> Check:
    from optiforge.sandbox import isolation

    info = isolation()
    if info.kind == "bwrap" and info.working:
        return Check("sandbox", "ok", f"bubblewrap isolation active: {info.detail}")
    return Check("sandbox", "warn", f"{info.kind} only ({info.detail}); install bubblewrap for full isolation")


def check_tools() -> Check:
    tools = {t: shutil.which(t) for t in ("valgrind", "g++")}
    missing = [t for t, p in tools.items() if p is None]
    detail = ", ".join(f"{t}: {p or 'missing'}" for t, p in tools.items())
    return Check("tools", "warn" if missing else "ok", detail + (" (instruction counts / C++ tasks need them)" if missing else ""))


def check_model() -> Check:
    from optiforge.config import get_settings
    from optiforge.llm import check_endpoint

    s = get_settings()
    if not s.model and not s.api_base:
        return Check("model", "warn", "none configured (set OPTIFORGE_MODEL and, for local servers, OPTIFORGE_API_BASE); demos use the offline replay model")
    status = check_endpoint(model=s.model, api_base=s.api_base, timeout_s=5)
    where = f"{s.model or '(server default)'}" + (f" at {s.api_base}" if s.api_base else "")
    lat = f" in {status.latency_s * 1000:.0f} ms" if status.latency_s is not None else ""
    return Check("model", "ok" if status.ok else "fail", f"{where}: {status.detail}{lat}")


def check_paths() -> Check:
    from optiforge.config import get_settings

    s = get_settings()
    cache, store = s.resolved_cache_dir, s.resolved_store_path
    problems = []
    for p in (cache, store.parent):
        try:
            p.mkdir(parents=True, exist_ok=True)
            probe = p / ".doctor-probe"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            problems.append(f"{p} not writable ({exc.strerror})")
    detail = f"cache {cache}; store {store}"
    return Check("paths", "fail" if problems else "ok", detail + ("; " + "; ".join(problems) if problems else ""))


def check_gpu() -> Check:
    smi = shutil.which("nvidia-smi")
    vllm = _pkg_version("vllm") or shutil.which("vllm")
    if smi is None:
        return Check("gpu", "ok", f"no NVIDIA GPU visible (nvidia-smi not found); vLLM {'available' if vllm else 'not installed'}; local models can use llama.cpp on CPU")
    try:
        out = subprocess.run([smi, "--query-gpu=name,memory.total", "--format=csv,noheader"], capture_output=True, text=True, timeout=10)
        gpus = "; ".join(line.strip() for line in out.stdout.splitlines() if line.strip()) or out.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        gpus = f"nvidia-smi failed: {exc}"
    return Check("gpu", "ok", f"{gpus}; vLLM {'available' if vllm else 'not installed (uv sync --extra vllm)'}")


CHECKS: list[Callable[[], Check]] = [check_python, check_packages, check_optional, check_solvers, check_sandbox, check_tools, check_model, check_paths, check_gpu]


def run_checks() -> list[Check]:
    """Run every check; a check that crashes is reported as a failure, never raised."""
    results = []
    for fn in CHECKS:
        try:
            results.append(fn())
        except Exception as exc:  # the doctor reports, it does not crash
            name = fn.__name__.removeprefix("check_")
            results.append(Check(name, "fail", f"{type(exc).__name__}: {exc}"))
    return results


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def doctor(as_json: bool) -> None:
    """Check the installation and configuration; exit 1 if a required part is broken."""
    t0 = time.perf_counter()
    results = run_checks()
    if as_json:
        click.echo(json.dumps([asdict(c) for c in results], indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="optiforge doctor", show_lines=False)
        table.add_column("check")
        table.add_column("status")
        table.add_column("detail", overflow="fold")
        style = {"ok": "[green]ok[/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}
        for c in results:
            table.add_row(c.name, style[c.level], c.detail)
        console = Console()
        console.print(table)
        console.print(f"optiforge {_pkg_version('optiforge') or '?'} · checked in {time.perf_counter() - t0:.1f} s")
    if any(c.level == "fail" for c in results):
        raise SystemExit(1)
