"""A trajectory finding: one instance of a defect a trainer cares about.

Each finding kind belongs to one check (its `check` id fails when the kind is found);
`stats` counts them per kind without failing anything. Kinds and check ids are stable:
other code (the generator's benchmarks, users' reports) refers to them.
"""

from __future__ import annotations

from dataclasses import dataclass

UNJUDGED = "unjudged"  # a check that could not read a record: it fails it, and no rate counts it


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    message_index: int | None = None
    check: str | None = None  # set for UNJUDGED, whose check is not known from its kind


@dataclass(frozen=True)
class FindingKind:
    kind: str
    check: str
    needs_env: bool  # judged only with the env's policy (which tools write, which need confirming)
    what: str  # one line for the README and `stats`
