"""Talking to a real model through any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama,
llama.cpp server), one or several servers: settings, a thread-safe synchronous client with
bounded concurrency, least-loaded routing over the servers, retries and a response cache,
and structured (JSON) answers validated with pydantic."""

from toolace_mt.llm.client import ChatAnswer, ChatClient, Usage
from toolace_mt.llm.errors import AnswerError, ModelError
from toolace_mt.llm.settings import ModelSettings

__all__ = ["AnswerError", "ChatAnswer", "ChatClient", "ModelError", "ModelSettings", "Usage"]
