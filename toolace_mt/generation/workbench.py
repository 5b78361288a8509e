"""One env made ready for generation: live state, schema index, dependency graph and
value source. Built once per env per process (start-up ~0.5 s) and reset per dialogue."""

from __future__ import annotations

import random
from typing import Any

from faker import Faker

from sandbox import CallResult, Environment, ToolSpec, load_env
from toolace_mt.generation.catalog import Catalog, build_catalog
from toolace_mt.generation.values import Choice, ValueSource


class Workbench:
    def __init__(self, env_ref: str, seed: int) -> None:
        self.env_ref = env_ref
        self.env: Environment = load_env(env_ref, seed=seed)
        # A fixed Faker version is pinned in pyproject: its output is part of our determinism.
        self.values = ValueSource(self.env, None, Faker("en_US", use_weighting=False))
        self.catalog: Catalog = build_catalog(self.env, random.Random(f"catalog:{seed}"), self._probe)
        self.values.catalog = self.catalog
        self.values.preload()
        self.system_prompt = (f"You are a helpful assistant with tools for this domain. "
                              f"{' '.join(self.env.description.split())} Use the tools to look things up and "
                              "make changes; never guess values you have not been given or shown.")

    def _probe(self, catalog: Catalog, tool: ToolSpec, rng: random.Random) -> dict[str, Any]:
        if self.values.catalog is None:
            self.values.catalog = catalog
            self.values.preload()  # the env is at its initial state while the catalog is built
        return self.values.propose(tool, rng).arguments

    @property
    def tools(self) -> dict[str, ToolSpec]:
        return self.catalog.tools

    def trial(self, name: str, arguments: dict[str, Any]) -> CallResult:
        """What the call does, for real, in the current state, which it leaves as it is."""
        return self.env.peek(name, arguments)

    def succeed(self, tool: ToolSpec, rng: random.Random, tries: int, known: dict[str, list[Any]] | None = None,
                context: dict[str, Any] | None = None) -> tuple[Choice, CallResult] | None:
        """Proposals until one really succeeds (a trial), or None after `tries`."""
        for attempt in range(tries):
            scoped = context if attempt < tries // 2 else None  # related rows first, then anything
            choice = self.values.propose(tool, rng, known=known, context=scoped)
            result = self.trial(tool.name, choice.arguments)
            if result.ok:
                return choice, result
        return None

    def close(self) -> None:
        self.env.close()
