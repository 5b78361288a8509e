"""Stage 1 of the offline backend: the plan of one sub-task. Which tool is the target, on
which real rows, which reads supply its values (only those that earn their place:
call_plan), whether the env's policy asks to authenticate or confirm first, what the
user must say and who the user is. Every proposal is checked by really executing it.
The turns' words come from `words` (the backend's language side)."""

from __future__ import annotations

import random
import re
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.draft import Call, Draft, Segment, Turn, stated_param
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.plan.authentication import (
    authenticate,
    authenticated_in,
    authenticating_tools,
    touches_user,
)
from toolace_mt.generation.plan.call_plan import Candidate, minimal_plan
from toolace_mt.generation.plan.confirmation import internal_params, needs_confirmation, stated_defaults
from toolace_mt.generation.plan.dialogue_facts import (
    earlier_outputs,
    told_so_far,
)
from toolace_mt.generation.plan.dialogue_user import dialogue_user, persona
from toolace_mt.generation.plan.id_names import is_single_id
from toolace_mt.generation.plan.injections import Words
from toolace_mt.generation.plan.record_check import record_check
from toolace_mt.generation.plan.record_naming import naming_reads
from toolace_mt.generation.plan.redundancy import (
    echoes,
    made_before,
    pads,
    rewrites,
    shows_back,
    told_before,
)
from toolace_mt.generation.plan.siblings import parallel_lookups
from toolace_mt.generation.plan.target_choice import (
    for_sub_tasks,
    for_waiting,
    propose_target,
    signed_in_before,
)
from toolace_mt.generation.plan.value_finder import Seen, points_elsewhere, producer
from toolace_mt.generation.plan.value_origin import own_part
from toolace_mt.generation.plan.values import Choice, is_id
from toolace_mt.generation.plan.values import value_key as _key
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.behaviour import found_nothing
from toolace_mt.verifier.evidence import leaves

WRITE_SHARE = 0.6


def plan_targets(bench: Workbench, subtasks: int, steps: tuple[int, int], rng: random.Random,
              cost: CostMeter) -> list[SubTaskPlan]:
    tools = sorted(bench.tools.values(), key=lambda t: t.name)
    writes = [t.name for t in tools if t.writes]
    reads = [t.name for t in tools if not t.writes]
    plans: list[SubTaskPlan] = []
    used: set[str] = set()
    for _ in range(subtasks):
        pool = writes if (rng.random() < WRITE_SHARE and writes) or not reads else reads
        fresh = [name for name in pool if name not in used] or pool
        target = rng.choice(fresh)
        used.add(target)
        plans.append(SubTaskPlan(target=target, steps=rng.randint(*steps)))
    cost.add_json("plan", [t.name for t in tools], [(p.target, p.steps) for p in plans])
    return plans


