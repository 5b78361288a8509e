"""Exact amounts a read shows: the enabling write of a tool refused until a balance is
brought to zero.

`leave_group` is refused while the member owes anyone ("settle up with X first"), and
`settle_up` is refused for more than the debt: no proposal from columns (an expense's
amount) makes the debt zero, so no trial of the two learns that one enables the other. A
person would look first: read the balances of that member in that group, then pay each
what the read says. So the write is made with values a read of the same record shows:
the read takes the write's own values for its required parameters (the member, the
group), and each record of its output (one line of the balances) gives the write's
number (the amount owed, as a positive number) and its other words (the member owed).
Each candidate is tried for real (see `settle`); only one that succeeds, after which the
refused tool succeeds too, is kept.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.plan.catalog import param_kind

MAX_CANDIDATES = 24  # candidate arguments of a write from one read's output
MAX_SETTLES = 3  # writes made in a row (one per member owed) before giving up on a record

Trial = Callable[[str, dict[str, Any]], CallResult]


def _numbers(write: ToolSpec, given: set[str]) -> list[str]:
    """The write's number parameters a read's record may give (not the read's own inputs)."""
    return [p for p, s in write.parameters.get("properties", {}).items()
            if p not in given and param_kind(s) in ("number", "integer") and not s.get("enum")]


def takes_amounts(write: ToolSpec) -> bool:
    """Whether a write has a number a read could show exactly (an amount to pay)."""
    return write.writes and bool(_numbers(write, set()))


def _records(output: Any) -> list[dict[str, Any]]:
    """The records of an output: itself when a dict, its dicts when a list (one level)."""
    if isinstance(output, dict):
        inner = [r for v in output.values() if isinstance(v, list) for r in v if isinstance(r, dict)]
        return [output, *inner]
    if isinstance(output, list):
        return [r for r in output if isinstance(r, dict)]
    return []


def _shown(peek: Trial, reads: list[ToolSpec], arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """The records the reads taking only these arguments' values show."""
    shown = []
    for read in reads:
        required = read.parameters.get("required", [])
        if read.writes or not required or any(p not in arguments for p in required):
            continue
        result = peek(read.name, {p: arguments[p] for p in required})
        if result.ok:
            shown += _records(result.result)
    return shown


def waits_on_records(peek: Trial, reads: list[ToolSpec], arguments: dict[str, Any], refusal: str) -> bool:
    """Whether a refusal names what a read of the same record shows beside a number ("settle
    up with dalton.m first", the balances listing dalton.m): the call waits on those
    records' numbers, not on its own values."""
    given = {str(v) for v in arguments.values()}
    for record in _shown(peek, reads, arguments):
        if not any(isinstance(v, int | float) and not isinstance(v, bool) and v for v in record.values()):
            continue
        if any(isinstance(v, str) and v.strip() and v not in given and re.search(
                rf"(?<![\w.]){re.escape(v)}(?![\w])", refusal) for v in record.values()):
            return True
    return False


def candidates(peek: Trial, reads: list[ToolSpec], write: ToolSpec, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """`arguments` of `write` with its numbers, and its other free words, taken from each
    record a read of the same record shows (a read whose required parameters are all among
    the write's values): the amount (as a positive number) and whom it is owed to."""
    properties = write.parameters.get("properties", {})
    found: list[dict[str, Any]] = []
    for read in reads:
        required = read.parameters.get("required", [])
        if read.writes or not required or any(p not in arguments or p not in properties for p in required):
            continue
        numbers = _numbers(write, set(required))
        if not numbers:
            continue
        words = [p for p, s in properties.items() if p not in required and p in arguments
                 and param_kind(s) == "string" and not s.get("enum")]
        result = peek(read.name, {p: arguments[p] for p in required})
        if not result.ok:
            continue
        for record in _records(result.result):
            amounts = [abs(v) for v in record.values() if isinstance(v, int | float) and not isinstance(v, bool) and v]
            names = [v for v in record.values() if isinstance(v, str) and v.strip()]
            for amount, picked in itertools.product(amounts, itertools.product(names, repeat=len(words))):
                made = dict(arguments)
                for param in numbers:
                    integer = param_kind(properties[param]) == "integer"
                    made[param] = int(amount) if integer and float(amount).is_integer() else amount
                    if integer and not float(amount).is_integer():
                        break
                else:
                    made.update(zip(words, picked, strict=True))
                    if made not in found:
                        found.append(made)
                if len(found) >= MAX_CANDIDATES:
                    return found
    return found


def settle(peek: Trial, call: Trial, reads: list[ToolSpec], write: ToolSpec, arguments: dict[str, Any],
           target: str, target_arguments: dict[str, Any], limit: int = MAX_SETTLES) -> list[dict[str, Any]] | None:
    """The calls of `write`, made for real one after the other (each with exact values read
    on the state the last one left), after which `target` succeeds; None when none does
    within `limit` writes (the state is then left as the made writes left it)."""
    made: list[dict[str, Any]] = []
    for _ in range(limit):
        chosen = next((c for c in candidates(peek, reads, write, arguments) if peek(write.name, c).ok), None)
        if chosen is None or not call(write.name, chosen).ok:
            return None
        made.append(chosen)
        if peek(target, target_arguments).ok:
            return made
    return None
