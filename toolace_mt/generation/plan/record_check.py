"""Looking at a record before acting on it, for envs that declare CHECK_BEFORE_WRITE
(tau-bench's retail policy: check the order's status before cancelling or changing it).

The check is a read that takes only the record's key (and the caller's own key, where
the env asks for it with every call) and returns the record, or else a list of the caller's
records that shows it. It is added to a write's plan when no earlier output of the
dialogue, and no read the plan keeps, showed that record; its output (the status) is what
the confirmation states, so it earns its place even when no argument of the write comes
from it.
"""

from __future__ import annotations

from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.draft import Call, Turn
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.policy import record_parameter
from toolace_mt.verifier.shown_records import shows_record


def record_check(bench: Workbench, tool: ToolSpec, arguments: dict[str, Any], seen: list[Any]) -> Call | None:
    """The read that shows the record `tool` would act on with `arguments`, really tried on
    the current state; None when the env's policy does not ask for one, `seen` (outputs the
    dialogue already has) shows the record, or no read can."""
    found = _looked_up(bench, tool, arguments, seen)
    return found[0] if found is not None else None


def _looked_up(bench: Workbench, tool: ToolSpec, arguments: dict[str, Any], seen: list[Any]) -> tuple[Call, Any] | None:
    """record_check's read and its output."""
    if not bench.env.check_before_write or not tool.writes:
        return None
    param = record_parameter(tool.parameters, bench.values.user_key)
    value = arguments.get(param) if param else None
    if param is None or value is None:
        return None
    if any(shows_record(output, param, value) for output in seen):
        return None
    given = {param: value}  # an env that takes the caller's key with every call (get_claim(member, claim))
    user_key = bench.values.user_key
    if user_key is not None and arguments.get(user_key) is not None:
        given[user_key] = arguments[user_key]
    # a get-by-key first (the record's key, and the caller's); else a list of the caller's own
    # records (list_policies(member_number) shows the policy a claim is opened on)
    for reader in sorted(bench.tools.values(), key=lambda t: (param not in t.parameters.get("required", []), t.name)):
        needs = set(reader.parameters.get("required", []))
        if reader.writes or not needs or not needs <= set(given) \
                or set(reader.parameters.get("properties", {})) != needs:
            continue  # nothing but the record's key and the caller's
        asked = {name: given[name] for name in reader.parameters.get("properties", {})}
        result = bench.trial(reader.name, asked)
        if result.ok and shows_record(result.result, param, value):
            return Call(reader.name, asked), result.result
    return None


def with_record_checks(bench: Workbench, turns: list[Turn], seen: list[Any]) -> list[Turn]:
    """A model's drafted turns with the check read put before each write whose record no
    earlier output (`seen`, then the drafted reads' real outputs) showed: the model is
    told the policy, and this makes it hold whatever it wrote."""
    if not bench.env.check_before_write:
        return turns
    shown, checked = list(seen), []
    for turn in turns:
        before: list[Call] = []
        for call in turn.calls:
            tool = bench.tools.get(call.name)
            if tool is None:
                continue
            found = _looked_up(bench, tool, call.arguments, shown)
            if found is not None:
                before.append(found[0])
                shown.append(found[1])
            elif not tool.writes:
                shown.append(bench.trial(call.name, call.arguments).result)
        if before:
            checked.append(Turn("assistant", "calls", calls=before))
        checked.append(turn)
    return checked
