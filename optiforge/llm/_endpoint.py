"""``check_endpoint``: does the configured model answer? (for ``optiforge doctor``)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EndpointStatus:
    """Whether a model endpoint is usable, a one-line ``detail``, and the probe latency."""

    ok: bool
    detail: str
    latency_s: float | None = None


def check_endpoint(
    model: str | None = None, api_base: str | None = None, timeout_s: float = 5.0, api_key: str | None = None
) -> EndpointStatus:
    """Probe an endpoint without spending tokens.

    With an ``api_base`` (from the argument or settings): GET ``/models`` and check the
    model is listed. For a hosted model through litellm: report whether its provider's key
    variable is set — no network call. Secrets never appear in ``detail``.
    """
    if model is None and api_base is None:
        from optiforge.config import get_settings

        s = get_settings()
        model, api_base = s.model, s.api_base
        if api_key is None and s.api_key is not None:
            api_key = s.api_key.get_secret_value()
    if api_base:
        return _probe_server(model, api_base, timeout_s, api_key)
    if not model:
        return EndpointStatus(False, "no model configured: set OPTIFORGE_MODEL (and OPTIFORGE_API_BASE for a local server)")
    return _check_hosted(model)


def _probe_server(model: str | None, api_base: str, timeout_s: float, api_key: str | None) -> EndpointStatus:
    url = api_base.rstrip("/") + "/models"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {api_key}"} if api_key else {})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as resp:
            body = resp.read()
    except urllib.error.HTTPError as exc:
        latency = time.perf_counter() - start
        if exc.code in (401, 403):
            return EndpointStatus(False, f"{api_base} rejected the API key (HTTP {exc.code})", latency)
        return EndpointStatus(False, f"{url} answered HTTP {exc.code}; is api_base right (usually ends in /v1)?", latency)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return EndpointStatus(False, f"no server answers at {api_base} ({reason})")
    latency = time.perf_counter() - start
    try:
        names = [str(m.get("id")) for m in json.loads(body).get("data", [])]
    except (ValueError, AttributeError, TypeError):
        return EndpointStatus(False, f"{url} did not return an OpenAI-style model list", latency)
    shown = ", ".join(names[:5]) + (f" (+{len(names) - 5} more)" if len(names) > 5 else "")
    if model:
        wire = model[len("openai/") :] if model.startswith("openai/") else model
        if names and wire not in names:
            return EndpointStatus(False, f"{api_base} answers but does not serve {wire!r} (serves: {shown})", latency)
        return EndpointStatus(True, f"{api_base} answers and serves {wire!r}", latency)
    return EndpointStatus(True, f"{api_base} answers; serves: {shown or 'no models listed'}", latency)


def _check_hosted(model: str) -> EndpointStatus:
    from optiforge.llm._litellm import import_litellm

    litellm = import_litellm()
    try:
        litellm.get_llm_provider(model)
    except Exception:
        return EndpointStatus(False, f"unknown model {model!r}: use provider/model (e.g. openai/gpt-4o-mini) or set an api_base")
    try:
        env = litellm.validate_environment(model=model)
    except Exception as exc:
        return EndpointStatus(False, f"cannot check {model!r}: {' '.join(str(exc).split())[:200]}")
    missing = env.get("missing_keys") or []
    if env.get("keys_in_environment") and not missing:
        return EndpointStatus(True, f"{model}: provider key is set (not verified over the network)")
    if missing:
        return EndpointStatus(False, f"{model}: set {', '.join(missing)} in the environment")
    return EndpointStatus(False, f"{model}: litellm cannot tell which provider serves it; use provider/model")