def draft_segment(words: Words, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                  cost: CostMeter) -> Segment | None:
    tool = bench.tools[plan.target]
    focus = {k: v for s in draft.segments for k, v in s.context.items()}
    # The dialogue's user, once an earlier sub-task named one: every proposal keeps to them.
    user, shown = dialogue_user(bench, draft)
    if user:
        focus.pop(bench.values.user_key, None)
        focus.update(user)  # the latest
    if user and not bench.values.serves(tool, user[bench.values.user_key]):
        # Nothing of this user's for the planned tool: another one they can use, of the
        # same kind (a change, a look-up) and not used yet when there is one.
        done = {s.target for s in draft.segments}
        usable = [t for _, t in sorted(bench.tools.items()) if bench.values.serves(t, user[bench.values.user_key])]
        alike = [t for t in usable if t.writes == tool.writes]
        others = [t for t in usable if t.writes != tool.writes]
        options = [t for t in alike if t.name not in done] or alike or [t for t in others if t.name not in done] \
            or others
        if not options:
            return None
        tool = rng.choice(options)
    seen: list[Seen] = []  # reads made while proposing, on the state the sub-task starts from
    waiting = False  # made for a later sub-task waiting on it (a second debt paid in one group rewrites nothing)
    again = signed_in_before(bench, draft, tool.name)
    if again is not None:  # a second sign-in (after a log-out) is the same person's, never another's
        result = bench.trial(tool.name, again)
        if not result.ok:
            return None
        found: tuple[Choice, CallResult] | None = (Choice(dict(again), dict(focus), {p: "known" for p in again}),
                                                    result)
    else:
        # A write a later sub-task waits on (pay each debt, then leave): exact amounts for it.
        found = for_waiting(bench, tool, plan.then, rng, focus, user, plan.ahead, plan.again) \
            if plan.then else None
        waiting = found is not None
        if found is None and plan.again:
            return None  # a payment planned in case a second debt needed one: none did
        if found is None:
            found = propose_target(bench, tool, rng, focus, seen, user)
            if plan.then and not user and found is not None:
                found = for_sub_tasks(bench, tool, plan.then, found, rng, focus, seen)
    if found is None:
        return None
    choice, result = found
    optional = set(choice.arguments) - set(tool.parameters.get("required", []))
    if not tool.writes and optional and found_nothing(result.result):
        return None  # a filter the user had no reason to set finds nothing (a rack's "dna" it does not hold)
    if tool.writes and again is None and ((rewrites(bench, draft, choice.arguments, tool.name) and not waiting)
                                          or made_before(draft, Call(tool.name, choice.arguments))):
        return None  # a write on a record an earlier sub-task just changed (change a seat, then cancel),
        # or the same write again (the same payee added twice) that the user never asked for twice
    confirm = needs_confirmation(tool)
    if confirm:  # a consequential write: its defaults that matter are said, not left silent
        for full in stated_defaults(tool, choice.arguments, rng):
            if full == choice.arguments:
                break
            trial = bench.trial(tool.name, full)
            if trial.ok:
                choice = Choice(full, choice.context, {**choice.sources, **{
                    k: "enum" for k in full if k not in choice.arguments}}, choice.bound)
                result = trial
                break
    if not tool.writes and told_before(bench, draft, tool, choice.arguments, result.result, user):
        return None  # a look-up that tells again what the dialogue already told adds nothing
    if not tool.writes and echoes(choice.arguments, result.result) \
            and not (plan.target == tool.name and shows_back(choice.arguments, result.result)):
        return None  # a read whose output only repeats what it was given answers nothing
        # (one that shows the user's own words back, display_log, does what they asked)
    budget = plan.steps - 1
    key = bench.values.user_key
    owner = user or ({key: choice.context[key]} if key in choice.context else {})  # the target's user
    alone = internal_params(tool) or budget <= 0  # an internal tool's input is never asked for twice
    made = {(c.name, _key(c.arguments)) for s in draft.segments for t in s.turns for c in t.calls}
    siblings = [] if alone else parallel_lookups(bench, tool, choice, result, rng, budget, owner,
                                          told_so_far(draft), made)
    budget -= len(siblings)
    levels: list[list[Call]] = []  # producer candidates by turn, nearest the target first
    frontier: list[tuple[str, Choice]] = [(tool.name, choice)]
    produced_values: set[str] = set()
    used_values = {_key(v) for c in [choice.arguments, *(s.arguments for s in siblings)] for v in c.values()}
    # A setting write's new value is the user's choice: no look-up supplies it.
    setting = _set_values(bench, [Candidate(Call(tool.name, choice.arguments), None, "target")])
    while budget > 0 and frontier:
        level: list[Call] = []
        next_frontier = []
        for consumer, consumer_choice in frontier:
            for param, value in consumer_choice.arguments.items():
                if shown is not None and param == key and value == user[key]:
                    continue  # an earlier sub-task's output already says who the user is
                if budget <= 0:
                    break
                if _key(value) in produced_values or (consumer == tool.name and param in setting):
                    continue  # another call of this sub-task already supplies it, or the user says it
                made = producer(bench, consumer, param, value, consumer_choice, used_values, rng, seen)
                if made is None:
                    continue
                maker, producer_choice, _single_output = made
                produced_values.add(_key(value))
                if any(c.name == maker and c.arguments == producer_choice.arguments for c in level):
                    continue  # the same read already in this turn gives this value too
                used_values.update(_key(v) for v in producer_choice.arguments.values())
                call = Call(maker, producer_choice.arguments)
                level.append(call)
                next_frontier.append((maker, producer_choice))
                budget -= 1
        if level:
            levels.append(level)
        frontier = next_frontier
    naming = naming_reads(bench, tool, choice, seen, produced_values, levels, rng)
    if naming:
        levels.insert(0, naming)
    target_call = Call(tool.name, choice.arguments)
    # Only the producers that earn their place are kept (call_plan); no read re-checks a write.
    candidates = [Candidate(call, bench.trial(call.name, call.arguments).result, "producer")
                  for level in reversed(levels) for call in level]
    candidates += [Candidate(target_call, result.result, "target"),
                   *(Candidate(s, None, "target") for s in siblings)]
    auth = _authentication(bench, draft, tool, owner, rng, candidates)
    if isinstance(auth, Call):  # the env's policy: find the user by their own details first
        output = bench.trial(auth.name, auth.arguments).result
        candidates.insert(0, Candidate(auth, output if isinstance(output, dict) else {key: output}, "auth"))
    earlier = [(shown, key, {key: user[key]})] if shown is not None and key is not None else []
    earlier += _known_before(bench, draft, candidates)
    # every earlier output of those ids, the ones that may not supply a value too (an order a
    # create just made): another one singled out there makes the user say which (call_plan._rival)
    shown_ids = earlier + [(index, param, call.result.result) for index, segment in enumerate(draft.segments)
                           for turn in segment.turns for call in turn.calls
                           if call.result is not None and call.result.ok
                           for param in {p for c in candidates for p in c.call.arguments
                                         if p in bench.tools[c.call.name].parameters.get("required", []) and is_id(p)
                                         and p != key}]
    identity = bench.values.identity_values()
    stated_ids = {_key(v) for c in [choice.arguments, *(s.arguments for s in siblings)] for v in c.values()}
    # Under AUTHENTICATE_FIRST the user never says their internal id: a look-up finds it.
    secret_key = key if bench.env.authenticate_first else None
    def sayable(param: str, value: Any) -> bool:
        return param != secret_key and (not is_id(param) or _key(value) in stated_ids or _key(value) in identity)

    kept = minimal_plan(candidates, earlier, sayable, shown_ids)
    if not tool.writes and any(_key(result.result) in {_key(v) for v in c.arguments.values()}
                               for t in kept.turns[:-1] for c in t):
        return None  # a look-up of what its own producer was given: circular
    outputs = {id(c.call): c.output for c in candidates}
    if pads(bench, draft, kept.turns, outputs):
        # Its look-ups would find again what the dialogue showed (the orders just listed):
        # those are not made, and the user says the value (the order they mean, off that
        # list); a look-up of something new stays (the search for a title they name).
        padding = {id(c) for t in kept.turns for c in t if pads(bench, draft, [[c]], outputs)}
        fresh = [c for c in candidates if c.role != "producer" or id(c.call) not in padding]
        kept = minimal_plan(fresh, earlier, sayable, shown_ids)
        if pads(bench, draft, kept.turns, outputs):
            candidates = [c for c in candidates if c.role != "producer"]
            kept = minimal_plan(candidates, earlier, sayable, shown_ids)
        if pads(bench, draft, kept.turns, outputs):
            return None
    if not tool.writes and any(c.output == result.result for c in candidates if c.role == "producer"
                               and any(c.call is k for t in kept.turns for k in t)):
        return None  # a look-up of what a look-up it needs already found: the same entity twice
    check = record_check(bench, tool, target_call.arguments,
                         earlier_outputs(draft) + [outputs[id(c)] for t in kept.turns[:-1] for c in t])
    if check is not None:  # the env's policy: look at the record (its status) before acting on it
        kept.turns.insert(len(kept.turns) - 1, [check])
        kept.derived[id(check)] = kept.derived.get(id(target_call), set()) & set(check.arguments)
    turns = [Turn("assistant", "calls", calls=calls) for calls in kept.turns]
    if confirm:  # the action and its values, an explicit yes, then the call
        turns[-1:-1] = [Turn("assistant", "confirm", seed=rng.randrange(2**31), topic={"target": tool.name}),
                        Turn("user", "agree", seed=rng.randrange(2**31))]
    derived_by_call = kept.derived
    # What the user must say: every value no earlier output of the sub-task supplies. The
    # target's own parameters keep their names (its phrasing hints use them).
    stated: dict[str, Any] = {}
    own_inputs = internal_params(tool)  # worked out by the assistant: never said by the user
    derived_by_call.setdefault(id(target_call), set()).update(own_inputs)
    said_names = [str(v).casefold() for named in kept.named.values() for v in leaves(named) if isinstance(v, str)]
    for turn in kept.turns[:-1]:  # a search for what the user named: its word is the assistant's pick
        for call in turn:
            derived_by_call.setdefault(id(call), set()).update(
                p for p, v in call.arguments.items()
                if isinstance(v, str) and v.strip() and any(_word_of(v, name) for name in said_names))
    calls = [target_call] + [c for t in turns for c in t.calls if c is not target_call]
    for call in calls:
        for param, value in call.arguments.items():
            if param in derived_by_call.get(id(call), set()):
                continue
            # One value said once for the calls that share it (an order id for a look-up and a
            # write); a value two different fields happen to share (a leave starting and ending
            # on one day) is said for each: the assistant never fills a field the user left out.
            if any(_key(v) == _key(value) and (stated_param(k) == param or is_id(param)) for k, v in stated.items()):
                continue
            key, other = param, f"{param} for {w.label(call.name)}"
            while key in stated:  # a second (third, ...) value of one parameter keeps its own key
                key, other = other, f"other {other}"
            stated[key] = value
    for call in calls:  # a record the user names ("the Water Bottle"), whose id a look-up shows
        for param, said in kept.named.get(id(call), {}).items():
            if any(_key(v) == _key(said) for v in stated.values()):
                continue
            key, other = param, f"{param} for {w.label(call.name)}"
            while key in stated:  # a parallel look-up's record is named too ("and the Road Trip one")
                key, other = other, f"other {other}"
            stated[key] = said
    request = Turn("user", "request", seed=rng.randrange(2**31),
                   topic={"target": tool.name, "follow_up": bool(draft.segments),
                          "internal": {p: target_call.arguments[p] for p in sorted(own_inputs)
                                       if p in target_call.arguments},
                          "persona": persona(bench, draft, owner, rng)})
    reply = Turn("assistant", "reply", seed=rng.randrange(2**31),
                 topic={"target": tool.name, "writes": tool.writes})
    goal = f"{w.label(tool.name)} ({', '.join(f'{k}={w.show(v)}' for k, v in stated.items()) or 'no arguments'})"
    segment = Segment(goal=goal, target=tool.name, stated=stated, turns=[request, *turns, reply],
                      context={k: v for k, v in choice.context.items() if is_single_id(k)
                               or k in bench.values.key_columns},  # a key like `username` too
                      relies_on=kept.relies_on | ({auth} if isinstance(auth, int) else set()))
    request.text = words.word_request(bench, segment, request)
    for turn in segment.turns:
        if turn.kind in ("confirm", "agree"):
            turn.text = words.word_turn(bench, draft, segment, turn)
    cost.add_json("skeleton", {"plan": plan.target, "steps": plan.steps, "focus": focus},
                {"turns": [[(c.name, c.arguments) for c in t.calls] for t in turns], "stated": stated})
    return segment


