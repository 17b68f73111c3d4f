"""Record/replay: a recorded run replays offline, byte-identical; gaps are named."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from optiforge.errors import InputError
from optiforge.llm import LM, ReplayLM, ReplayMissing, ScriptedLM


class Answer(BaseModel):
    value: int


TRICKY = "  leading spaces, unicode — π ≈ 3.14159, emoji 🚀, tabs\tand\r\nCRLF, trailing newline\n"


def test_record_then_replay_is_byte_identical(fake_server, tmp_path):
    server = fake_server(reply=TRICKY, api_key="sk-never-recorded")
    path = tmp_path / "calls.jsonl"
    lm = LM("openai/m", api_base=server.base_url, api_key="sk-never-recorded", cache=False, record=path)
    first = lm.complete_sync("tell me", temperature=0.7)
    samples = lm.sample_sync("again", 2)

    replay = ReplayLM(path)
    assert replay.model == "openai/m" and replay.backend_name == "replay"
    again = replay.complete_sync("tell me", temperature=0.7)
    assert again.text.encode() == first.text.encode() == TRICKY.encode()
    assert again.usage == first.usage and again.response_id == first.response_id
    assert [c.text for c in replay.sample_sync("again", 2)] == [c.text for c in samples]

    raw = path.read_text(encoding="utf-8")
    assert "sk-never-recorded" not in raw and str(server.port) not in raw
    lines = [json.loads(x) for x in raw.splitlines()]
    assert len(lines) == 3
    assert {"key", "model", "messages", "params", "text", "usage"} <= set(lines[0])


def test_structured_repair_rounds_replay_too(tmp_path):
    path = tmp_path / "calls.jsonl"
    lm = ScriptedLM(["not json", '{"value": 7}'], record=path)
    assert lm.complete_sync("q", schema=Answer).parsed == Answer(value=7)
    replayed = ReplayLM(path).complete_sync("q", schema=Answer)
    assert replayed.parsed == Answer(value=7) and replayed.attempts == 2


def test_cache_hits_are_recorded_so_replay_is_complete(tmp_path):
    from optiforge.llm import Cache

    cache = Cache(tmp_path / "c.sqlite")
    ScriptedLM(["cached"], cache=cache).complete_sync("q")
    path = tmp_path / "calls.jsonl"
    ScriptedLM([], cache=cache, record=path).complete_sync("q")
    assert ReplayLM(path).complete_sync("q").text == "cached"


def test_missing_entry_names_the_key(tmp_path):
    path = tmp_path / "calls.jsonl"
    ScriptedLM(["a"], record=path).complete_sync("recorded question")
    replay = ReplayLM(path)
    with pytest.raises(ReplayMissing, match=r"no recorded reply for request key [0-9a-f]{64}.*other question"):
        replay.complete_sync("other question")


def test_bad_record_files(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        ReplayLM(tmp_path / "absent.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"key": "k"}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl:1"):
        ReplayLM(bad)
    two = tmp_path / "two.jsonl"
    ScriptedLM(["a"], model="m1", record=two).complete_sync("q")
    ScriptedLM(["b"], model="m2", record=two).complete_sync("q")
    with pytest.raises(InputError, match="pass model="):
        ReplayLM(two)
    assert ReplayLM(two, model="m2").complete_sync("q").text == "b"
