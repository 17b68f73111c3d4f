"""`optiforge solve --text` and `optiforge formulate` end to end against a loopback OpenAI-compatible server."""

from __future__ import annotations

import json
from pathlib import Path

from optiforge.cli import main
from optiforge.llm.fakeserver import FakeOpenAIServer

DATA = json.loads((Path(__file__).parent.parent / "data" / "formulate" / "optibench10.json").read_text())
ITEM = next(i for i in DATA if i["index"] == 5)


def reply_for(body: dict) -> str:
    # Answers like a chat model: prose around a fenced JSON block.
    return "Sure.\n```json\n" + json.dumps(ITEM["response"]) + "\n```"


def test_solve_text_answers_a_real_optibench_problem(capsys):
    with FakeOpenAIServer(reply=reply_for) as server:
        argv = ["solve", "--text", ITEM["question"], "--model", "openai/local", "--api-base", server.base_url, "--json"]
        for label in ITEM["results"]:
            argv += ["--ask", label]
        assert main(argv) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["status"] == "answered" and out["verified"]
        for label, gold in ITEM["results"].items():
            assert abs(out["answers"][label] - float(gold)) < 1e-4
        n_requests = len(server.requests)
        # The same question again is served from the cache: no new request, no cost.
        assert main(argv) == 0
        again = json.loads(capsys.readouterr().out)
        assert len(server.requests) == n_requests
        assert again["answers"] == out["answers"] and again["cost_usd"] == 0


def test_formulate_writes_a_model_that_optiforge_solve_reads(tmp_path, capsys):
    out_file = tmp_path / "model.json"
    with FakeOpenAIServer(reply=reply_for) as server:
        code = main(["formulate", ITEM["question"], "-m", "openai/local", "--api-base", server.base_url, "--out", str(out_file)])
    assert code == 0
    assert "answered (verified" in capsys.readouterr().out
    assert main(["solve", str(out_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["objective"] == 655.0


def test_solve_text_needs_a_model(capsys):
    assert main(["solve", "--text", "maximise x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "OPTIFORGE_MODEL" in err and err.count("\n") == 1


def test_unreachable_server_is_one_line_error(capsys):
    code = main(["solve", "--text", "maximise x", "-m", "openai/x", "--api-base", "http://127.0.0.1:9/v1"])
    err = capsys.readouterr().err
    assert code == 3 and err.startswith("error: ") and "Traceback" not in err


def test_no_answer_exit_code(capsys):
    with FakeOpenAIServer(reply="I cannot help with that.") as server:
        code = main(["formulate", "maximise x", "-m", "openai/x", "--api-base", server.base_url, "--rounds", "1"])
    assert code == 14
    assert "no_answer" in capsys.readouterr().out
