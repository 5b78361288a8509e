"""Calls that add nothing to a dialogue, so the planner leaves them out: a read that
re-finds or re-tells what was shown, a look-up that finds nothing the user asked about,
a write on a record an earlier sub-task just changed or made twice, a read whose output
only repeats its input."""

from __future__ import annotations

import re
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.draft import Call, Draft
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.plan.dialogue_facts import re_resolves, shown_values, tells_nothing_new, told_so_far
from toolace_mt.generation.plan.id_names import is_single_id, name_words, singular
from toolace_mt.generation.plan.values import is_id
from toolace_mt.generation.plan.values import value_key as _key
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.evidence import leaves


def pads(bench: Workbench, draft: Draft, turns: list[list[Call]], outputs: dict[int, Any]) -> bool:
    """Whether a read of the plan re-finds an entity the dialogue (or an earlier call of the
    plan) already identified, by other details, or shows nothing the dialogue has not shown
    besides its own arguments (the loss amount the user just gave, read back beside a
    deductible an earlier listing showed), or a look-up before the target gives back
    only what it was given (the symbol TRAN for "Tran, Hess and Summers")."""
    known = told_so_far(draft)
    target = turns[-1] if turns else []
    for calls in turns:
        made = []
        for call in calls:
            if bench.tools[call.name].writes or id(call) not in outputs:
                continue
            output = outputs[id(call)]
            # (a read that shows the user's lines back, display_log, does what they asked)
            given = set() if calls is target and shows_back(call.arguments, output) else shown_values([call.arguments])
            if re_resolves(call.arguments, output, known) or tells_nothing_new(output, known | given) \
                    or (calls is not target and echoes(call.arguments, output)):
                return True
            made.append(output)
        known |= shown_values(made)
    return False


_ADDING = frozenset({"add", "create", "insert", "subscribe", "follow", "attach", "enroll"})


_REMOVING = frozenset({"remove", "delete", "unsubscribe", "unfollow", "detach", "drop"})


def rewrites(bench: Workbench, draft: Draft, arguments: dict[str, Any], tool: str = "") -> bool:
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


def own_record(tool: str, found: dict[str, Any], user_key: str) -> bool:
    """Whether a look-up's record is of the kind its name says, not the user's: get_order's
    order (its `order_id`), though the order names its diner too."""
    nouns = {singular(word) for word in name_words(tool)}
    return any(is_single_id(k) and k != user_key and singular(name_words(k)[0]) in nouns for k in found)


def made_before(draft: Draft, call: Call) -> bool:
    """Whether the dialogue already made this very call successfully (same tool, same
    arguments; a write with none, such as a log-out, is a state and may come again)."""
    return bool(call.arguments) and any(
        c.name == call.name and c.arguments == call.arguments and c.result is not None and c.result.ok
        for s in draft.segments for t in s.turns for c in t.calls)


def echoes(arguments: dict[str, Any], output: Any) -> bool:
    """Whether a read's output holds nothing but values it was given (BFCL's `display_log`
    returns the messages it was passed): no question it could answer."""
    given = {_key(v) for v in leaves(arguments)}
    words = {x.casefold() for v in leaves(arguments) if isinstance(v, str) for x in re.findall(r"[\w'-]+", v)}
    told = [v for v in leaves(output) if not (v is None or isinstance(v, bool))]
    # A value the arguments already hold, or one of their words (the symbol TRAN for "Tran, Hess and Summers").
    return bool(told) and all(_key(v) in given or (isinstance(v, str) and v.casefold() in words) for v in told)


def shows_back(arguments: dict[str, Any], output: Any) -> bool:
    """Whether a read's output is exactly its free-text arguments, every one of them (BFCL's
    `display_log(messages)` -> `{"log": messages}`): an action the user asks for (show these
    lines), not a look-up; a code or id given back (get_symbol) is no such action."""
    given = sorted(_key(v) for v in leaves(arguments) if isinstance(v, str))
    told = sorted(_key(v) for v in leaves(output) if not (v is None or isinstance(v, bool)))
    return bool(given) and given == told and all(
        isinstance(v, str) and " " in v.strip() for v in leaves(arguments))


def told_before(bench: Workbench, draft: Draft, tool: ToolSpec, arguments: dict[str, Any], output: Any,
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
            and not own_record(tool.name, found, key):  # (get_order: an order of theirs is no re-find)
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
