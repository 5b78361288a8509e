"""MAS with a model: the user agent opens each sub-task, the assistant agent acts on it
turn by turn with the tools (one request per turn), every call executed in the sandbox.
When the agent asks the go-ahead for a write the env's policy has confirmed, the user
says yes (a fixed phrase, as NAIG's confirmations) and the agent goes on."""

from __future__ import annotations

import json
import random

from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.openai_answers import RequestAnswer
from toolace_mt.generation.backends.openai_requests import Asker
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.plan.confirmation import needs_confirmation
from toolace_mt.generation.workbench import Workbench
from toolace_mt.llm.prompts import prompt
from toolace_mt.llm.structured import record_cost
from toolace_mt.verifier.confirmation import _names_action


def asks_to_act(text: str, tool: str) -> bool:
    """The agent's turn asks the user's go-ahead for `tool`'s action ("Shall I cancel
    order #W1 ...?"), not for a missing value: it names the action and ends in a question."""
    return text.rstrip().endswith("?") and _names_action(text, tool)


class Agents:
    def __init__(self, asker: Asker) -> None:
        self.asker = asker

    def play_user(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                  cost: CostMeter) -> Segment | None:
        """The user agent opens the sub-task (one request), then the assistant agent acts on
        it turn by turn with the tools (one request per turn), every call executed."""
        tool = bench.tools[plan.target]
        context = {"domain": bench.env.description,
                   "target": {"name": tool.name, "description": tool.description, "parameters": tool.parameters},
                   "rows": self.asker.rows(bench, [plan.target], rng), "conversation": self.asker.history(draft)}
        opening: RequestAnswer = self.asker.ask("mas_user", context, RequestAnswer, "mas_user", rng, cost)
        request = Turn("user", "request", text=opening.request.strip(), topic={"target": plan.target, "played": True})
        messages = [*self.asker.history(draft), {"role": "user", "content": request.text}]
        messages[0] = {"role": "system", "content": f"{draft.system}\n\n{prompt('mas_assistant')}"}
        tools = self.asker.tools(bench, draft)
        env = bench.env
        before = env.snapshot()
        turns: list[Turn] = []
        text = None
        agreed = False
        try:
            for _ in range(plan.steps + 3):
                answer = self.asker.client.complete(messages, tools=tools, stage="mas_assistant",
                                                    seed=rng.randrange(2**31))
                record_cost(cost, "mas_assistant", messages, answer)
                calls = answer.message.get("tool_calls") or []
                if not calls:
                    text = (answer.message.get("content") or "").strip() or None
                    if text is not None and not agreed and asks_to_act(text, tool.name) and needs_confirmation(tool):
                        # "Shall I cancel ...?" before the write: the user says yes, the agent acts.
                        agreed = True
                        yes = w.agree(random.Random(rng.randrange(2**31)))
                        turns += [Turn("assistant", "confirm", text=text, topic={"played": True, "worded_on": "agent"}),
                                  Turn("user", "agree", text=yes, topic={"played": True})]
                        messages += [{"role": "assistant", "content": text}, {"role": "user", "content": yes}]
                        text = None
                        continue
                    break
                messages.append({"role": "assistant", "content": answer.message.get("content"), "tool_calls": calls})
                made = []
                for call in calls:
                    name = call["function"]["name"]
                    try:
                        arguments = json.loads(call["function"]["arguments"] or "{}")
                    except json.JSONDecodeError as exc:
                        arguments = None
                        content = json.dumps({"error": {"type": "InvalidArguments",
                                                        "message": f"arguments are not JSON: {exc}"}})
                    if isinstance(arguments, dict):
                        result = env.call(name, arguments)  # schema-checked by the sandbox before it runs
                        made.append(Call(name, arguments, expect_ok=result.ok, result=result))
                        content = result.content()
                    elif arguments is not None:
                        content = json.dumps({"error": {"type": "InvalidArguments",
                                                        "message": "arguments must be a JSON object"}})
                    messages.append({"role": "tool", "tool_call_id": call["id"], "content": content})
                if made:
                    turns.append(Turn("assistant", "calls", calls=made, topic={"played": True}))
        finally:
            env.restore(before)
        if not any(c.expect_ok for t in turns for c in t.calls):
            return None
        reply = Turn("assistant", "reply", text=text, topic={"target": plan.target, "writes": tool.writes,
                                                              "played": True, "worded_on": "agent" if text else None})
        return Segment(goal=f"{plan.target}: {request.text[:80]}", target=plan.target, stated={},
                       turns=[request, *turns, reply])

    def play_assistant(self, bench: Workbench, segment: Segment, position: int, draft: Draft,
                       rng: random.Random, cost: CostMeter) -> Turn:
        """Turns the agent already played were paid as they were spoken; a turn an injection
        added is counted as the agent's turn (its words came from the inject prompt)."""
        turn = segment.turns[position]
        if not turn.topic.get("played"):
            cost.add("mas_assistant", 0, len(turn.text or ""))
        return turn

    def play_user_turn(self, segment: Segment, position: int, draft: Draft, cost: CostMeter) -> Turn:
        turn = segment.turns[position]
        if not turn.topic.get("played"):
            cost.add("mas_user", 0, len(turn.text or ""))
        return turn
