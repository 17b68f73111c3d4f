"""`optiforge solve`: each file kind, flags, one-line errors, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import solver_models as M

from optiforge.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "lp"


def _run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["solve", *args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code or 0, out, err


def _write(tmp_path: Path, name: str, model: dict) -> str:
    p = tmp_path / name
    p.write_text(json.dumps(model))
    return str(p)


def test_json_formulation(tmp_path, capsys):
    code, out, _ = _run(capsys, _write(tmp_path, "t.json", M.transport()))
    assert code == 0
    assert out.startswith("optimal objective=153.675")
    assert "x[seattle,chicago] = 300" in out


def test_json_output(tmp_path, capsys):
    code, out, _ = _run(capsys, _write(tmp_path, "k.json", M.knapsack()), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["status"] == "optimal" and payload["objective"] == pytest.approx(220)
    assert payload["values"]["take"] == {"1": 0.0, "2": 1.0, "3": 1.0}
    assert {"build_time_s", "solve_time_s", "solver"} <= set(payload)


def test_mps_and_lp_files(tmp_path, capsys):
    code, out, _ = _run(capsys, str(DATA / "afiro.mps"))
    assert code == 0 and "objective=-464.753" in out
    lp = tmp_path / "afiro.lp"
    from optiforge.solvers import read_mps, write_lp

    write_lp(read_mps(DATA / "afiro.mps"), lp)
    code, out, _ = _run(capsys, str(lp), "--json")
    assert code == 0 and json.loads(out)["objective"] == pytest.approx(-464.75314286)


@pytest.mark.parametrize("backend", ["auto", "highs", "pyomo", "scip"])
def test_backends(tmp_path, capsys, backend):
    code, out, _ = _run(capsys, _write(tmp_path, "d.json", M.diet()), "--backend", backend, "--json")
    payload = json.loads(out)
    assert code == 0 and payload["objective"] == pytest.approx(M.DIET_OPT)
    assert payload["solver"] == {"auto": "highs", "highs": "highs", "pyomo": "pyomo+highs", "scip": "scip"}[backend]


def test_nonlinear_auto_and_refused_highs(tmp_path, capsys):
    path = _write(tmp_path, "r.json", M.rectangle())
    code, out, _ = _run(capsys, path)
    assert code == 0 and "objective=100" in out and "solver=scip" in out
    code, out, err = _run(capsys, path, "--backend", "highs")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "non-convex" in err and err.count("\n") == 1


def test_exit_codes_for_statuses(tmp_path, capsys):
    infeasible = {
        "variables": [{"name": "x"}],
        "objective": {"sense": "min", "expression": "x"},
        "constraints": [{"name": "low", "expression": "x <= 1"}, {"name": "high", "expression": "x >= 2"}],
    }
    code, out, _ = _run(capsys, _write(tmp_path, "i.json", infeasible))
    assert code == 10 and "irreducible infeasible subset: low, high" in out
    unbounded = {"variables": [{"name": "x"}], "objective": {"sense": "max", "expression": "x"}}
    code, out, _ = _run(capsys, _write(tmp_path, "u.json", unbounded))
    assert code == 11 and "unbounded along: x" in out


@pytest.mark.skipif(not Path("/work/shared/data/lp_instances/markshare_4_0.mps").exists(), reason="shared data absent")
def test_time_limit_exit_code(tmp_path, capsys):
    src = Path("/work/shared/data/lp_instances/markshare_4_0.mps")
    dst = tmp_path / "m.mps"
    shutil.copy(src, dst)
    code, out, _ = _run(capsys, str(dst), "--time-limit", "0.3", "--json")
    assert code == 12 and json.loads(out)["status"] == "time_limit"


def test_one_line_errors(tmp_path, capsys):
    code, _out, err = _run(capsys, str(tmp_path / "missing.json"))
    assert code == 2 and "no such file" in err.lower() and err.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    code, _, err = _run(capsys, str(bad))
    assert code == 2 and "not valid JSON" in err
    d = M.transport()
    d["constraints"][0]["expression"] = "sum(x[i, j] for j in Markets) <= cap[i]"
    code, _, err = _run(capsys, _write(tmp_path, "u.json", d))
    assert code == 2 and "unknown symbol 'cap'" in err and err.count("\n") == 1
    code, _, err = _run(capsys, _write(tmp_path, "v.json", {"variables": []}))
    assert code == 2 and err.startswith("error: invalid formulation")
    junk = tmp_path / "junk.mps"
    junk.write_text("NAME\nROWS\n garbage here\n")
    code, _, err = _run(capsys, str(junk))
    assert code == 2 and err.startswith("error: ")
    code, _, err = _run(capsys, str(tmp_path / "model.xyz"))
    assert code == 2


def test_help_documents_exit_codes(capsys):
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    for fragment in ("10 infeasible", "11 unbounded", "12 time", "--time-limit", "--backend", "--json"):
        assert fragment in out


def test_pyomo_model_file(tmp_path, capsys):
    p = tmp_path / "m.py"
    p.write_text(
        "import pyomo.environ as pyo\n"
        "model = pyo.ConcreteModel()\n"
        "model.x = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 7))\n"
        "model.o = pyo.Objective(expr=3 * model.x, sense=pyo.maximize)\n"
        "model.c = pyo.Constraint(expr=2 * model.x <= 9)\n"
    )
    code, out, _ = _run(capsys, str(p), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["objective"] == pytest.approx(12) and payload["model_class"] == "MILP"


def test_log_flag_prints_the_solver_log_to_stderr(tmp_path, capsys):
    code, out, err = _run(capsys, _write(tmp_path, "t.json", M.transport()), "--log")
    assert code == 0 and out.startswith("optimal")
    assert "HiGHS" in err or "Presolv" in err or "Model" in err
    code, out, err = _run(capsys, _write(tmp_path, "t.json", M.transport()))
    assert err == ""
