"""The multi-agent simulation baseline (MAS): a user agent and an assistant agent talk
turn by turn, tools executed for real. It pays one model call per turn and has no
refinement stage; the same backends, injections and verifier as NAIG, so cost and pass
rate compare side by side."""

from __future__ import annotations

import random

from toolace_mt.generation.backend import Backend, CostMeter
from toolace_mt.generation.naig import Attempt, build_record, inject, injection_op, skeleton
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench


def generate_mas(bench: Workbench, backend: Backend, settings: Settings, seed: str, record_id: str,
                 attempt: int) -> Attempt:
    rng = random.Random(seed)
    cost = CostMeter()
    unpaid = CostMeter()  # the turns are paid one by one below, as the agents speak them
    draft = skeleton(bench, backend, settings, rng, cost, draft_segment=backend.play_user, wording_cost=unpaid)
    if draft is None:
        return Attempt(None, cost, "the user agent found no sub-task whose calls really succeed")
    injections = inject(bench, backend, draft, settings, rng, unpaid)
    for segment in draft.segments:
        for position, turn in enumerate(segment.turns[1:], start=1):
            if turn.role == "assistant":
                backend.play_assistant(bench, segment, position, draft, rng, cost)
            else:
                backend.play_user_turn(segment, position, draft, cost)
    ops = [injection_op(draft, i) for i in injections]
    return Attempt(build_record(bench, draft, record_id, "mas", backend, ops, cost, attempt), cost)
