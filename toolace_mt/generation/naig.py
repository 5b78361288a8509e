"""ToolACE-MT's non-autoregressive generation: coarse skeleton, then iterative
refinement (mask-and-extend injections, mask-and-fill edits kept or reverted by a
judge). Every call is executed; structural edits re-execute the affected sub-tasks."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toolace_mt.generation.backends.interface import Backend, CostMeter, Injection, SubTaskPlan
from toolace_mt.generation.draft import Draft, Segment, Turn
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench
from toolace_mt.record import Expected, Op, Provenance, Record

SegmentDrafter = Callable[[Workbench, SubTaskPlan, Draft, random.Random, CostMeter], Segment | None]


@dataclass
class Attempt:
    record: Record | None
    cost: CostMeter
    reason: str | None = None  # why no record came out of generation


def skeleton(bench: Workbench, backend: Backend, settings: Settings, rng: random.Random, cost: CostMeter,
             draft_segment: SegmentDrafter | None = None, wording_cost: CostMeter | None = None) -> Draft | None:
    """Stage 1: plan, then draft each sub-task on the state the earlier ones left.

    MAS builds its dialogue the same way, with the user agent opening each sub-task
    (`draft_segment`) and the wording paid turn by turn later (`wording_cost`)."""
    bench.env.reset()
    plans = backend.plan_task(bench, rng.randint(*settings.subtasks), settings.steps, rng, cost)
    plans = bench.preconditions.arrange(plans)  # an enabling write (log in) before what needs it
    draft = Draft(system=bench.system_prompt, segments=[])
    drafter = draft_segment or backend.draft_segment
    for plan in plans:
        segment = drafter(bench, plan, draft, rng, cost)
        if segment is None:
            continue
        draft.segments.append(segment)
        if not draft.execute(bench.env, start=len(draft.segments) - 1):
            return None
    if not draft.segments:
        return None
    backend.word_replies(draft, range(len(draft.segments)), wording_cost or cost, bench)
    return draft


def inject(bench: Workbench, backend: Backend, draft: Draft, settings: Settings, rng: random.Random,
           cost: CostMeter) -> list[Injection]:
    """Stage 2a: 1-3 complexity types, each at a place no earlier edit touched. The replies
    an edit changed the conversation before are reworded once, after the last edit (one
    model call, not one per edit); a reply an edit left without text is worded before the
    next edit, which must not see an empty turn."""
    count = min(rng.randint(*settings.injections), len(settings.inject_types))
    done: list[Injection] = []
    reword_from: int | None = None
    kinds = rng.sample(list(settings.inject_types), count)
    for number, kind in enumerate(kinds, 1):
        # Call results are replaced on re-execution, never changed in place: share them.
        copies: dict[int, Any] = {id(c.result): c.result for _, t in draft.turns() for c in t.calls}
        saved = copy.deepcopy(draft.segments, copies), list(draft.withheld)
        injection = backend.inject(bench, draft, kind, rng, cost)
        if injection is None:
            continue
        if not draft.execute(bench.env, start=injection.segment):
            draft.segments, draft.withheld = saved  # the edit broke a later call: revert it
            for earlier in done:  # their turns are now the saved copies
                earlier.turns = [copies[id(turn)] for turn in earlier.turns]
            draft.execute(bench.env, start=injection.segment)
            continue
        if number < len(kinds) and any(not t.text for t in draft.reply_turns(range(len(draft.segments)))):
            backend.word_replies(draft, range(injection.segment, len(draft.segments)), cost, bench)
        reword_from = injection.segment if reword_from is None else min(reword_from, injection.segment)
        done.append(injection)
    if reword_from is not None:
        backend.word_replies(draft, range(reword_from, len(draft.segments)), cost, bench)
    return done


def refine(backend: Backend, draft: Draft, settings: Settings, rng: random.Random, cost: CostMeter,
           bench: Workbench) -> list[Turn]:
    """Stage 2b: mask-and-fill on non-adjacent text turns; weights decay once picked."""
    weights: dict[int, float] = {}
    kept = []
    for _ in range(settings.refine_steps):
        turns = [t for _, t in draft.turns() if t.text and not t.calls]
        open_turns = [(i, t) for i, t in enumerate(turns) if not t.edited]
        if not open_turns:
            break
        picked: list[tuple[int, Turn]] = []
        for _ in range(settings.turns_per_refine):
            options = [(i, t) for i, t in open_turns if all(abs(i - j) > 1 for j, _ in picked)]
            if not options:
                break
            chosen = rng.choices(options, weights=[weights.get(id(t), 1.0) for _, t in options])[0]
            picked.append(chosen)
            weights[id(chosen[1])] = weights.get(id(chosen[1]), 1.0) * 0.3
        masked = [turn for _, turn in picked]
        old = [turn.text or "" for turn in masked]
        new = backend.refill(draft, masked, rng, cost, bench)
        for turn, text, keep in zip(masked, new, backend.keep_edits(draft, masked, old, new, cost), strict=True):
            if keep and text is not None:
                turn.text = text
                turn.edited = True
                kept.append(turn)
    # A reworded request's replies were worded on its old words (what it asked about): they
    # are worded again on the new ones, in one call for every such sub-task; a refined reply
    # among them is worded again too (it is no longer a refinement).
    requested = [i for i, segment in enumerate(draft.segments)
                 if any(t is k and t.kind == "request" for t in segment.turns for k in kept)]
    if requested:
        span = range(requested[0], requested[-1] + 1)
        backend.word_replies(draft, span, cost, bench)
        reworded = {id(t) for i in span for t in draft.segments[i].turns if t.role == "assistant"}
        kept = [k for k in kept if id(k) not in reworded]
    return kept


def build_record(bench: Workbench, draft: Draft, record_id: str, method: str, backend: Backend,
                 ops: list[Op], cost: CostMeter, attempt: int) -> Record:
    env = bench.env
    return Record(
        id=record_id, env=bench.env_ref, env_digest=env.digest, seed=env.seed,
        tools=[t.openai() for t in env.tools if t.name not in draft.withheld],
        messages=draft.messages(), task=draft.task(),
        expected=Expected(final_state_hash=env.state_hash(), diff=env.diff().model_dump(mode="json")),
        provenance=Provenance(method=method, ops=ops, backend=backend.name, cost=cost.as_dict(), attempt=attempt))


def injection_op(draft: Draft, injection: Injection) -> Op:
    first = draft.message_index(injection.turns[0])
    answer = draft.message_index(injection.turns[1]) if len(injection.turns) > 1 else None
    return Op(type=injection.type, message_index=first, answer_index=answer, argument=injection.argument,
              value=injection.value, tool=injection.tool)


def generate_naig(bench: Workbench, backend: Backend, settings: Settings, seed: str, record_id: str,
                  attempt: int, cost: CostMeter | None = None) -> Attempt:
    """`cost` (made here when not given) counts the attempt's model calls; the caller's
    meter keeps what was paid even when a model fault ends the attempt half way."""
    rng = random.Random(seed)
    cost = cost if cost is not None else CostMeter()
    draft = skeleton(bench, backend, settings, rng, cost)
    if draft is None:
        return Attempt(None, cost, "skeleton: no sub-task could be drafted with calls that really succeed")
    injections = inject(bench, backend, draft, settings, rng, cost)
    refined = refine(backend, draft, settings, rng, cost, bench)
    ops = [injection_op(draft, i) for i in injections]
    ops += [Op(type="refine", message_index=draft.message_index(t)) for t in refined]
    return Attempt(build_record(bench, draft, record_id, "naig", backend, ops, cost, attempt), cost)
