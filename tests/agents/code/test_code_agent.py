"""The code-optimization agent end to end with ScriptedLM: every candidate runs in the sandbox."""

from __future__ import annotations

import json

import pytest

from optiforge.agents.code import CodeOptAgent, extract_code
from optiforge.llm import ScriptedLM
from optiforge.sandbox import Limits, load_task

PRIMES = load_task("primes_below")
FAST = PRIMES.solutions["bytearray_sieve"]
# trial division by odd numbers only: about twice as fast as the reference, far slower than a sieve
MEDIUM = """n = int(input())
count = 1 if n > 2 else 0
for x in range(3, n, 2):
    d = 3
    is_prime = True
    while d * d <= x:
        if x % d == 0:
            is_prime = False
            break
        d += 2
    if is_prime:
        count += 1
print(count)
"""
WRONG = "n = int(input())\nprint(n // 2)\n"
LOOP = "n = int(input())\nwhile True:\n    n += 1\n"
FLOOD = "import sys\nwhile True:\n    sys.stdout.write('y' * 65536)\n"


def fenced(code: str, lang: str = "python") -> str:
    return f"Here is a faster version.\n```{lang}\n{code}```\nIt uses a sieve."


def agent(lm, **kw):
    kw.setdefault("repeats", 1)
    return CodeOptAgent(lm, **kw)


def test_instruction_improves_a_slow_task_and_reports_the_metrics():
    lm = ScriptedLM([fenced(FAST)])
    r = agent(lm, strategy="instruction").run(PRIMES)
    assert r.status == "improved" and r.correct and r.program == FAST
    assert r.speedup is not None and r.speedup > 2 and r.measure == "cpu"
    m = r.metrics
    assert m["opt"] == 1.0 and m["pie_speedup"] == pytest.approx(r.speedup)
    assert 0 < m["percentile"] <= 100 and m["eff"] > 0 and m["eff@1"] == m["eff"] and m["pass@1"] == 1.0
    assert r.llm_calls == 1 and r.prompt_tokens > 0 and r.candidates == 1
    # the model saw the task, the program and a profile of it, asked for a fenced block
    prompt = lm.calls[0][-1]["content"]
    assert PRIMES.reference.strip() in prompt and "profile of the current program (hot spots first)" in prompt and "```python" in prompt
    assert json.loads(r.model_dump_json())["task"] == "primes_below"


def test_wrong_candidate_is_rejected_with_the_failing_input_fed_back():
    lm = ScriptedLM([fenced(WRONG), fenced(FAST)])
    r = agent(lm, strategy="self-refine", rounds=2, profile=False).run(PRIMES)
    assert r.status == "improved" and r.program == FAST and r.candidates == 2
    assert r.steps[0]["status"] == "wrong" and r.steps[1]["status"] == "correct"
    feedback = lm.calls[1][-1]["content"]
    assert "INCORRECT" in feedback and "input:" in feedback and "expected:" in feedback and "got:" in feedback
    assert r.metrics["candidates_correct_pct"] == 50.0 and r.metrics["pass@1"] == 0.5


@pytest.mark.parametrize(("program", "limits_named"), [(LOOP, ("cpu limit", "wall limit")), (FLOOD, ("output limit",))])
def test_runaway_candidates_are_stopped_by_the_sandbox_and_fed_back(program, limits_named):
    lm = ScriptedLM([fenced(program), "I give up, no code this time."])
    limits = Limits(cpu_s=1, wall_s=3, memory_mb=512, output_bytes=100_000)
    r = agent(lm, strategy="self-refine", rounds=2, profile=False, limits=limits, reference_metrics=False).run(PRIMES)
    assert r.status == "no_correct" and not r.correct and r.program == PRIMES.reference
    # on a loaded machine the wall clock may run out before the CPU seconds do
    limit = next((name for name in limits_named if name in r.steps[0]["feedback"]), None)
    assert limit is not None, r.steps[0]["feedback"]
    assert limit in lm.calls[1][-1]["content"]
    assert r.steps[1]["status"] == "wrong" and "no code block" in r.steps[1]["summary"]


