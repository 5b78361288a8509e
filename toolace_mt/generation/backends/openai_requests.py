"""How the openai backend builds a request: the task's prompt (toolace_mt/llm/prompts/)
filled with the run's settings, and the JSON context it is asked on (the tools offered,
a few real rows of the tables they touch, the conversation so far)."""

from __future__ import annotations

import random
from typing import Any

from pydantic import BaseModel

from toolace_mt.generation.backends.interface import CostMeter, Stage
from toolace_mt.generation.backends.openai_answers import Readings, dump
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench
from toolace_mt.llm.client import ChatClient
from toolace_mt.llm.prompts import prompt
from toolace_mt.llm.settings import ModelSettings
from toolace_mt.llm.structured import ask

ROWS_PER_TABLE = 3
MAX_TABLES = 4


class Asker:
    """One ChatClient (shared by the threads of a worker) and the run's settings."""

    def __init__(self, client: ChatClient, settings: Settings, model: ModelSettings) -> None:
        self.client = client
        self.settings = settings
        self.model = model
        self.readings = Readings()  # what the checks found in texts already read (every thread's)

    def ask(self, task: str, context: Any, answer: type[BaseModel], stage: Stage, rng: random.Random,
            cost: CostMeter, check: Any = None, max_repairs: int | None = None, **values: object) -> Any:
        system = prompt(task, subtasks_low=self.settings.subtasks[0], subtasks_high=self.settings.subtasks[1],
                        steps_low=self.settings.steps[0], steps_high=self.settings.steps[1],
                        injections_low=self.settings.injections[0], injections_high=self.settings.injections[1],
                        refine_steps=self.settings.refine_steps, **values)
        return ask(self.client, system, context, answer, stage=stage, cost=cost, seed=rng.randrange(2**31),
                   max_reasks=self.model.max_reasks, check=check, max_repairs=max_repairs)

    def tools(self, bench: Workbench, draft: Draft | None = None) -> list[dict[str, Any]]:
        withheld = set(draft.withheld) if draft is not None else set()
        return [t.openai() for t in bench.env.tools if t.name not in withheld]

    def rows(self, bench: Workbench, tools: list[str], rng: random.Random) -> dict[str, list[dict[str, Any]]]:
        """A few real rows of the tables the tools' parameters name (current state)."""
        tables: list[str] = []
        for name in tools:
            for param in bench.tools[name].parameters.get("properties", {}):
                for table, _ in bench.catalog.tables_with(param):
                    if table not in tables:
                        tables.append(table)
        tables = tables[:MAX_TABLES] or sorted(bench.catalog.primary_keys)[:MAX_TABLES]
        out = {}
        for table in tables:
            rows = bench.rows(table)
            picked = rng.sample(rows, min(ROWS_PER_TABLE, len(rows)))
            out[table] = [{k: (v[:200] if isinstance(v, str) else v) for k, v in row.items()} for row in picked]
        return out

    def history(self, draft: Draft) -> list[dict[str, Any]]:
        return dump(draft.messages())

    def history_before(self, draft: Draft, index: int) -> list[dict[str, Any]]:
        """The conversation before segment `index` (all of it when index is past the end)."""
        messages = dump(draft.messages())
        if index >= len(draft.segments):
            return messages
        return messages[:draft.message_index(draft.segments[index].turns[0])]
