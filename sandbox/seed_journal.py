"""The statements an env's seed() made, in order, kept to seed a twin without its worker.

A seeded state is a function of the module and the seed (see sandbox.call_memo: every
instance's seeded state is "seed"), so a second live env of the same module and seed
need not run seed() again: the engine replays, on its fresh store, the SQL requests the
first seeding sent (inserts and statements, each through the same policy checks as
then), which rebuilds the same tables, rows and row order. The twin's worker is loaded
without Faker and never seeds. That is most of a twin's start-up: the seeding's worker
CPU (Faker, env code) and the decoding of its frames.

Only the requests of a seeding that succeeded are kept; they were checked when they
came, and are checked again when replayed (they come from env code). Data-file requests
are not kept: they changed no state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.state import Session, StateStore


class SeedReplayFailed(Exception):
    """A statement of the journal failed on replay (it did not when the env was seeded)."""


@dataclass(frozen=True)
class SeedJournal:
    requests: tuple[dict[str, Any], ...]

    def replay(self, store: StateStore) -> None:
        """Make `store` (its tables created, empty) the seeded state: in one transaction,
        committed, with no committed writes counted (as after seeding)."""
        store.begin()
        try:
            for request in self.requests:
                if request.get("kind") == "insert":
                    store.insert(str(request.get("table")), list(request.get("rows") or []))
                else:
                    store.run(str(request["kind"]), str(request["sql"]), list(request.get("params") or []),
                              Session.WRITE)
            store.commit()
        except Exception as exc:
            if store.in_transaction:
                store.rollback()
            raise SeedReplayFailed(f"{type(exc).__name__}: {exc}") from exc
        store.writes_committed = 0
