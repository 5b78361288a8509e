"""The multi-agent simulation baseline (MAS): a user agent and an assistant agent talk
turn by turn, tools executed for real. It pays one model call per turn and has no
refinement stage; the same backends, injections and verifier as NAIG, so cost and pass
rate compare side by side."""

from __future__ import annotations

import random

from toolace_mt.generation.backends.interface import Backend, CostMeter
from toolace_mt.generation.naig import Attempt, build_record, inject, injection_op, skeleton
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench


def generate_mas(bench: Workbench, backend: Backend, settings: Settings, seed: str, record_id: str,
                 attempt: int, cost: CostMeter | None = None) -> Attempt:
    """`cost` (made here when not given) counts the attempt's model calls; the caller's
    meter keeps what was paid even when a model fault ends the attempt half way."""
    rng = random.Random(seed)
    cost = cost if cost is not None else CostMeter()
    unpaid = CostMeter()  # the turns are paid one by one below, as the agents speak them
    try:
        draft = skeleton(bench, backend, settings, rng, cost, draft_segment=backend.play_user, wording_cost=unpaid)
        if draft is None:
            return Attempt(None, cost, "the user agent found no sub-task whose calls really succeed")
        injections = inject(bench, backend, draft, settings, rng, unpaid)
    finally:
        # With a model, building the dialogue on NAIG's machinery sent real requests (the
        # edits, reply wording): their tokens were billed, so they count, though not as calls.
        cost.add_tokens(unpaid)
    for segment in draft.segments:
        for position, turn in enumerate(segment.turns[1:], start=1):
            if turn.role == "assistant":
                backend.play_assistant(bench, segment, position, draft, rng, cost)
            else:
                backend.play_user_turn(segment, position, draft, cost)
    ops = [injection_op(draft, i) for i in injections]
    return Attempt(build_record(bench, draft, record_id, "mas", backend, ops, cost, attempt), cost)
