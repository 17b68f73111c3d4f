"""The experiment spec: what to run (datasets x methods x models x seeds) and how (budget, executor).

A YAML spec (``optiforge bench run --spec exp.yaml``; flags override its keys)::

    name: optibench-baselines
    datasets:
      - {name: optibench, limit: 50}
      - {name: nl4opt, split: test}
      - {name: mine, path: my_problems.jsonl}      # any JSON/JSONL of word problems
    methods: [direct, formulate, formulate+selfcons5]
    method_settings: {formulate: {temperature: 0.7}}
    models:
      - openai/gpt-4o-mini                          # a litellm string
      - {model: qwen2.5-7b, api_base: "http://127.0.0.1:8000/v1"}
    seeds: [0, 1, 2]
    budget: {usd: 5.0}
    concurrency: 32
    timeout_s: 300
    store: results.sqlite
    executor: local                                 # or ray (with ray_address)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from optiforge.bench._methods import parse_method
from optiforge.errors import ConfigError, InputError


class DatasetSpec(BaseModel):
    """One data set of the grid: its name and which items (limit, ids, split).

    ``path`` names the file directly (any JSON/JSONL of word problems when ``name`` is not a
    known data set). ``split`` keeps a stable hash-based share of the items (``train`` gets
    ``train_fraction`` of them); ``limit`` applies after the split. ``rule`` overrides the
    data set's answer rule for the ``correct`` column (every rule is stored anyway).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    limit: int | None = Field(None, ge=1)
    ids: list[str] | None = None
    split: Literal["train", "test"] | None = None
    train_fraction: float = Field(0.5, gt=0, lt=1)
    data_dir: Path | None = None
    path: Path | None = None
    rule: str | None = None
    no_solution: Literal["skip", "keep"] = "skip"

    def identity(self) -> dict[str, Any]:
        """What selects the items and how they are judged (not where the files live)."""
        d: dict[str, Any] = {"name": self.name, "limit": self.limit, "ids": self.ids}
        if self.split:
            d.update(split=self.split, train_fraction=self.train_fraction)
        if self.rule:
            d["rule"] = self.rule
        if self.no_solution != "skip":
            d["no_solution"] = self.no_solution
        return d


class ModelSpec(BaseModel):
    """One model of the grid: a litellm string or a name served at ``api_base``.

    ``replay`` names a record file: the run then replays recorded responses instead of
    asking a live model, and every report says so. ``record`` names a file that receives
    every live call (for a later replay). ``params`` go to every call (temperature, ...).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1)
    api_base: str | None = None
    replay: Path | None = None
    record: Path | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        """The name used in tables and cell keys."""
        return self.model

    def identity(self) -> dict[str, Any]:
        """What defines the model's answers (the endpoint's address does not)."""
        return {"model": self.model, "replay": self.replay is not None, "params": self.params}


class BudgetSpec(BaseModel):
    """Spend limits for the whole run; new LLM calls stop once either is reached."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    usd: float | None = Field(None, ge=0)
    tokens: int | None = Field(None, ge=0)


class ExperimentSpec(BaseModel):
    """A benchmark experiment. Build it from CLI flags or a YAML file (:func:`load_spec`).

    Only ``datasets``, ``methods``, ``method_settings``, ``models`` and ``seeds`` define the
    cells, so only they enter :attr:`spec_hash`; budget, concurrency, timeout, store and
    executor can change between a run and its resume.
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    datasets: list[DatasetSpec] = Field(min_length=1)
    methods: list[str] = Field(min_length=1)
    method_settings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    models: list[ModelSpec] = Field(min_length=1)
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)
    budget: BudgetSpec = Field(default_factory=lambda: BudgetSpec(usd=None, tokens=None))
    concurrency: int = Field(16, ge=1, le=4096)
    timeout_s: float = Field(600.0, gt=0)
    store: Path | None = None
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    cache: bool = True

    @field_validator("datasets", mode="before")
    @classmethod
    def _datasets(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list):
            return [{"name": x} if isinstance(x, str) else x for x in v]
        return v

    @field_validator("models", mode="before")
    @classmethod
    def _models(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list):
            return [{"model": x} if isinstance(x, str) else x for x in v]
        return v

    @field_validator("methods", mode="before")
    @classmethod
    def _methods(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("methods")
    @classmethod
    def _parse_methods(cls, v: list[str]) -> list[str]:
        out = [parse_method(x).text for x in v]
        if len(set(out)) != len(out):
            raise ValueError("a method is listed twice")
        return out

    @field_validator("seeds")
    @classmethod
    def _unique_seeds(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("a seed is listed twice")
        return v

    @model_validator(mode="after")
    def _unique(self) -> ExperimentSpec:
        names = [d.name for d in self.datasets]
        if len(set(names)) != len(names):
            raise ValueError("a dataset is listed twice")
        models = [m.label for m in self.models]
        if len(set(models)) != len(models):
            raise ValueError("a model is listed twice")
        return self

    def identity(self) -> dict[str, Any]:
        """The part of the spec that defines the cells."""
        return {
            "datasets": [d.identity() for d in self.datasets],
            "methods": self.methods,
            "method_settings": {k: self.method_settings[k] for k in sorted(self.method_settings)},
            "models": [m.identity() for m in self.models],
            "seeds": self.seeds,
        }

    @property
    def spec_hash(self) -> str:
        """A stable 16-hex-digit hash of :meth:`identity`."""
        blob = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def replayed(self) -> bool:
        """True if any model replays recorded responses instead of asking a live model."""
        return any(m.replay is not None for m in self.models)

    def settings_for(self, method: str) -> dict[str, Any]:
        """Method options: those under the full spec string override those under the base name."""
        base = parse_method(method).base
        return {**self.method_settings.get(base, {}), **self.method_settings.get(method, {})}


def spec_error(exc: ValidationError, where: str = "spec") -> ConfigError:
    """One line naming the offending key."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        return ConfigError(f"{where}: unknown key {loc!r}")
    if err.get("type") == "missing":
        return ConfigError(f"{where}: missing key {loc!r}")
    return ConfigError(f"{where}: {loc or 'spec'}: {msg}")


def build_spec(data: dict[str, Any], where: str = "spec") -> ExperimentSpec:
    """Validate a plain dict into an :class:`ExperimentSpec`; ConfigError (one line) if invalid."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of keys (datasets, methods, models, ...), got {type(data).__name__}")
    try:
        return ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc, where) from None


def load_spec(path: str | Path, **overrides: Any) -> ExperimentSpec:
    """Read a YAML spec file; ``overrides`` (non-None) replace its keys."""
    import yaml

    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise InputError(f"cannot read spec file {p}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{p}: bad YAML{where}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping of keys (datasets, methods, models, ...) at the top level")
    data.update({k: v for k, v in overrides.items() if v is not None})
    return build_spec(data, str(p))
