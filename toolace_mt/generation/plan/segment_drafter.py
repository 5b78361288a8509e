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
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.plan.authentication import authenticate, authenticated_in, authenticating_tools
from toolace_mt.generation.plan.call_plan import Candidate, minimal_plan, nested_ids, said_by_name
from toolace_mt.generation.plan.confirmation import internal_params, needs_confirmation, stated_defaults
from toolace_mt.generation.plan.dialogue_facts import (
    earlier_outputs,
    re_resolves,
    shown_values,
    tells_nothing_new,
    told_so_far,
)
from toolace_mt.generation.plan.id_names import is_single_id, name_words, singular
from toolace_mt.generation.plan.injections import Words
from toolace_mt.generation.plan.record_check import record_check
from toolace_mt.generation.plan.value_finder import Seen, assisted, points_elsewhere, producer
from toolace_mt.generation.plan.values import Choice, is_id
from toolace_mt.generation.plan.values import value_key as _key
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.evidence import leaves

TARGET_TRIES = 24


ASSISTED_TRIES = 6


ENABLER_TRIES = 6  # proposals of a log-in until its person is one the sub-task it is for can act for


# A single record the user may name instead of giving its id (a playlist): named this often.
# Several records, or records inside a value (an order's items), are always named.
NAMING_SHARE = 0.5


WRITE_SHARE = 0.6


# Look-ups asked about two entities at once ("check orders A and B"): the target called
# again on another entity in the same assistant turn, a parallel call.
SIBLING_SHARE = 0.55


