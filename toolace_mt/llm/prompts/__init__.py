"""The prompt of every task a stage asks of the model, one readable file per task.

Each file starts with `# task: NAME` (so a log or a test server can tell tasks apart),
states the task's contract and the JSON it must return. `$name` placeholders take the
generation settings (the paper's ranges and budgets)."""

from __future__ import annotations

from importlib import resources
from string import Template

TASKS = ("plan", "skeleton", "reply", "inject_clarification", "inject_error_simulation", "inject_tool_awareness",
         "inject_non_function_call", "refill", "keep_edits", "judge_coherence", "judge_faithfulness",
         "judge_task_completion", "mas_user", "mas_assistant")


def prompt(task: str, **values: object) -> str:
    """The prompt of `task` with its placeholders filled (unknown ones are left as they are)."""
    if task not in TASKS:
        raise ValueError(f"no prompt for task '{task}'")
    text = resources.files(__name__).joinpath(f"{task}.md").read_text(encoding="utf-8")
    return Template(text).safe_substitute({k: str(v) for k, v in values.items()})


def task_of(system_prompt: str) -> str | None:
    """The task named on a prompt's first line, or None."""
    first = system_prompt.lstrip().split("\n", 1)[0]
    return first.removeprefix("# task:").strip() if first.startswith("# task:") else None
