"""Graph behaviour as users see it: parameters, constraints, bundle tracing, backward, rendering, modules."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

from optiforge.graph import (
    Bounds,
    ConstraintError,
    ExceptionNode,
    MessageNode,
    Module,
    Node,
    Parameter,
    aggregate_feedback,
    bundle,
    node,
    to_dot,
    to_text,
)


@bundle
def greet(prompt, name):
    """Put the prompt in front of the name."""
    return f"{prompt} {name}"


@bundle(description="Count the characters.")
async def length(text):
    await asyncio.sleep(0)
    return len(text)


@bundle
def explode(x):
    """Always fails."""
    raise ValueError(f"cannot handle {x}")


def test_number_bounds_checked_on_every_update():
    p = Parameter(3, "number", constraint=(0, 5))
    p.value = 4.5
    assert p.value == 4.5
    with pytest.raises(ConstraintError, match="above the upper bound 5"):
        p.value = 6
    with pytest.raises(ConstraintError, match="below the lower bound 0"):
        p.set(-1)
    assert p.value == 4.5
    q = Parameter(2, "number", constraint=Bounds(1, 10, integer=True))
    with pytest.raises(ConstraintError, match="not an integer"):
        q.set(2.5)
    q.set("7")
    assert q.value == 7 and isinstance(q.value, int)
    with pytest.raises(ConstraintError):
        Parameter(11, "number", constraint=(0, 10))


def test_code_must_parse_and_define_function():
    p = Parameter("def f(x):\n    return x\n", "code", constraint="f")
    with pytest.raises(ConstraintError, match="does not parse"):
        p.set("def f(x) return x")
    with pytest.raises(ConstraintError, match="must define a top-level function `f`"):
        p.set("def g(x):\n    return x\n")
    assert "def f" in p.value
    p.set("def f(x):\n    return 2 * x\n")
    assert "2 * x" in p.value


class Config(BaseModel):
    threads: int
    mode: str = "fast"


def test_json_validates_against_pydantic_model_and_schema():
    p = Parameter({"threads": 2}, "json", constraint=Config)
    assert p.value == {"threads": 2, "mode": "fast"}
    with pytest.raises(ConstraintError, match="threads"):
        p.set({"threads": "many"})
    p.set('{"threads": 8, "mode": "safe"}')
    assert p.value == {"threads": 8, "mode": "safe"}

    schema = {"type": "object", "properties": {"k": {"type": "integer", "minimum": 1}}, "required": ["k"]}
    s = Parameter({"k": 1}, "json", constraint=schema)
    with pytest.raises(ConstraintError, match="schema"):
        s.set({"k": 0})
    with pytest.raises(ConstraintError, match="not valid JSON"):
        s.set("{k: 1")
    assert s.value == {"k": 1}


def test_text_kind_and_custom_check():
    p = Parameter("short", constraint=lambda v: "too long" if len(v) > 10 else None)
    with pytest.raises(ConstraintError, match="too long"):
        p.set("x" * 11)
    with pytest.raises(ConstraintError, match="expected text"):
        p.set(3)
    with pytest.raises(ConstraintError, match="unknown parameter kind"):
        Parameter("x", "image")  # type: ignore[arg-type]


def test_bundle_records_inputs_output_doc_and_source():
    prompt = Parameter("Hello", name="prompt")
    out = greet(prompt, "Ada")
    assert isinstance(out, MessageNode)
    assert out.value == "Hello Ada"
    assert out.inputs["prompt"] is prompt
    assert out.inputs["name"].value == "Ada"
    assert out.operator.name == "greet"
    assert out.operator.description == "Put the prompt in front of the name."
    assert out.operator.source.startswith("def greet(prompt, name):")
    assert "@bundle" not in out.operator.source


def test_async_bundle_and_chaining():
    prompt = Parameter("Hi", name="prompt")
    out = asyncio.run(length(greet(prompt, "Bo")))
    assert out.value == 5
    assert out.operator.description == "Count the characters."
    graph = out.backward("should be longer")
    assert [type(n).__name__ for n in graph.nodes] == ["Parameter", "Node", "MessageNode", "MessageNode"]
    assert graph.parameters == [prompt]
    assert prompt.feedback == [graph]


def test_exception_becomes_node_with_error_feedback_and_propagates():
    p = Parameter("x", name="p")
    bad = explode(p)
    assert isinstance(bad, ExceptionNode)
    assert bad.error_text == "ValueError: cannot handle x"
    after = greet(bad, "z")  # downstream does not run, the failure travels on
    assert isinstance(after, ExceptionNode)
    assert "cannot handle x" in after.error_text
    graph = after.backward()
    assert graph.feedback.startswith("RuntimeError: input from `explode` failed: ValueError: cannot handle x")
    assert p.feedback == [graph]
    assert bad in graph.errors


def test_bundle_without_catch_raises():
    strict = bundle(lambda x: 1 / x, catch=False)
    with pytest.raises(ZeroDivisionError):
        strict(0)


def test_node_passthrough_and_trainable():
    n = node(3)
    assert isinstance(n, Node) and not n.trainable
    assert node(n) is n
    t = node("prompt", trainable=True, name="sys")
    assert isinstance(t, Parameter) and t.trainable and t.name == "sys"


def test_minibatch_feedback_accumulates_and_aggregates():
    p = Parameter("Hello", name="prompt")
    graphs = [greet(p, n).backward(fb, score=s) for n, fb, s in
              [("A", "too formal", 0.2), ("B", "too formal", 0.4), ("C", "good", 1.0)]]
    assert p.feedback == graphs
    text = aggregate_feedback(graphs)
    assert text == "[1] (x2 examples) too formal\n[2] good"


def test_text_and_dot_rendering():
    p = Parameter("Hello", name="prompt")
    g = greet(p, "Ada").backward("too short", score=0.5)
    text = to_text(g)
    assert "param (text) prompt = Hello" in text
    assert "input (str) input0 = Ada" in text
    assert "greet0 = greet(prompt=prompt, name=input0)  -> (str) Hello Ada" in text
    assert text.endswith("score: 0.5\nfeedback: too short")
    dot = to_dot(g)
    assert dot.startswith("digraph trace {")
    assert '"prompt" -> "greet0" [label="prompt"];' in dot
    assert '"greet0" [label="greet0 = greet()\\nHello Ada", shape=ellipse, peripheries=2];' in dot


def test_deep_chain_does_not_recurse():
    x: Node = Parameter(0, "number", name="x")
    inc = bundle(lambda v: v + 1)
    for _ in range(3000):
        x = inc(x)
    g = x.backward("ok")
    assert len(g.nodes) == 3001


class Agent(Module):
    def __init__(self):
        self.system = Parameter("Be brief.")
        self.tools = [Parameter(1, "number", constraint=(0, 3))]
        self.sub = Inner()


class Inner(Module):
    def __init__(self):
        self.config = Parameter({"threads": 1}, "json", constraint=Config)


def test_module_names_lists_saves_and_loads(tmp_path):
    a = Agent()
    assert a.system.name == "system"
    assert [n for n, _ in a.named_parameters()] == ["system", "tools.0", "sub.config"]
    a.system.set("Be thorough.")
    path = tmp_path / "params.json"
    a.save(path)
    assert json.loads(path.read_text())["system"] == "Be thorough."
    b = Agent()
    b.load(path)
    assert b.system.value == "Be thorough." and b.sub.config.value == {"threads": 1, "mode": "fast"}
    path.write_text(json.dumps({"system": "x", "tools.0": 9}))
    with pytest.raises(ConstraintError):
        b.load(path)
    assert b.system.value == "Be thorough."  # nothing changed: all values are checked first
    path.write_text(json.dumps({"nope": 1}))
    with pytest.raises(Exception, match="unknown parameter"):
        b.load(path)


def test_concurrent_async_graphs_stay_separate():
    prompt = Parameter("P", name="prompt")

    @bundle
    async def slow_echo(p, i):
        """Echo after yielding to other tasks."""
        await asyncio.sleep(0.001 * (5 - i))
        return f"{p}{i}"

    async def main():
        return await asyncio.gather(*(slow_echo(prompt, i) for i in range(5)))

    outs = asyncio.run(main())
    graphs = [o.backward(f"fb{i}") for i, o in enumerate(outs)]
    for i, g in enumerate(graphs):
        assert [n.value for n in g.nodes] == ["P", i, f"P{i}"]
    assert prompt.feedback == graphs
