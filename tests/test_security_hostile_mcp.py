"""Red team, round 2: arguments an MCP client sends that the session cannot record.

`toolace-mt serve` runs each call, then appends it to the session's record. Arguments
that are not strict JSON (NaN, nesting deeper than a record may hold, an integer too long
for text) made the append raise after the call had run and was counted: a ValidationError,
RecursionError or ValueError out of Session.call, and a session whose record lacked a call
it made. They are now refused before anything runs, as a SessionError the server answers
with, and the session goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox import Environment, load_env
from toolace_mt.mcp_server import Session, SessionError


def _nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth):
        node["a"] = {}
        node = node["a"]
    return root


@pytest.fixture(scope="module")
def env() -> Iterator[Environment]:
    with load_env("banking", seed=1) as loaded:
        yield loaded


HOSTILE = {
    "nan": (float("nan"), "Out of range float values are not JSON compliant"),
    "infinity": (float("inf"), "Out of range float values are not JSON compliant"),
    "3000_deep": (_nested(3000), "RecursionError"),
    "70_deep": (_nested(70), "nested deeper than 64 levels"),
    "5000_digits": (10 ** 5000, "Exceeds the limit (4300 digits)"),
    "complex_key": ({1j: 1}, "TypeError"),
}


@pytest.mark.parametrize(("value", "fragment"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_arguments_a_record_cannot_hold_are_refused_before_the_call(env: Environment, value: Any,
                                                                     fragment: str) -> None:
    session = Session(key="k", env=env)
    before = env.state_hash()
    with pytest.raises(SessionError) as caught:
        session.call("get_account", {"account_id": value}, max_calls=10)
    assert str(caught.value).startswith("the arguments are not strict JSON (")
    assert fragment in str(caught.value) and str(caught.value).endswith("nothing was run")
    assert session.calls == 0 and session.messages == []
    assert env.state_hash() == before
    answered = session.call("get_account", {"account_id": "no-such-account"}, max_calls=10)
    assert answered is not None and answered.error is not None and answered.error.type == "ToolError"
    assert session.calls == 1 and len(session.messages) == 2
    assert session.messages[-1].content == answered.content()
    assert session.record("r1").messages[-2].content == answered.content()  # then "(end of the MCP session)"