SIBLING_TRIES = 3


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
    user, shown = _dialogue_user(bench, draft)
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
    again = _signed_in_before(bench, draft, tool.name)
    if again is not None:  # a second sign-in (after a log-out) is the same person's, never another's
        result = bench.trial(tool.name, again)
        if not result.ok:
            return None
        found: tuple[Choice, CallResult] | None = (Choice(dict(again), dict(focus), {p: "known" for p in again}),
                                                    result)
    else:
        found = _propose_target(bench, tool, rng, focus, seen, user)
        if plan.then and not user and found is not None:
            found = _for_sub_tasks(bench, tool, plan.then, found, rng, focus, seen)
    if found is None:
        return None
    choice, result = found
    optional = set(choice.arguments) - set(tool.parameters.get("required", []))
    if not tool.writes and optional and not _found_any(result.result):
        return None  # a filter the user had no reason to set finds nothing (a rack's "dna" it does not hold)
    if tool.writes and again is None and (_rewrites(bench, draft, choice.arguments, tool.name)
                                          or _made_before(draft, Call(tool.name, choice.arguments))):
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
    if not tool.writes and _told_before(bench, draft, tool, choice.arguments, result.result, user):
        return None  # a look-up that tells again what the dialogue already told adds nothing
    if not tool.writes and _echoes(choice.arguments, result.result) \
            and not (plan.target == tool.name and _shows_back(choice.arguments, result.result)):
        return None  # a read whose output only repeats what it was given answers nothing
        # (one that shows the user's own words back, display_log, does what they asked)
    budget = plan.steps - 1
    key = bench.values.user_key
    owner = user or ({key: choice.context[key]} if key in choice.context else {})  # the target's user
    alone = internal_params(tool) or budget <= 0  # an internal tool's input is never asked for twice
    made = {(c.name, _key(c.arguments)) for s in draft.segments for t in s.turns for c in t.calls}
    siblings = [] if alone else _siblings(bench, tool, choice, result, rng, budget, owner,
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
    naming = _naming_reads(bench, tool, choice, seen, produced_values, levels, rng)
    if naming:
        levels.insert(0, naming)
    target_call = Call(tool.name, choice.arguments)
    # Only the producers that earn their place are kept (call_plan); no read re-checks a write.
    candidates = [Candidate(call, bench.trial(call.name, call.arguments).result, "producer")
                  for level in reversed(levels) for call in level]
    candidates += [Candidate(target_call, result.result, "target"),
                   *(Candidate(s, None, "target") for s in siblings)]
    auth = _authentication(bench, draft, tool, owner, rng)
    if isinstance(auth, Call):  # the env's policy: find the user by their own details first
        output = bench.trial(auth.name, auth.arguments).result
        candidates.insert(0, Candidate(auth, output if isinstance(output, dict) else {key: output}, "auth"))
    earlier = [(shown, key, {key: user[key]})] if shown is not None and key is not None else []
    earlier += _known_before(bench, draft, candidates)
    identity = bench.values.identity_values()
    stated_ids = {_key(v) for c in [choice.arguments, *(s.arguments for s in siblings)] for v in c.values()}
    # Under AUTHENTICATE_FIRST the user never says their internal id: a look-up finds it.
    secret_key = key if bench.env.authenticate_first else None
    def sayable(param: str, value: Any) -> bool:
        return param != secret_key and (not is_id(param) or _key(value) in stated_ids or _key(value) in identity)

    kept = minimal_plan(candidates, earlier, sayable)
    if not tool.writes and any(_key(result.result) in {_key(v) for v in c.arguments.values()}
                               for t in kept.turns[:-1] for c in t):
        return None  # a look-up of what its own producer was given: circular
    outputs = {id(c.call): c.output for c in candidates}
    if _pads(bench, draft, kept.turns, outputs):
        # Its look-ups would find again what the dialogue showed (the orders just listed):
        # none is made, and the user says the value (the order they mean, off that list).
        candidates = [c for c in candidates if c.role != "producer"]
        kept = minimal_plan(candidates, earlier, sayable)
        if _pads(bench, draft, kept.turns, outputs):
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
    calls = [target_call] + [c for t in turns for c in t.calls if c is not target_call]
    for call in calls:
        for param, value in call.arguments.items():
            if param in derived_by_call.get(id(call), set()):
                continue
            # One value said once for the calls that share it (an order id for a look-up and a
            # write); a value two different fields happen to share (a leave starting and ending
            # on one day) is said for each: the assistant never fills a field the user left out.
            if any(_key(v) == _key(value) and (_root(k) == param or is_id(param)) for k, v in stated.items()):
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
                          "persona": _persona(bench, draft, owner, rng)})
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
    params = sorted({p for c in candidates for p in bench.tools[c.call.name].parameters.get("required", [])
                     if is_id(p) and p in c.call.arguments} - _set_values(bench, candidates))
    # A write's id is not taken from a record of another kind the user pointed at (pay
    # from the account a transfer they asked about came from): they say it, or a look-up finds it.
    writes = {p: bench.tools[c.call.name] for c in candidates if bench.tools[c.call.name].writes
              for p in c.call.arguments if p in params}
    found = [(index, param, call.result.result) for index, segment in enumerate(draft.segments)
             for turn in segment.turns for call in turn.calls
             if call.result is not None and call.result.ok for param in params
             if param not in writes or not points_elsewhere(bench, writes[param], list(call.arguments))]
    # The user's own id, said for an earlier call (list_cards(CUS-1041)), is known too: no
    # look-up of one of their accounts to find it again.
    key = bench.values.user_key
    if key in params:
        found += [(index, key, {key: call.arguments[key]}) for index, segment in enumerate(draft.segments)
                  for turn in segment.turns for call in turn.calls
                  if call.result is not None and call.result.ok and key in call.arguments]
    return found


def _authentication(bench: Workbench, draft: Draft, tool: ToolSpec, owner: dict[str, Any],
                    rng: random.Random) -> Call | int | None:
    """Under AUTHENTICATE_FIRST, for a sub-task about a user: the sub-task that already
    authenticated them (its index), else the look-up that does (a Call); None when the
    policy does not ask for it, the sub-task is about no user or is itself the look-up."""
    key = bench.values.user_key
    if not bench.env.authenticate_first or key is None or key not in owner:
        return None
    if tool.name in {t.name for t in authenticating_tools(bench)}:
        return None
    done = authenticated_in(bench, draft, owner[key])
    return done if done is not None else authenticate(bench, owner[key], rng)


