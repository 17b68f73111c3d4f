"""Settings: one place for model, endpoint, paths, concurrency and budget.

Sources, highest first: explicit arguments, ``OPTIFORGE_*`` environment variables,
``optiforge.toml`` in the working directory (or the file named by ``OPTIFORGE_CONFIG``),
then defaults. Secrets (API keys) are ``SecretStr``: they never print, and
``Settings.public_dict()`` is what may be written to a store or log.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from optiforge.errors import ConfigError


def _default_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "optiforge"


class Settings(BaseSettings):
    """optiforge settings. Every field can be set as ``OPTIFORGE_<FIELD>`` or in optiforge.toml."""

    model_config = SettingsConfigDict(env_prefix="OPTIFORGE_", extra="forbid", validate_default=True)

    model: str | None = Field(None, description="default model: a litellm string, or any name served at api_base")
    api_base: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
    api_key: SecretStr | None = Field(None, description="key for api_base; hosted providers use their own env vars")
    home: Path = Field(default_factory=_default_home, description="root for cache, store and downloads")
    cache_dir: Path | None = Field(None, description="LLM cache directory (default: <home>/cache)")
    store_path: Path | None = Field(None, description="benchmark result store (default: <home>/results.sqlite)")
    data_dir: Path | None = Field(None, description="where benchmark data sets are looked up first")
    cache: bool = Field(True, description="use the persistent LLM cache")
    concurrency: int = Field(16, ge=1, le=4096, description="max LLM calls in flight")
    timeout_s: float = Field(120.0, gt=0, description="per-call timeout in seconds")
    max_retries: int = Field(6, ge=0, le=50, description="retries for 429/5xx/timeouts")
    retry_max_total_s: float = Field(120.0, gt=0, description="give up retrying after this many seconds")
    budget_usd: float | None = Field(None, ge=0, description="stop new LLM calls past this spend")
    budget_tokens: int | None = Field(None, ge=0, description="stop new LLM calls past this many tokens")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("OPTIFORGE_CONFIG", "optiforge.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_path))

    @property
    def resolved_cache_dir(self) -> Path:
        """The LLM cache directory."""
        return self.cache_dir or self.home / "cache"

    @property
    def resolved_store_path(self) -> Path:
        """The benchmark store file."""
        return self.store_path or self.home / "results.sqlite"

    def public_dict(self) -> dict[str, Any]:
        """Settings safe to print or store: secrets are dropped, paths are strings."""
        data = self.model_dump(mode="json", exclude={"api_key"})
        data["api_key_set"] = self.api_key is not None
        return data


def load_settings(**overrides: Any) -> Settings:
    """Build settings from overrides, environment and optiforge.toml; raise ConfigError if invalid."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        raise ConfigError(f"invalid setting {where!r}: {err.get('msg')} (check OPTIFORGE_* variables and optiforge.toml)") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read settings: {exc}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, loaded once."""
    return load_settings()
