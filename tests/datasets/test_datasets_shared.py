"""Loaders on the real benchmark files in ../shared/data: exact counts, skips, ids and quirks."""

from __future__ import annotations

import pytest

from optiforge.datasets import load

EXPECTED = {
    # name: (items in file, usable with the shipped exclusions, skipped)
    "optibench": (605, 604, 1),
    "optmath_bench": (166, 166, 0),
    "nl4opt": (245, 228, 17),
    "nl4opt_e": (289, 289, 0),
    "mamo_easy_lp": (652, 641, 11),
    "mamo_complex_lp": (211, 203, 8),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts(shared, name):
    total, usable, skipped = EXPECTED[name]
    ds = load(name, data_dir=shared)
    assert (ds.total, len(ds), len(ds.skipped)) == (total, usable, skipped)
    assert len({p.id for p in ds}) == usable
    assert all(p.id.startswith(f"{name}/") and p.dataset == name and p.text.strip() for p in ds)
    full = load(name, data_dir=shared, shipped_exclude=False)
    assert len(full) == total - sum(1 for s in ds.skipped if not s.reason.startswith("excluded"))


def test_nl4opt_no_best_solution_items_are_counted(shared):
    ds = load("nl4opt", data_dir=shared)
    assert [s.id for s in ds.skipped] == [
        f"nl4opt/{i}"
        for i in (16, 27, 32, 36, 48, 49, 78, 108, 111, 116, 150, 152, 162, 188, 196, 204, 211)
    ]
    assert all("No Best Solution" in s.reason for s in ds.skipped)
    kept = load("nl4opt", data_dir=shared, no_solution="keep")
    assert len(kept) == 245
    assert kept["nl4opt/16"].gold_status == "no_solution" and kept["nl4opt/16"].gold == ()
    assert ds["nl4opt/113"].gold[0].value == pytest.approx(166.66666666666669)


def test_optibench_objective_is_found_not_assumed_last(shared):
    ds = load("optibench", data_dir=shared, shipped_exclude=False)
    p78 = ds["optibench/78"]
    assert (
        p78.objective is not None and p78.objective.label == "The weekly cost of meeting demand is"
    )
    assert p78.objective.value == 4750.0 and len(p78.gold) == 17
    assert ds["optibench/4"].objective.value == 2.0
    assert ds["optibench/42"].objective is None  # decision values only
    assert ds["optibench/423"].objective.value == 330.0  # corrupted item: not the last value 3000
    assert all(sum(gv.is_objective for gv in p.gold) <= 1 for p in ds)
    assert sum(p.objective is None for p in ds) == 9
    assert ds["optibench/0"].metadata["kind"] == "linear" and ds["optibench/0"].rule == "abs_tol"
    skipped = load("optibench", data_dir=shared).skipped
    assert [s.id for s in skipped] == ["optibench/423"] and "corrupted" in skipped[0].reason


def test_nl4opt_e_objective_first_in_156(shared):
    ds = load("nl4opt_e", data_dir=shared)
    assert ds["nl4opt_e/156"].objective.label == "Minimum number of vans used"
    assert all(sum(gv.is_objective for gv in p.gold) == 1 for p in ds)


def test_optmath_zero_golds_and_mamo_quirks(shared):
    om = load("optmath_bench", data_dir=shared)
    assert sorted(int(p.id.split("/")[1]) for p in om if p.gold[0].value == 0.0) == [
        1,
        5,
        11,
        13,
        16,
        17,
        18,
        27,
        88,
    ]
    assert om.rule == "orlm"
    mc = load("mamo_complex_lp", data_dir=shared)
    assert mc["mamo_complex_lp/208"].gold[0].value == 172666.667
    me = load("mamo_easy_lp", data_dir=shared, shipped_exclude=False)
    assert me["mamo_easy_lp/375"].gold[0].value == -162.0 and me.rule == "mamo"
    assert "mamo_easy_lp/69" not in {p.id for p in load("mamo_easy_lp", data_dir=shared)}


def test_limit_ids_and_user_exclusions(shared, tmp_path):
    assert [p.id for p in load("optibench", data_dir=shared, limit=3)] == [
        "optibench/0",
        "optibench/1",
        "optibench/2",
    ]
    ds = load("optibench", data_dir=shared, ids=["5", "optibench/7"])
    assert [p.id for p in ds] == ["optibench/5", "optibench/7"]
    ex = tmp_path / "ex.txt"
    ex.write_text("# mine\n10 near-duplicate of 216\noptibench/11 reading-dependent\n")
    ds = load("optibench", data_dir=shared, exclude=ex)
    assert len(ds) == 602
    reasons = {s.id: s.reason for s in ds.skipped}
    assert reasons["optibench/10"] == "excluded: near-duplicate of 216"
    assert "optibench/423" in reasons