# Verbs of a write that sets a reference to a new value (`update_preferred_pharmacy`,
# `change_seat`): the new value is the user's choice, never one an earlier output showed.
_SETTING_VERBS = frozenset({"update", "change", "set", "modify", "move", "switch", "assign", "replace", "edit",
                            "transfer", "reassign"})


def _set_values(bench: Workbench, candidates: list[Candidate]) -> set[str]:
    """The ids a setting write takes as its new values (every required id after the record
    it acts on, but the user's own): the user says them; the assistant does not pick one
    from what an earlier sub-task showed ("the pharmacy of that fill" is not "my new
    default pharmacy")."""
    target = next((c for c in candidates if c.role == "target"), None)
    if target is None:
        return set()
    tool = bench.tools[target.call.name]
    if not tool.writes or w.snake(tool.name).split("_")[0] not in _SETTING_VERBS:
        return set()
    ids = [p for p in tool.parameters.get("required", []) if is_id(p)]
    return set(ids[1:]) - {bench.values.user_key}


def _known_before(bench: Workbench, draft: Draft, candidates: list[Candidate]) -> list[tuple[int, str, Any]]:
    """Where an id the calls need may come from without a new look-up: the outputs of
    earlier sub-tasks (the assistant already knows the order's payment method). Only ids a
    call requires: an optional filter the user did not ask for is never added from there."""
    user = bench.values.user_key  # (a `username` is the user's id too)
    params = sorted({p for c in candidates for p in bench.tools[c.call.name].parameters.get("required", [])
                     if (is_id(p) or p == user) and p in c.call.arguments} - _set_values(bench, candidates))
    # A write's id is not taken from a record of another kind the user pointed at (pay
    # from the account a transfer they asked about came from): they say it, or a look-up finds it.
    writes = {p: c.call for c in candidates if bench.tools[c.call.name].writes
              for p in c.call.arguments if p in params}
    # Nor is it a reference another kind of record holds (the pharmacy of a fill they
    # cancelled): only a record's own key, the user's record or the write's own record (value_origin).
    found = [(index, param, call.result.result if param not in writes else own_part(
                bench.catalog, bench.env.user_table, call.result.result, param, writes[param].arguments))
             for index, segment in enumerate(draft.segments)
             for turn in segment.turns for call in turn.calls
             if call.result is not None and call.result.ok for param in params
             if param not in writes or not points_elsewhere(bench, bench.tools[writes[param].name],
                                                            list(call.arguments))]
    # The user's own id, said for an earlier call (list_cards(CUS-1041)), is known too: no
    # look-up of one of their accounts to find it again.
    key = bench.values.user_key
    if key in params:
        found += [(index, key, {key: call.arguments[key]}) for index, segment in enumerate(draft.segments)
                  for turn in segment.turns for call in turn.calls
                  if call.result is not None and call.result.ok and key in call.arguments]
    return found


def _authentication(bench: Workbench, draft: Draft, tool: ToolSpec, owner: dict[str, Any],
                    rng: random.Random, candidates: list[Candidate]) -> Call | int | None:
    """Under AUTHENTICATE_FIRST, for a sub-task about a user: the sub-task that already
    authenticated them (its index), else the look-up that does (a Call); None when the
    policy does not ask for it, the sub-task is about no user or is itself the look-up,
    or is a read by no id that touches no user's data (a spending cap by its category)."""
    key = bench.values.user_key
    if not bench.env.authenticate_first or key is None or key not in owner:
        return None
    if tool.name in {t.name for t in authenticating_tools(bench)}:
        return None
    if not tool.writes and not any(is_id(p) for p in tool.parameters.get("required", [])) \
            and not any(touches_user(key, c.call.arguments, c.output) for c in candidates):
        return None
    done = authenticated_in(bench, draft, owner[key])
    return done if done is not None else authenticate(bench, owner[key], rng)


def _word_of(value: str, name: str) -> bool:
    """Whether `value` is one of the words of a name the user said ("basket" of "Storage
    Basket (Blue)"): a search for it needs no words of its own."""
    return re.search(rf"(?<!\w){re.escape(value.strip().casefold())}(?!\w)", name) is not None


