"""The litellm backend, pointed at the loopback fake server (litellm's openai provider)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from optiforge.errors import AuthenticationError, BadRequestError
from optiforge.llm import LM

pytestmark = [
    pytest.mark.slow,  # importing litellm takes seconds
    pytest.mark.filterwarnings("ignore::UserWarning:pydantic"),
]


class Answer(BaseModel):
    value: int


def test_litellm_backend_end_to_end(fake_server):
    server = fake_server(reply='{"value": 5}', api_key="sk-lite", faults=[429])
    lm = LM("openai/fake", api_base=server.base_url, api_key="sk-lite", backend="litellm", cache=False, retry_base_s=0.01)
    assert lm.backend_name == "litellm"
    c = lm.complete_sync("q", temperature=0)
    assert c.text == '{"value": 5}' and c.usage.total_tokens > 0 and c.finish_reason == "stop"
    assert server.count == 2  # the 429 was retried by LM, not by litellm
    assert server.requests[-1]["model"] == "fake"
    parsed = lm.complete_sync("q2", schema=Answer)
    assert parsed.parsed == Answer(value=5)

    bad = LM("openai/fake", api_base=server.base_url, api_key="sk-wrong", backend="litellm", cache=False)
    with pytest.raises(AuthenticationError) as info:
        bad.complete_sync("q")
    assert "sk-wrong" not in str(info.value)


def test_litellm_unknown_provider_fails_fast():
    lm = LM("no-such-provider-model", backend="litellm", cache=False)
    with pytest.raises(BadRequestError, match="unknown model 'no-such-provider-model'"):
        lm.complete_sync("q")