def _siblings(bench: Workbench, tool: ToolSpec, choice: Choice, result: CallResult,
              rng: random.Random, budget: int, user: dict[str, Any], known: set[str],
              made: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset()) -> list[Call]:
    """For a look-up, sometimes the same look-up of one or two other entities, asked
    together: parallel calls. Their values differ from the target's (the user states
    each) and each answer tells something the others do not."""
    if tool.writes or len(choice.arguments) != 1 or rng.random() >= SIBLING_SHARE:
        return []  # one value each: "... order #W1001? And the same for #W1002."
    wanted = min(budget, 1 if rng.random() < 0.7 else 2)
    taken = {_key(v) for v in choice.arguments.values()}
    outputs = [result.result]
    siblings: list[Call] = []
    for _ in range(wanted):
        found = bench.succeed(tool, rng, SIBLING_TRIES, context=user or None, fallback=user or None)
        if found is None:
            break
        other, other_result = found
        values = {_key(v) for v in other.arguments.values()}
        if other.arguments.keys() != choice.arguments.keys() or other_result.result in outputs or values & taken \
                or re_resolves(other.arguments, other_result.result, known) \
                or tells_nothing_new(other_result.result, known) or (tool.name, _key(other.arguments)) in made \
                or _echoes(other.arguments, other_result.result):
            break  # (nor one the dialogue already found, or whose answer it already told)
        siblings.append(Call(tool.name, other.arguments))
        taken |= values
        outputs.append(other_result.result)
    return siblings


def _for_sub_tasks(bench: Workbench, tool: ToolSpec, then: tuple[str, ...], found: tuple[Choice, CallResult],
                   rng: random.Random, focus: dict[str, Any], seen: list[Seen]) -> tuple[Choice, CallResult]:
    """The first call about a user (a log-in, a look-up by email) is about someone the later
    sub-tasks can act for (a diner with an order the kitchen has not started, for a cancel;
    an approver with reports waiting, for a decision): of a few proposals, the one served most."""
    key = bench.values.user_key
    tools = [bench.tools[t] for t in then if t in bench.tools]

    def served(choice: Choice) -> int:
        owner = choice.context.get(key) if key is not None else None
        return -1 if owner is None else sum(bench.values.serves(t, owner) for t in tools)

    best, score = found, served(found[0])
    for _ in range(ENABLER_TRIES):
        if score < 0 or score == len(tools):
            break
        other = _propose_target(bench, tool, rng, focus, seen, {})
        if other is not None and served(other[0]) > score:
            best, score = other, served(other[0])
    return best


def _dialogue_user(bench: Workbench, draft: Draft) -> tuple[dict[str, Any], int | None]:
    """({user key: id} of the user the dialogue so far is about (the latest one a sub-task's
    rows or a call's output named, among the users of the initial state), else {}; and the
    latest sub-task with a successful call whose output names that user at its top level
    (`{"customer_id": ...}`), else None)."""
    key = bench.values.user_key
    if key is None:
        return {}, None
    found = None
    named_by_outputs: list[list[Any]] = []
    for segment in draft.segments:
        made = [c for t in segment.turns for c in t.calls
                if c.result is not None and c.result.ok and isinstance(c.result.result, dict | str)]
        outputs = [c.result.result.get(key) if isinstance(c.result.result, dict) else c.result.result
                   for c in made if c.result is not None]
        named_by_outputs.append(outputs)
        # A call made for the user names them too (list_cards(customer_id) lists cards, not the customer).
        arguments = [c.arguments.get(key) for t in segment.turns for c in t.calls
                     if c.result is not None and c.result.ok]
        # The output of a call made for the user may be someone else's record (the report an
        # approver decided on names its submitter): the user is who the call was made for.
        owners = [o for c, o in zip(made, outputs, strict=True) if key not in c.arguments]
        for value in [segment.context.get(key), *arguments, *owners]:
            if isinstance(value, str | int) and bench.values.is_user(value):
                found = value
    if found is None:
        return {}, None
    shown = next((i for i in range(len(named_by_outputs) - 1, -1, -1) if found in named_by_outputs[i]), None)
    return {key: found}, shown


