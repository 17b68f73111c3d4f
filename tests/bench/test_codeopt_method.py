"""The runner's `code-opt` method and the general hooks it uses: a method's own verdict and
metrics (``CellOutcome.correct``/``metrics``) and the ``codeopt-tasks`` data set."""

from __future__ import annotations

import json

import pytest

from optiforge.bench import (
    CellOutcome,
    Store,
    build_spec,
    make_method,
    parse_method,
    run_experiment,
)
from optiforge.bench._data import METHOD_RULE, load_problems
from optiforge.bench._spec import DatasetSpec
from optiforge.errors import ConfigError
from optiforge.sandbox import load_task

FAST = {"primes_below": load_task("primes_below").solutions["bytearray_sieve"]}
WRONG = "import sys\nprint(0)\n"


def code_factory(model, *, ledger, cache, concurrency):
    """ScriptedLMs that answer the primes task with a fast program, anything else wrongly."""
    from optiforge.llm import ScriptedLM

    def reply(messages):
        text = messages[-1]["content"]
        code = next((c for name, c in FAST.items() if f"Task: {name}" in text), WRONG)
        return f"```python\n{code}```"

    return ScriptedLM(rules=[(lambda m: True, reply)], ledger=ledger, model=model.model)


def test_codeopt_tasks_dataset_yields_method_judged_problems():
    name, problems, skipped = load_problems(DatasetSpec(name="codeopt-tasks"))
    assert name == "codeopt-tasks" and skipped == 0 and len(problems) >= 10
    p = next(p for p in problems if p.id == "primes_below")
    assert p.rule == METHOD_RULE and p.gold == () and p.metadata["language"] == "python" and "primes" in p.text
    _, two, _ = load_problems(DatasetSpec(name="codeopt-tasks", ids=["primes_below", "range_sums"]))
    assert [p.id for p in two] == ["primes_below", "range_sums"]


def test_spec_strings_configure_the_agent():
    m = make_method(parse_method("code-opt:best-of-k+k3+repeats1+noprofile+instructions"), {"rounds": 2})
    assert m.options == {"strategy": "best-of-k", "k": 3, "repeats": 1, "profile": False, "measure": "instructions", "rounds": 2}
    assert make_method(parse_method("code-opt"), {}).options["strategy"] == "self-refine"
    with pytest.raises(ConfigError, match="rounds<N>"):
        make_method(parse_method("code-opt+magic"), {})
    with pytest.raises(ConfigError, match="unknown strategy"):
        make_method(parse_method("code-opt:magic"), {})
    with pytest.raises(ConfigError, match="unknown setting"):
        make_method(parse_method("code-opt"), {"colour": "red"})


def test_run_experiment_scores_pct_opt_and_stores_metrics(tmp_path):
    spec = build_spec({"datasets": [{"name": "codeopt-tasks", "ids": ["primes_below", "max_subarray"]}],
                       "methods": ["code-opt:instruction+repeats1+noprofile"], "models": ["m1"],
                       "method_settings": {"code-opt": {"reference_metrics": False}}, "store": str(tmp_path / "s.sqlite")})
    summary = run_experiment(spec, lm_factory=code_factory)
    assert (summary.total, summary.ran, summary.correct, summary.status) == (2, 2, 1, "finished")
    with Store(tmp_path / "s.sqlite") as st:
        rows = {r.item: r for r in st.cells(spec.spec_hash)}
        good, bad = rows["primes_below"], rows["max_subarray"]
        assert good.correct is True and good.status == "answered" and good.rule == METHOD_RULE
        assert good.correctness == {METHOD_RULE: True}
        assert good.meta["metrics"]["opt"] == 1.0 and good.meta["metrics"]["speedup"] > 2
        assert good.answer["speedup"] == pytest.approx(good.meta["metrics"]["speedup"])
        assert bad.correct is False and bad.status == "no_answer" and bad.error_category == "verification"
        assert "wrong answer" in bad.error_message or "exception" in bad.error_message or "error" in bad.error_message
        assert good.llm_calls == 1 and any(s.get("step") == "candidate" for s in st.steps(good.cell_key))


def test_a_method_verdict_overrides_the_answer_rules(tmp_path, problems_of):
    class Judge:
        name = "judge"

        async def run(self, problem, ctx):
            # Deliberately a wrong number: the method's own verdict must win.
            return CellOutcome(answers={"objective": -1.0}, correct=True, metrics={"score": 0.5})

    spec = build_spec({"datasets": ["mini"], "methods": ["judge"], "models": ["m1"], "store": str(tmp_path / "s.sqlite")})
    from optiforge.llm import ScriptedLM

    summary = run_experiment(spec, problems={"mini": problems_of(2)}, methods={"judge": Judge()},
                             lm_factory=lambda model, **kw: ScriptedLM([]))
    assert summary.correct == 2
    with Store(tmp_path / "s.sqlite") as st:
        row = st.cells(spec.spec_hash)[0]
        assert row.correct is True and row.meta["metrics"] == {"score": 0.5}
        assert json.dumps(row.correctness) == json.dumps({"abs_tol": True})


def test_bench_cli_runs_code_opt_against_a_loopback_server(tmp_path, capsys):
    from optiforge.cli import main
    from optiforge.llm.fakeserver import FakeOpenAIServer

    store = tmp_path / "s.sqlite"
    with FakeOpenAIServer(reply=lambda body: f"```python\n{FAST['primes_below']}```") as server:
        code = main(["bench", "run", "--dataset", "codeopt-tasks", "--ids", "primes_below", "--method", "code-opt:instruction+repeats1+noprofile",
                     "--model", "openai/local", "--api-base", server.base_url, "--store", str(store)])
    assert code == 0, capsys.readouterr().err
    assert main(["bench", "report", "--store", str(store), "--out", str(tmp_path / "rep"), "--no-plots"]) == 0
    report = (tmp_path / "rep" / "report.md").read_text()
    assert "codeopt-tasks" in report and "100" in report
    assert "## Method metrics" in report and "pie_speedup" in report


def test_pie_file_items_resolve_to_their_tasks(tmp_path):
    import asyncio

    from optiforge.bench import CellContext
    from optiforge.llm import ScriptedLM

    slow = "n = int(input())\nprint(sum(range(n + 1)))\n"
    fast = "n = int(input())\nprint(n * (n + 1) // 2)\n"
    row = {"problem_id": "p00001", "src_id": "s1", "src_code": slow, "tgt_code": fast, "language": "python",
           "test_cases": [{"input": "3\n", "output": "6\n"}, {"input": "2000000\n", "output": f"{2000000 * 2000001 // 2}\n"}]}
    path = tmp_path / "pie.jsonl"
    path.write_text(json.dumps(row) + "\n")
    _, problems, _ = load_problems(DatasetSpec(name="codeopt-pie", path=path))
    assert [p.id for p in problems] == ["pie/p00001/s1"] and problems[0].metadata["path"] == str(path)
    method = make_method(parse_method("code-opt:instruction+repeats1+noprofile"), {})
    lm = ScriptedLM([f"```python\n{fast}```"])
    out = asyncio.run(method.run(problems[0], CellContext(lm=lm, seed=0, cell_id="c")))
    assert out.correct is True and out.metrics["speedup"] > 1.1 and "percentile" in out.metrics
    with pytest.raises(ConfigError, match="path:"):
        load_problems(DatasetSpec(name="codeopt-evalperf"))
