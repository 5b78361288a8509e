"""The compiled env's confirmation policy: consequential writes (deletes, cancels and closes,
money moves, bookings and orders) are `confirm=True`; reads, logins and plain edits are not."""

from __future__ import annotations

import json
from pathlib import Path

from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.consequence import needs_confirmation
from toolace_mt.compiler.render import render

SPECS = Path(__file__).resolve().parent.parent / "fixtures" / "specs"


def _policy(spec: Path) -> dict[str, bool]:
    plan = classify(read_specs([spec]))
    return {tool.ident: needs_confirmation(tool) for tool in plan.tools}


def test_bfcl_trading_policy_confirms_money_and_cancels_only() -> None:
    policy = _policy(SPECS / "bfcl" / "trading_bot.json")
    assert {name for name, confirm in policy.items() if confirm} == {
        "cancel_order", "place_order", "remove_stock_from_watchlist", "withdraw_funds"}


def test_bfcl_ticket_policy_confirms_closing_not_creating_or_editing() -> None:
    policy = _policy(SPECS / "bfcl" / "ticket_api.json")
    assert policy["close_ticket"] and policy["resolve_ticket"]
    assert not policy["create_ticket"] and not policy["edit_ticket"] and not policy["ticket_login"]
    assert not policy["get_ticket"]


def test_rendered_module_marks_confirmed_tools_in_code_and_header(tmp_path: Path) -> None:
    spec = tmp_path / "tools.json"
    spec.write_text(json.dumps({"tools": [
        {"type": "function", "function": {"name": "deleteNote", "description": "Delete a note.",
                                          "parameters": {"type": "object", "properties": {"noteId": {"type": "string"}},
                                                         "required": ["noteId"]}}},
        {"type": "function", "function": {"name": "getNote", "description": "Get a note by id.",
                                          "parameters": {"type": "object", "properties": {"noteId": {"type": "string"}},
                                                         "required": ["noteId"]}}},
    ]}), encoding="utf-8")
    plan = classify(read_specs([spec]))
    source = render(plan, [spec.name])
    decorators = [line for line in source.splitlines() if line.startswith("@tool(")]
    assert sum("confirm=True" in line for line in decorators) == 1
    header = [line for line in source.splitlines() if line.startswith("#   ")]
    assert any(line.split()[1] == "deleteNote" and "confirm first" in line for line in header)
    assert any(line.split()[1] == "getNote" and "confirm first" not in line for line in header)