def _pads(bench: Workbench, draft: Draft, turns: list[list[Call]], outputs: dict[int, Any]) -> bool:
    """Whether a read of the plan re-finds an entity the dialogue (or an earlier call of the
    plan) already identified, by other details, or shows nothing the dialogue has not shown."""
    known = told_so_far(draft)
    for calls in turns:
        made = []
        for call in calls:
            if bench.tools[call.name].writes or id(call) not in outputs:
                continue
            output = outputs[id(call)]
            if re_resolves(call.arguments, output, known) or tells_nothing_new(output, known):
                return True
            made.append(output)
        known |= shown_values(made)
    return False


def _user_rows(outputs: list[Any], key: str) -> list[dict[str, Any]]:
    """The records of users the outputs showed (a profile, a passenger just created), in order."""
    rows = []
    for output in outputs:
        for item in output if isinstance(output, list) and len(output) == 1 else [output]:
            if isinstance(item, dict) and key in item and any(n in item for n in ("first_name", "full_name", "name")):
                rows.append(item)
    return rows


_ADDING = frozenset({"add", "create", "insert", "subscribe", "follow", "attach", "enroll"})
_REMOVING = frozenset({"remove", "delete", "unsubscribe", "unfollow", "detach", "drop"})


def _rewrites(bench: Workbench, draft: Draft, arguments: dict[str, Any], tool: str = "") -> bool:
    """Whether an earlier successful write of the dialogue took one of these ids (or keys
    not named as ids: a `report_code`, a `session_ref`)."""
    keys = bench.values.key_columns

    def keyed(param: str) -> bool:
        return (is_id(param) or param in keys) and param != bench.values.user_key

    ids = {_key(v) for p, v in arguments.items() if keyed(p)}
    enabling = set(bench.preconditions.enabled_by.get(tool, []))  # (take the stock off, then add it back)
    if w.snake(tool).split("_")[0] in _ADDING:  # a record added where one was just removed: what made room
        enabling |= {t for t in bench.tools if w.snake(t).split("_")[0] in _REMOVING}
    return bool(ids) and any(
        _key(v) in ids for s in draft.segments for t in s.turns for c in t.calls
        if bench.tools[c.name].writes and c.result is not None and c.result.ok and c.name not in enabling
        for p, v in c.arguments.items() if keyed(p))


def _own_record(tool: str, found: dict[str, Any], user_key: str) -> bool:
    """Whether a look-up's record is of the kind its name says, not the user's: get_order's
    order (its `order_id`), though the order names its diner too."""
    nouns = {singular(word) for word in name_words(tool)}
    return any(is_single_id(k) and k != user_key and singular(name_words(k)[0]) in nouns for k in found)


def _found_any(output: Any) -> bool:
    """Whether a look-up's output holds anything: not [], {}, nor an envelope of empty lists
    (`{"results": [], "total": 0}`)."""
    if isinstance(output, list | dict) and not output:
        return False
    if isinstance(output, dict):
        lists = [v for v in output.values() if isinstance(v, list)]
        return not lists or any(lists)
    return True


def _root(key: str) -> str:
    """The parameter a stated key is for ("amount for pay payee" -> "amount")."""
    return re.sub(r"^(?:other )+", "", key).split(" for ", 1)[0]


