"""`optiforge doctor`: an honest report, including whether the configured endpoint answers."""

from __future__ import annotations

import json

from optiforge.cli import main
from optiforge.config import get_settings
from optiforge.llm.fakeserver import FakeOpenAIServer


def _report(capsys) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(capsys.readouterr().out)}


def test_doctor_reports_every_part(capsys):
    code = main(["doctor", "--json"])
    checks = _report(capsys)
    assert {"python", "packages", "solvers", "sandbox", "tools", "model", "paths", "gpu"} <= set(checks)
    assert checks["solvers"]["level"] == "ok" and "HiGHS" in checks["solvers"]["detail"] and "SCIP" in checks["solvers"]["detail"]
    assert checks["model"]["level"] == "warn"  # nothing configured in tests
    assert code == (1 if any(c["level"] == "fail" for c in checks.values()) else 0)


def test_doctor_checks_the_configured_endpoint(monkeypatch, capsys):
    with FakeOpenAIServer(reply="hi") as server:
        monkeypatch.setenv("OPTIFORGE_API_BASE", server.base_url)
        monkeypatch.setenv("OPTIFORGE_MODEL", "openai/fake-model")
        main(["doctor", "--json"])
        ok = _report(capsys)["model"]
        monkeypatch.setenv("OPTIFORGE_MODEL", "openai/not-served")
        get_settings.cache_clear()
        main(["doctor", "--json"])
        wrong = _report(capsys)["model"]
    assert ok["level"] == "ok" and server.base_url in ok["detail"]
    assert wrong["level"] == "fail" and "not-served" in wrong["detail"]


def test_doctor_fails_on_an_unreachable_endpoint(monkeypatch, capsys):
    monkeypatch.setenv("OPTIFORGE_API_BASE", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPTIFORGE_MODEL", "openai/local")
    assert main(["doctor", "--json"]) == 1
    model = _report(capsys)["model"]
    assert model["level"] == "fail" and "127.0.0.1:9" in model["detail"]


def test_doctor_never_prints_the_api_key(monkeypatch, capsys):
    monkeypatch.setenv("OPTIFORGE_API_KEY", "sk-doctor-secret")
    main(["doctor"])
    assert "sk-doctor-secret" not in capsys.readouterr().out
