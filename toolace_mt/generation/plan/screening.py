"""Screening: which rows each write tool can act on, learned once at start-up from real
trials on the initial state, so that proposals skip entities whose state makes the
write fail (a delivered order cannot be cancelled). See `screen`."""

from __future__ import annotations

import bisect
import datetime as dt
import random
import re
from collections.abc import Callable
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.plan.actor_links import ActorLink
from toolace_mt.generation.plan.catalog import Catalog
from toolace_mt.generation.plan.values import RowIndex, ValueSource, is_id, value_key

SCREEN_ROWS = 24  # trial calls per write tool at start-up
SCREEN_PER_VALUE = 2  # rows sampled per value of each feature
MAX_CATEGORIES = 8
AGE_EDGES = (-365, -90, -30, -14, -7, -1, 1, 7, 30, 90)  # days from today that cut dates into spans
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def screen(tool: ToolSpec, values: ValueSource, catalog: Catalog, today: dt.date,
           trial: Callable[[str, dict[str, Any]], CallResult],
           rng: random.Random, enter: Callable[[dict[str, Any]], bool] | None = None,
           link: ActorLink | None = None) -> tuple[bool, tuple[str, RowIndex] | None]:
    """Learn which rows a write tool can act on, from trials on the initial state: (whether
    a plain proposal succeeded, (table, rows it can act on) when some were left out).

    Most proposals of a write fail on the state of the entity they name (a delivered
    order cannot be cancelled, a return window has closed). Rows of the tool's anchor
    table (the table of its first required id) are sampled so that each value of each
    feature (a column with few values, or a date column by distance from today) is tried;
    a value whose every trial failed with one same error (ids and numbers aside), an
    error never seen on rows with other values, is the cause, and rows with it are
    left out of the tool's proposals. Deterministic: the initial state and `rng` only.
    `enter` puts the env in the state the tool needs, made for the row's own values
    (signed in as its owner), before each trial. With an actor `link`, the rows are those
    of the record it acts on, each tried with its actor as the caller (see actor_links)."""
    anchor = _anchor(tool, values, catalog) if link is None else (link.table, link.key_column, link.key_param)
    if anchor is None:
        return True, None
    table, column, param = anchor
    rows = values.table_rows(table)
    features = _features(rows, catalog.table_columns[table], catalog.primary_keys[table], today)
    sample = _stratified(rows, features, rng)
    outcomes: list[tuple[dict[str, Any], str]] = []
    succeeded = False
    for row in sample:
        context = {c: v for c, v in row.items() if (is_id(c) or c == "email") and v is not None}
        context[param] = row[column]
        if link is not None:
            if row.get(link.column) is None:
                continue
            context = link.context_of(row)
        choice = values.propose(tool, rng, context=context)
        if str(choice.arguments.get(param)) != str(row[column]):
            continue
        if enter is not None and not enter(context):
            continue
        result = trial(tool.name, choice.arguments)
        if result.ok:
            succeeded = True
        # An error that names one of the other values failed on that value, after the
        # entity's own checks passed: the row is fine.
        others = {k: v for k, v in choice.arguments.items() if k != param}
        fine = result.ok or _names_a_value(result, others)
        outcomes.append((row, "ok" if fine else _error_class(result)))
    blocked: dict[str, set[str]] = {name: set() for name in features}

    def left_out(row: dict[str, Any]) -> bool:
        return any(feature(row) in blocked[name] for name, feature in features.items())

    # Again on the rows still allowed, until nothing changes: one cause can hide another
    # (a frozen savings account fails as frozen; once frozen ones are out, savings fail).
    while True:
        remaining = [(row, outcome) for row, outcome in outcomes if not left_out(row)]
        more = {name: _blocked(feature, remaining) - blocked[name] for name, feature in features.items()}
        if not any(more.values()):
            break
        for name, values in more.items():
            blocked[name] |= values
        if not any(not left_out(row) for row, _ in outcomes):  # never every row
            for name, values in more.items():
                blocked[name] -= values
            break
    allowed = [row for row in rows if not left_out(row)]
    return succeeded or not outcomes, (table, RowIndex(allowed)) if allowed and len(allowed) < len(rows) else None


def _anchor(tool: ToolSpec, values: ValueSource, catalog: Catalog) -> tuple[str, str, str] | None:
    """(table, key column, parameter) of the entity a write acts on: its first required
    id, when its column is a table's single primary key."""
    for param in tool.parameters.get("required", []):
        if not is_id(param):
            continue
        for table, column in values.columns_for(param, tool.name):
            if catalog.primary_keys.get(table) == (column,):
                return table, column, param
        return None
    return None

