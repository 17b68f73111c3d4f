"""OptoPrime: exact prompt for a known graph, one call per step, constraints, rejections, memory, state."""

from __future__ import annotations

import json

import pytest

from optiforge.errors import InputError
from optiforge.graph import Parameter, bundle
from optiforge.llm import ScriptedLM
from optiforge.optimizers import OptoPrime


@bundle
def ask(instructions, temperature, question):
    """Send the question to the assistant with the instructions."""
    return f"[{instructions}|{temperature}] {question}"


@bundle
def boom(text):
    """Parse the answer."""
    raise KeyError("answer")


EXPECTED_USER = '''#Objective
Change the #Parameters so that the #Output gets better according to #Feedback.

#Code
ask0 = ask(instructions=instructions, temperature=temperature, question=input0)

#Operators
def ask(instructions, temperature, question):
    """Send the question to the assistant with the instructions."""
    return f"[{instructions}|{temperature}] {question}"

#Parameters
(text) instructions = Be brief.
(number) temperature = 0.5

#Constraints
instructions: how the assistant should answer
temperature: number in [0, 1]

#Inputs
(str) input0 = 2+2?

#Output
(str) ask0 = [Be brief.|0.5] 2+2?

#Feedback
Wrong: the answer must be a number.

Your reply (one JSON object):'''


def make():
    ins = Parameter("Be brief.", name="instructions", description="how the assistant should answer")
    temp = Parameter(0.5, "number", name="temperature", constraint=(0, 1))
    return ins, temp


def reply(**suggestion) -> str:
    return json.dumps({"reasoning": "because", "suggestion": suggestion})


def test_exact_prompt_and_single_call():
    ins, temp = make()
    ask(ins, temp, "2+2?").backward("Wrong: the answer must be a number.")
    lm = ScriptedLM([reply(instructions="Answer with a number only.")])
    opt = OptoPrime([ins, temp], lm)
    proposal = opt.step_sync()
    assert len(lm.calls) == 1 and proposal.calls == 1
    system, user = lm.calls[0]
    assert system["role"] == "system" and '"suggestion"' in system["content"]
    assert user["content"] == EXPECTED_USER
    assert ins.value == "Answer with a number only."
    assert proposal.reasoning == "because"


def test_constraint_violations_and_unknown_names_rejected_and_fed_back():
    ins, temp = make()
    ask(ins, temp, "q").backward("bad")
    lm = ScriptedLM([reply(temperature=7, instructions="New.", nonsense="x"),
                     "I think you should raise the temperature.",
                     reply(temperature=0.9)])
    opt = OptoPrime([ins, temp], lm)
    events = []
    opt.subscribe(events.append)
    p1 = opt.step_sync()
    assert temp.value == 0.5 and ins.value == "New."
    reasons = {r.parameter: r.reason for r in p1.rejected}
    assert reasons["temperature"] == "7 is above the upper bound 1"
    assert reasons["nonsense"].startswith("unknown parameter name")
    assert [e.kind for e in events] == ["prompt", "response", "parsed", "update", "rejected", "step"]
    assert events[4].data["rejections"][0]["reason"] == "7 is above the upper bound 1"
    assert ins.feedback == []  # a step consumes the feedback

    ask(ins, temp, "q").backward("bad")
    p2 = opt.step_sync()  # reply is not JSON: nothing changes, reason kept for next time
    second = lm.calls[1][1]["content"]
    assert "#Rejected" in second and "- temperature: 7 is above the upper bound 1" in second
    assert "- nonsense: unknown parameter name" in second
    assert p2.updates == {} and "not a JSON object" in p2.rejected[0].reason
    assert (ins.value, temp.value) == ("New.", 0.5)

    ask(ins, temp, "q").backward("bad")
    opt.step_sync()
    assert "the reply was not a JSON object" in lm.calls[2][1]["content"]
    assert temp.value == 0.9
    assert opt.step_count == 3


