"""Structured output: JSON found in prose/fences, repair after validation errors, response_format."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel, Field

from optiforge.errors import OutputParseError
from optiforge.llm import LM, ScriptedLM
from optiforge.llm._structured import extract_json


class Plan(BaseModel):
    name: str
    steps: list[str]
    cost: float = Field(ge=0)


GOOD = {"name": "p", "steps": ["a", "b"], "cost": 1.5}


def test_fenced_json_inside_prose_is_parsed():
    reply = 'Here is the plan you asked for:\n```json\n{"name": "p", "steps": ["a", "b"], "cost": 1.5}\n```\nHope it helps!'
    lm = ScriptedLM([reply])
    c = lm.complete_sync("plan it", schema=Plan)
    assert c.parsed == Plan(**GOOD)
    assert c.text == reply and c.attempts == 1
    # Without response_format support the schema is put into the prompt.
    assert '"steps"' in lm.calls[0][0]["content"] and lm.calls[0][0]["role"] == "system"


def test_bare_json_after_prose_with_braces_in_strings():
    text = 'Sure {not json} -> {"name": "a {b} c", "steps": [], "cost": 0} trailing'
    assert extract_json(text) == {"name": "a {b} c", "steps": [], "cost": 0}
    assert extract_json("[1, 2] and more") == [1, 2]
    with pytest.raises(ValueError):
        extract_json("no json here")


def test_repair_after_validation_error_appends_the_error():
    bad = json.dumps({"name": "p", "steps": "not a list", "cost": -1})
    lm = ScriptedLM([bad, json.dumps(GOOD)])
    c = lm.complete_sync("plan it", schema=Plan)
    assert c.parsed == Plan(**GOOD)
    assert c.attempts == 2
    repair = lm.calls[1]
    assert repair[-2] == {"role": "assistant", "content": bad}
    assert "steps" in repair[-1]["content"] and "cost" in repair[-1]["content"]
    # Usage adds up over both rounds.
    assert c.usage.total_tokens == lm.ledger.total_tokens


def test_gives_up_with_output_parse_error_carrying_raw_text():
    lm = ScriptedLM(["nope", "still nope", "I refuse"])
    with pytest.raises(OutputParseError) as info:
        lm.complete_sync("plan it", schema=Plan)
    assert info.value.raw == "I refuse"
    assert "Plan" in str(info.value) and "3 attempts" in str(info.value)
    assert len(lm.calls) == 3  # default: 2 repair rounds


def test_parse_retries_is_configurable():
    lm = ScriptedLM(["nope"], parse_retries=0)
    with pytest.raises(OutputParseError):
        lm.complete_sync("x", schema=Plan)
    assert len(lm.calls) == 1


def test_response_format_sent_to_openai_compatible_server(fake_server):
    server = fake_server(reply=json.dumps(GOOD))
    lm = LM("openai/m", api_base=server.base_url, cache=False)
    c = lm.complete_sync("plan it", schema=Plan)
    assert c.parsed == Plan(**GOOD)
    body = server.requests[0]
    assert body["model"] == "m"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["title"] == "Plan"
    assert body["messages"] == [{"role": "user", "content": "plan it"}]


def test_falls_back_to_prompting_when_server_rejects_response_format(fake_server):
    server = fake_server(reply="```json\n" + json.dumps(GOOD) + "\n```", reject_response_format=True)
    lm = LM("openai/m", api_base=server.base_url, cache=False)

    async def main():
        async with lm:
            first = await lm.complete("plan it", schema=Plan)
            second = await lm.complete("plan again", schema=Plan)
            return first, second

    first, second = asyncio.run(main())
    assert first.parsed == second.parsed == Plan(**GOOD)
    # One rejected request, then prompt+parse; the fallback is remembered.
    assert ["response_format" in b for b in server.requests] == [True, False, False]
    assert server.requests[1]["messages"][0]["role"] == "system"


def test_a_400_for_another_reason_does_not_turn_response_format_off(fake_server):
    from optiforge.errors import BadRequestError

    server = fake_server(
        reply=json.dumps(GOOD), rule=lambda body, i: 400 if "too long" in json.dumps(body["messages"]) else None
    )
    lm = LM("openai/m", api_base=server.base_url, cache=False)
    with pytest.raises(BadRequestError, match="HTTP 400"):
        lm.complete_sync("too long", schema=Plan)
    assert lm.complete_sync("fine", schema=Plan).parsed == Plan(**GOOD)
    assert "response_format" in server.requests[-1]
