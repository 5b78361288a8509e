"""A trajectory finding: one instance of a defect a trainer cares about.

Each finding kind belongs to one check (its `check` id fails when the kind is found);
`stats` counts them per kind without failing anything. Kinds and check ids are stable:
other code (the generator's benchmarks, users' reports) refers to them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    message_index: int | None = None


@dataclass(frozen=True)
class FindingKind:
    kind: str
    check: str
    needs_env: bool  # judged only with the env's policy (which tools write, which need confirming)
    what: str  # one line for the README and `stats`
