"""`consistency`'s write claims: a claim is backed by a write named for its action or for
its own verb (registered -> register_member), and words inside quotation marks are the
user's, not a claim."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from handwritten import synthetic

from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.consistency import action_stems, check_consistency, claimed_actions

TOOLS = {"register_member": {"name": {"type": "string"}}, "create_task": {"title": {"type": "string"}},
         "send_message": {"text": {"type": "string"}}}
ENV: Any = SimpleNamespace(tools=[SimpleNamespace(name=n, writes=True) for n in TOOLS])


def test_stems_of_a_claimed_verb() -> None:
    assert action_stems("registered") == {"create", "register"}
    assert "cancel" in action_stems("Cancelled")


def test_a_registration_is_backed_by_the_register_tool() -> None:
    record = synthetic([
        ("user", "Please sign Ann up as a member."),
        ("call", "register_member", {"name": "Ann"}, {"member_id": "M-1", "name": "Ann"}),
        ("assistant", "I've registered Ann as member M-1."),
    ], TOOLS)
    assert check_consistency(Dialogue(record), ENV) == []
    unbacked = synthetic([("user", "Please sign Ann up as a member."),
                          ("assistant", "I've registered Ann as a member.")], TOOLS)
    assert [f.check for f in check_consistency(Dialogue(unbacked), ENV)] == ["consistency"]


def test_a_claim_inside_quotation_marks_is_the_users_text() -> None:
    assert claimed_actions('Shall I send "I\'ve booked the hall for Friday" to Bo?') == []
    assert claimed_actions("I've booked the hall for Friday.") == ["booked"]
