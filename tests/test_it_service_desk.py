"""The IT service desk written for the outside audit of issue 16 (bench/fresh_envs/it_service_desk.py):
sign in by username and PIN first, confirm-first writes declared, refusals whose preconditions
are in the data, and the generator makes verified dialogues on it that sign in before anything."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from handwritten import synthetic

from sandbox import Environment, load_env
from toolace_mt.cli import main
from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import findings

DESK = Path(__file__).resolve().parent.parent / "bench" / "fresh_envs" / "it_service_desk.py"
CONFIRMED = {"change_urgency", "cancel_ticket", "close_ticket", "reopen_ticket", "request_replacement"}


@pytest.fixture(scope="module")
def desk_env() -> Iterator[Environment]:
    env = load_env(str(DESK), seed=0)
    try:
        yield env
    finally:
        env.close()


@pytest.fixture
def desk(desk_env: Environment) -> Environment:
    desk_env.reset()
    return desk_env


def _employee(desk: Environment, employee_id: str) -> dict:
    return desk.query("SELECT username, pin FROM employees WHERE employee_id = ?", [employee_id])[0]


def test_sign_in_needs_the_matching_pin_and_names_the_employee(desk: Environment) -> None:
    who = _employee(desk, "E-3101")
    wrong = desk.call("sign_in", {"username": who["username"], "pin": "0000" if who["pin"] != "0000" else "1111"})
    assert not wrong.ok and wrong.error.message == "that username and PIN do not match"
    signed = desk.call("sign_in", {"username": who["username"].upper(), "pin": who["pin"]}).result
    assert signed["employee_id"] == "E-3101" and "pin" not in signed


def test_policy_signs_in_first_and_confirms_the_consequential_writes(desk: Environment) -> None:
    policy = EnvPolicy.of(desk)
    assert desk.authenticate_first and desk.user_key == "employee_id"
    assert policy.confirm == CONFIRMED
    assert {"raise_ticket", "add_note"} <= policy.writes - policy.confirm


def test_a_ticket_resolved_over_ten_days_ago_is_not_reopened(desk: Environment) -> None:
    old = desk.query("SELECT ticket_id, employee_id FROM tickets WHERE status = 'resolved' ORDER BY resolved_on")[0]
    refused = desk.call("reopen_ticket", {**old, "what_still_fails": "The VPN still drops"})
    assert not refused.ok and "raise a new ticket instead" in refused.error.message
    recent = desk.query("SELECT ticket_id, employee_id FROM tickets WHERE status = 'resolved' "
                        "ORDER BY resolved_on DESC")[0]
    reopened = desk.call("reopen_ticket", {**recent, "what_still_fails": "The VPN still drops"}).result
    assert reopened["status"] == "open" and reopened["notes"][-1]["body"] == "Reopened: The VPN still drops"


def test_only_resolved_tickets_close_and_only_unresolved_ones_cancel(desk: Environment) -> None:
    open_ = desk.query("SELECT ticket_id, employee_id FROM tickets WHERE status = 'open'")[0]
    assert "only a resolved ticket can be closed" in desk.call("close_ticket", open_).error.message
    cancelled = desk.call("cancel_ticket", {**open_, "reason": "fixed_it_myself"}).result
    assert cancelled["status"] == "cancelled" and cancelled["notes"][-1]["body"] == "Cancelled: fixed it myself"
    again = desk.call("cancel_ticket", {**open_, "reason": "raised_twice"})
    assert not again.ok and "cancelled and cannot be cancelled" in again.error.message


def test_a_device_out_of_warranty_is_not_replaced(desk: Environment) -> None:
    old = desk.query("SELECT asset_tag, employee_id FROM devices ORDER BY warranty_until")[0]
    refused = desk.call("request_replacement", {**old, "reason": "battery_failing"})
    assert not refused.ok and "out of warranty" in refused.error.message
    other = desk.query("SELECT employee_id FROM employees WHERE employee_id <> ?", [old["employee_id"]])[0]
    stranger = desk.call("request_replacement", {**other, "asset_tag": old["asset_tag"], "reason": "broken_screen"})
    assert not stranger.ok and "is not assigned to you" in stranger.error.message


def test_hardware_tickets_name_a_device_of_the_kind_their_title_says(desk: Environment) -> None:
    rows = desk.query("SELECT t.title, d.kind FROM tickets t JOIN devices d ON d.asset_tag = t.asset_tag")
    assert rows and all(r["title"].lower().startswith(r["kind"]) for r in rows)


# Every sign-in was dropped as `unauthenticated` before 0c46e7c (a username like cmcintosh0 read as an id).
def test_a_username_and_pin_sign_in_authenticates() -> None:
    tools = {"sign_in": {"username": {"type": "string"}, "pin": {"type": "string"}},
             "list_my_tickets": {"employee_id": {"type": "string"}}}
    policy = EnvPolicy(known=True, writes=frozenset(), confirm=frozenset(), user_key="employee_id",
                       authenticate_first=True)
    signed = {"employee_id": "E-3101", "full_name": "Cara McIntosh", "department": "Sales", "office": "Leeds"}
    record = synthetic([
        ("user", "Hi, it's Cara. Which of my tickets are still open? My username is cmcintosh0 and my PIN is 2802."),
        ("call", "sign_in", {"username": "cmcintosh0", "pin": "2802"}, signed),
        ("call", "list_my_tickets", {"employee_id": "E-3101"},
         [{"ticket_id": "INC-20431", "title": "Need access to the finance share", "status": "open"}]),
        ("assistant", "You have one open ticket: \"Need access to the finance share\" (INC-20431)."),
    ], tools)
    assert "unauthenticated" not in {f.kind for f in findings(Dialogue(record), policy)}


def test_generated_dialogues_verify_and_sign_in_before_anything(tmp_path: Path, capsys) -> None:
    out = tmp_path / "desk.jsonl"
    assert main(["generate", "--env", str(DESK), "-n", "3", "--seed", "1", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 3 and report["accepted"] == 3
    for record in records:
        assert record["verification"]["passed"]
        names = [c["function"]["name"] for m in record["messages"] for c in m.get("tool_calls") or []]
        touching = [n for n in names if n not in ("sign_in", "search_help_articles")]
        if touching:  # the employee's data is reached only after a sign-in
            assert "sign_in" in names and names.index("sign_in") < names.index(touching[0])
