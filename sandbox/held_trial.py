"""A write trial kept open so that making the same call commits it instead of running it again.

The generator tries a write with `Environment.peek` and, when it keeps the proposal, makes
the same call on the same state soon after. A write costs several SQL statements and
worker round trips, so the engine keeps a successful trial's transaction open on the
store's write session (sandbox.state.Session) rather than rolling it back. The main
session sees only committed rows (DuckDB isolates connections), so reads, snapshots,
hash and diff go on as if the trial had been rolled back.

`call()` of the same memo key (state id, tool, arguments) commits it: the outcome is the
one running the call would give, since a tool is a function of the state, its arguments,
the frozen clock and the per-call RNG, none of which moved (the RNG's seed counts the
writes committed, and nothing committed in between). Anything that changes the committed
state first rolls it back ("settles" it): any other write's call or trial, a restore or
reset that changes something, close. At most one trial is held.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.call_memo import MemoKey
from sandbox.errors import CallResult


@dataclass(frozen=True)
class HeldTrial:
    """A successful write trial whose transaction is still open on the write session."""

    key: MemoKey  # the call it stands for, at the state id it ran on
    result: CallResult  # its outcome (a copy no caller holds)
