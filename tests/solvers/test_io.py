"""MPS/LP I/O, Formulation export round trips, classic instances, Pyomo model files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import solver_models as M

from optiforge.errors import InputError
from optiforge.solvers import (
    Formulation,
    from_file,
    load_pyomo_file,
    read_lp,
    read_mps,
    solve,
    write_lp,
    write_mps,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "lp"
KNOWN = json.loads((DATA / "KNOWN.json").read_text())
SHARED = Path("/work/shared/data/lp_instances")


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_classic_instances_reach_known_optima(name):
    known = KNOWN[name]
    r = solve(read_mps(DATA / name))
    assert r.status == "optimal"
    assert r.objective == pytest.approx(known["optimum"], rel=1e-6, abs=1e-6)
    assert r.model_class == known["kind"]


@pytest.mark.skipif(not (SHARED / "KNOWN.json").exists(), reason="shared data not present")
def test_hard_instance_under_time_limit_reports_time_limit():
    r = solve(read_mps(SHARED / "markshare_4_0.mps"), time_limit=0.5)
    assert r.status in ("time_limit", "optimal")
    if r.status == "time_limit":
        assert r.solve_time_s < 5


@pytest.mark.parametrize("build", [M.transport, M.production, M.diet, M.convex_qp])
@pytest.mark.parametrize("writer", [write_mps, write_lp])
def test_formulation_round_trip_equals_direct_solve(tmp_path, build, writer):
    f = Formulation.parse(build())
    direct = solve(f)
    path = writer(f, tmp_path / ("m" + (".mps" if writer is write_mps else ".lp")))
    via_file = solve(path)
    assert via_file.status == direct.status == "optimal"
    assert via_file.objective == pytest.approx(direct.objective, rel=1e-7, abs=1e-7)


def test_exported_names_are_readable(tmp_path):
    f = Formulation.parse(M.transport())
    m = read_mps(write_mps(f, tmp_path / "t.mps"))
    assert "x(seattle,new_york)" in m.col_names
    assert "supply(seattle)" in m.row_names
    r = solve(m)
    assert r.value("x(seattle,chicago)") == pytest.approx(300)


def test_array_model_write_back(tmp_path):
    m = read_mps(DATA / "afiro.mps")
    again = read_lp(write_lp(m, tmp_path / "afiro.lp"))
    assert solve(again).objective == pytest.approx(KNOWN["afiro.mps"]["optimum"], rel=1e-7)


def test_nonlinear_formulation_cannot_be_exported(tmp_path):
    from optiforge.errors import FormulationError

    with pytest.raises(FormulationError, match="nonlinear"):
        write_mps(Formulation.parse(M.disk()), tmp_path / "d.mps")


def test_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_mps(tmp_path / "missing.mps")
    bad = tmp_path / "bad.mps"
    bad.write_text("this is not an mps file\n@@@\n")
    with pytest.raises(InputError):
        read_mps(bad)
    with pytest.raises(InputError, match="unknown model file type"):
        from_file(tmp_path / "model.txt")
    nojson = tmp_path / "x.json"
    nojson.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        from_file(nojson)


PYOMO_MODEL = textwrap.dedent(
    """
    import pyomo.environ as pyo

    model = pyo.ConcreteModel()
    model.x = pyo.Var([1, 2], domain=pyo.NonNegativeReals)
    model.c = pyo.Constraint(expr=model.x[1] + 2 * model.x[2] >= 4)
    model.d = pyo.Constraint(expr=3 * model.x[1] + model.x[2] >= 6)
    model.obj = pyo.Objective(expr=model.x[1] + model.x[2])
    """
)


def test_pyomo_file_is_run_in_a_subprocess(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(PYOMO_MODEL + "\nimport os\nopen(os.path.join(os.getcwd(), 'marker'), 'w').write(str(os.getpid()))\n")
    m = load_pyomo_file(p)
    r = solve(m)
    # x1 + 2x2 = 4, 3x1 + x2 = 6 -> x = (1.6, 1.2), objective 2.8
    assert r.status == "optimal" and r.objective == pytest.approx(2.8)
    assert "x[1]" in " ".join(m.col_names) or "x(1)" in " ".join(m.col_names)
    assert not (tmp_path / "marker").exists()  # it ran elsewhere, in a private directory


def test_pyomo_file_errors(tmp_path):
    p = tmp_path / "broken.py"
    p.write_text("raise RuntimeError('boom in model file')\n")
    with pytest.raises(InputError, match="boom in model file"):
        load_pyomo_file(p)
    q = tmp_path / "empty.py"
    q.write_text("x = 1\n")
    with pytest.raises(InputError, match="no Pyomo model found"):
        load_pyomo_file(q)


def test_pyomo_file_timeout(tmp_path):
    from optiforge.errors import SolverError

    p = tmp_path / "slow.py"
    p.write_text("import time\ntime.sleep(30)\n")
    with pytest.raises(SolverError, match="longer than"):
        load_pyomo_file(p, timeout_s=1)
