"""TextGrad (TGD): one critique call per parameter, one batched update, feedback sent once per critique."""

from __future__ import annotations

import json

from optiforge.graph import Parameter, bundle
from optiforge.llm import ScriptedLM
from optiforge.optimizers import TGD, TextGrad


@bundle
def combine(*parts):
    """Join the parts into one prompt and ask the model."""
    return " ".join(parts)


def critique_for(messages):
    user = messages[-1]["content"]
    name = user.split('name="', 1)[1].split('"', 1)[0]
    return f"critique of {name}"


def test_backward_call_per_parameter_then_one_update():
    params = [Parameter(f"part {i}", name=f"p{i}", description=f"piece {i}") for i in range(3)]
    params.append(Parameter("unused", name="idle"))  # gets no feedback: no critique
    combine(*params[:3]).backward("FEEDBACK-TEXT: be more specific")
    lm = ScriptedLM(rules=[
        ("You critique one parameter", critique_for),
        ("You update the parameters", json.dumps({"suggestion": {"p0": "new 0", "p2": "new 2"}})),
    ])
    opt = TextGrad(params, lm)
    proposal = opt.step_sync()
    assert proposal.calls == 4 and len(lm.calls) == 4  # N backward + 1 update
    backward = [c for c in lm.calls if "You critique one parameter" in c[0]["content"]]
    assert len(backward) == 3
    for i in range(3):
        mine = [c for c in backward if f'<PARAMETER name="p{i}" kind="text">part {i}</PARAMETER>' in c[1]["content"]]
        assert len(mine) == 1
        assert f"<ROLE>piece {i}</ROLE>" in mine[0][1]["content"]
        assert "combine0 = combine(parts0=p0, parts1=p1, parts2=p2)" in mine[0][1]["content"]
        assert "<FEEDBACK>FEEDBACK-TEXT: be more specific</FEEDBACK>" in mine[0][1]["content"]
    update = next(c for c in lm.calls if "You update the parameters" in c[0]["content"])[1]["content"]
    assert "FEEDBACK-TEXT" not in update  # the feedback reached the update only through critiques
    for i in range(3):
        assert f"<CRITIQUE>critique of p{i}</CRITIQUE>" in update
    assert "idle" not in update
    assert [p.value for p in params] == ["new 0", "part 1", "new 2", "unused"]
    assert TGD is TextGrad


def test_momentum_shows_past_values_and_critiques():
    p = Parameter("v1", name="prompt")
    lm = ScriptedLM(rules=[
        ("You critique one parameter", ["c1", "c2"]),
        ("You update the parameters", [json.dumps({"suggestion": {"prompt": "v2"}}),
                                       json.dumps({"suggestion": {"prompt": "v3"}})]),
    ])
    opt = TextGrad([p], lm, momentum=2)
    combine(p).backward("fb1")
    opt.step_sync()
    opt.zero_feedback()
    combine(p).backward("fb2")
    opt.step_sync()
    second_update = lm.calls[3][1]["content"]
    assert "<PAST_STEPS>\nstep 1: value \"v1\"\n  critique: c1" in second_update
    assert "<CRITIQUE>c2</CRITIQUE>" in second_update
    assert p.value == "v3"
    state = json.loads(json.dumps(opt.state_dict()))
    opt2 = TextGrad([Parameter("x", name="prompt")], ScriptedLM([]), momentum=2)
    opt2.load_state_dict(state)
    assert opt2.past["prompt"] == [("v1", "c1"), ("v2", "c2")]


def test_bad_update_rejected_and_fed_back():
    n = Parameter(1, "number", name="k", constraint=(0, 2))
    lm = ScriptedLM(rules=[
        ("You critique one parameter", "raise it"),
        ("You update the parameters", [json.dumps({"suggestion": {"k": 5}}), "{}"]),
    ])
    opt = TextGrad([n], lm)
    combine(str(1)).backward("x")  # graph without our parameter: nothing to critique
    bundle(lambda k: k * 2, name="double")(n).backward("too small")
    proposal = opt.step_sync()
    assert n.value == 1 and proposal.rejected[0].reason == "5 is above the upper bound 2"
    bundle(lambda k: k * 2, name="double")(n).backward("too small")
    opt.step_sync()
    assert "- k: 5 is above the upper bound 2" in lm.calls[-1][1]["content"]


def test_wide_operator_call_is_elided_in_critiques():
    params = [Parameter(f"part {i}", name=f"p{i}") for i in range(6)]
    combine(*params).backward("fb")
    lm = ScriptedLM(rules=[("You critique one parameter", "c"),
                           ("You update the parameters", json.dumps({"suggestion": {}}))])
    TextGrad(params, lm).step_sync()
    p3 = next(c for c in lm.calls if 'name="p3"' in c[1]["content"])[1]["content"]
    assert "combine0 = combine(parts3=p3, ... 5 other inputs)" in p3
    assert "p4" not in p3


def test_per_parameter_updates_when_not_batched():
    params = [Parameter(f"part {i}", name=f"p{i}") for i in range(2)]
    combine(*params).backward("fb")

    def update(messages):
        name = messages[1]["content"].split('name="', 1)[1].split('"', 1)[0]
        other = "p1" if name == "p0" else "p0"
        return json.dumps({"suggestion": {name: f"new {name}", other: "sneaky"}})

    lm = ScriptedLM(rules=[("You critique one parameter", "c"), ("You update the parameters", update)])
    proposal = TextGrad(params, lm, batch_updates=False).step_sync()
    assert proposal.calls == 4 and len(lm.calls) == 4  # 2 critiques + 2 updates
    updates = [c[1]["content"] for c in lm.calls if "You update the parameters" in c[0]["content"]]
    assert all(u.count("<PARAMETER") == 1 for u in updates)
    assert [p.value for p in params] == ["new p0", "new p1"]
    assert [r.reason for r in proposal.rejected] == ["only the parameter under update may be changed in this call"] * 2
