"""The run loop through the Python API: grid, scoring, resume, budget, methods, step records."""

from __future__ import annotations

import asyncio

import pytest

from optiforge.bench import (
    CellOutcome,
    Store,
    build_spec,
    expand_grid,
    make_method,
    parse_method,
    register_method,
    run_experiment,
)
from optiforge.errors import ConfigError


def _spec(tmp_path, **kw):
    data = {"datasets": ["mini"], "methods": ["direct"], "models": ["m1"], "seeds": [0], "store": str(tmp_path / "s.sqlite")}
    data.update(kw)
    return build_spec(data)


def test_grid_expansion_covers_every_combination_once(tmp_path, problems_of):
    spec = _spec(tmp_path, datasets=["a", "b"], models=["m1", "m2"], seeds=[0, 1, 2])
    cells = expand_grid(spec, {"a": problems_of(3, "a"), "b": problems_of(2, "b")})
    assert len(cells) == (3 + 2) * 1 * 2 * 3
    coords = {(c.dataset, c.item, c.method, c.model, c.seed) for c in cells}
    assert len(coords) == len(cells)
    assert len({c.key for c in cells}) == len(cells)
    # seed-major: every (dataset, item, model) appears before the second seed starts
    assert {c.seed for c in cells[:10]} == {0}


def test_spec_hash_ignores_operational_keys(tmp_path):
    a = _spec(tmp_path)
    b = _spec(tmp_path, concurrency=3, budget={"usd": 1.0}, timeout_s=5, store=str(tmp_path / "other.sqlite"))
    c = _spec(tmp_path, seeds=[0, 1])
    assert a.spec_hash == b.spec_hash
    assert a.spec_hash != c.spec_hash


def test_run_scores_and_resume_skips_finished(tmp_path, problems_of, scripted):
    calls: list = []
    spec = _spec(tmp_path, models=["m1", "m2"], seeds=[0, 1])
    probs = problems_of(6)
    s1 = run_experiment(spec, problems={"mini": probs}, lm_factory=scripted(calls))
    assert (s1.total, s1.ran, s1.correct, s1.status) == (24, 24, 12, "finished")
    assert len(calls) == 24
    s2 = run_experiment(spec, problems={"mini": probs}, lm_factory=scripted(calls))
    assert (s2.already_done, s2.ran) == (24, 0)
    assert len(calls) == 24
    with Store(tmp_path / "s.sqlite") as st:
        rows = st.cells(spec.spec_hash)
        assert len(rows) == 24
        p2 = next(r for r in rows if r.item == "mini/p2" and r.model == "m1" and r.seed == 0)
        assert p2.correct is True and p2.answer == {"objective": 2.0}
        assert set(p2.correctness) >= {"abs_tol", "orlm", "mamo", "rel_1e4", "sirl_rel"}
        p3 = next(r for r in rows if r.item == "mini/p3")
        assert p3.correct is False
        # ORLM's loose rule rounds and allows 5%: 4 vs 3 is still wrong, so rules agree here
        assert p3.correctness["orlm"] is False
        steps = st.steps(p2.cell_key)
        assert steps and steps[0]["kind"] == "llm" and "Maximize x" in steps[0]["messages"][-1]["content"]
        assert p2.prompt_tokens > 0 and p2.llm_calls == 1


def test_store_upsert_is_idempotent_and_never_downgrades(tmp_path, problems_of, scripted):
    spec = _spec(tmp_path)
    run_experiment(spec, problems={"mini": problems_of(3)}, lm_factory=scripted())
    with Store(tmp_path / "s.sqlite") as st:
        rows = st.cells(spec.spec_hash)
        assert st.write_cells(rows) == 3
        assert st.write_cells(rows) == 3
        assert len(st.cells()) == 3
        from dataclasses import replace

        st.write_cells([replace(rows[0], status="not_run", correct=None)])
        assert st.cells(spec.spec_hash)[0].status == "answered"
        assert len(st.finished_keys(spec.spec_hash)) == 3


def test_budget_stops_and_records_not_run_then_resumes(tmp_path, problems_of, scripted):
    probs = problems_of(12)
    calls: list = []
    # The scripted model bills about 300 tokens per call: the budget allows a few calls.
    spec = _spec(tmp_path, concurrency=1, budget={"tokens": 1000})
    s = run_experiment(spec, problems={"mini": probs}, lm_factory=scripted(calls))
    assert s.status == "budget" and "token budget" in (s.message or "")
    assert 1 <= s.ran < 12
    assert s.ran + s.not_run == 12
    with Store(tmp_path / "s.sqlite") as st:
        rows = st.cells(spec.spec_hash)
        assert len(rows) == 12
        not_run = [r for r in rows if r.status == "not_run"]
        assert len(not_run) == s.not_run and all(r.correct is None for r in not_run)
        assert len(st.finished_keys(spec.spec_hash)) == s.ran
    done_before = s.ran
    more = _spec(tmp_path, concurrency=1, budget={"tokens": 10**6})
    s2 = run_experiment(more, problems={"mini": probs}, lm_factory=scripted(calls))
    assert s2.status == "finished" and s2.already_done == done_before and s2.ran == 12 - done_before
    with Store(tmp_path / "s.sqlite") as st:
        assert all(r.status == "answered" for r in st.cells(spec.spec_hash))
    assert len(calls) == 12