def test_code_parameter_unparsable_suggestion_rejected():
    code = Parameter("def f(x):\n    return x\n", "code", name="f_src", constraint="f")
    run = bundle(lambda src: len(src), name="run")
    run(code).backward("too slow")
    lm = ScriptedLM([reply(f_src="def f(x) return x")])
    p = OptoPrime([code], lm).step_sync()
    assert "def f(x):" in code.value
    assert p.rejected[0].reason.startswith("code does not parse")


def test_exception_node_feeds_error_back():
    ins, temp = make()
    boom(ask(ins, temp, "q")).backward()
    lm = ScriptedLM([reply()])
    OptoPrime([ins, temp], lm).step_sync()
    user = lm.calls[0][1]["content"]
    assert "#Feedback\nKeyError: 'answer'" in user
    assert "(error) boom0 = KeyError: 'answer'" in user


def test_minibatch_examples_and_memory():
    ins, temp = make()
    for q, fb in [("a", "fb-a"), ("b", "fb-b")]:
        ask(ins, temp, q).backward(fb, score=0.5)
    lm = ScriptedLM([reply(instructions="v2"), reply()])
    opt = OptoPrime([ins, temp], lm, memory_size=2)
    opt.step_sync()
    first = lm.calls[0][1]["content"]
    assert first.count("#Code") == 1
    assert "#Other examples\nExample 2: inputs input0=b\n  output: [Be brief.|0.5] b\n  feedback: fb-b (score 0.5)" in first
    opt.zero_feedback()
    ask(ins, temp, "c").backward("fb-c")
    opt.step_sync()
    second = lm.calls[1][1]["content"]
    assert '#History\n1. values: {"instructions": "Be brief.", "temperature": 0.5}\n   feedback: fb-a\nfb-b' in second


def test_state_dict_round_trip():
    ins, temp = make()
    ask(ins, temp, "q").backward("fb")
    opt = OptoPrime([ins, temp], ScriptedLM([reply(temperature=2)]), memory_size=3)
    opt.step_sync()
    state = json.loads(json.dumps(opt.state_dict()))
    with pytest.raises(InputError, match="no feedback"):
        opt.step_sync()
    ins2, temp2 = make()
    opt2 = OptoPrime([ins2, temp2], ScriptedLM([]), memory_size=3)
    opt2.load_state_dict(state)
    assert opt2.step_count == 1
    assert [r.reason for r in opt2.pending_rejections] == ["2 is above the upper bound 1"]
    assert list(opt2.memory) == list(opt.memory)


def test_shared_notes_listed_once_and_subscriber_errors_do_not_stop_steps():
    params = [Parameter(f"rule {i}", name=f"r{i}", description="one rule") for i in range(3)]
    join = bundle(lambda *rules: " ".join(rules), name="join")
    join(*params).backward("fb")
    lm = ScriptedLM([reply()])
    opt = OptoPrime(params, lm)
    opt.subscribe(lambda e: 1 / 0)
    opt.step_sync()
    assert "#Constraints\nr0, r1, r2: one rule\n" in lm.calls[0][1]["content"]
    assert any(e.kind == "subscriber_error" for e in opt.events)
    assert opt.step_count == 1


def test_create_by_method_name():
    from optiforge.errors import ConfigError
    from optiforge.optimizers import TextGrad, create

    ins, temp = make()
    assert isinstance(create("tgd", [ins, temp], ScriptedLM([]), momentum=1), TextGrad)
    with pytest.raises(ConfigError, match="unknown optimizer 'adam'"):
        create("adam", [ins], ScriptedLM([]))
    with pytest.raises(ConfigError, match="bad options"):
        create("opro", [ins], ScriptedLM([]), momentum=3)


def test_parameters_used_only_by_later_examples_are_listed():
    ins, temp = make()
    other = Parameter("extra rule", name="rule")
    ask(ins, temp, "a").backward("fb-a")
    bundle(lambda r: r.upper(), name="shout")(other).backward("fb-b")
    lm = ScriptedLM([reply(rule="better rule")])
    OptoPrime([ins, temp, other], lm).step_sync()
    user = lm.calls[0][1]["content"]
    assert "(text) instructions = Be brief.\n(number) temperature = 0.5\n(text) rule = extra rule" in user
    assert other.value == "better rule"
