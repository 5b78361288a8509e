"""The `openai` agent: the model under test through any OpenAI-compatible endpoint,
with the record's tools passed as `tools` (toolace_mt.llm: retries, bounded concurrency).

No response cache: an evaluation measures the model as it answers now, and the trials
of pass^k must be independent samples. A model that cannot be used at all (unreachable,
401, unknown model, retries exhausted) stops the run (AgentUnavailable); an answer that
only this dialogue cannot use (a prompt longer than the context) fails the turn.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from toolace_mt.evaluation.agents import AgentUnavailable
from toolace_mt.llm import ChatClient, ModelError, ModelSettings


class OpenAIAgent:
    def __init__(self, settings: ModelSettings) -> None:
        try:
            self.client = ChatClient(settings)
        except ModelError as exc:
            raise AgentUnavailable(str(exc)) from None

    def __call__(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        try:
            return self.client.complete(messages, tools=tools or None, stage="eval").message
        except ModelError as exc:
            raise AgentUnavailable(str(exc)) from None

    def close(self) -> None:
        self.client.close()


def openai_agent(model: str | None, base_url: str | list[str] | None, api_key_env: str, max_retries: int = 4,
                 timeout: float = 120.0) -> OpenAIAgent:
    """Raises AgentUnavailable (no model named, no API key)."""
    try:
        settings = ModelSettings.from_env(model=model, base_url=base_url, api_key_env=api_key_env,
                                          max_retries=max_retries, timeout=timeout)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise AgentUnavailable(f"bad model settings: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    except ValueError:
        raise AgentUnavailable("the openai agent needs a model: --model NAME or TOOLACE_MODEL") from None
    settings = settings.model_copy(update={"cache_path": None})
    return OpenAIAgent(settings)
