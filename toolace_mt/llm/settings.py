"""How to reach the model and what it costs; defaults from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

DEFAULT_CACHE = Path(".toolace-cache.sqlite")
JUDGE_STAGES = frozenset({"judge", "verify"})  # CostMeter stages whose requests are judgements


class ModelSettings(BaseModel):
    model: str
    # The model servers (repeated --base-url); empty: OpenAI's own endpoint (or $OPENAI_BASE_URL).
    # Requests go to the least-loaded one; `base_url=` (one URL or a list) is accepted too.
    base_urls: list[str] = Field(default_factory=list)
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = Field(8, ge=1)
    timeout: float = Field(120.0, gt=0)  # seconds per request
    max_retries: int = Field(4, ge=0)  # on 429, 5xx, timeouts and refused connections
    backoff: float = Field(1.0, ge=0)  # first retry delay in seconds, doubled each time (retry-after wins)
    max_backoff: float = Field(30.0, ge=0)
    max_reasks: int = Field(2, ge=0)  # re-asks with the validation error before a dialogue fails
    cache_path: Path | None = DEFAULT_CACHE
    price_in: float | None = None  # USD per 1M prompt tokens
    price_out: float | None = None  # USD per 1M completion tokens
    temperature: float | None = 0.7  # None: send none (for models that refuse the parameter)
    # The judges (refinement keep/revert, the verifier's specialists) sample at this one:
    # a verdict should not change when the same dialogue is asked about again.
    judge_temperature: float | None = 0.0

    @model_validator(mode="before")
    @classmethod
    def _one_or_more_urls(cls, values: Any) -> Any:
        if isinstance(values, dict) and "base_url" in values:
            values = dict(values)
            given = values.pop("base_url")
            urls = [given] if isinstance(given, str) else list(given or [])
            values["base_urls"] = [*urls, *values.get("base_urls", [])]
        return values

    @field_validator("base_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"--base-url {url!r} is not an http:// or https:// URL")
        if len(set(urls)) != len(urls):
            raise ValueError("--base-url names the same server twice")
        return urls

    @property
    def base_url(self) -> str | None:
        """The first server (None: OpenAI's own endpoint)."""
        return self.base_urls[0] if self.base_urls else None

    def temperature_for(self, stage: str) -> float | None:
        return self.judge_temperature if stage in JUDGE_STAGES else self.temperature

    @classmethod
    def from_env(cls, model: str | None = None, base_url: str | list[str] | None = None,
                 **values: object) -> ModelSettings:
        """Command-line values first, then TOOLACE_MODEL / OPENAI_BASE_URL (the other
        values are taken as given: `cache_path=None` means no cache). `base_url`: one
        server or several (repeated --base-url)."""
        chosen = model or os.environ.get("TOOLACE_MODEL")
        if not chosen:
            raise ValueError("--backend openai needs a model: --model NAME or TOOLACE_MODEL")
        return cls.model_validate({"model": chosen, "base_url": base_url or os.environ.get("OPENAI_BASE_URL") or None,
                                   **values})

    def cost_usd(self, tokens_in: int, tokens_out: int) -> float | None:
        if self.price_in is None and self.price_out is None:
            return None
        return round(tokens_in * (self.price_in or 0.0) / 1e6 + tokens_out * (self.price_out or 0.0) / 1e6, 6)