Feature = Callable[[dict[str, Any]], str]


def _features(rows: list[dict[str, Any]], columns: list[str], key: tuple[str, ...],
              today: dt.date) -> dict[str, Feature]:
    """Columns that may decide what can be done with a row: few distinct values, or dates
    (by their distance from today, see `_age`)."""
    features: dict[str, Feature] = {}
    for column in columns:
        if column in key or is_id(column):
            continue
        values = [row.get(column) for row in rows]
        distinct = {value_key(v) for v in values}
        dates = sorted({str(v) for v in values if isinstance(v, str) and _DATE.match(v)})
        if 2 <= len(distinct) <= MAX_CATEGORIES:
            features[column] = lambda row, c=column: value_key(row.get(c))
        elif len(dates) >= 2 and len(dates) == len({str(v) for v in values if v is not None}):
            features[column] = lambda row, c=column: _age(row.get(c), today)
    return features


def _age(value: Any, today: dt.date) -> str:
    """Which span of days from the env's clock a date falls in (policies count days from
    today: a 30-day return window, a change allowed until 24 hours before)."""
    if not isinstance(value, str):
        return "none"
    days = (dt.date.fromisoformat(value[:10]) - today).days
    return str(bisect.bisect_left(AGE_EDGES, days))


def _stratified(rows: list[dict[str, Any]], features: dict[str, Feature], rng: random.Random) -> list[dict[str, Any]]:
    """Rows such that each value of each feature is in SCREEN_PER_VALUE of them (when the
    table has that many), at most SCREEN_ROWS in all: one row per value first (features
    with fewer values first), then a second."""
    groups: dict[str, dict[str, list[int]]] = {}
    for name, feature in features.items():
        by_value: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            by_value.setdefault(feature(row), []).append(i)
        for members in by_value.values():
            rng.shuffle(members)
        groups[name] = by_value
    order = sorted(features, key=lambda name: (len(groups[name]), name))
    sample: list[dict[str, Any]] = []
    taken: set[int] = set()
    for round_ in range(1, SCREEN_PER_VALUE + 1):
        for name in order:
            for value in sorted(groups[name]):
                members = groups[name][value]
                if sum(1 for i in members if i in taken) >= round_:
                    continue
                fresh = next((i for i in members if i not in taken), None)
                if fresh is None:
                    continue
                if len(sample) >= SCREEN_ROWS:
                    return sample
                taken.add(fresh)
                sample.append(rows[fresh])
    return sample


def _names_a_value(result: CallResult, arguments: dict[str, Any]) -> bool:
    message = result.error.message if result.error is not None else ""
    values = [v for value in arguments.values() for v in (value if isinstance(value, list) else [value])]
    return any(isinstance(v, str | int) and not isinstance(v, bool) and len(str(v)) >= 2
               and re.search(rf"(?<!\w){re.escape(str(v))}(?!\w)", message) for v in values)


def _error_class(result: CallResult) -> str:
    """An error's message with its ids, numbers and dates left out (one class per cause)."""
    message = result.error.message if result.error is not None else ""
    return re.sub(r"\S*\d\S*", "#", message)


def _blocked(feature: Feature, outcomes: list[tuple[dict[str, Any], str]]) -> set[str]:
    """Values of the feature whose every trial failed with an error found only at such values.

    When that is every value (no proposal succeeded anywhere: the tool needs values plain
    proposals do not give), the error most values share is the entity's state (pending
    orders fail on the missing item, all others on "non-pending order"): only the values
    failing with it are left out."""
    by_value: dict[str, set[str]] = {}
    trials: dict[str, int] = {}
    for row, outcome in outcomes:
        by_value.setdefault(feature(row), set()).add(outcome)
        trials[feature(row)] = trials.get(feature(row), 0) + 1
    blocked: dict[str, str] = {}
    for value, seen in by_value.items():
        if len(seen) != 1 or "ok" in seen or trials[value] < SCREEN_PER_VALUE:
            continue  # it succeeded, failed in several ways, or was tried once only
        error = next(iter(seen))
        if all(others == {error} or error not in others for other, others in by_value.items() if other != value):
            blocked[value] = error
    if len(by_value) < 2:
        return set()  # nothing to compare with
    if len(blocked) == len(by_value):
        shares = {error: sum(1 for e in blocked.values() if e == error) for error in blocked.values()}
        most = max(shares.values(), default=0)
        if list(shares.values()).count(most) != 1:
            return set()  # every value fails alike: this feature is not what decides
        return {value for value, error in blocked.items() if shares[error] == most}
    return set(blocked)
