"""Who a dialogue is about: the user an earlier sub-task named, and the name they sign
with (one persona per dialogue, the account holder's)."""

from __future__ import annotations

import random
from typing import Any

from toolace_mt.generation.draft import Draft
from toolace_mt.generation.plan.dialogue_facts import earlier_outputs
from toolace_mt.generation.workbench import Workbench


def dialogue_user(bench: Workbench, draft: Draft) -> tuple[dict[str, Any], int | None]:
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


def _user_rows(outputs: list[Any], key: str) -> list[dict[str, Any]]:
    """The records of users the outputs showed (a profile, a passenger just created), in order."""
    rows = []
    for output in outputs:
        for item in output if isinstance(output, list) and len(output) == 1 else [output]:
            if isinstance(item, dict) and key in item and any(n in item for n in ("first_name", "full_name", "name")):
                rows.append(item)
    return rows


def persona(bench: Workbench, draft: Draft, owner: dict[str, Any], rng: random.Random) -> str:
    """The name the user signs with: the account holder's first name; "" while the account
    is not known, and in an env without users."""
    key = bench.values.user_key
    if key is not None and bench.env.user_table is not None:
        # One persona per dialogue: the first user it is about. A sub-task about someone
        # else (a relative's booking) is not signed with their name.
        first = next((s.context[key] for s in draft.segments if key in s.context), None)
        named, _ = dialogue_user(bench, draft)  # or the user an earlier output named
        shown = next((row[key] for row in _user_rows(earlier_outputs(draft), key)), None)  # or showed first
        if key not in owner or (first is not None and owner[key] != first) \
                or (named and owner[key] != named[key]) or (shown is not None and owner[key] != shown):
            return ""
        return bench.values.first_name(owner[key])
    # Without a USER_TABLE nobody's name is on file, yet a login may show it ("User Kiara
    # logged in"): a drawn name would contradict it, so the user does not sign.
    return ""