class _Flaky:
    name = "flaky"

    async def run(self, problem, ctx):
        i = int(problem.id.rsplit("p", 1)[1])
        ctx.record({"kind": "note", "i": i})
        if i == 1:
            raise ValueError("boom")
        if i == 2:
            await asyncio.sleep(5)
        if i == 3:
            return CellOutcome(status="error", error_category="solver", error_message="HiGHS said no")
        if i == 4:
            return CellOutcome(status="answered", no_solution=True)
        return CellOutcome(answers={"objective": float(i)})


def test_failures_are_categorised_and_plugins_need_no_core_change(tmp_path, problems_of, scripted):
    register_method("flaky-test", lambda spec, settings: _Flaky(), replace=True)
    spec = _spec(tmp_path, methods=["flaky-test"], timeout_s=0.5)
    s = run_experiment(spec, problems={"mini": problems_of(5)}, lm_factory=scripted())
    assert s.errors == {"other": 1, "timeout": 1, "solver": 1}
    with Store(tmp_path / "s.sqlite") as st:
        by_item = {r.item: r for r in st.cells(spec.spec_hash)}
    assert by_item["mini/p1"].error_message.startswith("ValueError: boom")
    assert by_item["mini/p4"].answer == "infeasible" and by_item["mini/p4"].correct is False
    assert by_item["mini/p5"].correct is True


def test_method_specs_and_registry_errors():
    ms = parse_method("formulate+selfcons5")
    assert (ms.base, ms.modifiers, ms.argument) == ("formulate", ("selfcons5",), None)
    ms = parse_method("tune:llambo")
    assert (ms.base, ms.argument) == ("tune", "llambo")
    with pytest.raises(ConfigError, match="bad method spec"):
        parse_method("Formulate!!")
    with pytest.raises(ConfigError, match="unknown method 'nosuch'"):
        make_method("nosuch")
    with pytest.raises(ConfigError, match="takes no modifiers"):
        make_method("direct+selfcons5")
    assert make_method("direct").name == "direct"


class _Swallower:
    """A method that turns every LLM failure, budget included, into an error outcome."""

    name = "swallower"

    async def run(self, problem, ctx):
        try:
            await ctx.lm.complete(problem.text)
        except Exception as exc:
            return CellOutcome(status="error", error_category="llm", error_message=str(exc))
        return CellOutcome(answers={"objective": 1.0})


def test_budget_hit_inside_a_method_that_swallows_it_is_not_a_wrong_answer(tmp_path, problems_of):
    from optiforge.llm import ScriptedLM

    register_method("swallower-test", lambda spec, settings: _Swallower(), replace=True)

    def factory(model, *, ledger, cache, concurrency):
        return ScriptedLM(rules=[("Maximize", "fine")], ledger=ledger)

    spec = _spec(tmp_path, methods=["swallower-test"], concurrency=1, budget={"tokens": 30})
    s = run_experiment(spec, problems={"mini": problems_of(6)}, lm_factory=factory)
    assert s.status == "budget" and s.errors == {}
    with Store(tmp_path / "s.sqlite") as st:
        statuses = [r.status for r in st.cells(spec.spec_hash)]
    assert statuses.count("not_run") == 6 - s.ran and "error" not in statuses


def test_calls_spent_on_replies_that_never_parse_are_counted(tmp_path):
    """Regression: a cell whose replies never validated reported 0 calls and 0 tokens."""
    from optiforge.bench import Store, build_spec, run_experiment
    from optiforge.datasets import GoldValue, Problem
    from optiforge.llm import ScriptedLM

    probs = [Problem(id="mini/p1", dataset="mini", text="Maximize x subject to x <= 1.",
                     gold=(GoldValue(label="objective", value=1.0),), rule="abs_tol")]
    lms: list = []

    def factory(model, *, ledger, cache, concurrency):
        lms.append(ScriptedLM(rules=[("Maximize", "no json here")], ledger=ledger, model=model.model))
        return lms[-1]

    spec = build_spec({"datasets": ["mini"], "methods": ["direct"], "models": ["m"], "store": str(tmp_path / "s.sqlite")})
    summary = run_experiment(spec, problems={"mini": probs}, lm_factory=factory)
    with Store(tmp_path / "s.sqlite") as store:
        row = store.cells()[0]
    assert row.status != "answered" and row.error_category == "parse"
    assert row.llm_calls == len(lms[0].calls) == 3  # first try + 2 re-asks
    assert row.prompt_tokens > 0 and summary.tokens == row.prompt_tokens + row.completion_tokens
