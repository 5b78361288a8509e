"""The authoring API an environment module imports.

An env module is source compiled by the sandbox with RestrictedPython; this module
is the only project code it may import. `Db` and `Fake` are the protocols of the
handles the sandbox passes in (here for editors and type checkers).
"""

from __future__ import annotations

import datetime as _dt
import random as _random
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sandbox.safe_values import scrub

F = TypeVar("F", bound=Callable[..., Any])

TOOL_MARK = "__toolace_tool__"


class ToolError(Exception):
    """A domain error: the call fails with this message and the state is untouched."""

    def __init__(self, message: str) -> None:
        # The text of any object, without the address a default repr shows (it differs
        # between runs, so a dialogue holding it would not replay).
        text = scrub(str(message))
        super().__init__(text)
        self.message = text


class ToolSpecMark:
    """What `@tool` records on a function; read by the sandbox worker."""

    __slots__ = ("confirm", "phrasing", "writes")

    def __init__(self, writes: bool, phrasing: tuple[str, ...], confirm: bool = False) -> None:
        self.writes = writes
        self.phrasing = phrasing
        self.confirm = confirm


def tool(
    fn: F | None = None, *, writes: bool = False, confirm: bool = False,
    phrasing: list[str] | tuple[str, ...] = ()
) -> Any:
    """Mark a function as a tool.

    `@tool` marks a read-only tool (a write from it is a SandboxViolation);
    `@tool(writes=True)` a tool that may change state. `confirm=True` (writes only) is the
    env's policy that the call is consequential: the assistant states it and the user
    agrees before it is made (the verifier's `confirmation` check). `phrasing` holds
    templates such as "cancel my order {order_id}" that the offline backend uses to ask
    for the call.
    """
    if confirm and not writes:
        raise ValueError("@tool(confirm=True) needs writes=True: only a write can need the user's confirmation")

    def mark(f: F) -> F:
        setattr(f, TOOL_MARK, ToolSpecMark(bool(writes), tuple(scrub(str(p)) for p in phrasing), bool(confirm)))
        return f

    if fn is not None:
        return mark(fn)
    return mark


class Db(Protocol):
    """The handle a tool or `seed` gets. Rows are dicts of JSON values.

    DATE -> "YYYY-MM-DD", TIMESTAMP -> "YYYY-MM-DDTHH:MM:SS", DECIMAL -> float.
    Only SELECT/INSERT/UPDATE/DELETE on the env's own tables; one statement a call;
    values go in `params` (`?` placeholders), never into the SQL string.
    """

    now: _dt.datetime
    today: _dt.date
    rng: _random.Random

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]: ...
    def one(self, sql: str, params: list[Any] | None = None) -> dict[str, Any] | None: ...
    def scalar(self, sql: str, params: list[Any] | None = None) -> Any: ...
    def execute(self, sql: str, params: list[Any] | None = None) -> int: ...
    def insert(self, table: str, rows: list[dict[str, Any]]) -> int: ...
    def data(self, name: str) -> Any:
        """Parsed JSON of data/<env>/<name> beside the module; in seed() only."""
        ...


class Fake(Protocol):
    """A seeded Faker (en_US); any public provider method, returning plain data."""

    def __getattr__(self, name: str) -> Callable[..., Any]: ...