def _naming_reads(bench: Workbench, tool: ToolSpec, choice: Choice, seen: list[Seen], produced: set[str],
                  levels: list[list[Call]], rng: random.Random) -> list[Call]:
    """Reads that list the target's ids among other candidates, each with its own name (an
    order's details): the user names the items ("the Water Bottle") and the assistant reads
    their ids off that read, never asking the user to dictate an id. Reads made while
    proposing come first; else a few reads of the target's own entity are tried. call_plan
    keeps such a read only where names single the values out."""
    planned = {(c.name, _key(c.arguments)) for level in levels for c in level}
    found: list[Call] = []
    for param, value in choice.arguments.items():
        if not (is_id(param) or nested_ids(value)) or _key(value) in produced:
            continue
        if not isinstance(value, list | dict) and rng.random() >= NAMING_SHARE:
            continue  # one record's id: people say its number as often as its name (and mistype it)
        reads = [(r.name, r.arguments, r.output) for r in seen]
        if not any(said_by_name(output, param, value) is not None for _, _, output in reads):
            reads = _entity_reads(bench, tool, choice, param, value, rng)
        for name, arguments, output in reads:
            key = (name, _key(arguments))
            if bench.tools[name].writes or key in planned or said_by_name(output, param, value) is None \
                    or (tool.writes and points_elsewhere(bench, tool, list(arguments))):
                continue  # (a new order's item is not picked off an old order's items)
            found.append(Call(name, dict(arguments)))
            planned.add(key)
            break
    return found


def _entity_reads(bench: Workbench, tool: ToolSpec, choice: Choice, param: str, value: Any,
                  rng: random.Random) -> list[tuple[str, dict[str, Any], Any]]:
    """Reads of the target's own entity (the order whose items it takes) that list values of
    `param`, or of the ids its records are made of (a search listing an order's products):
    one proposal per read tool, tied to the choice's rows (and to that product), really tried."""
    nested = nested_ids(value)
    context = {**choice.context, **dict(nested[:1])}
    makers = bench.catalog.producers.get((tool.name, param), []) if not nested else \
        {m for (_, p), found in bench.catalog.producers.items() if p == nested[0][0] for m in found}
    found = []
    for maker in sorted(makers):
        taken = bench.tools[maker].parameters.get("properties", {})
        if bench.tools[maker].writes or param in taken or (nested and nested[0][0] in taken):
            continue
        made = bench.values.propose(bench.tools[maker], rng, context=context, bound=True)
        if not made.bound:
            continue
        result = bench.trial(maker, made.arguments)
        if result.ok:
            found.append((maker, made.arguments, result.result))
    return found


def _made_before(draft: Draft, call: Call) -> bool:
    """Whether the dialogue already made this very call successfully (same tool, same
    arguments; a write with none, such as a log-out, is a state and may come again)."""
    return bool(call.arguments) and any(
        c.name == call.name and c.arguments == call.arguments and c.result is not None and c.result.ok
        for s in draft.segments for t in s.turns for c in t.calls)


def _echoes(arguments: dict[str, Any], output: Any) -> bool:
    """Whether a read's output holds nothing but values it was given (BFCL's `display_log`
    returns the messages it was passed): no question it could answer."""
    given = {_key(v) for v in leaves(arguments)}
    words = {x.casefold() for v in leaves(arguments) if isinstance(v, str) for x in re.findall(r"[\w'-]+", v)}
    told = [v for v in leaves(output) if not (v is None or isinstance(v, bool))]
    # A value the arguments already hold, or one of their words (the symbol TRAN for "Tran, Hess and Summers").
    return bool(told) and all(_key(v) in given or (isinstance(v, str) and v.casefold() in words) for v in told)


def _shows_back(arguments: dict[str, Any], output: Any) -> bool:
    """Whether a read's output is exactly its free-text arguments, every one of them (BFCL's
    `display_log(messages)` -> `{"log": messages}`): an action the user asks for (show these
    lines), not a look-up; a code or id given back (get_symbol) is no such action."""
    given = sorted(_key(v) for v in leaves(arguments) if isinstance(v, str))
    told = sorted(_key(v) for v in leaves(output) if not (v is None or isinstance(v, bool)))
    return bool(given) and given == told and all(
        isinstance(v, str) and " " in v.strip() for v in leaves(arguments))