def test_best_of_k_keeps_the_fastest_correct_sample():
    lm = ScriptedLM([fenced(MEDIUM), fenced(WRONG), fenced(FAST)])
    r = agent(lm, strategy="best-of-k", k=3, profile=False).run(PRIMES)
    assert r.candidates == 3 and r.program == FAST
    speeds = {s["sample"]: s["speedup"] for s in r.steps}
    assert speeds[1] is None and speeds[2] > speeds[0]
    assert {"eff@1", "eff@3", "pass@3"} <= set(r.metrics) and r.metrics["pass@3"] == 1.0
    assert r.metrics["eff@3"] >= r.metrics["eff@1"]
    # samples are told apart (distinct cache keys) and drawn at a non-zero temperature
    assert len(lm.calls) == 3


def test_optoprime_proposes_code_through_the_graph():
    def reply(messages):
        text = "\n".join(m["content"] for m in messages)
        assert "run_in_sandbox" in text and "program" in text
        return json.dumps({"reasoning": "use a sieve", "suggestion": {"program": FAST}})

    lm = ScriptedLM(rules=[(lambda m: True, reply)])
    r = agent(lm, strategy="optoprime", rounds=1, profile=False, reference_metrics=False).run(PRIMES)
    assert r.status == "improved" and r.program == FAST and r.strategy == "optoprime"
    assert r.steps[0]["step"] == "optimizer" and r.steps[0]["updated"] == ["program"]
    assert r.llm_calls == 1


def test_extract_code_prefers_the_tagged_block():
    reply = "Idea:\n```text\nnot code\n```\nCode:\n```python\nprint(1)\n```\n"
    assert extract_code(reply, "python") == "print(1)\n"
    assert extract_code("```\nint main(){}\n```", "cpp") == "int main(){}\n"
    assert extract_code("no fences here", "python") is None


def test_unknown_strategy_is_a_config_error():
    from optiforge.errors import ConfigError

    with pytest.raises(ConfigError, match="self-refine"):
        CodeOptAgent(ScriptedLM([]), strategy="magic")


@pytest.mark.parametrize("strategy", ["textgrad", "opro"])
def test_other_graph_optimizers_propose_code(strategy):
    def reply(messages):
        text = "\n".join(m["content"] for m in messages)
        if '"candidates"' in text:  # OPRO asks for a list of candidates
            return json.dumps({"candidates": [{"program": FAST}]})
        if "suggestion" in text:  # TextGrad's update call
            return json.dumps({"reasoning": "apply the critique", "suggestion": {"program": FAST}})
        return "Replace trial division by a sieve of Eratosthenes."  # TextGrad's critique

    lm = ScriptedLM(rules=[(lambda m: True, reply)])
    r = agent(lm, strategy=strategy, rounds=1, profile=False, reference_metrics=False).run(PRIMES)
    assert r.status == "improved" and r.program == FAST and r.steps[0]["optimizer"] == strategy


def test_cpp_task_timed_by_instruction_counts():
    from optiforge.sandbox import StdioTest, Task

    slow = ("#include <cstdio>\nint main(){long long n;volatile long long s=0;scanf(\"%lld\",&n);"
            "for(long long i=1;i<=n;i++)for(long long j=1;j<=i;j++)s=s+1;printf(\"%lld\\n\",(long long)s);}\n")
    fast = "#include <cstdio>\nint main(){long long n;scanf(\"%lld\",&n);printf(\"%lld\\n\",n*(n+1)/2);}\n"
    task = Task(name="triangle", language="cpp", kind="stdio", statement="Print n(n+1)/2.", reference=slow,
                tests=[StdioTest("3\n", "6\n"), StdioTest("2000\n", "2001000\n")])
    lm = ScriptedLM([fenced(fast, "cpp")])
    r = CodeOptAgent(lm, strategy="instruction", measure="instructions").run(task)
    assert r.status == "improved" and r.measure == "instructions" and r.speedup > 10
    # the callgrind profile of the original names its hot function, without the loader's noise
    prompt = lm.calls[0][-1]["content"]
    assert "main" in prompt.split("hot spots first")[1] and "ld-linux" not in prompt


def test_few_shot_puts_slow_to_fast_examples_before_the_task():
    lm = ScriptedLM([fenced(FAST)])
    r = agent(lm, strategy="few-shot", profile=False, reference_metrics=False).run(PRIMES)
    prompt = lm.calls[0][-1]["content"]
    assert prompt.count("Example.") == 2 and prompt.index("Slow:") < prompt.index("Task: primes_below")
    assert r.status == "improved" and r.rounds == 1
