"""The multi-agent simulation baseline (MAS): a user agent and an assistant agent talk
turn by turn, tools executed for real. It pays one model call per turn and has no
refinement stage; the same backends, injections and verifier as NAIG, so cost and pass
rate compare side by side."""

from __future__ import annotations

import random

from toolace_mt.generation.backend import Backend, CostMeter
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.naig import Attempt, build_record, inject, injection_op
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench


def generate_mas(bench: Workbench, backend: Backend, settings: Settings, seed: str, record_id: str,
                 attempt: int) -> Attempt:
    rng = random.Random(seed)
    cost = CostMeter()
    bench.env.reset()
    plans = backend.plan_task(bench, rng.randint(*settings.subtasks), settings.steps, rng, cost)
    draft = Draft(system=bench.system_prompt, segments=[])
    unpaid = CostMeter()  # the turns below are paid one by one, as the agents speak them
    for plan in plans:
        segment = backend.play_user(bench, plan, draft, rng, cost)
        if segment is None:
            continue
        draft.segments.append(segment)
        if not draft.execute(bench.env, start=len(draft.segments) - 1):
            return Attempt(None, cost, "a sub-task's calls did not run as the agents planned")
    if not draft.segments:
        return Attempt(None, cost, "the user agent found no sub-task it could pursue")
    backend.word_replies(draft, range(len(draft.segments)), unpaid, bench)
    injections = inject(bench, backend, draft, settings, rng, unpaid)
    for segment in draft.segments:
        for position, turn in enumerate(segment.turns[1:], start=1):
            if turn.role == "assistant":
                backend.play_assistant(bench, segment, position, draft, rng, cost)
            else:
                backend.play_user_turn(segment, position, draft, cost)
    ops = [injection_op(draft, i) for i in injections]
    return Attempt(build_record(bench, draft, record_id, "mas", backend, ops, cost, attempt), cost)