def _propose_target(bench: Workbench, tool: ToolSpec, rng: random.Random, focus: dict[str, Any], seen: list[Seen],
                    user: dict[str, Any]) -> tuple[Choice, CallResult] | None:
    """The target call's values, really tried. A tool whose plain proposals never
    succeeded at start-up (its values come from outputs, not columns) is proposed from
    its entity's reads first."""
    if not bench.plain_ok.get(tool.name, True):
        found = assisted(bench, tool, rng, ASSISTED_TRIES, seen, user)
        if found is None:  # the reads had nothing to give: plain proposals, as trials found them
            found = bench.succeed(tool, rng, TARGET_TRIES // 2, context=focus or None, fallback=user or None)
        return found
    scoped = rng.random() < 0.7 or user
    found = bench.succeed(tool, rng, TARGET_TRIES // 2, context=focus if scoped else None, fallback=user or None)
    return found if found is not None else assisted(bench, tool, rng, ASSISTED_TRIES, seen, user)


def _signed_in_before(bench: Workbench, draft: Draft, tool: str) -> dict[str, Any] | None:
    """The arguments of this dialogue's earlier successful call of `tool` when `tool` is a
    write that enables others (a log-in): made again, it signs the same person in."""
    if not any(tool in writes for writes in bench.preconditions.enabled_by.values()):
        return None
    for segment in draft.segments:
        for turn in segment.turns:
            for call in turn.calls:
                if call.name == tool and call.result is not None and call.result.ok:
                    return dict(call.arguments)
    return None


def _told_before(bench: Workbench, draft: Draft, tool: ToolSpec, arguments: dict[str, Any], output: Any,
                 user: dict[str, Any]) -> bool:
    """Whether a look-up repeats the dialogue: the same call made earlier with no write
    since, the same output as the previous sub-task's, or the user already identified
    found again by other details (their email after their name and zip)."""
    if draft.segments and draft.segments[-1].target_output() == output:
        return True
    key = bench.values.user_key
    found = output[0] if isinstance(output, list) and len(output) == 1 else output  # a search finding one
    if user and key and isinstance(found, dict) and found.get(key) == user[key] and key not in arguments \
            and len(tool.parameters.get("required", [])) > 0 \
            and not _own_record(tool.name, found, key):  # (get_order: an order of theirs is no re-find)
        return True
    writes = {t.name for t in bench.tools.values() if t.writes}
    for segment in reversed(draft.segments):
        for turn in reversed(segment.turns):
            for call in reversed(turn.calls):
                if call.name in writes:
                    return False
                if call.name == tool.name and call.arguments == arguments:
                    return True
    return False


def _persona(bench: Workbench, draft: Draft, owner: dict[str, Any], rng: random.Random) -> str:
    """The name the user signs with: the account holder's first name; "" while the account
    is not known, and in an env without users."""
    key = bench.values.user_key
    if key is not None and bench.env.user_table is not None:
        # One persona per dialogue: the first user it is about. A sub-task about someone
        # else (a relative's booking) is not signed with their name.
        first = next((s.context[key] for s in draft.segments if key in s.context), None)
        named, _ = _dialogue_user(bench, draft)  # or the user an earlier output named
        shown = next((row[key] for row in _user_rows(earlier_outputs(draft), key)), None)  # or showed first
        if key not in owner or (first is not None and owner[key] != first) \
                or (named and owner[key] != named[key]) or (shown is not None and owner[key] != shown):
            return ""
        return bench.values.first_name(owner[key])
    # Without a USER_TABLE nobody's name is on file, yet a login may show it ("User Kiara
    # logged in"): a drawn name would contradict it, so the user does not sign.
    return ""
