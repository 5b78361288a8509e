"""A scripted "model" for the fake OpenAI server: it answers each task of the openai
backend (recognised by the `# task:` line of the prompt) the way a diligent model would.

For the tasks that need real values (plan, skeleton, the MAS user) it keeps its own
Workbench of the same env and seed, replays the conversation's calls on it, and uses the
offline backend's value source to find calls that really succeed; everything else gets a
short fixed answer of the right shape. It is deterministic for a given request body.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
from typing import Any

from toolace_mt.generation.language.wording import label
from toolace_mt.generation.plan.confirmation import needs_confirmation
from toolace_mt.generation.workbench import Workbench
from toolace_mt.llm.prompts import task_of

REPLIES = ("Here is what I found.", "That's done, see the details above.", "All set, have a look.",
           "Here you go.", "I've checked that for you.")
# After calls that only wrote, nothing was "found": the reply says it is done.
DONE = ("That's done, see the details above.", "All set, have a look.", "Done.")


def _content(value: dict[str, Any]) -> dict[str, Any]:
    return {"content": json.dumps(value)}


def said(value: Any) -> str:
    """A value as a person says it: enum words spaced out, lists joined."""
    if isinstance(value, list):
        return " and ".join(said(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(said(v) for v in value.values())
    if isinstance(value, float) and value.is_integer():  # "40", never "40.0" as a program prints it
        value = int(value)
    return str(value).replace("_", " ") if isinstance(value, str) else json.dumps(value)


def stating(args: dict[str, Any]) -> str:
    """The values a request needs, in words ("the order ID is #W1 and the reason is no longer
    needed"), not in parameter names or snake_case."""
    parts = [f"the {label(k)} is {said(v)}" for k, v in args.items()]
    if not parts:
        return "nothing else is needed"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def requesting(args: dict[str, Any]) -> str:
    """The values of a request as a user says them: the first by its name, the rest as
    values ("the order ID is #W1; #W1-2, damaged and store credit"), since a turn naming
    three parameters ("the X is .., the Y is .. and the Z is ..") is a form, not speech."""
    if len(args) <= 2:
        return stating(args)
    (first, value), *rest = args.items()
    values = [said(v) for _, v in rest]
    return f"the {label(first)} is {said(value)}; " + ", ".join(values[:-1]) + " and " + values[-1]


def opening(count: int, wrote_only: bool) -> str:
    """The reply's opening words: nothing is presented as found after calls that only wrote."""
    return DONE[count % len(DONE)] if wrote_only else REPLIES[count % len(REPLIES)]


def _scalars(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(k, v) for k, v in value.items() if isinstance(v, str | int | float) and not isinstance(v, bool)]
    return []


def telling(output: Any) -> str:
    """What a tool output shows, in a sentence: a record by a few of its values, a list by
    each item's name (or first detail), never field: value pairs."""
    if isinstance(output, list):
        if not output:
            return "nothing came up"
        items = []
        for item in output[:5]:
            values = [v for k, v in _scalars(item) if not k.endswith("id")] or [v for _, v in _scalars(item)]
            items.append(said(values[0]) if values else said(item))
        return f"{len(output)} came up: " + ", ".join(items)
    if isinstance(output, dict):
        values = [said(v) for _, v in _scalars(output)]
        return "it shows " + ", ".join(values) if values else "it is done"
    return f"the answer is {said(output)}"


class ScriptedModel:
    def __init__(self, env: str, seed: int) -> None:
        self.bench = Workbench(env, seed)
        self.lock = threading.Lock()  # the server answers in threads; an env is not thread-safe
        self.planned: dict[str, tuple[str, dict[str, Any]]] = {}  # MAS: user request -> the call it wants

    def close(self) -> None:
        self.bench.close()

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            return self.answer(body)

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        messages = body["messages"]
        rng = random.Random(hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest())
        if body.get("tools") and task_of(messages[0]["content"]) is None:
            return self.mas_assistant(messages)
        task = task_of(messages[0]["content"])
        context = json.loads(messages[1]["content"])
        if task == "plan":
            count = int(re.search(r"exactly (\d+) sub-tasks", messages[0]["content"]).group(1))
            tools = context["tools"]
            writes = [t["name"] for t in tools if t["changes_state"]]
            picks = [rng.choice(writes if writes and rng.random() < 0.6 else [t["name"] for t in tools])
                     for _ in range(count)]
            return _content({"subtasks": [{"tool": p, "steps": 1, "goal": f"use {p}"} for p in picks]})
        if task == "skeleton":
            found = self.find_call(context["plan"]["target"], context["conversation"], rng)
            if found is None:
                return _content({"goal": "x", "request": "Hello.", "turns": [[{"name": "no_such_tool"}]]})
            name, args = found
            request = f"I'd like to {label(name)}: {requesting(args)}."
            return _content({"goal": f"{label(name)}", "request": request,
                             "turns": [[{"name": name, "arguments": args}]]})
        if task == "mas_user":
            found = self.find_call(context["target"]["name"], context["conversation"], rng)
            if found is None:
                return _content({"request": "Never mind."})
            request = f"Could you {label(found[0])}? {requesting(found[1])}."
            self.planned[request] = found
            return _content({"request": request})
        if task == "reply":
            return _content({"texts": self.replies(context)})
        if task == "inject_clarification":
            value = str(context["value"])
            return _content({"request": context["request"].replace(value, "something I will tell you"),
                             "ask": f"Could you tell me the {label(context['argument'])}?",
                             "answer": f"Sure, it is {value}."})
        if task == "inject_error_simulation":
            value = str(context["value"])
            digits = [i for i, ch in enumerate(value) if ch.isdigit()]
            i = digits[-1]
            wrong = value[:i] + str((int(value[i]) + 3) % 10) + value[i + 1:]
            return _content({"wrong_value": wrong, "request": context["request"].replace(value, wrong),
                             "correction": f"Sorry, my mistake: it is {value}."})
        if task == "inject_tool_awareness":
            return _content({"user": "Could you also book me a taxi to the airport?",
                             "assistant": "I'm sorry, I have no tool for booking taxis."})
        if task == "inject_non_function_call":
            return _content({"user": "Thanks, that's helpful.", "assistant": "You're welcome!"})
        if task == "refill":
            return _content({"texts": [f"{m['text']} Thanks." if m["role"] == "user" else f"{m['text']} Anything else?"
                                       for m in context["masked"]]})
        if task == "keep_edits":
            return _content({"keep": [True] * len(context["edits"])})
        if task and task.startswith("judge_"):
            return _content({"passed": True, "reason": "", "message_index": None})
        raise ValueError(f"unknown task {task!r}")

    def wrote_only(self, messages: list[dict[str, Any]]) -> bool:
        """The calls among `messages` are all writes (at least one)."""
        names = [c["function"]["name"] for m in messages for c in m.get("tool_calls") or []]
        tools = self.bench.tools
        return bool(names) and all(n in tools and tools[n].writes for n in names)

    def replies(self, context: dict[str, Any]) -> list[str]:
        """One text per `[REPLY n]` mark of the conversation, in order."""
        marks = [i for i, m in enumerate(context["conversation"])
                 if m["role"] == "assistant" and re.fullmatch(r"\[REPLY \d+\]", m.get("content") or "")]
        texts = []
        for reply, position in zip(context["replies"], marks, strict=True):
            if reply["kind"] == "error_reply":
                texts.append(f"That did not work. Could you check the {label(reply['argument'] or 'value')}?")
                continue
            conversation = context["conversation"]
            if reply["kind"] == "confirm":
                texts.append(confirming(conversation, position))
                continue
            last_user = max((i for i in range(position) if conversation[i]["role"] == "user"), default=0)
            outputs = [json.loads(m["content"]) for m in conversation[last_user:position] if m["role"] == "tool"]
            count = sum(1 for m in conversation[:position] if m["role"] == "assistant" and m.get("content"))
            told = "; ".join(telling(out) for out in outputs if not (isinstance(out, dict) and "error" in out))
            opener = opening(count, self.wrote_only(conversation[last_user:position]))
            texts.append(f"{opener} {told[:1].upper()}{told[1:]}." if told else opener)
        return texts

    def find_call(self, target: str, conversation: list[dict[str, Any]],
                  rng: random.Random) -> tuple[str, dict[str, Any]] | None:
        """A call of `target` that really succeeds after the conversation's calls."""
        env = self.bench.env
        env.reset()
        for message in conversation:
            for call in message.get("tool_calls") or []:
                env.call(call["function"]["name"], json.loads(call["function"]["arguments"]))
        tool = self.bench.tools[target]
        found = self.bench.succeed(tool, rng, 24)
        if found is None:
            return None
        arguments = dict(found[0].arguments)
        if needs_confirmation(tool):  # a write the user confirms: every choice said, defaults too
            for param, schema in sorted(tool.parameters.get("properties", {}).items()):
                if param not in arguments and isinstance(schema, dict) and schema.get("enum") \
                        and schema.get("default") in schema["enum"]:
                    arguments[param] = schema["default"]
        return target, arguments

    def mas_assistant(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The planned call for the user's request; before a write the env confirms, first
        "shall I ...?" with every value (the user's yes comes next); then a reply."""
        last_user = max(i for i, m in enumerate(messages) if m["role"] == "user")
        asked = last_user >= 2 and messages[last_user - 1]["role"] == "assistant" and \
            (messages[last_user - 1].get("content") or "").startswith("Just to check")
        request_at = last_user - 2 if asked else last_user
        planned = self.planned.get(messages[request_at]["content"])
        if planned is None or any(m["role"] == "tool" for m in messages[request_at:]):
            said = sum(1 for m in messages if m["role"] == "assistant" and m.get("content"))
            outputs = [json.loads(m["content"]) for m in messages[request_at:] if m["role"] == "tool"]
            told = "; ".join(telling(out) for out in outputs if not (isinstance(out, dict) and "error" in out))
            # As the reply task does: what the calls found, in words.
            opener = opening(said, self.wrote_only(messages[request_at:]))
            return {"content": f"{opener} {told[:1].upper()}{told[1:]}." if told else opener}
        name, args = planned
        if not asked and needs_confirmation(self.bench.tools[name]):
            return {"content": f"Just to check: shall I {label(name)}, where {stating(args)}?"}
        return {"content": None, "tool_calls": [{"id": "call_a", "type": "function",
                                                 "function": {"name": name, "arguments": json.dumps(args)}}]}


def confirming(conversation: list[dict[str, Any]], position: int) -> str:
    """Before a consequential write: the action and every value it will use, as a question
    (the calls come after the mark, in the conversation up to the last reply)."""
    after = next((m for m in conversation[position + 1:] if m["role"] == "assistant" and m.get("tool_calls")), None)
    if after is None:
        return "Shall I go ahead?"
    call = after["tool_calls"][0]["function"]
    return f"Just to check: shall I {label(call['name'])}, where {stating(json.loads(call['arguments']))}?"
