"""The `offline` backend: every stage answered without a model, deterministically from
the seed. Plans walk the tool dependency graph over real rows (each proposal checked by
really executing it), language comes from templates, the envs' phrasing hints and
Faker values, and judges are rules. It counts the calls a model backend would make."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation import tool_language as tl
from toolace_mt.generation import wording as w
from toolace_mt.generation.authentication import authenticate, authenticated_in, authenticating_tools
from toolace_mt.generation.backend import CostMeter, Injection, InjectionType, Stage, SubTaskPlan
from toolace_mt.generation.call_plan import Candidate, minimal_plan
from toolace_mt.generation.catalog import singular, walk
from toolace_mt.generation.confirmation import internal_params, needs_confirmation, stated_defaults
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.offline_wording import request_text, turn_text
from toolace_mt.generation.values import Choice, is_id, known_values
from toolace_mt.generation.values import value_key as _key
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.evidence import leaves, normalise
from toolace_mt.verifier.judge import Judge, OfflineJudge

TARGET_TRIES = 24
ASSISTED_TRIES = 6
PRODUCER_MAKERS = 3  # read tools tried per value
PRODUCER_PROPOSALS = 4  # proposals per read tool (free: only a trial costs)
PRODUCER_TRIES = 2  # trials per read tool
WRITE_SHARE = 0.6
# Look-ups asked about two entities at once ("check orders A and B"): the target called
# again on another entity in the same assistant turn, a parallel call.
SIBLING_SHARE = 0.55
SIBLING_TRIES = 3
REFILL_REDRAWS = 4  # wordings tried for a refined turn that must not give a value yet
_PRODUCIBLE = ("row", "related", "known")  # sources of values some read's output can hold
# A tool named <verb>_..._<X> with one of these verbs sets X to a value the entity does not
# hold yet (change_seat, modify_pending_order_payment); `new_X` parameters do so by name.
_CHANGE_VERBS = ("change", "modify", "update", "set", "switch", "edit", "replace", "move", "reschedule")
# A record whose flag of this name is false is not one to act on (an unavailable variant).
_USABLE_FLAGS = ("available", "active", "in_stock", "enabled", "bookable")


@dataclass
class Seen:
    """A read made while proposing, on the state the sub-task starts from."""

    name: str
    arguments: dict[str, Any]
    output: Any


def _contains(output: Any, value: Any) -> bool:
    wanted = value if isinstance(value, list) else [value]
    found = {str(leaf) for leaf in leaves(output)}
    return all(str(v) in found for v in wanted)


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = normalise(text).split()
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


class OfflineBackend:
    name = "offline"

    def _count(self, cost: CostMeter, stage: Stage, prompt: Any, answer: Any) -> None:
        cost.add(stage, len(json.dumps(prompt, default=str)), len(json.dumps(answer, default=str)))

    # -- stage 1 --------------------------------------------------------------
    def plan_task(self, bench: Workbench, subtasks: int, steps: tuple[int, int], rng: random.Random,
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
        self._count(cost, "plan", [t.name for t in tools], [(p.target, p.steps) for p in plans])
        return plans

    def draft_segment(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
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
        # A tool whose plain proposals never succeeded at start-up (its values come from
        # outputs, not columns) is proposed from its entity's reads only.
        assisted_first = not bench.plain_ok.get(tool.name, True)
        if assisted_first:
            found = self._assisted(bench, tool, rng, ASSISTED_TRIES, seen, user)
        else:
            scoped = rng.random() < 0.7 or user
            found = bench.succeed(tool, rng, TARGET_TRIES // 2, context=focus if scoped else None,
                                  fallback=user or None)
            if found is None:
                found = self._assisted(bench, tool, rng, ASSISTED_TRIES, seen, user)
        if found is None:
            return None
        choice, result = found
        if tool.writes and _rewrites(bench, draft, choice.arguments):
            return None  # a write on a record an earlier sub-task just changed (change a seat, then cancel)
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
        budget = plan.steps - 1
        key = bench.values.user_key
        owner = user or ({key: choice.context[key]} if key in choice.context else {})  # the target's user
        alone = internal_params(tool) or budget <= 0  # an internal tool's input is never asked for twice
        siblings = [] if alone else self._siblings(bench, tool, choice, result, rng, budget, owner)
        budget -= len(siblings)
        levels: list[list[Call]] = []  # producer candidates by turn, nearest the target first
        frontier: list[tuple[str, Choice]] = [(tool.name, choice)]
        produced_values: set[str] = set()
        used_values = {_key(v) for c in [choice.arguments, *(s.arguments for s in siblings)] for v in c.values()}
        while budget > 0 and frontier:
            level: list[Call] = []
            next_frontier = []
            for consumer, consumer_choice in frontier:
                for param, value in consumer_choice.arguments.items():
                    if shown is not None and param == key and value == user[key]:
                        continue  # an earlier sub-task's output already says who the user is
                    if budget <= 0:
                        break
                    if _key(value) in produced_values:
                        continue  # another call of this sub-task already supplies it
                    made = self._producer(bench, consumer, param, value, consumer_choice, used_values, rng, seen)
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
        target_call = Call(tool.name, choice.arguments)
        # Only the producers that earn their place are kept (call_plan); no read re-checks a write.
        candidates = [Candidate(call, bench.trial(call.name, call.arguments).result, "producer")
                      for level in reversed(levels) for call in level]
        candidates += [Candidate(target_call, result.result, "target"),
                       *(Candidate(s, None, "target") for s in siblings)]
        auth = self._authentication(bench, draft, tool, owner, rng)
        if isinstance(auth, Call):  # the env's policy: find the user by their own details first
            output = bench.trial(auth.name, auth.arguments).result
            candidates.insert(0, Candidate(auth, output if isinstance(output, dict) else {key: output}, "auth"))
        earlier = [(shown, key, {key: user[key]})] if shown is not None and key is not None else []
        identity = bench.values.identity_values()
        stated_ids = {_key(v) for c in [choice.arguments, *(s.arguments for s in siblings)] for v in c.values()}
        # Under AUTHENTICATE_FIRST the user never says their internal id: a look-up finds it.
        secret_key = key if bench.env.authenticate_first else None
        kept = minimal_plan(candidates, earlier, lambda p, v: p != secret_key and (
            not is_id(p) or _key(v) in stated_ids or _key(v) in identity))
        if not tool.writes and any(_key(result.result) in {_key(v) for v in c.arguments.values()}
                                   for t in kept.turns[:-1] for c in t):
            return None  # a look-up of what its own producer was given: circular
        if not tool.writes and any(c.output == result.result for c in candidates if c.role == "producer"
                                   and any(c.call is k for t in kept.turns for k in t)):
            return None  # a look-up of what a look-up it needs already found: the same entity twice
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
                if param in derived_by_call.get(id(call), set()) or _key(value) in {_key(v) for v in stated.values()}:
                    continue
                key, other = param, f"{param} for {w.label(call.name)}"
                while key in stated:  # a second (third, ...) value of one parameter keeps its own key
                    key, other = other, f"other {other}"
                stated[key] = value
        request = Turn("user", "request", seed=rng.randrange(2**31),
                       topic={"target": tool.name, "follow_up": bool(draft.segments),
                              "internal": {p: target_call.arguments[p] for p in sorted(own_inputs)
                                           if p in target_call.arguments},
                              "persona": _persona(bench, draft, owner, rng)})
        reply = Turn("assistant", "reply", seed=rng.randrange(2**31),
                     topic={"target": tool.name, "writes": tool.writes})
        goal = f"{w.label(tool.name)} ({', '.join(f'{k}={w.show(v)}' for k, v in stated.items()) or 'no arguments'})"
        segment = Segment(goal=goal, target=tool.name, stated=stated, turns=[request, *turns, reply],
                          context={k: v for k, v in choice.context.items() if k.endswith("_id")
                                   or k in bench.values.key_columns},  # a key like `username` too
                          relies_on=kept.relies_on | ({auth} if isinstance(auth, int) else set()))
        request.text = self.word_request(bench, segment, request)
        for turn in segment.turns:
            if turn.kind in ("confirm", "agree"):
                turn.text = self.word_turn(bench, draft, segment, turn)
        self._count(cost, "skeleton", {"plan": plan.target, "steps": plan.steps, "focus": focus},
                    {"turns": [[(c.name, c.arguments) for c in t.calls] for t in turns], "stated": stated})
        return segment

    def _authentication(self, bench: Workbench, draft: Draft, tool: ToolSpec, owner: dict[str, Any],
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

    def _siblings(self, bench: Workbench, tool: ToolSpec, choice: Choice, result: CallResult,
                  rng: random.Random, budget: int, user: dict[str, Any]) -> list[Call]:
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
            if other.arguments.keys() != choice.arguments.keys() or other_result.result in outputs or values & taken:
                break
            siblings.append(Call(tool.name, other.arguments))
            taken |= values
            outputs.append(other_result.result)
        return siblings

    def _assisted(self, bench: Workbench, tool: ToolSpec, rng: random.Random, tries: int,
                  seen: list[Seen] | None = None,
                  user: dict[str, Any] | None = None) -> tuple[Choice, CallResult] | None:
        """Proposals whose values come from real outputs of reads called on the proposal's
        own entity, for values no column gives (an order's items, a free seat).

        The entity is the proposal's first id (the order). Its own reads (the order's
        details) give the values it holds: the items to act on, the payment it was made
        with. A `new_X` parameter takes another X from reads of the record its old X
        came from (other available variants of that item's product); a value the tool
        changes (the seat of change_seat, the payment of modify_..._payment) is one
        the entity does not have yet, from reads of ids its outputs name (the seat map
        of its flight, its user's payment methods). Reads made are added to `seen`."""
        properties = tool.parameters.get("properties", {})
        makers = sorted({m for param in properties for m in bench.catalog.producers.get((tool.name, param), [])
                         if not bench.tools[m].writes and m != tool.name})
        if not makers:
            return None
        order = sorted(properties, key=lambda p: _twin_of(p, properties) is not None)  # an old X before its new_X
        for _ in range(tries):
            anchor = bench.values.propose(tool, rng, context=user or None)
            primary = next((p for p in tool.parameters.get("required", []) if is_id(p)
                            and isinstance(anchor.arguments.get(p), str | int)), None)
            # The entity: the proposal's first id, else the ids of the row its values came from.
            entity = ({primary: [anchor.arguments[primary]]} if primary is not None
                      else {k: [v] for k, v in anchor.context.items() if is_id(k) and isinstance(v, str | int)})
            wanted = [p for p in order if p != primary and p in anchor.arguments and (
                _twin_of(p, properties) is not None or anchor.sources.get(p) == "fallback"
                or (anchor.sources.get(p) in ("row", "related", "known") and _changes(tool, p)))]
            arguments, sources = dict(anchor.arguments), dict(anchor.sources)
            calls: list[Seen] = []
            if wanted:
                own = self._reads(bench, makers, entity, calls)
                own_fields = _fields(own)
                for param in wanted:
                    value = self._assist(bench, tool, param, arguments, own, own_fields, calls, rng)
                    if value is None:
                        break
                    arguments[param], sources[param] = value, "known"
                else:
                    wanted = []
                if wanted:
                    continue  # a value could not be found for this entity: another one
            result = bench.trial(tool.name, arguments)
            if result.ok:
                if seen is not None:
                    seen.extend(calls)
                return Choice(arguments, anchor.context, sources), result
        return None

    def _assist(self, bench: Workbench, tool: ToolSpec, param: str, arguments: dict[str, Any], own: list[Seen],
                own_fields: dict[str, list[Any]], calls: list[Seen], rng: random.Random) -> Any:
        """One value of `_assisted` (None: this entity has none to give)."""
        properties = tool.parameters.get("properties", {})
        schema = properties[param]
        makers = [m for m in bench.catalog.producers.get((tool.name, param), []) if not bench.tools[m].writes]
        twin = _twin_of(param, properties)
        if twin is not None:  # new_X: per old X, another X from reads of the old one's record
            old = arguments.get(twin)
            olds = old if isinstance(old, list) else [old]
            new = []
            for value in olds:
                records = [r for s in own for name, v, r in walk(s.output)
                           if r is not None and v == value and known_values(twin, {name: [v]})]
                if not records:
                    return None
                record = max(records, key=lambda r: len(_scalars(r)))  # the item itself, not a list naming it
                linked = self._reads(bench, makers, _fields([Seen("", {}, _scalars(record))]), calls)
                options = [v for v, _ in _values_for(param, linked) if v != value]
                if not options:
                    return None
                new.append(rng.choice(options))
            return new if isinstance(old, list) else new[0]
        held = [v for v, _ in _values_for(param, own)]
        if _changes(tool, param):  # a value the entity does not hold yet
            related = self._reads(bench, makers, own_fields, calls)
            current = {_key(v) for v in held} | {_key(arguments.get(param))}
            options = [(v, r) for v, r in _values_for(param, related) if _key(v) not in current]
            top = own[0].output if own and isinstance(own[0].output, dict) else {}
            # Prefer records that agree with the entity on what they share (a seat in its cabin).
            alike = [v for v, r in options if all(r.get(k) == top[k] for k in r if k in top and k != param
                                                  and isinstance(top[k], str | int) and not is_id(k))]
            return _pick(alike or [v for v, _ in options], schema, rng)
        if not held:  # not in the entity's own outputs: in its related reads
            held = [v for v, _ in _values_for(param, self._reads(bench, makers, own_fields, calls))]
        return _pick(held, schema, rng)

    def _reads(self, bench: Workbench, makers: list[str], known: dict[str, list[Any]],
               calls: list[Seen]) -> list[Seen]:
        """The successful outputs of the makers whose required parameters `known` gives
        (its first value for each: the entity's own), called once each."""
        outputs = []
        for maker in makers:
            required = bench.tools[maker].parameters.get("required", [])
            values = {p: known_values(p, known) for p in required}
            if not required or not all(values.values()):
                continue
            arguments = {p: found[0] for p, found in values.items()}
            done = next((c for c in calls if c.name == maker and c.arguments == arguments), None)
            if done is None:
                result = bench.trial(maker, arguments)
                if not result.ok:
                    continue
                done = Seen(maker, arguments, result.result)
                calls.append(done)
            outputs.append(done)
        return outputs

    def _producer(self, bench: Workbench, consumer: str, param: str, value: Any, choice: Choice,
                  used: set[str], rng: random.Random, seen: list[Seen]) -> tuple[str, Choice, bool] | None:
        """A read tool whose real output contains `value` for `param` (and whether it
        singles it out: one entity, not a list to pick from).

        Only values of the state (rows, earlier outputs) are looked for, and a read is
        called on the value's own entity (its arguments tied to the rows the value came
        from), so its output holds the value by construction: a read that needs the value
        itself, or values the chain already has, is never tried. Reads already made while
        proposing come first (free)."""
        if value is None or isinstance(value, bool) or choice.sources.get(param) not in _PRODUCIBLE:
            return None
        makers = [m for m in bench.catalog.producers.get((consumer, param), []) if not bench.tools[m].writes
                  and m != consumer and not _circular(bench.tools[m], param, value)]
        if not makers:
            return None
        for call in seen:
            if (call.name in makers and not {_key(v) for v in call.arguments.values()} & used
                    and _contains(call.output, value)):
                made = Choice(dict(call.arguments), dict(choice.context), dict.fromkeys(call.arguments, "known"))
                return call.name, made, _single(call.output)
        rng.shuffle(makers)
        context = {k: v for k, v in choice.context.items() if k != param}
        context[param] = value  # the latest: rows tied to it are preferred to all others
        for maker in makers[:PRODUCER_MAKERS]:
            trials = 0
            for _ in range(PRODUCER_PROPOSALS):
                made = bench.values.propose(bench.tools[maker], rng, context=context, bound=True)
                if not made.bound or {_key(v) for v in made.arguments.values()} & used:
                    continue  # not about the value's entity, or would go in circles
                result = bench.trial(maker, made.arguments)
                if result.ok and _contains(result.result, value):
                    return maker, made, _single(result.result)
                trials += 1
                if trials >= PRODUCER_TRIES:
                    break
        return None

    def _confirm(self, bench: Workbench, output: Any, rng: random.Random) -> Call | None:
        """A read that checks the result of a write with ids the write returned."""
        if not isinstance(output, dict):
            return None
        fields = {k: v for k, v in output.items() if isinstance(v, str) and k.endswith("_id")}
        options = [t for t in bench.tools.values() if not t.writes and t.parameters.get("required")
                   and set(t.parameters["required"]) <= set(fields)]
        rng.shuffle(options)
        for tool in options[:2]:
            arguments = {p: fields[p] for p in tool.parameters["required"]}
            if not all(bench.values.holds(p, v) for p, v in arguments.items()):
                continue  # an entity the write made: the trial, before the write, would fail
            if bench.trial(tool.name, arguments).ok:
                return Call(tool.name, arguments)
        return None

    # -- wording (offline_wording) ------------------------------------------------
    def word_request(self, bench: Workbench, segment: Segment, turn: Turn) -> str:
        return request_text(bench, segment, turn)

    def word_turn(self, bench: Workbench, draft: Draft, segment: Segment, turn: Turn) -> str:
        return turn_text(bench, segment, turn, draft)

    def word_replies(self, draft: Draft, segments: range, cost: CostMeter, bench: Workbench) -> None:
        """Word the assistant's text turns of `segments` on the outputs as they now are.

        Counted as the model backend pays it: one "reply" call when at least one reply (or
        error report) has no text yet or a conversation before it that changed since it
        was worded (its stamp, see _stamps), none otherwise."""
        stale = [turn for turn, stamp in _stamps(draft, segments)
                 if not turn.text or turn.topic.get("worded_on") != stamp]
        for index in segments:
            segment = draft.segments[index]
            for turn in segment.turns:
                if turn.role == "assistant" and not turn.calls:
                    turn.text = self.word_turn(bench, draft, segment, turn)
        if stale:
            self._count(cost, "reply", {"turns": len(draft.turns()), "replies": [t.kind for t in stale]},
                        [t.text for t in stale])
        for turn, stamp in _stamps(draft, segments):
            turn.topic["worded_on"] = stamp

    # -- stage 2 --------------------------------------------------------------
    def inject(self, bench: Workbench, draft: Draft, kind: InjectionType, rng: random.Random,
               cost: CostMeter) -> Injection | None:
        handler = {"clarification": self._clarify, "tool_awareness": self._tool_awareness,
                   "error_simulation": self._error, "non_function_call": self._chat}[kind]
        injection = handler(bench, draft, rng)
        self._count(cost, "inject", {"type": kind, "turns": len(draft.turns())},
                    {"segment": injection.segment if injection else None})
        return injection

    def _fresh_segments(self, draft: Draft, rng: random.Random) -> list[int]:
        order = [i for i, s in enumerate(draft.segments) if not any(t.edited for t in s.turns)]
        rng.shuffle(order)
        return order

    def _clarify(self, bench: Workbench, draft: Draft, rng: random.Random) -> Injection | None:
        for index in self._fresh_segments(draft, rng):
            segment = draft.segments[index]
            earlier_text = " ".join(normalise(t.text or "") for s in draft.segments[:index] for t in s.turns)
            earlier_values = {normalise(str(v)) for s in draft.segments[:index] for t in s.turns for c in t.calls
                              for v in leaves(c.arguments)}
            params = [p for p, v in segment.stated.items() if isinstance(v, str | int | float)
                      and not isinstance(v, bool) and len(str(v)) >= 3 and not _snake_word(v)
                      and normalise(str(v)) not in earlier_text and normalise(str(v)) not in earlier_values]
            if not params:
                continue
            param = rng.choice(params)
            value = segment.stated[param]
            others = [normalise(str(v)) for p, v in segment.stated.items() if p != param]
            if any(normalise(str(value)) in o for o in others):
                continue
            request = segment.turns[0]
            request.topic = {**request.topic, "hidden": param}
            request.text = self.word_request(bench, segment, request)
            if normalise(str(value)) in normalise(request.text):
                request.topic.pop("hidden")
                request.text = self.word_request(bench, segment, request)
                continue
            ask = Turn("assistant", "ask", seed=rng.randrange(2**31), topic={"param": param}, edited=True)
            answer = Turn("user", "answer", seed=rng.randrange(2**31), topic={"param": param, "value": value},
                          edited=True)
            ask.text = self.word_turn(bench, draft, segment, ask)
            answer.text = self.word_turn(bench, draft, segment, answer)
            segment.turns[1:1] = [ask, answer]
            request.edited = True
            return Injection("clarification", index, [ask, answer], argument=param, value=value)
        return None

    def _tool_awareness(self, bench: Workbench, draft: Draft, rng: random.Random) -> Injection | None:
        if rng.random() < 0.5:
            for index in self._fresh_segments(draft, rng):
                segment = draft.segments[index]
                target = segment.target
                elsewhere = any(c.name == target for i, s in enumerate(draft.segments) if i != index
                                for t in s.turns for c in t.calls)
                relied_on = any(index in s.relies_on for s in draft.segments)
                if not bench.tools[target].writes or elsewhere or relied_on or len(draft.segments) < 2:
                    continue
                spec = bench.tools[target]
                said = random.Random(rng.randrange(2**31))
                request = w.task_phrase(target, said) if spec.phrasing else tl.refusal_topic(spec)
                refusal = Turn("assistant", "refusal", seed=rng.randrange(2**31),
                               topic={"request": request}, edited=True)
                refusal.text = self.word_turn(bench, draft, segment, refusal)
                segment.turns = [segment.turns[0], refusal]
                segment.turns[0].edited = True
                draft.withheld.append(target)
                return Injection("tool_awareness", index, [refusal], tool=target)
        index = rng.randrange(len(draft.segments))
        segment = draft.segments[index]
        request = rng.choice(w.UNSUPPORTED)
        ask = Turn("user", "chat", seed=rng.randrange(2**31), topic={"request": request}, edited=True)
        refusal = Turn("assistant", "refusal", seed=rng.randrange(2**31), topic={"request": request}, edited=True)
        ask.text = self.word_turn(bench, draft, segment, ask)
        refusal.text = self.word_turn(bench, draft, segment, refusal)
        segment.turns.extend([ask, refusal])
        return Injection("tool_awareness", index, [refusal])

    def _error(self, bench: Workbench, draft: Draft, rng: random.Random) -> Injection | None:
        for index in self._fresh_segments(draft, rng):
            segment = draft.segments[index]
            ids = [p for p, v in segment.stated.items() if isinstance(v, str) and any(ch.isdigit() for ch in v)]
            rng.shuffle(ids)
            for param in ids:
                value = segment.stated[param]
                uses = sum(1 for t in segment.turns for c in t.calls for v in leaves(c.arguments) if v == value)
                if uses != 1:
                    continue  # stated once for several arguments: a mistyped copy would leave the others unsaid
                position, call = next(((i, c) for i, t in enumerate(segment.turns) for c in t.calls
                                       if c.arguments.get(param) == value), (None, None))
                if call is not None and needs_confirmation(bench.tools[call.name]):
                    # A consequential write is only tried once the user said yes to it: the wrong
                    # value fails a look-up of the same record first (the order's status check).
                    checker = next((t for _, t in sorted(bench.tools.items()) if not t.writes
                                    and t.parameters.get("required") == [param]), None)
                    confirm_at = next((i for i, t in enumerate(segment.turns) if t.kind == "confirm"), None)
                    if checker is None or confirm_at is None:
                        continue
                    position, call = confirm_at, Call(checker.name, {param: value})
                if call is None or position is None:
                    continue
                wrong = _mistype(value, rng)
                arguments = {**call.arguments, param: wrong}
                if wrong == value or bench.trial(call.name, arguments).ok:
                    continue
                request = segment.turns[0]
                request.topic = {**request.topic, "wrong": {param: wrong}}
                request.text = self.word_request(bench, segment, request)
                if normalise(value) in normalise(request.text):
                    request.topic.pop("wrong")
                    request.text = self.word_request(bench, segment, request)
                    continue
                failing = Turn("assistant", "calls", calls=[Call(call.name, arguments, expect_ok=False)], edited=True)
                report = Turn("assistant", "error_reply", seed=rng.randrange(2**31), topic={"param": param},
                              edited=True)
                fix = Turn("user", "correction", seed=rng.randrange(2**31), topic={"param": param, "value": value},
                           edited=True)
                fix.text = self.word_turn(bench, draft, segment, fix)
                checked = [Turn("assistant", "calls", calls=[Call(call.name, {param: value})], edited=True)] \
                    if segment.turns[position].kind == "confirm" else []  # the status check, on the right record
                segment.turns[position:position] = [failing, report, fix, *checked]
                request.edited = True
                return Injection("error_simulation", index, [failing])
        return None

    def _chat(self, bench: Workbench, draft: Draft, rng: random.Random) -> Injection | None:
        index = rng.randrange(len(draft.segments))
        segment = draft.segments[index]
        topic: dict[str, Any] = {}
        output = segment.target_output()
        if isinstance(output, dict) and rng.random() < 0.6:
            facts = [(k, v) for k, v in output.items() if isinstance(v, str | int | float) and not isinstance(v, bool)
                     and str(v) and len(str(v)) < 40 and w.speakable(k)]
            if facts:
                key, value = rng.choice(facts)
                topic = {"recall": key, "value": value}
        user = Turn("user", "chat", seed=rng.randrange(2**31), topic=topic, edited=True)
        reply = Turn("assistant", "chat_reply", seed=rng.randrange(2**31), topic=topic, edited=True)
        user.text = self.word_turn(bench, draft, segment, user)
        reply.text = self.word_turn(bench, draft, segment, reply)
        segment.turns.extend([user, reply])
        return Injection("non_function_call", index, [reply])

    def refill(self, draft: Draft, turns: list[Turn], rng: random.Random, cost: CostMeter,
               bench: Workbench) -> list[str | None]:
        """New text for each masked turn, in one call (the turns are non-adjacent)."""
        texts: list[str | None] = []
        for turn in turns:
            segment = next(s for s in draft.segments if any(t is turn for t in s.turns))
            withheld = _withheld(draft, turn)
            old_seed = turn.seed
            seed = rng.randrange(2**31)
            # A wording that would give a value the user is asked for only later is drawn
            # again (from seeds derived from this one: the run's random stream is unchanged).
            for redraw in range(REFILL_REDRAWS):
                turn.seed = (seed + redraw * 7919) % 2**31
                text = self.word_turn(bench, draft, segment, turn)
                if not _gives_early(text, turn.text or "", withheld):
                    break
            texts.append(text)
            turn.seed = old_seed
        self._count(cost, "refine", [{"kind": t.kind, "text": t.text} for t in turns], texts)
        return texts

    def keep_edits(self, draft: Draft, turns: list[Turn], old: list[str], new: list[str | None],
                   cost: CostMeter) -> list[bool]:
        """Keep an edit that says something new: at least as many trigrams unseen elsewhere
        in the dialogue as the text it replaces (one judge call per pass). An edit that
        has the user give a value before a clarification asks for it (or the right value
        before the correction of an error simulation) is reverted: the verifier would
        drop the dialogue, and the injected turn would make no sense."""
        self._count(cost, "judge", {"old": old, "new": new}, [True] * len(turns))
        verdicts = []
        for turn, before, after in zip(turns, old, new, strict=True):
            if after is None or after == before or not after.strip() \
                    or _gives_early(after, before, _withheld(draft, turn)):
                verdicts.append(False)
                continue
            others: set[tuple[str, ...]] = set()
            for _, other in draft.turns():
                if other is not turn and other.text:
                    others |= _trigrams(other.text)
            verdicts.append(len(_trigrams(after) - others) >= len(_trigrams(before) - others))
        return verdicts

    def judge(self, cost: CostMeter) -> Judge:
        return OfflineJudge()

    # -- MAS ------------------------------------------------------------------
    def play_user(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                  cost: CostMeter) -> Segment | None:
        segment = self.draft_segment(bench, plan, draft, rng, CostMeter())
        self._count(cost, "mas_user", {"plan": plan.target, "history": len(draft.turns())},
                    segment.turns[0].text if segment else None)
        return segment

    def play_assistant(self, bench: Workbench, segment: Segment, position: int, draft: Draft,
                       rng: random.Random, cost: CostMeter) -> Turn:
        """The assistant agent's turn at `position` of the sub-trajectory it is acting out
        (one model call per turn, as a turn-by-turn simulation pays)."""
        turn = segment.turns[position]
        self._count(cost, "mas_assistant", {"history": len(draft.turns())},
                    [(c.name, c.arguments) for c in turn.calls] or turn.kind)
        return turn

    def play_user_turn(self, segment: Segment, position: int, draft: Draft, cost: CostMeter) -> Turn:
        """The user agent's turn at `position` (after the opening request)."""
        turn = segment.turns[position]
        self._count(cost, "mas_user", {"history": len(draft.turns())}, turn.text)
        return turn


def _stamps(draft: Draft, segments: range) -> list[tuple[Turn, bytes]]:
    """The turns of `segments` word_replies words (Turn.worded_after_calls), each with a stamp of the
    conversation before it: a running hash of every earlier turn's role, text and calls
    (name, arguments, outcome). Outputs are not hashed: given the env and seed, they
    follow from the calls before them."""
    digest = hashlib.blake2b(digest_size=16)
    stamps = []
    for index, segment in enumerate(draft.segments[:segments.stop]):
        for turn in segment.turns:
            if index in segments and turn.worded_after_calls:
                stamps.append((turn, digest.digest()))
            calls = "".join(f"\x1d{c.name}{c.arguments!r}{c.result is not None and c.result.ok}" for c in turn.calls)
            digest.update(f"{turn.role}\x1f{turn.text!r}{calls}\x1e".encode())
    return stamps


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
        outputs = [c.result.result.get(key) if isinstance(c.result.result, dict) else c.result.result
                   for t in segment.turns for c in t.calls
                   if c.result is not None and c.result.ok and isinstance(c.result.result, dict | str)]
        named_by_outputs.append(outputs)
        for value in [segment.context.get(key), *outputs]:
            if isinstance(value, str | int) and bench.values.is_user(value):
                found = value
    if found is None:
        return {}, None
    shown = next((i for i in range(len(named_by_outputs) - 1, -1, -1) if found in named_by_outputs[i]), None)
    return {key: found}, shown


def _rewrites(bench: Workbench, draft: Draft, arguments: dict[str, Any]) -> bool:
    """Whether an earlier successful write of the dialogue took one of these ids."""
    ids = {_key(v) for p, v in arguments.items() if is_id(p) and p != bench.values.user_key}
    return bool(ids) and any(
        _key(v) in ids for s in draft.segments for t in s.turns for c in t.calls
        if bench.tools[c.name].writes and c.result is not None and c.result.ok
        for p, v in c.arguments.items() if is_id(p))


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
            and len(tool.parameters.get("required", [])) > 0:
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
    """The name the user signs with: the account holder's first name; in an env without
    users, one name drawn for the whole dialogue; "" while the account is not known."""
    key = bench.values.user_key
    if key is not None and bench.env.user_table is not None:
        return bench.values.first_name(owner[key]) if key in owner else ""
    earlier = next((s.turns[0].topic.get("persona") for s in draft.segments if s.turns
                    and s.turns[0].topic.get("persona")), None)
    if earlier:
        return str(earlier)
    bench.values.fake.seed_instance(rng.randrange(2**31))
    return str(bench.values.fake.first_name())


def _snake_word(value: Any) -> bool:
    """`no_longer_needed`: said in words by the user, so no answer could give it verbatim."""
    return isinstance(value, str) and "_" in value and value.replace("_", "").isalpha()


def _withheld(draft: Draft, turn: Turn) -> set[str]:
    """Values (normalised) a user turn must not state: those the user gives only later,
    in a clarification's answer (the hidden value) or an error simulation's correction
    (the right value). An assistant turn gives the user nothing, so it has none."""
    if turn.role != "user":
        return set()
    order = [t for _, t in draft.turns()]
    position = next((i for i, t in enumerate(order) if t is turn), len(order))
    return {normalise(str(t.topic["value"])) for t in order[position + 1:]
            if t.kind in ("answer", "correction") and "value" in t.topic}


def _gives_early(text: str | None, before: str, withheld: set[str]) -> bool:
    """Whether `text` states a withheld value that the text it replaces did not (by the
    matching `_clarify` uses: the normalised value inside the normalised text)."""
    if not text or not withheld:
        return False
    now, then = normalise(text), normalise(before)
    return any(value in now and value not in then for value in withheld)


def _single(output: Any) -> bool:
    """One entity, not a list to pick from."""
    return not isinstance(output, list) or len(output) == 1


def _circular(maker: ToolSpec, param: str, value: Any) -> bool:
    """Whether the read needs the very value it would produce (get_order(order_id) for an order_id)."""
    return any(known_values(p, {param: [value]}) for p in maker.parameters.get("required", []))


def _twin_of(param: str, properties: dict[str, Any]) -> str | None:
    """X for a parameter new_X when the tool also takes X."""
    return param[4:] if param.startswith("new_") and param[4:] in properties else None


def _stems(name: str) -> set[str]:
    return {singular(part.rstrip("0123456789")) for part in name.split("_")} - {"id", "new", ""}


def _changes(tool: ToolSpec, param: str) -> bool:
    """Whether the tool sets `param` to a new value (see _CHANGE_VERBS); not when it also
    takes new_<param> (then <param> names what is replaced)."""
    if "new_" + param in tool.parameters.get("properties", {}):
        return False
    return tool.name.split("_")[0] in _CHANGE_VERBS and bool(_stems(param) & _stems(tool.name))


def _usable(record: dict[str, Any] | None) -> bool:
    return record is None or not any(record.get(flag) is False for flag in _USABLE_FLAGS)


def _values_for(param: str, outputs: list[Seen]) -> list[tuple[Any, dict[str, Any]]]:
    """(value, record holding it) for `param` in outputs: fields of its name (see
    known_values), in records one may act on, each value once."""
    found: list[tuple[Any, dict[str, Any]]] = []
    keys: set[str] = set()
    for seen in outputs:
        for name, value, record in walk(seen.output):
            if (isinstance(value, str | int | float) and not isinstance(value, bool) and _usable(record)
                    and known_values(param, {name: [value]}) and _key(value) not in keys):
                keys.add(_key(value))
                found.append((value, record or {}))
    return found


def _fields(outputs: list[Seen]) -> dict[str, list[Any]]:
    """Scalar values of outputs by field name (any depth), in order."""
    known: dict[str, list[Any]] = {}
    for seen in outputs:
        for name, value, _ in walk(seen.output):
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                bucket = known.setdefault(name, [])
                if value not in bucket:
                    bucket.append(value)
    return known


def _scalars(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}


def _pick(options: list[Any], schema: dict[str, Any], rng: random.Random) -> Any:
    """One option, or one or two for an array parameter; None when there is none."""
    if not options:
        return None
    if schema.get("type") != "array":
        return rng.choice(options)
    count = 1 if rng.random() < 0.7 or len(options) < 2 else 2
    return rng.sample(options, count)


def _mistype(value: str, rng: random.Random) -> str:
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    if not digits:
        return value
    position = rng.choice(digits)
    replacement = str((int(value[position]) + rng.randint(1, 8)) % 10)
    return value[:position] + replacement + value[position + 1:]

