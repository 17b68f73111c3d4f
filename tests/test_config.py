"""Settings: environment, optiforge.toml, validation errors, and secrets kept out of output."""

from __future__ import annotations

import pytest

from optiforge.config import load_settings
from optiforge.errors import ConfigError


def test_env_overrides_toml(tmp_path, monkeypatch):
    (tmp_path / "optiforge.toml").write_text('model = "from-toml"\nconcurrency = 3\n')
    monkeypatch.setenv("OPTIFORGE_MODEL", "from-env")
    s = load_settings()
    assert s.model == "from-env"
    assert s.concurrency == 3


def test_explicit_overrides_env(monkeypatch):
    monkeypatch.setenv("OPTIFORGE_MODEL", "from-env")
    assert load_settings(model="explicit").model == "explicit"


def test_paths_default_under_home(_isolated_home):
    s = load_settings()
    assert s.resolved_cache_dir == _isolated_home / "cache"
    assert s.resolved_store_path == _isolated_home / "results.sqlite"


@pytest.mark.parametrize(("var", "value"), [("OPTIFORGE_CONCURRENCY", "0"), ("OPTIFORGE_BUDGET_USD", "-1"), ("OPTIFORGE_TIMEOUT_S", "soon")])
def test_invalid_values_raise_config_error_naming_the_field(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as exc:
        load_settings()
    field = var.removeprefix("OPTIFORGE_").lower()
    assert field in str(exc.value)
    assert "\n" not in str(exc.value)


def test_unknown_toml_key_is_an_error(tmp_path):
    (tmp_path / "optiforge.toml").write_text('modle = "typo"\n')
    with pytest.raises(ConfigError, match="modle"):
        load_settings()


def test_broken_toml_is_an_error(tmp_path):
    (tmp_path / "optiforge.toml").write_text("model = \n")
    with pytest.raises(ConfigError):
        load_settings()


def test_secret_never_printed(monkeypatch):
    monkeypatch.setenv("OPTIFORGE_API_KEY", "sk-very-secret")
    s = load_settings()
    assert s.api_key is not None and s.api_key.get_secret_value() == "sk-very-secret"
    assert "sk-very-secret" not in repr(s)
    assert "sk-very-secret" not in str(s.public_dict())
    assert s.public_dict()["api_key_set"] is True
