"""The `offline` backend: every stage answered without a model, deterministically from
the seed. It only routes: the plan of a sub-task (segment_drafter, value_finder,
call_plan), stage 2's edits (injections), the language (offline_wording, over the
phrase modules) and the refinement rules (refinement). It counts the calls a model
backend would make."""

from __future__ import annotations

import random

from toolace_mt.generation.backends.interface import CostMeter, Injection, InjectionType, SubTaskPlan
from toolace_mt.generation.draft import Draft, Segment, Turn
from toolace_mt.generation.language import refinement
from toolace_mt.generation.language.offline_wording import turn_text
from toolace_mt.generation.language.request_wording import request_text
from toolace_mt.generation.plan import injections, segment_drafter
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.judge import Judge, OfflineJudge


class OfflineBackend:
    name = "offline"

    # -- stage 1: the plan --------------------------------------------------------
    def plan_task(self, bench: Workbench, subtasks: int, steps: tuple[int, int], rng: random.Random,
                  cost: CostMeter) -> list[SubTaskPlan]:
        return segment_drafter.plan_targets(bench, subtasks, steps, rng, cost)

    def draft_segment(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                      cost: CostMeter) -> Segment | None:
        return segment_drafter.draft_segment(self, bench, plan, draft, rng, cost)

    # -- the language -------------------------------------------------------------
    def word_request(self, bench: Workbench, segment: Segment, turn: Turn) -> str:
        return request_text(bench, segment, turn)

    def word_turn(self, bench: Workbench, draft: Draft, segment: Segment, turn: Turn) -> str:
        return turn_text(bench, segment, turn, draft)

    def word_replies(self, draft: Draft, segments: range, cost: CostMeter, bench: Workbench) -> None:
        """Word the assistant's text turns of `segments` on the outputs as they now are.

        Counted as the model backend pays it: one "reply" call when at least one reply (or
        error report) has no text yet or a conversation before it that changed since it
        was worded (its stamp, see refinement.stamps), none otherwise."""
        stale = [turn for turn, stamp in refinement.stamps(draft, segments)
                 if not turn.text or turn.topic.get("worded_on") != stamp]
        for index in segments:
            segment = draft.segments[index]
            for turn in segment.turns:
                if turn.role == "assistant" and not turn.calls:
                    turn.text = self.word_turn(bench, draft, segment, turn)
        if stale:
            cost.add_json("reply", {"turns": len(draft.turns()), "replies": [t.kind for t in stale]},
                          [t.text for t in stale])
        for turn, stamp in refinement.stamps(draft, segments):
            turn.topic["worded_on"] = stamp

    # -- stage 2 ------------------------------------------------------------------
    def inject(self, bench: Workbench, draft: Draft, kind: InjectionType, rng: random.Random,
               cost: CostMeter) -> Injection | None:
        injection = injections.inject(self, bench, draft, kind, rng)
        cost.add_json("inject", {"type": kind, "turns": len(draft.turns())},
                      {"segment": injection.segment if injection else None})
        return injection

    # -- stage 3 ------------------------------------------------------------------
    def refill(self, draft: Draft, turns: list[Turn], rng: random.Random, cost: CostMeter,
               bench: Workbench) -> list[str | None]:
        """New text for each masked turn, in one call (the turns are non-adjacent)."""
        texts = refinement.refill(draft, turns, rng, lambda segment, turn: self.word_turn(bench, draft, segment, turn))
        cost.add_json("refine", [{"kind": t.kind, "text": t.text} for t in turns], texts)
        return texts

    def keep_edits(self, draft: Draft, turns: list[Turn], old: list[str], new: list[str | None],
                   cost: CostMeter) -> list[bool]:
        cost.add_json("judge", {"old": old, "new": new}, [True] * len(turns))
        return refinement.keep_edits(draft, turns, old, new)

    def judge(self, cost: CostMeter) -> Judge:
        return OfflineJudge()

    # -- MAS ----------------------------------------------------------------------
    def play_user(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                  cost: CostMeter) -> Segment | None:
        segment = self.draft_segment(bench, plan, draft, rng, CostMeter())
        cost.add_json("mas_user", {"plan": plan.target, "history": len(draft.turns())},
                      segment.turns[0].text if segment else None)
        return segment

    def play_assistant(self, bench: Workbench, segment: Segment, position: int, draft: Draft,
                       rng: random.Random, cost: CostMeter) -> Turn:
        """The assistant agent's turn at `position` of the sub-trajectory it is acting out
        (one model call per turn, as a turn-by-turn simulation pays)."""
        turn = segment.turns[position]
        cost.add_json("mas_assistant", {"history": len(draft.turns())},
                      [(c.name, c.arguments) for c in turn.calls] or turn.kind)
        return turn

    def play_user_turn(self, segment: Segment, position: int, draft: Draft, cost: CostMeter) -> Turn:
        """The user agent's turn at `position` (after the opening request)."""
        turn = segment.turns[position]
        cost.add_json("mas_user", {"history": len(draft.turns())}, turn.text)
        return turn
